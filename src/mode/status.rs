//! `blast status`: the overview without a UI. Exit 0 all healthy, 1 degraded, 2 unreachable or
//! stale, 3 could not run (see `crate::status`).

use std::process::ExitCode;
use std::time::Duration;

use super::boot::{self, Boot};
use crate::cli::{Cli, StatusArgs};

pub fn run(cli: &Cli, args: &StatusArgs) -> ExitCode {
    match report(cli, args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("blast: {e:?}");
            ExitCode::from(crate::status::EXIT_COULD_NOT_RUN)
        }
    }
}

fn report(cli: &Cli, args: &StatusArgs) -> color_eyre::Result<u8> {
    let boot = Boot::with_log(cli)?;
    let mut opts = boot.kube_options(cli);
    // One pass: nothing lingers.
    opts.linger = Duration::from_secs(1);
    let rt = boot::runtime()?;
    let workload_kubeconfigs = opts.workload_kubeconfigs;
    let live = rt
        .block_on(crate::status::collect(opts, args.timeout))
        .map_err(|e| color_eyre::eyre::eyre!(e))?;
    let sites = crate::status::summarize(
        &live,
        boot.config.storage.thresholds(),
        workload_kubeconfigs,
    );
    if args.output.format() == crate::cli::Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&crate::status::json(&sites, live.now))?
        );
    } else {
        print!("{}", crate::status::text(&sites, live.now));
    }
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(crate::status::exit_code(&sites))
}
