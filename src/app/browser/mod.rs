//! The repo browser's state: the tree rows derived from the index, selection, fuzzy filter, the
//! preview of the selected file and the git log of the selected path. Its update is in
//! `update.rs`, the derivation of its rows in `rows.rs`.

mod rows;
pub(crate) mod update;

pub use rows::{
    FilterHits, build_rows, dir_stats, filter_hits, initial_expanded, preview_target, row_key,
    row_path,
};

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::git::log::Commit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Tree,
    Preview,
    Log,
}

/// Something that arrives later from a task.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Loadable<T> {
    #[default]
    Idle,
    Loading,
    Loaded(T),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    Dir { path: String, name: String },
    File { file: usize },
    Resource { file: usize, res: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub depth: u16,
    pub kind: RowKind,
    pub expanded: bool,
    /// Matched the filter itself (not only shown as an ancestor).
    pub matched: bool,
}

/// Totals under a folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DirStats {
    pub files: usize,
    pub resources: usize,
    pub broken: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub text: String,
    /// The input line is open.
    pub editing: bool,
    /// Row indices that matched, in tree order.
    pub matches: Vec<usize>,
}

/// Search inside the previewed file (`/` with the preview focused), as in `less`: the lines
/// that match and the one `n`/`N` is on. Smart case: lower-case text matches any case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Search {
    pub text: String,
    /// The input line is open.
    pub editing: bool,
    /// Lines (0-based) of the previewed file that contain the text.
    pub hits: Vec<usize>,
    /// Index into `hits` of the current match.
    pub current: usize,
}

/// Byte ranges of `needle` in `hay`: case-sensitive when the needle has an upper-case letter
/// (smart case), else ASCII case-insensitive (byte offsets are kept).
pub fn find_all(hay: &str, needle: &str) -> Vec<(usize, usize)> {
    if needle.is_empty() {
        return vec![];
    }
    let sensitive = needle.chars().any(char::is_uppercase);
    let (h, n) = if sensitive {
        (hay.to_string(), needle.to_string())
    } else {
        (hay.to_ascii_lowercase(), needle.to_ascii_lowercase())
    };
    let mut out = vec![];
    let mut from = 0;
    while let Some(i) = h[from..].find(&n) {
        let start = from + i;
        out.push((start, start + n.len()));
        from = start + n.len();
    }
    out
}

/// A loaded file, split into lines, with the lines inside YAML block scalars flagged.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FileText {
    pub lines: Vec<String>,
    pub in_block: Vec<bool>,
    pub yaml: bool,
}

impl FileText {
    pub fn new(text: &str, yaml: bool) -> FileText {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines: Vec<String> = text
            .lines()
            .map(|l| l.strip_suffix('\r').unwrap_or(l).replace('\t', "    "))
            .collect();
        let in_block = if yaml {
            crate::repo::yaml::block_scalar_lines(&lines)
        } else {
            vec![false; lines.len()]
        };
        FileText {
            lines,
            in_block,
            yaml,
        }
    }
}

/// The file shown in the preview pane.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Preview {
    /// Index-relative path of the file being shown.
    pub path: Option<String>,
    pub text: Loadable<Arc<FileText>>,
    /// First visible line (0-based).
    pub scroll: usize,
    /// Lines (1-based, inclusive) of the selected resource, marked in the gutter.
    pub mark: Option<(usize, usize)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Log {
    pub path: Option<String>,
    pub commits: Loadable<Vec<Commit>>,
    pub scroll: usize,
}

#[derive(Debug, Clone, Default)]
pub struct BrowserState {
    pub expanded: HashSet<String>,
    pub rows: Vec<Row>,
    pub dir_stats: HashMap<String, DirStats>,
    pub selected: usize,
    pub offset: usize,
    pub filter: Filter,
    pub focus: Pane,
    pub preview: Preview,
    pub log: Log,
    pub show_log: bool,
    /// Search inside the previewed file.
    pub search: Search,
}
