//! Scale up: one new Machine, shaped after the owner's newest, from Pending to Running.

use serde_json::{Value, json};
use tracing::{info, warn};

use super::conditions::machine_cond;
use super::names::{fresh_copy, suffix, uid};
use super::nodes::{new_node, node_ready};
use super::servers::{free_server, server_in_classes};
use super::{Clock, MGMT, Owner, OwnerKind, SET_LABEL, now, recount};
use crate::demo::emulator::Emulator;
use crate::model::kinds;

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

/// Creates and provisions one Machine like the newest of `machines`; false when it cannot (no
/// Machine to copy, no free Server).
pub(super) async fn provision(
    emu: &Emulator,
    owner: &Owner,
    machines: &[Value],
    clock: &Clock,
) -> bool {
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
