//! The capability to change the repo, and the changes it can make.
//!
//! Read-only is a matter of construction, not of hiding keys: every effect that writes (the
//! editor, a quick action, staging, discarding, committing, fetching, pushing) carries a
//! [`WriteCap`], `update` can only make one from the `WriteCap` held in `State::write`, and the
//! runtime only starts the writer thread that carries them out when it was given one. `main`
//! grants it unless `--read-only` is set; the dashboard never does. A read-only console therefore
//! has no value from which a write could be made, and no thread that could make it.

use crate::repo::edit;

/// Proof that this console may change the repo. Not `Copy`, no `Default`: it is held, not made.
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

/// A change to the repo, run by the writer thread (`git::writer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOp {
    /// Open a repo file (relative path) in `$VISUAL`/`$EDITOR` at a line, the TUI suspended.
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
            WriteOp::Push => "push",
            WriteOp::FetchAndCheck => "fetch",
            WriteOp::RebaseAndPush => "rebase and push",
        }
    }
}
