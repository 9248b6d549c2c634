//! The only code that owns the terminal: the guard that restores it, the event loop, and the
//! tasks that turn effects into messages.

use std::io::{Stdout, stdout};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use color_eyre::Result;
use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste,
    EnableFocusChange, EnableMouseCapture, Event, KeyEventKind, MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::app::browser::FileText;
use crate::app::write::WriteOp;
use crate::app::{Effect, Msg, State, update};
use crate::config::Refresh;
use crate::git::worker::{self, GitJob};
use crate::repo::index;
use crate::theme::Theme;

pub type Tui = Terminal<QuietBackend<Stdout>>;

/// ratatui's crossterm backend, except that a frame which changes nothing writes nothing:
/// the plain backend ends every frame, even an empty one, with an attribute reset and a
/// hide-cursor (about 25 bytes), which over a slow link and a clock ticking every second adds
/// up. Here an empty diff is skipped and the cursor is hidden once.
pub struct QuietBackend<W: std::io::Write> {
    inner: CrosstermBackend<W>,
    cursor_hidden: bool,
}

impl<W: std::io::Write> QuietBackend<W> {
    pub fn new(writer: W) -> Self {
        QuietBackend {
            inner: CrosstermBackend::new(writer),
            cursor_hidden: false,
        }
    }
}

impl<W: std::io::Write> ratatui::backend::Backend for QuietBackend<W> {
    type Error = std::io::Error;

    fn draw<'a, I>(&mut self, content: I) -> std::io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a ratatui::buffer::Cell)>,
    {
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        self.inner.draw(content)
    }

    fn hide_cursor(&mut self) -> std::io::Result<()> {
        if self.cursor_hidden {
            return Ok(());
        }
        self.cursor_hidden = true;
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> std::io::Result<()> {
        self.cursor_hidden = false;
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> std::io::Result<ratatui::layout::Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<ratatui::layout::Position>>(
        &mut self,
        position: P,
    ) -> std::io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> std::io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ratatui::backend::ClearType) -> std::io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> std::io::Result<ratatui::layout::Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> std::io::Result<ratatui::backend::WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> std::io::Result<()> {
        ratatui::backend::Backend::flush(&mut self.inner)
    }
}

/// Puts the terminal back as it was: raw mode off, main screen, cursor shown. Safe to call twice.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        DisableFocusChange,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Installs color-eyre with a panic hook that restores the terminal before the report is printed.
pub fn install_hooks() -> Result<()> {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default()
        .display_env_section(false)
        .into_hooks();
    eyre_hook.install()?;
    let panic_hook = panic_hook.into_panic_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        tracing::error!(panic = %info, "panic");
        panic_hook(info);
    }));
    Ok(())
}

/// The terminal in raw mode on the alternate screen; dropping it restores the terminal.
pub struct TerminalGuard {
    pub terminal: Tui,
}

impl TerminalGuard {
    pub fn enter() -> Result<TerminalGuard> {
        enter_modes()?;
        Ok(TerminalGuard {
            terminal: fresh_terminal()?,
        })
    }

    /// Gives the terminal to `f` (an editor): restored before, taken back after.
    pub fn hand_over<T>(&mut self, f: impl FnOnce() -> T) -> Result<T> {
        restore_terminal();
        let out = f();
        enter_modes()?;
        self.terminal = fresh_terminal()?;
        Ok(out)
    }

    /// Ctrl-Z: restore the terminal, stop the process, and take the terminal back on `fg`.
    pub fn suspend(&mut self) -> Result<()> {
        restore_terminal();
        #[cfg(unix)]
        // SAFETY: raising a signal on our own process; SIGTSTP stops it until SIGCONT.
        unsafe {
            libc::raise(libc::SIGTSTP);
        }
        enter_modes()?;
        // A new Terminal has empty buffers, so the next draw repaints everything.
        self.terminal = fresh_terminal()?;
        Ok(())
    }
}

