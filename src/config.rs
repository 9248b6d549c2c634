//! The config file (`config.toml` in the platform config dir) and the paths Blast uses.
//!
//! A missing file means defaults. A broken one stops Blast before the terminal UI starts, with a
//! message naming the file, line and column. Every key is documented in the README.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

/// Where Blast keeps its files on this platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// `~/.config/blast` on Linux: `config.toml` and `themes/*.toml`.
    pub config_dir: PathBuf,
    /// `~/.local/state/blast` on Linux (the data-local dir where a platform has no state dir): logs.
    pub state_dir: PathBuf,
    /// `~/.local/share/blast` on Linux (nothing is kept there yet).
    pub data_dir: PathBuf,
    /// `~/.cache/blast` on Linux (nothing is kept there yet).
    pub cache_dir: PathBuf,
}

/// Whose rules decide the paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Linux,
    MacOs,
    /// Windows and the rest: the `directories` crate's dirs, no XDG.
    Other,
}

impl Platform {
    pub fn current() -> Platform {
        if cfg!(target_os = "macos") {
            Platform::MacOs
        } else if cfg!(unix) {
            Platform::Linux
        } else {
            Platform::Other
        }
    }
}

/// The macOS folder of the `directories` crate for Blast (config, data and state alike).
const MACOS_APP_DIR: &str = "Library/Application Support/io.blast.blast";

impl Paths {
    pub fn from_platform() -> Option<Paths> {
        match Platform::current() {
            Platform::Other => {
                let dirs = directories::ProjectDirs::from("io", "blast", "blast")?;
                Some(Paths {
                    config_dir: dirs.config_dir().to_path_buf(),
                    state_dir: dirs
                        .state_dir()
                        .unwrap_or(dirs.data_local_dir())
                        .to_path_buf(),
                    data_dir: dirs.data_dir().to_path_buf(),
                    cache_dir: dirs.cache_dir().to_path_buf(),
                })
            }
            platform => {
                let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
                Paths::resolve(platform, &|k| std::env::var_os(k), home.as_deref())
            }
        }
    }

    /// The rules for Linux and macOS, as k9s has them: each `XDG_*_HOME` that is set (to an
    /// absolute path, as the XDG spec asks) gives `DIR/blast`, on macOS too; otherwise the
    /// platform's place: XDG's defaults under the home on Linux, the `directories` crate's
    /// `~/Library/Application Support/io.blast.blast` (and `~/Library/Caches/io.blast.blast`)
    /// on macOS. `None` without a home (and no XDG variables to make up for it).
    pub fn resolve(
        platform: Platform,
        env: &dyn Fn(&str) -> Option<std::ffi::OsString>,
        home: Option<&Path>,
    ) -> Option<Paths> {
        let xdg = |var: &str| {
            env(var)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|p| p.join("blast"))
        };
        let default = |linux: &str, macos: &str| -> Option<PathBuf> {
            let home = home?;
            Some(match platform {
                Platform::MacOs => home.join(macos),
                _ => home.join(linux).join("blast"),
            })
        };
        Some(Paths {
            config_dir: xdg("XDG_CONFIG_HOME").or_else(|| default(".config", MACOS_APP_DIR))?,
            state_dir: xdg("XDG_STATE_HOME").or_else(|| default(".local/state", MACOS_APP_DIR))?,
            data_dir: xdg("XDG_DATA_HOME").or_else(|| default(".local/share", MACOS_APP_DIR))?,
            cache_dir: xdg("XDG_CACHE_HOME")
                .or_else(|| default(".cache", "Library/Caches/io.blast.blast"))?,
        })
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn themes_dir(&self) -> PathBuf {
        self.config_dir.join("themes")
    }

    pub fn log_dir(&self) -> PathBuf {
        self.state_dir.join("logs")
    }
}

/// A config or theme error: the file, the 1-based line and column, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.col,
            self.message
        )
    }
}

