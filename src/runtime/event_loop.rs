//! The one event loop, for the console and the dashboard alike: wait for input or a task's
//! message, apply everything queued (input first), derive what the views show, draw once if
//! anything changed, and hand the effects to the mode's tasks.
//!
//! Redraws: input draws at once; data alone waits until `min_frame` has passed since the last
//! frame, so a burst of watch events makes one frame, except the first rows of a view that had
//! none (`Core::urgent`: the first page of a list is drawn as soon as it arrives). Right after a key the core's derived rows
//! are left for the next turn (the key's own effect is drawn first).

use std::sync::Arc;
use std::time::{Duration, Instant};

use color_eyre::Result;
use ratatui::Frame;
use tokio::sync::mpsc;

use super::input::{Input, InputGate, spawn_input_reader};
use super::terminal::{TerminalGuard, Tui};
use crate::model::Time;
use crate::theme::Theme;

/// A pure core the loop can drive: the console's `app::State` or the dashboard's.
pub trait Core {
    type Msg: Send + 'static;
    type Effect;
    /// The message for terminal input (`None`: the core ignores it).
    fn input(ev: Input) -> Option<Self::Msg>;
    /// The message for the clock (once a second, and after a deferred derive).
    fn tick(now: Time) -> Self::Msg;
    /// The effects to run at start-up.
    fn init(&mut self) -> Vec<Self::Effect>;
    fn update(&mut self, msg: Self::Msg) -> Vec<Self::Effect>;
    /// Derives what the views show from the data that arrived since the last call.
    fn settle(&mut self) -> Vec<Self::Effect>;
    /// Data arrived that `settle` has not derived yet.
    fn unsettled(&self) -> bool;
    /// Something visible changed since the last frame.
    fn dirty(&self) -> bool;
    /// What changed should be drawn without waiting for `min_frame`: the first rows of a view
    /// that had none (the first page of a list is on screen as soon as it arrives).
    fn urgent(&self) -> bool {
        false
    }
    fn drawn(&mut self);
    fn quit(&self) -> bool;
    fn draw(&self, frame: &mut Frame, theme: &Theme);
}

/// The terminal as the tasks may use it: an editor or Ctrl-Z takes it for a while.
pub struct Term {
    guard: TerminalGuard,
    gate: Arc<InputGate>,
}

impl Term {
    pub fn terminal(&mut self) -> &mut Tui {
        &mut self.guard.terminal
    }

    /// Ctrl-Z: restore the terminal, stop, and take it back on `fg`.
    pub fn suspend(&mut self) -> Result<()> {
        self.guard.suspend()
    }

    /// Gives the terminal to `f` (an editor), with the input thread parked so that no keystroke
    /// is stolen; takes it back after.
    pub fn hand_over<T>(&mut self, f: impl FnOnce() -> T) -> Result<T> {
        self.gate.pause();
        let out = self.guard.hand_over(f);
        self.gate.resume();
        out
    }
}

/// The mode's tasks: they turn effects into work whose results come back as messages.
pub trait Tasks<C: Core> {
    /// Starts the work for one effect. Messages returned are applied at once (an effect that
    /// used the terminal says so).
    fn run(&mut self, fx: C::Effect, term: &mut Term) -> Result<Vec<C::Msg>>;
}

pub struct LoopOptions {
    /// The shortest time between two frames caused by task messages alone (input always
    /// redraws at once).
    pub min_frame: Duration,
    /// Panic on the `!` key: lets the tests prove the terminal is restored on a panic (set by
    /// the env var `BLAST_TEST_PANIC_ON_KEY`).
    pub panic_key: bool,
}

impl LoopOptions {
    pub fn new(min_frame: Duration) -> LoopOptions {
        LoopOptions {
            min_frame,
            panic_key: std::env::var_os("BLAST_TEST_PANIC_ON_KEY").is_some(),
        }
    }
}

