//! The write loop with the real binary in a pseudo-terminal, on a real repository with a local
//! bare `origin`: a quick action, the changes view, the commit dialog and the push; a push the
//! moved remote rejects; a commit a broken edit blocks; and `--read-only` pressing every key.

use std::path::Path;

use crate::pty::Pty;
// A temp repo with a local bare origin and a commit identity of its own (the tests run with an
// empty HOME, as a fresh machine has no global one).
use crate::support::temp_repo_with_identity as temp_repo;
use crate::support::{TempRepo, git};

/// Someone else's clone of the same origin, beside the repo.
fn other_clone(repo: &TempRepo) -> std::path::PathBuf {
    crate::support::other_clone(repo, "other")
}

/// `git` output, trimmed.
fn git_out(dir: &Path, args: &[&str]) -> String {
    git(dir, args).trim().to_string()
}

/// Filters to the edge-berlin workers' MachineDeployment and scales it with `a`, `1`, `+`,
/// enter: 3 → 4.
fn scale_workers(t: &Pty) {
    t.wait_for("✓ clean", 60);
    t.send("/edge-berlin-workers");
    t.wait_for("matches", 5);
    t.send("\r");
    // The filter also matches the MachineHealthCheck and the templates of the same name: go
    // from match to match until the menu offers scaling.
    for _ in 0..6 {
        t.send("a");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline
            && !t.screen().contains("Scale (replicas now 3)")
            && !t.screen().contains("no quick action")
        {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if t.screen().contains("Scale (replicas now 3)") {
            break;
        }
        t.send("\x1b");
        std::thread::sleep(std::time::Duration::from_millis(100));
        t.send("n");
    }
    t.wait_for("Scale (replicas now 3)", 10);
    t.send("1");
    t.wait_for("enter apply", 5);
    t.send("+");
    t.send("\r");
    t.wait_for("edited, not committed", 10);
}

/// Stages everything in the changes view, checks and commits with the prefilled message;
/// `added` is the diff's added line.
fn stage_and_commit(t: &Pty, added: &str) {
    t.send("9");
    t.wait_for("clusters/edge-berlin/capi/workers.yaml", 10);
    // The diff of the file: only the replica count changed.
    t.wait_for(added, 10);
    t.send("A");
    t.wait_for("1 staged", 10);
    t.send("c");
    t.wait_for("enter commit", 10);
    t.wait_for(
        "clusters/edge-berlin: scale MachineDeployment edge-berlin-workers 3 -> 4",
        5,
    );
    t.send("\r");
    t.wait_for("committed", 10);
}

#[test]
fn scale_review_commit_and_push_from_the_console() {
    let repo = temp_repo();
    let before =
        std::fs::read_to_string(repo.work.join("clusters/edge-berlin/capi/workers.yaml")).unwrap();
    let mut t = Pty::spawn(&[], &repo.work, 120, 36, &[]);
    scale_workers(&t);
    stage_and_commit(&t, "+  replicas: 4 # three workers");
    t.send("P");
    t.wait_for("pushed", 20);
    t.wait_for("to origin/main", 5);
    // The remote has the commit, with the message the quick action wrote, changing one line.
    let subject = git_out(&repo.remote, &["log", "-1", "--format=%s", "main"]);
    assert_eq!(
        subject,
        "clusters/edge-berlin: scale MachineDeployment edge-berlin-workers 3 -> 4"
    );
    let after = git(
        &repo.remote,
        &["show", "main:clusters/edge-berlin/capi/workers.yaml"],
    );
    assert_eq!(after, before.replace("replicas: 3 #", "replicas: 4 #"));
    assert_eq!(git_out(&repo.work, &["status", "--porcelain"]), "");
    t.send("\x03");
    assert_eq!(t.wait_exit(10), 0);
}

#[test]
fn a_push_the_moved_remote_rejects_is_rebased_when_clean() {
    let repo = temp_repo();
    // Someone else pushes first, to another file.
    let other = other_clone(&repo);
    std::fs::write(other.join("apps/NOTES.md"), "someone else's change\n").unwrap();
    git(&other, &["add", "."]);
    git(&other, &["commit", "-q", "-m", "apps: notes"]);
    git(&other, &["push", "-q", "origin", "main"]);
    let theirs = git_out(&other, &["rev-parse", "HEAD"]);

    let mut t = Pty::spawn(&[], &repo.work, 120, 36, &[]);
    scale_workers(&t);
    stage_and_commit(&t, "+  replicas: 4 # three workers");
    let ours = git_out(&repo.work, &["rev-parse", "HEAD"]);
    t.send("P");
    t.wait_for("apply cleanly", 20);
    // Until the answer, the commit is local and intact.
    assert_eq!(git_out(&repo.work, &["rev-parse", "HEAD"]), ours);
    t.send("y");
    t.wait_for("pushed", 20);
    // Both commits are on the remote: theirs, then ours rebased onto it.
    let log = git_out(&repo.remote, &["log", "--format=%s", "main"]);
    let subjects: Vec<&str> = log.lines().collect();
    assert_eq!(
        subjects[..2],
        [
            "clusters/edge-berlin: scale MachineDeployment edge-berlin-workers 3 -> 4",
            "apps: notes"
        ]
    );
    assert_eq!(
        git_out(&repo.remote, &["rev-parse", "main~1"]),
        theirs,
        "ours is on top of theirs"
    );
    t.send("\x03");
    assert_eq!(t.wait_exit(10), 0);
}

#[test]
fn a_push_that_would_conflict_leaves_the_commit_local_and_says_so() {
    let repo = temp_repo();
    let other = other_clone(&repo);
    let f = other.join("clusters/edge-berlin/capi/workers.yaml");
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, text.replace("replicas: 3 #", "replicas: 5 #")).unwrap();
    git(&other, &["commit", "-qam", "edge-berlin: five workers"]);
    git(&other, &["push", "-q", "origin", "main"]);

    let mut t = Pty::spawn(&[], &repo.work, 120, 36, &[]);
    scale_workers(&t);
    stage_and_commit(&t, "+  replicas: 4 # three workers");
    let ours = git_out(&repo.work, &["rev-parse", "HEAD"]);
    t.send("P");
    t.wait_for("a rebase would conflict", 20);
    t.wait_for("your commit stays local", 5);
    assert_eq!(git_out(&repo.work, &["rev-parse", "HEAD"]), ours);
    assert_eq!(git_out(&repo.work, &["status", "--porcelain"]), "");
    assert_eq!(
        git_out(&repo.remote, &["log", "-1", "--format=%s", "main"]),
        "edge-berlin: five workers"
    );
    t.send("\x03");
    assert_eq!(t.wait_exit(10), 0);
}

