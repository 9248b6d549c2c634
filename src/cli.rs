//! Command-line interface: the one clap definition that `--help`, `blast man` and the shell
//! completions (`blast completions SHELL`) are all made from.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

use crate::duration;

/// The environment and files, after `--help` (and in the man page).
const AFTER_HELP: &str = "\
Environment:
  BLAST_CONFIG     config file, as --config
  BLAST_LOG        log filter when neither --log-level nor the config's log_level is set
                   (e.g. debug, blast=trace)
  KUBECONFIG       kubeconfig files, ':'-separated, merged as kubectl merges them
  NO_COLOR         the mono theme
  COLORTERM, TERM  colour depth: COLORTERM=truecolor|24bit or TERM=*-direct give 24-bit
                   colour, TERM=*256color 256 colours, anything else 16
  XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_DATA_HOME, XDG_CACHE_HOME
                   when set, used on Linux and macOS alike (DIR/blast)

Files (Linux; `blast info` prints the ones in force):
  ~/.config/blast/config.toml     the config ($XDG_CONFIG_HOME/blast/config.toml)
  ~/.config/blast/themes/*.toml   user themes
  ~/.local/state/blast/logs/      the log files ($XDG_STATE_HOME/blast/logs)
On macOS without XDG_*: ~/Library/Application Support/io.blast.blast/ for all three.";

/// The clap command (for completions and the man page).
pub fn command() -> clap::Command {
    Cli::command()
}

#[derive(Debug, Parser)]
#[command(
    name = "blast",
    version = crate::version::VERSION,
    about = "Terminal console for Blast: a bare-metal immutable Kubernetes datacenter defined as code",
    long_about = None,
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// The Blast repo to open (default: the git repo containing the current directory, then the
    /// `repo` key of the config).
    #[arg(long, global = true, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// Theme: a bundled one or themes/NAME.toml in the config dir. NO_COLOR forces mono.
    #[arg(long, global = true, value_name = "NAME", value_parser = themes_parser(), add = ArgValueCandidates::new(complete_themes))]
    pub theme: Option<String>,
    /// Log level, or a filter such as blast=debug, for the log file.
    #[arg(long, global = true, value_name = "LEVEL", value_parser = log_level_parser())]
    pub log_level: Option<String>,
    /// Config file to read instead of the platform one.
    #[arg(long, global = true, value_name = "FILE", env = "BLAST_CONFIG")]
    pub config: Option<PathBuf>,
    /// Open on a view (cluster/NAME: one cluster's tree).
    #[arg(long, global = true, value_name = "VIEW", value_parser = view_parser())]
    pub view: Option<String>,
    /// Change nothing: no editor, no quick action, no stage, commit or push. The console is
    /// built without the capability to write, not with the keys hidden.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Shortest time between two frames caused by cluster changes alone, e.g. `500ms`, `2s`
    /// (default: the config's `fleet.min_frame_ms`, 500 ms). Keys always redraw at once.
    #[arg(long, global = true, value_name = "DURATION", value_parser = duration::parse)]
    pub refresh: Option<Duration>,
    #[command(flatten)]
    pub kube: KubeArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// kubectl's client flags, with kubectl's names and meaning.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Kubernetes client (as kubectl)")]
pub struct KubeArgs {
    /// Kubeconfig file (default: KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context of a management cluster to watch; repeat for several (default: the
    /// current context). `c` in the console switches.
    #[arg(long = "context", global = true, value_name = "NAME", add = ArgValueCandidates::new(complete_contexts))]
    pub contexts: Vec<String>,
    /// The kubeconfig cluster to use instead of the context's.
    #[arg(long, global = true, value_name = "NAME", add = ArgValueCandidates::new(complete_clusters))]
    pub cluster: Option<String>,
    /// The kubeconfig user to use instead of the context's.
    #[arg(long, global = true, value_name = "NAME", add = ArgValueCandidates::new(complete_users))]
    pub user: Option<String>,
    /// User to impersonate (needs the `impersonate` verb in RBAC).
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,
    /// Group to impersonate; repeat for several.
    #[arg(
        long = "as-group",
        global = true,
        value_name = "GROUP",
        requires = "as_user"
    )]
    pub as_groups: Vec<String>,
    /// Longest wait to connect to a server and send it a request, e.g. `10s` (`0`: none).
    /// Watches stay open however quiet they are.
    #[arg(long, global = true, value_name = "DURATION", value_parser = duration::parse)]
    pub request_timeout: Option<Duration>,
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
    /// Print the overview of every site (fleet, storage, backup, GitOps, standards) without the
    /// terminal UI, for cron, monitoring and scripts: one line per site and one per problem, or
    /// JSON.
    /// Exit 0 when all is healthy, 1 when something is degraded, 2 when a site cannot be
    /// reached. Workload clusters are read through their kubeconfig Secrets only with
    /// `[fleet] workload_kubeconfigs = true`; else each is judged from the management
    /// cluster's Cluster API objects and said `not watched directly` (neither failed nor
    /// unreachable).
    Status(StatusArgs),
    /// Full-screen read-only wall dashboard: pages fleet, storage, backup, gitops, problems and
    /// standards, rotating. Keys: q quits, space pauses, n/p or arrows turn pages, 1-6 jump.
    /// It never writes anything and never exits on a cluster error; lost sites show as STALE.
    Dashboard(DashboardArgs),
    /// List the themes that can be used, bundled and from the config dir.
    Themes(OutputArgs),
    /// Where everything is: config, themes, logs, kubeconfig files and context, the repo, the
    /// build and what is compiled in.
    Info(OutputArgs),
    /// Print the shell completion script: `source <(blast completions bash)` (see the README
    /// for zsh and fish). Completes subcommands, flags, their values and kubeconfig contexts.
    Completions(CompletionsArgs),
    /// Print the man page (roff): `blast man > ~/.local/share/man/man1/blast.1`.
    Man,
    /// Every image the repo deploys and live pods run, deduplicated by digest, with Clair's
    /// vulnerability counts. Exit 1 when an image has a vulnerability at or above --fail-on,
    /// 2 when a report could not be had, 3 when it could not run.
    Images(ImagesArgs),
    /// Per site, whether the datacenter meets its standards: policy findings, the CIS
    /// benchmark reports (docker-bench, kube-bench) with the repo's waivers, image
    /// vulnerabilities. Exit 1 when a site is degraded or a manifest could not be checked (a
    /// YAML error, too large, unreadable), 3 when it could not run.
    Standards(StandardsArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct StandardsArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    /// Clair's base URL (default: the config's `[clair] url`).
    #[arg(long, value_name = "URL")]
    pub clair: Option<String>,
    /// Longest wait for the sites to answer, e.g. `20s` (a bare number is seconds).
    #[arg(long, default_value = "20s", value_name = "DURATION", value_parser = duration::parse)]
    pub timeout: Duration,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImagesArgs {
    #[command(flatten)]
    pub output: OutputArgs,
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
    /// Longest wait for the sites' Pods and Trivy reports, e.g. `20s` (a bare number is seconds).
    #[arg(long, default_value = "20s", value_name = "DURATION", value_parser = duration::parse)]
    pub timeout: Duration,
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
    #[arg(long, default_value = "20s", value_name = "DURATION", value_parser = duration::parse)]
    pub rotate: Duration,
    /// Pages to show, in order (comma-separated).
    #[arg(
        long = "page",
        value_name = "PAGES",
        value_delimiter = ',',
        value_parser = PossibleValuesParser::new(crate::dashboard::Page::ALL.map(|p| p.name())),
        default_value = "fleet,storage,backup,gitops,problems,standards"
    )]
    pub pages: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// `-o text|json`, the one output flag of every command that prints something for machines
/// (kubectl's spelling; `--format` and `--json` still work, unlisted).
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Text, alias = "format")]
    pub output: Format,
    /// Same as `-o json`.
    #[arg(long, hide = true)]
    pub json: bool,
}

impl OutputArgs {
    pub fn format(&self) -> Format {
        if self.json { Format::Json } else { self.output }
    }
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    /// Longest wait for the sites to answer, e.g. `20s`, `1m` (a bare number is seconds).
    #[arg(long, default_value = "20s", value_name = "DURATION", value_parser = duration::parse)]
    pub timeout: Duration,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// A repo root (checks clusters/, infrastructure/ and apps/), any folder, or one file.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Folder of CustomResourceDefinition YAML to validate objects against; core kinds are
    /// validated with the built-in Kubernetes types.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
    /// Also run the policy rules: checkov's Kubernetes checks (CKV_K8S_*, CKV2_K8S_*, same IDs
    /// and results) and blast's CIS Docker extras (BLAST_CIS_*); skips as checkov reads them.
    #[arg(long)]
    pub policy: bool,
}

/// A value flag whose usual values are listed in `--help` and completed, while `check` decides
/// what else it takes (a user theme, `cluster/NAME`, a log filter).
#[derive(Clone)]
struct Listed {
    values: &'static [(&'static str, &'static str)],
    check: fn(&str) -> Result<(), String>,
}

impl TypedValueParser for Listed {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        let name = arg
            .and_then(|a| a.get_long())
            .map(|l| format!("--{l}"))
            .unwrap_or_default();
        let s = value.to_str().ok_or_else(|| {
            clap::Error::raw(
                clap::error::ErrorKind::InvalidUtf8,
                format!("{name}: not UTF-8\n"),
            )
            .with_cmd(cmd)
        })?;
        (self.check)(s).map_err(|e| {
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("invalid value '{s}' for '{name}': {e}\n"),
            )
            .with_cmd(cmd)
        })?;
        Ok(s.to_string())
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            self.values
                .iter()
                .map(|(v, help)| PossibleValue::new(*v).help(*help)),
        ))
    }
}

fn view_parser() -> Listed {
    Listed {
        values: &[
            ("repo", "the repo browser"),
            ("fleet", "the Cluster API clusters"),
            ("cluster/NAME", "one cluster's object tree"),
            ("nodes", "nodes of every cluster"),
            ("baremetal", "Sidero servers"),
            ("storage", "Ceph, Mayastor, volumes, MinIO"),
            ("backup", "Kasten K10"),
            ("gitops", "Argo CD"),
            ("overview", "one summary per site"),
            ("changes", "the write loop: stage, commit, push"),
        ],
        check: |s| crate::app::nav::Route::parse(s).map(|_| ()),
    }
}

fn themes_parser() -> Listed {
    Listed {
        values: &[
            ("default", "dark"),
            ("light", "light background"),
            (
                "high-contrast",
                "WCAG AA for every role; the dashboard's default",
            ),
            ("solarized-dark", "Solarized"),
            ("mono", "no colour (NO_COLOR)"),
        ],
        // A user theme is any file name; the file itself is read (and its errors told) later.
        check: |s| {
            if s.is_empty() || s.contains(['/', '\\']) {
                Err("a theme is a name (themes/NAME.toml in the config dir)".into())
            } else {
                Ok(())
            }
        },
    }
}

fn log_level_parser() -> Listed {
    Listed {
        values: &[
            ("error", "errors only"),
            ("warn", "and warnings"),
            ("info", "and what happens (the default)"),
            ("debug", "and details"),
            ("trace", "everything"),
        ],
        check: |s| {
            tracing_subscriber::EnvFilter::try_new(s)
                .map(|_| ())
                .map_err(|e| format!("{e} (a level, or a filter such as blast=debug)"))
        },
    }
}

/// Dynamic completion (the shell asks the binary, see `blast completions`): theme names.
fn complete_themes() -> Vec<CompletionCandidate> {
    let dir = crate::config::Paths::from_platform().map(|p| p.themes_dir());
    crate::theme::available(dir.as_deref())
        .into_iter()
        .map(|(name, source)| CompletionCandidate::new(name).help(Some(source.into())))
        .collect()
}

/// The kubeconfig being completed against: `--kubeconfig FILE` on the line being completed,
/// else KUBECONFIG / ~/.kube/config.
fn completion_kubeconfig() -> Option<::kube::config::Kubeconfig> {
    let args: Vec<String> = std::env::args().collect();
    let explicit = args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--kubeconfig=")
            .map(PathBuf::from)
            .or_else(|| (a == "--kubeconfig").then(|| args.get(i + 1).map(PathBuf::from))?)
    });
    crate::kube::client::load(explicit.as_deref()).ok()
}

fn complete_contexts() -> Vec<CompletionCandidate> {
    let Some(kc) = completion_kubeconfig() else {
        return Vec::new();
    };
    kc.contexts
        .iter()
        .map(|c| {
            let cluster = c.context.as_ref().map(|x| x.cluster.clone());
            CompletionCandidate::new(&c.name).help(cluster.map(Into::into))
        })
        .collect()
}

fn complete_clusters() -> Vec<CompletionCandidate> {
    completion_kubeconfig()
        .map(|kc| {
            kc.clusters
                .iter()
                .map(|c| CompletionCandidate::new(&c.name))
                .collect()
        })
        .unwrap_or_default()
}

fn complete_users() -> Vec<CompletionCandidate> {
    completion_kubeconfig()
        .map(|kc| {
            kc.auth_infos
                .iter()
                .map(|u| CompletionCandidate::new(&u.name))
                .collect()
        })
        .unwrap_or_default()
}

/// The registration script for `shell`: it calls this binary (`completer`) back with
/// `COMPLETE=SHELL` set, which `main` answers through clap_complete's `CompleteEnv`.
pub fn completion_script(shell: Shell, completer: &str) -> std::io::Result<Vec<u8>> {
    use clap_complete::env::EnvCompleter;
    let mut out = Vec::new();
    let sh: &dyn EnvCompleter = match shell {
        Shell::Bash => &clap_complete::env::Bash,
        Shell::Zsh => &clap_complete::env::Zsh,
        Shell::Fish => &clap_complete::env::Fish,
    };
    sh.write_registration(COMPLETE_VAR, "blast", "blast", completer, &mut out)?;
    Ok(out)
}

/// The variable the completion scripts set when they call the binary back.
pub const COMPLETE_VAR: &str = "COMPLETE";

/// `blast man`: the man page, roff.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command()).render(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("blast").chain(args.iter().copied()))
    }

    #[test]
    fn the_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn every_duration_flag_takes_the_one_syntax() {
        let cli = parse(&[
            "--refresh",
            "1h30m",
            "--request-timeout",
            "2m",
            "status",
            "--timeout",
            "90s",
        ])
        .unwrap();
        assert_eq!(cli.refresh, Some(Duration::from_secs(5400)));
        assert_eq!(cli.kube.request_timeout, Some(Duration::from_secs(120)));
        let Some(Command::Status(s)) = cli.command else {
            panic!()
        };
        assert_eq!(s.timeout, Duration::from_secs(90));
        // The old `--timeout SECONDS` still reads as seconds.
        let Some(Command::Status(s)) = parse(&["status", "--timeout", "7"]).unwrap().command else {
            panic!()
        };
        assert_eq!(s.timeout, Duration::from_secs(7));
        let Some(Command::Dashboard(d)) =
            parse(&["dashboard", "--rotate", "1m30s"]).unwrap().command
        else {
            panic!()
        };
        assert_eq!(d.rotate, Duration::from_secs(90));
        let e = parse(&["dashboard", "--rotate", "soon"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("e.g. 500ms"), "{e}");
    }

    #[test]
    fn typed_values_are_checked_and_the_open_ones_still_pass() {
        assert_eq!(
            parse(&["--view", "cluster/edge-berlin"])
                .unwrap()
                .view
                .as_deref(),
            Some("cluster/edge-berlin")
        );
        let e = parse(&["--view", "flet"]).unwrap_err().to_string();
        assert!(
            e.contains("invalid value 'flet' for '--view'") && e.contains("unknown view"),
            "{e}"
        );
        // A user theme is any name; a path is not a name.
        assert_eq!(
            parse(&["--theme", "neon"]).unwrap().theme.as_deref(),
            Some("neon")
        );
        assert!(parse(&["--theme", "../x"]).is_err());
        assert!(parse(&["--log-level", "blast=trace,kube=debug"]).is_ok());
        assert!(parse(&["--log-level", "blast=loud"]).is_err());
        let Some(Command::Dashboard(d)) = parse(&["dashboard", "--page", "problems,fleet"])
            .unwrap()
            .command
        else {
            panic!()
        };
        assert_eq!(d.pages, ["problems", "fleet"]);
        assert!(parse(&["dashboard", "--page", "fleet,nodes"]).is_err());
    }

    #[test]
    fn one_output_flag_and_the_old_spellings() {
        let format = |args: &[&str]| match parse(args).unwrap().command {
            Some(Command::Check(c)) => c.output.format(),
            Some(Command::Status(s)) => s.output.format(),
            Some(Command::Themes(o) | Command::Info(o)) => o.format(),
            _ => panic!(),
        };
        assert_eq!(format(&["check"]), Format::Text);
        assert_eq!(format(&["check", "-o", "json"]), Format::Json);
        assert_eq!(format(&["check", "--format", "json"]), Format::Json);
        assert_eq!(format(&["status", "--json"]), Format::Json);
        assert_eq!(format(&["status", "--output=json"]), Format::Json);
        assert_eq!(format(&["themes", "-o", "json"]), Format::Json);
        assert_eq!(format(&["info", "-ojson"]), Format::Json);
        assert!(parse(&["info", "-o", "yaml"]).is_err());
    }

    #[test]
    fn kubectl_client_flags() {
        let cli = parse(&[
            "--as",
            "jane",
            "--as-group",
            "ops",
            "--as-group",
            "dev",
            "--cluster",
            "c1",
            "--user",
            "u1",
            "--context",
            "a",
            "--context",
            "b",
        ])
        .unwrap();
        assert_eq!(cli.kube.as_user.as_deref(), Some("jane"));
        assert_eq!(cli.kube.as_groups, ["ops", "dev"]);
        assert_eq!(
            (cli.kube.cluster.as_deref(), cli.kube.user.as_deref()),
            (Some("c1"), Some("u1"))
        );
        assert_eq!(cli.kube.contexts, ["a", "b"]);
    }

    #[test]
    fn help_lists_the_values_and_the_environment() {
        let help = command().render_long_help().to_string();
        for word in [
            "fleet",
            "cluster/NAME",
            "high-contrast",
            "solarized-dark",
            "trace",
            "BLAST_CONFIG",
            "BLAST_LOG",
            "XDG_CONFIG_HOME",
            "Library/Application Support",
            "--as-group",
            "--request-timeout",
        ] {
            assert!(help.contains(word), "--help lacks {word}");
        }
        let mut cmd = command();
        let dash = cmd
            .find_subcommand_mut("dashboard")
            .unwrap()
            .render_long_help()
            .to_string();
        assert!(
            dash.contains("problems") && dash.contains("gitops"),
            "{dash}"
        );
    }
}
