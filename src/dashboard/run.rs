//! The dashboard's event loop: the console's terminal guard, input thread and kube supervisor,
//! wired to the dashboard's own core. Its effects are watches and a read of the repo's
//! revisions; there is no handle able to write anything.
//!
//! It never exits on a cluster error: watches reconnect forever (exponential backoff capped at
//! 30 s, see `kube::watch`), a context whose client cannot be built is retried every 15 s (see
//! `kube::supervisor`), and a lost site stays on the wall marked stale. Only `q`, Ctrl-C or a
//! terminal that went away end it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use color_eyre::Result;
use tokio::sync::mpsc;
use tracing::{info, warn};

use super::state::{Effect, Msg, State, settle, update};
use super::view;
use crate::app::live::gitops::PathRevision;
use crate::kube::supervisor;
use crate::runtime::{InputGate, TerminalGuard, spawn_input_reader};
use crate::theme::Theme;

pub struct Options {
    pub kube: supervisor::Options,
    /// The repo, to say how far behind HEAD each Application is (read only); `None`: not shown.
    pub repo: Option<PathBuf>,
    /// The shortest time between two frames caused by data alone (`--refresh`).
    pub min_frame: Duration,
}

pub async fn run(mut state: State, theme: Theme, opts: Options) -> Result<()> {
    let mut guard = TerminalGuard::enter()?;
    let size = guard.terminal.size()?;
    update(&mut state, Msg::Resize(size.width, size.height));
    let (kube_tx, mut kube_rx) = mpsc::channel::<crate::kube::protocol::LiveMsg>(1024);
    let kube = supervisor::spawn(opts.kube.clone(), kube_tx);
    let (tx, mut rx) = mpsc::channel::<Msg>(64);
    {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tick.tick().await;
                if tx.send(Msg::Tick(crate::kube::now())).await.is_err() {
                    break;
                }
            }
        });
    }
    let gate = Arc::new(InputGate::default());
    let mut input = spawn_input_reader(gate);
    let mut effects = state.init();
    let mut last_draw = Instant::now() - opts.min_frame;
    loop {
        for fx in std::mem::take(&mut effects) {
            match fx {
                Effect::Watch(wants) => {
                    let _ = kube.send(supervisor::Command::Want(wants));
                }
                Effect::ReadRevisions(wanted) => read_revisions(&opts.repo, wanted, &tx),
                Effect::Quit => {}
            }
        }
        if state.quit {
            break;
        }
        if state.dirty {
            guard.terminal.draw(|f| view::draw(f, &state, &theme))?;
            state.dirty = false;
            last_draw = Instant::now();
        }
        let first = tokio::select! {
            biased;
            ev = input.recv() => match ev {
                Some(Ok(m)) => match console_to_dashboard(m) {
                    Some(m) => m,
                    None => continue,
                },
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(m) = kube_rx.recv() => Msg::Live(m),
            Some(m) = rx.recv() => m,
        };
        let mut had_input = matches!(first, Msg::Key(_) | Msg::Resize(..));
        let mut batch = vec![first];
        while let Ok(Ok(m)) = input.try_recv() {
            had_input = true;
            batch.extend(console_to_dashboard(m));
        }
        while let Ok(m) = kube_rx.try_recv() {
            batch.push(Msg::Live(m));
        }
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
        }
        for m in batch {
            effects.extend(update(&mut state, m));
        }
        // Data alone: let a burst gather into one frame (`--refresh`); a key cuts it short.
        if !had_input && state.dirty && last_draw.elapsed() < opts.min_frame {
            let deadline = tokio::time::Instant::from_std(last_draw + opts.min_frame);
            loop {
                tokio::select! {
                    biased;
                    ev = input.recv() => {
                        if let Some(Ok(m)) = ev {
                            effects.extend(console_to_dashboard(m).map(|m| update(&mut state, m)).unwrap_or_default());
                        }
                        break;
                    }
                    _ = tokio::time::sleep_until(deadline) => break,
                    Some(m) = kube_rx.recv() => effects.extend(update(&mut state, Msg::Live(m))),
                    Some(m) = rx.recv() => effects.extend(update(&mut state, m)),
                }
            }
        }
        effects.extend(settle(&mut state));
    }
    drop(guard);
    info!("dashboard quit");
    Ok(())
}

/// The messages of the input thread the dashboard understands.
fn console_to_dashboard(m: crate::app::Msg) -> Option<Msg> {
    match m {
        crate::app::Msg::Key(k) => Some(Msg::Key(k)),
        crate::app::Msg::Resize(w, h) => Some(Msg::Resize(w, h)),
        crate::app::Msg::Live(l) => Some(Msg::Live(l)),
        _ => None,
    }
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
        match crate::git::ops::path_revisions(&root, &wanted, 5_000) {
            Ok(found) => {
                let revs = found
                    .into_iter()
                    .map(|(k, head, behind)| (k, PathRevision { head, behind }))
                    .collect();
                let _ = tx.blocking_send(Msg::Revisions(revs));
            }
            Err(e) => warn!(error = %e, "reading the repo's revisions"),
        }
    });
}
