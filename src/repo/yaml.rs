//! YAML with positions.
//!
//! `serde_yaml` forgets where things are; the browser and `blast check` need the line of every
//! document and of every field. This module builds a small positioned tree from the event stream
//! of `saphyr-parser` (a YAML 1.2 parser that reports spans), resolving anchors, aliases and
//! `<<` merge keys the way Kubernetes' YAML loader does.
//!
//! A file is a list of documents. A syntax error ends the stream: the documents parsed before it
//! are kept, and the error carries its line and column, so a broken file is shown as broken with
//! whatever could be read, never dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span};

/// A position in a file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    fn from_span(span: &Span) -> Pos {
        Pos {
            line: span.start.line(),
            col: span.start.col() + 1,
        }
    }
}

/// A YAML syntax error at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

impl YamlError {
    fn from_scan(e: &ScanError) -> YamlError {
        let m = e.marker();
        let message = match e.info() {
            // saphyr-parser counts flow levels in a u8.
            "recursion limit exceeded" => format!(
                "flow collections ([ ] {{ }}) nested deeper than {MAX_FLOW_DEPTH} levels (the parser's limit)"
            ),
            other => other.to_string(),
        };
        YamlError {
            pos: Pos {
                line: m.line(),
                col: m.col() + 1,
            },
            message,
        }
    }
}

/// A scalar's text and whether it was quoted (quoted scalars are always strings).
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub quoted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping; `key_pos` is where the key is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

/// A node of the tree. Cloning, comparing, converting to JSON and dropping a node never recurse
/// (they keep their own stack), so no depth of nesting can overflow the thread's stack; `Debug`
/// stops printing at [`DEBUG_DEPTH`] levels.
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// How deep `{:?}` of a [`Node`] prints before writing `…`.
pub const DEBUG_DEPTH: usize = 64;

const EMPTY: Value = Value::Scalar(Scalar {
    text: String::new(),
    quoted: false,
});

impl Node {
    /// Moves the value out, leaving an empty scalar (a `Node` has a `Drop`, so its fields cannot
    /// be moved out by a pattern).
    pub fn take_value(&mut self) -> Value {
        std::mem::replace(&mut self.value, EMPTY)
    }

    fn is_container(&self) -> bool {
        !matches!(self.value, Value::Scalar(_))
    }

    /// A bottom-up fold over the tree without recursion: `leaf` maps scalars, `seq` and `map`
    /// combine the folded children of a sequence or mapping.
    pub fn fold<'a, T>(
        &'a self,
        mut leaf: impl FnMut(&'a Node, &'a Scalar) -> T,
        mut seq: impl FnMut(&'a Node, Vec<T>) -> T,
        mut map: impl FnMut(&'a Node, Vec<(&'a Entry, T)>) -> T,
    ) -> T {
        struct Frame<'a, T> {
            node: &'a Node,
            next: usize,
            items: Vec<T>,
            entries: Vec<(&'a Entry, T)>,
        }
        let frame = |node: &'a Node| Frame {
            node,
            next: 0,
            items: Vec::new(),
            entries: Vec::new(),
        };
        if let Value::Scalar(s) = &self.value {
            return leaf(self, s);
        }
        let mut stack = vec![frame(self)];
        loop {
            let top = stack
                .last_mut()
                .expect("the stack holds the root until it is done");
            let i = top.next;
            top.next += 1;
            let child: Option<(Option<&'a Entry>, &'a Node)> = match &top.node.value {
                Value::Seq(items) => items.get(i).map(|n| (None, n)),
                Value::Map(entries) => entries.get(i).map(|e| (Some(e), &e.value)),
                Value::Scalar(_) => None,
            };
            match child {
                Some((entry, node)) => match &node.value {
                    Value::Scalar(s) => {
                        let v = leaf(node, s);
                        match entry {
                            Some(e) => top.entries.push((e, v)),
                            None => top.items.push(v),
                        }
                    }
                    _ => stack.push(frame(node)),
                },
                None => {
                    let done = stack.pop().expect("checked above");
                    let v = match &done.node.value {
                        Value::Map(_) => map(done.node, done.entries),
                        _ => seq(done.node, done.items),
                    };
                    let Some(parent) = stack.last_mut() else {
                        return v;
                    };
                    // The finished node is the parent's child just visited.
                    match &parent.node.value {
                        Value::Map(entries) => parent.entries.push((&entries[parent.next - 1], v)),
                        _ => parent.items.push(v),
                    }
                }
            }
        }
    }
    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The scalar text of this node, if it is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    /// Text of a non-empty, non-null scalar.
    pub fn as_text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) if s.quoted || !is_null(&s.text) => Some(&s.text),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s) if !s.quoted && is_null(&s.text))
    }

    /// Converts to JSON with the YAML 1.2 core schema for plain scalars (what a YAML 1.2 reader
    /// sees; [`Node::to_json_k8s`] is what the Kubernetes API server sees).
    pub fn to_json(&self) -> serde_json::Value {
        self.to_json_with(scalar_to_json)
    }

    /// Converts to JSON the way `kubectl` and the API server read YAML (sigs.k8s.io/yaml, whose
    /// go-yaml v2 resolves plain scalars by YAML 1.1 rules; see [`scalar_to_json_k8s`]).
    pub fn to_json_k8s(&self) -> serde_json::Value {
        self.to_json_with(scalar_to_json_k8s)
    }

    fn to_json_with(&self, leaf: fn(&Scalar) -> serde_json::Value) -> serde_json::Value {
        self.fold(
            |_, s| leaf(s),
            |_, items| serde_json::Value::Array(items),
            |_, entries| {
                serde_json::Value::Object(
                    entries
                        .into_iter()
                        .map(|(e, v)| (e.key.clone(), v))
                        .collect(),
                )
            },
        )
    }

    /// The node at a JSON-style path of keys and indices, with the deepest node found on the way
    /// when the full path does not exist (so an error can still point near its cause).
    pub fn locate<'a>(&'a self, path: &[PathSeg]) -> &'a Node {
        let mut node = self;
        for seg in path {
            let next = match (seg, &node.value) {
                (PathSeg::Key(k), Value::Map(entries)) => {
                    entries.iter().find(|e| &e.key == k).map(|e| &e.value)
                }
                (PathSeg::Index(i), Value::Seq(items)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node
    }

    /// Where the key that holds the node at `path` is written (for "unknown field" messages).
    pub fn key_pos(&self, path: &[PathSeg]) -> Pos {
        let Some((last, parent_path)) = path.split_last() else {
            return self.pos;
        };
        let parent = self.locate(parent_path);
        match (last, &parent.value) {
            (PathSeg::Key(k), Value::Map(entries)) => entries
                .iter()
                .find(|e| &e.key == k)
                .map(|e| e.key_pos)
                .unwrap_or(parent.pos),
            (PathSeg::Index(i), Value::Seq(items)) => {
                items.get(*i).map(|n| n.pos).unwrap_or(parent.pos)
            }
            _ => parent.pos,
        }
    }
}

impl Clone for Node {
    fn clone(&self) -> Node {
        self.fold(
            |n, s| Node {
                pos: n.pos,
                value: Value::Scalar(s.clone()),
            },
            |n, items| Node {
                pos: n.pos,
                value: Value::Seq(items),
            },
            |n, entries| Node {
                pos: n.pos,
                value: Value::Map(
                    entries
                        .into_iter()
                        .map(|(e, value)| Entry {
                            key: e.key.clone(),
                            key_pos: e.key_pos,
                            value,
                        })
                        .collect(),
                ),
            },
        )
    }
}

impl Drop for Node {
    /// Takes nested containers apart on a heap stack: the default drop of a `Vec` of nodes holding
    /// `Vec`s of nodes recurses once per level.
    fn drop(&mut self) {
        let nested = match &self.value {
            Value::Seq(items) => items.iter().any(Node::is_container),
            Value::Map(entries) => entries.iter().any(|e| e.value.is_container()),
            Value::Scalar(_) => false,
        };
        if !nested {
            return;
        }
        let mut stack = vec![self.take_value()];
        while let Some(value) = stack.pop() {
            match value {
                Value::Seq(items) => {
                    for mut n in items {
                        if n.is_container() {
                            stack.push(n.take_value());
                        }
                    }
                }
                Value::Map(entries) => {
                    for mut e in entries {
                        if e.value.is_container() {
                            stack.push(e.value.take_value());
                        }
                    }
                }
                Value::Scalar(_) => {}
            }
        }
    }
}

impl PartialEq for Node {
    fn eq(&self, other: &Node) -> bool {
        let mut stack = vec![(self, other)];
        while let Some((a, b)) = stack.pop() {
            if a.pos != b.pos {
                return false;
            }
            match (&a.value, &b.value) {
                (Value::Scalar(x), Value::Scalar(y)) if x == y => {}
                (Value::Seq(x), Value::Seq(y)) if x.len() == y.len() => {
                    stack.extend(x.iter().zip(y));
                }
                (Value::Map(x), Value::Map(y)) if x.len() == y.len() => {
                    for (p, q) in x.iter().zip(y) {
                        if p.key != q.key || p.key_pos != q.key_pos {
                            return false;
                        }
                        stack.push((&p.value, &q.value));
                    }
                }
                _ => return false,
            }
        }
        true
    }
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Limited<'a>(&'a Node, usize);
        impl std::fmt::Debug for Limited<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let Limited(node, depth) = *self;
                if depth >= DEBUG_DEPTH && node.is_container() {
                    return write!(f, "Node {{ pos: {:?}, value: … }}", node.pos);
                }
                let mut s = f.debug_struct("Node");
                s.field("pos", &node.pos);
                match &node.value {
                    Value::Scalar(x) => s.field("value", x),
                    Value::Seq(items) => s.field(
                        "seq",
                        &items
                            .iter()
                            .map(|n| Limited(n, depth + 1))
                            .collect::<Vec<_>>(),
                    ),
                    Value::Map(entries) => s.field(
                        "map",
                        &entries
                            .iter()
                            .map(|e| (&e.key, e.key_pos, Limited(&e.value, depth + 1)))
                            .collect::<Vec<_>>(),
                    ),
                };
                s.finish()
            }
        }
        Limited(self, 0).fmt(f)
    }
}

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

