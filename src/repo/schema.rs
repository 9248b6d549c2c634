//! Schema validation for `blast check --schemas DIR`: what kubeconform does with a CRD catalog.
//!
//! Custom resources are checked against the `openAPIV3Schema` of the CustomResourceDefinitions
//! found in DIR, walking our positioned YAML tree so every violation points at its line. Core
//! kinds are checked by deserializing into the k8s-openapi types (strictly: unknown fields are
//! reported through `serde_ignored`, type errors with their path through `serde_path_to_error`).
//! `metadata` of every object is checked against `ObjectMeta` the same way.
//!
//! Cluster API's Kubernetes version fields are held to semver as Cluster API parses them
//! (`kubernetes_versions`, run by every `blast check`). Not checked: CEL rules (`x-kubernetes-validations`), `format`, and
//! defaulting.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use color_eyre::eyre::{Result, WrapErr, eyre};
use serde_json::Value as Json;

use super::yaml::{Node, PathSeg, Pos, Value, path_string};

/// One schema problem in an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub pos: Pos,
    pub path: String,
    pub message: String,
    pub warning: bool,
}

/// One served version of a CRD.
#[derive(Debug, Clone)]
struct CrdVersion {
    schema: Option<Json>,
    deprecated: Option<String>,
}

#[derive(Debug, Clone)]
struct Crd {
    versions: BTreeMap<String, CrdVersion>,
}

/// The outcome of looking an object up in the catalog.
pub enum Verdict {
    /// Checked; here are the problems (possibly none).
    Checked(Vec<Violation>),
    /// No schema known for this apiVersion/kind.
    Unvalidated,
}

/// The CRD catalog loaded from a directory, keyed by (group, kind).
#[derive(Debug, Default)]
pub struct SchemaSet {
    crds: HashMap<(String, String), Crd>,
}

impl SchemaSet {
    /// Loads every CustomResourceDefinition in the YAML files under `dir` (recursively).
    pub fn load(dir: &Path) -> Result<SchemaSet> {
        if !dir.is_dir() {
            return Err(eyre!("schema directory {} does not exist", dir.display()));
        }
        let mut set = SchemaSet::default();
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry?;
            if !entry.file_type().is_file() || !super::index::is_yaml(entry.path()) {
                continue;
            }
            let size = entry.metadata()?.len();
            if size > super::yaml::max_file_bytes() {
                return Err(eyre!(
                    "{}: {}",
                    entry.path().display(),
                    super::yaml::too_large(size).message
                ));
            }
            let text = std::fs::read_to_string(entry.path())
                .wrap_err_with(|| format!("reading {}", entry.path().display()))?;
            super::yaml::guard(&text).map_err(|e| {
                eyre!(
                    "{}:{}:{}: {}",
                    entry.path().display(),
                    e.pos.line,
                    e.pos.col,
                    e.message
                )
            })?;
            let docs: Vec<Json> = super::yaml_serde::documents(&text)
                .wrap_err_with(|| format!("parsing {}", entry.path().display()))?;
            for value in &docs {
                set.add_crd(value);
            }
        }
        Ok(set)
    }

    fn add_crd(&mut self, doc: &Json) {
        if doc["kind"] != "CustomResourceDefinition" {
            return;
        }
        let spec = &doc["spec"];
        let (Some(group), Some(kind)) = (spec["group"].as_str(), spec["names"]["kind"].as_str())
        else {
            return;
        };
        let mut versions = BTreeMap::new();
        for v in spec["versions"].as_array().into_iter().flatten() {
            let Some(name) = v["name"].as_str() else {
                continue;
            };
            if v["served"] == Json::Bool(false) {
                continue;
            }
            let deprecated = (v["deprecated"] == Json::Bool(true)).then(|| {
                v["deprecationWarning"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{group}/{name} {kind} is deprecated"))
            });
            let schema = v["schema"]["openAPIV3Schema"].clone();
            versions.insert(
                name.to_string(),
                CrdVersion {
                    schema: (!schema.is_null()).then_some(schema),
                    deprecated,
                },
            );
        }
        self.crds
            .insert((group.to_string(), kind.to_string()), Crd { versions });
    }

    pub fn crd_count(&self) -> usize {
        self.crds.len()
    }

    /// Validates one object (the root node of a document).
    pub fn validate(&self, api_version: &str, kind: &str, root: &Node) -> Verdict {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        if let Some(check) = super::core_kinds::checker(api_version, kind) {
            return Verdict::Checked(typed_violations(root, check(root.to_json_k8s())));
        }
        let Some(crd) = self.crds.get(&(group.to_string(), kind.to_string())) else {
            return Verdict::Unvalidated;
        };
        let Some(v) = crd.versions.get(version) else {
            let served: Vec<_> = crd
                .versions
                .keys()
                .map(|v| format!("{group}/{v}"))
                .collect();
            let pos = root.get("apiVersion").map(|n| n.pos).unwrap_or(root.pos);
            return Verdict::Checked(vec![Violation {
                pos,
                path: "apiVersion".into(),
                message: format!(
                    "{kind} is not served at {api_version}; served: {}",
                    served.join(", ")
                ),
                warning: false,
            }]);
        };
        let mut out = Vec::new();
        if let Some(msg) = &v.deprecated {
            let pos = root.get("apiVersion").map(|n| n.pos).unwrap_or(root.pos);
            out.push(Violation {
                pos,
                path: "apiVersion".into(),
                message: msg.clone(),
                warning: true,
            });
        }
        if let Some(meta) = root.get("metadata") {
            let meta_path = [PathSeg::Key("metadata".into())];
            let problems = super::core_kinds::check_metadata(meta.to_json_k8s());
            out.extend(typed_violations(meta, problems).into_iter().map(|mut v| {
                v.path = if v.path.is_empty() {
                    "metadata".into()
                } else {
                    format!("metadata.{}", v.path)
                };
                if v.pos == meta.pos && v.path == "metadata" {
                    v.pos = root.key_pos(&meta_path);
                }
                v
            }));
        }
        if let Some(schema) = &v.schema {
            let mut validator = Validator::default();
            let mut path = Vec::new();
            validator.node(root, schema, &mut path, true, root.pos);
            out.extend(validator.out);
        }
        Verdict::Checked(out)
    }
}

