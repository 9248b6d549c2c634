//! One cluster as the object tree `clusterctl describe cluster` prints, and the Events of the
//! selected object.

use std::collections::HashMap;

use super::fleet::{Verdict, worst_condition};
use super::{LiveState, ObjKey};
use crate::model::kinds::{
    self, CLUSTER, EVENT, KindInfo, MACHINE, MACHINE_DEPLOYMENT, MACHINE_HEALTH_CHECK, MACHINE_SET,
    METAL_CLUSTER, METAL_MACHINE, NODE, TALOS_CONFIG, TALOS_CONTROL_PLANE,
};
use crate::model::{CondStatus, Condition, LiveObject, Time};
use crate::objref::ObjRef;

pub const ROOT_KINDS: [KindInfo; 10] = [
    CLUSTER,
    MACHINE,
    MACHINE_DEPLOYMENT,
    MACHINE_SET,
    MACHINE_HEALTH_CHECK,
    TALOS_CONTROL_PLANE,
    TALOS_CONFIG,
    METAL_MACHINE,
    METAL_CLUSTER,
    EVENT,
];
pub const WORKLOAD_KINDS: [KindInfo; 3] = [NODE, EVENT, kinds::NAMESPACE];

#[derive(Debug, Clone, PartialEq)]
pub struct TreeRow {
    pub depth: u16,
    /// Whether this row is the last child of its parent at each depth (for the tree lines).
    pub last: Vec<bool>,
    pub obj: ObjRef,
    /// `Machine/edge-berlin-cp-abc12`, or a group label (`Workers`).
    pub label: String,
    pub ready: Option<CondStatus>,
    /// Phase or state.
    pub status: String,
    pub reason: String,
    pub message: String,
    /// Since when the row is in its current (not ready) state.
    pub since: Option<Time>,
    pub verdict: Verdict,
    pub broken: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub type_: String,
    pub reason: String,
    pub message: String,
    pub count: i32,
    pub last: Option<Time>,
    pub source: String,
}

