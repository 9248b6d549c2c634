//! `blast dashboard`: every page through TestBackend at 80x24, 200x50 and 400x100 over the demo
//! world, healthy and broken (the broken world of `live_snapshots`); and the real binary in a
//! pseudo-terminal: pages rotate, no key changes the repo, a lost API server shows as STALE and
//! the wall recovers by itself.

use std::path::Path;
use std::time::Duration;

use blast::app::live::storage::Thresholds;
use blast::app::nav::Route;
use blast::dashboard::{Msg, Page, State, settle, update};
use blast::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

use crate::live_snapshots::{World, live_state};
use crate::pty::{Pty, ServeOnly, free_port, spawn_on_mgmt};
use crate::support::{buffer_text as text, git, temp_repo};

const SIZES: [(u16, u16); 3] = [(80, 24), (200, 50), (400, 100)];

fn dash_state(page: Page, w: u16, h: u16, world: World) -> State {
    // The standards page gets the reports and the repo's side; its image lines come from its
    // own image store (the world's Pods and Trivy Operator's reports; no Clair here).
    let console = if page == Page::Standards {
        crate::live_snapshots::standards_state(w, h, world)
    } else {
        live_state(Route::Overview, w, h, world)
    };
    let mut s = State::new(vec![page], 20, Thresholds::default(), (w, h));
    s.live = console.live.clone();
    if page == Page::Standards {
        let (side, _) = crate::live_snapshots::standards_inputs();
        let _ = update(&mut s, Msg::RepoSide(side));
    }
    s.live.changed.sources = true;
    let _ = update(&mut s, Msg::Tick(console.live.now));
    let _ = settle(&mut s);
    s
}

fn buffer(s: &State, theme: &Theme) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(s.size.0, s.size.1)).unwrap();
    t.draw(|f| blast::dashboard::view::draw(f, s, theme))
        .unwrap();
    t.backend().buffer().clone()
}

fn high_contrast() -> Theme {
    Theme::load("high-contrast", None, false).unwrap()
}

#[test]
fn every_page_at_80x24_200x50_and_400x100_healthy_and_broken() {
    for page in Page::ALL {
        for (w, h) in SIZES {
            for (label, world) in [("healthy", World::Healthy), ("broken", World::Broken)] {
                let s = dash_state(page, w, h, world);
                insta::assert_snapshot!(
                    format!("dashboard_{}_{label}_{w}x{h}", page.name()),
                    text(&buffer(&s, &high_contrast()))
                );
            }
        }
    }
}

#[test]
fn the_dense_list_at_80x24_keeps_every_site_its_verdict_and_its_reach() {
    // The problems and standards pages list findings, not the sites' health (the standards
    // page's site lines carry the standards verdict: DEGRADED, WARN or OK).
    let site_pages = |p: &Page| !matches!(p, Page::Problems | Page::Standards);
    for page in Page::ALL.into_iter().filter(site_pages) {
        let s = dash_state(page, 80, 24, World::Broken);
        let screen = text(&buffer(&s, &high_contrast()));
        assert!(s.sites.len() >= 3);
        for site in &s.sites {
            let line = screen
                .lines()
                .find(|l| l.contains(&format!(" {} ", site.site)) && !l.contains("STALE:"))
                .unwrap_or_else(|| panic!("{} missing on {page:?}:\n{screen}", site.site));
            use blast::app::live::fleet::Verdict;
            assert!(
                [
                    Verdict::Healthy,
                    Verdict::Progressing,
                    Verdict::Unknown,
                    Verdict::Degraded,
                    Verdict::Failed
                ]
                .iter()
                .any(|v| line.starts_with(&format!(
                    " {} {}",
                    v.symbol(),
                    v.label()
                ))),
                "the verdict first: {line}"
            );
            assert!(
                line.contains("live") || line.contains("STALE") || line.contains("unreachable"),
                "reach and data age on the site's line: {line}"
            );
        }
        assert!(screen.contains("⚠ STALE: mgmt 2m"), "{screen}");
    }
}