/// Where Cluster API objects hold a Kubernetes version, by (group, kind).
const VERSION_FIELDS: &[(&str, &str, &[&str])] = &[
    (
        "cluster.x-k8s.io",
        "Cluster",
        &["spec", "topology", "version"],
    ),
    ("cluster.x-k8s.io", "Machine", &["spec", "version"]),
    (
        "cluster.x-k8s.io",
        "MachineDeployment",
        &["spec", "template", "spec", "version"],
    ),
    (
        "cluster.x-k8s.io",
        "MachineSet",
        &["spec", "template", "spec", "version"],
    ),
    (
        "cluster.x-k8s.io",
        "MachinePool",
        &["spec", "template", "spec", "version"],
    ),
    (
        "controlplane.cluster.x-k8s.io",
        "TalosControlPlane",
        &["spec", "version"],
    ),
    (
        "controlplane.cluster.x-k8s.io",
        "KubeadmControlPlane",
        &["spec", "version"],
    ),
];

/// The Kubernetes versions of a Cluster API object, held to what Cluster API parses them with
/// (blang/semver: `v` + semver 2.0). The CRDs alone do not: MachineDeployment's
/// `spec.template.spec.version` has only `minLength: 1`, and TalosControlPlane's pattern
/// `^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([-0-9a-zA-Z_\.+]*)?$` (the same as
/// Cluster API's `KubeSemver` webhook check) admits `v1.36.3+`, which the API server stores and
/// the controllers then fail to parse ("Build meta data is empty"). One validator with the
/// quick action: [`super::edit::kubernetes_version`].
pub fn kubernetes_versions(api_version: &str, kind: &str, root: &Node) -> Vec<Violation> {
    let group = api_version.split_once('/').map_or("", |(g, _)| g);
    let mut out = Vec::new();
    for (g, k, path) in VERSION_FIELDS {
        if *g != group || *k != kind {
            continue;
        }
        let mut node = Some(root);
        for key in *path {
            node = node.and_then(|n| n.get(key));
        }
        let Some(node) = node.filter(|n| !n.is_null()) else {
            continue;
        };
        // A non-string is the schema's to report (expected string).
        let Json::String(text) = node.to_json_k8s() else {
            continue;
        };
        if let Err(why) = super::edit::kubernetes_version(&text) {
            out.push(Violation {
                pos: node.pos,
                path: path.join("."),
                message: format!(
                    "{why}; hint: Cluster API parses it as semver, so write a released version such as v1.36.3 (the console's version quick action steps it with +/-)"
                ),
                warning: false,
            });
        }
    }
    out
}

/// Problems reported by typed deserialization, as (path, message, unknown-field?).
pub type TypedProblem = (Vec<PathSeg>, String, bool);

