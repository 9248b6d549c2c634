//! Policy rules with checkov's IDs and semantics (its Kubernetes framework, checkov 3.3.13), and
//! a few CIS Docker Benchmark §5 items checkov lacks (`BLAST_CIS_*`).
//!
//! The rules were written from checkov's own source (`checkov/kubernetes/checks/resource/k8s/`
//! and `graph_checks/`), not translated line by line; where checkov has a quirk the rule keeps
//! it and says so in its doc. `tests/integration/policy_parity.rs` runs real checkov and these
//! rules over `fixtures/policy/` and the repo and fails on any difference in the failed or
//! skipped `(check id, resource)` pairs.
//!
//! The API is pure: [`evaluate`] takes files already read ([`Source`]) and returns every
//! [`Outcome`]; [`scan`] reads a folder the way `checkov -d` does and calls it. A resource is
//! named as checkov names it: `Kind.namespace.name` (`default` when the namespace is missing),
//! and a Pod template inside a workload `Pod.namespace.<workload>.<label>-<value>…`.
//!
//! Layout: one file per family of rules, each with a table of [`Rule`]s: `containers.rs`
//! (container and pod-spec rules), `control_plane.rs` (flags of static-pod commands), `psp.rs`,
//! `rbac.rs`, `networking.rs` (Ingress, Service), `graph.rs` (the `CKV2_K8S_*` rules, which look
//! across objects) and `cis.rs` (the `BLAST_CIS_*` rules); `live.rs` runs them over live objects
//! (drift: a live object failing a rule its manifest passes).

mod cis;
mod containers;
mod control_plane;
mod graph;
pub mod live;
mod networking;
mod psp;
mod rbac;
pub mod value;

use std::path::Path;

use serde::Serialize;

use crate::repo::yaml::{self, Pos};
use value::V;

/// A rule's verdict on one object; `Unknown` is not reported (checkov drops it too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum R {
    Pass,
    Fail,
    Unknown,
}

impl R {
    pub fn fail_if(cond: bool) -> R {
        if cond { R::Fail } else { R::Pass }
    }
}

/// How a rule looks at an object.
pub enum Eval {
    /// The whole object.
    Object(fn(&V) -> R),
    /// Each container of the pod spec (checkov's `BaseK8sContainerCheck`): `f(pod metadata,
    /// container)`; the first failure fails the object. `init` says whether init containers
    /// count too.
    Containers { init: bool, f: fn(&V, &V) -> R },
}

/// One rule: checkov's ID and title, the kinds it applies to, and its test.
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub kinds: &'static [&'static str],
    pub eval: Eval,
}

/// Kinds of checkov's container rules (`BaseK8sContainerCheck.SUPPORTED_ENTITIES`).
pub const CONTAINER_KINDS: &[&str] = &[
    "CronJob",
    "Pod",
    "PodTemplate",
    "Deployment",
    "DeploymentConfig",
    "DaemonSet",
    "Job",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
];

/// Kinds of checkov's pod-spec rules (host namespaces, volumes, service account tokens).
pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "DaemonSet",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

/// Every per-object rule, in ID order within each family.
pub fn rules() -> Vec<&'static Rule> {
    containers::RULES
        .iter()
        .chain(control_plane::RULES)
        .chain(psp::RULES)
        .chain(rbac::RULES)
        .chain(networking::RULES)
        .chain(cis::RULES)
        .collect()
}

/// IDs and titles of every rule, the graph rules included.
pub fn catalogue() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<_> = rules().iter().map(|r| (r.id, r.name)).collect();
    out.extend(graph::RULES.iter().map(|r| (r.id, r.name)));
    out
}

/// One file as read: its path relative to the scanned root and its documents.
pub struct Source {
    pub path: String,
    pub docs: Vec<yaml::Document>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
}

