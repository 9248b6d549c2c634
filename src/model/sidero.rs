//! Sidero Metal: Server and ServerClass (`metal.sidero.dev/v1alpha2`, tolerating the v1alpha1
//! hardware fields), MetalMachine and MetalCluster (`infrastructure.cluster.x-k8s.io/v1alpha3`,
//! tolerating v1alpha2).
//!
//! Never read: `Server.spec.bmc.{user, pass, userFrom, passFrom}`. Only the BMC endpoint is
//! declared below, so serde skips the credentials without copying them.

use super::meta::Json;
use serde::Deserialize;
use serde_json::Value;

use super::meta::{
    Address, Condition, Meta, ParseError, RawAddress, RawCondition, RawEndpoint, RawRef, addresses,
    conditions, endpoint, from_value, obj_name, parse_quantity,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Power {
    On,
    Off,
    #[default]
    Unknown,
}

/// A Server's lifecycle state, derived as Sidero's server controller does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerState {
    /// Discovered, `spec.accepted` false: Sidero does not touch it.
    PendingAcceptance,
    /// In use and not clean: bound to a MetalMachine, kept powered on.
    Allocated,
    /// Not in use and clean: ready for allocation, kept powered off.
    Available,
    /// Not in use and not clean: being wiped (power-cycled into the agent).
    Wiping,
    /// In use and clean: impossible; Sidero logs it as an error.
    Inconsistent,
}

