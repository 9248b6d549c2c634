//! Git: blocking git2 calls (and the system `git` for the network, hooks and signing), one file
//! per operation (as gitui's `asyncgit::sync`), the two
//! threads that run them off the UI thread, and the messages those threads send.
//!
//! A newcomer's map:
//!
//! Reads (the worker runs them):
//! - `status.rs`: branch, upstream, ahead/behind and a status per file (`GitStatus`,
//!   `FileStatus`), for the header and the tree.
//! - `log.rs`: the commits that changed one path (`Commit`), for the browser's log pane.
//! - `revisions.rs`: how far behind HEAD an Application's synced revision is, per path; the
//!   upstream's commit; the files a push changed.
//! - `changes.rs`: the change list, staged and unstaged per file (`Change`).
//! - `diff.rs`: one file's diff from HEAD to the working tree (`DiffLine`).
//!
//! Writes (only the writer runs them):
//! - `stage.rs`: stage, unstage, discard.
//! - `commit.rs`: commit the index, or say why not (`CommitError`); the author for the dialog.
//!   Through the system `git commit` when the repo has hooks or asks for signing (`hooks.rs`
//!   says which).
//! - `rebase.rs`: replay the local commits onto the fetched upstream, or check that it would
//!   apply (`Rebase`).
//! - `remote/`: push and fetch, through the system `git` (`transfer.rs`, `system_git.rs`);
//!   `progress.rs` reads its progress, `error.rs` types the failures (`PushError`: auth,
//!   network, rejected, cancelled, unsigned...); `push.rs` finds the unsigned commits to
//!   push where the repo signs (`unsigned_to_push`), which the console asks about.
//!
//! Threads and messages:
//! - `protocol.rs`: what goes into the threads and comes out: `GitJob` and `GitMsg` for the
//!   worker, `WriteOp` and `WriteMsg` for the writer. The app turns `GitMsg` and `WriteMsg`
//!   into its own `Msg` (`From`); nothing in `git` names an app type.
//! - `worker.rs`: the read-only thread; requests that pile up collapse into the newest.
//! - `writer.rs`: the writer thread and `WriteCap`, the capability without which it is never
//!   started (never with `--read-only`, never in the dashboard). One write at a time.
//!
//! Shared: `repository.rs` (open the repository, HEAD, the git operation in progress),
//! `system_git.rs` (the system `git` run detached from the terminal, output bounded), and for
//! tests only `test_support.rs` (`git` with a fixed identity, a bare origin and its clone).
//!
//! Every operation opens the repository afresh and takes paths relative to the work-tree root
//! with `/` separators. What an operation leaves behind when it fails is written on it: the
//! console never loses a commit or a staged change because a network call went wrong.

pub mod changes;
pub mod commit;
pub mod diff;
pub mod hooks;
pub mod log;
pub mod protocol;
pub mod rebase;
pub mod remote;
mod repository;
pub mod revisions;
pub mod stage;
pub mod status;
mod system_git;
#[doc(hidden)]
pub mod test_support;
pub mod worker;
pub mod writer;
