//! Byte-preserving edits of YAML scalars, the ground of the quick actions (scale a
//! MachineDeployment, bump a Kubernetes version): an edit replaces exactly the bytes of the one
//! scalar it names, so every other byte of the file — comments, key order, quoting, blank
//! lines, anchors, line endings — stays as it was.
//!
//! The scalar is found on the event stream of `saphyr-parser` (the parser `yaml.rs` uses), which
//! gives each scalar its span. The new value is written in the scalar's own style: plain stays
//! plain when the value reads back as the same type, quoted stays quoted with the same quotes.
//! Refused, with a reason: block scalars, a scalar carrying an anchor or reached through an
//! alias (changing it would change other places too), a path that is not in the document.

use saphyr_parser::{Event, Parser, ScalarStyle};

/// Where a scalar is written: byte range in the file text (quotes included) and its style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalarAt {
    pub start: usize,
    pub end: usize,
    pub quote: Quote,
    /// The scalar's value (unquoted).
    pub value: String,
    /// 1-based line.
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    Plain,
    Single,
    Double,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError(pub String);

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

enum Frame {
    Map {
        key: Option<String>,
        /// Byte where the current key's text ends (for inserting after its line).
        key_end: usize,
        path_len: usize,
    },
    Seq {
        index: usize,
        path_len: usize,
    },
}

/// A scalar as the parser gave it, block scalars included.
struct RawScalar {
    /// Byte range in the file: quotes included; a block scalar starts at its `|` or `>`.
    start: usize,
    end: usize,
    style: ScalarStyle,
    anchored: bool,
    value: String,
    line: usize,
}

/// A mapping as the parser gave it.
struct MapAt {
    /// Written `{...}`.
    flow: bool,
    anchored: bool,
    /// Byte where the first key starts (`None` for an empty mapping).
    first_key: Option<usize>,
    /// Byte where the key naming this mapping ends (`None` in a sequence or at the root).
    key_end: Option<usize>,
}

/// What is written at a path.
enum Found {
    Scalar(RawScalar),
    Map(MapAt),
    Seq,
}

