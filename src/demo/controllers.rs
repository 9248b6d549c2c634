//! Emulated Cluster API, CACPPT and Sidero controllers for the demo's reconciler: what happens
//! in the world once Argo CD has applied a changed MachineDeployment or TalosControlPlane.
//!
//! - **Scale up**: per missing replica, one at a time, a Machine (shaped after the owner's newest
//!   Machine: fresh name, uid and times) with its MetalMachine and TalosConfig goes Pending →
//!   Provisioning (bootstrap data) → a free Server of the ServerClass is allocated (`inUse`,
//!   powered on) → Talos installs → the Node registers NotReady in the workload cluster →
//!   Provisioned (providerID, nodeRef) → the Node turns Ready → Running.
//! - **Scale down**: the newest Machine goes Deleting (its Node cordoned), the Node leaves, the
//!   Machine and its MetalMachine and TalosConfig are deleted, the Server is wiped and Available.
//! - **Kubernetes version**: the owner's Machines roll one at a time, never two at once: Deleting
//!   (drain) → Provisioning at the new `spec.version` (Node NotReady) → Running with the Node's
//!   and Machine's `kubeletVersion` at the new version. The Machine object is kept (a real
//!   rollout replaces it with a new one on the same Server; the demo keeps names stable).
//!
//! After each step the counters of the MachineDeployment, MachineSet, TalosControlPlane,
//! Cluster and MachineHealthCheck are recomputed from the Machines ([`recount`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tracing::{info, warn};

use super::emulator::Emulator;
use super::world::{self, MGMT};
use crate::model::kinds::{self, KindInfo};

const DEPLOYMENT_LABEL: &str = "cluster.x-k8s.io/deployment-name";
const SET_LABEL: &str = "cluster.x-k8s.io/set-name";
const CP_LABEL: &str = "cluster.x-k8s.io/control-plane";
const CLUSTER_LABEL: &str = "cluster.x-k8s.io/cluster-name";

/// Which controller owns the Machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerKind {
    MachineDeployment,
    TalosControlPlane,
}

/// A MachineDeployment or TalosControlPlane on the management cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub kind: OwnerKind,
    pub namespace: String,
    pub name: String,
    /// The Cluster API cluster (and virtual cluster of its Nodes).
    pub cluster: String,
}

/// Work for the controllers after an apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Bring the number of Machines to `to`.
    Scale { owner: Owner, to: i64 },
    /// Roll every Machine to Kubernetes `to`.
    Version { owner: Owner, to: String },
}

