//! Label and field selectors, as the API server parses them from `labelSelector` and
//! `fieldSelector`.
//!
//! Label selectors take the full set-based syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
//! `a notin (x)`, `a`, `!a`, plus the numeric `a>3` and `a<3`; a comma means AND. Field selectors
//! take `path=value`, `path==value` and `path!=value`, where the path is any dotted path into the
//! object (`metadata.name`, `spec.unschedulable`, `involvedObject.name`, `type`). Unlike the real
//! server, which accepts only the fields each kind indexes, every path is allowed; a missing or
//! `null` field reads as the empty string, booleans and numbers as their JSON text, and an object
//! or array never equals anything.

use serde_json::Value;

/// Longest label name or value the API server accepts.
const MAX_LABEL_PART: usize = 63;

/// One parsed `labelSelector`; empty matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector {
    requirements: Vec<LabelRequirement>,
}

#[derive(Debug, Clone, PartialEq)]
struct LabelRequirement {
    key: String,
    op: LabelOp,
}

#[derive(Debug, Clone, PartialEq)]
enum LabelOp {
    Equals(String),
    NotEquals(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    DoesNotExist,
    GreaterThan(i64),
    LessThan(i64),
}

impl LabelSelector {
    /// Parses the selector; the error message says what is wrong and where.
    pub fn parse(input: &str) -> Result<Self, String> {
        if input.trim().is_empty() {
            return Ok(Self::default());
        }
        let requirements = split_top_level_commas(input)?
            .into_iter()
            .map(parse_label_requirement)
            .collect::<Result<_, _>>()?;
        Ok(Self { requirements })
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether an object's `metadata.labels` satisfy every requirement.
    pub fn matches(&self, object: &Value) -> bool {
        let labels = object
            .pointer("/metadata/labels")
            .and_then(Value::as_object);
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        self.requirements.iter().all(|r| {
            let value = label(&r.key);
            match &r.op {
                LabelOp::Equals(want) => value == Some(want.as_str()),
                LabelOp::NotEquals(want) => value != Some(want.as_str()),
                LabelOp::In(set) => value.is_some_and(|v| set.iter().any(|s| s == v)),
                LabelOp::NotIn(set) => !value.is_some_and(|v| set.iter().any(|s| s == v)),
                LabelOp::Exists => value.is_some(),
                LabelOp::DoesNotExist => value.is_none(),
                LabelOp::GreaterThan(n) => value
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v > *n),
                LabelOp::LessThan(n) => value
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v < *n),
            }
        })
    }
}

