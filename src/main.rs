//! `blast`: parse the command line, install the error hooks and logging, choose the mode, and
//! hand over to the runtime (or run `check` / `themes` without a terminal UI).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use blast::app::State;
use blast::app::route::Route;
use blast::cli::{CheckArgs, Cli, Command, DashboardArgs, DemoArgs, Format};
use blast::config::{Config, Paths};
use blast::keymap::Keymap;
use blast::repo::{check, schema::SchemaSet};
use blast::theme::{self, Theme};
use blast::{git, logging, runtime};
use clap::Parser;
use color_eyre::eyre::{WrapErr, eyre};

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
    let cli = Cli::parse();
    if let Err(e) = runtime::install_hooks() {
        eprintln!("blast: {e}");
        return ExitCode::from(2);
    }
    // We handle NO_COLOR ourselves (the mono theme). crossterm would otherwise turn every colour
    // command into an empty SGR, which terminals read as "reset all" and which wipes bold/reverse.
    crossterm::style::Colored::set_ansi_color_disabled(false);
    let result = match &cli.command {
        Some(Command::Check(args)) => return run_check(&cli, args),
        Some(Command::Status(args)) => return run_status(&cli, args),
        Some(Command::Themes) => list_themes(&cli),
        Some(Command::Demo(args)) => demo(&cli, args),
        Some(Command::Dashboard(args)) => dashboard(&cli, args, None),
        None => console(&cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("blast: {e:?}");
            ExitCode::from(2)
        }
    }
}

/// `blast status`: exit 0 healthy, 1 degraded, 2 unreachable (and 2 for a usage error).
fn run_status(cli: &Cli, args: &blast::cli::StatusArgs) -> ExitCode {
    let run = || -> color_eyre::Result<u8> {
        let paths = Paths::from_platform();
        let config = load_config(cli, paths.as_ref())?;
        let _log_guard = match &paths {
            Some(p) => Some(logging::init(&p.log_dir(), config.log_level.as_deref())?),
            None => None,
        };
        let opts = blast::kube::supervisor::Options {
            kubeconfig: cli.kubeconfig.clone(),
            contexts: cli.contexts.clone(),
            workload_kubeconfigs: config.fleet.workload_kubeconfigs,
            linger: std::time::Duration::from_secs(1),
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let timeout = std::time::Duration::from_secs(args.timeout);
        let live = rt.block_on(blast::status::collect(opts, timeout));
        let sites = blast::status::summarize(&live, config.storage.thresholds());
        if args.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&blast::status::json(&sites, live.now))?
            );
        } else {
            print!("{}", blast::status::text(&sites, live.now));
        }
        rt.shutdown_timeout(std::time::Duration::from_millis(200));
        Ok(blast::status::exit_code(&sites))
    };
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("blast: {e:?}");
            ExitCode::from(2)
        }
    }
}

fn load_config(cli: &Cli, paths: Option<&Paths>) -> color_eyre::Result<Config> {
    let file = match (&cli.config, paths) {
        (Some(f), _) => f.clone(),
        (None, Some(p)) => p.config_file(),
        (None, None) => return Ok(Config::default()),
    };
    if cli.config.is_some() && !file.exists() {
        return Err(eyre!("config file {} does not exist", file.display()));
    }
    let config = Config::load(&file)?;
    config.limits.apply();
    Ok(config)
}

/// The repo to open: `--repo`, else the git work tree around the current directory (or the
/// current directory itself if it holds a Blast tree), else the config's `repo`.
fn find_repo(cli: &Cli, config: &Config) -> color_eyre::Result<PathBuf> {
    if let Some(p) = &cli.repo {
        return p
            .canonicalize()
            .wrap_err_with(|| format!("--repo {}", p.display()));
    }
    let cwd = std::env::current_dir()?;
    if let Some(root) = git::ops::discover(&cwd) {
        // git2 gives the work tree with a trailing slash; normalise it.
        return Ok(root.components().collect());
    }
    if blast::repo::index::TOP_DIRS
        .iter()
        .any(|d| cwd.join(d).is_dir())
    {
        return Ok(cwd);
    }
    if let Some(p) = &config.repo {
        return p
            .canonicalize()
            .wrap_err_with(|| format!("config key repo = {}", p.display()));
    }
    Err(eyre!(
        "no Blast repo found from {}: run blast inside the repo, pass --repo PATH, or set repo in the config",
        cwd.display()
    ))
}

fn display_path(p: &Path) -> String {
    let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
    match home.and_then(|h| p.strip_prefix(&h).ok().map(Path::to_path_buf)) {
        Some(rel) => format!("~/{}", rel.display()),
        None => p.display().to_string(),
    }
}

fn console(cli: &Cli) -> color_eyre::Result<()> {
    run_console(cli, None)
}

