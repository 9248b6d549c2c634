//! Our own tolerant models of the live objects the console shows.
//!
//! Free of terminal and async code: the kube watchers parse into these, the pure core keeps them,
//! the views read them, and the demo emulator uses the kinds table to know what it serves.
//!
//! Parsing is tolerant (unknown fields ignored, anything missing is a default or `None`) and
//! strict only about the fields we read: one of those with the wrong JSON type makes the whole
//! object a [`ParseError`] naming the field, so the console can list the object as broken.
//! Models keep only what the views use: no raw JSON, no managedFields, no annotations except the
//! Argo CD tracking id, no heartbeat times, and never credentials (see `sidero` and `talos`).

pub mod backup;
pub mod capi;
pub mod core;
pub mod gitops;
pub mod kinds;
pub mod meta;
pub mod report;
pub mod sidero;
pub mod storage;
pub mod talos;
pub mod vuln;
pub mod workload;

use serde_json::Value;

pub use self::core::{Event, InvolvedObject, Namespace, Node, Resources, Taint};
pub use backup::{ActionKind, K10Action, K10Policy, K10Profile};
pub use capi::{Cluster, Machine, MachineDeployment, MachineHealthCheck, MachineSet};
pub use gitops::{
    AppResource, AppSource, Application, ApplicationSet, CrossplaneObject, KlumKubeconfig,
    KlumUser, SealedSecret,
};
pub use kinds::KindInfo;
pub use meta::{
    Address, CapiVersion, CondStatus, Condition, Json, Meta, ObjName, OwnerRef, ParseError,
    Replicas, Severity, Time, condition, format_date, format_time, human_duration, parse_quantity,
    parse_time,
};
pub use sidero::{Disk, MetalCluster, MetalMachine, Power, Server, ServerClass, ServerState};
pub use storage::{
    CephCluster, CephPool, DiskPool, HealthCheck, PersistentVolume, PersistentVolumeClaim,
    StatefulSet,
};
pub use talos::{TalosConfig, TalosControlPlane, talos_version};
pub use workload::{ContainerInfo, Pod, Workload};

/// One parsed live object of any modelled kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveObject {
    Cluster(Cluster),
    Machine(Machine),
    MachineDeployment(MachineDeployment),
    MachineSet(MachineSet),
    MachineHealthCheck(MachineHealthCheck),
    TalosControlPlane(TalosControlPlane),
    TalosConfig(TalosConfig),
    Server(Server),
    ServerClass(ServerClass),
    MetalMachine(MetalMachine),
    MetalCluster(MetalCluster),
    Node(Node),
    Namespace(Namespace),
    Event(Event),
    PersistentVolume(PersistentVolume),
    PersistentVolumeClaim(PersistentVolumeClaim),
    StatefulSet(StatefulSet),
    CephCluster(CephCluster),
    /// CephBlockPool, CephFilesystem or CephObjectStore.
    CephPool(CephPool),
    DiskPool(DiskPool),
    K10Policy(K10Policy),
    K10Profile(K10Profile),
    /// RunAction, BackupAction, ExportAction or RestoreAction.
    K10Action(K10Action),
    Application(Application),
    ApplicationSet(ApplicationSet),
    /// A Crossplane Provider, managed resource or composite.
    Crossplane(CrossplaneObject),
    SealedSecret(SealedSecret),
    KlumUser(KlumUser),
    KlumKubeconfig(KlumKubeconfig),
    Pod(Pod),
    /// Deployment, DaemonSet, Job or CronJob.
    Workload(Workload),
    /// Trivy Operator's VulnerabilityReport.
    VulnReport(Box<vuln::VulnReport>),
    /// A benchmark report ConfigMap (`blast.io/report` in `blast-system`).
    Report(report::ReportMap),
}

