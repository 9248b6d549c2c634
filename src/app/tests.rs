//! Update transitions: messages in, state and effects out. No terminal, no I/O.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::browser::{FileText, Loadable, Pane, RowKind};
use super::*;
use crate::repo::index::{FileEntry, FileKind, RepoIndex, Resource};
use crate::repo::yaml::{Pos, YamlError};

fn res(kind: &str, name: &str, doc: usize, start: usize, end: usize) -> Resource {
    Resource {
        api_version: Some("v1".into()),
        kind: Some(kind.into()),
        name: Some(name.into()),
        namespace: Some("ns".into()),
        doc,
        start_line: start,
        end_line: end,
        pos: Pos {
            line: start,
            col: 1,
        },
    }
}

fn file(path: &str, resources: Vec<Resource>) -> FileEntry {
    FileEntry::new(path, FileKind::Yaml, resources)
}

fn index() -> RepoIndex {
    let mut broken = file("apps/a/broken.yaml", vec![]);
    broken.error = Some(YamlError {
        pos: Pos { line: 7, col: 3 },
        message: "bad".into(),
    });
    RepoIndex {
        root: "/r".into(),
        files: vec![
            file(
                "clusters/edge/cluster.yaml",
                vec![
                    res("Cluster", "edge", 0, 1, 9),
                    res("MetalCluster", "edge", 1, 10, 20),
                ],
            ),
            file(
                "clusters/edge/workers.yaml",
                vec![res("MachineDeployment", "edge-workers", 0, 1, 30)],
            ),
            file("infrastructure/k10/values.yaml", vec![]),
            broken,
        ],
    }
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn loaded() -> State {
    let mut s = State::new("/r".into(), Keymap::default(), (100, 30));
    let fx = s.init();
    assert_eq!(fx[..2], [Effect::Reindex, Effect::RefreshGit]);
    // The browser watches the Applications (to say which ones deploy a folder).
    assert!(
        matches!(&fx[2..], [Effect::Watch(w)] if w.len() == 1 && w[0].kind.kind == "Application")
    );
    let fx = update(&mut s, Msg::Indexed(Ok(Arc::new(index()))));
    assert_eq!(
        fx,
        vec![Effect::GitLog("clusters".into())],
        "a folder without README loads no file"
    );
    s
}

fn selected_label(s: &State) -> String {
    let idx = s.index().unwrap();
    match &s.selected_row().unwrap().kind {
        RowKind::Dir { path, .. } => format!("{path}/"),
        RowKind::File { file } => idx.files[*file].path.clone(),
        RowKind::Resource { file, res } => idx.files[*file].resources[*res].label(),
    }
}

fn run(s: &mut State, msgs: Vec<Msg>) -> Vec<Effect> {
    msgs.into_iter().flat_map(|m| update(s, m)).collect()
}

#[test]
fn first_index_expands_top_folders_and_selects_the_first_row() {
    let s = loaded();
    assert_eq!(
        s.browser.rows.len(),
        6,
        "clusters/ edge/ infrastructure/ k10/ apps/ a/: {:?}",
        s.browser.rows
    );
    assert_eq!(selected_label(&s), "clusters/");
    assert!(s.dirty);
}

#[test]
fn navigating_into_a_resource_loads_its_file_and_scrolls_to_it() {
    let mut s = loaded();
    let fx = run(
        &mut s,
        vec![key('j'), key('l'), key('j'), key('l'), key('j'), key('j')],
    );
    assert_eq!(selected_label(&s), "MetalCluster ns/edge");
    assert!(fx.contains(&Effect::LoadFile("clusters/edge/cluster.yaml".into())));
    assert_eq!(
        fx.iter()
            .filter(|f| matches!(f, Effect::LoadFile(_)))
            .count(),
        1,
        "same file is not loaded twice: {fx:?}"
    );
    assert_eq!(s.browser.preview.mark, Some((10, 20)));
    // The file arrives: the scroll stays on the resource (clamped to the content).
    let text = Arc::new(FileText::new(&"x: 1\n".repeat(40), true));
    update(
        &mut s,
        Msg::FileLoaded {
            path: "clusters/edge/cluster.yaml".into(),
            result: Ok(text),
        },
    );
    assert_eq!(s.browser.preview.scroll, 9);
    assert!(matches!(s.browser.preview.text, Loadable::Loaded(_)));
    // A stale file result for another path is ignored.
    let other = Arc::new(FileText::new("y: 2\n", true));
    update(
        &mut s,
        Msg::FileLoaded {
            path: "apps/a/broken.yaml".into(),
            result: Ok(other),
        },
    );
    assert_eq!(
        s.browser.preview.path.as_deref(),
        Some("clusters/edge/cluster.yaml")
    );
}

#[test]
fn collapse_goes_to_parent_then_closes() {
    let mut s = loaded();
    run(&mut s, vec![key('j'), key('l'), key('j')]);
    assert_eq!(selected_label(&s), "clusters/edge/cluster.yaml");
    run(&mut s, vec![key('h')]);
    assert_eq!(selected_label(&s), "clusters/edge/");
    run(&mut s, vec![key('h')]);
    assert!(!s.browser.rows[1].expanded);
    assert_eq!(s.browser.rows.len(), 6);
}

#[test]
fn broken_file_preview_points_at_the_error() {
    let mut s = loaded();
    run(&mut s, vec![key('G')]);
    assert_eq!(selected_label(&s), "apps/a/");
    run(&mut s, vec![key('l'), key('j')]);
    assert_eq!(selected_label(&s), "apps/a/broken.yaml");
    assert_eq!(s.browser.preview.mark, Some((7, 7)));
    assert_eq!(s.browser.preview.scroll, 3);
}

#[test]
fn filter_typing_jumping_and_clearing() {
    let mut s = loaded();
    run(&mut s, vec![key('/')]);
    assert_eq!(s.context(), Context::Filter);
    run(&mut s, "edge".chars().map(key).collect());
    // "edge" matches the three resources named edge* and the two files under clusters/edge.
    assert_eq!(s.browser.filter.matches.len(), 5, "{:?}", s.browser.rows);
    assert_eq!(selected_label(&s), "clusters/edge/cluster.yaml");
    run(&mut s, vec![code(KeyCode::Enter)]);
    assert_eq!(s.context(), Context::Browser);
    run(&mut s, vec![key('n')]);
    assert_eq!(selected_label(&s), "Cluster ns/edge");
    run(&mut s, vec![key('N'), key('N')]);
    assert_eq!(
        selected_label(&s),
        "MachineDeployment ns/edge-workers",
        "N wraps to the last match"
    );
    run(&mut s, vec![code(KeyCode::Esc)]);
    assert!(s.browser.filter.text.is_empty());
    assert_eq!(
        selected_label(&s),
        "MachineDeployment ns/edge-workers",
        "selection survives clearing the filter"
    );
    assert!(!s.quit);
}

#[test]
fn filter_with_no_match_says_so() {
    let mut s = loaded();
    run(
        &mut s,
        vec![
            key('/'),
            key('z'),
            key('q'),
            key('x'),
            code(KeyCode::Enter),
            key('n'),
        ],
    );
    assert!(s.browser.rows.is_empty());
    assert_eq!(
        s.toast.as_ref().map(|t| t.text.as_str()),
        Some("no match for \"zqx\"")
    );
    run(&mut s, vec![code(KeyCode::Backspace)]);
    assert!(s.toast.is_none(), "a key clears the toast");
}

#[test]
fn help_overlay_takes_keys_and_q_or_esc_back_out() {
    let mut s = loaded();
    run(&mut s, vec![key('?')]);
    assert_eq!(s.help, Some(0));
    run(&mut s, vec![key('j'), key('j')]);
    assert_eq!(s.help, Some(2));
    assert_eq!(
        selected_label(&s),
        "clusters/",
        "keys go to the overlay, not the tree"
    );
    run(&mut s, vec![key('q')]);
    assert_eq!(s.help, None);
    assert!(!s.quit, "q closes the overlay first");
    let fx = run(&mut s, vec![key('q')]);
    assert!(s.quit);
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn esc_backs_out_focus_then_quits_and_ctrl_keys_work_everywhere() {
    let mut s = loaded();
    run(&mut s, vec![code(KeyCode::Tab)]);
    assert_eq!(s.browser.focus, Pane::Preview);
    run(&mut s, vec![code(KeyCode::Esc)]);
    assert_eq!(s.browser.focus, Pane::Tree);
    assert_eq!(
        run(
            &mut s,
            vec![Msg::Key(KeyEvent::new(
                KeyCode::Char('z'),
                KeyModifiers::CONTROL
            ))]
        ),
        vec![Effect::Suspend]
    );
    run(&mut s, vec![key('/')]);
    assert_eq!(
        run(
            &mut s,
            vec![Msg::Key(KeyEvent::new(
                KeyCode::Char('c'),
                KeyModifiers::CONTROL
            ))]
        ),
        vec![Effect::Quit]
    );
}

#[test]
fn reindex_keeps_the_selection_and_reloads_the_preview() {
    let mut s = loaded();
    run(&mut s, vec![key('j'), key('l'), key('j'), key('j')]);
    assert_eq!(selected_label(&s), "clusters/edge/workers.yaml");
    let fx = run(&mut s, vec![Msg::RepoChanged]);
    assert_eq!(fx, vec![Effect::Reindex, Effect::RefreshGit]);
    assert_eq!(
        run(&mut s, vec![Msg::RepoChanged]),
        vec![Effect::RefreshGit],
        "one reindex at a time"
    );
    let mut idx = index();
    idx.files.insert(0, file("clusters/a.yaml", vec![]));
    let fx = run(&mut s, vec![Msg::Indexed(Ok(Arc::new(idx)))]);
    assert_eq!(selected_label(&s), "clusters/edge/workers.yaml");
    assert!(
        fx.contains(&Effect::LoadFile("clusters/edge/workers.yaml".into())),
        "{fx:?}"
    );
    assert!(!s.repo.reindexing);
}

#[test]
fn failed_reindex_keeps_the_old_index() {
    let mut s = loaded();
    run(
        &mut s,
        vec![Msg::RepoChanged, Msg::Indexed(Err("disk gone".into()))],
    );
    assert!(s.index().is_some());
    assert!(s.toast.as_ref().unwrap().error);
}

#[test]
fn resize_keeps_selection_visible_and_paging_uses_the_viewport() {
    let mut s = loaded();
    run(&mut s, vec![key('+')]);
    let n = s.browser.rows.len();
    assert_eq!(n, 13);
    run(&mut s, vec![Msg::Resize(80, 8), key('G')]);
    // 8 rows: header, footer, 2 borders: 4 visible tree rows.
    assert_eq!(s.browser.selected, n - 1);
    assert_eq!(s.browser.offset, n - 4);
    run(
        &mut s,
        vec![Msg::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        ))],
    );
    assert_eq!(s.browser.selected, n - 5);
    assert_eq!(s.browser.offset, n - 5);
}

