//! Stage, unstage and discard whole files: the index (and for discard the working tree) put
//! back or moved forward, each written once so a failure leaves the index on disk as it was.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{IndexEntry, IndexTime};

use super::changes::changes;
use super::repository::{head_tree, open, workdir};

/// Stages whole files, like `git add -- PATH`: a file present in the working tree is added (or
/// updated, which also marks a conflict resolved); a file gone from it is removed from the index.
/// The index is written once, after every path went in: on error the index on disk is unchanged.
pub fn stage(root: &Path, paths: &[String]) -> Result<(), git2::Error> {
    let repo = open(root)?;
    let wd = workdir(&repo)?;
    let mut index = repo.index()?;
    for p in paths {
        let rel = Path::new(p);
        if wd.join(rel).symlink_metadata().is_ok() {
            index.add_path(rel)?;
        } else {
            index.remove_path(rel)?;
        }
    }
    index.write()
}

/// Puts the index entry of `path` back to HEAD's (removes it when HEAD has no such file).
fn reset_entry(
    index: &mut git2::Index,
    tree: Option<&git2::Tree<'_>>,
    path: &str,
) -> Result<(), git2::Error> {
    let rel = Path::new(path);
    index.remove_path(rel)?;
    let Some(entry) = tree.and_then(|t| t.get_path(rel).ok()) else {
        return Ok(());
    };
    if entry.kind() == Some(git2::ObjectType::Tree) {
        return Ok(());
    }
    let zero = IndexTime::new(0, 0);
    index.add(&IndexEntry {
        ctime: zero,
        mtime: zero,
        dev: 0,
        ino: 0,
        mode: entry.filemode() as u32,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: entry.id(),
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    })
}

/// `paths` plus the HEAD-side path of any of them that is a staged rename.
fn with_rename_sources(root: &Path, paths: &[String]) -> Result<Vec<String>, git2::Error> {
    let renames: BTreeMap<String, String> = changes(root)?
        .into_iter()
        .filter_map(|c| Some((c.path, c.from?)))
        .collect();
    let mut all: Vec<String> = paths.to_vec();
    all.extend(paths.iter().filter_map(|p| renames.get(p).cloned()));
    all.sort();
    all.dedup();
    Ok(all)
}

/// Unstages whole files, like `git restore --staged -- PATH`: each index entry goes back to
/// HEAD's, or is removed when HEAD has no such file (an added file becomes untracked again).
/// Unstaging a staged rename unstages both of its paths. The working tree is never touched, and
/// the index is written once at the end: on error the index on disk is unchanged.
pub fn unstage(root: &Path, paths: &[String]) -> Result<(), git2::Error> {
    let repo = open(root)?;
    let all = with_rename_sources(root, paths)?;
    let tree = head_tree(&repo)?;
    let mut index = repo.index()?;
    for p in &all {
        reset_entry(&mut index, tree.as_ref(), p)?;
    }
    index.write()
}

/// Throws away every change to one file, staged or not: the index entry and the working-tree
/// file go back to HEAD's; a file HEAD does not have (untracked or added) is deleted, and folders
/// it leaves empty are removed. Discarding a staged rename restores the old path too.
///
/// This is the one call here that loses work by design: the UI asks first. The index is written
/// before the working tree is touched; a failure in between leaves the change unstaged but still
/// in the working tree.
pub fn discard(root: &Path, path: &str) -> Result<(), git2::Error> {
    let repo = open(root)?;
    let wd = workdir(&repo)?;
    let all = with_rename_sources(root, &[path.to_string()])?;
    let tree = head_tree(&repo)?;
    let mut index = repo.index()?;
    for p in &all {
        reset_entry(&mut index, tree.as_ref(), p)?;
    }
    index.write()?;
    let (restore, delete): (Vec<&String>, Vec<&String>) = all.iter().partition(|p| {
        tree.as_ref()
            .and_then(|t| t.get_path(Path::new(p.as_str())).ok())
            .is_some()
    });
    if !restore.is_empty() {
        let mut co = git2::build::CheckoutBuilder::new();
        co.force().disable_pathspec_match(true);
        for p in &restore {
            co.path(p.as_str());
        }
        repo.checkout_index(Some(&mut index), Some(&mut co))?;
    }
    for p in delete {
        let file = wd.join(p);
        match file.symlink_metadata() {
            Ok(m) if m.is_dir() => {
                return Err(git2::Error::from_str(&format!(
                    "{p} is a folder; discard its files one by one"
                )));
            }
            Ok(_) => std::fs::remove_file(&file)
                .map_err(|e| git2::Error::from_str(&format!("removing {p}: {e}")))?,
            Err(_) => {}
        }
        let mut dir = file.parent();
        while let Some(d) = dir {
            if d == wd || !d.starts_with(&wd) || std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
}