#[test]
fn a_broken_edit_blocks_the_commit_with_file_and_line() {
    let repo = temp_repo();
    let f = repo.work.join("clusters/edge-berlin/capi/cluster.yaml");
    let mut text = std::fs::read_to_string(&f).unwrap();
    text.push_str("---\nkind: [unclosed\n");
    std::fs::write(&f, &text).unwrap();
    let head = git_out(&repo.work, &["rev-parse", "HEAD"]);
    let mut t = Pty::spawn(&["--view", "changes"], &repo.work, 120, 36, &[]);
    t.wait_for("clusters/edge-berlin/capi/cluster.yaml", 20);
    t.send(" ");
    t.wait_for("1 staged", 10);
    t.send("c");
    t.wait_for("The commit is blocked", 10);
    t.wait_for("clusters/edge-berlin/capi/cluster.yaml:", 5);
    t.wait_for("YAML syntax error", 5);
    t.wait_for("still in the work tree", 5);
    assert_eq!(git_out(&repo.work, &["rev-parse", "HEAD"]), head);
    assert_eq!(std::fs::read_to_string(&f).unwrap(), text);
    t.send("\x03");
    assert_eq!(t.wait_exit(10), 0);
}

/// The escape sequence a terminal sends for a key of the keymap (`None`: not sent).
fn key_bytes(k: &blast::keymap::Key) -> Option<String> {
    use blast::keymap::KeyCodeOrd as C;
    let s = match k.code {
        C::Char(c) if k.ctrl => ((c as u8) & 0x1f) as char,
        C::Char(c) => c,
        C::Up => return Some("\x1b[A".into()),
        C::Down => return Some("\x1b[B".into()),
        C::Right => return Some("\x1b[C".into()),
        C::Left => return Some("\x1b[D".into()),
        C::PageUp => return Some("\x1b[5~".into()),
        C::PageDown => return Some("\x1b[6~".into()),
        C::Home => return Some("\x1b[H".into()),
        C::End => return Some("\x1b[F".into()),
        C::Enter => '\r',
        C::Tab => '\t',
        C::BackTab => return Some("\x1b[Z".into()),
        C::Backspace => '\x7f',
        C::Delete => return Some("\x1b[3~".into()),
        C::Esc | C::F(_) => return None,
    };
    Some(if k.alt {
        format!("\x1b{s}")
    } else {
        s.to_string()
    })
}

