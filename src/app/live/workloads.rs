//! The workloads view's rows: per site, the Deployments, StatefulSets, DaemonSets and Jobs of the
//! infrastructure and the apps, each followed by its Pods (phase, container states with their
//! reasons, restarts, node). A scope (from `w` on a storage, backup, GitOps or node row) narrows
//! it to the workloads behind one problem.

use std::collections::BTreeMap;

use super::fleet::Verdict;
use super::{LiveState, ObjKey, SourceId};
use crate::model::kinds::{DAEMON_SET, DEPLOYMENT, JOB, KindInfo, POD, STATEFUL_SET};
use crate::model::{LiveObject, Pod, Time};

pub const KINDS: [KindInfo; 5] = [DEPLOYMENT, STATEFUL_SET, DAEMON_SET, JOB, POD];

/// The workloads behind one object: what `w` narrows the view to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkloadScope {
    /// Shown in the title: `OSDs of CephCluster rook-ceph`.
    pub label: String,
    pub site: SourceId,
    pub namespace: Option<String>,
    /// Workload names (any, when empty).
    pub names: Vec<String>,
    /// Only workloads whose name contains this.
    pub name_contains: Option<String>,
    /// Only Pods on this node (their workloads shown for context).
    pub node: Option<String>,
}

impl WorkloadScope {
    fn admits_workload(&self, site: &str, ns: Option<&str>, name: &str) -> bool {
        site == self.site
            && (self.namespace.is_none() || self.namespace.as_deref() == ns)
            && (self.names.is_empty() || self.names.iter().any(|n| n == name))
            && self.name_contains.as_ref().is_none_or(|c| name.contains(c))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadRow {
    pub site: SourceId,
    /// `Deployment`, `StatefulSet`, `DaemonSet`, `Job` or `Pod`.
    pub kind: &'static str,
    pub key: ObjKey,
    /// Pods are drawn under their workload.
    pub pod: bool,
    /// `2/3` (ready/desired; Jobs: succeeded/completions; Pods: ready containers).
    pub ready: String,
    /// Pods: `CrashLoopBackOff`, `Running`, …; workloads: `ok`, `1 unavailable`, `failed`.
    pub status: String,
    pub restarts: i32,
    pub node: String,
    pub created: Option<Time>,
    /// What explains the state: per container its reason and message, the last termination
    /// (`OOMKilled, exit 137`); a workload's failing condition; its image.
    pub detail: String,
    /// Pods: the containers, the main ones first (for logs).
    pub containers: Vec<String>,
    pub verdict: Verdict,
}

impl WorkloadRow {
    /// `Pod rook-ceph/osd-2`.
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.site, self.kind, self.key)
    }
}

/// One Pod's detail: each container that is not fine with its reason and message, and its last
/// termination.
pub fn pod_detail(p: &Pod) -> String {
    let mut parts = vec![];
    for c in &p.containers {
        let mut s = String::new();
        if !c.reason.is_empty() && c.reason != "Completed" {
            s.push_str(&c.reason);
            if !c.message.is_empty() {
                s.push_str(&format!(": {}", c.message));
            }
        } else if !c.ready && !c.init && p.phase == "Running" {
            s.push_str("not ready");
        }
        if !c.last_reason.is_empty() {
            if !s.is_empty() {
                s.push_str("; ");
            }
            s.push_str(&format!("last {}", c.last_reason));
            if let Some(x) = c.last_exit {
                s.push_str(&format!(", exit {x}"));
            }
            if !c.last_message.is_empty() {
                s.push_str(&format!(": {}", c.last_message));
            }
        }
        if !s.is_empty() {
            parts.push(format!("{}: {s}", c.name));
        }
    }
    if !p.message.is_empty() {
        parts.push(p.message.clone());
    }
    if p.phase == "Running" && p.marked_not_ready() {
        parts.push(format!(
            "Ready False, containers ready: node {} not ready, or a readiness gate",
            p.node.as_deref().unwrap_or("?")
        ));
    }
    if parts.is_empty() {
        p.containers
            .iter()
            .find(|c| !c.init)
            .map(|c| c.image.clone())
            .unwrap_or_default()
    } else {
        parts.join(" · ")
    }
}

fn pod_row(site: &str, p: &Pod) -> WorkloadRow {
    let (ready, total) = p.ready_count();
    let status = p.status();
    let verdict = if !p.is_bad() {
        Verdict::Healthy
    } else if p.phase == "Pending" && p.containers.iter().all(|c| c.reason.is_empty()) {
        Verdict::Progressing
    } else if p.phase == "Failed" || status.contains("BackOff") || status.contains("Err") {
        Verdict::Failed
    } else {
        Verdict::Degraded
    };
    WorkloadRow {
        site: site.to_string(),
        kind: "Pod",
        key: ObjKey::new(p.meta.namespace.as_deref(), &p.meta.name),
        pod: true,
        ready: format!("{ready}/{total}"),
        status,
        restarts: p.restarts(),
        node: p.node.clone().unwrap_or_default(),
        created: p.meta.created,
        detail: pod_detail(p),
        containers: p.container_names(),
        verdict,
    }
}

