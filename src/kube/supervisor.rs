//! The supervisor: owns the clients, starts a watch for each (source, kind) the views want,
//! and stops a watch once no view has wanted it for `linger` (so flipping between views does
//! not relist). It also follows the workload clusters' `<name>-kubeconfig` Secrets when
//! `fleet.workload_kubeconfigs` is on; those kubeconfigs live only in this task's memory.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::Api;
use kube::config::Kubeconfig;
use kube::runtime::watcher::{self, DefaultBackoff, Event};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tracing::{info, warn};

use super::discovery::Discovery;
use super::{client, now, watch};
// Callers name the command by the supervisor that takes it.
pub use super::protocol::Command;
use super::protocol::{LiveMsg, Scope, SourceId, Want};
use crate::model::kinds::KindInfo;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--kubeconfig`; else `KUBECONFIG` / `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// `--context` (repeatable); empty: the current context.
    pub contexts: Vec<String>,
    /// Read `<cluster>-kubeconfig` Secrets to watch workload clusters directly.
    pub workload_kubeconfigs: bool,
    /// How long an unwanted watch keeps running before it is stopped.
    pub linger: Duration,
    /// kubectl's `--cluster`, `--user`, `--as`, `--as-group`, `--request-timeout`, for the
    /// user's contexts (workload kubeconfigs are not the user's: never overridden).
    pub overrides: client::Overrides,
}

enum Internal {
    /// A workload kubeconfig appeared or changed (`Some`) or went away (`None`).
    Workload {
        root: SourceId,
        cluster: String,
        kubeconfig: Option<Box<Kubeconfig>>,
    },
    RootReady {
        context: String,
        client: Result<Client, String>,
    },
}

struct Running {
    handle: AbortHandle,
    /// Unwanted since; stopped after `linger`.
    idle_since: Option<Instant>,
}

struct Sup {
    opts: Options,
    tx: mpsc::Sender<LiveMsg>,
    internal: mpsc::UnboundedSender<Internal>,
    kubeconfig: Option<Kubeconfig>,
    /// Root contexts wanted, and their clients (with their discovery cache) once set up.
    roots: BTreeMap<SourceId, Option<Arc<Discovery>>>,
    workloads: BTreeMap<SourceId, (SourceId, Arc<Discovery>)>,
    secret_watches: HashMap<SourceId, AbortHandle>,
    watches: HashMap<(SourceId, &'static str), Running>,
    wants: Vec<Want>,
    /// The kubeconfig could not be read (a stand-in source says so).
    load_failed: bool,
    /// The drill-down streams (logs, Events of one object) by id.
    streams: HashMap<u64, AbortHandle>,
}

/// How often a kubeconfig that could not be read is read again.
const KUBECONFIG_RETRY: Duration = Duration::from_secs(10);

/// The source that stands for a kubeconfig that could not be read.
pub const NO_KUBECONFIG: &str = "kubeconfig";

/// Starts the supervisor; the returned sender takes its commands.
pub fn spawn(opts: Options, tx: mpsc::Sender<LiveMsg>) -> mpsc::UnboundedSender<Command> {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    tokio::spawn(run(opts, tx, cmd_rx));
    cmd_tx
}

async fn run(
    opts: Options,
    tx: mpsc::Sender<LiveMsg>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let (itx, mut irx) = mpsc::unbounded_channel();
    let mut sup = Sup {
        opts,
        tx,
        internal: itx,
        kubeconfig: None,
        roots: BTreeMap::new(),
        workloads: BTreeMap::new(),
        secret_watches: HashMap::new(),
        watches: HashMap::new(),
        wants: vec![],
        load_failed: false,
        streams: HashMap::new(),
    };
    sup.load_kubeconfig().await;
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    let mut last_load = Instant::now();
    loop {
        tokio::select! {
            cmd = commands.recv() => match cmd {
                Some(Command::Want(w)) => { sup.wants = w; sup.reconcile().await; }
                Some(Command::UseContexts(c)) => sup.use_contexts(c).await,
                Some(Command::Stream(req)) => sup.stream(req).await,
                Some(Command::StopStream(id)) => {
                    if let Some(h) = sup.streams.remove(&id) {
                        h.abort();
                    }
                }
                None => break,
            },
            Some(i) = irx.recv() => sup.internal(i).await,
            _ = tick.tick() => {
                sup.stop_idle().await;
                // No kubeconfig yet (missing, unreadable): read it again now and then, so a
                // console or dashboard started before it exists picks it up.
                if sup.kubeconfig.is_none() && last_load.elapsed() >= KUBECONFIG_RETRY {
                    last_load = Instant::now();
                    sup.load_kubeconfig().await;
                }
            }
        }
    }
    sup.stop_all();
}

impl Sup {
    async fn send(&self, m: LiveMsg) {
        let _ = self.tx.send(m).await;
    }

