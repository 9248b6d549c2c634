//! The changes view (`9`): what git status says, a coloured diff per file, staging, discard,
//! the commit dialog and the push, and the quick actions (`a`) that edit a manifest in place.
//!
//! Everything here is pure: the writes are `Effect::Write` with the `WriteCap` held in
//! `State::write` (absent in a read-only console), run by the writer thread, which answers with
//! `WriteMsg`s. Git's message types are defined in `git::protocol` and re-exported here.

use std::sync::Arc;

use super::browser::Loadable;
use super::nav::{self, Route};
use super::write::{WriteCap, WriteOp};
use super::{Effect, State};
use crate::git::status::FileStatus;
use crate::keymap::Action;
use crate::repo::quick::{Ask, QuickOption};

pub use crate::git::changes::Change;
pub use crate::git::diff::{DiffLine, LineKind};
pub use crate::git::protocol::{ChangesData, PushError, Pushed, RebaseCheck, WriteMsg};

mod commit;
mod modal;
mod outcome;

use commit::start_commit;
pub use commit::{default_message, scope, validated};
pub use modal::{Modal, modal_key, quick, quick_options};
use outcome::push;
pub use outcome::{push_failure, wrote};

/// A finding of the check run before a commit, `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFinding {
    pub path: String,
    pub line: usize,
    pub message: String,
    /// A failed policy rule (`CKV_K8S_20 Deployment.shop.web: …`): a warning unless
    /// `[policy] block_commit` is set (see [`ChangesState::policy_blocks`]).
    pub policy: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiffPane {
    pub path: Option<String>,
    pub lines: Loadable<Arc<Vec<DiffLine>>>,
    pub scroll: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangesState {
    pub files: Loadable<Vec<Change>>,
    pub author: Option<Result<String, String>>,
    pub selected: usize,
    pub offset: usize,
    pub diff: DiffPane,
    /// Tab moved the focus to the diff: the movement keys scroll it line by line.
    pub diff_focus: bool,
    /// The commit-message lines of the quick actions since the last commit, each with the file
    /// it edited: the message names only those of files still staged.
    pub notes: Vec<Note>,
    /// The file of the discard running now (its notes go when it succeeds).
    pub discarding: Option<String>,
    /// `[policy] block_commit`: failed policy rules in the staged files refuse the commit
    /// (otherwise they are shown in the commit dialog as warnings).
    pub policy_blocks: bool,
    /// The write running now (its name), shown in the footer; one at a time.
    pub busy: Option<&'static str>,
    /// What to say after the last failed write, kept until the next one succeeds (shown at the
    /// bottom of the view): where the operator's work is now.
    pub last_failure: Option<String>,
    /// `q` is waiting for the change list to say whether anything staged would be left.
    pub quit_asked: bool,
}

impl ChangesState {
    pub fn list(&self) -> &[Change] {
        match &self.files {
            Loadable::Loaded(f) => f,
            _ => &[],
        }
    }

    pub fn selected_change(&self) -> Option<&Change> {
        self.list().get(self.selected)
    }

    pub fn staged(&self) -> Vec<String> {
        self.list()
            .iter()
            .filter(|c| c.staged.is_some())
            .map(|c| c.path.clone())
            .collect()
    }
}

/// A quick action's line for the commit message, and the file it edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Relative to the git work tree, as the change list names it.
    pub path: String,
    /// `clusters/edge-berlin: scale MachineDeployment edge-berlin-workers 3 -> 4`.
    pub text: String,
}

/// A resource a quick action edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickTarget {
    /// Relative to the repo root.
    pub path: String,
    pub doc: usize,
    pub kind: String,
    pub name: String,
}

/// The capability, or a toast saying this console is read-only.
pub(super) fn cap(state: &mut State) -> Option<WriteCap> {
    let cap = state.write.clone();
    if cap.is_none() {
        state.toast(false, "read-only: this console changes nothing");
    }
    cap
}

pub(super) fn write(state: &mut State, op: WriteOp, fx: &mut Vec<Effect>) {
    let Some(cap) = cap(state) else { return };
    if let Some(busy) = state.changes.busy {
        state.toast(false, format!("wait: {busy} is still running"));
        return;
    }
    state.changes.busy = Some(op.name());
    if let WriteOp::Discard(path) = &op {
        state.changes.discarding = Some(path.clone());
    }
    fx.push(Effect::Write(cap, op));
}

