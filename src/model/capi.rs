//! Cluster API core kinds (`cluster.x-k8s.io`), v1beta1 and v1beta2 parsed into one struct each.
//!
//! The object's own `apiVersion` says which shape it has. v1beta2: new-style conditions in
//! `status.conditions`, the old ones in `status.deprecated.v1beta1`. v1beta1: old conditions in
//! `status.conditions`, new-style data (if a CAPI v1.9/v1.10 controller wrote it) in
//! `status.v1beta2`. Replica counters always get the v1beta2 meaning where it is available.

use super::meta::Json;
use serde::Deserialize;

use super::meta::{
    Address, CapiVersion, Condition, Meta, ObjName, ParseError, RawAddress, RawCondition,
    RawEndpoint, RawMeta, RawRef, Replicas, Time, addresses, conditions, endpoint, from_value,
    obj_name, time,
};

pub const CONTROL_PLANE_LABEL: &str = "cluster.x-k8s.io/control-plane";
pub const DEPLOYMENT_NAME_LABEL: &str = "cluster.x-k8s.io/deployment-name";
pub const SET_NAME_LABEL: &str = "cluster.x-k8s.io/set-name";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cluster {
    pub meta: Meta,
    pub api: CapiVersion,
    pub phase: Option<String>,
    /// `spec.paused` or annotation `cluster.x-k8s.io/paused`.
    pub paused: bool,
    pub control_plane_ref: Option<ObjName>,
    pub infrastructure_ref: Option<ObjName>,
    /// `host:port` of `spec.controlPlaneEndpoint`.
    pub endpoint: Option<String>,
    /// v1beta2 `status.controlPlane`, v1beta1 `status.v1beta2.controlPlane`.
    pub control_plane: Option<Replicas>,
    pub workers: Option<Replicas>,
    /// `spec.topology.version` (ClusterClass clusters only).
    pub version: Option<String>,
    /// v1beta2 `status.initialization.infrastructureProvisioned`, v1beta1 `infrastructureReady`.
    pub infrastructure_ready: Option<bool>,
    /// v1beta2 `status.initialization.controlPlaneInitialized`, v1beta1 `controlPlaneReady`.
    pub control_plane_ready: Option<bool>,
    /// New-style conditions (v1beta2 `status.conditions`, v1beta1 `status.v1beta2.conditions`).
    pub conditions: Vec<Condition>,
    /// Old-style conditions (v1beta1 `status.conditions`, v1beta2 `status.deprecated.v1beta1`).
    pub legacy_conditions: Vec<Condition>,
    pub failure_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Machine {
    pub meta: Meta,
    pub api: CapiVersion,
    pub cluster_name: String,
    pub phase: Option<String>,
    /// `spec.version`: the desired Kubernetes version.
    pub version: Option<String>,
    pub provider_id: Option<String>,
    /// `status.nodeRef.name`.
    pub node_name: Option<String>,
    /// `status.nodeInfo.osImage` (`Talos (v1.13.10)`).
    pub os_image: Option<String>,
    /// `status.nodeInfo.kubeletVersion`: the running Kubernetes version.
    pub kubelet_version: Option<String>,
    pub addresses: Vec<Address>,
    /// Label `cluster.x-k8s.io/control-plane` present.
    pub control_plane: bool,
    /// Label `cluster.x-k8s.io/deployment-name`.
    pub deployment: Option<String>,
    /// Label `cluster.x-k8s.io/set-name`.
    pub machine_set: Option<String>,
    pub infrastructure_ref: Option<ObjName>,
    pub bootstrap_ref: Option<ObjName>,
    pub conditions: Vec<Condition>,
    pub legacy_conditions: Vec<Condition>,
    pub failure_message: Option<String>,
    /// `status.deletion.nodeDrainStartTime`.
    pub draining_since: Option<Time>,
    /// `spec.failureDomain`, else `status.failureDomain`.
    pub failure_domain: Option<String>,
    /// v1beta2 `status.initialization.infrastructureProvisioned`, v1beta1 `infrastructureReady`.
    pub infrastructure_ready: Option<bool>,
    /// v1beta2 `status.initialization.bootstrapDataSecretCreated`, v1beta1 `bootstrapReady`.
    pub bootstrap_ready: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MachineDeployment {
    pub meta: Meta,
    pub api: CapiVersion,
    pub cluster_name: String,
    /// `desired` is `spec.replicas`.
    pub replicas: Replicas,
    pub phase: Option<String>,
    /// `spec.template.spec.version`.
    pub version: Option<String>,
    pub paused: bool,
    pub conditions: Vec<Condition>,
    pub legacy_conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MachineSet {
    pub meta: Meta,
    pub api: CapiVersion,
    pub cluster_name: String,
    /// Label `cluster.x-k8s.io/deployment-name`, else the owning MachineDeployment.
    pub deployment: Option<String>,
    /// `desired` is `spec.replicas`.
    pub replicas: Replicas,
    pub conditions: Vec<Condition>,
    pub legacy_conditions: Vec<Condition>,
    pub failure_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MachineHealthCheck {
    pub meta: Meta,
    pub api: CapiVersion,
    pub cluster_name: String,
    /// `status.expectedMachines`.
    pub expected: Option<i32>,
    /// `status.currentHealthy`.
    pub healthy: Option<i32>,
    pub remediations_allowed: Option<i32>,
    /// Machine names.
    pub targets: Vec<String>,
    pub conditions: Vec<Condition>,
    pub legacy_conditions: Vec<Condition>,
}

// ---------------------------------------------------------------------------------------------
// Raw shapes (union of both versions; each field is read only where it exists)

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Object<S, T> {
    api_version: Option<String>,
    metadata: Option<RawMeta>,
    spec: Option<S>,
    status: Option<T>,
}

impl<S, T> Object<S, T> {
    fn parts(self) -> (CapiVersion, RawMeta, Option<S>, Option<T>) {
        (
            CapiVersion::of(self.api_version.as_deref()),
            self.metadata.unwrap_or_default(),
            self.spec,
            self.status,
        )
    }
}

/// `status.deprecated`.
#[derive(Deserialize)]
struct Deprecated {
    v1beta1: Option<DeprecatedV1beta1>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeprecatedV1beta1 {
    conditions: Option<Vec<RawCondition>>,
    failure_message: Option<String>,
}

/// `status.v1beta2` of v1beta1 objects.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1beta2Status {
    conditions: Option<Vec<RawCondition>>,
    control_plane: Option<ReplicaSummary>,
    workers: Option<ReplicaSummary>,
    ready_replicas: Option<i32>,
    available_replicas: Option<i32>,
    up_to_date_replicas: Option<i32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReplicaSummary {
    desired_replicas: Option<i32>,
    replicas: Option<i32>,
    ready_replicas: Option<i32>,
    available_replicas: Option<i32>,
    up_to_date_replicas: Option<i32>,
}

impl ReplicaSummary {
    fn into_replicas(self) -> Replicas {
        Replicas {
            desired: self.desired_replicas,
            current: self.replicas,
            ready: self.ready_replicas,
            available: self.available_replicas,
            up_to_date: self.up_to_date_replicas,
        }
    }
}

/// The conditions and failure message common to every CAPI status, sorted by version into
/// (new-style, old-style, failureMessage).
struct CommonStatus {
    conditions: Option<Vec<RawCondition>>,
    v1beta2: Option<V1beta2Status>,
    deprecated: Option<Deprecated>,
    failure_message: Option<String>,
}

impl CommonStatus {
    fn split(self, api: CapiVersion) -> (Vec<Condition>, Vec<Condition>, Option<String>) {
        match api {
            CapiVersion::V1beta2 => {
                let dep = self.deprecated.and_then(|d| d.v1beta1);
                let (legacy, failure) = match dep {
                    Some(d) => (d.conditions, d.failure_message),
                    None => (None, None),
                };
                (
                    conditions(self.conditions),
                    conditions(legacy),
                    failure.or(self.failure_message),
                )
            }
            CapiVersion::V1beta1 => (
                conditions(self.v1beta2.and_then(|v| v.conditions)),
                conditions(self.conditions),
                self.failure_message,
            ),
        }
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

// --- Cluster

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClusterSpec {
    paused: Option<bool>,
    control_plane_endpoint: Option<RawEndpoint>,
    control_plane_ref: Option<RawRef>,
    infrastructure_ref: Option<RawRef>,
    topology: Option<Topology>,
}

#[derive(Deserialize)]
struct Topology {
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClusterStatus {
    phase: Option<String>,
    infrastructure_ready: Option<bool>,
    control_plane_ready: Option<bool>,
    initialization: Option<ClusterInitialization>,
    control_plane: Option<ReplicaSummary>,
    workers: Option<ReplicaSummary>,
    conditions: Option<Vec<RawCondition>>,
    v1beta2: Option<V1beta2Status>,
    deprecated: Option<Deprecated>,
    failure_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClusterInitialization {
    infrastructure_provisioned: Option<bool>,
    control_plane_initialized: Option<bool>,
}

impl Cluster {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<Cluster, ParseError> {
        let obj: Object<ClusterSpec, ClusterStatus> = from_value(v)?;
        let (api, mut raw_meta, spec, status) = obj.parts();
        let paused_annotation = raw_meta.annotations.as_ref().is_some_and(|a| a.paused);
        let meta = std::mem::take(&mut raw_meta).into_meta();
        let mut c = Cluster {
            meta,
            api,
            paused: paused_annotation,
            ..Cluster::default()
        };
        if let Some(spec) = spec {
            c.paused |= spec.paused.unwrap_or(false);
            c.control_plane_ref = obj_name(spec.control_plane_ref);
            c.infrastructure_ref = obj_name(spec.infrastructure_ref);
            c.endpoint = endpoint(spec.control_plane_endpoint);
            c.version = non_empty(spec.topology.and_then(|t| t.version));
        }
        if let Some(s) = status {
            c.phase = non_empty(s.phase);
            match api {
                CapiVersion::V1beta2 => {
                    c.control_plane = s.control_plane.map(ReplicaSummary::into_replicas);
                    c.workers = s.workers.map(ReplicaSummary::into_replicas);
                    if let Some(init) = s.initialization {
                        c.infrastructure_ready = init.infrastructure_provisioned;
                        c.control_plane_ready = init.control_plane_initialized;
                    }
                }
                CapiVersion::V1beta1 => {
                    c.infrastructure_ready = s.infrastructure_ready;
                    c.control_plane_ready = s.control_plane_ready;
                }
            }
            let mut v1beta2 = s.v1beta2;
            if api == CapiVersion::V1beta1
                && let Some(v) = v1beta2.as_mut()
            {
                c.control_plane = v.control_plane.take().map(ReplicaSummary::into_replicas);
                c.workers = v.workers.take().map(ReplicaSummary::into_replicas);
            }
            let common = CommonStatus {
                conditions: s.conditions,
                v1beta2,
                deprecated: s.deprecated,
                failure_message: s.failure_message,
            };
            (c.conditions, c.legacy_conditions, c.failure_message) = common.split(api);
        }
        Ok(c)
    }
}

// --- Machine

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MachineSpec {
    cluster_name: Option<String>,
    version: Option<String>,
    #[serde(rename = "providerID")]
    provider_id: Option<String>,
    failure_domain: Option<String>,
    bootstrap: Option<Bootstrap>,
    infrastructure_ref: Option<RawRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bootstrap {
    config_ref: Option<RawRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MachineStatus {
    phase: Option<String>,
    node_ref: Option<RawRef>,
    node_info: Option<NodeInfo>,
    addresses: Option<Vec<RawAddress>>,
    failure_domain: Option<String>,
    deletion: Option<MachineDeletion>,
    initialization: Option<MachineInitialization>,
    infrastructure_ready: Option<bool>,
    bootstrap_ready: Option<bool>,
    conditions: Option<Vec<RawCondition>>,
    v1beta2: Option<V1beta2Status>,
    deprecated: Option<Deprecated>,
    failure_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NodeInfo {
    pub os_image: Option<String>,
    pub kubelet_version: Option<String>,
    pub kernel_version: Option<String>,
    pub container_runtime_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MachineDeletion {
    node_drain_start_time: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MachineInitialization {
    infrastructure_provisioned: Option<bool>,
    bootstrap_data_secret_created: Option<bool>,
}

impl Machine {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<Machine, ParseError> {
        let obj: Object<MachineSpec, MachineStatus> = from_value(v)?;
        let (api, raw_meta, spec, status) = obj.parts();
        let meta = raw_meta.into_meta();
        let mut m = Machine {
            api,
            control_plane: meta.labels.contains_key(CONTROL_PLANE_LABEL),
            deployment: meta.label(DEPLOYMENT_NAME_LABEL).map(str::to_string),
            machine_set: meta.label(SET_NAME_LABEL).map(str::to_string),
            ..Machine::default()
        };
        let mut spec_cluster = None;
        if let Some(spec) = spec {
            spec_cluster = non_empty(spec.cluster_name);
            m.version = non_empty(spec.version);
            m.provider_id = non_empty(spec.provider_id);
            m.failure_domain = non_empty(spec.failure_domain);
            m.infrastructure_ref = obj_name(spec.infrastructure_ref);
            m.bootstrap_ref = obj_name(spec.bootstrap.and_then(|b| b.config_ref));
        }
        m.cluster_name = spec_cluster.unwrap_or_else(|| meta.cluster_name());
        m.meta = meta;
        if let Some(s) = status {
            m.phase = non_empty(s.phase);
            m.node_name = obj_name(s.node_ref).map(|r| r.name);
            if let Some(info) = s.node_info {
                m.os_image = non_empty(info.os_image);
                m.kubelet_version = non_empty(info.kubelet_version);
            }
            m.addresses = addresses(s.addresses);
            if m.failure_domain.is_none() {
                m.failure_domain = non_empty(s.failure_domain);
            }
            m.draining_since = s.deletion.and_then(|d| time(&d.node_drain_start_time));
            match api {
                CapiVersion::V1beta2 => {
                    if let Some(init) = s.initialization {
                        m.infrastructure_ready = init.infrastructure_provisioned;
                        m.bootstrap_ready = init.bootstrap_data_secret_created;
                    }
                }
                CapiVersion::V1beta1 => {
                    m.infrastructure_ready = s.infrastructure_ready;
                    m.bootstrap_ready = s.bootstrap_ready;
                }
            }
            let common = CommonStatus {
                conditions: s.conditions,
                v1beta2: s.v1beta2,
                deprecated: s.deprecated,
                failure_message: s.failure_message,
            };
            (m.conditions, m.legacy_conditions, m.failure_message) = common.split(api);
        }
        Ok(m)
    }
}

// --- MachineDeployment and MachineSet

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MachineDeploymentSpec {
    cluster_name: Option<String>,
    replicas: Option<i32>,
    paused: Option<bool>,
    template: Option<MachineTemplate>,
}

#[derive(Deserialize)]
struct MachineTemplate {
    spec: Option<MachineTemplateSpec>,
}

#[derive(Deserialize)]
struct MachineTemplateSpec {
    version: Option<String>,
}

/// Status of a MachineDeployment or MachineSet (both versions).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReplicaSetStatus {
    phase: Option<String>,
    replicas: Option<i32>,
    ready_replicas: Option<i32>,
    available_replicas: Option<i32>,
    up_to_date_replicas: Option<i32>,
    updated_replicas: Option<i32>,
    conditions: Option<Vec<RawCondition>>,
    v1beta2: Option<V1beta2Status>,
    deprecated: Option<Deprecated>,
    failure_message: Option<String>,
}

impl ReplicaSetStatus {
    /// Counters with v1beta2 meaning; the old v1beta1 ones only when nothing newer is there.
    fn replicas(&self, api: CapiVersion, desired: Option<i32>) -> Replicas {
        match api {
            CapiVersion::V1beta2 => Replicas {
                desired,
                current: self.replicas,
                ready: self.ready_replicas,
                available: self.available_replicas,
                up_to_date: self.up_to_date_replicas,
            },
            CapiVersion::V1beta1 => {
                let v = self.v1beta2.as_ref();
                Replicas {
                    desired,
                    current: self.replicas,
                    ready: v.and_then(|v| v.ready_replicas).or(self.ready_replicas),
                    available: v
                        .and_then(|v| v.available_replicas)
                        .or(self.available_replicas),
                    up_to_date: v
                        .and_then(|v| v.up_to_date_replicas)
                        .or(self.updated_replicas),
                }
            }
        }
    }

    fn common(self) -> CommonStatus {
        CommonStatus {
            conditions: self.conditions,
            v1beta2: self.v1beta2,
            deprecated: self.deprecated,
            failure_message: self.failure_message,
        }
    }
}

impl MachineDeployment {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<MachineDeployment, ParseError> {
        let obj: Object<MachineDeploymentSpec, ReplicaSetStatus> = from_value(v)?;
        let (api, raw_meta, spec, status) = obj.parts();
        let meta = raw_meta.into_meta();
        let mut d = MachineDeployment {
            api,
            ..MachineDeployment::default()
        };
        let mut desired = None;
        let mut spec_cluster = None;
        if let Some(spec) = spec {
            desired = spec.replicas;
            spec_cluster = non_empty(spec.cluster_name);
            d.paused = spec.paused.unwrap_or(false);
            d.version = non_empty(spec.template.and_then(|t| t.spec).and_then(|s| s.version));
        }
        d.cluster_name = spec_cluster.unwrap_or_else(|| meta.cluster_name());
        d.meta = meta;
        d.replicas.desired = desired;
        if let Some(s) = status {
            d.replicas = s.replicas(api, desired);
            d.phase = non_empty(s.phase.clone());
            (d.conditions, d.legacy_conditions, _) = s.common().split(api);
        }
        Ok(d)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MachineSetSpec {
    cluster_name: Option<String>,
    replicas: Option<i32>,
}

impl MachineSet {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<MachineSet, ParseError> {
        let obj: Object<MachineSetSpec, ReplicaSetStatus> = from_value(v)?;
        let (api, raw_meta, spec, status) = obj.parts();
        let meta = raw_meta.into_meta();
        let mut m = MachineSet {
            api,
            ..MachineSet::default()
        };
        let mut desired = None;
        let mut spec_cluster = None;
        if let Some(spec) = spec {
            desired = spec.replicas;
            spec_cluster = non_empty(spec.cluster_name);
        }
        m.cluster_name = spec_cluster.unwrap_or_else(|| meta.cluster_name());
        m.deployment = match (meta.label(DEPLOYMENT_NAME_LABEL), &meta.owner) {
            (Some(l), _) => Some(l.to_string()),
            (None, Some(o)) if o.kind == "MachineDeployment" => Some(o.name.clone()),
            _ => None,
        };
        m.meta = meta;
        m.replicas.desired = desired;
        if let Some(s) = status {
            m.replicas = s.replicas(api, desired);
            (m.conditions, m.legacy_conditions, m.failure_message) = s.common().split(api);
        }
        Ok(m)
    }
}

// --- MachineHealthCheck

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MachineHealthCheckSpec {
    cluster_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MachineHealthCheckStatus {
    expected_machines: Option<i32>,
    current_healthy: Option<i32>,
    remediations_allowed: Option<i32>,
    targets: Option<Vec<String>>,
    conditions: Option<Vec<RawCondition>>,
    v1beta2: Option<V1beta2Status>,
    deprecated: Option<Deprecated>,
}

impl MachineHealthCheck {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<MachineHealthCheck, ParseError> {
        let obj: Object<MachineHealthCheckSpec, MachineHealthCheckStatus> = from_value(v)?;
        let (api, raw_meta, spec, status) = obj.parts();
        let meta = raw_meta.into_meta();
        let mut h = MachineHealthCheck {
            api,
            ..MachineHealthCheck::default()
        };
        h.cluster_name = spec
            .and_then(|s| non_empty(s.cluster_name))
            .unwrap_or_else(|| meta.cluster_name());
        h.meta = meta;
        if let Some(s) = status {
            h.expected = s.expected_machines;
            h.healthy = s.current_healthy;
            h.remediations_allowed = s.remediations_allowed;
            h.targets = s.targets.unwrap_or_default();
            let common = CommonStatus {
                conditions: s.conditions,
                v1beta2: s.v1beta2,
                deprecated: s.deprecated,
                failure_message: None,
            };
            (h.conditions, h.legacy_conditions, _) = common.split(api);
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::super::meta::{CondStatus, Severity, condition, parse_time};
    use super::*;
    use serde_json::Value;

    fn yaml(s: &str) -> Value {
        crate::repo::yaml_serde::from_str(s).unwrap()
    }

    const CLUSTER_V1BETA2: &str = r#"
apiVersion: cluster.x-k8s.io/v1beta2
kind: Cluster
metadata:
  name: edge-berlin
  namespace: edge-berlin
  uid: 0b8d1c4e-1111-4a4a-9c9c-000000000001
  generation: 2
  creationTimestamp: "2026-05-12T09:14:03Z"
  labels: {blast.io/site: edge-berlin}
  annotations:
    argocd.argoproj.io/tracking-id: edge-berlin-capi:cluster.x-k8s.io/Cluster:edge-berlin/edge-berlin
    kubectl.kubernetes.io/last-applied-configuration: '{"secret":"do not keep"}'
  managedFields: [{manager: argocd-controller, operation: Apply}]
  finalizers: [cluster.cluster.x-k8s.io]
spec:
  controlPlaneEndpoint: {host: 10.40.0.10, port: 6443}
  controlPlaneRef: {apiGroup: controlplane.cluster.x-k8s.io, kind: TalosControlPlane, name: edge-berlin-cp}
  infrastructureRef: {apiGroup: infrastructure.cluster.x-k8s.io, kind: MetalCluster, name: edge-berlin}
  futureField: {whatever: 1}
status:
  phase: Provisioned
  observedGeneration: 2
  initialization: {infrastructureProvisioned: true, controlPlaneInitialized: true}
  controlPlane: {desiredReplicas: 3, replicas: 3, readyReplicas: 3, availableReplicas: 3, upToDateReplicas: 3, versions: [{version: v1.36.3, replicas: 3}]}
  workers: {desiredReplicas: 3, replicas: 3, readyReplicas: 2, availableReplicas: 2, upToDateReplicas: 3}
  failureDomains: [{name: r1, controlPlane: true}]
  conditions:
    - {type: Available, status: "True", reason: Available, message: "", lastTransitionTime: "2026-05-12T09:40:00Z", observedGeneration: 2}
    - {type: RemoteConnectionProbe, status: "True", reason: ProbeSucceeded, message: "", lastTransitionTime: "2026-05-12T09:35:00Z"}
  deprecated:
    v1beta1:
      conditions:
        - {type: Ready, status: "True", lastTransitionTime: "2026-05-12T09:40:00Z"}
      failureMessage: old failure
"#;

    const CLUSTER_V1BETA1: &str = r#"
apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: edge-lab
  namespace: edge-lab
  annotations: {cluster.x-k8s.io/paused: ""}
spec:
  controlPlaneEndpoint: {host: 10.41.0.10, port: 6443}
  controlPlaneRef: {apiVersion: controlplane.cluster.x-k8s.io/v1alpha3, kind: TalosControlPlane, name: edge-lab-cp, namespace: edge-lab}
  infrastructureRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3, kind: MetalCluster, name: edge-lab, namespace: edge-lab}
  topology: {class: talos, version: v1.36.3}
status:
  phase: Provisioning
  infrastructureReady: true
  controlPlaneReady: false
  failureMessage: "boom"
  failureDomains: {r1: {controlPlane: true}}
  conditions:
    - {type: Ready, status: "False", severity: Warning, reason: WaitingForControlPlane, lastTransitionTime: "2026-05-12T09:40:00Z"}
  v1beta2:
    conditions:
      - {type: Available, status: "False", reason: NotAvailable, message: "* ControlPlaneAvailable: waiting", lastTransitionTime: "2026-05-12T09:40:00Z"}
    controlPlane: {desiredReplicas: 3, replicas: 1, readyReplicas: 0}
    workers: {desiredReplicas: 0}
"#;

    #[test]
    fn cluster_v1beta2() {
        let c = Cluster::parse(&yaml(CLUSTER_V1BETA2)).unwrap();
        assert_eq!(c.api, CapiVersion::V1beta2);
        assert_eq!(c.meta.name, "edge-berlin");
        assert_eq!(c.meta.namespace.as_deref(), Some("edge-berlin"));
        assert_eq!(c.meta.generation, 2);
        assert_eq!(c.meta.created, parse_time("2026-05-12T09:14:03Z"));
        assert_eq!(
            c.meta.tracking_id.as_deref(),
            Some("edge-berlin-capi:cluster.x-k8s.io/Cluster:edge-berlin/edge-berlin")
        );
        assert_eq!(c.phase.as_deref(), Some("Provisioned"));
        assert!(!c.paused);
        assert_eq!(
            c.control_plane_ref,
            Some(ObjName {
                kind: "TalosControlPlane".into(),
                name: "edge-berlin-cp".into()
            })
        );
        assert_eq!(c.infrastructure_ref.as_ref().unwrap().kind, "MetalCluster");
        assert_eq!(c.endpoint.as_deref(), Some("10.40.0.10:6443"));
        assert_eq!(
            c.control_plane,
            Some(Replicas {
                desired: Some(3),
                current: Some(3),
                ready: Some(3),
                available: Some(3),
                up_to_date: Some(3)
            })
        );
        assert_eq!(c.workers.unwrap().ready, Some(2));
        assert_eq!(c.version, None);
        assert_eq!(c.infrastructure_ready, Some(true));
        assert_eq!(c.control_plane_ready, Some(true));
        assert_eq!(c.conditions.len(), 2);
        let avail = condition(&c.conditions, "Available").unwrap();
        assert_eq!(avail.status, CondStatus::True);
        assert_eq!(avail.since, parse_time("2026-05-12T09:40:00Z"));
        assert_eq!(c.legacy_conditions[0].type_, "Ready");
        assert_eq!(c.failure_message.as_deref(), Some("old failure"));
        // Nothing of the skipped annotations or managedFields survives.
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("do not keep") && !dbg.contains("argocd-controller"));
    }

    #[test]
    fn cluster_v1beta1() {
        let c = Cluster::parse(&yaml(CLUSTER_V1BETA1)).unwrap();
        assert_eq!(c.api, CapiVersion::V1beta1);
        assert!(c.paused, "paused by annotation");
        assert_eq!(c.control_plane_ref.as_ref().unwrap().name, "edge-lab-cp");
        assert_eq!(c.endpoint.as_deref(), Some("10.41.0.10:6443"));
        assert_eq!(c.version.as_deref(), Some("v1.36.3"));
        assert_eq!(c.infrastructure_ready, Some(true));
        assert_eq!(c.control_plane_ready, Some(false));
        assert_eq!(c.control_plane.unwrap().current, Some(1));
        assert_eq!(c.workers.unwrap().desired, Some(0));
        assert_eq!(c.conditions[0].type_, "Available");
        assert_eq!(c.conditions[0].status, CondStatus::False);
        assert_eq!(c.legacy_conditions[0].severity, Some(Severity::Warning));
        assert_eq!(c.legacy_conditions[0].reason, "WaitingForControlPlane");
        assert_eq!(c.failure_message.as_deref(), Some("boom"));
    }

    #[test]
    fn cluster_without_status_or_spec() {
        let c = Cluster::parse(&yaml(
            "apiVersion: cluster.x-k8s.io/v1beta2\nkind: Cluster\nmetadata: {name: x, namespace: y}\n",
        ))
        .unwrap();
        assert_eq!(c.meta.name, "x");
        assert_eq!(c.phase, None);
        assert_eq!(c.control_plane, None);
        assert!(c.conditions.is_empty());
        let c = Cluster::parse(&yaml(
            "apiVersion: cluster.x-k8s.io/v1beta2\nkind: Cluster\nmetadata: {name: x, creationTimestamp: null}\nspec: {paused: true}\nstatus: null\n",
        ))
        .unwrap();
        assert!(c.paused);
        assert_eq!(c.meta.created, None);
    }

    #[test]
    fn malformed_objects_name_the_path() {
        let e = Cluster::parse(&yaml(
            "apiVersion: cluster.x-k8s.io/v1beta2\nkind: Cluster\nmetadata: {name: x}\nstatus: garbage\n",
        ))
        .unwrap_err();
        assert_eq!(e.path, "status");
        assert!(
            e.message.starts_with("invalid type: string \"garbage\""),
            "{e}"
        );
        let e = MachineDeployment::parse(&yaml(
            "apiVersion: cluster.x-k8s.io/v1beta2\nkind: MachineDeployment\nmetadata: {name: x}\nspec: {replicas: three}\n",
        ))
        .unwrap_err();
        assert_eq!(e.path, "spec.replicas");
        assert_eq!(e.message, "invalid type: string \"three\", expected i32");
        assert_eq!(
            e.to_string(),
            "spec.replicas: invalid type: string \"three\", expected i32"
        );
        let e = Machine::parse(&yaml(
            "apiVersion: cluster.x-k8s.io/v1beta2\nkind: Machine\nmetadata: {name: x}\nstatus:\n  conditions:\n    - {type: Ready, status: \"True\"}\n    - {type: NodeReady, status: [1]}\n",
        ))
        .unwrap_err();
        assert_eq!(e.path, "status.conditions[1].status");
        let e = Machine::parse(&yaml(
            "apiVersion: cluster.x-k8s.io/v1beta2\nkind: Machine\nmetadata: {name: x, labels: {a: {b: c}}}\n",
        ))
        .unwrap_err();
        assert_eq!(e.path, "metadata.labels.a");
        // A malformed time is not an error, just unknown.
        let m = Machine::parse(&yaml(
            "apiVersion: cluster.x-k8s.io/v1beta2\nkind: Machine\nmetadata: {name: x, creationTimestamp: soon}\n",
        ))
        .unwrap();
        assert_eq!(m.meta.created, None);
    }

    const MACHINE_V1BETA2: &str = r#"
apiVersion: cluster.x-k8s.io/v1beta2
kind: Machine
metadata:
  name: edge-berlin-workers-rh5sb-2kq9d
  namespace: edge-berlin
  uid: u-1
  labels:
    cluster.x-k8s.io/cluster-name: edge-berlin
    cluster.x-k8s.io/deployment-name: edge-berlin-workers
    cluster.x-k8s.io/set-name: edge-berlin-workers-rh5sb
  ownerReferences:
    - {apiVersion: cluster.x-k8s.io/v1beta2, kind: Cluster, name: edge-berlin, uid: c}
    - {apiVersion: cluster.x-k8s.io/v1beta2, kind: MachineSet, name: edge-berlin-workers-rh5sb, uid: s, controller: true}
  deletionTimestamp: "2026-09-21T11:58:00Z"
spec:
  clusterName: edge-berlin
  version: v1.36.3
  providerID: sidero://00000000-0000-0000-0000-ac1f6b4e2a11
  bootstrap:
    configRef: {apiGroup: bootstrap.cluster.x-k8s.io, kind: TalosConfig, name: edge-berlin-workers-rh5sb-2kq9d}
    dataSecretName: edge-berlin-workers-rh5sb-2kq9d-bootstrap-data
  infrastructureRef: {apiGroup: infrastructure.cluster.x-k8s.io, kind: MetalMachine, name: edge-berlin-workers-rh5sb-2kq9d}
status:
  phase: Deleting
  nodeRef: {name: berlin-w-1}
  nodeInfo: {osImage: Talos (v1.13.10), kubeletVersion: v1.36.3, architecture: amd64}
  addresses:
    - {type: InternalIP, address: 10.40.0.21}
    - {type: Hostname, address: berlin-w-1}
  failureDomain: r1
  initialization: {infrastructureProvisioned: true, bootstrapDataSecretCreated: true}
  deletion: {nodeDrainStartTime: "2026-09-21T11:58:05Z"}
  conditions:
    - {type: Deleting, status: "True", reason: DrainingNode, message: "Drain not completed yet", lastTransitionTime: "2026-09-21T11:58:00Z"}
  deprecated:
    v1beta1:
      conditions:
        - {type: DrainingSucceeded, status: "False", severity: Info, reason: Draining, lastTransitionTime: "2026-09-21T11:58:05Z"}
"#;

    #[test]
    fn machine_v1beta2() {
        let m = Machine::parse(&yaml(MACHINE_V1BETA2)).unwrap();
        assert_eq!(m.cluster_name, "edge-berlin");
        assert_eq!(
            m.meta.owner,
            Some(super::super::meta::OwnerRef {
                kind: "MachineSet".into(),
                name: "edge-berlin-workers-rh5sb".into()
            }),
            "the controller owner wins over the first one"
        );
        assert_eq!(m.meta.deleting, parse_time("2026-09-21T11:58:00Z"));
        assert_eq!(m.phase.as_deref(), Some("Deleting"));
        assert_eq!(m.version.as_deref(), Some("v1.36.3"));
        assert_eq!(
            m.provider_id.as_deref(),
            Some("sidero://00000000-0000-0000-0000-ac1f6b4e2a11")
        );
        assert_eq!(m.node_name.as_deref(), Some("berlin-w-1"));
        assert_eq!(m.os_image.as_deref(), Some("Talos (v1.13.10)"));
        assert_eq!(m.kubelet_version.as_deref(), Some("v1.36.3"));
        assert_eq!(m.addresses.len(), 2);
        assert_eq!(m.addresses[0].type_, "InternalIP");
        assert!(!m.control_plane);
        assert_eq!(m.deployment.as_deref(), Some("edge-berlin-workers"));
        assert_eq!(m.machine_set.as_deref(), Some("edge-berlin-workers-rh5sb"));
        assert_eq!(m.infrastructure_ref.as_ref().unwrap().kind, "MetalMachine");
        assert_eq!(m.bootstrap_ref.as_ref().unwrap().kind, "TalosConfig");
        assert_eq!(m.draining_since, parse_time("2026-09-21T11:58:05Z"));
        assert_eq!(m.failure_domain.as_deref(), Some("r1"));
        assert_eq!(m.infrastructure_ready, Some(true));
        assert_eq!(m.bootstrap_ready, Some(true));
        assert_eq!(m.conditions[0].reason, "DrainingNode");
        assert_eq!(m.legacy_conditions[0].severity, Some(Severity::Info));
    }

    #[test]
    fn machine_v1beta1() {
        let m = Machine::parse(&yaml(
            r#"
apiVersion: cluster.x-k8s.io/v1beta1
kind: Machine
metadata:
  name: edge-lab-cp-7vj2k
  namespace: edge-lab
  labels: {cluster.x-k8s.io/cluster-name: edge-lab, cluster.x-k8s.io/control-plane: ""}
spec:
  clusterName: edge-lab
  version: v1.36.3
  bootstrap:
    configRef: {apiVersion: bootstrap.cluster.x-k8s.io/v1alpha3, kind: TalosConfig, name: edge-lab-cp-x2b7q, namespace: edge-lab}
  infrastructureRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3, kind: MetalMachine, name: edge-lab-cp-h6k9d, namespace: edge-lab}
status:
  phase: Running
  bootstrapReady: true
  infrastructureReady: true
  nodeRef: {apiVersion: v1, kind: Node, name: lab-1, uid: n-1}
  nodeInfo: {osImage: Talos (v1.13.10), kubeletVersion: v1.36.3}
  failureReason: UpdateError
  failureMessage: could not update
  conditions:
    - {type: Ready, status: "True", lastTransitionTime: "2026-05-12T09:40:00Z"}
  v1beta2:
    conditions:
      - {type: Available, status: "True", reason: Available, message: "", lastTransitionTime: "2026-05-12T09:40:00Z"}
      - {type: NodeReady, status: "True", reason: NodeReady, message: "", lastTransitionTime: "2026-05-12T09:40:00Z"}
"#,
        ))
        .unwrap();
        assert_eq!(m.api, CapiVersion::V1beta1);
        assert!(m.control_plane);
        assert_eq!(m.node_name.as_deref(), Some("lab-1"));
        assert_eq!(m.bootstrap_ref.as_ref().unwrap().name, "edge-lab-cp-x2b7q");
        assert_eq!(m.infrastructure_ready, Some(true));
        assert_eq!(m.bootstrap_ready, Some(true));
        assert_eq!(
            condition(&m.conditions, "NodeReady").unwrap().status,
            CondStatus::True
        );
        assert_eq!(m.legacy_conditions[0].type_, "Ready");
        assert_eq!(m.failure_message.as_deref(), Some("could not update"));
    }

    #[test]
    fn machine_deployment_both_versions() {
        let d = MachineDeployment::parse(&yaml(
            r#"
apiVersion: cluster.x-k8s.io/v1beta2
kind: MachineDeployment
metadata: {name: edge-berlin-workers, namespace: edge-berlin}
spec:
  clusterName: edge-berlin
  replicas: 4
  template: {spec: {clusterName: edge-berlin, version: v1.36.3}}
status:
  phase: ScalingUp
  replicas: 4
  readyReplicas: 3
  availableReplicas: 3
  upToDateReplicas: 4
  conditions:
    - {type: ScalingUp, status: "True", reason: ScalingUp, message: "Scaling up from 3 to 4 replicas", lastTransitionTime: "2026-09-21T11:00:00Z"}
  deprecated: {v1beta1: {readyReplicas: 3, updatedReplicas: 4, conditions: [{type: Ready, status: "False", severity: Warning, lastTransitionTime: "2026-09-21T11:00:00Z"}]}}
"#,
        ))
        .unwrap();
        assert_eq!(
            d.replicas,
            Replicas {
                desired: Some(4),
                current: Some(4),
                ready: Some(3),
                available: Some(3),
                up_to_date: Some(4)
            }
        );
        assert_eq!(d.phase.as_deref(), Some("ScalingUp"));
        assert_eq!(d.version.as_deref(), Some("v1.36.3"));
        assert_eq!(d.conditions[0].type_, "ScalingUp");
        assert_eq!(d.legacy_conditions[0].type_, "Ready");

        let old = MachineDeployment::parse(&yaml(
            r#"
apiVersion: cluster.x-k8s.io/v1beta1
kind: MachineDeployment
metadata: {name: edge-lab-workers, namespace: edge-lab, labels: {cluster.x-k8s.io/cluster-name: edge-lab}}
spec: {replicas: 2, paused: true, template: {spec: {version: v1.36.3}}}
status:
  phase: Running
  replicas: 2
  readyReplicas: 2
  availableReplicas: 2
  updatedReplicas: 1
  v1beta2: {readyReplicas: 1, upToDateReplicas: 1}
"#,
        ))
        .unwrap();
        assert_eq!(old.cluster_name, "edge-lab", "from the label");
        assert!(old.paused);
        assert_eq!(
            old.replicas,
            Replicas {
                desired: Some(2),
                current: Some(2),
                ready: Some(1),
                available: Some(2),
                up_to_date: Some(1)
            }
        );
        let bare = MachineDeployment::parse(&yaml(
            "apiVersion: cluster.x-k8s.io/v1beta2\nkind: MachineDeployment\nmetadata: {name: x}\nspec: {replicas: 3}\n",
        ))
        .unwrap();
        assert_eq!(bare.replicas.desired, Some(3));
        assert_eq!(bare.replicas.current, None);
    }

    #[test]
    fn machine_set_and_health_check() {
        let s = MachineSet::parse(&yaml(
            r#"
apiVersion: cluster.x-k8s.io/v1beta2
kind: MachineSet
metadata:
  name: edge-berlin-workers-rh5sb
  namespace: edge-berlin
  ownerReferences: [{apiVersion: cluster.x-k8s.io/v1beta2, kind: MachineDeployment, name: edge-berlin-workers, uid: d, controller: true}]
spec: {clusterName: edge-berlin, replicas: 3}
status:
  replicas: 3
  readyReplicas: 3
  availableReplicas: 3
  upToDateReplicas: 3
  deprecated: {v1beta1: {failureMessage: nope, fullyLabeledReplicas: 3}}
"#,
        ))
        .unwrap();
        assert_eq!(s.deployment.as_deref(), Some("edge-berlin-workers"));
        assert_eq!(s.replicas.ready, Some(3));
        assert_eq!(s.failure_message.as_deref(), Some("nope"));

        let h = MachineHealthCheck::parse(&yaml(
            r#"
apiVersion: cluster.x-k8s.io/v1beta1
kind: MachineHealthCheck
metadata: {name: edge-lab-workers, namespace: edge-lab}
spec: {clusterName: edge-lab, maxUnhealthy: 1, nodeStartupTimeout: 40m0s}
status:
  expectedMachines: 2
  currentHealthy: 1
  remediationsAllowed: 0
  targets: [a, b]
  conditions: [{type: RemediationAllowed, status: "False", severity: Warning, reason: TooManyUnhealthy, lastTransitionTime: "2026-09-21T11:00:00Z"}]
  v1beta2: {conditions: [{type: RemediationAllowed, status: "False", reason: TooManyUnhealthy, message: "", lastTransitionTime: "2026-09-21T11:00:00Z"}]}
"#,
        ))
        .unwrap();
        assert_eq!(h.cluster_name, "edge-lab");
        assert_eq!(
            (h.expected, h.healthy, h.remediations_allowed),
            (Some(2), Some(1), Some(0))
        );
        assert_eq!(h.targets, ["a", "b"]);
        assert_eq!(h.conditions[0].severity, None);
        assert_eq!(h.legacy_conditions[0].severity, Some(Severity::Warning));
    }
}
