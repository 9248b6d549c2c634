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
        policy: Vec::new(),
        standards: Default::default(),
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
    let at = s.help.expect("open");
    run(&mut s, vec![key('j'), key('j')]);
    assert_eq!(s.help, Some(at + 2));
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
            s.changes
                .notes
                .iter()
                .map(|n| (n.path.as_str(), n.text.as_str()))
                .collect::<Vec<_>>(),
            vec![(
                "clusters/edge/workers.yaml",
                "clusters/edge: scale MachineDeployment edge-workers 3 -> 4"
            )]
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
                policy: false,
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
        s.changes.notes = vec![crate::app::changes::Note {
            path: "clusters/edge/workers.yaml".into(),
            text: "clusters/edge: scale workers 3 -> 4".into(),
        }];
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

    /// A push held back for unsigned commits (the repo signs): a `y/N` question naming them;
    /// enter, esc and `n` push nothing, `y` pushes them anyway.
    #[test]
    fn unsigned_commits_to_push_are_named_and_pushed_only_on_yes() {
        use crate::git::remote::UnsignedCommit;
        let unsigned = || {
            Msg::Wrote(WriteMsg::Pushed(Err(PushError::Unsigned(
                (0..10)
                    .map(|i| UnsignedCommit {
                        short: format!("abc12{i:02}"),
                        subject: format!("clusters: change {i}"),
                    })
                    .collect(),
            ))))
        };
        let mut s = writable();
        run(&mut s, vec![key('9'), git(1), changes(false), key('P')]);
        for no in [code(KeyCode::Enter), code(KeyCode::Esc), key('n')] {
            let fx = run(&mut s, vec![unsigned()]);
            assert!(writes(&fx).is_empty(), "{fx:?}");
            let Some(Modal::Confirm {
                title,
                lines,
                op: WriteOp::PushAnyway,
                default_yes: false,
            }) = &s.modal
            else {
                panic!("{:?}", s.modal)
            };
            assert_eq!(title, "10 unsigned commit(s) to push");
            let text = lines.join("\n");
            assert!(text.contains("  abc1200 clusters: change 0\n"), "{text}");
            assert!(text.contains("  abc1207 clusters: change 7\n"), "{text}");
            assert!(!text.contains("abc1208"), "eight listed: {text}");
            assert!(text.contains("… and 2 more"), "{text}");
            assert!(text.contains("commit.gpgsign"), "{text}");
            assert!(text.ends_with("Push anyway? y/N"), "{text}");
            let fx = run(&mut s, vec![no.clone()]);
            assert!(writes(&fx).is_empty(), "{no:?} pushes nothing: {fx:?}");
            assert_eq!(s.modal, None);
            assert_eq!(
                s.toast.take().map(|t| t.text).as_deref(),
                Some("not pushed: your commits are still local")
            );
        }
        run(&mut s, vec![unsigned()]);
        let fx = run(&mut s, vec![key('y')]);
        assert_eq!(writes(&fx), vec![WriteOp::PushAnyway]);
        assert!(
            matches!(s.modal, Some(Modal::Progress { .. })),
            "{:?}",
            s.modal
        );
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

    // Issue 15, bug 1: `e` in the changes view with an editor that fails left "edit" running
    // for good: every later write answered "wait: edit is still running".
    #[test]
    fn an_edit_from_the_changes_view_ends_when_the_editor_returns_even_failed() {
        let mut s = writable();
        run(&mut s, vec![key('9'), git(0), changes(false)]);
        let fx = run(&mut s, vec![key('e')]);
        assert!(matches!(&writes(&fx)[..], [WriteOp::Edit { .. }]), "{fx:?}");
        run(
            &mut s,
            vec![Msg::Edited {
                path: "clusters/edge/workers.yaml".into(),
                result: Err("exited with exit status: 3".into()),
            }],
        );
        let fx = run(&mut s, vec![key('s')]);
        assert_eq!(
            writes(&fx),
            vec![WriteOp::Stage(vec!["clusters/edge/workers.yaml".into()])],
            "{:?}",
            s.toast
        );
        run(
            &mut s,
            vec![Msg::Wrote(WriteMsg::Done {
                op: "stage",
                result: Ok(String::new()),
            })],
        );
        // A successful edit ends too: the next `e` runs the editor again.
        let fx = run(&mut s, vec![key('e')]);
        assert!(matches!(&writes(&fx)[..], [WriteOp::Edit { .. }]));
        run(
            &mut s,
            vec![Msg::Edited {
                path: "clusters/edge/workers.yaml".into(),
                result: Ok(()),
            }],
        );
        let fx = run(&mut s, vec![key('e')]);
        assert!(
            matches!(&writes(&fx)[..], [WriteOp::Edit { .. }]),
            "{:?}",
            s.toast
        );
    }

    /// The quick-action dialog for the Kubernetes version of the workers, at `v1.36.3`.
    fn version_dialog(s: &mut State) -> crate::app::changes::QuickTarget {
        select_workers(s);
        let fx = run(s, vec![key('a')]);
        let target = match &fx[..] {
            [Effect::LoadQuick(t)] => t.clone(),
            other => panic!("{other:?}"),
        };
        let options = vec![QuickOption {
            label: "Kubernetes version (now v1.36.3)".into(),
            ask: Ask::KubernetesVersion {
                current: "v1.36.3".into(),
            },
        }];
        run(
            s,
            vec![
                Msg::QuickOptions {
                    target: target.clone(),
                    result: Ok(options),
                },
                code(KeyCode::Enter),
            ],
        );
        target
    }

    fn input_text(s: &State) -> String {
        match &s.modal {
            Some(Modal::Input { text, .. }) => text.clone(),
            other => panic!("{other:?}"),
        }
    }

    // Issue 15, bug 2: `+` typed a literal `+` into the version (`v1.36.3+`), and that was
    // written. `+`/`-` step the patch, `>`/`<` the minor; a value that is not `v` + semver is
    // refused before anything is written.
    #[test]
    fn plus_and_minus_step_the_kubernetes_version_and_a_bad_one_is_never_written() {
        let mut s = writable();
        let target = version_dialog(&mut s);
        assert_eq!(input_text(&s), "v1.36.3");
        run(&mut s, vec![key('+')]);
        assert_eq!(input_text(&s), "v1.36.4");
        run(&mut s, vec![key('-'), key('-')]);
        assert_eq!(input_text(&s), "v1.36.2");
        run(&mut s, vec![key('>')]);
        assert_eq!(input_text(&s), "v1.37.0");
        run(&mut s, vec![key('<'), key('<')]);
        assert_eq!(input_text(&s), "v1.35.0");
        // What the issue saw: `v1.36.3+` is refused in the dialog, nothing written.
        if let Some(Modal::Input { text, .. }) = &mut s.modal {
            *text = "v1.36.3+".into();
        }
        let fx = run(&mut s, vec![code(KeyCode::Enter)]);
        assert!(writes(&fx).is_empty(), "{fx:?}");
        assert!(
            matches!(&s.modal, Some(Modal::Input { error: Some(e), .. }) if e.contains("v1.36.3+")),
            "{:?}",
            s.modal
        );
        run(&mut s, vec![code(KeyCode::Backspace), key('+')]);
        let fx = run(&mut s, vec![code(KeyCode::Enter)]);
        assert_eq!(
            writes(&fx),
            vec![WriteOp::Quick {
                path: target.path,
                doc: 0,
                kind: "MachineDeployment".into(),
                name: "edge-workers".into(),
                action: edit::Action::KubernetesVersion("v1.36.4".into()),
            }]
        );
    }

    // Issue 15, bug 3: the message prefilled from the quick actions named an edit discarded
    // since ("2 changes"). It describes what is staged.
    #[test]
    fn the_commit_message_leaves_out_a_discarded_quick_action() {
        let mut s = writable();
        for (path, line) in [
            (
                "clusters/edge/workers.yaml",
                "scale MachineDeployment edge-workers 3 -> 4",
            ),
            (
                "clusters/edge/cluster.yaml",
                "TalosControlPlane edge-cp: Kubernetes v1.36.3 -> v1.36.4",
            ),
        ] {
            run(
                &mut s,
                vec![Msg::Wrote(WriteMsg::QuickEdited {
                    path: path.into(),
                    result: Ok(line.into()),
                })],
            );
        }
        let both = Msg::Git(GitMsg::Changes(Ok(ChangesData {
            files: ["clusters/edge/cluster.yaml", "clusters/edge/workers.yaml"]
                .into_iter()
                .map(|p| Change {
                    path: p.into(),
                    staged: Some(FileStatus::Modified),
                    unstaged: None,
                    from: None,
                })
                .collect(),
            author: Ok("Ops <ops@example.com>".into()),
            prefix: String::new(),
        })));
        run(&mut s, vec![key('9'), git(0), both]);
        // Discard the first (cluster.yaml): x, y, and the writer's answer.
        let fx = run(&mut s, vec![key('x'), key('y')]);
        assert_eq!(
            writes(&fx),
            vec![WriteOp::Discard("clusters/edge/cluster.yaml".into())]
        );
        run(
            &mut s,
            vec![
                Msg::Wrote(WriteMsg::Done {
                    op: "discard",
                    result: Ok(String::new()),
                }),
                changes(true),
                key('c'),
                Msg::Validated(Ok(vec![])),
            ],
        );
        match &s.modal {
            Some(Modal::Commit { message, .. }) => assert_eq!(
                message,
                "clusters/edge: scale MachineDeployment edge-workers 3 -> 4"
            ),
            other => panic!("{other:?}"),
        }
    }

    // Issue 15, bug 7: Esc pressed once too often quit without asking. Esc never quits; `q`
    // asks when commits are not pushed or files are staged.
    #[test]
    fn esc_never_quits_and_q_asks_when_work_is_not_pushed() {
        let mut s = writable();
        for _ in 0..5 {
            let fx = run(&mut s, vec![code(KeyCode::Esc)]);
            assert!(!s.quit && !fx.contains(&Effect::Quit), "{fx:?}");
        }
        // From a live view and the changes view too.
        for view in ['2', '9'] {
            run(&mut s, vec![key(view)]);
            for _ in 0..5 {
                let fx = run(&mut s, vec![code(KeyCode::Esc)]);
                assert!(!s.quit && !fx.contains(&Effect::Quit), "{view}: {fx:?}");
            }
        }
        // One commit not pushed: q asks; n stays, y quits.
        run(&mut s, vec![git(1), changes(false)]);
        let fx = run(&mut s, vec![key('q')]);
        assert!(!s.quit && !fx.contains(&Effect::Quit));
        assert!(
            matches!(&s.modal, Some(Modal::Quit { lines }) if lines.iter().any(|l| l.contains("1 commit"))),
            "{:?}",
            s.modal
        );
        run(&mut s, vec![key('n')]);
        assert!(s.modal.is_none() && !s.quit);
        let fx = run(&mut s, vec![key('q'), key('y')]);
        assert!(s.quit && fx.contains(&Effect::Quit));
        // Staged and not committed: asks too. Nothing to lose: q quits at once.
        let mut s = writable();
        run(&mut s, vec![key('9'), git(0), changes(true), key('q')]);
        assert!(
            matches!(&s.modal, Some(Modal::Quit { lines }) if lines.iter().any(|l| l.contains("staged"))),
            "{:?}",
            s.modal
        );
        let mut s = writable();
        let fx = run(&mut s, vec![key('9'), git(0), changes(false), key('q')]);
        assert!(s.quit && fx.contains(&Effect::Quit));
    }

    // Issue 15, reading: a write key in a read-only console answered nothing at all (its key
    // was unbound); it says "read-only" in the footer, and help does not offer it.
    #[test]
    fn a_write_key_in_a_read_only_console_says_read_only() {
        let mut s = loaded();
        s.keymap = Keymap::default().read_only();
        select_workers(&mut s);
        for k in ['a', 'e'] {
            let fx = run(&mut s, vec![key(k)]);
            assert!(writes(&fx).is_empty());
            let toast = s.toast.clone().map(|t| t.text).unwrap_or_default();
            assert!(toast.contains("read-only"), "{k}: {toast:?}");
        }
        run(&mut s, vec![key('9'), git(1), changes(true)]);
        for k in ['s', 'A', 'x', 'c', 'P', 'e'] {
            let fx = run(&mut s, vec![key(k)]);
            assert!(writes(&fx).is_empty() && s.modal.is_none(), "{k}");
            let toast = s.toast.clone().map(|t| t.text).unwrap_or_default();
            assert!(toast.contains("read-only"), "{k}: {toast:?}");
        }
        let help = s.keymap.help_rows(&Context::CONSOLE);
        assert!(
            help.iter()
                .flat_map(|(_, r)| r.iter())
                .all(|(_, d)| !d.starts_with("Stage") && !d.starts_with("Commit")),
            "{help:?}"
        );
    }
}

