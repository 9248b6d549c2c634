//! The counters of the MachineDeployment, MachineSet, TalosControlPlane, Cluster and
//! MachineHealthCheck, recomputed from the Machines after each step.

use serde_json::{Value, json};

use super::conditions::set_cond;
use super::{CLUSTER_LABEL, CP_LABEL, DEPLOYMENT_LABEL, MGMT, SET_LABEL};
use crate::demo::emulator::Emulator;
use crate::model::kinds;

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
