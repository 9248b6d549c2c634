//! An in-process Kubernetes API server emulator for `blast demo` and the tests.
//!
//! One plain-HTTP server on 127.0.0.1 (no TLS, no auth) hosts several *virtual clusters*, each
//! under the path prefix `/clusters/{name}`: kube-rs and kubectl both accept a server URL with a
//! path prefix, so a kubeconfig entry `server: http://127.0.0.1:PORT/clusters/mgmt` talks to the
//! virtual cluster `mgmt`. Each virtual cluster has its own objects and its own resourceVersion
//! counter.
//!
//! What is served, per virtual cluster, for every kind of [`crate::model::kinds::ALL`] (at
//! the versions of the table, or those set by [`Emulator::serve_versions`]) and, in discovery
//! only, the resources added by [`Emulator::add_foreign_resource`]:
//! - discovery: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/{group}`, `/apis/{group}/{version}`
//!   (legacy documents; see the `discovery` module);
//! - `GET` of collections (across namespaces or in one) with `labelSelector`, `fieldSelector`
//!   (see [`selector`]), `limit` and `continue`; `GET` of one object;
//! - watches (`watch=true`) with `resourceVersion`, `allowWatchBookmarks`, `timeoutSeconds`,
//!   `sendInitialEvents` and the selectors (see the `watch` module);
//! - [`Faults`] to inject errors, latency, dropped or expired watches and a malformed object;
//! - under `/clair/`, a Clair v4 API (see [`clair`]): reports for the demo's images, indexing,
//!   PSK auth; empty (every manifest not indexed, no auth) unless [`Emulator::clair`] is filled.
//!
//! Limitations, on purpose:
//! - **No conversion between versions.** Stored objects may carry any served apiVersion of their
//!   group (some Clusters stored as `cluster.x-k8s.io/v1beta1`, others as `v1beta2`); a request
//!   under any served version of the group returns the objects exactly as stored, with the
//!   `apiVersion` they were applied with. Only the list wrapper carries the requested version.
//! - Read-only over HTTP: only `GET` is served; writes go through [`Emulator::apply`],
//!   [`Emulator::modify`] and [`Emulator::delete`].
//! - Lists are not snapshots: later pages of a paginated list show the current objects after the
//!   continue key, while the list's resourceVersion stays that of the first page (so a watch
//!   from it replays whatever changed meanwhile).
//! - No `Table` responses: kubectl asks for `as=Table` and falls back to its default columns
//!   when it gets a plain list.
//! - Field selectors accept any dotted path (the real server only indexed fields per kind).

pub mod clair;
mod discovery;
mod faults;
mod http;
pub mod logs;
pub mod selector;
mod store;
mod watch;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use discovery::{ForeignResource, GIT_VERSION};
pub use faults::Faults;

use crate::model::kinds::KindInfo;
use store::{Store, kind_index};

/// Reads a request's path and query as the emulator would (route, selectors, paging and watch
/// parameters) without answering it: `Ok(true)` when the path names something the emulator
/// serves. For the fuzz driver (`benches/fuzz.rs`); never panics, whatever the input.
#[doc(hidden)]
pub fn read_request_target(path: &str, query: &str) -> Result<bool, String> {
    http::read_request_target(path, query)
}

/// Tuning knobs; [`EmulatorConfig::default`] suits the demo and most tests.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Changes kept per virtual cluster for watches that resume from a resourceVersion (and for
    /// continue tokens); older resume points are answered 410 Expired. Memory grows with it:
    /// each retained change holds that version of the object (parsed and serialized).
    pub history_limit: usize,
    /// How often a watch with `allowWatchBookmarks=true` gets a `BOOKMARK`.
    pub bookmark_interval: Duration,
    /// Changes a watcher may fall behind (per virtual cluster) before it is sent a 410 and ended.
    pub watch_buffer: usize,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            history_limit: 10_000,
            bookmark_interval: Duration::from_secs(30),
            watch_buffer: 1024,
        }
    }
}

/// Counters since the emulator was created, across all its servers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes of response bodies sent (full bodies when answered, watch chunks as streamed).
    pub bytes_sent: u64,
    pub requests: u64,
    /// Watch streams open right now.
    pub open_watches: u64,
}

