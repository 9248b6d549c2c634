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

/// A finding of the check run before a commit, `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFinding {
    pub path: String,
    pub line: usize,
    pub message: String,
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
    /// The commit-message lines of the quick actions since the last commit.
    pub notes: Vec<String>,
    /// The write running now (its name), shown in the footer; one at a time.
    pub busy: Option<&'static str>,
    /// What to say after the last failed write, kept until the next one succeeds (shown at the
    /// bottom of the view): where the operator's work is now.
    pub last_failure: Option<String>,
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

/// A resource a quick action edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickTarget {
    /// Relative to the repo root.
    pub path: String,
    pub doc: usize,
    pub kind: String,
    pub name: String,
}

/// A dialog over the view. Keys go to it while it is open.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    /// The quick actions the selected resource offers (`Loading` while the file is read).
    Menu {
        target: QuickTarget,
        options: Loadable<Vec<QuickOption>>,
        selected: usize,
    },
    /// A value for a quick action.
    Input {
        target: QuickTarget,
        option: QuickOption,
        text: String,
        error: Option<String>,
    },
    /// A yes/no question; yes runs `op`.
    Confirm {
        title: String,
        lines: Vec<String>,
        op: WriteOp,
    },
    /// The commit message, prefilled, editable.
    Commit {
        message: String,
        author: String,
        files: Vec<String>,
    },
    /// The push (or fetch) in progress; esc cancels.
    Progress { title: String, lines: Vec<String> },
    /// Something to read: why a commit was blocked, why a push failed.
    Info {
        title: String,
        lines: Vec<String>,
        error: bool,
    },
}

impl Modal {
    pub fn title(&self) -> String {
        match self {
            Modal::Menu { target, .. } => format!("{} {}", target.kind, target.name),
            Modal::Input { option, .. } => option.label.clone(),
            Modal::Confirm { title, .. }
            | Modal::Progress { title, .. }
            | Modal::Info { title, .. } => title.clone(),
            Modal::Commit { .. } => "Commit".into(),
        }
    }
}

/// The capability, or a toast saying this console is read-only.
fn cap(state: &mut State) -> Option<WriteCap> {
    let cap = state.write.clone();
    if cap.is_none() {
        state.toast(false, "read-only: this console changes nothing");
    }
    cap
}

