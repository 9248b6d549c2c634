//! The demo datacenter embedded in the binary: the world (`fixtures/demo/world/<cluster>/*.yaml`,
//! full objects with status) and the scenarios (`fixtures/demo/scenarios/*.yaml`).
//!
//! Every file must be listed here (a test walks the folders), so none is silently left out.
//! Times in the world assume "now" is [`FIXTURES_NOW`]; the loader shifts them.

use serde_json::Value;

/// The "now" the fixtures were written for (events a few minutes old, heartbeats seconds old).
/// A loader shifts every time in the world by `real now - FIXTURES_NOW`.
pub const FIXTURES_NOW: &str = "2026-09-21T12:00:00Z";

/// `(virtual cluster, file name, contents)`; `mgmt` is the management cluster, the others are
/// workload clusters reached through `<cluster>-kubeconfig` Secrets the loader generates.
pub const WORLD: &[(&str, &str, &str)] = &[
    (
        "mgmt",
        "edge-berlin-cluster.yaml",
        include_str!("../../fixtures/demo/world/mgmt/edge-berlin-cluster.yaml"),
    ),
    (
        "mgmt",
        "edge-berlin-machines.yaml",
        include_str!("../../fixtures/demo/world/mgmt/edge-berlin-machines.yaml"),
    ),
    (
        "mgmt",
        "edge-lab-cluster.yaml",
        include_str!("../../fixtures/demo/world/mgmt/edge-lab-cluster.yaml"),
    ),
    (
        "mgmt",
        "edge-lab-machines.yaml",
        include_str!("../../fixtures/demo/world/mgmt/edge-lab-machines.yaml"),
    ),
    (
        "mgmt",
        "events.yaml",
        include_str!("../../fixtures/demo/world/mgmt/events.yaml"),
    ),
    (
        "mgmt",
        "namespaces.yaml",
        include_str!("../../fixtures/demo/world/mgmt/namespaces.yaml"),
    ),
    (
        "mgmt",
        "nodes.yaml",
        include_str!("../../fixtures/demo/world/mgmt/nodes.yaml"),
    ),
    (
        "mgmt",
        "serverclasses.yaml",
        include_str!("../../fixtures/demo/world/mgmt/serverclasses.yaml"),
    ),
    (
        "mgmt",
        "servers.yaml",
        include_str!("../../fixtures/demo/world/mgmt/servers.yaml"),
    ),
    (
        "mgmt",
        "argocd-applications.yaml",
        include_str!("../../fixtures/demo/world/mgmt/argocd-applications.yaml"),
    ),
    (
        "mgmt",
        "argocd-applicationsets.yaml",
        include_str!("../../fixtures/demo/world/mgmt/argocd-applicationsets.yaml"),
    ),
    (
        "mgmt",
        "crossplane.yaml",
        include_str!("../../fixtures/demo/world/mgmt/crossplane.yaml"),
    ),
    (
        "mgmt",
        "sealedsecrets.yaml",
        include_str!("../../fixtures/demo/world/mgmt/sealedsecrets.yaml"),
    ),
    (
        "mgmt",
        "workloads.yaml",
        include_str!("../../fixtures/demo/world/mgmt/workloads.yaml"),
    ),
    (
        "edge-berlin",
        "events.yaml",
        include_str!("../../fixtures/demo/world/edge-berlin/events.yaml"),
    ),
    (
        "edge-berlin",
        "namespaces.yaml",
        include_str!("../../fixtures/demo/world/edge-berlin/namespaces.yaml"),
    ),
    (
        "edge-berlin",
        "nodes.yaml",
        include_str!("../../fixtures/demo/world/edge-berlin/nodes.yaml"),
    ),
    (
        "edge-berlin",
        "ceph.yaml",
        include_str!("../../fixtures/demo/world/edge-berlin/ceph.yaml"),
    ),
    (
        "edge-berlin",
        "k10.yaml",
        include_str!("../../fixtures/demo/world/edge-berlin/k10.yaml"),
    ),
    (
        "edge-berlin",
        "klum.yaml",
        include_str!("../../fixtures/demo/world/edge-berlin/klum.yaml"),
    ),
    (
        "edge-berlin",
        "sealedsecrets.yaml",
        include_str!("../../fixtures/demo/world/edge-berlin/sealedsecrets.yaml"),
    ),
    (
        "edge-berlin",
        "storage.yaml",
        include_str!("../../fixtures/demo/world/edge-berlin/storage.yaml"),
    ),
    (
        "edge-berlin",
        "workloads.yaml",
        include_str!("../../fixtures/demo/world/edge-berlin/workloads.yaml"),
    ),
    (
        "edge-lab",
        "events.yaml",
        include_str!("../../fixtures/demo/world/edge-lab/events.yaml"),
    ),
    (
        "edge-lab",
        "namespaces.yaml",
        include_str!("../../fixtures/demo/world/edge-lab/namespaces.yaml"),
    ),
    (
        "edge-lab",
        "nodes.yaml",
        include_str!("../../fixtures/demo/world/edge-lab/nodes.yaml"),
    ),
    (
        "edge-lab",
        "diskpools.yaml",
        include_str!("../../fixtures/demo/world/edge-lab/diskpools.yaml"),
    ),
    (
        "edge-lab",
        "k10.yaml",
        include_str!("../../fixtures/demo/world/edge-lab/k10.yaml"),
    ),
    (
        "edge-lab",
        "klum.yaml",
        include_str!("../../fixtures/demo/world/edge-lab/klum.yaml"),
    ),
    (
        "edge-lab",
        "sealedsecrets.yaml",
        include_str!("../../fixtures/demo/world/edge-lab/sealedsecrets.yaml"),
    ),
    (
        "edge-lab",
        "storage.yaml",
        include_str!("../../fixtures/demo/world/edge-lab/storage.yaml"),
    ),
    (
        "edge-lab",
        "workloads.yaml",
        include_str!("../../fixtures/demo/world/edge-lab/workloads.yaml"),
    ),
];

