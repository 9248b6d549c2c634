//! The commit: check the staged files first, then the dialog with a message that describes
//! what is staged.

use super::*;

/// `c`: nothing staged or a detached HEAD is refused with the reason; otherwise the staged
/// files are checked first (`Effect::Validate`), and the dialog opens when they pass.
pub(super) fn start_commit(state: &mut State, fx: &mut Vec<Effect>) {
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
/// commit dialog opens, prefilled from the quick actions. Failed policy rules block only with
/// `[policy] block_commit`; otherwise the dialog lists them as warnings.
pub fn validated(state: &mut State, result: Result<Vec<CheckFinding>, String>) {
    state.dirty = true;
    let blocks = state.changes.policy_blocks;
    let (result, warnings) = match result {
        Ok(all) => {
            let (warn, block): (Vec<_>, Vec<_>) =
                all.into_iter().partition(|f| f.policy && !blocks);
            let warnings = warn
                .iter()
                .map(|f| format!("{}:{}: {}", f.path, f.line, f.message))
                .collect();
            (Ok(block), warnings)
        }
        Err(e) => (Err(e), Vec::new()),
    };
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
            let policy = findings.iter().filter(|f| f.policy).count();
            if policy > 0 {
                lines.push(format!(
                    "{policy} of them are policy rules, which block because [policy] block_commit = true; a justified exception is annotated on the object (checkov.io/skip1: ID=reason)."
                ));
            }
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
                message: staged_message(&state.changes.notes, &files),
                author,
                files,
                warnings,
            });
        }
    }
}

/// The message for the staged `files`: the lines of the quick actions on files still staged
/// (an edit discarded or unstaged since is left out), and `path: update` for a staged file no
/// quick action explains.
pub fn staged_message(notes: &[Note], files: &[String]) -> String {
    let lines: Vec<String> = notes
        .iter()
        .filter(|n| files.contains(&n.path))
        .map(|n| n.text.clone())
        .collect();
    if lines.is_empty() {
        return default_message(&[], files);
    }
    let mut all = lines;
    all.extend(
        files
            .iter()
            .filter(|f| !notes.iter().any(|n| &n.path == *f))
            .map(|f| format!("{}: update {f}", scope(f))),
    );
    default_message(&all, files)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keymap::Keymap;

    fn finding(policy: bool) -> CheckFinding {
        CheckFinding {
            path: "apps/shop/web.yaml".into(),
            line: 3,
            message: if policy {
                "CKV_K8S_20 Deployment.shop.web: Containers should not run with allowPrivilegeEscalation".into()
            } else {
                "YAML syntax error: x".into()
            },
            policy,
        }
    }

    #[test]
    fn policy_findings_warn_in_the_dialog_unless_block_commit() {
        let mut s = State::new("/r".into(), Keymap::default(), (100, 30));
        validated(&mut s, Ok(vec![finding(true)]));
        match &s.modal {
            Some(Modal::Commit { warnings, .. }) => assert_eq!(
                warnings,
                &vec!["apps/shop/web.yaml:3: CKV_K8S_20 Deployment.shop.web: Containers should not run with allowPrivilegeEscalation".to_string()]
            ),
            other => panic!("{other:?}"),
        }
        s.modal = None;
        s.changes.policy_blocks = true;
        validated(&mut s, Ok(vec![finding(true)]));
        match &s.modal {
            Some(Modal::Info { title, lines, .. }) => {
                assert_eq!(title, "The commit is blocked: 1 error(s)");
                assert!(lines.iter().any(|l| l.contains("block_commit")));
            }
            other => panic!("{other:?}"),
        }
        // Other errors block either way, and the policy warnings are not counted with them.
        s.modal = None;
        s.changes.policy_blocks = false;
        validated(&mut s, Ok(vec![finding(false), finding(true)]));
        assert!(
            matches!(&s.modal, Some(Modal::Info { title, .. }) if title == "The commit is blocked: 1 error(s)")
        );
    }
}
