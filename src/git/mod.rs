//! Git: blocking git2 calls (`ops`) and the worker that runs them off the UI thread (`worker`).

pub mod ops;
pub mod worker;
pub mod write;
pub mod writer;