/// `(scenario name, contents)`; `default` is what the demo plays unless told otherwise.
pub const SCENARIOS: &[(&str, &str)] = &[
    (
        "default",
        include_str!("../../fixtures/demo/scenarios/default.yaml"),
    ),
    (
        "cp-upgrade",
        include_str!("../../fixtures/demo/scenarios/cp-upgrade.yaml"),
    ),
    (
        "provision-machine",
        include_str!("../../fixtures/demo/scenarios/provision-machine.yaml"),
    ),
    (
        "server-poweroff",
        include_str!("../../fixtures/demo/scenarios/server-poweroff.yaml"),
    ),
    (
        "worker-notready",
        include_str!("../../fixtures/demo/scenarios/worker-notready.yaml"),
    ),
    (
        "ceph-warn",
        include_str!("../../fixtures/demo/scenarios/ceph-warn.yaml"),
    ),
    (
        "mayastor-degraded",
        include_str!("../../fixtures/demo/scenarios/mayastor-degraded.yaml"),
    ),
    (
        "backup-retry",
        include_str!("../../fixtures/demo/scenarios/backup-retry.yaml"),
    ),
    (
        "image-pull",
        include_str!("../../fixtures/demo/scenarios/image-pull.yaml"),
    ),
];

/// The virtual clusters of the world, `mgmt` first.
pub fn clusters() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (c, _, _) in WORLD {
        if !out.contains(c) {
            out.push(c);
        }
    }
    out
}

/// The documents of a multi-document YAML text as JSON values (empty documents skipped).
pub fn documents(file: &str, text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    crate::repo::yaml::guard(text)
        .map_err(|e| format!("{file}:{}:{}: {}", e.pos.line, e.pos.col, e.message))?;
    let docs: Vec<Value> =
        crate::repo::yaml_serde::documents(text).map_err(|e| format!("{file}: {e}"))?;
    out.extend(docs.into_iter().filter(|v| !v.is_null()));
    Ok(out)
}