#[test]
fn stale_git_log_results_are_dropped() {
    let mut s = loaded();
    run(&mut s, vec![key('j')]);
    update(
        &mut s,
        Msg::Git(GitMsg::Log {
            path: "clusters".into(),
            result: Ok(vec![]),
        }),
    );
    assert_eq!(s.browser.log.commits, Loadable::Loading);
    update(
        &mut s,
        Msg::Git(GitMsg::Log {
            path: "clusters/edge".into(),
            result: Err("no repo".into()),
        }),
    );
    assert_eq!(s.browser.log.commits, Loadable::Failed("no repo".into()));
}

#[test]
fn mouse_wheel_scrolls_the_pane_under_it() {
    let mut s = loaded();
    run(
        &mut s,
        vec![Msg::Scroll {
            column: 2,
            row: 3,
            delta: 1,
        }],
    );
    assert_eq!(s.browser.selected, 1);
    let text = Arc::new(FileText::new(&"a: b\n".repeat(100), true));
    run(
        &mut s,
        vec![
            key('j'),
            key('j'),
            Msg::FileLoaded {
                path: "clusters/edge/cluster.yaml".into(),
                result: Ok(text),
            },
        ],
    );
    run(
        &mut s,
        vec![Msg::Scroll {
            column: 60,
            row: 5,
            delta: 1,
        }],
    );
    assert_eq!(s.browser.preview.scroll, 3);
}

