//! Commit the index as the configured identity, refusing (and changing nothing) when the commit
//! would be wrong: nothing staged, detached HEAD, no identity, empty message, conflicts, a git
//! operation in progress.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use super::repository::{head_commit, in_progress, open};

/// A commit just made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub id: String,
    pub short: String,
    pub summary: String,
    /// `Name <email>`.
    pub author: String,
}

/// Why a commit was not made. In every case nothing was written: HEAD, the branch and the index
/// are as they were, and the staged changes are still staged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitError {
    NothingStaged,
    DetachedHead,
    /// Which setting is missing.
    NoIdentity(String),
    EmptyMessage,
    /// Paths with unresolved conflicts.
    Unmerged(Vec<String>),
    /// A merge, rebase, cherry-pick... started by git is not finished (names it).
    InProgress(String),
    Git(String),
}

impl fmt::Display for CommitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitError::NothingStaged => {
                write!(f, "Nothing is staged: stage the files to commit first.")
            }
            CommitError::DetachedHead => write!(
                f,
                "HEAD is detached (not on a branch): check out a branch before committing."
            ),
            CommitError::NoIdentity(what) => write!(
                f,
                "No commit identity ({what}): set it with `git config --global user.name \"Your \
                 Name\"` and `git config --global user.email you@example.com`."
            ),
            CommitError::EmptyMessage => {
                write!(
                    f,
                    "The commit message is empty: write what the change does."
                )
            }
            CommitError::Unmerged(paths) => write!(
                f,
                "{} file(s) still have merge conflicts ({}): resolve and stage them first.",
                paths.len(),
                paths.join(", ")
            ),
            CommitError::InProgress(what) => write!(
                f,
                "A {what} is in progress: finish or abort it with git first; nothing was committed."
            ),
            CommitError::Git(m) => write!(
                f,
                "The commit failed ({m}); nothing was committed and the staged changes are still \
                 staged."
            ),
        }
    }
}

impl std::error::Error for CommitError {}

impl From<git2::Error> for CommitError {
    fn from(e: git2::Error) -> Self {
        CommitError::Git(e.message().to_string())
    }
}

/// `Name <email>` from `user.name` and `user.email` of one configuration (all levels merged).
fn identity(config: &git2::Config) -> Result<(String, String), CommitError> {
    let get = |key: &str| {
        config
            .get_string(key)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    match (get("user.name"), get("user.email")) {
        (Some(n), Some(e)) => Ok((n, e)),
        (None, None) => Err(CommitError::NoIdentity(
            "user.name and user.email are not set".into(),
        )),
        (None, _) => Err(CommitError::NoIdentity("user.name is not set".into())),
        (_, None) => Err(CommitError::NoIdentity("user.email is not set".into())),
    }
}

/// The identity commits are made with, `Name <email>`, from git config (the repo's, then the
/// global and system files), for the commit dialog to show. Reads only.
pub fn author(root: &Path) -> Result<String, CommitError> {
    let repo = open(root)?;
    let (name, email) = identity(&repo.config()?)?;
    Ok(format!("{name} <{email}>"))
}

/// Commits the index on the current branch with `message` (trailing whitespace and extra blank
/// lines cleaned, `#` lines kept) as the configured identity. Works on an unborn branch (the
/// first commit creates it). Refuses, changing nothing, when nothing is staged, HEAD is detached,
/// no identity is configured, the message is empty, conflicts are unresolved, or a git merge or
/// rebase is under way. The branch only moves if it still points where it did when the commit
/// was built. Hooks are not run and commits are not signed.
pub fn commit(root: &Path, message: &str) -> Result<Committed, CommitError> {
    let repo = open(root)?;
    let message = git2::message_prettify(message, None)?;
    if message.trim().is_empty() {
        return Err(CommitError::EmptyMessage);
    }
    if repo.head_detached()? {
        return Err(CommitError::DetachedHead);
    }
    let (name, email) = identity(&repo.config()?)?;
    let mut index = repo.index()?;
    if index.has_conflicts() {
        let mut paths = BTreeSet::new();
        for c in index.conflicts()? {
            let c = c?;
            for e in [c.our, c.their, c.ancestor].into_iter().flatten() {
                paths.insert(String::from_utf8_lossy(&e.path).into_owned());
            }
        }
        return Err(CommitError::Unmerged(paths.into_iter().collect()));
    }
    if let Some(what) = in_progress(repo.state()) {
        return Err(CommitError::InProgress(what.into()));
    }
    let tree_id = index.write_tree()?;
    let parent = head_commit(&repo)?;
    let staged = match &parent {
        Some(p) => p.tree_id() != tree_id,
        None => !index.is_empty(),
    };
    if !staged {
        return Err(CommitError::NothingStaged);
    }
    let tree = repo.find_tree(tree_id)?;
    let sig = git2::Signature::now(&name, &email)?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let id = repo.commit(Some("HEAD"), &sig, &sig, &message, &tree, &parents)?;
    let id = id.to_string();
    Ok(Committed {
        short: id[..7].to_string(),
        id,
        summary: message.lines().next().unwrap_or("").trim().to_string(),
        author: format!("{name} <{email}>"),
    })
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_needs_name_and_email() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        std::fs::write(&file, "[user]\n\tname = Ada\n").unwrap();
        let config = git2::Config::open(&file).unwrap();
        assert_eq!(
            identity(&config),
            Err(CommitError::NoIdentity("user.email is not set".into()))
        );
        std::fs::write(&file, "").unwrap();
        let config = git2::Config::open(&file).unwrap();
        let err = identity(&config).unwrap_err();
        assert!(
            err.to_string().contains("git config --global user.name"),
            "{err}"
        );
        std::fs::write(&file, "[user]\n\tname = Ada\n\temail = ada@example.com\n").unwrap();
        let config = git2::Config::open(&file).unwrap();
        assert_eq!(
            identity(&config),
            Ok(("Ada".to_string(), "ada@example.com".to_string()))
        );
    }
}
