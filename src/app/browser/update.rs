//! The repo browser's update: keys, the filter, expansion, selection, and what a new index,
//! file or log brings. Its state is in `mod.rs`, the rows it derives in `rows.rs`.

use std::sync::Arc;

use ratatui::layout::Rect;

use super::{Loadable, Pane, RowKind};
use crate::app::{Effect, State, changes, layout, nav, overlay, quick_on, write};
use crate::keymap::Action;
use crate::repo::index::RepoIndex;

pub(crate) fn indexed(
    state: &mut State,
    result: Result<Arc<RepoIndex>, String>,
    fx: &mut Vec<Effect>,
) {
    state.repo.reindexing = false;
    state.dirty = true;
    let index = match result {
        Ok(i) => i,
        Err(e) => {
            state.toast(true, format!("indexing failed: {e}"));
            if !matches!(state.repo.index, Loadable::Loaded(_)) {
                state.repo.index = Loadable::Failed(e);
            }
            return;
        }
    };
    let first = !matches!(state.repo.index, Loadable::Loaded(_));
    let keep = state
        .index()
        .and_then(|i| state.selected_row().map(|r| super::row_key(i, r)));
    if first {
        state.browser.expanded = super::initial_expanded(&index);
    }
    state.browser.dir_stats = super::dir_stats(&index);
    state.repo.index = Loadable::Loaded(index);
    rebuild_rows(state, keep);
    // A re-index means files changed: reload what is shown.
    state.browser.preview.path = None;
    state.browser.log.path = None;
    selection_changed(state, fx);
}

/// Recomputes the rows, keeping the row identified by `keep` selected when it still exists.
pub(crate) fn rebuild_rows(state: &mut State, keep: Option<String>) {
    let Some(index) = state.index() else { return };
    let b = &state.browser;
    let hits = (!b.filter.text.is_empty()).then(|| super::filter_hits(index, &b.filter.text));
    let rows = super::build_rows(index, &b.expanded, hits.as_ref());
    let matches: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.matched)
        .map(|(i, _)| i)
        .collect();
    let selected = keep
        .and_then(|k| rows.iter().position(|r| super::row_key(index, r) == k))
        .unwrap_or(state.browser.selected.min(rows.len().saturating_sub(1)));
    state.browser.rows = rows;
    state.browser.filter.matches = matches;
    state.browser.selected = selected;
    clamp_offsets(state);
    state.dirty = true;
}

/// Keys while the preview's search line is open.
pub(crate) fn search_action(state: &mut State, action: Action) {
    let s = &mut state.browser.search;
    match action {
        Action::Accept => s.editing = false,
        Action::Back => {
            s.editing = false;
            s.text.clear();
        }
        Action::DeleteChar => {
            s.text.pop();
        }
        Action::ClearInput => s.text.clear(),
        Action::Down => return search_jump(state, true),
        Action::Up => return search_jump(state, false),
        _ => return,
    }
    search_refresh(state, true);
}

/// A character typed into the preview's search.
pub(crate) fn search_type(state: &mut State, c: char) {
    state.browser.search.text.push(c);
    search_refresh(state, true);
}

/// Finds the search text in the previewed file again (after typing, or another file); with
/// `seek`, moves to the first match at or below the top of the pane.
pub(crate) fn search_refresh(state: &mut State, seek: bool) {
    let b = &mut state.browser;
    b.search.hits = match &b.preview.text {
        Loadable::Loaded(t) if !b.search.text.is_empty() => t
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !super::find_all(l, &b.search.text).is_empty())
            .map(|(i, _)| i)
            .collect(),
        _ => vec![],
    };
    if seek {
        let top = b.preview.scroll;
        b.search.current = b.search.hits.iter().position(|&l| l >= top).unwrap_or(0);
        show_hit(state);
    } else {
        b.search.current = b.search.current.min(b.search.hits.len().saturating_sub(1));
    }
    state.dirty = true;
}

