//! The modes of `blast`, one file each: the console, the wall dashboard, the demo, `status`,
//! `check` and `themes`. Each starts from [`boot`] (config, logging, theme, runtime: the same
//! rules for all) and hands over to the runtime or prints its report.

pub mod boot;
pub mod check;
pub mod console;
pub mod dashboard;
pub mod demo;
pub mod images;
pub mod standards;
pub mod status;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Runs the mode the command line asks for. Exit codes: 0 fine; `check` and `status` have their
/// own (see their docs); 2 when a mode could not run.
pub fn run(cli: &Cli) -> ExitCode {
    let result = match &cli.command {
        Some(Command::Check(args)) => return check::run(cli, args),
        Some(Command::Status(args)) => return status::run(cli, args),
        Some(Command::Themes) => themes(cli),
        Some(Command::Images(args)) => return images::run(cli, args),
        Some(Command::Standards(args)) => return standards::run(cli, args),
        Some(Command::Demo(args)) => demo::run(cli, args),
        Some(Command::Dashboard(args)) => dashboard::run(cli, args, None),
        None => console::run(cli, None),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("blast: {e:?}");
            ExitCode::from(2)
        }
    }
}

/// `blast themes`: the bundled and user themes, `*` on the one in use.
fn themes(cli: &Cli) -> color_eyre::Result<()> {
    let boot = boot::Boot::new(cli)?;
    let current = cli
        .theme
        .clone()
        .or(boot.config.theme.clone())
        .unwrap_or_else(|| "default".into());
    for (name, source) in crate::theme::available(boot.themes_dir().as_deref()) {
        let mark = if name == current { "*" } else { " " };
        println!("{mark} {name:<16} {source}");
    }
    Ok(())
}