#[test]
fn big_screens_get_tiles_with_block_digits_and_stale_sites_say_so_without_colour() {
    let s = dash_state(Page::Fleet, 200, 50, World::Broken);
    let mono = Theme::load("mono", None, true).unwrap();
    let buf = buffer(&s, &mono);
    let screen = text(&buf);
    assert!(screen.contains("███"), "block digits:\n{screen}");
    assert!(screen.contains("SITES"), "{screen}");
    // One tile per site, its verdict in words in the title.
    for site in &s.sites {
        assert!(
            screen.contains(&format!(
                "{} {} · {}",
                site.verdict.symbol(),
                site.site,
                site.verdict.label().to_uppercase()
            )),
            "{screen}"
        );
    }
    // Under mono (NO_COLOR) the stale banner and the current page still stand out.
    let find = |needle: &str| {
        let (y, line) = screen
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .unwrap();
        let x = line[..line.find(needle).unwrap()].chars().count() as u16;
        (x, y as u16)
    };
    let (x, y) = find("⚠ STALE: mgmt");
    let banner = buf[(x + 2, y)].modifier;
    assert!(
        banner.contains(Modifier::REVERSED | Modifier::SLOW_BLINK),
        "{banner:?}"
    );
    let (x, y) = find("▸fleet");
    assert!(buf[(x + 1, y)].modifier.contains(Modifier::REVERSED));
    // And the tile grows: at 400x100 each tile is wider than at 200x50.
    let big = dash_state(Page::Fleet, 400, 100, World::Broken);
    let big_screen = text(&buffer(&big, &mono));
    let title_width = |screen: &str| {
        screen
            .lines()
            .find(|l| l.contains(" · FAILED"))
            .map(|l| l.chars().filter(|c| *c == '━').count())
            .unwrap()
    };
    assert!(title_width(&big_screen) > title_width(&screen));
}

#[test]
fn the_problems_page_lists_every_problem_worst_first() {
    let s = dash_state(Page::Problems, 200, 50, World::Broken);
    let screen = text(&buffer(&s, &high_contrast()));
    let n: usize = s.sites.iter().map(|x| x.problems.len()).sum();
    assert!(n >= 5, "the broken world has problems");
    assert!(screen.contains("OSD_DOWN"), "{screen}");
    assert!(screen.contains("edge-lab-k10"), "{screen}");
    let first_degraded = screen.find("▲ degraded").unwrap_or(usize::MAX);
    let last_failed = screen.rfind("✖ failed").unwrap();
    assert!(
        last_failed < first_degraded,
        "failed before degraded:\n{screen}"
    );
}

