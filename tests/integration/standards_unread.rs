//! A manifest the policy rules cannot read (a YAML syntax error) is skipped by checkov and by
//! our rules alike, so it has no finding: the Standards fronts list it as "not checked" rather
//! than let its site look clean. Here through the real binary: `blast standards -o json` on a
//! real git repo, and the wall (`blast dashboard`) in a pty with the file committed while it
//! runs.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::pty::{Pty, ServeOnly, free_port};
use crate::support::{git, temp_repo};

/// A Secret for mgmt whose line 7 is indented with a tab: not YAML. Its value must never show.
const BROKEN: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: ops\nstringData:\n\tpassword: s3cr3t-do-not-show\n";
const BROKEN_PATH: &str = "apps/mgmt/db/secret.yaml";

fn commit_broken(work: &Path) {
    let at = work.join(BROKEN_PATH);
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::fs::write(&at, BROKEN).unwrap();
    git(work, &["add", "."]);
    git(
        work,
        &[
            "-c",
            "user.name=Ops",
            "-c",
            "user.email=ops@example.com",
            "commit",
            "-q",
            "-m",
            "db secret",
        ],
    );
}

/// `blast standards -o json` on `work` with no cluster at all (the repo's side alone).
fn standards_json(work: &Path, home: &Path) -> (i32, Value) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blast"))
        .arg("--kubeconfig")
        .arg(home.join("none.yaml"))
        .arg("--repo")
        .arg(work)
        .args(["standards", "-o", "json", "--timeout", "5s"])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("KUBECONFIG")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}\n{text}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), v)
}

/// The "not checked" lines of `path`.
fn not_checked<'a>(v: &'a Value, path: &str) -> Vec<&'a Value> {
    v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["id"] == "not checked" && l["subject"] == path)
        .collect()
}

#[test]
fn blast_standards_json_lists_a_broken_manifest_as_not_checked() {
    let repo = temp_repo();
    let home = tempfile::tempdir().unwrap();
    let (_, clean) = standards_json(&repo.work, home.path());
    assert!(not_checked(&clean, BROKEN_PATH).is_empty(), "{clean:#}");
    // The fixture's own broken file (the browser shows its error) is not checked either.
    let fixture = not_checked(&clean, "apps/edge-berlin/mqtt/broken.yaml");
    assert_eq!(fixture.len(), 1, "{clean:#}");
    assert_eq!(fixture[0]["site"], "edge-berlin");
    let mgmt_clean = clean["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["site"] == "mgmt")
        .cloned();

    commit_broken(&repo.work);
    let (code, v) = standards_json(&repo.work, home.path());
    let lines = not_checked(&v, BROKEN_PATH);
    assert_eq!(lines.len(), 1, "{v:#}");
    let l = lines[0];
    assert_eq!(l["site"], "mgmt");
    assert_eq!(l["level"], "WARN");
    assert_eq!(l["area"], "policy");
    assert_eq!(l["subject"], BROKEN_PATH);
    let detail = l["detail"].as_str().unwrap();
    assert!(
        detail.ends_with(&format!("({BROKEN_PATH}:7)")),
        "the parser's line: {detail}"
    );
    assert!(detail.contains("tab"), "the parser's message: {detail}");
    // The site's line counts it: not degraded, not clean.
    let mgmt = v["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["site"] == "mgmt")
        .unwrap();
    assert_eq!(mgmt["unchecked_files"], 1, "{mgmt:#}");
    assert_eq!(mgmt["unchecked"][0]["path"], BROKEN_PATH);
    assert_eq!(mgmt["unchecked"][0]["line"], 7);
    if let Some(before) = mgmt_clean {
        assert_eq!(before["unchecked_files"], 0);
    }
    let header = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["header"] == true && l["site"] == "mgmt")
        .unwrap();
    assert_ne!(header["subject"], "OK", "{header:#}");
    assert!(
        header["detail"]
            .as_str()
            .unwrap()
            .contains("1 file not checked"),
        "{header:#}"
    );
    // Nothing is a pass for want of checking: exit 1.
    assert_eq!(code, 1);
    // The Secret's value is nowhere in the output.
    assert!(!v.to_string().contains("s3cr3t"), "{v:#}");
}

/// The wall runs for weeks: a broken manifest committed while it runs is listed on its
/// standards page ("not checked", at its line), and the problems page says mgmt's standards
/// are unknown rather than letting the site look healthy.
#[test]
fn a_broken_manifest_committed_while_the_wall_runs_shows_as_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig.yaml");
    let port = free_port();
    let _server = ServeOnly::start(port, &kubeconfig, dir.path());
    let repo = temp_repo();
    let mut t = Pty::spawn(
        &[
            "dashboard",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--context",
            "mgmt",
            "--page",
            "standards,problems",
            "--repo",
            repo.work.to_str().unwrap(),
        ],
        &repo.work,
        200,
        50,
        &[],
    );
    // The standards page has read the repo (mgmt's line counts its policy); held there.
    let mgmt_line = |s: &str| {
        s.lines()
            .find(|l| l.contains(" mgmt ") && l.contains("policy "))
            .map(str::to_string)
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while mgmt_line(&t.screen()).is_none() {
        assert!(Instant::now() < deadline, "no mgmt line:\n{}", t.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    t.send(" ");
    let before = mgmt_line(&t.screen()).unwrap();
    assert!(!before.contains("not checked"), "{before}");
    commit_broken(&repo.work);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = t.screen();
        if s.contains(&format!("({BROKEN_PATH}:7)")) {
            let line = s.lines().find(|l| l.contains(BROKEN_PATH)).unwrap();
            assert!(line.contains("▲ policy not checked"), "{line}");
            let mgmt = mgmt_line(&s).unwrap();
            assert!(mgmt.contains("policy 0, 1 file not checked"), "{mgmt}");
            assert!(!s.contains("s3cr3t"), "{s}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the broken manifest never showed:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The problems page (the second page: its digit is 2 here).
    t.send("2");
    let problem = format!("1 manifest not checked (unreadable): {BROKEN_PATH}:7");
    t.wait_for(&problem, 15);
    let s = t.screen();
    let line = s.lines().find(|l| l.contains(&problem)).unwrap();
    assert!(
        line.contains("? unknown  mgmt") && line.contains("standards Standards mgmt:"),
        "{line}"
    );
    t.send("q");
    assert_eq!(t.wait_exit(10), 0);
}