/// Splits on commas outside parentheses; rejects unbalanced parentheses and empty terms.
fn split_top_level_commas(input: &str) -> Result<Vec<&str>, String> {
    let mut terms = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in input.char_indices() {
        match c {
            '(' if depth > 0 => return Err(format!("nested '(' at position {i} in {input:?}")),
            '(' => depth = 1,
            ')' if depth == 0 => {
                return Err(format!("unexpected ')' at position {i} in {input:?}"));
            }
            ')' => depth = 0,
            ',' if depth == 0 => {
                terms.push(&input[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(format!("missing ')' in {input:?}"));
    }
    terms.push(&input[start..]);
    if let Some(empty) = terms.iter().position(|t| t.trim().is_empty()) {
        return Err(format!("empty requirement #{} in {input:?}", empty + 1));
    }
    Ok(terms)
}

fn parse_label_requirement(term: &str) -> Result<LabelRequirement, String> {
    let term = term.trim();
    if let Some(key) = term.strip_prefix('!') {
        let key = key.trim();
        validate_label_key(key)?;
        return Ok(LabelRequirement {
            key: key.to_string(),
            op: LabelOp::DoesNotExist,
        });
    }
    let key_end = term
        .find(|c: char| c.is_whitespace() || matches!(c, '=' | '!' | '<' | '>' | '('))
        .unwrap_or(term.len());
    let key = &term[..key_end];
    validate_label_key(key)?;
    let rest = term[key_end..].trim_start();
    let op = if rest.is_empty() {
        LabelOp::Exists
    } else if let Some(v) = rest.strip_prefix("!=") {
        LabelOp::NotEquals(label_value(v)?)
    } else if let Some(v) = rest.strip_prefix("==").or_else(|| rest.strip_prefix('=')) {
        LabelOp::Equals(label_value(v)?)
    } else if let Some(v) = rest.strip_prefix('>') {
        LabelOp::GreaterThan(label_integer(v)?)
    } else if let Some(v) = rest.strip_prefix('<') {
        LabelOp::LessThan(label_integer(v)?)
    } else if let Some(set) = strip_word(rest, "notin") {
        LabelOp::NotIn(label_set(set)?)
    } else if let Some(set) = strip_word(rest, "in") {
        LabelOp::In(label_set(set)?)
    } else {
        return Err(format!(
            "expected an operator after {key:?}, found {rest:?}"
        ));
    };
    Ok(LabelRequirement {
        key: key.to_string(),
        op,
    })
}

/// `rest` without the leading keyword `word` when a blank or `(` follows it.
fn strip_word<'a>(rest: &'a str, word: &str) -> Option<&'a str> {
    let after = rest.strip_prefix(word)?;
    (after.starts_with(char::is_whitespace) || after.starts_with('(')).then_some(after)
}

/// The values of `(a, b, c)`; at least one.
fn label_set(text: &str) -> Result<Vec<String>, String> {
    let inner = text
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| {
            format!(
                "expected a parenthesised set of values, found {:?}",
                text.trim()
            )
        })?;
    let values: Vec<String> = inner
        .split(',')
        .map(label_value)
        .collect::<Result<_, _>>()?;
    if inner.trim().is_empty() {
        return Err("a set needs at least one value".into());
    }
    Ok(values)
}

fn label_integer(text: &str) -> Result<i64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("expected an integer, found {:?}", text.trim()))
}

fn label_value(text: &str) -> Result<String, String> {
    let value = text.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    validate_label_name(value, "value")?;
    Ok(value.to_string())
}

/// `[prefix/]name`: the prefix a DNS subdomain, the name alphanumerics with `-`, `_` and `.`.
fn validate_label_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("empty label key".into());
    }
    let name = match key.split_once('/') {
        Some((prefix, name)) => {
            let prefix_ok = !prefix.is_empty()
                && prefix.len() <= 253
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
            if !prefix_ok {
                return Err(format!("invalid label key prefix {prefix:?}"));
            }
            name
        }
        None => key,
    };
    validate_label_name(name, "key")
}

fn validate_label_name(name: &str, what: &str) -> Result<(), String> {
    let chars_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let ends_ok = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if name.is_empty() || name.len() > MAX_LABEL_PART || !chars_ok || !ends_ok {
        return Err(format!(
            "invalid label {what} {name:?}: at most {MAX_LABEL_PART} alphanumerics, '-', '_' or '.', \
             starting and ending with an alphanumeric"
        ));
    }
    Ok(())
}

/// One parsed `fieldSelector`; empty matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSelector {
    requirements: Vec<FieldRequirement>,
}

#[derive(Debug, Clone, PartialEq)]
struct FieldRequirement {
    path: Vec<String>,
    value: String,
    equal: bool,
}

impl FieldSelector {
    pub fn parse(input: &str) -> Result<Self, String> {
        if input.trim().is_empty() {
            return Ok(Self::default());
        }
        let requirements = split_unescaped_commas(input)
            .into_iter()
            .map(|t| parse_field_requirement(&t))
            .collect::<Result<_, _>>()?;
        Ok(Self { requirements })
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.requirements.iter().all(|r| {
            let equal = field_text(object, &r.path).is_some_and(|v| v == r.value);
            equal == r.equal
        })
    }

