//! The pure core: `State`, `Msg`, `Effect` and `update`.
//!
//! `update` does no I/O and never reads the clock; tasks turn the effects it returns into
//! messages. A test drives it with messages and inspects state and effects, no terminal needed.

pub mod browser;
pub mod changes;
pub mod layout;
pub mod live;
pub mod nav;
pub mod overlay;
pub mod reconcile;
pub mod write;

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::git::protocol::GitMsg;
use crate::git::status::GitStatus;
use crate::keymap::{Action, Context, Key, Keymap};
use crate::repo::index::RepoIndex;
use browser::update::{
    apply_filter, browser_action, clamp_offsets, filter_action, indexed, scroll,
};
use browser::{BrowserState, Loadable, Row, RowKind};
use live::views::LiveViews;
use live::{LiveMsg, LiveState, Want};
use nav::Route;
pub use overlay::Toast;

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
    /// The Images view: the images, Clair's answers, what is being indexed.
    pub images: live::images::ImagesState,
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
    FileLoaded {
        path: String,
        result: Result<Arc<browser::FileText>, String>,
    },
    /// The git worker's answers (git defines them).
    Git(GitMsg),
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
    /// From the kube watchers.
    Live(LiveMsg),
    /// The clock, while something on screen ages (unix seconds).
    Tick(crate::model::Time),
    /// The image tasks' answers (the repo's images, Clair's reports, indexing).
    Images(live::images::ImagesMsg),
    /// The images' vulnerabilities (the `standards::ImageVulns` seam, filled from Clair's
    /// reports by the images task); `None`: no report data.
    ImageVulns(Option<Vec<crate::standards::ImageVulns>>),
}

/// The git worker's answers. Git defines its own types and never names `Msg`.
impl From<GitMsg> for Msg {
    fn from(m: GitMsg) -> Msg {
        Msg::Git(m)
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
    /// Read (never write) where the repo stands against these Applications' `(revision, path)`
    /// pairs: the GitOps view's comparison.
    ReadRevisions(Vec<(String, String)>),
    Quit,
    /// Start a drill-down stream (a Pod's log, one object's Events): read only.
    Stream(crate::kube::protocol::StreamReq),
    StopStream(u64),
    /// Read the images the repo deploys (files only).
    ScanRepoImages,
    /// Ask the vulnerability source (Clair) for the reports of these manifest digests.
    FetchReports(Vec<String>),
    /// Ask Clair to index an image (the `I` key only): its manifest is resolved from the
    /// registry; nothing is written to git or a cluster.
    IndexImage {
        image: String,
        reference: String,
        digest: Option<String>,
    },
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
        nav::request_watches(self, &mut fx);
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
        } else if self.browser.filter.editing || self.browser.search.editing {
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
            if state.browser.search.editing {
                for c in text.lines().next().unwrap_or("").chars() {
                    state.browser.search.text.push(c);
                }
                browser::update::search_refresh(state, true);
            } else if state.browser.filter.editing {
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
            // The editor has returned, failed or not: the write it was is over.
            if state.changes.busy == Some("edit") {
                state.changes.busy = None;
            }
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
        Msg::QuickOptions { target, result } => changes::quick_options(state, target, result),
        Msg::Validated(result) => changes::validated(state, result),
        Msg::Wrote(m) => changes::wrote(state, m, &mut fx),
        Msg::Indexed(result) => {
            indexed(state, result, &mut fx);
            live::images::repo_changed(state, &mut fx);
            // The Standards view and the overview's standards read the index's repo side.
            state.live.changed.sources = true;
        }
        Msg::ImageVulns(v) => {
            state.views.std_images = v;
            state.live.changed.sources = true;
            state.dirty = true;
        }
        Msg::RepoChanged => {
            if !state.repo.reindexing {
                state.repo.reindexing = true;
                fx.push(Effect::Reindex);
            }
            fx.push(Effect::RefreshGit);
        }
        Msg::Git(m) => git_answer(state, m, &mut fx),
        Msg::Live(m) if m.stream_id().is_some() => live::drill::stream_msg(state, m),
        Msg::Live(m) => {
            let sources_before = state.live.changed.sources;
            if state.live.apply(m)
                && (state.route.is_live() || state.live.changed.sources != sources_before)
            {
                state.dirty = true;
            }
        }
        Msg::Images(m) => live::images::answer(state, m, &mut fx),
        Msg::Tick(now) => {
            state.live.now = state.live.now.max(now);
            live::images::tick(state, &mut fx);
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
                if !state.browser.search.text.is_empty() {
                    browser::update::search_refresh(state, false);
                }
                state.dirty = true;
            }
        }
    }
    fx
}

/// What the git worker read: status, a log, the change list, a diff, revisions.
fn git_answer(state: &mut State, m: GitMsg, fx: &mut Vec<Effect>) {
    match m {
        GitMsg::Changes(result) => {
            if let Ok(d) = &result {
                state.repo.prefix = d.prefix.clone();
            }
            changes::loaded(state, result, fx)
        }
        GitMsg::Diff { path, result } => changes::diff_loaded(state, path, result),
        GitMsg::Status(result) => {
            state.repo.git = match result {
                Ok(s) => Loadable::Loaded(s),
                Err(e) => Loadable::Failed(e),
            };
            state.dirty = true;
        }
        GitMsg::Revisions(found) => {
            state.views.revisions = live::gitops::revisions(found);
            state.live.changed.sources = true;
            fx.extend(live::views::settle(state));
            state.dirty = true;
        }
        GitMsg::Log { path, result } => {
            if state.browser.log.path.as_deref() == Some(path.as_str()) {
                state.browser.log.commits = match result {
                    Ok(c) => Loadable::Loaded(c),
                    Err(e) => Loadable::Failed(e),
                };
                state.dirty = true;
            }
        }
    }
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
                    live::views::filter_edit(state, None, Some(c), fx);
                } else if state.browser.search.editing {
                    browser::update::search_type(state, c);
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
        Action::Help => overlay::toggle_help(
            &mut state.help,
            &state.keymap,
            &Context::CONSOLE,
            ctx,
            state.size,
        ),
        // The views' number keys, wherever they are bound.
        _ if Route::for_action(action) == Some(Route::Changes) => changes::open(state, fx),
        _ if let Some(route) = Route::for_action(action) => nav::go(state, route, fx),
        _ => match ctx {
            Context::Help => overlay::scroll_help(
                &mut state.help,
                action,
                &state.keymap,
                &Context::CONSOLE,
                state.size,
            ),
            Context::Filter if state.route.is_live() => {
                live::views::filter_edit(state, Some(action), None, fx)
            }
            Context::Filter => filter_action(state, action, fx),
            Context::Live => live::views::live_action(state, action, fx),
            Context::Picker => overlay::picker_action(state, action, fx),
            Context::Dialog => changes::modal_key(state, Some(action), None, fx),
            Context::Changes => changes::action(state, action, fx),
            Context::Browser | Context::Global => browser_action(state, action, fx),
            // The dashboard's keys are its own (`dashboard::state`).
            Context::Dashboard => state.dirty = false,
        },
    }
}

pub(crate) fn quit(state: &mut State, fx: &mut Vec<Effect>) {
    state.quit = true;
    fx.push(Effect::Quit);
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

#[cfg(test)]
mod tests;