fn is_null(text: &str) -> bool {
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
fn go_parse_int(t: &str) -> Option<i64> {
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

fn parse_int(t: &str) -> Option<i64> {
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

fn parse_float(t: &str) -> Option<f64> {
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

/// One YAML document of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Line of the document's first content (or its `---` marker).
    pub start_line: usize,
    /// Last line that belongs to the document (before the next `---`).
    pub end_line: usize,
    /// `None` for an empty document (`---` followed by nothing but comments).
    pub root: Option<Node>,
    /// Same key written twice in one mapping: Kubernetes rejects these.
    pub duplicate_keys: Vec<(Pos, String)>,
    /// Levels of collections in the document (a scalar root is 0), aliases expanded.
    pub depth: usize,
}

/// A parsed file: its documents and, if the stream broke, the error that ended it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedFile {
    pub docs: Vec<Document>,
    pub error: Option<YamlError>,
}

// ---------------------------------------------------------------------------------------------
// Limits. A YAML file is input from anyone who can open a pull request, so reading one must not
// exhaust the stack, the memory or the time of the console or of `blast check`.

/// Deepest nesting read (go-yaml v3 refuses past 10,000 levels too). The tree is built, walked
/// and dropped without recursion, so the limit is about what a manifest can sensibly be, not
/// about the stack; the error points at the collection that passes it.
pub const MAX_DEPTH: usize = 10_000;

/// Deepest nesting of flow collections: saphyr-parser refuses the 256th level. Block
/// collections go to [`MAX_DEPTH`].
pub const MAX_FLOW_DEPTH: usize = 255;

/// Deepest nesting of collections used as mapping keys (`? ? ? a`). saphyr-parser takes time
/// that grows much faster than the text for deeply nested explicit keys (7 minutes for 10,000
/// levels in a 20 kB file), and no manifest uses a collection as a key at all.
pub const MAX_KEY_DEPTH: usize = 64;

/// Most nodes in one document, aliases expanded: about 100 MB of tree. The largest real
/// manifests (CRD bundles) have tens of thousands; a 10 MB flow sequence on one line has
/// millions, and is refused at the node that passes the limit rather than held in memory.
pub const MAX_DOC_NODES: u64 = 1_000_000;

/// Copies that anchors and aliases may make in one file, in nodes, before any is refused.
pub const ALIAS_FLOOR: u64 = 100_000;

/// Default of [`max_file_bytes`]: files larger than this are reported, not read.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

static MAX_FILE_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_FILE_BYTES);

/// The size above which a YAML file is reported instead of read (`[limits] max_file_mb` in the
/// config; 64 MB by default).
pub fn max_file_bytes() -> u64 {
    MAX_FILE_BYTES.load(Ordering::Relaxed)
}

/// Sets [`max_file_bytes`] for the process (from the config, once at start).
pub fn set_max_file_bytes(bytes: u64) {
    MAX_FILE_BYTES.store(bytes.max(1), Ordering::Relaxed);
}

/// The error for a file over [`max_file_bytes`].
pub fn too_large(bytes: u64) -> YamlError {
    YamlError {
        pos: Pos { line: 1, col: 1 },
        message: format!(
            "file is {} MB, over the {} MB limit for YAML files (`[limits] max_file_mb` in the config); not read",
            bytes.div_ceil(1024 * 1024),
            max_file_bytes() / (1024 * 1024)
        ),
    }
}

/// Checks a text against the limits of this module (size, depth, aliases, nodes, control
/// characters) without keeping any tree: for the places that still deserialize YAML with
/// `serde_yaml` (the demo's fixtures and scenarios, the CRDs of `check --schemas`), which must
/// not meet an alias bomb or a 100,000-level nest unguarded. Syntax errors are reported too.
pub fn guard(text: &str) -> Result<(), YamlError> {
    let len = text.len() as u64;
    if len > max_file_bytes() {
        return Err(too_large(len));
    }
    match parse_each(text, drop) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Parses a whole file. Handles a UTF-8 BOM, CRLF line endings, `---`/`...` markers,
/// comments, anchors, aliases and merge keys.
pub fn parse(text: &str) -> ParsedFile {
    let mut docs = Vec::new();
    let error = parse_each(text, |d| docs.push(d));
    ParsedFile { docs, error }
}

/// Parses a file and hands each document over as soon as it is complete, so only one or two
/// documents' trees are in memory at a time (a 20 MB file of many documents stays small).
/// Returns the error that ended the stream, if any; the documents before it were handed over.
///
/// Bounded (see [`MAX_DEPTH`], [`MAX_DOC_NODES`] and [`Builder::alias_budget`]): an alias bomb,
/// deep nesting or a huge document ends the stream with an error at the line that passes the
/// limit. A control character or a non-character anywhere in the text ends the stream at its
/// position before the parser sees it (saphyr-parser would take a NUL for the end of input).
pub fn parse_each(text: &str, on_doc: impl FnMut(Document)) -> Option<YamlError> {
    parse_each_cut(text, None, on_doc)
}

/// [`parse_each`] of a text that was cut short by `cut` (a decoding error just after its end):
/// the document the cut falls in is incomplete, so it is not handed over, and `cut` is the
/// error unless the parser met one before it.
pub fn parse_each_cut(
    text: &str,
    cut: Option<YamlError>,
    mut on_doc: impl FnMut(Document),
) -> Option<YamlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (text, bad) = match first_unprintable(text) {
        Some((at, err)) => (&text[..at], Some(err)),
        None => (text, cut),
    };
    // saphyr-parser refuses a tab between `key:` and a plain value that starts with a letter or
    // `-` (`key:<TAB>value`), which YAML 1.2 allows (only tabs that would indent a block
    // collection are invalid). Where that is its error, the tabs are turned into spaces (same
    // columns, and separation is not part of any value) and the text parsed again; documents
    // handed over before are not handed over twice. A few such lines per file at most.
    let mut patched: Option<String> = None;
    let mut handed = 0usize;
    let mut retries = 0;
    loop {
        let current = patched.as_deref().unwrap_or(text);
        let mut seen = 0usize;
        let (mut error, mut held) = parse_once(current, |doc| {
            seen += 1;
            if seen > handed {
                handed = seen;
                on_doc(doc);
            }
        });
        if let Some(e) = &error
            && e.message == TAB_AFTER_COLON
            && retries < MAX_TAB_RETRIES
            && let Some(fixed) = untab_value(current, e.pos)
        {
            retries += 1;
            patched = Some(fixed);
            continue;
        }
        if let Some(bad) = bad {
            // The text was cut at the bad character: the document it was in is incomplete (an
            // error the parser found before it still wins).
            if error.is_none() {
                error = Some(bad);
                held = None;
            }
        }
        if let Some(mut last) = held {
            let total_lines = current.lines().count().max(1);
            last.end_line = match &error {
                Some(e) => e.pos.line.max(last.start_line),
                None => total_lines.max(last.start_line),
            };
            seen += 1;
            if seen > handed {
                on_doc(last);
            }
        }
        return error;
    }
}

const TAB_AFTER_COLON: &str = "':' must be followed by a valid YAML whitespace";

/// Lines with a tab after `key:` fixed per file before the error stands (each costs a parse).
const MAX_TAB_RETRIES: usize = 32;

/// `text` with the tabs between a `:` and the value starting at `pos` made spaces, when that
/// value is a plain or quoted scalar (not a block sequence `- `, explicit key `? ` or an implicit
/// key `k: `, which a tab may not indent).
fn untab_value(text: &str, pos: Pos) -> Option<String> {
    let line_start = if pos.line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(pos.line - 2)?.0 + 1
    };
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let value_at = line
        .char_indices()
        .nth(pos.col.checked_sub(1)?)
        .map_or(line.len(), |(i, _)| i);
    let before = &line[..value_at];
    let gap = before.len() - before.trim_end_matches([' ', '\t']).len();
    if gap == 0 || !before[..before.len() - gap].ends_with(':') {
        return None;
    }
    let rest = line[value_at..].trim_end_matches('\r');
    let mut chars = rest.chars();
    let first = chars.next();
    let blank_after = |c: Option<char>| matches!(c, None | Some(' ' | '\t'));
    if matches!(first, Some('-' | '?' | ':')) && blank_after(chars.next()) {
        return None;
    }
    if !matches!(first, Some('"' | '\'')) {
        let code = rest.find([' ', '\t']).and_then(|_| {
            rest.match_indices('#')
                .find(|(i, _)| *i > 0 && matches!(rest.as_bytes()[i - 1], b' ' | b'\t'))
                .map(|(i, _)| &rest[..i])
        });
        let b = code.unwrap_or(rest).as_bytes();
        let key_like =
            (0..b.len()).any(|i| b[i] == b':' && matches!(b.get(i + 1), None | Some(b' ' | b'\t')));
        if key_like {
            return None;
        }
    }
    let mut out = String::with_capacity(text.len());
    let gap_start = line_start + value_at - gap;
    out.push_str(&text[..gap_start]);
    out.push_str(&text[gap_start..line_start + value_at].replace('\t', " "));
    out.push_str(&text[line_start + value_at..]);
    Some(out)
}

