//! The pure core: `State`, `Msg`, `Effect` and `update`.
//!
//! `update` does no I/O and never reads the clock; tasks turn the effects it returns into
//! messages. A test drives it with messages and inspects state and effects, no terminal needed.

pub mod browser;
pub mod changes;
pub mod layout;
pub mod live;
pub mod reconcile;
pub mod route;
pub mod write;

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::git::log::Commit;
use crate::git::status::GitStatus;
use crate::keymap::{Action, Context, Key, Keymap};
use crate::repo::index::RepoIndex;
use browser::{BrowserState, Loadable, Pane, Row, RowKind};
use live::{LiveMsg, LiveState, Want};
use route::{LiveViews, Route};

/// A message shown in the footer until the next key; kept in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub error: bool,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct RepoState {
    /// The folder the console browses (the work tree root of the repo).
    pub root: PathBuf,
    /// The root as shown in the header (home shortened to `~`).
    pub display: String,
    pub index: Loadable<Arc<RepoIndex>>,
    pub git: Loadable<GitStatus>,
    /// The index is being rebuilt while the old one stays on screen.
    pub reindexing: bool,
    /// Where `root` sits in its git work tree (`""` at the top, else `a/b`): git's paths are
    /// relative to the work tree, the browser's to `root`.
    pub prefix: String,
}

#[derive(Debug, Clone, Default)]
pub struct State {
    pub repo: RepoState,
    pub browser: BrowserState,
    pub keymap: Keymap,
    pub help: Option<usize>,
    pub toast: Option<Toast>,
    pub toast_history: Vec<Toast>,
    pub size: (u16, u16),
    /// Whether the terminal window has focus (dimmed borders when not).
    pub focused: bool,
    pub quit: bool,
    /// Something visible changed since the last draw.
    pub dirty: bool,
    /// The view on screen, and the ones to go back to.
    pub route: Route,
    pub back: Vec<Route>,
    pub live: LiveState,
    pub views: LiveViews,
    /// The capability to change the repo; `None` in a read-only console (see `write`).
    pub write: Option<write::WriteCap>,
    pub changes: changes::ChangesState,
    /// A dialog over the view (quick actions, confirmations, the commit message, push progress).
    pub modal: Option<changes::Modal>,
    /// Following the last push through Argo CD.
    pub reconcile: Option<reconcile::Tracking>,
    pub reconcile_timeout_secs: i64,
}

#[allow(clippy::large_enum_variant)] // moved once, through a bounded channel
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    /// Mouse wheel over the screen: positive scrolls down.
    Scroll {
        column: u16,
        row: u16,
        delta: i32,
    },
    Paste(String),
    Resize(u16, u16),
    Focus(bool),
    /// Back from Ctrl-Z: the screen must be redrawn in full.
    Resumed,
    Indexed(Result<Arc<RepoIndex>, String>),
    /// Files under the repo changed on disk.
    RepoChanged,
    GitStatus(Result<GitStatus, String>),
    GitLog {
        path: String,
        result: Result<Vec<Commit>, String>,
    },
    FileLoaded {
        path: String,
        result: Result<Arc<browser::FileText>, String>,
    },
    /// The changes view's file list (git worker).
    Changes(Result<changes::ChangesData, String>),
    Diff {
        path: String,
        result: Result<Arc<Vec<changes::DiffLine>>, String>,
    },
    /// The quick actions a resource offers (read from its file).
    QuickOptions {
        target: changes::QuickTarget,
        result: Result<Vec<crate::repo::quick::QuickOption>, String>,
    },
    /// The check of the staged files before a commit.
    Validated(Result<Vec<changes::CheckFinding>, String>),
    /// From the writer thread.
    Wrote(changes::WriteMsg),
    /// The editor of `WriteOp::Edit` returned (an error when it could not run or failed).
    Edited {
        path: String,
        result: Result<(), String>,
    },
    /// The repo against the Applications' synced revisions (git worker).
    GitRevisions(crate::app::live::gitops::Revisions),
    /// From the kube watchers.
    Live(LiveMsg),
    /// The clock, while something on screen ages (unix seconds).
    Tick(crate::model::Time),
}