    async fn load_kubeconfig(&mut self) {
        match client::load(self.opts.kubeconfig.as_deref()) {
            Ok(kc) => {
                if self.load_failed {
                    // It failed before: the stand-in source goes.
                    self.load_failed = false;
                    self.send(LiveMsg::SourceRemoved {
                        source: NO_KUBECONFIG.into(),
                    })
                    .await;
                }
                let available = client::contexts(&kc);
                let active = if self.opts.contexts.is_empty() {
                    kc.current_context.clone().into_iter().collect()
                } else {
                    self.opts.contexts.clone()
                };
                self.kubeconfig = Some(kc);
                self.send(LiveMsg::Contexts {
                    available,
                    active: active.clone(),
                })
                .await;
                self.use_contexts(active).await;
            }
            Err(error) => {
                warn!(%error, "no kubeconfig");
                self.load_failed = true;
                let source = NO_KUBECONFIG.to_string();
                self.send(LiveMsg::SourceAdded {
                    source: source.clone(),
                    root: true,
                })
                .await;
                self.send(LiveMsg::SetupFailed {
                    source,
                    error,
                    at: now(),
                })
                .await;
            }
        }
    }

    async fn use_contexts(&mut self, contexts: Vec<String>) {
        let Some(kc) = self.kubeconfig.clone() else {
            return;
        };
        let wanted: BTreeSet<String> = contexts.iter().cloned().collect();
        let gone: Vec<SourceId> = self
            .roots
            .keys()
            .filter(|r| !wanted.contains(*r))
            .cloned()
            .collect();
        for root in gone {
            self.remove_root(&root).await;
        }
        for ctx in &contexts {
            if self.roots.contains_key(ctx) {
                continue;
            }
            self.roots.insert(ctx.clone(), None);
            self.send(LiveMsg::SourceAdded {
                source: ctx.clone(),
                root: true,
            })
            .await;
            let kc = kc.clone();
            let ctx = ctx.clone();
            let itx = self.internal.clone();
            let overrides = self.opts.overrides.clone();
            tokio::spawn(async move {
                let client = client::client_with(&kc, Some(&ctx), &overrides).await;
                let _ = itx.send(Internal::RootReady {
                    context: ctx,
                    client,
                });
            });
        }
        self.send(LiveMsg::Contexts {
            available: client::contexts(&kc),
            active: contexts,
        })
        .await;
    }

    async fn remove_root(&mut self, root: &str) {
        self.roots.remove(root);
        if let Some(h) = self.secret_watches.remove(root) {
            h.abort();
        }
        let workloads: Vec<SourceId> = self
            .workloads
            .iter()
            .filter(|(_, (r, _))| r == root)
            .map(|(w, _)| w.clone())
            .collect();
        for w in workloads {
            self.remove_source(&w).await;
            self.workloads.remove(&w);
        }
        self.remove_source(root).await;
    }

    async fn remove_source(&mut self, source: &str) {
        self.watches.retain(|(s, _), r| {
            if s == source {
                r.handle.abort();
                false
            } else {
                true
            }
        });
        self.send(LiveMsg::SourceRemoved {
            source: source.to_string(),
        })
        .await;
    }

