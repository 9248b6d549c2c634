//! Nodes of every connected cluster, joined to their Machine and (on bare metal) Sidero Server.

use std::collections::HashMap;

use super::fleet::Verdict;
use super::{LiveState, ObjKey, SourceId, SourceStatus};
use crate::model::kinds::{KindInfo, MACHINE, NODE, SERVER};
use crate::model::{CondStatus, LiveObject, Resources, Time};

/// On the roots: Machines and Servers for the join; Nodes everywhere.
pub const ROOT_KINDS: [KindInfo; 3] = [NODE, MACHINE, SERVER];
pub const WORKLOAD_KINDS: [KindInfo; 1] = [NODE];

#[derive(Debug, Clone, PartialEq)]
pub struct NodeRow {
    /// The cluster the Node lives in (a source id).
    pub cluster: SourceId,
    pub name: String,
    pub ready: CondStatus,
    pub ready_since: Option<Time>,
    pub reason: String,
    pub message: String,
    pub roles: String,
    pub internal_ip: String,
    pub kubelet: String,
    pub talos: String,
    pub capacity: Resources,
    pub allocatable: Resources,
    pub pressure: Vec<String>,
    pub taints: Vec<String>,
    pub cordoned: bool,
    /// `namespace/name` of the Machine whose nodeRef names this Node.
    pub machine: Option<ObjKey>,
    /// The Sidero Server (UUID) and its hostname.
    pub server: Option<(String, Option<String>)>,
    pub verdict: Verdict,
    pub stale_since: Option<Time>,
    pub broken: Option<String>,
}

pub const SORT_COLUMNS: [&str; 4] = ["verdict", "cluster", "name", "kubelet"];

/// Patches the rows of the given Nodes in place (rebuilt, removed or added) and sorts again:
/// under churn only a few Nodes change per frame, and the full derive of 10,000 rows costs
/// milliseconds. Falls back to nothing (returns false) when a filter is active.
pub fn patch(
    live: &LiveState,
    rows: &mut Vec<NodeRow>,
    changed: &[(&SourceId, &ObjKey)],
    sort: usize,
    filter: &str,
) -> bool {
    if !filter.is_empty() {
        return false;
    }
    for (source, key) in changed {
        let old = rows
            .iter()
            .position(|r| r.name == key.name && r.cluster == **source)
            .map(|i| rows.remove(i));
        let Some(src) = live.sources.get(*source) else {
            continue;
        };
        let Some(super::Entry::Ok(LiveObject::Node(n))) =
            src.store(&NODE).and_then(|s| s.objects.get(*key))
        else {
            continue;
        };
        // A Node's change does not move it to another Machine or Server: keep the old row's
        // join (scanning 10,000 Machines per change is what made churn expensive).
        let (machine, server) = match old {
            Some(o) if o.server.as_ref().map(|s| &s.0) == n.sidero_uuid.as_ref() => {
                (o.machine, o.server)
            }
            _ => {
                let machine = live.all(true, &MACHINE).find_map(|(_, o)| match o {
                    LiveObject::Machine(m)
                        if m.cluster_name == src.id
                            && m.node_name.as_deref() == Some(&n.meta.name) =>
                    {
                        Some(ObjKey::new(m.meta.namespace.as_deref(), &m.meta.name))
                    }
                    _ => None,
                });
                let server = n.sidero_uuid.as_deref().map(|u| {
                    let host = live.all(true, &SERVER).find_map(|(_, o)| match o {
                        LiveObject::Server(s) if s.meta.name == u => Some(s.hostname.clone()),
                        _ => None,
                    });
                    (u.to_string(), host.flatten())
                });
                (machine, server)
            }
        };
        let row = node_row(src, n, machine, server);
        // Into its sorted place: a binary search, not a sort of 10,000 rows.
        let at = rows.partition_point(|r| compare(r, &row, sort) == std::cmp::Ordering::Less);
        rows.insert(at, row);
    }
    true
}

