//! Container and pod-spec rules: security context, capabilities, resources, probes, images,
//! host namespaces, volumes, service accounts.

use super::value::{NULL, V};
use super::{CONTAINER_KINDS, Eval, R, Rule, WORKLOAD_KINDS};

/// checkov's `BaseK8sContainerCheck.scan_spec_conf`: finds the pod spec by kind, runs `f` on each
/// container (then each init container when `init`), fails on the first failure, passes when
/// any container passed, and is unknown when there were none (an object with no containers is
/// not reported).
pub fn scan(conf: &V, kind: &str, init: bool, f: fn(&V, &V) -> R) -> R {
    let (spec, meta) = match kind {
        "Pod" => match conf.get("spec") {
            Some(spec) => (spec, conf.at("metadata")),
            None => return R::Unknown,
        },
        "PodTemplate" => match conf.get("template").and_then(|t| t.get("spec")) {
            Some(spec) => (spec, conf.at("template").at("metadata")),
            None => return R::Unknown,
        },
        "CronJob" => {
            let t = conf
                .get("spec")
                .and_then(|s| s.get("jobTemplate"))
                .and_then(|s| s.get("spec"))
                .and_then(|s| s.get("template"));
            match t.and_then(|t| t.get("spec")) {
                Some(spec) => (spec, t.map_or(&NULL, |t| t.at("metadata"))),
                None => return R::Unknown,
            }
        }
        _ => {
            let t = conf.get("spec").and_then(|s| s.get("template"));
            match t.and_then(|t| t.get("spec")) {
                Some(spec) => (spec, t.map_or(&NULL, |t| t.at("metadata"))),
                None => return R::Unknown,
            }
        }
    };
    let mut passed = false;
    let mut lists = vec![spec.at("containers")];
    if init {
        lists.push(spec.at("initContainers"));
    }
    for list in lists {
        let list = if list.truthy() {
            list
        } else {
            &V::List(Vec::new())
        };
        let V::List(items) = list else { continue };
        for c in items.iter().filter(|c| c.is_map()) {
            match f(meta, c) {
                R::Fail => return R::Fail,
                R::Pass => passed = true,
                R::Unknown => {}
            }
        }
    }
    if passed { R::Pass } else { R::Unknown }
}

/// The pod spec of a workload as checkov's pod-spec rules find it: `spec` of a Pod,
/// `spec.jobTemplate.spec.template.spec` of a CronJob, `spec.template.spec` of the others;
/// null when missing or empty.
pub fn pod_spec(conf: &V) -> &V {
    let found = match conf.at("kind").as_str() {
        Some("Pod") => conf.get("spec"),
        Some("CronJob") => conf.path("spec/jobTemplate/spec/template/spec"),
        _ => conf.path("spec/template/spec"),
    };
    match found {
        Some(v) if v.truthy() => v,
        _ => &NULL,
    }
}

const fn c(id: &'static str, name: &'static str, f: fn(&V, &V) -> R) -> Rule {
    Rule {
        id,
        name,
        kinds: CONTAINER_KINDS,
        eval: Eval::Containers { init: true, f },
    }
}

const fn w(id: &'static str, name: &'static str, f: fn(&V) -> R) -> Rule {
    Rule {
        id,
        name,
        kinds: WORKLOAD_KINDS,
        eval: Eval::Object(f),
    }
}

/// Probes are not asked of Jobs and CronJobs, nor of init containers.
const PROBE_KINDS: &[&str] = &[
    "Pod",
    "PodTemplate",
    "Deployment",
    "DeploymentConfig",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
];

fn sc(c: &V) -> &V {
    c.at("securityContext")
}

fn caps<'a>(c: &'a V, which: &str) -> &'a V {
    let sc = sc(c);
    if !sc.truthy() {
        return &NULL;
    }
    let caps = sc.at("capabilities");
    if !caps.truthy() {
        return &NULL;
    }
    caps.at(which)
}