/// A Terminal on a cleared screen. Not `Terminal::clear`: that asks the terminal for the cursor
/// position, a round trip on a slow link, and a query that cannot be answered while the input
/// thread is blocked reading (after Ctrl-Z).
fn fresh_terminal() -> Result<Tui> {
    execute!(
        stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    Ok(Terminal::new(QuietBackend::new(stdout()))?)
}

fn enter_modes() -> Result<()> {
    enable_raw_mode()?;
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableFocusChange,
        EnableBracketedPaste,
        crossterm::cursor::Hide
    )?;
    Ok(())
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Options of the event loop that do not belong in `State`.
pub struct RunOptions {
    pub refresh: Refresh,
    /// The Kubernetes side; `None` runs the repo browser alone.
    pub kube: Option<crate::kube::supervisor::Options>,
    /// The shortest time between two frames caused by task messages alone (input always
    /// redraws at once). Bursts of watch events within it make one frame.
    pub min_frame: Duration,
    /// Panic on the `!` key: lets the tests prove the terminal is restored on a panic
    /// (set by the env var `BLAST_TEST_PANIC_ON_KEY`).
    pub panic_key: bool,
}

/// Runs the console until the user quits.
pub async fn run(mut state: State, theme: Theme, opts: RunOptions) -> Result<()> {
    let mut guard = TerminalGuard::enter()?;
    let size = guard.terminal.size()?;
    update(&mut state, Msg::Resize(size.width, size.height));
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let root = state.repo.root.clone();
    let git = worker::spawn(root.clone(), tx.clone());
    // Only a console holding the capability gets the thread that writes.
    let writer = state
        .write
        .clone()
        .map(|cap| crate::git::writer::Writer::spawn(cap, root.clone(), tx.clone()));
    // Dropping this stops the watcher.
    let _watch = opts
        .refresh
        .watch
        .then(|| spawn_watcher(root.clone(), tx.clone(), opts.refresh.debounce_ms));
    if opts.refresh.git_status_secs > 0 {
        let tx = tx.clone();
        let every = Duration::from_secs(opts.refresh.git_status_secs);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                if tx.send(Msg::RepoChanged).await.is_err() {
                    break;
                }
            }
        });
    }
    // The supervisor sends its own `LiveMsg`s; they reach the core as `Msg::Live`.
    let kube = opts.kube.clone().map(|k| {
        let (kube_tx, kube_rx) = mpsc::channel(1024);
        crate::kube::protocol::forward(kube_rx, tx.clone(), Msg::Live);
        crate::kube::supervisor::spawn(k, kube_tx)
    });
    // The clock for ages and stale marks; the core ignores it while the repo browser is shown.
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
    let mut input = spawn_input_reader(gate.clone());
    let mut effects = state.init();
    let mut last_draw = std::time::Instant::now() - opts.min_frame;
    let mut last_settle = last_draw;
    loop {
        while !effects.is_empty() {
            for fx in std::mem::take(&mut effects) {
                match fx {
                    Effect::Quit => {}
                    Effect::Suspend => {
                        guard.suspend()?;
                        effects.extend(update(&mut state, Msg::Resumed));
                    }
                    Effect::Write(_cap, WriteOp::Edit { path, line }) => {
                        gate.pause();
                        let result = guard.hand_over(|| run_editor(&root.join(&path), line))?;
                        gate.resume();
                        effects.extend(update(&mut state, Msg::Resumed));
                        effects.extend(update(&mut state, Msg::Edited { path, result }));
                    }
                    Effect::Write(cap, op) => match &writer {
                        Some(w) => w.send(cap, op),
                        None => tracing::error!(op = op.name(), "a write without a writer"),
                    },
                    Effect::CancelWrite => {
                        if let Some(w) = &writer {
                            w.cancel();
                        }
                    }
                    Effect::Watch(wants) => {
                        if let Some(k) = &kube {
                            let _ = k.send(crate::kube::supervisor::Command::Want(wants));
                        }
                    }
                    Effect::UseContexts(c) => {
                        if let Some(k) = &kube {
                            let _ = k.send(crate::kube::supervisor::Command::UseContexts(c));
                        }
                    }
                    other => run_effect(other, &root, &tx, &git),
                }
            }
        }
        if state.quit {
            break;
        }
        if state.dirty {
            guard
                .terminal
                .draw(|f| crate::view::draw(f, &state, &theme))?;
            state.dirty = false;
            last_draw = std::time::Instant::now();
        }
        // Wait for the next input or task message; then take everything already queued, input
        // first, before drawing again.
        let first = tokio::select! {
            biased;
            ev = input.recv() => match ev {
                Some(Ok(msg)) => msg,
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(msg) = rx.recv() => msg,
        };
        let mut batch = vec![first];
        while let Ok(Ok(msg)) = input.try_recv() {
            batch.push(msg);
        }
        while let Ok(msg) = rx.try_recv() {
            batch.push(msg);
        }
        let had_input = batch.iter().any(is_input);
        for msg in batch {
            apply(&mut state, msg, &opts, &mut effects);
        }
        // Only task messages: let a burst gather into one frame; a key cuts the wait short.
        if !had_input && state.dirty && last_draw.elapsed() < opts.min_frame {
            let deadline = tokio::time::Instant::from_std(last_draw + opts.min_frame);
            loop {
                tokio::select! {
                    biased;
                    ev = input.recv() => {
                        match ev {
                            Some(Ok(msg)) => apply(&mut state, msg, &opts, &mut effects),
                            Some(Err(e)) => return Err(e.into()),
                            None => {}
                        }
                        break;
                    }
                    _ = tokio::time::sleep_until(deadline) => break,
                    Some(msg) = rx.recv() => apply(&mut state, msg, &opts, &mut effects),
                }
            }
        }
        // Derive the live rows from what arrived, except right after a key: the key's own
        // effect is drawn first (actions that change rows derive them themselves), the data
        // follows on the next turn of the loop.
        if !had_input || last_settle.elapsed() >= opts.min_frame {
            crate::app::route::settle(&mut state);
            last_settle = std::time::Instant::now();
            // The GitOps view's comparison of synced revisions with the repo.
            if let Some(wanted) = state.views.ask_revisions.take() {
                let _ = git.send(GitJob::Revisions(wanted));
            }
        } else if state.live.changed.any() {
            // Come back for the data once the frame is out.
            let tx = tx.clone();
            let wait = opts.min_frame.saturating_sub(last_settle.elapsed());
            tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                let _ = tx.send(Msg::Tick(crate::kube::now())).await;
            });
        }
    }
    drop(guard);
    info!("quit");
    Ok(())
}

