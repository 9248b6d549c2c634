//! The fleet: one row per Cluster API cluster across the management clusters, with a verdict.

use std::collections::{BTreeSet, HashMap};

use super::{LiveState, ObjKey, SourceId, SourceStatus};
use crate::model::kinds::{CLUSTER, MACHINE, MACHINE_DEPLOYMENT, TALOS_CONTROL_PLANE};
use crate::model::{CondStatus, Condition, LiveObject, Severity, Time, talos_version};

/// The kinds the fleet view needs on the management clusters.
pub const KINDS: [crate::model::kinds::KindInfo; 4] =
    [CLUSTER, MACHINE, MACHINE_DEPLOYMENT, TALOS_CONTROL_PLANE];

/// How a cluster (or any object) is doing, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    Healthy,
    /// Being created, scaled or upgraded: not a problem yet.
    Progressing,
    Unknown,
    Degraded,
    Failed,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Healthy => "healthy",
            Verdict::Progressing => "progressing",
            Verdict::Unknown => "unknown",
            Verdict::Degraded => "degraded",
            Verdict::Failed => "failed",
        }
    }

    /// A symbol so colour is never the only signal.
    pub fn symbol(self) -> &'static str {
        match self {
            Verdict::Healthy => "●",
            Verdict::Progressing => "◐",
            Verdict::Unknown => "?",
            Verdict::Degraded => "▲",
            Verdict::Failed => "✖",
        }
    }
}

/// Ready out of desired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    pub ready: i32,
    pub desired: i32,
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.ready, self.desired)
    }
}

/// A condition worth showing: what is wrong, why, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problem {
    pub type_: String,
    pub reason: String,
    pub message: String,
    pub since: Option<Time>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FleetRow {
    pub source: SourceId,
    pub key: ObjKey,
    pub phase: String,
    pub control_plane: Count,
    pub workers: Count,
    pub kubernetes: String,
    pub talos: String,
    pub created: Option<Time>,
    pub problem: Option<Problem>,
    pub verdict: Verdict,
    pub paused: bool,
    /// The source's data is stale since this time.
    pub stale_since: Option<Time>,
    /// The Cluster object itself is malformed.
    pub broken: Option<String>,
}

/// Columns the fleet can be sorted by.
pub const SORT_COLUMNS: [&str; 5] = ["verdict", "name", "age", "kubernetes", "talos"];

