//! What `git commit` would do that libgit2 does not: run the repo's hooks and sign. Read from
//! the repository's config and hooks directory, so a commit can go through the system git when
//! either is there (`commit::commit`), and a push can tell unsigned commits where signing is
//! asked for (`remote::push`).

use std::path::{Path, PathBuf};

use git2::Repository;

/// The hooks `git commit` runs, in the order it runs them (`reference-transaction` for the
/// branch update).
const COMMIT_HOOKS: [&str; 5] = [
    "pre-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "reference-transaction",
];

/// How commits are to be signed (`commit.gpgsign` and `gpg.format`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// `gpg.format`: `openpgp` (gpg), `x509` (gpgsm) or `ssh`.
    Format(String),
}

/// Why a commit goes through the system git: the hooks found and the signing asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommitNeeds {
    pub hooks: Vec<&'static str>,
    pub signing: Option<Signing>,
}

impl CommitNeeds {
    pub fn is_empty(&self) -> bool {
        self.hooks.is_empty() && self.signing.is_none()
    }

    /// `hooks: pre-commit, commit-msg; signing: ssh`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.hooks.is_empty() {
            parts.push(format!("hooks: {}", self.hooks.join(", ")));
        }
        if let Some(Signing::Format(f)) = &self.signing {
            parts.push(format!("signing: {f}"));
        }
        parts.join("; ")
    }
}

/// The hooks directory git uses: `core.hooksPath` (`~/` expanded, relative to the work tree's
/// top as git runs hooks there), else `hooks` in the common git dir.
pub(crate) fn hooks_dir(repo: &Repository) -> PathBuf {
    let configured = repo
        .config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok());
    match configured {
        Some(p) if p.is_absolute() => p,
        Some(p) => repo.workdir().unwrap_or_else(|| repo.path()).join(p),
        None => repo.commondir().join("hooks"),
    }
}

/// A hook git would run: a file there that may be executed (git skips, with a hint, one that
/// may not).
fn runnable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// How commits are to be signed, if `commit.gpgsign` is true.
pub(crate) fn signing(config: &git2::Config) -> Option<Signing> {
    if !config.get_bool("commit.gpgsign").unwrap_or(false) {
        return None;
    }
    let format = config
        .get_string("gpg.format")
        .unwrap_or_else(|_| "openpgp".into());
    Some(Signing::Format(format))
}

/// What the system git must do for a commit in `repo` that libgit2 would not.
pub fn commit_needs(repo: &Repository) -> CommitNeeds {
    let dir = hooks_dir(repo);
    CommitNeeds {
        hooks: COMMIT_HOOKS
            .into_iter()
            .filter(|h| runnable(&dir.join(h)))
            .collect(),
        signing: repo.config().ok().and_then(|c| signing(&c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::test_support::git;

    #[cfg(unix)]
    fn hook(dir: &Path, name: &str, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, "#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn hooks_and_signing_are_found_where_git_looks() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        std::fs::create_dir(&w).unwrap();
        git(&w, &["init", "-q", "-b", "main"]);
        let repo = Repository::open(&w).unwrap();
        assert!(
            commit_needs(&repo).is_empty(),
            "git's *.sample hooks do not count"
        );

        hook(&w.join(".git/hooks"), "pre-commit", 0o755);
        hook(&w.join(".git/hooks"), "commit-msg", 0o644);
        assert_eq!(
            commit_needs(&repo).hooks,
            vec!["pre-commit"],
            "not executable: skipped"
        );

        // core.hooksPath, relative to the work tree's top, replaces .git/hooks.
        git(&w, &["config", "core.hooksPath", "ci/hooks"]);
        let repo = Repository::open(&w).unwrap();
        assert!(commit_needs(&repo).hooks.is_empty());
        hook(&w.join("ci/hooks"), "commit-msg", 0o755);
        hook(&w.join("ci/hooks"), "post-commit", 0o755);
        let needs = commit_needs(&repo);
        assert_eq!(needs.hooks, vec!["commit-msg", "post-commit"]);

        git(&w, &["config", "commit.gpgsign", "true"]);
        git(&w, &["config", "gpg.format", "ssh"]);
        let repo = Repository::open(&w).unwrap();
        let needs = commit_needs(&repo);
        assert_eq!(needs.signing, Some(Signing::Format("ssh".into())));
        assert_eq!(
            needs.describe(),
            "hooks: commit-msg, post-commit; signing: ssh"
        );
        git(&w, &["config", "--unset", "gpg.format"]);
        let repo = Repository::open(&w).unwrap();
        assert_eq!(
            commit_needs(&repo).signing,
            Some(Signing::Format("openpgp".into()))
        );
        git(&w, &["config", "commit.gpgsign", "false"]);
        let repo = Repository::open(&w).unwrap();
        assert_eq!(commit_needs(&repo).signing, None);
    }
}
