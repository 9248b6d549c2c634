//! The workload cluster's Nodes: registered for a new Machine, turned Ready or cordoned.

use serde_json::{Value, json};

use super::names::{fresh_copy, hex, uid};
use super::now;
use crate::demo::emulator::Emulator;
use crate::model::kinds;

pub(super) fn new_node(
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
pub(super) fn node_ready(emu: &Emulator, cluster: &str, node: &str, ready: bool) {
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

pub(super) fn node_of(m: &Value) -> Option<String> {
    m.pointer("/status/nodeRef/name")
        .and_then(Value::as_str)
        .map(str::to_string)
}
