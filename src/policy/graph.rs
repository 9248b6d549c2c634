//! checkov's graph rules (`CKV2_K8S_*`), which look across objects: which NetworkPolicy selects
//! which Pod, which binding grants which role.
//!
//! checkov builds a graph of "vertices": every named object, plus one Pod per workload pod
//! template (Deployment, DaemonSet, StatefulSet, Job, ReplicaSet, ReplicationController,
//! DeploymentConfig; not CronJob), named `Pod.<namespace>.<workload>.<label>-<value>…` when the
//! template has no name. A skip annotation on the workload skips its template's Pod too.

use super::value::V;
use super::{Config, Object, Outcome, Status, resource_id, skips};

/// The key checkov adds to a template to name it after its workload.
pub const PARENT: &str = "_parent_resource";

pub struct GraphRule {
    pub id: &'static str,
    pub name: &'static str,
}

pub static RULES: &[GraphRule] = &[
    GraphRule {
        id: "CKV2_K8S_1",
        name: "RoleBinding should not allow privilege escalation to a ServiceAccount or Node on other RoleBinding",
    },
    GraphRule {
        id: "CKV2_K8S_2",
        name: "Granting `create` permissions to `nodes/proxy` or `pods/exec` sub resources allows potential privilege escalation",
    },
    GraphRule {
        id: "CKV2_K8S_3",
        name: "No ServiceAccount/Node should have `impersonate` permissions for groups/users/service-accounts",
    },
    GraphRule {
        id: "CKV2_K8S_4",
        name: "ServiceAccounts and nodes that can modify services/status may set the `status.loadBalancer.ingress.ip` field to exploit the unfixed CVE-2020-8554 and launch MiTM attacks against the cluster.",
    },
    GraphRule {
        id: "CKV2_K8S_5",
        name: "No ServiceAccount/Node should be able to read all secrets",
    },
    GraphRule {
        id: "CKV2_K8S_6",
        name: "Minimize the admission of pods which lack an associated NetworkPolicy",
    },
];

/// Whether the graph rules read a kind: Pods and what makes them (templates), NetworkPolicies
/// and bindings. checkov makes a vertex of every named object, but no other kind gives or
/// changes an outcome, so no other is kept.
pub fn reads(kind: &str) -> bool {
    matches!(
        kind,
        "Pod" | "NetworkPolicy" | "RoleBinding" | "ClusterRoleBinding"
    ) || TEMPLATE_KINDS.contains(&kind)
}

/// Kinds whose pod template checkov turns into a Pod vertex.
const TEMPLATE_KINDS: &[&str] = &[
    "Deployment",
    "DeploymentConfig",
    "DaemonSet",
    "Job",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
];

/// A vertex: the object as the graph sees it, its file and position, and whose annotations
/// skip its checks (its own, or its workload's).
struct Vertex<'a> {
    v: V,
    id: String,
    obj: &'a Object<'a>,
    skips_from: &'a V,
}

/// checkov's `is_invalid_k8_pod_definition`.
fn valid_pod(v: &V) -> bool {
    let meta = v.at("metadata");
    meta.is_map()
        && (v.at("spec").is_map() || v.at("spec").is_list())
        && (meta.get("name").is_some_and(|n| !matches!(n, V::Null))
            || meta.get("labels").is_some_and(|n| !matches!(n, V::Null)))
}

/// The Pod of a workload's template, named and namespaced as checkov does.
fn template_pod(obj: &V) -> Option<V> {
    let spec = obj.get("spec").filter(|s| s.is_map())?;
    let template = spec.get("template").filter(|t| t.is_map())?;
    if !valid_pod(template) {
        return None;
    }
    let kind = obj.at("kind").as_str()?;
    if !TEMPLATE_KINDS.contains(&kind) {
        return None;
    }
    let meta = obj.get("metadata").filter(|m| m.truthy())?;
    let V::Map(mut t) = template.clone() else {
        return None;
    };
    if !t.iter().any(|(k, _)| k == "kind") {
        t.push(("kind".into(), V::Str("Pod".into())));
    }
    if !t.iter().any(|(k, _)| k == "apiVersion") {
        t.push(("apiVersion".into(), obj.at("apiVersion").clone()));
    }
    t.push((
        PARENT.into(),
        meta.get("name").cloned().unwrap_or(V::Str(String::new())),
    ));
    if let Some((_, V::Map(tm))) = t.iter_mut().find(|(k, _)| k == "metadata") {
        let template_ns = tm.iter().find(|(k, _)| k == "namespace").map(|(_, v)| v);
        if matches!(template_ns, None | Some(V::Null))
            && let Some(ns) = meta.get("namespace").filter(|n| !matches!(n, V::Null))
        {
            match tm.iter_mut().find(|(k, _)| k == "namespace") {
                Some(slot) => slot.1 = ns.clone(),
                None => tm.push(("namespace".into(), ns.clone())),
            }
        }
    }
    Some(V::Map(t))
}