// Issue 15, reading: help opened at its top whatever the view, cut descriptions at 80
// columns, and scrolled past its end (k then had to undo every extra j).
#[test]
fn help_opens_at_the_views_section_fits_the_width_and_stops_at_its_end() {
    use crate::app::overlay::{HelpLine, help_layout};
    use crate::keymap::Context;
    for size in [(80, 24), (200, 50)] {
        let mut s = loaded();
        s.size = size;
        let layout = help_layout(&s.keymap, &Context::CONSOLE, size);
        run(&mut s, vec![key('?')]);
        assert_eq!(
            s.help,
            Some(layout.section(Context::Browser).min(layout.max_scroll()))
        );
        assert!(
            matches!(
                layout.lines.get(s.help.unwrap()),
                Some(HelpLine::Title(Context::Browser))
            ),
            "{size:?}"
        );
        run(&mut s, vec![key('?'), key('2'), key('?')]);
        assert_eq!(
            s.help,
            Some(layout.section(Context::Live).min(layout.max_scroll())),
            "a live view opens help at the live keys"
        );
        // Every line fits in the box: nothing is cut.
        for l in &layout.lines {
            if let HelpLine::Row { desc, .. } = l {
                let w = 2 + layout.key_w + 2 + desc.chars().count();
                assert!(w <= layout.width as usize - 2, "{size:?}: {desc:?}");
            }
        }
        assert!(layout.width <= size.0);
        // No overshoot: past the end, one k moves up at once.
        run(&mut s, vec![code(KeyCode::PageDown); 40]);
        assert_eq!(s.help, Some(layout.max_scroll()));
        run(&mut s, vec![key('k')]);
        assert_eq!(s.help, Some(layout.max_scroll() - 1));
    }
}

