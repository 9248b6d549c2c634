//! Our own tolerant models of the live objects the console shows.
//!
//! Free of terminal and async code: the kube watchers parse into these, the pure core keeps them,
//! the views read them, and the demo emulator uses the kinds table to know what it serves.

pub mod kinds;
