//! Demo scenarios: timed changes to the demo world (`fixtures/demo/scenarios/*.yaml`).
//!
//! A scenario is a list of steps, each applied to one object of one virtual cluster after a
//! delay: `set` changes fields of an existing object (dotted paths, list items selected by
//! `[field=value]`), `create` adds (or replaces) a whole object, `delete` removes one. The format
//! is documented in `fixtures/demo/README.md`. This module parses scenarios (errors carry
//! file:line:column) and applies `set` paths to JSON objects; running the steps against the
//! emulator's store, and the clock, belong to the emulator.

use std::fmt;
use std::time::Duration;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The string that `set` values and `create` bodies use for "the time the step runs".
pub const NOW: &str = "$now";

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub description: String,
    /// Start again after the last step.
    pub loop_: bool,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Delay after the previous step (scenario time; the demo's speed factor divides it).
    pub after: Duration,
    /// The virtual cluster: `mgmt`, `edge-berlin`, `edge-lab` (a folder of the world).
    pub cluster: String,
    /// What happens, in words (for a toast or a log line).
    pub note: Option<String>,
    pub action: StepAction,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepAction {
    /// Set fields of an existing object, in order: (path, value). A `null` value removes.
    Set {
        target: Target,
        set: Vec<(String, Value)>,
    },
    /// Create the object, or replace it if it exists.
    Create(Value),
    Delete(Target),
}

/// Which object a step acts on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Target {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// For namespaced kinds.
    #[serde(default)]
    pub namespace: Option<String>,
}

impl Target {
    /// Same group (any version), kind, namespace and name as `obj`.
    pub fn matches(&self, obj: &Value) -> bool {
        let group = |av: &str| av.rsplit_once('/').map(|(g, _)| g.to_string());
        let obj_av = obj["apiVersion"].as_str().unwrap_or_default();
        group(&self.api_version) == group(obj_av)
            && obj["kind"].as_str() == Some(self.kind.as_str())
            && obj["metadata"]["name"].as_str() == Some(self.name.as_str())
            && obj["metadata"]["namespace"]
                .as_str()
                .filter(|n| !n.is_empty())
                == self.namespace.as_deref()
    }

    /// The target of an object (to delete or look up what a `create` made).
    pub fn of(obj: &Value) -> Target {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        Target {
            api_version: text(&obj["apiVersion"]),
            kind: text(&obj["kind"]),
            name: text(&obj["metadata"]["name"]),
            namespace: obj["metadata"]["namespace"]
                .as_str()
                .filter(|n| !n.is_empty())
                .map(str::to_string),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {} {ns}/{}", self.api_version, self.kind, self.name),
            None => write!(f, "{} {} {}", self.api_version, self.kind, self.name),
        }
    }
}

/// A scenario file that does not parse, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ScenarioError {}

/// Parses a scenario; `file` is only used in error messages.
pub fn parse_scenario(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    if let Err(e) = crate::repo::yaml::guard(text) {
        return Err(ScenarioError {
            file: file.to_string(),
            line: e.pos.line,
            column: e.pos.col,
            message: e.message,
        });
    }
    let raw: RawScenario = crate::repo::yaml_serde::from_str_with_path(text).map_err(|e| {
        let (line, column) = e.location.unwrap_or((1, 1));
        let message = e.message;
        ScenarioError {
            file: file.to_string(),
            line,
            column,
            message,
        }
    })?;
    Ok(Scenario {
        description: raw.description,
        loop_: raw.loop_,
        steps: raw.steps,
    })
}

// ---------------------------------------------------------------------------------------------
// Paths

/// One segment of a `set` path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    /// A map key: `status`, or `["metal.sidero.dev/uuid"]` for keys with dots.
    Key(String),
    /// A list index: `[0]`.
    Index(usize),
    /// The first list item whose `field` equals `value`: `[type=Ready]`.
    Select { field: String, value: String },
}