/// `[^\s/]+/)?([^\s:]+):?([^\s]*)` — checkov's DOCKER_IMAGE_REGEX, first match: the tag.
fn image_tag(image: &str) -> Option<String> {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?:[^\s/]+/)?([^\s:]+):?(\S*)").expect("a valid pattern")
    });
    RE.captures(image)
        .map(|c| c.get(2).map_or("", |m| m.as_str()).to_string())
}

fn image_matches(image: &str) -> usize {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?:[^\s/]+/)?([^\s:]+):?(\S*)").expect("a valid pattern")
    });
    RE.find_iter(image).count()
}

pub static RULES: &[Rule] = &[
    Rule {
        id: "CKV_K8S_8",
        name: "Liveness Probe Should be Configured",
        kinds: PROBE_KINDS,
        eval: Eval::Containers {
            init: false,
            f: |_, c| R::fail_if(!c.at("livenessProbe").truthy()),
        },
    },
    Rule {
        id: "CKV_K8S_9",
        name: "Readiness Probe Should be Configured",
        kinds: PROBE_KINDS,
        eval: Eval::Containers {
            init: false,
            f: |_, c| R::fail_if(!c.at("readinessProbe").truthy()),
        },
    },
    c("CKV_K8S_10", "CPU requests should be set", |_, c| {
        requests(c, "cpu")
    }),
    c("CKV_K8S_11", "CPU limits should be set", |_, c| {
        limits(c, "cpu")
    }),
    c("CKV_K8S_12", "Memory requests should be set", |_, c| {
        requests(c, "memory")
    }),
    c("CKV_K8S_13", "Memory limits should be set", |_, c| {
        limits(c, "memory")
    }),
    c(
        "CKV_K8S_14",
        "Image Tag should be fixed - not latest or blank",
        |_, c| {
            let image = c.at("image");
            if !image.truthy() {
                return R::Fail;
            }
            let Some(image) = image.as_str().filter(|s| !s.trim().is_empty()) else {
                return R::Unknown;
            };
            if image.contains('@') {
                return R::Pass;
            }
            match image_tag(image) {
                None => R::Unknown,
                Some(tag) => R::fail_if(tag == "latest" || tag.is_empty()),
            }
        },
    ),
    c(
        "CKV_K8S_15",
        "Image Pull Policy should be Always",
        |_, c| {
            let image = c.at("image");
            if !image.truthy() {
                return R::Fail;
            }
            let Some(image) = image.as_str().filter(|s| !s.trim().is_empty()) else {
                return R::Unknown;
            };
            let (image, digest) = match image.find('@') {
                Some(i) => (&image[..i], true),
                None => (image, false),
            };
            match c.get("imagePullPolicy") {
                None => {
                    if image_matches(image) != 1 {
                        return R::Unknown;
                    }
                    let tag = image_tag(image).unwrap_or_default();
                    R::fail_if(!(tag == "latest" || tag.is_empty() || digest))
                }
                Some(p) => R::fail_if(!digest && p.as_str() != Some("Always")),
            }
        },
    ),
    c(
        "CKV_K8S_16",
        "Container should not be privileged",
        |_, c| R::fail_if(sc(c).truthy() && sc(c).at("privileged").truthy()),
    ),
    w(
        "CKV_K8S_17",
        "Containers should not share the host process ID namespace",
        |v| host_flag(v, "hostPID"),
    ),
    w(
        "CKV_K8S_18",
        "Containers should not share the host IPC namespace",
        |v| host_flag(v, "hostIPC"),
    ),
    w(
        "CKV_K8S_19",
        "Containers should not share the host network namespace",
        |v| host_flag(v, "hostNetwork"),
    ),
    c(
        "CKV_K8S_20",
        "Containers should not run with allowPrivilegeEscalation",
        |_, c| R::fail_if(!(sc(c).truthy() && sc(c).at("allowPrivilegeEscalation").is_false())),
    ),
    Rule {
        id: "CKV_K8S_21",
        name: "The default namespace should not be used",
        kinds: &[
            "Pod",
            "Deployment",
            "DaemonSet",
            "StatefulSet",
            "ReplicaSet",
            "ReplicationController",
            "Job",
            "CronJob",
            "Service",
            "Secret",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ConfigMap",
            "Ingress",
        ],
        eval: Eval::Object(default_namespace),
    },
    c(
        "CKV_K8S_22",
        "Use read-only filesystem for containers where possible",
        |_, c| R::fail_if(!(sc(c).truthy() && sc(c).at("readOnlyRootFilesystem").truthy())),
    ),
    Rule {
        id: "CKV_K8S_23",
        name: "Minimize the admission of root containers",
        kinds: ROOT_KINDS,
        eval: Eval::Object(root_containers),
    },
    c(
        "CKV_K8S_25",
        "Minimize the admission of containers with added capability",
        |_, c| R::fail_if(caps(c, "add").truthy()),
    ),
    c(
        "CKV_K8S_26",
        "Do not specify hostPort unless absolutely necessary",
        |_, c| {
            let ports = c.at("ports");
            R::fail_if(ports.truthy() && ports.items().iter().any(|p| p.has("hostPort")))
        },
    ),
    w(
        "CKV_K8S_27",
        "Do not expose the docker daemon socket to containers",
        |v| {
            let spec = pod_spec(v);
            if !spec.is_map() {
                return R::Pass;
            }
            let volumes = spec.get("volumes").unwrap_or(&V::Null);
            match volumes {
                V::Null if !spec.has("volumes") => R::Pass,
                V::List(vols) => R::fail_if(vols.iter().any(|vol| {
                    vol.at("hostPath").truthy()
                        && vol.at("hostPath").at("path").as_str() == Some("/var/run/docker.sock")
                })),
                _ => R::Unknown,
            }
        },
    ),
    c(
        "CKV_K8S_28",
        "Minimize the admission of containers with the NET_RAW capability",
        |_, c| {
            let drop = caps(c, "drop");
            R::fail_if(!(drop.truthy() && drop_has(drop, &["ALL", "all", "NET_RAW"])))
        },
    ),
    w(
        "CKV_K8S_29",
        "Apply security context to your pods and containers",
        |v| {
            let spec = pod_spec(v);
            R::fail_if(!(spec.is_map() && spec.at("securityContext").truthy()))
        },
    ),
    c(
        "CKV_K8S_30",
        "Apply security context to your containers",
        |_, c| R::fail_if(!sc(c).truthy()),
    ),
    w(
        "CKV_K8S_31",
        "Ensure that the seccomp profile is set to docker/default or runtime/default",
        seccomp,
    ),
    c(
        "CKV_K8S_33",
        "Ensure the Kubernetes dashboard is not deployed",
        |meta, c| {
            let image = c.at("image");
            if image.truthy() {
                let Some(image) = image.as_str() else {
                    return R::Fail;
                };
                if image.contains("kubernetes-dashboard") || image.contains("kubernetesui") {
                    return R::Fail;
                }
            }
            let labels = meta.at("labels");
            if meta.truthy() && labels.truthy() {
                // Quirk kept: `k8s-app` is only read when there is no `app` label.
                if labels.has("app") {
                    return R::fail_if(labels.at("app").as_str() == Some("kubernetes-dashboard"));
                }
                if labels.has("k8s-app") {
                    return R::fail_if(
                        labels.at("k8s-app").as_str() == Some("kubernetes-dashboard"),
                    );
                }
            }
            R::Pass
        },
    ),
    c(
        "CKV_K8S_34",
        "Ensure that Tiller (Helm v2) is not deployed",
        |meta, c| R::fail_if(is_tiller(meta, c)),
    ),
    c(
        "CKV_K8S_35",
        "Prefer using secrets as files over secrets as environment variables",
        |_, c| {
            let env = c.at("env");
            if env.truthy() {
                for e in env.items() {
                    if !e.is_map() {
                        return R::Unknown;
                    }
                    let from = e.at("valueFrom");
                    if from.truthy() && from.contains("secretKeyRef") {
                        return R::Fail;
                    }
                }
            }
            let env_from = c.at("envFrom");
            if env_from.truthy() && env_from.items().iter().any(|e| e.contains("secretRef")) {
                return R::Fail;
            }
            R::Pass
        },
    ),
    c(
        "CKV_K8S_37",
        "Minimize the admission of containers with capabilities assigned",
        |_, c| {
            let drop = caps(c, "drop");
            R::fail_if(!(drop.truthy() && drop_has(drop, &["ALL", "all"])))
        },
    ),
    w(
        "CKV_K8S_38",
        "Ensure that Service Account Tokens are only mounted where necessary",
        |v| {
            let spec = pod_spec(v);
            if spec.truthy() && !spec.is_map() {
                return R::Unknown;
            }
            R::fail_if(!spec.at("automountServiceAccountToken").is_false())
        },
    ),
    c(
        "CKV_K8S_39",
        "Do not use the CAP_SYS_ADMIN linux capability",
        |_, c| {
            let add = caps(c, "add");
            R::fail_if(add.truthy() && add.contains("SYS_ADMIN"))
        },
    ),
    Rule {
        id: "CKV_K8S_40",
        name: "Containers should run as a high UID to avoid host conflict",
        kinds: ROOT_KINDS,
        eval: Eval::Object(high_uid),
    },
    c("CKV_K8S_43", "Image should use digest", |_, c| {
        match c.get("image") {
            Some(V::Str(s)) => R::fail_if(!s.contains('@')),
            _ => R::Fail,
        }
    }),
    c(
        "CKV_K8S_45",
        "Ensure the Tiller Deployment (Helm V2) is not accessible from within the cluster",
        |meta, c| {
            if !is_tiller(meta, c) {
                return R::Unknown;
            }
            let args = c.at("args");
            R::fail_if(
                !(args.truthy()
                    && args.strs().iter().any(|a| {
                        a.contains("--listen")
                            && (a.contains("localhost") || a.contains("127.0.0.1"))
                    })),
            )
        },
    ),
    c(
        "CKV_K8S_159",
        "Limit the use of git-sync to prevent code injection",
        |_, c| {
            let env = c.at("env");
            R::fail_if(
                env.is_list()
                    && env
                        .items()
                        .iter()
                        .any(|e| e.at("name").as_str() == Some("GITSYNC_GIT")),
            )
        },
    ),
];