/// The git worker's answers, as the loop's messages. Git defines its own types and never names
/// `Msg`; this is the one place they meet.
impl From<crate::git::protocol::GitMsg> for Msg {
    fn from(m: crate::git::protocol::GitMsg) -> Msg {
        use crate::git::protocol::GitMsg;
        match m {
            GitMsg::Status(result) => Msg::GitStatus(result),
            GitMsg::Log { path, result } => Msg::GitLog { path, result },
            GitMsg::Revisions(found) => Msg::GitRevisions(
                found
                    .into_iter()
                    .map(|(k, head, behind)| (k, live::gitops::PathRevision { head, behind }))
                    .collect(),
            ),
            GitMsg::Changes(result) => Msg::Changes(result),
            GitMsg::Diff { path, result } => Msg::Diff { path, result },
        }
    }
}

/// The writer thread's answers.
impl From<changes::WriteMsg> for Msg {
    fn from(m: changes::WriteMsg) -> Msg {
        Msg::Wrote(m)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Reindex,
    RefreshGit,
    LoadFile(String),
    GitLog(String),
    /// The complete set of watches the view on screen needs.
    Watch(Vec<Want>),
    /// Watch these kubeconfig contexts.
    UseContexts(Vec<String>),
    Suspend,
    /// A change to the repo: only with the capability (never in a read-only console).
    Write(write::WriteCap, write::WriteOp),
    /// Cancel the running write (a push or fetch).
    CancelWrite,
    /// Read git status for the changes view, and the diff of one file (work-tree paths).
    LoadChanges,
    LoadDiff(String),
    /// Read a resource's file for its quick actions.
    LoadQuick(changes::QuickTarget),
    /// Check these files (work-tree paths) before a commit.
    Validate(Vec<String>),
    Quit,
}

impl State {
    pub fn new(root: PathBuf, keymap: Keymap, size: (u16, u16)) -> State {
        State {
            reconcile_timeout_secs: 600,
            repo: RepoState {
                display: root.display().to_string(),
                root,
                ..Default::default()
            },
            keymap,
            size,
            focused: true,
            dirty: true,
            browser: BrowserState {
                show_log: true,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// Effects to run at start-up.
    pub fn init(&mut self) -> Vec<Effect> {
        self.repo.index = Loadable::Loading;
        self.repo.git = Loadable::Loading;
        let mut fx = vec![Effect::Reindex, Effect::RefreshGit];
        route::request_watches(self, &mut fx);
        if self.route == Route::Changes {
            changes::refresh(self, &mut fx);
        }
        fx
    }

    /// The repo resource under the browser's selection.
    pub fn selected_resource(&self) -> Option<&crate::repo::index::Resource> {
        let (file, res) = self.selected_resource_at()?;
        Some(&self.index()?.files[file].resources[res])
    }

    /// The file and resource indexes of the browser's selected resource (a file with one
    /// resource counts as that resource).
    pub fn selected_resource_at(&self) -> Option<(usize, usize)> {
        let index = self.index()?;
        match &self.selected_row()?.kind {
            RowKind::Resource { file, res } => Some((*file, *res)),
            RowKind::File { file } if index.files[*file].resources.len() == 1 => Some((*file, 0)),
            _ => None,
        }
    }

    pub fn index(&self) -> Option<&RepoIndex> {
        match &self.repo.index {
            Loadable::Loaded(i) => Some(i),
            _ => None,
        }
    }

    /// The key context in force.
    pub fn context(&self) -> Context {
        if self.help.is_some() {
            Context::Help
        } else if self.modal.is_some() {
            Context::Dialog
        } else if self.views.picker.is_some() {
            Context::Picker
        } else if self.route == Route::Changes {
            Context::Changes
        } else if self.route.is_live() {
            if self.nav().is_some_and(|n| n.filtering) {
                Context::Filter
            } else {
                Context::Live
            }
        } else if self.browser.filter.editing {
            Context::Filter
        } else {
            Context::Browser
        }
    }

    pub fn layout(&self) -> layout::BrowserLayout {
        layout::browser(
            Rect::new(0, 0, self.size.0, self.size.1),
            self.browser.focus,
            self.browser.show_log,
        )
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.browser.rows.get(self.browser.selected)
    }

    pub(crate) fn toast(&mut self, error: bool, text: impl Into<String>) {
        let t = Toast {
            error,
            text: text.into(),
        };
        self.toast_history.push(t.clone());
        if self.toast_history.len() > 100 {
            self.toast_history.remove(0);
        }
        self.toast = Some(t);
    }
}

/// Applies one message. Returns the effects to run; sets `state.dirty` when the screen changed.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(ev) => {
            if state.toast.take().is_some() {
                state.dirty = true;
            }
            key(state, ev, &mut fx);
        }
        Msg::Paste(text) => {
            if state.browser.filter.editing {
                state
                    .browser
                    .filter
                    .text
                    .push_str(text.lines().next().unwrap_or(""));
                apply_filter(state, &mut fx);
            }
        }
        Msg::Scroll { column, row, delta } => scroll(state, column, row, delta, &mut fx),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            clamp_offsets(state);
            state.dirty = true;
        }
        Msg::Focus(f) => {
            state.focused = f;
            state.dirty = true;
        }
        Msg::Resumed => state.dirty = true,
        Msg::Edited { path, result } => {
            match result {
                Ok(()) => state.toast(false, format!("{path}: back from the editor")),
                Err(e) => state.toast(
                    true,
                    format!("{path}: the editor {e}; the file is kept as it left it"),
                ),
            }
            // The watcher may be off: look at the repo again either way.
            if !state.repo.reindexing {
                state.repo.reindexing = true;
                fx.push(Effect::Reindex);
            }
            fx.push(Effect::RefreshGit);
        }
        Msg::Changes(result) => {
            if let Ok(d) = &result {
                state.repo.prefix = d.prefix.clone();
            }
            changes::loaded(state, result, &mut fx)
        }
        Msg::Diff { path, result } => changes::diff_loaded(state, path, result),
        Msg::QuickOptions { target, result } => changes::quick_options(state, target, result),
        Msg::Validated(result) => changes::validated(state, result),
        Msg::Wrote(m) => changes::wrote(state, m, &mut fx),
        Msg::Indexed(result) => indexed(state, result, &mut fx),
        Msg::RepoChanged => {
            if !state.repo.reindexing {
                state.repo.reindexing = true;
                fx.push(Effect::Reindex);
            }
            fx.push(Effect::RefreshGit);
        }
        Msg::GitStatus(result) => {
            state.repo.git = match result {
                Ok(s) => Loadable::Loaded(s),
                Err(e) => Loadable::Failed(e),
            };
            state.dirty = true;
        }
        Msg::GitRevisions(revs) => {
            state.views.revisions = revs;
            state.live.changed.sources = true;
            route::settle(state);
            state.dirty = true;
        }
        Msg::GitLog { path, result } => {
            if state.browser.log.path.as_deref() == Some(path.as_str()) {
                state.browser.log.commits = match result {
                    Ok(c) => Loadable::Loaded(c),
                    Err(e) => Loadable::Failed(e),
                };
                state.dirty = true;
            }
        }
        Msg::Live(m) => {
            let sources_before = state.live.changed.sources;
            if state.live.apply(m)
                && (state.route.is_live() || state.live.changed.sources != sources_before)
            {
                state.dirty = true;
            }
        }
        Msg::Tick(now) => {
            state.live.now = state.live.now.max(now);
            if state.reconcile.is_some() {
                reconcile::refresh(state);
            }
            if state.route.is_live() {
                state.dirty = true;
            }
        }
        Msg::FileLoaded { path, result } => {
            if state.browser.preview.path.as_deref() == Some(path.as_str()) {
                state.browser.preview.text = match result {
                    Ok(text) => Loadable::Loaded(text),
                    Err(e) => Loadable::Failed(e),
                };
                clamp_offsets(state);
                state.dirty = true;
            }
        }
    }
    fx
}

