//! Integration tests: one crate, one module per area.
//! - `snapshots`: every browser state through ratatui's TestBackend at 80x24 and 200x50 (insta).
//! - `dashboard`: `blast dashboard`'s pages through TestBackend at 80x24, 200x50 and 400x100,
//!   and the real binary in a pty (rotation, every key leaves the repo alone, stale and back).
//! - `cli`: the real binary's `check`, `--help`, `--version`, config and theme errors.
//! - `pty`: the real binary in a pseudo-terminal, read through a vt100 parser.
//! - `live`: the kube path (supervisor, watchers) over real HTTP against the API emulator.
//! - `live_snapshots`: the fleet, cluster, nodes and bare-metal views at 80x24 and 200x50.
//! - `git_repo`: the console's git view on a real repository with a local bare remote.
//! - `emulator`: the demo's Kubernetes API emulator through kube-rs, kube-runtime and kubectl.

mod cli;
mod dashboard;
mod emulator;
mod git_repo;
mod live;
mod live_snapshots;
mod pty;
mod snapshots;
mod support;