/// Finds what is at `path` in document `doc` of `text`: a scalar, a mapping or a sequence.
/// Refused: a path reached through an alias, complex keys on the way.
fn find_node(text: &str, doc: usize, path: &[&str]) -> Result<Found, EditError> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];
    // saphyr counts characters; map them to bytes once.
    let byte_of: Vec<usize> = body
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(body.len()))
        .collect();
    let mut parser = Parser::new_from_str(body);
    let mut doc_index: isize = -1;
    let mut stack: Vec<Frame> = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    // The mapping found, waiting for its first key.
    let mut found_map: Option<MapAt> = None;
    // A sequence found: reported once its document ends (a syntax error in it wins).
    let mut found_seq = false;
    let want =
        |cur: &[String]| cur.len() == path.len() && cur.iter().zip(path).all(|(a, b)| a == b);
    while let Some(ev) = parser.next_event() {
        let (event, span) =
            ev.map_err(|e| EditError(format!("line {}: {}", e.marker().line(), e.info())))?;
        let (s, e) = (
            bom + byte_of[span.start.index()],
            bom + byte_of[span.end.index()],
        );
        if let Some(mut m) = found_map.take() {
            if matches!(event, Event::Scalar(..)) {
                m.first_key = Some(s);
            }
            return Ok(Found::Map(m));
        }
        // The path of the node this event starts (a value, or a key when a map waits for one).
        let mut is_key = false;
        let mut parent_key_end = None;
        match stack.last_mut() {
            Some(Frame::Map {
                key,
                key_end,
                path_len,
            }) => {
                cur.truncate(*path_len);
                match key {
                    None => is_key = true,
                    Some(k) => {
                        cur.push(k.clone());
                        parent_key_end = Some(*key_end);
                    }
                }
            }
            Some(Frame::Seq { index, path_len }) => {
                cur.truncate(*path_len);
                cur.push(index.to_string());
            }
            None => cur.clear(),
        }
        let in_doc = doc_index == doc as isize;
        match event {
            Event::DocumentStart(_) => {
                doc_index += 1;
                stack.clear();
                cur.clear();
            }
            Event::Scalar(value, style, anchor, _) => {
                if is_key {
                    if let Some(Frame::Map { key, key_end, .. }) = stack.last_mut() {
                        *key = Some(value.into_owned());
                        *key_end = e;
                    }
                    continue;
                }
                if in_doc && want(&cur) {
                    return Ok(Found::Scalar(RawScalar {
                        start: s,
                        end: e,
                        style,
                        anchored: anchor > 0,
                        value: value.into_owned(),
                        line: span.start.line(),
                    }));
                }
                after_value(&mut stack);
            }
            Event::Alias(_) => {
                if is_key {
                    return Err(EditError(
                        "an alias as a mapping key is not supported".into(),
                    ));
                }
                if in_doc && (want(&cur) || path.starts_with_strs(&cur)) {
                    return Err(EditError(format!(
                        "{} is reached through an alias (*): edit the anchor by hand",
                        path.join(".")
                    )));
                }
                after_value(&mut stack);
            }
            Event::MappingStart(anchor, _) => {
                if is_key {
                    return Err(EditError("complex mapping keys are not supported".into()));
                }
                if in_doc && want(&cur) {
                    found_map = Some(MapAt {
                        flow: text[s..].starts_with('{'),
                        anchored: anchor > 0,
                        first_key: None,
                        key_end: parent_key_end,
                    });
                    continue;
                }
                stack.push(Frame::Map {
                    key: None,
                    key_end: 0,
                    path_len: cur.len(),
                });
            }
            Event::SequenceStart(..) => {
                if is_key {
                    return Err(EditError("complex mapping keys are not supported".into()));
                }
                if in_doc && want(&cur) {
                    found_seq = true;
                }
                stack.push(Frame::Seq {
                    index: 0,
                    path_len: cur.len(),
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                after_value(&mut stack);
            }
            Event::DocumentEnd if in_doc => break,
            _ => {}
        }
    }
    if found_seq {
        return Ok(Found::Seq);
    }
    Err(EditError(format!(
        "{} is not set in document {}",
        path.join("."),
        doc + 1
    )))
}

/// Finds the scalar at `path` (mapping keys, or sequence indexes as numbers) in document `doc`
/// (0-based) of `text`.
pub fn find_scalar(text: &str, doc: usize, path: &[&str]) -> Result<ScalarAt, EditError> {
    let raw = match find_node(text, doc, path)? {
        Found::Scalar(raw) => raw,
        Found::Map(_) => {
            return Err(EditError(format!(
                "{} is a mapping, not a scalar",
                path.join(".")
            )));
        }
        Found::Seq => {
            return Err(EditError(format!(
                "{} is a sequence, not a scalar",
                path.join(".")
            )));
        }
    };
    let quote = match raw.style {
        ScalarStyle::Plain => Quote::Plain,
        ScalarStyle::SingleQuoted => Quote::Single,
        ScalarStyle::DoubleQuoted => Quote::Double,
        ScalarStyle::Literal | ScalarStyle::Folded => {
            return Err(EditError(format!(
                "{} is a block scalar (| or >): edit it by hand",
                path.join(".")
            )));
        }
    };
    if raw.anchored {
        return Err(EditError(format!(
            "{} carries an anchor (&): other places alias it; edit it by hand",
            path.join(".")
        )));
    }
    Ok(ScalarAt {
        start: raw.start,
        end: raw.end,
        quote,
        value: raw.value,
        line: raw.line,
    })
}

/// A value has been read: a map waits for its next key, a sequence moves to its next item.
fn after_value(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Map { key, .. }) => *key = None,
        Some(Frame::Seq { index, .. }) => *index += 1,
        None => {}
    }
}

