//! YAML with positions.
//!
//! serde forgets where things are; the browser and `blast check` need the line of every
//! document and of every field. This module builds a small positioned tree from the event stream
//! of `saphyr-parser` (a YAML 1.2 parser that reports spans), resolving anchors, aliases and
//! `<<` merge keys the way Kubernetes' YAML loader does.
//!
//! A file is a list of documents. A syntax error ends the stream: the documents parsed before it
//! are kept, and the error carries its line and column, so a broken file is shown as broken with
//! whatever could be read, never dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span};

/// A position in a file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    fn at(marker: &Marker, lines: Option<&LineStarts>) -> Pos {
        match lines {
            Some(l) => l.pos(marker.index()),
            None => Pos {
                line: marker.line(),
                col: marker.col() + 1,
            },
        }
    }
}

/// Where each line starts (in characters), lines ending at `\n` only: for a text with a lone
/// carriage return, which YAML (and so the parser) counts as a line break but `lines()`, git,
/// the console and most editors do not. Positions are reported in the lines the user sees
/// (without this, an error could point past the end of the file).
pub(super) struct LineStarts(Vec<usize>);

impl LineStarts {
    /// `None` when every `\r` is followed by `\n` (the parser's lines are the text's lines).
    fn of(text: &str) -> Option<LineStarts> {
        let b = text.as_bytes();
        let lone = (0..b.len()).any(|i| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'));
        if !lone {
            return None;
        }
        let mut starts = vec![0];
        starts.extend(
            text.chars()
                .enumerate()
                .filter(|&(_, c)| c == '\n')
                .map(|(i, _)| i + 1),
        );
        Some(LineStarts(starts))
    }

    fn pos(&self, index: usize) -> Pos {
        let line = self.0.partition_point(|&s| s <= index);
        Pos {
            line,
            col: index - self.0[line - 1] + 1,
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
    fn from_scan(e: &ScanError, lines: Option<&LineStarts>) -> YamlError {
        let message = match e.info() {
            // saphyr-parser counts flow levels in a u8.
            "recursion limit exceeded" => format!(
                "flow collections ([ ] {{ }}) nested deeper than {MAX_FLOW_DEPTH} levels (the parser's limit)"
            ),
            other => other.to_string(),
        };
        YamlError {
            pos: Pos::at(e.marker(), lines),
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
/// `repo::yaml_serde` (the demo's fixtures and scenarios, the CRDs of `check --schemas`), which must
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
/// Bounded (see [`MAX_DEPTH`], [`MAX_DOC_NODES`] and `Builder::alias_budget`): an alias bomb,
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
    builder.lines = LineStarts::of(text);
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
                error = Some(YamlError::from_scan(&e, builder.lines.as_ref()));
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

mod builder;
mod scalar;
use builder::*;
pub use scalar::*;

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
        let e = depth_error(format!("{}x\n", "? ".repeat(1_000_000)));
        let col = 2 * MAX_DEPTH + 1;
        assert_eq!(e.pos, Pos { line: 1, col }, "{e:?}");
    }

    /// `levels` mappings, each indented one space more than the one holding it.
    fn indented_mappings(levels: usize) -> String {
        let mut s = String::new();
        for i in 0..=levels {
            s.push_str(&" ".repeat(i));
            s.push_str(if i < levels { "a:\n" } else { "x\n" });
        }
        s
    }

    /// Every deep shape at its limit, and the wide shapes that were quadratic or exponential,
    /// read in bounded time. Before: 32 levels of collections as keys took two minutes (each
    /// level's key text escaped the one inside it, doubling), and each key of a mapping was
    /// looked for among all the keys before it (100,000 keys: 15 s in a release build, quadratic).
    #[test]
    fn deep_and_wide_documents_at_the_limits_parse_in_bounded_time() {
        let wide: String = (0..100_000).map(|i| format!("k{i}: v\n")).collect();
        let mut merged = String::from("base: &base\n");
        for i in 0..20_000 {
            merged.push_str(&format!("  k{i}: v\n"));
        }
        merged.push_str("copy:\n  <<: *base\n");
        for i in 0..20_000 {
            merged.push_str(&format!("  j{i}: v\n"));
        }
        let cases: Vec<(&str, String, usize)> = vec![
            (
                "block sequences",
                format!("{}x\n", "- ".repeat(MAX_DEPTH)),
                MAX_DEPTH,
            ),
            (
                "explicit keys",
                format!("{}x\n", "? ".repeat(MAX_DEPTH)),
                MAX_DEPTH,
            ),
            // 3,000 levels are 4.5 MB (the text grows as the square of the depth: 10,000 levels
            // are 50 MB, a second in a release build but half a minute in this debug build,
            // where saphyr-parser's generic code is compiled unoptimized with ours).
            ("indented mappings", indented_mappings(3_000), 3_000),
            (
                "flow sequences",
                format!(
                    "{}x{}",
                    "[".repeat(MAX_FLOW_DEPTH),
                    "]".repeat(MAX_FLOW_DEPTH)
                ),
                MAX_FLOW_DEPTH,
            ),
            (
                "flow mappings",
                format!(
                    "{}x{}",
                    "{a: ".repeat(MAX_FLOW_DEPTH),
                    "}".repeat(MAX_FLOW_DEPTH)
                ),
                MAX_FLOW_DEPTH,
            ),
            (
                "flow mappings as keys",
                format!(
                    "{}x{}",
                    "{".repeat(MAX_FLOW_DEPTH),
                    "}".repeat(MAX_FLOW_DEPTH)
                ),
                MAX_FLOW_DEPTH,
            ),
            (
                "flow sequences of keys",
                format!(
                    "{}x{}",
                    "[{".repeat(MAX_FLOW_DEPTH / 2),
                    "}]".repeat(MAX_FLOW_DEPTH / 2)
                ),
                MAX_FLOW_DEPTH - 1,
            ),
            ("100,000 keys", wide, 1),
            ("20,000 keys merged into 20,000", merged, 2),
        ];
        for (name, src, depth) in cases {
            let started = std::time::Instant::now();
            let f = on_small_stack(move || {
                let f = parse(&src);
                (f.error, f.docs.iter().map(|d| d.depth).collect::<Vec<_>>())
            });
            let took = started.elapsed();
            eprintln!("{name}: {took:?}");
            assert_eq!(f, (None, vec![depth]), "{name}");
            // A debug build on a loaded machine; the shapes above took minutes before.
            assert!(
                took < std::time::Duration::from_secs(10),
                "{name}: {took:?}"
            );
        }
    }

    #[test]
    fn collections_as_keys_are_their_json_text_up_to_a_bound() {
        let f = parse("? {a: 1, b: [x, ~]}\n: v\n");
        let root = f.docs[0].root.as_ref().unwrap();
        assert_eq!(
            root.to_json(),
            serde_json::json!({r#"{"a":1,"b":["x",null]}"#: "v"})
        );
        // 40 levels: the text would double per level (2^40 bytes); inner levels past the bound
        // are named by their position, and the text stays bounded at every level.
        let f = parse(&format!("{}x\n", "? ".repeat(40)));
        let Value::Map(entries) = &f.docs[0].root.as_ref().unwrap().value else {
            panic!("a mapping")
        };
        let key = &entries[0].key;
        assert!(key.len() <= MAX_COMPLEX_KEY_TEXT, "{} bytes", key.len());
        assert!(key.contains("<a complex key at line 1 column "), "{key}");
        // Two different long keys are not taken for duplicates.
        let long = format!("[{}]", vec!["x"; 600].join(", "));
        let f = parse(&format!("? {long}\n: 1\n? [{long}]\n: 2\n"));
        assert_eq!(f.docs[0].duplicate_keys, vec![]);
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

    /// A lone CR is a line break to YAML but not to `lines()`, git or the console: positions
    /// are given in `\n` lines, never past the end of the file (found by `fuzz/` in a
    /// 26-line file with 82 CRs, reported at line 108).
    #[test]
    fn lone_carriage_returns_are_positioned_on_the_lines_the_user_sees() {
        let f = parse("a: 1\rb: 2\nc: 3\n");
        assert_eq!(f.error, None);
        let root = f.docs[0].root.as_ref().unwrap();
        assert_eq!(root.to_json(), serde_json::json!({"a": 1, "b": 2, "c": 3}));
        let Value::Map(entries) = &root.value else {
            panic!("a mapping")
        };
        let at: Vec<Pos> = entries.iter().map(|e| e.key_pos).collect();
        assert_eq!(
            at,
            vec![
                Pos { line: 1, col: 1 },
                Pos { line: 1, col: 6 },
                Pos { line: 2, col: 1 }
            ]
        );
        let e = parse(&format!("a: 1{}\nb: [\n", "\r".repeat(80)))
            .error
            .unwrap();
        assert_eq!(e.pos, Pos { line: 3, col: 1 }, "{e:?}");
        // CRLF stays as it was (no map is built).
        let e = parse("a: 1\r\nb: [\r\n").error.unwrap();
        assert_eq!(e.pos.line, 3, "{e:?}");
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
        /// sequence, 3 explicit-key block mapping, 4 flow mappings as keys, 5 mappings indented
        /// one space per level), unclosed where flow, with where level `n` (1-based) starts.
        fn nest(shape: u8, depth: usize) -> (String, Box<dyn Fn(usize) -> Pos>) {
            if shape == 5 {
                return (
                    super::indented_mappings(depth),
                    Box::new(|n| Pos { line: n, col: n }),
                );
            }
            let unit: &str = ["[", "{a: ", "- ", "? ", "{"][shape as usize];
            let closing = match shape {
                0 => "]".repeat(depth),
                1 | 4 => "}".repeat(depth),
                _ => String::new(),
            };
            let w = unit.len();
            (
                format!("{}x{closing}\n", unit.repeat(depth)),
                Box::new(move |n| Pos {
                    line: 1,
                    col: (n - 1) * w + 1,
                }),
            )
        }

        proptest! {
            // 8 cases: a nest near the 10,000 limit takes a second or two to parse in a debug
            // build (more on a loaded 2-core machine).
            #![proptest_config(ProptestConfig::with_cases(8))]

            #[test]
            fn any_depth_is_read_or_refused_at_the_limit(shape in 0u8..6, depth in prop_oneof![1usize..40, 9_990usize..10_010, 10_010usize..40_000]) {
                // Indented mappings are as long as the square of their depth (50 MB at 10,000
                // levels, half a minute in a debug build): kept to 3,000 levels. Their refusal
                // is the same check as every block collection's (`Builder::open`).
                let depth = if shape == 5 { depth.min(3_000) } else { depth };
                let (src, at) = nest(shape, depth);
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
                let limit = [MAX_FLOW_DEPTH, MAX_FLOW_DEPTH, MAX_DEPTH, MAX_DEPTH, MAX_FLOW_DEPTH, MAX_DEPTH][shape as usize];
                if depth <= limit {
                    prop_assert_eq!(f.0, None);
                    prop_assert_eq!(f.1, vec![depth]);
                } else {
                    let e = f.0.expect("refused");
                    prop_assert_eq!(e.pos, at(limit + 1));
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
