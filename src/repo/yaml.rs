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
        YamlError {
            pos: Pos {
                line: m.line(),
                col: m.col() + 1,
            },
            message: e.info().to_string(),
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

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

impl Node {
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

    /// Converts to JSON the way Kubernetes reads YAML (YAML 1.2 core schema for plain scalars).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Scalar(s) => scalar_to_json(s),
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
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

fn scalar_to_json(s: &Scalar) -> serde_json::Value {
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

fn parse_int(t: &str) -> Option<i64> {
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let v = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
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
}

/// A parsed file: its documents and, if the stream broke, the error that ended it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedFile {
    pub docs: Vec<Document>,
    pub error: Option<YamlError>,
}

/// Parses a whole file. Handles a UTF-8 BOM, CRLF line endings, `---`/`...` markers,
/// comments, anchors, aliases and merge keys.
pub fn parse(text: &str) -> ParsedFile {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let mut out = ParsedFile::default();
    loop {
        match parser.next_event() {
            None => break,
            Some(Err(e)) => {
                out.error = Some(YamlError::from_scan(&e));
                break;
            }
            Some(Ok((event, span))) => {
                if let Err(e) = builder.on_event(event, span, &mut out.docs) {
                    out.error = Some(e);
                    break;
                }
            }
        }
    }
    fix_document_ends(text, &mut out);
    out
}

/// A document's end is the line before the next document starts (or the end of the file), so
/// that its trailing comments belong to it and a preview can show the whole block.
fn fix_document_ends(text: &str, out: &mut ParsedFile) {
    let total_lines = text.lines().count().max(1);
    let starts: Vec<usize> = out.docs.iter().map(|d| d.start_line).collect();
    for (i, doc) in out.docs.iter_mut().enumerate() {
        let end = match starts.get(i + 1) {
            Some(next) => next.saturating_sub(1).max(doc.start_line),
            None => match &out.error {
                Some(e) => e.pos.line.max(doc.start_line),
                None => total_lines.max(doc.start_line),
            },
        };
        doc.end_line = end;
    }
}

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<Entry>,
        pending_key: Option<(String, Pos)>,
        merges: Vec<Node>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    doc_start: Option<usize>,
    root: Option<Node>,
    duplicates: Vec<(Pos, String)>,
}

impl Builder {
    fn on_event(
        &mut self,
        event: Event<'_>,
        span: Span,
        docs: &mut Vec<Document>,
    ) -> Result<(), YamlError> {
        let pos = Pos::from_span(&span);
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                self.doc_start = Some(pos.line);
                self.root = None;
                self.anchors.clear();
                self.duplicates.clear();
            }
            Event::DocumentEnd => {
                let root = self.root.take();
                let start = match (&root, self.doc_start.take()) {
                    (Some(r), Some(s)) => s.min(r.pos.line),
                    (Some(r), None) => r.pos.line,
                    (None, Some(s)) => s,
                    (None, None) => pos.line,
                };
                docs.push(Document {
                    start_line: start,
                    end_line: start,
                    root,
                    duplicate_keys: std::mem::take(&mut self.duplicates),
                });
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().ok_or_else(|| YamlError {
                    pos,
                    message: "alias refers to an unknown anchor".into(),
                })?;
                self.push_node(Node {
                    pos,
                    value: node.value,
                });
            }
            Event::Scalar(text, style, anchor, tag) => {
                let quoted = !matches!(style, ScalarStyle::Plain)
                    || tag.as_ref().is_some_and(|t| t.suffix == "str");
                let node = Node {
                    pos,
                    value: Value::Scalar(Scalar {
                        text: text.into_owned(),
                        quoted,
                    }),
                };
                self.finish(node, anchor);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                pos,
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                pos,
                anchor,
                entries: Vec::new(),
                pending_key: None,
                merges: Vec::new(),
            }),
            Event::SequenceEnd => {
                if let Some(Frame::Seq { pos, anchor, items }) = self.stack.pop() {
                    self.finish(
                        Node {
                            pos,
                            value: Value::Seq(items),
                        },
                        anchor,
                    );
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    pos,
                    anchor,
                    mut entries,
                    merges,
                    ..
                }) = self.stack.pop()
                {
                    // `<<: *base` — keys written in the mapping win over merged ones.
                    for merged in merges {
                        let sources = match merged.value {
                            Value::Map(e) => vec![e],
                            Value::Seq(items) => items
                                .into_iter()
                                .filter_map(|n| match n.value {
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
                        anchor,
                    );
                }
            }
        }
        Ok(())
    }

    /// Records a finished node under its anchor (if any) and places it in its parent.
    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.push_node(node);
    }

    fn push_node(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                merges,
                ..
            }) => match pending_key.take() {
                None => {
                    // A key. Complex keys (maps, sequences) are flattened to their JSON text,
                    // which is what a JSON-based loader would do with them.
                    let key = match &node.value {
                        Value::Scalar(s) => s.text.clone(),
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
}