/// One rule's result on one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub rule: &'static str,
    /// checkov's resource string (`Deployment.shop.web`).
    pub resource: String,
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub status: Status,
    /// The rule's title (what it wants).
    pub message: String,
    /// Why it was skipped (the annotation's comment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Skips from the configuration (`.checkov.yaml` `skip-check`): check IDs (with `*` patterns),
/// or namespaces (entries without `_`), whose objects are not checked by the per-object rules.
/// Checks skipped this way are not reported at all, as in checkov.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub skip: Vec<String>,
}

impl Config {
    /// Reads `skip-check` from `.checkov.yaml` / `.checkov.yml` in each folder, first found
    /// first (checkov reads the one of `-d`, else the working directory's); entries add up.
    pub fn load(dirs: &[&Path]) -> Config {
        let mut skip = Vec::new();
        for dir in dirs {
            for name in [".checkov.yaml", ".checkov.yml"] {
                let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
                    continue;
                };
                let parsed = yaml::parse(&text);
                for doc in &parsed.docs {
                    let Some(root) = &doc.root else { continue };
                    match root.get("skip-check").map(V::from_node) {
                        Some(V::List(l)) => skip.extend(l.iter().map(V::py_str)),
                        Some(V::Str(s)) => skip.extend(s.split(',').map(|s| s.trim().to_string())),
                        _ => {}
                    }
                }
                break;
            }
            if !skip.is_empty() {
                break;
            }
        }
        Config { skip }
    }

    fn skips_rule(&self, id: &str) -> bool {
        self.skip.iter().any(|p| p.contains('_') && glob(p, id))
    }

    fn skips_namespace(&self, ns: &str) -> bool {
        self.skip.iter().any(|p| !p.contains('_') && p == ns)
    }
}

/// fnmatch with `*` and `?` (what checkov's skip-check patterns use).
fn glob(pattern: &str, s: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &s[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = s.chars().collect();
    go(&p, &s)
}

/// Counts of a run, as `blast check --format json` prints them under `policy`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

pub fn counts(outcomes: &[Outcome]) -> Counts {
    let mut c = Counts::default();
    for o in outcomes {
        match o.status {
            Status::Passed => c.passed += 1,
            Status::Failed => c.failed += 1,
            Status::Skipped => c.skipped += 1,
        }
    }
    c
}

/// One object as checkov scans it: a document, or an item of a `kind: List`.
pub struct Object<'a> {
    pub path: &'a str,
    pub pos: Pos,
    pub v: V,
}

impl Object<'_> {
    pub fn kind(&self) -> &str {
        self.v.at("kind").as_str().unwrap_or("")
    }
}

/// checkov's `get_resource_id`: `Kind.namespace.name`, or built from the labels when the object
/// has no name; `None` when it has neither (checkov does not report such objects).
pub fn resource_id(v: &V) -> Option<String> {
    let kind = v.get("kind").map(V::py_str).unwrap_or_else(|| "Pod".into());
    let meta = v.at("metadata");
    let ns = meta
        .get("namespace")
        .map(V::py_str)
        .unwrap_or_else(|| "default".into());
    if let Some(name) = meta.get("name").filter(|n| n.truthy()) {
        return Some(format!("{kind}.{ns}.{}", name.py_str()));
    }
    let labels = meta.at("labels");
    if !labels.truthy() {
        return None;
    }
    let parts: Vec<String> = labels
        .entries()
        .iter()
        .map(|(k, v)| format!("{k}-{}", v.py_str()))
        .collect();
    let labels = if parts.is_empty() {
        "default".to_string()
    } else {
        parts.join(".")
    };
    Some(match v.get(graph::PARENT) {
        Some(parent) if parent.truthy() => format!("{kind}.{ns}.{}.{labels}", parent.py_str()),
        _ => format!("{kind}.{ns}.{labels}"),
    })
}

