//! Discovery documents built from the kinds table: `/version`, `/api`, `/api/v1`, `/apis`,
//! `/apis/{group}` and `/apis/{group}/{version}`.
//!
//! `/api` and `/apis` also answer with aggregated discovery (`apidiscovery.k8s.io/v2`
//! `APIGroupDiscoveryList`: every group's versions with their resources in one document) when
//! the `Accept` header asks for it, as the real server does since Kubernetes 1.30 (kubectl and
//! the console ask for it, with plain JSON as the fallback). [`Shape::aggregated`] is built
//! from the same resource lists as the per-version documents, so both always agree.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::model::kinds::{self, KindInfo};

/// The Kubernetes version the emulator claims to be.
pub const GIT_VERSION: &str = "v1.36.0";

pub(crate) fn version_info() -> Value {
    json!({
        "major": "1",
        "minor": "36",
        "gitVersion": GIT_VERSION,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.25.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `/api`: the core group's versions; `server_address` is the `host:port` the client used.
pub(crate) fn core_api_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

/// A resource the console does not know, served only in discovery (another provider's kind
/// in a shared group): its collection answers 404.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignResource {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub namespaced: bool,
}

/// What the server serves beyond the kinds table's defaults: a kind served at fewer versions
/// (a CRD mid-upgrade, an older provider), or not at all (its CRD deleted), and foreign
/// resources. Shared by discovery and routing, so that both always agree.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    /// Per kind key, the versions it is served at instead of the table's (preferred first).
    versions: HashMap<&'static str, Vec<&'static str>>,
    foreign: Vec<ForeignResource>,
}

impl Shape {
    pub(crate) fn set_versions(&mut self, kind: &KindInfo, versions: Option<Vec<&'static str>>) {
        match versions {
            Some(v) => self.versions.insert(kind.key, v),
            None => self.versions.remove(kind.key),
        };
    }

    pub(crate) fn add_foreign(&mut self, r: ForeignResource) {
        self.foreign
            .retain(|f| !(f.group == r.group && f.version == r.version && f.plural == r.plural));
        self.foreign.push(r);
    }

    /// The versions a kind is served at now.
    pub(crate) fn kind_versions<'a>(&'a self, kind: &'a KindInfo) -> &'a [&'static str] {
        self.versions
            .get(kind.key)
            .map(Vec::as_slice)
            .unwrap_or(kind.versions)
    }

    /// Every named group served, in table order, then the foreign ones.
    pub(crate) fn groups(&self) -> Vec<&str> {
        let mut groups: Vec<&str> = Vec::new();
        let table = kinds::ALL
            .iter()
            .filter(|k| !k.group.is_empty() && !self.kind_versions(k).is_empty())
            .map(|k| k.group);
        for g in table.chain(self.foreign.iter().map(|f| f.group.as_str())) {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        groups
    }

    /// The versions of a group, in order of first appearance (the first is preferred).
    pub(crate) fn group_versions(&self, group: &str) -> Vec<&str> {
        let mut versions: Vec<&str> = Vec::new();
        let table = kinds::ALL
            .iter()
            .filter(|k| k.group == group)
            .flat_map(|k| self.kind_versions(k).iter().copied());
        let foreign = self
            .foreign
            .iter()
            .filter(|f| f.group == group)
            .map(|f| f.version.as_str());
        for v in table.chain(foreign) {
            if !versions.contains(&v) {
                versions.push(v);
            }
        }
        versions
    }

    fn group_document(&self, group: &str) -> Value {
        let versions = self.group_versions(group);
        let version_entry =
            |v: &str| json!({"groupVersion": kinds::api_version(group, v), "version": v});
        json!({
            "name": group,
            "versions": versions.iter().map(|v| version_entry(v)).collect::<Vec<_>>(),
            "preferredVersion": version_entry(versions[0]),
        })
    }

    /// `/apis/{group}`, or `None` for a group not served.
    pub(crate) fn api_group(&self, group: &str) -> Option<Value> {
        if !self.groups().contains(&group) {
            return None;
        }
        let mut doc = self.group_document(group);
        doc["kind"] = json!("APIGroup");
        doc["apiVersion"] = json!("v1");
        Some(doc)
    }

    pub(crate) fn api_group_list(&self) -> Value {
        json!({
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": self.groups().into_iter().map(|g| self.group_document(g)).collect::<Vec<_>>(),
        })
    }

    /// `/api/v1` or `/apis/{group}/{version}`, or `None` when nothing is served at that version.
    pub(crate) fn api_resource_list(&self, group: &str, version: &str) -> Option<Value> {
        let table = kinds::ALL
            .iter()
            .filter(|k| k.group == group && self.kind_versions(k).contains(&version))
            .map(|k| {
                api_resource(
                    k.plural,
                    k.kind,
                    k.namespaced,
                    k.short_names,
                    &["get", "list", "watch"],
                )
            });
        let foreign = self
            .foreign
            .iter()
            .filter(|f| f.group == group && f.version == version)
            .map(|f| {
                api_resource(
                    &f.plural,
                    &f.kind,
                    f.namespaced,
                    &[],
                    &["get", "list", "watch"],
                )
            });
        let resources: Vec<Value> = table.chain(foreign).collect();
        if resources.is_empty() {
            return None;
        }
        Some(json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": kinds::api_version(group, version),
            "resources": resources,
        }))
    }
}