impl LiveObject {
    pub fn meta(&self) -> &Meta {
        match self {
            LiveObject::Cluster(o) => &o.meta,
            LiveObject::Machine(o) => &o.meta,
            LiveObject::MachineDeployment(o) => &o.meta,
            LiveObject::MachineSet(o) => &o.meta,
            LiveObject::MachineHealthCheck(o) => &o.meta,
            LiveObject::TalosControlPlane(o) => &o.meta,
            LiveObject::TalosConfig(o) => &o.meta,
            LiveObject::Server(o) => &o.meta,
            LiveObject::ServerClass(o) => &o.meta,
            LiveObject::MetalMachine(o) => &o.meta,
            LiveObject::MetalCluster(o) => &o.meta,
            LiveObject::Node(o) => &o.meta,
            LiveObject::Namespace(o) => &o.meta,
            LiveObject::Event(o) => &o.meta,
            LiveObject::PersistentVolume(o) => &o.meta,
            LiveObject::PersistentVolumeClaim(o) => &o.meta,
            LiveObject::StatefulSet(o) => &o.meta,
            LiveObject::CephCluster(o) => &o.meta,
            LiveObject::CephPool(o) => &o.meta,
            LiveObject::DiskPool(o) => &o.meta,
            LiveObject::K10Policy(o) => &o.meta,
            LiveObject::K10Profile(o) => &o.meta,
            LiveObject::K10Action(o) => &o.meta,
            LiveObject::Application(o) => &o.meta,
            LiveObject::ApplicationSet(o) => &o.meta,
            LiveObject::Crossplane(o) => &o.meta,
            LiveObject::SealedSecret(o) => &o.meta,
            LiveObject::KlumUser(o) => &o.meta,
            LiveObject::KlumKubeconfig(o) => &o.meta,
            LiveObject::Pod(o) => &o.meta,
            LiveObject::Workload(o) => &o.meta,
            LiveObject::VulnReport(o) => &o.meta,
            LiveObject::Report(o) => &o.meta,
        }
    }

    /// The upstream kind name (`MachineDeployment`).
    pub fn kind(&self) -> &'static str {
        match self {
            LiveObject::Cluster(_) => "Cluster",
            LiveObject::Machine(_) => "Machine",
            LiveObject::MachineDeployment(_) => "MachineDeployment",
            LiveObject::MachineSet(_) => "MachineSet",
            LiveObject::MachineHealthCheck(_) => "MachineHealthCheck",
            LiveObject::TalosControlPlane(_) => "TalosControlPlane",
            LiveObject::TalosConfig(_) => "TalosConfig",
            LiveObject::Server(_) => "Server",
            LiveObject::ServerClass(_) => "ServerClass",
            LiveObject::MetalMachine(_) => "MetalMachine",
            LiveObject::MetalCluster(_) => "MetalCluster",
            LiveObject::Node(_) => "Node",
            LiveObject::Namespace(_) => "Namespace",
            LiveObject::Event(_) => "Event",
            LiveObject::PersistentVolume(_) => "PersistentVolume",
            LiveObject::PersistentVolumeClaim(_) => "PersistentVolumeClaim",
            LiveObject::StatefulSet(_) => "StatefulSet",
            LiveObject::CephCluster(_) => "CephCluster",
            LiveObject::CephPool(o) => o.kind,
            LiveObject::DiskPool(_) => "DiskPool",
            LiveObject::K10Policy(_) => "Policy",
            LiveObject::K10Profile(_) => "Profile",
            LiveObject::K10Action(o) => o.action.kind(),
            LiveObject::Application(_) => "Application",
            LiveObject::ApplicationSet(_) => "ApplicationSet",
            // Its kind key (`User.minio.crossplane.io`) without the group.
            LiveObject::Crossplane(o) => o.kind.split('.').next().unwrap_or(o.kind),
            LiveObject::SealedSecret(_) => "SealedSecret",
            LiveObject::KlumUser(_) => "User",
            LiveObject::KlumKubeconfig(_) => "Kubeconfig",
            LiveObject::Pod(_) => "Pod",
            LiveObject::Workload(o) => o.kind,
            LiveObject::VulnReport(_) => "VulnerabilityReport",
            LiveObject::Report(_) => "ConfigMap",
        }
    }
}

