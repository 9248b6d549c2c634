//! Commit the index as the configured identity, refusing (and changing nothing) when the commit
//! would be wrong: nothing staged, detached HEAD, no identity, empty message, conflicts, a git
//! operation in progress. Where the repo has commit hooks or asks for signed commits (which
//! libgit2 neither runs nor does), the commit is made by the system `git commit`.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use std::sync::atomic::AtomicBool;

use super::hooks;
use super::repository::{head_commit, in_progress, open, workdir};
use super::system_git::{self, RunError};

/// A commit just made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub id: String,
    pub short: String,
    pub summary: String,
    /// `Name <email>`.
    pub author: String,
    /// Set when the system `git commit` made it, and why (`hooks: pre-commit; signing: ssh`).
    pub via_system_git: Option<String>,
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
    /// The system `git commit` (run for `via`: hooks, signing) failed: a hook refused, signing
    /// failed... `output` is what it printed (its last lines, bounded).
    Refused {
        via: String,
        output: String,
    },
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
            CommitError::Refused { via, output } => write!(
                f,
                "git commit (run for the repo's {via}) refused the commit; nothing was \
                 committed and the staged changes are still staged. It said:\n{output}"
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
/// was built.
///
/// When the repo has commit hooks (`core.hooksPath` honoured) or `commit.gpgsign` is set, the
/// commit is made by the system `git commit`, which runs the hooks and signs as git users
/// expect (see [`system_commit`]); `via_system_git` then says why.
pub fn commit(root: &Path, message: &str) -> Result<Committed, CommitError> {
    commit_cancellable(root, message, &AtomicBool::new(false))
}

/// [`commit`], with `cancel` killing the system git (and its hooks) when it is the one
/// committing.
pub fn commit_cancellable(
    root: &Path,
    message: &str,
    cancel: &AtomicBool,
) -> Result<Committed, CommitError> {
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
    let needs = hooks::commit_needs(&repo);
    if !needs.is_empty() {
        return system_commit(&repo, &message, &needs.describe(), cancel);
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
        via_system_git: None,
    })
}

/// Lines of a refusing `git commit`'s output shown.
const REFUSED_LINES: usize = 20;

/// Commits the index with the system `git commit`, detached from the terminal (no prompt can
/// hang it; a gpg that needs a passphrase uses its agent or fails), `message` cleaned as
/// [`commit`] does (`--cleanup=whitespace`).
///
/// git runs on a copy of the index while this holds `index.lock`, as git itself does for
/// `git commit PATHS`: the hooks see (and may change) the copy, and only a commit that was
/// made puts it in place. A refused commit leaves the index byte for byte as it was (a plain
/// `git commit` would have rewritten it with refreshed stat data even when a hook refused).
fn system_commit(
    repo: &git2::Repository,
    message: &str,
    via: &str,
    cancel: &AtomicBool,
) -> Result<Committed, CommitError> {
    let git_dir = repo.path().to_path_buf();
    let wd = workdir(repo)?;
    let before = repo.head().ok().and_then(|h| h.target());
    let index = git_dir.join("index");
    let lock = git_dir.join("index.lock");
    let copy = git_dir.join("index.blast-commit");
    let msg = git_dir.join("BLAST_COMMIT_MSG");
    // Take the index as git does, so no git run beside us changes it meanwhile.
    if let Err(e) = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&lock)
    {
        return Err(CommitError::Git(format!(
            "cannot lock the index ({}: {e}); is another git running?",
            lock.display()
        )));
    }
    let result = (|| {
        std::fs::copy(&index, &copy)
            .map_err(|e| CommitError::Git(format!("copy the index: {e}")))?;
        std::fs::write(&msg, message).map_err(|e| CommitError::Git(e.to_string()))?;
        let (copy_s, msg_s) = (copy.to_string_lossy(), msg.to_string_lossy());
        system_git::run(
            &wd,
            &["commit", "--cleanup=whitespace", "-F", &msg_s],
            &[("GIT_INDEX_FILE", &copy_s), ("GIT_EDITOR", ":")],
            &mut |_| {},
            cancel,
        )
        .map_err(|e| match e {
            RunError::Cancelled => CommitError::Git("cancelled".into()),
            RunError::Spawn(e) => CommitError::Git(e),
        })
    })();
    let _ = std::fs::remove_file(&msg);
    let ran = match result {
        Ok(ran) if ran.status.success() => ran,
        other => {
            let _ = std::fs::remove_file(&copy);
            let _ = std::fs::remove_file(&lock);
            let ran = other?;
            let mut said: Vec<&str> = ran
                .stdout
                .lines()
                .chain(ran.stderr.iter().map(String::as_str))
                .filter(|l| !l.trim().is_empty())
                .collect();
            said.drain(..said.len().saturating_sub(REFUSED_LINES));
            return Err(CommitError::Refused {
                via: via.to_string(),
                output: if said.is_empty() {
                    format!("git commit exited with {}", ran.status)
                } else {
                    said.join("\n")
                },
            });
        }
    };
    drop(ran);
    // The commit is made: its index (with whatever the hooks staged) becomes the index.
    let placed = std::fs::rename(&copy, &lock).and_then(|_| std::fs::rename(&lock, &index));
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&copy);
        let _ = std::fs::remove_file(&lock);
        return Err(CommitError::Git(format!(
            "the commit was made but its index could not be put in place ({e}); run `git status`"
        )));
    }
    let repo = open(&wd)?;
    let head = repo.head()?.peel_to_commit()?;
    if Some(head.id()) == before {
        return Err(CommitError::Git("git commit made no commit".into()));
    }
    let id = head.id().to_string();
    let author = head.author();
    Ok(Committed {
        short: id[..7].to_string(),
        summary: String::from_utf8_lossy(head.summary_bytes().unwrap_or_default())
            .trim()
            .to_string(),
        author: format!(
            "{} <{}>",
            String::from_utf8_lossy(author.name_bytes()),
            String::from_utf8_lossy(author.email_bytes())
        ),
        id,
        via_system_git: Some(via.to_string()),
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