fn indexed(state: &mut State, result: Result<Arc<RepoIndex>, String>, fx: &mut Vec<Effect>) {
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
        .and_then(|i| state.selected_row().map(|r| browser::row_key(i, r)));
    if first {
        state.browser.expanded = browser::initial_expanded(&index);
    }
    state.browser.dir_stats = browser::dir_stats(&index);
    state.repo.index = Loadable::Loaded(index);
    rebuild_rows(state, keep);
    // A re-index means files changed: reload what is shown.
    state.browser.preview.path = None;
    state.browser.log.path = None;
    selection_changed(state, fx);
}

/// Recomputes the rows, keeping the row identified by `keep` selected when it still exists.
fn rebuild_rows(state: &mut State, keep: Option<String>) {
    let Some(index) = state.index() else { return };
    let b = &state.browser;
    let hits = (!b.filter.text.is_empty()).then(|| browser::filter_hits(index, &b.filter.text));
    let rows = browser::build_rows(index, &b.expanded, hits.as_ref());
    let matches: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.matched)
        .map(|(i, _)| i)
        .collect();
    let selected = keep
        .and_then(|k| rows.iter().position(|r| browser::row_key(index, r) == k))
        .unwrap_or(state.browser.selected.min(rows.len().saturating_sub(1)));
    state.browser.rows = rows;
    state.browser.filter.matches = matches;
    state.browser.selected = selected;
    clamp_offsets(state);
    state.dirty = true;
}