/// The media type of aggregated discovery, as a client asks for it and the server labels it.
pub(crate) const AGGREGATED: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Whether an `Accept` header asks for aggregated discovery (v2: the only version the real
/// server serves from 1.33 on; `v2beta1` is answered as plain JSON there, or 406 alone).
pub(crate) fn wants_aggregated(accept: &str) -> bool {
    accept.split(',').any(|media| {
        let params: Vec<&str> = media.split(';').map(str::trim).collect();
        params.first() == Some(&"application/json")
            && params.contains(&"g=apidiscovery.k8s.io")
            && params.contains(&"v=v2")
            && params.contains(&"as=APIGroupDiscoveryList")
    })
}

/// Whether an `Accept` header names aggregated discovery types only (no plain JSON to fall
/// back on): the real server answers 406 to it anywhere it cannot serve one of them.
pub(crate) fn only_aggregated(accept: &str) -> bool {
    let mut media = accept.split(',').map(str::trim).filter(|m| !m.is_empty());
    let first = media.next();
    first.is_some()
        && first
            .into_iter()
            .chain(media)
            .all(|m| m.split(';').any(|p| p.trim() == "g=apidiscovery.k8s.io"))
}

impl Shape {
    /// `/api` (`core`) or `/apis` as an `APIGroupDiscoveryList`: per group (the core group's
    /// item has no name) its versions, preferred first, each with its resources as the
    /// per-version document lists them (`responseKind` with the empty group and version the
    /// real server writes for a resource's own kind, `scope`, `singularResource`, `verbs`,
    /// `shortNames`) and `freshness: Current`.
    pub(crate) fn aggregated(&self, core: bool) -> Value {
        let groups = if core { vec![""] } else { self.groups() };
        let items: Vec<Value> = groups
            .into_iter()
            .map(|group| {
                let versions = if core {
                    vec!["v1"]
                } else {
                    self.group_versions(group)
                };
                let versions: Vec<Value> = versions
                    .into_iter()
                    .filter_map(|v| {
                        let list = self.api_resource_list(group, v)?;
                        let resources: Vec<Value> = list["resources"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|r| aggregated_resource(group, v, r))
                            .collect();
                        Some(json!({"version": v, "resources": resources, "freshness": "Current"}))
                    })
                    .collect();
                let metadata = if core {
                    json!({})
                } else {
                    json!({"name": group})
                };
                json!({"metadata": metadata, "versions": versions})
            })
            .collect();
        json!({
            "kind": "APIGroupDiscoveryList",
            "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {},
            "items": items,
        })
    }
}

/// One resource of an `APIResourceList` as aggregated discovery writes it. The real server
/// leaves `responseKind`'s group and version empty for its built-in resources and names them
/// for a custom resource's.
fn aggregated_resource(group: &str, version: &str, r: &Value) -> Value {
    let built_in = !group.contains('.') || group.ends_with(".k8s.io");
    let (kind_group, kind_version) = if built_in { ("", "") } else { (group, version) };
    let scope = if r["namespaced"] == true {
        "Namespaced"
    } else {
        "Cluster"
    };
    let mut out = json!({
        "resource": r["name"],
        "responseKind": {"group": kind_group, "version": kind_version, "kind": r["kind"]},
        "scope": scope,
        "singularResource": r["singularName"],
        "verbs": r["verbs"],
    });
    if let Some(short) = r.get("shortNames") {
        out["shortNames"] = short.clone();
    }
    out
}

fn api_resource(
    plural: &str,
    kind: &str,
    namespaced: bool,
    short_names: &[&str],
    verbs: &[&str],
) -> Value {
    let mut resource = json!({
        "name": plural,
        "singularName": kind.to_lowercase(),
        "namespaced": namespaced,
        "kind": kind,
        "verbs": verbs,
    });
    if !short_names.is_empty() {
        resource["shortNames"] = json!(short_names);
    }
    resource["storageVersionHash"] = json!(storage_version_hash(plural, kind));
    resource
}

/// An opaque token per resource, as the real server lists (8 bytes, base64; the real one
/// hashes the storage version with SHA-256, this FNV-1a: only equality means anything).
fn storage_version_hash(plural: &str, kind: &str) -> String {
    use base64::Engine;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in plural.bytes().chain([b'/']).chain(kind.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    base64::engine::general_purpose::STANDARD.encode(h.to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_resource_list(g: &str, v: &str) -> Option<Value> {
        Shape::default().api_resource_list(g, v)
    }
    fn api_group(g: &str) -> Option<Value> {
        Shape::default().api_group(g)
    }
    fn api_group_list() -> Value {
        Shape::default().api_group_list()
    }
    fn group_versions(g: &str) -> Vec<&'static str> {
        kinds::ALL
            .iter()
            .filter(|k| k.group == g)
            .flat_map(|k| k.versions.iter().copied())
            .fold(Vec::new(), |mut acc, v| {
                if !acc.contains(&v) {
                    acc.push(v)
                }
                acc
            })
    }

    #[test]
    fn every_kind_is_discoverable_under_each_of_its_versions() {
        for k in kinds::ALL {
            for v in k.versions {
                let list = api_resource_list(k.group, v).unwrap();
                let found = list["resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["kind"] == k.kind && r["name"] == k.plural);
                assert!(found, "{} missing from {}/{}", k.kind, k.group, v);
            }
            if !k.group.is_empty() {
                let group = api_group(k.group).unwrap();
                assert_eq!(
                    group["preferredVersion"]["version"],
                    group_versions(k.group)[0]
                );
            }
        }
    }

    #[test]
    fn group_list_names_each_group_once_with_the_preferred_version_first() {
        let list = api_group_list();
        let groups = list["groups"].as_array().unwrap();
        assert_eq!(
            groups.len(),
            groups
                .iter()
                .map(|g| g["name"].as_str().unwrap())
                .collect::<std::collections::HashSet<_>>()
                .len()
        );
        let capi = groups
            .iter()
            .find(|g| g["name"] == "cluster.x-k8s.io")
            .unwrap();
        assert_eq!(
            capi["versions"][0]["groupVersion"],
            "cluster.x-k8s.io/v1beta2"
        );
        assert_eq!(capi["preferredVersion"]["version"], "v1beta2");
        assert!(
            groups.iter().all(|g| g["name"] != ""),
            "the core group is served under /api"
        );
    }

    #[test]
    fn unknown_groups_and_versions_are_absent() {
        assert!(api_group("nope.io").is_none());
        assert!(api_resource_list("cluster.x-k8s.io", "v1").is_none());
        assert!(api_resource_list("", "v2").is_none());
        let core = api_resource_list("", "v1").unwrap();
        let nodes = core["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "nodes")
            .unwrap();
        assert_eq!(nodes["shortNames"], json!(["no"]));
        assert_eq!(nodes["singularName"], "node");
    }
}

#[cfg(test)]
mod aggregated_tests {
    use super::*;

    #[test]
    fn the_aggregated_documents_list_what_the_per_version_documents_list() {
        let shape = Shape::default();
        let apis = shape.aggregated(false);
        assert_eq!(apis["kind"], "APIGroupDiscoveryList");
        assert_eq!(apis["apiVersion"], "apidiscovery.k8s.io/v2");
        let items = apis["items"].as_array().unwrap();
        let names: Vec<&str> = items
            .iter()
            .map(|g| g["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, shape.groups());
        for g in items {
            let group = g["metadata"]["name"].as_str().unwrap();
            let versions: Vec<&str> = g["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["version"].as_str().unwrap())
                .collect();
            assert_eq!(versions, shape.group_versions(group), "{group}");
            for v in g["versions"].as_array().unwrap() {
                assert_eq!(v["freshness"], "Current");
                let plain = shape
                    .api_resource_list(group, v["version"].as_str().unwrap())
                    .unwrap();
                let want: Vec<(Value, Value, bool, Value)> = plain["resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        (
                            r["name"].clone(),
                            r["kind"].clone(),
                            r["namespaced"] == true,
                            r["verbs"].clone(),
                        )
                    })
                    .collect();
                let got: Vec<(Value, Value, bool, Value)> = v["resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        (
                            r["resource"].clone(),
                            r["responseKind"]["kind"].clone(),
                            r["scope"] == "Namespaced",
                            r["verbs"].clone(),
                        )
                    })
                    .collect();
                assert_eq!(got, want, "{group}/{}", v["version"]);
            }
        }
        let core = shape.aggregated(true);
        let items = core["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["metadata"], json!({}));
        let nodes = items[0]["versions"][0]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"] == "nodes")
            .unwrap();
        assert_eq!(nodes["scope"], "Cluster");
        assert_eq!(nodes["shortNames"], json!(["no"]));
        assert_eq!(
            nodes["responseKind"],
            json!({"group": "", "version": "", "kind": "Node"})
        );
        let capi = apis["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["metadata"]["name"] == "cluster.x-k8s.io")
            .unwrap();
        assert_eq!(
            capi["versions"][0]["resources"][0]["responseKind"],
            json!({"group": "cluster.x-k8s.io", "version": "v1beta2", "kind": "Cluster"})
        );
    }

    #[test]
    fn only_a_v2_aggregated_accept_asks_for_it() {
        assert!(wants_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
        ));
        assert!(wants_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList, application/json; g=apidiscovery.k8s.io; v=v2; as=APIGroupDiscoveryList"
        ));
        assert!(!wants_aggregated("application/json"));
        assert!(!wants_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
        ));
        assert!(!wants_aggregated(
            "application/json;as=Table;v=v1;g=meta.k8s.io"
        ));
        assert!(only_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
        ));
        assert!(!only_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
        ));
        assert!(!only_aggregated(""));
        assert!(!only_aggregated("*/*"));
    }
}