fn vertices<'a>(objects: &'a [Object<'a>]) -> Vec<Vertex<'a>> {
    let mut out = Vec::new();
    for obj in objects {
        let pod = template_pod(&obj.v);
        let kind = obj.v.get("kind").and_then(V::as_str).unwrap_or("Pod");
        let valid = if kind == "Pod" {
            valid_pod(&obj.v)
        } else {
            matches!(kind, "NetworkPolicy" | "RoleBinding" | "ClusterRoleBinding")
                && obj.v.at("metadata").is_map()
                && obj.v.at("metadata").at("name").truthy()
        };
        if valid && let Some(id) = resource_id(&obj.v) {
            out.push(Vertex {
                v: obj.v.clone(),
                id,
                obj,
                skips_from: &obj.v,
            });
        }
        if let Some(pod) = pod
            && let Some(id) = resource_id(&pod)
        {
            out.push(Vertex {
                v: pod,
                id,
                obj,
                skips_from: &obj.v,
            });
        }
    }
    out
}

fn kind<'a>(v: &'a Vertex) -> &'a str {
    v.v.at("kind").as_str().unwrap_or("")
}

/// Whether a NetworkPolicy selects a Pod as checkov's edge builder decides: a `podSelector`
/// must be written; without `matchLabels` (or with an empty one, or on a Pod with no labels)
/// it selects every Pod; else every label of `matchLabels` must be on the Pod. Quirks kept:
/// namespaces are ignored (a policy selects Pods in every namespace), and so are
/// `matchExpressions`.
fn selects(policy: &V, pod: &V) -> bool {
    let spec = policy.at("spec");
    let selector = spec.at("podSelector");
    if !selector.truthy() {
        return false;
    }
    let wanted = selector.at("matchLabels").entries();
    let labels = pod.at("metadata").get("labels");
    match labels {
        Some(labels) if !wanted.is_empty() && !matches!(labels, V::Null) => {
            let have = labels.entries();
            wanted.len() <= have.len()
                && wanted
                    .iter()
                    .all(|(k, v)| have.iter().any(|(hk, hv)| hk == k && hv == v))
        }
        _ => true,
    }
}

/// The graph rules over all objects.
///
/// CKV2_K8S_6: each Pod (and each workload's template Pod) passes when some NetworkPolicy
/// selects it (see [`selects`]).
///
/// CKV2_K8S_1 … 5: each RoleBinding and ClusterRoleBinding. checkov's definitions read the
/// bound role's `rules.resources` and `rules.verbs`, attributes its graph never holds (rules
/// is a list: it holds `rules.0.verbs`), so the "dangerous grant" branch never matches and
/// every binding passes, whatever its role grants. Kept: these rules pass every binding, as
/// checkov does; the per-object RBAC rules (CKV_K8S_155 … 158, 49) are where grants fail.
pub fn evaluate(objects: &[Object<'_>], config: &Config) -> Vec<Outcome> {
    let verts = vertices(objects);
    let policies: Vec<&Vertex> = verts
        .iter()
        .filter(|v| kind(v) == "NetworkPolicy")
        .collect();
    let mut out = Vec::new();
    for vert in &verts {
        let k = kind(vert);
        let verdicts: Vec<(&GraphRule, bool)> = match k {
            "Pod" => {
                let ok = policies.iter().any(|p| selects(&p.v, &vert.v));
                vec![(&RULES[5], ok)]
            }
            "RoleBinding" | "ClusterRoleBinding" => RULES[..5].iter().map(|r| (r, true)).collect(),
            _ => continue,
        };
        let skips = skips(vert.skips_from);
        for (rule, ok) in verdicts {
            if config.skips_rule(rule.id) {
                continue;
            }
            let skip = skips.iter().find(|(id, _)| id == rule.id);
            let (status, reason) = match skip {
                Some((_, why)) => (Status::Skipped, Some(why.clone())),
                None if ok => (Status::Passed, None),
                None => (Status::Failed, None),
            };
            out.push(Outcome {
                rule: rule.id,
                resource: vert.id.clone(),
                path: vert.obj.path.to_string(),
                line: vert.obj.pos.line.max(1),
                col: vert.obj.pos.col.max(1),
                status,
                message: rule.name.to_string(),
                reason,
            });
        }
    }
    out
}
