//! The diff of one file from HEAD to the working tree, as lines the changes view colours.
//! Reads only; the git worker runs it.

use std::path::Path;

use super::repository::{head_tree, open};

/// What a line of a diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `diff --git`, `index`, `---`, `+++` and the like.
    Header,
    /// `@@ -a,b +c,d @@`; its `old`/`new` are the hunk's first line numbers.
    Hunk,
    Context,
    Added,
    Removed,
    /// `\ No newline at end of file`, after the line it is about.
    NoNewline,
    /// `Binary files a/x and b/x differ`: the only body line of a binary file.
    Binary,
}

/// One line of a unified diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: LineKind,
    /// Line number in HEAD's version (context and removed lines).
    pub old: Option<u32>,
    /// Line number in the working tree's version (context and added lines).
    pub new: Option<u32>,
    /// The line without its trailing newline (and without a trailing `\r`); not valid UTF-8 is
    /// replaced, never an error.
    pub text: String,
}

fn line_text(bytes: &[u8]) -> String {
    let t = String::from_utf8_lossy(bytes);
    let t = t.strip_suffix('\n').unwrap_or(&t);
    t.strip_suffix('\r').unwrap_or(t).to_string()
}

/// The unified diff (3 lines of context) of one file from HEAD (the empty tree on an unborn
/// branch) to the working tree, whatever the index holds: an untracked or added file is all
/// added lines, a deleted one all removed, a binary file its headers and one `Binary` line. A
/// file with no change gives an empty list. Reads only.
pub fn diff_file(root: &Path, path: &str) -> Result<Vec<DiffLine>, git2::Error> {
    let repo = open(root)?;
    let head_tree = head_tree(&repo)?;
    let mut opts = git2::DiffOptions::new();
    opts.pathspec(path)
        .disable_pathspec_match(true)
        .context_lines(3)
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .show_untracked_content(true);
    let diff = repo.diff_tree_to_workdir(head_tree.as_ref(), Some(&mut opts))?;
    let mut out = Vec::new();
    diff.print(git2::DiffFormat::Patch, |_delta, hunk, line| {
        let (kind, old, new) = match line.origin() {
            ' ' => (LineKind::Context, line.old_lineno(), line.new_lineno()),
            '+' => (LineKind::Added, None, line.new_lineno()),
            '-' => (LineKind::Removed, line.old_lineno(), None),
            '=' | '>' | '<' => (LineKind::NoNewline, None, None),
            'F' => {
                // The file header comes as one multi-line chunk.
                for l in line.content().split(|b| *b == b'\n') {
                    if !l.is_empty() {
                        out.push(DiffLine {
                            kind: LineKind::Header,
                            old: None,
                            new: None,
                            text: line_text(l),
                        });
                    }
                }
                return true;
            }
            'H' => {
                let (o, n) =
                    hunk.map_or((None, None), |h| (Some(h.old_start()), Some(h.new_start())));
                (LineKind::Hunk, o, n)
            }
            'B' => (LineKind::Binary, None, None),
            _ => return true,
        };
        let text = if kind == LineKind::NoNewline {
            "\\ No newline at end of file".to_string()
        } else {
            line_text(line.content())
        };
        out.push(DiffLine {
            kind,
            old,
            new,
            text,
        });
        true
    })?;
    Ok(out)
}
