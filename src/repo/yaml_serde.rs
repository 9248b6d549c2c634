//! YAML to and from serde types, for what is read whole rather than browsed: the CRDs of
//! `check --schemas`, the demo's fixtures and scenarios, the demo kubeconfig, a credential
//! plugin's answer. serde-saphyr (maintained; already in the tree through kube) in place of
//! the archived serde_yaml, set to read as serde_yaml 0.9 did so nothing changes in what is
//! read: YAML 1.2 booleans only (`yes`, `on` stay strings), `0755` and `1_000` stay strings,
//! `.inf` and `.nan` reach the visitor (JSON makes them null), duplicate keys are an error,
//! merge keys are merged, and nesting stops at serde_yaml's 128 levels (serde builds values
//! recursively). Browsing and `check` use the positioned tree (`repo::yaml`), and every text
//! read here has passed `repo::yaml::guard` (size, aliases, depth) where it comes from a file.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Nesting serde_yaml 0.9 allowed; deeper is an error, not a stack overflow.
const MAX_DEPTH: usize = 128;

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            // The size limits are the guard's (`repo::yaml`), which the text met already.
            max_events: usize::MAX,
            max_nodes: usize::MAX,
            max_documents: usize::MAX,
            max_total_scalar_bytes: usize::MAX,
        },
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
        with_snippet: false,
    }
}

/// One YAML document as `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, options())
}

/// Why a document did not deserialize: where, and what, the message naming the path of the
/// field that failed (`steps[0].after: invalid duration`), as serde_yaml's did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// Line and column (from 1), when known.
    pub location: Option<(usize, usize)>,
    pub message: String,
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// One YAML document as `T`; the error names the field's path and its line (see
/// [`PathError`]).
pub fn from_str_with_path<T: DeserializeOwned>(text: &str) -> Result<T, PathError> {
    let mut path = None;
    let result = serde_saphyr::with_deserializer_from_str_with_options(text, options(), |de| {
        serde_path_to_error::deserialize(de).map_err(|e| {
            path = Some(e.path().to_string());
            e.into_inner()
        })
    });
    result.map_err(|e| {
        let location = e
            .location()
            .map(|l| (l.line() as usize, l.column() as usize));
        let message = e.without_snippet().to_string();
        let message = match message.rfind(" at line ") {
            Some(i) => &message[..i],
            None => &message,
        };
        PathError {
            location,
            message: match path.as_deref() {
                Some(p) if p != "." => format!("{p}: {message}"),
                _ => message.to_string(),
            },
        }
    })
}

/// Every document of a multi-document text as `T`; empty (null) documents are skipped.
pub fn documents<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, serde_saphyr::Error> {
    serde_saphyr::from_str_multiple_with_options::<T, Vec<T>>(text, options())
}

/// `value` as YAML. Strings that another reader could take for something else (`yes`, `on`,
/// `1e3`, `null`, `0755`) are quoted.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, serde_saphyr::ser::Error> {
    serde_saphyr::to_string(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn reads_as_serde_yaml_did() {
        let v: Value = from_str(
            "a: yes\nb: on\nc: true\nd: 0755\ne: 1_000\nf: 0x1F\ng: .inf\nh: ~\ni: 1e3\n\
             j: 2026-09-21T12:00:00Z\nk: &x {m: 1}\nl: {<<: *x, n: 2}\no: 012\np: False\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": "yes", "b": "on", "c": true, "d": "0755", "e": "1_000", "f": 31,
                   "g": null, "h": null, "i": 1000.0, "j": "2026-09-21T12:00:00Z",
                   "k": {"m": 1}, "l": {"m": 1, "n": 2}, "o": "012", "p": false})
        );
        assert!(from_str::<Value>("a: 1\na: 2\n").is_err(), "duplicate keys");
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(from_str::<Value>(&deep).is_err(), "too deep for serde");
        assert_eq!(
            documents::<Value>("---\na: 1\n---\n---\nb: 2\n").unwrap(),
            vec![json!({"a": 1}), json!({"b": 2})]
        );
    }

    /// What is written reads back as the same value, by this reader and by the positioned
    /// tree's YAML 1.1 reading (the strings a YAML 1.1 reader would take for booleans, numbers
    /// or null are quoted).
    #[test]
    fn what_is_written_reads_back_the_same() {
        let v = json!({
            "strings": ["yes", "no", "on", "off", "y", "n", "true", "null", "~", "", "0755",
                        "1_000", "1e3", ".inf", "0x1F", "12:30", "2026-09-21", "- x", "a: b",
                        "#c", "multi\nline\n", " lead", "trail ", "'q'", "\"d\"", "@at", "*al"],
            "numbers": [0, -1, 1.5, 1e300, 12345678901234_i64],
            "bools": [true, false],
            "null": null,
            "empty": {}, "list": [],
            "current-context": "on",
        });
        let text = to_string(&v).unwrap();
        let back: Value = from_str(&text).unwrap();
        assert_eq!(back, v, "{text}");
        for s in ["yes", "no", "on", "off", "y", "n"] {
            assert!(
                text.contains(&format!("\"{s}\"")) || text.contains(&format!("'{s}'")),
                "{s} is quoted:\n{text}"
            );
        }
    }

    #[test]
    fn errors_name_the_field_path_and_the_line() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Step {
            after: u32,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Doc {
            steps: Vec<Step>,
        }
        let e = from_str_with_path::<Doc>("steps:\n  - after: 1\n  - after: soon\n").unwrap_err();
        assert_eq!(e.location, Some((3, 12)), "{e}");
        assert!(e.message.starts_with("steps[1].after: "), "{e}");
    }
}