/// Kinds of the root-user rules (no PodTemplate, no DeploymentConfig).
const ROOT_KINDS: &[&str] = WORKLOAD_KINDS;

fn requests(c: &V, what: &str) -> R {
    let res = c.at("resources");
    if res.truthy() {
        if !res.is_map() {
            return R::Unknown;
        }
        let req = res.at("requests");
        if !req.is_map() {
            return R::Unknown;
        }
        if req.at(what).truthy() {
            return R::Pass;
        }
    }
    R::Fail
}

fn limits(c: &V, what: &str) -> R {
    let res = c.at("resources");
    if res.truthy() {
        if !res.is_map() {
            return R::Unknown;
        }
        let lim = res.at("limits");
        if lim.truthy() && lim.at(what).truthy() {
            return R::Pass;
        }
    }
    R::Fail
}

/// checkov: `any(cap in d for cap in …)` for each dropped item `d` — a substring test when the
/// item is a string.
fn drop_has(drop: &V, wanted: &[&str]) -> bool {
    match drop {
        V::List(items) => items.iter().any(|d| wanted.iter().any(|w| d.contains(w))),
        V::Str(s) => s
            .chars()
            .any(|ch| wanted.iter().any(|w| *w == ch.to_string())),
        _ => false,
    }
}

fn host_flag(v: &V, flag: &str) -> R {
    let spec = pod_spec(v);
    R::fail_if(spec.truthy() && spec.contains(flag) && spec.at(flag).truthy())
}

