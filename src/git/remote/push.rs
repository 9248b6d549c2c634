//! Push the current branch to its upstream.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::Via;
use super::error::PushError;
use super::progress::Progress;
use super::transfer::{Op, transfer};

/// A push that the remote accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    pub remote: String,
    /// The branch on the remote.
    pub branch: String,
    /// The commit the remote branch now points at.
    pub id: String,
    pub via: Via,
}

/// Pushes the current branch to its upstream (`branch.<name>.remote` / `.merge`), with libgit2
/// and the credentials described on `Creds` (ssh-agent, then unencrypted `~/.ssh` keys; for
/// https the git credential helper, then default credentials), falling back to the system `git`
/// when libgit2 cannot reach an ssh remote (a Host alias, ProxyJump, a hardware key only the
/// system ssh knows). Never falls back on a rejection. `progress` is called on this thread;
/// `cancel` is polled in the callbacks (and kills the system git).
///
/// On any error nothing local has changed: the commits are still on the local branch. The remote
/// branch did not move either, except after a cancel that came once the remote already had the
/// pack (libgit2 checks `cancel` up to the negotiation and in the remote's messages; the system
/// git is killed whenever it comes): then the next fetch shows where the remote stands.
pub fn push(
    root: &Path,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Pushed, PushError> {
    let (up, local, via) = transfer(root, Op::Push, progress, cancel)?;
    Ok(Pushed {
        branch: up
            .merge
            .strip_prefix("refs/heads/")
            .unwrap_or(&up.merge)
            .to_string(),
        remote: up.remote,
        id: local.map(|o| o.to_string()).unwrap_or_default(),
        via,
    })
}