/// `n`/`N` in the preview: the next or previous matching line, wrapping round.
pub(crate) fn search_jump(state: &mut State, forward: bool) {
    let s = &mut state.browser.search;
    let n = s.hits.len();
    if n == 0 {
        if !s.text.is_empty() {
            let text = format!("\"{}\" is not in this file", s.text);
            state.toast(false, text);
        }
        return;
    }
    s.current = if forward {
        (s.current + 1) % n
    } else {
        (s.current + n - 1) % n
    };
    show_hit(state);
}

/// Scrolls the preview so that the current match shows, a few lines below the top.
fn show_hit(state: &mut State) {
    let s = &state.browser.search;
    let Some(&line) = s.hits.get(s.current) else {
        return;
    };
    let h = layout::inner_height(state.layout().preview).max(1);
    let p = &mut state.browser.preview;
    if line < p.scroll || line >= p.scroll + h {
        p.scroll = line.saturating_sub(h / 3);
    }
    clamp_offsets(state);
}

pub(crate) fn filter_action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    if state.browser.search.editing {
        return search_action(state, action);
    }
    let f = &mut state.browser.filter;
    match action {
        Action::Accept => f.editing = false,
        Action::Back => {
            f.editing = false;
            f.text.clear();
            apply_filter(state, fx);
        }
        Action::DeleteChar => {
            f.text.pop();
            apply_filter(state, fx);
        }
        Action::ClearInput => {
            f.text.clear();
            apply_filter(state, fx);
        }
        Action::Down => jump_match(state, true, fx),
        Action::Up => jump_match(state, false, fx),
        _ => {}
    }
}

pub(crate) fn apply_filter(state: &mut State, fx: &mut Vec<Effect>) {
    let keep = state
        .index()
        .and_then(|i| state.selected_row().map(|r| super::row_key(i, r)));
    if let Some(k) = &keep {
        // Whatever was selected while filtering stays visible afterwards.
        reveal(&mut state.browser.expanded, k);
    }
    rebuild_rows(state, keep);
    // Land on the first match unless the selection already is one.
    let b = &mut state.browser;
    if !b.filter.matches.is_empty() && !b.filter.matches.contains(&b.selected) {
        b.selected = b.filter.matches[0];
    }
    clamp_offsets(state);
    selection_changed(state, fx);
}

/// Shows and selects the browser row with key `key` (`r:path#doc`, `f:path`, `d:path`).
pub fn reveal_and_select(state: &mut State, key: &str, fx: &mut Vec<Effect>) {
    if !state.browser.filter.text.is_empty() {
        state.browser.filter.text.clear();
    }
    reveal(&mut state.browser.expanded, key);
    rebuild_rows(state, Some(key.to_string()));
    state.browser.focus = Pane::Tree;
    clamp_offsets(state);
    selection_changed(state, fx);
}

impl State {
    /// Selects a repo path (a folder or file, relative to the repo root, as an Argo CD
    /// Application names it) in the browser. False when the repo has no such path.
    pub fn reveal_path(&mut self, path: &str, fx: &mut Vec<Effect>) -> bool {
        let path = path.trim_matches('/').to_string();
        let Some(index) = self.index() else {
            return false;
        };
        let key = if index.files.iter().any(|f| f.path == path) {
            format!("f:{path}")
        } else if index
            .files
            .iter()
            .any(|f| f.path.starts_with(&format!("{path}/")))
        {
            format!("d:{path}")
        } else {
            return false;
        };
        reveal_and_select(self, &key, fx);
        true
    }
}

/// Expands the folders (and file) above the row with key `key` so it is shown.
fn reveal(expanded: &mut std::collections::HashSet<String>, key: &str) {
    let (kind, rest) = key.split_at(2);
    let path = rest.split('#').next().unwrap_or(rest);
    let mut end = 0;
    while let Some(i) = path[end..].find('/') {
        end += i;
        expanded.insert(path[..end].to_string());
        end += 1;
    }
    if kind == "r:" {
        expanded.insert(path.to_string());
    }
}