fn write(state: &mut State, op: WriteOp, fx: &mut Vec<Effect>) {
    let Some(cap) = cap(state) else { return };
    if let Some(busy) = state.changes.busy {
        state.toast(false, format!("wait: {busy} is still running"));
        return;
    }
    state.changes.busy = Some(op.name());
    fx.push(Effect::Write(cap, op));
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
pub fn action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    let n = state.changes.list().len();
    let page = state.size.1.saturating_sub(8) as i64;
    let mut move_to = |state: &mut State, i: i64| {
        let next = i.clamp(0, n.saturating_sub(1) as i64) as usize;
        state.changes.selected = next;
        diff_follow(state, fx);
    };
    let sel = state.changes.selected as i64;
    match action {
        Action::Quit => super::quit(state, fx),
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

/// `c`: nothing staged or a detached HEAD is refused with the reason; otherwise the staged
/// files are checked first (`Effect::Validate`), and the dialog opens when they pass.
fn start_commit(state: &mut State, fx: &mut Vec<Effect>) {
    if cap(state).is_none() {
        return;
    }
    if let Loadable::Loaded(g) = &state.repo.git
        && g.branch.is_none()
    {
        state.modal = Some(Modal::Info {
            title: "Cannot commit on a detached HEAD".into(),
            lines: vec![
                format!(
                    "HEAD is at {} and on no branch, so a commit would belong to nothing and could not be pushed.",
                    g.head.as_deref().unwrap_or("?")
                ),
                "Check out a branch in a shell (git switch main), then commit here.".into(),
            ],
            error: true,
        });
        return;
    }
    let staged = state.changes.staged();
    if staged.is_empty() {
        let unstaged = state.changes.list().len();
        state.modal = Some(Modal::Info {
            title: "Nothing is staged".into(),
            lines: vec![if unstaged > 0 {
                format!(
                    "{unstaged} changed file(s) are not staged: select one and press space (or A for all), then c."
                )
            } else {
                "There are no changes to commit.".into()
            }],
            error: true,
        });
        return;
    }
    state.modal = Some(Modal::Progress {
        title: "Checking the staged files".into(),
        lines: staged.clone(),
    });
    fx.push(Effect::Validate(staged));
}

/// The check's answer: errors block the commit (the edits stay in the work tree); otherwise the
/// commit dialog opens, prefilled from the quick actions.
pub fn validated(state: &mut State, result: Result<Vec<CheckFinding>, String>) {
    state.dirty = true;
    match result {
        Err(e) => {
            state.modal = Some(Modal::Info {
                title: "The check could not run".into(),
                lines: vec![e, "Nothing was committed.".into()],
                error: true,
            })
        }
        Ok(findings) if !findings.is_empty() => {
            let mut lines: Vec<String> = findings
                .iter()
                .map(|f| format!("{}:{}: {}", f.path, f.line, f.message))
                .collect();
            lines.push(String::new());
            lines.push(
                "Nothing was committed; the edits are still in the work tree. Fix them (e opens the editor) and commit again."
                    .into(),
            );
            state.modal = Some(Modal::Info {
                title: format!("The commit is blocked: {} error(s)", findings.len()),
                lines,
                error: true,
            });
        }
        Ok(_) => {
            let files = state.changes.staged();
            let author = match &state.changes.author {
                Some(Ok(a)) => a.clone(),
                Some(Err(e)) => format!("(none: {e})"),
                None => "(from git config)".into(),
            };
            state.modal = Some(Modal::Commit {
                message: default_message(&state.changes.notes, &files),
                author,
                files,
            });
        }
    }
}

/// `clusters/edge-berlin: scale MachineDeployment edge-berlin-workers 3 -> 4`: the quick
/// actions' lines, else the changed files.
pub fn default_message(notes: &[String], files: &[String]) -> String {
    match notes {
        [one] => one.clone(),
        [] => match files {
            [one] => format!("{one}: update"),
            _ => {
                let scopes: std::collections::BTreeSet<String> =
                    files.iter().map(|f| scope(f)).collect();
                format!(
                    "{}: update {} files",
                    scopes.into_iter().collect::<Vec<_>>().join(", "),
                    files.len()
                )
            }
        },
        many => {
            let scopes: std::collections::BTreeSet<String> = many
                .iter()
                .filter_map(|n| n.split_once(": ").map(|(s, _)| s.to_string()))
                .collect();
            let mut m = format!(
                "{}: {} changes\n",
                scopes.into_iter().collect::<Vec<_>>().join(", "),
                many.len()
            );
            for n in many {
                m.push_str(&format!("\n- {n}"));
            }
            m
        }
    }
}

/// The part of the tree a path belongs to: `clusters/edge-berlin`, `infrastructure/k10`.
pub fn scope(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [
            top @ ("clusters" | "infrastructure" | "apps"),
            second,
            _,
            ..,
        ] => format!("{top}/{second}"),
        _ => path.to_string(),
    }
}

fn push(state: &mut State, fx: &mut Vec<Effect>) {
    if cap(state).is_none() {
        return;
    }
    if let Loadable::Loaded(g) = &state.repo.git {
        if g.branch.is_none() {
            state.toast(true, "detached HEAD: nothing to push");
            return;
        }
        if g.upstream.is_none() {
            state.modal = Some(Modal::Info {
                title: "No upstream".into(),
                lines: vec![format!(
                    "The branch {} tracks no remote branch. Set one in a shell (git push -u origin {}), then push here.",
                    g.branch.as_deref().unwrap_or("?"),
                    g.branch.as_deref().unwrap_or("?")
                )],
                error: true,
            });
            return;
        }
        if g.ahead == 0 {
            state.toast(
                false,
                "nothing to push: the branch is not ahead of its upstream",
            );
            return;
        }
    }
    let title = match &state.repo.git {
        Loadable::Loaded(g) => format!(
            "Pushing {} commit(s) to {}",
            g.ahead,
            g.upstream.as_deref().unwrap_or("the upstream")
        ),
        _ => "Pushing".into(),
    };
    state.modal = Some(Modal::Progress {
        title,
        lines: vec!["connecting…".into()],
    });
    write(state, WriteOp::Push, fx);
}

/// `a`: the quick actions of a repo resource; the writer thread reads the file and answers
/// with the options (`Msg::QuickOptions`).
pub fn quick(state: &mut State, target: QuickTarget, fx: &mut Vec<Effect>) {
    if cap(state).is_none() {
        return;
    }
    fx.push(Effect::LoadQuick(target.clone()));
    state.modal = Some(Modal::Menu {
        target,
        options: Loadable::Loading,
        selected: 0,
    });
}

pub fn quick_options(
    state: &mut State,
    target: QuickTarget,
    result: Result<Vec<QuickOption>, String>,
) {
    if let Some(Modal::Menu {
        target: t, options, ..
    }) = &mut state.modal
        && *t == target
    {
        *options = match result {
            Ok(o) if o.is_empty() => Loadable::Failed(format!(
                "no quick action for a {} (scale and versions: MachineDeployment, TalosControlPlane; sync: Application; backups: K10 Policy). e opens the editor.",
                target.kind
            )),
            Ok(o) => Loadable::Loaded(o),
            Err(e) => Loadable::Failed(e),
        };
        state.dirty = true;
    }
}

/// Keys while a dialog is open; `ch` is a typed character no binding took.
pub fn modal_key(
    state: &mut State,
    action: Option<Action>,
    ch: Option<char>,
    fx: &mut Vec<Effect>,
) {
    let Some(modal) = state.modal.take() else {
        return;
    };
    state.dirty = true;
    let back = action == Some(Action::Back);
    let accept = action == Some(Action::Accept);
    state.modal = match modal {
        Modal::Menu {
            target,
            options,
            mut selected,
        } => {
            let n = match &options {
                Loadable::Loaded(o) => o.len(),
                _ => 0,
            };
            let digit = ch.and_then(|c| c.to_digit(10)).map(|d| d as usize);
            if back {
                None
            } else if let (Loadable::Loaded(o), true) = (&options, accept || digit.is_some()) {
                let i = digit.map(|d| d.saturating_sub(1)).unwrap_or(selected);
                match o.get(i) {
                    Some(opt) => choose(state, target.clone(), opt.clone(), fx),
                    None => Some(Modal::Menu {
                        target,
                        options,
                        selected,
                    }),
                }
            } else {
                match action {
                    Some(Action::Down) if n > 0 => selected = (selected + 1) % n,
                    Some(Action::Up) if n > 0 => selected = (selected + n - 1) % n,
                    _ => {}
                }
                Some(Modal::Menu {
                    target,
                    options,
                    selected,
                })
            }
        }
        Modal::Input {
            target,
            option,
            mut text,
            error,
        } => {
            if back {
                None
            } else if accept {
                match option.ask.action(&text) {
                    Ok(a) => {
                        run_quick(state, target, a, fx);
                        None
                    }
                    Err(e) => Some(Modal::Input {
                        target,
                        option,
                        text,
                        error: Some(e),
                    }),
                }
            } else {
                match (action, ch) {
                    (Some(Action::DeleteChar), _) => {
                        text.pop();
                    }
                    (Some(Action::ClearInput), _) => text.clear(),
                    // + and - step a replica count.
                    (_, Some(c @ ('+' | '-'))) if matches!(option.ask, Ask::Replicas { .. }) => {
                        let n = text.trim().parse::<i64>().unwrap_or(0);
                        text = (n + if c == '+' { 1 } else { -1 }).max(0).to_string();
                    }
                    (_, Some(c)) => text.push(c),
                    _ => {}
                }
                let _ = error; // typing clears the last complaint
                Some(Modal::Input {
                    target,
                    option,
                    text,
                    error: None,
                })
            }
        }
        Modal::Confirm { title, lines, op } => match ch {
            Some('y' | 'Y') => {
                write(state, op, fx);
                None
            }
            Some('n' | 'N') => None,
            _ if back => None,
            _ if accept => {
                write(state, op, fx);
                None
            }
            _ => Some(Modal::Confirm { title, lines, op }),
        },
        Modal::Commit {
            mut message,
            author,
            files,
        } => {
            if back {
                state.toast(false, "commit cancelled; the staged files stay staged");
                None
            } else if accept {
                if message.trim().is_empty() {
                    state.toast(true, "the commit message is empty");
                    Some(Modal::Commit {
                        message,
                        author,
                        files,
                    })
                } else {
                    state.modal = Some(Modal::Progress {
                        title: "Committing".into(),
                        lines: files.clone(),
                    });
                    write(state, WriteOp::Commit(message), fx);
                    return;
                }
            } else {
                match (action, ch) {
                    (Some(Action::DeleteChar), _) => {
                        message.pop();
                    }
                    (Some(Action::ClearInput), _) => {
                        // Clears the line being typed (the last one).
                        let keep = message.rfind('\n').map(|i| i + 1).unwrap_or(0);
                        message.truncate(keep);
                    }
                    (_, Some(c)) => message.push(c),
                    _ => {}
                }
                Some(Modal::Commit {
                    message,
                    author,
                    files,
                })
            }
        }
        Modal::Progress { title, lines } => {
            if back {
                fx.push(Effect::CancelWrite);
                let mut lines = lines;
                lines.push("cancelling…".into());
                Some(Modal::Progress { title, lines })
            } else {
                Some(Modal::Progress { title, lines })
            }
        }
        Modal::Info { .. } if back || accept => None,
        m @ Modal::Info { .. } => Some(m),
    };
}

fn choose(
    state: &mut State,
    target: QuickTarget,
    option: QuickOption,
    fx: &mut Vec<Effect>,
) -> Option<Modal> {
    match option.ask.initial() {
        Some(text) => Some(Modal::Input {
            target,
            option,
            text,
            error: None,
        }),
        None => {
            if let Ok(a) = option.ask.action("") {
                run_quick(state, target, a, fx);
            }
            None
        }
    }
}

fn run_quick(
    state: &mut State,
    target: QuickTarget,
    action: crate::repo::edit::Action,
    fx: &mut Vec<Effect>,
) {
    write(
        state,
        WriteOp::Quick {
            path: target.path,
            doc: target.doc,
            kind: target.kind,
            name: target.name,
            action,
        },
        fx,
    );
}

/// The writer thread's answers.
pub fn wrote(state: &mut State, msg: WriteMsg, fx: &mut Vec<Effect>) {
    state.dirty = true;
    if let WriteMsg::Progress(text) = msg {
        if let Some(Modal::Progress { lines, .. }) = &mut state.modal {
            // The newest line of each stage replaces the previous one of the same stage.
            let stage = text.split(':').next().unwrap_or("").to_string();
            match lines.last_mut() {
                Some(last) if last.split(':').next() == Some(stage.as_str()) => *last = text,
                _ => lines.push(text),
            }
            if lines.len() > 8 {
                lines.remove(0);
            }
        }
        return;
    }
    state.changes.busy = None;
    // Whether the files themselves may have changed (a quick action, a discard, a rebase before
    // a push): then the index is rebuilt; staging, committing and fetching leave them as they are.
    let files_changed = matches!(
        msg,
        WriteMsg::QuickEdited { .. } | WriteMsg::Done { op: "discard", .. } | WriteMsg::Pushed(_)
    );
    match msg {
        WriteMsg::Done { op, result } => match result {
            Ok(text) => {
                state.changes.last_failure = None;
                if !text.is_empty() {
                    state.toast(false, text);
                }
            }
            Err(e) => state.toast(true, format!("{op} failed: {e}")),
        },
        WriteMsg::QuickEdited { path, result } => match result {
            Ok(line) => {
                let note = format!("{}: {line}", scope(&work_tree_relative(state, &path)));
                state.toast(
                    false,
                    format!("{path}: {line} (edited, not committed: 9 to review and commit)"),
                );
                state.changes.notes.push(note);
            }
            Err(e) => state.toast(true, format!("{path}: {e}; the file is unchanged")),
        },
        WriteMsg::Committed(result) => match result {
            Ok((short, summary)) => {
                // Git status follows; until it does, the header and `P` know of the commit.
                if let Loadable::Loaded(g) = &mut state.repo.git {
                    g.ahead += 1;
                    g.head = Some(short.clone());
                }
                state.modal = None;
                state.changes.notes.clear();
                state.changes.last_failure = None;
                state.toast(false, format!("committed {short} {summary} (P pushes)"));
            }
            Err(e) => {
                state.modal = Some(Modal::Info {
                    title: "The commit failed".into(),
                    lines: vec![
                        e,
                        "Nothing was committed: the changes are still staged in the work tree."
                            .into(),
                    ],
                    error: true,
                });
            }
        },
        WriteMsg::Progress(_) => {}
        WriteMsg::Pushed(Ok(p)) => {
            state.modal = None;
            state.changes.last_failure = None;
            let short: String = p.id.chars().take(7).collect();
            let via = p
                .via_system_git
                .as_ref()
                .map(|why| format!(" with the system git ({why})"))
                .unwrap_or_default();
            state.toast(
                false,
                format!("pushed {short} to {}/{}{via}", p.remote, p.branch),
            );
            let paths: Vec<String> = p
                .paths
                .iter()
                .filter_map(|x| repo_relative(state, x))
                .collect();
            super::reconcile::start(state, p.id.clone(), paths, fx);
        }
        WriteMsg::Pushed(Err(e)) => {
            let ahead = match &state.repo.git {
                Loadable::Loaded(g) => g.ahead,
                _ => 0,
            };
            let local = format!(
                "Your commit is safe: it is committed locally ({ahead} commit(s) ahead of the upstream). P pushes again."
            );
            if let PushError::Rejected { .. } = e {
                state.modal = Some(Modal::Progress {
                    title: "The remote moved: fetching it".into(),
                    lines: vec![e.to_string()],
                });
                write(state, WriteOp::FetchAndCheck, fx);
            } else {
                let (title, mut lines) = push_failure(&e);
                state.changes.last_failure = Some(format!("{title}: {e}. {local}"));
                lines.extend([String::new(), local]);
                state.modal = Some(Modal::Info {
                    title: title.into(),
                    lines,
                    error: e != PushError::Cancelled,
                });
            }
        }
        WriteMsg::Fetched(result) => {
            let upstream = match &state.repo.git {
                Loadable::Loaded(g) => g.upstream.clone().unwrap_or_else(|| "upstream".into()),
                _ => "upstream".into(),
            };
            state.modal = Some(match result {
                Ok(RebaseCheck::Clean { onto, commits }) => Modal::Confirm {
                    title: format!("{upstream} moved to {onto}"),
                    lines: vec![
                        format!(
                            "Your {commits} local commit(s) apply cleanly on top of it. Rebase them onto {upstream} and push again? (y/n)"
                        ),
                        "No leaves your commit local, as it is.".into(),
                    ],
                    op: WriteOp::RebaseAndPush,
                },
                Ok(RebaseCheck::UpToDate) => Modal::Info {
                    title: "The push was rejected".into(),
                    lines: vec![
                        "The remote refused the push, yet your branch already contains its head. Check the remote's rules (protected branch, hooks).".into(),
                        "Your commit stays local.".into(),
                    ],
                    error: true,
                },
                Ok(RebaseCheck::Conflict { paths }) => {
                    let mut lines = vec![format!(
                        "{upstream} has commits that conflict with yours in:"
                    )];
                    lines.extend(paths.iter().map(|p| format!("  {p}")));
                    lines.push(String::new());
                    lines.push("Nothing was changed: your commit stays local, as it was. Rebase in a shell (git pull --rebase), resolve, then push here.".into());
                    state.changes.last_failure =
                        Some("push rejected; the rebase would conflict; your commit is local".into());
                    Modal::Info {
                        title: "The remote moved and a rebase would conflict".into(),
                        lines,
                        error: true,
                    }
                }
                Err(e) => {
                    let (_, mut lines) = push_failure(&e);
                    lines.push("Your commit stays local.".into());
                    Modal::Info {
                        title: "The remote moved, and fetching it failed".into(),
                        lines,
                        error: true,
                    }
                }
            });
        }
    }
    refresh_after_write(state, files_changed, fx);
}

/// What a failed push (or the fetch after a rejected one) says: a title, what happened and the
/// next step, one per kind of failure. A rejection is not here: it fetches and offers a rebase.
pub fn push_failure(e: &PushError) -> (&'static str, Vec<String>) {
    match e {
        PushError::Cancelled => ("Push cancelled", vec![e.to_string()]),
        PushError::Auth { message, tried } => {
            let ssh = tried.iter().any(|t| t.contains("ssh"));
            let https = tried.iter().any(|t| t.contains("credential"));
            let mut lines = vec![
                format!("The remote did not accept any credential ({message})."),
                if tried.is_empty() {
                    "Tried: nothing (no ssh-agent, no key in ~/.ssh, no credential helper).".into()
                } else {
                    format!("Tried: {}.", tried.join(", "))
                },
            ];
            if ssh || !https {
                lines.push("For ssh: load your key into the agent (ssh-add ~/.ssh/id_ed25519), or keep an unencrypted key in ~/.ssh; check with `ssh -T` on the remote's host.".into());
            }
            if https || !ssh {
                lines.push("For https: configure a git credential helper (git config --global credential.helper store, or your platform's) and push once from a shell.".into());
            }
            ("The remote refused the credentials", lines)
        }
        PushError::Network { remote, message } => (
            "The remote could not be reached",
            vec![
                format!("{remote}: {message}"),
                "Check the network (VPN, proxy) and the remote's address (git remote -v).".into(),
            ],
        ),
        PushError::Rebase(_) => ("The rebase failed", vec![e.to_string()]),
        PushError::Rejected { .. }
        | PushError::NoUpstream(_)
        | PushError::DetachedHead
        | PushError::Other(_) => ("The push failed", vec![e.to_string()]),
    }
}

fn refresh_after_write(state: &mut State, files_changed: bool, fx: &mut Vec<Effect>) {
    fx.push(Effect::RefreshGit);
    if state.route == Route::Changes {
        fx.push(Effect::LoadChanges);
        state.changes.diff.path = None;
        diff_follow(state, fx);
    }
    if files_changed && !state.repo.reindexing {
        state.repo.reindexing = true;
        fx.push(Effect::Reindex);
    }
}