fn typed_violations(root: &Node, problems: Vec<TypedProblem>) -> Vec<Violation> {
    problems
        .into_iter()
        .map(|(path, message, unknown)| {
            let node = root.locate(&path);
            Violation {
                pos: if unknown {
                    root.key_pos(&path)
                } else {
                    node.pos
                },
                path: path_string(&path),
                message: match yaml11_hint(node).filter(|_| !unknown) {
                    Some(hint) => format!("{message}{hint}"),
                    None => message,
                },
                warning: false,
            }
        })
        .collect()
}

/// A hint for a plain scalar that Kubernetes reads differently from YAML 1.2 (`on`, `no`,
/// `0644`; see [`super::yaml::scalar_to_json_k8s`]), for messages about its type.
fn yaml11_hint(node: &Node) -> Option<String> {
    let Value::Scalar(s) = &node.value else {
        return None;
    };
    let k8s = super::yaml::scalar_to_json_k8s(s);
    if s.quoted || k8s == super::yaml::scalar_to_json(s) {
        return None;
    }
    let read = match &k8s {
        Json::Bool(b) => format!("the boolean {b}"),
        Json::Number(n) => format!("the number {n}"),
        other => other.to_string(),
    };
    Some(format!(
        " (Kubernetes reads YAML 1.1, where {:?} is {read}; quote it if you mean the text: \"{}\")",
        s.text, s.text
    ))
}

#[derive(Default)]
struct Validator {
    out: Vec<Violation>,
    patterns: HashMap<String, Option<regex::Regex>>,
}

fn type_name(node: &Node) -> &'static str {
    match &node.value {
        Value::Map(_) => "object",
        Value::Seq(_) => "array",
        Value::Scalar(_) => match node.to_json_k8s() {
            Json::Null => "null",
            Json::Bool(_) => "boolean",
            Json::Number(n) if n.is_f64() => "number",
            Json::Number(_) => "integer",
            Json::String(_) => "string",
            _ => "value",
        },
    }
}

impl Validator {
    fn report(&mut self, pos: Pos, path: &[PathSeg], message: String) {
        self.out.push(Violation {
            pos,
            path: path_string(path),
            message,
            warning: false,
        });
    }