impl Owner {
    fn kind_info(&self) -> &'static KindInfo {
        match self.kind {
            OwnerKind::MachineDeployment => &kinds::MACHINE_DEPLOYMENT,
            OwnerKind::TalosControlPlane => &kinds::TALOS_CONTROL_PLANE,
        }
    }

    fn get(&self, emu: &Emulator) -> Option<Value> {
        emu.get(MGMT, self.kind_info(), Some(&self.namespace), &self.name)
    }

    /// The Kubernetes version its Machines should run.
    fn version(&self, emu: &Emulator) -> Option<String> {
        let o = self.get(emu)?;
        let p = match self.kind {
            OwnerKind::MachineDeployment => "/spec/template/spec/version",
            OwnerKind::TalosControlPlane => "/spec/version",
        };
        o.pointer(p).and_then(Value::as_str).map(str::to_string)
    }

    /// Its Machines, oldest first.
    fn machines(&self, emu: &Emulator) -> Vec<Value> {
        let mut out: Vec<Value> = emu
            .list(MGMT, &kinds::MACHINE)
            .into_iter()
            .filter(|m| m["metadata"]["namespace"] == self.namespace.as_str())
            .filter(|m| {
                let labels = &m["metadata"]["labels"];
                match self.kind {
                    OwnerKind::MachineDeployment => labels[DEPLOYMENT_LABEL] == self.name.as_str(),
                    OwnerKind::TalosControlPlane => {
                        labels.get(CP_LABEL).is_some()
                            && labels[CLUSTER_LABEL] == self.cluster.as_str()
                    }
                }
            })
            .collect();
        out.sort_by(|a, b| {
            let key = |m: &Value| {
                (
                    m["metadata"]["creationTimestamp"]
                        .as_str()
                        .and_then(world::parse_time)
                        .unwrap_or(0),
                    m["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            };
            key(a).cmp(&key(b))
        });
        out
    }
}

/// What the controllers must do after `doc` (a manifest at the new revision) is applied over
/// `live`: a replica or Kubernetes version change of a MachineDeployment or TalosControlPlane.
pub fn effects_of(kind: &KindInfo, live: &Value, doc: &Value) -> Vec<Effect> {
    let (owner_kind, version_at) = match kind.kind {
        "MachineDeployment" => (OwnerKind::MachineDeployment, "/spec/template/spec/version"),
        "TalosControlPlane" => (OwnerKind::TalosControlPlane, "/spec/version"),
        _ => return vec![],
    };
    let cluster = live
        .pointer("/spec/clusterName")
        .or_else(|| live.pointer("/metadata/labels/cluster.x-k8s.io~1cluster-name"))
        .and_then(Value::as_str)
        .or_else(|| {
            // a TalosControlPlane names its cluster only through the label or the owner
            live.pointer("/metadata/ownerReferences/0/name")
                .and_then(Value::as_str)
        })
        .unwrap_or_default()
        .to_string();
    let owner = Owner {
        kind: owner_kind,
        namespace: live["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        name: live["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        cluster,
    };
    let mut out = Vec::new();
    if let Some(to) = doc.pointer("/spec/replicas").and_then(Value::as_i64)
        && live.pointer("/spec/replicas").and_then(Value::as_i64) != Some(to)
    {
        out.push(Effect::Scale {
            owner: owner.clone(),
            to,
        });
    }
    if let Some(to) = doc.pointer(version_at).and_then(Value::as_str)
        && live.pointer(version_at).and_then(Value::as_str) != Some(to)
    {
        out.push(Effect::Version {
            owner,
            to: to.to_string(),
        });
    }
    out
}

/// Carries out one effect, step by step (seconds at speed 1 divided by `speed`).
pub async fn run(emu: &Emulator, effect: Effect, speed: f64) {
    let clock = Clock { speed };
    match effect {
        Effect::Scale { owner, to } => {
            info!(owner = %owner.name, to, "controllers: scaling");
            recount(emu, &owner.namespace, &owner.cluster);
            loop {
                let machines = owner.machines(emu);
                let n = machines.len() as i64;
                if n < to {
                    if !provision(emu, &owner, &machines, &clock).await {
                        break;
                    }
                } else if n > to {
                    let newest = machines.last().expect("n > to >= 0").clone();
                    deprovision(emu, &owner, &newest, &clock).await;
                } else {
                    break;
                }
            }
        }
        Effect::Version { owner, to } => {
            info!(owner = %owner.name, version = %to, "controllers: rolling");
            for m in owner.machines(emu) {
                if m.pointer("/spec/version").and_then(Value::as_str) == Some(to.as_str()) {
                    continue;
                }
                roll(emu, &owner, &m, &to, &clock).await;
            }
        }
    }
}

struct Clock {
    speed: f64,
}

impl Clock {
    async fn pause(&self, secs: f64) {
        tokio::time::sleep(Duration::from_secs_f64(secs / self.speed.max(1e-3))).await;
    }
}

fn now() -> String {
    world::format_time(crate::kube::now())
}

// ---------------------------------------------------------------------------------------------
// Names, uids

static SEED: AtomicU64 = AtomicU64::new(0);

fn random() -> u64 {
    let mut x = SEED.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
    // splitmix64
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A suffix as the Kubernetes name generator makes them (5 of `bcdfghjklmnpqrstvwxz2456789`).
pub fn suffix(len: usize) -> String {
    const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut r = random();
    (0..len)
        .map(|_| {
            let c = ALPHA[(r % ALPHA.len() as u64) as usize] as char;
            r /= ALPHA.len() as u64;
            c
        })
        .collect()
}

fn hex(n: usize) -> String {
    let mut s = String::new();
    while s.len() < n {
        s.push_str(&format!("{:016x}", random()));
    }
    s.truncate(n);
    s
}

fn uid() -> String {
    let h = hex(32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..]
    )
}

// ---------------------------------------------------------------------------------------------
// Conditions

/// Sets condition `type_` in the list at `path` (created if missing when `create`), keeping its
/// shape: `observedGeneration` only where the list uses it, `lastTransitionTime` only when the
/// status changes.
fn set_cond(
    obj: &mut Value,
    path: &str,
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    create: bool,
) {
    let generation = obj["metadata"]["generation"].clone();
    let Some(list) = obj.pointer_mut(path) else {
        if create {
            let (parent, key) = path.rsplit_once('/').expect("a path with a parent");
            if let Some(p) = obj.pointer_mut(parent).and_then(Value::as_object_mut) {
                p.insert(key.to_string(), json!([]));
                set_cond(obj, path, type_, status, reason, message, false);
            }
        }
        return;
    };
    let Some(list) = list.as_array_mut() else {
        return;
    };
    let uses_generation = list.iter().any(|c| c.get("observedGeneration").is_some());
    let t = now();
    let c = match list.iter_mut().find(|c| c["type"] == type_) {
        Some(c) => c,
        None => {
            list.push(json!({"type": type_, "status": status, "lastTransitionTime": t}));
            list.last_mut().expect("just pushed")
        }
    };
    if c["status"] != status {
        c["lastTransitionTime"] = json!(t);
    }
    c["status"] = json!(status);
    let map = c.as_object_mut().expect("a condition is a map");
    if uses_generation {
        map.insert("observedGeneration".into(), generation);
    }
    if reason.is_empty() {
        map.remove("reason");
    } else {
        map.insert("reason".into(), json!(reason));
    }
    if map.contains_key("severity") || (status == "False" && path.ends_with("v1beta1/conditions")) {
        if status == "True" {
            map.remove("severity");
        } else {
            map.insert("severity".into(), json!("Info"));
        }
    }
    if message.is_empty() && !uses_generation {
        map.remove("message");
    } else {
        map.insert("message".into(), json!(message));
    }
}

/// A Machine condition in every list the object carries (v1beta2 `status.conditions` and
/// `status.deprecated.v1beta1.conditions`, or v1beta1 `status.conditions` and
/// `status.v1beta2.conditions`).
fn machine_cond(m: &mut Value, type_: &str, status: &str, reason: &str, message: &str) {
    let v1beta1 = m["apiVersion"] == "cluster.x-k8s.io/v1beta1";
    set_cond(
        m,
        "/status/conditions",
        type_,
        status,
        reason,
        message,
        true,
    );
    let other = if v1beta1 {
        "/status/v1beta2/conditions"
    } else {
        "/status/deprecated/v1beta1/conditions"
    };
    // the old-style lists name a few conditions differently; keep the common ones in step
    if matches!(type_, "Ready" | "NodeHealthy" | "InfrastructureReady") {
        set_cond(m, other, type_, status, reason, message, false);
    }
}

// ---------------------------------------------------------------------------------------------
// Scale up

fn machine_ip(m: &Value) -> Option<String> {
    m.pointer("/status/addresses")?
        .as_array()?
        .iter()
        .find(|a| a["type"] == "InternalIP")?["address"]
        .as_str()
        .map(str::to_string)
}

/// The next free address after the cluster's Machines' in the template's /24.
fn next_ip(emu: &Emulator, cluster: &str, template: &str) -> String {
    let Some((prefix, _)) = template.rsplit_once('.') else {
        return template.to_string();
    };
    let used: Vec<u8> = emu
        .list(MGMT, &kinds::MACHINE)
        .iter()
        .filter(|m| m["spec"]["clusterName"] == cluster)
        .filter_map(machine_ip)
        .filter_map(|ip| {
            ip.strip_prefix(&format!("{prefix}."))
                .and_then(|l| l.parse().ok())
        })
        .collect();
    let last = used.iter().max().copied().unwrap_or(20).saturating_add(1);
    format!("{prefix}.{last}")
}

/// A free Server of `class`: accepted, not in use, clean, not cordoned.
fn free_server(emu: &Emulator, class: &str) -> Option<Value> {
    let class = emu.get(MGMT, &kinds::SERVER_CLASS, None, class)?;
    class
        .pointer("/status/serversAvailable")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|n| emu.get(MGMT, &kinds::SERVER, None, n))
        .find(|s| {
            s["spec"]["accepted"] == true
                && s["spec"]["cordoned"] != true
                && s["status"]["inUse"] != true
        })
}

/// Moves `server` between `serversAvailable` and `serversInUse` of every ServerClass listing it.
fn server_in_classes(emu: &Emulator, server: &str, in_use: bool) {
    for c in emu.list(MGMT, &kinds::SERVER_CLASS) {
        let lists = |k: &str| -> Vec<String> {
            c.pointer(&format!("/status/{k}"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (mut avail, mut used) = (lists("serversAvailable"), lists("serversInUse"));
        if !avail.iter().chain(&used).any(|s| s == server) {
            continue;
        }
        avail.retain(|s| s != server);
        used.retain(|s| s != server);
        if in_use {
            used.push(server.to_string());
        } else {
            avail.push(server.to_string());
        }
        avail.sort();
        used.sort();
        let name = c["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        emu.modify(MGMT, &kinds::SERVER_CLASS, None, &name, |o| {
            o["status"]["serversAvailable"] = json!(avail);
            o["status"]["serversInUse"] = json!(used);
        });
    }
}

/// A copy of `obj` as a new object: fresh name, uid and times, no resourceVersion.
fn fresh_copy(obj: &Value, name: &str, uid: &str) -> Value {
    let mut o = obj.clone();
    let meta = o["metadata"]
        .as_object_mut()
        .expect("objects have metadata");
    meta.remove("resourceVersion");
    meta.remove("deletionTimestamp");
    meta.insert("name".into(), json!(name));
    meta.insert("uid".into(), json!(uid));
    meta.insert("generation".into(), json!(1));
    meta.insert("creationTimestamp".into(), json!(now()));
    o
}

/// Creates and provisions one Machine like the newest of `machines`; false when it cannot (no
/// Machine to copy, no free Server).
async fn provision(emu: &Emulator, owner: &Owner, machines: &[Value], clock: &Clock) -> bool {
    let Some(template) = machines.last() else {
        warn!(owner = %owner.name, "controllers: no Machine to copy; not scaling up");
        return false;
    };
    let ns = owner.namespace.as_str();
    let version = owner.version(emu).unwrap_or_default();
    let tname = template["metadata"]["name"].as_str().unwrap_or_default();
    let prefix = match owner.kind {
        OwnerKind::MachineDeployment => template["metadata"]["labels"][SET_LABEL]
            .as_str()
            .unwrap_or(&owner.name)
            .to_string(),
        OwnerKind::TalosControlPlane => owner.name.clone(),
    };
    let name = format!("{prefix}-{}", suffix(5));
    let muid = uid();
    let t_infra = template["spec"]["infrastructureRef"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let t_boot = template["spec"]["bootstrap"]["configRef"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Workers' MetalMachine and TalosConfig share the Machine's name; CACPPT gives each its own.
    let (infra, boot) = if t_infra == tname {
        (name.clone(), name.clone())
    } else {
        (
            format!("{prefix}-{}", suffix(5)),
            format!("{prefix}-{}", suffix(5)),
        )
    };
    let (Some(t_mm), Some(t_tc)) = (
        emu.get(MGMT, &kinds::METAL_MACHINE, Some(ns), &t_infra),
        emu.get(MGMT, &kinds::TALOS_CONFIG, Some(ns), &t_boot),
    ) else {
        warn!(machine = %tname, "controllers: the Machine to copy lacks its MetalMachine or TalosConfig");
        return false;
    };
    let owner_ref = json!([{
        "apiVersion": template["apiVersion"],
        "kind": "Machine",
        "name": name,
        "uid": muid,
        "controller": true,
        "blockOwnerDeletion": true,
    }]);

    // Pending: the Machine with its MetalMachine and TalosConfig.
    let mut m = fresh_copy(template, &name, &muid);
    if let Some(spec) = m["spec"].as_object_mut() {
        spec.remove("providerID");
        spec.insert("version".into(), json!(version));
    }
    if let Some(b) = m["spec"]["bootstrap"].as_object_mut() {
        b.remove("dataSecretName");
    }
    m["spec"]["bootstrap"]["configRef"]["name"] = json!(boot);
    m["spec"]["infrastructureRef"]["name"] = json!(infra);
    let conditions = template
        .pointer("/status/conditions")
        .cloned()
        .unwrap_or(json!([]));
    let mut status = json!({"phase": "Pending", "conditions": conditions});
    if template.pointer("/status/observedGeneration").is_some() {
        status["observedGeneration"] = json!(1);
    }
    for (k, path) in [
        ("deprecated", "/status/deprecated"),
        ("v1beta2", "/status/v1beta2"),
    ] {
        if let Some(v) = template.pointer(path) {
            let mut v = v.clone();
            if let Some(map) = v.as_object_mut() {
                map.retain(|k, _| k == "conditions" || k == "v1beta1");
            }
            status[k] = v;
        }
    }
    m["status"] = status;
    if let Some(list) = m
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        list.retain(|c| c["type"] != "HealthCheckSucceeded");
    }
    let waiting = "Waiting for MetalMachine to report spec.providerID";
    for (t, s, r, msg) in [
        ("Available", "False", "NotReady", format!("* NodeHealthy: {waiting}")),
        ("Ready", "False", "NotReady", "* BootstrapConfigReady: TalosConfig status.ready is false\n* InfrastructureReady: MetalMachine status.ready is false".to_string()),
        ("UpToDate", "True", "UpToDate", String::new()),
        ("BootstrapConfigReady", "False", "NotReady", "TalosConfig status.ready is false".into()),
        ("InfrastructureReady", "False", "NotReady", "MetalMachine status.ready is false".into()),
        ("NodeReady", "Unknown", "NodeDoesNotExist", format!("* {waiting}")),
        ("NodeHealthy", "Unknown", "NodeDoesNotExist", format!("* {waiting}")),
        ("Deleting", "False", "NotDeleting", String::new()),
    ] {
        machine_cond(&mut m, t, s, r, &msg);
    }
    let mut mm = fresh_copy(&t_mm, &infra, &uid());
    mm["metadata"]["ownerReferences"] = owner_ref.clone();
    for k in ["providerID", "serverRef"] {
        if let Some(s) = mm["spec"].as_object_mut() {
            s.remove(k);
        }
    }
    mm["status"] = json!({"ready": false});
    let mut tc = fresh_copy(&t_tc, &boot, &uid());
    tc["metadata"]["ownerReferences"] = owner_ref;
    tc["status"] = json!({});
    for (kind, obj) in [("Machine", m), ("MetalMachine", mm), ("TalosConfig", tc)] {
        if let Err(e) = emu.apply(MGMT, obj) {
            warn!(%kind, error = %e, "controllers: creating");
            return false;
        }
    }
    info!(machine = %name, "controllers: Machine Pending");
    recount(emu, ns, &owner.cluster);

    // CABPT writes the machine config: Provisioning.
    clock.pause(2.0).await;
    let secret = format!("{boot}-bootstrap-data");
    emu.modify(MGMT, &kinds::TALOS_CONFIG, Some(ns), &boot, |o| {
        let t = now();
        o["status"] = json!({
            "ready": true,
            "dataSecretName": secret,
            "observedGeneration": 1,
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": t},
                {"type": "ClientConfigAvailable", "status": "True", "lastTransitionTime": t},
                {"type": "DataSecretAvailable", "status": "True", "lastTransitionTime": t},
            ],
        });
    });
    emu.modify(MGMT, &kinds::MACHINE, Some(ns), &name, |o| {
        o["spec"]["bootstrap"]["dataSecretName"] = json!(secret);
        o["status"]["phase"] = json!("Provisioning");
        if o["apiVersion"] == "cluster.x-k8s.io/v1beta1" {
            o["status"]["bootstrapReady"] = json!(true);
        } else {
            o["status"]["initialization"] = json!({"bootstrapDataSecretCreated": true});
        }
        machine_cond(o, "BootstrapConfigReady", "True", "Ready", "");
        machine_cond(
            o,
            "Ready",
            "False",
            "NotReady",
            &format!("* InfrastructureReady: MetalMachine status.ready is false\n* NodeHealthy: {waiting}"),
        );
    });
    info!(machine = %name, "controllers: Machine Provisioning");

    // Sidero allocates a Server and powers it on.
    clock.pause(1.0).await;
    let class = t_mm
        .pointer("/spec/serverClassRef/name")
        .and_then(Value::as_str)
        .unwrap_or("any")
        .to_string();
    let Some(server) = free_server(emu, &class) else {
        warn!(machine = %name, %class, "controllers: no free Server; the Machine stays Provisioning");
        return false;
    };
    let uuid = server["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    emu.modify(MGMT, &kinds::METAL_MACHINE, Some(ns), &infra, |o| {
        o["spec"]["serverRef"] = json!({
            "apiVersion": server["apiVersion"],
            "kind": "Server",
            "name": uuid,
        });
    });
    emu.modify(MGMT, &kinds::SERVER, None, &uuid, |o| {
        o["status"]["inUse"] = json!(true);
        o["status"]["isClean"] = json!(false);
        o["status"]["power"] = json!("on");
    });
    server_in_classes(emu, &uuid, true);
    info!(machine = %name, server = %uuid, "controllers: Server allocated");

    // Talos installs.
    clock.pause(4.0).await;
    emu.modify(MGMT, &kinds::METAL_MACHINE, Some(ns), &infra, |o| {
        o["status"]["conditions"] = json!([{
            "type": "TalosInstalled",
            "status": "False",
            "severity": "Info",
            "lastTransitionTime": now(),
            "reason": "TalosInstallationInProgress",
        }]);
    });

    // The Node registers, NotReady.
    clock.pause(5.0).await;
    let hostname = server
        .pointer("/spec/hostname")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("talos-{}-{}", suffix(3), suffix(3)));
    let ip = next_ip(
        emu,
        &owner.cluster,
        &machine_ip(template).unwrap_or_else(|| "10.0.0.20".into()),
    );
    let t_node = template
        .pointer("/status/nodeRef/name")
        .and_then(Value::as_str)
        .and_then(|n| emu.get(&owner.cluster, &kinds::NODE, None, n));
    let node = t_node.map(|t| new_node(emu, &owner.cluster, &t, &hostname, &uuid, &ip, &version));
    if let Some(node) = &node
        && let Err(e) = emu.apply(&owner.cluster, node.clone())
    {
        warn!(error = %e, "controllers: creating the Node");
    }
    info!(node = %hostname, "controllers: Node registered");

    // MetalMachine ready, providerID set: Provisioned.
    clock.pause(2.0).await;
    let provider = format!("sidero://{uuid}");
    let addresses = json!([
        {"type": "InternalIP", "address": ip},
        {"type": "Hostname", "address": hostname},
    ]);
    emu.modify(MGMT, &kinds::METAL_MACHINE, Some(ns), &infra, |o| {
        let t = now();
        o["spec"]["providerID"] = json!(provider);
        o["status"] = json!({
            "ready": true,
            "addresses": addresses,
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": t},
                {"type": "ProviderSet", "status": "True", "lastTransitionTime": t},
                {"type": "TalosConfigLoaded", "status": "True", "lastTransitionTime": t},
                {"type": "TalosConfigValidated", "status": "True", "lastTransitionTime": t},
                {"type": "TalosInstalled", "status": "True", "lastTransitionTime": t},
            ],
        });
    });
    emu.modify(&owner.cluster, &kinds::NODE, None, &hostname, |o| {
        o["spec"]["providerID"] = json!(provider);
    });
    let node_info = node
        .as_ref()
        .map(|n| n["status"]["nodeInfo"].clone())
        .unwrap_or(Value::Null);
    emu.modify(MGMT, &kinds::MACHINE, Some(ns), &name, |o| {
        o["spec"]["providerID"] = json!(provider);
        o["status"]["phase"] = json!("Provisioned");
        if o["apiVersion"] == "cluster.x-k8s.io/v1beta1" {
            o["status"]["infrastructureReady"] = json!(true);
            o["status"]["nodeRef"] = json!({"apiVersion": "v1", "kind": "Node", "name": hostname});
        } else {
            o["status"]["initialization"]["infrastructureProvisioned"] = json!(true);
            o["status"]["nodeRef"] = json!({"name": hostname});
        }
        if !node_info.is_null() {
            o["status"]["nodeInfo"] = node_info.clone();
        }
        o["status"]["addresses"] = addresses.clone();
        let not_ready = "* Node.Ready: container runtime network not ready";
        machine_cond(o, "InfrastructureReady", "True", "Ready", "");
        machine_cond(o, "NodeReady", "False", "NodeNotReady", not_ready);
        machine_cond(o, "NodeHealthy", "False", "NodeNotHealthy", not_ready);
        machine_cond(
            o,
            "Ready",
            "False",
            "NotReady",
            &format!("* NodeHealthy: {not_ready}"),
        );
    });
    info!(machine = %name, "controllers: Machine Provisioned");

    // The CNI is up: the Node turns Ready, the Machine Running.
    clock.pause(3.0).await;
    node_ready(emu, &owner.cluster, &hostname, true);
    clock.pause(1.0).await;
    emu.modify(MGMT, &kinds::MACHINE, Some(ns), &name, |o| {
        o["status"]["phase"] = json!("Running");
        o["status"]["lastUpdated"] = json!(now());
        for t in ["NodeReady", "NodeHealthy", "Ready", "Available"] {
            machine_cond(o, t, "True", t, "");
        }
    });
    info!(machine = %name, "controllers: Machine Running");
    recount(emu, ns, &owner.cluster);
    true
}

fn new_node(
    emu: &Emulator,
    cluster: &str,
    template: &Value,
    hostname: &str,
    uuid: &str,
    ip: &str,
    version: &str,
) -> Value {
    let mut n = fresh_copy(template, hostname, &uid());
    if let Some(meta) = n["metadata"].as_object_mut() {
        meta.remove("generation");
    }
    n["metadata"]["labels"]["kubernetes.io/hostname"] = json!(hostname);
    n["metadata"]["labels"]["metal.sidero.dev/uuid"] = json!(uuid);
    if n["metadata"]["annotations"]
        .get("flannel.alpha.coreos.com/public-ip")
        .is_some()
    {
        n["metadata"]["annotations"]["flannel.alpha.coreos.com/public-ip"] = json!(ip);
    }
    // the next free pod CIDR
    let used: Vec<u32> = emu
        .list(cluster, &kinds::NODE)
        .iter()
        .filter_map(|n| n["spec"]["podCIDR"].as_str())
        .filter_map(|c| c.split('.').nth(2).and_then(|x| x.parse().ok()))
        .collect();
    if let Some(cidr) = template["spec"]["podCIDR"].as_str() {
        let parts: Vec<&str> = cidr.split('.').collect();
        if parts.len() == 4 {
            let third = used.iter().max().copied().unwrap_or(0) + 1;
            let c = format!("{}.{}.{third}.0/24", parts[0], parts[1]);
            n["spec"]["podCIDR"] = json!(c);
            n["spec"]["podCIDRs"] = json!([c]);
        }
    }
    if !n["spec"].is_object() {
        n["spec"] = json!({});
    }
    let spec = n["spec"].as_object_mut().expect("just made a map");
    spec.remove("providerID");
    spec.remove("unschedulable");
    let mut taints: Vec<Value> = spec
        .get("taints")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    taints.retain(|t| {
        !t["key"]
            .as_str()
            .unwrap_or_default()
            .starts_with("node.kubernetes.io/")
    });
    taints.push(json!({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}));
    spec.insert("taints".into(), json!(taints));
    n["status"]["addresses"] = json!([
        {"type": "InternalIP", "address": ip},
        {"type": "Hostname", "address": hostname},
    ]);
    let info = &mut n["status"]["nodeInfo"];
    info["bootID"] = json!(uid());
    info["machineID"] = json!(hex(32));
    info["systemUUID"] = json!(uuid);
    if !version.is_empty() {
        info["kubeletVersion"] = json!(version);
    }
    let t = now();
    if let Some(conds) = n
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        for c in conds {
            c["lastHeartbeatTime"] = json!(t);
            c["lastTransitionTime"] = json!(t);
            if c["type"] == "Ready" {
                c["status"] = json!("False");
                c["reason"] = json!("KubeletNotReady");
                c["message"] = json!(
                    "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"
                );
            }
        }
    }
    n
}

