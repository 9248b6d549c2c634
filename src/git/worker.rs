//! One thread that runs git jobs in order. Requests that pile up while a job runs collapse:
//! several status refreshes become one, and only the newest log request is served.

use std::path::PathBuf;
use std::sync::mpsc;

use tokio::sync::mpsc::Sender;
use tracing::{debug, warn};

pub use super::protocol::GitJob;
use super::protocol::{ChangesData, GitMsg};
use super::{changes, commit, diff, log, revisions, status};

/// Commits shown in the log pane, and how far back the walk may go looking for them.
const LOG_LIMIT: usize = 50;
const LOG_SCAN: usize = 5_000;

/// Starts the worker for the repo browsed at `root`. Paths in and out are relative to `root`,
/// which may sit below the git work tree. The answers go to `tx` as whatever message type the
/// caller's loop reads, made `From` a [`GitMsg`].
pub fn spawn<M>(root: PathBuf, tx: Sender<M>) -> mpsc::Sender<GitJob>
where
    M: From<GitMsg> + Send + 'static,
{
    let (jobs_tx, jobs) = mpsc::channel::<GitJob>();
    std::thread::Builder::new()
        .name("git-worker".into())
        .spawn(move || {
            let prefix = status::discover(&root)
                .and_then(|w| {
                    root.canonicalize()
                        .ok()?
                        .strip_prefix(w.canonicalize().ok()?)
                        .ok()
                        .map(|p| p.to_path_buf())
                })
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let prefix = if prefix.is_empty() {
                prefix
            } else {
                format!("{prefix}/")
            };
            while let Ok(first) = jobs.recv() {
                let mut status = false;
                let mut log = None;
                let mut revisions = None;
                let mut changes = false;
                let mut diff = None;
                for job in std::iter::once(first).chain(jobs.try_iter()) {
                    match job {
                        GitJob::Status => status = true,
                        GitJob::Log(p) => log = Some(p),
                        GitJob::Revisions(w) => revisions = Some(w),
                        GitJob::Changes => changes = true,
                        GitJob::Diff(p) => diff = Some(p),
                    }
                }
                if changes {
                    let _span = tracing::debug_span!("git_changes").entered();
                    let result = changes::changes(&root)
                        .map(|files| ChangesData {
                            files,
                            author: commit::author(&root).map_err(|e| e.to_string()),
                            prefix: prefix.trim_end_matches('/').to_string(),
                        })
                        .map_err(|e| e.message().to_string());
                    if tx.blocking_send(GitMsg::Changes(result).into()).is_err() {
                        break;
                    }
                }
                if let Some(path) = diff {
                    let result = diff::diff_file(&root, &path)
                        .map(std::sync::Arc::new)
                        .map_err(|e| e.message().to_string());
                    if tx
                        .blocking_send(GitMsg::Diff { path, result }.into())
                        .is_err()
                    {
                        break;
                    }
                }
                if status {
                    let _span = tracing::debug_span!("git_status").entered();
                    let result = status::status(&root).map(|mut s| {
                        s.files = s
                            .files
                            .into_iter()
                            .filter_map(|(p, st)| Some((p.strip_prefix(&prefix)?.to_string(), st)))
                            .collect();
                        s
                    });
                    if let Err(e) = &result {
                        warn!(error = %e, "git status failed");
                    }
                    if tx
                        .blocking_send(
                            GitMsg::Status(result.map_err(|e| e.message().to_string())).into(),
                        )
                        .is_err()
                    {
                        break;
                    }
                }
                if let Some(wanted) = revisions {
                    let _span = tracing::debug_span!("git_revisions", n = wanted.len()).entered();
                    match revisions::path_revisions(&root, &wanted, LOG_SCAN) {
                        Ok(found) => {
                            if tx.blocking_send(GitMsg::Revisions(found).into()).is_err() {
                                break;
                            }
                        }
                        Err(e) => warn!(error = %e, "git revisions failed"),
                    }
                }
                if let Some(path) = log {
                    let _span = tracing::debug_span!("git_log", path = %path).entered();
                    let result =
                        log::path_log(&root, &format!("{prefix}{path}"), LOG_LIMIT, LOG_SCAN);
                    debug!(ok = result.is_ok(), "path log");
                    let msg = GitMsg::Log {
                        path,
                        result: result.map_err(|e| e.message().to_string()),
                    };
                    if tx.blocking_send(msg.into()).is_err() {
                        break;
                    }
                }
            }
        })
        .expect("spawn git worker thread");
    jobs_tx
}