fn is_input(m: &Msg) -> bool {
    matches!(
        m,
        Msg::Key(_) | Msg::Scroll { .. } | Msg::Paste(_) | Msg::Resize(..) | Msg::Focus(_)
    )
}

fn apply(state: &mut State, msg: Msg, opts: &RunOptions, effects: &mut Vec<Effect>) {
    if opts.panic_key
        && let Msg::Key(k) = &msg
        && k.code == crossterm::event::KeyCode::Char('!')
    {
        panic!("test panic requested");
    }
    effects.extend(update(state, msg));
}

/// Reads terminal input on its own thread (crossterm's `read` blocks) and forwards it as
/// messages, so input can be drained ahead of task results before each redraw.
/// Lets the event loop stop the input thread from reading while another program (the editor)
/// owns the terminal: `pause` returns once the thread is parked, so no keystroke is stolen.
#[derive(Default)]
pub struct InputGate {
    paused: std::sync::atomic::AtomicBool,
    parked: std::sync::atomic::AtomicBool,
}

impl InputGate {
    fn pause(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        self.paused.store(true, SeqCst);
        // The reader polls in 50 ms steps: it parks within one.
        let deadline = std::time::Instant::now() + Duration::from_secs(1);
        while !self.parked.load(SeqCst) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn resume(&self) {
        self.paused
            .store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

pub(crate) fn spawn_input_reader(
    gate: Arc<InputGate>,
) -> mpsc::UnboundedReceiver<std::io::Result<Msg>> {
    use std::sync::atomic::Ordering::SeqCst;
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            loop {
                if gate.paused.load(SeqCst) {
                    gate.parked.store(true, SeqCst);
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
                gate.parked.store(false, SeqCst);
                // Poll, not a blocking read, so a pause takes effect within 50 ms.
                match crossterm::event::poll(Duration::from_millis(50)) {
                    Ok(false) => continue,
                    Ok(true) => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
                match crossterm::event::read() {
                    Ok(ev) => {
                        if let Some(msg) = event_msg(ev)
                            && tx.send(Ok(msg)).is_err()
                        {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
        })
        .expect("spawn input thread");
    rx
}

/// Runs `$VISUAL`, else `$EDITOR`, else `vi` on `file` at `line`, in the real terminal. The
/// variable may hold arguments (`code -w`): the shell splits it, as git does.
fn run_editor(file: &Path, line: usize) -> std::result::Result<(), String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".into());
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg("sh")
        .arg(format!("+{line}"))
        .arg(file)
        .status()
        .map_err(|e| format!("could not run ({editor}: {e})"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("exited with {status}"))
    }
}

fn event_msg(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::FocusGained => Some(Msg::Focus(true)),
        Event::FocusLost => Some(Msg::Focus(false)),
        Event::Paste(s) => Some(Msg::Paste(s)),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollDown => Some(Msg::Scroll {
                column: m.column,
                row: m.row,
                delta: 1,
            }),
            MouseEventKind::ScrollUp => Some(Msg::Scroll {
                column: m.column,
                row: m.row,
                delta: -1,
            }),
            _ => None,
        },
        _ => None,
    }
}

/// Starts the task for one effect; its result comes back as a message.
pub fn run_effect(
    fx: Effect,
    root: &Path,
    tx: &mpsc::Sender<Msg>,
    git: &std::sync::mpsc::Sender<GitJob>,
) {
    match fx {
        Effect::Reindex => {
            let root = root.to_path_buf();
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let _span = tracing::info_span!("index", root = %root.display()).entered();
                let started = std::time::Instant::now();
                let result = index::build(&root).map(Arc::new).map_err(|e| e.to_string());
                if let Ok(i) = &result {
                    info!(
                        files = i.files.len(),
                        resources = i.resource_count(),
                        ms = started.elapsed().as_millis() as u64,
                        "indexed"
                    );
                }
                let _ = tx.blocking_send(Msg::Indexed(result));
            });
        }
        Effect::LoadFile(path) => {
            let abs = root.join(&path);
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let result = std::fs::read(&abs).map_err(|e| e.to_string()).map(|bytes| {
                    let text = String::from_utf8_lossy(&bytes);
                    Arc::new(FileText::new(&text, index::is_yaml(&abs)))
                });
                let _ = tx.blocking_send(Msg::FileLoaded { path, result });
            });
        }
        Effect::RefreshGit => {
            let _ = git.send(GitJob::Status);
        }
        Effect::GitLog(path) => {
            let _ = git.send(GitJob::Log(path));
        }
        Effect::LoadChanges => {
            let _ = git.send(GitJob::Changes);
        }
        Effect::LoadDiff(path) => {
            let _ = git.send(GitJob::Diff(path));
        }
        Effect::LoadQuick(target) => {
            let abs = root.join(&target.path);
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let result = std::fs::read_to_string(&abs)
                    .map(|text| crate::repo::quick::options(&text, target.doc, &target.kind))
                    .map_err(|e| format!("cannot read {}: {e}", target.path));
                let _ = tx.blocking_send(Msg::QuickOptions { target, result });
            });
        }
        Effect::Validate(paths) => {
            let root = root.to_path_buf();
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let result = match crate::git::ops::discover(&root) {
                    Some(workdir) => Ok(crate::repo::check::check_files(&workdir, &paths)
                        .into_iter()
                        .map(|f| crate::app::changes::CheckFinding {
                            path: f.path,
                            line: f.line,
                            message: f.message,
                        })
                        .collect()),
                    None => Err("the repo is not in a git work tree".to_string()),
                };
                let _ = tx.blocking_send(Msg::Validated(result));
            });
        }
        Effect::Suspend
        | Effect::Write(..)
        | Effect::CancelWrite
        | Effect::Quit
        | Effect::Watch(_)
        | Effect::UseContexts(_) => {}
    }
}