/// Parses `v` as the kind of its table entry; kinds without a model (Secret) are `Ok(None)`.
pub fn parse<'a>(
    kind: &KindInfo,
    v: impl Into<Json<'a>>,
) -> Result<Option<LiveObject>, ParseError> {
    use kinds as k;
    let kind = *kind;
    let v: Json<'a> = v.into();
    let obj = if kind == k::CLUSTER {
        LiveObject::Cluster(Cluster::parse(v)?)
    } else if kind == k::MACHINE {
        LiveObject::Machine(Machine::parse(v)?)
    } else if kind == k::MACHINE_DEPLOYMENT {
        LiveObject::MachineDeployment(MachineDeployment::parse(v)?)
    } else if kind == k::MACHINE_SET {
        LiveObject::MachineSet(MachineSet::parse(v)?)
    } else if kind == k::MACHINE_HEALTH_CHECK {
        LiveObject::MachineHealthCheck(MachineHealthCheck::parse(v)?)
    } else if kind == k::TALOS_CONTROL_PLANE {
        LiveObject::TalosControlPlane(TalosControlPlane::parse(v)?)
    } else if kind == k::TALOS_CONFIG {
        LiveObject::TalosConfig(TalosConfig::parse(v)?)
    } else if kind == k::SERVER {
        LiveObject::Server(Server::parse(v)?)
    } else if kind == k::SERVER_CLASS {
        LiveObject::ServerClass(ServerClass::parse(v)?)
    } else if kind == k::METAL_MACHINE {
        LiveObject::MetalMachine(MetalMachine::parse(v)?)
    } else if kind == k::METAL_CLUSTER {
        LiveObject::MetalCluster(MetalCluster::parse(v)?)
    } else if kind == k::NODE {
        LiveObject::Node(Node::parse(v)?)
    } else if kind == k::NAMESPACE {
        LiveObject::Namespace(Namespace::parse(v)?)
    } else if kind == k::EVENT {
        LiveObject::Event(Event::parse(v)?)
    } else if kind == k::PERSISTENT_VOLUME {
        LiveObject::PersistentVolume(PersistentVolume::parse(v)?)
    } else if kind == k::PERSISTENT_VOLUME_CLAIM {
        LiveObject::PersistentVolumeClaim(PersistentVolumeClaim::parse(v)?)
    } else if kind == k::STATEFUL_SET {
        LiveObject::StatefulSet(StatefulSet::parse(v)?)
    } else if kind == k::CEPH_CLUSTER {
        LiveObject::CephCluster(CephCluster::parse(v)?)
    } else if [k::CEPH_BLOCK_POOL, k::CEPH_FILESYSTEM, k::CEPH_OBJECT_STORE].contains(&kind) {
        LiveObject::CephPool(CephPool::parse(kind.kind, v)?)
    } else if kind == k::DISK_POOL {
        LiveObject::DiskPool(DiskPool::parse(v)?)
    } else if kind == k::K10_POLICY {
        LiveObject::K10Policy(K10Policy::parse(v)?)
    } else if kind == k::K10_PROFILE {
        LiveObject::K10Profile(K10Profile::parse(v)?)
    } else if let Some(action) = action_kind(&kind) {
        LiveObject::K10Action(K10Action::parse(action, v)?)
    } else if kind == k::APPLICATION {
        LiveObject::Application(Application::parse(v)?)
    } else if kind == k::APPLICATION_SET {
        LiveObject::ApplicationSet(ApplicationSet::parse(v)?)
    } else if [
        k::CROSSPLANE_PROVIDER,
        k::MINIO_BUCKET,
        k::MINIO_USER,
        k::MINIO_POLICY,
        k::SITE_BUCKET,
    ]
    .contains(&kind)
    {
        LiveObject::Crossplane(CrossplaneObject::parse(kind.key, v)?)
    } else if kind == k::SEALED_SECRET {
        LiveObject::SealedSecret(SealedSecret::parse(v)?)
    } else if kind == k::KLUM_USER {
        LiveObject::KlumUser(KlumUser::parse(v)?)
    } else if kind == k::KLUM_KUBECONFIG {
        LiveObject::KlumKubeconfig(KlumKubeconfig::parse(v)?)
    } else if kind == k::POD {
        LiveObject::Pod(Pod::parse(v)?)
    } else if [k::DEPLOYMENT, k::DAEMON_SET, k::JOB, k::CRON_JOB].contains(&kind) {
        LiveObject::Workload(Workload::parse(kind.kind, v)?)
    } else if kind == k::VULNERABILITY_REPORT {
        LiveObject::VulnReport(Box::new(vuln::VulnReport::parse(v)?))
    } else if kind == k::CONFIG_MAP {
        // Only the report ConfigMaps are watched (`kube::watch`).
        LiveObject::Report(report::ReportMap::parse(v)?)
    } else {
        return Ok(None);
    };
    Ok(Some(obj))
}

