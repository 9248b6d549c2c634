//! The tree builder over saphyr-parser's events: positions, anchors and aliases counted
//! without expanding, depth and node limits, all without recursion.

use super::*;

/// One finished node's measures, kept beside the tree instead of in every node.
#[derive(Clone, Copy)]
pub(super) struct Size {
    /// Nodes in the subtree, aliases expanded (saturating).
    nodes: u64,
    /// Levels of collections in the subtree (a scalar is 0).
    height: usize,
}

pub(super) const LEAF: Size = Size {
    nodes: 1,
    height: 0,
};

/// A collection just opened: one node, one level.
pub(super) const OPEN: Size = Size {
    nodes: 1,
    height: 1,
};

pub(super) enum Frame {
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
        /// Where each key is in `entries`, once there are more than [`INDEXED_FROM`]: a
        /// duplicate key is found in constant time (a linear search per key made a mapping of
        /// 40,000 keys take seconds, and one of 500,000 minutes).
        index: HashMap<String, usize>,
        pending_key: Option<(String, Pos)>,
        merges: Vec<Node>,
        size: Size,
    },
}

/// Entries of a mapping searched linearly for a duplicate before they are indexed.
const INDEXED_FROM: usize = 16;

/// Longest JSON text kept as the key of a mapping whose key is a collection (`? [a, b]: c`,
/// `{{a: b}: c}`). The text of such a key holds, escaped, the text of any such key inside it,
/// so without a bound it doubles per level of nesting (2^32 bytes at 32 levels: two minutes
/// and gigabytes for a 200-byte file); past this length the key is named by its position.
/// Kubernetes never uses collections as keys; the text only serves duplicate detection.
pub const MAX_COMPLEX_KEY_TEXT: usize = 1024;

impl Frame {
    fn size_mut(&mut self) -> &mut Size {
        match self {
            Frame::Seq { size, .. } | Frame::Map { size, .. } => size,
        }
    }
}

#[derive(Default)]
pub(super) struct Builder {
    /// Set for a text with lone carriage returns (see [`LineStarts`]).
    pub(super) lines: Option<LineStarts>,
    stack: Vec<Frame>,
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
        self.written += 1;
        self.count_doc_nodes(1, pos)
    }

    pub(super) fn on_event(
        &mut self,
        event: Event<'_>,
        span: Span,
        on_doc: &mut impl FnMut(Document),
    ) -> Result<(), YamlError> {
        let pos = Pos::at(&span.start, self.lines.as_ref());
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
                    index: HashMap::new(),
                    pending_key: None,
                    merges: Vec::new(),
                    size: OPEN,
                })
            }
            Event::SequenceEnd => {
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
                    let mut present: std::collections::HashSet<String> = if merges.is_empty() {
                        Default::default()
                    } else {
                        entries.iter().map(|e| e.key.clone()).collect()
                    };
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
                                if present.insert(e.key.clone()) {
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
        // A merged mapping's entries land in the parent itself: no level added.
        let merged = matches!(top, Frame::Map { pending_key: Some((k, _)), .. } if k == "<<");
        let parent = top.size_mut();
        parent.nodes = parent.nodes.saturating_add(size.nodes);
        parent.height = parent.height.max(size.height + usize::from(!merged));
        match top {
            Frame::Seq { items, .. } => items.push(node),
            Frame::Map {
                entries,
                index,
                pending_key,
                merges,
                ..
            } => match pending_key.take() {
                None => {
                    // A key. Complex keys (maps, sequences) are flattened to their JSON text,
                    // which is what a JSON-based loader would do with them.
                    let key = match &node.value {
                        Value::Scalar(s) => s.text.clone(),
                        _ => complex_key(&node),
                    };
                    *pending_key = Some((key, node.pos));
                }
                Some((key, key_pos)) => {
                    if key == "<<" {
                        merges.push(node);
                        return;
                    }
                    let existing = if entries.len() > INDEXED_FROM {
                        if index.is_empty() {
                            index.extend(
                                entries.iter().enumerate().map(|(i, e)| (e.key.clone(), i)),
                            );
                        }
                        index.get(&key).copied()
                    } else {
                        entries.iter().position(|e| e.key == key)
                    };
                    if let Some(i) = existing {
                        self.duplicates.push((key_pos, key));
                        entries[i].value = node;
                    } else {
                        if !index.is_empty() {
                            index.insert(key.clone(), entries.len());
                        }
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

/// The text of a collection used as a mapping key: its JSON, or, past
/// [`MAX_COMPLEX_KEY_TEXT`] bytes or 32 levels, a name made of its position. Writing stops as
/// soon as the text is too long, so its cost is bounded whatever the key holds.
fn complex_key(node: &Node) -> String {
    fn write(node: &Node, out: &mut String, depth: usize) -> bool {
        if depth > 32 || out.len() > MAX_COMPLEX_KEY_TEXT {
            return false;
        }
        let quoted = |out: &mut String, text: &str| {
            if text.len() > MAX_COMPLEX_KEY_TEXT {
                return false;
            }
            out.push_str(&serde_json::Value::from(text).to_string());
            true
        };
        match &node.value {
            Value::Scalar(s) => {
                if s.text.len() > MAX_COMPLEX_KEY_TEXT {
                    return false;
                }
                out.push_str(&scalar_to_json(s).to_string());
            }
            Value::Seq(items) => {
                out.push('[');
                for (i, n) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if !write(n, out, depth + 1) {
                        return false;
                    }
                }
                out.push(']');
            }
            Value::Map(entries) => {
                out.push('{');
                for (i, e) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if !quoted(out, &e.key) {
                        return false;
                    }
                    out.push(':');
                    if !write(&e.value, out, depth + 1) {
                        return false;
                    }
                }
                out.push('}');
            }
        }
        out.len() <= MAX_COMPLEX_KEY_TEXT
    }
    let mut out = String::new();
    if write(node, &mut out, 0) {
        out
    } else {
        format!(
            "<a complex key at line {} column {}>",
            node.pos.line, node.pos.col
        )
    }
}
