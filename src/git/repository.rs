//! Opening the repository and reading HEAD: the small helpers every operation shares.
//!
//! Every operation opens the repository afresh, so nothing in `git` holds git state between
//! calls. Paths in and out are relative to the work-tree root, with `/` separators.

use std::path::{Path, PathBuf};

use git2::{ErrorCode, Repository, RepositoryState};

/// The repository containing `root` (which may sit below the work tree's top).
pub(crate) fn open(root: &Path) -> Result<Repository, git2::Error> {
    Repository::discover(root)
}

pub(crate) fn workdir(repo: &Repository) -> Result<PathBuf, git2::Error> {
    repo.workdir()
        .map(Path::to_path_buf)
        .ok_or_else(|| git2::Error::from_str("a bare repository has no work tree"))
}

/// A path with `/` separators.
pub(crate) fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

pub(crate) fn head_commit(repo: &Repository) -> Result<Option<git2::Commit<'_>>, git2::Error> {
    match repo.head() {
        Ok(h) => Ok(Some(h.peel_to_commit()?)),
        Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

pub(crate) fn head_tree(repo: &Repository) -> Result<Option<git2::Tree<'_>>, git2::Error> {
    head_commit(repo)?.map(|c| c.tree()).transpose()
}

/// The git operation (merge, rebase...) started and not finished, if any.
pub(crate) fn in_progress(state: RepositoryState) -> Option<&'static str> {
    match state {
        RepositoryState::Clean => None,
        RepositoryState::Merge => Some("merge"),
        RepositoryState::Revert | RepositoryState::RevertSequence => Some("revert"),
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence => Some("cherry-pick"),
        RepositoryState::Bisect => Some("bisect"),
        RepositoryState::Rebase
        | RepositoryState::RebaseInteractive
        | RepositoryState::RebaseMerge => Some("rebase"),
        RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => Some("git am"),
    }
}