    /// The name required by `metadata.name=NAME`, if any (lets a lookup skip the scan).
    pub fn required_name(&self) -> Option<&str> {
        self.requirements
            .iter()
            .find(|r| {
                r.equal && r.path.len() == 2 && r.path[0] == "metadata" && r.path[1] == "name"
            })
            .map(|r| r.value.as_str())
    }
}

/// Splits on commas not preceded by a backslash, keeping escapes for the term parser.
fn split_unescaped_commas(input: &str) -> Vec<String> {
    let mut terms = vec![String::new()];
    let mut chars = input.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let last = terms.last_mut().expect("never empty");
                last.push('\\');
                if let Some(next) = chars.next() {
                    last.push(next);
                }
            }
            ',' => terms.push(String::new()),
            c => terms.last_mut().expect("never empty").push(c),
        }
    }
    terms
}

fn parse_field_requirement(term: &str) -> Result<FieldRequirement, String> {
    let (key, equal, raw_value) = split_field_operator(term).ok_or_else(|| {
        format!(
            "invalid field selector term {term:?}: expected KEY=VALUE, KEY==VALUE or KEY!=VALUE"
        )
    })?;
    let key = key.trim();
    let path_ok = !key.is_empty()
        && key.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if !path_ok {
        return Err(format!(
            "invalid field selector key {key:?}: expected a dotted path such as metadata.name"
        ));
    }
    Ok(FieldRequirement {
        path: key.split('.').map(str::to_string).collect(),
        value: unescape_field_value(raw_value.trim())?,
        equal,
    })
}

/// `(key, is_equality, value)` at the first unescaped `!=`, `==` or `=`.
fn split_field_operator(term: &str) -> Option<(&str, bool, &str)> {
    let bytes = term.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'!' if bytes.get(i + 1) == Some(&b'=') => {
                return Some((&term[..i], false, &term[i + 2..]));
            }
            b'=' if bytes.get(i + 1) == Some(&b'=') => {
                return Some((&term[..i], true, &term[i + 2..]));
            }
            b'=' => return Some((&term[..i], true, &term[i + 1..])),
            _ => i += 1,
        }
    }
    None
}

fn unescape_field_value(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(e @ ('\\' | ',' | '=')) => out.push(e),
            Some(e) => {
                return Err(format!(
                    "invalid escape sequence \\{e} in field selector value {raw:?}"
                ));
            }
            None => {
                return Err(format!(
                    "dangling backslash in field selector value {raw:?}"
                ));
            }
        }
    }
    Ok(out)
}

