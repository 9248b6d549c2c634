//! The controllers' pure parts: names, effects of an apply, condition lists.

use super::conditions::machine_cond;
use super::names::uid;
use super::*;
use serde_json::json;

#[test]
fn names_and_uids_look_like_kubernetes_ones() {
    let s = suffix(5);
    assert_eq!(s.len(), 5);
    assert!(s.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
    assert_ne!(suffix(5), suffix(5));
    let u = uid();
    assert_eq!(u.len(), 36);
    assert_eq!(u.matches('-').count(), 4);
}

#[test]
fn replica_and_version_changes_become_effects() {
    let live: Value = crate::repo::yaml_serde::from_str(
        "metadata: {name: w, namespace: ns}\nspec: {clusterName: c, replicas: 3, template: {spec: {version: v1.36.3}}}",
    )
    .unwrap();
    let mut doc = live.clone();
    assert!(effects_of(&kinds::MACHINE_DEPLOYMENT, &live, &doc).is_empty());
    doc["spec"]["replicas"] = json!(4);
    doc["spec"]["template"]["spec"]["version"] = json!("v1.36.4");
    let owner = Owner {
        kind: OwnerKind::MachineDeployment,
        namespace: "ns".into(),
        name: "w".into(),
        cluster: "c".into(),
    };
    assert_eq!(
        effects_of(&kinds::MACHINE_DEPLOYMENT, &live, &doc),
        [
            Effect::Scale {
                owner: owner.clone(),
                to: 4
            },
            Effect::Version {
                owner,
                to: "v1.36.4".into()
            }
        ]
    );
    assert!(effects_of(&kinds::MACHINE_SET, &live, &doc).is_empty());
}

#[test]
fn conditions_keep_their_shape() {
    let mut m: Value = crate::repo::yaml_serde::from_str(
        "metadata: {generation: 2}\nstatus: {conditions: [{type: Ready, status: 'True', observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:00Z', reason: Ready, message: ''}], deprecated: {v1beta1: {conditions: [{type: Ready, status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z'}]}}}",
    )
    .unwrap();
    machine_cond(&mut m, "Ready", "False", "NotReady", "x");
    let c = &m["status"]["conditions"][0];
    assert_eq!(c["status"], "False");
    assert_eq!(c["observedGeneration"], 2);
    assert_ne!(c["lastTransitionTime"], "2026-01-01T00:00:00Z");
    let old = &m["status"]["deprecated"]["v1beta1"]["conditions"][0];
    assert_eq!(old["status"], "False");
    assert_eq!(old["severity"], "Info");
    assert!(old.get("observedGeneration").is_none());
    machine_cond(&mut m, "Ready", "True", "Ready", "");
    let old = &m["status"]["deprecated"]["v1beta1"]["conditions"][0];
    assert!(old.get("severity").is_none());
}
