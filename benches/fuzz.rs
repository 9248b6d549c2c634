//! `cargo bench --bench fuzz -- TARGET SECONDS [SEED]`: fuzzing without a nightly toolchain.
//!
//! Each target is a proptest strategy and a property; the driver draws inputs until SECONDS
//! have passed, and on the first failure (a panic or a broken property) shrinks the input,
//! prints it and exits 1. A crash found is kept as a regression test beside the code it hit.
//! TARGET is one of `yaml`, `edit`, `selector`, `objects`, or `all` (SECONDS each).
//!
//! These draw blind. The YAML tree and the scalar editor are also fuzzed coverage-guided with
//! libFuzzer (`scripts/fuzz yaml|edit SECONDS`, the crate in `fuzz/`), which finds far more.
//!
//! - `yaml`: token soup of YAML syntax (flow and block collections, anchors, aliases, merge keys,
//!   tags, quotes, tabs, BOMs, NULs, documents) through the positioned tree: no panic, no stack
//!   overflow; every tree clones equal, converts to JSON, nests no deeper than the limit; the
//!   guard agrees with the parser.
//! - `edit`: generated documents (block and flow, quoted and plain, anchors, comments) and one
//!   scalar set to a tricky value: the edit changes exactly that scalar (every byte before it and
//!   after it unchanged, the tree equal but for it) or refuses.
//! - `selector`: the emulator's request line: label and field selectors, percent-encoded paths,
//!   queries with continue tokens and watch parameters.
//! - `objects`: object decoding: generated JSON objects through the live model of every kind,
//!   and YAML objects through the core-kind schema checks and the index's object recognition.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

use blast::repo::{yaml, yaml_edit};

#[path = "../fuzz/src/edit_check.rs"]
mod edit_check;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let target = args.first().map(String::as_str).unwrap_or("all");
    let secs: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    let budget = Duration::from_secs(secs);
    let targets: Vec<&str> = match target {
        "all" => vec!["yaml", "edit", "selector", "objects"],
        t => vec![t],
    };
    // Panics are findings: keep their messages short and on stderr.
    std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}")));
    let mut failed = false;
    for t in targets {
        let ok = match t {
            "yaml" => run(t, seed, budget, yaml_text(), check_yaml),
            "edit" => run(t, seed, budget, edit_case(), check_edit),
            "selector" => run(t, seed, budget, selector_case(), check_selector),
            "objects" => run(t, seed, budget, object_case(), check_object),
            other => {
                eprintln!("unknown target {other}: yaml, edit, selector, objects or all");
                std::process::exit(2);
            }
        };
        failed |= !ok;
    }
    if failed {
        std::process::exit(1);
    }
}

/// Draws inputs from `strategy` until `budget` is spent; on a failure, shrinks and reports it.
fn run<S: Strategy>(
    name: &str,
    seed: u64,
    budget: Duration,
    strategy: S,
    property: fn(&S::Value) -> Result<(), String>,
) -> bool
where
    S::Value: std::fmt::Debug,
{
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let started = Instant::now();
    let mut cases = 0u64;
    let check = |v: &S::Value| match catch_unwind(AssertUnwindSafe(|| property(v))) {
        Ok(r) => r,
        Err(_) => Err("panicked".to_string()),
    };
    while started.elapsed() < budget {
        let mut tree = match strategy.new_tree(&mut runner) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{name}: cannot generate: {e}");
                return false;
            }
        };
        cases += 1;
        let Err(first) = check(&tree.current()) else {
            continue;
        };
        // Shrink: keep the simplest input that still fails.
        let mut last = first;
        let mut steps = 0;
        while steps < 2000 && tree.simplify() {
            steps += 1;
            match check(&tree.current()) {
                Err(e) => last = e,
                Ok(()) => {
                    if !tree.complicate() {
                        break;
                    }
                }
            }
        }
        println!(
            "fuzz {name}: FAILED after {cases} cases in {:.1?} (seed {seed}): {last}\ninput: {:?}",
            started.elapsed(),
            tree.current()
        );
        return false;
    }
    println!(
        "fuzz {name}: {cases} cases in {:.1?}, no failure (seed {seed})",
        started.elapsed()
    );
    true
}

