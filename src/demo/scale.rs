//! A generated datacenter for load tests and benchmarks: N workload clusters on one management
//! cluster, each with Talos control-plane and worker Machines, their Nodes (on the workload
//! cluster) and the Sidero Servers they run on — and a churn generator.

use std::time::Duration;

use serde_json::{Value, json};

use super::emulator::Emulator;
use super::world::{MGMT, format_time};
use crate::model::kinds;

/// Shape of the generated fleet.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub clusters: usize,
    /// Machines (and Nodes, and Servers) per cluster; 3 of them are control plane.
    pub machines_per_cluster: usize,
}

fn cluster_name(i: usize) -> String {
    format!("site-{i:03}")
}

fn uuid(c: usize, m: usize) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", c, m)
}

/// Fills the emulator: the management cluster `mgmt` and one virtual cluster per site.
pub fn populate(emu: &Emulator, scale: Scale, now: i64) -> Result<(), String> {
    let t = |ago: i64| format_time(now - ago);
    emu.add_cluster(MGMT);
    for c in 0..scale.clusters {
        let name = cluster_name(c);
        emu.add_cluster(&name);
        let ns = name.clone();
        let workers = scale.machines_per_cluster.saturating_sub(3);
        emu.apply(
            MGMT,
            json!({
                "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}
            }),
        )?;
        emu.apply(MGMT, json!({
            "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster",
            "metadata": {"name": name, "namespace": ns, "creationTimestamp": t(86400 * 30)},
            "spec": {
                "controlPlaneRef": {"apiGroup": "controlplane.cluster.x-k8s.io", "kind": "TalosControlPlane", "name": format!("{name}-cp")},
                "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "MetalCluster", "name": name},
                "controlPlaneEndpoint": {"host": format!("10.{}.{}.10", c / 250, c % 250), "port": 6443}
            },
            "status": {
                "phase": "Provisioned",
                "initialization": {"infrastructureProvisioned": true, "controlPlaneInitialized": true},
                "controlPlane": {"desiredReplicas": 3, "replicas": 3, "readyReplicas": 3, "availableReplicas": 3, "upToDateReplicas": 3},
                "workers": {"desiredReplicas": workers, "replicas": workers, "readyReplicas": workers, "availableReplicas": workers, "upToDateReplicas": workers},
                "conditions": [{"type": "Available", "status": "True", "reason": "Available", "lastTransitionTime": t(86400 * 29)}]
            }
        }))?;
        emu.apply(MGMT, json!({
            "apiVersion": "controlplane.cluster.x-k8s.io/v1alpha3", "kind": "TalosControlPlane",
            "metadata": {"name": format!("{name}-cp"), "namespace": ns, "labels": {"cluster.x-k8s.io/cluster-name": name}},
            "spec": {"replicas": 3, "version": "v1.34.1"},
            "status": {"ready": true, "initialized": true, "bootstrapped": true, "replicas": 3, "readyReplicas": 3, "unavailableReplicas": 0, "version": "v1.34.1"}
        }))?;
        emu.apply(MGMT, json!({
            "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "MachineDeployment",
            "metadata": {"name": format!("{name}-workers"), "namespace": ns, "labels": {"cluster.x-k8s.io/cluster-name": name}},
            "spec": {"clusterName": name, "replicas": workers, "template": {"spec": {"clusterName": name, "version": "v1.34.1"}}},
            "status": {"replicas": workers, "readyReplicas": workers, "availableReplicas": workers, "upToDateReplicas": workers, "phase": "Running"}
        }))?;
        for m in 0..scale.machines_per_cluster {
            let cp = m < 3;
            let mname = if cp {
                format!("{name}-cp-{m}")
            } else {
                format!("{name}-worker-{m}")
            };
            let id = uuid(c, m);
            let mut labels = json!({"cluster.x-k8s.io/cluster-name": name});
            if cp {
                labels["cluster.x-k8s.io/control-plane"] = json!("");
            } else {
                labels["cluster.x-k8s.io/deployment-name"] = json!(format!("{name}-workers"));
            }
            let ip = format!("10.{}.{}.{}", c / 250, c % 250, 20 + m % 230);
            emu.apply(MGMT, json!({
                "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Machine",
                "metadata": {"name": mname, "namespace": ns, "labels": labels, "creationTimestamp": t(86400 * 29)},
                "spec": {"clusterName": name, "version": "v1.34.1", "providerID": format!("sidero://{id}")},
                "status": {
                    "phase": "Running", "nodeRef": {"name": mname},
                    "nodeInfo": {"osImage": "Talos (v1.11.3)", "kubeletVersion": "v1.34.1"},
                    "addresses": [{"type": "InternalIP", "address": ip}],
                    "conditions": [{"type": "Ready", "status": "True", "reason": "Ready", "lastTransitionTime": t(86400 * 29)}]
                }
            }))?;
            emu.apply(MGMT, json!({
                "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server",
                "metadata": {"name": id, "creationTimestamp": t(86400 * 60)},
                "spec": {"accepted": true, "hostname": format!("{mname}.metal"),
                    "hardware": {"compute": {"processorCount": 1, "totalCoreCount": 16, "totalThreadCount": 32},
                        "memory": {"totalSize": "64 GB"},
                        "storage": {"deviceCount": 1, "devices": [{"name": "nvme0n1", "size": 960197124096u64, "type": "NVME"}]}}},
                "status": {"power": "on", "inUse": true, "isClean": false, "ready": true}
            }))?;
            emu.apply(&name, node(&mname, &id, &ip, cp, &t(86400 * 29)))?;
        }
    }
    Ok(())
}