fn key(state: &mut State, ev: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(k) = Key::from_event(&ev) else {
        return;
    };
    let ctx = state.context();
    match state.keymap.resolve(ctx, k) {
        Some(action) => act(state, ctx, action, fx),
        None if ctx == Context::Dialog && !k.ctrl && !k.alt => {
            if let crate::keymap::KeyCodeOrd::Char(c) = k.code {
                changes::modal_key(state, None, Some(c), fx);
            }
        }
        None if ctx == Context::Filter && !k.ctrl && !k.alt => {
            if let crate::keymap::KeyCodeOrd::Char(c) = k.code {
                if state.route.is_live() {
                    route::filter_edit(state, None, Some(c));
                } else {
                    state.browser.filter.text.push(c);
                    apply_filter(state, fx);
                }
            }
        }
        None => {}
    }
}

/// Runs an action in a context.
pub fn act(state: &mut State, ctx: Context, action: Action, fx: &mut Vec<Effect>) {
    state.dirty = true;
    match action {
        Action::ForceQuit => quit(state, fx),
        Action::Suspend => fx.push(Effect::Suspend),
        Action::Help => state.help = if state.help.is_some() { None } else { Some(0) },
        // The views' number keys, wherever they are bound.
        _ if Route::for_action(action) == Some(Route::Changes) => changes::open(state, fx),
        _ if let Some(route) = Route::for_action(action) => route::go(state, route, fx),
        _ => match ctx {
            Context::Help => help_action(state, action),
            Context::Filter if state.route.is_live() => {
                route::filter_edit(state, Some(action), None)
            }
            Context::Filter => filter_action(state, action, fx),
            Context::Live => route::live_action(state, action, fx),
            Context::Picker => route::picker_action(state, action, fx),
            Context::Dialog => changes::modal_key(state, Some(action), None, fx),
            Context::Changes => changes::action(state, action, fx),
            Context::Browser | Context::Global => browser_action(state, action, fx),
        },
    }
}