/// CKV_K8S_21. Passes a ServiceAccount named `default` and the Service `kubernetes` in the
/// default namespace (checkov also honours `HELM_NAMESPACE`, which `blast` does not read).
fn default_namespace(v: &V) -> R {
    let meta = v.at("metadata");
    if !meta.truthy() {
        return R::Fail;
    }
    if let Some(ns) = meta.get("namespace")
        && ns.as_str() != Some("default")
    {
        return R::Pass;
    }
    let kind = v.at("kind").as_str();
    let name = meta.at("name").as_str();
    if kind == Some("ServiceAccount") && name == Some("default") {
        return R::Pass;
    }
    if kind == Some("Service") && name == Some("kubernetes") {
        return R::Pass;
    }
    R::Fail
}

#[derive(PartialEq, Clone, Copy)]
enum Tri {
    Passed,
    Failed,
    Absent,
}

fn run_as_non_root(spec: &V) -> Tri {
    let sc = spec.at("securityContext");
    if sc.truthy() && sc.is_map() && sc.has("runAsNonRoot") {
        if sc.at("runAsNonRoot").truthy() {
            Tri::Passed
        } else {
            Tri::Failed
        }
    } else {
        Tri::Absent
    }
}

fn run_as_user(spec: &V, uid: i64) -> Tri {
    let sc = spec.at("securityContext");
    if spec.is_map() && sc.truthy() && sc.is_map() && sc.has("runAsUser") {
        match sc.at("runAsUser").as_int() {
            Some(u) if u >= uid => Tri::Passed,
            _ => Tri::Failed,
        }
    } else {
        Tri::Absent
    }
}

