//! Control-plane flags (kube-apiserver, kube-controller-manager, kube-scheduler, etcd, kubelet).
//!
//! As in checkov these read the `command` of containers only, so they fire on static pods and
//! workloads that run the binaries with flags in `command` (not `args`): a container whose
//! command does not name the binary passes. Where checkov reads `x in command`, a command
//! written as one string is searched as a substring, as Python does.

use super::value::V;
use super::{CONTAINER_KINDS, Eval, R, Rule};

const APISERVER: &str = "kube-apiserver";
const KCM: &str = "kube-controller-manager";
const SCHEDULER: &str = "kube-scheduler";
const KUBELET: &str = "kubelet";

/// `conf.get("command")` is truthy and names `bin` (Python's `in`).
fn runs(c: &V, bin: &str) -> bool {
    let cmd = c.at("command");
    cmd.truthy() && cmd.contains(bin)
}

/// The same, for checks that insist on a list (`isinstance(command, list)`).
fn runs_list(c: &V, bin: &str) -> bool {
    let cmd = c.at("command");
    cmd.is_list() && cmd.contains(bin)
}

/// The items of the command as Python iterates them: the strings of a list, or the characters
/// of a string.
fn args(c: &V) -> Vec<String> {
    match c.at("command") {
        V::List(l) => l
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        V::Str(s) => s.chars().map(String::from).collect(),
        _ => Vec::new(),
    }
}

fn has(c: &V, arg: &str) -> bool {
    c.at("command").contains(arg)
}

/// checkov's `extract_commands`: flags split at their first `=` into keys and values.
fn keys(c: &V) -> Vec<(String, String)> {
    c.at("command")
        .items()
        .iter()
        .filter(|v| !matches!(v, V::Null))
        .map(|v| match v.as_str() {
            Some(s) => match s.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (s.to_string(), String::new()),
            },
            None => (v.py_str(), String::new()),
        })
        .collect()
}

fn has_key(keys: &[(String, String)], k: &str) -> bool {
    keys.iter().any(|(key, _)| key == k)
}

/// `cmd.split("=")[1]` (empty when there is no `=`: checkov would stop with an error).
fn value(arg: &str) -> &str {
    arg.split('=').nth(1).unwrap_or("")
}

/// `[field, value, *_] = cmd.split("=")` for an arg with `=`.
fn field_value(arg: &str) -> Option<(&str, &str)> {
    if !arg.contains('=') {
        return None;
    }
    let mut it = arg.split('=');
    Some((it.next().unwrap_or(""), it.next().unwrap_or("")))
}

/// The admission-plugin rules: a bare `--enable-admission-plugins` fails, and so does a list
/// that `bad` rejects (a substring test on the whole list, as in checkov).
fn plugins(c: &V, bad: fn(&str) -> bool) -> R {
    if !runs(c, APISERVER) {
        return R::Pass;
    }
    for arg in args(c) {
        if arg == "--enable-admission-plugins" {
            return R::Fail;
        }
        if let Some((f, v)) = field_value(&arg)
            && f == "--enable-admission-plugins"
            && bad(v)
        {
            return R::Fail;
        }
    }
    R::Pass
}

/// Both flags given (by prefix).
fn pair(c: &V, bin: &str, a: &str, b: &str) -> R {
    let all = args(c);
    R::fail_if(!(all.iter().any(|x| x.starts_with(a)) && all.iter().any(|x| x.starts_with(b))))
        .only_if(c.at("command").contains(bin))
}

trait OnlyIf {
    fn only_if(self, cond: bool) -> R;
}

impl OnlyIf for R {
    /// The verdict when `cond` holds, else a pass.
    fn only_if(self, cond: bool) -> R {
        if cond { self } else { R::Pass }
    }
}

