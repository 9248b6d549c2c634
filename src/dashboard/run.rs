//! The dashboard on the runtime's one event loop: its core (`state`) as a `Core`, and its tasks:
//! watches and a read of the repo's revisions. There is no handle able to write anything.
//!
//! It never exits on a cluster error: watches reconnect forever (exponential backoff capped at
//! 30 s, see `kube::watch`), a context whose client cannot be built is retried every 15 s (see
//! `kube::supervisor`), and a lost site stays on the wall marked stale. Only `q`, Ctrl-C or a
//! terminal that went away end it.

use std::path::PathBuf;
use std::time::Duration;

use color_eyre::Result;
use tokio::sync::mpsc;
use tracing::{info, warn};

use super::state::{Effect, Msg, State, settle, update};
use super::view;
use crate::app::live::gitops;
use crate::kube::supervisor;
use crate::model::Time;
use crate::runtime::{Core, Input, LoopOptions, Tasks, Term};
use crate::theme::Theme;

pub struct Options {
    pub kube: supervisor::Options,
    /// The repo, to say how far behind HEAD each Application is (read only); `None`: not shown.
    pub repo: Option<PathBuf>,
    /// The shortest time between two frames caused by data alone (`--refresh`).
    pub min_frame: Duration,
    /// The repo watcher's wait for a burst of changes to end (`[refresh] debounce_ms`);
    /// `None`: no watcher (`[refresh] watch = false`).
    pub watch_debounce_ms: Option<u64>,
}

impl Core for State {
    type Msg = Msg;
    type Effect = Effect;

    fn input(ev: Input) -> Option<Msg> {
        match ev {
            Input::Key(k) => Some(Msg::Key(k)),
            Input::Resize(w, h) => Some(Msg::Resize(w, h)),
            Input::Scroll { .. } | Input::Paste(_) | Input::Focus(_) => None,
        }
    }

    fn tick(now: Time) -> Msg {
        Msg::Tick(now)
    }

    fn init(&mut self) -> Vec<Effect> {
        State::init(self)
    }

    fn update(&mut self, msg: Msg) -> Vec<Effect> {
        update(self, msg)
    }

    fn settle(&mut self) -> Vec<Effect> {
        settle(self)
    }

    fn unsettled(&self) -> bool {
        self.live.changed.any()
    }

    fn dirty(&self) -> bool {
        self.dirty
    }

    fn drawn(&mut self) {
        self.dirty = false;
    }

    fn quit(&self) -> bool {
        self.quit
    }

    fn draw(&self, frame: &mut ratatui::Frame, theme: &Theme) {
        view::draw(frame, self, theme)
    }
}

/// The dashboard's tasks: the kube supervisor and a reader of the repo's revisions. There is no
/// writer among them.
struct DashboardTasks {
    kube: mpsc::UnboundedSender<supervisor::Command>,
    repo: Option<PathBuf>,
    tx: mpsc::Sender<Msg>,
}

impl Tasks<State> for DashboardTasks {
    fn run(&mut self, fx: Effect, term: &mut Term) -> Result<Vec<Msg>> {
        match fx {
            Effect::Watch(wants) => {
                let _ = self.kube.send(supervisor::Command::Want(wants));
            }
            Effect::ReadRevisions(wanted) => read_revisions(&self.repo, wanted, &self.tx),
            Effect::ScanRepo => scan_repo(&self.repo, &self.tx),
            Effect::Suspend => {
                term.suspend()?;
                return Ok(vec![Msg::Resumed]);
            }
            Effect::Quit => {}
        }
        Ok(vec![])
    }
}

/// Runs the dashboard on the runtime's event loop until `q` or Ctrl-C.
pub async fn run(mut state: State, theme: Theme, opts: Options) -> Result<()> {
    let (tx, rx) = mpsc::channel::<Msg>(1024);
    // The supervisor sends its own `LiveMsg`s; they reach the core as `Msg::Live`.
    let (kube_tx, kube_rx) = mpsc::channel(1024);
    crate::kube::protocol::forward(kube_rx, tx.clone(), Msg::Live);
    let kube = supervisor::spawn(opts.kube.clone(), kube_tx);
    let mut tasks = DashboardTasks {
        kube,
        repo: opts.repo.clone(),
        tx: tx.clone(),
    };
    // A wall runs for weeks: the repo's changes (a pull moving HEAD, edited files) are read
    // again by the console's own watcher (inotify, one message per burst); stopped on drop.
    let _watch = opts
        .repo
        .clone()
        .zip(opts.watch_debounce_ms)
        .map(|(root, ms)| crate::runtime::watcher::spawn(root, tx.clone(), Msg::RepoChanged, ms));
    crate::runtime::event_loop::run(
        &mut state,
        &theme,
        &mut tasks,
        tx,
        rx,
        LoopOptions::new(opts.min_frame),
    )
    .await?;
    info!("dashboard quit");
    Ok(())
}

/// Reads, off the loop, the repo's side of the standards (read only).
fn scan_repo(repo: &Option<PathBuf>, tx: &mpsc::Sender<Msg>) {
    let Some(root) = repo.clone() else {
        return;
    };
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        let side = crate::standards::scan_repo(&root);
        let _ = tx.blocking_send(Msg::RepoSide(side));
    });
}

/// Reads, off the loop, how far the repo's HEAD is ahead of each Application's revision.
fn read_revisions(repo: &Option<PathBuf>, wanted: Vec<(String, String)>, tx: &mpsc::Sender<Msg>) {
    let Some(root) = repo.clone() else {
        return;
    };
    if wanted.is_empty() {
        return;
    }
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        match crate::git::revisions::path_revisions(&root, &wanted, 5_000) {
            Ok(found) => {
                let _ = tx.blocking_send(Msg::Revisions(gitops::revisions(found)));
            }
            Err(e) => warn!(error = %e, "reading the repo's revisions"),
        }
    });
}