#[derive(Default)]
pub(crate) struct StatCounters {
    pub bytes_sent: AtomicU64,
    pub requests: AtomicU64,
    pub open_watches: AtomicU64,
}

/// What the HTTP side shares with the handle.
pub(crate) struct Shared {
    pub store: Arc<Store>,
    /// Which kinds are served at which versions (discovery and routing).
    pub shape: std::sync::RwLock<discovery::Shape>,
    pub faults: Faults,
    pub stats: StatCounters,
    pub config: EmulatorConfig,
    pub clair: clair::DemoClair,
}

/// The emulator: its virtual clusters, fault knobs and counters. Cheap to clone (an `Arc`);
/// every method but [`Emulator::serve`] is synchronous and callable from any thread.
#[derive(Clone)]
pub struct Emulator {
    shared: Arc<Shared>,
}

impl Default for Emulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Emulator {
    pub fn new() -> Self {
        Self::with_config(EmulatorConfig::default())
    }

    pub fn with_config(config: EmulatorConfig) -> Self {
        let store = Arc::new(Store::new(config.history_limit, config.watch_buffer));
        let shared = Shared {
            shape: Default::default(),
            faults: Faults::new(store.clone()),
            store,
            stats: StatCounters::default(),
            config,
            clair: clair::DemoClair::default(),
        };
        Self {
            shared: Arc::new(shared),
        }
    }

    /// Adds an empty virtual cluster; does nothing if it exists.
    pub fn add_cluster(&self, name: &str) {
        self.shared.store.add_cluster(name);
    }

    /// The virtual clusters' names, sorted.
    pub fn clusters(&self) -> Vec<String> {
        self.shared.store.names()
    }

    /// Creates or replaces an object (emitting `ADDED` or `MODIFIED`). Fills `metadata.uid` and
    /// `creationTimestamp` when absent (keeping the replaced object's), sets `resourceVersion`,
    /// and sets `generation` to 1 on creation, +1 on a replacement that changes `spec`.
    /// Errors: unknown cluster, unknown kind (the apiVersion's group and kind not in the kinds
    /// table, or a version the kind does not serve), missing `metadata.name`, missing
    /// `metadata.namespace` on a namespaced kind. A namespace on a cluster-scoped kind is dropped.
    pub fn apply(&self, cluster: &str, obj: Value) -> Result<(), String> {
        self.cluster(cluster)?.apply(obj)
    }

    /// Mutates an object in place (bumps resourceVersion, and generation if `spec` changed;
    /// emits `MODIFIED`). `f` cannot change the object's name, namespace, uid, apiVersion or
    /// kind. `f` runs under the cluster's write lock: it must not call back into the emulator.
    /// Returns false when the cluster or the object does not exist.
    pub fn modify(
        &self,
        cluster: &str,
        kind: &KindInfo,
        namespace: Option<&str>,
        name: &str,
        f: impl FnOnce(&mut Value),
    ) -> bool {
        match (self.cluster(cluster), kind_index(kind)) {
            (Ok(c), Some(k)) => c.modify(k, key(namespace, name), f),
            _ => false,
        }
    }

    /// Deletes an object (emitting `DELETED`); false when it does not exist.
    pub fn delete(
        &self,
        cluster: &str,
        kind: &KindInfo,
        namespace: Option<&str>,
        name: &str,
    ) -> bool {
        match (self.cluster(cluster), kind_index(kind)) {
            (Ok(c), Some(k)) => c.delete(k, key(namespace, name)),
            _ => false,
        }
    }

    pub fn get(
        &self,
        cluster: &str,
        kind: &KindInfo,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let c = self.cluster(cluster).ok()?;
        c.get(kind_index(kind)?, &key(namespace, name))
            .map(|o| (*o.value).clone())
    }

    /// Every object of a kind, sorted by namespace then name.
    pub fn list(&self, cluster: &str, kind: &KindInfo) -> Vec<Value> {
        let (Ok(c), Some(k)) = (self.cluster(cluster), kind_index(kind)) else {
            return Vec::new();
        };
        c.read()
            .objects(k)
            .values()
            .map(|o| (*o.value).clone())
            .collect()
    }

