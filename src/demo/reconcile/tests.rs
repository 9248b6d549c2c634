//! Argo CD's directory rules over the world's Applications, and the shapes of what a sync writes.

use serde_json::{Value, json};

use super::status::{finish_operation, set_sync_revision, start_operation};
use super::*;

fn app(yaml: &str) -> Value {
    crate::repo::yaml_serde::from_str(yaml).unwrap()
}

fn world_app(name: &str) -> Value {
    super::super::fixtures::world_objects()
        .unwrap()
        .into_iter()
        .map(|(_, v)| v)
        .find(|v| v["kind"] == "Application" && v["metadata"]["name"] == name)
        .unwrap()
}

#[test]
fn globs() {
    assert!(glob_match("*/appset.yaml", "argocd/appset.yaml"));
    assert!(!glob_match("*/appset.yaml", "argocd/x/appset.yaml"));
    assert!(!glob_match("*/appset.yaml", "argocd/values.yaml"));
    assert!(glob_match("*.{yaml,yml}", "a.yml"));
    assert!(glob_match("?.yaml", "a.yaml"));
    assert!(!glob_match("?.yaml", "ab.yaml"));
    assert!(glob_match("*", ""));
}

#[test]
fn workers_yaml_is_covered_by_the_sites_capi_app_only() {
    let file = "clusters/edge-berlin/capi/workers.yaml";
    let apps: Vec<String> = super::super::fixtures::world_objects()
        .unwrap()
        .into_iter()
        .map(|(_, v)| v)
        .filter(|v| v["kind"] == "Application" && covers(v, REPO_URL, file))
        .map(|v| v["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(apps, ["edge-berlin-capi"]);
}

#[test]
fn directory_sources_read_manifests_directly_under_their_path() {
    let capi = world_app("edge-berlin-capi");
    assert!(covers(
        &capi,
        REPO_URL,
        "clusters/edge-berlin/capi/servers.yaml"
    ));
    assert!(!covers(
        &capi,
        REPO_URL,
        "clusters/edge-berlin/capi/README.md"
    ));
    assert!(!covers(
        &capi,
        REPO_URL,
        "clusters/edge-berlin/capi/old/x.yaml"
    ));
    assert!(!covers(
        &capi,
        REPO_URL,
        "clusters/edge-berlin/capital.yaml"
    ));
    assert!(!covers(
        &capi,
        REPO_URL,
        "clusters/edge-lab/capi/workers.yaml"
    ));
    // another repo with the same path is not this repo
    assert!(!covers(
        &capi,
        "https://example.com/other.git",
        "clusters/edge-berlin/capi/workers.yaml"
    ));
    // the repo URL matches without .git or with a trailing slash
    assert!(covers(
        &capi,
        "https://git.example.com/blast/datacenter/",
        "clusters/edge-berlin/capi/workers.yaml"
    ));
}

#[test]
fn recurse_with_include() {
    let root = world_app("infrastructure-root");
    assert!(covers(&root, REPO_URL, "infrastructure/minio/appset.yaml"));
    assert!(!covers(&root, REPO_URL, "infrastructure/minio/values.yaml"));
    assert!(!covers(
        &root,
        REPO_URL,
        "infrastructure/minio/manifests/edge-berlin/appset.yaml"
    ));
    let root = world_app("root");
    assert!(covers(
        &root,
        REPO_URL,
        "clusters/mgmt/argocd/projects.yaml"
    ));
    assert!(!covers(&root, REPO_URL, "clusters/mgmt/clusterctl.yaml"));
}

#[test]
fn helm_value_files_through_a_ref_source_and_path_sources_of_multi_source_apps() {
    let k10 = world_app("edge-berlin-k10");
    assert!(covers(&k10, REPO_URL, "infrastructure/k10/values.yaml"));
    assert!(covers(
        &k10,
        REPO_URL,
        "infrastructure/k10/clusters/edge-berlin.yaml"
    ));
    assert!(!covers(
        &k10,
        REPO_URL,
        "infrastructure/k10/clusters/edge-lab.yaml"
    ));
    assert!(covers(
        &k10,
        REPO_URL,
        "infrastructure/k10/manifests/edge-berlin/profile.yaml"
    ));
    // local-path's chart path is in another repo
    let lp = world_app("edge-berlin-local-path");
    assert!(!covers(
        &lp,
        REPO_URL,
        "deploy/chart/local-path-provisioner/values.yaml"
    ));
    assert!(covers(
        &lp,
        REPO_URL,
        "infrastructure/local-path/values.yaml"
    ));
}

#[test]
fn helm_and_kustomize_paths_read_every_file_below() {
    let a = app("spec: {source: {repoURL: r, path: ./charts/x, helm: {releaseName: x}}}");
    assert_eq!(
        covered(&a, "r"),
        [Covered::Dir {
            path: "charts/x".into(),
            recurse: true,
            manifests_only: false,
            include: None,
            exclude: None
        }]
    );
    assert!(covers(&a, "r", "charts/x/templates/deploy.tpl"));
    let k = app("spec: {source: {repoURL: r, path: k}}\nstatus: {sourceType: Kustomize}");
    assert!(covers(&k, "r", "k/base/kustomization.yaml"));
    let exclude = app("spec: {source: {repoURL: r, path: d, directory: {exclude: '*.json'}}}");
    assert!(!covers(&exclude, "r", "d/a.json"));
    assert!(covers(&exclude, "r", "d/a.yaml"));
    let whole = app("spec: {source: {repoURL: r, path: ., directory: {recurse: true}}}");
    assert!(covers(&whole, "r", "apps/a/b.yaml"));
}

#[test]
fn operation_and_result_follow_argo_cd_shapes() {
    let mut a = world_app("mgmt-argocd");
    let rev = "f".repeat(40);
    let files = vec![FileChange {
        path: "infrastructure/argocd/values.yaml".into(),
        old: Some("a: 1\n".into()),
        new: Some("a: 2\n".into()),
    }];
    set_sync_revision(&mut a, REPO_URL, &rev);
    assert_eq!(a["status"]["sync"]["revisions"], json!(["10.1.1", rev]));
    start_operation(&mut a, REPO_URL, &rev, "2026-01-01T00:00:00Z");
    let op = &a["status"]["operationState"];
    assert_eq!(op["phase"], "Running");
    assert_eq!(op["operation"]["sync"]["revisions"], json!(["10.1.1", rev]));
    assert!(op.get("syncResult").is_none());
    let ids = a["status"]["history"].as_array().unwrap().len();
    finish_operation(&mut a, REPO_URL, &rev, &files, "2026-01-01T00:00:05Z");
    let op = &a["status"]["operationState"];
    assert_eq!(op["phase"], "Succeeded");
    assert_eq!(op["syncResult"]["revisions"], json!(["10.1.1", rev]));
    assert_eq!(a["status"]["sync"]["status"], "Synced");
    let h = a["status"]["history"].as_array().unwrap();
    assert_eq!(h.len(), ids + 1);
    assert_eq!(h.last().unwrap()["revisions"], json!(["10.1.1", rev]));
    assert_eq!(h.last().unwrap()["id"], 8);
}