/// Issue 15: the problems page's problems are selectable (j/k, which holds the page) and Enter
/// shows the reason whole, wrapped, at 80x24; Esc closes it, then the selection.
#[test]
fn a_problem_on_the_wall_can_be_read_whole() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let press = |s: &mut State, c: KeyCode| {
        let fx = update(s, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)));
        assert!(fx.is_empty(), "reading a problem asks for nothing: {fx:?}");
    };
    let mut s = dash_state(Page::Problems, 80, 24, World::Broken);
    let long = s
        .sorted_problems()
        .iter()
        .position(|(_, p)| p.message.contains("no key could decrypt"))
        .expect("the SealedSecret's problem");
    for _ in 0..=long {
        press(&mut s, KeyCode::Char('j'));
    }
    assert_eq!(s.selected, Some(long));
    assert!(s.paused, "a selection holds the page");
    let cell_reversed = |s: &State| {
        let b = buffer(s, &high_contrast());
        (0..b.area.height).any(|y| {
            (0..b.area.width).any(|x| b[(x, y)].modifier.contains(Modifier::REVERSED))
                && (0..b.area.width)
                    .map(|x| b[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .contains("SealedSecret")
        })
    };
    assert!(cell_reversed(&s), "the selected problem is marked");
    press(&mut s, KeyCode::Enter);
    assert!(s.detail);
    let screen = text(&buffer(&s, &high_contrast()));
    let flat: String = screen
        .lines()
        .map(|l| l.trim_matches('│').trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains("no key could decrypt secret (password)"),
        "the reason whole:\n{screen}"
    );
    press(&mut s, KeyCode::Esc);
    assert!(!s.detail && s.selected.is_some());
    press(&mut s, KeyCode::Esc);
    assert!(s.selected.is_none() && !s.paused);
}

/// The state of a repo's work tree and refs, to compare before and after.
fn repo_fingerprint(work: &Path) -> String {
    format!(
        "{}\n{}\n{}",
        git(
            work,
            &[
                "status",
                "--porcelain",
                "--ignored",
                "--untracked-files=all"
            ]
        ),
        git(work, &["for-each-ref"]),
        git(work, &["rev-parse", "HEAD"]),
    )
}

/// `blast demo --dashboard --scenario none <extra>` in a pty, run in `cwd`.
fn demo_wall(cwd: &Path, extra: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Pty {
    let mut args = vec!["demo", "--dashboard", "--scenario", "none"];
    args.extend(extra);
    Pty::spawn(&args, cwd, cols, rows, env)
}

/// `blast dashboard --page fleet` against the kubeconfig's `mgmt`, 100x30, run in the checkout.
fn fleet_page(kubeconfig: &Path) -> Pty {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    spawn_on_mgmt(&["dashboard", "--page", "fleet"], kubeconfig, repo, 100, 30)
}

#[test]
fn demo_dashboard_rotates_pages_and_no_key_touches_the_repo() {
    let repo = temp_repo();
    let before = repo_fingerprint(&repo.work);
    let t = demo_wall(&repo.work, &["--rotate", "2s"], 80, 24, &[]);
    t.wait_for("▸fleet", 20);
    t.wait_for("edge-berlin", 20);
    // Rotation, by itself.
    t.wait_for("▸storage", 10);
    t.wait_for("▸backup", 10);
    // Every key but q and ctrl-c: letters, digits, signs, control keys, arrows, function keys.
    let mut keys: Vec<String> = (0x20u8..0x7f)
        .filter(|b| !matches!(b, b'q' | b'Q'))
        .map(|b| (b as char).to_string())
        .collect();
    keys.extend(
        (1u8..27)
            .filter(|b| *b != 3)
            .map(|b| (b as char).to_string()),
    );
    for k in [
        "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[H", "\x1b[F", "\x1b[5~", "\x1b[6~",
        "\x1b[2~", "\x1b[3~", "\x1bOP", "\x1b[15~", "\x1b[Z", "\x7f",
    ] {
        keys.push(k.to_string());
    }
    for k in &keys {
        t.send(k);
        std::thread::sleep(Duration::from_millis(5));
    }
    t.send("\x1b");
    std::thread::sleep(Duration::from_millis(300));
    // Still running and drawing: the space among the keys paused it, one more resumes.
    t.wait_for("edge-berlin", 10);
    assert_eq!(
        repo_fingerprint(&repo.work),
        before,
        "the repo is untouched"
    );
    t.quit();
    assert_eq!(repo_fingerprint(&repo.work), before);
}

#[test]
fn dashboard_marks_a_lost_site_stale_and_recovers_without_exiting() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig.yaml");
    let port = free_port();
    let server = ServeOnly::start(port, &kubeconfig, dir.path());
    let t = fleet_page(&kubeconfig);
    t.wait_for("mgmt", 20);
    t.wait_for("live", 20);
    drop(server);
    t.wait_for("⚠ STALE", 30);
    let _server = ServeOnly::start(port, &kubeconfig, dir.path());
    t.wait_until(60, "did not recover", |s| !s.contains("STALE"));
    t.quit();
}

#[test]
fn dashboard_under_no_color_uses_no_colour_and_still_marks_the_page() {
    let repo = temp_repo();
    let mut t = demo_wall(&repo.work, &[], 80, 24, &[("NO_COLOR", "1")]);
    t.wait_for("edge-berlin", 20);
    t.send("q");
    assert_eq!(t.wait_exit(10), 0);
    let raw = String::from_utf8_lossy(&t.raw()).into_owned();
    assert!(
        !raw.contains("\x1b[38;") && !raw.contains("\x1b[48;"),
        "no colour codes"
    );
    assert!(raw.contains("\x1b[7m"), "the current page in reverse video");
}

#[test]
fn dashboard_started_before_its_kubeconfig_exists_picks_it_up() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("later/kubeconfig.yaml");
    let t = fleet_page(&kubeconfig);
    t.wait_for("kubeconfig · FAILED", 20);
    t.wait_for("⊘ unreachable", 5);
    std::fs::create_dir_all(kubeconfig.parent().unwrap()).unwrap();
    let _server = ServeOnly::start(free_port(), &kubeconfig, dir.path());
    t.wait_for("mgmt · HEALTHY", 40);
    // The stand-in for the missing kubeconfig is gone.
    t.wait_until(10, "\"kubeconfig · FAILED\" stays", |s| {
        !s.contains("kubeconfig · FAILED")
    });
    t.quit();
}