/// Read-only, by construction: every key of the whole keymap (the writing ones included),
/// pressed from every view, leaves the work tree, the index, the refs and the remote as they
/// were, and no editor runs.
#[test]
fn read_only_presses_every_key_and_changes_nothing() {
    let repo = temp_repo();
    // A change in the work tree, so staging, discarding and committing would have work to do.
    let f = repo.work.join("clusters/edge-berlin/capi/workers.yaml");
    let text = std::fs::read_to_string(&f)
        .unwrap()
        .replace("replicas: 3 #", "replicas: 6 #");
    std::fs::write(&f, &text).unwrap();
    let snapshot = |dir: &Path| {
        (
            git_out(dir, &["status", "--porcelain", "--untracked-files=all"]),
            git_out(dir, &["for-each-ref"]),
            git(dir, &["diff"]),
            git(dir, &["diff", "--cached"]),
        )
    };
    let before = snapshot(&repo.work);
    let remote_before = git_out(&repo.remote, &["for-each-ref"]);
    let marker = repo.work.parent().unwrap().join("editor-ran");
    let editor = repo.work.parent().unwrap().join("editor.sh");
    std::fs::write(
        &editor,
        format!("#!/bin/sh\ntouch '{}'\n", marker.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();

    let mut t = Pty::spawn(
        &["--read-only"],
        &repo.work,
        100,
        30,
        &[("EDITOR", editor.to_str().unwrap()), ("VISUAL", "")],
    );
    t.wait_for("✎1 modified", 20);
    let all = blast::keymap::Keymap::default().all_keys();
    let mut sent = 0;
    for view in ["1", "9", "2", "7", "0", "1"] {
        t.send(view);
        for (_, k, action) in &all {
            // Quitting and suspending end the walk; they are pressed last.
            use blast::keymap::Action as A;
            if matches!(action, A::Quit | A::ForceQuit | A::Suspend | A::Back) {
                continue;
            }
            if let Some(b) = key_bytes(k) {
                t.send(&b);
                sent += 1;
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
    }
    assert!(sent > 200, "{sent} keys");
    // Still running, and it says what it is.
    std::thread::sleep(std::time::Duration::from_millis(500));
    t.send("\x03");
    assert_eq!(t.wait_exit(10), 0);
    assert_eq!(snapshot(&repo.work), before);
    assert_eq!(git_out(&repo.remote, &["for-each-ref"]), remote_before);
    assert_eq!(std::fs::read_to_string(&f).unwrap(), text);
    assert!(!marker.exists(), "the editor ran");
}

/// The whole loop against the demo datacenter: scale the edge workers, review the diff, commit,
/// push to the demo's origin, and see the covering Application reach Synced and Healthy at the
/// pushed SHA and the fourth worker join. The checkout the demo was started from is untouched.
#[test]
fn demo_scale_the_edge_workers_commit_push_and_watch_them_join() {
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    let head = git_out(checkout, &["rev-parse", "HEAD"]);
    let status = git_out(checkout, &["status", "--porcelain"]);
    let sandbox = tempfile::tempdir().unwrap();
    let mut t = Pty::spawn(
        &[
            "demo",
            "--speed",
            "5",
            "--scenario",
            "none",
            "--sandbox-dir",
            sandbox.path().to_str().unwrap(),
        ],
        checkout,
        130,
        44,
        &[],
    );
    scale_workers(&t);
    stage_and_commit(&t, "+  replicas: 4");
    t.send("P");
    t.wait_for("pushed", 30);
    // The reconcile view follows the Application that deploys the file to the pushed SHA…
    t.wait_for("edge-berlin-capi", 30);
    wait_until(&t, 90, "the Application Synced and Healthy", |s| {
        s.contains("edge-berlin-capi Synced and Healthy")
    });
    // Its way there is shown: a stage between noticing the push and Synced.
    let screen = t.screen();
    assert!(
        screen.contains("→ OutOfSync") || screen.contains("→ Syncing"),
        "{screen}"
    );
    // …and the fourth worker: a new Machine Running and a new Node Ready.
    wait_until(&t, 120, "the new worker Running with a Ready Node", |s| {
        s.matches("  new").count() == 1
            && s.matches("+ node").count() == 1
            && s.contains("Ready joined")
            && s.contains("nodes 7/7 Ready")
    });
    if std::env::var_os("BLAST_TEST_SHOW").is_some() {
        eprintln!("{}", t.screen());
    }
    t.send("\x03");
    assert_eq!(t.wait_exit(20), 0);
    assert_eq!(git_out(checkout, &["rev-parse", "HEAD"]), head);
    assert_eq!(git_out(checkout, &["status", "--porcelain"]), status);
}

fn wait_until(t: &Pty, secs: u64, what: &str, pred: impl Fn(&str) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if pred(&t.screen()) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}; screen:\n{}", t.screen());
}
