//! `blast info`: where everything is (config, themes, state and logs, kubeconfig files and
//! context, the repo), what was built and what is compiled in. It reads, never writes, and a
//! broken config or kubeconfig is reported in place rather than stopping it.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::boot::Boot;
use crate::cli::{Cli, Format, OutputArgs};

#[derive(Debug, Serialize)]
pub struct Info {
    pub version: String,
    pub commit: Option<String>,
    pub dirty: Option<bool>,
    pub built: String,
    pub config: ConfigInfo,
    pub themes_dir: Option<PathBuf>,
    pub state_dir: PathBuf,
    pub log_dir: PathBuf,
    pub data_dir: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    pub kubeconfig: KubeInfo,
    pub repo: Found,
    pub features: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ConfigInfo {
    pub file: Option<PathBuf>,
    pub exists: bool,
    pub dir: Option<PathBuf>,
    /// The config's error (file:line:col), if it does not load.
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct KubeInfo {
    /// The files read, in order: `--kubeconfig`, else the KUBECONFIG list, else
    /// ~/.kube/config.
    pub files: Vec<KubeFile>,
    pub current_context: Option<String>,
    /// The contexts blast watches: `--context`, else the current one.
    pub contexts: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct KubeFile {
    pub path: PathBuf,
    pub exists: bool,
}

#[derive(Debug, Serialize)]
pub struct Found {
    pub path: Option<PathBuf>,
    pub error: Option<String>,
}

pub fn run(cli: &Cli, out: &OutputArgs) -> color_eyre::Result<()> {
    let info = gather(cli);
    match out.format() {
        Format::Json => println!("{}", serde_json::to_string_pretty(&info)?),
        Format::Text => print!("{}", text(&info)),
    }
    Ok(())
}

pub fn gather(cli: &Cli) -> Info {
    let (boot, config_error) = match Boot::new(cli) {
        Ok(b) => (b, None),
        Err(e) => (Boot::without_config(), Some(format!("{e}"))),
    };
    let file = boot.config_file(cli);
    let repo = match boot.find_repo(cli) {
        Ok(p) => Found {
            path: Some(p),
            error: None,
        },
        Err(e) => Found {
            path: None,
            error: Some(e.to_string()),
        },
    };
    Info {
        version: crate::version::VERSION.to_string(),
        commit: Some(crate::version::COMMIT.to_string()).filter(|c| !c.is_empty()),
        dirty: match crate::version::DIRTY {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        built: crate::version::BUILD_DATE.to_string(),
        config: ConfigInfo {
            exists: file.as_deref().is_some_and(Path::is_file),
            file,
            dir: boot.paths.as_ref().map(|p| p.config_dir.clone()),
            error: config_error,
        },
        themes_dir: boot.themes_dir(),
        state_dir: boot.state_dir(),
        log_dir: boot.log_dir(),
        data_dir: boot.paths.as_ref().map(|p| p.data_dir.clone()),
        cache_dir: boot.paths.as_ref().map(|p| p.cache_dir.clone()),
        kubeconfig: kube_info(cli),
        repo,
        features: crate::version::features(),
    }
}

/// The kubeconfig files in the order kubectl reads them.
pub fn kubeconfig_files(explicit: Option<&Path>) -> Vec<PathBuf> {
    if let Some(p) = explicit {
        return vec![p.to_path_buf()];
    }
    match std::env::var_os("KUBECONFIG") {
        Some(list) if !list.is_empty() => {
            let mut out: Vec<PathBuf> = Vec::new();
            for p in std::env::split_paths(&list) {
                if !p.as_os_str().is_empty() && !out.contains(&p) {
                    out.push(p);
                }
            }
            out
        }
        _ => directories::BaseDirs::new()
            .map(|d| vec![d.home_dir().join(".kube").join("config")])
            .unwrap_or_default(),
    }
}

fn kube_info(cli: &Cli) -> KubeInfo {
    let explicit = cli.kube.kubeconfig.as_deref();
    let files = kubeconfig_files(explicit)
        .into_iter()
        .map(|path| KubeFile {
            exists: path.is_file(),
            path,
        })
        .collect();
    let (current, error) = match crate::kube::client::load(explicit) {
        Ok(kc) => (kc.current_context, None),
        Err(e) => (None, Some(e)),
    };
    let contexts = if cli.kube.contexts.is_empty() {
        current.iter().cloned().collect()
    } else {
        cli.kube.contexts.clone()
    };
    KubeInfo {
        files,
        current_context: current,
        contexts,
        error,
    }
}

fn opt(p: &Option<PathBuf>) -> String {
    p.as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "(none: no home directory)".into())
}

pub fn text(i: &Info) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("{k:<13}{v}\n"));
    line("version", format!("blast {}", i.version));
    let config = match &i.config.error {
        Some(e) => format!("{} (broken: {e})", opt(&i.config.file)),
        None if i.config.exists => opt(&i.config.file),
        None => format!("{} (not present: defaults)", opt(&i.config.file)),
    };
    line("config file", config);
    line("config dir", opt(&i.config.dir));
    line("themes dir", opt(&i.themes_dir));
    line("state dir", i.state_dir.display().to_string());
    line("log dir", i.log_dir.display().to_string());
    for (n, f) in i.kubeconfig.files.iter().enumerate() {
        let missing = if f.exists { "" } else { " (missing)" };
        line(
            if n == 0 { "kubeconfig" } else { "" },
            format!("{}{missing}", f.path.display()),
        );
    }
    if let Some(e) = &i.kubeconfig.error {
        line("", format!("error: {e}"));
    }
    line(
        "context",
        i.kubeconfig
            .current_context
            .clone()
            .map(|c| format!("{c} (current)"))
            .unwrap_or_else(|| "(no current context)".into()),
    );
    if i.kubeconfig.contexts
        != i.kubeconfig
            .current_context
            .iter()
            .cloned()
            .collect::<Vec<_>>()
    {
        line("watching", i.kubeconfig.contexts.join(", "));
    }
    line(
        "repo",
        match (&i.repo.path, &i.repo.error) {
            (Some(p), _) => p.display().to_string(),
            (None, e) => format!("(none) {}", e.as_deref().unwrap_or("")),
        },
    );
    line("features", i.features.join(", "));
    out
}
