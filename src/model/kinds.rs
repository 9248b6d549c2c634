//! The kinds the console reads: group, served versions (newest first), plural and scope.
//!
//! One table shared by the kube watchers (which API path to watch), the demo API emulator (what
//! discovery advertises and which paths it serves) and the views. Adding a kind here makes the
//! emulator serve it; a watcher and a model are still needed for the console to show it.

/// One kind of object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KindInfo {
    /// API group; empty for the core group (`v1`).
    pub group: &'static str,
    /// Served versions, the preferred (newest) first.
    pub versions: &'static [&'static str],
    pub kind: &'static str,
    /// Unique among the kinds: the kind name, or `Kind.group` where two groups share a kind
    /// name (MinIO's `Policy` and K10's). The live stores and the watches are keyed by it.
    pub key: &'static str,
    /// The lower-case plural used in URLs.
    pub plural: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
}

impl KindInfo {
    /// `group/version` for the preferred version, `v1` style for the core group.
    pub fn api_version(&self) -> String {
        api_version(self.group, self.versions[0])
    }

    /// The URL path of the collection, across namespaces (or of a cluster-scoped kind).
    pub fn collection_path(&self, version: &str) -> String {
        if self.group.is_empty() {
            format!("/api/{version}/{}", self.plural)
        } else {
            format!("/apis/{}/{version}/{}", self.group, self.plural)
        }
    }
}

/// `group/version`, or just `version` for the core group.
pub fn api_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

/// Splits an `apiVersion` into group and version (`v1` → `("", "v1")`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

macro_rules! kinds {
    ($($id:ident: $group:literal [$($v:literal),+] $kind:literal $(as $key:literal)? $plural:literal $ns:literal [$($short:literal),*];)*) => {
        $(pub const $id: KindInfo = KindInfo {
            group: $group,
            versions: &[$($v),+],
            kind: $kind,
            key: kinds!(@key $kind $($key)?),
            plural: $plural,
            namespaced: $ns,
            short_names: &[$($short),*],
        };)*
        /// Every kind the console knows, in a stable order.
        pub const ALL: &[KindInfo] = &[$($id),*];
    };
    (@key $kind:literal) => { $kind };
    (@key $kind:literal $key:literal) => { $key };
}