/// One pass of the parser over `text`: documents are handed over once the next one is
/// complete (a document's end is the line before the next starts); returns the error that
/// ended the stream and the last complete document, not yet handed over.
fn parse_once(
    text: &str,
    mut on_doc: impl FnMut(Document),
) -> (Option<YamlError>, Option<Document>) {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let mut error = None;
    let mut held: Option<Document> = None;
    let mut on_complete = |doc: Document| {
        if let Some(mut prev) = held.take() {
            prev.end_line = doc.start_line.saturating_sub(1).max(prev.start_line);
            on_doc(prev);
        }
        held = Some(doc);
    };
    loop {
        match parser.next_event() {
            None => break,
            Some(Err(e)) => {
                error = Some(YamlError::from_scan(&e));
                break;
            }
            Some(Ok((event, span))) => {
                if let Err(e) = builder.on_event(event, span, &mut on_complete) {
                    error = Some(e);
                    break;
                }
            }
        }
    }
    (error, held)
}

/// The first character YAML does not allow in a stream (C0 controls other than tab, LF and CR;
/// DEL; C1 controls other than NEL; U+FFFE and U+FFFF), with its position.
fn first_unprintable(text: &str) -> Option<(usize, YamlError)> {
    let (at, c) = text.char_indices().find(|&(_, c)| {
        let u = c as u32;
        (u < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
            || (0x7f..=0x9f).contains(&u) && u != 0x85
            || u == 0xfffe
            || u == 0xffff
    })?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    let what = match c {
        '\0' => "a NUL byte".to_string(),
        _ => format!("the control character U+{:04X}", c as u32),
    };
    Some((
        at,
        YamlError {
            pos: Pos { line, col },
            message: format!("{what} is not allowed in YAML"),
        },
    ))
}

/// One finished node's measures, kept beside the tree instead of in every node.
#[derive(Clone, Copy)]
struct Size {
    /// Nodes in the subtree, aliases expanded (saturating).
    nodes: u64,
    /// Levels of collections in the subtree (a scalar is 0).
    height: usize,
}

const LEAF: Size = Size {
    nodes: 1,
    height: 0,
};

/// A collection just opened: one node, one level.
const OPEN: Size = Size {
    nodes: 1,
    height: 1,
};

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
        size: Size,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<Entry>,
        pending_key: Option<(String, Pos)>,
        merges: Vec<Node>,
        size: Size,
    },
}