/// The tree of the cluster `key` on root `source`. Empty when it does not exist (yet).
pub fn tree(live: &LiveState, source: &str, key: &ObjKey) -> Vec<TreeRow> {
    let Some(src) = live.sources.get(source) else {
        return vec![];
    };
    let ns = key.namespace.as_deref();
    let in_ns = |m: &crate::model::Meta| m.namespace.as_deref() == ns;
    let cluster = src.objects(&CLUSTER).find_map(|o| match o {
        LiveObject::Cluster(c) if c.meta.name == key.name && in_ns(&c.meta) => Some(c),
        _ => None,
    });
    let mut b = Builder {
        rows: vec![],
        source,
    };
    let Some(c) = cluster else {
        if let Some((_, err)) = src.broken(&CLUSTER).find(|(k, _)| *k == key) {
            b.push(
                0,
                &CLUSTER,
                key.clone(),
                format!("Cluster/{}", key.name),
                Status::broken(err),
            );
        }
        return b.finish();
    };
    let name = c.meta.name.as_str();
    let mut workload_nodes: HashMap<&str, &crate::model::Node> = HashMap::new();
    if let Some(w) = live.sources.get(name).filter(|s| !s.root) {
        for o in w.objects(&NODE) {
            if let LiveObject::Node(n) = o {
                workload_nodes.insert(n.meta.name.as_str(), n);
            }
        }
    }
    let machines: Vec<&crate::model::Machine> = src
        .objects(&MACHINE)
        .filter_map(|o| match o {
            LiveObject::Machine(m) if m.cluster_name == name && in_ns(&m.meta) => Some(m),
            _ => None,
        })
        .collect();

    b.push(
        0,
        &CLUSTER,
        key.clone(),
        format!("Cluster/{name}"),
        Status::from_conditions(
            c.phase.clone(),
            &c.conditions,
            &c.legacy_conditions,
            c.failure_message.as_deref(),
            "Available",
        ),
    );
    // Infrastructure.
    if let Some(r) = &c.infrastructure_ref {
        let st = src
            .objects(&METAL_CLUSTER)
            .find_map(|o| match o {
                LiveObject::MetalCluster(m) if m.meta.name == r.name && in_ns(&m.meta) => {
                    Some(Status::ready_flag(m.ready, None))
                }
                _ => None,
            })
            .unwrap_or_else(Status::missing);
        let kind = kinds::find_kind_name(&r.kind).unwrap_or(&METAL_CLUSTER);
        b.push(
            1,
            kind,
            ObjKey::new(ns, &r.name),
            format!("{}/{}", r.kind, r.name),
            st,
        );
    }
    // Control plane and its machines.
    if let Some(r) = &c.control_plane_ref {
        let tcp = src.objects(&TALOS_CONTROL_PLANE).find_map(|o| match o {
            LiveObject::TalosControlPlane(t) if t.meta.name == r.name && in_ns(&t.meta) => Some(t),
            _ => None,
        });
        let st = match tcp {
            Some(t) => {
                let mut s = Status::from_conditions(
                    None,
                    &[],
                    &t.conditions,
                    t.failure_message.as_deref(),
                    "Ready",
                );
                s.status = format!(
                    "{}/{} ready",
                    t.replicas.ready.unwrap_or(0),
                    t.replicas.desired.unwrap_or(0)
                );
                s
            }
            None => Status::missing(),
        };
        let kind = kinds::find_kind_name(&r.kind).unwrap_or(&TALOS_CONTROL_PLANE);
        b.push(
            1,
            kind,
            ObjKey::new(ns, &r.name),
            format!("{}/{}", r.kind, r.name),
            st,
        );
        for m in machines.iter().filter(|m| m.control_plane) {
            b.machine(2, m, &workload_nodes);
        }
    }
    // Workers: MachineDeployments → MachineSets → Machines.
    let deployments: Vec<&crate::model::MachineDeployment> = src
        .objects(&MACHINE_DEPLOYMENT)
        .filter_map(|o| match o {
            LiveObject::MachineDeployment(d) if d.cluster_name == name && in_ns(&d.meta) => Some(d),
            _ => None,
        })
        .collect();
    let sets: Vec<&crate::model::MachineSet> = src
        .objects(&MACHINE_SET)
        .filter_map(|o| match o {
            LiveObject::MachineSet(s) if s.cluster_name == name && in_ns(&s.meta) => Some(s),
            _ => None,
        })
        .collect();
    if !deployments.is_empty() {
        b.group(1, "Workers");
    }
    for d in &deployments {
        let mut st = Status::from_conditions(
            d.phase.clone(),
            &d.conditions,
            &d.legacy_conditions,
            None,
            "Available",
        );
        st.status = format!(
            "{} {}/{}",
            d.phase.as_deref().unwrap_or(""),
            d.replicas.ready.unwrap_or(0),
            d.replicas.desired.unwrap_or(0)
        )
        .trim()
        .to_string();
        b.push(
            2,
            &MACHINE_DEPLOYMENT,
            ObjKey::new(ns, &d.meta.name),
            format!("MachineDeployment/{}", d.meta.name),
            st,
        );
        for s in sets.iter().filter(|s| {
            s.deployment.as_deref() == Some(d.meta.name.as_str())
                || s.meta
                    .owner
                    .as_ref()
                    .is_some_and(|o| o.kind == "MachineDeployment" && o.name == d.meta.name)
        }) {
            let mut st = Status::from_conditions(
                None,
                &s.conditions,
                &s.legacy_conditions,
                s.failure_message.as_deref(),
                "MachinesReady",
            );
            st.status = format!(
                "{}/{}",
                s.replicas.ready.unwrap_or(0),
                s.replicas.desired.unwrap_or(0)
            );
            b.push(
                3,
                &MACHINE_SET,
                ObjKey::new(ns, &s.meta.name),
                format!("MachineSet/{}", s.meta.name),
                st,
            );
            for m in machines.iter().filter(|m| {
                m.machine_set.as_deref() == Some(s.meta.name.as_str())
                    || m.meta
                        .owner
                        .as_ref()
                        .is_some_and(|o| o.kind == "MachineSet" && o.name == s.meta.name)
            }) {
                b.machine(4, m, &workload_nodes);
            }
        }
        // Machines of the deployment whose set is not (yet) seen.
        for m in machines.iter().filter(|m| {
            m.deployment.as_deref() == Some(d.meta.name.as_str())
                && !sets
                    .iter()
                    .any(|s| m.machine_set.as_deref() == Some(s.meta.name.as_str()))
        }) {
            b.machine(3, m, &workload_nodes);
        }
    }
    // Machines that belong to nothing above.
    let orphans: Vec<_> = machines
        .iter()
        .filter(|m| {
            !m.control_plane
                && !m
                    .deployment
                    .as_deref()
                    .is_some_and(|d| deployments.iter().any(|x| x.meta.name == d))
        })
        .collect();
    if !orphans.is_empty() {
        b.group(1, "Other machines");
        for m in orphans {
            b.machine(2, m, &workload_nodes);
        }
    }
    let mhcs: Vec<_> = src
        .objects(&MACHINE_HEALTH_CHECK)
        .filter_map(|o| match o {
            LiveObject::MachineHealthCheck(h) if h.cluster_name == name && in_ns(&h.meta) => {
                Some(h)
            }
            _ => None,
        })
        .collect();
    if !mhcs.is_empty() {
        b.group(1, "Health checks");
        for h in mhcs {
            let mut st = Status::from_conditions(
                None,
                &h.conditions,
                &h.legacy_conditions,
                None,
                "RemediationAllowed",
            );
            st.status = format!(
                "{}/{} healthy",
                h.healthy.unwrap_or(0),
                h.expected.unwrap_or(0)
            );
            b.push(
                2,
                &MACHINE_HEALTH_CHECK,
                ObjKey::new(ns, &h.meta.name),
                format!("MachineHealthCheck/{}", h.meta.name),
                st,
            );
        }
    }
    b.finish()
}

