//! Git: blocking git2 calls (`ops` reads, `write` changes the repo), the worker that runs the
//! reads off the UI thread (`worker`), and the writer thread that runs the changes (`writer`,
//! only in a console allowed to write).

pub mod ops;
pub mod worker;
pub mod write;
pub mod writer;