/// `q`: quits at once when nothing would be left behind; asks first (`Modal::Quit`) when
/// commits are not pushed or files are staged and not committed. A read-only console has no
/// work to lose and quits. When the change list is not known yet, it is read first.
pub fn ask_quit(state: &mut State, fx: &mut Vec<Effect>) {
    if state.write.is_none() {
        super::quit(state, fx);
        return;
    }
    if !matches!(
        state.changes.files,
        Loadable::Loaded(_) | Loadable::Failed(_)
    ) {
        state.changes.quit_asked = true;
        state.changes.files = Loadable::Loading;
        fx.push(Effect::LoadChanges);
        return;
    }
    let ahead = match &state.repo.git {
        Loadable::Loaded(g) => g.ahead,
        _ => 0,
    };
    let staged = state.changes.staged().len();
    if ahead == 0 && staged == 0 {
        super::quit(state, fx);
        return;
    }
    let mut lines = vec![];
    if ahead > 0 {
        lines.push(format!(
            "{ahead} commit{} not pushed (P pushes them).",
            if ahead == 1 { " is" } else { "s are" }
        ));
    }
    if staged > 0 {
        lines.push(format!(
            "{staged} file{} staged and not committed (9, then c).",
            if staged == 1 { " is" } else { "s are" }
        ));
    }
    lines.push("They stay in the repo either way. Quit now? (y/n)".into());
    state.modal = Some(Modal::Quit { lines });
}

/// Opens the view and asks for what it shows.
pub fn open(state: &mut State, fx: &mut Vec<Effect>) {
    nav::go(state, Route::Changes, fx);
    refresh(state, fx);
}

pub fn refresh(state: &mut State, fx: &mut Vec<Effect>) {
    if !matches!(state.changes.files, Loadable::Loaded(_)) {
        state.changes.files = Loadable::Loading;
    }
    fx.push(Effect::LoadChanges);
    state.changes.diff.path = None;
    diff_follow(state, fx);
}

/// Points the diff pane at the selected file.
fn diff_follow(state: &mut State, fx: &mut Vec<Effect>) {
    let path = state.changes.selected_change().map(|c| c.path.clone());
    let d = &mut state.changes.diff;
    if d.path != path {
        d.path = path.clone();
        d.scroll = 0;
        d.lines = match path {
            Some(p) => {
                fx.push(Effect::LoadDiff(p));
                Loadable::Loading
            }
            None => Loadable::Idle,
        };
    }
}

/// The git worker's answer to `Effect::LoadChanges`.
pub fn loaded(state: &mut State, result: Result<ChangesData, String>, fx: &mut Vec<Effect>) {
    let c = &mut state.changes;
    match result {
        Ok(data) => {
            let keep = c.selected_change().map(|x| x.path.clone());
            c.selected = keep
                .and_then(|k| data.files.iter().position(|f| f.path == k))
                .unwrap_or(c.selected)
                .min(data.files.len().saturating_sub(1));
            c.files = Loadable::Loaded(data.files);
            c.author = Some(data.author);
            // The file may have changed: load its diff again.
            c.diff.path = None;
        }
        Err(e) => c.files = Loadable::Failed(e),
    }
    diff_follow(state, fx);
    state.dirty = true;
    if std::mem::take(&mut state.changes.quit_asked) {
        ask_quit(state, fx);
    }
}

pub fn diff_loaded(state: &mut State, path: String, result: Result<Arc<Vec<DiffLine>>, String>) {
    let d = &mut state.changes.diff;
    if d.path.as_deref() == Some(path.as_str()) {
        d.lines = match result {
            Ok(l) => Loadable::Loaded(l),
            Err(e) => Loadable::Failed(e),
        };
        state.dirty = true;
    }
}

/// Keys of the changes view.
/// Where the diff's first shown line goes for a movement key while the diff has the focus.
fn diff_line_move(action: Action, scroll: usize, page: i64) -> Option<i64> {
    let at = scroll as i64;
    Some(match action {
        Action::Up => at - 1,
        Action::Down => at + 1,
        Action::Top => 0,
        Action::Bottom => i64::MAX / 2,
        Action::PreviewDown => at + page,
        Action::PreviewUp => at - page,
        _ => return None,
    })
}

