//! Parity of `blast check --policy` with real checkov (pinned in `.ci/run`): over
//! `fixtures/policy/` (which makes every check fail somewhere and pass somewhere) and over the
//! repo's own `clusters/`, `infrastructure/` and `apps/` (each its own `-d`, as `.ci/run` runs
//! them), the sets of failed, skipped and passed `(check id, resource, file)` must be equal.
//!
//! checkov runs once per tree, from an empty working directory (so only the scanned folder's
//! `.checkov.yaml` is read, by both tools), with `BC_SKIP_MAPPING=TRUE` (checkov's own IDs,
//! no platform lookups). Without checkov the test says so in one line, unless `CI` is set:
//! then it fails.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// checkov from `BLAST_CHECKOV` or the venv `.ci/run` makes (`BLAST_CI_VENV`, else
/// `target/ci-venv`), as a command ready for arguments. The venv's own python runs the script,
/// so a venv moved from where it was made still works.
fn checkov() -> Option<Command> {
    if let Some(p) = std::env::var_os("BLAST_CHECKOV") {
        return Some(Command::new(p));
    }
    let venv = match std::env::var_os("BLAST_CI_VENV") {
        Some(v) => PathBuf::from(v).join("bin"),
        None => root().join("target/ci-venv/bin"),
    };
    let script = venv.join("checkov");
    if !script.is_file() {
        return None;
    }
    let python = venv.join("python3");
    if python.exists() {
        let mut c = Command::new(python);
        c.arg(script);
        Some(c)
    } else {
        Some(Command::new(script))
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

type Pairs = BTreeSet<(String, String, String)>;

#[derive(Default)]
struct Results {
    failed: Pairs,
    skipped: Pairs,
    passed: Pairs,
}

fn pair(check: &str, resource: &str, path: &str) -> (String, String, String) {
    (
        check.to_string(),
        resource.to_string(),
        path.trim_start_matches('/').to_string(),
    )
}

fn run_checkov(mut cmd: Command, dir: &Path, cwd: &Path) -> Results {
    let out = cmd
        .current_dir(cwd)
        .env("BC_SKIP_MAPPING", "TRUE")
        .env("HOME", cwd)
        .arg("-d")
        .arg(dir)
        .args(["--framework", "kubernetes", "-o", "json", "--skip-download"])
        .output()
        .expect("checkov runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "checkov over {}: not JSON ({e}); stderr: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let reports: Vec<&Value> = match &json {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    let mut r = Results::default();
    for rep in reports {
        if rep["check_type"] != "kubernetes" {
            continue;
        }
        let res = &rep["results"];
        for (key, set) in [
            ("failed_checks", &mut r.failed),
            ("skipped_checks", &mut r.skipped),
            ("passed_checks", &mut r.passed),
        ] {
            for c in res[key].as_array().into_iter().flatten() {
                set.insert(pair(
                    c["check_id"].as_str().unwrap_or("?"),
                    c["resource"].as_str().unwrap_or("?"),
                    c["file_path"].as_str().unwrap_or("?"),
                ));
            }
        }
    }
    r
}

fn run_blast(dir: &Path, cwd: &Path) -> Results {
    let out = Command::new(env!("CARGO_BIN_EXE_blast"))
        .current_dir(cwd)
        .args(["check", "--policy", "--format", "json"])
        .arg(dir)
        .output()
        .expect("blast runs");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "blast check --policy {}: not JSON ({e}); stderr: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut r = Results::default();
    for f in json["findings"].as_array().into_iter().flatten() {
        if let (Some(rule), Some(res)) = (f["rule"].as_str(), f["resource"].as_str()) {
            r.failed
                .insert(pair(rule, res, f["path"].as_str().unwrap_or("?")));
        }
    }
    for s in json["policy"]["skips"].as_array().into_iter().flatten() {
        r.skipped.insert(pair(
            s["rule"].as_str().unwrap_or("?"),
            s["resource"].as_str().unwrap_or("?"),
            s["path"].as_str().unwrap_or("?"),
        ));
    }
    // Passed results are only counted in the JSON: take them from the library, which the
    // binary calls the same way.
    let config = blast::policy::Config::load(&[cwd, dir]);
    for o in blast::policy::scan(dir, &config).expect("the tree reads") {
        if o.status == blast::policy::Status::Passed {
            r.passed.insert(pair(o.rule, &o.resource, &o.path));
        }
    }
    let failed = json["policy"]["failed"].as_u64().unwrap_or(0) as usize;
    assert!(
        failed >= r.failed.len(),
        "blast's policy.failed {failed} < its failed findings {}",
        r.failed.len()
    );
    r
}

/// The differences of one set pair, one line each.
fn diff(tree: &str, what: &str, checkov: &Pairs, blast: &Pairs, out: &mut Vec<String>) {
    let keep = |p: &&(String, String, String)| !p.0.starts_with("BLAST_");
    for p in checkov.difference(blast).filter(keep) {
        out.push(format!(
            "{tree}: {what} by checkov only: {} {} ({})",
            p.0, p.1, p.2
        ));
    }
    for p in blast.difference(checkov).filter(keep) {
        out.push(format!(
            "{tree}: {what} by blast only: {} {} ({})",
            p.0, p.1, p.2
        ));
    }
}

/// checkov 3.3.13 checks that cannot fail (their graph conditions read attributes its graph
/// never holds) or cannot pass (a Service that is not Tiller's is "unknown").
const CANNOT_FAIL: &[&str] = &[
    "CKV2_K8S_1",
    "CKV2_K8S_2",
    "CKV2_K8S_3",
    "CKV2_K8S_4",
    "CKV2_K8S_5",
];
const CANNOT_PASS: &[&str] = &["CKV_K8S_44"];

#[test]
fn policy_rules_match_real_checkov() {
    let Some(_) = checkov() else {
        assert!(
            !in_ci(),
            "checkov is missing at target/ci-venv (CI is set: the policy parity test is mandatory; .ci/run installs it)"
        );
        eprintln!(
            "policy_parity: no checkov at target/ci-venv/bin/checkov (run .ci/run); not compared"
        );
        return;
    };
    let cwd = tempfile::tempdir().unwrap();
    let trees = ["fixtures/policy", "clusters", "infrastructure", "apps"];
    let mut problems = Vec::new();
    let mut figures = Vec::new();
    for tree in trees {
        let dir = root().join(tree);
        let ck = run_checkov(checkov().unwrap(), &dir, cwd.path());
        let bl = run_blast(&dir, cwd.path());
        diff(tree, "failed", &ck.failed, &bl.failed, &mut problems);
        diff(tree, "skipped", &ck.skipped, &bl.skipped, &mut problems);
        diff(tree, "passed", &ck.passed, &bl.passed, &mut problems);
        let ck_passed = ck.passed.len();
        let resources: BTreeSet<&String> = ck
            .failed
            .iter()
            .chain(&ck.skipped)
            .chain(&ck.passed)
            .map(|p| &p.1)
            .collect();
        figures.push(format!(
            "{tree}: {} failed, {} skipped, {} passed over {} resources",
            ck.failed.len(),
            ck.skipped.len(),
            ck_passed,
            resources.len()
        ));
        if tree == "fixtures/policy" {
            for (id, _) in blast::policy::catalogue() {
                if id.starts_with("BLAST_") {
                    continue;
                }
                let fails = ck.failed.iter().any(|p| p.0 == id);
                let passes = ck.passed.iter().any(|p| p.0 == id);
                if !fails && !CANNOT_FAIL.contains(&id) {
                    problems.push(format!("{tree}: no fixture fails {id}"));
                }
                if !passes && !CANNOT_PASS.contains(&id) {
                    problems.push(format!("{tree}: no fixture passes {id}"));
                }
            }
            if ck.skipped.is_empty() {
                problems.push(format!("{tree}: no fixture is skipped"));
            }
        }
    }
    eprintln!("policy_parity:\n  {}", figures.join("\n  "));
    assert!(
        problems.is_empty(),
        "blast check --policy differs from checkov:\n{}",
        problems.join("\n")
    );
}
