//! Git: blocking git2 calls, one file per operation (as gitui's `asyncgit::sync`), and the two
//! threads that run them off the UI thread.
//!
//! A newcomer's map:
//!
//! | file | what it does |
//! |------|--------------|
//! | `repository.rs` | opening the repository, HEAD, the git operation in progress: shared helpers |
//! | `status.rs` | branch, upstream, ahead/behind and a status per file (`GitStatus`, `FileStatus`) |
//! | `log.rs` | the commits that changed one path (`Commit`), for the log pane |
//! | `revisions.rs` | how far behind HEAD a synced revision is per path; what a push changed |
//! | `changes.rs` | the change list: staged and unstaged per file (`Change`) |
//! | `diff.rs` | one file's diff from HEAD to the working tree (`DiffLine`) |
//! | `stage.rs` | stage, unstage, discard |
//! | `commit.rs` | commit the index, or say why not (`CommitError`) |
//! | `rebase.rs` | rebase the local commits onto the fetched upstream, or check that it would apply |
//! | `remote/` | push and fetch: `transfer.rs` (libgit2), `creds.rs`, `system_git.rs` (the ssh fallback), `progress.rs`, `error.rs` (`PushError`) |
//! | `protocol.rs` | what goes into the two threads and comes out (`GitJob`, `GitMsg`, `WriteOp`, `WriteMsg`) |
//! | `worker.rs` | the read-only thread: status, log, revisions, changes, diff; collapses piled-up requests |
//! | `test_support.rs` | for tests only: `git` with a fixed identity, a bare origin and its clone |
//! | `writer.rs` | the writer thread, only in a console allowed to write: one write at a time |
//!
//! Every operation opens the repository afresh and takes paths relative to the work-tree root
//! with `/` separators. What an operation leaves behind when it fails is written on it: the
//! console never loses a commit or a staged change because a network call went wrong.

pub mod changes;
pub mod commit;
pub mod diff;
pub mod log;
pub mod protocol;
pub mod rebase;
pub mod remote;
mod repository;
pub mod revisions;
pub mod stage;
pub mod status;
#[doc(hidden)]
pub mod test_support;
pub mod worker;
pub mod writer;