/// The authorization-mode rules: `mode` must (`want`) or must not be in the first
/// `--authorization-mode`'s list.
fn auth_mode(c: &V, bin: &str, mode: &str, want: bool) -> R {
    if want {
        if !(c.get("command").is_some_and(|v| !matches!(v, V::Null)) && has(c, bin)) {
            return R::Pass;
        }
        let found = args(c)
            .iter()
            .filter(|a| a.starts_with("--authorization-mode"))
            .any(|a| value(a).split(',').any(|m| m == mode));
        return R::fail_if(!found);
    }
    let present = if bin == APISERVER {
        c.get("command").is_some_and(|v| !matches!(v, V::Null)) && has(c, bin)
    } else {
        runs(c, bin)
    };
    if !present {
        return R::Pass;
    }
    match args(c)
        .iter()
        .find(|a| a.starts_with("--authorization-mode"))
    {
        Some(a) => R::fail_if(value(a).split(',').any(|m| m == mode)),
        None => R::Pass,
    }
}

/// `--audit-log-max*`: the first such flag's value must be at least `min`.
fn audit_min(c: &V, flag: &str, min: i64) -> R {
    if !(c.get("command").is_some_and(|v| !matches!(v, V::Null)) && has(c, APISERVER)) {
        return R::Pass;
    }
    let ok = args(c)
        .iter()
        .find(|a| a.starts_with(flag))
        .is_some_and(|a| value(a).trim().parse::<i64>().is_ok_and(|n| n >= min));
    R::fail_if(!ok)
}

/// The strong TLS ciphers checkov accepts for the API server and the kubelet.
const STRONG_CIPHERS: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
];

fn ciphers(c: &V, bin: &str) -> R {
    if !runs(c, bin) {
        return R::Pass;
    }
    R::fail_if(
        args(c)
            .iter()
            .filter(|a| a.starts_with("--tls-cipher-suites"))
            .any(|a| value(a).split(',').any(|x| !STRONG_CIPHERS.contains(&x))),
    )
}

/// kube-controller-manager file flags: the first one decides by the part after its first dot
/// (`ca.pem` passes, `ca.crt` and `ca.x.pem` fail); no flag passes (as in checkov).
fn kcm_pem(c: &V, flag: &str) -> R {
    if !runs(c, KCM) {
        return R::Pass;
    }
    match args(c).iter().find(|a| a.starts_with(flag)) {
        Some(a) => R::fail_if(value(a).split('.').nth(1) != Some("pem")),
        None => R::Pass,
    }
}

/// `--bind-address=127.0.0.1` required.
fn bind_local(c: &V, bin: &str) -> R {
    if !runs(c, bin) {
        return R::Pass;
    }
    R::fail_if(
        !args(c)
            .iter()
            .filter_map(|a| field_value(a))
            .any(|(k, v)| k == "--bind-address" && v == "127.0.0.1"),
    )
}

/// The first flag with this prefix must have the value `want`; none fails.
fn kcm_first_is(c: &V, flag: &str, want: &str) -> R {
    if !runs(c, KCM) {
        return R::Pass;
    }
    R::fail_if(
        !args(c)
            .iter()
            .filter(|a| a.starts_with(flag))
            .any(|a| value(a) == want),
    )
}

fn timeout_ok(v: &str) -> bool {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^(?:(\d{1,2}[h])(\d{1,2}[m])?(\d{1,2}[s])?$|^(\d{1,2}[m])?(\d{1,2}[s])?$|^(\d{1,2}[s])$)",
        )
        .expect("a valid pattern")
    });
    RE.is_match(v)
}

const fn k(id: &'static str, name: &'static str, f: fn(&V, &V) -> R) -> Rule {
    Rule {
        id,
        name,
        kinds: CONTAINER_KINDS,
        eval: Eval::Containers { init: true, f },
    }
}

