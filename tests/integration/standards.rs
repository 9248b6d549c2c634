//! Issue 16 §4: the Standards view, `blast standards --json` and `blast status --json`'s
//! `standards` say the same of the demo world, line by line: the console's pure core driven by
//! its own watches over HTTP (the `live` harness), the two commands run as the real binary
//! against the same emulator and repo.

use blast::app::Msg;
use blast::app::live::images::ImagesMsg;
use blast::app::live::standards as std_view;
use blast::app::live::{KindStatus, Scope};
use blast::app::nav::Route;
use blast::demo::emulator::Emulator;
use blast::demo::world;
use serde_json::{Value, json};

use crate::live::Harness;

/// Every source has answered every kind the Standards view wants of it (listed, not
/// installed, forbidden): what `blast status` waits for.
fn settled(s: &blast::app::State) -> bool {
    let wants = Route::Standards.wants();
    s.live.sources.len() >= 3
        && s.live.sources.values().all(|src| {
            src.setup_error.is_some()
                || wants
                    .iter()
                    .filter(|w| match w.scope {
                        Scope::Roots => src.root,
                        _ => !src.root,
                    })
                    .all(|w| {
                        src.store(&w.kind)
                            .is_some_and(|k| k.status != KindStatus::Syncing)
                    })
        })
}

/// `blast ARGS --json` against the harness's emulator; `(exit code, JSON)`.
async fn blast_json(
    h: &Harness,
    home: &std::path::Path,
    repo: &std::path::Path,
    args: &[&str],
) -> (i32, Value) {
    let kubeconfig = home.join("kubeconfig.yaml");
    std::fs::write(
        &kubeconfig,
        h.emu.kubeconfig(&format!("http://{}", h.addr), world::MGMT),
    )
    .unwrap();
    let config = home.join("config.toml");
    std::fs::write(&config, "[fleet]\nworkload_kubeconfigs = true\n").unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_blast"));
    cmd.arg("--config")
        .arg(&config)
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .arg("--repo")
        .arg(repo)
        .args(args)
        .arg("--json")
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("KUBECONFIG");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{args:?}: {e}\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standards_view_blast_standards_and_blast_status_agree_line_by_line() {
    let now = blast::kube::now();
    let emu = Emulator::new();
    world::load(&emu, now).unwrap();
    world::standards(&emu).unwrap();
    world::vulnerability_reports(&emu, now).unwrap();
    let mut h = Harness::start_with(Route::Standards, emu).await;
    // The repo's side and images, as the console's tasks read them (`Effect::Reindex`,
    // `Effect::ScanRepoImages`): this repo's manifests, and one for edge-lab that does not
    // parse (a tab for indentation on line 6), which no rule could check.
    let repo = tempfile::tempdir().unwrap();
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for d in ["apps", "clusters", "infrastructure", "standards"] {
        crate::support::copy_dir(&here.join(d), &repo.path().join(d));
    }
    std::fs::copy(
        here.join(".checkov.yaml"),
        repo.path().join(".checkov.yaml"),
    )
    .unwrap();
    let broken = repo.path().join("apps/edge-lab/broken/deployment.yaml");
    std::fs::create_dir_all(broken.parent().unwrap()).unwrap();
    std::fs::write(
        &broken,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: broken, namespace: ops}\nspec:\n  template:\n\tspec: {}\n",
    )
    .unwrap();
    let root = repo.path();
    let mut index = blast::repo::index::build(root).unwrap();
    let (failed, side) = blast::standards::scan_repo_with_outcomes(root);
    index.policy = failed;
    index.standards = side.clone();
    let _ = blast::app::update(&mut h.state, Msg::Indexed(Ok(std::sync::Arc::new(index))));
    let _ = blast::app::update(
        &mut h.state,
        Msg::Images(ImagesMsg::Repo(Ok(blast::clair::images::repo_images(root)))),
    );
    h.until("every site's standards", 60, settled).await;
    h.state.live.changed.sources = true;
    blast::app::live::views::settle(&mut h.state);
    let view: Vec<Value> = h
        .state
        .views
        .standard_rows
        .iter()
        .map(blast::mode::standards::line_json)
        .collect();
    let g = std_view::gather(&h.state.live, Some(&side));
    let view_sites = serde_json::to_value(std_view::per_site(
        &g,
        Some(&side),
        h.state.views.std_images.as_deref(),
    ))
    .unwrap();
    // The world has something to agree on: Trivy's image, drift, benchmark FAILs and waivers.
    let has = |area: &str, level: &str| {
        view.iter()
            .any(|l| l["area"] == area && l["level"] == level)
    };
    assert!(has("drift", "FAIL"), "{view:#?}");
    assert!(has("kube-bench", "FAIL"), "{view:#?}");
    assert!(has("docker-bench", "WAIVED"), "{view:#?}");
    assert!(h.state.views.std_images.is_some(), "Trivy's reports count");
    assert!(
        view.iter().any(|l| l["id"] == "not checked"
            && l["level"] == "WARN"
            && l["site"] == "edge-lab"
            && l["subject"] == "apps/edge-lab/broken/deployment.yaml"),
        "{view:#?}"
    );

    let home = tempfile::tempdir().unwrap();
    let (code, standards) = blast_json(&h, home.path(), root, &["standards"]).await;
    let (status_code, status) = blast_json(&h, home.path(), root, &["status"]).await;
    // Line by line: the same findings, in the same order, with the same words.
    let lines = standards["lines"].as_array().unwrap();
    for (i, (a, b)) in view.iter().zip(lines).enumerate() {
        assert_eq!(a, b, "line {i}: the view, then blast standards");
    }
    assert_eq!(view.len(), lines.len(), "{view:#?}\n{lines:#?}");
    // The same counts per site, in all three.
    assert_eq!(standards["sites"], view_sites, "blast standards' sites");
    assert_eq!(status["standards"], view_sites, "blast status' standards");
    // The same verdict per site: a DEGRADED header is a degraded site (exit 1 of both).
    let degraded: Vec<&str> = view
        .iter()
        .filter(|l| l["header"] == json!(true) && l["subject"] == "DEGRADED")
        .map(|l| l["site"].as_str().unwrap())
        .collect();
    assert!(!degraded.is_empty());
    assert_eq!(code, 1, "blast standards: a site is degraded");
    for site in &degraded {
        let problems: Vec<&Value> = status["sites"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["site"] == *site)
            .flat_map(|s| s["problems"].as_array().unwrap())
            .filter(|p| p["area"] == "standards")
            .collect();
        assert!(
            !problems.is_empty(),
            "{site}: no standards problem in status"
        );
    }
    assert_ne!(status_code, 0);
    // The manifest not checked is a problem of edge-lab in `blast status`, unknown (not a
    // policy error).
    let unread: Vec<&Value> = status["sites"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["site"] == "edge-lab")
        .flat_map(|s| s["problems"].as_array().unwrap())
        .filter(|p| p["message"].as_str().unwrap().contains("not checked"))
        .collect();
    assert_eq!(unread.len(), 1, "{status:#}");
    assert_eq!(unread[0]["verdict"], "unknown");
    assert_eq!(
        unread[0]["message"],
        "1 manifest not checked (unreadable): apps/edge-lab/broken/deployment.yaml:6"
    );
    drop(h);
}
