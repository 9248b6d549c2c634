//! `blast dashboard`: a full-screen, read-only wall for the operations room.
//!
//! Its own pure core (`state`: `State`, `Msg`, `Effect`, `update`, `settle`), drawn by `view`
//! from the same per-site summaries as the console's overview and `blast status`
//! (`app::live::summary::overview`), and wired by `run` to the console's terminal guard, input
//! thread and kube supervisor. Nothing in it can edit a file or write to git: its effects are
//! watches, a read of the repo's revisions, and quitting.

pub mod digits;
pub mod run;
pub mod state;
pub mod view;

pub use state::{Effect, Msg, Page, State, settle, update};