/// checkov's `BaseK8sRootContainerCheck.extract_spec` (the pod spec, or `{}`).
fn root_spec(v: &V) -> &V {
    pod_spec(v)
}

/// CKV_K8S_23: pod-level `runAsNonRoot` or `runAsUser >= 1` covers the containers unless one
/// overrides it; init containers are not looked at (as in checkov).
fn root_containers(v: &V) -> R {
    let spec = root_spec(v);
    if !(spec.truthy() && spec.is_map()) {
        return R::Fail;
    }
    let containers = spec.get("containers").unwrap_or(&V::Null);
    let cs: Vec<&V> = match containers {
        V::List(l) => l.iter().collect(),
        V::Null if !spec.has("containers") => Vec::new(),
        _ => return R::Unknown,
    };
    let results: Vec<(Tri, Tri)> = cs
        .iter()
        .map(|c| (run_as_non_root(c), run_as_user(c, 1)))
        .collect();
    if run_as_non_root(spec) == Tri::Passed {
        for (nr, u) in &results {
            if *nr == Tri::Failed && (*u == Tri::Failed || *u == Tri::Absent) {
                return R::Fail;
            }
        }
        R::Pass
    } else if run_as_user(spec, 1) == Tri::Passed {
        R::fail_if(results.iter().any(|(_, u)| *u == Tri::Failed))
    } else {
        for (nr, u) in &results {
            if *nr == Tri::Passed {
                continue;
            }
            if *u != Tri::Passed {
                return R::Fail;
            }
        }
        R::Pass
    }
}

/// CKV_K8S_40: UID 10000 or more, pod-level or on every container; `hostUsers: false` passes.
fn high_uid(v: &V) -> R {
    let spec = root_spec(v);
    if !(spec.truthy() && spec.is_map()) {
        return R::Fail;
    }
    if spec.at("hostUsers").is_false() {
        return R::Pass;
    }
    let containers = spec.get("containers").unwrap_or(&V::Null);
    let cs: Vec<Tri> = match containers {
        V::List(l) => l.iter().map(|c| run_as_user(c, 10000)).collect(),
        V::Null if !spec.has("containers") => Vec::new(),
        _ => return R::Unknown,
    };
    if run_as_user(spec, 10000) == Tri::Passed {
        return R::fail_if(cs.contains(&Tri::Failed));
    }
    let mut overridden = false;
    for u in cs {
        match u {
            Tri::Failed | Tri::Absent => return R::Fail,
            Tri::Passed => overridden = true,
        }
    }
    R::fail_if(!overridden)
}

fn is_tiller(meta: &V, c: &V) -> bool {
    if let Some(image) = c.at("image").as_str()
        && image.contains("tiller")
    {
        return true;
    }
    let labels = meta.at("labels");
    if meta.truthy() && labels.truthy() {
        if labels.at("app").as_str() == Some("helm") {
            return true;
        }
        if labels.at("name").as_str() == Some("tiller") {
            return true;
        }
    }
    false
}

