//! The capability to change the repo, and the changes it can make.
//!
//! Read-only is a matter of construction, not of hiding keys: every effect that writes (the
//! editor, a quick action, staging, discarding, committing, fetching, pushing) carries a
//! [`WriteCap`], `update` can only make one from the `WriteCap` held in `State::write`, and the
//! runtime only starts the writer thread that carries them out when it was given one. `main`
//! grants it unless `--read-only` is set; the dashboard never does. A read-only console therefore
//! has no value from which a write could be made, and no thread that could make it.
//!
//! Both types are defined in `git` (the capability beside the writer thread it unlocks, the ops in
//! `git::protocol`) so that `git` needs nothing from `app`; they are re-exported here.

pub use crate::git::protocol::WriteOp;
pub use crate::git::writer::WriteCap;