/// Sets the watcher up on its own thread (adding inotify watches on a big tree takes a while and
/// must not delay the first frame) and keeps it there until the returned sender is dropped.
fn spawn_watcher(
    root: PathBuf,
    tx: mpsc::Sender<Msg>,
    debounce_ms: u64,
) -> std::sync::mpsc::Sender<()> {
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let handle = tokio::runtime::Handle::current();
    let spawned = std::thread::Builder::new()
        .name("watch".into())
        .spawn(move || {
            let _rt = handle.enter();
            let _watcher = watch(&root, tx, debounce_ms);
            let _ = stop_rx.recv();
        });
    if let Err(e) = spawned {
        warn!(error = %e, "cannot start the file watcher; press r to reload");
    }
    stop_tx
}

/// Watches the repo for changes (inotify and friends: no polling) and sends one `RepoChanged`
/// per burst of changes. Only what the console shows is watched: the top folders recursively,
/// the root itself (a top folder appearing), and git's HEAD, index and refs. Git's object and
/// lock files are ignored.
fn watch(
    root: &Path,
    tx: mpsc::Sender<Msg>,
    debounce_ms: u64,
) -> Option<notify::RecommendedWatcher> {
    use notify::{RecursiveMode, Watcher};
    let (ping_tx, mut ping_rx) = mpsc::unbounded_channel::<()>();
    let root_buf: PathBuf = root.to_path_buf();
    let handler = move |res: notify::Result<notify::Event>| {
        let Ok(ev) = res else { return };
        if matches!(ev.kind, notify::EventKind::Access(_)) {
            return;
        }
        let relevant = ev.paths.iter().any(|p| {
            let rel = p.strip_prefix(&root_buf).unwrap_or(p);
            let s = rel.to_string_lossy();
            let in_git = s.starts_with(".git");
            !(s.starts_with("target")
                || (in_git
                    && (s.contains("objects") || s.ends_with(".lock") || s.contains("logs/")))
                || s.ends_with('~')
                || s.ends_with(".swp"))
        });
        if relevant {
            let _ = ping_tx.send(());
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(w) => w,
        Err(e) => {
            warn!(error = %e, "file watching unavailable; press r to reload");
            return None;
        }
    };
    let mut targets: Vec<(PathBuf, RecursiveMode)> =
        vec![(root.to_path_buf(), RecursiveMode::NonRecursive)];
    for top in index::TOP_DIRS {
        targets.push((root.join(top), RecursiveMode::Recursive));
    }
    if let Some(workdir) = crate::git::ops::discover(root) {
        targets.push((workdir.join(".git"), RecursiveMode::NonRecursive));
        targets.push((workdir.join(".git/refs"), RecursiveMode::Recursive));
    }
    for (path, mode) in targets {
        if !path.exists() {
            continue;
        }
        if let Err(e) = watcher.watch(&path, mode) {
            warn!(error = %e, path = %path.display(), "cannot watch; press r to reload");
        }
    }
    tokio::spawn(async move {
        while ping_rx.recv().await.is_some() {
            // Wait for the burst to end.
            loop {
                match tokio::time::timeout(Duration::from_millis(debounce_ms), ping_rx.recv()).await
                {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            if tx.send(Msg::RepoChanged).await.is_err() {
                return;
            }
        }
    });
    Some(watcher)
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::text::Line;

    use super::QuietBackend;

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_frame_that_changes_nothing_writes_nothing() {
        let out = Shared::default();
        let written = || out.0.lock().unwrap().len();
        let mut t = Terminal::with_options(
            QuietBackend::new(out.clone()),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 20, 2)),
            },
        )
        .unwrap();
        let draw = |t: &mut Terminal<QuietBackend<Shared>>, text: &str| {
            t.draw(|f| f.render_widget(Line::raw(text.to_string()), f.area()))
                .unwrap();
        };
        draw(&mut t, "age 3s");
        let first = written();
        assert!(first > 0);
        draw(&mut t, "age 3s");
        assert_eq!(written(), first, "same frame: not a byte");
        draw(&mut t, "age 4s");
        let changed = written() - first;
        assert!(
            changed > 0 && changed < 40,
            "one cell changed: a cursor move, the cell and a reset ({changed} bytes)"
        );
    }
}