pub fn rows(live: &LiveState, sort: usize, filter: &str) -> Vec<NodeRow> {
    // Machines by (cluster name, node name); servers by UUID, from every root. References
    // only: a row clones what it shows.
    let mut machines: HashMap<(&str, &str), &crate::model::Machine> = HashMap::new();
    let mut servers: HashMap<&str, &Option<String>> = HashMap::new();
    for (_, o) in live.all(true, &MACHINE) {
        if let LiveObject::Machine(m) = o
            && let Some(node) = &m.node_name
        {
            machines.insert((m.cluster_name.as_str(), node.as_str()), m);
        }
    }
    for (_, o) in live.all(true, &SERVER) {
        if let LiveObject::Server(s) = o {
            servers.insert(s.meta.name.as_str(), &s.hostname);
        }
    }
    // Sized up front: 10,000 rows grown by doubling would hold room for 16,384.
    let count = live
        .sources
        .values()
        .filter_map(|src| src.store(&NODE))
        .map(|s| s.objects.len())
        .sum();
    let mut out = Vec::with_capacity(count);
    for src in live.sources.values() {
        let stale_since = match src.status() {
            SourceStatus::Stale { since, .. } => Some(since),
            _ => None,
        };
        for o in src.objects(&NODE) {
            let LiveObject::Node(n) = o else { continue };
            let machine = machines
                .get(&(src.id.as_str(), n.meta.name.as_str()))
                .map(|m| ObjKey::new(m.meta.namespace.as_deref(), &m.meta.name));
            let server = n
                .sidero_uuid
                .as_deref()
                .map(|u| (u.to_string(), servers.get(u).and_then(|h| (*h).clone())));
            out.push(node_row(src, n, machine, server));
        }
        for (key, error) in src.broken(&NODE) {
            out.push(NodeRow {
                cluster: src.id.clone(),
                name: key.name.clone(),
                ready: CondStatus::Unknown,
                ready_since: None,
                reason: "Malformed".into(),
                message: error.to_string(),
                roles: String::new(),
                internal_ip: String::new(),
                kubelet: String::new(),
                talos: String::new(),
                capacity: Resources::default(),
                allocatable: Resources::default(),
                pressure: vec![],
                taints: vec![],
                cordoned: false,
                machine: None,
                server: None,
                verdict: Verdict::Unknown,
                stale_since,
                broken: Some(error.to_string()),
            });
        }
    }
    if !filter.is_empty() {
        let f = filter.to_lowercase();
        out.retain(|r| {
            r.name.to_lowercase().contains(&f)
                || r.cluster.to_lowercase().contains(&f)
                || r.roles.contains(&f)
                || r.internal_ip.contains(&f)
                || r.verdict.label().contains(&f)
        });
    }
    sort_rows(&mut out, sort);
    out
}

fn sort_rows(out: &mut [NodeRow], sort: usize) {
    // `compare` is a total order (cluster and name are unique), so an unstable sort gives the
    // same result without a stable sort's scratch copy of half the rows.
    out.sort_unstable_by(|a, b| compare(a, b, sort));
}

/// The order of the rows for a sort column. Borrows: no allocation per comparison.
fn compare(a: &NodeRow, b: &NodeRow, sort: usize) -> std::cmp::Ordering {
    let name = || a.cluster.cmp(&b.cluster).then(a.name.cmp(&b.name));
    match SORT_COLUMNS.get(sort).copied().unwrap_or("verdict") {
        "cluster" => name(),
        "name" => a.name.cmp(&b.name).then(a.cluster.cmp(&b.cluster)),
        "kubelet" => a.kubelet.cmp(&b.kubelet).then_with(name),
        _ => b.verdict.cmp(&a.verdict).then_with(name),
    }
}

fn node_row(
    src: &super::Source,
    n: &crate::model::Node,
    machine: Option<ObjKey>,
    server: Option<(String, Option<String>)>,
) -> NodeRow {
    let stale_since = match src.status() {
        SourceStatus::Stale { since, .. } => Some(since),
        _ => None,
    };
    let verdict = match n.ready {
        CondStatus::True if n.pressure.is_empty() => Verdict::Healthy,
        CondStatus::True => Verdict::Degraded,
        CondStatus::False => Verdict::Failed,
        CondStatus::Unknown => Verdict::Degraded,
    };
    NodeRow {
        cluster: src.id.clone(),
        name: n.meta.name.clone(),
        ready: n.ready,
        ready_since: n.ready_since,
        reason: n.ready_reason.clone(),
        message: n.ready_message.clone(),
        roles: if n.roles.is_empty() {
            "<none>".into()
        } else {
            n.roles.join(",")
        },
        internal_ip: n
            .addresses
            .iter()
            .find(|a| a.type_ == "InternalIP")
            .map(|a| a.address.clone())
            .unwrap_or_default(),
        kubelet: n.kubelet_version.clone().unwrap_or_default(),
        talos: n.talos_version.clone().unwrap_or_default(),
        capacity: n.capacity,
        allocatable: n.allocatable,
        pressure: n.pressure.clone(),
        taints: n
            .taints
            .iter()
            .map(|t| match &t.value {
                Some(v) => format!("{}={v}:{}", t.key, t.effect),
                None => format!("{}:{}", t.key, t.effect),
            })
            .collect(),
        cordoned: n.unschedulable,
        machine,
        server,
        verdict,
        stale_since,
        broken: None,
    }
}

/// `3.5` cores, `15.6Gi`.
pub fn cpu(r: &Resources) -> String {
    match r.cpu_millis {
        Some(m) if m % 1000 == 0 => format!("{}", m / 1000),
        Some(m) => format!("{:.1}", m as f64 / 1000.0),
        None => "-".into(),
    }
}

pub fn memory(r: &Resources) -> String {
    r.memory_bytes.map(bytes).unwrap_or_else(|| "-".into())
}

/// Binary units: `512Mi`, `15.6Gi`, `2.0Ti`.
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["", "Ki", "Mi", "Gi", "Ti"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 || v >= 100.0 || v.fract() == 0.0 {
        format!("{:.0}{}", v, UNITS[u])
    } else {
        format!("{:.1}{}", v, UNITS[u])
    }
}
