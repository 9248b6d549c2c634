//! Terminal input on its own thread (crossterm's `read` blocks), as [`Input`] events each core
//! turns into its own message.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseEventKind};
use tokio::sync::mpsc;

/// What the terminal says: keys, the wheel, a paste, a resize, focus.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Key(KeyEvent),
    /// Mouse wheel over the screen: positive scrolls down.
    Scroll {
        column: u16,
        row: u16,
        delta: i32,
    },
    Paste(String),
    Resize(u16, u16),
    Focus(bool),
}

/// Lets the event loop stop the input thread from reading while another program (the editor)
/// owns the terminal: `pause` returns once the thread is parked, so no keystroke is stolen.
#[derive(Default)]
pub struct InputGate {
    paused: std::sync::atomic::AtomicBool,
    parked: std::sync::atomic::AtomicBool,
}

impl InputGate {
    pub(crate) fn pause(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        self.paused.store(true, SeqCst);
        // The reader polls in 50 ms steps: it parks within one.
        let deadline = std::time::Instant::now() + Duration::from_secs(1);
        while !self.parked.load(SeqCst) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub(crate) fn resume(&self) {
        self.paused
            .store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Reads terminal input on its own thread and forwards it, so input can be drained ahead of
/// task results before each redraw.
pub(crate) fn spawn_input_reader(
    gate: Arc<InputGate>,
) -> mpsc::UnboundedReceiver<std::io::Result<Input>> {
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
                        if let Some(msg) = event_input(ev)
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

fn event_input(ev: Event) -> Option<Input> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Input::Key(k)),
        Event::Resize(w, h) => Some(Input::Resize(w, h)),
        Event::FocusGained => Some(Input::Focus(true)),
        Event::FocusLost => Some(Input::Focus(false)),
        Event::Paste(s) => Some(Input::Paste(s)),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollDown => Some(Input::Scroll {
                column: m.column,
                row: m.row,
                delta: 1,
            }),
            MouseEventKind::ScrollUp => Some(Input::Scroll {
                column: m.column,
                row: m.row,
                delta: -1,
            }),
            _ => None,
        },
        _ => None,
    }
}