fn jump_match(state: &mut State, forward: bool, fx: &mut Vec<Effect>) {
    let b = &mut state.browser;
    if b.filter.matches.is_empty() {
        if !b.filter.text.is_empty() {
            let text = format!("no match for \"{}\"", b.filter.text);
            state.toast(false, text);
        }
        return;
    }
    let m = &b.filter.matches;
    b.selected = if forward {
        *m.iter().find(|&&i| i > b.selected).unwrap_or(&m[0])
    } else {
        *m.iter()
            .rev()
            .find(|&&i| i < b.selected)
            .unwrap_or(&m[m.len() - 1])
    };
    clamp_offsets(state);
    selection_changed(state, fx);
}

pub(crate) fn browser_action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    let l = state.layout();
    let tree_page = layout::inner_height(l.tree).max(1);
    let preview_page = layout::inner_height(l.preview).max(1);
    let on_tree = state.browser.focus == Pane::Tree;
    match action {
        Action::Quit => changes::ask_quit(state, fx),
        Action::Back => {
            if !state.browser.filter.text.is_empty() {
                state.browser.filter.text.clear();
                apply_filter(state, fx);
            } else if state.browser.focus != Pane::Tree {
                state.browser.focus = Pane::Tree;
            } else {
                // Esc never quits: one press too many must not end the session.
                state.toast(false, "nothing to close (q quits)");
            }
        }
        _ if let Some(delta) = action.movement(if on_tree { tree_page } else { preview_page }) => {
            match state.browser.focus {
                Pane::Tree => move_selection(state, delta, fx),
                Pane::Preview => scroll_preview(state, delta),
                Pane::Log => {
                    let log = &mut state.browser.log;
                    log.scroll = (log.scroll as i64 + delta).max(0) as usize;
                    clamp_offsets(state);
                }
            }
        }
        Action::PreviewDown => scroll_preview(state, 3),
        Action::PreviewUp => scroll_preview(state, -3),
        Action::Expand => expand(state, fx),
        Action::Collapse => collapse(state, fx),
        Action::Toggle => match state.selected_row().map(|r| (r.kind.clone(), r.expanded)) {
            Some((RowKind::Resource { .. }, _)) => state.browser.focus = Pane::Preview,
            Some((_, true)) => collapse(state, fx),
            Some((_, false)) => expand(state, fx),
            None => {}
        },
        Action::ExpandAll => {
            if let Some(index) = state.index() {
                let mut all: std::collections::HashSet<String> =
                    state.browser.dir_stats.keys().cloned().collect();
                all.extend(
                    index
                        .files
                        .iter()
                        .filter(|f| !f.resources.is_empty())
                        .map(|f| f.path.clone()),
                );
                let keep = state.selected_row().map(|r| super::row_key(index, r));
                state.browser.expanded = all;
                rebuild_rows(state, keep);
            }
        }
        Action::CollapseAll => {
            if let Some(index) = state.index() {
                let keep = state.selected_row().map(|r| super::row_key(index, r));
                let top = keep
                    .as_deref()
                    .and_then(|k| k.get(2..))
                    .and_then(|p| p.split('/').next())
                    .map(|t| format!("d:{t}"));
                state.browser.expanded.clear();
                rebuild_rows(state, top.or(keep));
                selection_changed(state, fx);
            }
        }
        Action::FocusNext | Action::FocusPrev => {
            let panes: Vec<Pane> = if state.browser.show_log {
                vec![Pane::Tree, Pane::Preview, Pane::Log]
            } else {
                vec![Pane::Tree, Pane::Preview]
            };
            let i = panes
                .iter()
                .position(|p| *p == state.browser.focus)
                .unwrap_or(0);
            let n = panes.len();
            state.browser.focus = panes[if action == Action::FocusNext {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            }];
        }
        // `/` on the preview searches the file's text; on the tree it filters the tree.
        Action::Filter if state.browser.focus == Pane::Preview => {
            state.browser.search.text.clear();
            state.browser.search.editing = true;
            search_refresh(state, false);
        }
        Action::Filter => state.browser.filter.editing = true,
        Action::NextMatch | Action::PrevMatch
            if state.browser.focus == Pane::Preview && !state.browser.search.text.is_empty() =>
        {
            search_jump(state, action == Action::NextMatch)
        }
        Action::NextMatch => jump_match(state, true, fx),
        Action::PrevMatch => jump_match(state, false, fx),
        Action::Edit => match state.selected_row().map(|r| r.kind.clone()) {
            Some(RowKind::File { file }) | Some(RowKind::Resource { file, .. }) => {
                let Some(index) = state.index() else { return };
                let f = &index.files[file];
                let line = match state.selected_row().map(|r| &r.kind) {
                    Some(RowKind::Resource { res, .. }) => f.resources[*res].start_line,
                    _ => 1,
                };
                let op = write::WriteOp::Edit {
                    path: f.path.clone(),
                    line,
                };
                match state.write.clone() {
                    Some(cap) => fx.push(Effect::Write(cap, op)),
                    None => state.toast(false, "read-only: this console changes nothing"),
                }
            }
            _ => state.toast(false, "select a file or a resource to edit"),
        },
        Action::QuickAction => match state.selected_resource_at() {
            Some((file, res)) => quick_on(state, file, res, fx),
            None => state.toast(
                false,
                "select a resource (a YAML document) for its quick actions",
            ),
        },
        Action::Push => {
            changes::open(state, fx);
            changes::action(state, Action::Push, fx);
        }
        Action::ToggleLog => {
            state.browser.show_log = !state.browser.show_log;
            if !state.browser.show_log && state.browser.focus == Pane::Log {
                state.browser.focus = Pane::Tree;
            }
            selection_changed(state, fx);
        }
        Action::Reload => {
            state.repo.reindexing = true;
            fx.push(Effect::Reindex);
            fx.push(Effect::RefreshGit);
        }
        Action::Jump => nav::jump_to_live(state, fx),
        Action::Contexts => overlay::open_picker(state),
        _ => state.dirty = false,
    }
}

