//! Talos providers: TalosControlPlane (CACPPT, `controlplane.cluster.x-k8s.io/v1alpha3`) and
//! TalosConfig (CABPT, `bootstrap.cluster.x-k8s.io/v1alpha3`, also the old `v1alpha2`).
//!
//! Never read: `TalosConfig.spec.data` (raw machine config) and `TalosConfig.status.talosConfig`
//! (a talosctl client config with admin credentials). They are not even declared below, so serde
//! skips them without copying.

use super::meta::Json;
use serde::Deserialize;

use super::meta::{
    Condition, Meta, ParseError, RawCondition, RawMeta, Replicas, conditions, from_value,
};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TalosControlPlane {
    pub meta: Meta,
    /// Label `cluster.x-k8s.io/cluster-name`, else the owning Cluster.
    pub cluster_name: String,
    /// desired = `spec.replicas`, current = `status.replicas`, ready = `status.readyReplicas`
    /// (Ready control-plane Nodes). CACPPT has no available/up-to-date counters.
    pub replicas: Replicas,
    pub unavailable: Option<i32>,
    /// `spec.version`: desired Kubernetes version.
    pub version: Option<String>,
    /// `status.version`: lowest Kubernetes version among the control-plane Machines.
    pub status_version: Option<String>,
    /// `spec.controlPlaneConfig.controlplane.talosVersion` (else `init`): the config contract,
    /// not the installed Talos version.
    pub talos_version: Option<String>,
    /// True when at least one control-plane Node is Ready.
    pub ready: bool,
    pub initialized: bool,
    pub bootstrapped: bool,
    /// v1beta1-shape conditions (with severity).
    pub conditions: Vec<Condition>,
    pub failure_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TalosConfig {
    pub meta: Meta,
    pub cluster_name: String,
    /// `init` | `controlplane` | `worker` | `none`.
    pub generate_type: Option<String>,
    pub talos_version: Option<String>,
    pub ready: bool,
    /// `<machine>-bootstrap-data`: the name only, the Secret is never read.
    pub data_secret_name: Option<String>,
    pub conditions: Vec<Condition>,
    pub failure_message: Option<String>,
}

/// The Talos version in a Node's `osImage`: `Talos (v1.11.3)` → `v1.11.3`.
pub fn talos_version(os_image: &str) -> Option<String> {
    let v = os_image.trim().strip_prefix("Talos (")?.strip_suffix(')')?;
    let digits = v.strip_prefix('v')?;
    if digits.starts_with(|c: char| c.is_ascii_digit()) && !v.contains([')', '(', ' ']) {
        Some(v.to_string())
    } else {
        None
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Object<S, T> {
    metadata: Option<RawMeta>,
    spec: Option<S>,
    status: Option<T>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TalosControlPlaneSpec {
    replicas: Option<i32>,
    version: Option<String>,
    control_plane_config: Option<ControlPlaneConfig>,
}

#[derive(Deserialize)]
struct ControlPlaneConfig {
    init: Option<ConfigContract>,
    controlplane: Option<ConfigContract>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigContract {
    talos_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TalosControlPlaneStatus {
    replicas: Option<i32>,
    ready_replicas: Option<i32>,
    unavailable_replicas: Option<i32>,
    version: Option<String>,
    ready: Option<bool>,
    initialized: Option<bool>,
    bootstrapped: Option<bool>,
    conditions: Option<Vec<RawCondition>>,
    failure_message: Option<String>,
}

impl TalosControlPlane {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<TalosControlPlane, ParseError> {
        let obj: Object<TalosControlPlaneSpec, TalosControlPlaneStatus> = from_value(v)?;
        let meta = obj.metadata.unwrap_or_default().into_meta();
        let mut t = TalosControlPlane {
            cluster_name: meta.cluster_name(),
            meta,
            ..TalosControlPlane::default()
        };
        if let Some(spec) = obj.spec {
            t.replicas.desired = spec.replicas;
            t.version = non_empty(spec.version);
            if let Some(cfg) = spec.control_plane_config {
                t.talos_version = non_empty(cfg.controlplane.and_then(|c| c.talos_version))
                    .or_else(|| non_empty(cfg.init.and_then(|c| c.talos_version)));
            }
        }
        if let Some(s) = obj.status {
            t.replicas.current = s.replicas;
            t.replicas.ready = s.ready_replicas;
            t.unavailable = s.unavailable_replicas;
            t.status_version = non_empty(s.version);
            t.ready = s.ready.unwrap_or(false);
            t.initialized = s.initialized.unwrap_or(false);
            t.bootstrapped = s.bootstrapped.unwrap_or(false);
            t.conditions = conditions(s.conditions);
            t.failure_message = non_empty(s.failure_message);
        }
        Ok(t)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TalosConfigSpec {
    generate_type: Option<String>,
    talos_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TalosConfigStatus {
    ready: Option<bool>,
    data_secret_name: Option<String>,
    conditions: Option<Vec<RawCondition>>,
    failure_message: Option<String>,
    /// v1alpha2's name for the failure message.
    error_message: Option<String>,
}

impl TalosConfig {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<TalosConfig, ParseError> {
        let obj: Object<TalosConfigSpec, TalosConfigStatus> = from_value(v)?;
        let meta = obj.metadata.unwrap_or_default().into_meta();
        let mut t = TalosConfig {
            cluster_name: meta.cluster_name(),
            meta,
            ..TalosConfig::default()
        };
        if let Some(spec) = obj.spec {
            t.generate_type = non_empty(spec.generate_type);
            t.talos_version = non_empty(spec.talos_version);
        }
        if let Some(s) = obj.status {
            t.ready = s.ready.unwrap_or(false);
            t.data_secret_name = non_empty(s.data_secret_name);
            t.conditions = conditions(s.conditions);
            t.failure_message = non_empty(s.failure_message).or_else(|| non_empty(s.error_message));
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::super::meta::{CondStatus, Severity, condition};
    use super::*;
    use serde_json::Value;

    fn yaml(s: &str) -> Value {
        crate::repo::yaml_serde::from_str(s).unwrap()
    }

    #[test]
    fn talos_versions_from_os_image() {
        assert_eq!(talos_version("Talos (v1.11.3)").as_deref(), Some("v1.11.3"));
        assert_eq!(
            talos_version("Talos (v1.13.0-beta.1)").as_deref(),
            Some("v1.13.0-beta.1")
        );
        assert_eq!(
            talos_version("Talos (v1.13.10)").as_deref(),
            Some("v1.13.10")
        );
        for other in [
            "K3s v1.35.5+k3s1",
            "Ubuntu 24.04.3 LTS",
            "Talos",
            "Talos ()",
            "Talos (1.11.3)",
            "Talos (vx)",
            "",
        ] {
            assert_eq!(talos_version(other), None, "{other}");
        }
    }

    #[test]
    fn talos_control_plane() {
        let t = TalosControlPlane::parse(&yaml(
            r#"
apiVersion: controlplane.cluster.x-k8s.io/v1alpha3
kind: TalosControlPlane
metadata:
  name: edge-berlin-cp
  namespace: edge-berlin
  labels: {cluster.x-k8s.io/cluster-name: edge-berlin}
spec:
  version: v1.36.3
  replicas: 3
  infrastructureTemplate: {apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3, kind: MetalMachineTemplate, name: edge-berlin-cp}
  controlPlaneConfig:
    controlplane: {generateType: controlplane, talosVersion: v1.13, strategicPatches: ["machine: {}"]}
status:
  ready: true
  initialized: true
  bootstrapped: true
  replicas: 3
  readyReplicas: 2
  unavailableReplicas: 1
  version: v1.36.2
  selector: cluster.x-k8s.io/cluster-name=edge-berlin,cluster.x-k8s.io/control-plane
  conditions:
    - {type: MachinesSpecUpToDate, status: "False", severity: Warning, reason: RollingUpdateInProgress, message: "Rolling 3 replicas with outdated spec (2 replicas up to date)", lastTransitionTime: "2026-09-21T11:00:00Z"}
    - {type: Ready, status: "True", lastTransitionTime: "2026-05-12T09:40:00Z"}
"#,
        ))
        .unwrap();
        assert_eq!(t.cluster_name, "edge-berlin");
        assert_eq!(
            t.replicas,
            Replicas {
                desired: Some(3),
                current: Some(3),
                ready: Some(2),
                available: None,
                up_to_date: None
            }
        );
        assert_eq!(t.unavailable, Some(1));
        assert_eq!(t.version.as_deref(), Some("v1.36.3"));
        assert_eq!(t.status_version.as_deref(), Some("v1.36.2"));
        assert_eq!(t.talos_version.as_deref(), Some("v1.13"));
        assert!(t.ready && t.initialized && t.bootstrapped);
        let c = condition(&t.conditions, "MachinesSpecUpToDate").unwrap();
        assert_eq!(c.severity, Some(Severity::Warning));
        assert_eq!(c.reason, "RollingUpdateInProgress");

        let bare = TalosControlPlane::parse(&yaml(
            "apiVersion: controlplane.cluster.x-k8s.io/v1alpha3\nkind: TalosControlPlane\nmetadata:\n  name: x\n  ownerReferences: [{kind: Cluster, name: edge-lab, apiVersion: cluster.x-k8s.io/v1beta2, uid: u}]\n",
        ))
        .unwrap();
        assert_eq!(bare.cluster_name, "edge-lab", "from the owner");
        assert!(!bare.ready);
        let e = TalosControlPlane::parse(&yaml(
            "apiVersion: controlplane.cluster.x-k8s.io/v1alpha3\nkind: TalosControlPlane\nmetadata: {name: x}\nstatus: {ready: \"yes\"}\n",
        ))
        .unwrap_err();
        assert_eq!(e.path, "status.ready");
    }

    #[test]
    fn talos_config_keeps_no_credentials() {
        let t = TalosConfig::parse(&yaml(
            r#"
apiVersion: bootstrap.cluster.x-k8s.io/v1alpha3
kind: TalosConfig
metadata:
  name: edge-berlin-cp-m4wz9
  namespace: edge-berlin
  labels: {cluster.x-k8s.io/cluster-name: edge-berlin}
  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{\"spec\":{\"data\":\"TOPSECRET-LAST-APPLIED\"}}"}
spec:
  generateType: controlplane
  talosVersion: v1.13
  data: "machine: {token: TOPSECRET-MACHINE-TOKEN}"
status:
  ready: true
  dataSecretName: edge-berlin-cp-m4wz9-bootstrap-data
  talosConfig: "context: admin\ncontexts: {admin: {key: TOPSECRET-CLIENT-KEY}}"
  conditions:
    - {type: DataSecretAvailable, status: "True", lastTransitionTime: "2026-05-12T09:20:00Z"}
"#,
        ))
        .unwrap();
        assert_eq!(t.cluster_name, "edge-berlin");
        assert_eq!(t.generate_type.as_deref(), Some("controlplane"));
        assert_eq!(t.talos_version.as_deref(), Some("v1.13"));
        assert!(t.ready);
        assert_eq!(
            t.data_secret_name.as_deref(),
            Some("edge-berlin-cp-m4wz9-bootstrap-data")
        );
        assert_eq!(t.conditions[0].status, CondStatus::True);
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("TOPSECRET"), "{dbg}");

        let old = TalosConfig::parse(&yaml(
            "apiVersion: bootstrap.cluster.x-k8s.io/v1alpha2\nkind: TalosConfig\nmetadata: {name: x}\nspec: {generateType: none, data: TOPSECRET}\nstatus: {ready: false, errorMessage: bad patch, bootstrapData: VE9QU0VDUkVU}\n",
        ))
        .unwrap();
        assert_eq!(old.failure_message.as_deref(), Some("bad patch"));
        assert!(!format!("{old:?}").contains("TOPSECRET"));
        assert!(!format!("{old:?}").contains("VE9QU0VDUkVU"));
    }
}