#[cfg(test)]
mod shape_tests {
    use super::*;

    #[test]
    fn a_group_whose_versions_hold_different_kinds() {
        let mut shape = Shape::default();
        shape.set_versions(&kinds::METAL_MACHINE, Some(vec!["v1alpha2"]));
        shape.set_versions(&kinds::METAL_CLUSTER, Some(vec!["v1alpha2"]));
        shape.add_foreign(ForeignResource {
            group: "infrastructure.cluster.x-k8s.io".into(),
            version: "v1alpha3".into(),
            kind: "ProxmoxMachine".into(),
            plural: "proxmoxmachines".into(),
            namespaced: true,
        });
        let g = "infrastructure.cluster.x-k8s.io";
        assert_eq!(shape.group_versions(g), ["v1alpha2", "v1alpha3"]);
        let kinds_at = |v: &str| -> Vec<String> {
            shape.api_resource_list(g, v).unwrap()["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["kind"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(kinds_at("v1alpha3"), ["ProxmoxMachine"]);
        assert_eq!(kinds_at("v1alpha2"), ["MetalMachine", "MetalCluster"]);
        // A kind served nowhere (its CRD deleted): gone from discovery with its group.
        shape.set_versions(&kinds::SERVER, Some(vec![]));
        shape.set_versions(&kinds::SERVER_CLASS, Some(vec![]));
        assert!(shape.api_group("metal.sidero.dev").is_none());
        shape.set_versions(&kinds::SERVER, None);
        assert!(shape.api_group("metal.sidero.dev").is_some());
    }
}