/// checkov's skip annotations: any annotation whose key contains `checkov.io/skip` (or
/// `bridgecrew.io/skip`, `cortex.io/skip`), valued `CKV_K8S_20=reason` or just `CKV_K8S_20`.
/// One ID per annotation (a list like `CKV_K8S_20,CKV_K8S_21` names no check, as in checkov);
/// a value with two `=` is refused by checkov's parser and skips nothing here.
pub fn skips(v: &V) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (key, value) in v.at("metadata").at("annotations").entries() {
        if !["checkov.io/skip", "bridgecrew.io/skip", "cortex.io/skip"]
            .iter()
            .any(|p| key.contains(p))
        {
            continue;
        }
        let Some(value) = value.as_str() else {
            continue;
        };
        let parts: Vec<&str> = value.split('=').collect();
        match parts.as_slice() {
            [id] => out.push((id.to_string(), "No comment provided".to_string())),
            [id, reason] => out.push((id.to_string(), reason.to_string())),
            _ => {}
        }
    }
    out
}

/// Reads the files under `root` that `checkov -d root --framework kubernetes` reads (for a
/// Blast repo root: under clusters/, infrastructure/ and apps/), then [`evaluate`]s them.
pub fn scan(root: &Path, config: &Config) -> std::io::Result<Vec<Outcome>> {
    scan_all(root, config).map(|s| s.outcomes)
}

/// A file the rules would have checked (`.yaml`, `.yml` or `.json` holding `apiVersion` and
/// `kind`, not a Helm template) but could not read: a syntax error, over the size cap, an I/O
/// error. checkov skips such a file silently, and so do the outcomes; this says it was not
/// checked, so that a broken manifest never looks clean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unread {
    /// Relative to the scanned root, as [`Outcome::path`].
    pub path: String,
    /// Where the parser stopped, when it says.
    pub line: Option<usize>,
    /// The parser's message (its position and what it expected), the size cap or the I/O
    /// error: one line, at most [`MAX_REASON`] characters, never a slice of the file.
    pub reason: String,
}

impl Unread {
    /// `path:line` (`path` when there is no line).
    pub fn source(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}", self.path),
            None => self.path.clone(),
        }
    }
}

/// The longest [`Unread::reason`], in characters.
pub const MAX_REASON: usize = 200;

/// What a scan gives: every outcome, and the files that could not be checked.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub outcomes: Vec<Outcome>,
    pub unread: Vec<Unread>,
}

/// [`scan`], with the files it could not read ([`Unread`]); the outcomes are the same.
///
/// File by file: each file's per-object rules run as soon as it is read and its tree is
/// dropped, keeping only the documents the graph rules read (Pods, workloads, NetworkPolicies,
/// bindings) for the end. All of a repo's trees at once took 776 MB for 200,000 ConfigMaps.
pub fn scan_all(root: &Path, config: &Config) -> std::io::Result<Scan> {
    let files = crate::repo::index::walk(root)?;
    let mut out = Vec::new();
    let mut unread = Vec::new();
    let mut for_graph = Vec::new();
    for (abs, rel) in &files {
        let mut src = match read(abs, rel) {
            Ok(Some(src)) => src,
            Ok(None) => continue,
            Err(u) => {
                unread.push(u);
                continue;
            }
        };
        // Document by document: one document's Python view at a time.
        for doc in &src.docs {
            let mut one = Vec::new();
            if let Some(list) = doc_objects(&src.path, doc, &mut one) {
                one.extend(list);
            }
            out.extend(per_object(&one, config));
        }
        for doc in &mut src.docs {
            if doc.root.as_ref().is_some_and(|r| !kind_in(r, graph::reads)) {
                doc.root = None;
            }
        }
        if src.docs.iter().any(|d| d.root.is_some()) {
            for_graph.push(src);
        }
    }
    out.extend(graph::evaluate(&objects(&for_graph), config));
    sort(&mut out);
    Ok(Scan {
        outcomes: out,
        unread,
    })
}

