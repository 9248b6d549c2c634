//! One push or fetch: libgit2 with our credentials and progress callbacks, then the system git
//! when libgit2 could not reach an ssh remote; its failure sorted into a typed `PushError`.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use git2::{ErrorCode, Oid};

use super::creds::Creds;
use super::error::PushError;
use super::progress::Progress;
use super::system_git::{self, GitOutcome};
use super::{Upstream, Via, is_ssh_url, redact, upstream};
use crate::git::repository::{open, workdir};

pub(super) enum Op {
    Push,
    Fetch,
}

/// Runs a push or fetch through libgit2, then through the system git when libgit2 could not
/// reach an ssh remote.
pub(super) fn transfer(
    root: &Path,
    op: Op,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<(Upstream, Option<Oid>, Via), PushError> {
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
    let mut remote = repo
        .find_remote(&up.remote)
        .or_else(|_| repo.remote_anonymous(&up.remote))
        .map_err(|e| PushError::Other(e.message().to_string()))?;
    let fetch_url = remote.url().unwrap_or_default().to_string();
    let url = match op {
        Op::Push => remote
            .pushurl()
            .ok()
            .flatten()
            .map(str::to_string)
            .unwrap_or(fetch_url),
        Op::Fetch => fetch_url,
    };
    let config = repo.config().ok();
    let refspec = format!("refs/heads/{}:{}", up.branch, up.merge);
    let progress = std::cell::RefCell::new(progress);
    let creds = std::cell::RefCell::new(Creds::default());
    let rejected = std::cell::RefCell::new(None::<String>);
    let result = {
        let mut cb = git2::RemoteCallbacks::new();
        cb.credentials(|url, user, allowed| {
            if cancel.load(Ordering::SeqCst) {
                return Err(git2::Error::from_str("cancelled"));
            }
            creds.borrow_mut().next(config.as_ref(), url, user, allowed)
        });
        cb.push_transfer_progress(|current, total, bytes| {
            (progress.borrow_mut())(Progress {
                stage: "writing",
                current,
                total,
                bytes,
                text: String::new(),
            })
        });
        cb.pack_progress(|stage, current, total| {
            let stage = match stage {
                git2::PackBuilderStage::AddingObjects => "counting",
                git2::PackBuilderStage::Deltafication => "compressing",
            };
            (progress.borrow_mut())(Progress {
                stage,
                current,
                total,
                bytes: 0,
                text: String::new(),
            })
        });
        cb.sideband_progress(|data| {
            let text = String::from_utf8_lossy(data);
            if let Some(line) = text
                .split(['\r', '\n'])
                .map(str::trim)
                .rfind(|l| !l.is_empty())
            {
                (progress.borrow_mut())(Progress {
                    stage: "remote",
                    current: 0,
                    total: 0,
                    bytes: 0,
                    text: redact(line),
                });
            }
            !cancel.load(Ordering::SeqCst)
        });
        cb.transfer_progress(|p| {
            let (stage, current, total) = if p.received_objects() < p.total_objects() {
                ("receiving", p.received_objects(), p.total_objects())
            } else {
                ("resolving", p.indexed_deltas(), p.total_deltas())
            };
            (progress.borrow_mut())(Progress {
                stage,
                current,
                total,
                bytes: p.received_bytes(),
                text: String::new(),
            });
            !cancel.load(Ordering::SeqCst)
        });
        cb.push_negotiation(|_| {
            if cancel.load(Ordering::SeqCst) {
                Err(git2::Error::from_str("cancelled"))
            } else {
                Ok(())
            }
        });
        cb.push_update_reference(|_refname, status| {
            if let Some(s) = status {
                *rejected.borrow_mut() = Some(s.to_string());
            }
            Ok(())
        });
        let mut proxy = git2::ProxyOptions::new();
        proxy.auto();
        match op {
            Op::Push => {
                let mut opts = git2::PushOptions::new();
                opts.remote_callbacks(cb).proxy_options(proxy);
                remote.push(&[refspec.as_str()], Some(&mut opts))
            }
            Op::Fetch => {
                let mut opts = git2::FetchOptions::new();
                opts.remote_callbacks(cb).proxy_options(proxy);
                remote.fetch::<&str>(&[], Some(&mut opts), None)
            }
        }
    };
    let progress = progress.into_inner();
    let creds = creds.into_inner();
    let branch = up
        .merge
        .strip_prefix("refs/heads/")
        .unwrap_or(&up.merge)
        .to_string();
    let rejected_as = |message: String| PushError::Rejected {
        remote: up.remote.clone(),
        branch: branch.clone(),
        message,
    };
    if let Some(status) = rejected.into_inner() {
        return Err(rejected_as(status));
    }
    let err = match result {
        Ok(()) => return Ok((up, local, Via::Libgit2)),
        Err(e) => e,
    };
    if cancel.load(Ordering::SeqCst) {
        return Err(PushError::Cancelled);
    }
    if err.code() == ErrorCode::NotFastForward {
        return Err(rejected_as(err.message().to_string()));
    }
    let why = redact(err.message());
    if is_ssh_url(&url) && crate::git::system_git::available() {
        let mut args: Vec<String> = match op {
            Op::Push => vec!["push".into(), "--porcelain".into()],
            Op::Fetch => vec!["fetch".into()],
        };
        args.extend(["--progress".into(), up.remote.clone()]);
        if let Op::Push = op {
            args.push(refspec.clone());
        }
        let wd = workdir(&repo).map_err(|e| PushError::Other(e.message().to_string()))?;
        return match system_git::run(&wd, &args, progress, cancel)? {
            GitOutcome::Ok => Ok((
                up,
                local,
                Via::SystemGit {
                    why: why.to_string(),
                },
            )),
            GitOutcome::Rejected(m) => Err(rejected_as(m)),
            GitOutcome::Failed(m) => {
                let mut tried = creds.tried;
                tried.push("system git with your ssh config".into());
                if system_git::looks_like_auth(&m)
                    || creds.exhausted
                    || err.code() == ErrorCode::Auth
                {
                    Err(PushError::Auth { message: m, tried })
                } else if system_git::looks_like_network(&m) {
                    Err(PushError::Network {
                        remote: up.remote.clone(),
                        message: m,
                    })
                } else {
                    Err(PushError::Other(format!("{why}; system git: {m}")))
                }
            }
        };
    }
    if creds.exhausted || err.code() == ErrorCode::Auth {
        return Err(PushError::Auth {
            message: why,
            tried: creds.tried,
        });
    }
    if is_network(&err, &url) {
        return Err(PushError::Network {
            remote: up.remote.clone(),
            message: why,
        });
    }
    Err(PushError::Other(why))
}

/// A libgit2 error of the transport itself (TLS, http, ssh, or a socket that would not connect
/// to a remote across the network), once cancel, rejection and authentication are ruled out:
/// the remote could not be reached. An error reading a remote on this machine is not one.
fn is_network(err: &git2::Error, url: &str) -> bool {
    use git2::ErrorClass;
    let across = is_ssh_url(url)
        || ["http://", "https://", "git://"]
            .iter()
            .any(|s| url.starts_with(s));
    match err.class() {
        ErrorClass::Net | ErrorClass::Ssl | ErrorClass::Http | ErrorClass::Ssh => true,
        // libgit2 reports a refused or timed-out connect as an OS error.
        ErrorClass::Os => across,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::ErrorClass;

    #[test]
    fn transport_errors_are_network_errors_and_others_are_not() {
        let e = |class| git2::Error::new(ErrorCode::GenericError, class, "x");
        let https = "https://git.example.com/dc.git";
        for class in [
            ErrorClass::Net,
            ErrorClass::Ssl,
            ErrorClass::Http,
            ErrorClass::Ssh,
            ErrorClass::Os,
        ] {
            assert!(is_network(&e(class), https), "{class:?}");
        }
        assert!(is_network(&e(ErrorClass::Os), "git@git.example.com:dc.git"));
        for class in [
            ErrorClass::Repository,
            ErrorClass::Reference,
            ErrorClass::Config,
        ] {
            assert!(!is_network(&e(class), https), "{class:?}");
        }
        // A remote on this machine that cannot be read is not a network failure.
        assert!(!is_network(&e(ErrorClass::Os), "/srv/git/dc.git"));
        assert!(!is_network(&e(ErrorClass::Os), "file:///srv/git/dc.git"));
    }
}
