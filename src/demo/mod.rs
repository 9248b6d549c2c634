//! `blast demo`: a console against emulated clusters instead of real ones.
//!
//! - [`emulator`]: an in-process Kubernetes API server (plain HTTP on 127.0.0.1) hosting several
//!   virtual clusters, used by the demo and by the tests;
//! - [`world`]: loads the embedded world ([`fixtures`]) into it; [`scenario`]: the format and
//!   engine of the timed changes; [`run`]: `blast demo` itself (emulator, kubeconfig, scenario,
//!   heartbeats, faults); [`scale`]: a generated fleet for load tests and benchmarks;
//! - [`sandbox`]: the scratch clone of the repo with a local bare `origin` the demo works on;
//!   [`reconcile`]: the stand-in for Argo CD that follows pushes to that `origin`, and
//!   [`controllers`]: the Cluster API / Sidero side of it (machines, nodes, servers).

pub mod controllers;
pub mod emulator;
pub mod fixtures;
pub mod reconcile;
pub mod run;
pub mod sandbox;
pub mod scale;
pub mod scenario;
pub mod world;