/// Turns a Node Ready (and schedulable) or NotReady (cordoned).
fn node_ready(emu: &Emulator, cluster: &str, node: &str, ready: bool) {
    emu.modify(cluster, &kinds::NODE, None, node, |o| {
        let t = now();
        if let Some(conds) = o
            .pointer_mut("/status/conditions")
            .and_then(Value::as_array_mut)
        {
            for c in conds {
                c["lastHeartbeatTime"] = json!(t);
                if c["type"] != "Ready" {
                    continue;
                }
                let want = if ready { "True" } else { "False" };
                if c["status"] != want {
                    c["lastTransitionTime"] = json!(t);
                }
                c["status"] = json!(want);
                if ready {
                    c["reason"] = json!("KubeletReady");
                    c["message"] = json!("kubelet is posting ready status");
                } else {
                    c["reason"] = json!("KubeletNotReady");
                    c["message"] = json!("node is shutting down");
                }
            }
        }
        if !o["spec"].is_object() {
            o["spec"] = json!({});
        }
        let spec = o["spec"].as_object_mut().expect("just made a map");
        let mut taints: Vec<Value> = spec
            .get("taints")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        taints.retain(|t| {
            !matches!(
                t["key"].as_str(),
                Some("node.kubernetes.io/not-ready" | "node.kubernetes.io/unschedulable")
            )
        });
        if ready {
            spec.remove("unschedulable");
        } else {
            taints.push(json!({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": t}));
            spec.insert("unschedulable".into(), json!(true));
        }
        if taints.is_empty() {
            spec.remove("taints");
        } else {
            spec.insert("taints".into(), json!(taints));
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Scale down, roll

fn node_of(m: &Value) -> Option<String> {
    m.pointer("/status/nodeRef/name")
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn server_of(emu: &Emulator, m: &Value) -> Option<String> {
    let ns = m["metadata"]["namespace"].as_str();
    let infra = m.pointer("/spec/infrastructureRef/name")?.as_str()?;
    let mm = emu.get(MGMT, &kinds::METAL_MACHINE, ns, infra)?;
    mm.pointer("/spec/serverRef/name")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Drains and deletes one Machine, frees and wipes its Server.
async fn deprovision(emu: &Emulator, owner: &Owner, m: &Value, clock: &Clock) {
    let ns = owner.namespace.as_str();
    let name = m["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let node = node_of(m);
    let server = server_of(emu, m);
    emu.modify(MGMT, &kinds::MACHINE, Some(ns), &name, |o| {
        o["metadata"]["deletionTimestamp"] = json!(now());
        o["status"]["phase"] = json!("Deleting");
        machine_cond(
            o,
            "Deleting",
            "True",
            "DrainingNode",
            "Drain not completed yet",
        );
    });
    if let Some(n) = &node {
        node_ready(emu, &owner.cluster, n, false);
    }
    info!(machine = %name, "controllers: Machine Deleting");
    recount(emu, ns, &owner.cluster);
    clock.pause(3.0).await;
    if let Some(n) = &node {
        emu.delete(&owner.cluster, &kinds::NODE, None, n);
    }
    clock.pause(2.0).await;
    let infra = m
        .pointer("/spec/infrastructureRef/name")
        .and_then(Value::as_str);
    let boot = m
        .pointer("/spec/bootstrap/configRef/name")
        .and_then(Value::as_str);
    emu.delete(MGMT, &kinds::MACHINE, Some(ns), &name);
    if let Some(i) = infra {
        emu.delete(MGMT, &kinds::METAL_MACHINE, Some(ns), i);
    }
    if let Some(b) = boot {
        emu.delete(MGMT, &kinds::TALOS_CONFIG, Some(ns), b);
    }
    info!(machine = %name, "controllers: Machine deleted");
    recount(emu, ns, &owner.cluster);
    if let Some(s) = &server {
        // Sidero wipes the disks, then powers the server off: Available again.
        emu.modify(MGMT, &kinds::SERVER, None, s, |o| {
            o["status"]["inUse"] = json!(false);
            o["status"]["isClean"] = json!(false);
        });
        clock.pause(4.0).await;
        emu.modify(MGMT, &kinds::SERVER, None, s, |o| {
            o["status"]["isClean"] = json!(true);
            o["status"]["power"] = json!("off");
        });
        server_in_classes(emu, s, false);
        info!(server = %s, "controllers: Server wiped, available");
    }
}

/// Rolls one Machine to Kubernetes `version`: drain, re-provision, Running.
async fn roll(emu: &Emulator, owner: &Owner, m: &Value, version: &str, clock: &Clock) {
    let ns = owner.namespace.as_str();
    let name = m["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let node = node_of(m);
    let outdated = format!(
        "* Version {}, {version} required",
        m["spec"]["version"].as_str().unwrap_or_default()
    );
    emu.modify(MGMT, &kinds::MACHINE, Some(ns), &name, |o| {
        o["status"]["phase"] = json!("Deleting");
        machine_cond(o, "UpToDate", "False", "NotUpToDate", &outdated);
        machine_cond(
            o,
            "Deleting",
            "True",
            "DrainingNode",
            "Drain not completed yet",
        );
    });
    if let Some(n) = &node {
        node_ready(emu, &owner.cluster, n, false);
    }
    info!(machine = %name, %version, "controllers: rolling, Deleting");
    recount(emu, ns, &owner.cluster);
    clock.pause(3.0).await;
    emu.modify(MGMT, &kinds::MACHINE, Some(ns), &name, |o| {
        o["spec"]["version"] = json!(version);
        o["status"]["phase"] = json!("Provisioning");
        machine_cond(o, "Deleting", "False", "NotDeleting", "");
        machine_cond(o, "UpToDate", "True", "UpToDate", "");
        machine_cond(
            o,
            "NodeReady",
            "False",
            "NodeNotReady",
            "* Node.Ready: node is shutting down",
        );
        machine_cond(
            o,
            "Ready",
            "False",
            "NotReady",
            "* NodeHealthy: Node.Ready: node is shutting down",
        );
    });
    info!(machine = %name, %version, "controllers: rolling, Provisioning");
    recount(emu, ns, &owner.cluster);
    clock.pause(5.0).await;
    if let Some(n) = &node {
        emu.modify(&owner.cluster, &kinds::NODE, None, n, |o| {
            o["status"]["nodeInfo"]["kubeletVersion"] = json!(version);
            o["status"]["nodeInfo"]["bootID"] = json!(uid());
        });
        node_ready(emu, &owner.cluster, n, true);
    }
    emu.modify(MGMT, &kinds::MACHINE, Some(ns), &name, |o| {
        o["status"]["phase"] = json!("Running");
        o["status"]["nodeInfo"]["kubeletVersion"] = json!(version);
        o["status"]["lastUpdated"] = json!(now());
        machine_cond(o, "NodeReady", "True", "NodeReady", "");
        machine_cond(o, "Ready", "True", "Ready", "");
    });
    info!(machine = %name, %version, "controllers: rolled, Running");
    recount(emu, ns, &owner.cluster);
}

// ---------------------------------------------------------------------------------------------
// Counters

struct Count {
    desired: i64,
    replicas: i64,
    ready: i64,
    up_to_date: i64,
    versions: Value,
}

fn count(machines: &[Value], desired: i64, version: Option<&str>) -> Count {
    let ready = machines
        .iter()
        .filter(|m| m["status"]["phase"] == "Running")
        .count() as i64;
    let up_to_date = machines
        .iter()
        .filter(|m| version.is_none_or(|v| m["spec"]["version"] == v))
        .count() as i64;
    let mut versions: Vec<(String, i64)> = Vec::new();
    for m in machines {
        let v = m["spec"]["version"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        match versions.iter_mut().find(|(x, _)| *x == v) {
            Some((_, n)) => *n += 1,
            None => versions.push((v, 1)),
        }
    }
    versions.sort();
    Count {
        desired,
        replicas: machines.len() as i64,
        ready,
        up_to_date,
        versions: json!(
            versions
                .iter()
                .map(|(v, n)| json!({"version": v, "replicas": n}))
                .collect::<Vec<_>>()
        ),
    }
}

fn scaling(o: &mut Value, path: &str, c: &Count) {
    let (up, down) = (c.replicas < c.desired, c.replicas > c.desired);
    let msg = |dir: &str| {
        format!(
            "Scaling {dir} from {} to {} replicas",
            c.replicas, c.desired
        )
    };
    let (u, d) = (msg("up"), msg("down"));
    set_cond(
        o,
        path,
        "ScalingUp",
        if up { "True" } else { "False" },
        if up { "ScalingUp" } else { "NotScalingUp" },
        if up { &u } else { "" },
        false,
    );
    set_cond(
        o,
        path,
        "ScalingDown",
        if down { "True" } else { "False" },
        if down {
            "ScalingDown"
        } else {
            "NotScalingDown"
        },
        if down { &d } else { "" },
        false,
    );
    let avail = c.ready >= c.desired;
    let msg = format!(
        "{} available replicas, at least {} required",
        c.ready, c.desired
    );
    let (s, r, m) = if avail {
        ("True", "Available", "")
    } else {
        ("False", "NotAvailable", msg.as_str())
    };
    set_cond(o, path, "Available", s, r, m, false);
}

/// Recomputes the counters of the owners of the cluster's Machines from the Machines.
pub fn recount(emu: &Emulator, namespace: &str, cluster: &str) {
    let machines: Vec<Value> = emu
        .list(MGMT, &kinds::MACHINE)
        .into_iter()
        .filter(|m| m["metadata"]["namespace"] == namespace && m["spec"]["clusterName"] == cluster)
        .collect();
    let mut workers_total = Count {
        desired: 0,
        replicas: 0,
        ready: 0,
        up_to_date: 0,
        versions: json!([]),
    };
    let mut worker_versions: Vec<Value> = Vec::new();
    for md in emu.list(MGMT, &kinds::MACHINE_DEPLOYMENT) {
        if md["metadata"]["namespace"] != namespace || md["spec"]["clusterName"] != cluster {
            continue;
        }
        let name = md["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mine: Vec<Value> = machines
            .iter()
            .filter(|m| m["metadata"]["labels"][DEPLOYMENT_LABEL] == name.as_str())
            .cloned()
            .collect();
        let desired = md["spec"]["replicas"].as_i64().unwrap_or(0);
        let version = md
            .pointer("/spec/template/spec/version")
            .and_then(Value::as_str);
        let c = count(&mine, desired, version);
        workers_total.desired += c.desired;
        workers_total.replicas += c.replicas;
        workers_total.ready += c.ready;
        workers_total.up_to_date += c.up_to_date;
        worker_versions.extend(c.versions.as_array().cloned().unwrap_or_default());
        let v1beta1 = md["apiVersion"] == "cluster.x-k8s.io/v1beta1";
        emu.modify(
            MGMT,
            &kinds::MACHINE_DEPLOYMENT,
            Some(namespace),
            &name,
            |o| {
                let s = &mut o["status"];
                s["replicas"] = json!(c.replicas);
                s["readyReplicas"] = json!(c.ready);
                s["availableReplicas"] = json!(c.ready);
                s["phase"] = json!(if c.replicas < c.desired {
                    "ScalingUp"
                } else if c.replicas > c.desired {
                    "ScalingDown"
                } else {
                    "Running"
                });
                if v1beta1 {
                    s["updatedReplicas"] = json!(c.up_to_date);
                    s["unavailableReplicas"] = json!((c.desired - c.ready).max(0));
                    if s.get("v1beta2").is_some() {
                        s["v1beta2"]["readyReplicas"] = json!(c.ready);
                        s["v1beta2"]["availableReplicas"] = json!(c.ready);
                        s["v1beta2"]["upToDateReplicas"] = json!(c.up_to_date);
                    }
                    scaling(o, "/status/v1beta2/conditions", &c);
                } else {
                    s["upToDateReplicas"] = json!(c.up_to_date);
                    s["versions"] = c.versions.clone();
                    if let Some(d) = s.pointer_mut("/deprecated/v1beta1") {
                        d["readyReplicas"] = json!(c.ready);
                        d["availableReplicas"] = json!(c.ready);
                        d["updatedReplicas"] = json!(c.up_to_date);
                        d["unavailableReplicas"] = json!((c.desired - c.ready).max(0));
                    }
                    scaling(o, "/status/conditions", &c);
                }
                if let Some(g) = o["metadata"]["generation"].as_i64() {
                    o["status"]["observedGeneration"] = json!(g);
                }
            },
        );
        // its MachineSets (the one owning Machines, by the set-name label)
        for ms in emu.list(MGMT, &kinds::MACHINE_SET) {
            let owned = ms
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|o| o.iter().any(|r| r["name"] == name.as_str()));
            if !owned || ms["metadata"]["namespace"] != namespace {
                continue;
            }
            let ms_name = ms["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let set: Vec<Value> = mine
                .iter()
                .filter(|m| m["metadata"]["labels"][SET_LABEL] == ms_name.as_str())
                .cloned()
                .collect();
            let c = count(&set, desired, version);
            emu.modify(MGMT, &kinds::MACHINE_SET, Some(namespace), &ms_name, |o| {
                o["spec"]["replicas"] = json!(desired);
                let ann = &mut o["metadata"]["annotations"];
                ann["machinedeployment.clusters.x-k8s.io/desired-replicas"] =
                    json!(desired.to_string());
                ann["machinedeployment.clusters.x-k8s.io/max-replicas"] =
                    json!(desired.to_string());
                let s = &mut o["status"];
                s["replicas"] = json!(c.replicas);
                s["readyReplicas"] = json!(c.ready);
                s["availableReplicas"] = json!(c.ready);
                if v1beta1 {
                    s["fullyLabeledReplicas"] = json!(c.replicas);
                } else {
                    s["upToDateReplicas"] = json!(c.up_to_date);
                    s["versions"] = c.versions.clone();
                    if let Some(d) = s.pointer_mut("/deprecated/v1beta1") {
                        d["fullyLabeledReplicas"] = json!(c.replicas);
                        d["readyReplicas"] = json!(c.ready);
                        d["availableReplicas"] = json!(c.ready);
                    }
                }
            });
        }
        // its health check
        for mhc in emu.list(MGMT, &kinds::MACHINE_HEALTH_CHECK) {
            if mhc["metadata"]["namespace"] != namespace || mhc["spec"]["clusterName"] != cluster {
                continue;
            }
            let selects = mhc
                .pointer("/spec/selector/matchLabels")
                .and_then(Value::as_object)
                .is_some_and(|l| l.get(DEPLOYMENT_LABEL) == Some(&json!(name)));
            if !selects {
                continue;
            }
            let mut targets: Vec<&str> = mine
                .iter()
                .filter_map(|m| m["metadata"]["name"].as_str())
                .collect();
            targets.sort();
            let mhc_name = mhc["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            emu.modify(
                MGMT,
                &kinds::MACHINE_HEALTH_CHECK,
                Some(namespace),
                &mhc_name,
                |o| {
                    o["status"]["expectedMachines"] = json!(targets.len());
                    o["status"]["currentHealthy"] = json!(c.ready);
                    o["status"]["targets"] = json!(targets);
                },
            );
        }
    }
    workers_total.versions = json!(worker_versions);
    // the control plane
    let cps: Vec<Value> = machines
        .iter()
        .filter(|m| m["metadata"]["labels"].get(CP_LABEL).is_some())
        .cloned()
        .collect();
    let mut cp_total = None;
    for tcp in emu.list(MGMT, &kinds::TALOS_CONTROL_PLANE) {
        let of_cluster = tcp["metadata"]["labels"][CLUSTER_LABEL] == cluster
            || tcp
                .pointer("/metadata/ownerReferences/0/name")
                .and_then(Value::as_str)
                == Some(cluster);
        if tcp["metadata"]["namespace"] != namespace || !of_cluster {
            continue;
        }
        let desired = tcp["spec"]["replicas"].as_i64().unwrap_or(0);
        let c = count(&cps, desired, tcp["spec"]["version"].as_str());
        let name = tcp["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        emu.modify(
            MGMT,
            &kinds::TALOS_CONTROL_PLANE,
            Some(namespace),
            &name,
            |o| {
                let s = &mut o["status"];
                s["replicas"] = json!(c.replicas);
                s["readyReplicas"] = json!(c.ready);
                s["unavailableReplicas"] = json!((c.replicas - c.ready).max(0));
                let rolling = c.up_to_date < c.replicas;
                let outdated = format!(
                    "Rolling {} replicas with outdated spec",
                    c.replicas - c.up_to_date
                );
                set_cond(
                    o,
                    "/status/conditions",
                    "MachinesSpecUpToDate",
                    if rolling { "False" } else { "True" },
                    if rolling {
                        "RollingUpdateInProgress"
                    } else {
                        ""
                    },
                    if rolling { &outdated } else { "" },
                    false,
                );
                if !rolling
                    && c.ready == c.replicas
                    && let Some(v) = o["spec"]["version"].as_str().map(str::to_string)
                {
                    o["status"]["version"] = json!(v);
                }
                if let Some(g) = o["metadata"]["generation"].as_i64() {
                    o["status"]["observedGeneration"] = json!(g);
                }
            },
        );
        cp_total = Some(c);
    }
    // the Cluster
    for cl in emu.list(MGMT, &kinds::CLUSTER) {
        if cl["metadata"]["namespace"] != namespace || cl["metadata"]["name"] != cluster {
            continue;
        }
        let base = if cl["apiVersion"] == "cluster.x-k8s.io/v1beta1" {
            "/status/v1beta2"
        } else {
            "/status"
        };
        emu.modify(MGMT, &kinds::CLUSTER, Some(namespace), cluster, |o| {
            let Some(s) = o.pointer_mut(base) else {
                return;
            };
            for (key, c) in [
                ("workers", Some(&workers_total)),
                ("controlPlane", cp_total.as_ref()),
            ] {
                let Some(c) = c else { continue };
                if s.get(key).is_none() {
                    continue;
                }
                let w = &mut s[key];
                w["desiredReplicas"] = json!(c.desired);
                w["replicas"] = json!(c.replicas);
                w["readyReplicas"] = json!(c.ready);
                w["availableReplicas"] = json!(c.ready);
                w["upToDateReplicas"] = json!(c.up_to_date);
                if c.replicas > 0 {
                    w["versions"] = c.versions.clone();
                } else if let Some(m) = w.as_object_mut() {
                    m.remove("versions");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uids_look_like_kubernetes_ones() {
        let s = suffix(5);
        assert_eq!(s.len(), 5);
        assert!(s.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
        assert_ne!(suffix(5), suffix(5));
        let u = uid();
        assert_eq!(u.len(), 36);
        assert_eq!(u.matches('-').count(), 4);
    }

    #[test]
    fn replica_and_version_changes_become_effects() {
        let live: Value = serde_yaml::from_str(
            "metadata: {name: w, namespace: ns}\nspec: {clusterName: c, replicas: 3, template: {spec: {version: v1.36.3}}}",
        )
        .unwrap();
        let mut doc = live.clone();
        assert!(effects_of(&kinds::MACHINE_DEPLOYMENT, &live, &doc).is_empty());
        doc["spec"]["replicas"] = json!(4);
        doc["spec"]["template"]["spec"]["version"] = json!("v1.36.4");
        let owner = Owner {
            kind: OwnerKind::MachineDeployment,
            namespace: "ns".into(),
            name: "w".into(),
            cluster: "c".into(),
        };
        assert_eq!(
            effects_of(&kinds::MACHINE_DEPLOYMENT, &live, &doc),
            [
                Effect::Scale {
                    owner: owner.clone(),
                    to: 4
                },
                Effect::Version {
                    owner,
                    to: "v1.36.4".into()
                }
            ]
        );
        assert!(effects_of(&kinds::MACHINE_SET, &live, &doc).is_empty());
    }

    #[test]
    fn conditions_keep_their_shape() {
        let mut m: Value = serde_yaml::from_str(
            "metadata: {generation: 2}\nstatus: {conditions: [{type: Ready, status: 'True', observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:00Z', reason: Ready, message: ''}], deprecated: {v1beta1: {conditions: [{type: Ready, status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z'}]}}}",
        )
        .unwrap();
        machine_cond(&mut m, "Ready", "False", "NotReady", "x");
        let c = &m["status"]["conditions"][0];
        assert_eq!(c["status"], "False");
        assert_eq!(c["observedGeneration"], 2);
        assert_ne!(c["lastTransitionTime"], "2026-01-01T00:00:00Z");
        let old = &m["status"]["deprecated"]["v1beta1"]["conditions"][0];
        assert_eq!(old["status"], "False");
        assert_eq!(old["severity"], "Info");
        assert!(old.get("observedGeneration").is_none());
        machine_cond(&mut m, "Ready", "True", "Ready", "");
        let old = &m["status"]["deprecated"]["v1beta1"]["conditions"][0];
        assert!(old.get("severity").is_none());
    }
}