fn action_kind(kind: &KindInfo) -> Option<ActionKind> {
    use kinds as k;
    [
        (k::K10_RUN_ACTION, ActionKind::Run),
        (k::K10_BACKUP_ACTION, ActionKind::Backup),
        (k::K10_EXPORT_ACTION, ActionKind::Export),
        (k::K10_RESTORE_ACTION, ActionKind::Restore),
    ]
    .into_iter()
    .find_map(|(k, a)| (k == *kind).then_some(a))
}

/// `(namespace, name)` of any JSON value, even a malformed object, so it can be listed as
/// broken. A missing name is "".
pub fn object_name(v: &Value) -> (Option<String>, String) {
    let meta = v.get("metadata");
    let text = |key: &str| {
        meta.and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    (
        text("namespace").filter(|n| !n.is_empty()),
        text("name").unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> Value {
        crate::repo::yaml_serde::from_str(s).unwrap()
    }

    #[test]
    fn dispatch_by_kind() {
        let node = yaml("apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n");
        let got = parse(&kinds::NODE, &node).unwrap().unwrap();
        assert_eq!(got.kind(), "Node");
        assert_eq!(got.meta().name, "n1");
        let secret = yaml(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: edge-berlin-kubeconfig}\ndata: {value: c2VjcmV0}\n",
        );
        assert_eq!(parse(&kinds::SECRET, &secret), Ok(None));
        for k in kinds::ALL {
            let v = yaml(&format!(
                "apiVersion: {}\nkind: {}\nmetadata: {{name: x, namespace: y}}\n",
                k.api_version(),
                k.kind
            ));
            match parse(k, &v).unwrap() {
                Some(o) => {
                    assert_eq!(o.kind(), k.kind);
                    assert_eq!(o.meta().name, "x");
                }
                None => assert!(["Secret", "Pod"].contains(&k.kind), "{}", k.kind),
            }
        }
    }

    #[test]
    fn broken_objects_still_have_a_name() {
        let v = yaml(
            "apiVersion: cluster.x-k8s.io/v1beta2\nkind: Machine\nmetadata: {name: m, namespace: edge-lab}\nstatus: garbage\n",
        );
        let e = parse(&kinds::MACHINE, &v).unwrap_err();
        assert_eq!(e.path, "status");
        assert_eq!(object_name(&v), (Some("edge-lab".into()), "m".into()));
        assert_eq!(object_name(&Value::Null), (None, String::new()));
        assert_eq!(
            object_name(&yaml("metadata: {name: 5}")),
            (None, String::new())
        );
        let e = parse(&kinds::NODE, &Value::String("x".into())).unwrap_err();
        assert_eq!(e.path, ".");
    }

    #[test]
    fn models_are_small() {
        // 10,000 each of Nodes, Machines and Servers must fit well under 150 MB.
        assert!(
            std::mem::size_of::<Node>() < 700,
            "{}",
            std::mem::size_of::<Node>()
        );
        assert!(std::mem::size_of::<Machine>() < 800);
        assert!(std::mem::size_of::<Server>() < 700);
    }
}
