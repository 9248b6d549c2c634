//! Commits as `git commit` makes them: the repo's hooks run and its signing configuration is
//! honoured (through the system git, as libgit2 does neither), a refusing hook leaves the index
//! byte for byte as it was, and a push of unsigned commits where signing is asked for is held
//! back and asked about (the real binary in a pty: `y/N`). Real repos, real hooks, real
//! ssh-keygen and gpg.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use blast::git::changes;
use blast::git::commit::{self, CommitError};
use blast::git::remote::{self, PushError, UnsignedCommit};
use blast::git::stage;

use crate::pty::Pty;
use crate::support::temp_repo_with_identity as repo;
use crate::support::{TempRepo, git};

fn write_file(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[cfg(unix)]
fn executable(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn rev(dir: &Path, what: &str) -> String {
    git(dir, &["rev-parse", what]).trim().to_string()
}

/// A staged change to `clusters/README.md`.
fn staged_change(r: &TempRepo) {
    write_file(&r.work, "clusters/README.md", "changed by a test\n");
    stage::stage(&r.work, &["clusters/README.md".to_string()]).unwrap();
}

/// Runs a program; panics with its stderr when it fails. Returns stdout.
fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} could not run (is it installed?): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[cfg(unix)]
#[test]
fn a_failing_pre_commit_hook_refuses_with_its_output_and_leaves_the_index_byte_identical() {
    let r = repo();
    let w = &r.work;
    executable(
        &w.join(".git/hooks/pre-commit"),
        "#!/bin/sh\necho 'lint: clusters/README.md: line 1 is not YAML' >&2\n\
         i=0; while [ $i -lt 500 ]; do echo \"noise $i\"; i=$((i+1)); done\n\
         echo 'lint: 1 problem' >&2\nexit 1\n",
    );
    staged_change(&r);
    let index = std::fs::read(w.join(".git/index")).unwrap();
    let head = rev(w, "HEAD");

    let err = commit::commit(w, "clusters: readme").unwrap_err();
    let CommitError::Refused { via, output } = &err else {
        panic!("expected Refused: {err:?}")
    };
    assert_eq!(via, "hooks: pre-commit");
    assert!(output.contains("lint: 1 problem"), "{output}");
    assert!(
        output.lines().count() <= 20,
        "bounded: {} lines",
        output.lines().count()
    );
    assert!(err.to_string().contains("still staged"), "{err}");

    assert_eq!(rev(w, "HEAD"), head, "no commit");
    assert_eq!(
        std::fs::read(w.join(".git/index")).unwrap(),
        index,
        "the index is byte for byte as it was"
    );
    assert!(!w.join(".git/index.lock").exists());
    assert!(!w.join(".git/index.blast-commit").exists());
    let staged = changes::changes(w).unwrap();
    assert!(
        staged
            .iter()
            .any(|c| c.path == "clusters/README.md" && c.staged.is_some()),
        "{staged:?}"
    );

    // The hook fixed, the same commit goes through, and says how it was made.
    executable(&w.join(".git/hooks/pre-commit"), "#!/bin/sh\nexit 0\n");
    let c = commit::commit(w, "clusters: readme").unwrap();
    assert_eq!(c.via_system_git.as_deref(), Some("hooks: pre-commit"));
    assert_eq!(rev(w, "HEAD"), c.id);
    assert_eq!(c.author, "Ada Ops <ada@example.com>");
}

#[cfg(unix)]
#[test]
fn hooks_may_rewrite_the_message_and_stage_files_and_core_hooks_path_is_honoured() {
    let r = repo();
    let w = &r.work;
    git(w, &["config", "core.hooksPath", "ci/hooks"]);
    // commit-msg: git's own convention of rewriting the message file in place.
    executable(
        &w.join("ci/hooks/commit-msg"),
        "#!/bin/sh\nsed -i 's/^clusters:/[edge] clusters:/' \"$1\"\n\
         printf '\\nChange-Id: I0123\\n' >> \"$1\"\n",
    );
    // pre-commit: a formatter that stages what it generated.
    executable(
        &w.join("ci/hooks/pre-commit"),
        "#!/bin/sh\necho generated > clusters/GENERATED\ngit add clusters/GENERATED\n",
    );
    staged_change(&r);
    let c = commit::commit(w, "clusters: readme   \n\n\n").unwrap();
    assert_eq!(
        c.via_system_git.as_deref(),
        Some("hooks: pre-commit, commit-msg")
    );
    assert_eq!(c.summary, "[edge] clusters: readme");
    assert_eq!(
        git(w, &["log", "-1", "--format=%B"]).trim_end(),
        "[edge] clusters: readme\n\nChange-Id: I0123"
    );
    let files = git(w, &["show", "--name-only", "--format=", "HEAD"]);
    assert!(files.contains("clusters/GENERATED"), "{files}");
    assert!(files.contains("clusters/README.md"), "{files}");
    // What the hook staged is in the index now: nothing is left staged or changed.
    assert_eq!(git(w, &["status", "--porcelain", "--", "clusters"]), "");
}

/// Makes the repo at `w` sign its commits with a new ssh key (beside it), as `git commit`
/// would: `gpg.format ssh`, `user.signingkey`, `commit.gpgsign`, and an allowed-signers file so
/// that git can verify. Returns the private key's path.
fn ssh_signing(w: &Path) -> PathBuf {
    let dir = w.parent().unwrap();
    let key = dir.join("signing_key");
    run(
        dir,
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "ada@example.com",
            "-f",
            key.to_str().unwrap(),
        ],
    );
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = dir.join("allowed_signers");
    std::fs::write(&allowed, format!("ada@example.com {public}")).unwrap();
    git(w, &["config", "gpg.format", "ssh"]);
    git(w, &["config", "user.signingkey", key.to_str().unwrap()]);
    git(
        w,
        &[
            "config",
            "gpg.ssh.allowedSignersFile",
            allowed.to_str().unwrap(),
        ],
    );
    git(w, &["config", "commit.gpgsign", "true"]);
    key
}

