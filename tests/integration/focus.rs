//! Issue 15, reading: every pane that can hold more rows than it shows scrolls to its last row,
//! and the focused pane's title carries the one focus mark (`view::focus_title`, `▸`), which
//! tab moves: the cluster view's Events, GitOps' detail, the changes view's list and diff, the
//! repo browser's tree, preview and log. (Backup's actions and the server classes:
//! `live_snapshots::tab_scrolls_the_lower_table_and_marks_the_focus`.)

use std::sync::Arc;

use blast::app::State;
use blast::app::browser::Loadable;
use blast::app::nav::Route;
use blast::theme::Theme;
use serde_json::{Value, json};

use crate::live_snapshots::{World, live_state_with, render_with};
use crate::support::{keys, loaded_state};

const MARK: &str = blast::view::FOCUS_MARK;

fn render(s: &State) -> String {
    render_with(s, &Theme::load("default", None, false).unwrap())
}

/// The title lines that carry the mark.
fn marked(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.contains(MARK))
        .map(|l| l.trim().to_string())
        .collect()
}

fn press(s: &mut State, key: &str, times: usize) {
    for _ in 0..times {
        keys(s, &[key]);
    }
}

/// The cluster view's Events of the selected object (40 of them: more than any screen shows):
/// tab gives them the focus and the mark, `j` reaches the oldest, tab gives it back.
#[test]
fn cluster_events_scroll_to_the_last_and_take_the_mark() {
    for (w, h) in [(80, 24), (200, 50)] {
        let mut s = live_state_with(
            Route::parse("cluster/edge-berlin").unwrap(),
            w,
            h,
            World::Healthy,
            |objs: &mut Vec<(String, Value)>| {
                let (c, cluster) = objs
                    .iter()
                    .find(|(_, v)| v["kind"] == "Cluster" && v["metadata"]["name"] == "edge-berlin")
                    .cloned()
                    .unwrap();
                for i in 0..40 {
                    objs.push((
                        c.clone(),
                        json!({
                            "apiVersion": "v1", "kind": "Event",
                            "metadata": {"name": format!("edge-berlin.e{i:02}"),
                                "namespace": cluster["metadata"]["namespace"]},
                            "involvedObject": {"apiVersion": "cluster.x-k8s.io/v1beta1",
                                "kind": "Cluster", "name": "edge-berlin",
                                "namespace": cluster["metadata"]["namespace"]},
                            "reason": format!("Step{i:02}"), "message": format!("event number {i}"),
                            "type": "Normal", "count": 1,
                            "lastTimestamp": format!("2026-09-21T10:{i:02}:00Z"),
                        }),
                    ));
                }
            },
        );
        assert_eq!(s.views.tree[0].obj.kind, "Cluster");
        let n = s.views.events.len();
        assert!(n >= 40, "{n} events");
        let before = render(&s);
        let m = marked(&before);
        assert!(
            m.len() == 1 && m[0].contains("edge-berlin: objects"),
            "{w}x{h}: {m:?}"
        );
        keys(&mut s, &["tab"]);
        assert!(s.views.lower_focus);
        press(&mut s, "j", n + 3);
        assert_eq!(s.views.lower.selected, n - 1, "{w}x{h}");
        let text = render(&s);
        let m = marked(&text);
        assert!(m.len() == 1 && m[0].contains("Events:"), "{w}x{h}: {m:?}");
        // Newest first: the oldest (Step00) is the last row, and it is on screen.
        assert_eq!(s.views.events[n - 1].reason, "Step00");
        assert!(text.contains("Step00"), "{w}x{h}:\n{text}");
        assert!(!text.contains("Step39"), "{w}x{h}: scrolled, not all shown");
        keys(&mut s, &["tab"]);
        assert!(!s.views.lower_focus);
        assert!(marked(&render(&s))[0].contains("edge-berlin: objects"));
    }
}

