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
//!
//! The quick actions built on it are in `edit.rs`. Two more shapes of edit, each as narrow: a missing key is inserted as exactly one new line
//! (the sync and backup switches), and the installer tag of a Talos machine-config patch is
//! replaced inside the text of its literal block scalar, located by parsing that text.

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
pub(crate) struct RawScalar {
    /// Byte range in the file: quotes included; a block scalar starts at its `|` or `>`.
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) style: ScalarStyle,
    pub(crate) anchored: bool,
    /// Written with a tag (`!!str 3`): the parser's span starts at the tag.
    pub(crate) tagged: bool,
    pub(crate) value: String,
    pub(crate) line: usize,
}

/// A mapping as the parser gave it.
pub(crate) struct MapAt {
    /// Written `{...}`.
    flow: bool,
    anchored: bool,
    /// Byte where the first key starts (`None` for an empty mapping).
    first_key: Option<usize>,
    /// Byte where the key naming this mapping ends (`None` in a sequence or at the root).
    key_end: Option<usize>,
}

/// What is written at a path.
pub(crate) enum Found {
    Scalar(RawScalar),
    Map(MapAt),
    Seq,
}

/// Finds what is at `path` in document `doc` of `text`: a scalar, a mapping or a sequence.
/// Refused: a path reached through an alias, complex keys on the way.
pub(crate) fn find_node(text: &str, doc: usize, path: &[&str]) -> Result<Found, EditError> {
    // The limits of the positioned tree hold here too: no file over the size cap (the byte map
    // below costs eight bytes a character), no nesting past MAX_DEPTH (no recursion here, but
    // the `anchored` bookkeeping grows with depth).
    let max = crate::repo::yaml::max_file_bytes();
    if text.len() as u64 > max {
        return Err(EditError(
            crate::repo::yaml::too_large(text.len() as u64).message,
        ));
    }
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
    // Whether each frame of `stack` carries an anchor: what is inside it may be aliased.
    let mut anchored: Vec<bool> = Vec::new();
    // How many frames of `stack` carry an anchor (so that the check is not a scan of `anchored`).
    let mut anchored_frames = 0usize;
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
        // saphyr-parser's character index can run past the text (found by `fuzz/`: a NEL in a
        // directive); such a span cannot be edited.
        let byte = |i: usize| {
            byte_of.get(i).map(|b| bom + b).ok_or_else(|| {
                EditError(format!(
                    "line {}: the parser's position is outside the text; edit it by hand",
                    span.start.line()
                ))
            })
        };
        let (s, e) = (byte(span.start.index())?, byte(span.end.index())?);
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
                anchored.clear();
                anchored_frames = 0;
                cur.clear();
            }
            _ if in_doc && want(&cur) && !is_key && anchored_frames > 0 => {
                return Err(EditError(format!(
                    "{} is inside an anchored node (&): other places may alias it; edit it by hand",
                    path.join(".")
                )));
            }
            Event::Scalar(value, style, anchor, tag) => {
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
                        tagged: tag.is_some(),
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
                if stack.len() >= crate::repo::yaml::MAX_DEPTH {
                    return Err(EditError(format!(
                        "line {}: nesting deeper than {} levels",
                        span.start.line(),
                        crate::repo::yaml::MAX_DEPTH
                    )));
                }
                stack.push(Frame::Map {
                    key: None,
                    key_end: 0,
                    path_len: cur.len(),
                });
                anchored.push(anchor > 0);
                anchored_frames += usize::from(anchor > 0);
            }
            Event::SequenceStart(anchor, _) => {
                if is_key {
                    return Err(EditError("complex mapping keys are not supported".into()));
                }
                if in_doc && want(&cur) {
                    found_seq = true;
                }
                if stack.len() >= crate::repo::yaml::MAX_DEPTH {
                    return Err(EditError(format!(
                        "line {}: nesting deeper than {} levels",
                        span.start.line(),
                        crate::repo::yaml::MAX_DEPTH
                    )));
                }
                stack.push(Frame::Seq {
                    index: 0,
                    path_len: cur.len(),
                });
                anchored.push(anchor > 0);
                anchored_frames += usize::from(anchor > 0);
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                if anchored.pop() == Some(true) {
                    anchored_frames -= 1;
                }
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
    // The parser's span of a tagged scalar starts at its tag, and that of a value written as
    // nothing (`key:`, `-`) sits where nothing can be written (before the `:`, or over a `}`):
    // replacing either would drop the tag or write the value into the key (`key3:`).
    if raw.tagged {
        return Err(EditError(format!(
            "{} carries a tag (!): edit it by hand",
            path.join(".")
        )));
    }
    if quote == Quote::Plain && raw.value.is_empty() {
        return Err(EditError(format!(
            "{} has no value written (an empty null): edit it by hand",
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
pub(crate) enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
}

pub(crate) fn plain_kind(s: &str) -> Kind {
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
    // `---` and `...` mark documents where a line starts (a root scalar starts its line).
    !s.is_empty()
        && !s.starts_with("---")
        && !s.starts_with("...")
        && !indicator('-')
        && !indicator('?')
        && !indicator(':')
        && !s.starts_with([
            ' ', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
        ])
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(needs_escape)
}

/// Characters a scalar can hold only escaped in double quotes (a tab may stay in single
/// quotes): C0 controls, DEL, C1 controls, the byte order mark and the non-characters U+FFFE/FFFF
/// (no YAML stream may contain them raw), and the line breaks of YAML 1.1 (NEL, U+2028,
/// U+2029: go-yaml, and so kubectl and the API server, folds them as line breaks).
fn needs_escape(c: char) -> bool {
    let u = c as u32;
    u < 0x20
        || (0x7f..=0x9f).contains(&u)
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// `value` written as a scalar of style `quote`, reading back as the same type as `old` did.
pub(crate) fn render(value: &str, quote: Quote, old: &str) -> String {
    let double = || {
        let mut out = String::from("\"");
        for c in value.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) <= 0xff && needs_escape(c) => {
                    out.push_str(&format!("\\x{:02X}", c as u32));
                }
                c if needs_escape(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    };
    match quote {
        Quote::Double => double(),
        Quote::Single if !value.chars().any(|c| c != '\t' && needs_escape(c)) => {
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
    verify(text, &out, doc, path, value)?;
    Ok(out)
}

/// Checks an edit by reading both texts: the edited one must read as the original but for one
/// scalar, the one at `path` of document `doc`, whose text is now `value`. The spans and styles above cover what the fuzzer found; this
/// turns anything they do not (a parser quirk, a style that reads differently) into a refusal
/// instead of a silently changed file. saphyr-parser, for one, accepts a flow sequence closed
/// at column 0 after a plain scalar (`key: [ a` / `]`) but not after a quoted one.
fn verify(old: &str, new: &str, doc: usize, path: &[&str], value: &str) -> Result<(), EditError> {
    use crate::repo::yaml;
    let (before, after) = (yaml::parse(old), yaml::parse(new));
    if let Some(e) = &after.error {
        // Render never writes a line break: an error already there stays on its line.
        if before
            .error
            .as_ref()
            .is_none_or(|b| b.pos.line != e.pos.line)
        {
            return Err(EditError(format!(
                "the edit would make the file unreadable (line {}: {}): edit it by hand",
                e.pos.line, e.message
            )));
        }
    }
    let changed =
        || EditError("the edit would change more than its scalar: edit it by hand".into());
    if before.docs.len() != after.docs.len() {
        return Err(changed());
    }
    // The scalar at the path reads as the value (the bytes replaced were that scalar's: after
    // a NEL in a directive, saphyr-parser's positions are off, and a comment was edited).
    let mut node = after.docs.get(doc).and_then(|d| d.root.as_ref());
    for seg in path {
        node = node.and_then(|n| match &n.value {
            yaml::Value::Map(_) => n.get(seg),
            yaml::Value::Seq(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
            yaml::Value::Scalar(_) => None,
        });
    }
    if node.and_then(yaml::Node::as_str) != Some(value) {
        return Err(changed());
    }
    let mut edited = 0;
    for (a, b) in before.docs.iter().zip(&after.docs) {
        let (a, b) = (flat(a.root.as_ref()), flat(b.root.as_ref()));
        if a.len() != b.len() {
            return Err(changed());
        }
        for (x, y) in a.iter().zip(&b) {
            match (x, y) {
                _ if x == y => {}
                (Flat::Leaf(..), Flat::Leaf(text, _)) if *text == value && edited == 0 => {
                    edited += 1
                }
                _ => return Err(changed()),
            }
        }
    }
    Ok(())
}

/// One step of a tree written flat (preorder), positions left out.
#[derive(PartialEq)]
enum Flat<'a> {
    Seq(usize),
    Map(usize),
    Key(&'a str),
    Leaf(&'a str, bool),
}

/// A document's tree as a flat list, without recursion (the tree may be 10,000 levels deep).
fn flat(root: Option<&crate::repo::yaml::Node>) -> Vec<Flat<'_>> {
    use crate::repo::yaml::{Node, Value};
    enum Item<'a> {
        Node(&'a Node),
        Key(&'a str),
    }
    let mut out = Vec::new();
    let mut stack: Vec<Item> = root.map(Item::Node).into_iter().collect();
    while let Some(item) = stack.pop() {
        let node = match item {
            Item::Key(k) => {
                out.push(Flat::Key(k));
                continue;
            }
            Item::Node(n) => n,
        };
        match &node.value {
            Value::Scalar(s) => out.push(Flat::Leaf(&s.text, s.quoted)),
            Value::Seq(items) => {
                out.push(Flat::Seq(items.len()));
                stack.extend(items.iter().rev().map(Item::Node));
            }
            Value::Map(entries) => {
                out.push(Flat::Map(entries.len()));
                for e in entries.iter().rev() {
                    stack.push(Item::Node(&e.value));
                    stack.push(Item::Key(&e.key));
                }
            }
        }
    }
    out
}

/// One replacement of bytes `start..end` of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Splice {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) new: String,
}

/// `text` with `splices` (non-overlapping) applied.
pub(crate) fn splice(text: &str, mut splices: Vec<Splice>) -> Result<String, EditError> {
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

/// Sets the scalar `key` of the mapping at `map_path` to the string `value`, or inserts it (see
/// [`insert_scalar`]) when the mapping lacks it: an inserted value is written plain when it reads
/// back as that string, double-quoted otherwise.
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
