//! The change list of the changes view: every changed file with what is staged and what is not.
//! Reads only; the git worker runs it.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{Status, StatusOptions};

use super::repository::{open, slash};
use super::status::FileStatus;

/// One changed file: what the index holds against HEAD (`staged`) and what the working tree holds
/// against the index (`unstaged`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The file's path now (for a staged rename, the new path).
    pub path: String,
    /// Index against HEAD: `Added`, `Modified`, `Deleted`, `Renamed`; `None` when unchanged.
    pub staged: Option<FileStatus>,
    /// Working tree against the index: `Modified`, `Deleted`, `Untracked`, or `Conflicted` for a
    /// file with unresolved merge conflicts (then `staged` is `None`); `None` when unchanged.
    pub unstaged: Option<FileStatus>,
    /// For a staged rename, the path the file had in HEAD.
    pub from: Option<String>,
}

/// Every changed file, sorted by path: staged and unstaged changes, untracked files (each file
/// of an untracked folder listed on its own, `unstaged = Untracked`), staged renames (with
/// `from`), conflicts. Ignored files are left out. Reads only.
pub fn changes(root: &Path) -> Result<Vec<Change>, git2::Error> {
    let repo = open(root)?;
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .renames_head_to_index(true);
    let mut out = BTreeMap::new();
    for entry in repo.statuses(Some(&mut opts))?.iter() {
        let s = entry.status();
        let staged_delta = entry.head_to_index();
        let path = staged_delta
            .as_ref()
            .and_then(|d| d.new_file().path())
            .or_else(|| entry.index_to_workdir().and_then(|d| d.new_file().path()))
            .map(slash)
            .or_else(|| entry.path().ok().map(str::to_string));
        let Some(path) = path else { continue };
        let (staged, unstaged) = if s.is_conflicted() {
            (None, Some(FileStatus::Conflicted))
        } else {
            let staged = if s.contains(Status::INDEX_NEW) {
                Some(FileStatus::Added)
            } else if s.contains(Status::INDEX_RENAMED) {
                Some(FileStatus::Renamed)
            } else if s.contains(Status::INDEX_DELETED) {
                Some(FileStatus::Deleted)
            } else if s.intersects(Status::INDEX_MODIFIED | Status::INDEX_TYPECHANGE) {
                Some(FileStatus::Modified)
            } else {
                None
            };
            let unstaged = if s.contains(Status::WT_NEW) {
                Some(FileStatus::Untracked)
            } else if s.contains(Status::WT_DELETED) {
                Some(FileStatus::Deleted)
            } else if s.contains(Status::WT_RENAMED) {
                Some(FileStatus::Renamed)
            } else if s.intersects(Status::WT_MODIFIED | Status::WT_TYPECHANGE) {
                Some(FileStatus::Modified)
            } else {
                None
            };
            (staged, unstaged)
        };
        if staged.is_none() && unstaged.is_none() {
            continue;
        }
        let from = if s.contains(Status::INDEX_RENAMED) {
            staged_delta
                .as_ref()
                .and_then(|d| d.old_file().path())
                .map(slash)
        } else {
            None
        };
        out.insert(
            path.clone(),
            Change {
                path,
                staged,
                unstaged,
                from,
            },
        );
    }
    Ok(out.into_values().collect())
}