    async fn internal(&mut self, i: Internal) {
        match i {
            Internal::RootReady { context, client } => {
                if !self.roots.contains_key(&context) {
                    return;
                }
                match client {
                    Ok(c) => {
                        info!(context = %context, "context ready");
                        self.roots.insert(context, Some(Discovery::new(c)));
                        self.reconcile().await;
                    }
                    Err(error) => {
                        warn!(context = %context, %error, "context setup failed");
                        self.send(LiveMsg::SetupFailed {
                            source: context.clone(),
                            error,
                            at: now(),
                        })
                        .await;
                        // Retry later: auth plugins and networks come back.
                        if let Some(kc) = self.kubeconfig.clone() {
                            let itx = self.internal.clone();
                            let overrides = self.opts.overrides.clone();
                            tokio::spawn(async move {
                                tokio::time::sleep(Duration::from_secs(15)).await;
                                let client =
                                    client::client_with(&kc, Some(&context), &overrides).await;
                                let _ = itx.send(Internal::RootReady { context, client });
                            });
                        }
                    }
                }
            }
            Internal::Workload {
                root,
                cluster,
                kubeconfig,
            } => match kubeconfig {
                Some(kc) => match client::client(&kc, None).await {
                    Ok(c) => {
                        let existed = self.workloads.contains_key(&cluster);
                        if existed {
                            // Credentials rotated: restart the cluster's watches.
                            self.watches.retain(|(s, _), r| {
                                if *s == cluster {
                                    r.handle.abort();
                                    false
                                } else {
                                    true
                                }
                            });
                        }
                        self.workloads
                            .insert(cluster.clone(), (root, Discovery::new(c)));
                        if !existed {
                            self.send(LiveMsg::SourceAdded {
                                source: cluster.clone(),
                                root: false,
                            })
                            .await;
                        }
                        self.reconcile().await;
                    }
                    Err(_) => {
                        warn!(cluster = %cluster, "workload kubeconfig unusable");
                        self.send(LiveMsg::SourceAdded {
                            source: cluster.clone(),
                            root: false,
                        })
                        .await;
                        self.send(LiveMsg::SetupFailed {
                            source: cluster,
                            error: "its kubeconfig Secret is unusable".into(),
                            at: now(),
                        })
                        .await;
                    }
                },
                None => {
                    if self.workloads.remove(&cluster).is_some() {
                        self.remove_source(&cluster).await;
                    }
                }
            },
        }
    }