impl Frame {
    fn size_mut(&mut self) -> &mut Size {
        match self {
            Frame::Seq { size, .. } | Frame::Map { size, .. } => size,
        }
    }
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// For each frame of `stack`, whether the collection is a mapping key (`? [a]: b`).
    key_frames: Vec<bool>,
    /// How many frames of `stack` are mapping keys.
    key_depth: usize,
    anchors: HashMap<usize, (Node, Size)>,
    doc_start: Option<usize>,
    root: Option<(Node, Size)>,
    duplicates: Vec<(Pos, String)>,
    /// Nodes written in the file so far (scalars and collections, not aliases).
    written: u64,
    /// Nodes copied so far for anchors and aliases.
    copied: u64,
    /// Nodes of the current document, aliases expanded.
    doc_nodes: u64,
}

impl Builder {
    /// How many nodes anchors and aliases may copy, given what has been written so far.
    ///
    /// Every alias is expanded into a copy of its anchor's tree (the console and the schema
    /// checks want plain trees), and registering an anchor keeps a copy of its node. Each node's
    /// size is known when it ends, so the cost of a copy is counted before it is made and a
    /// "billion laughs" is refused at the first alias that would pass the budget, without
    /// expanding anything.
    ///
    /// go-yaml v3 (`allowedAliasRatio` in decode.go) lets alias expansion produce up to 99% of
    /// the nodes of a document of up to 400,000 nodes, sliding to 10% at 4,000,000; that still
    /// allows over a million alias-made nodes in the middle of the range, per document. Here the
    /// whole file shares one budget, because the index and `blast check` read files in parallel
    /// and a file may hold thousands of documents: copies may add at most as many nodes as were
    /// written (the tree at most doubles), and at least [`ALIAS_FLOOR`] so that a small file
    /// with a large anchor used many times (a shared `resources:` block) is not refused. Copies
    /// are thus bounded by the file's own size, in time and memory.
    fn alias_budget(&self) -> u64 {
        self.written.max(ALIAS_FLOOR)
    }

    fn spend(&mut self, nodes: u64, pos: Pos, what: &str) -> Result<(), YamlError> {
        let after = self.copied.saturating_add(nodes);
        if after > self.alias_budget() {
            return Err(YamlError {
                pos,
                message: format!(
                    "{what} would expand to {nodes} nodes; anchors and aliases may copy at most {} nodes in this file (an alias bomb?)",
                    self.alias_budget()
                ),
            });
        }
        self.copied = after;
        Ok(())
    }

    fn count_doc_nodes(&mut self, nodes: u64, pos: Pos) -> Result<(), YamlError> {
        self.doc_nodes = self.doc_nodes.saturating_add(nodes);
        if self.doc_nodes > MAX_DOC_NODES {
            return Err(YamlError {
                pos,
                message: format!(
                    "document has more than {MAX_DOC_NODES} nodes (aliases expanded); not read further"
                ),
            });
        }
        Ok(())
    }

