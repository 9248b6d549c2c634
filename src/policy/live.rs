//! The same rules over live objects (drift): a live workload that fails a rule its manifest
//! passes was changed outside git (a `kubectl edit`, a mutating webhook, a hand-made Pod).
//!
//! Pure functions over JSON as the API server returns it; the live views and the Standards
//! view call them with the objects they already watch.

use super::value::V;
use super::{Eval, R, rules};

impl V {
    /// A JSON value (a live object) as the rules see it. Nesting is bounded by serde_json's
    /// own recursion limit (128) when the JSON was parsed.
    pub fn from_json_value(j: &serde_json::Value) -> V {
        use serde_json::Value as J;
        match j {
            J::Null => V::Null,
            J::Bool(b) => V::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => V::Int(i),
                None => V::Float(n.as_f64().unwrap_or(0.0)),
            },
            J::String(s) => V::Str(s.clone()),
            J::Array(a) => V::List(a.iter().map(V::from_json_value).collect()),
            J::Object(m) => V::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), V::from_json_value(v)))
                    .collect(),
            ),
        }
    }
}

/// The per-object rules' verdicts on one object (unknowns left out), by rule ID.
pub fn verdicts(v: &V) -> Vec<(&'static str, R)> {
    let kind = v.at("kind").as_str().unwrap_or("");
    rules()
        .into_iter()
        .filter(|r| r.kinds.contains(&kind))
        .filter_map(|r| {
            let verdict = match r.eval {
                Eval::Object(f) => f(v),
                Eval::Containers { init, f } => super::containers::scan(v, kind, init, f),
            };
            (verdict != R::Unknown).then_some((r.id, verdict))
        })
        .collect()
}

/// The rules a live object (JSON as served) fails, by rule ID: its per-object rules'
/// verdicts, less the rules its own `checkov.io/skipN` annotations skip (as for a manifest).
/// For drift: the console keeps these on its workload models instead of the object.
/// `kind`: the object's kind, as its watch knows it (the items of a real API server's list
/// carry no `kind` of their own).
///
/// A workload read from its text (the watches' hot path) is parsed into a tree here: only
/// Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and bare Pods come here, and a text that is not JSON fails nothing.
pub fn failed_rules<'a>(kind: &str, j: impl Into<crate::model::Json<'a>>) -> Vec<&'static str> {
    let tree;
    let j = match j.into() {
        crate::model::Json::Tree(t) => t,
        crate::model::Json::Text(text) => match serde_json::from_str(text) {
            Ok(t) => {
                tree = t;
                &tree
            }
            Err(_) => return Vec::new(),
        },
    };
    let mut v = V::from_json_value(j);
    if v.at("kind").as_str().is_none()
        && let V::Map(fields) = &mut v
    {
        fields.retain(|(k, _)| k != "kind");
        fields.push(("kind".to_string(), V::Str(kind.to_string())));
    }
    let skipped = super::skips(&v);
    verdicts(&v)
        .into_iter()
        .filter(|(id, r)| *r == R::Fail && !skipped.iter().any(|(s, _)| s == id))
        .map(|(id, _)| id)
        .collect()
}

/// The manifest a live Pod is compared with: the Pod itself, or the pod template of a
/// workload manifest (Deployment, StatefulSet, DaemonSet, Job, ReplicaSet, …; a CronJob's job
/// template), made a Pod.
pub fn as_pod(manifest: &V) -> Option<V> {
    let template = match manifest.at("kind").as_str()? {
        "Pod" => return Some(manifest.clone()),
        "CronJob" => manifest.path("spec/jobTemplate/spec/template")?,
        _ => manifest.path("spec/template")?,
    };
    let mut fields = vec![
        ("apiVersion".to_string(), V::Str("v1".into())),
        ("kind".to_string(), V::Str("Pod".into())),
    ];
    fields.extend(
        template
            .entries()
            .iter()
            .filter(|(k, _)| k == "metadata" || k == "spec")
            .cloned(),
    );
    Some(V::Map(fields))
}

/// Drift: the rules the live object fails although its manifest passes them (both are
/// evaluated as they are; pass a workload's [`as_pod`] to compare a live Pod with it).
pub fn drift(manifest: &V, live: &V) -> Vec<&'static str> {
    let passed: Vec<&str> = verdicts(manifest)
        .into_iter()
        .filter(|(_, r)| *r == R::Pass)
        .map(|(id, _)| id)
        .collect();
    verdicts(live)
        .into_iter()
        .filter(|(id, r)| *r == R::Fail && passed.contains(id))
        .map(|(id, _)| id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::yaml;

    #[test]
    fn a_live_pod_that_became_privileged_has_drifted_from_its_deployment() {
        let manifest = yaml::parse(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      hostNetwork: false\n      containers:\n        - name: web\n          image: nginx:1.27\n          securityContext:\n            privileged: false\n            allowPrivilegeEscalation: false\n",
        );
        let manifest = V::from_node(manifest.docs[0].root.as_ref().unwrap());
        let pod = as_pod(&manifest).unwrap();
        let live: serde_json::Value = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-7d9f-abcde", "namespace": "shop", "labels": {"app": "web"}},
            "spec": {
                "hostNetwork": true,
                "containers": [{"name": "web", "image": "nginx:1.27",
                    "securityContext": {"privileged": true, "allowPrivilegeEscalation": false}}]
            }
        });
        let live = V::from_json_value(&live);
        let mut d = drift(&pod, &live);
        d.sort();
        assert_eq!(d, vec!["CKV_K8S_16", "CKV_K8S_19"]);
        // The manifest against itself: no drift; rules both fail are not drift.
        assert!(drift(&pod, &pod).is_empty());
        // A list item of a real API server has no `kind`: the watch's kind stands in.
        let mut item = serde_json::json!({"metadata": {"name": "web", "namespace": "shop"},
            "spec": {"template": {"spec": {"hostNetwork": true,
                "containers": [{"name": "web", "image": "nginx:1.27"}]}}}});
        assert!(failed_rules("Deployment", &item).contains(&"CKV_K8S_19"));
        item["kind"] = "Deployment".into();
        assert!(failed_rules("Deployment", &item).contains(&"CKV_K8S_19"));
    }
}
