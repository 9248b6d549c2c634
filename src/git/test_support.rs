//! Test helpers, shared by the unit tests (`git`, `demo`) and the integration tests: the system
//! `git` run with a fixed identity, and a bare `origin` with a clone of it.
//!
//! Public rather than `#[cfg(test)]`: the integration tests are another crate and only reach
//! public items, and a feature flag or a self dev-dependency would be more machinery than these
//! few functions. They use nothing beyond std, the binary never calls them (so they are not in
//! it), and they are not for production code: every one panics when git fails.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Who makes the commits of a test, and when (`None`: now).
pub struct Identity {
    pub name: &'static str,
    pub email: &'static str,
    /// An ISO date for author and committer, so that ids and snapshots do not change.
    pub date: Option<&'static str>,
}

/// The fixture repo's operator, at a fixed date.
pub const ADA_OPS: Identity = Identity {
    name: "Ada Ops",
    email: "ada@example.com",
    date: Some("2026-11-20T10:00:00Z"),
};

/// Runs `git ARGS` in `dir` as `who`; panics with git's stderr when it fails. Returns stdout.
pub fn git_as(who: &Identity, dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", who.name)
        .env("GIT_AUTHOR_EMAIL", who.email)
        .env("GIT_COMMITTER_NAME", who.name)
        .env("GIT_COMMITTER_EMAIL", who.email);
    if let Some(date) = who.date {
        cmd.env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
    }
    let out = cmd.output().expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `git ARGS` in `dir` as [`ADA_OPS`]; panics when it fails. Returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_as(&ADA_OPS, dir, args)
}

/// A bare repository `dir/origin.git` on branch `main`, and a clone of it at `dir/work` with
/// no commit yet (its first push creates `main`): `(origin, work)`.
pub fn bare_origin_and_clone(dir: &Path, work: &str) -> (PathBuf, PathBuf) {
    let origin = dir.join("origin.git");
    let work = dir.join(work);
    let (o, w) = (path(&origin), path(&work));
    git(dir, &["init", "-q", "--bare", "-b", "main", o]);
    git(dir, &["clone", "-q", o, w]);
    (origin, work)
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}
