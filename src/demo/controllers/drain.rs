//! Scale down and the version roll: a Machine drained, then deleted (its Server wiped) or
//! re-provisioned at the new Kubernetes version.

use serde_json::{Value, json};
use tracing::info;

use super::conditions::machine_cond;
use super::names::uid;
use super::nodes::{node_of, node_ready};
use super::servers::{server_in_classes, server_of};
use super::{Clock, MGMT, Owner, now, recount};
use crate::demo::emulator::Emulator;
use crate::model::kinds;

/// The first step of both for Machine `m`: `mark` (a deletion timestamp, or its version out of
/// date), then phase Deleting with its `Deleting`/`DrainingNode` condition, and its Node
/// cordoned. Returns the Machine's name and its Node's.
fn start_drain(
    emu: &Emulator,
    owner: &Owner,
    m: &Value,
    mark: impl FnOnce(&mut Value),
) -> (String, Option<String>) {
    let name = m["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let node = node_of(m);
    emu.modify(MGMT, &kinds::MACHINE, Some(&owner.namespace), &name, |o| {
        mark(o);
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
    (name, node)
}

/// Drains and deletes one Machine, frees and wipes its Server.
pub(super) async fn deprovision(emu: &Emulator, owner: &Owner, m: &Value, clock: &Clock) {
    let ns = owner.namespace.as_str();
    let server = server_of(emu, m);
    let (name, node) = start_drain(emu, owner, m, |o| {
        o["metadata"]["deletionTimestamp"] = json!(now());
    });
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
pub(super) async fn roll(emu: &Emulator, owner: &Owner, m: &Value, version: &str, clock: &Clock) {
    let ns = owner.namespace.as_str();
    let outdated = format!(
        "* Version {}, {version} required",
        m["spec"]["version"].as_str().unwrap_or_default()
    );
    let (name, node) = start_drain(emu, owner, m, |o| {
        machine_cond(o, "UpToDate", "False", "NotUpToDate", &outdated);
    });
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
