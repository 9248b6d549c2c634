//! Blast: the terminal console for a bare-metal immutable Kubernetes datacenter defined as code.
//!
//! Layout (see `../shared/STYLE.md` for the architecture): `app` is the pure core (state,
//! messages, update), `view` draws it, `runtime` owns the terminal and runs the I/O tasks,
//! `repo` and `git` are the I/O libraries, free of any terminal code.

pub mod alloc;
pub mod app;
pub mod clair;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod duration;
pub mod git;
pub mod keymap;
pub mod kube;
pub mod logging;
pub mod mode;
pub mod model;
pub mod objref;
pub mod policy;
pub mod repo;
pub mod runtime;
pub mod standards;
pub mod status;
pub mod theme;
pub mod version;
pub mod view;