fn move_selection(state: &mut State, delta: i64, fx: &mut Vec<Effect>) {
    let n = state.browser.rows.len();
    if n == 0 {
        return;
    }
    let next = (state.browser.selected as i64 + delta).clamp(0, n as i64 - 1) as usize;
    if next != state.browser.selected {
        state.browser.selected = next;
        clamp_offsets(state);
        selection_changed(state, fx);
    }
}

fn scroll_preview(state: &mut State, delta: i64) {
    let p = &mut state.browser.preview;
    p.scroll = (p.scroll as i64 + delta).max(0) as usize;
    clamp_offsets(state);
}

fn expand(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(index) = state.index() else { return };
    let Some(row) = state.selected_row() else {
        return;
    };
    let key = match &row.kind {
        RowKind::Dir { path, .. } => path.clone(),
        RowKind::File { file } if !index.files[*file].resources.is_empty() => {
            index.files[*file].path.clone()
        }
        RowKind::File { .. } | RowKind::Resource { .. } => {
            state.browser.focus = Pane::Preview;
            return;
        }
    };
    if row.expanded {
        move_selection(state, 1, fx);
        return;
    }
    let keep = super::row_key(index, row);
    state.browser.expanded.insert(key);
    rebuild_rows(state, Some(keep));
}

fn collapse(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(index) = state.index() else { return };
    let Some(row) = state.selected_row() else {
        return;
    };
    let key = match &row.kind {
        RowKind::Dir { path, .. } => path.clone(),
        RowKind::File { file } => index.files[*file].path.clone(),
        RowKind::Resource { .. } => String::new(),
    };
    if row.expanded && !key.is_empty() && state.browser.filter.text.is_empty() {
        let keep = super::row_key(index, row);
        state.browser.expanded.remove(&key);
        rebuild_rows(state, Some(keep));
        return;
    }
    // Go to the parent row: the nearest row above with a smaller depth.
    let depth = row.depth;
    let sel = state.browser.selected;
    if let Some(parent) = state.browser.rows[..sel]
        .iter()
        .rposition(|r| r.depth < depth)
    {
        state.browser.selected = parent;
        clamp_offsets(state);
        selection_changed(state, fx);
    }
}