pub static RULES: &[Rule] = &[
    k(
        "CKV_K8S_68",
        "Ensure that the --anonymous-auth argument is set to false",
        |_, c| R::fail_if(!has(c, "--anonymous-auth=false")).only_if(runs(c, APISERVER)),
    ),
    k(
        "CKV_K8S_69",
        "Ensure that the --basic-auth-file argument is not set",
        |_, c| {
            R::fail_if(args(c).iter().any(|a| a.starts_with("--basic-auth-file")))
                .only_if(runs_list(c, APISERVER))
        },
    ),
    k(
        "CKV_K8S_70",
        "Ensure that the --token-auth-file argument is not set",
        |_, c| {
            R::fail_if(args(c).iter().any(|a| a.starts_with("--token-auth-file")))
                .only_if(runs(c, APISERVER))
        },
    ),
    k(
        "CKV_K8S_71",
        "Ensure that the --kubelet-https argument is set to true",
        |_, c| R::fail_if(has(c, "--kubelet-https=false")).only_if(runs(c, APISERVER)),
    ),
    k(
        "CKV_K8S_72",
        "Ensure that the --kubelet-client-certificate and --kubelet-client-key arguments are set as appropriate",
        |_, c| {
            pair(
                c,
                APISERVER,
                "--kubelet-client-certificate",
                "--kubelet-client-key",
            )
            .only_if(runs(c, APISERVER))
        },
    ),
    k(
        "CKV_K8S_73",
        "Ensure that the --kubelet-certificate-authority argument is set as appropriate",
        |_, c| {
            let ks = keys(c);
            R::fail_if(has_key(&ks, APISERVER) && !has_key(&ks, "--kubelet-certificate-authority"))
        },
    ),
    k(
        "CKV_K8S_74",
        "Ensure that the --authorization-mode argument is not set to AlwaysAllow",
        |_, c| auth_mode(c, APISERVER, "AlwaysAllow", false),
    ),
    k(
        "CKV_K8S_75",
        "Ensure that the --authorization-mode argument includes Node",
        |_, c| auth_mode(c, APISERVER, "Node", true),
    ),
    k(
        "CKV_K8S_77",
        "Ensure that the --authorization-mode argument includes RBAC",
        |_, c| auth_mode(c, APISERVER, "RBAC", true),
    ),
    Rule {
        id: "CKV_K8S_78",
        name: "Ensure that the admission control plugin EventRateLimit is set",
        kinds: &["AdmissionConfiguration"],
        eval: Eval::Object(|v| {
            R::fail_if(
                !v.at("plugins")
                    .items()
                    .iter()
                    .any(|p| p.at("name").as_str() == Some("EventRateLimit")),
            )
        }),
    },
    k(
        "CKV_K8S_79",
        "Ensure that the admission control plugin AlwaysAdmit is not set",
        |_, c| plugins(c, |v| v == "AlwaysAdmit"),
    ),
    k(
        "CKV_K8S_80",
        "Ensure that the admission control plugin AlwaysPullImages is set",
        |_, c| plugins(c, |v| !v.contains("AlwaysPullImages")),
    ),
    k(
        "CKV_K8S_81",
        "Ensure that the admission control plugin SecurityContextDeny is set if PodSecurityPolicy is not used",
        |_, c| {
            plugins(c, |v| {
                !v.contains("PodSecurityPolicy") && !v.contains("SecurityContextDeny")
            })
        },
    ),
    k(
        "CKV_K8S_82",
        "Ensure that the admission control plugin ServiceAccount is set",
        |_, c| plugins(c, |v| !v.contains("ServiceAccount")),
    ),
    k(
        "CKV_K8S_83",
        "Ensure that the admission control plugin NamespaceLifecycle is set",
        |_, c| plugins(c, |v| !v.contains("NamespaceLifecycle")),
    ),
    k(
        "CKV_K8S_84",
        "Ensure that the admission control plugin PodSecurityPolicy is set",
        |_, c| plugins(c, |v| !v.contains("PodSecurityPolicy")),
    ),
    k(
        "CKV_K8S_85",
        "Ensure that the admission control plugin NodeRestriction is set",
        |_, c| plugins(c, |v| !v.contains("NodeRestriction")),
    ),
    k(
        "CKV_K8S_86",
        "Ensure that the --insecure-bind-address argument is not set",
        |_, c| {
            R::fail_if(
                args(c)
                    .iter()
                    .any(|a| a.split('=').next() == Some("--insecure-bind-address")),
            )
            .only_if(runs(c, APISERVER))
        },
    ),
    k(
        "CKV_K8S_88",
        "Ensure that the --insecure-port argument is set to 0",
        |_, c| R::fail_if(!has(c, "--insecure-port=0")).only_if(runs(c, APISERVER)),
    ),
    k(
        "CKV_K8S_89",
        "Ensure that the --secure-port argument is not set to 0",
        |_, c| R::fail_if(has(c, "--secure-port=0")).only_if(runs_list(c, APISERVER)),
    ),
    k(
        "CKV_K8S_90",
        "Ensure that the --profiling argument is set to false",
        |_, c| {
            R::fail_if(!has(c, "--profiling=false")).only_if(
                c.get("command").is_some_and(|v| !matches!(v, V::Null)) && has(c, APISERVER),
            )
        },
    ),
    k(
        "CKV_K8S_91",
        "Ensure that the --audit-log-path argument is set",
        |_, c| {
            R::fail_if(!args(c).iter().any(|a| a.starts_with("--audit-log-path"))).only_if(
                c.get("command").is_some_and(|v| !matches!(v, V::Null)) && has(c, APISERVER),
            )
        },
    ),
    k(
        "CKV_K8S_92",
        "Ensure that the --audit-log-maxage argument is set to 30 or as appropriate",
        |_, c| audit_min(c, "--audit-log-maxage", 30),
    ),
    k(
        "CKV_K8S_93",
        "Ensure that the --audit-log-maxbackup argument is set to 10 or as appropriate",
        |_, c| audit_min(c, "--audit-log-maxbackup", 10),
    ),
    k(
        "CKV_K8S_94",
        "Ensure that the --audit-log-maxsize argument is set to 100 or as appropriate",
        |_, c| audit_min(c, "--audit-log-maxsize", 100),
    ),
    k(
        "CKV_K8S_95",
        "Ensure that the --request-timeout argument is set as appropriate",
        |_, c| {
            if !runs_list(c, APISERVER) {
                return R::Pass;
            }
            for a in args(c) {
                if a == "--request-timeout" {
                    return R::Fail;
                }
                if let Some((f, v)) = field_value(&a)
                    && f == "--request-timeout"
                    && !timeout_ok(v)
                {
                    return R::Fail;
                }
            }
            R::Pass
        },
    ),
    k(
        "CKV_K8S_96",
        "Ensure that the --service-account-lookup argument is set to true",
        |_, c| {
            R::fail_if(
                has(c, "--service-account-lookup=false")
                    || !has(c, "--service-account-lookup=true"),
            )
            .only_if(c.get("command").is_some_and(|v| !matches!(v, V::Null)) && has(c, APISERVER))
        },
    ),
    k(
        "CKV_K8S_97",
        "Ensure that the --service-account-key-file argument is set as appropriate",
        |_, c| {
            if !runs(c, APISERVER) {
                return R::Pass;
            }
            for a in args(c) {
                if a == "--service-account-key-file" {
                    return R::Fail;
                }
                if let Some((f, v)) = field_value(&a)
                    && f == "--service-account-key-file"
                    && (!v.ends_with(".pem") || v.contains('\n'))
                {
                    return R::Fail;
                }
            }
            R::Pass
        },
    ),
    k(
        "CKV_K8S_99",
        "Ensure that the --etcd-certfile and --etcd-keyfile arguments are set as appropriate",
        |_, c| {
            pair(c, APISERVER, "--etcd-certfile", "--etcd-keyfile")
                .only_if(c.get("command").is_some_and(|v| !matches!(v, V::Null)))
        },
    ),
    k(
        "CKV_K8S_100",
        "Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate",
        |_, c| {
            if !runs(c, APISERVER) {
                return R::Pass;
            }
            let set = |flag: &str| {
                args(c).iter().any(|a| {
                    a.starts_with(flag) && {
                        let parts: Vec<&str> = a.split('=').collect();
                        parts.len() == 2 && !parts[1].trim().is_empty()
                    }
                })
            };
            R::fail_if(!(set("--tls-cert-file") && set("--tls-private-key-file")))
        },
    ),
    k(
        "CKV_K8S_102",
        "Ensure that the --etcd-cafile argument is set as appropriate",
        |_, c| {
            let ks = keys(c);
            R::fail_if(has_key(&ks, APISERVER) && !has_key(&ks, "--etcd-cafile"))
        },
    ),
    k(
        "CKV_K8S_104",
        "Ensure that encryption providers are appropriately configured",
        |_, c| {
            let ks = keys(c);
            R::fail_if(has_key(&ks, APISERVER) && !has_key(&ks, "--encryption-provider-config"))
        },
    ),
    k(
        "CKV_K8S_105",
        "Ensure that the API Server only makes use of Strong Cryptographic Ciphers",
        |_, c| ciphers(c, APISERVER),
    ),
    k(
        "CKV_K8S_106",
        "Ensure that the --terminated-pod-gc-threshold argument is set as appropriate",
        |_, c| {
            if !runs(c, KCM) {
                return R::Pass;
            }
            for a in args(c) {
                if a == "--terminated-pod-gc-threshold" {
                    return R::Pass;
                }
                if a.starts_with("--terminated-pod-gc-threshold") {
                    return R::fail_if(!value(&a).trim().parse::<i64>().is_ok_and(|n| n > 0));
                }
            }
            R::Fail
        },
    ),
    k(
        "CKV_K8S_107",
        "Ensure that the --profiling argument is set to false",
        |_, c| kcm_first_is(c, "--profiling", "false"),
    ),
    k(
        "CKV_K8S_108",
        "Ensure that the --use-service-account-credentials argument is set to true",
        |_, c| kcm_first_is(c, "--use-service-account-credentials", "true"),
    ),
    k(
        "CKV_K8S_110",
        "Ensure that the --service-account-private-key-file argument is set as appropriate",
        |_, c| kcm_pem(c, "--service-account-private-key-file"),
    ),
    k(
        "CKV_K8S_111",
        "Ensure that the --root-ca-file argument is set as appropriate",
        |_, c| kcm_pem(c, "--root-ca-file"),
    ),
    k(
        "CKV_K8S_112",
        "Ensure that the RotateKubeletServerCertificate argument is set to true",
        |_, c| {
            if !(c.at("command").is_list() && (has(c, KCM) || has(c, KUBELET))) {
                return R::Pass;
            }
            R::fail_if(args(c).iter().any(|a| {
                a.starts_with("--feature-gates")
                    && a.contains("RotateKubeletServerCertificate=false")
            }))
        },
    ),
    k(
        "CKV_K8S_113",
        "Ensure that the --bind-address argument is set to 127.0.0.1",
        |_, c| bind_local(c, KCM),
    ),
    k(
        "CKV_K8S_114",
        "Ensure that the --profiling argument is set to false",
        |_, c| R::fail_if(!has(c, "--profiling=false")).only_if(runs(c, SCHEDULER)),
    ),
    k(
        "CKV_K8S_115",
        "Ensure that the --bind-address argument is set to 127.0.0.1",
        |_, c| bind_local(c, SCHEDULER),
    ),
    k(
        "CKV_K8S_116",
        "Ensure that the --cert-file and --key-file arguments are set as appropriate",
        |_, c| {
            if !runs(c, "etcd") {
                return R::Pass;
            }
            let all = args(c);
            let cert = all.iter().position(|a| a.starts_with("--cert-file"));
            let key = all
                .iter()
                .enumerate()
                .position(|(i, a)| a.starts_with("--key-file") && Some(i) != cert);
            R::fail_if(!(cert.is_some() && key.is_some()))
        },
    ),
    k(
        "CKV_K8S_117",
        "Ensure that the --client-cert-auth argument is set to true",
        |_, c| R::fail_if(!has(c, "--client-cert-auth=true")).only_if(runs_list(c, "etcd")),
    ),
    k(
        "CKV_K8S_118",
        "Ensure that the --auto-tls argument is not set to true",
        |_, c| R::fail_if(has(c, "--auto-tls=true")).only_if(runs_list(c, "etcd")),
    ),
    k(
        "CKV_K8S_119",
        "Ensure that the --peer-cert-file and --peer-key-file arguments are set as appropriate",
        |_, c| {
            let ks = keys(c);
            R::fail_if(
                has_key(&ks, "etcd")
                    && !(has_key(&ks, "--peer-cert-file") && has_key(&ks, "--peer-key-file")),
            )
        },
    ),
    Rule {
        id: "CKV_K8S_121",
        name: "Ensure that the --peer-client-cert-auth argument is set to true",
        kinds: &["Pod"],
        eval: Eval::Object(|v| {
            // Only a Pod named `etcd`; its containers' `args` (not `command`) are read.
            if v.at("metadata").at("name").as_str() != Some("etcd") {
                return R::Unknown;
            }
            let containers = v.at("spec").at("containers");
            if !containers.truthy() {
                return R::Unknown;
            }
            for c in containers.items() {
                let a = c.at("args");
                if !matches!(a, V::Null) && !a.contains("--peer-client-cert-auth=true") {
                    return R::Fail;
                }
            }
            R::Pass
        }),
    },
    k(
        "CKV_K8S_138",
        "Ensure that the --anonymous-auth argument is set to false",
        |_, c| {
            R::fail_if(has(c, "--anonymous-auth=true") || !has(c, "--anonymous-auth=false"))
                .only_if(runs(c, KUBELET))
        },
    ),
    k(
        "CKV_K8S_139",
        "Ensure that the --authorization-mode argument is not set to AlwaysAllow",
        |_, c| auth_mode(c, KUBELET, "AlwaysAllow", false),
    ),
    k(
        "CKV_K8S_140",
        "Ensure that the --client-ca-file argument is set as appropriate",
        |_, c| {
            // Quirk kept: a container that is not a kubelet is "unknown", not passed.
            if !runs(c, KUBELET) {
                return R::Unknown;
            }
            match args(c).iter().find(|a| a.starts_with("--client-ca-file")) {
                Some(a) => {
                    let parts: Vec<&str> = a.split('=').collect();
                    R::fail_if(parts.len() != 2 || parts[1].trim().is_empty())
                }
                None => R::Fail,
            }
        },
    ),
    k(
        "CKV_K8S_141",
        "Ensure that the --read-only-port argument is set to 0",
        |_, c| {
            let ks = keys(c);
            if !has_key(&ks, KUBELET) {
                return R::Pass;
            }
            let first = ks.iter().find(|(k, _)| k == "--read-only-port");
            R::fail_if(first.is_none_or(|(_, v)| v != "0"))
        },
    ),
    k(
        "CKV_K8S_143",
        "Ensure that the --streaming-connection-idle-timeout argument is not set to 0",
        |_, c| {
            R::fail_if(has(c, "--streaming-connection-idle-timeout=0")).only_if(runs(c, KUBELET))
        },
    ),
    k(
        "CKV_K8S_144",
        "Ensure that the --protect-kernel-defaults argument is set to true",
        |_, c| R::fail_if(!has(c, "--protect-kernel-defaults=true")).only_if(runs(c, KUBELET)),
    ),
    k(
        "CKV_K8S_145",
        "Ensure that the --make-iptables-util-chains argument is set to true",
        |_, c| R::fail_if(!has(c, "--make-iptables-util-chains=true")).only_if(runs(c, KUBELET)),
    ),
    k(
        "CKV_K8S_146",
        "Ensure that the --hostname-override argument is not set",
        |_, c| {
            R::fail_if(
                args(c)
                    .iter()
                    .any(|a| a.split('=').next() == Some("--hostname-override")),
            )
            .only_if(runs(c, KUBELET))
        },
    ),
    k(
        "CKV_K8S_147",
        "Ensure that the --event-qps argument is set to 0 or a level which ensures appropriate event capture",
        |_, c| {
            R::fail_if(
                args(c).iter().filter_map(|a| field_value(a)).any(|(k, v)| {
                    k == "--event-qps" && v.trim().parse::<i64>().is_ok_and(|n| n > 5)
                }),
            )
            .only_if(runs(c, KUBELET))
        },
    ),
    k(
        "CKV_K8S_148",
        "Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate",
        |_, c| {
            pair(c, KUBELET, "--tls-cert-file", "--tls-private-key-file").only_if(runs(c, KUBELET))
        },
    ),
    k(
        "CKV_K8S_149",
        "Ensure that the --rotate-certificates argument is not set to false",
        |_, c| R::fail_if(has(c, "--rotate-certificates=false")).only_if(runs(c, KUBELET)),
    ),
    k(
        "CKV_K8S_151",
        "Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers",
        |_, c| ciphers(c, KUBELET),
    ),
];