/// GitOps' detail of an Application with 30 resources out of sync: tab, then `j` to the last.
#[test]
fn gitops_detail_scrolls_to_the_last_line_and_takes_the_mark() {
    for (w, h) in [(80, 24), (200, 50)] {
        let mut s = live_state_with(
            Route::GitOps,
            w,
            h,
            World::Healthy,
            |objs: &mut Vec<(String, Value)>| {
                let (_, app) = objs
                    .iter_mut()
                    .find(|(_, v)| v["kind"] == "Application")
                    .unwrap();
                let res: Vec<Value> = (0..30)
                    .map(|i| {
                        json!({"kind": "ConfigMap", "namespace": "x", "name": format!("cm-{i:02}"),
                        "status": "OutOfSync", "health": {"status": "Missing"}})
                    })
                    .collect();
                app["status"]["resources"] = Value::Array(res);
            },
        );
        let i = s
            .views
            .gitops_rows
            .iter()
            .position(|r| r.problems.len() == 30)
            .unwrap();
        s.views.gitops.selected = i;
        assert!(marked(&render(&s))[0].contains("Applications and infrastructure"));
        keys(&mut s, &["tab"]);
        let n = s.lower_len().unwrap();
        assert!(n >= 30, "{n}");
        press(&mut s, "j", n + 3);
        assert_eq!(s.views.lower.selected, n - 1);
        let text = render(&s);
        let m = marked(&text);
        assert!(
            m.len() == 1 && m[0].contains("Application"),
            "{w}x{h}: {m:?}"
        );
        assert!(text.contains("cm-29"), "{w}x{h}:\n{text}");
        assert!(!text.contains("x/cm-00"), "{w}x{h}: scrolled:\n{text}");
        // Another row: its detail from the top, the table focused again after tab.
        keys(&mut s, &["tab", "k"]);
        assert!(!s.views.lower_focus);
        assert_eq!(s.views.lower.selected, 0);
    }
}

/// The changes view: 60 files and a 200-line diff; the list scrolls to its last file, tab
/// gives the diff the focus and `j`/`G` scroll it to its last line.
#[test]
fn changes_list_and_diff_scroll_and_take_the_mark() {
    use blast::git::changes::Change;
    use blast::git::diff::{DiffLine, LineKind};
    use blast::git::status::FileStatus;
    for (w, h) in [(80, 24), (200, 50)] {
        let mut s = loaded_state(w, h);
        keys(&mut s, &["9"]);
        s.changes.files = Loadable::Loaded(
            (0..60)
                .map(|i| Change {
                    path: format!("apps/a/file-{i:02}.yaml"),
                    staged: None,
                    unstaged: Some(FileStatus::Modified),
                    from: None,
                })
                .collect(),
        );
        press(&mut s, "j", 70);
        assert_eq!(s.changes.selected, 59);
        // The diff of the last file, 200 lines long.
        s.changes.diff.path = Some("apps/a/file-59.yaml".into());
        s.changes.diff.lines = Loadable::Loaded(Arc::new(
            (1..=200)
                .map(|n| DiffLine {
                    kind: LineKind::Added,
                    old: None,
                    new: Some(n),
                    text: format!("line-{n:03}"),
                })
                .collect(),
        ));
        let text = render(&s);
        assert!(text.contains("file-59"), "{w}x{h}:\n{text}");
        let m = marked(&text);
        assert!(m.len() == 1 && m[0].contains("changes ·"), "{w}x{h}: {m:?}");
        keys(&mut s, &["tab"]);
        press(&mut s, "j", 10);
        assert_eq!(s.changes.diff.scroll, 10);
        assert_eq!(s.changes.selected, 59, "j scrolls the diff, not the list");
        keys(&mut s, &["G"]);
        let text = render(&s);
        assert!(text.contains("line-200"), "{w}x{h}:\n{text}");
        let m = marked(&text);
        assert!(m.len() == 1 && m[0].contains("diff ·"), "{w}x{h}: {m:?}");
        keys(&mut s, &["tab", "k"]);
        assert_eq!(s.changes.selected, 58);
    }
}

/// The repo browser: the mark follows tab over tree, preview (and log); the tree scrolls to its
/// last row and the preview to the file's last line.
#[test]
fn browser_panes_scroll_and_take_the_mark() {
    for (w, h) in [(80, 24), (200, 50)] {
        let mut s = loaded_state(w, h);
        keys(&mut s, &["+", "G"]);
        let rows = s.browser.rows.len();
        assert_eq!(s.browser.selected, rows - 1);
        let text = render(&s);
        let m = marked(&text);
        assert!(m.iter().any(|l| l.contains("repo")), "{w}x{h}: {m:?}");
        assert!(!m.iter().any(|l| l.contains("log ·")), "{m:?}");
        // The last row's file is on screen: the tree scrolled.
        keys(&mut s, &["tab"]);
        let text = render(&s);
        let m: Vec<String> = marked(&text)
            .into_iter()
            .filter(|l| l.contains(&format!("{MARK} ")))
            .collect();
        assert!(
            !m.is_empty() && !m.iter().any(|l| l.contains(&format!("{MARK} repo"))),
            "{w}x{h}: the mark moved to the preview: {m:?}"
        );
        keys(&mut s, &["G"]);
        let file = s.browser.preview.path.clone().unwrap();
        let last = std::fs::read_to_string(s.repo.root.join(&file))
            .unwrap()
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap()
            .trim()
            .to_string();
        let text = render(&s);
        let cut: String = last.chars().take(20).collect();
        assert!(text.contains(&cut), "{w}x{h}: {last:?} not shown:\n{text}");
    }
}
