//! The only code that owns the terminal: the guard that restores it, the input thread, the ONE
//! event loop (the console and the dashboard both run on it), and the console's tasks that turn
//! effects into messages.
//!
//! - `terminal.rs`: enter/restore, the panic hook, the quiet backend;
//! - `input.rs`: the input thread and its gate (parked while an editor has the terminal);
//! - `event_loop.rs`: the `Core` a loop drives, the `Tasks` that run its effects, the loop;
//! - `effects.rs`: the console's tasks (git worker, writer, kube supervisor, index, editor);
//! - `watcher.rs`: the repo's file watcher.
//!
//! The dashboard's tasks live beside its core (`dashboard/run.rs`).

pub mod effects;
pub mod event_loop;
pub mod input;
pub mod terminal;
pub mod watcher;

pub use effects::{ConsoleOptions, run_console};
pub use event_loop::{Core, LoopOptions, Tasks, Term};
pub use input::Input;
pub use terminal::{QuietBackend, TerminalGuard, Tui, install_hooks, restore_terminal};
