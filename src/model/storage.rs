//! Storage: PersistentVolumes and claims, StatefulSets (MinIO runs as one), Rook-Ceph
//! (`ceph.rook.io/v1`) and Mayastor DiskPools (`openebs.io/v1beta3`, tolerating v1beta2).
//!
//! Field facts: `../shared/reference/status-fields.md` §5–§6. Rook has no per-pool capacity in
//! any object (only the CephCluster's raw capacity), and DiskPool status fields are snake_case
//! (`pool_status`, `cr_state`) next to camelCase ones (`alertError`), exactly as upstream.

use super::meta::Json;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::meta::{
    Condition, Meta, ParseError, Quantity, RawCondition, RawMeta, Time, conditions, from_value,
    time,
};

type Object<S, T> = super::meta::RawObject<S, T>;

fn meta(m: Option<RawMeta>) -> Meta {
    m.unwrap_or_default().into_meta()
}

fn bytes(q: Option<Quantity>) -> Option<u64> {
    q.and_then(|q| q.0).filter(|b| *b >= 0.0).map(|b| b as u64)
}

// --- PersistentVolume / PersistentVolumeClaim

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersistentVolume {
    pub meta: Meta,
    /// `Pending` | `Available` | `Bound` | `Released` | `Failed`.
    pub phase: Option<String>,
    pub storage_class: Option<String>,
    /// `spec.capacity.storage` in bytes.
    pub capacity: Option<u64>,
    /// `spec.claimRef` as `namespace/name`.
    pub claim: Option<String>,
    /// `hostPath`, `local`, `csi:<driver>`, `nfs`, …: what backs the volume.
    pub source: String,
    pub reclaim_policy: Option<String>,
    pub message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PvSpec {
    storage_class_name: Option<String>,
    capacity: Option<BTreeMap<String, Quantity>>,
    claim_ref: Option<ClaimRef>,
    persistent_volume_reclaim_policy: Option<String>,
    host_path: Option<Value>,
    local: Option<Value>,
    nfs: Option<Value>,
    csi: Option<Csi>,
}

#[derive(Deserialize)]
struct ClaimRef {
    namespace: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct Csi {
    driver: Option<String>,
}

#[derive(Deserialize)]
struct PvStatus {
    phase: Option<String>,
    message: Option<String>,
}

impl PersistentVolume {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<PersistentVolume, ParseError> {
        let o: Object<PvSpec, PvStatus> = from_value(v)?;
        let mut pv = PersistentVolume {
            meta: meta(o.metadata),
            ..Default::default()
        };
        if let Some(s) = o.spec {
            pv.storage_class = s.storage_class_name.filter(|c| !c.is_empty());
            pv.capacity = bytes(s.capacity.and_then(|mut c| c.remove("storage")));
            pv.claim = s.claim_ref.and_then(|c| {
                let name = c.name?;
                Some(match c.namespace {
                    Some(ns) => format!("{ns}/{name}"),
                    None => name,
                })
            });
            pv.reclaim_policy = s.persistent_volume_reclaim_policy;
            pv.source = if s.host_path.is_some() {
                "hostPath".into()
            } else if s.local.is_some() {
                "local".into()
            } else if s.nfs.is_some() {
                "nfs".into()
            } else if let Some(c) = s.csi {
                format!("csi:{}", c.driver.unwrap_or_default())
            } else {
                String::new()
            };
        }
        if let Some(st) = o.status {
            pv.phase = st.phase;
            pv.message = st.message.filter(|m| !m.is_empty());
        }
        Ok(pv)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersistentVolumeClaim {
    pub meta: Meta,
    /// `Pending` | `Bound` | `Lost`.
    pub phase: Option<String>,
    pub storage_class: Option<String>,
    /// Requested bytes (`spec.resources.requests.storage`).
    pub requested: Option<u64>,
    /// Bound capacity (`status.capacity.storage`).
    pub capacity: Option<u64>,
    pub volume: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PvcSpec {
    storage_class_name: Option<String>,
    volume_name: Option<String>,
    resources: Option<PvcResources>,
}

#[derive(Deserialize)]
struct PvcResources {
    requests: Option<BTreeMap<String, Quantity>>,
}

#[derive(Deserialize)]
struct PvcStatus {
    phase: Option<String>,
    capacity: Option<BTreeMap<String, Quantity>>,
}

impl PersistentVolumeClaim {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<PersistentVolumeClaim, ParseError> {
        let o: Object<PvcSpec, PvcStatus> = from_value(v)?;
        let mut pvc = PersistentVolumeClaim {
            meta: meta(o.metadata),
            ..Default::default()
        };
        if let Some(s) = o.spec {
            pvc.storage_class = s.storage_class_name.filter(|c| !c.is_empty());
            pvc.volume = s.volume_name.filter(|c| !c.is_empty());
            pvc.requested = bytes(
                s.resources
                    .and_then(|r| r.requests)
                    .and_then(|mut r| r.remove("storage")),
            );
        }
        if let Some(st) = o.status {
            pvc.phase = st.phase;
            pvc.capacity = bytes(st.capacity.and_then(|mut c| c.remove("storage")));
        }
        Ok(pvc)
    }
}

// --- StatefulSet

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatefulSet {
    pub meta: Meta,
    pub replicas: u32,
    pub ready: u32,
    pub updated: u32,
    /// Image of the first container (`quay.io/minio/minio:RELEASE…`).
    pub image: Option<String>,
    /// The policy rules the live object fails (`policy::live::failed_rules`), for drift.
    pub policy_failed: Vec<&'static str>,
}

#[derive(Deserialize)]
struct StsSpec {
    replicas: Option<u32>,
    template: Option<PodTemplate>,
}

#[derive(Deserialize)]
struct PodTemplate {
    spec: Option<PodSpec>,
}

#[derive(Deserialize)]
struct PodSpec {
    containers: Option<Vec<Container>>,
}

#[derive(Deserialize)]
struct Container {
    image: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StsStatus {
    ready_replicas: Option<u32>,
    updated_replicas: Option<u32>,
}

impl StatefulSet {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<StatefulSet, ParseError> {
        let v: Json<'a> = v.into();
        let o: Object<StsSpec, StsStatus> = from_value(v)?;
        let mut s = StatefulSet {
            meta: meta(o.metadata),
            replicas: 1,
            policy_failed: crate::policy::live::failed_rules("StatefulSet", v),
            ..Default::default()
        };
        if let Some(spec) = o.spec {
            s.replicas = spec.replicas.unwrap_or(1);
            s.image = spec
                .template
                .and_then(|t| t.spec)
                .and_then(|p| p.containers)
                .and_then(|c| c.into_iter().next())
                .and_then(|c| c.image);
        }
        if let Some(st) = o.status {
            s.ready = st.ready_replicas.unwrap_or(0);
            s.updated = st.updated_replicas.unwrap_or(0);
        }
        Ok(s)
    }

    pub fn is_ready(&self) -> bool {
        self.ready >= self.replicas
    }
}

// --- Rook-Ceph

/// One Ceph health check (`status.ceph.details.<CODE>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HealthCheck {
    /// `OSD_DOWN`, `POOL_NEARFULL`, `SLOW_OPS`, …
    pub code: String,
    /// `HEALTH_WARN` | `HEALTH_ERR`.
    pub severity: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CephCluster {
    pub meta: Meta,
    /// `status.phase`: `Progressing` | `Ready` | `Failure` | `Deleting` | `Connecting` | `Connected`.
    pub phase: Option<String>,
    /// `status.state` (older field): `Creating` | `Created` | `Updating` | `Error` | …
    pub state: Option<String>,
    pub message: Option<String>,
    /// `HEALTH_OK` | `HEALTH_WARN` | `HEALTH_ERR`; `None` before the first check.
    pub health: Option<String>,
    pub checks: Vec<HealthCheck>,
    pub bytes_total: Option<u64>,
    pub bytes_used: Option<u64>,
    pub bytes_available: Option<u64>,
    pub last_checked: Option<Time>,
    /// `status.version.version` (`19.2.3-0`), else the image tag.
    pub version: Option<String>,
    /// Daemons of more than one Ceph version (`status.ceph.versions.overall` has > 1 key).
    pub mixed_versions: bool,
    /// Running mon and OSD daemons, counted from `status.ceph.versions`.
    pub mons: Option<u32>,
    pub osds: Option<u32>,
    /// `spec.mon.count`: desired mons.
    pub mon_count: Option<u32>,
    pub conditions: Vec<Condition>,
}

impl CephCluster {
    /// Used share of raw capacity, 0.0–1.0.
    pub fn used_ratio(&self) -> Option<f64> {
        match (self.bytes_used, self.bytes_total) {
            (Some(u), Some(t)) if t > 0 => Some(u as f64 / t as f64),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct CephSpec {
    mon: Option<MonSpec>,
}

#[derive(Deserialize)]
struct MonSpec {
    count: Option<u32>,
}

#[derive(Deserialize)]
struct CephClusterStatus {
    phase: Option<String>,
    state: Option<String>,
    message: Option<String>,
    ceph: Option<CephStatus>,
    version: Option<CephVersion>,
    conditions: Option<Vec<RawCondition>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CephStatus {
    health: Option<String>,
    details: Option<BTreeMap<String, CephDetail>>,
    capacity: Option<CephCapacity>,
    last_checked: Option<String>,
    versions: Option<BTreeMap<String, BTreeMap<String, u32>>>,
}

#[derive(Deserialize)]
struct CephDetail {
    severity: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CephCapacity {
    bytes_total: Option<u64>,
    bytes_used: Option<u64>,
    bytes_available: Option<u64>,
}

#[derive(Deserialize)]
struct CephVersion {
    image: Option<String>,
    version: Option<String>,
}

impl CephCluster {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<CephCluster, ParseError> {
        let o: Object<CephSpec, CephClusterStatus> = from_value(v)?;
        let mut c = CephCluster {
            meta: meta(o.metadata),
            mon_count: o.spec.and_then(|s| s.mon).and_then(|m| m.count),
            ..Default::default()
        };
        let Some(st) = o.status else { return Ok(c) };
        c.phase = st.phase.filter(|p| !p.is_empty());
        c.state = st.state.filter(|p| !p.is_empty());
        c.message = st.message.filter(|p| !p.is_empty());
        c.conditions = conditions(st.conditions);
        c.version = st.version.and_then(|v| {
            v.version.filter(|s| !s.is_empty()).or_else(|| {
                v.image
                    .and_then(|i| i.rsplit_once(':').map(|(_, t)| t.to_string()))
            })
        });
        if let Some(ceph) = st.ceph {
            c.health = ceph.health.filter(|h| !h.is_empty());
            c.checks = ceph
                .details
                .unwrap_or_default()
                .into_iter()
                .map(|(code, d)| HealthCheck {
                    code,
                    severity: d.severity.unwrap_or_default(),
                    message: d.message.unwrap_or_default(),
                })
                .collect();
            // HEALTH_ERR checks first, then by code.
            c.checks.sort_by(|a, b| {
                let err = |h: &HealthCheck| h.severity != "HEALTH_ERR";
                err(a).cmp(&err(b)).then(a.code.cmp(&b.code))
            });
            if let Some(cap) = ceph.capacity {
                c.bytes_total = cap.bytes_total.filter(|b| *b > 0);
                c.bytes_used = cap.bytes_used;
                c.bytes_available = cap.bytes_available;
            }
            c.last_checked = time(&ceph.last_checked);
            if let Some(versions) = ceph.versions {
                let count = |k: &str| versions.get(k).map(|m| m.values().sum::<u32>());
                c.mons = count("mon");
                c.osds = count("osd");
                c.mixed_versions = versions.get("overall").is_some_and(|m| m.len() > 1);
            }
        }
        Ok(c)
    }
}

/// A CephBlockPool, CephFilesystem or CephObjectStore: they report a phase and conditions and
/// belong to the CephCluster of their namespace.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CephPool {
    pub meta: Meta,
    /// `CephBlockPool` | `CephFilesystem` | `CephObjectStore`.
    pub kind: &'static str,
    /// `Progressing` | `Ready` | `Failure` | `Deleting`.
    pub phase: Option<String>,
    pub message: Option<String>,
    /// Block pools: `Replicated` or `Erasure Coded` plus size (`replicated ×3`).
    pub layout: Option<String>,
    /// Mirroring health of block pools, when mirroring is on.
    pub mirroring: Option<String>,
    pub conditions: Vec<Condition>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PoolSpec {
    replicated: Option<Replicated>,
    erasure_coded: Option<ErasureCoded>,
    failure_domain: Option<String>,
}

#[derive(Deserialize)]
struct Replicated {
    size: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErasureCoded {
    data_chunks: Option<u32>,
    coding_chunks: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PoolStatus {
    phase: Option<String>,
    message: Option<String>,
    mirroring_status: Option<MirroringStatus>,
    conditions: Option<Vec<RawCondition>>,
}

#[derive(Deserialize)]
struct MirroringStatus {
    summary: Option<MirroringSummary>,
}

#[derive(Deserialize)]
struct MirroringSummary {
    health: Option<String>,
}

impl CephPool {
    pub fn parse<'a>(kind: &'static str, v: impl Into<Json<'a>>) -> Result<CephPool, ParseError> {
        let o: Object<PoolSpec, PoolStatus> = from_value(v)?;
        let mut p = CephPool {
            meta: meta(o.metadata),
            kind,
            ..Default::default()
        };
        if let Some(s) = o.spec {
            let domain = s
                .failure_domain
                .map(|d| format!(" per {d}"))
                .unwrap_or_default();
            p.layout = match (s.replicated.and_then(|r| r.size), s.erasure_coded) {
                (Some(n), _) if n > 0 => Some(format!("replicated ×{n}{domain}")),
                (_, Some(ec)) => Some(format!(
                    "erasure {}+{}{domain}",
                    ec.data_chunks.unwrap_or(0),
                    ec.coding_chunks.unwrap_or(0)
                )),
                _ => None,
            };
        }
        if let Some(st) = o.status {
            p.phase = st.phase.filter(|s| !s.is_empty());
            p.message = st.message.filter(|s| !s.is_empty());
            p.mirroring = st
                .mirroring_status
                .and_then(|m| m.summary)
                .and_then(|s| s.health);
            p.conditions = conditions(st.conditions);
        }
        Ok(p)
    }
}

// --- Mayastor DiskPool

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiskPool {
    pub meta: Meta,
    /// `spec.node`.
    pub node: String,
    /// `spec.disks`.
    pub disks: Vec<String>,
    /// `status.cr_state`: `Creating` | `Created` | `Terminating`.
    pub cr_state: Option<String>,
    /// `status.status` (2.11+, combines data plane and diagnostics), else `status.pool_status`:
    /// `Online` | `Degraded` | `Faulted` | `Suspected` | `Offline` | `Unknown`.
    pub status: Option<String>,
    pub capacity: Option<u64>,
    pub used: Option<u64>,
    pub available: Option<u64>,
    /// `status.error.{code, message}` (2.11+) as `code: message`.
    pub error: Option<String>,
    /// `status.alertError` (`Healthy`, `Attention (IoError)`).
    pub alert: Option<String>,
    pub conditions: Vec<Condition>,
}

impl DiskPool {
    pub fn is_online(&self) -> bool {
        self.status.as_deref() == Some("Online")
    }
    pub fn used_ratio(&self) -> Option<f64> {
        match (self.used, self.capacity) {
            (Some(u), Some(t)) if t > 0 => Some(u as f64 / t as f64),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct DiskPoolSpec {
    node: Option<String>,
    disks: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DiskPoolStatus {
    #[serde(rename = "cr_state")]
    cr_state: Option<String>,
    #[serde(rename = "pool_status")]
    pool_status: Option<String>,
    status: Option<String>,
    capacity: Option<u64>,
    used: Option<u64>,
    available: Option<u64>,
    error: Option<PoolError>,
    alert_error: Option<String>,
    conditions: Option<Vec<RawCondition>>,
}

#[derive(Deserialize)]
struct PoolError {
    code: Option<String>,
    message: Option<String>,
}

impl DiskPool {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<DiskPool, ParseError> {
        let o: Object<DiskPoolSpec, DiskPoolStatus> = from_value(v)?;
        let mut p = DiskPool {
            meta: meta(o.metadata),
            ..Default::default()
        };
        if let Some(s) = o.spec {
            p.node = s.node.unwrap_or_default();
            p.disks = s.disks.unwrap_or_default();
        }
        if let Some(st) = o.status {
            p.cr_state = st.cr_state;
            p.status = st
                .status
                .filter(|s| !s.is_empty())
                .or(st.pool_status.filter(|s| !s.is_empty()));
            p.capacity = st.capacity;
            p.used = st.used;
            p.available = st.available;
            p.error = st.error.and_then(|e| match (e.code, e.message) {
                (Some(c), Some(m)) => Some(format!("{c}: {m}")),
                (c, m) => c.or(m),
            });
            p.alert = st.alert_error.filter(|a| !a.is_empty());
            p.conditions = conditions(st.conditions);
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> Value {
        crate::repo::yaml_serde::from_str(s).unwrap()
    }

    #[test]
    fn ceph_cluster_health_capacity_and_daemons() {
        let c = CephCluster::parse(&yaml(
            r#"
apiVersion: ceph.rook.io/v1
kind: CephCluster
metadata: {name: rook-ceph, namespace: rook-ceph}
spec: {mon: {count: 3}, unknownField: 1}
status:
  phase: Ready
  state: Created
  message: Cluster created successfully
  ceph:
    health: HEALTH_WARN
    details:
      SLOW_OPS: {severity: HEALTH_WARN, message: "12 slow ops"}
      OSD_DOWN: {severity: HEALTH_ERR, message: "1 osds down"}
    capacity: {bytesTotal: 1000, bytesUsed: 780, bytesAvailable: 220, lastUpdated: "2026-09-21T11:59:00Z"}
    lastChecked: "2026-09-21T11:59:30Z"
    versions:
      mon: {"ceph version 19.2.3 squid (stable)": 3}
      osd: {"ceph version 19.2.3 squid (stable)": 2, "ceph version 19.2.2 squid (stable)": 1}
      overall: {"ceph version 19.2.3 squid (stable)": 8, "ceph version 19.2.2 squid (stable)": 1}
  version: {image: "quay.io/ceph/ceph:v19.2.3", version: 19.2.3-0}
  conditions:
  - {type: Ready, status: "True", reason: ClusterCreated, lastHeartbeatTime: "2026-09-21T11:59:00Z"}
"#,
        ))
        .unwrap();
        assert_eq!(c.health.as_deref(), Some("HEALTH_WARN"));
        assert_eq!(c.checks[0].code, "OSD_DOWN", "errors first");
        assert_eq!(c.used_ratio(), Some(0.78));
        assert_eq!((c.mons, c.osds, c.mon_count), (Some(3), Some(3), Some(3)));
        assert!(c.mixed_versions);
        assert_eq!(c.version.as_deref(), Some("19.2.3-0"));
    }

    #[test]
    fn tolerant_of_missing_status_and_strict_on_read_fields() {
        let v = yaml("apiVersion: ceph.rook.io/v1\nkind: CephCluster\nmetadata: {name: x}\n");
        let c = CephCluster::parse(&v).unwrap();
        assert_eq!((c.health.as_deref(), c.used_ratio()), (None, None));
        let bad = yaml("metadata: {name: x}\nstatus: {ceph: {capacity: {bytesTotal: lots}}}\n");
        let e = CephCluster::parse(&bad).unwrap_err();
        assert_eq!(e.path, "status.ceph.capacity.bytesTotal");
        for v in [
            "metadata: {name: p}\n",
            "metadata: {name: p}\nstatus: {}\n",
            "metadata: {name: p}\nspec: {}\nstatus: {phase: Ready, extra: [1]}\n",
        ] {
            CephPool::parse("CephBlockPool", &yaml(v)).unwrap();
            DiskPool::parse(&yaml(v)).unwrap();
            PersistentVolume::parse(&yaml(v)).unwrap();
            PersistentVolumeClaim::parse(&yaml(v)).unwrap();
            StatefulSet::parse(&yaml(v)).unwrap();
        }
    }

    #[test]
    fn pools_and_diskpools() {
        let p = CephPool::parse(
            "CephBlockPool",
            &yaml("metadata: {name: replicapool}\nspec: {failureDomain: host, replicated: {size: 3}}\nstatus: {phase: Ready}\n"),
        )
        .unwrap();
        assert_eq!(p.layout.as_deref(), Some("replicated ×3 per host"));
        // 2.11+ shape: `status` wins over `pool_status`; error code and message joined.
        let d = DiskPool::parse(&yaml(
            r#"
apiVersion: openebs.io/v1beta3
kind: DiskPool
metadata: {name: pool-lab-1, namespace: openebs}
spec: {node: lab-1, disks: ["aio:///dev/disk/by-id/nvme-x"]}
status:
  cr_state: Created
  pool_status: Online
  status: Degraded
  capacity: 1000
  used: 250
  available: 750
  alertError: Attention (IoError)
  error: {code: DiskReadIoError, message: read failed}
"#,
        ))
        .unwrap();
        assert_eq!(d.status.as_deref(), Some("Degraded"));
        assert!(!d.is_online());
        assert_eq!(d.used_ratio(), Some(0.25));
        assert_eq!(d.error.as_deref(), Some("DiskReadIoError: read failed"));
        // The v1beta2 shape: pool_status only.
        let old = DiskPool::parse(&yaml(
            "apiVersion: openebs.io/v1beta2\nkind: DiskPool\nmetadata: {name: p}\nspec: {node: n}\nstatus: {state: Online, pool_status: Online, capacity: 5, used: 1, available: 4}\n",
        ))
        .unwrap();
        assert!(old.is_online());
    }

    #[test]
    fn volumes_and_claims() {
        let pv = PersistentVolume::parse(&yaml(
            "metadata: {name: pv-1}\nspec: {capacity: {storage: 10Gi}, storageClassName: ceph-block, claimRef: {namespace: historian, name: data-historian-0}, csi: {driver: rook-ceph.rbd.csi.ceph.com}}\nstatus: {phase: Bound}\n",
        ))
        .unwrap();
        assert_eq!(pv.capacity, Some(10 << 30));
        assert_eq!(pv.claim.as_deref(), Some("historian/data-historian-0"));
        assert_eq!(pv.source, "csi:rook-ceph.rbd.csi.ceph.com");
        let pvc = PersistentVolumeClaim::parse(&yaml(
            "metadata: {name: data, namespace: ns}\nspec: {resources: {requests: {storage: 5Gi}}, storageClassName: mayastor}\nstatus: {phase: Pending}\n",
        ))
        .unwrap();
        assert_eq!(pvc.requested, Some(5 << 30));
        assert_eq!(pvc.phase.as_deref(), Some("Pending"));
        let sts = StatefulSet::parse(&yaml(
            "metadata: {name: minio, namespace: minio}\nspec: {replicas: 4, template: {spec: {containers: [{name: minio, image: quay.io/minio/minio:RELEASE.2026}]}}}\nstatus: {readyReplicas: 3}\n",
        ))
        .unwrap();
        assert!(!sts.is_ready());
        assert_eq!(
            sts.image.as_deref(),
            Some("quay.io/minio/minio:RELEASE.2026")
        );
    }
}
