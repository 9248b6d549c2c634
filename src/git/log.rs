//! The history of one path, for the browser's log pane. Reads only; the git worker runs it.

use std::path::Path;

use super::repository::open;

/// One commit of a path's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: String,
    pub short: String,
    pub author: String,
    /// Seconds since the epoch (committer time).
    pub time: i64,
    pub summary: String,
}

/// The newest `limit` commits reachable from HEAD that changed `path` (a file or folder, relative
/// to the work tree; empty for the whole repo). Walks at most `scan` commits so a deep history
/// cannot stall the worker.
pub fn path_log(
    root: &Path,
    path: &str,
    limit: usize,
    scan: usize,
) -> Result<Vec<Commit>, git2::Error> {
    let repo = open(root)?;
    let mut walk = repo.revwalk()?;
    if walk.push_head().is_err() {
        return Ok(Vec::new());
    }
    walk.set_sorting(git2::Sort::TIME)?;
    let mut out = Vec::new();
    let mut opts = git2::DiffOptions::new();
    if !path.is_empty() {
        opts.pathspec(path);
    }
    for id in walk.take(scan) {
        let commit = repo.find_commit(id?)?;
        let touched = if path.is_empty() {
            true
        } else {
            let tree = commit.tree()?;
            let parent_tree = match commit.parent(0) {
                Ok(p) => Some(p.tree()?),
                Err(_) => None,
            };
            let diff =
                repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))?;
            diff.deltas().len() > 0
        };
        if touched {
            let id = commit.id().to_string();
            out.push(Commit {
                short: id[..7].to_string(),
                id,
                author: commit.author().name().unwrap_or("?").to_string(),
                time: commit.time().seconds(),
                summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
            });
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}
