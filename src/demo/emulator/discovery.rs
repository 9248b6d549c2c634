//! Discovery documents built from the kinds table: `/version`, `/api`, `/api/v1`, `/apis`,
//! `/apis/{group}` and `/apis/{group}/{version}`.
//!
//! Only the legacy (unaggregated) types are served. kubectl asks for aggregated discovery
//! (`APIGroupDiscoveryList`) in its `Accept` header and falls back to these when the response's
//! content type says plain JSON; the integration tests check that it does.

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

/// Every named group of the kinds table, in table order.
pub(crate) fn groups() -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for k in kinds::ALL.iter().filter(|k| !k.group.is_empty()) {
        if !groups.contains(&k.group) {
            groups.push(k.group);
        }
    }
    groups
}

/// The versions of a group, in order of first appearance (the first is preferred).
pub(crate) fn group_versions(group: &str) -> Vec<&'static str> {
    let mut versions: Vec<&'static str> = Vec::new();
    for k in kinds::ALL.iter().filter(|k| k.group == group) {
        for v in k.versions {
            if !versions.contains(v) {
                versions.push(v);
            }
        }
    }
    versions
}

fn group_document(group: &str) -> Value {
    let versions = group_versions(group);
    let version_entry =
        |v: &str| json!({"groupVersion": kinds::api_version(group, v), "version": v});
    json!({
        "name": group,
        "versions": versions.iter().map(|v| version_entry(v)).collect::<Vec<_>>(),
        "preferredVersion": version_entry(versions[0]),
    })
}

/// `/apis/{group}`, or `None` for a group the table does not have.
pub(crate) fn api_group(group: &str) -> Option<Value> {
    if !groups().contains(&group) {
        return None;
    }
    let mut doc = group_document(group);
    doc["kind"] = json!("APIGroup");
    doc["apiVersion"] = json!("v1");
    Some(doc)
}

pub(crate) fn api_group_list() -> Value {
    json!({
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": groups().into_iter().map(group_document).collect::<Vec<_>>(),
    })
}

/// `/api/v1` or `/apis/{group}/{version}`, or `None` when no kind serves that version.
pub(crate) fn api_resource_list(group: &str, version: &str) -> Option<Value> {
    let resources: Vec<Value> = kinds::ALL
        .iter()
        .filter(|k| k.group == group && k.versions.contains(&version))
        .map(api_resource)
        .collect();
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

fn api_resource(kind: &KindInfo) -> Value {
    let mut resource = json!({
        "name": kind.plural,
        "singularName": kind.kind.to_lowercase(),
        "namespaced": kind.namespaced,
        "kind": kind.kind,
        "verbs": ["get", "list", "watch"],
    });
    if !kind.short_names.is_empty() {
        resource["shortNames"] = json!(kind.short_names);
    }
    resource
}

#[cfg(test)]
mod tests {
    use super::*;

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