/// Every workload of every source (the management clusters first), each followed by its Pods,
/// narrowed by `scope` and the filter text.
pub fn rows(live: &LiveState, scope: Option<&WorkloadScope>, filter: &str) -> Vec<WorkloadRow> {
    let filter = filter.to_lowercase();
    let mut out = vec![];
    let mut sources: Vec<_> = live.sources.values().collect();
    sources.sort_by_key(|s| (!s.root, s.id.clone()));
    for src in sources {
        if scope.is_some_and(|s| s.site != src.id) {
            continue;
        }
        // Pods by their workload.
        let mut pods: BTreeMap<(&'static str, Option<String>, String), Vec<&Pod>> = BTreeMap::new();
        let mut orphans = vec![];
        for o in src.objects(&POD) {
            let LiveObject::Pod(p) = o else { continue };
            match p.owner() {
                Some((k, n)) => pods
                    .entry((k, p.meta.namespace.clone(), n))
                    .or_default()
                    .push(p),
                None => orphans.push(p),
            }
        }
        let mut workloads: Vec<WorkloadRow> = vec![];
        for kind in [DEPLOYMENT, STATEFUL_SET, DAEMON_SET, JOB] {
            for o in src.objects(&kind) {
                let (meta, desired, ready, bad, detail) = match o {
                    LiveObject::Workload(w) => {
                        let failing = w
                            .conditions
                            .iter()
                            .find(|c| {
                                (c.type_ == "Failed" && c.status == crate::model::CondStatus::True)
                                    || (c.type_ == "Available"
                                        && c.status == crate::model::CondStatus::False)
                            })
                            .map(|c| format!("{}: {}", c.reason, c.message));
                        (
                            &w.meta,
                            w.desired,
                            w.ready,
                            w.is_bad(),
                            failing.or(w.image.clone()).unwrap_or_default(),
                        )
                    }
                    LiveObject::StatefulSet(s) => (
                        &s.meta,
                        s.replicas,
                        s.ready,
                        !s.is_ready(),
                        s.image.clone().unwrap_or_default(),
                    ),
                    _ => continue,
                };
                let ns = meta.namespace.clone();
                if let Some(s) = scope
                    && !s.admits_workload(&src.id, ns.as_deref(), &meta.name)
                {
                    continue;
                }
                let mut its_pods: Vec<&Pod> = pods
                    .remove(&(kind.kind, ns.clone(), meta.name.clone()))
                    .unwrap_or_default();
                if let Some(node) = scope.and_then(|s| s.node.as_ref()) {
                    its_pods.retain(|p| p.node.as_ref() == Some(node));
                    if its_pods.is_empty() {
                        continue;
                    }
                }
                its_pods.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
                let pod_rows: Vec<WorkloadRow> =
                    its_pods.iter().map(|p| pod_row(&src.id, p)).collect();
                let restarts = pod_rows.iter().map(|r| r.restarts).sum();
                let bad_pods = pod_rows.iter().any(|r| r.verdict > Verdict::Healthy);
                let key = ObjKey::new(ns.as_deref(), &meta.name);
                let text = format!(
                    "{} {} {} {}",
                    src.id,
                    kind.kind,
                    key,
                    pod_rows
                        .iter()
                        .map(|r| format!("{} {} {}", r.key.name, r.status, r.node))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
                .to_lowercase();
                if !filter.is_empty() && !text.contains(&filter) {
                    continue;
                }
                let status = if kind == JOB {
                    if bad {
                        "failed"
                    } else if ready >= desired {
                        "complete"
                    } else {
                        "running"
                    }
                    .to_string()
                } else if bad {
                    format!("{} unavailable", desired.saturating_sub(ready))
                } else if bad_pods {
                    "pods unwell".to_string()
                } else {
                    "ok".to_string()
                };
                let verdict = if bad || bad_pods {
                    Verdict::Degraded
                } else {
                    Verdict::Healthy
                };
                workloads.push(WorkloadRow {
                    site: src.id.clone(),
                    kind: kind.kind,
                    key,
                    pod: false,
                    ready: format!("{ready}/{desired}"),
                    status,
                    restarts,
                    node: String::new(),
                    created: meta.created,
                    detail,
                    containers: vec![],
                    verdict,
                });
                workloads.extend(pod_rows);
            }
        }
        out.extend(workloads);
        // Pods of no workload we watch (static Pods, bare Pods, ReplicaSets of other owners).
        if scope.is_none_or(|s| s.names.is_empty() && s.name_contains.is_none()) {
            orphans.sort_by(|a, b| {
                (&a.meta.namespace, &a.meta.name).cmp(&(&b.meta.namespace, &b.meta.name))
            });
            for p in orphans.into_iter().chain(pods.into_values().flatten()) {
                if let Some(s) = scope
                    && (s.namespace.is_some() && s.namespace != p.meta.namespace
                        || s.node.is_some() && s.node != p.node)
                {
                    continue;
                }
                let r = pod_row(&src.id, p);
                let text = format!("{} {} {} {}", r.site, r.key, r.status, r.node).to_lowercase();
                if filter.is_empty() || text.contains(&filter) {
                    out.push(r);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::live::{Entry, LiveMsg};
    use crate::model::kinds::KindInfo;

    fn obj(kind: &KindInfo, y: &str) -> (ObjKey, Entry) {
        let v: serde_json::Value = crate::repo::yaml_serde::from_str(y).unwrap();
        let o = crate::model::parse(kind, &v).unwrap().unwrap();
        let m = o.meta();
        (ObjKey::new(m.namespace.as_deref(), &m.name), Entry::Ok(o))
    }

    fn live() -> LiveState {
        let mut l = LiveState::default();
        l.apply(LiveMsg::SourceAdded {
            source: "edge".into(),
            root: false,
        });
        let put = |l: &mut LiveState, kind: &'static KindInfo, objs: Vec<(ObjKey, Entry)>| {
            l.apply(LiveMsg::Reset {
                source: "edge".into(),
                kind,
                objects: objs,
                at: 100,
            });
        };
        put(
            &mut l,
            &DEPLOYMENT,
            vec![
                obj(
                    &DEPLOYMENT,
                    "metadata: {name: rook-ceph-osd-2, namespace: rook-ceph}\nspec: {replicas: 1}\nstatus: {readyReplicas: 1}",
                ),
                obj(
                    &DEPLOYMENT,
                    "metadata: {name: podinfo, namespace: podinfo}\nspec: {replicas: 1}\nstatus: {readyReplicas: 1}",
                ),
            ],
        );
        put(
            &mut l,
            &POD,
            vec![
                obj(
                    &POD,
                    "metadata: {name: rook-ceph-osd-2-abc-x1, namespace: rook-ceph, labels: {pod-template-hash: abc}, ownerReferences: [{kind: ReplicaSet, name: rook-ceph-osd-2-abc, controller: true}]}\nspec: {nodeName: w3, containers: [{name: osd, image: ceph}]}\nstatus: {phase: Running, containerStatuses: [{name: osd, ready: false, restartCount: 3, state: {waiting: {reason: CrashLoopBackOff, message: back-off 40s}}, lastState: {terminated: {reason: OOMKilled, exitCode: 137}}}]}",
                ),
                obj(
                    &POD,
                    "metadata: {name: podinfo-def-y1, namespace: podinfo, labels: {pod-template-hash: def}, ownerReferences: [{kind: ReplicaSet, name: podinfo-def, controller: true}]}\nspec: {nodeName: w1, containers: [{name: podinfo}]}\nstatus: {phase: Running, containerStatuses: [{name: podinfo, ready: true, state: {running: {}}}]}",
                ),
                obj(
                    &POD,
                    "metadata: {name: static-etcd, namespace: kube-system}\nspec: {nodeName: w3}\nstatus: {phase: Running}",
                ),
            ],
        );
        l
    }

    #[test]
    fn workloads_are_followed_by_their_pods_with_the_reason() {
        let rows = rows(&live(), None, "");
        let names: Vec<_> = rows.iter().map(|r| (r.kind, r.key.name.as_str())).collect();
        assert_eq!(
            names,
            [
                ("Deployment", "podinfo"),
                ("Pod", "podinfo-def-y1"),
                ("Deployment", "rook-ceph-osd-2"),
                ("Pod", "rook-ceph-osd-2-abc-x1"),
                ("Pod", "static-etcd"),
            ]
        );
        let osd = &rows[3];
        assert_eq!(osd.status, "CrashLoopBackOff");
        assert_eq!(osd.verdict, Verdict::Failed);
        assert_eq!(
            osd.detail,
            "osd: CrashLoopBackOff: back-off 40s; last OOMKilled, exit 137"
        );
        assert_eq!(rows[2].verdict, Verdict::Degraded, "its pod is unwell");
        assert_eq!(rows[2].restarts, 3);
        assert_eq!(osd.containers, ["osd"]);
    }

    #[test]
    fn a_scope_narrows_to_the_workloads_behind_a_problem() {
        let scope = WorkloadScope {
            label: "OSDs".into(),
            site: "edge".into(),
            namespace: Some("rook-ceph".into()),
            name_contains: Some("osd".into()),
            ..Default::default()
        };
        let rows1 = rows(&live(), Some(&scope), "");
        assert_eq!(rows1.len(), 2);
        let by_node = WorkloadScope {
            site: "edge".into(),
            node: Some("w3".into()),
            ..Default::default()
        };
        let names: Vec<_> = rows(&live(), Some(&by_node), "")
            .into_iter()
            .map(|r| r.key.name)
            .collect();
        assert_eq!(
            names,
            ["rook-ceph-osd-2", "rook-ceph-osd-2-abc-x1", "static-etcd"]
        );
        assert!(
            rows(
                &live(),
                Some(&WorkloadScope {
                    site: "other".into(),
                    ..Default::default()
                }),
                ""
            )
            .is_empty()
        );
        assert_eq!(
            rows(&live(), None, "crashloop").len(),
            2,
            "the filter sees pod states"
        );
    }
}