/// The text a field selector compares: missing or null → "", scalars as text, containers → None.
fn field_text(object: &Value, path: &[String]) -> Option<String> {
    let mut at = object;
    for part in path {
        match at.get(part.as_str()) {
            Some(next) => at = next,
            None => return Some(String::new()),
        }
    }
    match at {
        Value::Null => Some(String::new()),
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(labels: Value) -> Value {
        json!({"metadata": {"name": "n1", "labels": labels}, "spec": {"unschedulable": true}, "type": "Warning"})
    }

    fn label_matches(selector: &str, labels: Value) -> bool {
        LabelSelector::parse(selector)
            .unwrap()
            .matches(&node(labels))
    }

    #[test]
    fn equality_operators() {
        let labels = json!({"role": "worker", "zone": "a"});
        assert!(label_matches("role=worker", labels.clone()));
        assert!(label_matches("role==worker", labels.clone()));
        assert!(!label_matches("role=control", labels.clone()));
        assert!(label_matches("role!=control", labels.clone()));
        assert!(!label_matches("role!=worker", labels.clone()));
        assert!(
            label_matches("missing!=x", labels.clone()),
            "!= matches an absent label"
        );
        assert!(label_matches(" role = worker , zone=a ", labels.clone()));
        assert!(!label_matches("role=worker,zone=b", labels));
    }

    #[test]
    fn set_and_existence_operators() {
        let labels = json!({"role": "worker", "node.kubernetes.io/pool": "gpu"});
        assert!(label_matches("role in (worker, control)", labels.clone()));
        assert!(label_matches("role in(worker)", labels.clone()));
        assert!(!label_matches("role in (control)", labels.clone()));
        assert!(label_matches("role notin (control)", labels.clone()));
        assert!(!label_matches(
            "role notin (worker,control)",
            labels.clone()
        ));
        assert!(label_matches("absent notin (x)", labels.clone()));
        assert!(label_matches("node.kubernetes.io/pool", labels.clone()));
        assert!(!label_matches("!node.kubernetes.io/pool", labels.clone()));
        assert!(label_matches(
            "!absent,role in (a,worker),node.kubernetes.io/pool=gpu",
            labels
        ));
        assert!(!label_matches("role", json!(null)), "no labels at all");
        assert!(label_matches("!role", json!(null)));
    }

    #[test]
    fn numeric_comparisons() {
        assert!(label_matches("gen>3", json!({"gen": "4"})));
        assert!(!label_matches("gen>3", json!({"gen": "3"})));
        assert!(label_matches("gen<3", json!({"gen": "2"})));
        assert!(!label_matches("gen<3", json!({"gen": "x"})));
    }

    #[test]
    fn empty_selector_matches_everything() {
        let s = LabelSelector::parse("  ").unwrap();
        assert!(s.is_empty());
        assert!(s.matches(&json!({})));
    }

    #[test]
    fn label_syntax_errors() {
        for bad in [
            "a in (x",
            "a in x)",
            "a in ()",
            "a,,b",
            "a=b,",
            "=b",
            "a in ((x))",
            "a ~ b",
            "a=b c",
            "-a=b",
            "a=-b",
            "Bad_Prefix/x=y",
            "a>x",
            "!",
            "a notin",
        ] {
            assert!(
                LabelSelector::parse(bad).is_err(),
                "{bad:?} should not parse"
            );
        }
        let long = format!("a={}", "x".repeat(64));
        assert!(LabelSelector::parse(&long).is_err());
    }

    #[test]
    fn empty_value_is_allowed() {
        assert!(label_matches("a=", json!({"a": ""})));
        assert!(!label_matches("a=", json!({"a": "x"})));
    }

    #[test]
    fn field_selectors() {
        let obj = node(json!({}));
        let m = |s: &str| FieldSelector::parse(s).unwrap().matches(&obj);
        assert!(m("metadata.name=n1"));
        assert!(m("metadata.name==n1"));
        assert!(!m("metadata.name!=n1"));
        assert!(m("spec.unschedulable=true"));
        assert!(m("spec.unschedulable!=false"));
        assert!(m("type=Warning,metadata.name=n1"));
        assert!(!m("type=Normal,metadata.name=n1"));
        assert!(m("metadata.namespace="), "missing reads as empty");
        assert!(!m("metadata=x"), "objects never equal");
        assert!(m("metadata!=x"));
        assert_eq!(
            FieldSelector::parse("metadata.name=n1")
                .unwrap()
                .required_name(),
            Some("n1")
        );
        assert_eq!(
            FieldSelector::parse("metadata.name!=n1")
                .unwrap()
                .required_name(),
            None
        );
    }

    #[test]
    fn field_value_escapes() {
        let obj = json!({"message": "a,b=c\\"});
        let s = FieldSelector::parse(r"message=a\,b\=c\\").unwrap();
        assert!(s.matches(&obj));
    }

    #[test]
    fn field_syntax_errors() {
        for bad in [
            "metadata.name",
            "=x",
            "a..b=x",
            "a=b,",
            r"a=\x",
            r"a=b\",
            "spec.a b=c",
        ] {
            assert!(
                FieldSelector::parse(bad).is_err(),
                "{bad:?} should not parse"
            );
        }
    }
}
