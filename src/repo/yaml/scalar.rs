//! Scalars as values: YAML 1.2 (the tree's own reading) and as Kubernetes reads them (YAML
//! 1.1: yes/no/on/off/y/n, 0644 octal), and object paths for messages.

use super::*;

/// Drops a JSON value without recursion (serde_json's own drop recurses once per level, which a
/// deep tree converted by [`Node::to_json`] can make too deep for a small thread stack).
pub fn drop_json(value: serde_json::Value) {
    use serde_json::Value as J;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            J::Array(items) => stack.extend(items),
            J::Object(map) => stack.extend(map.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

/// Renders a path as `spec.template.spec.containers[0].image`.
pub fn path_string(path: &[PathSeg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSeg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSeg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

pub(super) fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// A plain scalar by the YAML 1.2 core schema.
pub fn scalar_to_json(s: &Scalar) -> serde_json::Value {
    use serde_json::Value as J;
    if s.quoted {
        return J::String(s.text.clone());
    }
    let t = s.text.as_str();
    if is_null(t) {
        return J::Null;
    }
    match t {
        "true" | "True" | "TRUE" => return J::Bool(true),
        "false" | "False" | "FALSE" => return J::Bool(false),
        _ => {}
    }
    if let Some(i) = parse_int(t) {
        return J::from(i);
    }
    if let Some(f) = parse_float(t)
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return J::Number(n);
    }
    J::String(t.to_string())
}

/// A plain scalar as Kubernetes reads it: `kubectl` and the API server convert YAML to JSON
/// with sigs.k8s.io/yaml, whose go-yaml v2 resolver follows YAML 1.1 where YAML 1.2 differs:
/// `y/Y/yes/Yes/YES/on/On/ON` are true and `n/N/no/No/NO/off/Off/OFF` false; integers are read
/// like Go's `strconv.ParseInt(s, 0, 64)` after dropping `_`, so `0644` is octal (420), `0b101`
/// binary and `1_000` a thousand; a leading-zero number that is not octal (`09`) is a float.
/// Base-60 numbers (`1:30`) are strings to go-yaml v2 ("purposefully unsupported"), so here too.
pub fn scalar_to_json_k8s(s: &Scalar) -> serde_json::Value {
    use serde_json::Value as J;
    if s.quoted {
        return J::String(s.text.clone());
    }
    let t = s.text.as_str();
    match t {
        "" | "~" | "null" | "Null" | "NULL" => return J::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return J::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return J::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return J::String(t.to_string()); // JSON has no infinity; sigs.k8s.io/yaml fails
        }
        _ => {}
    }
    let plain: String = t.chars().filter(|&c| c != '_').collect();
    if let Some(i) = go_parse_int(&plain) {
        return J::from(i);
    }
    if let Some(f) = parse_float(&plain)
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return J::Number(n);
    }
    J::String(t.to_string())
}

/// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`/`0o`/`0b` prefixes or a leading
/// `0` for octal, else decimal.
pub(super) fn go_parse_int(t: &str) -> Option<i64> {
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = digits.get(..2).map(str::to_ascii_lowercase);
    let (radix, body) = match lower.as_deref() {
        Some("0x") => (16, &digits[2..]),
        Some("0o") => (8, &digits[2..]),
        Some("0b") => (2, &digits[2..]),
        _ if digits.len() > 1 && digits.starts_with('0') => (8, &digits[1..]),
        _ => (10, digits),
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = i128::from_str_radix(body, radix).ok()?;
    let v = if neg { -v } else { v };
    i64::try_from(v).ok()
}

pub(super) fn parse_int(t: &str) -> Option<i64> {
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, body) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else if let Some(oct) = digits.strip_prefix("0o") {
        (8, oct)
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Through i128 so that i64::MIN, whose magnitude is not an i64, reads back.
    let v = i128::from_str_radix(body, radix).ok()?;
    i64::try_from(if neg { -v } else { v }).ok()
}

pub(super) fn parse_float(t: &str) -> Option<f64> {
    match t {
        ".inf" | ".Inf" | ".INF" | "+.inf" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    // YAML 1.2 core: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let b = t.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i > int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits |= i > frac_start;
    }
    if !digits {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    t.parse().ok()
}
