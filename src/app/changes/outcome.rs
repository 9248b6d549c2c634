//! Pushing, and what the writer thread answers: each `WriteMsg` turned into state, toasts and
//! the next step (a push failure says where the work is and what to do).

use super::*;
use crate::git::remote::UnsignedCommit;

pub(super) fn push(state: &mut State, fx: &mut Vec<Effect>) {
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
                // A discarded file takes its quick actions' lines with it.
                if op == "discard"
                    && let Some(p) = state.changes.discarding.take()
                {
                    state.changes.notes.retain(|n| n.path != p);
                }
                if !text.is_empty() {
                    state.toast(false, text);
                }
            }
            Err(e) => state.toast(true, format!("{op} failed: {e}")),
        },
        WriteMsg::QuickEdited { path, result } => match result {
            Ok(line) => {
                let tree_path = work_tree_relative(state, &path);
                let note = Note {
                    text: format!("{}: {line}", scope(&tree_path)),
                    path: tree_path,
                };
                state.toast(
                    false,
                    format!("{path}: {line} (edited, not committed: 9 to review and commit)"),
                );
                state.changes.notes.push(note);
            }
            Err(e) => state.toast(true, format!("{path}: {e}; the file is unchanged")),
        },
        WriteMsg::Committed(result) => match result {
            Ok(c) => {
                let (short, summary) = (c.short, c.summary);
                let via = c
                    .via_system_git
                    .map(|why| format!(" with the system git ({why})"))
                    .unwrap_or_default();
                // Git status follows; until it does, the header and `P` know of the commit.
                if let Loadable::Loaded(g) = &mut state.repo.git {
                    g.ahead += 1;
                    g.head = Some(short.clone());
                }
                state.modal = None;
                state.changes.notes.clear();
                state.changes.last_failure = None;
                state.toast(
                    false,
                    format!("committed {short} {summary}{via} (P pushes)"),
                );
            }
            Err(e) => {
                state.modal = Some(Modal::Info {
                    title: "The commit failed".into(),
                    // A refusing hook's output comes as several lines.
                    lines: e
                        .lines()
                        .map(str::to_string)
                        .chain([
                            "Nothing was committed: the changes are still staged in the work tree."
                                .into(),
                        ])
                        .collect(),
                    error: true,
                });
            }
        },
        WriteMsg::Progress(_) => {}
        WriteMsg::Pushed(Ok(p)) => {
            state.modal = None;
            state.changes.last_failure = None;
            let short: String = p.id.chars().take(7).collect();
            state.toast(
                false,
                format!("pushed {short} to {}/{}", p.remote, p.branch),
            );
            let paths: Vec<String> = p
                .paths
                .iter()
                .filter_map(|x| repo_relative(state, x))
                .collect();
            crate::app::reconcile::start(state, p.id.clone(), paths, fx);
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
            } else if let PushError::Unsigned(commits) = &e {
                state.modal = Some(unsigned_question(commits));
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
                    default_yes: true,
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

/// Commits listed by name in the unsigned question; the rest are counted.
const UNSIGNED_LISTED: usize = 8;

/// A push held back because commits to push are not signed where the repo signs: which ones,
/// and whether to push them anyway (`y/N`: no unless `y`).
fn unsigned_question(commits: &[UnsignedCommit]) -> Modal {
    let mut lines = vec![
        "commit.gpgsign is set, but these commits to push are not signed (made outside blast, \
         or before signing was set up):"
            .to_string(),
    ];
    lines.extend(
        commits
            .iter()
            .take(UNSIGNED_LISTED)
            .map(|c| format!("  {c}")),
    );
    if commits.len() > UNSIGNED_LISTED {
        lines.push(format!("  … and {} more", commits.len() - UNSIGNED_LISTED));
    }
    lines.extend([
        String::new(),
        "A remote whose branch protection requires signed commits will refuse them. To sign \
         them: git rebase --exec 'git commit --amend --no-edit -S' @{upstream}"
            .into(),
        "Push anyway? y/N".into(),
    ]);
    Modal::Confirm {
        title: format!("{} unsigned commit(s) to push", commits.len()),
        lines,
        op: WriteOp::PushAnyway,
        default_yes: false,
    }
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
        PushError::Unsigned(_) => ("Unsigned commits not pushed", vec![e.to_string()]),
        PushError::Rejected { .. }
        | PushError::NoUpstream(_)
        | PushError::DetachedHead
        | PushError::Other(_) => ("The push failed", vec![e.to_string()]),
    }
}

pub(super) fn refresh_after_write(state: &mut State, files_changed: bool, fx: &mut Vec<Effect>) {
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