/// A resize storm (a tmux pane dragged about), then the size it ends on: the dashboard keeps
/// running and draws that size in full.
#[test]
fn dashboard_survives_a_resize_storm() {
    let repo = temp_repo();
    let t = demo_wall(&repo.work, &["--rotate", "0"], 80, 24, &[]);
    t.wait_for("edge-berlin", 20);
    for i in 0..60u16 {
        t.resize(20 + (i * 37) % 200, 6 + (i * 13) % 70);
        std::thread::sleep(Duration::from_millis(10));
    }
    t.resize(120, 40);
    t.wait_for("q quit · space pause", 10);
    t.wait_for("edge-berlin · ", 10);
    let screen = t.screen();
    assert_eq!(
        screen.lines().next().map(|l| l.contains("▸fleet")),
        Some(true),
        "{screen}"
    );
    t.quit();
}

/// The `policy N` count of a site's line on the standards page, if the line is on screen.
fn policy_count(screen: &str, site: &str) -> Option<u32> {
    let line = screen
        .lines()
        .find(|l| l.split_whitespace().any(|w| w == site) && l.contains("policy "))?;
    let rest = &line[line.find("policy ")? + "policy ".len()..];
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// A wall runs for weeks: a violation committed to the repo (HEAD moves, a file appears) shows
/// on the standards page without a restart (the repo watcher; before, the repo was read once
/// at start and the page kept saying `policy 0`).
#[test]
fn a_violation_committed_while_the_wall_runs_shows_on_its_standards_page() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig.yaml");
    let port = free_port();
    let _server = ServeOnly::start(port, &kubeconfig, dir.path());
    let repo = temp_repo();
    let repo_arg = repo.work.to_str().unwrap();
    let t = spawn_on_mgmt(
        &["dashboard", "--page", "standards", "--repo", repo_arg],
        &kubeconfig,
        &repo.work,
        200,
        50,
    );
    t.wait_until(30, "edge-lab's line never said policy 0", |s| {
        policy_count(s, "edge-lab") == Some(0)
    });
    // Someone commits a privileged bare Pod for edge-lab.
    let at = repo.work.join("apps/edge-lab/debug");
    std::fs::create_dir_all(&at).unwrap();
    std::fs::write(
        at.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\n  namespace: ops\nspec:\n  containers:\n    - name: sh\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n",
    )
    .unwrap();
    git(&repo.work, &["add", "."]);
    git(
        &repo.work,
        &[
            "-c",
            "user.name=Ops",
            "-c",
            "user.email=ops@example.com",
            "commit",
            "-q",
            "-m",
            "debug pod",
        ],
    );
    t.wait_until(30, "the committed violation never showed", |s| {
        policy_count(s, "edge-lab").is_some_and(|n| n > 0)
    });
    t.quit();
}

/// The repo's changes cost one scan at a time, at most one more queued, however many arrive.
#[test]
fn repo_changes_scan_one_at_a_time_with_at_most_one_queued() {
    use blast::dashboard::Effect;
    let mut s = State::new(vec![Page::Standards], 20, Thresholds::default(), (80, 24));
    let scans = |fx: &[Effect]| fx.iter().filter(|e| **e == Effect::ScanRepo).count();
    assert_eq!(scans(&s.init()), 1, "the first read");
    let mut queued = 0;
    for _ in 0..50 {
        queued += scans(&update(&mut s, Msg::RepoChanged));
    }
    assert_eq!(queued, 0, "a scan is under way: none started beside it");
    let side = blast::standards::RepoSide::default();
    assert_eq!(
        scans(&update(&mut s, Msg::RepoSide(side.clone()))),
        1,
        "one queued"
    );
    assert_eq!(scans(&update(&mut s, Msg::RepoSide(side.clone()))), 0);
    // Idle: the next change scans at once.
    assert_eq!(scans(&update(&mut s, Msg::RepoChanged)), 1);
}

/// The wall counts the images' vulnerabilities as the console does: its own image store (live
/// Pods, Trivy Operator's reports, the demo's Clair) puts mosquitto's Critical on edge-berlin's
/// standards line and problems. Before, nothing sent the wall any image data: no image line.
#[test]
fn the_wall_counts_critical_images_from_its_own_image_store() {
    let repo = temp_repo();
    let t = demo_wall(&repo.work, &["--rotate", "0"], 200, 50, &[]);
    t.wait_for("image with Critical vulnerabilities", 60);
    // The standards page, by its digit (the sixth page has a key of its own).
    t.press("6", "images 1 Critical", 20);
    t.quit();
}