kinds! {
    // core
    NAMESPACE: "" ["v1"] "Namespace" "namespaces" false ["ns"];
    NODE: "" ["v1"] "Node" "nodes" false ["no"];
    EVENT: "" ["v1"] "Event" "events" true ["ev"];
    SECRET: "" ["v1"] "Secret" "secrets" true [];
    // Cluster API core: v1beta2 is storage since CAPI 1.11, v1beta1 still served.
    CLUSTER: "cluster.x-k8s.io" ["v1beta2", "v1beta1"] "Cluster" "clusters" true ["cl"];
    MACHINE: "cluster.x-k8s.io" ["v1beta2", "v1beta1"] "Machine" "machines" true ["ma"];
    MACHINE_DEPLOYMENT: "cluster.x-k8s.io" ["v1beta2", "v1beta1"] "MachineDeployment" "machinedeployments" true ["md"];
    MACHINE_SET: "cluster.x-k8s.io" ["v1beta2", "v1beta1"] "MachineSet" "machinesets" true ["ms"];
    MACHINE_HEALTH_CHECK: "cluster.x-k8s.io" ["v1beta2", "v1beta1"] "MachineHealthCheck" "machinehealthchecks" true ["mhc"];
    // Talos providers
    TALOS_CONTROL_PLANE: "controlplane.cluster.x-k8s.io" ["v1alpha3"] "TalosControlPlane" "taloscontrolplanes" true ["tcp"];
    TALOS_CONFIG: "bootstrap.cluster.x-k8s.io" ["v1alpha3"] "TalosConfig" "talosconfigs" true [];
    // Sidero Metal
    SERVER: "metal.sidero.dev" ["v1alpha2", "v1alpha1"] "Server" "servers" false [];
    SERVER_CLASS: "metal.sidero.dev" ["v1alpha2", "v1alpha1"] "ServerClass" "serverclasses" false [];
    METAL_MACHINE: "infrastructure.cluster.x-k8s.io" ["v1alpha3", "v1alpha2"] "MetalMachine" "metalmachines" true [];
    METAL_CLUSTER: "infrastructure.cluster.x-k8s.io" ["v1alpha3", "v1alpha2"] "MetalCluster" "metalclusters" true [];
    // Storage
    PERSISTENT_VOLUME: "" ["v1"] "PersistentVolume" "persistentvolumes" false ["pv"];
    PERSISTENT_VOLUME_CLAIM: "" ["v1"] "PersistentVolumeClaim" "persistentvolumeclaims" true ["pvc"];
    STATEFUL_SET: "apps" ["v1"] "StatefulSet" "statefulsets" true ["sts"];
    CEPH_CLUSTER: "ceph.rook.io" ["v1"] "CephCluster" "cephclusters" true ["ceph"];
    CEPH_BLOCK_POOL: "ceph.rook.io" ["v1"] "CephBlockPool" "cephblockpools" true ["cephbp"];
    CEPH_FILESYSTEM: "ceph.rook.io" ["v1"] "CephFilesystem" "cephfilesystems" true ["cephfs"];
    CEPH_OBJECT_STORE: "ceph.rook.io" ["v1"] "CephObjectStore" "cephobjectstores" true ["cephos"];
    DISK_POOL: "openebs.io" ["v1beta3", "v1beta2"] "DiskPool" "diskpools" true ["dsp"];
    // Kasten K10: policies and profiles are CRDs, actions an aggregated API.
    K10_POLICY: "config.kio.kasten.io" ["v1alpha1"] "Policy" "policies" true [];
    K10_PROFILE: "config.kio.kasten.io" ["v1alpha1"] "Profile" "profiles" true [];
    K10_RUN_ACTION: "actions.kio.kasten.io" ["v1alpha1"] "RunAction" "runactions" true [];
    K10_BACKUP_ACTION: "actions.kio.kasten.io" ["v1alpha1"] "BackupAction" "backupactions" true [];
    K10_EXPORT_ACTION: "actions.kio.kasten.io" ["v1alpha1"] "ExportAction" "exportactions" true [];
    K10_RESTORE_ACTION: "actions.kio.kasten.io" ["v1alpha1"] "RestoreAction" "restoreactions" true [];
    // GitOps and the rest of the infrastructure
    APPLICATION: "argoproj.io" ["v1alpha1"] "Application" "applications" true ["app"];
    APPLICATION_SET: "argoproj.io" ["v1alpha1"] "ApplicationSet" "applicationsets" true ["appset"];
    CROSSPLANE_PROVIDER: "pkg.crossplane.io" ["v1"] "Provider" "providers" false [];
    // The managed resources of provider-minio, and our composite (see infrastructure/crossplane).
    MINIO_BUCKET: "minio.crossplane.io" ["v1"] "Bucket" "buckets" false [];
    MINIO_USER: "minio.crossplane.io" ["v1"] "User" as "User.minio.crossplane.io" "users" false [];
    MINIO_POLICY: "minio.crossplane.io" ["v1"] "Policy" as "Policy.minio.crossplane.io" "policies" false [];
    SITE_BUCKET: "platform.blast.io" ["v1alpha1"] "SiteBucket" "sitebuckets" false [];
    SEALED_SECRET: "bitnami.com" ["v1alpha1"] "SealedSecret" "sealedsecrets" true [];
    KLUM_USER: "klum.cattle.io" ["v1alpha1"] "User" "users" false [];
    KLUM_KUBECONFIG: "klum.cattle.io" ["v1alpha1"] "Kubeconfig" "kubeconfigs" false [];
    // Workloads and their Pods (the workloads view; read only, logs included).
    POD: "" ["v1"] "Pod" "pods" true ["po"];
    DEPLOYMENT: "apps" ["v1"] "Deployment" "deployments" true ["deploy"];
    DAEMON_SET: "apps" ["v1"] "DaemonSet" "daemonsets" true ["ds"];
    JOB: "batch" ["v1"] "Job" "jobs" true [];
    // Watched for drift only (the Standards view): its job template against its manifest's.
    CRON_JOB: "batch" ["v1"] "CronJob" "cronjobs" true ["cj"];
    // Read by `blast standards` (the benchmark report ConfigMaps); the console's model does
    // not hold them (model::parse gives None).
    CONFIG_MAP: "" ["v1"] "ConfigMap" "configmaps" true ["cm"];
    // Trivy Operator's image scans: a second source of the Images view (`clair::trivy`).
    VULNERABILITY_REPORT: "aquasecurity.github.io" ["v1alpha1"] "VulnerabilityReport" "vulnerabilityreports" true ["vuln", "vulns"];
}

/// Looks a kind up by group and kind name.
pub fn find(group: &str, kind: &str) -> Option<&'static KindInfo> {
    ALL.iter().find(|k| k.group == group && k.kind == kind)
}

/// Looks a kind up by kind name alone: the first of that name in `ALL` (K10's `Policy` before
/// MinIO's, Klum's `User` before MinIO's). Use [`find`] when the group is known.
pub fn find_kind_name(kind: &str) -> Option<&'static KindInfo> {
    ALL.iter().find(|k| k.kind == kind)
}

/// Looks a kind up by its unique key (`KindInfo::key`).
pub fn find_key(key: &str) -> Option<&'static KindInfo> {
    ALL.iter().find(|k| k.key == key)
}

/// Looks a kind up by group and plural (as in a URL).
pub fn find_plural(group: &str, plural: &str) -> Option<&'static KindInfo> {
    ALL.iter().find(|k| k.group == group && k.plural == plural)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_and_paths() {
        assert_eq!(find("", "Node"), Some(&NODE));
        assert_eq!(find_plural("cluster.x-k8s.io", "machines"), Some(&MACHINE));
        assert_eq!(MACHINE.api_version(), "cluster.x-k8s.io/v1beta2");
        assert_eq!(NODE.collection_path("v1"), "/api/v1/nodes");
        assert_eq!(
            SERVER.collection_path("v1alpha2"),
            "/apis/metal.sidero.dev/v1alpha2/servers"
        );
        assert_eq!(split_api_version("v1"), ("", "v1"));
        assert_eq!(
            split_api_version("metal.sidero.dev/v1alpha2"),
            ("metal.sidero.dev", "v1alpha2")
        );
    }

    #[test]
    fn table_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for k in ALL {
            // Unique keys: the live stores and the watches are keyed by them.
            assert!(seen.insert(k.key), "{} listed twice", k.key);
            assert!(k.key == k.kind || k.key == format!("{}.{}", k.kind, k.group));
            assert!(!k.versions.is_empty());
            assert_eq!(k.plural, k.plural.to_lowercase());
        }
    }
}
