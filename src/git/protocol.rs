//! What goes into git's two threads and what comes out: the worker's jobs (`GitJob`) and answers
//! (`GitMsg`), the writer's jobs (`WriteOp`) and answers (`WriteMsg`).
//!
//! Messages flow one way: the threads send these types over a channel generic in the message
//! (`Sender<M>` with `M: From<GitMsg>` or `M: From<WriteMsg>`), the app turns them into its own
//! `Msg`, and nothing here names an app type. Everything is plain owned data, no git2 handle.

use std::sync::Arc;

use super::changes::Change;
pub use super::commit::Committed;
use super::diff::DiffLine;
use super::log::Commit;
pub use super::remote::PushError;
use super::revisions::PathRevisionFound;
use super::status::GitStatus;
use crate::repo::edit;

/// A read for the worker. Jobs that pile up while one runs collapse (see `worker`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitJob {
    Status,
    Log(String),
    /// Where the repo stands against Applications' synced revisions, per path.
    Revisions(Vec<(String, String)>),
    /// The changed files and the commit author, for the changes view.
    Changes,
    /// The diff of one file (work-tree path) against HEAD.
    Diff(String),
}

/// The worker's answers. Errors are git's message, for the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitMsg {
    /// Branch, upstream, ahead/behind and file statuses; paths relative to the browsed root.
    Status(Result<GitStatus, String>),
    /// The history of `path` (relative to the browsed root).
    Log {
        path: String,
        result: Result<Vec<Commit>, String>,
    },
    /// Per `(revision, path)` asked: the newest commit changing it and how far behind it is.
    Revisions(Vec<PathRevisionFound>),
    /// The change list, for the changes view.
    Changes(Result<ChangesData, String>),
    /// The diff of one file (work-tree path).
    Diff {
        path: String,
        result: Result<Arc<Vec<DiffLine>>, String>,
    },
}

/// What the git worker read for the changes view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangesData {
    pub files: Vec<Change>,
    /// `Name <email>` from git config, or why there is none.
    pub author: Result<String, String>,
    /// Where the browsed folder sits in the work tree (`""` at its top).
    pub prefix: String,
}

/// A change to the repo, run by the writer thread (`git::writer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOp {
    /// Open a repo file (relative path) in `$VISUAL`/`$EDITOR` at a line, the TUI suspended.
    /// The runtime runs it (it needs the terminal), never the writer.
    Edit {
        path: String,
        line: usize,
    },
    /// A quick action on document `doc` (a `kind` named `name`) of a repo file.
    Quick {
        path: String,
        doc: usize,
        kind: String,
        name: String,
        action: edit::Action,
    },
    /// Paths relative to the git work tree.
    Stage(Vec<String>),
    Unstage(Vec<String>),
    Discard(String),
    Commit(String),
    Push,
    /// Push though commits to push are not signed where the repo signs (`commit.gpgsign`): the
    /// user said yes to the question a `Push` answered with `PushError::Unsigned`.
    PushAnyway,
    /// After a rejected push: fetch the upstream and see whether a rebase would apply cleanly.
    FetchAndCheck,
    /// Rebase the local commits onto the fetched upstream, then push.
    RebaseAndPush,
}

impl WriteOp {
    pub fn name(&self) -> &'static str {
        match self {
            WriteOp::Edit { .. } => "edit",
            WriteOp::Quick { .. } => "quick action",
            WriteOp::Stage(_) => "stage",
            WriteOp::Unstage(_) => "unstage",
            WriteOp::Discard(_) => "discard",
            WriteOp::Commit(_) => "commit",
            WriteOp::Push | WriteOp::PushAnyway => "push",
            WriteOp::FetchAndCheck => "fetch",
            WriteOp::RebaseAndPush => "rebase and push",
        }
    }
}

/// A push the remote accepted, as the console shows and follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    pub id: String,
    pub remote: String,
    pub branch: String,
    /// Files changed by the pushed commits (relative to the work tree), for the reconcile.
    pub paths: Vec<String>,
}

/// After a rejected push and a fetch: would the local commits rebase cleanly onto the upstream?
/// The rebase's own answer, under the name the console has always used for it.
pub use super::rebase::Rebase as RebaseCheck;

/// The answers of the writer thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteMsg {
    /// Stage, unstage, discard: done, or why not.
    Done {
        op: &'static str,
        result: Result<String, String>,
    },
    /// A quick action edited `path`: the commit-message line, or why it could not.
    QuickEdited {
        path: String,
        result: Result<String, String>,
    },
    /// The commit made (short id, summary, and whether the system git made it), or why not.
    Committed(Result<Committed, String>),
    /// A line of a push's or fetch's progress.
    Progress(String),
    /// The push, or why not: typed, so the console can say what to do next.
    Pushed(Result<Pushed, PushError>),
    /// After a rejected push: the fetch and the rebase check (or the rebase before pushing
    /// again, when it conflicts), or why they failed.
    Fetched(Result<RebaseCheck, PushError>),
}
