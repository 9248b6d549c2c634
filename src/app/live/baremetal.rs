//! Bare metal: Sidero Servers with their hardware and allocation, and ServerClasses.

use std::collections::HashMap;

use super::fleet::Verdict;
use super::{LiveState, ObjKey, SourceId, SourceStatus};
use crate::model::kinds::{KindInfo, MACHINE, METAL_MACHINE, SERVER, SERVER_CLASS};
use crate::model::{LiveObject, Power, ServerState, Time};

pub const KINDS: [KindInfo; 4] = [SERVER, SERVER_CLASS, METAL_MACHINE, MACHINE];

#[derive(Debug, Clone, PartialEq)]
pub struct ServerRow {
    pub source: SourceId,
    /// The server's UUID (its object name).
    pub name: String,
    pub hostname: String,
    pub state: Option<ServerState>,
    pub accepted: bool,
    pub allocated: bool,
    pub power: Option<Power>,
    pub clean: bool,
    pub ready: bool,
    pub cordoned: bool,
    pub cpu: String,
    pub memory: String,
    pub disks: String,
    pub classes: Vec<String>,
    /// The Machine it is allocated to, through its MetalMachine.
    pub machine: Option<ObjKey>,
    pub cluster: Option<String>,
    pub verdict: Verdict,
    pub stale_since: Option<Time>,
    pub broken: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassRow {
    pub source: SourceId,
    pub name: String,
    pub available: usize,
    pub in_use: usize,
    pub qualifiers: String,
}

pub const SORT_COLUMNS: [&str; 3] = ["state", "hostname", "class"];

pub fn rows(live: &LiveState, sort: usize, filter: &str) -> (Vec<ServerRow>, Vec<ClassRow>) {
    let mut servers = Vec::new();
    let mut classes = Vec::new();
    for src in live.roots() {
        let stale_since = match src.status() {
            SourceStatus::Stale { since, .. } => Some(since),
            _ => None,
        };
        let mut class_of: HashMap<&str, Vec<String>> = HashMap::new();
        for o in src.objects(&SERVER_CLASS) {
            let LiveObject::ServerClass(c) = o else {
                continue;
            };
            for s in c.available.iter().chain(&c.in_use) {
                class_of
                    .entry(s.as_str())
                    .or_default()
                    .push(c.meta.name.clone());
            }
            classes.push(ClassRow {
                source: src.id.clone(),
                name: c.meta.name.clone(),
                available: c.available.len(),
                in_use: c.in_use.len(),
                qualifiers: c.qualifiers.clone(),
            });
        }
        // Server UUID → (Machine, cluster) through MetalMachine.spec.serverRef and its owner.
        let mut machine_of: HashMap<&str, (ObjKey, String)> = HashMap::new();
        for o in src.objects(&METAL_MACHINE) {
            let LiveObject::MetalMachine(mm) = o else {
                continue;
            };
            if let Some(server) = &mm.server {
                let machine = mm
                    .meta
                    .owner
                    .as_ref()
                    .filter(|o| o.kind == "Machine")
                    .map(|o| ObjKey::new(mm.meta.namespace.as_deref(), &o.name))
                    .unwrap_or_else(|| ObjKey::new(mm.meta.namespace.as_deref(), &mm.meta.name));
                machine_of.insert(server.as_str(), (machine, mm.cluster_name.clone()));
            }
        }
        // Machines whose providerID names a server (when MetalMachines are not watched).
        for o in src.objects(&MACHINE) {
            let LiveObject::Machine(m) = o else { continue };
            if let Some(uuid) = m
                .provider_id
                .as_deref()
                .and_then(|p| p.strip_prefix("sidero://"))
            {
                machine_of.entry(uuid).or_insert_with(|| {
                    (
                        ObjKey::new(m.meta.namespace.as_deref(), &m.meta.name),
                        m.cluster_name.clone(),
                    )
                });
            }
        }
        for o in src.objects(&SERVER) {
            let LiveObject::Server(s) = o else { continue };
            let state = s.state();
            let verdict = match (state, s.power) {
                (ServerState::PendingAcceptance, _) => Verdict::Unknown,
                (ServerState::Inconsistent, _) => Verdict::Failed,
                (ServerState::Allocated, Power::Off) => Verdict::Failed,
                (_, Power::Unknown) => Verdict::Degraded,
                (ServerState::Wiping, _) => Verdict::Progressing,
                _ => Verdict::Healthy,
            };
            let cpu = match (&s.cpu_model, s.cores, s.threads) {
                (_, Some(c), Some(t)) => format!("{c}c/{t}t"),
                (_, Some(c), None) => format!("{c}c"),
                (Some(m), None, _) => m.clone(),
                _ => "-".into(),
            };
            let disk_total: u64 = s.disks.iter().filter_map(|d| d.size).sum();
            let disks = if s.disks.is_empty() {
                "-".into()
            } else {
                format!(
                    "{}× {}",
                    s.disks.len(),
                    super::nodes::bytes(disk_total).replace("i", "")
                )
            };
            let (machine, cluster) = match machine_of.get(s.meta.name.as_str()) {
                Some((m, c)) => (Some(m.clone()), Some(c.clone())),
                None => (None, None),
            };
            servers.push(ServerRow {
                source: src.id.clone(),
                name: s.meta.name.clone(),
                hostname: s.hostname.clone().unwrap_or_default(),
                state: Some(state),
                accepted: s.accepted,
                allocated: s.in_use,
                power: Some(s.power),
                clean: s.clean,
                ready: s.ready,
                cordoned: s.cordoned,
                cpu,
                memory: s
                    .memory_bytes
                    .map(super::nodes::bytes)
                    .or_else(|| s.memory.clone())
                    .unwrap_or_else(|| "-".into()),
                disks,
                classes: class_of
                    .get(s.meta.name.as_str())
                    .cloned()
                    .unwrap_or_default(),
                machine,
                cluster,
                verdict,
                stale_since,
                broken: None,
            });
        }
        for (key, error) in src.broken(&SERVER) {
            servers.push(ServerRow {
                source: src.id.clone(),
                name: key.name.clone(),
                hostname: String::new(),
                state: None,
                accepted: false,
                allocated: false,
                power: None,
                clean: false,
                ready: false,
                cordoned: false,
                cpu: String::new(),
                memory: String::new(),
                disks: String::new(),
                classes: vec![],
                machine: None,
                cluster: None,
                verdict: Verdict::Unknown,
                stale_since,
                broken: Some(error.to_string()),
            });
        }
    }
    if !filter.is_empty() {
        let f = filter.to_lowercase();
        servers.retain(|r| {
            r.name.to_lowercase().contains(&f)
                || r.hostname.to_lowercase().contains(&f)
                || r.classes.iter().any(|c| c.contains(&f))
                || r.cluster.as_deref().is_some_and(|c| c.contains(&f))
                || state_label(r.state).to_lowercase().contains(&f)
        });
    }
    let key = |a: &ServerRow, b: &ServerRow| (&a.hostname, &a.name).cmp(&(&b.hostname, &b.name));
    match SORT_COLUMNS.get(sort).copied().unwrap_or("state") {
        "hostname" => servers.sort_by(key),
        "class" => servers.sort_by(|a, b| a.classes.cmp(&b.classes).then(key(a, b))),
        _ => servers.sort_by(|a, b| b.verdict.cmp(&a.verdict).then(key(a, b))),
    }
    classes.sort_by(|a, b| a.name.cmp(&b.name));
    (servers, classes)
}

pub fn state_label(s: Option<ServerState>) -> &'static str {
    match s {
        Some(ServerState::PendingAcceptance) => "pending acceptance",
        Some(ServerState::Allocated) => "allocated",
        Some(ServerState::Available) => "available",
        Some(ServerState::Wiping) => "wiping",
        Some(ServerState::Inconsistent) => "inconsistent",
        None => "malformed",
    }
}

pub fn power_label(p: Option<Power>) -> &'static str {
    match p {
        Some(Power::On) => "on",
        Some(Power::Off) => "off",
        Some(Power::Unknown) | None => "unknown",
    }
}