mod writes {
    //! The write flow through the core: quick actions, staging, the commit dialog, push
    //! outcomes, and read-only by construction.
    use super::*;
    use crate::app::changes::{
        ChangesData, CheckFinding, Modal, PushError, Pushed, RebaseCheck, WriteMsg,
    };
    use crate::app::write::{WriteCap, WriteOp};
    use crate::git::changes::Change;
    use crate::git::status::{FileStatus, GitStatus};
    use crate::keymap::Context;
    use crate::repo::edit;
    use crate::repo::quick::{Ask, QuickOption};

    fn writable() -> State {
        let mut s = loaded();
        s.write = Some(WriteCap::grant());
        s
    }

    fn git(ahead: usize) -> Msg {
        Msg::Git(GitMsg::Status(Ok(GitStatus {
            branch: Some("main".into()),
            head: Some("abc1234".into()),
            upstream: Some("origin/main".into()),
            ahead,
            ..Default::default()
        })))
    }

    fn changes(staged: bool) -> Msg {
        Msg::Git(GitMsg::Changes(Ok(ChangesData {
            files: vec![Change {
                path: "clusters/edge/workers.yaml".into(),
                staged: staged.then_some(FileStatus::Modified),
                unstaged: (!staged).then_some(FileStatus::Modified),
                from: None,
            }],
            author: Ok("Ops <ops@example.com>".into()),
            prefix: String::new(),
        })))
    }

