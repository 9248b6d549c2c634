//! The git operations on real repositories with local bare remotes: changes, diff, stage, unstage,
//! discard, commit, push and fetch (the system git, also over a fake ssh), and rebase.
//!
//! Every repo gets its identity from its own config, so the tests pass on a machine without a
//! global git identity; no test touches the network.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use blast::git::changes::{self, Change};
use blast::git::commit::{self, CommitError, Committed};
use blast::git::diff::{self, DiffLine, LineKind};
use blast::git::rebase::{self, Rebase};
use blast::git::remote::{self, Progress, PushError};
use blast::git::stage;
use blast::git::status::FileStatus;

// `repo()`: a clone of the fixture repo pushed to a bare `origin`, with an identity in its config.
use crate::support::temp_repo_with_identity as repo;
use crate::support::{TempRepo, git, other_clone, set_identity as identity};
use FileStatus::{Added, Deleted, Modified, Renamed, Untracked};

/// A second clone of the same remote, next to the first, committing as Lin Park.
fn clone(r: &TempRepo, name: &str) -> PathBuf {
    let dir = other_clone(r, name);
    identity(&dir, "Lin Park", "lin@example.com");
    dir
}

fn write_file(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn change(path: &str, staged: Option<FileStatus>, unstaged: Option<FileStatus>) -> Change {
    Change {
        path: path.into(),
        staged,
        unstaged,
        from: None,
    }
}

fn strings(paths: &[&str]) -> Vec<String> {
    paths.iter().map(|p| p.to_string()).collect()
}

fn rev(dir: &Path, what: &str) -> String {
    git(dir, &["rev-parse", what]).trim().to_string()
}

fn no_progress() -> impl FnMut(Progress) {
    |_| {}
}

/// Writes `text` to `path`, stages it and commits it with `message`.
fn commit_file(w: &Path, path: &str, text: &str, message: &str) -> Committed {
    write_file(w, path, text);
    stage::stage(w, &strings(&[path])).unwrap();
    commit::commit(w, message).unwrap()
}

#[test]
fn changes_stage_unstage_and_discard_every_kind_of_change() {
    let r = repo();
    let w = &r.work;
    write_file(w, "clusters/README.md", "changed\n"); // modified
    write_file(w, "clusters/mgmt/k3d.yaml", "kind: Simple\n"); // modified, in a subfolder
    std::fs::remove_file(w.join("infrastructure/k10/policy.yaml")).unwrap(); // deleted
    write_file(w, "apps/new.yaml", "kind: New\n");
    git(w, &["add", "apps/new.yaml"]); // added (staged)
    write_file(w, "notes/deep/todo.txt", "x\n"); // untracked, in a new folder

    let unstaged = vec![
        change("apps/new.yaml", Some(Added), None),
        change("clusters/README.md", None, Some(Modified)),
        change("clusters/mgmt/k3d.yaml", None, Some(Modified)),
        change("infrastructure/k10/policy.yaml", None, Some(Deleted)),
        change("notes/deep/todo.txt", None, Some(Untracked)),
    ];
    assert_eq!(changes::changes(w).unwrap(), unstaged);

    let all = strings(&[
        "apps/new.yaml",
        "clusters/README.md",
        "clusters/mgmt/k3d.yaml",
        "infrastructure/k10/policy.yaml",
        "notes/deep/todo.txt",
    ]);
    stage::stage(w, &all).unwrap();
    assert_eq!(
        changes::changes(w).unwrap(),
        vec![
            change("apps/new.yaml", Some(Added), None),
            change("clusters/README.md", Some(Modified), None),
            change("clusters/mgmt/k3d.yaml", Some(Modified), None),
            change("infrastructure/k10/policy.yaml", Some(Deleted), None),
            change("notes/deep/todo.txt", Some(Added), None),
        ]
    );
    // What the index holds is what the system git sees.
    let cached = git(w, &["diff", "--cached", "--name-status"]);
    assert!(
        cached.contains("D\tinfrastructure/k10/policy.yaml"),
        "{cached}"
    );
    assert!(cached.contains("A\tnotes/deep/todo.txt"), "{cached}");

    stage::unstage(w, &all).unwrap();
    let mut back = unstaged.clone();
    back[0] = change("apps/new.yaml", None, Some(Untracked)); // no longer in the index
    assert_eq!(changes::changes(w).unwrap(), back);
    assert_eq!(
        std::fs::read_to_string(w.join("clusters/README.md")).unwrap(),
        "changed\n",
        "unstage never touches the working tree"
    );

    // A file both staged and changed again shows both sides.
    stage::stage(w, &strings(&["clusters/README.md"])).unwrap();
    write_file(w, "clusters/README.md", "changed twice\n");
    assert_eq!(
        changes::changes(w).unwrap()[1],
        change("clusters/README.md", Some(Modified), Some(Modified))
    );

    for p in &all {
        stage::discard(w, p).unwrap();
    }
    assert_eq!(changes::changes(w).unwrap(), vec![]);
    assert_eq!(git(w, &["status", "--porcelain"]), "");
    assert!(!w.join("apps/new.yaml").exists());
    assert!(
        !w.join("notes").exists(),
        "folders left empty by a discard go"
    );
    assert!(w.join("infrastructure/k10/policy.yaml").exists());
    assert_eq!(
        std::fs::read_to_string(w.join("clusters/README.md")).unwrap(),
        std::fs::read_to_string(crate::support::fixture_repo().join("clusters/README.md")).unwrap()
    );
}

#[test]
fn a_staged_rename_is_one_change_and_unstages_as_a_whole() {
    let r = repo();
    let w = &r.work;
    git(
        w,
        &["mv", "clusters/mgmt/k3d.yaml", "clusters/mgmt/cluster.yaml"],
    );
    assert_eq!(
        changes::changes(w).unwrap(),
        vec![Change {
            path: "clusters/mgmt/cluster.yaml".into(),
            staged: Some(Renamed),
            unstaged: None,
            from: Some("clusters/mgmt/k3d.yaml".into()),
        }]
    );
    stage::unstage(w, &strings(&["clusters/mgmt/cluster.yaml"])).unwrap();
    assert_eq!(
        changes::changes(w).unwrap(),
        vec![
            change("clusters/mgmt/cluster.yaml", None, Some(Untracked)),
            change("clusters/mgmt/k3d.yaml", None, Some(Deleted)),
        ]
    );
    stage::stage(
        w,
        &strings(&["clusters/mgmt/cluster.yaml", "clusters/mgmt/k3d.yaml"]),
    )
    .unwrap();
    assert_eq!(changes::changes(w).unwrap()[0].staged, Some(Renamed));
    stage::discard(w, "clusters/mgmt/cluster.yaml").unwrap();
    assert_eq!(changes::changes(w).unwrap(), vec![]);
    assert!(w.join("clusters/mgmt/k3d.yaml").exists());
}

fn line(kind: LineKind, old: Option<u32>, new: Option<u32>, text: &str) -> DiffLine {
    DiffLine {
        kind,
        old,
        new,
        text: text.into(),
    }
}

fn body(lines: &[DiffLine]) -> Vec<DiffLine> {
    lines
        .iter()
        .filter(|l| l.kind != LineKind::Header)
        .cloned()
        .collect()
}

#[test]
fn diff_lines_carry_kinds_and_line_numbers() {
    use LineKind::*;
    let r = repo();
    let w = &r.work;
    let ten: String = (1..=10).map(|i| format!("line {i}\n")).collect();
    write_file(w, "apps/ten.txt", &ten);
    write_file(w, "apps/gone.txt", "a\nb\n");
    write_file(w, "apps/blob.bin", "\0\x01\x02binary\n");
    git(w, &["add", "."]);
    git(w, &["commit", "-q", "-m", "test files"]);

    // Modified: line 5 replaced, a line added at the end without a newline.
    let edited = ten.replace("line 5\n", "line five\n") + "eleven";
    write_file(w, "apps/ten.txt", &edited);
    let d = diff::diff_file(w, "apps/ten.txt").unwrap();
    assert_eq!(
        d[0],
        line(
            Header,
            None,
            None,
            "diff --git a/apps/ten.txt b/apps/ten.txt"
        )
    );
    assert!(
        d.iter()
            .any(|l| l.kind == Header && l.text == "+++ b/apps/ten.txt")
    );
    assert_eq!(
        body(&d),
        vec![
            line(Hunk, Some(2), Some(2), "@@ -2,9 +2,10 @@ line 1"),
            line(Context, Some(2), Some(2), "line 2"),
            line(Context, Some(3), Some(3), "line 3"),
            line(Context, Some(4), Some(4), "line 4"),
            line(Removed, Some(5), None, "line 5"),
            line(Added, None, Some(5), "line five"),
            line(Context, Some(6), Some(6), "line 6"),
            line(Context, Some(7), Some(7), "line 7"),
            line(Context, Some(8), Some(8), "line 8"),
            line(Context, Some(9), Some(9), "line 9"),
            line(Context, Some(10), Some(10), "line 10"),
            line(Added, None, Some(11), "eleven"),
            line(NoNewline, None, None, "\\ No newline at end of file"),
        ]
    );

    // Untracked: all added.
    write_file(w, "apps/fresh/new.txt", "one\ntwo\n");
    assert_eq!(
        body(&diff::diff_file(w, "apps/fresh/new.txt").unwrap()),
        vec![
            line(Hunk, Some(0), Some(1), "@@ -0,0 +1,2 @@"),
            line(Added, None, Some(1), "one"),
            line(Added, None, Some(2), "two"),
        ]
    );
    // Deleted (and staged so): all removed.
    std::fs::remove_file(w.join("apps/gone.txt")).unwrap();
    stage::stage(w, &strings(&["apps/gone.txt"])).unwrap();
    assert_eq!(
        body(&diff::diff_file(w, "apps/gone.txt").unwrap()),
        vec![
            line(Hunk, Some(1), Some(0), "@@ -1,2 +0,0 @@"),
            line(Removed, Some(1), None, "a"),
            line(Removed, Some(2), None, "b"),
        ]
    );
    // Binary: one Binary line after the headers.
    write_file(w, "apps/blob.bin", "\0\x01\x03other\n");
    let d = diff::diff_file(w, "apps/blob.bin").unwrap();
    let b = body(&d);
    assert_eq!(b.len(), 1, "{d:?}");
    assert_eq!(b[0].kind, Binary);
    assert!(b[0].text.contains("differ"), "{:?}", b[0]);
    // Unchanged: nothing.
    assert_eq!(diff::diff_file(w, "clusters/README.md").unwrap(), vec![]);
}

#[test]
fn commit_refuses_with_a_reason_and_changes_nothing() {
    let r = repo();
    let w = &r.work;
    let head = rev(w, "HEAD");
    assert_eq!(commit::commit(w, "msg"), Err(CommitError::NothingStaged));
    write_file(w, "clusters/README.md", "changed\n");
    assert_eq!(
        commit::commit(w, "msg"),
        Err(CommitError::NothingStaged),
        "unstaged changes are not committed"
    );
    stage::stage(w, &strings(&["clusters/README.md"])).unwrap();
    assert_eq!(
        commit::commit(w, "  \n\n\t"),
        Err(CommitError::EmptyMessage)
    );
    git(w, &["checkout", "-q", "--detach"]);
    assert_eq!(commit::commit(w, "msg"), Err(CommitError::DetachedHead));
    git(w, &["checkout", "-q", "main"]);
    assert_eq!(rev(w, "HEAD"), head);
    assert_eq!(
        changes::changes(w).unwrap(),
        vec![change("clusters/README.md", Some(Modified), None)],
        "still staged after every refusal"
    );
    for e in [
        CommitError::NothingStaged,
        CommitError::DetachedHead,
        CommitError::EmptyMessage,
    ] {
        assert!(e.to_string().ends_with('.'), "{e}");
    }
}

#[test]
fn commit_uses_the_repo_identity_and_cleans_the_message() {
    let r = repo();
    let w = &r.work;
    identity(w, "Repo Person", "repo@example.com");
    assert_eq!(commit::author(w).unwrap(), "Repo Person <repo@example.com>");
    write_file(w, "clusters/README.md", "changed\n");
    stage::stage(w, &strings(&["clusters/README.md"])).unwrap();
    let parent = rev(w, "HEAD");
    let c = commit::commit(w, "clusters: say more   \n\n\n\nbody line\n").unwrap();
    assert_eq!(c.summary, "clusters: say more");
    assert_eq!(c.author, "Repo Person <repo@example.com>");
    assert_eq!(c.id, rev(w, "HEAD"));
    assert_eq!(c.short, &c.id[..7]);
    assert_eq!(rev(w, "HEAD~1"), parent);
    assert_eq!(
        git(w, &["log", "-1", "--format=%an <%ae>|%cn|%B"]),
        "Repo Person <repo@example.com>|Repo Person|clusters: say more\n\nbody line\n\n"
    );
    assert_eq!(changes::changes(w).unwrap(), vec![]);
}

#[test]
fn commit_on_an_unborn_branch_creates_it() {
    let d = tempfile::tempdir().unwrap();
    let w = d.path();
    git(w, &["init", "-q", "-b", "trunk"]);
    identity(w, "Ada Ops", "ada@example.com");
    assert_eq!(commit::commit(w, "first"), Err(CommitError::NothingStaged));
    write_file(w, "clusters/x.yaml", "kind: X\n");
    assert_eq!(
        changes::changes(w).unwrap(),
        vec![change("clusters/x.yaml", None, Some(Untracked))]
    );
    let d0 = diff::diff_file(w, "clusters/x.yaml").unwrap();
    assert_eq!(body(&d0).len(), 2, "{d0:?}");
    stage::stage(w, &strings(&["clusters/x.yaml"])).unwrap();
    assert_eq!(
        changes::changes(w).unwrap(),
        vec![change("clusters/x.yaml", Some(Added), None)]
    );
    stage::unstage(w, &strings(&["clusters/x.yaml"])).unwrap();
    assert_eq!(changes::changes(w).unwrap()[0].staged, None);
    stage::stage(w, &strings(&["clusters/x.yaml"])).unwrap();
    let c = commit::commit(w, "first").unwrap();
    assert_eq!(rev(w, "refs/heads/trunk"), c.id);
    assert_eq!(git(w, &["rev-list", "--count", "HEAD"]).trim(), "1");
    assert_eq!(changes::changes(w).unwrap(), vec![]);
}

#[test]
fn push_cancel_no_upstream_and_success() {
    let r = repo();
    let w = &r.work;
    let before = rev(&r.remote, "main");
    let c = commit_file(w, "clusters/README.md", "changed\n", "clusters: change");

    // Cancelled before it starts: the remote does not move, the commit stays.
    let cancel = AtomicBool::new(true);
    assert_eq!(
        remote::push(w, &mut no_progress(), &cancel),
        Err(PushError::Cancelled)
    );
    assert_eq!(rev(&r.remote, "main"), before);
    assert_eq!(rev(w, "HEAD"), c.id);

    // A branch with no upstream.
    git(w, &["checkout", "-q", "-b", "feature"]);
    let cancel = AtomicBool::new(false);
    assert_eq!(
        remote::push(w, &mut no_progress(), &cancel),
        Err(PushError::NoUpstream("feature".into()))
    );
    assert_eq!(
        remote::fetch(w, &mut no_progress(), &cancel),
        Err(PushError::NoUpstream("feature".into()))
    );
    git(w, &["checkout", "-q", "--detach"]);
    assert_eq!(
        remote::push(w, &mut no_progress(), &cancel),
        Err(PushError::DetachedHead)
    );
    git(w, &["checkout", "-q", "main"]);

    let mut seen = Vec::new();
    let pushed = remote::push(w, &mut |p| seen.push(p), &cancel).unwrap();
    assert_eq!(
        (pushed.remote.as_str(), pushed.branch.as_str(), &pushed.id),
        ("origin", "main", &c.id)
    );
    assert_eq!(rev(&r.remote, "main"), c.id);
    assert_eq!(rev(w, "origin/main"), c.id, "tracking ref updated");
    assert!(
        seen.iter()
            .any(|p| p.stage == "writing" || p.stage == "counting"),
        "{seen:?}"
    );
}

/// Clone B pushes a change; clone A (the repo) commits its own and its push is rejected.
fn rejected_setup(r: &TempRepo, b_file: &str, b_text: &str, a_file: &str, a_text: &str) {
    let b = clone(r, "b");
    write_file(&b, b_file, b_text);
    git(&b, &["commit", "-q", "-am", "b: change"]);
    git(&b, &["push", "-q", "origin", "main"]);
    commit_file(&r.work, a_file, a_text, "a: change");
    let cancel = AtomicBool::new(false);
    let err = remote::push(&r.work, &mut no_progress(), &cancel).unwrap_err();
    assert!(
        matches!(&err, PushError::Rejected { remote, branch, .. } if remote == "origin" && branch == "main"),
        "{err:?}"
    );
    assert!(err.to_string().contains("still local"), "{err}");
}

#[test]
fn a_rejected_push_rebases_cleanly_and_then_pushes() {
    let r = repo();
    let w = &r.work;
    rejected_setup(
        &r,
        "clusters/mgmt/k3d.yaml",
        "kind: B\n",
        "clusters/README.md",
        "a\n",
    );
    let local = rev(w, "HEAD");
    let cancel = AtomicBool::new(false);
    // Before fetching, the upstream is what we pushed last: nothing to rebase.
    assert_eq!(rebase::rebase_check(w).unwrap(), Rebase::UpToDate);
    remote::fetch(w, &mut no_progress(), &cancel).unwrap();
    let theirs = rev(w, "origin/main");
    assert_eq!(theirs, rev(&r.remote, "main"));
    let clean = Rebase::Clean {
        onto: "origin/main".into(),
        commits: 1,
    };
    assert_eq!(rebase::rebase_check(w).unwrap(), clean);
    assert_eq!(rev(w, "HEAD"), local, "the check changes nothing");

    // An uncommitted change elsewhere survives the rebase.
    write_file(w, "apps/edge-berlin/mqtt/deployment.yaml", "local edit\n");
    assert_eq!(rebase::rebase_onto_upstream(w).unwrap(), clean);
    assert_eq!(rev(w, "HEAD~1"), theirs);
    assert_eq!(git(w, &["log", "-1", "--format=%s"]).trim(), "a: change");
    assert_eq!(
        std::fs::read_to_string(w.join("clusters/mgmt/k3d.yaml")).unwrap(),
        "kind: B\n"
    );
    assert_eq!(
        std::fs::read_to_string(w.join("clusters/README.md")).unwrap(),
        "a\n"
    );
    assert_eq!(
        changes::changes(w).unwrap(),
        vec![change(
            "apps/edge-berlin/mqtt/deployment.yaml",
            None,
            Some(Modified)
        )]
    );
    assert_eq!(rebase::rebase_check(w).unwrap(), Rebase::UpToDate);
    let pushed = remote::push(w, &mut no_progress(), &cancel).unwrap();
    assert_eq!(pushed.id, rev(w, "HEAD"));
    assert_eq!(rev(&r.remote, "main"), pushed.id);
}

/// Everything a rebase could change: HEAD, the branch, the index file, every work-tree file.
fn snapshot(w: &Path) -> (String, String, Vec<u8>, BTreeMap<String, Vec<u8>>) {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if p.file_name().unwrap() == ".git" {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(w, w, &mut files);
    (
        std::fs::read_to_string(w.join(".git/HEAD")).unwrap(),
        rev(w, "refs/heads/main"),
        std::fs::read(w.join(".git/index")).unwrap(),
        files,
    )
}

#[test]
fn a_conflicting_rebase_leaves_everything_byte_identical() {
    let r = repo();
    let w = &r.work;
    rejected_setup(
        &r,
        "clusters/README.md",
        "theirs\n",
        "clusters/README.md",
        "ours\n",
    );
    let cancel = AtomicBool::new(false);
    remote::fetch(w, &mut no_progress(), &cancel).unwrap();
    // Uncommitted work of both kinds, which a rebase must not lose.
    write_file(w, "clusters/mgmt/k3d.yaml", "staged edit\n");
    stage::stage(w, &strings(&["clusters/mgmt/k3d.yaml"])).unwrap();
    write_file(
        w,
        "apps/edge-berlin/mqtt/deployment.yaml",
        "unstaged edit\n",
    );
    write_file(w, "notes.txt", "untracked\n");
    let before = snapshot(w);
    let conflict = Rebase::Conflict {
        paths: strings(&["clusters/README.md"]),
    };
    assert_eq!(rebase::rebase_check(w).unwrap(), conflict);
    assert_eq!(rebase::rebase_onto_upstream(w).unwrap(), conflict);
    let after = snapshot(w);
    assert_eq!(before.0, after.0, "HEAD");
    assert_eq!(before.1, after.1, "branch");
    assert!(before.2 == after.2, "index bytes changed");
    assert_eq!(before.3, after.3, "working tree");
    assert!(!w.join(".git/rebase-merge").exists() && !w.join(".git/rebase-apply").exists());
    assert_eq!(git(w, &["log", "-1", "--format=%s"]).trim(), "a: change");
    // The push is still refused, and says the commit is local.
    let err = remote::push(w, &mut no_progress(), &cancel).unwrap_err();
    assert!(matches!(err, PushError::Rejected { .. }), "{err:?}");
}

#[test]
fn a_rebase_refuses_when_uncommitted_work_is_in_the_way() {
    let r = repo();
    let w = &r.work;
    rejected_setup(
        &r,
        "clusters/mgmt/k3d.yaml",
        "kind: B\n",
        "clusters/README.md",
        "a\n",
    );
    let cancel = AtomicBool::new(false);
    remote::fetch(w, &mut no_progress(), &cancel).unwrap();
    // An uncommitted edit to the very file the upstream changed.
    write_file(w, "clusters/mgmt/k3d.yaml", "kind: Mine\n");
    let before = snapshot(w);
    let err = rebase::rebase_onto_upstream(w).unwrap_err();
    assert!(err.message().contains("nothing was changed"), "{err}");
    assert_eq!(before, snapshot(w));
}

/// A stand-in for ssh: ignores the host and runs the remote command (git-receive-pack or
/// git-upload-pack with the remote's path) right here. Answers OpenSSH's `-G` probe with a no.
const FAKE_SSH: &str =
    "#!/bin/sh\n[ \"$1\" = \"-G\" ] && exit 1\nfor last; do :; done\nexec sh -c \"$last\"\n";

/// Points `origin` at `ssh://blast-test-host/<remote>` (a host no resolver knows) and makes
/// the repo's `core.sshCommand` the script `ssh` (a shell script body).
#[cfg(unix)]
fn through_fake_ssh(r: &TempRepo, ssh: &str) {
    use std::os::unix::fs::PermissionsExt;
    let script = r.work.parent().unwrap().join("fake-ssh");
    std::fs::write(&script, ssh).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let url = format!("ssh://blast-test-host{}", r.remote.display());
    git(&r.work, &["remote", "set-url", "origin", &url]);
    git(
        &r.work,
        &["config", "core.sshCommand", script.to_str().unwrap()],
    );
}

#[cfg(unix)]
#[test]
fn an_ssh_host_only_the_users_ssh_knows_is_reached() {
    let r = repo();
    let w = &r.work;
    through_fake_ssh(&r, FAKE_SSH);

    let c = commit_file(w, "clusters/README.md", "over ssh\n", "clusters: over ssh");
    let cancel = AtomicBool::new(false);
    let mut seen = Vec::new();
    let pushed = remote::push(w, &mut |p| seen.push(p), &cancel).unwrap();
    assert_eq!(pushed.id, c.id);
    assert_eq!(rev(&r.remote, "main"), c.id);
    assert!(
        seen.iter().any(|p| p.stage == "writing" && p.total > 0),
        "git's --progress parsed: {seen:?}"
    );

    // Fetch goes the same way; and a rejection through the system git is a rejection.
    rejected_setup(
        &r,
        "clusters/mgmt/k3d.yaml",
        "kind: B\n",
        "clusters/README.md",
        "again\n",
    );
    remote::fetch(w, &mut no_progress(), &cancel).unwrap();
    assert_eq!(rev(w, "origin/main"), rev(&r.remote, "main"));
    assert!(matches!(
        rebase::rebase_onto_upstream(w).unwrap(),
        Rebase::Clean { commits: 1, .. }
    ));
    remote::push(w, &mut no_progress(), &cancel).unwrap();
    assert_eq!(rev(&r.remote, "main"), rev(w, "HEAD"));
}

/// A commit pushed through a fake ssh that says `stderr` and fails as ssh does (255): the
/// push's error, once checked that the commit is still local and the remote did not move.
#[cfg(unix)]
fn push_through_failing_ssh(stderr: &str) -> PushError {
    let r = repo();
    let w = &r.work;
    through_fake_ssh(
        &r,
        &format!("#!/bin/sh\n[ \"$1\" = \"-G\" ] && exit 1\necho '{stderr}' >&2\nexit 255\n"),
    );
    let c = commit_file(w, "clusters/README.md", "x\n", "x");
    let cancel = AtomicBool::new(false);
    let err = remote::push(w, &mut no_progress(), &cancel).unwrap_err();
    assert!(err.to_string().contains("still local"), "{err}");
    assert_eq!(rev(w, "HEAD"), c.id);
    assert_ne!(rev(&r.remote, "main"), c.id);
    err
}

#[cfg(unix)]
#[test]
fn a_refused_ssh_login_is_an_auth_error_naming_what_was_tried() {
    let err = push_through_failing_ssh("git@blast-test-host: Permission denied (publickey).");
    let PushError::Auth { message, tried } = &err else {
        panic!("expected Auth: {err:?}")
    };
    assert!(message.contains("Permission denied"), "{message}");
    assert!(tried.iter().any(|t| t.contains("system git")), "{tried:?}");
}

#[cfg(unix)]
#[test]
fn an_unreachable_ssh_host_is_a_network_error_naming_the_remote() {
    let err = push_through_failing_ssh(
        "ssh: connect to host blast-test-host port 22: Connection refused",
    );
    let PushError::Network { remote, message } = &err else {
        panic!("expected Network: {err:?}")
    };
    assert_eq!(remote, "origin");
    assert!(message.contains("Connection refused"), "{message}");
}

#[cfg(unix)]
#[test]
fn cancelling_kills_the_system_git_and_its_ssh() {
    let r = repo();
    let w = &r.work;
    // An ssh that hangs (a slow link, a prompt nobody can answer) before doing anything.
    through_fake_ssh(
        &r,
        "#!/bin/sh\n[ \"$1\" = \"-G\" ] && exit 1\nsleep 30\nfor last; do :; done\n\
         exec sh -c \"$last\"\n",
    );
    let c = commit_file(w, "clusters/README.md", "x\n", "x");
    let before = rev(&r.remote, "main");
    let cancel = std::sync::Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(500));
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let started = std::time::Instant::now();
    let result = remote::push(w, &mut no_progress(), &cancel);
    canceller.join().unwrap();
    assert_eq!(result, Err(PushError::Cancelled));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the hanging ssh was killed, not waited for: {:?}",
        started.elapsed()
    );
    assert_eq!(rev(&r.remote, "main"), before);
    assert_eq!(rev(w, "HEAD"), c.id);
}

