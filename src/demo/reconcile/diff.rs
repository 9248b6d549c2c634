//! What a push changed: the tip of the tracked branch, and the files that differ between two
//! commits.

use std::path::Path;

use super::FileChange;

/// The commit `refs/heads/<branch>` of `origin` points at.
pub fn tip(origin: &Path, branch: &str) -> Result<String, String> {
    let repo = git2::Repository::open_bare(origin)
        .or_else(|_| git2::Repository::open(origin))
        .map_err(|e| format!("{}: {}", origin.display(), e.message()))?;
    repo.refname_to_id(&format!("refs/heads/{branch}"))
        .map(|o| o.to_string())
        .map_err(|e| format!("{}: {branch}: {}", origin.display(), e.message()))
}

/// The files that differ between commits `old` and `new` of the repository at `repo` (every
/// file of `new` when `old` is not in it).
pub fn changed_files(repo: &Path, old: &str, new: &str) -> Result<Vec<FileChange>, String> {
    let r = git2::Repository::open(repo).map_err(|e| e.message().to_string())?;
    let err = |e: git2::Error| e.message().to_string();
    fn tree_of<'r>(r: &'r git2::Repository, sha: &str) -> Option<git2::Tree<'r>> {
        let oid = git2::Oid::from_str(sha).ok()?;
        r.find_commit(oid).ok()?.tree().ok()
    }
    let new_tree = tree_of(&r, new).ok_or_else(|| format!("commit {new} not found"))?;
    let old_tree = tree_of(&r, old);
    let diff = r
        .diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), None)
        .map_err(err)?;
    let blob_text = |id: git2::Oid| -> Option<String> {
        if id.is_zero() {
            return None;
        }
        let blob = r.find_blob(id).ok()?;
        String::from_utf8(blob.content().to_vec()).ok()
    };
    let mut out = Vec::new();
    for d in diff.deltas() {
        let path = d
            .new_file()
            .path()
            .or_else(|| d.old_file().path())
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        out.push(FileChange {
            path,
            old: blob_text(d.old_file().id()),
            new: blob_text(d.new_file().id()),
        });
    }
    Ok(out)
}
