//! The scalar editor on any document: setting the scalar at a path either refuses or changes
//! exactly that scalar (every byte before and after it unchanged, the file still readable, the
//! tree equal but for that scalar, which reads back as the new value).
#![no_main]

use blast_fuzz::repo::{yaml, yaml_edit};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// The tree with every scalar as its text (types aside).
fn texts(n: &yaml::Node) -> Value {
    n.fold(
        |_, s| Value::String(s.text.clone()),
        |_, items| Value::Array(items),
        |_, entries| {
            Value::Object(
                entries
                    .into_iter()
                    .map(|(e, v)| (e.key.clone(), v))
                    .collect(),
            )
        },
    )
}

fn scalar_paths(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                path.push(k.clone());
                scalar_paths(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                scalar_paths(v, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

/// New values for inputs that bring none: quotes, indicators, controls, YAML 1.1 breaks.
const TRICKY: &[&str] = &[
    "x",
    "",
    " ",
    "3",
    "on",
    "0644",
    "~",
    "a: b",
    "- x",
    "#c",
    "x #c",
    "'",
    "\"",
    "\\",
    "\t",
    "\n",
    "a\rb",
    "\u{0}",
    "\u{7}",
    "\u{1b}[0m",
    "\u{7f}",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "é",
    "{a}",
    "[a]",
    "*a",
    "&a",
    "!t",
    "|",
    ">",
    "%",
    "@",
    "`",
    "x:",
    ":x",
    "? x",
    "1:30",
];

// The input is `NEW \xff TEXT` (no 0xFF byte in UTF-8) or a bare TEXT (a seed file), whose
// new value is picked from TRICKY.
fuzz_target!(|data: &[u8]| {
    let (new, text) = match data.iter().position(|&b| b == 0xff) {
        Some(i) => (
            std::str::from_utf8(&data[..i]),
            std::str::from_utf8(&data[i + 1..]),
        ),
        None => (
            Ok(TRICKY[data.len() % TRICKY.len()]),
            std::str::from_utf8(data),
        ),
    };
    let (Ok(new), Ok(text)) = (new, text) else {
        return;
    };
    let (new, text) = (new.to_string(), text.to_string());
    let pick = data.len().wrapping_mul(31) ^ data.first().copied().unwrap_or(0) as usize;
    let before = yaml::parse(&text);
    if before.error.is_some() {
        return;
    }
    let Some(doc) = before.docs.first() else {
        return;
    };
    let Some(root) = doc.root.as_ref() else {
        return;
    };
    if !doc.duplicate_keys.is_empty() || doc.depth > 64 {
        return; // the tree keeps the last duplicate, the editor finds the first
    }
    let old = texts(root);
    let mut paths = Vec::new();
    scalar_paths(&old, &mut Vec::new(), &mut paths);
    if paths.is_empty() {
        return;
    }
    let path = &paths[pick % paths.len()];
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let Ok(edited) = yaml_edit::set_scalar(&text, 0, &path, &new) else {
        return; // refused
    };
    let at = yaml_edit::find_scalar(&text, 0, &path).expect("found, then not");
    assert!(
        edited.starts_with(&text[..at.start]) && edited.ends_with(&text[at.end..]),
        "bytes outside the scalar changed"
    );
    let after = yaml::parse(&edited);
    assert!(
        after.error.is_none(),
        "the edit made the file unreadable: {:?}\n{edited}",
        after.error
    );
    let new_root = after.docs.first().and_then(|d| d.root.as_ref());
    let new_root = new_root.expect("the document vanished");
    let mut expected = old.clone();
    let mut slot = &mut expected;
    for seg in &path {
        slot = match slot {
            Value::Object(m) => m.get_mut(*seg).expect("path"),
            Value::Array(a) => a
                .get_mut(seg.parse::<usize>().expect("index"))
                .expect("path"),
            _ => unreachable!("a path through a scalar"),
        };
    }
    *slot = Value::String(new.clone());
    assert_eq!(
        texts(new_root),
        expected,
        "the tree changed beyond the scalar:\n{text}\n---\n{edited}"
    );
});