impl std::error::Error for FileError {}

impl FileError {
    /// An error at a byte offset of `text`.
    pub fn at(file: &Path, text: &str, offset: usize, message: impl Into<String>) -> FileError {
        let (line, col) = line_col(text, offset);
        FileError {
            file: file.to_path_buf(),
            line,
            col,
            message: message.into(),
        }
    }

    pub fn from_toml(file: &Path, text: &str, e: &toml::de::Error) -> FileError {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        FileError::at(file, text, offset, e.message().trim().to_string())
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// How often things refresh. File changes are watched (inotify and friends), so nothing polls by
/// default.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Refresh {
    /// Watch the repo for file changes and re-index (true by default).
    pub watch: bool,
    /// Quiet time after a file change before re-indexing, in milliseconds.
    #[serde(deserialize_with = "crate::duration::millis")]
    pub debounce_ms: u64,
    /// Also re-read git status every N seconds (0 = never; for file systems without change events).
    #[serde(deserialize_with = "crate::duration::secs")]
    pub git_status_secs: u64,
}

impl Default for Refresh {
    fn default() -> Self {
        Refresh {
            watch: true,
            debounce_ms: 250,
            git_status_secs: 0,
        }
    }
}

/// The Kubernetes side.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Fleet {
    /// Read each workload cluster's `<name>-kubeconfig` Secret on the management cluster to watch
    /// its Nodes directly (kept in memory only). Off by default: it needs `get` on Secrets.
    pub workload_kubeconfigs: bool,
    /// Seconds an unneeded watch keeps running after its view closes (so switching views back
    /// and forth does not relist).
    #[serde(deserialize_with = "crate::duration::secs")]
    pub linger_secs: u64,
    /// Shortest time between frames caused by cluster changes alone, in milliseconds.
    #[serde(deserialize_with = "crate::duration::millis")]
    pub min_frame_ms: u64,
}

impl Default for Fleet {
    fn default() -> Self {
        Fleet {
            workload_kubeconfigs: false,
            linger_secs: 30,
            min_frame_ms: 500,
        }
    }
}

/// Storage thresholds: used capacity (Ceph clusters, DiskPools) stands out from `warn_percent`
/// and counts as failed from `critical_percent`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Storage {
    pub warn_percent: u8,
    pub critical_percent: u8,
}

impl Default for Storage {
    fn default() -> Self {
        Storage {
            warn_percent: 75,
            critical_percent: 85,
        }
    }
}

impl Storage {
    pub fn thresholds(&self) -> crate::app::live::storage::Thresholds {
        crate::app::live::storage::Thresholds {
            warn: self.warn_percent.min(100),
            critical: self.critical_percent.min(100),
        }
    }
}

/// `[reconcile]`: following a push through Argo CD.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Reconcile {
    /// How long to follow the Applications before saying what is still pending.
    #[serde(deserialize_with = "crate::duration::secs")]
    pub timeout_secs: u64,
}

impl Default for Reconcile {
    fn default() -> Self {
        Reconcile { timeout_secs: 600 }
    }
}

/// `[dashboard]`: the wall dashboard.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Dashboard {
    /// Its theme (the console's `theme` is not used: a wall wants contrast); default
    /// high-contrast.
    pub theme: Option<String>,
}

/// `[limits]`: how much of a file the console and `blast check` read, and of an API answer.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// YAML files larger than this many megabytes are reported, not read (64 by default).
    pub max_file_mb: u64,
    /// An API answer (a list page, a get) or one watch event larger than this many megabytes
    /// is not read; its kind is marked with the error (64 by default).
    pub max_answer_mb: u64,
    /// Seconds an API answer, or a watch event once begun, may take to arrive before its kind
    /// is marked "server too slow" (60 by default).
    #[serde(deserialize_with = "crate::duration::secs")]
    pub slow_answer_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_mb: crate::repo::yaml::DEFAULT_MAX_FILE_BYTES / (1024 * 1024),
            max_answer_mb: (crate::kube::guard::DEFAULT_LIMIT / (1024 * 1024)) as u64,
            slow_answer_secs: crate::kube::guard::DEFAULT_SLOW.as_secs(),
        }
    }
}

