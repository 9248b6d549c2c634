//! The demo's stand-in for Argo CD: it polls the sandbox's `origin.git` (Argo CD polls too),
//! and for each new commit on `main`
//!
//! 1. diffs the old and new trees into changed files ([`changed_files`]);
//! 2. finds the Applications on the management cluster whose sources cover a changed file
//!    ([`covers`]: a source `path` of this repo, as a plain directory with `directory.recurse`,
//!    `include` and `exclude`, or a Helm value file through a `$ref/…` of a `ref` source);
//! 3. moves each through what Argo CD writes: `status.sync` OutOfSync compared at the new
//!    revision, then an automated sync operation `Running` ("syncing"), then `Succeeded` with
//!    the `syncResult`, a `history` entry and `Synced` at the new revision; health turns
//!    `Progressing` while the controllers act and back afterwards;
//! 4. applies the changed manifests to the live objects of the management cluster (their
//!    `metadata.labels`/`annotations` and `spec` merged in, as a server-side apply would) and
//!    lets the emulated controllers ([`super::controllers`]) act on replica and version
//!    changes of MachineDeployments and TalosControlPlanes.
//!
//! A changed manifest that does not parse makes Argo CD's comparison fail: the Application gets a
//! `ComparisonError` condition, sync status `Unknown` at the new revision and a `Failed`
//! operation whose message names the file and the error; its health stays.
//!
//! Only objects' status (and the spec of applied manifests) change, through the emulator, so
//! every client sees the reconciliation through its ordinary watches. Unlike Argo CD, the
//! Applications a commit does not touch are left alone (Argo CD would refresh their
//! `sync.revision` to the new commit too).
//!
//! The steps live one to a file: `diff` (what a push changed), `covers` (which Application reads
//! which file, by Argo CD's directory rules), `push` (the timeline of one push), `status` (what
//! Argo CD writes into an Application's status), `apply` (the manifests merged into the live
//! objects).

mod apply;
mod covers;
mod diff;
mod push;
mod status;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::emulator::Emulator;

pub use covers::{Covered, covered, covers, covers_path, glob_match};
pub use diff::{changed_files, tip};
pub use push::reconcile_push;

/// The repo URL the fixtures' Applications use for this repo.
pub const REPO_URL: &str = "https://git.example.com/blast/datacenter.git";

/// Seconds at speed 1 between polls of `origin.git`.
const POLL: f64 = 1.0;
/// Seconds at speed 1 from OutOfSync to the sync operation starting.
const TO_RUNNING: f64 = 2.0;
/// Seconds at speed 1 the sync operation runs.
const RUNNING: f64 = 3.0;

/// What the reconciler follows.
#[derive(Debug, Clone)]
pub struct Options {
    /// The bare repository (`origin.git` of the sandbox).
    pub origin: PathBuf,
    /// Its branch Argo CD tracks.
    pub branch: String,
    /// The `repoURL` that names this repo in the Applications.
    pub repo_url: String,
    /// 2 runs twice as fast.
    pub speed: f64,
}

impl Options {
    pub fn new(origin: &Path, speed: f64) -> Options {
        Options {
            origin: origin.to_path_buf(),
            branch: super::sandbox::BRANCH.to_string(),
            repo_url: REPO_URL.to_string(),
            speed,
        }
    }
}

/// A file that differs between two commits; `None` where it does not exist (or is not UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Starts the reconciler on the current tokio runtime; it runs until aborted. The commit
/// `main` points at when it starts is taken as deployed already.
pub fn spawn(emu: Emulator, opts: Options) -> JoinHandle<()> {
    tokio::spawn(run(emu, opts))
}

async fn run(emu: Emulator, opts: Options) {
    let origin = opts.origin.clone();
    let branch = opts.branch.clone();
    let read_tip = move || tip(&origin, &branch);
    let mut last = match tokio::task::spawn_blocking(read_tip.clone()).await {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => {
            warn!(error = %e, "reconciler: cannot read origin; not reconciling");
            return;
        }
        Err(_) => return,
    };
    info!(origin = %opts.origin.display(), revision = %last, "reconciler: watching origin");
    let controllers = Arc::new(tokio::sync::Mutex::new(()));
    loop {
        tokio::time::sleep(scaled(POLL, opts.speed)).await;
        let now_tip = match tokio::task::spawn_blocking(read_tip.clone()).await {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => {
                warn!(error = %e, "reconciler: reading origin");
                continue;
            }
            Err(_) => return,
        };
        if now_tip == last {
            continue;
        }
        let (origin, old, new) = (opts.origin.clone(), last.clone(), now_tip.clone());
        let changes =
            match tokio::task::spawn_blocking(move || changed_files(&origin, &old, &new)).await {
                Ok(Ok(c)) => c,
                Ok(Err(e)) => {
                    warn!(error = %e, "reconciler: diffing the push");
                    last = now_tip;
                    continue;
                }
                Err(_) => return,
            };
        info!(from = %last, to = %now_tip, files = changes.len(), "reconciler: push to origin");
        reconcile_push(&emu, &opts, &now_tip, &changes, &controllers).await;
        last = now_tip;
    }
}

fn scaled(secs: f64, speed: f64) -> Duration {
    Duration::from_secs_f64(secs / speed.max(1e-3))
}