    /// Starts what the wants need and marks the rest idle.
    async fn reconcile(&mut self) {
        let mut desired: Vec<(SourceId, Arc<Discovery>, &'static KindInfo)> = vec![];
        for w in &self.wants {
            let kind: &'static KindInfo = match crate::model::kinds::find(w.kind.group, w.kind.kind)
            {
                Some(k) => k,
                None => continue,
            };
            match &w.scope {
                Scope::Roots => {
                    for (id, c) in &self.roots {
                        if let Some(c) = c {
                            desired.push((id.clone(), c.clone(), kind));
                        }
                    }
                }
                Scope::Workloads => {
                    for (id, (_, c)) in &self.workloads {
                        desired.push((id.clone(), c.clone(), kind));
                    }
                }
                Scope::Workload(name) => {
                    if let Some((_, c)) = self.workloads.get(name) {
                        desired.push((name.clone(), c.clone(), kind));
                    }
                }
            }
        }
        let keys: BTreeSet<(SourceId, &'static str)> =
            desired.iter().map(|(s, _, k)| (s.clone(), k.key)).collect();
        for (key, r) in self.watches.iter_mut() {
            if keys.contains(key) {
                r.idle_since = None;
            } else if r.idle_since.is_none() {
                r.idle_since = Some(Instant::now());
            }
        }
        for (source, client, kind) in desired {
            let key = (source.clone(), kind.key);
            if self.watches.contains_key(&key) {
                continue;
            }
            info!(source = %source, kind = kind.kind, "watch");
            let handle =
                tokio::spawn(watch::run(client, source, kind, self.tx.clone())).abort_handle();
            self.watches.insert(
                key,
                Running {
                    handle,
                    idle_since: None,
                },
            );
        }
        // Workload clusters are discovered as soon as a management cluster is up (a few small
        // Secrets), so a view that needs their Nodes does not wait for that first.
        if self.opts.workload_kubeconfigs {
            let roots: Vec<(SourceId, Client)> = self
                .roots
                .iter()
                .filter_map(|(id, d)| d.as_ref().map(|d| (id.clone(), d.client())))
                .collect();
            for (root, c) in roots {
                if !self.secret_watches.contains_key(&root) {
                    let h = tokio::spawn(watch_kubeconfigs(c, root.clone(), self.internal.clone()))
                        .abort_handle();
                    self.secret_watches.insert(root, h);
                }
            }
        }
    }

    async fn stop_idle(&mut self) {
        let linger = self.opts.linger;
        let stale: Vec<(SourceId, &'static str)> = self
            .watches
            .iter()
            .filter(|(_, r)| r.idle_since.is_some_and(|t| t.elapsed() >= linger))
            .map(|(k, _)| k.clone())
            .collect();
        for key in stale {
            if let Some(r) = self.watches.remove(&key) {
                r.handle.abort();
                info!(source = %key.0, kind = key.1, "watch stopped (not needed)");
                if let Some(kind) = crate::model::kinds::find_key(key.1) {
                    self.send(LiveMsg::Stopped {
                        source: key.0,
                        kind,
                    })
                    .await;
                }
            }
        }
    }

    /// Starts a drill-down stream on its source's client (replacing one with the same id).
    async fn stream(&mut self, req: super::protocol::StreamReq) {
        if let Some(h) = self.streams.remove(&req.id) {
            h.abort();
        }
        self.streams.retain(|_, h| !h.is_finished());
        let client = match self.roots.get(&req.source) {
            Some(Some(d)) => Some(d.client()),
            _ => self.workloads.get(&req.source).map(|(_, d)| d.client()),
        };
        let Some(client) = client else {
            self.send(LiveMsg::StreamEnded {
                id: req.id,
                error: Some(format!("no connection to {}", req.source)),
            })
            .await;
            return;
        };
        let id = req.id;
        let h = tokio::spawn(super::stream::run(client, req, self.tx.clone())).abort_handle();
        self.streams.insert(id, h);
    }

    fn stop_all(&mut self) {
        for (_, h) in self.streams.drain() {
            h.abort();
        }
        for (_, r) in self.watches.drain() {
            r.handle.abort();
        }
        for (_, h) in self.secret_watches.drain() {
            h.abort();
        }
    }
}

/// Follows the `<cluster>-kubeconfig` Secrets of a management cluster. Only the `value` key of
/// those Secrets is read, parsed in memory and handed over; nothing of it is logged.
async fn watch_kubeconfigs(
    client: Client,
    root: SourceId,
    internal: mpsc::UnboundedSender<Internal>,
) {
    let api: Api<Secret> = Api::all(client);
    let cfg = watcher::Config::default()
        .fields("type=cluster.x-k8s.io/secret")
        .labels("cluster.x-k8s.io/cluster-name");
    let mut backoff = DefaultBackoff::default();
    let mut known: BTreeSet<String> = BTreeSet::new();
    loop {
        let mut stream = watcher::watcher(api.clone(), cfg.clone()).boxed();
        let mut listed: BTreeSet<String> = BTreeSet::new();
        while let Some(ev) = stream.next().await {
            let (secret, deleted) = match ev {
                Ok(Event::Init) => {
                    listed.clear();
                    continue;
                }
                Ok(Event::InitDone) => {
                    backoff = DefaultBackoff::default();
                    for gone in known.difference(&listed) {
                        let _ = internal.send(Internal::Workload {
                            root: root.clone(),
                            cluster: gone.clone(),
                            kubeconfig: None,
                        });
                    }
                    known = std::mem::take(&mut listed);
                    continue;
                }
                Ok(Event::InitApply(s)) | Ok(Event::Apply(s)) => (s, false),
                Ok(Event::Delete(s)) => (s, true),
                Err(e) => {
                    warn!(root = %root, error = %e, "cannot read workload kubeconfig Secrets");
                    break;
                }
            };
            let Some(name) = secret.metadata.name.as_deref() else {
                continue;
            };
            let Some(cluster) = name.strip_suffix("-kubeconfig") else {
                continue;
            };
            let cluster = cluster.to_string();
            if deleted {
                known.remove(&cluster);
                let _ = internal.send(Internal::Workload {
                    root: root.clone(),
                    cluster,
                    kubeconfig: None,
                });
                continue;
            }
            let value = secret.data.as_ref().and_then(|d| d.get("value"));
            let Some(value) = value else { continue };
            match client::parse_workload(&value.0) {
                Ok(kc) => {
                    listed.insert(cluster.clone());
                    known.insert(cluster.clone());
                    let _ = internal.send(Internal::Workload {
                        root: root.clone(),
                        cluster,
                        kubeconfig: Some(Box::new(kc)),
                    });
                }
                Err(e) => warn!(cluster = %cluster, error = %e, "workload kubeconfig Secret"),
            }
        }
        tokio::time::sleep(backoff.next().unwrap_or_default()).await;
    }
}
