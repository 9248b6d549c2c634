//! After a push: the Argo CD Applications that deploy the changed paths, each one's way to the
//! pushed revision (waiting for Argo CD to notice → OutOfSync → Syncing → Synced → Healthy, or
//! the failure with Argo CD's message), and the live objects of the clusters the change touched
//! (Machines provisioning, Nodes joining). Derived from the watched objects on every batch; a
//! timeout says what is still pending.

use std::collections::BTreeSet;

use super::live::{LiveState, ObjKey, Scope, SourceId, Want};
use super::nav::{self, Route};
use super::{Effect, State};
use crate::model::kinds;
use crate::model::{CondStatus, LiveObject, Time};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Argo CD has not compared the new revision yet.
    Waiting,
    OutOfSync,
    Syncing,
    /// At the pushed revision, health not yet Healthy.
    Synced,
    /// At the pushed revision, Synced and Healthy: done.
    Healthy,
    Failed,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Waiting => "waiting for Argo CD to notice",
            Stage::OutOfSync => "OutOfSync",
            Stage::Syncing => "Syncing",
            Stage::Synced => "Synced, not yet Healthy",
            Stage::Healthy => "Synced and Healthy",
            Stage::Failed => "Failed",
        }
    }
    pub fn done(self) -> bool {
        matches!(self, Stage::Healthy | Stage::Failed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedApp {
    pub source: SourceId,
    pub key: ObjKey,
    /// The changed paths it deploys.
    pub paths: Vec<String>,
    pub stage: Stage,
    /// When it reached its stage.
    pub since: Time,
    /// Health, sync and the last operation's message, as Argo CD says them.
    pub detail: String,
    /// The stages it went through, in order.
    pub seen: Vec<Stage>,
}

/// A cluster the change touched (`clusters/<name>/…`): its Machines and Nodes. New ones are
/// those created after the push (their `creationTimestamp`), so nothing depends on the console
/// having watched them before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterWatch {
    pub name: String,
    /// Derived: one line per Machine and a Nodes summary.
    pub machines: Vec<MachineLine>,
    pub nodes_ready: usize,
    pub nodes_total: usize,
    pub new_nodes: Vec<(String, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineLine {
    pub name: String,
    pub phase: String,
    pub version: String,
    pub new: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    /// The pushed commit (full id).
    pub sha: String,
    pub started: Time,
    /// Changed paths, relative to the git work tree (as Argo CD's source paths are).
    pub paths: Vec<String>,
    pub apps: Vec<TrackedApp>,
    pub clusters: Vec<ClusterWatch>,
    /// Whether the Applications have been looked for in a complete list yet.
    pub looked: bool,
    pub timeout_secs: i64,
    /// Set when every Application is done, or the timeout passed.
    pub finished: Option<Time>,
}

impl Tracking {
    pub fn short(&self) -> &str {
        &self.sha[..self.sha.len().min(7)]
    }

    pub fn timed_out(&self, now: Time) -> bool {
        now - self.started > self.timeout_secs
            && (!self.looked || !self.apps.iter().all(|a| a.stage.done()))
    }

    /// What is still pending, for the timeout line.
    pub fn pending(&self) -> Vec<String> {
        if !self.looked {
            return vec!["the Applications list (is Argo CD reachable?)".into()];
        }
        self.apps
            .iter()
            .filter(|a| !a.stage.done())
            .map(|a| format!("{} ({})", a.key.name, a.stage.label()))
            .collect()
    }

    pub fn wants(&self) -> Vec<Want> {
        let mut w = vec![
            Want {
                scope: Scope::Roots,
                kind: kinds::APPLICATION,
            },
            Want {
                scope: Scope::Roots,
                kind: kinds::MACHINE,
            },
        ];
        for c in &self.clusters {
            w.push(Want {
                scope: Scope::Workload(c.name.clone()),
                kind: kinds::NODE,
            });
        }
        w
    }
}

/// Does an Application source path cover a changed file? (`.` and `` cover everything.)
pub fn covers(app_path: &str, file: &str) -> bool {
    let p = app_path.trim_start_matches("./").trim_end_matches('/');
    p.is_empty() || p == "." || file == p || file.starts_with(&format!("{p}/"))
}

/// The clusters a set of paths touches: `clusters/<name>/…`.
fn touched_clusters(paths: &[String]) -> Vec<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    for p in paths {
        let mut parts = p.split('/');
        if parts.next() == Some("clusters")
            && let (Some(name), Some(_)) = (parts.next(), parts.next())
        {
            out.insert(name.to_string());
        }
    }
    out.into_iter().collect()
}

/// Starts following a push of `sha` that changed `paths` (work-tree relative).
pub fn start(state: &mut State, sha: String, paths: Vec<String>, fx: &mut Vec<Effect>) {
    let now = state.live.now;
    let clusters = touched_clusters(&paths)
        .into_iter()
        .map(|name| ClusterWatch {
            name,
            machines: vec![],
            nodes_ready: 0,
            nodes_total: 0,
            new_nodes: vec![],
        })
        .collect();
    state.reconcile = Some(Tracking {
        sha,
        started: now,
        paths,
        apps: vec![],
        clusters,
        looked: false,
        timeout_secs: state.reconcile_timeout_secs,
        finished: None,
    });
    refresh(state);
    nav::go(state, Route::Reconcile, fx);
}

/// Machines of `cluster` (new: created from `since` on) and its Nodes (name, Ready, new).
fn cluster_objects(
    live: &LiveState,
    cluster: &str,
    since: Time,
) -> (Vec<MachineLine>, Vec<(String, bool, bool)>) {
    // A second of slack: creation times have whole seconds.
    let new = |created: Option<Time>| created.is_some_and(|c| c >= since - 1);
    let mut machines = Vec::new();
    for src in live.roots() {
        for o in src.objects(&kinds::MACHINE) {
            if let LiveObject::Machine(m) = o
                && m.cluster_name == cluster
            {
                machines.push(MachineLine {
                    name: m.meta.name.clone(),
                    phase: m.phase.clone().unwrap_or_else(|| "—".into()),
                    version: m
                        .kubelet_version
                        .clone()
                        .or_else(|| m.version.clone())
                        .unwrap_or_default(),
                    new: new(m.meta.created),
                });
            }
        }
    }
    machines.sort_by(|a, b| a.name.cmp(&b.name));
    let mut nodes = Vec::new();
    if let Some(src) = live.sources.get(cluster) {
        for o in src.objects(&kinds::NODE) {
            if let LiveObject::Node(n) = o {
                nodes.push((
                    n.meta.name.clone(),
                    n.ready == CondStatus::True,
                    new(n.meta.created),
                ));
            }
        }
    }
    nodes.sort();
    (machines, nodes)
}

/// Re-derives the tracking from the live objects (called on every batch and tick).
pub fn refresh(state: &mut State) {
    let now = state.live.now;
    let Some(t) = state.reconcile.as_mut() else {
        return;
    };
    let live = &state.live;
    refresh_clusters(t, live);
    // The Applications' outcome is final; the Machines and Nodes go on changing after it.
    if t.finished.is_some() {
        return;
    }
    // Find the Applications once their list is complete; keep following them after.
    let apps_listed = live.roots().any(|s| {
        s.store(&kinds::APPLICATION)
            .is_some_and(|k| k.updated.is_some())
    });
    if !t.looked && apps_listed {
        t.looked = true;
        for src in live.roots() {
            for o in src.objects(&kinds::APPLICATION) {
                let LiveObject::Application(a) = o else {
                    continue;
                };
                let paths: Vec<String> = t
                    .paths
                    .iter()
                    .filter(|f| a.paths().any(|p| covers(p, f)))
                    .cloned()
                    .collect();
                if !paths.is_empty() {
                    t.apps.push(TrackedApp {
                        source: src.id.clone(),
                        key: ObjKey::new(a.meta.namespace.as_deref(), &a.meta.name),
                        paths,
                        stage: Stage::Waiting,
                        since: now,
                        detail: String::new(),
                        seen: vec![Stage::Waiting],
                    });
                }
            }
        }
        t.apps.sort_by(|a, b| a.key.cmp(&b.key));
    }
    for app in &mut t.apps {
        let Some(src) = live.sources.get(&app.source) else {
            continue;
        };
        let Some(LiveObject::Application(a)) = src
            .store(&kinds::APPLICATION)
            .and_then(|s| s.objects.get(&app.key))
            .and_then(|e| match e {
                super::live::Entry::Ok(o) => Some(o),
                _ => None,
            })
        else {
            app.detail = "the Application is gone".into();
            continue;
        };
        let at_sha = a.revision.as_deref() == Some(t.sha.as_str());
        let op_at_sha = a.op_revision.as_deref() == Some(t.sha.as_str());
        let failed = matches!(a.op_phase.as_deref(), Some("Failed" | "Error"))
            && (op_at_sha || at_sha || app.stage >= Stage::OutOfSync);
        let stage = if failed {
            Stage::Failed
        } else if at_sha && a.sync.as_deref() == Some("Synced") {
            if a.health.as_deref() == Some("Healthy") {
                Stage::Healthy
            } else {
                Stage::Synced
            }
        } else if a.op_phase.as_deref() == Some("Running") {
            Stage::Syncing
        } else if a.sync.as_deref() == Some("OutOfSync") {
            Stage::OutOfSync
        } else {
            Stage::Waiting
        };
        // A stage is never gone back on, except from an outcome (a retried sync).
        if stage != app.stage && (stage > app.stage || app.stage.done()) {
            app.stage = stage;
            app.since = now;
            app.seen.push(stage);
        }
        let mut detail = format!(
            "{} · {}",
            a.sync.as_deref().unwrap_or("Unknown"),
            a.health.as_deref().unwrap_or("Unknown")
        );
        if let Some(r) = a.short_revision() {
            detail.push_str(&format!(" at {r}"));
        }
        if let Some(m) = &a.op_message
            && !m.is_empty()
        {
            detail.push_str(&format!(" — {}", m));
        }
        for (ty, m) in a.errors() {
            detail.push_str(&format!(" — {ty}: {m}"));
        }
        app.detail = detail;
    }
    if t.looked && t.apps.iter().all(|a| a.stage.done()) || t.timed_out(now) {
        t.finished = Some(now);
    }
}

fn refresh_clusters(t: &mut Tracking, live: &LiveState) {
    for c in &mut t.clusters {
        let (machines, nodes) = cluster_objects(live, &c.name, t.started);
        c.machines = machines;
        c.nodes_total = nodes.len();
        c.nodes_ready = nodes.iter().filter(|n| n.1).count();
        c.new_nodes = nodes
            .into_iter()
            .filter(|n| n.2)
            .map(|(name, ready, _)| (name, ready))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_paths_cover_files_below_them_only() {
        assert!(covers(
            "clusters/edge-berlin",
            "clusters/edge-berlin/capi/workers.yaml"
        ));
        assert!(covers(
            "clusters/edge-berlin/",
            "clusters/edge-berlin/capi/workers.yaml"
        ));
        assert!(covers(
            "./clusters/edge-berlin",
            "clusters/edge-berlin/a.yaml"
        ));
        assert!(!covers("clusters/edge-b", "clusters/edge-berlin/a.yaml"));
        assert!(covers(".", "apps/x/y.yaml"));
        assert!(covers("apps/x/y.yaml", "apps/x/y.yaml"));
    }

    #[test]
    fn clusters_come_from_paths_below_clusters() {
        let paths = vec![
            "clusters/edge-berlin/capi/workers.yaml".to_string(),
            "clusters/README.md".to_string(),
            "apps/edge-lab/podinfo/x.yaml".to_string(),
        ];
        assert_eq!(touched_clusters(&paths), vec!["edge-berlin".to_string()]);
    }
}
