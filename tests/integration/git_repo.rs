//! The git worker on a real repository with a local bare remote.

use std::time::Duration;

use blast::app::Msg;
use blast::git::protocol::GitMsg;
use blast::git::worker::{self, GitJob};

use crate::support::{git, temp_repo};

fn next(rx: &mut tokio::sync::mpsc::Receiver<Msg>) -> Msg {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(m) = rx.try_recv() {
            return m;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no message from the git worker"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn status_ahead_behind_and_log_through_the_worker() {
    let repo = temp_repo();
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let jobs = worker::spawn(repo.work.clone(), tx);

    jobs.send(GitJob::Status).unwrap();
    let Msg::Git(GitMsg::Status(Ok(s))) = next(&mut rx) else {
        panic!("expected status")
    };
    assert_eq!(
        (
            s.branch.as_deref(),
            s.upstream.as_deref(),
            s.ahead,
            s.behind
        ),
        (Some("main"), Some("origin/main"), 0, 0)
    );
    assert!(s.files.is_empty(), "{:?}", s.files);

    // A local edit, a local commit, and a commit someone else pushed.
    let other = repo.work.parent().unwrap().join("other");
    git(
        repo.work.parent().unwrap(),
        &[
            "clone",
            "-q",
            repo.remote.to_str().unwrap(),
            other.to_str().unwrap(),
        ],
    );
    std::fs::write(other.join("apps/edge-berlin/mqtt/note.txt"), "x\n").unwrap();
    git(&other, &["add", "."]);
    git(&other, &["commit", "-q", "-m", "someone else"]);
    git(&other, &["push", "-q", "origin", "main"]);
    git(&repo.work, &["fetch", "-q"]);
    std::fs::write(repo.work.join("clusters/mgmt/k3d.yaml"), "kind: Simple\n").unwrap();
    git(&repo.work, &["commit", "-q", "-am", "mgmt: shrink"]);
    std::fs::write(repo.work.join("clusters/README.md"), "changed\n").unwrap();

    jobs.send(GitJob::Status).unwrap();
    jobs.send(GitJob::Log("clusters/mgmt".into())).unwrap();
    jobs.send(GitJob::Log("clusters/mgmt/k3d.yaml".into()))
        .unwrap();
    let Msg::Git(GitMsg::Status(Ok(s))) = next(&mut rx) else {
        panic!("expected status")
    };
    assert_eq!((s.ahead, s.behind), (1, 1));
    assert_eq!(s.modified(), 1);
    let Msg::Git(GitMsg::Log { path, result }) = next(&mut rx) else {
        panic!("expected log")
    };
    // Log requests that piled up collapse into the newest.
    assert_eq!(path, "clusters/mgmt/k3d.yaml");
    let log = result.unwrap();
    assert_eq!(
        log.iter().map(|c| c.summary.as_str()).collect::<Vec<_>>(),
        vec!["mgmt: shrink", "edge-berlin: first cut"]
    );
}

#[test]
fn a_subfolder_root_maps_paths() {
    let repo = temp_repo();
    let sub = repo.work.join("clusters");
    std::fs::write(sub.join("mgmt/k3d.yaml"), "kind: X\n").unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let jobs = worker::spawn(sub, tx);
    jobs.send(GitJob::Status).unwrap();
    let Msg::Git(GitMsg::Status(Ok(s))) = next(&mut rx) else {
        panic!()
    };
    assert_eq!(s.files.keys().collect::<Vec<_>>(), vec!["mgmt/k3d.yaml"]);
}
