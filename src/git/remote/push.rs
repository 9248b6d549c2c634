//! Push the current branch to its upstream.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::error::PushError;
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
/// On any error nothing local has changed: the commits are still on the local branch. The remote
/// branch did not move either, except after a cancel that came once the remote already had the
/// pack: then the next fetch shows where the remote stands.
pub fn push(
    root: &Path,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Pushed, PushError> {
    refuse_unsigned(root)?;
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

/// With `commit.gpgsign` set, refuses a push of commits that are not signed (the remote may
/// require signatures, and would refuse them after the upload; or, worse, not). Looks at the
/// commits the upstream's tracking ref does not have. Any error reading the repo is left to
/// the push itself to report.
fn refuse_unsigned(root: &Path) -> Result<(), PushError> {
    let Ok(repo) = open(root) else {
        return Ok(());
    };
    if repo
        .config()
        .ok()
        .and_then(|c| hooks::signing(&c))
        .is_none()
    {
        return Ok(());
    }
    let Ok(up) = upstream(&repo) else {
        return Ok(());
    };
    let local = format!("refs/heads/{}", up.branch);
    let Ok(mut walk) = repo.revwalk() else {
        return Ok(());
    };
    if walk.push_ref(&local).is_err() {
        return Ok(());
    }
    if let Ok(tracking) = repo.branch_upstream_name(&local)
        && let Ok(tracking) = tracking.as_str()
        && repo.find_reference(tracking).is_ok()
    {
        let _ = walk.hide_ref(tracking);
    }
    let unsigned: Vec<String> = walk
        .take(SIGNATURE_WALK)
        .filter_map(Result::ok)
        .filter(|id| repo.extract_signature(id, None).is_err())
        .map(|id| id.to_string()[..7].to_string())
        .collect();
    if unsigned.is_empty() {
        Ok(())
    } else {
        Err(PushError::Unsigned(unsigned))
    }
}
