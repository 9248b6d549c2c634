//! The terminal: the guard that enters raw mode and the alternate screen and always restores
//! them (on drop, on panic, around an editor and Ctrl-Z), and a backend that writes nothing for
//! a frame that changes nothing.

use std::io::{Stdout, stdout};

use color_eyre::Result;
use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste,
    EnableFocusChange, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

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