trait StartsWith {
    fn starts_with_strs(&self, prefix: &[String]) -> bool;
}

impl StartsWith for &[&str] {
    fn starts_with_strs(&self, prefix: &[String]) -> bool {
        !prefix.is_empty()
            && prefix.len() <= self.len()
            && prefix.iter().zip(self.iter()).all(|(a, b)| a == b)
    }
}

/// How a plain scalar reads under the YAML 1.2 core schema (what Kubernetes uses).
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
}

fn plain_kind(s: &str) -> Kind {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return Kind::Bool,
        _ => {}
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Kind::Int;
    }
    if s.starts_with("0x") || s.starts_with("0o") {
        return Kind::Int;
    }
    if s.parse::<f64>().is_ok() || matches!(s, ".inf" | "-.inf" | ".nan" | ".NaN") {
        return Kind::Float;
    }
    Kind::Str
}

/// Whether `s` can be written as a plain scalar and read back as the same text.
fn plain_safe(s: &str) -> bool {
    // `-`, `?` and `:` are indicators only when a space (or nothing) follows: `-5` is plain.
    let indicator = |c: char| {
        s.strip_prefix(c)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    };
    !s.is_empty()
        && !indicator('-')
        && !indicator('?')
        && !indicator(':')
        && !s.starts_with([
            ' ', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
        ])
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(['\n', '\r', '\t'])
}

/// `value` written as a scalar of style `quote`, reading back as the same type as `old` did.
fn render(value: &str, quote: Quote, old: &str) -> String {
    let double = || {
        let mut out = String::from("\"");
        for c in value.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    };
    match quote {
        Quote::Double => double(),
        Quote::Single if !value.contains(['\n', '\r']) => {
            format!("'{}'", value.replace('\'', "''"))
        }
        Quote::Single => double(),
        Quote::Plain => {
            if plain_safe(value) && plain_kind(value) == plain_kind(old) {
                value.to_string()
            } else {
                double()
            }
        }
    }
}

/// Replaces the scalar at `path` in document `doc` with `value`; every other byte stays.
pub fn set_scalar(text: &str, doc: usize, path: &[&str], value: &str) -> Result<String, EditError> {
    let at = find_scalar(text, doc, path)?;
    let mut out = String::with_capacity(text.len() + value.len());
    out.push_str(&text[..at.start]);
    out.push_str(&render(value, at.quote, &at.value));
    out.push_str(&text[at.end..]);
    Ok(out)
}

/// One replacement of bytes `start..end` of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Splice {
    start: usize,
    end: usize,
    new: String,
}