/// Parses `status.conditions[type=Ready].status`, `metadata.labels["a.b/c"]`, `spec.taints[0]`.
pub fn parse_path(path: &str) -> Result<Vec<PathSeg>, String> {
    let mut segs = Vec::new();
    let b = path.as_bytes();
    let mut i = 0;
    let bad = |msg: &str| Err(format!("path {path:?}: {msg}"));
    if path.is_empty() {
        return bad("empty");
    }
    loop {
        // a key (may be empty when the segment is only selectors)
        let start = i;
        while i < b.len() && !matches!(b[i], b'.' | b'[' | b']') {
            i += 1;
        }
        let had_key = i > start;
        if had_key {
            segs.push(PathSeg::Key(path[start..i].to_string()));
        }
        let mut had_selector = false;
        while i < b.len() && b[i] == b'[' {
            let close = match path[i..].find(']') {
                Some(c) => i + c,
                None => return bad("unclosed ["),
            };
            let inner = &path[i + 1..close];
            let seg = if let Some(q) = unquote(inner) {
                PathSeg::Key(q.to_string())
            } else if let Ok(n) = inner.parse::<usize>() {
                PathSeg::Index(n)
            } else if let Some((f, v)) = inner.split_once('=') {
                if f.trim().is_empty() {
                    return bad("selector without a field");
                }
                PathSeg::Select {
                    field: f.trim().to_string(),
                    value: unquote(v.trim()).unwrap_or(v.trim()).to_string(),
                }
            } else {
                return bad(&format!(
                    "[{inner}] is not an index, a field=value selector or a quoted key"
                ));
            };
            segs.push(seg);
            had_selector = true;
            i = close + 1;
        }
        if !had_key && !had_selector {
            return bad("empty segment");
        }
        if i == b.len() {
            break;
        }
        if b[i] != b'.' {
            return bad(&format!("unexpected {:?}", b[i] as char));
        }
        i += 1;
        if i == b.len() {
            return bad("ends with '.'");
        }
    }
    Ok(segs)
}

fn unquote(s: &str) -> Option<&str> {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
}

/// Replaces every string `"$now"` in `v` by `now`.
pub fn substitute_now(v: &mut Value, now: &str) {
    match v {
        Value::String(s) if s == NOW => *s = now.to_string(),
        Value::Array(items) => items.iter_mut().for_each(|i| substitute_now(i, now)),
        Value::Object(m) => m.values_mut().for_each(|i| substitute_now(i, now)),
        _ => {}
    }
}

/// Sets `path` in `obj` to `value` (`$now` replaced by `now_rfc3339`). Missing maps are
/// created, a `[field=value]` selector with no match appends `{field: value}`, and a `null`
/// value removes the key or list item.
pub fn apply_set(
    obj: &mut Value,
    path: &str,
    mut value: Value,
    now_rfc3339: &str,
) -> Result<(), String> {
    let segs = parse_path(path)?;
    substitute_now(&mut value, now_rfc3339);
    set_at(obj, &segs, value, path, 0)
}

