//! What every mode does first, once and by the same rules: the platform paths, the config, the
//! log file, the theme, the kube options and the tokio runtime.
//!
//! - Config: `--config FILE` (which must exist), else the platform file; a missing platform
//!   file means defaults, a broken one stops here naming file and line.
//! - Logging: `--log-level`, else the config's `log_level`, else `BLAST_LOG`, else `info`, into
//!   the state dir's `logs/` (the temp dir's `blast-logs/` where a platform has no dirs).
//! - Theme: `--theme`, else the mode's config key, else the mode's default; NO_COLOR gives mono.

use std::path::{Path, PathBuf};
use std::time::Duration;

use color_eyre::eyre::{WrapErr, eyre};
use tracing_appender::non_blocking::WorkerGuard;

use crate::cli::Cli;
use crate::config::{Config, Paths};
use crate::theme::{self, Theme};

/// The paths and config every mode starts from.
pub struct Boot {
    pub paths: Option<Paths>,
    pub config: Config,
    /// Keeps the log writer alive (flushed when dropped); `None` until [`Boot::start_log`].
    log_guard: Option<WorkerGuard>,
}

impl Boot {
    /// Reads the config (no logging yet: a mode that prints, such as `themes`, needs none).
    pub fn new(cli: &Cli) -> color_eyre::Result<Boot> {
        let paths = Paths::from_platform();
        let config = load_config(cli, paths.as_ref())?;
        Ok(Boot {
            paths,
            config,
            log_guard: None,
        })
    }

    /// The platform paths with the default config (for `blast info` when the config is broken).
    pub fn without_config() -> Boot {
        Boot {
            paths: Paths::from_platform(),
            config: Config::default(),
            log_guard: None,
        }
    }

    /// The config file in force: `--config` (or BLAST_CONFIG), else the platform one.
    pub fn config_file(&self, cli: &Cli) -> Option<PathBuf> {
        cli.config
            .clone()
            .or_else(|| self.paths.as_ref().map(Paths::config_file))
    }

    /// Reads the config and starts the log file.
    pub fn with_log(cli: &Cli) -> color_eyre::Result<Boot> {
        let mut boot = Boot::new(cli)?;
        boot.start_log(cli)?;
        Ok(boot)
    }

    /// Starts the log file (after the checks that print to the terminal).
    pub fn start_log(&mut self, cli: &Cli) -> color_eyre::Result<()> {
        let dir = self.log_dir();
        let level = cli
            .log_level
            .as_deref()
            .or(self.config.log_level.as_deref());
        let guard = crate::logging::init(&dir, level)
            .wrap_err_with(|| format!("starting the log in {}", dir.display()))?;
        self.log_guard = Some(guard);
        Ok(())
    }

    pub fn log_dir(&self) -> PathBuf {
        match &self.paths {
            Some(p) => p.log_dir(),
            None => std::env::temp_dir().join("blast-logs"),
        }
    }

    /// Where the demo writes its kubeconfig (the temp dir where a platform has no dirs).
    pub fn state_dir(&self) -> PathBuf {
        match &self.paths {
            Some(p) => p.state_dir.clone(),
            None => std::env::temp_dir(),
        }
    }

    pub fn themes_dir(&self) -> Option<PathBuf> {
        self.paths.as_ref().map(|p| p.themes_dir())
    }

    /// `--theme`, else `configured`, else `default`, brought down to the terminal's colours.
    pub fn theme(
        &self,
        cli: &Cli,
        configured: Option<&str>,
        default: &str,
    ) -> color_eyre::Result<Theme> {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let name = cli.theme.as_deref().or(configured).unwrap_or(default);
        let depth = theme::ColorDepth::from_env();
        Ok(Theme::load(name, self.themes_dir().as_deref(), no_color)?.for_depth(depth))
    }