// Issue 15, reading: `/` always filtered the tree; with the preview focused it searches the
// file's text (highlighted, `n`/`N`), as in less; the tree filter stays on the tree.
#[test]
fn slash_in_the_preview_searches_the_file_and_n_moves_between_matches() {
    let mut s = loaded();
    let mut fx = vec![];
    assert!(s.reveal_path("clusters/edge/cluster.yaml", &mut fx));
    let text: String = (1..=60)
        .map(|i| {
            if [5, 25, 45].contains(&i) {
                format!("  needle: {i}\n")
            } else {
                format!("  line: {i}\n")
            }
        })
        .collect();
    run(
        &mut s,
        vec![Msg::FileLoaded {
            path: "clusters/edge/cluster.yaml".into(),
            result: Ok(Arc::new(FileText::new(&text, true))),
        }],
    );
    run(&mut s, vec![code(KeyCode::Tab)]);
    assert_eq!(s.browser.focus, Pane::Preview);
    run(&mut s, vec![key('/')]);
    assert_eq!(s.context(), crate::keymap::Context::Filter);
    for c in "needle".chars() {
        run(&mut s, vec![key(c)]);
    }
    assert_eq!(s.browser.search.hits, vec![4, 24, 44]);
    assert!(
        s.browser.filter.text.is_empty(),
        "the tree filter is not touched"
    );
    run(&mut s, vec![code(KeyCode::Enter), key('n')]);
    assert_eq!(s.browser.search.current, 1);
    let h = super::layout::inner_height(s.layout().preview);
    let scroll = s.browser.preview.scroll;
    assert!(
        scroll <= 24 && 24 < scroll + h,
        "line 25 shows: {scroll} {h}"
    );
    run(&mut s, vec![key('n'), key('n')]);
    assert_eq!(s.browser.search.current, 0, "wraps round");
    run(&mut s, vec![key('N')]);
    assert_eq!(s.browser.search.current, 2);
    // Smart case: an upper-case letter matches case.
    run(&mut s, vec![key('/'), key('N'), key('e')]);
    assert!(s.browser.search.hits.is_empty());
    // On the tree, `/` is the tree's filter again.
    run(&mut s, vec![code(KeyCode::Esc), code(KeyCode::Esc)]);
    assert_eq!(s.browser.focus, Pane::Tree);
    run(&mut s, vec![key('/')]);
    assert!(s.browser.filter.editing && !s.browser.search.editing);
}

