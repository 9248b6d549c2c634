//! Storage per site: Rook-Ceph clusters and their pools, Mayastor DiskPools, volumes and claims
//! (with the claims stuck Pending and why), and MinIO with the K10 profile that points at it.

use std::collections::BTreeMap;

use super::fleet::Verdict;
use super::{LiveState, ObjKey, Source, SourceId, SourceStatus};
use crate::model::kinds::{
    CEPH_BLOCK_POOL, CEPH_CLUSTER, CEPH_FILESYSTEM, CEPH_OBJECT_STORE, DISK_POOL, EVENT,
    K10_PROFILE, KindInfo, PERSISTENT_VOLUME, PERSISTENT_VOLUME_CLAIM, STATEFUL_SET,
};
use crate::model::{LiveObject, Time};

/// What the storage view watches, on every site (management and workload clusters).
pub const KINDS: [KindInfo; 10] = [
    CEPH_CLUSTER,
    CEPH_BLOCK_POOL,
    CEPH_FILESYSTEM,
    CEPH_OBJECT_STORE,
    DISK_POOL,
    PERSISTENT_VOLUME,
    PERSISTENT_VOLUME_CLAIM,
    STATEFUL_SET,
    K10_PROFILE,
    EVENT,
];

/// When used capacity stands out, in percent (config `[storage]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub warn: u8,
    pub critical: u8,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            warn: 75,
            critical: 85,
        }
    }
}