/// A commit through a repo that signs with an ssh key, verified by git itself.
#[cfg(unix)]
#[test]
fn ssh_signing_is_honoured_and_git_verifies_the_signature() {
    let r = repo();
    let w = &r.work;
    let key = ssh_signing(w);

    staged_change(&r);
    let c = commit::commit(w, "clusters: signed").unwrap();
    assert_eq!(c.via_system_git.as_deref(), Some("signing: ssh"));
    let verified = std::process::Command::new("git")
        .args(["verify-commit", "--raw", &c.id])
        .current_dir(w)
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    let shown = git(w, &["log", "-1", "--show-signature", "--format=%G?"]);
    assert!(shown.trim_end().ends_with('G'), "a good signature: {shown}");

    // Signing that fails (the key is gone) refuses the commit and says why.
    std::fs::remove_file(&key).unwrap();
    staged_change_again(w);
    let index = std::fs::read(w.join(".git/index")).unwrap();
    let err = commit::commit(w, "clusters: not signed").unwrap_err();
    let CommitError::Refused { via, output } = &err else {
        panic!("expected Refused: {err:?}")
    };
    assert_eq!(via, "signing: ssh");
    assert!(output.contains("sign"), "{output}");
    assert_eq!(rev(w, "HEAD"), c.id);
    assert_eq!(std::fs::read(w.join(".git/index")).unwrap(), index);
}

fn staged_change_again(w: &Path) {
    write_file(w, "clusters/README.md", "changed again\n");
    stage::stage(w, &["clusters/README.md".to_string()]).unwrap();
}

/// A temporary GNUPGHOME with a passphrase-less key for Ada, a `gpg` wrapper that uses it
/// (for git's `gpg.program`, so nothing in this process's environment changes), and the key's
/// fingerprint. Its agent is stopped on drop.
struct Gpg {
    home: PathBuf,
    program: PathBuf,
    fingerprint: String,
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = std::process::Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .env("GNUPGHOME", &self.home)
            .output();
    }
}

