//! The scalar editor's contract, checked on one document: setting the scalar at a path either
//! refuses or changes exactly that scalar (every byte before and after it unchanged, the file
//! still readable, the tree equal but for that scalar, which reads back as the new value).
//!
//! One copy for both fuzzers: the coverage-guided target (`fuzz_targets/edit.rs`, through this
//! crate) and the proptest one (`benches/fuzz.rs`, which includes this file by path). Each puts
//! blast's `yaml` and `yaml_edit` modules beside it (`super::`).

use serde_json::Value;

use super::{yaml, yaml_edit};

/// The tree with every scalar as its text (types aside), to compare before and after an edit.
pub fn texts(n: &yaml::Node) -> Value {
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

/// The path of every scalar of `v`, appended to `out` (map keys and list indexes as text).
pub fn scalar_paths(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
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

/// Sets one scalar of the first document of `text` (the `pick`-th, modulo how many there are)
/// to `new` and checks the contract; the error says what broke. Not a case, and `Ok`: text
/// that does not parse, no document or no scalar, duplicate keys (the tree keeps the last, the
/// editor finds the first), nesting deeper than 64, and an edit the editor refuses.
pub fn check(text: &str, pick: usize, new: &str) -> Result<(), String> {
    let before = yaml::parse(text);
    if before.error.is_some() {
        return Ok(());
    }
    let Some(doc) = before.docs.first() else {
        return Ok(());
    };
    let Some(root) = doc.root.as_ref() else {
        return Ok(());
    };
    if !doc.duplicate_keys.is_empty() || doc.depth > 64 {
        return Ok(());
    }
    let old = texts(root);
    let mut paths = Vec::new();
    scalar_paths(&old, &mut Vec::new(), &mut paths);
    if paths.is_empty() {
        return Ok(());
    }
    let path = &paths[pick % paths.len()];
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let Ok(edited) = yaml_edit::set_scalar(text, 0, &path, new) else {
        return Ok(()); // refused
    };
    let at = yaml_edit::find_scalar(text, 0, &path).map_err(|e| format!("found, then not: {e}"))?;
    if !edited.starts_with(&text[..at.start]) || !edited.ends_with(&text[at.end..]) {
        return Err("bytes outside the scalar changed".into());
    }
    let after = yaml::parse(&edited);
    if let Some(e) = &after.error {
        return Err(format!(
            "the edit made the file unreadable: {e:?}\n{edited}"
        ));
    }
    let Some(new_root) = after.docs.first().and_then(|d| d.root.as_ref()) else {
        return Err("the document vanished".into());
    };
    let mut expected = old.clone();
    let mut slot = &mut expected;
    for seg in &path {
        slot = match slot {
            Value::Object(m) => m.get_mut(*seg).ok_or("path gone")?,
            Value::Array(a) => a
                .get_mut(seg.parse::<usize>().map_err(|e| e.to_string())?)
                .ok_or("path gone")?,
            _ => return Err("path through a scalar".into()),
        };
    }
    *slot = Value::String(new.to_string());
    if texts(new_root) != expected {
        return Err(format!(
            "the tree changed beyond the scalar:\n{text}\n---\n{edited}"
        ));
    }
    Ok(())
}