/// Reads one file as checkov's Kubernetes parser does: `.yaml`, `.yml` or `.json`, holding the
/// words `apiVersion` and `kind`, not a Helm template (`{{ .Values.` / `{{ .Release.`), and
/// parsing without error (checkov drops a file with a syntax error whole). `Ok(None)`: not a
/// file the rules read; `Err`: one they would have read but cannot ([`Unread`]).
pub fn read(abs: &Path, rel: &str) -> Result<Option<Source>, Unread> {
    let Some(ext) = abs.extension().and_then(|e| e.to_str()) else {
        return Ok(None);
    };
    if !matches!(ext, "yaml" | "yml" | "json") {
        return Ok(None);
    }
    let unread = |line: Option<usize>, reason: &str| Unread {
        path: rel.to_string(),
        line,
        reason: cap_reason(reason),
    };
    let meta = std::fs::metadata(abs).map_err(|e| unread(None, &e.to_string()))?;
    if meta.len() > yaml::max_file_bytes() {
        return match looks_like_manifest_streamed(abs) {
            Ok(false) => Ok(None),
            Ok(true) => Err(unread(None, &yaml::too_large(meta.len()).message)),
            Err(e) => Err(unread(None, &e.to_string())),
        };
    }
    let bytes = std::fs::read(abs).map_err(|e| unread(None, &e.to_string()))?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            // Not read (checkov reads UTF-8); said so when it is a manifest all the same.
            let (text, bad) = crate::repo::index::decode(e.into_bytes());
            if !looks_like_manifest(&text) {
                return Ok(None);
            }
            return Err(match bad {
                Some(b) => unread(Some(b.pos.line.max(1)), &b.message),
                None => unread(None, "not UTF-8 text (UTF-16): the policy rules read UTF-8"),
            });
        }
    };
    match load(rel, &text) {
        // A chart's template is not YAML until rendered: skipped on purpose, as the browser
        // says.
        Err(_) if crate::repo::index::is_helm_template(abs, &text) => Ok(None),
        other => other,
    }
}

/// A file's words as checkov's parser looks for them: `apiVersion` and `kind`, no Helm
/// `{{ .Values.` / `{{ .Release.`.
fn looks_like_manifest(text: &str) -> bool {
    text.contains("apiVersion") && text.contains("kind") && !HELM.is_match(text)
}

static HELM: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\{\{-?\s*\.(Release|Values)\.").expect("a valid pattern")
});

/// [`looks_like_manifest`] of a file over the size cap, read a MiB at a time (never whole).
fn looks_like_manifest_streamed(abs: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    const CHUNK: usize = 1 << 20;
    // Enough of the previous chunk to find a word cut at the boundary.
    const KEEP: usize = 256;
    let mut file = std::fs::File::open(abs)?;
    let mut buf = vec![0u8; CHUNK];
    let mut carry: Vec<u8> = Vec::new();
    let (mut api, mut kind) = (false, false);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(api && kind);
        }
        carry.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&carry);
        if HELM.is_match(&text) {
            return Ok(false);
        }
        api |= text.contains("apiVersion");
        kind |= text.contains("kind");
        let keep = carry.len().min(KEEP);
        carry.drain(..carry.len() - keep);
    }
}

/// The reason of an [`Unread`]: one line, at most [`MAX_REASON`] characters (`…` when cut).
pub(crate) fn cap_reason(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= MAX_REASON {
        return one;
    }
    let mut cut: String = one.chars().take(MAX_REASON - 1).collect();
    cut.push('…');
    cut
}

/// [`read`] of a text already in memory (`None` for a file the rules do not read, or cannot).
pub fn source(rel: &str, text: &str) -> Option<Source> {
    load(rel, text).ok().flatten()
}