/// The Events about one object, newest first (from its own source).
pub fn events(live: &LiveState, obj: &ObjRef) -> Vec<EventRow> {
    let Some(src) = live.sources.get(&obj.source) else {
        return vec![];
    };
    let mut out: Vec<EventRow> = src
        .objects(&EVENT)
        .filter_map(|o| match o {
            LiveObject::Event(e)
                if e.involved.kind == obj.kind
                    && e.involved.name == obj.key.name
                    && (obj.key.namespace.is_none()
                        || e.involved.namespace == obj.key.namespace) =>
            {
                Some(EventRow {
                    type_: e.type_.clone(),
                    reason: e.reason.clone(),
                    message: e.message.clone(),
                    count: e.count,
                    last: e.last,
                    source: e.source.clone().unwrap_or_default(),
                })
            }
            _ => None,
        })
        .collect();
    out.sort_by_key(|e| std::cmp::Reverse(e.last));
    out
}

struct Status {
    ready: Option<CondStatus>,
    status: String,
    reason: String,
    message: String,
    since: Option<Time>,
    verdict: Verdict,
    broken: bool,
}

impl Status {
    fn from_conditions(
        phase: Option<String>,
        conditions: &[Condition],
        legacy: &[Condition],
        failure: Option<&str>,
        summary: &str,
    ) -> Status {
        let head = crate::model::condition(conditions, summary)
            .or_else(|| crate::model::condition(legacy, "Ready"))
            .or_else(|| crate::model::condition(legacy, summary));
        let problem = worst_condition(conditions, legacy);
        let ready = head.map(|c| c.status);
        let verdict = match (&ready, failure) {
            (_, Some(_)) => Verdict::Failed,
            (Some(CondStatus::True), _) => Verdict::Healthy,
            (Some(CondStatus::False), _) => Verdict::Degraded,
            _ => Verdict::Unknown,
        };
        let (reason, message, since) = match (failure, &problem) {
            (Some(f), _) => ("Failed".into(), f.to_string(), None),
            (None, Some(p)) if ready != Some(CondStatus::True) => {
                (p.reason.clone(), p.message.clone(), p.since)
            }
            _ => (String::new(), String::new(), head.and_then(|h| h.since)),
        };
        Status {
            ready,
            status: phase.unwrap_or_default(),
            reason,
            message,
            since,
            verdict,
            broken: false,
        }
    }

    fn ready_flag(ready: bool, status: Option<String>) -> Status {
        Status {
            ready: Some(if ready {
                CondStatus::True
            } else {
                CondStatus::False
            }),
            status: status.unwrap_or_default(),
            reason: String::new(),
            message: String::new(),
            since: None,
            verdict: if ready {
                Verdict::Healthy
            } else {
                Verdict::Degraded
            },
            broken: false,
        }
    }

    fn missing() -> Status {
        Status {
            ready: None,
            status: "not found".into(),
            reason: String::new(),
            message: String::new(),
            since: None,
            verdict: Verdict::Unknown,
            broken: false,
        }
    }

    fn broken(error: &str) -> Status {
        Status {
            ready: None,
            status: "malformed".into(),
            reason: "ParseError".into(),
            message: error.to_string(),
            since: None,
            verdict: Verdict::Unknown,
            broken: true,
        }
    }
}

