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
//!
//! One file per concern: `provision` (scale up, Machine by Machine), `drain` (scale down and
//! the version roll), `nodes` (the workload cluster's Nodes), `servers` (Sidero's Servers and
//! ServerClasses), `conditions` (Cluster API condition lists), `counters` (the owners' status
//! counters), `names` (generated names, uids and fresh copies of objects).

mod conditions;
mod counters;
mod drain;
mod names;
mod nodes;
mod provision;
mod servers;
#[cfg(test)]
mod tests;

use std::time::Duration;

use serde_json::Value;
use tracing::info;

use super::emulator::Emulator;
use super::world::{self, MGMT};
use crate::model::kinds::{self, KindInfo};

pub use counters::recount;
pub use names::suffix;

use drain::{deprovision, roll};
use provision::provision;

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