#[test]
fn conflicts_block_the_commit_until_staged_and_a_merge_in_progress_blocks_it_after() {
    let r = repo();
    let w = &r.work;
    // `git stash pop` onto a conflicting commit: conflicts with no merge in progress.
    write_file(w, "clusters/README.md", "stashed\n");
    git(w, &["stash", "-q"]);
    write_file(w, "clusters/README.md", "committed\n");
    git(w, &["commit", "-q", "-am", "readme"]);
    let pop = std::process::Command::new("git")
        .args(["stash", "pop", "-q"])
        .current_dir(w)
        .output()
        .unwrap();
    assert!(!pop.status.success(), "the pop conflicts");
    assert_eq!(
        changes::changes(w).unwrap(),
        vec![change(
            "clusters/README.md",
            None,
            Some(FileStatus::Conflicted)
        )]
    );
    assert_eq!(
        commit::commit(w, "msg"),
        Err(CommitError::Unmerged(strings(&["clusters/README.md"])))
    );
    write_file(w, "clusters/README.md", "resolved\n");
    stage::stage(w, &strings(&["clusters/README.md"])).unwrap();
    assert_eq!(
        changes::changes(w).unwrap(),
        vec![change("clusters/README.md", Some(Modified), None)],
        "staging marks the conflict resolved"
    );
    commit::commit(w, "resolved").unwrap();

    // A merge git left half done: even once resolved, the console will not make it a
    // one-parent commit.
    git(w, &["checkout", "-q", "-b", "side", "HEAD~1"]);
    write_file(w, "clusters/README.md", "side\n");
    git(w, &["commit", "-q", "-am", "side"]);
    git(w, &["checkout", "-q", "main"]);
    let merge = std::process::Command::new("git")
        .args(["merge", "-q", "side"])
        .current_dir(w)
        .output()
        .unwrap();
    assert!(!merge.status.success(), "the merge conflicts");
    write_file(w, "clusters/README.md", "merged\n");
    stage::stage(w, &strings(&["clusters/README.md"])).unwrap();
    let head = rev(w, "HEAD");
    assert_eq!(
        commit::commit(w, "msg"),
        Err(CommitError::InProgress("merge".into()))
    );
    assert_eq!(rev(w, "HEAD"), head);
}