// ---- yaml ----------------------------------------------------------------------------------

const TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ": ",
    "- ",
    "-",
    "? ",
    "&a ",
    "&b ",
    "*a",
    "*b",
    "<<: ",
    "!!str ",
    "!t ",
    "'",
    "\"",
    "\\",
    "#",
    " # c",
    "\n",
    "\n  ",
    "\n    ",
    "  ",
    " ",
    "\t",
    "---\n",
    "...\n",
    "|\n",
    ">-\n",
    "a",
    "key",
    "1",
    "0644",
    "on",
    "~",
    "null",
    "x y",
    "\u{feff}",
    "\0",
    "\r\n",
    "é",
    "\u{85}",
    "%YAML 1.2\n",
    "[[[[",
    "]]]]",
    "{a: {b: ",
    "}}",
];

fn yaml_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::sample::select(TOKENS).prop_map(str::to_string),
            1 => ".{0,4}",
        ],
        0..120,
    )
    .prop_map(|parts| parts.concat())
}

#[allow(clippy::ptr_arg)] // every target takes a &Value of its strategy
fn check_yaml(text: &String) -> Result<(), String> {
    let parsed = yaml::parse(text);
    let lines = text.split('\n').count() + 1;
    if let Some(e) = &parsed.error
        && (e.pos.line == 0 || e.pos.line > lines)
    {
        return Err(format!("error outside the text: {e:?}"));
    }
    for d in &parsed.docs {
        if d.depth > yaml::MAX_DEPTH {
            return Err(format!("depth {} past the limit", d.depth));
        }
        if let Some(root) = &d.root {
            let copy = root.clone();
            if &copy != root {
                return Err("a clone differs".into());
            }
            yaml::drop_json(root.to_json());
            yaml::drop_json(root.to_json_k8s());
        }
    }
    if yaml::guard(text).err() != parsed.error {
        return Err("guard and parse disagree".into());
    }
    Ok(())
}

// ---- edit ----------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Tree {
    /// Text and style: 0 plain, 1 single-quoted, 2 double-quoted.
    Scalar(String, u8),
    /// Entries; an anchor on the mapping; written in flow style.
    Map(Vec<(String, Tree)>, bool, bool),
    Seq(Vec<Tree>, bool, bool),
}

const SCALARS: &[&str] = &[
    "a",
    "3",
    "v1.36.3",
    "on",
    "0644",
    "1:30",
    "true",
    "~",
    "",
    "x y",
    "it's",
    "say \"hi\"",
    "#no",
    "a: b",
    "- x",
    "é",
    "1e3",
    "0x1F",
    "tab\there",
    "line\nbreak",
    "\\",
    "cr\rx",
    "bell\u{7}",
    "nel\u{85}",
    "ls\u{2028}",
    "bom\u{feff}",
    "---",
    "... x",
];
const KEYS: &[&str] = &[
    "a", "b", "spec", "replicas", "name", "x y", "on", "1", "k8s.io/x",
];

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = (prop::sample::select(SCALARS), 0u8..3).prop_map(|(s, q)| Tree::Scalar(s.into(), q));
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (
                prop::collection::vec((prop::sample::select(KEYS), inner.clone()), 1..4),
                any::<bool>(),
                prop::bool::weighted(0.2)
            )
                .prop_map(|(e, a, f)| {
                    let mut seen = Vec::new();
                    let e = e
                        .into_iter()
                        .filter(|(k, _)| {
                            let fresh = !seen.contains(k);
                            seen.push(*k);
                            fresh
                        })
                        .map(|(k, v)| (k.to_string(), v))
                        .collect();
                    Tree::Map(e, a, f)
                }),
            (
                prop::collection::vec(inner, 1..4),
                prop::bool::weighted(0.2),
                prop::bool::weighted(0.2)
            )
                .prop_map(|(i, a, f)| Tree::Seq(i, a, f)),
        ]
    })
}

