//! `blast check`: exit 0 when clean, 1 when anything is wrong, 2 when the check itself failed.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::{CheckArgs, Cli, Format};
use crate::repo::{check, schema::SchemaSet};

pub fn run(cli: &Cli, args: &CheckArgs) -> ExitCode {
    // For `[limits]`; a broken config stops here as it does for every other command.
    if let Err(e) = super::boot::Boot::new(cli) {
        eprintln!("blast check: {e:?}");
        return ExitCode::from(2);
    }
    let schemas = match &args.schemas {
        Some(dir) => match SchemaSet::load(dir) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("blast check: {e:?}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let mut report = match check::run(&args.path, schemas.as_ref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("blast check: {}: {e}", args.path.display());
            return ExitCode::from(2);
        }
    };
    if args.policy {
        // checkov's order: the working directory's `.checkov.yaml` before the scanned folder's.
        let cwd = std::env::current_dir().unwrap_or_default();
        let dir = if args.path.is_dir() {
            args.path.clone()
        } else {
            args.path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        };
        let config = crate::policy::Config::load(&[cwd.as_path(), dir.as_path()]);
        match crate::policy::scan(&args.path, &config) {
            Ok(outcomes) => check::PolicySummary::add(&mut report, outcomes),
            Err(e) => {
                eprintln!("blast check: {}: {e}", args.path.display());
                return ExitCode::from(2);
            }
        }
    }
    match args.output.format() {
        Format::Json => match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("blast check: {e}");
                return ExitCode::from(2);
            }
        },
        Format::Text => {
            for f in &report.findings {
                println!("{f}");
            }
            println!("{}", report.summary(schemas.is_some()));
        }
    }
    if report.errors() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
