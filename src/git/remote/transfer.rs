//! One push or fetch, through the system `git` (see `remote` for why): its progress parsed, its
//! failure sorted into a typed `PushError`.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use git2::Oid;

use super::error::PushError;
use super::progress::Progress;
use super::system_git::{self, GitOutcome};
use super::{Upstream, upstream};
use crate::git::repository::{open, workdir};

pub(super) enum Op {
    Push,
    Fetch,
}

/// What the system git is said to have tried when it could not authenticate.
pub(super) const TRIED: &str = "the system git (your ssh config and agent, git credential helpers)";

/// Runs a push (of the branch to its upstream) or a fetch (of the upstream's remote) with the
/// system git. Returns the upstream and, for a push, the commit pushed.
pub(super) fn transfer(
    root: &Path,
    op: Op,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<(Upstream, Option<Oid>), PushError> {
    let repo = open(root).map_err(|e| PushError::Other(e.message().to_string()))?;
    let up = upstream(&repo)?;
    let local = match op {
        Op::Push => {
            let refname = format!("refs/heads/{}", up.branch);
            match repo.refname_to_id(&refname) {
                Ok(id) => Some(id),
                Err(_) => {
                    return Err(PushError::Other(format!(
                        "branch {} has no commit to push yet",
                        up.branch
                    )));
                }
            }
        }
        Op::Fetch => None,
    };
    if cancel.load(Ordering::SeqCst) {
        return Err(PushError::Cancelled);
    }
    if !crate::git::system_git::available() {
        return Err(PushError::Other(
            "push and fetch run the system git, and no `git` was found on PATH".into(),
        ));
    }
    let wd = workdir(&repo).map_err(|e| PushError::Other(e.message().to_string()))?;
    drop(repo);
    let refspec = format!("refs/heads/{}:{}", up.branch, up.merge);
    let mut args: Vec<String> = match op {
        Op::Push => vec!["push".into(), "--porcelain".into()],
        Op::Fetch => vec!["fetch".into()],
    };
    args.extend(["--progress".into(), up.remote.clone()]);
    if let Op::Push = op {
        args.push(refspec);
    }
    let branch = up
        .merge
        .strip_prefix("refs/heads/")
        .unwrap_or(&up.merge)
        .to_string();
    match system_git::run(&wd, &args, progress, cancel)? {
        GitOutcome::Ok => Ok((up, local)),
        GitOutcome::Rejected(message) => Err(PushError::Rejected {
            remote: up.remote.clone(),
            branch,
            message,
        }),
        GitOutcome::Failed(m) => {
            if system_git::looks_like_auth(&m) {
                Err(PushError::Auth {
                    message: m,
                    tried: vec![TRIED.into()],
                })
            } else if system_git::looks_like_network(&m) {
                Err(PushError::Network {
                    remote: up.remote.clone(),
                    message: m,
                })
            } else {
                Err(PushError::Other(m))
            }
        }
    }
}