/// Applies every `(path, value)` of a step in order.
pub fn apply_sets(
    obj: &mut Value,
    set: &[(String, Value)],
    now_rfc3339: &str,
) -> Result<(), String> {
    for (path, value) in set {
        apply_set(obj, path, value.clone(), now_rfc3339)?;
    }
    Ok(())
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

fn item_matches(item: &Value, field: &str, want: &str) -> bool {
    match item.get(field) {
        Some(Value::String(s)) => s == want,
        Some(Value::Number(n)) => match (n.as_i64(), want.parse::<i64>()) {
            (Some(a), Ok(b)) => a == b,
            _ => n.as_f64().is_some() && n.as_f64() == want.parse::<f64>().ok(),
        },
        Some(Value::Bool(b)) => want.parse::<bool>() == Ok(*b),
        _ => false,
    }
}

fn set_at(
    cur: &mut Value,
    segs: &[PathSeg],
    value: Value,
    path: &str,
    depth: usize,
) -> Result<(), String> {
    let (seg, rest) = segs.split_first().expect("paths are never empty");
    let here = || {
        let done = path_prefix(path, depth);
        if done.is_empty() {
            "the object".to_string()
        } else {
            done
        }
    };
    match seg {
        PathSeg::Key(k) => {
            if cur.is_null() {
                *cur = Value::Object(Default::default());
            }
            let Value::Object(map) = cur else {
                return Err(format!(
                    "{path}: {} is {}, not a map",
                    here(),
                    type_name(cur)
                ));
            };
            if rest.is_empty() {
                if value.is_null() {
                    map.remove(k);
                } else {
                    map.insert(k.clone(), value);
                }
                return Ok(());
            }
            let child = map.entry(k.clone()).or_insert(Value::Null);
            set_at(child, rest, value, path, depth + 1)
        }
        PathSeg::Index(i) => {
            let Value::Array(items) = cur else {
                return Err(format!(
                    "{path}: {} is {}, not a list",
                    here(),
                    type_name(cur)
                ));
            };
            let len = items.len();
            if rest.is_empty() {
                match (*i).cmp(&len) {
                    std::cmp::Ordering::Less if value.is_null() => {
                        items.remove(*i);
                    }
                    std::cmp::Ordering::Less => items[*i] = value,
                    std::cmp::Ordering::Equal if !value.is_null() => items.push(value),
                    std::cmp::Ordering::Equal => {}
                    std::cmp::Ordering::Greater => {
                        return Err(format!("{path}: index {i} is past the end ({len} items)"));
                    }
                }
                return Ok(());
            }
            match items.get_mut(*i) {
                Some(child) => set_at(child, rest, value, path, depth + 1),
                None => Err(format!("{path}: index {i} is past the end ({len} items)")),
            }
        }
        PathSeg::Select { field, value: want } => {
            if cur.is_null() {
                *cur = Value::Array(Vec::new());
            }
            let Value::Array(items) = cur else {
                return Err(format!(
                    "{path}: {} is {}, not a list",
                    here(),
                    type_name(cur)
                ));
            };
            let pos = items.iter().position(|it| item_matches(it, field, want));
            if rest.is_empty() {
                match (pos, value) {
                    (Some(p), Value::Null) => {
                        items.remove(p);
                    }
                    (None, Value::Null) => {}
                    (Some(p), mut v) => {
                        if let Value::Object(m) = &mut v {
                            m.entry(field.clone())
                                .or_insert_with(|| Value::String(want.clone()));
                        }
                        items[p] = v;
                    }
                    (None, mut v) => {
                        if let Value::Object(m) = &mut v {
                            m.entry(field.clone())
                                .or_insert_with(|| Value::String(want.clone()));
                        }
                        items.push(v);
                    }
                }
                return Ok(());
            }
            let p = match pos {
                Some(p) => p,
                None => {
                    let mut m = serde_json::Map::new();
                    m.insert(field.clone(), Value::String(want.clone()));
                    items.push(Value::Object(m));
                    items.len() - 1
                }
            };
            set_at(&mut items[p], rest, value, path, depth + 1)
        }
    }
}

/// The first `depth` segments of `path`, for messages (`status.conditions[type=Ready]`).
fn path_prefix(path: &str, depth: usize) -> String {
    let mut out = String::new();
    for seg in parse_path(path).unwrap_or_default().into_iter().take(depth) {
        match seg {
            PathSeg::Key(k) if k.contains(['.', '[', ']']) => out.push_str(&format!("[{k:?}]")),
            PathSeg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&k);
            }
            PathSeg::Index(i) => out.push_str(&format!("[{i}]")),
            PathSeg::Select { field, value } => out.push_str(&format!("[{field}={value}]")),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Raw YAML shapes

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    description: String,
    #[serde(default, rename = "loop")]
    loop_: bool,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    #[serde(deserialize_with = "duration")]
    after: Duration,
    cluster: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    set: Option<SetList>,
    #[serde(default)]
    create: Option<Value>,
    #[serde(default)]
    delete: Option<Target>,
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Step, D::Error> {
        let raw = RawStep::deserialize(d)?;
        let action = match (raw.target, raw.set, raw.create, raw.delete) {
            (Some(target), Some(set), None, None) => {
                if set.0.is_empty() {
                    return Err(de::Error::custom("`set` is empty"));
                }
                StepAction::Set { target, set: set.0 }
            }
            (None, None, Some(obj), None) => {
                let t = Target::of(&obj);
                if !obj.is_object()
                    || t.api_version.is_empty()
                    || t.kind.is_empty()
                    || t.name.is_empty()
                {
                    return Err(de::Error::custom(
                        "`create` needs a whole object with apiVersion, kind and metadata.name",
                    ));
                }
                StepAction::Create(obj)
            }
            (None, None, None, Some(target)) => StepAction::Delete(target),
            (Some(_), None, None, None) => {
                return Err(de::Error::custom("`target` without `set`"));
            }
            (None, Some(_), None, None) => {
                return Err(de::Error::custom("`set` needs a `target`"));
            }
            _ => {
                return Err(de::Error::custom(
                    "a step has exactly one of `target` + `set`, `create` or `delete`",
                ));
            }
        };
        if raw.cluster.is_empty() {
            return Err(de::Error::custom("`cluster` is empty"));
        }
        Ok(Step {
            after: raw.after,
            cluster: raw.cluster,
            note: raw.note,
            action,
        })
    }
}

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Duration;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a duration such as 500ms, 10s or 2m")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Duration, E> {
            crate::duration::parse(s).map_err(E::custom)
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Duration, E> {
            Ok(Duration::from_secs(n))
        }
        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Duration, E> {
            Duration::try_from_secs_f64(n).map_err(E::custom)
        }
    }
    d.deserialize_any(V)
}

