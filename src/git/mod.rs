//! Git: blocking git2 calls (`ops` reads, `write` changes the repo) and the worker that runs them
//! off the UI thread (`worker`).

pub mod ops;
pub mod worker;
pub mod write;