pub fn action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    let n = state.changes.list().len();
    let page = state.size.1.saturating_sub(8) as i64;
    let mut move_to = |state: &mut State, i: i64| {
        let next = i.clamp(0, n.saturating_sub(1) as i64) as usize;
        state.changes.selected = next;
        diff_follow(state, fx);
    };
    let sel = state.changes.selected as i64;
    if state.changes.diff_focus
        && let Some(to) = diff_line_move(action, state.changes.diff.scroll, page)
    {
        let d = &mut state.changes.diff;
        let len = match &d.lines {
            Loadable::Loaded(l) => l.len(),
            _ => 0,
        };
        d.scroll = to.clamp(0, len.saturating_sub(1) as i64) as usize;
        return;
    }
    match action {
        Action::FocusNext | Action::FocusPrev => {
            state.changes.diff_focus = !state.changes.diff_focus;
        }
        Action::Quit => ask_quit(state, fx),
        Action::Back => {
            if !nav::back(state, fx) {
                nav::go(state, Route::Browser, fx);
            }
        }
        Action::Up => move_to(state, sel - 1),
        Action::Down => move_to(state, sel + 1),
        Action::Top => move_to(state, 0),
        Action::Bottom => move_to(state, n as i64),
        Action::PreviewDown | Action::PreviewUp => {
            let d = &mut state.changes.diff;
            let len = match &d.lines {
                Loadable::Loaded(l) => l.len(),
                _ => 0,
            };
            let delta = if action == Action::PreviewDown {
                page
            } else {
                -page
            };
            d.scroll = (d.scroll as i64 + delta).clamp(0, len.saturating_sub(1) as i64) as usize;
        }
        Action::Reload => refresh(state, fx),
        Action::Stage => {
            let Some(c) = state.changes.selected_change().cloned() else {
                return;
            };
            // Staged and nothing more in the work tree: unstage; otherwise stage (all of it).
            let op = if c.staged.is_some() && c.unstaged.is_none() {
                WriteOp::Unstage(vec![c.path])
            } else {
                WriteOp::Stage(vec![c.path])
            };
            write(state, op, fx);
        }
        Action::StageAll => {
            if cap(state).is_none() {
                return;
            }
            let all: Vec<String> = state
                .changes
                .list()
                .iter()
                .filter(|c| c.unstaged.is_some())
                .map(|c| c.path.clone())
                .collect();
            if all.is_empty() {
                state.toast(false, "nothing to stage");
            } else {
                write(state, WriteOp::Stage(all), fx);
            }
        }
        Action::Discard => {
            let Some(c) = state.changes.selected_change().cloned() else {
                return;
            };
            if cap(state).is_none() {
                return;
            }
            let what = if c.unstaged == Some(FileStatus::Untracked)
                || c.staged == Some(FileStatus::Added)
            {
                "This file is new: discarding deletes it."
            } else {
                "The file goes back to the last commit, in the index and the work tree."
            };
            state.modal = Some(Modal::Confirm {
                title: format!("Discard the changes to {}?", c.path),
                lines: vec![what.into(), "This cannot be undone.".into()],
                op: WriteOp::Discard(c.path),
                default_yes: true,
            });
        }
        Action::Commit => start_commit(state, fx),
        Action::Push => push(state, fx),
        Action::Edit => {
            let Some(c) = state.changes.selected_change().cloned() else {
                return;
            };
            if c.unstaged == Some(FileStatus::Deleted) {
                state.toast(false, format!("{} is deleted", c.path));
                return;
            }
            let Some(path) = repo_relative(state, &c.path) else {
                state.toast(false, format!("{} is outside the repo folder", c.path));
                return;
            };
            write(state, WriteOp::Edit { path, line: 1 }, fx);
        }
        Action::Open => {
            let Some(c) = state.changes.selected_change().cloned() else {
                return;
            };
            match repo_relative(state, &c.path) {
                Some(p) => {
                    nav::go(state, Route::Browser, fx);
                    if !state.reveal_path(&p, fx) {
                        state.toast(false, format!("{p} is not in the index"));
                    }
                }
                None => state.toast(false, format!("{} is outside the repo folder", c.path)),
            }
        }
        _ => state.dirty = false,
    }
}

/// A work-tree path as a path under the browsed repo folder (they differ when the console
/// browses a folder inside a bigger repository).
pub fn repo_relative(state: &State, path: &str) -> Option<String> {
    let prefix = &state.repo.prefix;
    if prefix.is_empty() {
        return Some(path.to_string());
    }
    path.strip_prefix(prefix.as_str())
        .and_then(|p| p.strip_prefix('/'))
        .map(str::to_string)
}

/// The reverse of [`repo_relative`].
pub fn work_tree_relative(state: &State, path: &str) -> String {
    if state.repo.prefix.is_empty() {
        path.to_string()
    } else {
        format!("{}/{}", state.repo.prefix, path)
    }
}