/// The `set` map, in file order, with every path checked.
struct SetList(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for SetList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SetList, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SetList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of path: value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SetList, A::Error> {
                let mut out = Vec::new();
                while let Some(path) = map.next_key::<String>()? {
                    parse_path(&path).map_err(de::Error::custom)?;
                    let value: Value = map.next_value()?;
                    out.push((path, value));
                }
                Ok(SetList(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW_T: &str = "2026-09-21T12:00:00Z";

    /// `after` of a one-step scenario, parsed as a scenario file is.
    fn after(value: &str) -> Result<Duration, ScenarioError> {
        let text = format!(
            "description: d\nsteps:\n  - after: {value}\n    cluster: mgmt\n    delete: {{apiVersion: v1, kind: Namespace, name: x}}\n"
        );
        parse_scenario("s.yaml", &text).map(|s| s.steps[0].after)
    }

    /// `after` is read by the one duration parser of every flag (`crate::duration`, jiff's
    /// friendly format): spaced forms such as `5 s` and `2 mins` are durations too.
    #[test]
    fn durations() {
        let ok = [
            ("500ms", Duration::from_millis(500)),
            ("10s", Duration::from_secs(10)),
            ("2m", Duration::from_secs(120)),
            ("1h", Duration::from_secs(3600)),
            ("1m30s", Duration::from_secs(90)),
            ("1.5s", Duration::from_millis(1500)),
            ("0s", Duration::ZERO),
            ("5 s", Duration::from_secs(5)),
            ("2 mins", Duration::from_secs(120)),
            ("\"3\"", Duration::from_secs(3)),
            ("3", Duration::from_secs(3)),
            ("1.5", Duration::from_millis(1500)),
        ];
        for (text, want) in ok {
            assert_eq!(after(text), Ok(want), "{text}");
        }
        // the message names the file, the line and the bad value
        for (bad, value) in [
            ("s", "\"s\" is not a duration"),
            ("10x", "\"10x\" is not a duration"),
            ("ten seconds", "\"ten seconds\" is not a duration"),
            ("-5s", "\"-5s\" is not a duration"),
            ("\"\"", "\"\" is not a duration"),
            ("-1", "integer `-1`"),
        ] {
            let e = after(bad).unwrap_err();
            assert_eq!((e.file.as_str(), e.line), ("s.yaml", 3), "{bad}: {e}");
            assert!(e.message.contains(value), "{bad}: {e}");
        }
    }

    #[test]
    fn paths() {
        use PathSeg::*;
        assert_eq!(
            parse_path("status.conditions[type=Ready].status"),
            Ok(vec![
                Key("status".into()),
                Key("conditions".into()),
                Select {
                    field: "type".into(),
                    value: "Ready".into()
                },
                Key("status".into())
            ])
        );
        assert_eq!(
            parse_path(r#"metadata.labels["metal.sidero.dev/uuid"]"#),
            Ok(vec![
                Key("metadata".into()),
                Key("labels".into()),
                Key("metal.sidero.dev/uuid".into())
            ])
        );
        assert_eq!(
            parse_path("spec.taints[0].key"),
            Ok(vec![
                Key("spec".into()),
                Key("taints".into()),
                Index(0),
                Key("key".into())
            ])
        );
        assert_eq!(
            parse_path("a[name=\"x.y\"][1]"),
            Ok(vec![
                Key("a".into()),
                Select {
                    field: "name".into(),
                    value: "x.y".into()
                },
                Index(1)
            ])
        );
        for bad in [
            "", ".a", "a.", "a..b", "a[", "a[]", "a]b", "a[=x]", "a[x y]",
        ] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn set_creates_maps_and_selects_items() {
        let mut node = json!({
            "metadata": {"name": "berlin-w-2"},
            "status": {"conditions": [
                {"type": "MemoryPressure", "status": "False"},
                {"type": "Ready", "status": "True", "reason": "KubeletReady"}
            ]}
        });
        apply_set(
            &mut node,
            "status.conditions[type=Ready].status",
            json!("Unknown"),
            NOW_T,
        )
        .unwrap();
        apply_set(
            &mut node,
            "status.conditions[type=Ready].lastTransitionTime",
            json!("$now"),
            NOW_T,
        )
        .unwrap();
        assert_eq!(
            node["status"]["conditions"][1],
            json!({"type": "Ready", "status": "Unknown", "reason": "KubeletReady", "lastTransitionTime": NOW_T})
        );
        assert_eq!(node["status"]["conditions"][0]["status"], "False");
        // missing maps are created
        apply_set(&mut node, "spec.unschedulable", json!(true), NOW_T).unwrap();
        apply_set(
            &mut node,
            r#"metadata.labels["node.kubernetes.io/exclude"]"#,
            json!(""),
            NOW_T,
        )
        .unwrap();
        assert_eq!(node["spec"]["unschedulable"], true);
        assert_eq!(node["metadata"]["labels"]["node.kubernetes.io/exclude"], "");
        // a selector without a match appends an item
        apply_set(
            &mut node,
            "status.conditions[type=DiskPressure].status",
            json!("False"),
            NOW_T,
        )
        .unwrap();
        assert_eq!(
            node["status"]["conditions"][2],
            json!({"type": "DiskPressure", "status": "False"})
        );
        apply_set(
            &mut node,
            "spec.taints",
            json!([{"key": "k", "effect": "NoSchedule", "timeAdded": "$now"}]),
            NOW_T,
        )
        .unwrap();
        assert_eq!(node["spec"]["taints"][0]["timeAdded"], NOW_T);
        apply_set(
            &mut node,
            "spec.taints[0].effect",
            json!("NoExecute"),
            NOW_T,
        )
        .unwrap();
        apply_set(&mut node, "spec.taints[1]", json!({"key": "b"}), NOW_T).unwrap();
        assert_eq!(node["spec"]["taints"][1]["key"], "b");
        // null removes keys and items
        apply_set(&mut node, "spec.taints[key=k]", Value::Null, NOW_T).unwrap();
        assert_eq!(node["spec"]["taints"], json!([{"key": "b"}]));
        apply_set(&mut node, "spec.taints", Value::Null, NOW_T).unwrap();
        assert!(node["spec"].get("taints").is_none());
        apply_set(
            &mut node,
            "status.conditions[type=Nope]",
            Value::Null,
            NOW_T,
        )
        .unwrap();
        // a whole item replaced through its selector keeps the selected field
        apply_set(
            &mut node,
            "status.conditions[type=MemoryPressure]",
            json!({"status": "True"}),
            NOW_T,
        )
        .unwrap();
        assert_eq!(
            node["status"]["conditions"][0],
            json!({"type": "MemoryPressure", "status": "True"})
        );
        // numbers and booleans match selectors by their text
        let mut v = json!({"l": [{"n": 1, "x": 0}, {"n": 2, "x": 0}]});
        apply_set(&mut v, "l[n=2].x", json!(5), NOW_T).unwrap();
        assert_eq!(v["l"][1]["x"], 5);
    }

    #[test]
    fn set_errors() {
        let mut v = json!({"a": "text", "l": [1]});
        let e = apply_set(&mut v, "a.b", json!(1), NOW_T).unwrap_err();
        assert_eq!(e, "a.b: a is a string, not a map");
        let e = apply_set(&mut v, "l[5]", json!(1), NOW_T).unwrap_err();
        assert!(e.contains("past the end"), "{e}");
        let e = apply_set(&mut v, "a[0]", json!(1), NOW_T).unwrap_err();
        assert_eq!(e, "a[0]: a is a string, not a list");
        assert!(apply_set(&mut v, "a[", json!(1), NOW_T).is_err());
        let e = apply_sets(
            &mut v,
            &[("z".into(), json!(1)), ("a.b".into(), json!(1))],
            NOW_T,
        )
        .unwrap_err();
        assert!(e.starts_with("a.b:"));
        assert_eq!(v["z"], 1, "earlier sets stay applied");
    }

    #[test]
    fn scenario_format() {
        let s = parse_scenario(
            "x.yaml",
            r#"
description: A worker goes NotReady and recovers
loop: true
steps:
  - after: 10s
    cluster: edge-berlin
    note: berlin-w-2 stops posting status
    target: {apiVersion: v1, kind: Node, name: berlin-w-2}
    set:
      status.conditions[type=Ready].status: "False"
      status.conditions[type=Ready].lastTransitionTime: $now
  - after: 500ms
    cluster: mgmt
    create: {apiVersion: v1, kind: Namespace, metadata: {name: x}}
  - after: 1m
    cluster: mgmt
    delete: {apiVersion: v1, kind: Namespace, name: x}
"#,
        )
        .unwrap();
        assert!(s.loop_);
        assert_eq!(s.steps.len(), 3);
        assert_eq!(s.steps[0].after, Duration::from_secs(10));
        assert_eq!(
            s.steps[0].note.as_deref(),
            Some("berlin-w-2 stops posting status")
        );
        match &s.steps[0].action {
            StepAction::Set { target, set } => {
                assert_eq!(target.kind, "Node");
                assert_eq!(target.namespace, None);
                assert_eq!(set[0].0, "status.conditions[type=Ready].status");
                assert_eq!(
                    set[1],
                    (
                        "status.conditions[type=Ready].lastTransitionTime".to_string(),
                        json!("$now")
                    )
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&s.steps[1].action, StepAction::Create(o) if o["kind"] == "Namespace"));
        assert!(matches!(&s.steps[2].action, StepAction::Delete(t) if t.name == "x"));
        assert!(
            !parse_scenario("y.yaml", "description: d\nsteps: []\n")
                .unwrap()
                .loop_
        );
    }

    #[test]
    fn scenario_errors_carry_file_and_line() {
        let cases = [
            (
                "description: d\nsteps:\n  - after: 10 parsecs\n    cluster: mgmt\n    delete: {apiVersion: v1, kind: Namespace, name: x}\n",
                3,
                "\"10 parsecs\" is not a duration",
            ),
            (
                "description: d\nsteps:\n  - after: 1s\n    cluster: mgmt\n    target: {apiVersion: v1, kind: Node, name: n}\n    set:\n      status.conditions[type=Ready: x\n",
                7,
                "unclosed [",
            ),
            (
                "description: d\nsteps:\n  - after: 1s\n    cluster: mgmt\n    delete: {apiVersion: v1, kind: Namespace, name: x}\n    create: {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n",
                3,
                "exactly one of",
            ),
            (
                "description: d\nsteps:\n  - after: 1s\n    cluster: mgmt\n    create: {kind: Namespace}\n",
                3,
                "whole object",
            ),
            (
                "description: d\nsteps:\n  - after: 1s\n    cluster: mgmt\n    delete: {apiVersion: v1, kind: Namespace, nmae: x}\n",
                5,
                "unknown field `nmae`",
            ),
            ("description: d\nstep: []\n", 2, "unknown field `step`"),
        ];
        let e = parse_scenario("s.yaml", cases[0].0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.yaml:3:12: steps[0].after: \"10 parsecs\" is not a duration (e.g. 500ms, 20s, 2m, \
             1h30m; a bare number is seconds): failed to parse input in the \"friendly\" duration \
             format: expected to find unit designator suffix (e.g., `years` or `secs`) after \
             parsing integer"
        );
        for (text, line, msg) in cases {
            let e = parse_scenario("s.yaml", text).unwrap_err();
            assert_eq!(e.file, "s.yaml");
            assert!(e.message.contains(msg), "{e}");
            assert_eq!(e.line, line, "{e}");
            assert!(e.to_string().starts_with(&format!("s.yaml:{line}:")), "{e}");
        }
    }

    #[test]
    fn targets_match_objects_across_versions() {
        let t = Target {
            api_version: "cluster.x-k8s.io/v1beta2".into(),
            kind: "Machine".into(),
            name: "m".into(),
            namespace: Some("edge-lab".into()),
        };
        let obj = json!({"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Machine", "metadata": {"name": "m", "namespace": "edge-lab"}});
        assert!(t.matches(&obj));
        assert_eq!(Target::of(&obj).api_version, "cluster.x-k8s.io/v1beta1");
        let node = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "m"}});
        assert!(!t.matches(&node));
        assert!(Target::of(&node).matches(&node));
        assert_eq!(Target::of(&node).to_string(), "v1 Node m");
    }

    // --- the bundled scenarios against the world fixtures

    use crate::demo::fixtures;
    use crate::model::{self, LiveObject, kinds};
    use std::collections::BTreeMap;

    type Key = (String, String, String, Option<String>, String);

    fn key(cluster: &str, obj: &Value) -> Key {
        let t = Target::of(obj);
        let group = kinds::split_api_version(&t.api_version).0.to_string();
        (cluster.to_string(), group, t.kind, t.namespace, t.name)
    }

    fn target_key(cluster: &str, t: &Target) -> Key {
        let group = kinds::split_api_version(&t.api_version).0.to_string();
        (
            cluster.to_string(),
            group,
            t.kind.clone(),
            t.namespace.clone(),
            t.name.clone(),
        )
    }

    fn world() -> BTreeMap<Key, Value> {
        fixtures::world_objects()
            .unwrap()
            .into_iter()
            .map(|(c, v)| (key(c, &v), v))
            .collect()
    }

    fn parse_live(what: &str, obj: &Value) -> LiveObject {
        let t = Target::of(obj);
        let kind = kinds::find(kinds::split_api_version(&t.api_version).0, &t.kind)
            .unwrap_or_else(|| panic!("{what}: {t} is not a kind the emulator serves"));
        assert_eq!(
            t.namespace.is_some(),
            kind.namespaced,
            "{what}: namespace vs scope of {t}"
        );
        let live = model::parse(kind, obj)
            .unwrap_or_else(|e| panic!("{what}: {t} no longer parses: {e}"))
            .unwrap_or_else(|| panic!("{what}: {t} has no model"));
        fixtures::tests::strict_core(what, obj);
        live
    }

    /// Runs a scenario on a copy of the world; calls `seen` with every object a step touched.
    fn run(
        name: &str,
        s: &Scenario,
        world: &mut BTreeMap<Key, Value>,
        mut seen: impl FnMut(usize, &Value),
    ) {
        let clusters = fixtures::clusters();
        let mut t = model::parse_time(fixtures::FIXTURES_NOW).unwrap();
        for (i, step) in s.steps.iter().enumerate() {
            let what = format!("scenario {name} step {}", i + 1);
            assert!(
                clusters.contains(&step.cluster.as_str()),
                "{what}: unknown cluster {}",
                step.cluster
            );
            t += step.after.as_secs() as i64;
            let now = model::format_time(t);
            match &step.action {
                StepAction::Set { target, set } => {
                    let obj = world
                        .get_mut(&target_key(&step.cluster, target))
                        .unwrap_or_else(|| {
                            panic!("{what}: {target} does not exist in {}", step.cluster)
                        });
                    assert!(target.matches(obj));
                    apply_sets(obj, set, &now).unwrap_or_else(|e| panic!("{what}: {e}"));
                    parse_live(&what, obj);
                    seen(i, obj);
                }
                StepAction::Create(obj) => {
                    let mut obj = obj.clone();
                    substitute_now(&mut obj, &now);
                    parse_live(&what, &obj);
                    seen(i, &obj);
                    world.insert(key(&step.cluster, &obj), obj);
                }
                StepAction::Delete(target) => {
                    world
                        .remove(&target_key(&step.cluster, target))
                        .unwrap_or_else(|| {
                            panic!("{what}: {target} does not exist in {}", step.cluster)
                        });
                }
            }
        }
    }

    /// Replaces every RFC 3339 time in `v` (they move on in every round).
    fn strip_times(v: &mut Value) {
        match v {
            Value::String(s) if model::parse_time(s).is_some() => *s = "<time>".into(),
            Value::Array(a) => a.iter_mut().for_each(strip_times),
            Value::Object(m) => m.values_mut().for_each(strip_times),
            _ => {}
        }
    }

    /// What must come back after a looping scenario: objects, states, counters (not times).
    fn fingerprint(world: &BTreeMap<Key, Value>) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in world {
            if k.2 == "Event" {
                continue;
            }
            let cond = |c: &[model::Condition]| {
                c.iter()
                    .map(|c| format!("{}={:?}", c.type_, c.status))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let summary = match parse_live("fingerprint", v) {
                LiveObject::Node(n) => format!(
                    "{:?} {:?} {} {:?}",
                    n.ready, n.taints, n.unschedulable, n.provider_id
                ),
                LiveObject::Machine(m) => {
                    format!("{:?} {:?} {}", m.phase, m.version, cond(&m.conditions))
                }
                LiveObject::MachineDeployment(d) => {
                    format!("{:?} {:?} {}", d.replicas, d.phase, cond(&d.conditions))
                }
                LiveObject::MachineSet(d) => format!("{:?} {}", d.replicas, cond(&d.conditions)),
                LiveObject::Cluster(c) => format!(
                    "{:?} {:?} {}",
                    c.control_plane,
                    c.workers,
                    cond(&c.conditions)
                ),
                LiveObject::TalosControlPlane(t) => {
                    format!("{:?} {:?} {}", t.replicas, t.version, cond(&t.conditions))
                }
                LiveObject::Server(s) => format!("{:?} {:?}", s.state(), s.power),
                LiveObject::ServerClass(c) => format!("{:?} {:?}", c.available, c.in_use),
                LiveObject::MachineHealthCheck(h) => {
                    format!("{:?} {:?} {:?}", h.expected, h.healthy, h.targets)
                }
                // Storage, backup, GitOps: the whole status without its times.
                _ => {
                    let mut status = v["status"].clone();
                    strip_times(&mut status);
                    status.to_string()
                }
            };
            out.push(format!("{k:?}: {summary}"));
        }
        out
    }

    #[test]
    fn bundled_scenarios_run_against_the_world() {
        for (name, text) in fixtures::SCENARIOS {
            let s = parse_scenario(&format!("{name}.yaml"), text).unwrap_or_else(|e| panic!("{e}"));
            assert!(!s.description.is_empty() && !s.steps.is_empty(), "{name}");
            let mut w = world();
            let before = fingerprint(&w);
            run(name, &s, &mut w, |_, _| {});
            if s.loop_ {
                let after = fingerprint(&w);
                let diff: Vec<_> = before.iter().zip(&after).filter(|(a, b)| a != b).collect();
                assert!(
                    before.len() == after.len() && diff.is_empty(),
                    "looping scenario {name} does not restore the world: {diff:#?}"
                );
            }
        }
        let names: Vec<_> = fixtures::SCENARIOS.iter().map(|(n, _)| *n).collect();
        for n in [
            "default",
            "worker-notready",
            "provision-machine",
            "server-poweroff",
            "cp-upgrade",
            "ceph-warn",
            "mayastor-degraded",
            "backup-retry",
            "image-pull",
        ] {
            assert!(names.contains(&n), "{n}");
        }
    }

    /// Writes every object each scenario step touches to `$BLAST_SCENARIO_DUMP/<scenario>/`, so
    /// they can be validated against the CRDs: `blast check --schemas DIR $BLAST_SCENARIO_DUMP`.
    #[test]
    #[ignore = "writes files; run with BLAST_SCENARIO_DUMP=dir"]
    fn dump_scenario_objects() {
        let Ok(dir) = std::env::var("BLAST_SCENARIO_DUMP") else {
            return;
        };
        for (name, text) in fixtures::SCENARIOS {
            let s = parse_scenario(name, text).unwrap();
            let out = std::path::Path::new(&dir).join(name);
            std::fs::create_dir_all(&out).unwrap();
            let mut w = world();
            run(name, &s, &mut w, |i, obj| {
                let t = Target::of(obj);
                let file = out.join(format!("{:03}-{}-{}.yaml", i + 1, t.kind, t.name));
                std::fs::write(file, crate::repo::yaml_serde::to_string(obj).unwrap()).unwrap();
            });
        }
    }
}