    fn writes(fx: &[Effect]) -> Vec<WriteOp> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Write(_, op) => Some(op.clone()),
                _ => None,
            })
            .collect()
    }

    fn select_workers(s: &mut State) {
        assert!(s.reveal_path("clusters/edge/workers.yaml", &mut vec![]));
        assert!(matches!(
            s.selected_row().unwrap().kind,
            RowKind::File { file: 1 }
        ));
    }

    #[test]
    fn a_quick_action_asks_the_value_then_writes_exactly_that() {
        let mut s = writable();
        select_workers(&mut s);
        let fx = run(&mut s, vec![key('a')]);
        let target = match &fx[..] {
            [Effect::LoadQuick(t)] => t.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            (
                target.path.as_str(),
                target.kind.as_str(),
                target.name.as_str()
            ),
            (
                "clusters/edge/workers.yaml",
                "MachineDeployment",
                "edge-workers"
            )
        );
        assert_eq!(s.context(), Context::Dialog);
        let options = vec![
            QuickOption {
                label: "Scale (replicas now 3)".into(),
                ask: Ask::Replicas { current: 3 },
            },
            QuickOption {
                label: "Kubernetes version (now v1.36.3)".into(),
                ask: Ask::KubernetesVersion {
                    current: "v1.36.3".into(),
                },
            },
        ];
        run(
            &mut s,
            vec![Msg::QuickOptions {
                target: target.clone(),
                result: Ok(options),
            }],
        );
        // Enter on the first option asks the count, prefilled; + steps it.
        run(&mut s, vec![code(KeyCode::Enter), key('+')]);
        assert!(matches!(&s.modal, Some(Modal::Input { text, .. }) if text == "4"));
        // A value that is not a count is refused in the dialog, nothing written.
        let fx = run(&mut s, vec![key('x'), code(KeyCode::Enter)]);
        assert!(writes(&fx).is_empty());
        assert!(matches!(
            &s.modal,
            Some(Modal::Input { error: Some(_), .. })
        ));
        let fx = run(&mut s, vec![code(KeyCode::Backspace), code(KeyCode::Enter)]);
        assert_eq!(
            writes(&fx),
            vec![WriteOp::Quick {
                path: target.path.clone(),
                doc: 0,
                kind: "MachineDeployment".into(),
                name: "edge-workers".into(),
                action: edit::Action::Scale(4),
            }]
        );
        assert!(s.modal.is_none());
        // The writer's answer becomes the commit message's line.
        run(
            &mut s,
            vec![Msg::Wrote(WriteMsg::QuickEdited {
                path: target.path,
                result: Ok("scale MachineDeployment edge-workers 3 -> 4".into()),
            })],
        );
        assert_eq!(
            s.changes.notes,
            vec!["clusters/edge: scale MachineDeployment edge-workers 3 -> 4".to_string()]
        );
    }

    #[test]
    fn commit_is_refused_with_the_reason_when_nothing_is_staged_or_head_is_detached() {
        let mut s = writable();
        run(&mut s, vec![key('9'), git(0), changes(false)]);
        assert_eq!(s.route, Route::Changes);
        let fx = run(&mut s, vec![key('c')]);
        assert!(fx.iter().all(|e| !matches!(e, Effect::Validate(_))));
        assert!(
            matches!(&s.modal, Some(Modal::Info { title, lines, .. }) if title == "Nothing is staged" && lines[0].contains("press space")),
            "{:?}",
            s.modal
        );
        run(&mut s, vec![code(KeyCode::Esc)]);
        let detached = Msg::Git(GitMsg::Status(Ok(GitStatus {
            branch: None,
            head: Some("abc1234".into()),
            ..Default::default()
        })));
        run(&mut s, vec![detached, changes(true), key('c')]);
        assert!(
            matches!(&s.modal, Some(Modal::Info { title, .. }) if title.contains("detached HEAD"))
        );
    }

    #[test]
    fn a_commit_is_checked_first_and_blocked_with_file_and_line() {
        let mut s = writable();
        run(&mut s, vec![key('9'), git(0), changes(true)]);
        let fx = run(&mut s, vec![key('c')]);
        assert!(fx.contains(&Effect::Validate(vec!["clusters/edge/workers.yaml".into()])));
        let fx = run(
            &mut s,
            vec![Msg::Validated(Ok(vec![CheckFinding {
                path: "clusters/edge/workers.yaml".into(),
                line: 12,
                message: "YAML syntax error: bad indentation".into(),
            }]))],
        );
        assert!(writes(&fx).is_empty());
        match &s.modal {
            Some(Modal::Info { lines, .. }) => {
                assert_eq!(
                    lines[0],
                    "clusters/edge/workers.yaml:12: YAML syntax error: bad indentation"
                );
                assert!(lines.last().unwrap().contains("still in the work tree"));
            }
            other => panic!("{other:?}"),
        }
        // Clean: the dialog opens prefilled from the quick action; enter commits that message.
        s.modal = None;
        s.changes.notes = vec!["clusters/edge: scale workers 3 -> 4".into()];
        run(&mut s, vec![key('c'), Msg::Validated(Ok(vec![]))]);
        assert!(
            matches!(&s.modal, Some(Modal::Commit { message, author, .. }) if message == "clusters/edge: scale workers 3 -> 4" && author == "Ops <ops@example.com>")
        );
        let fx = run(&mut s, vec![key('!'), code(KeyCode::Enter)]);
        assert_eq!(
            writes(&fx),
            vec![WriteOp::Commit(
                "clusters/edge: scale workers 3 -> 4!".into()
            )]
        );
    }

    #[test]
    fn a_rejected_push_fetches_and_offers_a_clean_rebase_or_explains_a_conflict() {
        let mut s = writable();
        run(&mut s, vec![key('9'), git(1), changes(false)]);
        let fx = run(&mut s, vec![key('P')]);
        assert_eq!(writes(&fx), vec![WriteOp::Push]);
        let rejected = Msg::Wrote(WriteMsg::Pushed(Err(PushError::Rejected {
            remote: "origin".into(),
            branch: "main".into(),
            message: "rejected: the remote has commits you do not have".into(),
        })));
        let fx = run(&mut s, vec![rejected.clone()]);
        assert_eq!(writes(&fx), vec![WriteOp::FetchAndCheck]);
        run(
            &mut s,
            vec![Msg::Wrote(WriteMsg::Fetched(Ok(RebaseCheck::Clean {
                onto: "def5678".into(),
                commits: 1,
            })))],
        );
        assert!(matches!(
            &s.modal,
            Some(Modal::Confirm {
                op: WriteOp::RebaseAndPush,
                ..
            })
        ));
        let fx = run(&mut s, vec![key('y')]);
        assert_eq!(writes(&fx), vec![WriteOp::RebaseAndPush]);
        // The conflict: explained, the commit left local, nothing more written.
        run(&mut s, vec![rejected]);
        let fx = run(
            &mut s,
            vec![Msg::Wrote(WriteMsg::Fetched(Ok(RebaseCheck::Conflict {
                paths: vec!["clusters/edge/workers.yaml".into()],
            })))],
        );
        assert!(writes(&fx).is_empty());
        match &s.modal {
            Some(Modal::Info { lines, error, .. }) => {
                assert!(*error);
                assert!(
                    lines
                        .iter()
                        .any(|l| l.contains("clusters/edge/workers.yaml"))
                );
                assert!(lines.iter().any(|l| l.contains("stays local")));
            }
            other => panic!("{other:?}"),
        }
    }

    /// After `P` and a failure of kind `e`: the dialog's title, its text, whether it is shown as
    /// an error, and the line the view keeps; nothing more is written.
    fn push_fails(e: PushError) -> (String, String, bool, String) {
        let mut s = writable();
        run(&mut s, vec![key('9'), git(1), changes(false), key('P')]);
        let fx = run(&mut s, vec![Msg::Wrote(WriteMsg::Pushed(Err(e)))]);
        assert!(writes(&fx).is_empty(), "{fx:?}");
        let footer = s.changes.last_failure.clone().unwrap_or_default();
        match s.modal {
            Some(Modal::Info {
                title,
                lines,
                error,
            }) => (title, lines.join("\n"), error, footer),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_auth_failure_names_what_was_tried_and_how_to_set_a_credential_up() {
        let (title, text, error, footer) = push_fails(PushError::Auth {
            message: "git@host: Permission denied (publickey)".into(),
            tried: vec![
                "ssh-agent".into(),
                "~/.ssh/id_ed25519".into(),
                "system git with your ssh config".into(),
            ],
        });
        assert_eq!(title, "The remote refused the credentials");
        assert!(error);
        assert!(text.contains("Permission denied (publickey)"), "{text}");
        assert!(
            text.contains("Tried: ssh-agent, ~/.ssh/id_ed25519, system git with your ssh config."),
            "{text}"
        );
        assert!(text.contains("ssh-add"), "{text}");
        assert!(!text.contains("credential.helper"), "ssh only: {text}");
        assert!(
            text.contains("committed locally (1 commit(s) ahead"),
            "{text}"
        );
        assert!(
            footer.starts_with("The remote refused the credentials: "),
            "{footer}"
        );
        // Over https the next step is a credential helper, not an ssh key.
        let (_, text, ..) = push_fails(PushError::Auth {
            message: "too many redirects or authentication replays".into(),
            tried: vec!["git credential helper".into(), "default credentials".into()],
        });
        assert!(text.contains("credential.helper"), "{text}");
        assert!(!text.contains("ssh-add"), "https only: {text}");
        // Nothing to offer at all: both ways are explained.
        let (_, text, ..) = push_fails(PushError::Auth {
            message: "no more credentials to try".into(),
            tried: vec![],
        });
        assert!(text.contains("Tried: nothing"), "{text}");
        assert!(
            text.contains("ssh-add") && text.contains("credential.helper"),
            "{text}"
        );
    }

    #[test]
    fn a_network_failure_names_the_remote_and_the_error() {
        let (title, text, error, footer) = push_fails(PushError::Network {
            remote: "origin".into(),
            message: "failed to connect to git.example.com: Connection refused".into(),
        });
        assert_eq!(title, "The remote could not be reached");
        assert!(error);
        assert!(
            text.contains("origin: failed to connect to git.example.com: Connection refused"),
            "{text}"
        );
        assert!(text.contains("git remote -v"), "{text}");
        assert!(text.contains("committed locally"), "{text}");
        assert!(footer.contains("Connection refused"), "{footer}");
    }

    #[test]
    fn a_cancelled_push_is_not_an_error_and_the_rest_say_the_push_failed() {
        let (title, text, error, _) = push_fails(PushError::Cancelled);
        assert_eq!(title, "Push cancelled");
        assert!(!error);
        assert!(text.contains("still local"), "{text}");
        let (title, text, error, _) = push_fails(PushError::NoUpstream("main".into()));
        assert_eq!(title, "The push failed");
        assert!(error);
        assert!(text.contains("git push -u origin main"), "{text}");
        let (title, text, ..) = push_fails(PushError::Other("hook declined".into()));
        assert_eq!(title, "The push failed");
        assert!(text.contains("hook declined"), "{text}");
    }

    #[test]
    fn after_a_rejection_a_failed_fetch_or_rebase_says_which_and_why() {
        let rejected = || {
            Msg::Wrote(WriteMsg::Pushed(Err(PushError::Rejected {
                remote: "origin".into(),
                branch: "main".into(),
                message: "fetch first".into(),
            })))
        };
        let mut s = writable();
        run(&mut s, vec![key('9'), git(1), changes(false), key('P')]);
        let fx = run(&mut s, vec![rejected()]);
        assert_eq!(writes(&fx), vec![WriteOp::FetchAndCheck]);
        let fx = run(
            &mut s,
            vec![Msg::Wrote(WriteMsg::Fetched(Err(PushError::Auth {
                message: "denied".into(),
                tried: vec!["ssh-agent".into()],
            })))],
        );
        assert!(writes(&fx).is_empty());
        match &s.modal {
            Some(Modal::Info {
                title,
                lines,
                error,
            }) => {
                assert_eq!(title, "The remote moved, and fetching it failed");
                assert!(*error);
                assert!(lines.iter().any(|l| l == "Tried: ssh-agent."), "{lines:?}");
                assert!(lines.iter().any(|l| l.contains("ssh-add")), "{lines:?}");
                assert!(lines.iter().any(|l| l.contains("stays local")), "{lines:?}");
            }
            other => panic!("{other:?}"),
        }
        // The rebase before pushing again could not run: said, with nothing changed.
        run(&mut s, vec![code(KeyCode::Esc), key('P'), rejected()]);
        run(
            &mut s,
            vec![Msg::Wrote(WriteMsg::Fetched(Err(PushError::Rebase(
                "uncommitted changes are in the way of the rebase".into(),
            ))))],
        );
        match &s.modal {
            Some(Modal::Info { lines, .. }) => {
                assert!(lines[0].contains("in the way"), "{lines:?}");
                assert!(lines[0].contains("nothing was changed"), "{lines:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_failed_push_says_the_commit_is_local_and_a_pushed_one_is_followed() {
        let mut s = writable();
        run(&mut s, vec![key('9'), git(1), changes(false), key('P')]);
        // Esc during the push cancels it.
        let fx = run(&mut s, vec![code(KeyCode::Esc)]);
        assert!(fx.contains(&Effect::CancelWrite));
        run(
            &mut s,
            vec![Msg::Wrote(WriteMsg::Pushed(Err(PushError::Cancelled)))],
        );
        assert!(
            s.changes
                .last_failure
                .as_deref()
                .is_some_and(|f| f.contains("committed locally (1 commit(s) ahead")),
            "{:?}",
            s.changes.last_failure
        );
        run(&mut s, vec![code(KeyCode::Esc), key('P')]);
        run(
            &mut s,
            vec![Msg::Wrote(WriteMsg::Pushed(Ok(Pushed {
                id: "0123456789abcdef0123456789abcdef01234567".into(),
                remote: "origin".into(),
                branch: "main".into(),
                paths: vec!["clusters/edge/workers.yaml".into()],
            })))],
        );
        assert_eq!(s.route, Route::Reconcile);
        let t = s.reconcile.as_ref().unwrap();
        assert_eq!(t.short(), "0123456");
        assert_eq!(t.clusters[0].name, "edge");
        assert!(s.changes.last_failure.is_none());
        // No Argo CD answers: after the timeout it says what is pending, and stops.
        let start = t.started;
        run(&mut s, vec![Msg::Tick(start + 599)]);
        assert!(s.reconcile.as_ref().unwrap().finished.is_none());
        run(&mut s, vec![Msg::Tick(start + 601)]);
        let t = s.reconcile.as_ref().unwrap();
        assert_eq!(t.finished, Some(start + 601));
        assert!(t.timed_out(start + 601));
        assert_eq!(
            t.pending(),
            ["the Applications list (is Argo CD reachable?)"]
        );
    }

    /// Read-only by construction: without the capability, no key in any context the console
    /// can reach makes an effect that writes, and no dialog that could lead to one opens.
    #[test]
    fn read_only_presses_every_key_everywhere_and_writes_nothing() {
        let keymap = Keymap::default().read_only();
        let all = Keymap::default().all_keys();
        let mut s = loaded();
        s.keymap = keymap;
        assert!(s.write.is_none());
        run(&mut s, vec![git(1), changes(true)]);
        let mut effects = vec![];
        // Every key of every context of the full keymap, from every view.
        for start in ['1', '9', '2', '7', '0'] {
            effects.extend(run(&mut s, vec![key(start)]));
            for (_, k, _) in &all {
                let ev = KeyEvent::new(
                    match k.code {
                        crate::keymap::KeyCodeOrd::Char(c) => KeyCode::Char(c),
                        crate::keymap::KeyCodeOrd::Enter => KeyCode::Enter,
                        crate::keymap::KeyCodeOrd::Esc => continue,
                        crate::keymap::KeyCodeOrd::Tab => KeyCode::Tab,
                        crate::keymap::KeyCodeOrd::Up => KeyCode::Up,
                        crate::keymap::KeyCodeOrd::Down => KeyCode::Down,
                        _ => continue,
                    },
                    if k.ctrl {
                        KeyModifiers::CONTROL
                    } else {
                        KeyModifiers::NONE
                    },
                );
                if k.ctrl && matches!(k.code, crate::keymap::KeyCodeOrd::Char('c' | 'z')) {
                    continue; // quit and suspend: covered by the pty test
                }
                effects.extend(update(&mut s, Msg::Key(ev)));
                s.quit = false;
                assert!(s.modal.is_none(), "a dialog opened: {:?}", s.modal);
            }
        }
        assert!(
            effects.iter().all(|e| !matches!(e, Effect::Write(..))),
            "{effects:?}"
        );
    }
}