/// Every object of the world with its virtual cluster, in file order.
pub fn world_objects() -> Result<Vec<(&'static str, Value)>, String> {
    let mut out = Vec::new();
    for (cluster, file, text) in WORLD {
        for v in documents(&format!("world/{cluster}/{file}"), text)? {
            out.push((*cluster, v));
        }
    }
    Ok(out)
}

/// The bundled scenario text of `name`.
pub fn scenario_text(name: &str) -> Option<&'static str> {
    SCENARIOS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{self, LiveObject, kinds};
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::PathBuf;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo")
    }

    fn group_of(v: &Value) -> &str {
        kinds::split_api_version(v["apiVersion"].as_str().unwrap_or_default()).0
    }

    #[test]
    fn every_fixture_file_is_listed() {
        let mut on_disk = BTreeSet::new();
        for cluster in std::fs::read_dir(root().join("world")).unwrap() {
            let cluster = cluster.unwrap();
            assert!(
                cluster.file_type().unwrap().is_dir(),
                "{:?}",
                cluster.path()
            );
            for f in std::fs::read_dir(cluster.path()).unwrap() {
                let f = f.unwrap();
                on_disk.insert((
                    cluster.file_name().to_string_lossy().into_owned(),
                    f.file_name().to_string_lossy().into_owned(),
                ));
            }
        }
        let listed: BTreeSet<(String, String)> = WORLD
            .iter()
            .map(|(c, f, _)| (c.to_string(), f.to_string()))
            .collect();
        assert_eq!(
            listed, on_disk,
            "src/demo/fixtures.rs WORLD vs fixtures/demo/world"
        );
        assert_eq!(listed.len(), WORLD.len(), "a world file is listed twice");
        for (c, f, text) in WORLD {
            let disk = std::fs::read_to_string(root().join("world").join(c).join(f)).unwrap();
            assert_eq!(&disk, text);
        }

        let on_disk: BTreeSet<String> = std::fs::read_dir(root().join("scenarios"))
            .unwrap()
            .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let listed: BTreeSet<String> = SCENARIOS.iter().map(|(n, _)| format!("{n}.yaml")).collect();
        assert_eq!(
            listed, on_disk,
            "src/demo/fixtures.rs SCENARIOS vs fixtures/demo/scenarios"
        );
        assert_eq!(listed.len(), SCENARIOS.len());
        assert!(scenario_text("default").is_some());
        assert_eq!(clusters(), ["mgmt", "edge-berlin", "edge-lab"]);
    }

    #[test]
    fn world_objects_parse_into_models() {
        let objects = world_objects().unwrap();
        assert!(objects.len() > 100, "{}", objects.len());
        let mut seen = BTreeSet::new();
        for (cluster, v) in &objects {
            let (ns, name) = model::object_name(v);
            let what = format!("{cluster}: {} {ns:?}/{name}", v["kind"]);
            let kind = kinds::find(group_of(v), v["kind"].as_str().unwrap_or_default())
                .unwrap_or_else(|| {
                    panic!("{what}: kind not in the kinds table, the emulator would not serve it")
                });
            let version = kinds::split_api_version(v["apiVersion"].as_str().unwrap()).1;
            assert!(
                kind.versions.contains(&version),
                "{what}: version {version} not served"
            );
            assert!(!name.is_empty(), "{what}: no name");
            assert_eq!(ns.is_some(), kind.namespaced, "{what}: namespace vs scope");
            assert!(
                seen.insert((*cluster, kind.kind, ns.clone(), name.clone())),
                "{what}: listed twice"
            );
            let parsed = model::parse(kind, v).unwrap_or_else(|e| panic!("{what}: {e}"));
            let parsed = parsed.unwrap_or_else(|| panic!("{what}: kind without a model"));
            assert_eq!(parsed.meta().name, name);
        }
    }

    /// The watches decode each object straight from its text (no tree): every object of the
    /// world gives the same model that way, and a broken one the same error (path and words).
    #[test]
    fn world_objects_decode_from_text_as_from_a_tree() {
        for (cluster, v) in world_objects().unwrap() {
            let kind = kinds::find(group_of(&v), v["kind"].as_str().unwrap_or_default()).unwrap();
            let text = serde_json::value::to_raw_value(&v).unwrap();
            assert_eq!(
                model::parse(kind, &*text),
                model::parse(kind, &v),
                "{cluster}: {}",
                v["metadata"]["name"]
            );
            let mut broken = v.clone();
            broken["metadata"]["labels"] = serde_json::json!({"x": 1});
            broken["status"] = serde_json::json!([]);
            let text = serde_json::value::to_raw_value(&broken).unwrap();
            let (from_text, from_tree) = (model::parse(kind, &*text), model::parse(kind, &broken));
            assert!(from_tree.is_err(), "{cluster}: {}", v["metadata"]["name"]);
            assert_eq!(from_text, from_tree);
        }
    }

    #[test]
    fn world_holds_no_secrets() {
        for (cluster, v) in world_objects().unwrap() {
            let what = format!("{cluster}: {} {}", v["kind"], v["metadata"]["name"]);
            assert_ne!(
                v["kind"], "Secret",
                "{what}: Secrets are generated at run time"
            );
            assert!(v["status"].get("talosConfig").is_none(), "{what}");
            assert!(v["spec"].get("data").is_none(), "{what}");
            if let Some(bmc) = v["spec"].get("bmc") {
                assert!(
                    bmc.get("user").is_none() && bmc.get("pass").is_none(),
                    "{what}"
                );
            }
        }
        for (_, _, text) in WORLD {
            for needle in [
                "talosConfig:",
                "kubeconfig:",
                "BEGIN RSA",
                "BEGIN EC",
                "bootstrapData:",
            ] {
                assert!(!text.contains(needle), "{needle}");
            }
        }
    }

    /// Checks a core object (Node, Event, Namespace) against the Kubernetes types, strictly:
    /// an unknown field is an error. Other kinds pass (`blast check --schemas` covers CRDs).
    pub(crate) fn strict_core(what: &str, v: &Value) {
        use k8s_openapi::api::core::v1 as core;
        fn strict<T: serde::de::DeserializeOwned>(what: &str, v: &Value) {
            let mut unknown = Vec::new();
            let r: Result<T, _> = serde_ignored::deserialize(v, |p| unknown.push(p.to_string()));
            if let Err(e) = r {
                panic!("{what}: {e}");
            }
            assert!(unknown.is_empty(), "{what}: unknown fields {unknown:?}");
        }
        match (v["apiVersion"].as_str(), v["kind"].as_str()) {
            (Some("v1"), Some("Node")) => strict::<core::Node>(what, v),
            (Some("v1"), Some("Event")) => strict::<core::Event>(what, v),
            (Some("v1"), Some("Namespace")) => strict::<core::Namespace>(what, v),
            _ => {}
        }
    }

    #[test]
    fn core_objects_match_kubernetes_types() {
        let mut n = 0;
        for (cluster, v) in world_objects().unwrap() {
            if v["apiVersion"] == "v1" {
                strict_core(
                    &format!("{cluster}: {} {}", v["kind"], v["metadata"]["name"]),
                    &v,
                );
                n += 1;
            }
        }
        assert!(n > 40, "{n}");
    }

    type Models = BTreeMap<&'static str, Vec<LiveObject>>;

    fn models() -> Models {
        let mut out: Models = BTreeMap::new();
        for (cluster, v) in world_objects().unwrap() {
            let kind = kinds::find(group_of(&v), v["kind"].as_str().unwrap()).unwrap();
            out.entry(cluster)
                .or_default()
                .push(model::parse(kind, &v).unwrap().unwrap());
        }
        out
    }

    macro_rules! all {
        ($models:expr, $cluster:expr, $variant:ident) => {
            $models[$cluster]
                .iter()
                .filter_map(|o| match o {
                    LiveObject::$variant(x) => Some(x),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
    }

    /// The joins of status-fields.md §12 hold in the world.
    #[test]
    fn world_is_consistent() {
        use model::{CondStatus, ServerState};
        let m = models();
        let machines = all!(m, "mgmt", Machine);
        let metal = all!(m, "mgmt", MetalMachine);
        let configs = all!(m, "mgmt", TalosConfig);
        let servers = all!(m, "mgmt", Server);
        let classes = all!(m, "mgmt", ServerClass);
        let server = |name: &str| {
            servers
                .iter()
                .find(|s| s.meta.name == name)
                .unwrap_or_else(|| panic!("no Server {name}"))
        };
        assert_eq!(machines.len(), 9);
        for mach in &machines {
            let ns = mach.meta.namespace.clone();
            let what = format!("Machine {}", mach.meta.name);
            let infra = mach.infrastructure_ref.as_ref().unwrap();
            assert_eq!(infra.kind, "MetalMachine");
            let mm = metal
                .iter()
                .find(|x| x.meta.name == infra.name && x.meta.namespace == ns)
                .unwrap_or_else(|| panic!("{what}: no MetalMachine {}", infra.name));
            assert_eq!(mm.meta.owner.as_ref().unwrap().name, mach.meta.name);
            let uuid = mm.server.as_deref().unwrap();
            assert_eq!(
                mach.provider_id.as_deref(),
                Some(format!("sidero://{uuid}").as_str())
            );
            assert_eq!(mm.provider_id, mach.provider_id);
            assert_eq!(server(uuid).state(), ServerState::Allocated, "{what}");
            let boot = mach.bootstrap_ref.as_ref().unwrap();
            let tc = configs
                .iter()
                .find(|x| x.meta.name == boot.name && x.meta.namespace == ns)
                .unwrap_or_else(|| panic!("{what}: no TalosConfig {}", boot.name));
            assert!(tc.ready);
            let node_name = mach.node_name.as_deref().unwrap();
            let node = all!(m, mach.cluster_name.as_str(), Node)
                .into_iter()
                .find(|n| n.meta.name == node_name)
                .unwrap_or_else(|| panic!("{what}: no Node {node_name}"));
            assert_eq!(node.provider_id, mach.provider_id, "{what}");
            assert_eq!(node.sidero_uuid.as_deref(), Some(uuid), "{what}");
            assert_eq!(node.kubelet_version, mach.kubelet_version, "{what}");
            assert_eq!(node.os_image, mach.os_image, "{what}");
            assert_eq!(node.talos_version.as_deref(), Some("v1.13.10"));
            assert_eq!(node.ready, CondStatus::True, "{what}");
            assert_eq!(
                node.roles.contains(&"control-plane".to_string()),
                mach.control_plane,
                "{what}"
            );
            assert_eq!(mach.phase.as_deref(), Some("Running"));
        }
        // every allocated server is bound exactly once, the others are not bound
        for s in &servers {
            let bound = metal
                .iter()
                .filter(|x| x.server.as_deref() == Some(s.meta.name.as_str()))
                .count();
            let allocated = s.state() == ServerState::Allocated;
            assert_eq!(bound, usize::from(allocated), "Server {}", s.meta.name);
        }
        for c in &classes {
            for name in &c.in_use {
                assert_eq!(
                    server(name).state(),
                    ServerState::Allocated,
                    "{}",
                    c.meta.name
                );
            }
            for name in &c.available {
                assert_eq!(
                    server(name).state(),
                    ServerState::Available,
                    "{}",
                    c.meta.name
                );
            }
        }
        let any = classes.iter().find(|c| c.meta.name == "any").unwrap();
        assert_eq!(
            any.in_use.len() + any.available.len(),
            servers.iter().filter(|s| s.accepted).count()
        );
        // counters of the owners match the machines
        for cl in all!(m, "mgmt", Cluster) {
            let site = cl.meta.name.as_str();
            let cp = machines
                .iter()
                .filter(|x| x.cluster_name == site && x.control_plane)
                .count() as i32;
            let w = machines
                .iter()
                .filter(|x| x.cluster_name == site && !x.control_plane)
                .count() as i32;
            assert_eq!(cl.control_plane.unwrap().current, Some(cp), "{site}");
            assert_eq!(cl.workers.unwrap().current, Some(w), "{site}");
            let metal_cluster = all!(m, "mgmt", MetalCluster)
                .into_iter()
                .find(|x| x.meta.name == cl.infrastructure_ref.as_ref().unwrap().name)
                .unwrap();
            assert_eq!(metal_cluster.endpoint, cl.endpoint);
            let tcp = all!(m, "mgmt", TalosControlPlane)
                .into_iter()
                .find(|x| x.meta.name == cl.control_plane_ref.as_ref().unwrap().name)
                .unwrap();
            assert_eq!(tcp.cluster_name, site);
            assert_eq!(tcp.replicas.desired, Some(cp));
            assert_eq!(tcp.replicas.current, Some(cp));
            assert_eq!(tcp.replicas.ready, Some(cp));
            assert_eq!(
                model::condition(&cl.conditions, "Available")
                    .unwrap()
                    .status,
                CondStatus::True
            );
            let md = all!(m, "mgmt", MachineDeployment)
                .into_iter()
                .find(|x| x.cluster_name == site)
                .unwrap();
            assert_eq!(md.replicas.desired, Some(w));
            assert_eq!(md.replicas.ready, Some(w));
            let mhc = all!(m, "mgmt", MachineHealthCheck)
                .into_iter()
                .find(|x| x.cluster_name == site)
                .unwrap();
            let mut targets: Vec<String> = machines
                .iter()
                .filter(|x| x.deployment.as_ref() == Some(&md.meta.name))
                .map(|x| x.meta.name.clone())
                .collect();
            targets.sort();
            assert_eq!(mhc.targets, targets);
            assert_eq!(mhc.expected, Some(w));
        }
        for ms in all!(m, "mgmt", MachineSet) {
            let n = machines
                .iter()
                .filter(|x| x.machine_set.as_ref() == Some(&ms.meta.name))
                .count() as i32;
            assert_eq!(ms.replicas.desired, Some(n), "{}", ms.meta.name);
        }
        // events point at objects that exist (for the kinds in the world)
        for (cluster, objs) in &m {
            for o in objs {
                let LiveObject::Event(e) = o else { continue };
                let exists = objs.iter().any(|x| {
                    x.kind() == e.involved.kind
                        && x.meta().name == e.involved.name
                        && x.meta().namespace == e.involved.namespace
                });
                let modelled = objs.iter().any(|x| x.kind() == e.involved.kind);
                assert!(
                    exists || !modelled,
                    "{cluster}: Event {} about a missing object",
                    e.meta.name
                );
            }
        }
        // one Warning event at least on each cluster's side of the demo
        let warnings = m
            .values()
            .flatten()
            .filter(|o| matches!(o, LiveObject::Event(e) if e.type_ == "Warning"))
            .count();
        assert!(warnings >= 2);
    }

    /// The world matches the GitOps tree it pretends to run: same names, namespaces, replicas,
    /// versions, server UUIDs and labels, server classes and endpoints.
    #[test]
    fn world_agrees_with_clusters_tree() {
        let world = world_objects().unwrap();
        let find = |group: &str, kind: &str, ns: Option<&str>, name: &str| {
            world.iter().find(|(c, v)| {
                *c == "mgmt"
                    && group_of(v) == group
                    && v["kind"] == kind
                    && v["metadata"]["name"] == name
                    && v["metadata"]["namespace"].as_str() == ns
            })
        };
        let clusters_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clusters");
        let mut git_servers = BTreeSet::new();
        let mut checked = 0;
        for site in ["edge-berlin", "edge-lab"] {
            let dir = clusters_dir.join(site).join("capi");
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            for path in files {
                let text = std::fs::read_to_string(&path).unwrap();
                for g in documents(&path.display().to_string(), &text).unwrap() {
                    let kind = g["kind"].as_str().unwrap();
                    let group = group_of(&g);
                    let Some(info) = kinds::find(group, kind) else {
                        continue; // Environment, templates: not served by the demo
                    };
                    let name = g["metadata"]["name"].as_str().unwrap();
                    let ns = g["metadata"]["namespace"].as_str();
                    let what = format!("{}: {kind} {name}", path.display());
                    let (_, live) = find(group, kind, ns, name)
                        .unwrap_or_else(|| panic!("{what}: missing from the world"));
                    assert_eq!(ns.is_some(), info.namespaced);
                    for (k, v) in g["metadata"]["labels"].as_object().into_iter().flatten() {
                        assert_eq!(&live["metadata"]["labels"][k], v, "{what}: label {k}");
                    }
                    let spec = |p: &str| live["spec"].pointer(p).cloned();
                    let git = |p: &str| g["spec"].pointer(p).cloned();
                    match kind {
                        "Server" => {
                            git_servers.insert(name.to_string());
                            for p in ["/accepted", "/strategicPatches"] {
                                assert_eq!(spec(p), git(p), "{what}: {p}");
                            }
                        }
                        "TalosControlPlane" => {
                            for p in [
                                "/version",
                                "/replicas",
                                "/controlPlaneConfig",
                                "/rolloutStrategy",
                            ] {
                                assert_eq!(spec(p), git(p), "{what}: {p}");
                            }
                        }
                        "MachineDeployment" => {
                            for p in ["/replicas", "/template/spec/version", "/clusterName"] {
                                assert_eq!(spec(p), git(p), "{what}: {p}");
                            }
                        }
                        "MetalCluster" | "ServerClass" => {
                            assert_eq!(live["spec"], g["spec"], "{what}")
                        }
                        "Cluster" => {
                            assert_eq!(spec("/clusterNetwork"), git("/clusterNetwork"), "{what}");
                            let mc = documents(
                                "",
                                &std::fs::read_to_string(dir.join("metalcluster.yaml")).unwrap(),
                            )
                            .unwrap();
                            assert_eq!(
                                spec("/controlPlaneEndpoint").as_ref(),
                                Some(&mc[0]["spec"]["controlPlaneEndpoint"])
                            );
                            for r in [
                                "/controlPlaneRef/name",
                                "/infrastructureRef/name",
                                "/controlPlaneRef/kind",
                            ] {
                                assert_eq!(spec(r), git(r), "{what}: {r}");
                            }
                        }
                        "MachineHealthCheck" => {
                            assert_eq!(spec("/selector"), git("/selector"), "{what}")
                        }
                        _ => {}
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked >= 20, "{checked}");
        // the Servers not in git are exactly the two documented spares
        let spares: BTreeSet<&str> = world
            .iter()
            .filter(|(c, v)| *c == "mgmt" && v["kind"] == "Server")
            .filter_map(|(_, v)| v["metadata"]["name"].as_str())
            .filter(|n| !git_servers.contains(*n))
            .collect();
        assert_eq!(
            spares,
            BTreeSet::from([
                "00000000-0000-0000-0000-ac1f6b4e2a14",
                "4c4c4544-0057-4810-8036-c4c04f4d3358"
            ])
        );
    }
}
