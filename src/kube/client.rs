//! Clients from kubeconfig files: the user's (`KUBECONFIG`, `~/.kube/config`, or `--kubeconfig`)
//! for the management clusters, and workload kubeconfigs read from Cluster API Secrets.
//!
//! What kubectl does and kube-rs alone does not (see `proxy` and `exec` for those parts):
//! - `KUBECONFIG` lists are merged as client-go merges them: the first file to set a context,
//!   cluster, user or the current context wins; missing entries are skipped (logged once).
//! - Proxies: the cluster's `proxy-url`, else `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` (and
//!   lower-case) by the server's scheme, with Go's rules.
//! - Exec credential plugins run non-interactively here (the TUI owns the terminal); the
//!   console runs them once on the plain terminal before it starts (`exec::prepare`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use kube::Client;
use kube::config::{ExecInteractiveMode, KubeConfigOptions, Kubeconfig};
use tracing::warn;

use super::proxy;

/// Reads the kubeconfig: the given file, else `KUBECONFIG` (a list, merged), else
/// `~/.kube/config`.
pub fn load(explicit: Option<&Path>) -> Result<Kubeconfig, String> {
    match explicit {
        Some(p) => read_file(p).map(Option::unwrap_or_default),
        None => match std::env::var_os("KUBECONFIG") {
            Some(list) if !list.is_empty() => merge_list(&list),
            _ => {
                let path = default_path().ok_or("kubeconfig: no home directory")?;
                read_file(&path)?
                    .ok_or_else(|| format!("kubeconfig {}: the file is empty", path.display()))
            }
        },
    }
}

fn default_path() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().join(".kube").join("config"))
}

/// A `KUBECONFIG` list merged as kubectl merges it: entries in order, empty and repeated ones
/// ignored, missing files skipped (each logged once per process), the first file to define a
/// name or the current context winning. A file that exists but does not parse is an error
/// naming it; so is a list where no file exists.
pub fn merge_list(list: &std::ffi::OsStr) -> Result<Kubeconfig, String> {
    let mut seen = HashSet::new();
    let mut merged: Option<Kubeconfig> = None;
    let mut missing = Vec::new();
    for path in std::env::split_paths(list) {
        if path.as_os_str().is_empty() || !seen.insert(path.clone()) {
            continue;
        }
        if !path.exists() {
            log_missing_once(&path);
            missing.push(path.display().to_string());
            continue;
        }
        let Some(mut next) = read_file(&path)? else {
            continue;
        };
        merged = Some(match merged {
            None => next,
            Some(first) => {
                // client-go ignores these when merging; kube-rs would refuse a mismatch.
                next.kind = None;
                next.api_version = None;
                first
                    .merge(next)
                    .map_err(|e| format!("kubeconfig {}: {e}", path.display()))?
            }
        });
    }
    match merged {
        Some(kc) => Ok(kc),
        None if !missing.is_empty() => Err(format!(
            "kubeconfig: no file of KUBECONFIG exists ({})",
            missing.join(", ")
        )),
        None => Err("kubeconfig: the KUBECONFIG files are empty".into()),
    }
}

/// One file; `None` when it holds nothing (client-go reads an empty file as an empty config).
fn read_file(path: &Path) -> Result<Option<Kubeconfig>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("kubeconfig {}: {e}", path.display()))?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    let mut kc =
        Kubeconfig::read_from(path).map_err(|e| format!("kubeconfig {}: {e}", path.display()))?;
    // An empty current-context does not count as set (a later file may set it).
    if kc.current_context.as_deref() == Some("") {
        kc.current_context = None;
    }
    Ok(Some(kc))
}

fn log_missing_once(path: &Path) {
    static LOGGED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let mut logged = LOGGED.lock().unwrap_or_else(|e| e.into_inner());
    if logged
        .get_or_insert_with(HashSet::new)
        .insert(path.to_path_buf())
    {
        warn!(path = %path.display(), "a KUBECONFIG entry does not exist; skipped");
    }
}

/// The context names of a kubeconfig, in file order.
pub fn contexts(kc: &Kubeconfig) -> Vec<String> {
    kc.contexts.iter().map(|c| c.name.clone()).collect()
}

