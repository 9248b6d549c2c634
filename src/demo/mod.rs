//! `blast demo`: a console against emulated clusters instead of real ones.
//!
//! [`emulator`] is an in-process Kubernetes API server (plain HTTP on 127.0.0.1) hosting several
//! virtual clusters, used by the demo and by the tests.

pub mod emulator;