impl ServerState {
    pub fn as_str(self) -> &'static str {
        match self {
            ServerState::PendingAcceptance => "Pending acceptance",
            ServerState::Allocated => "Allocated",
            ServerState::Available => "Available",
            ServerState::Wiping => "Wiping",
            ServerState::Inconsistent => "Inconsistent",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Disk {
    /// `deviceName` (`/dev/sda`), else `name`.
    pub name: String,
    /// Bytes.
    pub size: Option<u64>,
    /// `SSD`, `HDD`, `NVME`, …
    pub type_: Option<String>,
    pub product: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Server {
    /// The name is the SMBIOS UUID.
    pub meta: Meta,
    pub hostname: Option<String>,
    pub accepted: bool,
    pub cordoned: bool,
    pub power: Power,
    /// `status.inUse`: allocated to a MetalMachine.
    pub in_use: bool,
    /// `status.isClean`: disks wiped.
    pub clean: bool,
    pub ready: bool,
    pub addresses: Vec<Address>,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub serial: Option<String>,
    /// First processor's `productName`.
    pub cpu_model: Option<String>,
    /// `processorCount` (sockets).
    pub cpu_count: Option<u32>,
    pub cores: Option<u32>,
    pub threads: Option<u32>,
    /// `spec.hardware.memory.totalSize` as given (`"128 GB"`).
    pub memory: Option<String>,
    /// `memory` in bytes (Sidero's "GB" are GiB: it divides MiB by 1024).
    pub memory_bytes: Option<u64>,
    pub disks: Vec<Disk>,
    /// `spec.environmentRef.name`.
    pub environment: Option<String>,
    pub conditions: Vec<Condition>,
    /// `spec.bmc.endpoint` only; the BMC credentials are never read.
    pub bmc_endpoint: Option<String>,
}

impl Server {
    /// The derived lifecycle state (status-fields.md §4).
    pub fn state(&self) -> ServerState {
        match (self.accepted, self.in_use, self.clean) {
            (false, _, _) => ServerState::PendingAcceptance,
            (true, true, false) => ServerState::Allocated,
            (true, false, true) => ServerState::Available,
            (true, false, false) => ServerState::Wiping,
            (true, true, true) => ServerState::Inconsistent,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerClass {
    pub meta: Meta,
    /// `status.serversAvailable` (Server names).
    pub available: Vec<String>,
    /// `status.serversInUse`.
    pub in_use: Vec<String>,
    /// One-line summary of `spec.qualifiers`: hardware entries (OR-ed) joined by ` | `, the
    /// fields of one entry (AND-ed) by `, `; e.g. `system.manufacturer=Supermicro, memory.totalSize=64 GB`.
    pub qualifiers: String,
    /// `spec.selector` as `k=v,k2=v2` (plus `matchExpressions` as `key op (values)`).
    pub selector: Option<String>,
    pub environment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetalMachine {
    pub meta: Meta,
    pub cluster_name: String,
    /// `spec.serverRef.name`: the Server UUID.
    pub server: Option<String>,
    pub server_class: Option<String>,
    pub provider_id: Option<String>,
    pub ready: bool,
    pub addresses: Vec<Address>,
    pub conditions: Vec<Condition>,
    pub failure_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetalCluster {
    pub meta: Meta,
    pub cluster_name: String,
    pub ready: bool,
    /// `host:port` of `spec.controlPlaneEndpoint`.
    pub endpoint: Option<String>,
}

/// Sidero's `"%d GB"` sizes (GiB), plus MB/TB and Kubernetes quantities.
fn size_bytes(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, unit) = match s.split_once(' ') {
        Some((n, u)) => (n.trim(), u.trim()),
        None => {
            let q = parse_quantity(s)?;
            return (q >= 0.0).then_some(q.round() as u64);
        }
    };
    let n: f64 = num.parse().ok()?;
    let mult = match unit {
        "B" => 1u64,
        "KB" | "KiB" => 1 << 10,
        "MB" | "MiB" => 1 << 20,
        "GB" | "GiB" => 1 << 30,
        "TB" | "TiB" => 1 << 40,
        _ => return None,
    };
    (n >= 0.0).then_some((n * mult as f64).round() as u64)
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

type Object<S, T> = super::meta::RawObject<S, T>;

// --- Server

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerSpec {
    accepted: Option<bool>,
    cordoned: Option<bool>,
    hostname: Option<String>,
    bmc: Option<Bmc>,
    hardware: Option<Hardware>,
    environment_ref: Option<RawRef>,
    /// v1alpha1
    system: Option<SystemInformation>,
    /// v1alpha1
    cpu: Option<CpuInformation>,
}

/// Only the endpoint: `user`, `pass`, `userFrom`, `passFrom` are credentials.
#[derive(Deserialize)]
struct Bmc {
    endpoint: Option<String>,
}

#[derive(Deserialize)]
struct Hardware {
    system: Option<SystemInformation>,
    compute: Option<Compute>,
    memory: Option<Memory>,
    storage: Option<Storage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SystemInformation {
    manufacturer: Option<String>,
    product_name: Option<String>,
    serial_number: Option<String>,
}

#[derive(Deserialize)]
struct CpuInformation {
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Compute {
    processor_count: Option<u32>,
    total_core_count: Option<u32>,
    total_thread_count: Option<u32>,
    processors: Option<Vec<Processor>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Processor {
    product_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Memory {
    total_size: Option<String>,
}

#[derive(Deserialize)]
struct Storage {
    devices: Option<Vec<StorageDevice>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StorageDevice {
    name: Option<String>,
    device_name: Option<String>,
    size: Option<u64>,
    #[serde(rename = "type")]
    type_: Option<String>,
    product_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerStatus {
    power: Option<String>,
    in_use: Option<bool>,
    is_clean: Option<bool>,
    ready: Option<bool>,
    addresses: Option<Vec<RawAddress>>,
    conditions: Option<Vec<RawCondition>>,
}

impl Server {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<Server, ParseError> {
        let obj: Object<ServerSpec, ServerStatus> = from_value(v)?;
        let mut s = Server {
            meta: obj.metadata.unwrap_or_default().into_meta(),
            ..Server::default()
        };
        if let Some(spec) = obj.spec {
            s.accepted = spec.accepted.unwrap_or(false);
            s.cordoned = spec.cordoned.unwrap_or(false);
            s.hostname = non_empty(spec.hostname);
            s.bmc_endpoint = non_empty(spec.bmc.and_then(|b| b.endpoint));
            s.environment = obj_name(spec.environment_ref).map(|r| r.name);
            let hw = spec.hardware;
            let (mut system, mut compute, mut memory, mut storage) = (None, None, None, None);
            if let Some(hw) = hw {
                (system, compute, memory, storage) = (hw.system, hw.compute, hw.memory, hw.storage);
            }
            if let Some(sys) = system.or(spec.system) {
                s.manufacturer = non_empty(sys.manufacturer);
                s.product = non_empty(sys.product_name);
                s.serial = non_empty(sys.serial_number);
            }
            if let Some(c) = compute {
                s.cpu_count = c.processor_count;
                s.cores = c.total_core_count;
                s.threads = c.total_thread_count;
                s.cpu_model = c
                    .processors
                    .unwrap_or_default()
                    .into_iter()
                    .find_map(|p| non_empty(p.product_name));
            }
            if s.cpu_model.is_none() {
                s.cpu_model = non_empty(spec.cpu.and_then(|c| c.version));
            }
            s.memory = non_empty(memory.and_then(|m| m.total_size));
            s.memory_bytes = s.memory.as_deref().and_then(size_bytes);
            s.disks = storage
                .and_then(|st| st.devices)
                .unwrap_or_default()
                .into_iter()
                .map(|d| Disk {
                    name: non_empty(d.device_name)
                        .or_else(|| non_empty(d.name))
                        .unwrap_or_default(),
                    size: d.size,
                    type_: non_empty(d.type_),
                    product: non_empty(d.product_name),
                })
                .collect();
        }
        if let Some(st) = obj.status {
            s.power = match st.power.as_deref() {
                Some("on") => Power::On,
                Some("off") => Power::Off,
                _ => Power::Unknown,
            };
            s.in_use = st.in_use.unwrap_or(false);
            s.clean = st.is_clean.unwrap_or(false);
            s.ready = st.ready.unwrap_or(false);
            s.addresses = addresses(st.addresses);
            s.conditions = conditions(st.conditions);
        }
        Ok(s)
    }
}

// --- ServerClass

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerClassSpec {
    qualifiers: Option<serde_json::Map<String, Value>>,
    selector: Option<LabelSelector>,
    environment_ref: Option<RawRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LabelSelector {
    match_labels: Option<std::collections::BTreeMap<String, String>>,
    match_expressions: Option<Vec<SelectorRequirement>>,
}

#[derive(Deserialize)]
struct SelectorRequirement {
    key: Option<String>,
    operator: Option<String>,
    values: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerClassStatus {
    servers_available: Option<Vec<String>>,
    servers_in_use: Option<Vec<String>>,
}

/// `a.b=c` for every leaf of `v`.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, v, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                flatten(prefix, item, out);
            }
        }
        Value::String(s) => out.push(format!("{prefix}={s}")),
        Value::Null => {}
        other => out.push(format!("{prefix}={other}")),
    }
}

fn qualifiers_summary(q: &serde_json::Map<String, Value>) -> String {
    let mut entries = Vec::new();
    for (key, list) in q {
        // v1alpha2 `hardware[]` entries are objects named by section; v1alpha1 lists
        // (`cpu[]`, `systemInformation[]`) are named by their key.
        let prefix = if key == "hardware" { "" } else { key.as_str() };
        let items: Vec<&Value> = match list {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in items {
            let mut fields = Vec::new();
            flatten(prefix, item, &mut fields);
            // Sorted, so the summary does not depend on the JSON map's key order.
            fields.sort();
            if !fields.is_empty() {
                entries.push(fields.join(", "));
            }
        }
    }
    entries.join(" | ")
}

fn selector_summary(s: LabelSelector) -> Option<String> {
    let mut parts: Vec<String> = s
        .match_labels
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in s.match_expressions.unwrap_or_default() {
        let values = e.values.unwrap_or_default();
        let key = e.key.unwrap_or_default();
        let op = e.operator.unwrap_or_default();
        parts.push(if values.is_empty() {
            format!("{key} {op}")
        } else {
            format!("{key} {op} ({})", values.join(","))
        });
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

impl ServerClass {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<ServerClass, ParseError> {
        let obj: Object<ServerClassSpec, ServerClassStatus> = from_value(v)?;
        let mut c = ServerClass {
            meta: obj.metadata.unwrap_or_default().into_meta(),
            ..ServerClass::default()
        };
        if let Some(spec) = obj.spec {
            c.qualifiers = spec
                .qualifiers
                .as_ref()
                .map(qualifiers_summary)
                .unwrap_or_default();
            c.selector = spec.selector.and_then(selector_summary);
            c.environment = obj_name(spec.environment_ref).map(|r| r.name);
        }
        if let Some(st) = obj.status {
            c.available = st.servers_available.unwrap_or_default();
            c.in_use = st.servers_in_use.unwrap_or_default();
        }
        Ok(c)
    }
}

// --- MetalMachine and MetalCluster

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetalMachineSpec {
    #[serde(rename = "providerID")]
    provider_id: Option<String>,
    server_ref: Option<RawRef>,
    server_class_ref: Option<RawRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetalMachineStatus {
    ready: Option<bool>,
    addresses: Option<Vec<RawAddress>>,
    conditions: Option<Vec<RawCondition>>,
    failure_message: Option<String>,
    /// v1alpha2's name for the failure message.
    error_message: Option<String>,
}

impl MetalMachine {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<MetalMachine, ParseError> {
        let obj: Object<MetalMachineSpec, MetalMachineStatus> = from_value(v)?;
        let meta = obj.metadata.unwrap_or_default().into_meta();
        let mut m = MetalMachine {
            cluster_name: meta.cluster_name(),
            meta,
            ..MetalMachine::default()
        };
        if let Some(spec) = obj.spec {
            m.provider_id = non_empty(spec.provider_id);
            m.server = obj_name(spec.server_ref).map(|r| r.name);
            m.server_class = obj_name(spec.server_class_ref).map(|r| r.name);
        }
        if let Some(st) = obj.status {
            m.ready = st.ready.unwrap_or(false);
            m.addresses = addresses(st.addresses);
            m.conditions = conditions(st.conditions);
            m.failure_message =
                non_empty(st.failure_message).or_else(|| non_empty(st.error_message));
        }
        Ok(m)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetalClusterSpec {
    control_plane_endpoint: Option<RawEndpoint>,
    /// v1alpha2
    api_endpoints: Option<Vec<RawEndpoint>>,
}

#[derive(Deserialize)]
struct MetalClusterStatus {
    ready: Option<bool>,
}

impl MetalCluster {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<MetalCluster, ParseError> {
        let obj: Object<MetalClusterSpec, MetalClusterStatus> = from_value(v)?;
        let meta = obj.metadata.unwrap_or_default().into_meta();
        let mut c = MetalCluster {
            cluster_name: meta.cluster_name(),
            meta,
            ..MetalCluster::default()
        };
        if let Some(spec) = obj.spec {
            c.endpoint = endpoint(spec.control_plane_endpoint).or_else(|| {
                spec.api_endpoints
                    .and_then(|e| e.into_iter().next())
                    .and_then(|e| endpoint(Some(e)))
            });
        }
        if let Some(st) = obj.status {
            c.ready = st.ready.unwrap_or(false);
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::super::meta::{CondStatus, Severity};
    use super::*;

    fn yaml(s: &str) -> Value {
        crate::repo::yaml_serde::from_str(s).unwrap()
    }

    const SERVER: &str = r#"
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: 4c4c4544-0042-3610-8052-b3c04f4d3131
  uid: s-1
  labels: {blast.io/site: edge-berlin, blast.io/role: controlplane}
  annotations:
    argocd.argoproj.io/tracking-id: edge-berlin-capi:metal.sidero.dev/Server:/4c4c4544-0042-3610-8052-b3c04f4d3131
spec:
  accepted: true
  hostname: berlin-cp-1
  bmc:
    endpoint: 10.10.0.101
    port: 623
    user: TOPSECRET-USER
    pass: TOPSECRET-PASS
    userFrom: {secretKeyRef: {namespace: sidero-system, name: TOPSECRET-REF, key: user}}
    passFrom: {secretKeyRef: {namespace: sidero-system, name: TOPSECRET-REF, key: pass}}
  environmentRef: {name: edge-berlin-talos-1.13}
  hardware:
    system: {manufacturer: Supermicro, productName: SYS-510P-M, serialNumber: S4K21A001, uuid: 4c4c4544-0042-3610-8052-b3c04f4d3131}
    compute:
      processorCount: 1
      totalCoreCount: 12
      totalThreadCount: 24
      processors: [{manufacturer: Intel, productName: "Intel(R) Xeon(R) Silver 4310 CPU @ 2.10GHz", speed: 2100, coreCount: 12, threadCount: 24}]
    memory: {totalSize: 64 GB, moduleCount: 4, modules: [{size: 16384, speed: 3200, type: DDR4}]}
    storage:
      totalSize: 447 GB
      deviceCount: 1
      devices: [{name: sda, deviceName: /dev/sda, type: SSD, size: 480103981056, productName: SAMSUNG MZ7L3480, serialNumber: S6ABC}]
    network: {interfaceCount: 1, interfaces: [{name: eno1, mac: "3c:ec:ef:00:00:01", mtu: 1500, index: 2}]}
status:
  power: "on"
  inUse: true
  isClean: false
  ready: true
  addresses: [{type: InternalIP, address: 10.40.0.11}]
  conditions:
    - {type: PXEBooted, status: "True", lastTransitionTime: "2026-05-12T09:20:00Z"}
    - {type: PowerCycle, status: "False", severity: Info, reason: InProgress, lastTransitionTime: "2026-05-12T09:10:00Z"}
"#;

    #[test]
    fn server_inventory_without_credentials() {
        let s = Server::parse(&yaml(SERVER)).unwrap();
        assert_eq!(s.meta.name, "4c4c4544-0042-3610-8052-b3c04f4d3131");
        assert_eq!(s.meta.namespace, None);
        assert_eq!(s.hostname.as_deref(), Some("berlin-cp-1"));
        assert!(s.accepted && !s.cordoned && s.in_use && !s.clean && s.ready);
        assert_eq!(s.power, Power::On);
        assert_eq!(s.state(), ServerState::Allocated);
        assert_eq!(s.addresses[0].address, "10.40.0.11");
        assert_eq!(s.manufacturer.as_deref(), Some("Supermicro"));
        assert_eq!(s.product.as_deref(), Some("SYS-510P-M"));
        assert_eq!(s.serial.as_deref(), Some("S4K21A001"));
        assert_eq!(
            s.cpu_model.as_deref(),
            Some("Intel(R) Xeon(R) Silver 4310 CPU @ 2.10GHz")
        );
        assert_eq!(
            (s.cpu_count, s.cores, s.threads),
            (Some(1), Some(12), Some(24))
        );
        assert_eq!(s.memory.as_deref(), Some("64 GB"));
        assert_eq!(s.memory_bytes, Some(64 << 30));
        assert_eq!(
            s.disks,
            [Disk {
                name: "/dev/sda".into(),
                size: Some(480103981056),
                type_: Some("SSD".into()),
                product: Some("SAMSUNG MZ7L3480".into())
            }]
        );
        assert_eq!(s.environment.as_deref(), Some("edge-berlin-talos-1.13"));
        assert_eq!(s.bmc_endpoint.as_deref(), Some("10.10.0.101"));
        assert_eq!(s.conditions[1].severity, Some(Severity::Info));
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("TOPSECRET"), "{dbg}");
    }

    #[test]
    fn server_state_table() {
        let state = |accepted, in_use, clean| {
            Server {
                accepted,
                in_use,
                clean,
                ..Server::default()
            }
            .state()
        };
        use ServerState::*;
        assert_eq!(state(false, false, false), PendingAcceptance);
        assert_eq!(state(false, true, false), PendingAcceptance);
        assert_eq!(state(false, false, true), PendingAcceptance);
        assert_eq!(state(true, true, false), Allocated);
        assert_eq!(state(true, false, true), Available);
        assert_eq!(state(true, false, false), Wiping);
        assert_eq!(state(true, true, true), Inconsistent);
    }

    #[test]
    fn server_discovered_and_v1alpha1() {
        let s = Server::parse(&yaml(
            "apiVersion: metal.sidero.dev/v1alpha2\nkind: Server\nmetadata: {name: u}\nspec: {accepted: false}\n",
        ))
        .unwrap();
        assert_eq!(s.state(), ServerState::PendingAcceptance);
        assert_eq!(s.power, Power::Unknown);
        assert!(s.disks.is_empty());
        let old = Server::parse(&yaml(
            "apiVersion: metal.sidero.dev/v1alpha1\nkind: Server\nmetadata: {name: u}\nspec: {accepted: true, system: {manufacturer: Dell Inc.}, cpu: {manufacturer: Intel, version: Xeon E-2236}}\nstatus: {power: \"off\", isClean: true}\n",
        ))
        .unwrap();
        assert_eq!(old.manufacturer.as_deref(), Some("Dell Inc."));
        assert_eq!(old.cpu_model.as_deref(), Some("Xeon E-2236"));
        assert_eq!(old.power, Power::Off);
        assert_eq!(old.state(), ServerState::Available);
        let e = Server::parse(&yaml(
            "apiVersion: metal.sidero.dev/v1alpha2\nkind: Server\nmetadata: {name: u}\nspec: {accepted: true, hardware: {compute: {processorCount: two}}}\n",
        ))
        .unwrap_err();
        assert_eq!(e.path, "spec.hardware.compute.processorCount");
    }

    #[test]
    fn sizes() {
        assert_eq!(size_bytes("128 GB"), Some(128 << 30));
        assert_eq!(size_bytes("512 MB"), Some(512 << 20));
        assert_eq!(size_bytes("2 TB"), Some(2 << 40));
        assert_eq!(size_bytes("64Gi"), Some(64 << 30));
        assert_eq!(size_bytes("lots"), None);
        assert_eq!(size_bytes("12 parsecs"), None);
    }

    #[test]
    fn server_class() {
        let c = ServerClass::parse(&yaml(
            r#"
apiVersion: metal.sidero.dev/v1alpha2
kind: ServerClass
metadata: {name: edge-berlin-cp}
spec:
  selector:
    matchLabels: {blast.io/site: edge-berlin, blast.io/role: controlplane}
    matchExpressions: [{key: blast.io/rack, operator: In, values: [r1, r2]}]
  qualifiers:
    hardware:
      - system: {manufacturer: Supermicro}
        memory: {totalSize: 64 GB}
      - compute: {processorCount: 2}
  environmentRef: {name: edge-berlin-talos-1.13}
status:
  serversAvailable: []
  serversInUse: [a, b, c]
"#,
        ))
        .unwrap();
        assert_eq!(
            c.qualifiers,
            "memory.totalSize=64 GB, system.manufacturer=Supermicro | compute.processorCount=2"
        );
        assert_eq!(
            c.selector.as_deref(),
            Some("blast.io/role=controlplane,blast.io/site=edge-berlin,blast.io/rack In (r1,r2)")
        );
        assert_eq!(c.environment.as_deref(), Some("edge-berlin-talos-1.13"));
        assert!(c.available.is_empty());
        assert_eq!(c.in_use, ["a", "b", "c"]);
        let old = ServerClass::parse(&yaml(
            "apiVersion: metal.sidero.dev/v1alpha1\nkind: ServerClass\nmetadata: {name: any}\nspec: {qualifiers: {cpu: [{manufacturer: Intel}]}}\n",
        ))
        .unwrap();
        assert_eq!(old.qualifiers, "cpu.manufacturer=Intel");
        assert_eq!(old.selector, None);
    }

    #[test]
    fn metal_machine_and_cluster() {
        let m = MetalMachine::parse(&yaml(
            r#"
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalMachine
metadata:
  name: edge-berlin-cp-q8n2v
  namespace: edge-berlin
  labels: {cluster.x-k8s.io/cluster-name: edge-berlin}
spec:
  providerID: sidero://4c4c4544-0042-3610-8052-b3c04f4d3131
  serverClassRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: ServerClass, name: edge-berlin-cp}
  serverRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: Server, name: 4c4c4544-0042-3610-8052-b3c04f4d3131}
status:
  ready: true
  addresses: [{type: InternalIP, address: 10.40.0.11}, {type: Hostname, address: berlin-cp-1}]
  conditions: [{type: ProviderSet, status: "True", lastTransitionTime: "2026-05-12T09:30:00Z"}]
"#,
        ))
        .unwrap();
        assert_eq!(m.cluster_name, "edge-berlin");
        assert_eq!(
            m.server.as_deref(),
            Some("4c4c4544-0042-3610-8052-b3c04f4d3131")
        );
        assert_eq!(m.server_class.as_deref(), Some("edge-berlin-cp"));
        assert!(m.ready);
        assert_eq!(m.addresses.len(), 2);
        assert_eq!(m.conditions[0].status, CondStatus::True);
        let bare = MetalMachine::parse(&yaml(
            "apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3\nkind: MetalMachine\nmetadata: {name: x}\n",
        ))
        .unwrap();
        assert!(!bare.ready && bare.server.is_none());

        let c = MetalCluster::parse(&yaml(
            "apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3\nkind: MetalCluster\nmetadata: {name: edge-lab, namespace: edge-lab, labels: {cluster.x-k8s.io/cluster-name: edge-lab}}\nspec: {controlPlaneEndpoint: {host: 10.41.0.10, port: 6443}}\nstatus: {ready: true}\n",
        ))
        .unwrap();
        assert_eq!(c.cluster_name, "edge-lab");
        assert_eq!(c.endpoint.as_deref(), Some("10.41.0.10:6443"));
        assert!(c.ready);
        let old = MetalCluster::parse(&yaml(
            "apiVersion: infrastructure.cluster.x-k8s.io/v1alpha2\nkind: MetalCluster\nmetadata: {name: x}\nspec: {apiEndpoints: [{host: 10.0.0.1, port: 6443}]}\n",
        ))
        .unwrap();
        assert_eq!(old.endpoint.as_deref(), Some("10.0.0.1:6443"));
        let e = MetalCluster::parse(&yaml(
            "apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3\nkind: MetalCluster\nmetadata: {name: x}\nspec: {controlPlaneEndpoint: {host: h, port: \"6443\"}}\n",
        ))
        .unwrap_err();
        assert_eq!(e.path, "spec.controlPlaneEndpoint.port");
    }
}