    /// Validates `node` against `schema`; `root` skips `metadata` (checked as ObjectMeta).
    /// `at` is where the key holding this node is written (missing fields are reported there).
    fn node(&mut self, node: &Node, schema: &Json, path: &mut Vec<PathSeg>, root: bool, at: Pos) {
        if node.is_null() {
            // The API server treats an explicit null like an absent optional field.
            return;
        }
        let before = self.out.len();
        self.type_and_value(node, schema, path);
        if self.out.len() > before {
            return;
        }
        for key in ["allOf"] {
            for sub in schema[key].as_array().into_iter().flatten() {
                self.node(node, sub, path, false, at);
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(alts) = schema[key].as_array() {
                let any_ok = alts.iter().any(|alt| {
                    let mut v = Validator::default();
                    v.node(node, alt, path, false, at);
                    v.out.is_empty()
                });
                if !any_ok {
                    self.report(
                        node.pos,
                        path,
                        format!("value matches none of the forms allowed by {key}"),
                    );
                }
            }
        }
        match &node.value {
            Value::Map(entries) => self.object(entries, schema, path, root, at),
            Value::Seq(items) => {
                let n = items.len() as u64;
                if let Some(min) = schema["minItems"].as_u64().filter(|m| n < *m) {
                    self.report(
                        node.pos,
                        path,
                        format!("has {n} items, fewer than the minimum {min}"),
                    );
                }
                if let Some(max) = schema["maxItems"].as_u64().filter(|m| n > *m) {
                    self.report(
                        node.pos,
                        path,
                        format!("has {n} items, more than the maximum {max}"),
                    );
                }
                if schema["items"].is_object() {
                    for (i, item) in items.iter().enumerate() {
                        path.push(PathSeg::Index(i));
                        self.node(item, &schema["items"], path, false, item.pos);
                        path.pop();
                    }
                }
            }
            Value::Scalar(_) => {}
        }
    }

    fn type_and_value(&mut self, node: &Node, schema: &Json, path: &[PathSeg]) {
        let actual = type_name(node);
        if schema["x-kubernetes-int-or-string"] == Json::Bool(true) {
            if !matches!(actual, "integer" | "string") {
                self.report(
                    node.pos,
                    path,
                    format!("expected an integer or a string, found {actual}"),
                );
            }
            return;
        }
        if let Some(expected) = schema["type"].as_str() {
            let ok = match expected {
                "number" => matches!(actual, "number" | "integer"),
                other => other == actual,
            };
            if !ok {
                let shown = match &node.value {
                    Value::Scalar(s) => format!("{actual} {:?}", s.text),
                    _ => actual.to_string(),
                };
                let hint = yaml11_hint(node).unwrap_or_default();
                self.report(
                    node.pos,
                    path,
                    format!("expected {expected}, found {shown}{hint}"),
                );
                return;
            }
        }
        let Value::Scalar(_) = &node.value else {
            return;
        };
        let json = node.to_json_k8s();
        if let Some(allowed) = schema["enum"].as_array()
            && !allowed.contains(&json)
        {
            let list: Vec<String> = allowed.iter().map(|v| v.to_string()).collect();
            self.report(
                node.pos,
                path,
                format!("{json} is not one of {}", list.join(", ")),
            );
        }
        if let Json::String(s) = &json {
            let len = s.chars().count() as u64;
            if let Some(min) = schema["minLength"].as_u64().filter(|m| len < *m) {
                self.report(
                    node.pos,
                    path,
                    format!("is shorter than the minimum length {min}"),
                );
            }
            if let Some(max) = schema["maxLength"].as_u64().filter(|m| len > *m) {
                self.report(
                    node.pos,
                    path,
                    format!("is longer than the maximum length {max}"),
                );
            }
            if let Some(pattern) = schema["pattern"].as_str() {
                let re = self
                    .patterns
                    .entry(pattern.to_string())
                    .or_insert_with(|| regex::Regex::new(pattern).ok())
                    .clone();
                if let Some(re) = re
                    && !re.is_match(s)
                {
                    self.report(
                        node.pos,
                        path,
                        format!("{s:?} does not match the pattern {pattern}"),
                    );
                }
            }
        }
        if let Some(n) = json.as_f64() {
            if let Some(min) = schema["minimum"].as_f64().filter(|m| n < *m) {
                self.report(
                    node.pos,
                    path,
                    format!("{n} is less than the minimum {min}"),
                );
            }
            if let Some(max) = schema["maximum"].as_f64().filter(|m| n > *m) {
                self.report(
                    node.pos,
                    path,
                    format!("{n} is greater than the maximum {max}"),
                );
            }
        }
    }

    fn object(
        &mut self,
        entries: &[super::yaml::Entry],
        schema: &Json,
        path: &mut Vec<PathSeg>,
        root: bool,
        at: Pos,
    ) {
        let props = schema["properties"].as_object();
        let additional = &schema["additionalProperties"];
        let preserve = schema["x-kubernetes-preserve-unknown-fields"] == Json::Bool(true);
        for required in schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str())
        {
            if !entries.iter().any(|e| e.key == required) {
                self.report(at, path, format!("missing required field \"{required}\""));
            }
        }
        for entry in entries {
            if root && entry.key == "metadata" {
                continue;
            }
            path.push(PathSeg::Key(entry.key.clone()));
            if let Some(sub) = props.and_then(|p| p.get(&entry.key)) {
                self.node(&entry.value, sub, path, false, entry.key_pos);
            } else if additional.is_object() {
                self.node(&entry.value, additional, path, false, entry.key_pos);
            } else if props.is_some() && !preserve && *additional != Json::Bool(true) {
                let known: Vec<&str> = props
                    .into_iter()
                    .flat_map(|p| p.keys())
                    .map(String::as_str)
                    .collect();
                let hint = closest(&entry.key, &known)
                    .map(|k| format!(" (did you mean \"{k}\"?)"))
                    .unwrap_or_default();
                self.out.push(Violation {
                    pos: entry.key_pos,
                    path: path_string(path),
                    message: format!("unknown field \"{}\"{hint}", entry.key),
                    warning: false,
                });
            }
            path.pop();
        }
    }
}

/// The known name nearest to a misspelt one, if it is close enough to be a likely typo.
fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.to_lowercase().chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.to_lowercase().chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                cur.push(
                    (prev[j] + usize::from(ca != *cb))
                        .min(prev[j + 1] + 1)
                        .min(cur[j] + 1),
                );
            }
            prev = cur;
        }
        prev[b.len()]
    }
    known
        .iter()
        .map(|k| (distance(name, k), *k))
        .filter(|(d, _)| *d <= 2.max(name.len() / 4))
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::yaml;

    fn set() -> SchemaSet {
        let crd = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: example.io
  names: {kind: Widget}
  versions:
  - name: v1alpha1
    served: true
    deprecated: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
  - name: v1
    served: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1}
              mode: {type: string, enum: [fast, slow]}
              port: {x-kubernetes-int-or-string: true}
              tags: {type: array, maxItems: 2, items: {type: string}}
              extra: {type: object, additionalProperties: {type: string}}
              free: {type: object, x-kubernetes-preserve-unknown-fields: true}