/// The Standards view (`S`): a policy line opens its file at its line in the browser; Enter on
/// an overview standards problem opens the Standards view on that line.
#[test]
fn standards_lines_lead_to_their_file_and_overview_problems_to_their_line() {
    let (live, side, images) = super::live::standards::tests::world();
    let mut s = State::new("/r".into(), Keymap::default(), (120, 40));
    let _ = s.init();
    let mut idx = index();
    idx.files.push(file(
        "apps/edge-lab/web/deployment.yaml",
        vec![
            res("Deployment", "web", 0, 1, 30),
            res("Service", "web", 1, 32, 40),
        ],
    ));
    // The manifest the rules could not read (the world's `unchecked`), as the index has it.
    let mut broken = file("apps/edge-lab/web/broken.yaml", vec![]);
    broken.error = Some(YamlError {
        pos: Pos { line: 6, col: 1 },
        message: "found a tab character".into(),
    });
    idx.files.push(broken);
    idx.standards = side;
    let _ = update(&mut s, Msg::Indexed(Ok(Arc::new(idx))));
    s.live = live;
    let _ = update(&mut s, Msg::ImageVulns(Some(images)));
    let _ = run(&mut s, vec![key('S')]);
    assert_eq!(s.route, nav::Route::Standards);
    let _ = live::views::settle(&mut s);
    let rows = &s.views.standard_rows;
    assert!(
        rows[0].header && rows[0].site == "edge-berlin",
        "{:?}",
        rows[0]
    );
    let at = rows
        .iter()
        .position(|r| r.site == "edge-lab" && r.area == "policy")
        .unwrap();
    // j down to it, then Enter.
    let _ = run(&mut s, (0..at).map(|_| key('j')).collect());
    assert_eq!(s.views.standards.selected, at);
    let _ = run(&mut s, vec![code(KeyCode::Enter)]);
    assert_eq!(s.route, nav::Route::Browser);
    assert_eq!(selected_label(&s), "Deployment ns/web");
    // A benchmark item opens whole in the pop-up, with its remediation.
    let _ = run(&mut s, vec![key('S')]);
    let _ = live::views::settle(&mut s);
    let at = s
        .views
        .standard_rows
        .iter()
        .position(|r| r.area == "kube-bench" && r.level == live::standards::Level::Fail)
        .unwrap();
    s.views.standards.selected = at;
    let _ = run(&mut s, vec![code(KeyCode::Enter)]);
    let notes = &s.views.inspect.as_ref().expect("the pop-up").notes;
    assert!(notes.iter().any(|(k, _)| k == "remediation"), "{notes:?}");
    let _ = run(&mut s, vec![code(KeyCode::Esc)]);
    // The overview lists the standards problems; Enter on one lands on its line.
    let _ = run(&mut s, vec![key('8')]);
    let _ = live::views::settle(&mut s);
    let site = s
        .views
        .overview_rows
        .iter()
        .position(|r| r.site == "edge-lab")
        .unwrap();
    let p = s.views.overview_rows[site]
        .problems
        .iter()
        .position(|p| p.area == "standards" && p.message.contains("drifted"))
        .expect("drift is a problem of edge-lab");
    s.views.overview.selected = site;
    s.views.overview_problem = Some(p);
    let _ = run(&mut s, vec![code(KeyCode::Enter)]);
    assert_eq!(s.route, nav::Route::Standards);
    let r = &s.views.standard_rows[s.views.standards.selected];
    assert_eq!((r.site.as_str(), r.area), ("edge-lab", "drift"), "{r:?}");
    // The manifest not checked: the overview's problem lands on its own line (not the first
    // policy finding), and Enter there opens the file in the browser.
    let _ = run(&mut s, vec![key('8')]);
    let _ = live::views::settle(&mut s);
    let p = s.views.overview_rows[site]
        .problems
        .iter()
        .position(|p| p.area == "standards" && p.message.contains("not checked"))
        .expect("a manifest not checked is a problem of edge-lab");
    s.views.overview.selected = site;
    s.views.overview_problem = Some(p);
    let _ = run(&mut s, vec![code(KeyCode::Enter)]);
    let _ = live::views::settle(&mut s);
    let r = &s.views.standard_rows[s.views.standards.selected];
    assert_eq!(
        (r.site.as_str(), r.id.as_str(), r.subject.as_str()),
        ("edge-lab", "not checked", "apps/edge-lab/web/broken.yaml"),
        "{r:?}"
    );
    let _ = run(&mut s, vec![code(KeyCode::Enter)]);
    assert_eq!(s.route, nav::Route::Browser);
    assert_eq!(selected_label(&s), "apps/edge-lab/web/broken.yaml");
}