/// The console; `demo` points it at the demo emulator's kubeconfig instead of the user's.
fn run_console(cli: &Cli, mut demo: Option<blast::demo::run::Demo>) -> color_eyre::Result<()> {
    let paths = Paths::from_platform();
    let config = load_config(cli, paths.as_ref())?;
    let mut keymap = Keymap::with_overrides(&config)?;
    if cli.read_only {
        keymap = keymap.read_only();
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme_name = cli
        .theme
        .clone()
        .or(config.theme.clone())
        .unwrap_or_else(|| "default".into());
    let depth = theme::ColorDepth::from_env();
    let theme = Theme::load(
        &theme_name,
        paths.as_ref().map(|p| p.themes_dir()).as_deref(),
        no_color,
    )?
    .for_depth(depth);
    let root = find_repo(cli, &config)?;
    let log_dir = paths
        .as_ref()
        .map(|p| p.log_dir())
        .unwrap_or_else(|| std::env::temp_dir().join("blast-logs"));
    let level = cli.log_level.as_deref().or(config.log_level.as_deref());
    let _log_guard = logging::init(&log_dir, level)
        .wrap_err_with(|| format!("starting the log in {}", log_dir.display()))?;
    // The demo browses (and pushes from) a clone of the repo, never the checkout itself.
    let root = match demo.as_mut() {
        Some(d) => d.make_sandbox(&root)?,
        None => root,
    };
    tracing::info!(repo = %root.display(), theme = %theme.name, colours = ?depth, version = env!("CARGO_PKG_VERSION"), "starting console");
    let mut state = State::new(root.clone(), keymap, (80, 24));
    state.repo.display = display_path(&root);
    state.views.thresholds = config.storage.thresholds();
    state.reconcile_timeout_secs = config.reconcile.timeout_secs as i64;
    // The one place the capability to write is granted (see `app::write`).
    state.write = (!cli.read_only).then(blast::app::write::WriteCap::grant);
    if let Some(v) = &cli.view {
        state.route = Route::parse(v).map_err(|e| eyre!("--view: {e}"))?;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut kube = blast::kube::supervisor::Options {
        kubeconfig: cli.kubeconfig.clone(),
        contexts: cli.contexts.clone(),
        workload_kubeconfigs: config.fleet.workload_kubeconfigs,
        linger: std::time::Duration::from_secs(config.fleet.linger_secs),
    };
    let state_dir = paths
        .as_ref()
        .map(|p| p.state_dir.clone())
        .unwrap_or_else(std::env::temp_dir);
    rt.block_on(async move {
        let _demo = start_demo(demo, &state_dir, &mut kube).await?;
        runtime::run(
            state,
            theme,
            runtime::RunOptions {
                refresh: config.refresh.clone(),
                kube: Some(kube),
                min_frame: cli
                    .refresh
                    .unwrap_or(std::time::Duration::from_millis(config.fleet.min_frame_ms)),
                panic_key: std::env::var_os("BLAST_TEST_PANIC_ON_KEY").is_some(),
            },
        )
        .await
    })
}

/// The demo, if asked for: start the emulator first, then point the watches at its kubeconfig,
/// the same way a user points them at a real cluster. Keep what it returns until the end.
async fn start_demo(
    demo: Option<blast::demo::run::Demo>,
    state_dir: &std::path::Path,
    kube: &mut blast::kube::supervisor::Options,
) -> color_eyre::Result<Option<blast::demo::run::Running>> {
    let Some(d) = demo else { return Ok(None) };
    let running = d.start(state_dir).await?;
    kube.kubeconfig = Some(running.kubeconfig_path.clone());
    kube.contexts = vec![running.context.clone()];
    kube.workload_kubeconfigs = true;
    Ok(Some(running))
}

/// `blast demo`: the console against the simulated datacenter, or (`--serve-only`) just the
/// emulator for other clients.
fn demo(cli: &Cli, args: &DemoArgs) -> color_eyre::Result<()> {
    let mut demo = blast::demo::run::Demo::from_args(args)?;
    if args.dashboard {
        return dashboard(cli, &args.wall, Some(demo));
    }
    if !args.serve_only {
        return run_console(cli, Some(demo));
    }
    let paths = Paths::from_platform();
    // Without a repo around, serve the world alone (no sandbox, no reconciler).
    let config = load_config(cli, paths.as_ref())?;
    let source = find_repo(cli, &config);
    let state_dir = paths
        .as_ref()
        .map(|p| p.state_dir.clone())
        .unwrap_or_else(std::env::temp_dir);
    let log_dir = state_dir.join("logs");
    let _log_guard = logging::init(&log_dir, cli.log_level.as_deref())?;
    let clone = match source {
        Ok(root) => {
            let clone = demo.make_sandbox(&root)?;
            let dirty = demo.sandbox.as_ref().is_some_and(|s| s.source_dirty());
            Some((clone, root, dirty))
        }
        Err(e) => {
            eprintln!("blast: no repo sandbox, no reconciler: {e}");
            None
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let running = demo.start(&state_dir).await?;
        println!("{}", running.kubeconfig_path.display());
        if let Some((clone, root, dirty)) = &clone {
            println!("{}", clone.display());
            println!(
                "# the repo sandbox above is a clone of {}'s HEAD{}; push its main to its origin and the demo's Argo CD reconciles it",
                root.display(),
                if *dirty { " (without its uncommitted changes)" } else { "" }
            );
        }
        println!(
            "# the demo datacenter is served at {} (contexts: {}); Ctrl-C stops it",
            running.base_url,
            running.contexts.join(", ")
        );
        use std::io::Write;
        let _ = std::io::stdout().flush();
        // Ctrl-C or SIGTERM: stop, and remove the sandbox (unless --keep).
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                r = tokio::signal::ctrl_c() => r?,
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await?;
        running.stop().await;
        Ok(())
    })
}

/// `blast dashboard` (or `blast demo --dashboard`): the read-only wall. The repo is optional
/// (it only says how far behind HEAD each Application is); the theme is `--theme`, else the
/// config's `[dashboard] theme`, else high-contrast.
fn dashboard(
    cli: &Cli,
    args: &DashboardArgs,
    demo: Option<blast::demo::run::Demo>,
) -> color_eyre::Result<()> {
    use blast::dashboard::{self, Page};
    let paths = Paths::from_platform();
    let config = load_config(cli, paths.as_ref())?;
    let pages = Page::parse_list(&args.pages).map_err(|e| eyre!("--page: {e}"))?;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme_name = cli
        .theme
        .clone()
        .or(config.dashboard.theme.clone())
        .unwrap_or_else(|| "high-contrast".into());
    let depth = theme::ColorDepth::from_env();
    let theme = Theme::load(
        &theme_name,
        paths.as_ref().map(|p| p.themes_dir()).as_deref(),
        no_color,
    )?
    .for_depth(depth);
    let repo = find_repo(cli, &config).ok();
    let log_dir = paths
        .as_ref()
        .map(|p| p.log_dir())
        .unwrap_or_else(|| std::env::temp_dir().join("blast-logs"));
    let level = cli.log_level.as_deref().or(config.log_level.as_deref());
    let _log_guard = logging::init(&log_dir, level)
        .wrap_err_with(|| format!("starting the log in {}", log_dir.display()))?;
    tracing::info!(repo = ?repo, theme = %theme.name, rotate = ?args.rotate, pages = %args.pages, "starting dashboard");
    let state = dashboard::State::new(
        pages,
        args.rotate.as_secs(),
        config.storage.thresholds(),
        (80, 24),
    );
    let mut kube = blast::kube::supervisor::Options {
        kubeconfig: cli.kubeconfig.clone(),
        contexts: cli.contexts.clone(),
        workload_kubeconfigs: config.fleet.workload_kubeconfigs,
        linger: std::time::Duration::from_secs(config.fleet.linger_secs),
    };
    let min_frame = cli
        .refresh
        .unwrap_or(std::time::Duration::from_millis(config.fleet.min_frame_ms));
    let state_dir = paths
        .as_ref()
        .map(|p| p.state_dir.clone())
        .unwrap_or_else(std::env::temp_dir);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let _demo = start_demo(demo, &state_dir, &mut kube).await?;
        dashboard::run::run(
            state,
            theme,
            dashboard::run::Options {
                kube,
                repo,
                min_frame,
            },
        )
        .await
    })
}

fn list_themes(cli: &Cli) -> color_eyre::Result<()> {
    let paths = Paths::from_platform();
    let dir = paths.as_ref().map(|p| p.themes_dir());
    let config = load_config(cli, paths.as_ref())?;
    let current = cli
        .theme
        .clone()
        .or(config.theme)
        .unwrap_or_else(|| "default".into());
    for (name, source) in theme::available(dir.as_deref()) {
        let mark = if name == current { "*" } else { " " };
        println!("{mark} {name:<16} {source}");
    }
    Ok(())
}

/// `blast check`: exit 0 when clean, 1 when anything is wrong, 2 when the check itself failed.
fn run_check(cli: &Cli, args: &CheckArgs) -> ExitCode {
    // For `[limits]`; a broken config stops here as it does for every other command.
    if let Err(e) = load_config(cli, Paths::from_platform().as_ref()) {
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
    let report = match check::run(&args.path, schemas.as_ref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("blast check: {}: {e}", args.path.display());
            return ExitCode::from(2);
        }
    };
    match args.format {
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