    /// The cluster's last resourceVersion (0 before the first write, or when unknown).
    pub fn resource_version(&self, cluster: &str) -> u64 {
        self.cluster(cluster).map(|c| c.read().rv()).unwrap_or(0)
    }

    /// Binds `addr` (port 0 picks a free one) and serves on the current tokio runtime until the
    /// handle is shut down or dropped.
    pub async fn serve(&self, addr: SocketAddr) -> std::io::Result<ServerHandle> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(http::accept_loop(listener, self.shared.clone(), stopped));
        tracing::debug!(%addr, "emulator: serving");
        Ok(ServerHandle {
            addr,
            stop,
            task: Some(task),
        })
    }

    /// A kubeconfig (YAML) with one cluster, context and user per virtual cluster, all named
    /// after it; `server: {server_base}/clusters/{name}`, users without credentials, and
    /// `current-context: {current}`.
    pub fn kubeconfig(&self, server_base: &str, current: &str) -> String {
        let base = server_base.trim_end_matches('/');
        let names = self.clusters();
        let config = json!({
            "apiVersion": "v1",
            "kind": "Config",
            "preferences": {},
            "clusters": names.iter().map(|n| json!({"name": n, "cluster": {"server": format!("{base}/clusters/{n}")}})).collect::<Vec<_>>(),
            "contexts": names.iter().map(|n| json!({"name": n, "context": {"cluster": n, "user": n}})).collect::<Vec<_>>(),
            "users": names.iter().map(|n| json!({"name": n, "user": {}})).collect::<Vec<_>>(),
            "current-context": current,
        });
        crate::repo::yaml_serde::to_string(&config).expect("a JSON value serializes as YAML")
    }

    /// Serves a kind at these versions only (preferred first), in discovery and for its
    /// collections, on every virtual cluster: a CRD mid-upgrade (Cluster API applies its CRDs
    /// one by one, so one kind serves `v1beta2` while another does not yet), an older provider.
    /// An empty list serves the kind nowhere, as if its CRD were deleted (open watches go on;
    /// see [`Faults::drop_watches`]); `None` serves the kinds table's versions again. Stored
    /// objects are served as they are (no conversion).
    pub fn serve_versions(&self, kind: &KindInfo, versions: Option<&[&'static str]>) {
        let mut shape = self.shared.shape.write().unwrap_or_else(|e| e.into_inner());
        shape.set_versions(kind, versions.map(<[_]>::to_vec));
    }

    /// Adds a resource the console does not know to discovery (another provider's kind in a
    /// shared group, at a version of its own); requests for its collection answer 404.
    pub fn add_foreign_resource(&self, resource: ForeignResource) {
        let mut shape = self.shared.shape.write().unwrap_or_else(|e| e.into_inner());
        shape.add_foreign(resource);
    }

    /// The Clair served under `/clair/` (see [`clair::DemoClair::load_demo`] for the demo's).
    pub fn clair(&self) -> &clair::DemoClair {
        &self.shared.clair
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    pub fn stats(&self) -> Stats {
        let s = &self.shared.stats;
        Stats {
            bytes_sent: s.bytes_sent.load(Ordering::Relaxed),
            requests: s.requests.load(Ordering::Relaxed),
            open_watches: s.open_watches.load(Ordering::Relaxed),
        }
    }

    fn cluster(&self, name: &str) -> Result<Arc<store::Cluster>, String> {
        self.shared
            .store
            .cluster(name)
            .ok_or_else(|| format!("no virtual cluster named {name:?}"))
    }
}

fn key(namespace: Option<&str>, name: &str) -> store::ObjKey {
    (namespace.unwrap_or_default().to_string(), name.to_string())
}

/// A running server. Dropping it stops the server too (without waiting).
pub struct ServerHandle {
    pub addr: SocketAddr,
    stop: tokio::sync::watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting and closes every open connection and watch, so clients see the server
    /// vanish; returns once the port is free again.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}