#[test]
fn an_unreachable_https_remote_is_a_network_error() {
    let r = repo();
    let w = &r.work;
    // Port 1 on loopback: refused at once, no network involved.
    git(
        w,
        &[
            "remote",
            "set-url",
            "origin",
            "https://127.0.0.1:1/datacenter.git",
        ],
    );
    let cancel = AtomicBool::new(false);
    let err = remote::fetch(w, &mut no_progress(), &cancel).unwrap_err();
    let PushError::Network { remote, message: m } = &err else {
        panic!("expected Network: {err:?}")
    };
    assert_eq!(remote, "origin");
    assert!(m.contains("127.0.0.1"), "git's message: {m}");
    let cancel = AtomicBool::new(true);
    assert_eq!(
        remote::fetch(w, &mut no_progress(), &cancel),
        Err(PushError::Cancelled)
    );
}

#[test]
fn with_no_local_commits_the_rebase_is_a_fast_forward() {
    let r = repo();
    let w = &r.work;
    let b = clone(&r, "b");
    write_file(&b, "clusters/mgmt/k3d.yaml", "kind: B\n");
    git(&b, &["commit", "-q", "-am", "b: change"]);
    git(&b, &["push", "-q", "origin", "main"]);
    let cancel = AtomicBool::new(false);
    let mut seen = Vec::new();
    remote::fetch(w, &mut |p| seen.push(p), &cancel).unwrap();
    // git's own lines, or the remote's (a local remote packs fast enough that git may show
    // only those).
    assert!(
        seen.iter().any(|p| p.stage == "receiving"
            || p.stage == "resolving"
            || (p.stage == "remote" && p.text.contains("objects"))),
        "{seen:?}"
    );
    let ff = Rebase::Clean {
        onto: "origin/main".into(),
        commits: 0,
    };
    assert_eq!(rebase::rebase_check(w).unwrap(), ff);
    assert_eq!(rebase::rebase_onto_upstream(w).unwrap(), ff);
    assert_eq!(rev(w, "HEAD"), rev(&b, "HEAD"));
    assert_eq!(
        std::fs::read_to_string(w.join("clusters/mgmt/k3d.yaml")).unwrap(),
        "kind: B\n"
    );
    assert_eq!(changes::changes(w).unwrap(), vec![]);
}
