//! The writer thread: the one place the console changes the repo. It exists only in a console
//! that holds the [`WriteCap`] (never with `--read-only`, never in the dashboard), runs one write
//! at a time in order, and answers each with a [`WriteMsg`]. Quick actions edit the file in place
//! (written to a temporary file beside it, then renamed over it); git writes call the
//! operations beside it (`stage`, `commit`, `remote`, `rebase`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use tokio::sync::mpsc::Sender;
use tracing::{info, warn};

use super::protocol::{Pushed, RebaseCheck, WriteMsg, WriteOp};
use super::rebase;
use super::remote::{self, PushError};
use super::{commit, revisions, stage};
use crate::repo::edit;

/// Proof that this console may change the repo. Not `Copy`, no `Default`: it is held, not made.
///
/// Defined here, beside the thread it unlocks, so that `git` needs nothing from `app`: the app
/// holds it (`State::write`, re-exported as `app::write::WriteCap`) and puts it on every effect
/// that writes; [`Writer::spawn`] consumes one, so without it there is no thread that writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteCap {
    _private: (),
}

impl WriteCap {
    /// Grants the capability. Called once, by `main`, when `--read-only` is not set.
    pub fn grant() -> WriteCap {
        WriteCap { _private: () }
    }
}

pub struct Writer {
    jobs: mpsc::Sender<WriteOp>,
    cancel: Arc<AtomicBool>,
}

impl Writer {
    /// Starts the thread for the repo browsed at `root`. The capability is consumed: holding a
    /// `Writer` is holding it. The answers go to `tx` as whatever message type the caller's
    /// loop reads, made `From` a [`WriteMsg`].
    pub fn spawn<M>(_cap: WriteCap, root: PathBuf, tx: Sender<M>) -> Writer
    where
        M: From<WriteMsg> + Send + 'static,
    {
        let (jobs, rx) = mpsc::channel::<WriteOp>();
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = cancel.clone();
        std::thread::Builder::new()
            .name("git-writer".into())
            .spawn(move || {
                while let Ok(op) = rx.recv() {
                    flag.store(false, Ordering::SeqCst);
                    let _span = tracing::info_span!("write", op = op.name()).entered();
                    let msg = run(&root, op, &tx, &flag);
                    if tx.blocking_send(msg.into()).is_err() {
                        break;
                    }
                }
            })
            .expect("spawn git writer thread");
        Writer { jobs, cancel }
    }

    /// Queues a write. The `WriteCap` parameter keeps the call sites honest: only an effect made
    /// with the capability reaches here.
    pub fn send(&self, _cap: WriteCap, op: WriteOp) {
        let _ = self.jobs.send(op);
    }

    /// Cancels the write running now (a push or fetch), if it can be.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }
}

