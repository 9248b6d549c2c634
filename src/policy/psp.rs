//! PodSecurityPolicy rules (the kind left Kubernetes in 1.25; checkov still checks it).

use super::value::V;
use super::{Eval, R, Rule};

const PSP: &[&str] = &["PodSecurityPolicy"];

/// checkov's `BaseSpecOmittedOrValueCheck`: fails when `spec.<key>` is written with any value
/// Python finds `!= False` (so `0` passes like `false`, and `null` fails).
fn omitted_or_false(v: &V, key: &str) -> R {
    match v.at("spec").get(key) {
        None => R::Pass,
        Some(V::Bool(false)) | Some(V::Int(0)) => R::Pass,
        Some(V::Float(f)) if *f == 0.0 => R::Pass,
        Some(_) => R::Fail,
    }
}

const fn p(id: &'static str, name: &'static str, f: fn(&V) -> R) -> Rule {
    Rule {
        id,
        name,
        kinds: PSP,
        eval: Eval::Object(f),
    }
}

pub static RULES: &[Rule] = &[
    p(
        "CKV_K8S_1",
        "Do not admit containers wishing to share the host process ID namespace",
        |v| omitted_or_false(v, "hostPID"),
    ),
    p("CKV_K8S_2", "Do not admit privileged containers", |v| {
        omitted_or_false(v, "privileged")
    }),
    p(
        "CKV_K8S_3",
        "Do not admit containers wishing to share the host IPC namespace",
        |v| omitted_or_false(v, "hostIPC"),
    ),
    p(
        "CKV_K8S_4",
        "Do not admit containers wishing to share the host network namespace",
        |v| omitted_or_false(v, "hostNetwork"),
    ),
    p(
        "CKV_K8S_5",
        "Containers should not run with allowPrivilegeEscalation",
        |v| match v.get("spec") {
            None => R::Unknown,
            // Quirk kept: leaving the field out fails (Kubernetes' default is to allow).
            Some(spec) => match spec.get("allowPrivilegeEscalation") {
                Some(x) => R::fail_if(x.truthy()),
                None => R::Fail,
            },
        },
    ),
    p("CKV_K8S_6", "Do not admit root containers", |v| {
        let rau = v.at("spec").at("runAsUser");
        match rau.get("rule").and_then(V::as_str) {
            Some("MustRunAsNonRoot") => R::Pass,
            Some("MustRunAs") if rau.has("ranges") => R::fail_if(
                rau.at("ranges")
                    .items()
                    .iter()
                    .any(|r| r.at("min").as_int() == Some(0)),
            ),
            _ => R::Fail,
        }
    }),
    p(
        "CKV_K8S_7",
        "Do not admit containers with the NET_RAW capability",
        |v| {
            let drop = v.at("spec").at("requiredDropCapabilities");
            R::fail_if(!(drop.is_list() && (drop.contains("ALL") || drop.contains("NET_RAW"))))
        },
    ),
    p(
        "CKV_K8S_24",
        "Do not allow containers with added capability",
        |v| R::fail_if(v.at("spec").at("allowedCapabilities").truthy()),
    ),
    p(
        "CKV_K8S_32",
        "Ensure default seccomp profile set to docker/default or runtime/default",
        |v| {
            R::fail_if(
                !super::containers::annotations(v.at("metadata"))
                    .iter()
                    .any(|(k, val)| {
                        k.contains("seccomp.security.alpha.kubernetes.io/defaultProfileName")
                            && (val.contains("docker/default") || val.contains("runtime/default"))
                    }),
            )
        },
    ),
    p(
        "CKV_K8S_36",
        "Minimize the admission of containers with capabilities assigned",
        |v| R::fail_if(!v.at("spec").at("requiredDropCapabilities").truthy()),
    ),
];