    fn open(&mut self, pos: Pos) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                pos,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            });
        }
        let is_key = matches!(
            self.stack.last(),
            Some(Frame::Map {
                pending_key: None,
                ..
            })
        );
        if is_key && self.key_depth >= MAX_KEY_DEPTH {
            return Err(YamlError {
                pos,
                message: format!(
                    "collections used as mapping keys nested deeper than {MAX_KEY_DEPTH} levels"
                ),
            });
        }
        self.key_depth += usize::from(is_key);
        self.key_frames.push(is_key);
        self.written += 1;
        self.count_doc_nodes(1, pos)
    }

    fn on_event(
        &mut self,
        event: Event<'_>,
        span: Span,
        on_doc: &mut impl FnMut(Document),
    ) -> Result<(), YamlError> {
        let pos = Pos::from_span(&span);
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                self.doc_start = Some(pos.line);
                self.root = None;
                self.anchors.clear();
                self.duplicates.clear();
                self.doc_nodes = 0;
            }
            Event::DocumentEnd => {
                let root = self.root.take();
                let start = match (&root, self.doc_start.take()) {
                    (Some((r, _)), Some(s)) => s.min(r.pos.line),
                    (Some((r, _)), None) => r.pos.line,
                    (None, Some(s)) => s,
                    (None, None) => pos.line,
                };
                let depth = root.as_ref().map_or(0, |(_, size)| size.height);
                // Anchors do not cross documents; drop their copies now.
                self.anchors.clear();
                on_doc(Document {
                    start_line: start,
                    end_line: start,
                    root: root.map(|(n, _)| n),
                    duplicate_keys: std::mem::take(&mut self.duplicates),
                    depth,
                });
            }
            Event::Alias(id) => {
                let Some((_, size)) = self.anchors.get(&id) else {
                    return Err(YamlError {
                        pos,
                        message: "alias refers to an unknown anchor".into(),
                    });
                };
                let size = *size;
                if self.stack.len() + size.height > MAX_DEPTH {
                    return Err(YamlError {
                        pos,
                        message: format!(
                            "this alias would nest the document deeper than {MAX_DEPTH} levels"
                        ),
                    });
                }
                self.spend(size.nodes, pos, "this alias")?;
                self.count_doc_nodes(size.nodes, pos)?;
                let mut node = self.anchors[&id].0.clone();
                node.pos = pos;
                self.push_node(node, size);
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.written += 1;
                self.count_doc_nodes(1, pos)?;
                // `!!str`, and the non-specific tag `!` (spec 6.9.1: a plain scalar tagged `!`
                // is a string, S4JQ), make the text a string whatever it looks like.
                let quoted = !matches!(style, ScalarStyle::Plain)
                    || tag.as_ref().is_some_and(|t| {
                        t.suffix == "str" || (t.handle.is_empty() && t.suffix == "!")
                    });
                let node = Node {
                    pos,
                    value: Value::Scalar(Scalar {
                        text: text.into_owned(),
                        quoted,
                    }),
                };
                self.finish(node, LEAF, anchor)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(pos)?;
                self.stack.push(Frame::Seq {
                    pos,
                    anchor,
                    items: Vec::new(),
                    size: OPEN,
                })
            }
            Event::MappingStart(anchor, _) => {
                self.open(pos)?;
                self.stack.push(Frame::Map {
                    pos,
                    anchor,
                    entries: Vec::new(),
                    pending_key: None,
                    merges: Vec::new(),
                    size: OPEN,
                })
            }
            Event::SequenceEnd => {
                self.close();
                if let Some(Frame::Seq {
                    pos,
                    anchor,
                    items,
                    size,
                }) = self.stack.pop()
                {
                    self.finish(
                        Node {
                            pos,
                            value: Value::Seq(items),
                        },
                        size,
                        anchor,
                    )?;
                }
            }
            Event::MappingEnd => {
                self.close();
                if let Some(Frame::Map {
                    pos,
                    anchor,
                    mut entries,
                    merges,
                    size,
                    ..
                }) = self.stack.pop()
                {
                    // `<<: *base` — keys written in the mapping win over merged ones.
                    for mut merged in merges {
                        let sources = match merged.take_value() {
                            Value::Map(e) => vec![e],
                            Value::Seq(items) => items
                                .into_iter()
                                .filter_map(|mut n| match n.take_value() {
                                    Value::Map(e) => Some(e),
                                    _ => None,
                                })
                                .collect(),
                            Value::Scalar(_) => vec![],
                        };
                        for source in sources {
                            for e in source {
                                if !entries.iter().any(|x| x.key == e.key) {
                                    entries.push(e);
                                }
                            }
                        }
                    }
                    self.finish(
                        Node {
                            pos,
                            value: Value::Map(entries),
                        },
                        size,
                        anchor,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Forgets the key flag of the frame about to be popped.
    fn close(&mut self) {
        if self.key_frames.pop() == Some(true) {
            self.key_depth -= 1;
        }
    }

    /// Records a finished node under its anchor (if any) and places it in its parent.
    fn finish(&mut self, node: Node, size: Size, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            // Keeping the anchor's copy costs as much as an alias to it.
            self.spend(size.nodes, node.pos, "this anchor")?;
            self.anchors.insert(anchor, (node.clone(), size));
        }
        self.push_node(node, size);
        Ok(())
    }

    fn push_node(&mut self, node: Node, size: Size) {
        let Some(top) = self.stack.last_mut() else {
            self.root = Some((node, size));
            return;
        };
        let parent = top.size_mut();
        parent.nodes = parent.nodes.saturating_add(size.nodes);
        parent.height = parent.height.max(size.height + 1);
        match top {
            Frame::Seq { items, .. } => items.push(node),
            Frame::Map {
                entries,
                pending_key,
                merges,
                ..
            } => match pending_key.take() {
                None => {
                    // A key. Complex keys (maps, sequences) are flattened to their JSON text,
                    // which is what a JSON-based loader would do with them.
                    let key = match &node.value {
                        Value::Scalar(s) => s.text.clone(),
                        _ if size.height > 32 => format!("<a {}-level complex key>", size.height),
                        _ => node.to_json().to_string(),
                    };
                    *pending_key = Some((key, node.pos));
                }
                Some((key, key_pos)) => {
                    if key == "<<" {
                        merges.push(node);
                    } else if let Some(existing) = entries.iter_mut().find(|e| e.key == key) {
                        self.duplicates.push((key_pos, key.clone()));
                        existing.value = node;
                    } else {
                        entries.push(Entry {
                            key,
                            key_pos,
                            value: node,
                        });
                    }
                }
            },
        }
    }
}

/// For each line, whether it is inside a block scalar (`|` or `>` content).
pub fn block_scalar_lines(lines: &[String]) -> Vec<bool> {
    let mut out = Vec::with_capacity(lines.len());
    // Indentation of the line that opened the block scalar.
    let mut block: Option<usize> = None;
    for line in lines {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty();
        if let Some(open) = block {
            if blank || indent > open {
                out.push(true);
                continue;
            }
            block = None;
        }
        out.push(false);
        let code = strip_comment(line).trim_end();
        let opens = code
            .rsplit_once([' ', ':'])
            .map(|(_, ind)| ind)
            .filter(|ind| !ind.is_empty() && (ind.starts_with('|') || ind.starts_with('>')))
            .is_some_and(|ind| ind[1..].chars().all(|c| matches!(c, '-' | '+' | '0'..='9')));
        if opens && (code.contains(": ") || code.trim_start().starts_with('-')) {
            block = Some(indent);
        }
    }
    out
}

/// The part of a line before a `#` comment (outside quotes).
pub fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && (prev == ' ' || prev == '\t' || i == 0) => return &line[..i],
            None => {}
        }
        prev = c;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(f: &ParsedFile) -> Vec<Option<String>> {
        f.docs
            .iter()
            .map(|d| {
                d.root
                    .as_ref()
                    .and_then(|r| r.get("kind"))
                    .and_then(|k| k.as_text())
                    .map(String::from)
            })
            .collect()
    }

    #[test]
    fn multi_document_with_markers_and_comments() {
        let src = "# leading comment\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n# second\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n...\n---\nkind: Service\n";
        let f = parse(src);
        assert_eq!(f.error, None);
        assert_eq!(
            kinds(&f),
            vec![
                Some("Namespace".into()),
                Some("ConfigMap".into()),
                Some("Service".into())
            ]
        );
        assert_eq!(f.docs[0].start_line, 2);
        assert_eq!(f.docs[1].start_line, 6);
        assert_eq!(f.docs[2].start_line, 13);
        assert_eq!(f.docs[0].end_line, 5);
        assert_eq!(f.docs[2].end_line, 14);
    }

    #[test]
    fn crlf_and_bom() {
        let src = "\u{feff}apiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: crlf\r\n---\r\nkind: Pod\r\nmetadata: {name: p}\r\n";
        let f = parse(src);
        assert_eq!(f.error, None);
        let root = f.docs[0].root.as_ref().unwrap();
        assert_eq!(
            root.get("metadata").unwrap().get("name").unwrap().as_str(),
            Some("crlf")
        );
        assert_eq!(f.docs[1].start_line, 5);
        let name = f.docs[1]
            .root
            .as_ref()
            .unwrap()
            .get("metadata")
            .unwrap()
            .get("name")
            .unwrap();
        assert_eq!(name.as_str(), Some("p"));
        assert_eq!(name.pos.line, 7);
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let src =
            "base: &b\n  cpu: 100m\n  memory: 64Mi\nlimits:\n  <<: *b\n  memory: 128Mi\ncopy: *b\n";
        let f = parse(src);
        assert_eq!(f.error, None);
        let root = f.docs[0].root.as_ref().unwrap();
        let limits = root.get("limits").unwrap();
        assert_eq!(limits.get("cpu").unwrap().as_str(), Some("100m"));
        assert_eq!(limits.get("memory").unwrap().as_str(), Some("128Mi"));
        assert_eq!(
            root.get("copy").unwrap().get("memory").unwrap().as_str(),
            Some("64Mi")
        );
        assert!(root.get("limits").unwrap().get("<<").is_none());
    }

    #[test]
    fn syntax_error_keeps_earlier_documents_and_position() {
        let src = "kind: A\n---\nkind: B\nmetadata:\n  name: [unclosed\n  other: x\n";
        let f = parse(src);
        let err = f.error.clone().expect("error");
        assert!(err.pos.line >= 5, "{err:?}");
        assert_eq!(kinds(&f), vec![Some("A".into())]);
    }

    #[test]
    fn bad_indentation_is_an_error_with_line() {
        let src = "metadata:\n  name: x\n   bad: y\n";
        let f = parse(src);
        let err = f.error.expect("error");
        assert_eq!(err.pos.line, 3);
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let f = parse(
            "a: 3\nb: '3'\nc: 1.36\nd: true\ne: ~\nf: v1.36.3\ng: 0x1F\nh: !!str 5\ni: 1e3\n",
        );
        let j = f.docs[0].root.as_ref().unwrap().to_json();
        assert_eq!(j["a"], serde_json::json!(3));
        assert_eq!(j["b"], serde_json::json!("3"));
        assert_eq!(j["c"], serde_json::json!(1.36));
        assert_eq!(j["d"], serde_json::json!(true));
        assert_eq!(j["e"], serde_json::Value::Null);
        assert_eq!(j["f"], serde_json::json!("v1.36.3"));
        assert_eq!(j["g"], serde_json::json!(31));
        assert_eq!(j["h"], serde_json::json!("5"));
        assert_eq!(j["i"], serde_json::json!(1000.0));
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let f = parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(
            f.docs[0].duplicate_keys,
            vec![(Pos { line: 3, col: 1 }, "a".to_string())]
        );
    }

    #[test]
    fn empty_documents_and_empty_file() {
        assert!(parse("").docs.iter().all(|d| d.root.is_none()));
        let f = parse("---\n# only a comment\n---\nkind: X\n");
        assert_eq!(f.error, None);
        assert_eq!(kinds(&f), vec![None, Some("X".into())]);
    }

    #[test]
    fn locate_and_paths() {
        let f = parse("spec:\n  containers:\n  - name: a\n    image: x\n");
        let root = f.docs[0].root.as_ref().unwrap();
        let path = vec![
            PathSeg::Key("spec".into()),
            PathSeg::Key("containers".into()),
            PathSeg::Index(0),
            PathSeg::Key("image".into()),
        ];
        assert_eq!(root.locate(&path).pos.line, 4);
        assert_eq!(root.key_pos(&path), Pos { line: 4, col: 5 });
        assert_eq!(path_string(&path), "spec.containers[0].image");
    }

    /// Runs `f` on a thread with a small stack (256 KiB), so recursion in it would overflow.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .expect("no stack overflow or panic")
    }

    fn depth_error(src: String) -> YamlError {
        on_small_stack(move || parse(&src).error.expect("refused"))
    }

    #[test]
    fn a_million_flow_sequences_are_refused_at_the_parsers_flow_limit() {
        let e = depth_error("[".repeat(1_000_000));
        assert_eq!(
            e.pos,
            Pos {
                line: 1,
                col: MAX_FLOW_DEPTH + 1
            },
            "{e:?}"
        );
        assert!(e.message.contains("deeper than 255"), "{e:?}");
    }

    #[test]
    fn a_million_flow_mappings_are_refused_at_the_parsers_flow_limit() {
        let e = depth_error("{a: ".repeat(1_000_000));
        assert_eq!(
            e.pos,
            Pos {
                line: 1,
                col: 4 * MAX_FLOW_DEPTH + 1
            },
            "{e:?}"
        );
    }

    #[test]
    fn a_million_block_sequences_are_refused_at_the_limit() {
        let e = depth_error(format!("{}x\n", "- ".repeat(1_000_000)));
        assert_eq!(
            e.pos,
            Pos {
                line: 1,
                col: 2 * MAX_DEPTH + 1
            },
            "{e:?}"
        );
    }

    #[test]
    fn a_million_block_mappings_are_refused_at_the_limit() {
        // `? ` opens a block mapping whose key is the rest of the line: one level per `? `.
        // Collections as keys stop at MAX_KEY_DEPTH (the parser is slow past that).
        let e = depth_error(format!("{}x\n", "? ".repeat(1_000_000)));
        let col = 2 * (MAX_KEY_DEPTH + 1) + 1;
        assert_eq!(e.pos, Pos { line: 1, col }, "{e:?}");
    }

    #[test]
    fn deep_documents_at_the_limits_parse_in_bounded_time() {
        // Only the block sequence so far. Not yet bounded (issue 14, open): saphyr-parser takes
        // minutes for some deep shapes that are refused only past their limit (explicit keys,
        // flow collections, indented mappings); see the note.
        let name = "block seq";
        let src = format!("{}x\n", "- ".repeat(MAX_DEPTH));
        let started = std::time::Instant::now();
        let f = on_small_stack(move || parse(&src).error);
        let took = started.elapsed();
        eprintln!("{name}: {took:?}");
        assert_eq!(f, None, "{name}");
        assert!(took < std::time::Duration::from_secs(5), "{name}: {took:?}");
    }

    #[test]
    fn a_tree_at_the_depth_limit_is_built_cloned_compared_converted_and_dropped_on_a_small_stack() {
        on_small_stack(|| {
            let src = format!("{}x\n", "- ".repeat(MAX_DEPTH));
            let f = parse(&src);
            assert_eq!(f.error, None);
            assert_eq!(f.docs[0].depth, MAX_DEPTH);
            let root = f.docs[0].root.clone().unwrap();
            assert_eq!(&root, f.docs[0].root.as_ref().unwrap());
            let json = root.to_json();
            let mut depth = 0;
            let mut j = &json;
            while let serde_json::Value::Array(items) = j {
                depth += 1;
                j = &items[0];
            }
            assert_eq!((depth, j), (MAX_DEPTH, &serde_json::json!("x")));
            // serde_json's own drop recurses: take it apart by hand.
            drop_json(json);
            assert!(format!("{root:?}").contains('…'));
        });
    }

    #[test]
    fn one_past_the_limit_is_refused_at_the_collection_that_passes_it() {
        let src = format!("a:\n  b:\n  - {}x\n", "- ".repeat(MAX_DEPTH));
        // The root mapping is level 1, `a`'s mapping 2, the sequences start at level 3.
        let e = parse(&src).error.unwrap();
        assert_eq!(
            e.pos,
            Pos {
                line: 3,
                col: 3 + 2 * (MAX_DEPTH - 2)
            },
            "{e:?}"
        );
    }

    fn laughs(levels: usize) -> String {
        let mut src = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        let names: Vec<char> = ('a'..='z').collect();
        for i in 1..levels {
            let (prev, name) = (names[i - 1], names[i]);
            let refs = vec![format!("*{prev}"); 9].join(", ");
            src.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        src
    }

    #[test]
    fn an_alias_bomb_is_refused_at_the_line_that_passes_the_budget_without_expanding() {
        let started = std::time::Instant::now();
        let f = parse(&laughs(10));
        let e = f.error.expect("refused");
        // 10, 91, 820, 7381 nodes per level: level 5 (`e`, 66430 nodes) passes 100,000 copies.
        assert_eq!(e.pos.line, 5, "{e:?}");
        assert!(e.message.contains("alias bomb"), "{e:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        // Four levels fit the budget and expand in full.
        let f = parse(&laughs(4));
        assert_eq!(f.error, None);
        let d = f.docs[0].root.as_ref().unwrap().get("d").unwrap();
        assert_eq!(d.to_json().to_string().matches("lol").count(), 729 * 9);
    }

    #[test]
    fn aliases_that_would_nest_past_the_limit_are_refused() {
        let half = MAX_DEPTH / 2 + 1;
        let src = format!(
            "a: &a\n  {}x\nb: &b\n  {}*a\n",
            "- ".repeat(half),
            "- ".repeat(half),
        );
        let e = on_small_stack(move || parse(&src).error.expect("refused"));
        assert_eq!(e.pos.line, 4, "{e:?}");
        assert!(e.message.contains("deeper than"), "{e:?}");
    }

    #[test]
    fn a_huge_document_is_refused_at_the_node_that_passes_the_limit() {
        let src = format!("[{}]", "1,".repeat(MAX_DOC_NODES as usize + 10));
        let e = parse(&src).error.expect("refused");
        assert_eq!(e.pos.line, 1);
        assert!(e.message.contains("more than 1000000 nodes"), "{e:?}");
    }

    #[test]
    fn documents_are_handed_over_one_at_a_time() {
        let src = "kind: A\n---\nkind: B\n---\nkind: C\n";
        let mut seen = Vec::new();
        let e = parse_each(src, |d| seen.push((d.start_line, d.end_line)));
        assert_eq!(e, None);
        assert_eq!(seen, vec![(1, 1), (2, 3), (4, 5)]);
    }

    #[test]
    fn control_characters_are_reported_where_they_are() {
        let f = parse("kind: A\n---\nkind: B\nmetadata:\n  name: a\u{0}b\n");
        assert_eq!(
            f.error,
            Some(YamlError {
                pos: Pos { line: 5, col: 10 },
                message: "a NUL byte is not allowed in YAML".into()
            })
        );
        // The complete document before it is kept; the one it cuts is not.
        assert_eq!(kinds(&f), vec![Some("A".into())]);
        let e = parse("a: b\nc: \u{7}\n").error.unwrap();
        assert_eq!(
            (e.pos, e.message.contains("U+0007")),
            (Pos { line: 2, col: 4 }, true)
        );
        let e = parse("a: ok\nb: \u{9f}\n").error.unwrap();
        assert_eq!(e.pos, Pos { line: 2, col: 4 });
    }

    #[test]
    fn the_bom_never_ends_up_in_the_first_key() {
        let f = parse("\u{feff}apiVersion: v1\n");
        let root = f.docs[0].root.as_ref().unwrap();
        assert!(root.get("apiVersion").is_some(), "{root:?}");
    }

    #[test]
    fn tabs_as_separation_inside_values() {
        // YAML 1.2 example 5.12 and the test suite's J3BT and 6BCT.
        for src in [
            "# Tabs and spaces\nquoted: \"Quoted \t\"\nblock:\t|\n  void main() {\n  \tprintf(\"Hello, world!\\n\");\n  }\n",
            "key:\tvalue\n",
            "- foo:\t bar\n- - baz\n  -\tbaz\n",
            "a:\tb # c: d\nc:\t\t'q: r'\nd:\t-1\n",
        ] {
            let f = parse(src);
            assert_eq!(f.error, None, "{src:?}");
        }
        let f = parse("key:\tvalue\n---\nb:\tc\n");
        let values: Vec<_> = f
            .docs
            .iter()
            .map(|d| d.root.as_ref().unwrap().to_json())
            .collect();
        assert_eq!(
            values,
            vec![
                serde_json::json!({"key": "value"}),
                serde_json::json!({"b": "c"})
            ]
        );
        assert_eq!((f.docs[0].end_line, f.docs[1].start_line), (1, 2));
        // Tabs that would indent a block collection stay errors (test-suite Y79Y).
        for src in ["? key:\n:\tkey:\n", "-\t-\n", "a:\tb: c\n", "a:\t- b\n"] {
            assert!(parse(src).error.is_some(), "{src:?}");
        }
    }

    #[test]
    fn kubernetes_reads_plain_scalars_by_yaml_1_1() {
        let k = |t: &str| {
            scalar_to_json_k8s(&Scalar {
                text: t.into(),
                quoted: false,
            })
        };
        use serde_json::json;
        for (t, v) in [
            ("on", json!(true)),
            ("Off", json!(false)),
            ("y", json!(true)),
            ("NO", json!(false)),
            ("0644", json!(420)),
            ("-0644", json!(-420)),
            ("0o17", json!(15)),
            ("0x1F", json!(31)),
            ("0b101", json!(5)),
            ("1_000", json!(1000)),
            ("09", json!(9.0)),
            ("1:30", json!("1:30")),
            ("1.5", json!(1.5)),
            ("~", json!(null)),
            ("v1", json!("v1")),
        ] {
            assert_eq!(k(t), v, "{t}");
        }
        let quoted = Scalar {
            text: "on".into(),
            quoted: true,
        };
        assert_eq!(scalar_to_json_k8s(&quoted), json!("on"));
    }

    #[test]
    fn guard_refuses_what_parse_refuses() {
        assert!(guard("a: 1\n").is_ok());
        assert_eq!(guard(&laughs(10)).unwrap_err().pos.line, 5);
        assert!(guard(&"[".repeat(300)).is_err());
        assert!(guard(&"- ".repeat(20_000)).is_err());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// `depth` levels of one nesting shape (0 flow sequence, 1 flow mapping, 2 block
        /// sequence, 3 explicit-key block mapping), unclosed where flow, with the column at which
        /// level `n` (1-based) starts.
        fn nest(shape: u8, depth: usize) -> (String, impl Fn(usize) -> usize) {
            let unit: &str = ["[", "{a: ", "- ", "? "][shape as usize];
            let closing = match shape {
                0 => "]".repeat(depth),
                1 => "}".repeat(depth),
                _ => String::new(),
            };
            let w = unit.len();
            (format!("{}x{closing}\n", unit.repeat(depth)), move |n| {
                (n - 1) * w + 1
            })
        }

        proptest! {
            // 8 cases: a block sequence near the 10,000 limit takes seconds to parse in a debug
            // build (24 cases ran from 7 s to 250 s on a loaded 2-core machine).
            #![proptest_config(ProptestConfig::with_cases(8))]

            #[test]
            fn any_depth_is_read_or_refused_at_the_limit(shape in 0u8..4, depth in prop_oneof![1usize..40, 9_990usize..10_010, 10_010usize..40_000]) {
                // Flow collections and explicit keys are slow in saphyr-parser long before
                // their limits (255 levels of `{a: ` took minutes; issue 14, open): deep, only
                // their refusal is tested, by the fixed 1,000,000-level tests above. Here they
                // stay shallow, so that the run time does not depend on the random cases.
                prop_assume!(shape == 2 || depth < 40);
                let (src, col) = nest(shape, depth);
                let f = std::thread::Builder::new()
                    .stack_size(256 * 1024)
                    .spawn(move || {
                        let f = parse(&src);
                        let depths: Vec<usize> = f.docs.iter().map(|d| d.depth).collect();
                        (f.error, depths)
                    })
                    .unwrap()
                    .join()
                    .expect("no overflow");
                let limit = [MAX_FLOW_DEPTH, MAX_FLOW_DEPTH, MAX_DEPTH, MAX_KEY_DEPTH + 1][shape as usize];
                if depth <= limit {
                    prop_assert_eq!(f.0, None);
                    prop_assert_eq!(f.1, vec![depth]);
                } else {
                    let e = f.0.expect("refused");
                    // (`? ` levels: the first is a mapping, the next MAX_KEY_DEPTH are keys.)
                    prop_assert_eq!(e.pos, Pos { line: 1, col: col(limit + 1) });
                }
            }

            #[test]
            fn aliases_expand_in_full_or_are_refused_within_the_budget(levels in 1usize..9, fanout in 1usize..12, base in 1usize..6) {
                let mut src = format!("l0: &l0 [{}]\n", vec!["x"; base].join(", "));
                for i in 1..levels {
                    let refs = vec![format!("*l{}", i - 1); fanout].join(", ");
                    src.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
                }
                let leaves = base as u64 * (fanout as u64).pow(levels as u32 - 1);
                let started = std::time::Instant::now();
                let f = parse(&src);
                prop_assert!(started.elapsed() < std::time::Duration::from_secs(5));
                match f.error {
                    None => {
                        let last = f.docs[0].root.as_ref().unwrap().get(&format!("l{}", levels - 1)).unwrap();
                        let n = last.to_json().to_string().matches('x').count() as u64;
                        prop_assert_eq!(n, leaves);
                    }
                    Some(e) => {
                        prop_assert!(e.message.contains("alias bomb"), "{:?}", e);
                        // Never refused while every copy together stays under half the floor.
                        prop_assert!(leaves * 2 * levels as u64 > ALIAS_FLOOR / 2, "refused {} leaves", leaves);
                    }
                }
            }
        }
    }
}