/// `text` with `splices` (non-overlapping) applied.
fn splice(text: &str, mut splices: Vec<Splice>) -> Result<String, EditError> {
    splices.sort_by_key(|s| s.start);
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for s in &splices {
        if s.start < at {
            return Err(EditError("two edits overlap: edit by hand".into()));
        }
        out.push_str(&text[at..s.start]);
        out.push_str(&s.new);
        at = s.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// Where a new first line of the block mapping at `map_path` goes: the byte after the line
/// of the key naming the mapping, the mapping's indentation and the file's line ending there.
fn insertion_point(
    text: &str,
    doc: usize,
    map_path: &[&str],
) -> Result<(usize, String, &'static str), EditError> {
    let name = map_path.join(".");
    let m = match find_node(text, doc, map_path)? {
        Found::Map(m) => m,
        _ => return Err(EditError(format!("{name} is not a mapping"))),
    };
    if m.flow {
        return Err(EditError(format!(
            "{name} is a flow mapping ({{...}}): edit it by hand"
        )));
    }
    if m.anchored {
        return Err(EditError(format!(
            "{name} carries an anchor (&): other places alias it; edit it by hand"
        )));
    }
    let (Some(key_end), Some(first)) = (m.key_end, m.first_key) else {
        return Err(EditError(format!(
            "{name} is not a mapping under a key: edit it by hand"
        )));
    };
    let line_end = key_end
        + text[key_end..]
            .find('\n')
            .ok_or_else(|| EditError(format!("{name}: no line after its key")))?;
    let first_line = text[..first].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[first_line..first];
    if first_line <= line_end || indent.is_empty() || !indent.bytes().all(|b| b == b' ') {
        return Err(EditError(format!(
            "{name}: its first key is not on a line of its own, indented with spaces; edit it by hand"
        )));
    }
    let nl = if text[..line_end].ends_with('\r') {
        "\r\n"
    } else {
        "\n"
    };
    Ok((line_end + 1, indent.to_string(), nl))
}

/// Inserts `key: value` (`value` written as YAML already) as the first entry of the block
/// mapping at `map_path`, on a new line right after the line of the key naming the mapping, at
/// the mapping's indentation and with the file's line ending: the file gains exactly one line.
/// Refused: `key` already set, a flow mapping (`{...}`), an anchored mapping, the document root.
pub fn insert_scalar(
    text: &str,
    doc: usize,
    map_path: &[&str],
    key: &str,
    value: &str,
) -> Result<String, EditError> {
    let mut path = map_path.to_vec();
    path.push(key);
    match find_node(text, doc, &path) {
        Ok(_) => {
            return Err(EditError(format!("{} is already set", path.join("."))));
        }
        Err(e) if e.0.contains("is not set") => {}
        Err(e) => return Err(e),
    }
    let (at, indent, nl) = insertion_point(text, doc, map_path)?;
    splice(
        text,
        vec![Splice {
            start: at,
            end: at,
            new: format!("{indent}{key}: {value}{nl}"),
        }],
    )
}

/// Sets the scalar `key` of the mapping at `map_path` to `value`, or inserts it (see
/// [`insert_scalar`]) when the mapping lacks it.
pub fn set_or_insert(
    text: &str,
    doc: usize,
    map_path: &[&str],
    key: &str,
    value: &str,
) -> Result<String, EditError> {
    let mut path = map_path.to_vec();
    path.push(key);
    match find_node(text, doc, &path) {
        Ok(_) => set_scalar(text, doc, &path, value),
        Err(e) if e.0.contains("is not set") => {
            let rendered = if plain_safe(value) && plain_kind(value) == Kind::Str {
                value.to_string()
            } else {
                render(value, Quote::Double, "")
            };
            insert_scalar(text, doc, map_path, key, &rendered)
        }
        Err(e) => Err(e),
    }
}

// --- Quick actions on one document of a file.

/// A quick action: which kinds it applies to and the scalar(s) it sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `spec.replicas` of a MachineDeployment or TalosControlPlane.
    Scale(u32),
    /// The Kubernetes version: TalosControlPlane `spec.version`, MachineDeployment
    /// `spec.template.spec.version`.
    KubernetesVersion(String),
}

impl Action {
    /// The path it sets in an object of `kind`, or `None` when it does not apply.
    pub fn path(&self, kind: &str) -> Option<&'static [&'static str]> {
        match (self, kind) {
            (Action::Scale(_), "MachineDeployment" | "TalosControlPlane" | "MachineSet") => {
                Some(&["spec", "replicas"])
            }
            (Action::KubernetesVersion(_), "TalosControlPlane") => Some(&["spec", "version"]),
            (Action::KubernetesVersion(_), "MachineDeployment" | "MachineSet") => {
                Some(&["spec", "template", "spec", "version"])
            }
            _ => None,
        }
    }

    pub fn value(&self) -> String {
        match self {
            Action::Scale(n) => n.to_string(),
            Action::KubernetesVersion(v) => v.clone(),
        }
    }

    /// The commit message line for it: `scale workers 3 -> 4`.
    pub fn describe(&self, kind: &str, name: &str, old: &str) -> String {
        match self {
            Action::Scale(n) => format!("scale {kind} {name} {old} -> {n}"),
            Action::KubernetesVersion(v) => format!("{kind} {name}: Kubernetes {old} -> {v}"),
        }
    }
}