/// Runs `core` until it quits. `tx`/`rx` is the channel the mode's tasks send on.
pub async fn run<C: Core, T: Tasks<C>>(
    core: &mut C,
    theme: &Theme,
    tasks: &mut T,
    tx: mpsc::Sender<C::Msg>,
    mut rx: mpsc::Receiver<C::Msg>,
    opts: LoopOptions,
) -> Result<()> {
    let guard = TerminalGuard::enter()?;
    let gate = Arc::new(InputGate::default());
    let mut term = Term {
        guard,
        gate: gate.clone(),
    };
    let size = term.terminal().size()?;
    if let Some(m) = C::input(Input::Resize(size.width, size.height)) {
        core.update(m);
    }
    spawn_clock::<C>(tx.clone());
    let mut input = spawn_input_reader(gate);
    let mut effects = core.init();
    let mut last_draw = Instant::now() - opts.min_frame;
    let mut last_settle = last_draw;
    loop {
        while !effects.is_empty() {
            for fx in std::mem::take(&mut effects) {
                for m in tasks.run(fx, &mut term)? {
                    effects.extend(core.update(m));
                }
            }
        }
        if core.quit() {
            break;
        }
        if core.dirty() {
            term.terminal().draw(|f| core.draw(f, theme))?;
            core.drawn();
            last_draw = Instant::now();
        }
        // Wait for the next input or task message; then take everything already queued, input
        // first, before drawing again.
        let first = tokio::select! {
            biased;
            ev = input.recv() => match ev {
                Some(Ok(ev)) => Event::Input(ev),
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(msg) = rx.recv() => Event::Task(msg),
        };
        let mut batch = vec![first];
        while let Ok(Ok(ev)) = input.try_recv() {
            batch.push(Event::Input(ev));
        }
        while let Ok(msg) = rx.try_recv() {
            batch.push(Event::Task(msg));
        }
        let had_input = batch.iter().any(|e| matches!(e, Event::Input(_)));
        for ev in batch {
            apply(core, ev, &opts, &mut effects);
        }
        // Only task messages: let a burst gather into one frame; a key, the first rows of an
        // empty view, or a quit (`q` may wait for the repo's changes, a task's answer) cut the
        // wait short.
        let now_or_never = |core: &C| core.urgent() || core.quit();
        if !had_input && core.dirty() && !now_or_never(core) && last_draw.elapsed() < opts.min_frame
        {
            let deadline = tokio::time::Instant::from_std(last_draw + opts.min_frame);
            loop {
                tokio::select! {
                    biased;
                    ev = input.recv() => {
                        match ev {
                            Some(Ok(ev)) => apply(core, Event::Input(ev), &opts, &mut effects),
                            Some(Err(e)) => return Err(e.into()),
                            None => {}
                        }
                        break;
                    }
                    _ = tokio::time::sleep_until(deadline) => break,
                    Some(msg) = rx.recv() => {
                        apply(core, Event::Task(msg), &opts, &mut effects);
                        if now_or_never(core) {
                            break;
                        }
                    }
                }
            }
        }
        // Derive the rows from what arrived, except right after a key: the key's own effect is
        // drawn first (actions that change rows derive them themselves), the data follows on
        // the next turn of the loop.
        if !had_input || last_settle.elapsed() >= opts.min_frame {
            effects.extend(core.settle());
            last_settle = Instant::now();
        } else if core.unsettled() {
            // Come back for the data once the frame is out.
            let tx = tx.clone();
            let wait = opts.min_frame.saturating_sub(last_settle.elapsed());
            tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                let _ = tx.send(C::tick(crate::kube::now())).await;
            });
        }
    }
    drop(term);
    tracing::info!("quit");
    Ok(())
}

enum Event<M> {
    Input(Input),
    Task(M),
}

fn apply<C: Core>(core: &mut C, ev: Event<C::Msg>, opts: &LoopOptions, fx: &mut Vec<C::Effect>) {
    let msg = match ev {
        Event::Input(i) => {
            if opts.panic_key
                && let Input::Key(k) = &i
                && k.code == crossterm::event::KeyCode::Char('!')
            {
                panic!("test panic requested");
            }
            match C::input(i) {
                Some(m) => m,
                None => return,
            }
        }
        Event::Task(m) => m,
    };
    fx.extend(core.update(msg));
}

/// The clock for ages, stale marks and the dashboard's rotation: a tick a second.
fn spawn_clock<C: Core>(tx: mpsc::Sender<C::Msg>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            if tx.send(C::tick(crate::kube::now())).await.is_err() {
                break;
            }
        }
    });
}
