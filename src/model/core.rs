//! Core kinds: Node (of any cluster, read through its kubeconfig), Namespace, Event.
//!
//! Node conditions keep no heartbeat time, so a kubelet heartbeat (which only moves
//! `lastHeartbeatTime` and the resourceVersion) parses to an equal model.

use super::meta::Json;
use serde::Deserialize;

use super::capi::NodeInfo;
use super::meta::{
    Address, CondStatus, Meta, ParseError, Quantity, RawAddress, RawCondition, RawMeta, Time,
    addresses, conditions, from_value, time,
};
use super::talos::talos_version;

/// Node label Sidero matches a Server by (`metal.sidero.dev/uuid=<server uuid>`).
pub const SIDERO_UUID_LABEL: &str = "metal.sidero.dev/uuid";
const ROLE_PREFIX: &str = "node-role.kubernetes.io/";
const PRESSURE_CONDITIONS: [&str; 4] = [
    "MemoryPressure",
    "DiskPressure",
    "PIDPressure",
    "NetworkUnavailable",
];

/// `cpu`, `memory` and `pods` of a Node's capacity or allocatable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Resources {
    pub cpu_millis: Option<u64>,
    pub memory_bytes: Option<u64>,
    pub pods: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Taint {
    pub key: String,
    pub value: Option<String>,
    /// `NoSchedule` | `PreferNoSchedule` | `NoExecute`.
    pub effect: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    pub meta: Meta,
    /// Status of the `Ready` condition (Unknown when absent).
    pub ready: CondStatus,
    /// `lastTransitionTime` of `Ready`.
    pub ready_since: Option<Time>,
    pub ready_reason: String,
    pub ready_message: String,
    /// From labels `node-role.kubernetes.io/<role>` (sorted).
    pub roles: Vec<String>,
    pub addresses: Vec<Address>,
    pub kubelet_version: Option<String>,
    pub os_image: Option<String>,
    /// From `os_image` `Talos (v1.13.10)`.
    pub talos_version: Option<String>,
    pub kernel_version: Option<String>,
    pub container_runtime: Option<String>,
    pub capacity: Resources,
    pub allocatable: Resources,
    /// MemoryPressure / DiskPressure / PIDPressure / NetworkUnavailable conditions that are True.
    pub pressure: Vec<String>,
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    pub provider_id: Option<String>,
    /// Label `metal.sidero.dev/uuid`, else the UUID of a `sidero://<uuid>` providerID.
    pub sidero_uuid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Namespace {
    pub meta: Meta,
    /// `Active` | `Terminating`.
    pub phase: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvolvedObject {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    pub meta: Meta,
    pub involved: InvolvedObject,
    /// `Normal` | `Warning`.
    pub type_: String,
    pub reason: String,
    pub message: String,
    /// `count` (events.k8s.io: `deprecatedCount`), else `series.count`, else 1.
    pub count: i32,
    /// `firstTimestamp`, else `eventTime`.
    pub first: Option<Time>,
    /// `lastTimestamp` (`deprecatedLastTimestamp`), else `series.lastObservedTime`, else
    /// `eventTime`, else `first`.
    pub last: Option<Time>,
    /// `source.component`, else `reportingComponent` / `reportingController`.
    pub source: Option<String>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

// --- Node

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NodeObject {
    metadata: Option<RawMeta>,
    spec: Option<NodeSpec>,
    status: Option<NodeStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NodeSpec {
    #[serde(rename = "providerID")]
    provider_id: Option<String>,
    unschedulable: Option<bool>,
    taints: Option<Vec<RawTaint>>,
}

#[derive(Deserialize)]
struct RawTaint {
    key: Option<String>,
    value: Option<String>,
    effect: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NodeStatus {
    conditions: Option<Vec<RawCondition>>,
    addresses: Option<Vec<RawAddress>>,
    node_info: Option<NodeInfo>,
    capacity: Option<RawResources>,
    allocatable: Option<RawResources>,
}

#[derive(Deserialize)]
struct RawResources {
    cpu: Option<Quantity>,
    memory: Option<Quantity>,
    pods: Option<Quantity>,
}

impl RawResources {
    fn into_resources(self) -> Resources {
        let non_neg = |q: Option<Quantity>, scale: f64| {
            q.and_then(|q| q.0)
                .filter(|v| *v >= 0.0 && v.is_finite())
                .map(|v| (v * scale).round() as u64)
        };
        Resources {
            cpu_millis: non_neg(self.cpu, 1000.0),
            memory_bytes: non_neg(self.memory, 1.0),
            pods: non_neg(self.pods, 1.0),
        }
    }
}

impl Node {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<Node, ParseError> {
        let obj: NodeObject = from_value(v)?;
        let meta = obj.metadata.unwrap_or_default().into_meta();
        let mut roles: Vec<String> = meta
            .labels
            .keys()
            .filter_map(|k| k.strip_prefix(ROLE_PREFIX))
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(r) = meta.label("kubernetes.io/role")
            && !r.is_empty()
            && !roles.iter().any(|x| x == r)
        {
            roles.push(r.to_string());
            roles.sort();
        }
        let mut n = Node {
            roles,
            sidero_uuid: meta
                .label(SIDERO_UUID_LABEL)
                .filter(|u| !u.is_empty())
                .map(str::to_string),
            meta,
            ..Node::default()
        };
        if let Some(spec) = obj.spec {
            n.provider_id = non_empty(spec.provider_id);
            n.unschedulable = spec.unschedulable.unwrap_or(false);
            n.taints = spec
                .taints
                .unwrap_or_default()
                .into_iter()
                .map(|t| Taint {
                    key: t.key.unwrap_or_default(),
                    value: non_empty(t.value),
                    effect: t.effect.unwrap_or_default(),
                })
                .collect();
        }
        if n.sidero_uuid.is_none() {
            n.sidero_uuid = n
                .provider_id
                .as_deref()
                .and_then(|p| p.strip_prefix("sidero://"))
                .filter(|u| !u.is_empty())
                .map(str::to_string);
        }
        if let Some(st) = obj.status {
            for c in conditions(st.conditions) {
                if c.type_ == "Ready" {
                    n.ready = c.status;
                    n.ready_since = c.since;
                    n.ready_reason = c.reason;
                    n.ready_message = c.message;
                } else if c.status == CondStatus::True
                    && PRESSURE_CONDITIONS.contains(&c.type_.as_str())
                {
                    n.pressure.push(c.type_);
                }
            }
            n.addresses = addresses(st.addresses);
            if let Some(info) = st.node_info {
                n.kubelet_version = non_empty(info.kubelet_version);
                n.os_image = non_empty(info.os_image);
                n.talos_version = n.os_image.as_deref().and_then(talos_version);
                n.kernel_version = non_empty(info.kernel_version);
                n.container_runtime = non_empty(info.container_runtime_version);
            }
            n.capacity = st
                .capacity
                .map(RawResources::into_resources)
                .unwrap_or_default();
            n.allocatable = st
                .allocatable
                .map(RawResources::into_resources)
                .unwrap_or_default();
        }
        Ok(n)
    }
}

// --- Namespace

#[derive(Deserialize)]
struct NamespaceObject {
    metadata: Option<RawMeta>,
    status: Option<NamespaceStatus>,
}

#[derive(Deserialize)]
struct NamespaceStatus {
    phase: Option<String>,
}

impl Namespace {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<Namespace, ParseError> {
        let obj: NamespaceObject = from_value(v)?;
        Ok(Namespace {
            meta: obj.metadata.unwrap_or_default().into_meta(),
            phase: non_empty(obj.status.and_then(|s| s.phase)),
        })
    }
}

// --- Event

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventObject {
    metadata: Option<RawMeta>,
    involved_object: Option<RawInvolved>,
    /// events.k8s.io name of `involvedObject`.
    regarding: Option<RawInvolved>,
    reason: Option<String>,
    message: Option<String>,
    /// events.k8s.io name of `message`.
    note: Option<String>,
    #[serde(rename = "type")]
    type_: Option<String>,
    count: Option<i32>,
    first_timestamp: Option<String>,
    last_timestamp: Option<String>,
    event_time: Option<String>,
    series: Option<EventSeries>,
    source: Option<EventSource>,
    reporting_component: Option<String>,
    reporting_controller: Option<String>,
    /// events.k8s.io/v1 names of core/v1's `count`, `firstTimestamp`, `lastTimestamp`, `source`.
    deprecated_count: Option<i32>,
    deprecated_first_timestamp: Option<String>,
    deprecated_last_timestamp: Option<String>,
    deprecated_source: Option<EventSource>,
}

#[derive(Deserialize)]
struct RawInvolved {
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventSeries {
    count: Option<i32>,
    last_observed_time: Option<String>,
}

#[derive(Deserialize)]
struct EventSource {
    component: Option<String>,
}

impl Event {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<Event, ParseError> {
        let e: EventObject = from_value(v)?;
        let involved = e
            .involved_object
            .or(e.regarding)
            .map(|i| InvolvedObject {
                kind: i.kind.unwrap_or_default(),
                namespace: non_empty(i.namespace),
                name: i.name.unwrap_or_default(),
            })
            .unwrap_or_default();
        let event_time = time(&e.event_time);
        let (series_count, series_last) = match e.series {
            Some(s) => (s.count, time(&s.last_observed_time)),
            None => (None, None),
        };
        let first = time(&e.first_timestamp)
            .or_else(|| time(&e.deprecated_first_timestamp))
            .or(event_time);
        let last = time(&e.last_timestamp)
            .or_else(|| time(&e.deprecated_last_timestamp))
            .or(series_last)
            .or(event_time)
            .or(first);
        Ok(Event {
            meta: e.metadata.unwrap_or_default().into_meta(),
            involved,
            type_: e.type_.unwrap_or_default(),
            reason: e.reason.unwrap_or_default(),
            message: non_empty(e.message).or(e.note).unwrap_or_default(),
            count: [e.count, e.deprecated_count, series_count]
                .into_iter()
                .flatten()
                .find(|n| *n > 0)
                .unwrap_or(1),
            first,
            last,
            source: e
                .source
                .or(e.deprecated_source)
                .and_then(|s| non_empty(s.component))
                .or_else(|| non_empty(e.reporting_component))
                .or_else(|| non_empty(e.reporting_controller)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::meta::parse_time;
    use super::*;
    use serde_json::Value;

    fn yaml(s: &str) -> Value {
        crate::repo::yaml_serde::from_str(s).unwrap()
    }

    const NODE: &str = r#"
apiVersion: v1
kind: Node
metadata:
  name: berlin-cp-1
  uid: n-1
  resourceVersion: "4711"
  creationTimestamp: "2026-09-05T09:31:12Z"
  labels:
    kubernetes.io/hostname: berlin-cp-1
    node-role.kubernetes.io/control-plane: ""
    metal.sidero.dev/uuid: 4c4c4544-0042-3610-8052-b3c04f4d3131
  annotations: {node.alpha.kubernetes.io/ttl: "0"}
  managedFields: [{manager: kubelet}]
spec:
  podCIDR: 10.244.0.0/24
  providerID: sidero://4c4c4544-0042-3610-8052-b3c04f4d3131
  taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
status:
  addresses: [{type: InternalIP, address: 10.40.0.11}, {type: Hostname, address: berlin-cp-1}]
  capacity: {cpu: "24", memory: 65718148Ki, pods: "110", ephemeral-storage: 459378636Ki, hugepages-2Mi: "0"}
  allocatable: {cpu: 23950m, memory: 65521540Ki, pods: "110"}
  conditions:
    - {type: MemoryPressure, status: "False", reason: KubeletHasSufficientMemory, message: kubelet has sufficient memory available, lastHeartbeatTime: "2026-09-21T11:59:40Z", lastTransitionTime: "2026-09-05T09:31:12Z"}
    - {type: DiskPressure, status: "True", reason: KubeletHasDiskPressure, message: kubelet has disk pressure, lastHeartbeatTime: "2026-09-21T11:59:40Z", lastTransitionTime: "2026-09-21T10:00:00Z"}
    - {type: PIDPressure, status: "False", reason: KubeletHasSufficientPID, message: kubelet has sufficient PID available, lastHeartbeatTime: "2026-09-21T11:59:40Z", lastTransitionTime: "2026-09-05T09:31:12Z"}
    - {type: Ready, status: "True", reason: KubeletReady, message: kubelet is posting ready status, lastHeartbeatTime: "2026-09-21T11:59:40Z", lastTransitionTime: "2026-09-05T09:31:44Z"}
  daemonEndpoints: {kubeletEndpoint: {Port: 10250}}
  images: [{names: [registry.k8s.io/pause:3.10], sizeBytes: 320368}]
  nodeInfo:
    architecture: amd64
    bootID: 7e0c1a52-8f1e-4b8e-9c3f-2d6a4f1b9e01
    containerRuntimeVersion: containerd://2.2.3
    kernelVersion: 6.18.18-talos
    kubeProxyVersion: ""
    kubeletVersion: v1.36.3
    machineID: 2f6a9d0c4b1e4e0f8a7d3c5b9e1f0a21
    operatingSystem: linux
    osImage: Talos (v1.13.10)
    systemUUID: 4c4c4544-0042-3610-8052-b3c04f4d3131
"#;

    #[test]
    fn node() {
        let n = Node::parse(&yaml(NODE)).unwrap();
        assert_eq!(n.meta.name, "berlin-cp-1");
        assert_eq!(n.ready, CondStatus::True);
        assert_eq!(n.ready_since, parse_time("2026-09-05T09:31:44Z"));
        assert_eq!(n.ready_reason, "KubeletReady");
        assert_eq!(n.ready_message, "kubelet is posting ready status");
        assert_eq!(n.roles, ["control-plane"]);
        assert_eq!(n.addresses[0].address, "10.40.0.11");
        assert_eq!(n.kubelet_version.as_deref(), Some("v1.36.3"));
        assert_eq!(n.os_image.as_deref(), Some("Talos (v1.13.10)"));
        assert_eq!(n.talos_version.as_deref(), Some("v1.13.10"));
        assert_eq!(n.kernel_version.as_deref(), Some("6.18.18-talos"));
        assert_eq!(n.container_runtime.as_deref(), Some("containerd://2.2.3"));
        assert_eq!(
            n.capacity,
            Resources {
                cpu_millis: Some(24000),
                memory_bytes: Some(65718148 * 1024),
                pods: Some(110)
            }
        );
        assert_eq!(n.allocatable.cpu_millis, Some(23950));
        assert_eq!(n.pressure, ["DiskPressure"]);
        assert_eq!(
            n.taints,
            [Taint {
                key: "node-role.kubernetes.io/control-plane".into(),
                value: None,
                effect: "NoSchedule".into()
            }]
        );
        assert!(!n.unschedulable);
        assert_eq!(
            n.sidero_uuid.as_deref(),
            Some("4c4c4544-0042-3610-8052-b3c04f4d3131")
        );
    }

    #[test]
    fn heartbeat_only_change_parses_equal() {
        let a = yaml(NODE);
        let mut b = a.clone();
        for c in b["status"]["conditions"].as_array_mut().unwrap() {
            c["lastHeartbeatTime"] = "2026-09-21T12:00:20Z".into();
        }
        b["metadata"]["resourceVersion"] = "4712".into();
        b["metadata"]["managedFields"][0]["time"] = "2026-09-21T12:00:20Z".into();
        assert_ne!(a, b);
        assert_eq!(Node::parse(&a).unwrap(), Node::parse(&b).unwrap());
        // A real transition does change the model.
        let mut c = a.clone();
        c["status"]["conditions"][3]["status"] = "Unknown".into();
        assert_ne!(Node::parse(&a).unwrap(), Node::parse(&c).unwrap());
    }

    #[test]
    fn node_without_status_and_uuid_from_provider_id() {
        let n = Node::parse(&yaml(
            "apiVersion: v1\nkind: Node\nmetadata: {name: talos-7ds-m2q, labels: {kubernetes.io/role: worker}}\nspec: {providerID: \"sidero://00000000-0000-0000-0000-ac1f6b4e2a14\", unschedulable: true}\n",
        ))
        .unwrap();
        assert_eq!(n.ready, CondStatus::Unknown);
        assert_eq!(n.roles, ["worker"]);
        assert!(n.unschedulable);
        assert_eq!(
            n.sidero_uuid.as_deref(),
            Some("00000000-0000-0000-0000-ac1f6b4e2a14")
        );
        assert_eq!(n.capacity, Resources::default());
        let k3s = Node::parse(&yaml(
            "apiVersion: v1\nkind: Node\nmetadata: {name: k3d-mgmt-server-0}\nspec: {providerID: k3s://k3d-mgmt-server-0}\nstatus: {nodeInfo: {osImage: K3s v1.35.5+k3s1}, capacity: {cpu: 8, memory: bogus}}\n",
        ))
        .unwrap();
        assert_eq!(k3s.sidero_uuid, None);
        assert_eq!(k3s.talos_version, None);
        assert_eq!(k3s.capacity.cpu_millis, Some(8000), "a number is tolerated");
        assert_eq!(k3s.capacity.memory_bytes, None, "a bad quantity is unknown");
        let e = Node::parse(&yaml(
            "apiVersion: v1\nkind: Node\nmetadata: {name: x}\nspec: {taints: {key: a}}\n",
        ))
        .unwrap_err();
        assert_eq!(e.path, "spec.taints");
        let e = Node::parse(&yaml(
            "apiVersion: v1\nkind: Node\nmetadata: {name: x}\nstatus: {capacity: {cpu: [1]}}\n",
        ))
        .unwrap_err();
        assert_eq!(e.path, "status.capacity.cpu");
    }

    #[test]
    fn namespace() {
        let n = Namespace::parse(&yaml(
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: mqtt, labels: {pod-security.kubernetes.io/enforce: restricted}}\nspec: {finalizers: [kubernetes]}\nstatus: {phase: Active}\n",
        ))
        .unwrap();
        assert_eq!(n.meta.name, "mqtt");
        assert_eq!(n.phase.as_deref(), Some("Active"));
        let bare = Namespace::parse(&yaml(
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n",
        ))
        .unwrap();
        assert_eq!(bare.phase, None);
    }

    #[test]
    fn events() {
        let e = Event::parse(&yaml(
            r#"
apiVersion: v1
kind: Event
metadata: {name: berlin-w-2.18a6f0c2d5e4b3a1, namespace: default}
involvedObject: {apiVersion: v1, kind: Node, name: berlin-w-2, uid: n-2}
reason: NodeNotReady
message: "Node berlin-w-2 status is now: NodeNotReady"
type: Warning
count: 3
firstTimestamp: "2026-09-21T11:00:00Z"
lastTimestamp: "2026-09-21T11:30:00Z"
source: {component: node-controller}
"#,
        ))
        .unwrap();
        assert_eq!(
            e.involved,
            InvolvedObject {
                kind: "Node".into(),
                namespace: None,
                name: "berlin-w-2".into()
            }
        );
        assert_eq!(e.type_, "Warning");
        assert_eq!(e.reason, "NodeNotReady");
        assert_eq!(e.count, 3);
        assert_eq!(e.first, parse_time("2026-09-21T11:00:00Z"));
        assert_eq!(e.last, parse_time("2026-09-21T11:30:00Z"));
        assert_eq!(e.source.as_deref(), Some("node-controller"));

        let series = Event::parse(&yaml(
            r#"
apiVersion: v1
kind: Event
metadata: {name: x.1, namespace: edge-berlin}
involvedObject: {kind: Machine, namespace: edge-berlin, name: m}
reason: DrainingNode
message: ""
type: Normal
eventTime: "2026-09-21T11:00:00.123456Z"
series: {count: 7, lastObservedTime: "2026-09-21T11:45:00.000001Z"}
reportingComponent: machine-controller
"#,
        ))
        .unwrap();
        assert_eq!(series.count, 7);
        assert_eq!(series.first, parse_time("2026-09-21T11:00:00Z"));
        assert_eq!(series.last, parse_time("2026-09-21T11:45:00Z"));
        assert_eq!(series.source.as_deref(), Some("machine-controller"));
        assert_eq!(series.involved.namespace.as_deref(), Some("edge-berlin"));

        let bare = Event::parse(&yaml(
            "apiVersion: v1\nkind: Event\nmetadata: {name: y, namespace: d}\n",
        ))
        .unwrap();
        assert_eq!((bare.count, bare.first, bare.last), (1, None, None));
        let err = Event::parse(&yaml(
            "apiVersion: v1\nkind: Event\nmetadata: {name: y}\ncount: many\n",
        ))
        .unwrap_err();
        assert_eq!(err.path, "count");
    }

    /// events.k8s.io/v1's names: `regarding`, `note`, `deprecatedCount`,
    /// `deprecatedLastTimestamp`, `deprecatedSource`.
    #[test]
    fn events_k8s_io_v1_fields_are_read() {
        let e = Event::parse(&yaml(
            r#"
apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: x.1, namespace: shop}
regarding: {kind: Pod, name: web-0, namespace: shop}
note: pulled
reason: Pulled
type: Normal
eventTime: null
deprecatedCount: 4
deprecatedFirstTimestamp: "2026-09-21T10:00:00Z"
deprecatedLastTimestamp: "2026-09-21T11:00:00Z"
deprecatedSource: {component: kubelet}
"#,
        ))
        .unwrap();
        assert_eq!(e.involved.name, "web-0");
        assert_eq!((e.message.as_str(), e.count), ("pulled", 4));
        assert_eq!(e.last, Some(parse_time("2026-09-21T11:00:00Z").unwrap()));
        assert_eq!(e.first, Some(parse_time("2026-09-21T10:00:00Z").unwrap()));
        assert_eq!(e.source.as_deref(), Some("kubelet"));
    }
}