/// Applies `action` to document `doc` (of kind `kind`) of `text`: the new text and the old
/// value.
pub fn apply(
    text: &str,
    doc: usize,
    kind: &str,
    action: &Action,
) -> Result<(String, String), EditError> {
    let path = action
        .path(kind)
        .ok_or_else(|| EditError(format!("{action:?} does not apply to a {kind}")))?;
    let at = find_scalar(text, doc, path)?;
    if let Action::KubernetesVersion(v) = action
        && !(v.starts_with('v') && v[1..].split('.').count() == 3)
    {
        return Err(EditError(format!(
            "{v:?} is not a Kubernetes version (vMAJOR.MINOR.PATCH)"
        )));
    }
    let new = set_scalar(text, doc, path, &action.value())?;
    Ok((new, at.value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_scalar_in_its_style() {
        let text =
            "# head\r\nspec:   # keep\r\n  replicas: 3 # three\r\n  name: 'a'\r\n  v: \"v1\"\r\n";
        let out = set_scalar(text, 0, &["spec", "replicas"], "4").unwrap();
        assert_eq!(
            out,
            "# head\r\nspec:   # keep\r\n  replicas: 4 # three\r\n  name: 'a'\r\n  v: \"v1\"\r\n"
        );
        let out = set_scalar(text, 0, &["spec", "name"], "it's").unwrap();
        assert!(out.contains("name: 'it''s'\r\n"), "{out}");
        let out = set_scalar(text, 0, &["spec", "v"], "v2").unwrap();
        assert!(out.contains("v: \"v2\"\r\n"), "{out}");
    }

    #[test]
    fn plain_values_keep_their_type_or_get_quoted() {
        let text = "a: v1.36.3\nb: 3\nc: x\n";
        // A string that would read as a number is quoted.
        assert_eq!(
            set_scalar(text, 0, &["c"], "10").unwrap(),
            "a: v1.36.3\nb: 3\nc: \"10\"\n"
        );
        assert_eq!(
            set_scalar(text, 0, &["c"], "a: b").unwrap(),
            "a: v1.36.3\nb: 3\nc: \"a: b\"\n"
        );
        assert_eq!(
            set_scalar(text, 0, &["a"], "v1.36.4").unwrap(),
            "a: v1.36.4\nb: 3\nc: x\n"
        );
    }

    #[test]
    fn documents_sequences_and_unicode() {
        let text = "\u{feff}a: é\n---\nlist:\n  - x: 1\n  - x: 2 # two\n...\n---\nb: 1\n";
        let out = set_scalar(text, 1, &["list", "1", "x"], "5").unwrap();
        assert_eq!(
            out,
            "\u{feff}a: é\n---\nlist:\n  - x: 1\n  - x: 5 # two\n...\n---\nb: 1\n"
        );
        assert!(
            set_scalar(text, 2, &["b"], "2")
                .unwrap()
                .ends_with("b: 2\n")
        );
        let e = set_scalar(text, 0, &["nope"], "1").unwrap_err();
        assert!(e.0.contains("not set"), "{e}");
    }

    #[test]
    fn refuses_what_it_cannot_change_alone() {
        let text = "base: &r 3\nspec:\n  replicas: *r\n  script: |\n    echo\n";
        assert!(
            set_scalar(text, 0, &["spec", "replicas"], "4")
                .unwrap_err()
                .0
                .contains("alias")
        );
        assert!(
            set_scalar(text, 0, &["base"], "4")
                .unwrap_err()
                .0
                .contains("anchor")
        );
        assert!(
            set_scalar(text, 0, &["spec", "script"], "x")
                .unwrap_err()
                .0
                .contains("block")
        );
        // Broken YAML is an error with its line, not a guess.
        let e = set_scalar("a: [1,\n", 0, &["a"], "1").unwrap_err();
        assert!(e.0.starts_with("line "), "{e}");
    }

    #[test]
    fn quick_actions_name_what_they_change() {
        let text = "kind: MachineDeployment\nspec:\n  replicas: 3\n  template:\n    spec:\n      version: v1.36.3\n";
        let (out, old) = apply(text, 0, "MachineDeployment", &Action::Scale(4)).unwrap();
        assert_eq!(old, "3");
        assert!(out.contains("replicas: 4"));
        let (out, _) = apply(
            text,
            0,
            "MachineDeployment",
            &Action::KubernetesVersion("v1.36.4".into()),
        )
        .unwrap();
        assert!(out.contains("version: v1.36.4"));
        assert!(apply(text, 0, "Cluster", &Action::Scale(1)).is_err());
        assert!(
            apply(
                text,
                0,
                "MachineDeployment",
                &Action::KubernetesVersion("1.2".into())
            )
            .is_err()
        );
        assert_eq!(
            Action::Scale(4).describe("MachineDeployment", "edge-berlin-workers", "3"),
            "scale MachineDeployment edge-berlin-workers 3 -> 4"
        );
    }

    fn json_docs(text: &str) -> Vec<serde_json::Value> {
        let parsed = crate::repo::yaml::parse(text);
        assert!(parsed.error.is_none(), "{:?}", parsed.error);
        parsed
            .docs
            .iter()
            .map(|d| d.root.as_ref().map(|r| r.to_json()).unwrap_or_default())
            .collect()
    }

    fn set_path(v: &mut serde_json::Value, path: &[&str], to: serde_json::Value) {
        let mut cur = v;
        for p in path {
            cur = match cur {
                serde_json::Value::Array(a) => &mut a[p.parse::<usize>().unwrap()],
                other => &mut other[*p],
            };
        }
        *cur = to;
    }

    /// Asserts that `new` is `old` with bytes `at.start..at.end` replaced, and that it reads as
    /// `old` with only `path` of document `doc` changed to `expect`.
    fn check_edit(old: &str, new: &str, doc: usize, path: &[&str], expect: serde_json::Value) {
        let at = find_scalar(old, doc, path).unwrap();
        let tail = old.len() - at.end;
        assert_eq!(&new[..at.start], &old[..at.start], "bytes before the edit");
        assert_eq!(
            &new[new.len() - tail..],
            &old[at.end..],
            "bytes after the edit"
        );
        let mut want = json_docs(old);
        set_path(&mut want[doc], path, expect);
        assert_eq!(json_docs(new), want, "only {} changes", path.join("."));
    }

    /// Asserts that `new` is `old` with exactly one line inserted (every byte of every other
    /// line, line endings included, the same), that the line is `key: value` ending like the
    /// line before it, and that `new` reads as `old` with only `path` of document `doc` set to
    /// `expect`.
    fn check_insert(old: &str, new: &str, doc: usize, path: &[&str], expect: serde_json::Value) {
        let a: Vec<&str> = old.split_inclusive('\n').collect();
        let b: Vec<&str> = new.split_inclusive('\n').collect();
        assert_eq!(b.len(), a.len() + 1, "one line more");
        let k = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        assert!(k > 0, "inserted after a line");
        assert_eq!(&b[k + 1..], &a[k..], "the lines after the insertion");
        let line = b[k];
        let nl = if a[k - 1].ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        assert!(line.ends_with(nl) && !line[..line.len() - nl.len()].contains(['\r', '\n']));
        let key = path.last().unwrap();
        assert!(
            line.trim_start().starts_with(&format!("{key}: ")),
            "{line:?} sets {key}"
        );
        let mut want = json_docs(old);
        set_path(&mut want[doc], path, expect);
        assert_eq!(json_docs(new), want, "only {} changes", path.join("."));
    }

    /// Every quick action on every matching object of this repo changes its scalar and not one
    /// byte more.
    #[test]
    fn every_action_on_every_matching_file_of_the_repo() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![];
        let mut dirs: Vec<std::path::PathBuf> = ["clusters", "infrastructure", "apps"]
            .iter()
            .map(|d| root.join(d))
            .collect();
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    files.push(p);
                }
            }
        }
        let actions = [
            Action::Scale(7),
            Action::KubernetesVersion("v1.99.0".into()),
        ];
        let mut applied = 0;
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            let parsed = crate::repo::yaml::parse(&text);
            for (i, d) in parsed.docs.iter().enumerate() {
                let Some(kind) = d.root.as_ref().and_then(|r| r.get("kind")?.as_text()) else {
                    continue;
                };
                for a in &actions {
                    let Some(path) = a.path(kind) else { continue };
                    let (new, _) = apply(&text, i, kind, a)
                        .unwrap_or_else(|e| panic!("{}: {a:?}: {e}", f.display()));
                    let expect = match a {
                        Action::Scale(n) => serde_json::json!(n),
                        Action::KubernetesVersion(v) => serde_json::json!(v),
                    };
                    check_edit(&text, &new, i, path, expect);
                    applied += 1;
                }
            }
        }
        // edge-berlin and edge-lab: a TalosControlPlane and a MachineDeployment each.
        assert!(
            applied >= 8,
            "only {applied} edits: are the cluster files still there?"
        );
    }

    use proptest::prelude::*;

    /// A leaf: a plain int, a plain word, or a quoted string (single or double).
    #[derive(Debug, Clone)]
    enum Leaf {
        Int(i64),
        Word(String),
        Quoted(String, bool),
    }

    fn leaf() -> impl Strategy<Value = Leaf> {
        prop_oneof![
            any::<i32>().prop_map(|n| Leaf::Int(n as i64)),
            // Words that read as strings (not `true`, `null`, …): their edits stay strings.
            "[a-z][a-z0-9.-]{0,8}"
                .prop_filter("reads as a string", |w| plain_kind(w) == Kind::Str)
                .prop_map(Leaf::Word),
            ("[ -~]{0,12}", any::<bool>()).prop_map(|(s, d)| Leaf::Quoted(s, d)),
        ]
    }

    fn leaf_text(l: &Leaf) -> String {
        match l {
            Leaf::Int(n) => n.to_string(),
            Leaf::Word(w) => w.clone(),
            Leaf::Quoted(s, true) => render(s, Quote::Double, ""),
            Leaf::Quoted(s, false) => render(s, Quote::Single, ""),
        }
    }

    prop_compose! {
        /// A document of nested mappings with comments, blank lines and a list, as text, with
        /// the paths of its leaves.
        fn document()(
            leaves in proptest::collection::vec((leaf(), 0usize..3, any::<bool>(), any::<bool>()), 1..12),
            crlf in any::<bool>(),
        ) -> (String, Vec<(Vec<String>, Leaf)>) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("# generated{nl}");
            let mut paths = vec![];
            for (i, (l, depth, comment, blank)) in leaves.iter().enumerate() {
                let mut path = vec![];
                let mut indent = String::new();
                for d in 0..*depth {
                    let k = format!("g{i}_{d}");
                    text.push_str(&format!("{indent}{k}:{nl}"));
                    path.push(k);
                    indent.push_str("  ");
                }
                let k = format!("k{i}");
                let c = if *comment { "  # note: keep" } else { "" };
                text.push_str(&format!("{indent}{k}: {}{c}{nl}", leaf_text(l)));
                if *blank {
                    text.push_str(nl);
                }
                path.push(k);
                paths.push((path, l.clone()));
            }
            text.push_str(&format!("list:{nl}  - a{nl}  - 'b' # x{nl}"));
            (text, paths)
        }
    }

    proptest! {
        #[test]
        fn an_edit_changes_only_its_scalar(
            (text, leaves) in document(),
            pick in any::<prop::sample::Index>(),
            new_int in any::<i32>(),
            new_str in "[ -~]{0,12}",
        ) {
            let (path, l) = &leaves[pick.index(leaves.len())];
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let (value, expect) = match l {
                Leaf::Int(_) => (new_int.to_string(), serde_json::json!(new_int)),
                _ => (new_str.clone(), serde_json::json!(new_str)),
            };
            let new = set_scalar(&text, 0, &path, &value).unwrap();
            check_edit(&text, &new, 0, &path, expect);
        }
    }

    prop_compose! {
        /// A document of block mappings (some nested), keys with trailing comments, comment
        /// lines at any indentation and blank lines between a key and its mapping, as text, with
        /// each mapping's path and keys.
        fn maps_document()(
            groups in proptest::collection::vec(
                (1usize..4, 1usize..5, any::<bool>(), 0usize..3, any::<bool>(), any::<bool>()),
                1..6,
            ),
            words in proptest::collection::vec(
                "[a-z][a-z0-9.-]{0,8}".prop_filter("reads as a string", |w| plain_kind(w) == Kind::Str),
                16,
            ),
            crlf in any::<bool>(),
        ) -> (String, Vec<(Vec<String>, Vec<String>)>) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("# generated{nl}top: 1{nl}");
            let mut maps = vec![];
            let mut w = words.iter().cycle();
            for (i, (leaves, indent, comment, comments, blank, nested)) in groups.iter().enumerate() {
                let ind = " ".repeat(*indent);
                let c = if *comment { " # note: keep" } else { "" };
                text.push_str(&format!("g{i}:{c}{nl}"));
                if *blank {
                    text.push_str(nl);
                }
                for j in 0..*comments {
                    text.push_str(&format!("{}# c{j}{nl}", " ".repeat((j * 3) % 7)));
                }
                let mut keys = vec![];
                for j in 0..*leaves {
                    text.push_str(&format!("{ind}k{i}_{j}: {}{nl}", w.next().unwrap()));
                    keys.push(format!("k{i}_{j}"));
                }
                maps.push((vec![format!("g{i}")], keys));
                if *nested {
                    text.push_str(&format!("{ind}n{i}: {c}{nl}{ind}{ind}m{i}: {}{nl}", w.next().unwrap()));
                    maps.push((vec![format!("g{i}"), format!("n{i}")], vec![format!("m{i}")]));
                }
                if *blank {
                    text.push_str(nl);
                }
            }
            text.push_str(&format!("list:{nl}  - a{nl}"));
            (text, maps)
        }
    }

    proptest! {
        #[test]
        fn a_switch_sets_or_inserts_only_its_line(
            (text, maps) in maps_document(),
            pick in any::<prop::sample::Index>(),
            key in any::<prop::sample::Index>(),
            fresh in any::<bool>(),
            new_str in "[ -~]{0,12}",
            flag in any::<bool>(),
        ) {
            let (map, keys) = &maps[pick.index(maps.len())];
            let map: Vec<&str> = map.iter().map(String::as_str).collect();
            if fresh {
                let mut path = map.clone();
                path.push("fresh");
                let new = set_or_insert(&text, 0, &map, "fresh", &new_str).unwrap();
                check_insert(&text, &new, 0, &path, serde_json::json!(new_str));
                let new = insert_scalar(&text, 0, &map, "fresh", &flag.to_string()).unwrap();
                check_insert(&text, &new, 0, &path, serde_json::json!(flag));
            } else {
                let k = keys[key.index(keys.len())].as_str();
                let mut path = map.clone();
                path.push(k);
                let new = set_or_insert(&text, 0, &map, k, &new_str).unwrap();
                check_edit(&text, &new, 0, &path, serde_json::json!(new_str));
                prop_assert!(insert_scalar(&text, 0, &map, k, "x").is_err());
            }
        }
    }
}