/// How long building a client may take: an exec plugin that waits for input or a browser never
/// holds a context up for longer.
const SETUP_TIMEOUT: Duration = Duration::from_secs(30);

/// kubectl's client flags: `--cluster` and `--user` (kubeconfig entries instead of the
/// context's), `--as`/`--as-group` (impersonation headers), `--request-timeout` (connect and send;
/// zero: none; watches are not cut, kube's watcher has its own idle check).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    pub cluster: Option<String>,
    pub user: Option<String>,
    pub impersonate: Option<String>,
    pub impersonate_groups: Vec<String>,
    pub request_timeout: Option<Duration>,
}

impl Overrides {
    fn apply(&self, config: &mut kube::Config) {
        if let Some(user) = &self.impersonate {
            config.auth_info.impersonate = Some(user.clone());
        }
        if !self.impersonate_groups.is_empty() {
            config.auth_info.impersonate_groups = Some(self.impersonate_groups.clone());
        }
        if let Some(t) = self.request_timeout {
            let t = (!t.is_zero()).then_some(t);
            config.connect_timeout = t;
            config.write_timeout = t;
        }
    }
}

/// A client for one context (`None`: the kubeconfig's current context). Exec plugins run
/// non-interactively, off the async threads, for at most `SETUP_TIMEOUT`; their failures and
/// the proxy in use are said in the error.
pub async fn client(kc: &Kubeconfig, context: Option<&str>) -> Result<Client, String> {
    client_with(kc, context, &Overrides::default()).await
}

/// [`client`] with kubectl's client flags applied.
pub async fn client_with(
    kc: &Kubeconfig,
    context: Option<&str>,
    overrides: &Overrides,
) -> Result<Client, String> {
    let name = context.unwrap_or("(current)").to_string();
    let mut kc = kc.clone();
    for user in kc.auth_infos.iter_mut() {
        if let Some(exec) = user.auth_info.as_mut().and_then(|a| a.exec.as_mut()) {
            exec.interactive_mode = Some(ExecInteractiveMode::Never);
        }
    }
    let opts = KubeConfigOptions {
        context: context.map(str::to_string),
        cluster: overrides.cluster.clone(),
        user: overrides.user.clone(),
    };
    let mut config = kube::Config::from_custom_kubeconfig(kc.clone(), &opts)
        .await
        .map_err(|e| format!("context {name}: {e}"))?;
    overrides.apply(&mut config);
    // kube-rs reads only HTTPS_PROXY, and matches NO_PROXY against the proxy rather than the
    // server: decide as kubectl does instead.
    let cluster_proxy = match &overrides.cluster {
        Some(name) => kc
            .clusters
            .iter()
            .find(|c| &c.name == name)
            .and_then(|c| c.cluster.as_ref()?.proxy_url.clone())
            .filter(|p| !p.is_empty()),
        None => proxy::cluster_proxy_url(&kc, context),
    };
    config.proxy_url = proxy::choose(
        &config.cluster_url,
        cluster_proxy.as_deref(),
        &proxy::env_var,
    )
    .map_err(|e| format!("context {name}: {e}"))?;
    if config.cluster_url.scheme_str() == Some("http") && config.root_cert.is_none() {
        // A plaintext server never uses the TLS settings, but without a CA kube-rs would
        // load the whole OS trust store into each client (~100 KB and a few ms apiece: 20 MB
        // and a second for 200 workload clusters). An empty root list is never consulted.
        config.root_cert = Some(Vec::new());
    }
    let uses_exec = config.auth_info.exec.is_some();
    let build =
        tokio::task::spawn_blocking(move || super::guard::client(config, super::guard::current()));
    match tokio::time::timeout(SETUP_TIMEOUT, build).await {
        Err(_) => Err(format!(
            "context {name}: the credential plugin did not answer within {}s (does it need a login? run `kubectl --context {name} get ns` in a terminal)",
            SETUP_TIMEOUT.as_secs()
        )),
        Ok(Err(e)) => Err(format!("context {name}: {e}")),
        Ok(Ok(Err(e))) if uses_exec => Err(format!(
            "context {name}: {}",
            super::exec::describe_error(&e)
        )),
        Ok(Ok(Err(e))) => Err(format!("context {name}: {e}")),
        Ok(Ok(Ok(c))) => Ok(c),
    }
}