pub(crate) fn quit(state: &mut State, fx: &mut Vec<Effect>) {
    state.quit = true;
    fx.push(Effect::Quit);
}

fn help_action(state: &mut State, action: Action) {
    let Some(scroll) = state.help.as_mut() else {
        return;
    };
    let page = state.size.1.saturating_sub(6) as usize;
    match action {
        Action::Back => state.help = None,
        Action::Down => *scroll += 1,
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::PageDown => *scroll += page,
        Action::PageUp => *scroll = scroll.saturating_sub(page),
        _ => {}
    }
}

fn filter_action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
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

fn apply_filter(state: &mut State, fx: &mut Vec<Effect>) {
    let keep = state
        .index()
        .and_then(|i| state.selected_row().map(|r| browser::row_key(i, r)));
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

fn browser_action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    let l = state.layout();
    let tree_page = layout::inner_height(l.tree).max(1);
    let preview_page = layout::inner_height(l.preview).max(1);
    let on_tree = state.browser.focus == Pane::Tree;
    match action {
        Action::Quit => quit(state, fx),
        Action::Back => {
            if !state.browser.filter.text.is_empty() {
                state.browser.filter.text.clear();
                apply_filter(state, fx);
            } else if state.browser.focus != Pane::Tree {
                state.browser.focus = Pane::Tree;
            } else {
                quit(state, fx);
            }
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            let delta: i64 = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -(if on_tree { tree_page } else { preview_page } as i64),
                Action::PageDown => (if on_tree { tree_page } else { preview_page }) as i64,
                Action::Top => i64::MIN / 2,
                _ => i64::MAX / 2,
            };
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
                let keep = state.selected_row().map(|r| browser::row_key(index, r));
                state.browser.expanded = all;
                rebuild_rows(state, keep);
            }
        }
        Action::CollapseAll => {
            if let Some(index) = state.index() {
                let keep = state.selected_row().map(|r| browser::row_key(index, r));
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
        Action::Filter => state.browser.filter.editing = true,
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
        Action::Jump => route::jump_to_live(state, fx),
        Action::Contexts => route::open_picker(state),
        _ => state.dirty = false,
    }
}

/// Opens the quick actions of resource `res` of file `file` of the index.
pub(crate) fn quick_on(state: &mut State, file: usize, res: usize, fx: &mut Vec<Effect>) {
    let Some(index) = state.index() else { return };
    let f = &index.files[file];
    let r = &f.resources[res];
    let (Some(kind), Some(name)) = (r.kind.clone(), r.name.clone()) else {
        state.toast(false, "this document has no kind or name");
        return;
    };
    let target = changes::QuickTarget {
        path: f.path.clone(),
        doc: r.doc,
        kind,
        name,
    };
    changes::quick(state, target, fx);
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
    let keep = browser::row_key(index, row);
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
        let keep = browser::row_key(index, row);
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

fn scroll(state: &mut State, column: u16, row: u16, delta: i32, fx: &mut Vec<Effect>) {
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
        help_action(state, if delta > 0 { Action::Down } else { Action::Up });
    }
}

/// After the selection moved: point the preview and the log at it, loading what is missing.
fn selection_changed(state: &mut State, fx: &mut Vec<Effect>) {
    state.dirty = true;
    let Some(index) = state.index() else { return };
    let Some(row) = state.selected_row() else {
        state.browser.preview = Default::default();
        return;
    };
    // Preview: which file, and where to scroll.
    let target = browser::preview_target(index, row).map(|f| f.path.clone());
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
    let log_path = browser::row_path(index, row).to_string();
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
    if state.browser.show_log && state.browser.log.path.as_deref() != Some(log_path.as_str()) {
        state.browser.log = browser::Log {
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
fn clamp_offsets(state: &mut State) {
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

#[cfg(test)]
mod tests;
