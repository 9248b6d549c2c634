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
    let images = rt.block_on(images(&boot, cli, repo.as_ref()));
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

/// The images the repo deploys with Clair's reports, when `[clair] url` is configured (the
/// images of live pods are `blast images`'s); `None` otherwise or when Clair cannot be set up.
async fn images(
    boot: &Boot,
    cli: &Cli,
    repo: Option<&crate::standards::RepoSide>,
) -> Option<Vec<crate::standards::ImageVulns>> {
    repo?;
    let root = boot.find_repo(cli).ok()?;
    let ep = boot
        .config
        .clair
        .endpoint(cli.kube.contexts.first().map(String::as_str))
        .ok()??;
    let client = crate::clair::client::Client::new(&ep).ok()?;
    let mut list = crate::clair::images::dedupe(crate::clair::images::repo_images(&root));
    super::images::fill_reports(&client, &mut list).await;
    Some(list.iter().map(crate::standards::ImageVulns::of).collect())
}
