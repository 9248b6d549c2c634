//! Ingress and Service rules (NGINX annotation snippets, CVE-2021-25742; Helm v2's Tiller).

use super::value::V;
use super::{Eval, R, Rule};

fn snippets(v: &V) -> Vec<(&str, &V)> {
    let meta = v.at("metadata");
    if !meta.truthy() || !meta.at("annotations").truthy() {
        return Vec::new();
    }
    super::containers::annotations(meta)
        .into_iter()
        .filter(|(k, _)| k.contains("snippet"))
        .collect()
}

fn lua(s: &str) -> bool {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\blua_|_lua\b|_lua_|\bkubernetes\.io\b").expect("a valid pattern")
    });
    RE.is_match(s)
}

pub static RULES: &[Rule] = &[
    Rule {
        id: "CKV_K8S_44",
        name: "Ensure that the Tiller Service (Helm v2) is deleted",
        kinds: &["Service"],
        // Quirk kept: a Service that is not Tiller's is "unknown", never passed.
        eval: Eval::Object(|v| {
            let tiller = |x: &V| x.py_str().to_lowercase().contains("tiller");
            let meta = v.at("metadata");
            if meta.truthy() {
                if meta.get("name").is_some_and(tiller) {
                    return R::Fail;
                }
                if meta.at("labels").entries().iter().any(|(_, x)| tiller(x)) {
                    return R::Fail;
                }
            }
            let spec = v.at("spec");
            if spec.truthy() && spec.at("selector").entries().iter().any(|(_, x)| tiller(x)) {
                return R::Fail;
            }
            R::Unknown
        }),
    },
    Rule {
        id: "CKV_K8S_152",
        name: "Prevent NGINX Ingress annotation snippets which contain LUA code execution. See CVE-2021-25742",
        kinds: &["Ingress"],
        eval: Eval::Object(|v| {
            R::fail_if(snippets(v).iter().any(|(_, x)| x.as_str().is_some_and(lua)))
        }),
    },
    Rule {
        id: "CKV_K8S_153",
        name: "Prevent All NGINX Ingress annotation snippets. See CVE-2021-25742",
        kinds: &["Ingress"],
        eval: Eval::Object(|v| R::fail_if(!snippets(v).is_empty())),
    },
    Rule {
        id: "CKV_K8S_154",
        name: "Prevent NGINX Ingress annotation snippets which contain alias statements See CVE-2021-25742",
        kinds: &["Ingress"],
        eval: Eval::Object(|v| R::fail_if(snippets(v).iter().any(|(_, x)| x.contains("alias")))),
    },
];