fn run<M: From<WriteMsg>>(
    root: &Path,
    op: WriteOp,
    tx: &Sender<M>,
    cancel: &AtomicBool,
) -> WriteMsg {
    let name = op.name();
    let done = |result: Result<String, git2::Error>| WriteMsg::Done {
        op: name,
        result: result.map_err(|e| e.message().to_string()),
    };
    match op {
        // The editor needs the terminal: the runtime runs it, never this thread.
        WriteOp::Edit { .. } => WriteMsg::Done {
            op: name,
            result: Err("the editor is run by the console".into()),
        },
        WriteOp::Quick {
            path,
            doc,
            kind,
            name: obj,
            action,
        } => {
            let result = quick(root, &path, doc, &kind, &obj, &action);
            match &result {
                Ok(line) => info!(%path, %line, "quick action"),
                Err(e) => warn!(%path, error = %e, "quick action refused"),
            }
            WriteMsg::QuickEdited { path, result }
        }
        WriteOp::Stage(paths) => {
            done(stage::stage(root, &paths).map(|_| format!("staged {}", paths.join(", "))))
        }
        WriteOp::Unstage(paths) => {
            done(stage::unstage(root, &paths).map(|_| format!("unstaged {}", paths.join(", "))))
        }
        WriteOp::Discard(path) => {
            done(stage::discard(root, &path).map(|_| format!("discarded the changes to {path}")))
        }
        WriteOp::Commit(message) => WriteMsg::Committed(
            commit::commit_cancellable(root, &message, cancel)
                .inspect(|c| info!(id = %c.short, via = ?c.via_system_git, "committed"))
                .map_err(|e| {
                    warn!(error = %e, "commit refused");
                    e.to_string()
                }),
        ),
        WriteOp::Push => WriteMsg::Pushed(push(root, tx, cancel, remote::push)),
        WriteOp::PushAnyway => WriteMsg::Pushed(push(root, tx, cancel, remote::push_anyway)),
        WriteOp::FetchAndCheck => WriteMsg::Fetched(
            remote::fetch(root, &mut progress(tx), cancel).and_then(|_| {
                rebase::rebase_check(root).map_err(|e| PushError::Rebase(e.message().to_string()))
            }),
        ),
        WriteOp::RebaseAndPush => match rebase::rebase_onto_upstream(root) {
            Ok(RebaseCheck::Conflict { paths }) => {
                WriteMsg::Fetched(Ok(RebaseCheck::Conflict { paths }))
            }
            Ok(_) => WriteMsg::Pushed(push(root, tx, cancel, remote::push)),
            Err(e) => WriteMsg::Fetched(Err(PushError::Rebase(e.message().to_string()))),
        },
    }
}

fn progress<M: From<WriteMsg>>(tx: &Sender<M>) -> impl FnMut(remote::Progress) + '_ {
    let mut last = String::new();
    move |p: remote::Progress| {
        let text = if !p.text.is_empty() {
            format!("{}: {}", p.stage, p.text.trim())
        } else if p.total > 0 {
            format!(
                "{}: {}/{} ({} KiB)",
                p.stage,
                p.current,
                p.total,
                p.bytes / 1024
            )
        } else {
            format!("{}: {} KiB", p.stage, p.bytes / 1024)
        };
        // Progress callbacks come thousands of times a second; send what changed.
        if text != last {
            last = text.clone();
            let _ = tx.try_send(WriteMsg::Progress(text).into());
        }
    }
}

/// The signature of `remote::push` and `remote::push_anyway`.
type PushFn =
    fn(&Path, &mut dyn FnMut(remote::Progress), &AtomicBool) -> Result<remote::Pushed, PushError>;

fn push<M: From<WriteMsg>>(
    root: &Path,
    tx: &Sender<M>,
    cancel: &AtomicBool,
    how: PushFn,
) -> Result<Pushed, PushError> {
    let before = revisions::upstream_id(root).ok().flatten();
    match how(root, &mut progress(tx), cancel) {
        Ok(p) => {
            let paths =
                revisions::changed_paths(root, before.as_deref(), &p.id).unwrap_or_default();
            info!(id = %p.id, remote = %p.remote, files = paths.len(), "pushed");
            Ok(Pushed {
                id: p.id,
                remote: p.remote,
                branch: p.branch,
                paths,
            })
        }
        Err(e) => {
            warn!(error = %e, "push failed");
            Err(e)
        }
    }
}

/// Applies a quick action to a repo file: the new text is written beside it and renamed over
/// it, so the file is either the old one or the new one, never half written.
fn quick(
    root: &Path,
    path: &str,
    doc: usize,
    kind: &str,
    name: &str,
    action: &edit::Action,
) -> Result<String, String> {
    let abs = root.join(path);
    let text = std::fs::read_to_string(&abs).map_err(|e| format!("cannot read it: {e}"))?;
    let (new, old) = edit::apply(&text, doc, kind, action).map_err(|e| e.to_string())?;
    if new == text {
        return Err(format!("it already says {old}"));
    }
    let tmp = abs.with_extension("blast-edit.tmp");
    std::fs::write(&tmp, new.as_bytes()).map_err(|e| format!("cannot write it: {e}"))?;
    if let Ok(meta) = std::fs::metadata(&abs) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, &abs).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write it: {e}")
    })?;
    Ok(action.describe(kind, name, &old))
}
