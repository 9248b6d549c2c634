//! The write loop's dialogs: the quick actions menu and its value prompts, confirmations, the
//! commit message, push progress; and the keys typed into them.

use super::*;

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
    /// A yes/no question; yes runs `op`. Enter answers yes when `default_yes`, else no (a
    /// `y/N` question: only `y` says yes).
    Confirm {
        title: String,
        lines: Vec<String>,
        op: WriteOp,
        default_yes: bool,
    },
    /// The commit message, prefilled, editable.
    Commit {
        message: String,
        author: String,
        files: Vec<String>,
        /// Failed policy rules in the staged files (`path:line: message`), when they do not
        /// block the commit.
        warnings: Vec<String>,
    },
    /// The push (or fetch) in progress; esc cancels.
    Progress { title: String, lines: Vec<String> },
    /// `q` with work not pushed: what would be left behind; y quits, n stays.
    Quit { lines: Vec<String> },
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
            Modal::Quit { .. } => "Quit?".into(),
        }
    }
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
                let _ = error; // typing clears the last complaint
                let mut error = None;
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
                    // +/- step a version's patch, >/< its minor (never typed as text).
                    (_, Some(c)) if let Some(stepped) = option.ask.step(&text, c) => {
                        match stepped {
                            Ok(v) => text = v,
                            Err(e) => error = Some(e),
                        }
                    }
                    (_, Some(c)) => text.push(c),
                    _ => {}
                }
                Some(Modal::Input {
                    target,
                    option,
                    text,
                    error,
                })
            }
        }
        Modal::Confirm {
            title,
            lines,
            op,
            default_yes,
        } => {
            let yes = matches!(ch, Some('y' | 'Y')) || (accept && default_yes);
            let no = matches!(ch, Some('n' | 'N')) || back || accept;
            if yes {
                confirmed(state, op, fx)
            } else if no {
                if op == WriteOp::PushAnyway {
                    state.toast(false, "not pushed: your commits are still local");
                }
                None
            } else {
                Some(Modal::Confirm {
                    title,
                    lines,
                    op,
                    default_yes,
                })
            }
        }
        Modal::Commit {
            mut message,
            author,
            files,
            warnings,
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
                        warnings,
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
                    warnings,
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
        Modal::Quit { lines } => match ch {
            Some('y' | 'Y') => {
                super::super::quit(state, fx);
                None
            }
            Some('n' | 'N') => None,
            _ if back => None,
            _ => Some(Modal::Quit { lines }),
        },
        Modal::Info { .. } if back || accept => None,
        m @ Modal::Info { .. } => Some(m),
    };
}

pub(super) fn choose(
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

pub(super) fn run_quick(
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

/// Yes to a confirmation: runs its write; a push shows its progress.
fn confirmed(state: &mut State, op: WriteOp, fx: &mut Vec<Effect>) -> Option<Modal> {
    let progress = (op == WriteOp::PushAnyway).then(|| Modal::Progress {
        title: "Pushing, unsigned commits included".into(),
        lines: vec!["connecting…".into()],
    });
    write(state, op, fx);
    progress
}