struct Builder<'a> {
    rows: Vec<TreeRow>,
    source: &'a str,
}

impl Builder<'_> {
    fn push(&mut self, depth: u16, kind: &KindInfo, key: ObjKey, label: String, st: Status) {
        self.rows.push(TreeRow {
            depth,
            last: vec![],
            obj: ObjRef {
                source: self.source.to_string(),
                kind: kind.kind,
                key,
            },
            label,
            ready: st.ready,
            status: st.status,
            reason: st.reason,
            message: st.message,
            since: st.since,
            verdict: st.verdict,
            broken: st.broken,
        });
    }

    fn group(&mut self, depth: u16, label: &str) {
        self.rows.push(TreeRow {
            depth,
            last: vec![],
            obj: ObjRef {
                source: self.source.to_string(),
                kind: "",
                key: ObjKey::new(None, label),
            },
            label: label.to_string(),
            ready: None,
            status: String::new(),
            reason: String::new(),
            message: String::new(),
            since: None,
            verdict: Verdict::Healthy,
            broken: false,
        });
    }

    fn machine(
        &mut self,
        depth: u16,
        m: &crate::model::Machine,
        nodes: &HashMap<&str, &crate::model::Node>,
    ) {
        let mut st = Status::from_conditions(
            m.phase.clone(),
            &m.conditions,
            &m.legacy_conditions,
            m.failure_message.as_deref(),
            "Ready",
        );
        if m.phase.as_deref() != Some("Running") && st.verdict == Verdict::Unknown {
            st.verdict = Verdict::Progressing;
        }
        if let Some(t) = m.draining_since {
            st.reason = "Draining".into();
            st.since = Some(t);
        }
        let version = m
            .kubelet_version
            .as_deref()
            .or(m.version.as_deref())
            .unwrap_or("");
        if !version.is_empty() {
            st.status = format!("{} {version}", st.status).trim().to_string();
        }
        self.push(
            depth,
            &MACHINE,
            ObjKey::new(m.meta.namespace.as_deref(), &m.meta.name),
            format!("Machine/{}", m.meta.name),
            st,
        );
        if let Some(node) = &m.node_name {
            let (st, source) = match nodes.get(node.as_str()) {
                Some(n) => {
                    let ready = n.ready;
                    let verdict = match ready {
                        CondStatus::True => Verdict::Healthy,
                        CondStatus::False => Verdict::Failed,
                        CondStatus::Unknown => Verdict::Degraded,
                    };
                    let ok = ready == CondStatus::True;
                    (
                        Status {
                            ready: Some(ready),
                            status: n.talos_version.clone().unwrap_or_default(),
                            reason: if ok {
                                String::new()
                            } else {
                                n.ready_reason.clone()
                            },
                            message: if ok {
                                String::new()
                            } else {
                                n.ready_message.clone()
                            },
                            since: n.ready_since,
                            verdict,
                            broken: false,
                        },
                        m.cluster_name.clone(),
                    )
                }
                None => (
                    Status {
                        ready: None,
                        status: String::new(),
                        reason: String::new(),
                        message: String::new(),
                        since: None,
                        verdict: Verdict::Healthy,
                        broken: false,
                    },
                    m.cluster_name.clone(),
                ),
            };
            self.rows.push(TreeRow {
                depth: depth + 1,
                last: vec![],
                obj: ObjRef {
                    source,
                    kind: "Node",
                    key: ObjKey::new(None, node),
                },
                label: format!("Node/{node}"),
                ready: st.ready,
                status: st.status,
                reason: st.reason,
                message: st.message,
                since: st.since,
                verdict: st.verdict,
                broken: false,
            });
        }
    }

    /// Fills in which rows are the last child at each depth.
    fn finish(mut self) -> Vec<TreeRow> {
        let n = self.rows.len();
        for i in 0..n {
            let d = self.rows[i].depth as usize;
            let mut last = vec![false; d + 1];
            for (level, slot) in last.iter_mut().enumerate() {
                // The ancestor at `level` (or the row itself) is last if no later row at that
                // depth comes before a shallower one.
                let mut is_last = true;
                for r in &self.rows[i + 1..] {
                    if (r.depth as usize) < level {
                        break;
                    }
                    if r.depth as usize == level {
                        is_last = false;
                        break;
                    }
                }
                *slot = is_last;
            }
            self.rows[i].last = last;
        }
        self.rows
    }
}