/// The annotations of a metadata as checkov iterates them (a mapping, or a list of mappings).
pub(super) fn annotations(meta: &V) -> Vec<(&str, &V)> {
    let a = meta.at("annotations");
    let maps: Vec<&V> = match a {
        V::List(l) => l.iter().collect(),
        other => vec![other],
    };
    maps.iter()
        .flat_map(|m| m.entries().iter().map(|(k, v)| (k.as_str(), v)))
        .collect()
}

fn seccomp_annotation(meta: &V) -> bool {
    if !meta.truthy() || !meta.at("annotations").truthy() {
        return false;
    }
    annotations(meta).iter().any(|(k, v)| {
        k.contains("seccomp.security.alpha.kubernetes.io/pod")
            && (v.contains("docker/default") || v.contains("runtime/default"))
    })
}

/// The containers' seccomp profiles: `Some(result)` when they decide (one not RuntimeDefault
/// fails; all RuntimeDefault passes), `None` to read on.
fn containers_seccomp(spec: &V) -> Option<R> {
    if !spec.is_map() {
        return None;
    }
    let containers = spec.at("containers");
    if !containers.truthy() {
        return None;
    }
    let list: Vec<&V> = match containers {
        V::List(l) => l.iter().collect(),
        other => vec![other],
    };
    let mut passed = 0;
    for c in &list {
        if let Some(p) = c.path("securityContext/seccompProfile/type")
            && p.truthy()
        {
            if p.as_str() == Some("RuntimeDefault") {
                passed += 1;
            } else {
                return Some(R::Fail);
            }
        }
    }
    (passed == list.len()).then_some(R::Pass)
}

/// CKV_K8S_31. The pod's `seccompProfile.type` decides when set (RuntimeDefault only: a
/// Localhost profile fails); else every container's; else the old annotation. Quirks kept:
/// ReplicationController reads only the annotation of its own metadata path, and CronJob reads
/// the pod `securityContext` only when the pod spec has no `metadata`.
fn seccomp(v: &V) -> R {
    let kind = v.at("kind").as_str().unwrap_or("");
    let mut meta: &V = &NULL;
    if kind == "Pod" {
        if let Some(p) = v.path("spec/securityContext/seccompProfile/type")
            && p.truthy()
        {
            return R::fail_if(p.as_str() != Some("RuntimeDefault"));
        }
        meta = v.at("metadata");
        if let Some(r) = containers_seccomp(v.at("spec")) {
            return r;
        }
    }
    if [
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "ReplicaSet",
    ]
    .contains(&kind)
    {
        if let Some(p) = v.path("spec/template/spec/securityContext/seccompProfile/type")
            && p.truthy()
        {
            return R::fail_if(p.as_str() != Some("RuntimeDefault"));
        }
        if v.at("spec").is_map() {
            let t = v.at("spec").get("template");
            let spec = match t {
                Some(t) if t.is_map() => t.get("spec"),
                _ => None,
            };
            if let Some(r) = spec.and_then(containers_seccomp) {
                return r;
            }
        }
        meta = match v.path("spec/template/metadata") {
            Some(m) if m.truthy() => m,
            _ => v.at("metadata"),
        };
    } else if kind == "CronJob" {
        if let Some(t) = v.path("spec/jobTemplate/spec/template")
            && t.truthy()
            && t.is_map()
        {
            if let Some(spec) = t.get("spec") {
                if spec.has("metadata") {
                    meta = spec.at("metadata");
                } else if spec.has("securityContext")
                    && spec
                        .at("securityContext")
                        .at("seccompProfile")
                        .at("type")
                        .as_str()
                        == Some("RuntimeDefault")
                {
                    return R::Pass;
                }
            }
            if t.has("metadata") {
                meta = t.at("metadata");
            }
        }
    } else {
        // Pods come here too, as in checkov.
        if let Some(m) = v.path("spec/template/metadata")
            && m.truthy()
        {
            meta = m;
        }
    }
    R::fail_if(!seccomp_annotation(meta))
}