fn scalar_text(s: &str, style: u8) -> String {
    match style {
        0 => s.to_string(),
        1 => format!("'{}'", s.replace('\'', "''").replace('\n', "\n\n")),
        _ => format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
                .replace('\t', "\\t")
        ),
    }
}

fn key_text(k: &str) -> String {
    if k.contains(' ') || k.contains('/') {
        format!("\"{k}\"")
    } else {
        k.to_string()
    }
}

fn flow(t: &Tree) -> String {
    match t {
        Tree::Scalar(s, q) => scalar_text(s, *q),
        Tree::Map(e, _, _) => format!(
            "{{{}}}",
            e.iter()
                .map(|(k, v)| format!("{}: {}", key_text(k), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Tree::Seq(i, _, _) => format!("[{}]", i.iter().map(flow).collect::<Vec<_>>().join(", ")),
    }
}

/// Renders `t` as the value after `key:` or `- ` at `indent`.
fn block(t: &Tree, indent: usize, out: &mut String, anchors: &mut usize) {
    let pad = " ".repeat(indent);
    let anchor = |a: bool, anchors: &mut usize| {
        if a {
            *anchors += 1;
            format!(" &n{anchors}")
        } else {
            String::new()
        }
    };
    match t {
        Tree::Scalar(s, q) => {
            out.push(' ');
            out.push_str(&scalar_text(s, *q));
            out.push('\n');
        }
        Tree::Map(_, a, true) | Tree::Seq(_, a, true) => {
            out.push_str(&anchor(*a, anchors));
            out.push(' ');
            out.push_str(&flow(t));
            out.push_str(" # flow\n");
        }
        Tree::Map(e, a, false) => {
            out.push_str(&anchor(*a, anchors));
            out.push('\n');
            for (k, v) in e {
                out.push_str(&format!("{pad}{}:", key_text(k)));
                block(v, indent + 2, out, anchors);
            }
        }
        Tree::Seq(i, a, false) => {
            out.push_str(&anchor(*a, anchors));
            out.push('\n');
            for v in i {
                out.push_str(&format!("{pad}-"));
                block(v, indent + 2, out, anchors);
            }
        }
    }
}

fn edit_case() -> impl Strategy<Value = (String, usize, String)> {
    (
        prop::collection::vec((prop::sample::select(KEYS), tree()), 1..5),
        any::<usize>(),
        prop::sample::select(SCALARS),
    )
        .prop_map(|(entries, pick, new)| {
            let mut text = String::from("# generated\n");
            let mut anchors = 0;
            let mut seen = Vec::new();
            for (k, v) in entries {
                if seen.contains(&k) {
                    continue;
                }
                seen.push(k);
                text.push_str(&format!("{}:", key_text(k)));
                block(&v, 2, &mut text, &mut anchors);
            }
            (text, pick, new.to_string())
        })
}

/// The scalar editor's contract (`fuzz/src/edit_check.rs`, shared with the coverage-guided
/// target).
fn check_edit(case: &(String, usize, String)) -> Result<(), String> {
    let (text, pick, new) = case;
    edit_check::check(text, *pick, new)
}

// ---- selector ------------------------------------------------------------------------------

const SEL: &[&str] = &[
    "a",
    "b",
    "app",
    "=",
    "==",
    "!=",
    "!",
    ",",
    " ",
    "in",
    "notin",
    "(",
    ")",
    "/",
    ".",
    "-",
    "_",
    "x.io/",
    "metadata.name",
    "status.phase",
    "%",
    "%2F",
    "%zz",
    "+",
    "é",
    "\0",
    "=",
    "1",
];
const PATHS: &[&str] = &[
    "/",
    "clusters",
    "mgmt",
    "api",
    "apis",
    "v1",
    "apps",
    "namespaces",
    "default",
    "pods",
    "deployments",
    "x",
    "status",
    "%2F",
    "%",
    "..",
    "",
    "cluster.x-k8s.io",
    "v1beta2",
    "machinedeployments",
    "%E9",
    "%C3%A9",
];
const PARAMS: &[&str] = &[
    "labelSelector",
    "fieldSelector",
    "limit",
    "continue",
    "watch",
    "resourceVersion",
    "timeoutSeconds",
    "allowWatchBookmarks",
    "sendInitialEvents",
    "x",
];

fn selector_case() -> impl Strategy<Value = (String, String, Vec<(String, String)>)> {
    let sel = prop::collection::vec(prop::sample::select(SEL), 0..16).prop_map(|p| p.concat());
    let path = prop::collection::vec(prop::sample::select(PATHS), 0..9).prop_map(|p| p.join("/"));
    let value = prop_oneof![
        sel.clone(),
        "-?[0-9]{0,22}",
        "[A-Za-z0-9+/=_-]{0,40}",
        ".{0,6}"
    ];
    let query = prop::collection::vec(
        (prop::sample::select(PARAMS).prop_map(String::from), value),
        0..5,
    );
    (sel, path, query)
}

fn check_selector(case: &(String, String, Vec<(String, String)>)) -> Result<(), String> {
    use blast::demo::emulator::selector::{FieldSelector, LabelSelector};
    let (sel, path, query) = case;
    let object = json!({
        "metadata": {"name": "a", "namespace": "default", "labels": {"app": "a", "x.io/b": "1"}},
        "status": {"phase": "Running"}
    });
    if let Ok(l) = LabelSelector::parse(sel) {
        l.matches(&object);
    }
    if let Ok(f) = FieldSelector::parse(sel) {
        f.matches(&object);
    }
    let q = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let _ = blast::demo::emulator::read_request_target(&format!("/{path}"), &q);
    Ok(())
}

// ---- objects -------------------------------------------------------------------------------

const FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "labels",
    "annotations",
    "spec",
    "status",
    "conditions",
    "type",
    "reason",
    "message",
    "replicas",
    "readyReplicas",
    "phase",
    "items",
    "containers",
    "image",
    "ownerReferences",
    "uid",
    "creationTimestamp",
    "version",
    "capacity",
    "nodeRef",
    "addresses",
    "lastTransitionTime",
    "health",
    "sync",
    "resources",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(SCALARS).prop_map(|s| Value::String(s.into())),
        "2026-0[1-9]-[0-3][0-9]T[0-2][0-9]:00:00Z".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(FIELDS), inner), 0..6).prop_map(|e| {
                Value::Object(e.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

fn object_case() -> impl Strategy<Value = (usize, Value)> {
    (any::<usize>(), json_value())
}

fn check_object(case: &(usize, Value)) -> Result<(), String> {
    use blast::model::kinds;
    let (pick, v) = case;
    let kind = &kinds::ALL[pick % kinds::ALL.len()];
    // As the API would send it: the kind's own apiVersion and kind over the random body.
    let mut obj = match v {
        Value::Object(m) => Value::Object(m.clone()),
        other => json!({ "spec": other }),
    };
    obj["apiVersion"] = Value::String(kind.api_version());
    obj["kind"] = Value::String(kind.kind.to_string());
    let _ = blast::model::parse(kind, &obj);
    // And as a file: YAML (JSON is YAML) through the tree, the index and the core-kind checks.
    let text = serde_json::to_string_pretty(&obj).map_err(|e| e.to_string())?;
    let parsed = yaml::parse(&text);
    if let Some(e) = parsed.error {
        return Err(format!("JSON did not parse as YAML: {e:?}\n{text}"));
    }
    let root = parsed.docs[0].root.as_ref().ok_or("no root")?;
    if root.to_json() != obj && !text.contains("e+") && !text.contains("e-") {
        // Floats may print in a form YAML 1.2 reads back rounded; everything else must round-trip.
        return Err(format!("round trip differs:\n{text}"));
    }
    let schemas = blast::repo::schema::SchemaSet::default();
    for (av, k) in [
        ("v1", "ConfigMap"),
        ("v1", "Pod"),
        ("apps/v1", "Deployment"),
        ("v1", "Node"),
    ] {
        let _ = schemas.validate(av, k, root);
    }
    Ok(())
}
