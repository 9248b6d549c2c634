//! RBAC rules over Roles, ClusterRoles, their bindings and ServiceAccounts.

use super::value::V;
use super::{Eval, R, Rule};

/// One operation a role may grant: any API group, verb and resource of the lists, or `*`.
struct Op {
    groups: &'static [&'static str],
    verbs: &'static [&'static str],
    resources: &'static [&'static str],
}

fn value_or_wildcard(rule: &V, key: &str, wanted: &[&str]) -> bool {
    let vals = rule.at(key);
    vals.truthy()
        && vals
            .items()
            .iter()
            .filter_map(V::as_str)
            .any(|v| v == "*" || wanted.contains(&v))
}

fn resource_or_wildcard(rule: &V, wanted: &[&str]) -> bool {
    rule.at("resources")
        .items()
        .iter()
        .filter_map(V::as_str)
        .any(|granted| {
            granted == "*"
                || wanted.iter().any(|w| {
                    granted == *w
                        || (w.contains('/')
                            && granted.contains('/')
                            && granted == format!("*/{}", w.split('/').nth(1).unwrap_or("")))
                })
        })
}

fn rule_can(rule: &V, op: &Op) -> bool {
    value_or_wildcard(rule, "apiGroups", op.groups)
        && value_or_wildcard(rule, "verbs", op.verbs)
        && resource_or_wildcard(rule, op.resources)
}

/// checkov's `BaseRbacK8sCheck`: fails when the rules grant every one of the operations (each
/// by some rule).
fn grants_all(v: &V, ops: &[Op]) -> R {
    let rules = v.at("rules");
    if !(rules.truthy() && rules.is_list()) {
        return R::Pass;
    }
    R::fail_if(
        ops.iter()
            .all(|op| rules.items().iter().any(|r| rule_can(r, op))),
    )
}

const ROLES: &[&str] = &["Role", "ClusterRole"];

pub static RULES: &[Rule] = &[
    Rule {
        id: "CKV_K8S_41",
        name: "Ensure that default service accounts are not actively used",
        kinds: &["ServiceAccount"],
        eval: Eval::Object(|v| {
            if v.at("metadata").at("name").as_str() != Some("default") {
                return R::Pass;
            }
            R::fail_if(!v.at("automountServiceAccountToken").is_false())
        }),
    },
    Rule {
        id: "CKV_K8S_42",
        name: "Ensure that default service accounts are not actively used",
        kinds: &["RoleBinding", "ClusterRoleBinding"],
        eval: Eval::Object(|v| {
            R::fail_if(v.at("subjects").items().iter().any(|s| {
                s.at("kind").as_str() == Some("ServiceAccount")
                    && s.at("name").as_str() == Some("default")
            }))
        }),
    },
    Rule {
        id: "CKV_K8S_49",
        name: "Minimize wildcard use in Roles and ClusterRoles",
        kinds: ROLES,
        // Quirk kept: only the first rule is read (`rules[0]`), and `*` anywhere in a value
        // counts (`*.example.com` too).
        eval: Eval::Object(|v| {
            let first = match v.at("rules") {
                V::List(l) if !l.is_empty() => &l[0],
                _ => return R::Pass,
            };
            R::fail_if(["apiGroups", "resources", "verbs"].iter().any(|k| {
                first
                    .at(k)
                    .items()
                    .iter()
                    .any(|s| s.as_str().is_some_and(|s| s.contains('*')))
            }))
        }),
    },
    Rule {
        id: "CKV_K8S_155",
        name: "Minimize ClusterRoles that grant control over validating or mutating admission webhook configurations",
        kinds: &["ClusterRole"],
        eval: Eval::Object(|v| {
            grants_all(
                v,
                &[Op {
                    groups: &["admissionregistration.k8s.io"],
                    verbs: &["create", "update", "patch"],
                    resources: &[
                        "mutatingwebhookconfigurations",
                        "validatingwebhookconfigurations",
                    ],
                }],
            )
        }),
    },
    Rule {
        id: "CKV_K8S_156",
        name: "Minimize ClusterRoles that grant permissions to approve CertificateSigningRequests",
        kinds: &["ClusterRole"],
        eval: Eval::Object(|v| {
            grants_all(
                v,
                &[
                    Op {
                        groups: &["certificates.k8s.io"],
                        verbs: &["update", "patch"],
                        resources: &["certificatesigningrequests/approval"],
                    },
                    Op {
                        groups: &["certificates.k8s.io"],
                        verbs: &["approve"],
                        resources: &["signers"],
                    },
                ],
            )
        }),
    },
    Rule {
        id: "CKV_K8S_157",
        name: "Minimize Roles and ClusterRoles that grant permissions to bind RoleBindings or ClusterRoleBindings",
        kinds: ROLES,
        eval: Eval::Object(|v| {
            grants_all(
                v,
                &[Op {
                    groups: &["rbac.authorization.k8s.io"],
                    verbs: &["bind"],
                    resources: &["rolebindings", "clusterrolebindings"],
                }],
            )
        }),
    },
    Rule {
        id: "CKV_K8S_158",
        name: "Minimize Roles and ClusterRoles that grant permissions to escalate Roles or ClusterRoles",
        kinds: ROLES,
        eval: Eval::Object(|v| {
            grants_all(
                v,
                &[Op {
                    groups: &["rbac.authorization.k8s.io"],
                    verbs: &["escalate"],
                    resources: &["roles", "clusterroles"],
                }],
            )
        }),
    },
];
