//! Push the current branch to its upstream.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::error::{PushError, UnsignedCommit};
use super::progress::Progress;
use super::transfer::{Op, transfer};
use super::upstream;
use crate::git::hooks;
use crate::git::repository::open;

/// A push that the remote accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    pub remote: String,
    /// The branch on the remote.
    pub branch: String,
    /// The commit the remote branch now points at.
    pub id: String,
}

/// Pushes the current branch to its upstream (`branch.<name>.remote` / `.merge`) with the
/// system `git push`, detached from the terminal (no prompt: the ssh agent, keys and git
/// credential helpers the user's git uses, or an authentication error). `progress` is called on
/// this thread with git's `--progress` lines; `cancel` kills git and its ssh.
///
/// Where the repo signs its commits (`commit.gpgsign`) and some commits to push carry no
/// signature, nothing is pushed: `PushError::Unsigned` names them, so the user can be asked
/// (`push_anyway` pushes them). Without signing configured, commits are pushed as they are.
///
/// On any error nothing local has changed: the commits are still on the local branch. The remote
/// branch did not move either, except after a cancel that came once the remote already had the
/// pack: then the next fetch shows where the remote stands.
pub fn push(
    root: &Path,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Pushed, PushError> {
    let unsigned = unsigned_to_push(root);
    if !unsigned.is_empty() {
        return Err(PushError::Unsigned(unsigned));
    }
    push_anyway(root, progress, cancel)
}

/// `push` without looking at signatures: once the user has said yes to pushing unsigned
/// commits.
pub fn push_anyway(
    root: &Path,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Pushed, PushError> {
    let (up, local) = transfer(root, Op::Push, progress, cancel)?;
    Ok(Pushed {
        branch: up
            .merge
            .strip_prefix("refs/heads/")
            .unwrap_or(&up.merge)
            .to_string(),
        remote: up.remote,
        id: local.map(|o| o.to_string()).unwrap_or_default(),
    })
}

/// Commits looked at for a signature before a push; beyond, the rest is not checked.
const SIGNATURE_WALK: usize = 1000;

/// With `commit.gpgsign` set, the commits to push (those the upstream's tracking ref does not
/// have) that carry no signature, newest first; empty where signing is not configured. Only
/// the presence of a signature counts, read from the commit object (libgit2's
/// `extract_signature`), not whether this machine can verify it: `git log --format=%G?` says
/// `N` of a good ssh signature when `gpg.ssh.allowedSignersFile` is not set, and the remote
/// checks signatures against its own keys anyway. Any error reading the repo is left to the
/// push itself to report.
pub fn unsigned_to_push(root: &Path) -> Vec<UnsignedCommit> {
    let Ok(repo) = open(root) else {
        return Vec::new();
    };
    if repo
        .config()
        .ok()
        .and_then(|c| hooks::signing(&c))
        .is_none()
    {
        return Vec::new();
    }
    let Ok(up) = upstream(&repo) else {
        return Vec::new();
    };
    let local = format!("refs/heads/{}", up.branch);
    let Ok(mut walk) = repo.revwalk() else {
        return Vec::new();
    };
    if walk.push_ref(&local).is_err() {
        return Vec::new();
    }
    let _ = walk.set_sorting(git2::Sort::TOPOLOGICAL);
    if let Ok(tracking) = repo.branch_upstream_name(&local)
        && let Ok(tracking) = tracking.as_str()
        && repo.find_reference(tracking).is_ok()
    {
        let _ = walk.hide_ref(tracking);
    }
    walk.take(SIGNATURE_WALK)
        .filter_map(Result::ok)
        .filter(|id| repo.extract_signature(id, None).is_err())
        .filter_map(|id| {
            let commit = repo.find_commit(id).ok()?;
            Some(UnsignedCommit {
                short: id.to_string()[..7].to_string(),
                subject: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default())
                    .into_owned(),
            })
        })
        .collect()
}
