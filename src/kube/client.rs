//! Clients from kubeconfig files: the user's (`KUBECONFIG`, `~/.kube/config`, or `--kubeconfig`)
//! for the management clusters, and workload kubeconfigs read from Cluster API Secrets.
//! Exec and OIDC auth plugins and client certificates work as kube-rs supports them.

use std::path::Path;

use kube::Client;
use kube::config::{KubeConfigOptions, Kubeconfig};

/// Reads the kubeconfig: the given file, else `KUBECONFIG` (several files merged), else
/// `~/.kube/config`.
pub fn load(explicit: Option<&Path>) -> Result<Kubeconfig, String> {
    match explicit {
        Some(p) => Kubeconfig::read_from(p).map_err(|e| format!("kubeconfig {}: {e}", p.display())),
        None => Kubeconfig::read().map_err(|e| format!("kubeconfig: {e}")),
    }
}

/// The context names of a kubeconfig, in file order.
pub fn contexts(kc: &Kubeconfig) -> Vec<String> {
    kc.contexts.iter().map(|c| c.name.clone()).collect()
}

/// A client for one context (`None`: the kubeconfig's current context).
pub async fn client(kc: &Kubeconfig, context: Option<&str>) -> Result<Client, String> {
    let opts = KubeConfigOptions {
        context: context.map(str::to_string),
        ..Default::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(kc.clone(), &opts)
        .await
        .map_err(|e| format!("context {}: {e}", context.unwrap_or("(current)")))?;
    if config.cluster_url.scheme_str() == Some("http") && config.root_cert.is_none() {
        // A plaintext server never uses the TLS settings, but without a CA kube-rs would
        // load the whole OS trust store into each client (~100 KB and a few ms apiece: 20 MB
        // and a second for 200 workload clusters). An empty root list is never consulted.
        config.root_cert = Some(Vec::new());
    }
    Client::try_from(config).map_err(|e| format!("context {}: {e}", context.unwrap_or("(current)")))
}

/// Parses a workload kubeconfig (the `value` of a `<cluster>-kubeconfig` Secret). The error never
/// quotes the text: it holds credentials.
pub fn parse_workload(yaml: &[u8]) -> Result<Kubeconfig, String> {
    let text = std::str::from_utf8(yaml).map_err(|_| "kubeconfig is not UTF-8".to_string())?;
    Kubeconfig::from_yaml(text).map_err(|_| "kubeconfig does not parse".to_string())
}