fn node(name: &str, id: &str, ip: &str, cp: bool, since: &str) -> Value {
    let mut labels = json!({"kubernetes.io/hostname": name, "metal.sidero.dev/uuid": id});
    if cp {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
    }
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": labels, "creationTimestamp": since},
        "spec": {"providerID": format!("sidero://{id}")},
        "status": {
            "capacity": {"cpu": "16", "memory": "65856444Ki", "pods": "110"},
            "allocatable": {"cpu": "15800m", "memory": "64709564Ki", "pods": "110"},
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "nodeInfo": {"osImage": "Talos (v1.11.3)", "kubeletVersion": "v1.34.1", "kernelVersion": "6.12.57-talos", "containerRuntimeVersion": "containerd://2.1.5"},
            "conditions": [
                {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory", "lastHeartbeatTime": since, "lastTransitionTime": since},
                {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure", "lastHeartbeatTime": since, "lastTransitionTime": since},
                {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID", "lastHeartbeatTime": since, "lastTransitionTime": since},
                {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status", "lastHeartbeatTime": since, "lastTransitionTime": since}
            ]
        }
    })
}

/// Changes the world at `per_sec` events per second until aborted: three in four are Node
/// heartbeats (nothing a view shows changes), the rest flip a worker Node's Ready condition and
/// its Machine's (shown everywhere).
pub async fn churn(emu: Emulator, scale: Scale, per_sec: u32) {
    let per_sec = per_sec.max(1);
    // Send in small bursts every 50 ms.
    let tick_ms = 50u64;
    let per_tick = (per_sec as u64 * tick_ms / 1000).max(1);
    let mut tick = tokio::time::interval(Duration::from_millis(tick_ms));
    let mut n: u64 = 0;
    loop {
        tick.tick().await;
        let now = format_time(crate::kube::now());
        for _ in 0..per_tick {
            n += 1;
            let c = (n as usize * 7) % scale.clusters.max(1);
            let m = 3 + (n as usize * 13) % scale.machines_per_cluster.saturating_sub(3).max(1);
            let cluster = cluster_name(c);
            let name = format!("{cluster}-worker-{m}");
            if !n.is_multiple_of(4) {
                emu.modify(&cluster, &kinds::NODE, None, &name, |o| {
                    super::run::heartbeat(o, &now)
                });
            } else {
                let ready = if (n / 4).is_multiple_of(2) {
                    "False"
                } else {
                    "True"
                };
                emu.modify(&cluster, &kinds::NODE, None, &name, |o| {
                    if let Some(conds) = o
                        .pointer_mut("/status/conditions")
                        .and_then(Value::as_array_mut)
                    {
                        for cond in conds.iter_mut().filter(|c| c["type"] == "Ready") {
                            cond["status"] = json!(ready);
                            cond["lastTransitionTime"] = json!(now);
                        }
                    }
                });
            }
        }
    }
}

/// The scale world's kubeconfig Secrets (one per site), like the demo world's.
pub fn kubeconfig_secrets(emu: &Emulator, base_url: &str) -> Result<(), String> {
    super::world::kubeconfig_secrets(emu, base_url)
}