/// [`read`] of a text: `Err` for a manifest that does not parse (with the parser's line).
fn load(rel: &str, text: &str) -> Result<Option<Source>, Unread> {
    if !looks_like_manifest(text) {
        return Ok(None);
    }
    let mut parsed = yaml::parse(text);
    if let Some(e) = parsed.error {
        return Err(Unread {
            path: rel.to_string(),
            line: Some(e.pos.line.max(1)),
            reason: cap_reason(&e.message),
        });
    }
    // Documents of a kind no rule reads (ConfigMaps, CRDs, Argo CD Applications…) are dropped
    // here, file by file: a repo of 200,000 ConfigMaps kept their trees and their Python views
    // all at once (776 MB for 20 MB of YAML, the console's indexer included).
    for doc in &mut parsed.docs {
        if doc
            .root
            .as_ref()
            .is_some_and(|r| !kind_in(r, read_by_a_rule))
        {
            doc.root = None;
        }
    }
    Ok(Some(Source {
        path: rel.to_string(),
        docs: parsed.docs,
    }))
}

/// Whether a kind is one a rule or the graph reads.
fn read_by_a_rule(kind: &str) -> bool {
    static KINDS: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
        std::sync::LazyLock::new(|| {
            rules()
                .iter()
                .flat_map(|r| r.kinds.iter().copied())
                .collect()
        });
    KINDS.contains(kind) || graph::reads(kind)
}

/// Whether a document's `kind` passes `wanted`; a `List`, or a kind that is not a plain name
/// (missing, quoted oddly, a YAML null or boolean word), always passes: those are judged as
/// checkov judges them, later.
fn kind_in(root: &yaml::Node, wanted: impl Fn(&str) -> bool) -> bool {
    let Some(kind) = root.get("kind").and_then(yaml::Node::as_str) else {
        return true;
    };
    let plain_name = kind.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && kind.chars().all(|c| c.is_ascii_alphanumeric())
        && !matches!(
            kind,
            "Null"
                | "NULL"
                | "True"
                | "TRUE"
                | "False"
                | "FALSE"
                | "Yes"
                | "YES"
                | "No"
                | "NO"
                | "On"
                | "ON"
                | "Off"
                | "OFF"
                | "Y"
                | "N"
                | "List"
        );
    !plain_name || wanted(kind)
}

/// checkov's `K8sValidator`: a mapping with `apiVersion` and `kind`, in which every `name`
/// holding a scalar is a string of at most 253 characters without `#`, `{` or `}`.
fn valid_template(v: &V) -> bool {
    if !(v.is_map() && v.has("apiVersion") && v.has("kind")) {
        return false;
    }
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        for (k, val) in v.entries() {
            match val {
                V::Map(_) => stack.push(val),
                V::List(items) => stack.extend(items.iter().filter(|i| i.is_map())),
                _ if k == "name" => match val.as_str() {
                    Some(s) if s.chars().count() <= 253 && !s.contains(['#', '{', '}']) => {}
                    _ => return false,
                },
                _ => {}
            }
        }
    }
    true
}

/// The objects of the files, as checkov spreads them: valid documents, with the items of each
/// `kind: List` in place of the list.
pub fn objects(sources: &[Source]) -> Vec<Object<'_>> {
    let mut out = Vec::new();
    for src in sources {
        let mut lists = Vec::new();
        for doc in &src.docs {
            if let Some(list) = doc_objects(&src.path, doc, &mut out) {
                lists.push(list);
            }
        }
        // checkov puts a file's List items after its other objects.
        for list in lists {
            out.extend(list);
        }
    }
    out
}

