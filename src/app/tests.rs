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
        Msg::GitLog {
            path: "clusters".into(),
            result: Ok(vec![]),
        },
    );
    assert_eq!(s.browser.log.commits, Loadable::Loading);
    update(
        &mut s,
        Msg::GitLog {
            path: "clusters/edge".into(),
            result: Err("no repo".into()),
        },
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
