//! TestBackend snapshots of the browser at 80x24 and 200x50, plus cell-style checks per theme.

use blast::app::State;
use blast::theme::{Role, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use crate::support::{buffer_text as text, keys, loaded_state};

fn render(state: &State, theme: &Theme) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(state.size.0, state.size.1)).unwrap();
    t.draw(|f| blast::view::draw(f, state, theme)).unwrap();
    t.backend().buffer().clone()
}

fn theme() -> Theme {
    Theme::load("default", None, false).unwrap()
}

/// Each scenario is a key sequence from the freshly loaded console.
const SCENARIOS: &[(&str, &[&str])] = &[
    ("start", &[]),
    (
        "resource_preview",
        &["j", "j", "l", "j", "l", "j", "j", "l", "j", "j"],
    ),
    ("broken_file", &["G", "l", "j", "l", "j"]),
    ("filter_typing", &["/", "m", "a", "c", "h", "i", "n", "e"]),
    (
        "filter_accepted_next",
        &["/", "e", "d", "g", "e", "enter", "n", "n"],
    ),
    ("help", &["?"]),
    (
        "preview_focus_narrow",
        &["j", "j", "l", "j", "l", "j", "j", "tab"],
    ),
];

fn scenario(name: &str, w: u16, h: u16) -> String {
    let (_, ks) = SCENARIOS.iter().find(|(n, _)| *n == name).unwrap();
    let mut s = loaded_state(w, h);
    keys(&mut s, ks);
    text(&render(&s, &theme()))
}

#[test]
fn browser_80x24() {
    for (name, _) in SCENARIOS {
        insta::assert_snapshot!(format!("{name}_80x24"), scenario(name, 80, 24));
    }
}

#[test]
fn browser_200x50() {
    for (name, _) in SCENARIOS {
        insta::assert_snapshot!(format!("{name}_200x50"), scenario(name, 200, 50));
    }
}

#[test]
fn narrow_terminal_shows_one_pane() {
    insta::assert_snapshot!("narrow_60x20_tree", scenario("start", 60, 20));
    insta::assert_snapshot!(
        "narrow_60x20_preview",
        scenario("preview_focus_narrow", 60, 20)
    );
}

#[test]
fn selection_and_roles_use_theme_styles() {
    for (name, _) in blast::theme::BUNDLED {
        let theme = Theme::load(name, None, false).unwrap();
        let mut s = loaded_state(80, 24);
        keys(&mut s, &["j", "j"]);
        let buf = render(&s, &theme);
        // The third tree row (y=4: header, border, two rows) is the selection.
        let sel = theme.style(Role::Selection);
        let cell = &buf[(5, 4)];
        assert_eq!(
            cell.bg,
            sel.bg.unwrap_or(ratatui::style::Color::Reset),
            "{name}: selection bg"
        );
        assert!(
            cell.modifier.contains(sel.add_modifier),
            "{name}: selection modifiers"
        );
        // The header uses the header role.
        assert_eq!(
            buf[(40, 0)].bg,
            theme
                .style(Role::Header)
                .bg
                .unwrap_or(ratatui::style::Color::Reset),
            "{name}: header bg"
        );
        // A broken file name (not selected) is drawn in the error role.
        keys(&mut s, &["G", "l", "j", "l", "j", "j"]);
        let buf = render(&s, &theme);
        let (x, row) = (0..24u16)
            .find_map(|y| col_of(&buf, y, "broken.yaml").map(|x| (x, y)))
            .unwrap();
        assert_eq!(
            buf[(x, row)].fg,
            theme
                .style(Role::Error)
                .fg
                .unwrap_or(ratatui::style::Color::Reset),
            "{name}: error fg"
        );
    }
}

/// Column where `needle` starts on row `y` of the tree pane.
fn col_of(buf: &Buffer, y: u16, needle: &str) -> Option<u16> {
    // Only the tree pane (the first 32 columns at 80x24).
    let row: Vec<char> = (0..32.min(buf.area.width))
        .map(|x| buf[(x, y)].symbol().chars().next().unwrap_or(' '))
        .collect();
    let n: Vec<char> = needle.chars().collect();
    row.windows(n.len())
        .position(|w| w == n.as_slice())
        .map(|x| x as u16)
}