/// The object of one document pushed to `out`; a `kind: List`'s items are returned instead
/// (checkov puts them after the file's other objects).
fn doc_objects<'a>(
    path: &'a str,
    doc: &'a yaml::Document,
    out: &mut Vec<Object<'a>>,
) -> Option<Vec<Object<'a>>> {
    let root = doc.root.as_ref()?;
    let v = V::from_node(root);
    if !valid_template(&v) {
        return None;
    }
    if v.at("kind").as_str() != Some("List") {
        out.push(Object {
            path,
            pos: root.pos,
            v,
        });
        return None;
    }
    let nodes: Vec<Pos> = match root.get("items").map(|n| &n.value) {
        Some(yaml::Value::Seq(items)) => items.iter().map(|n| n.pos).collect(),
        _ => Vec::new(),
    };
    let items = v.at("items").items();
    Some(
        items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.truthy())
            .map(|(i, item)| Object {
                path,
                pos: nodes.get(i).copied().unwrap_or(root.pos),
                v: item.clone(),
            })
            .collect(),
    )
}

/// Every rule over every object of the files: passed, failed and skipped outcomes (checkov's
/// "unknown" results are left out, as checkov leaves them out).
pub fn evaluate(sources: &[Source], config: &Config) -> Vec<Outcome> {
    let objects = objects(sources);
    let mut out = per_object(&objects, config);
    out.extend(graph::evaluate(&objects, config));
    sort(&mut out);
    out
}

/// The per-object rules (every rule but the graph's) over `objects`.
fn per_object(objects: &[Object<'_>], config: &Config) -> Vec<Outcome> {
    let rules = rules();
    let mut out = Vec::new();
    for obj in objects {
        let kind = obj.kind();
        if kind == "Kustomization" {
            continue;
        }
        let Some(resource) = resource_id(&obj.v) else {
            continue;
        };
        let ns = obj.v.at("metadata").get("namespace");
        let ns_skipped = match ns {
            Some(ns) => config.skips_namespace(&ns.py_str()),
            None => config.skips_namespace("default"),
        };
        let skips = skips(&obj.v);
        for rule in rules.iter().filter(|r| r.kinds.contains(&kind)) {
            if ns_skipped || config.skips_rule(rule.id) {
                continue;
            }
            let skip = skips.iter().find(|(id, _)| id == rule.id);
            let (status, reason) = match skip {
                Some((_, reason)) => (Status::Skipped, Some(reason.clone())),
                None => match run(rule, &obj.v, kind) {
                    R::Pass => (Status::Passed, None),
                    R::Fail => (Status::Failed, None),
                    R::Unknown => continue,
                },
            };
            out.push(Outcome {
                rule: rule.id,
                resource: resource.clone(),
                path: obj.path.to_string(),
                line: obj.pos.line.max(1),
                col: obj.pos.col.max(1),
                status,
                message: rule.name.to_string(),
                reason,
            });
        }
    }
    out
}

/// Outcomes in file, line, column, rule and resource order.
fn sort(out: &mut [Outcome]) {
    out.sort_by(|a, b| {
        (&a.path, a.line, a.col, a.rule, &a.resource).cmp(&(
            &b.path,
            b.line,
            b.col,
            b.rule,
            &b.resource,
        ))
    });
}

/// Every failed rule of a repo (`.checkov.yaml` at its root honoured), for the browser's marks.
pub fn failed_in_all(root: &Path) -> Vec<Outcome> {
    let config = Config::load(&[root]);
    scan(root, &config)
        .map(|all| {
            all.into_iter()
                .filter(|o| o.status == Status::Failed)
                .collect()
        })
        .unwrap_or_default()
}

/// The failed rules in some files of a repo (paths relative to `root`), for the commit gate.
/// The whole repo is read, so rules that look across files (NetworkPolicies) see everything;
/// `.checkov.yaml` at the root is honoured.
pub fn failed_in(root: &Path, paths: &[String]) -> Vec<Outcome> {
    let config = Config::load(&[root]);
    match scan(root, &config) {
        Ok(all) => all
            .into_iter()
            .filter(|o| o.status == Status::Failed && paths.contains(&o.path))
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn run(rule: &Rule, v: &V, kind: &str) -> R {
    match rule.eval {
        Eval::Object(f) => f(v),
        Eval::Containers { init, f } => containers::scan(v, kind, init, f),
    }
}

#[cfg(test)]
mod tests;