impl Limits {
    /// Applies the limits to the process (the YAML reader's file cap, the API clients' bounds).
    pub fn apply(&self) {
        crate::repo::yaml::set_max_file_bytes(self.max_file_mb.saturating_mul(1024 * 1024));
        crate::kube::guard::set(self.answer_bounds());
    }

    /// The bounds on one API answer (0 is taken as the least: 1 byte, 1 second).
    pub fn answer_bounds(&self) -> crate::kube::guard::Bounds {
        crate::kube::guard::Bounds {
            max_answer: usize::try_from(self.max_answer_mb.saturating_mul(1024 * 1024))
                .unwrap_or(usize::MAX)
                .max(1),
            slow: std::time::Duration::from_secs(self.slow_answer_secs.max(1)),
        }
    }
}

/// One key override: an action bound to one key or a list of keys (`"none"` unbinds).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            KeyList::One(k) => vec![k.as_str()],
            KeyList::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// `[policy]`: what the policy rules (checkov's IDs, `blast check --policy`) do in the console.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// Failed rules in the staged files refuse the commit (default: they are warnings).
    pub block_commit: bool,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Repo to open when the current directory is not inside one.
    pub repo: Option<PathBuf>,
    /// Theme name (a bundled theme or `themes/NAME.toml` in the config dir).
    pub theme: Option<String>,
    /// Log level or filter (`info`, `debug`, `blast=trace`).
    pub log_level: Option<String>,
    pub refresh: Refresh,
    pub fleet: Fleet,
    pub storage: Storage,
    pub reconcile: Reconcile,
    pub dashboard: Dashboard,
    pub limits: Limits,
    pub policy: PolicyConfig,
    /// `[clair]`: the Clair v4 that reports image vulnerabilities (see `crate::clair`).
    pub clair: crate::clair::ClairConfig,
    /// `[keys.CONTEXT] action = "key"` or `action = ["key", "key"]`.
    pub keys: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<KeyList>>>,
    /// Where this config came from and its text (for error positions in key overrides).
    #[serde(skip)]
    pub source: Option<(PathBuf, String)>,
}

