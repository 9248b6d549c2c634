//! `blast`: parse the command line, install the error hooks, and hand over to the mode
//! (`blast::mode`), which does the rest.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of glibc malloc: with the watch tasks parsing on several threads, glibc's
/// arenas either fragment (resident memory well above what is live) or, capped, contend on
/// their locks (perf showed ~14 % of the console's churn CPU in futex waits). mimalloc's
/// per-thread heaps avoid both and return freed pages to the OS by themselves.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Tunes mimalloc (`blast::alloc::tune`) before Rust's runtime allocates anything. ELF runs
/// `.init_array.NNNNN` entries by priority ahead of plain `.init_array` ones such as
/// mimalloc's own initializer; std's argv hook uses priority 99. (In the binary crate so the
/// linker cannot drop it.)
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array.00101")]
static TUNE_ALLOCATOR: extern "C" fn() = {
    extern "C" fn tune() {
        blast::alloc::tune();
    }
    tune
};

fn main() -> ExitCode {
    // A shell asking for completions (the scripts of `blast completions SHELL` set COMPLETE):
    // answer and exit before anything else.
    clap_complete::CompleteEnv::with_factory(blast::cli::command)
        .var(blast::cli::COMPLETE_VAR)
        .complete();
    let cli = match blast::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // `blast status` says "could not run" with its own code (3), for scripts.
        Err(e) => {
            let _ = e.print();
            let status = std::env::args().skip(1).any(|a| a == "status");
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ if status => blast::status::EXIT_COULD_NOT_RUN,
                _ => 2,
            };
            return ExitCode::from(code);
        }
    };
    if let Err(e) = blast::runtime::install_hooks() {
        eprintln!("blast: {e}");
        return ExitCode::from(2);
    }
    // We handle NO_COLOR ourselves (the mono theme). crossterm would otherwise turn every colour
    // command into an empty SGR, which terminals read as "reset all" and which wipes bold/reverse.
    crossterm::style::Colored::set_ansi_color_disabled(false);
    blast::mode::run(&cli)
}