#[cfg(unix)]
fn gpg_key(dir: &Path) -> Gpg {
    use std::os::unix::fs::PermissionsExt;
    let home = dir.join("gnupg");
    std::fs::create_dir(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    let program = dir.join("gpg-for-test");
    executable(
        &program,
        &format!(
            "#!/bin/sh\nGNUPGHOME='{}' exec gpg \"$@\"\n",
            home.display()
        ),
    );
    let p = program.to_str().unwrap();
    run(
        dir,
        p,
        &[
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Ada Ops <ada@example.com>",
            "ed25519",
            "sign",
            "never",
        ],
    );
    let listing = run(dir, p, &["--batch", "--with-colons", "--list-secret-keys"]);
    let fingerprint = listing
        .lines()
        .find(|l| l.starts_with("fpr:"))
        .and_then(|l| l.split(':').nth(9))
        .expect("a fingerprint")
        .to_string();
    Gpg {
        home,
        program,
        fingerprint,
    }
}

/// A commit through a repo that signs with gpg (the default `gpg.format`), verified by git.
#[cfg(unix)]
#[test]
fn gpg_signing_is_honoured_and_git_verifies_the_signature() {
    let r = repo();
    let w = &r.work;
    let gpg = gpg_key(w.parent().unwrap());
    git(w, &["config", "gpg.program", gpg.program.to_str().unwrap()]);
    git(w, &["config", "user.signingkey", &gpg.fingerprint]);
    git(w, &["config", "commit.gpgsign", "true"]);

    staged_change(&r);
    let c = commit::commit(w, "clusters: signed with gpg").unwrap();
    assert_eq!(c.via_system_git.as_deref(), Some("signing: openpgp"));
    let shown = git(w, &["log", "-1", "--format=%G? %GF", &c.id]);
    assert_eq!(shown.trim(), format!("G {}", gpg.fingerprint));
}

/// `commit.gpgsign` set, and a commit to push that is not signed (made before the setting,
/// or by a tool that does not sign): `push` holds it back and names it (short id and subject),
/// signed it goes, and `push_anyway` (the console's "yes") pushes an unsigned one. With no
/// signing configured, nothing is held back.
#[cfg(unix)]
#[test]
fn unsigned_commits_are_named_and_held_back_where_signing_is_asked_for() {
    let r = repo();
    let w = &r.work;
    staged_change(&r);
    let unsigned = commit::commit(w, "clusters: unsigned").unwrap();
    assert_eq!(
        unsigned.via_system_git, None,
        "no hooks, no signing: libgit2"
    );
    assert_eq!(remote::unsigned_to_push(w), vec![], "no signing configured");

    ssh_signing(w);
    staged_change_again(w);
    let signed = commit::commit(w, "clusters: signed").unwrap();
    let held = vec![UnsignedCommit {
        short: unsigned.short.clone(),
        subject: "clusters: unsigned".into(),
    }];
    assert_eq!(remote::unsigned_to_push(w), held);

    let before = rev(&r.remote, "main");
    let cancel = AtomicBool::new(false);
    let err = remote::push(w, &mut |_| {}, &cancel).unwrap_err();
    assert_eq!(err, PushError::Unsigned(held));
    let text = err.to_string();
    assert!(
        text.contains("still local") && text.contains("clusters: unsigned"),
        "{text}"
    );
    assert_eq!(rev(&r.remote, "main"), before, "nothing was pushed");

    // Signed (with git's own rebase), it goes without a word.
    git(
        w,
        &[
            "rebase",
            "-q",
            "--exec",
            "git commit -q --amend --no-edit -S",
            "@{upstream}",
        ],
    );
    assert_ne!(rev(w, "HEAD"), signed.id, "rewritten by the rebase");
    assert_eq!(remote::unsigned_to_push(w), vec![]);
    let pushed = remote::push(w, &mut |_| {}, &cancel).unwrap();
    assert_eq!(rev(&r.remote, "main"), pushed.id);

    // An unsigned one, pushed anyway.
    staged_change(&r);
    git(
        w,
        &["-c", "commit.gpgsign=false", "commit", "-q", "-m", "late"],
    );
    assert!(remote::push(w, &mut |_| {}, &cancel).is_err());
    let pushed = remote::push_anyway(w, &mut |_| {}, &cancel).unwrap();
    assert_eq!(rev(&r.remote, "main"), pushed.id);
    assert_eq!(pushed.id, rev(w, "HEAD"));
}

/// A commit made with the system git (outside blast), signed as the repo's config says when
/// `signed`, unsigned otherwise; returns its short id.
fn commit_outside_blast(w: &Path, file: &str, subject: &str, signed: bool) -> String {
    write_file(w, file, &format!("{subject}\n"));
    git(w, &["add", file]);
    let sign = format!("commit.gpgsign={signed}");
    git(w, &["-c", &sign, "commit", "-q", "-m", subject]);
    git(w, &["rev-parse", "--short=7", "HEAD"])
        .trim()
        .to_string()
}

/// The console's push (`P`) in a repo that signs with an ssh key, its commits made with git:
/// all signed, it pushes without a question.
#[cfg(unix)]
#[test]
fn the_console_pushes_signed_commits_without_a_question() {
    let r = repo();
    let w = &r.work;
    ssh_signing(w);
    commit_outside_blast(w, "clusters/NOTES.md", "clusters: notes", true);
    commit_outside_blast(w, "apps/NOTES.md", "apps: notes", true);
    let shown = git(w, &["log", "-2", "--format=%G?"]);
    assert_eq!(shown, "G\nG\n", "git verifies both");

    let mut t = Pty::spawn(&[], w, 120, 36, &[]);
    t.wait_for("↑2", 60);
    t.send("P");
    t.wait_for("pushed", 20);
    assert!(!t.screen().contains("unsigned"), "{}", t.screen());
    assert_eq!(rev(&r.remote, "main"), rev(w, "HEAD"));
    t.send("\x03");
    assert_eq!(t.wait_exit(10), 0);
}

/// The same with one commit made before signing was set up: `P` asks, naming it (short id and
/// subject); `n` pushes nothing; `P` and `y` push both.
#[cfg(unix)]
#[test]
fn the_console_asks_before_pushing_an_unsigned_commit_n_keeps_it_local_y_pushes() {
    let r = repo();
    let w = &r.work;
    let old = commit_outside_blast(w, "clusters/NOTES.md", "clusters: before signing", false);
    ssh_signing(w);
    commit_outside_blast(w, "apps/NOTES.md", "apps: signed", true);
    let before = rev(&r.remote, "main");

    let mut t = Pty::spawn(&[], w, 120, 36, &[]);
    t.wait_for("↑2", 60);
    t.send("P");
    t.wait_for("Push anyway? y/N", 20);
    t.wait_for(&format!("{old} clusters: before signing"), 5);
    t.wait_for("1 unsigned commit(s) to push", 5);
    assert!(!t.screen().contains("apps: signed"), "{}", t.screen());
    t.send("n");
    t.wait_for("not pushed: your commits are still local", 10);
    assert_eq!(rev(&r.remote, "main"), before, "n pushes nothing");

    t.send("P");
    t.wait_for("Push anyway? y/N", 20);
    t.send("y");
    t.wait_for("pushed", 20);
    assert_eq!(rev(&r.remote, "main"), rev(w, "HEAD"), "y pushes both");
    t.send("\x03");
    assert_eq!(t.wait_exit(10), 0);
}

/// "Fetch and rebase" after a rejected push, in a repo that signs: the replayed commit is
/// signed (by git's own rebase, as `git pull --rebase` would), so the push asks nothing. libgit2
/// replayed it unsigned.
#[cfg(unix)]
#[test]
fn a_rebase_onto_the_upstream_keeps_the_commits_signed() {
    use blast::git::rebase::{self, Rebase};
    let r = repo();
    let w = &r.work;
    ssh_signing(w);
    staged_change(&r);
    let local = commit::commit(w, "clusters: signed here").unwrap();
    // Someone else pushes first.
    let other = w.parent().unwrap().join("other");
    git(
        w.parent().unwrap(),
        &[
            "clone",
            "-q",
            r.remote.to_str().unwrap(),
            other.to_str().unwrap(),
        ],
    );
    git(&other, &["config", "user.name", "Bo"]);
    git(&other, &["config", "user.email", "bo@example.com"]);
    write_file(&other, "apps/NEW.md", "theirs\n");
    git(&other, &["add", "apps/NEW.md"]);
    git(&other, &["commit", "-q", "-m", "apps: theirs"]);
    git(&other, &["push", "-q", "origin", "HEAD"]);
    git(w, &["fetch", "-q"]);

    let done = rebase::rebase_onto_upstream(w).unwrap();
    assert!(matches!(done, Rebase::Clean { commits: 1, .. }), "{done:?}");
    assert_ne!(rev(w, "HEAD"), local.id, "replayed");
    assert_eq!(rev(w, "HEAD~1"), rev(&r.remote, "main"), "onto theirs");
    let verified = std::process::Command::new("git")
        .args(["verify-commit", "HEAD"])
        .current_dir(w)
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "the replayed commit is signed: {}",
        String::from_utf8_lossy(&verified.stderr)
    );
    assert_eq!(remote::unsigned_to_push(w), vec![]);
}
