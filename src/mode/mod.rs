//! The modes of `blast`, one file each: the console, the wall dashboard, the demo, `status`,
//! `check` and `themes`. Each starts from [`boot`] (config, logging, theme, runtime: the same
//! rules for all) and hands over to the runtime or prints its report.

pub mod boot;
pub mod check;
pub mod console;
pub mod dashboard;
pub mod demo;
pub mod images;
pub mod info;
pub mod standards;
pub mod status;

use std::process::ExitCode;

use crate::cli::{Cli, Command, Format, OutputArgs};

/// Runs the mode the command line asks for. Exit codes: 0 fine; `check` and `status` have their
/// own (see their docs); 2 when a mode could not run.
pub fn run(cli: &Cli) -> ExitCode {
    let result = match &cli.command {
        Some(Command::Check(args)) => return check::run(cli, args),
        Some(Command::Status(args)) => return status::run(cli, args),
        Some(Command::Themes(out)) => themes(cli, out),
        Some(Command::Info(out)) => info::run(cli, out),
        Some(Command::Completions(args)) => completions(args.shell),
        Some(Command::Man) => man(),
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
fn themes(cli: &Cli, out: &OutputArgs) -> color_eyre::Result<()> {
    let boot = boot::Boot::new(cli)?;
    let current = cli
        .theme
        .clone()
        .or(boot.config.theme.clone())
        .unwrap_or_else(|| "default".into());
    let themes = crate::theme::available(boot.themes_dir().as_deref());
    if out.format() == Format::Json {
        let list: Vec<_> = themes
            .iter()
            .map(|(name, source)| {
                serde_json::json!({"name": name, "source": source, "current": *name == current})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    for (name, source) in themes {
        let mark = if name == current { "*" } else { " " };
        println!("{mark} {name:<16} {source}");
    }
    Ok(())
}

/// `blast completions SHELL`: the script that registers the completion; it calls this binary
/// back (by the name it was run as, made absolute when it is a path).
fn completions(shell: crate::cli::Shell) -> color_eyre::Result<()> {
    let arg0 = std::env::args_os().next().unwrap_or_else(|| "blast".into());
    let mut completer = std::path::PathBuf::from(&arg0);
    if completer.components().count() > 1
        && let Ok(cwd) = std::env::current_dir()
    {
        completer = cwd.join(completer);
    }
    let script = crate::cli::completion_script(shell, &completer.to_string_lossy())?;
    use std::io::Write;
    std::io::stdout().write_all(&script)?;
    Ok(())
}

/// `blast man`: the man page, made from the same clap definition as `--help`.
fn man() -> color_eyre::Result<()> {
    use std::io::Write;
    std::io::stdout().write_all(&crate::cli::man_page()?)?;
    Ok(())
}
