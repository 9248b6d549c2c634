//! Fetch the upstream's remote, updating only remote-tracking refs.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::error::PushError;
use super::progress::Progress;
use super::transfer::{Op, transfer};

/// Fetches the upstream's remote (its configured refspecs, so `refs/remotes/<remote>/*` are
/// updated) with the system `git fetch`, like `push` for credentials, progress and cancel. Changes
/// only remote-tracking refs: the branch, index and working tree are untouched.
pub fn fetch(
    root: &Path,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<(), PushError> {
    transfer(root, Op::Fetch, progress, cancel).map(|_| ())
}
