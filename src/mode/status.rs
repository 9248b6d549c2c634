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
    // The standards: the repo's side when there is a repo, images when Clair is configured.
    let repo = boot
        .find_repo(cli)
        .ok()
        .map(|root| crate::standards::scan_repo(&root));
    let images = rt.block_on(images(&boot, cli, &live));
    let (sites, standards) = crate::status::summarize_with_standards(
        &live,
        boot.config.storage.thresholds(),
        workload_kubeconfigs,
        repo.as_ref(),
        images.as_deref(),
    );
    if args.output.format() == crate::cli::Format::Json {
        let mut out = crate::status::json(&sites, live.now);
        out["standards"] = serde_json::to_value(&standards)?;
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", crate::status::text(&sites, live.now));
    }
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(crate::status::exit_code(&sites))
}

/// The image store as the Images and Standards views settle it (the repo's images, live
/// Pods', Trivy Operator's reports of `live`, Clair's when `[clair] url` is configured), as
/// the Standards view counts it; `None` when no image has a source.
async fn images(
    boot: &Boot,
    cli: &Cli,
    live: &crate::app::live::LiveState,
) -> Option<Vec<crate::standards::ImageVulns>> {
    let root = boot.find_repo(cli).ok();
    let client = super::images::clair_client(boot, cli, None).ok().flatten();
    let rows = super::images::store(live, root.as_deref(), client.as_ref()).await;
    crate::app::live::images::vulns(&rows)
}