/// Derives the fleet rows, sorted by `sort` (an index into `SORT_COLUMNS`).
pub fn rows(live: &LiveState, sort: usize, filter: &str) -> Vec<FleetRow> {
    let mut out = Vec::new();
    for src in live.roots() {
        let stale_since = match src.status() {
            SourceStatus::Stale { since, .. } => Some(since),
            _ => None,
        };
        // Group machines, deployments and control planes by cluster once.
        let mut machines: HashMap<&str, Vec<&crate::model::Machine>> = HashMap::new();
        for o in src.objects(&MACHINE) {
            if let LiveObject::Machine(m) = o {
                machines.entry(m.cluster_name.as_str()).or_default().push(m);
            }
        }
        let mut deployments: HashMap<&str, Vec<&crate::model::MachineDeployment>> = HashMap::new();
        for o in src.objects(&MACHINE_DEPLOYMENT) {
            if let LiveObject::MachineDeployment(d) = o {
                deployments
                    .entry(d.cluster_name.as_str())
                    .or_default()
                    .push(d);
            }
        }
        let mut tcps: HashMap<(Option<&str>, &str), &crate::model::TalosControlPlane> =
            HashMap::new();
        for o in src.objects(&TALOS_CONTROL_PLANE) {
            if let LiveObject::TalosControlPlane(t) = o {
                tcps.insert((t.meta.namespace.as_deref(), t.meta.name.as_str()), t);
            }
        }
        for o in src.objects(&CLUSTER) {
            let LiveObject::Cluster(c) = o else { continue };
            let ms = machines
                .get(c.meta.name.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let mds = deployments
                .get(c.meta.name.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let tcp = c
                .control_plane_ref
                .as_ref()
                .filter(|r| r.kind == "TalosControlPlane")
                .and_then(|r| tcps.get(&(c.meta.namespace.as_deref(), r.name.as_str())))
                .copied();
            out.push(cluster_row(&src.id, c, ms, mds, tcp, stale_since));
        }
        for (key, error) in src.broken(&CLUSTER) {
            out.push(FleetRow {
                source: src.id.clone(),
                key: key.clone(),
                phase: "?".into(),
                control_plane: Count::default(),
                workers: Count::default(),
                kubernetes: String::new(),
                talos: String::new(),
                created: None,
                problem: Some(Problem {
                    type_: "Malformed".into(),
                    reason: "ParseError".into(),
                    message: error.to_string(),
                    since: None,
                }),
                verdict: Verdict::Unknown,
                paused: false,
                stale_since,
                broken: Some(error.to_string()),
            });
        }
    }
    if !filter.is_empty() {
        let f = filter.to_lowercase();
        out.retain(|r| {
            r.key.to_string().to_lowercase().contains(&f)
                || r.verdict.label().contains(&f)
                || r.phase.to_lowercase().contains(&f)
                || r.source.to_lowercase().contains(&f)
        });
    }
    sort_rows(&mut out, sort);
    out
}

fn sort_rows(rows: &mut [FleetRow], sort: usize) {
    let name = |a: &FleetRow, b: &FleetRow| {
        (&a.key.name, &a.key.namespace, &a.source).cmp(&(&b.key.name, &b.key.namespace, &b.source))
    };
    match SORT_COLUMNS.get(sort).copied().unwrap_or("verdict") {
        "name" => rows.sort_by(name),
        "age" => rows.sort_by(|a, b| a.created.cmp(&b.created).then(name(a, b))),
        "kubernetes" => rows.sort_by_cached_key(|r| (version_key(&r.kubernetes), r.key.clone())),
        "talos" => rows.sort_by_cached_key(|r| (version_key(&r.talos), r.key.clone())),
        // Worst first, stale ones count as worse.
        _ => rows.sort_by(|a, b| {
            (b.verdict, b.stale_since.is_some())
                .cmp(&(a.verdict, a.stale_since.is_some()))
                .then(name(a, b))
        }),
    }
}

/// `v1.33.10` sorts after `v1.33.9`.
fn version_key(v: &str) -> Vec<u64> {
    v.trim_start_matches('v')
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn cluster_row(
    source: &str,
    c: &crate::model::Cluster,
    machines: &[&crate::model::Machine],
    deployments: &[&crate::model::MachineDeployment],
    tcp: Option<&crate::model::TalosControlPlane>,
    stale_since: Option<Time>,
) -> FleetRow {
    // Counts: the Cluster's own v1beta2 counters when present, else the control plane object and
    // the MachineDeployments (clusters stored by older Cluster API).
    let control_plane = match (&c.control_plane, tcp) {
        (Some(r), _) if r.desired.is_some() => Count {
            ready: r.ready.unwrap_or(0),
            desired: r.desired.unwrap_or(0),
        },
        (_, Some(t)) => Count {
            ready: t.replicas.ready.unwrap_or(0),
            desired: t.replicas.desired.unwrap_or(0),
        },
        _ => machine_count(machines.iter().filter(|m| m.control_plane)),
    };
    let workers = match &c.workers {
        Some(r) if r.desired.is_some() => Count {
            ready: r.ready.unwrap_or(0),
            desired: r.desired.unwrap_or(0),
        },
        _ if !deployments.is_empty() => Count {
            ready: deployments
                .iter()
                .map(|d| d.replicas.ready.unwrap_or(0))
                .sum(),
            desired: deployments
                .iter()
                .map(|d| d.replicas.desired.unwrap_or(0))
                .sum(),
        },
        _ => machine_count(machines.iter().filter(|m| !m.control_plane)),
    };
    let kubernetes = versions(
        machines.iter().filter_map(|m| m.kubelet_version.clone()),
        tcp.and_then(|t| t.version.clone())
            .or_else(|| c.version.clone()),
    );
    let talos = versions(
        machines
            .iter()
            .filter_map(|m| m.os_image.as_deref().and_then(talos_version)),
        None,
    );
    let mut problem = worst_condition(&c.conditions, &c.legacy_conditions);
    let phase = c.phase.clone().unwrap_or_else(|| "Pending".into());
    let mut verdict = cluster_verdict(c, control_plane, workers, problem.as_ref());
    // The cluster's own status lags its machines: a failed or not-ready machine degrades it.
    if let Some(m) = machines.iter().find(|m| {
        m.failure_message.is_some()
            || m.phase.as_deref() == Some("Failed")
            || crate::model::condition(&m.conditions, "Ready")
                .is_some_and(|r| r.status == CondStatus::False)
    }) {
        if verdict < Verdict::Degraded {
            verdict = Verdict::Degraded;
        }
        if problem.is_none() || verdict == Verdict::Degraded {
            let why = worst_condition(&m.conditions, &m.legacy_conditions);
            problem = Some(Problem {
                type_: format!("Machine/{}", m.meta.name),
                reason: why
                    .as_ref()
                    .map(|w| w.reason.clone())
                    .filter(|r| !r.is_empty())
                    .or_else(|| m.phase.clone())
                    .unwrap_or_default(),
                message: m
                    .failure_message
                    .clone()
                    .or_else(|| why.map(|w| w.message))
                    .unwrap_or_default(),
                since: None,
            });
        }
    }
    FleetRow {
        source: source.to_string(),
        key: ObjKey::new(c.meta.namespace.as_deref(), &c.meta.name),
        phase,
        control_plane,
        workers,
        kubernetes,
        talos,
        created: c.meta.created,
        problem,
        verdict,
        paused: c.paused,
        stale_since,
        broken: None,
    }
}

fn machine_count<'a>(ms: impl Iterator<Item = &'a &'a crate::model::Machine>) -> Count {
    let mut c = Count::default();
    for m in ms {
        c.desired += 1;
        if m.phase.as_deref() == Some("Running")
            && crate::model::condition(&m.conditions, "Ready")
                .is_none_or(|r| r.status == CondStatus::True)
        {
            c.ready += 1;
        }
    }
    c
}

/// One version, or `min→max` while versions are mixed (an upgrade rolling); the desired version
/// when nothing runs yet.
fn versions(actual: impl Iterator<Item = String>, desired: Option<String>) -> String {
    let set: BTreeSet<String> = actual.collect();
    let mut v: Vec<&String> = set.iter().collect();
    v.sort_by_key(|s| version_key(s));
    match v.as_slice() {
        [] => desired.unwrap_or_default(),
        [one] => one.to_string(),
        [first, .., last] => format!("{first}→{last}"),
    }
}

/// Condition types whose True means trouble or activity rather than health.
const NEGATIVE: [&str; 8] = [
    "Deleting",
    "Paused",
    "Remediating",
    "RollingOut",
    "ScalingUp",
    "ScalingDown",
    "Updating",
    "Stalled",
];

/// The most telling condition that is not fine: False positives (Ready, Available…) with the
/// summary types first, then v1beta1-style ones by severity.
pub fn worst_condition(conditions: &[Condition], legacy: &[Condition]) -> Option<Problem> {
    let bad = |c: &&Condition| {
        let negative = NEGATIVE.contains(&c.type_.as_str());
        match c.status {
            CondStatus::True => false,
            CondStatus::False => !negative,
            CondStatus::Unknown => !negative,
        }
    };
    let rank = |c: &Condition| match c.type_.as_str() {
        "Available" => 0,
        "Ready" => 1,
        _ => match c.severity {
            Some(Severity::Error) => 2,
            Some(Severity::Warning) => 3,
            _ => 4,
        },
    };
    let pick = |list: &[Condition]| {
        list.iter()
            .filter(bad)
            .min_by_key(|c| rank(c))
            .map(|c| Problem {
                type_: c.type_.clone(),
                reason: c.reason.clone(),
                message: c.message.clone(),
                since: c.since,
            })
    };
    pick(conditions).or_else(|| pick(legacy))
}

fn cluster_verdict(
    c: &crate::model::Cluster,
    cp: Count,
    workers: Count,
    problem: Option<&Problem>,
) -> Verdict {
    if c.failure_message.is_some() || c.phase.as_deref() == Some("Failed") {
        return Verdict::Failed;
    }
    if matches!(
        c.phase.as_deref(),
        Some("Pending") | Some("Provisioning") | None
    ) {
        return Verdict::Progressing;
    }
    if c.phase.as_deref() == Some("Deleting") {
        return Verdict::Progressing;
    }
    let available = crate::model::condition(&c.conditions, "Available")
        .or_else(|| crate::model::condition(&c.legacy_conditions, "Ready"));
    let rolling = crate::model::condition(&c.conditions, "RollingOut")
        .or_else(|| crate::model::condition(&c.conditions, "ScalingUp"))
        .is_some_and(|r| r.status == CondStatus::True);
    if cp.desired > 0 && cp.ready == 0 {
        return Verdict::Failed;
    }
    match available.map(|a| a.status) {
        Some(CondStatus::False) if rolling => Verdict::Progressing,
        Some(CondStatus::False) => Verdict::Degraded,
        Some(CondStatus::Unknown) => Verdict::Unknown,
        _ if cp.ready < cp.desired || workers.ready < workers.desired => {
            if rolling {
                Verdict::Progressing
            } else {
                Verdict::Degraded
            }
        }
        None if problem.is_some() => Verdict::Degraded,
        None => Verdict::Unknown,
        Some(CondStatus::True) => Verdict::Healthy,
    }
}