/// The first page of the node list is drawn at once (the event loop skips `min_frame` while
/// the view waits for its first rows); once rows are on screen, later pages and other kinds'
/// first objects wait for the frame as any data does.
#[test]
fn the_first_objects_of_an_empty_view_are_urgent_and_only_those() {
    use crate::model::kinds::{MACHINE, NODE};
    let node = |name: &str| {
        let v = serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}});
        (
            live::ObjKey::new(None, name),
            live::Entry::Ok(crate::model::parse(&NODE, &v).unwrap().unwrap()),
        )
    };
    let mut s = State::new("/r".into(), Keymap::default(), (120, 40));
    let _ = s.init();
    s.route = nav::Route::Nodes;
    let live = |m: LiveMsg| Msg::Live(m);
    let _ = run(
        &mut s,
        vec![
            live(LiveMsg::SourceAdded {
                source: "big".into(),
                root: true,
            }),
            live(LiveMsg::Status {
                source: "big".into(),
                kind: &NODE,
                status: live::KindStatus::Syncing,
                at: 1,
            }),
        ],
    );
    assert!(!s.awaits_first_rows(), "a status alone brings no rows");
    let page = |names: &[&str]| LiveMsg::Page {
        source: "big".into(),
        kind: &NODE,
        objects: names.iter().map(|n| node(n)).collect(),
        at: 2,
    };
    let _ = run(&mut s, vec![live(page(&["node-0", "node-1"]))]);
    assert!(s.awaits_first_rows());
    let _ = live::views::settle(&mut s);
    assert_eq!(s.views.node_rows.len(), 2);
    assert!(!s.awaits_first_rows());
    // The list completes: not the first objects any more.
    let _ = run(
        &mut s,
        vec![live(LiveMsg::Reset {
            source: "big".into(),
            kind: &NODE,
            objects: ["node-0", "node-1", "node-2"].map(node).into(),
            at: 3,
        })],
    );
    assert!(!s.awaits_first_rows());
    let _ = live::views::settle(&mut s);
    // Another kind's first objects while the view shows rows.
    let m = serde_json::json!({"apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Machine",
        "metadata": {"name": "m", "namespace": "ns"}});
    let _ = run(
        &mut s,
        vec![live(LiveMsg::Reset {
            source: "big".into(),
            kind: &MACHINE,
            objects: vec![(
                live::ObjKey::new(Some("ns"), "m"),
                live::Entry::Ok(crate::model::parse(&MACHINE, &m).unwrap().unwrap()),
            )],
            at: 4,
        })],
    );
    assert!(s.live.changed.first);
    assert!(!s.awaits_first_rows(), "the view has rows");
}