    /// The watches' options from the flags and the config.
    pub fn kube_options(&self, cli: &Cli) -> crate::kube::supervisor::Options {
        crate::kube::supervisor::Options {
            kubeconfig: cli.kube.kubeconfig.clone(),
            contexts: cli.kube.contexts.clone(),
            workload_kubeconfigs: self.config.fleet.workload_kubeconfigs,
            linger: Duration::from_secs(self.config.fleet.linger_secs),
            overrides: kube_overrides(cli),
        }
    }

    /// The shortest time between two frames caused by data alone.
    pub fn min_frame(&self, cli: &Cli) -> Duration {
        cli.refresh
            .unwrap_or(Duration::from_millis(self.config.fleet.min_frame_ms))
    }

    /// The repo to open: `--repo`, else the git work tree around the current directory (or the
    /// current directory itself if it holds a Blast tree), else the config's `repo`.
    pub fn find_repo(&self, cli: &Cli) -> color_eyre::Result<PathBuf> {
        if let Some(p) = &cli.repo {
            return p
                .canonicalize()
                .wrap_err_with(|| format!("--repo {}", p.display()));
        }
        let cwd = std::env::current_dir()?;
        if let Some(root) = crate::git::status::discover(&cwd) {
            // git2 gives the work tree with a trailing slash; normalise it.
            return Ok(root.components().collect());
        }
        if crate::repo::index::TOP_DIRS
            .iter()
            .any(|d| cwd.join(d).is_dir())
        {
            return Ok(cwd);
        }
        if let Some(p) = &self.config.repo {
            return p
                .canonicalize()
                .wrap_err_with(|| format!("config key repo = {}", p.display()));
        }
        Err(eyre!(
            "no Blast repo found from {}: run blast inside the repo, pass --repo PATH, or set repo in the config",
            cwd.display()
        ))
    }
}

/// kubectl's client flags, for the user's contexts.
pub fn kube_overrides(cli: &Cli) -> crate::kube::client::Overrides {
    crate::kube::client::Overrides {
        cluster: cli.kube.cluster.clone(),
        user: cli.kube.user.clone(),
        impersonate: cli.kube.as_user.clone(),
        impersonate_groups: cli.kube.as_groups.clone(),
        request_timeout: cli.kube.request_timeout,
    }
}

/// A client for each `--context` (or the current one) of the user's kubeconfig, with kubectl's
/// client flags applied, named by its context; `Err` when the kubeconfig cannot be read.
pub async fn user_clients(
    cli: &Cli,
) -> Result<Vec<(String, Result<kube::Client, String>)>, String> {
    let kc = crate::kube::client::load(cli.kube.kubeconfig.as_deref())?;
    let contexts: Vec<Option<String>> = if cli.kube.contexts.is_empty() {
        vec![kc.current_context.clone()]
    } else {
        cli.kube.contexts.iter().cloned().map(Some).collect()
    };
    let mut out = Vec::new();
    for ctx in contexts {
        let client =
            crate::kube::client::client_with(&kc, ctx.as_deref(), &kube_overrides(cli)).await;
        out.push((ctx.unwrap_or_default(), client));
    }
    Ok(out)
}

/// The one tokio runtime of a mode: two workers (the watches parse on them; the UI has its own
/// thread for input).
pub fn runtime() -> color_eyre::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn load_config(cli: &Cli, paths: Option<&Paths>) -> color_eyre::Result<Config> {
    let file = match (&cli.config, paths) {
        (Some(f), _) => f.clone(),
        (None, Some(p)) => p.config_file(),
        (None, None) => {
            let config = Config::default();
            config.limits.apply();
            return Ok(config);
        }
    };
    if cli.config.is_some() && !file.exists() {
        return Err(eyre!("config file {} does not exist", file.display()));
    }
    let config = Config::load(&file)?;
    config.limits.apply();
    Ok(config)
}

/// `~/x` for a path under the home directory (the header shows it).
pub fn display_path(p: &Path) -> String {
    let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
    match home.and_then(|h| p.strip_prefix(&h).ok().map(Path::to_path_buf)) {
        Some(rel) => format!("~/{}", rel.display()),
        None => p.display().to_string(),
    }
}