impl Thresholds {
    /// The verdict for a used share (0.0–1.0): degraded from `warn`, failed from `critical`.
    pub fn verdict(&self, ratio: f64) -> Verdict {
        let pct = ratio * 100.0;
        if pct >= self.critical as f64 {
            Verdict::Failed
        } else if pct >= self.warn as f64 {
            Verdict::Degraded
        } else {
            Verdict::Healthy
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StorageRow {
    pub site: SourceId,
    /// `CephCluster`, `CephBlockPool`, `DiskPool`, `Volumes`, `PersistentVolumeClaim`, `MinIO`.
    pub kind: &'static str,
    /// The object (for the jump to its file); empty for the volume summary.
    pub key: ObjKey,
    pub name: String,
    /// HEALTH_WARN, Online, `12 bound · 1 pending`, `ready 4/4`.
    pub state: String,
    pub used: Option<u64>,
    pub total: Option<u64>,
    /// Health checks, errors, disks, classes: what to read next.
    pub detail: String,
    pub since: Option<Time>,
    pub verdict: Verdict,
    pub stale_since: Option<Time>,
    pub broken: Option<String>,
}

impl StorageRow {
    pub fn ratio(&self) -> Option<f64> {
        match (self.used, self.total) {
            (Some(u), Some(t)) if t > 0 => Some(u as f64 / t as f64),
            _ => None,
        }
    }
}

pub fn stale_since(src: &Source) -> Option<Time> {
    match src.status() {
        SourceStatus::Stale { since, .. } => Some(since),
        _ => None,
    }
}

/// Every storage row of every site, worst first within the order sites, kinds, names.
pub fn rows(live: &LiveState, t: Thresholds, filter: &str) -> Vec<StorageRow> {
    let mut out = Vec::new();
    for src in live.sources.values() {
        site_rows(src, t, &mut out);
    }
    if !filter.is_empty() {
        let f = filter.to_lowercase();
        out.retain(|r| {
            r.site.to_lowercase().contains(&f)
                || r.name.to_lowercase().contains(&f)
                || r.kind.to_lowercase().contains(&f)
                || r.state.to_lowercase().contains(&f)
                || r.verdict.label().contains(&f)
        });
    }
    out.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then(a.site.cmp(&b.site))
            .then(rank(a.kind).cmp(&rank(b.kind)))
            .then(a.name.cmp(&b.name))
    });
    out
}

fn rank(kind: &str) -> usize {
    [
        "CephCluster",
        "CephBlockPool",
        "CephFilesystem",
        "CephObjectStore",
        "DiskPool",
        "MinIO",
        "Volumes",
        "PersistentVolumeClaim",
    ]
    .iter()
    .position(|k| *k == kind)
    .unwrap_or(99)
}

fn row(src: &Source, kind: &'static str, key: ObjKey, name: String) -> StorageRow {
    StorageRow {
        site: src.id.clone(),
        kind,
        key,
        name,
        state: String::new(),
        used: None,
        total: None,
        detail: String::new(),
        since: None,
        verdict: Verdict::Unknown,
        stale_since: stale_since(src),
        broken: None,
    }
}

fn key_of(o: &LiveObject) -> ObjKey {
    ObjKey::new(o.meta().namespace.as_deref(), &o.meta().name)
}

/// The rows of one site.
pub fn site_rows(src: &Source, t: Thresholds, out: &mut Vec<StorageRow>) {
    for kind in [
        CEPH_CLUSTER,
        CEPH_BLOCK_POOL,
        CEPH_FILESYSTEM,
        CEPH_OBJECT_STORE,
        DISK_POOL,
        PERSISTENT_VOLUME_CLAIM,
        PERSISTENT_VOLUME,
    ] {
        for (key, error) in src.broken(&kind) {
            let mut r = row(src, kind.kind, key.clone(), key.name.clone());
            r.state = "malformed".into();
            r.detail = error.to_string();
            r.verdict = Verdict::Failed;
            r.broken = Some(error.to_string());
            out.push(r);
        }
    }
    for o in src.objects(&CEPH_CLUSTER) {
        let LiveObject::CephCluster(c) = o else {
            continue;
        };
        let mut r = row(src, "CephCluster", key_of(o), c.meta.name.clone());
        r.state = c
            .health
            .clone()
            .or_else(|| c.phase.clone())
            .unwrap_or_else(|| "no status".into());
        r.used = c.bytes_used;
        r.total = c.bytes_total;
        let mut verdict = match (c.health.as_deref(), c.phase.as_deref()) {
            (Some("HEALTH_ERR"), _) | (_, Some("Failure")) => Verdict::Failed,
            (Some("HEALTH_WARN"), _) => Verdict::Degraded,
            (Some("HEALTH_OK"), _) => Verdict::Healthy,
            (_, Some("Progressing" | "Connecting")) => Verdict::Progressing,
            _ => Verdict::Unknown,
        };
        if let Some(ratio) = c.used_ratio() {
            verdict = verdict.max(t.verdict(ratio));
        }
        r.verdict = verdict;
        let mut detail: Vec<String> = c
            .checks
            .iter()
            .map(|h| format!("{}: {}", h.code, h.message))
            .collect();
        if detail.is_empty() {
            detail.extend(c.message.clone());
        }
        let mut facts = Vec::new();
        match (&c.phase, &c.state) {
            (Some(p), Some(st)) if p != st => facts.push(format!("{p}/{st}")),
            (Some(p), _) | (None, Some(p)) => facts.push(p.clone()),
            _ => {}
        }
        if let Some(v) = &c.version {
            facts.push(format!(
                "ceph {v}{}",
                if c.mixed_versions { " (mixed)" } else { "" }
            ));
        }
        match (c.mons, c.mon_count) {
            (Some(m), Some(want)) => facts.push(format!("mon {m}/{want}")),
            (Some(m), None) => facts.push(format!("mon {m}")),
            _ => {}
        }
        if let Some(o) = c.osds {
            facts.push(format!("osd {o}"));
        }
        if !facts.is_empty() {
            detail.push(facts.join(" "));
        }
        r.detail = detail.join("; ");
        r.since = c.last_checked;
        out.push(r);
    }
    for kind in [CEPH_BLOCK_POOL, CEPH_FILESYSTEM, CEPH_OBJECT_STORE] {
        for o in src.objects(&kind) {
            let LiveObject::CephPool(p) = o else { continue };
            let mut r = row(src, kind.kind, key_of(o), p.meta.name.clone());
            r.state = p.phase.clone().unwrap_or_else(|| "no status".into());
            r.verdict = match p.phase.as_deref() {
                Some("Ready") => Verdict::Healthy,
                Some("Progressing") => Verdict::Progressing,
                Some("Failure") => Verdict::Failed,
                Some("Deleting") => Verdict::Degraded,
                _ => Verdict::Unknown,
            };
            if let Some(m) = p.mirroring.as_deref().filter(|m| *m != "OK") {
                r.verdict = r.verdict.max(Verdict::Degraded);
                r.detail = format!("mirroring {m}");
            }
            let parts: Vec<String> = [p.layout.clone(), p.message.clone()]
                .into_iter()
                .flatten()
                .chain((!r.detail.is_empty()).then(|| r.detail.clone()))
                .collect();
            r.detail = parts.join("; ");
            r.since = p.conditions.iter().filter_map(|c| c.since).max();
            out.push(r);
        }
    }
    for o in src.objects(&DISK_POOL) {
        let LiveObject::DiskPool(p) = o else { continue };
        let mut r = row(src, "DiskPool", key_of(o), p.meta.name.clone());
        r.state = p.status.clone().unwrap_or_else(|| {
            p.cr_state
                .clone()
                .unwrap_or_else(|| "no status".to_string())
        });
        r.used = p.used;
        r.total = p.capacity;
        r.verdict = match p.status.as_deref() {
            Some("Online") => p
                .used_ratio()
                .map(|x| t.verdict(x))
                .unwrap_or(Verdict::Healthy),
            Some("Degraded" | "Suspected") => Verdict::Degraded,
            Some("Faulted" | "Offline") => Verdict::Failed,
            None if p.cr_state.as_deref() == Some("Creating") => Verdict::Progressing,
            _ => Verdict::Unknown,
        };
        let mut detail = vec![format!("node {}", p.node)];
        detail.extend(p.error.clone());
        detail.extend(p.alert.clone().filter(|a| a != "Healthy"));
        detail.push(p.disks.join(", "));
        r.detail = detail.join("; ");
        r.since = p.conditions.iter().filter_map(|c| c.since).max();
        out.push(r);
    }
    volumes(src, out);
    minio(src, out);
}

/// `11 bound · 1 pending`, leaving out zeros (but never empty).
pub fn count_text(items: &[(usize, &str)]) -> String {
    let parts: Vec<String> = items
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
    if parts.is_empty() {
        format!("0 {}", items.first().map(|i| i.1).unwrap_or(""))
    } else {
        parts.join(" · ")
    }
}

/// The volume summary of a site (bound/pending/lost counts, capacity by class) and a row per
/// claim stuck Pending, with the newest Event about it.
fn volumes(src: &Source, out: &mut Vec<StorageRow>) {
    let (mut bound, mut pending, mut lost) = (0, 0, 0);
    let mut by_class: BTreeMap<String, u64> = BTreeMap::new();
    let mut any = false;
    let mut total = 0u64;
    for o in src.objects(&PERSISTENT_VOLUME) {
        let LiveObject::PersistentVolume(pv) = o else {
            continue;
        };
        any = true;
        let class = pv.storage_class.clone().unwrap_or_else(|| {
            if pv.source.is_empty() {
                "(none)".into()
            } else {
                pv.source.clone()
            }
        });
        *by_class.entry(class).or_default() += pv.capacity.unwrap_or(0);
        total += pv.capacity.unwrap_or(0);
        if pv.phase.as_deref() == Some("Failed") {
            lost += 1;
        }
    }
    let mut stuck = Vec::new();
    for o in src.objects(&PERSISTENT_VOLUME_CLAIM) {
        let LiveObject::PersistentVolumeClaim(c) = o else {
            continue;
        };
        any = true;
        match c.phase.as_deref() {
            Some("Bound") => bound += 1,
            Some("Lost") => lost += 1,
            _ => {
                pending += 1;
                stuck.push((key_of(o), c));
            }
        }
    }
    if !any {
        return;
    }
    let mut r = row(
        src,
        "Volumes",
        ObjKey::new(None, ""),
        "volumes and claims".into(),
    );
    r.state = count_text(&[(bound, "bound"), (pending, "pending"), (lost, "lost")]);
    r.total = (total > 0).then_some(total);
    r.detail = by_class
        .iter()
        .map(|(c, b)| format!("{c} {}", super::nodes::bytes(*b)))
        .collect::<Vec<_>>()
        .join(", ");
    // Pending claims get their own rows (with the reason) below.
    r.verdict = if lost > 0 {
        Verdict::Failed
    } else {
        Verdict::Healthy
    };
    out.push(r);
    for (key, c) in stuck {
        let mut r = row(src, "PersistentVolumeClaim", key.clone(), key.to_string());
        r.state = c.phase.clone().unwrap_or_else(|| "Pending".into());
        r.total = c.requested;
        let event = src
            .objects(&EVENT)
            .filter_map(|o| match o {
                LiveObject::Event(e)
                    if e.involved.kind == "PersistentVolumeClaim"
                        && e.involved.name == key.name
                        && e.involved.namespace == key.namespace =>
                {
                    Some(e)
                }
                _ => None,
            })
            .max_by_key(|e| e.last);
        r.detail = match event {
            Some(e) => format!("{}: {}", e.reason, e.message),
            None => format!(
                "class {}; no event yet",
                c.storage_class.as_deref().unwrap_or("(default)")
            ),
        };
        r.since = event.and_then(|e| e.first).or(c.meta.created);
        r.verdict = Verdict::Degraded;
        out.push(r);
    }
}

/// MinIO: its StatefulSets (named `minio…` or in a namespace `minio…`) with readiness, and the
/// validity of the K10 location profiles whose endpoint names MinIO.
fn minio(src: &Source, out: &mut Vec<StorageRow>) {
    let profiles: Vec<String> = src
        .objects(&K10_PROFILE)
        .filter_map(|o| match o {
            LiveObject::K10Profile(p)
                if p.target.as_deref().is_some_and(|t| t.contains("minio")) =>
            {
                Some(format!(
                    "K10 profile {}: {}",
                    p.meta.name,
                    p.validation.as_deref().unwrap_or("not validated")
                ))
            }
            _ => None,
        })
        .collect();
    let bad_profile = profiles.iter().any(|p| !p.ends_with("Success"));
    for o in src.objects(&STATEFUL_SET) {
        let LiveObject::StatefulSet(s) = o else {
            continue;
        };
        let in_minio = s.meta.name.starts_with("minio")
            || s.meta
                .namespace
                .as_deref()
                .is_some_and(|n| n.starts_with("minio"));
        if !in_minio {
            continue;
        }
        let mut r = row(src, "MinIO", key_of(o), key_of(o).to_string());
        r.state = format!("ready {}/{}", s.ready, s.replicas);
        r.verdict = if s.ready == 0 && s.replicas > 0 {
            Verdict::Failed
        } else if !s.is_ready() || bad_profile {
            Verdict::Degraded
        } else {
            Verdict::Healthy
        };
        let mut detail = profiles.clone();
        detail.extend(s.image.clone());
        r.detail = detail.join("; ");
        out.push(r);
    }
}
