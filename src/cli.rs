//! Command-line interface.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "blast", version, about = "Terminal console for Blast: a bare-metal immutable Kubernetes datacenter defined as code", long_about = None)]
pub struct Cli {
    /// The Blast repo to open (default: the git repo containing the current directory, then the
    /// `repo` key of the config).
    #[arg(long, global = true, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// Theme name: a bundled one (default, light, high-contrast, mono) or themes/NAME.toml in
    /// the config dir. NO_COLOR forces mono.
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// Log level or filter for the log file (error, warn, info, debug, trace, or blast=debug).
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// Config file to read instead of the platform one.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Kubeconfig file (default: KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context of a management cluster to watch; repeat for several (default: the
    /// current context). `c` in the console switches.
    #[arg(long = "context", global = true, value_name = "NAME")]
    pub contexts: Vec<String>,
    /// Open on a view: repo, fleet, cluster/NAME, nodes, baremetal, storage, backup, gitops,
    /// overview, changes.
    #[arg(long, global = true, value_name = "VIEW")]
    pub view: Option<String>,
    /// Change nothing: no editor, no quick action, no stage, commit or push. The console is
    /// built without the capability to write, not with the keys hidden.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Shortest time between two frames caused by cluster changes alone, e.g. `500ms`, `2s`
    /// (default: the config's `fleet.min_frame_ms`, 500 ms). Keys always redraw at once.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub refresh: Option<std::time::Duration>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the repo: YAML syntax, required fields, and (with --schemas) every object against
    /// its CRD or core schema. Exit 1 when anything is wrong.
    Check(CheckArgs),
    /// Run the console against a simulated datacenter: an in-process Kubernetes API emulator
    /// serving the datacenter in fixtures/demo, changed over time by a scenario, on a
    /// temporary clone of the repo whose pushes a stand-in for Argo CD reconciles.
    Demo(DemoArgs),
    /// Print the overview of every site (fleet, storage, backup, GitOps) without the terminal
    /// UI, for cron, monitoring and scripts: one line per site and one per problem, or JSON.
    /// Exit 0 when all is healthy, 1 when something is degraded, 2 when a site cannot be
    /// reached. Workload clusters are read through their kubeconfig Secrets only with
    /// `[fleet] workload_kubeconfigs = true` (else they count as unreachable).
    Status(StatusArgs),
    /// Full-screen read-only wall dashboard: pages fleet, storage, backup, gitops and problems,
    /// rotating. Keys: q quits, space pauses, n/p or arrows turn pages, 1-5 jump. It never
    /// writes anything and never exits on a cluster error; lost sites show as STALE.
    Dashboard(DashboardArgs),
    /// List the themes that can be used, bundled and from the config dir.
    Themes,
    /// Every image the repo deploys and live pods run, deduplicated by digest, with Clair's
    /// vulnerability counts. Exit 1 when an image has a vulnerability at or above --fail-on,
    /// 2 when a report could not be had, 3 when it could not run.
    Images(ImagesArgs),
    /// Per site, whether the datacenter meets its standards: policy findings, the CIS
    /// benchmark reports (docker-bench, kube-bench) with the repo's waivers, image
    /// vulnerabilities. Exit 1 when a site is degraded, 3 when it could not run.
    Standards(StandardsArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct StandardsArgs {
    /// JSON instead of text (same as `-o json`).
    #[arg(long)]
    pub json: bool,
    #[arg(short = 'o', long = "output", value_enum, value_name = "FORMAT")]
    pub output: Option<Format>,
    /// Clair's base URL (default: the config's `[clair] url`).
    #[arg(long, value_name = "URL")]
    pub clair: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImagesArgs {
    /// JSON instead of text (same as `-o json`).
    #[arg(long)]
    pub json: bool,
    #[arg(short = 'o', long = "output", value_enum, value_name = "FORMAT")]
    pub output: Option<Format>,
    /// Clair's base URL (default: the config's `[clair] url`).
    #[arg(long, value_name = "URL")]
    pub clair: Option<String>,
    /// Exit 1 when an image has a vulnerability at or above this: critical, high, medium, low.
    #[arg(long, value_name = "SEVERITY", default_value = "critical")]
    pub fail_on: String,
    /// Do not list live pods (the repo's images only).
    #[arg(long)]
    pub no_live: bool,
    /// Ask Clair to index this image (resolved from its registry); nothing else indexes.
    #[arg(long, value_name = "IMAGE")]
    pub index: Option<String>,
    /// With --index: `https`, or `http` for a plain-HTTP registry.
    #[arg(long, default_value = "https", value_name = "SCHEME")]
    pub registry_scheme: String,
    /// With --index: the platform of a multi-platform image.
    #[arg(long, default_value = "linux/amd64", value_name = "OS/ARCH")]
    pub platform: String,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Scenario to play (see fixtures/demo/README.md); `none` keeps the world still.
    #[arg(long, default_value = "default")]
    pub scenario: String,
    /// Scenario speed: 2 plays twice as fast.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Only run the API emulator and print the path of a kubeconfig for it (for kubectl, k9s).
    #[arg(long)]
    pub serve_only: bool,
    /// Port for the emulator (default: a random free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Inject faults now and then: dropped watches, 500s, slow answers, expired watches.
    #[arg(long)]
    pub faults: bool,
    /// Write the kubeconfig here instead of the state dir.
    #[arg(long, value_name = "FILE")]
    pub write_kubeconfig: Option<PathBuf>,
    /// Keep the demo's sandbox (the clone of the repo and its bare origin.git) after exit.
    #[arg(long)]
    pub keep: bool,
    /// Make the sandbox in this folder instead of the system temp dir.
    #[arg(long, value_name = "DIR")]
    pub sandbox_dir: Option<PathBuf>,
    /// Open the wall dashboard on the demo datacenter instead of the console.
    #[arg(long, conflicts_with = "serve_only")]
    pub dashboard: bool,
    #[command(flatten)]
    pub wall: DashboardArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DashboardArgs {
    /// Time each page stays before the next, e.g. `20s`, `1m`; `0` keeps one page.
    #[arg(long, default_value = "20s", value_name = "DURATION", value_parser = parse_duration)]
    pub rotate: std::time::Duration,
    /// Pages to show, in order: fleet, storage, backup, gitops, problems (comma-separated).
    #[arg(
        long = "page",
        value_name = "PAGES",
        default_value = "fleet,storage,backup,gitops,problems"
    )]
    pub pages: String,
}

/// `500ms`, `20s`, `2m`, `1h`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("\"{s}\" is not a duration (e.g. 500ms, 20s, 2m)"))?;
    let ms = match unit.trim() {
        "ms" => n,
        "" | "s" => n * 1000,
        "m" => n * 60_000,
        "h" => n * 3_600_000,
        other => {
            return Err(format!(
                "unknown unit \"{other}\" in \"{s}\"; use ms, s, m or h"
            ));
        }
    };
    Ok(std::time::Duration::from_millis(ms))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Longest wait for the sites to answer, in seconds.
    #[arg(long, default_value_t = 20)]
    pub timeout: u64,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// A repo root (checks clusters/, infrastructure/ and apps/), any folder, or one file.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Folder of CustomResourceDefinition YAML to validate objects against; core kinds are
    /// validated with the built-in Kubernetes types.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_read_with_units_and_bare_seconds() {
        assert_eq!(parse_duration("20s"), Ok(Duration::from_secs(20)));
        assert_eq!(parse_duration("15"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("3d").unwrap_err().contains("unknown unit"));
    }
}