#[test]
fn mono_theme_draws_no_colour_but_still_shows_selection() {
    let theme = Theme::load("default", None, true).unwrap();
    let mut s = loaded_state(80, 24);
    keys(&mut s, &["j"]);
    let buf = render(&s, &theme);
    for cell in buf.content() {
        assert!(
            matches!(cell.fg, ratatui::style::Color::Reset),
            "colour under NO_COLOR: {cell:?}"
        );
        assert!(
            matches!(cell.bg, ratatui::style::Color::Reset),
            "colour under NO_COLOR: {cell:?}"
        );
    }
    assert!(
        buf[(5, 3)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
}

/// The changes view and the write dialogs, in a console allowed to write.
#[test]
fn changes_view_and_dialogs_80x24_and_200x50() {
    let cases: &[(&str, &[&str])] = &[
        ("changes", &["9"]),
        ("changes_diff_of_staged", &["9", "j"]),
        ("commit_dialog", &["9", "c"]),
        ("discard_confirm", &["9", "x"]),
        (
            "quick_menu",
            &["/", "w", "o", "r", "k", "e", "r", "s", "enter", "j", "a"],
        ),
        (
            "quick_input",
            &[
                "/", "w", "o", "r", "k", "e", "r", "s", "enter", "j", "a", "1", "+",
            ],
        ),
    ];
    for (name, ks) in cases {
        for (w, h) in [(80, 24), (200, 50)] {
            let mut s = loaded_state(w, h);
            s.write = Some(blast::app::write::WriteCap::grant());
            keys(&mut s, ks);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&render(&s, &theme())));
        }
    }
}

/// The failed policy rules (as the console's indexer adds them) are counted on files and
/// resources in the tree, and listed in the preview of the selected resource.
#[test]
fn policy_failures_are_marked_and_listed_in_the_preview() {
    use std::sync::Arc;
    let mut s = loaded_state(200, 50);
    let root = crate::support::fixture_repo();
    let mut index = blast::repo::index::build(&root).unwrap();
    index.policy = blast::policy::failed_in_all(&root);
    let mqtt = index
        .policy
        .iter()
        .filter(|o| o.path == "apps/edge-berlin/mqtt/deployment.yaml")
        .count();
    assert!(
        mqtt > 0,
        "the fixture repo's mqtt Deployment fails some rules"
    );
    let fx = blast::app::update(&mut s, blast::app::Msg::Indexed(Ok(Arc::new(index))));
    crate::support::settle(&mut s, fx);
    keys(&mut s, &["/", "m", "q", "t", "t", "enter", "+"]);
    let screen = text(&render(&s, &theme()));
    let file_row = screen
        .lines()
        .find(|l| l.contains("deployment.yaml") && l.contains('⚠'))
        .unwrap_or_else(|| panic!("no marked deployment.yaml row:\n{screen}"));
    assert!(file_row.contains(&format!("⚠{mqtt}")), "{file_row}");
    // Select the Deployment itself: its rules are listed in the preview.
    let before = s.browser.selected;
    for _ in 0..40 {
        if screen_has_preview_rule(&s) {
            break;
        }
        keys(&mut s, &["j"]);
    }
    assert!(
        screen_has_preview_rule(&s),
        "no policy line in the preview (selection moved from {before}):\n{}",
        text(&render(&s, &theme()))
    );
}

fn screen_has_preview_rule(s: &State) -> bool {
    text(&render(s, &theme()))
        .lines()
        .any(|l| l.contains("⚠ ") && l.contains("CKV_K8S_"))
}

/// A Helm chart's template is not YAML until rendered: its row says "skipped" and its preview
/// why (as `blast check` lists it under "skipped"), not "broken".
#[test]
fn helm_template_is_shown_as_skipped_with_its_note() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("apps/chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: chart\nversion: 1.2.3\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "replicaCount: 2\n").unwrap();
    std::fs::write(
        chart.join("templates/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"chart.fullname\" . }}\n",
    )
    .unwrap();
    for (w, h) in [(80, 24), (200, 50)] {
        let mut s = State::new(
            dir.path().to_path_buf(),
            blast::keymap::Keymap::default(),
            (w, h),
        );
        s.repo.display = "~/src/chart".into();
        let fx = s.init();
        crate::support::settle(&mut s, fx);
        keys(&mut s, &["/", "d", "e", "p", "l", "o", "y", "enter"]);
        let screen = text(&render(&s, &theme()));
        assert!(screen.contains("skipped"), "{screen}");
        assert!(!screen.contains("broken"), "{screen}");
        insta::assert_snapshot!(format!("helm_template_{w}x{h}"), screen);
    }
}