impl Config {
    /// Loads `file`; a missing file gives the defaults.
    pub fn load(file: &Path) -> Result<Config, FileError> {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(FileError {
                    file: file.to_path_buf(),
                    line: 1,
                    col: 1,
                    message: format!("cannot read: {e}"),
                });
            }
        };
        Config::parse(file, &text)
    }

    pub fn parse(file: &Path, text: &str) -> Result<Config, FileError> {
        let mut config: Config =
            toml::from_str(text).map_err(|e| FileError::from_toml(file, text, &e))?;
        config.source = Some((file.to_path_buf(), text.to_string()));
        Ok(config)
    }

    /// An error at a span of this config's text.
    pub fn error_at(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> FileError {
        match &self.source {
            Some((file, text)) => FileError::at(file, text, span.start, message),
            None => FileError {
                file: PathBuf::from("config"),
                line: 1,
                col: 1,
                message: message.into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_bound_api_answers() {
        let bounds = |text: &str| {
            Config::parse(Path::new("c.toml"), text)
                .unwrap()
                .limits
                .answer_bounds()
        };
        assert_eq!(bounds(""), crate::kube::guard::Bounds::default());
        let b = bounds("[limits]\nmax_answer_mb = 8\nslow_answer_secs = \"5s\"\n");
        assert_eq!(b.max_answer, 8 << 20);
        assert_eq!(b.slow, std::time::Duration::from_secs(5));
        assert!(Config::parse(Path::new("c.toml"), "[limits]\nmax_answer = 8\n").is_err());
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<std::ffi::OsString> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| std::ffi::OsString::from(v))
        }
    }

    #[test]
    fn paths_follow_xdg_on_linux_and_macos_else_the_platform() {
        let home = Some(Path::new("/home/ops"));
        let p = Paths::resolve(Platform::Linux, &env(&[]), home).unwrap();
        assert_eq!(p.config_dir, Path::new("/home/ops/.config/blast"));
        assert_eq!(p.state_dir, Path::new("/home/ops/.local/state/blast"));
        assert_eq!(p.data_dir, Path::new("/home/ops/.local/share/blast"));
        assert_eq!(p.cache_dir, Path::new("/home/ops/.cache/blast"));
        assert_eq!(
            p.config_file(),
            Path::new("/home/ops/.config/blast/config.toml")
        );
        assert_eq!(p.log_dir(), Path::new("/home/ops/.local/state/blast/logs"));

        let mac =
            Paths::resolve(Platform::MacOs, &env(&[]), Some(Path::new("/Users/ops"))).unwrap();
        let app = Path::new("/Users/ops/Library/Application Support/io.blast.blast");
        assert_eq!(
            (mac.config_dir.as_path(), mac.state_dir.as_path()),
            (app, app)
        );
        assert_eq!(mac.themes_dir(), app.join("themes"));
        assert_eq!(
            mac.cache_dir,
            Path::new("/Users/ops/Library/Caches/io.blast.blast")
        );

        let vars = [
            ("XDG_CONFIG_HOME", "/xdg/config"),
            ("XDG_STATE_HOME", "/xdg/state"),
            ("XDG_DATA_HOME", "/xdg/data"),
            ("XDG_CACHE_HOME", "/xdg/cache"),
        ];
        for platform in [Platform::Linux, Platform::MacOs] {
            let p = Paths::resolve(platform, &env(&vars), home).unwrap();
            assert_eq!(p.config_dir, Path::new("/xdg/config/blast"), "{platform:?}");
            assert_eq!(p.state_dir, Path::new("/xdg/state/blast"), "{platform:?}");
            assert_eq!(p.data_dir, Path::new("/xdg/data/blast"), "{platform:?}");
            assert_eq!(p.cache_dir, Path::new("/xdg/cache/blast"), "{platform:?}");
        }
        // One variable set: only that dir moves. A relative one is ignored (the XDG spec).
        let mac = Paths::resolve(
            Platform::MacOs,
            &env(&[("XDG_CONFIG_HOME", "/c"), ("XDG_STATE_HOME", "rel")]),
            Some(Path::new("/Users/ops")),
        )
        .unwrap();
        assert_eq!(mac.config_dir, Path::new("/c/blast"));
        assert_eq!(mac.state_dir, app);
        // No home: only what XDG gives is known.
        assert_eq!(Paths::resolve(Platform::Linux, &env(&[]), None), None);
        assert!(Paths::resolve(Platform::Linux, &env(&vars), None).is_some());
    }

    /// Without XDG variables, the Linux rules give what the `directories` crate gives.
    #[cfg(target_os = "linux")]
    #[test]
    fn linux_defaults_agree_with_the_directories_crate() {
        let home = directories::BaseDirs::new()
            .unwrap()
            .home_dir()
            .to_path_buf();
        let ours = Paths::resolve(Platform::Linux, &env(&[]), Some(&home)).unwrap();
        // `directories` reads XDG_* itself: compare only where they are unset.
        let dirs = directories::ProjectDirs::from("io", "blast", "blast").unwrap();
        if std::env::var_os("XDG_CONFIG_HOME").is_none() {
            assert_eq!(ours.config_dir, dirs.config_dir());
        }
        if std::env::var_os("XDG_STATE_HOME").is_none() {
            assert_eq!(Some(ours.state_dir.as_path()), dirs.state_dir());
        }
        if std::env::var_os("XDG_CACHE_HOME").is_none() {
            assert_eq!(ours.cache_dir, dirs.cache_dir());
        }
    }

    #[test]
    fn missing_file_is_defaults() {
        let c = Config::load(Path::new("/nonexistent/blast/config.toml")).unwrap();
        assert_eq!(c.theme, None);
        assert_eq!(c.refresh, Refresh::default());
    }

    #[test]
    fn full_config_parses() {
        let text = "repo = \"/srv/dc\"\ntheme = \"light\"\nlog_level = \"debug\"\n[refresh]\nwatch = false\ndebounce_ms = 500\ngit_status_secs = 30\n[keys.browser]\ndown = [\"j\", \"ctrl-n\"]\nup = \"k\"\n";
        let c = Config::parse(Path::new("c.toml"), text).unwrap();
        assert_eq!(c.repo.as_deref(), Some(Path::new("/srv/dc")));
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert!(!c.refresh.watch);
        assert_eq!(c.refresh.git_status_secs, 30);
        let browser = c.keys.iter().next().unwrap().1;
        assert_eq!(browser.len(), 2);
    }

    /// The README documents every key in one example: it must parse, unknown keys being errors.
    #[test]
    fn the_readme_example_parses() {
        let readme = include_str!("../README.md");
        let section = &readme[readme.find("## Configuration").unwrap()..];
        let start = section.find("```toml\n").unwrap() + "```toml\n".len();
        let text = &section[start..start + section[start..].find("```").unwrap()];
        let c = Config::parse(Path::new("README.md"), text).unwrap();
        assert_eq!(c.reconcile.timeout_secs, 600);
        assert_eq!(c.dashboard.theme.as_deref(), Some("high-contrast"));
        assert_eq!(c.storage.warn_percent, 75);
        assert_eq!(c.limits, Limits::default());
    }

    /// Every `_ms` and `_secs` key takes the flags' duration syntax too.
    #[test]
    fn config_durations_take_numbers_or_the_one_syntax() {
        let text = "[refresh]\ndebounce_ms = \"1s\"\ngit_status_secs = \"2m\"\n[fleet]\nlinger_secs = 45\nmin_frame_ms = \"1.5s\"\n[reconcile]\ntimeout_secs = \"1h30m\"\n";
        let c = Config::parse(Path::new("c.toml"), text).unwrap();
        assert_eq!(
            (c.refresh.debounce_ms, c.refresh.git_status_secs),
            (1000, 120)
        );
        assert_eq!((c.fleet.linger_secs, c.fleet.min_frame_ms), (45, 1500));
        assert_eq!(c.reconcile.timeout_secs, 5400);
        let e =
            Config::parse(Path::new("c.toml"), "[fleet]\nlinger_secs = \"soon\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("not a duration"), "{e}");
        let e = Config::parse(Path::new("c.toml"), "[fleet]\nlinger_secs = -3\n").unwrap_err();
        assert!(e.message.contains("negative"), "{e}");
    }

    #[test]
    fn broken_config_names_file_and_line() {
        let e = Config::parse(
            Path::new("/x/config.toml"),
            "theme = \"dark\"\n[refresh]\nwatch = 3\n",
        )
        .unwrap_err();
        assert_eq!((e.line, e.col), (3, 9));
        assert!(e.to_string().starts_with("/x/config.toml:3:9: "), "{e}");
        let e = Config::parse(Path::new("c.toml"), "theme = \"dark\"\ncolour = 1\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unknown field"), "{e}");
        let e = Config::parse(Path::new("c.toml"), "theme = \n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn line_col_counts_chars() {
        assert_eq!(line_col("ab\ncdé\nx", 7), (2, 4));
        assert_eq!(line_col("ab\ncdé\nx", 8), (3, 1));
        assert_eq!(line_col("", 0), (1, 1));
    }
}