/// Parses a workload kubeconfig (the `value` of a `<cluster>-kubeconfig` Secret). The error never
/// quotes the text: it holds credentials.
pub fn parse_workload(yaml: &[u8]) -> Result<Kubeconfig, String> {
    let text = std::str::from_utf8(yaml).map_err(|_| "kubeconfig is not UTF-8".to_string())?;
    Kubeconfig::from_yaml(text).map_err(|_| "kubeconfig does not parse".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_overrides_set_impersonation_and_timeouts() {
        let mut config = kube::Config::new("https://127.0.0.1:6443".parse().unwrap());
        let before = config.connect_timeout;
        Overrides::default().apply(&mut config);
        assert_eq!(config.connect_timeout, before);
        assert_eq!(config.auth_info.impersonate, None);
        Overrides {
            impersonate: Some("jane".into()),
            impersonate_groups: vec!["ops".into(), "dev".into()],
            request_timeout: Some(Duration::from_secs(7)),
            ..Default::default()
        }
        .apply(&mut config);
        assert_eq!(config.auth_info.impersonate.as_deref(), Some("jane"));
        assert_eq!(
            config.auth_info.impersonate_groups,
            Some(vec!["ops".to_string(), "dev".to_string()])
        );
        assert_eq!(config.connect_timeout, Some(Duration::from_secs(7)));
        assert_eq!(config.write_timeout, Some(Duration::from_secs(7)));
        // Watches are not cut.
        assert_eq!(config.read_timeout, None);
        Overrides {
            request_timeout: Some(Duration::ZERO),
            ..Default::default()
        }
        .apply(&mut config);
        assert_eq!(config.connect_timeout, None);
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn config(ctx: &str, server: &str, current: Option<&str>) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {ctx}\n  cluster: {{server: '{server}'}}\ncontexts:\n- name: {ctx}\n  context: {{cluster: {ctx}, user: {ctx}}}\nusers:\n- name: {ctx}\n  user: {{}}\n{}",
            current
                .map(|c| format!("current-context: {c}\n"))
                .unwrap_or_default()
        )
    }

    #[test]
    fn a_list_is_merged_first_wins_and_missing_entries_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "a", &config("one", "http://a:1", Some("one")));
        // `one` again, pointing elsewhere: the first definition wins.
        let b = write(
            dir.path(),
            "b",
            "apiVersion: v1\nkind: Config\ncurrent-context: two\nclusters:\n- name: two\n  cluster: {server: 'http://b:2'}\ncontexts:\n- name: one\n  context: {cluster: two, user: two}\n- name: two\n  context: {cluster: two, user: two}\nusers:\n- name: two\n  user: {}\n",
        );
        let empty = write(dir.path(), "empty", "\n");
        let missing = dir.path().join("missing");
        let list = std::env::join_paths([&missing, &a, &empty, &b, &a]).unwrap();
        let kc = merge_list(&list).unwrap();
        assert_eq!(contexts(&kc), ["one", "two"]);
        assert_eq!(kc.current_context.as_deref(), Some("one"));
        let one = &kc.contexts[0].context.as_ref().unwrap().cluster;
        assert_eq!(one, "one", "the first file's context wins");
        assert_eq!(kc.clusters.len(), 2);
    }

    #[test]
    fn an_empty_current_context_does_not_win() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(
            dir.path(),
            "a",
            &config("one", "http://a:1", None)
                .replace("kind: Config\n", "kind: Config\ncurrent-context: ''\n"),
        );
        let b = write(dir.path(), "b", &config("two", "http://b:2", Some("two")));
        let kc = merge_list(&std::env::join_paths([&a, &b]).unwrap()).unwrap();
        assert_eq!(kc.current_context.as_deref(), Some("two"));
    }

    #[test]
    fn no_existing_file_or_a_broken_one_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = merge_list(&std::env::join_paths([&missing]).unwrap()).unwrap_err();
        assert!(err.contains("no file of KUBECONFIG exists"), "{err}");
        assert!(err.contains("nope"), "{err}");
        let broken = write(dir.path(), "broken", "clusters: [oops\n");
        let err = merge_list(&std::env::join_paths([&broken]).unwrap()).unwrap_err();
        assert!(err.contains("broken"), "{err}");
    }
}