"#;
        let mut s = SchemaSet::default();
        let j: Json = crate::repo::yaml_serde::from_str(crd).unwrap();
        s.add_crd(&j);
        s
    }

    fn violations(src: &str) -> Vec<(usize, String)> {
        let f = yaml::parse(src);
        let root = f.docs[0].root.as_ref().unwrap();
        let av = root.get("apiVersion").unwrap().as_str().unwrap();
        let kind = root.get("kind").unwrap().as_str().unwrap();
        match set().validate(av, kind, root) {
            Verdict::Checked(v) => v
                .into_iter()
                .map(|v| (v.pos.line, format!("{}: {}", v.path, v.message)))
                .collect(),
            Verdict::Unvalidated => vec![(0, "unvalidated".into())],
        }
    }

    #[test]
    fn valid_object_has_no_violations() {
        let v = violations(
            "apiVersion: example.io/v1\nkind: Widget\nmetadata:\n  name: w\n  labels: {a: b}\nspec:\n  size: 3\n  mode: fast\n  port: http\n  tags: [a]\n  extra: {k: v}\n  free: {anything: [1, 2]}\n",
        );
        assert_eq!(v, vec![]);
    }

    #[test]
    fn reports_each_kind_of_violation_at_its_line() {
        let v = violations(
            "apiVersion: example.io/v1\nkind: Widget\nmetadata:\n  name: w\n  lables: {a: b}\nspec:\n  size: 0\n  mode: medium\n  port: 1.5\n  tags: [a, b, c]\n  extra: {k: 1}\n  colour: red\n",
        );
        assert_eq!(
            v,
            vec![
                (5, "metadata.lables: unknown field \"lables\"".to_string()),
                (7, "spec.size: 0 is less than the minimum 1".to_string()),
                (
                    8,
                    "spec.mode: \"medium\" is not one of \"fast\", \"slow\"".to_string()
                ),
                (
                    9,
                    "spec.port: expected an integer or a string, found number".to_string()
                ),
                (
                    10,
                    "spec.tags: has 3 items, more than the maximum 2".to_string()
                ),
                (
                    11,
                    "spec.extra.k: expected string, found integer \"1\"".to_string()
                ),
                (12, "spec.colour: unknown field \"colour\"".to_string()),
            ]
        );
    }

    #[test]
    fn missing_required_and_typos() {
        let v = violations(
            "apiVersion: example.io/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  sise: 2\n",
        );
        assert_eq!(
            v,
            vec![
                (4, "spec: missing required field \"size\"".to_string()),
                (
                    5,
                    "spec.sise: unknown field \"sise\" (did you mean \"size\"?)".to_string()
                ),
            ]
        );
    }

    #[test]
    fn unserved_and_deprecated_versions_and_unknown_kinds() {
        let v = violations("apiVersion: example.io/v2\nkind: Widget\nmetadata: {name: w}\n");
        assert_eq!(v, vec![(1, "apiVersion: Widget is not served at example.io/v2; served: example.io/v1, example.io/v1alpha1".to_string())]);
        let f = yaml::parse("apiVersion: example.io/v1alpha1\nkind: Widget\nmetadata: {name: w}\n");
        let Verdict::Checked(v) = set().validate(
            "example.io/v1alpha1",
            "Widget",
            f.docs[0].root.as_ref().unwrap(),
        ) else {
            panic!()
        };
        assert!(v[0].warning);
        let v = violations("apiVersion: other.io/v1\nkind: Gadget\nmetadata: {name: g}\n");
        assert_eq!(v, vec![(0, "unvalidated".to_string())]);
    }

    #[test]
    fn core_kinds_use_k8s_openapi() {
        let v = violations(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 3\n  selector: {matchLabels: {a: b}}\n  template:\n    spec:\n      containers:\n      - name: c\n        imagePullPolicy: Always\n        imgae: x\n",
        );
        assert_eq!(
            v,
            vec![(
                13,
                "spec.template.spec.containers[0].imgae: unknown field \"imgae\"".to_string()
            )]
        );
        let v = violations(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: \"3\"\n  selector: {matchLabels: {a: b}}\n  template: {}\n",
        );
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(
            v[0].0 == 6
                && v[0]
                    .1
                    .starts_with("spec.replicas: invalid type: string \"3\""),
            "{v:?}"
        );
        let v = violations(
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 80\n",
        );
        assert_eq!(v, vec![]);
    }
}