pub(crate) fn scroll(state: &mut State, column: u16, row: u16, delta: i32, fx: &mut Vec<Effect>) {
    let l = state.layout();
    let inside = |r: Option<Rect>| {
        r.is_some_and(|r| column >= r.x && column < r.right() && row >= r.y && row < r.bottom())
    };
    state.dirty = true;
    if inside(l.tree) {
        move_selection(state, delta as i64, fx);
    } else if inside(l.preview) {
        scroll_preview(state, delta as i64 * 3);
    } else if inside(l.log) {
        let log = &mut state.browser.log;
        log.scroll = (log.scroll as i64 + delta as i64).max(0) as usize;
        clamp_offsets(state);
    } else if state.help.is_some() {
        overlay::scroll_help(
            &mut state.help,
            if delta > 0 { Action::Down } else { Action::Up },
            &state.keymap,
            &crate::keymap::Context::CONSOLE,
            state.size,
        );
    }
}

/// After the selection moved: point the preview and the log at it, loading what is missing.
pub(crate) fn selection_changed(state: &mut State, fx: &mut Vec<Effect>) {
    state.dirty = true;
    let Some(index) = state.index() else { return };
    let Some(row) = state.selected_row() else {
        state.browser.preview = Default::default();
        return;
    };
    // Preview: which file, and where to scroll.
    let target = super::preview_target(index, row).map(|f| f.path.clone());
    let (mark, scroll) = match &row.kind {
        RowKind::Resource { file, res } => {
            let r = &index.files[*file].resources[*res];
            (
                Some((r.start_line, r.end_line)),
                r.start_line.saturating_sub(1),
            )
        }
        RowKind::File { file } => match &index.files[*file].error {
            Some(e) => (Some((e.pos.line, e.pos.line)), e.pos.line.saturating_sub(4)),
            None => (None, 0),
        },
        RowKind::Dir { .. } => (None, 0),
    };
    let log_path = super::row_path(index, row).to_string();
    let p = &mut state.browser.preview;
    if p.path != target {
        p.path = target.clone();
        p.text = match &target {
            Some(path) => {
                fx.push(Effect::LoadFile(path.clone()));
                Loadable::Loading
            }
            None => Loadable::Idle,
        };
    }
    p.mark = mark;
    p.scroll = scroll;
    if !state.browser.search.text.is_empty() {
        search_refresh(state, false);
    }
    if state.browser.show_log && state.browser.log.path.as_deref() != Some(log_path.as_str()) {
        state.browser.log = super::Log {
            path: Some(log_path.clone()),
            commits: Loadable::Loading,
            scroll: 0,
        };
        fx.push(Effect::GitLog(log_path));
    }
    clamp_offsets(state);
}

/// Keeps the tree offset showing the selection and the scroll positions within their content,
/// for the viewport sizes of the current layout.
pub(crate) fn clamp_offsets(state: &mut State) {
    let l = state.layout();
    let tree_h = layout::inner_height(l.tree).max(1);
    let b = &mut state.browser;
    if b.selected < b.offset {
        b.offset = b.selected;
    } else if b.selected >= b.offset + tree_h {
        b.offset = b.selected + 1 - tree_h;
    }
    b.offset = b.offset.min(b.rows.len().saturating_sub(tree_h));
    if let Loadable::Loaded(text) = &b.preview.text {
        let h = layout::inner_height(l.preview).max(1);
        b.preview.scroll = b.preview.scroll.min(text.lines.len().saturating_sub(h));
    }
    if let Loadable::Loaded(c) = &b.log.commits {
        let h = layout::inner_height(l.log).max(1);
        b.log.scroll = b.log.scroll.min(c.len().saturating_sub(h));
    }
}
