//! The Images view (issue 16 §3): TestBackend snapshots of the demo's images at 80x24 and
//! 200x50, keys of the view driven through `update`, the demo's Trivy reports checked against
//! upstream's CRD schema, and the real binary in `blast demo` reaching the view with `V`.

use std::path::Path;

use blast::app::live::images::{ClairSetup, ImagesMsg};
use blast::app::live::{Entry, LiveMsg, ObjKey};
use blast::app::nav::Route;
use blast::app::{Effect, Msg, State, update};
use blast::clair::{ReportState, Summary, VulnerabilityReport};
use blast::demo::emulator::Emulator;
use blast::demo::emulator::clair::{DEMO_NOT_INDEXED, DEMO_REPORTS};
use blast::demo::world;
use blast::model::kinds;

use crate::live_snapshots::{World, live_state, render_with};
use crate::pty::Pty;

const MOSQUITTO: &str = "sha256:377a93d5baccbf2d6766b59b63f46f24f4c1f0346151f575adb4762e5061a4d2";

/// The demo's images as the console would have them: the world, the demo's Pods and Trivy
/// reports (as `blast demo` loads them), the fixture repo's images, and the demo Clair's
/// answers (its reports, MinIO not indexed), at the fixtures' clock.
fn images_state(w: u16, h: u16) -> State {
    let now = world::fixtures_now();
    let mut state = live_state(Route::Images, w, h, World::Healthy);
    state.images.clair = ClairSetup::Url("http://127.0.0.1:7443/clair".into());
    let emu = Emulator::new();
    for c in ["mgmt", "edge-berlin", "edge-lab"] {
        emu.add_cluster(c);
    }
    world::standards(&emu).unwrap();
    world::vulnerability_reports(&emu, now).unwrap();
    for c in emu.clusters() {
        for kind in [&kinds::POD, &kinds::VULNERABILITY_REPORT] {
            for v in emu.list(&c, kind) {
                let (ns, name) = blast::model::object_name(&v);
                let o = blast::model::parse(kind, &v).unwrap().unwrap();
                let _ = update(
                    &mut state,
                    Msg::Live(LiveMsg::Apply {
                        source: c.clone(),
                        kind,
                        key: ObjKey::new(ns.as_deref(), &name),
                        entry: Entry::Ok(o),
                        at: now - 30,
                    }),
                );
            }
        }
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/repo");
    let fx = update(
        &mut state,
        Msg::Images(ImagesMsg::Repo(Ok(blast::clair::images::repo_images(
            &repo,
        )))),
    );
    // Clair is asked for every digest on screen, once: answer as the demo's Clair does.
    let mut asked: Vec<String> = fx
        .iter()
        .chain(blast::app::live::views::settle(&mut state).iter())
        .filter_map(|e| match e {
            Effect::FetchReports(d) => Some(d.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    asked.sort();
    asked.dedup();
    assert!(
        asked.iter().any(|d| d == MOSQUITTO),
        "Mosquitto's digest was not asked: {asked:?}"
    );
    let reports: Vec<VulnerabilityReport> = DEMO_REPORTS
        .iter()
        .map(|r| serde_json::from_str(r).unwrap())
        .collect();
    for d in asked {
        let state_of = match reports.iter().find(|r| r.manifest_hash == d) {
            Some(r) => ReportState::Ready {
                summary: Summary::of_report(r),
                fetched_at: (now - 300) as u64,
            },
            None => ReportState::NotIndexed,
        };
        let _ = update(
            &mut state,
            Msg::Images(ImagesMsg::Report {
                digest: d,
                state: state_of,
                at: now - 300,
            }),
        );
    }
    state
}

fn render(state: &State) -> String {
    render_with(
        state,
        &blast::theme::Theme::load("default", None, false).unwrap(),
    )
}

#[test]
fn images_view_80x24_and_200x50() {
    for (w, h) in [(80, 24), (200, 50)] {
        let s = images_state(w, h);
        let screen = render(&s);
        insta::assert_snapshot!(format!("images_{w}x{h}"), screen);
    }
}

#[test]
fn the_demo_images_are_worst_first_with_every_state() {
    let s = images_state(200, 50);
    let rows: Vec<(String, &str, String)> = s
        .images
        .rows
        .iter()
        .map(|r| (r.name().to_string(), r.source, r.status()))
        .collect();
    // The critical one with a fix first, Trivy's High next, …
    assert!(rows[0].0.contains("eclipse-mosquitto:2.0.22"), "{rows:#?}");
    assert_eq!(rows[0].1, "clair");
    let ksm = rows
        .iter()
        .position(|r| r.0.contains("kube-state-metrics"))
        .expect("Trivy's image is listed");
    assert_eq!(rows[ksm].1, "trivy");
    assert!(ksm < rows.len() - 1);
    // MinIO: deployed in the repo and live, by digest once, not indexed.
    let minio: Vec<_> = s
        .images
        .rows
        .iter()
        .filter(|r| r.image.digest.as_deref() == Some(DEMO_NOT_INDEXED))
        .collect();
    assert_eq!(minio.len(), 1, "one row per digest");
    assert_eq!(minio[0].status(), "not indexed (404) · I: index");
    // podinfo is clean, and last among the scanned.
    let podinfo = rows.iter().position(|r| r.0.contains("podinfo")).unwrap();
    assert_eq!(rows[podinfo].2, "clean");
    assert!(podinfo > ksm);
    // The roll-up the Standards view can count: edge-berlin has the critical image.
    let list: Vec<_> = s.images.rows.iter().map(|r| r.image.clone()).collect();
    let sites = blast::clair::images::by_site(&list);
    let berlin = sites.iter().find(|x| x.site == "edge-berlin").unwrap();
    assert_eq!(berlin.with(blast::clair::Severity::Critical), 1);
    assert_eq!(berlin.critical_fixable, 1);
    assert!(berlin.unscanned >= 1, "MinIO is not indexed: {berlin:?}");
}

#[test]
fn index_is_a_key_that_writes_nothing_and_works_read_only() {
    let mut s = images_state(200, 50);
    s.write = None; // read-only: no capability to write
    s.keymap = blast::keymap::Keymap::default().read_only();
    // Select MinIO's row and press I.
    let i = s
        .images
        .rows
        .iter()
        .position(|r| r.image.digest.as_deref() == Some(DEMO_NOT_INDEXED))
        .unwrap();
    s.images.nav.selected = i;
    let key = |c: char| {
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::SHIFT,
        ))
    };
    let fx = update(&mut s, key('I'));
    let index: Vec<_> = fx
        .iter()
        .filter(|e| matches!(e, Effect::IndexImage { .. }))
        .collect();
    assert_eq!(index.len(), 1, "{fx:?}");
    assert!(
        fx.iter().all(|e| !matches!(e, Effect::Write(..))),
        "indexing writes nothing: {fx:?}"
    );
    match index[0] {
        Effect::IndexImage {
            reference, digest, ..
        } => {
            assert!(reference.ends_with(DEMO_NOT_INDEXED), "{reference}");
            assert_eq!(digest.as_deref(), Some(DEMO_NOT_INDEXED));
        }
        _ => unreachable!(),
    }
    assert!(render(&s).contains("indexing…"));
    // The same key again while it runs asks nothing more.
    let fx = update(&mut s, key('I'));
    assert!(fx.iter().all(|e| !matches!(e, Effect::IndexImage { .. })));
    // The answer: the report is asked again.
    let fx = update(
        &mut s,
        Msg::Images(ImagesMsg::Indexed {
            image: "quay.io/minio/minio:RELEASE.2025-04-08T15-41-24Z".into(),
            digest: Some(DEMO_NOT_INDEXED.into()),
            result: Ok("IndexFinished".into()),
        }),
    );
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::FetchReports(d) if d.iter().any(|d| d == DEMO_NOT_INDEXED))
        ),
        "{fx:?}"
    );
    // Help says the key, and that it writes nothing.
    let _ = update(
        &mut s,
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('?'),
            crossterm::event::KeyModifiers::NONE,
        )),
    );
    let help = render(&s);
    assert!(help.contains("index the selected image"), "{help}");
}

#[test]
fn a_clair_that_fails_marks_the_rows_and_no_source_says_so() {
    let mut s = images_state(200, 50);
    let _ = update(
        &mut s,
        Msg::Images(ImagesMsg::Report {
            digest: MOSQUITTO.into(),
            state: ReportState::Failed("Clair did not answer within 15s".into()),
            at: world::fixtures_now(),
        }),
    );
    let screen = render(&s);
    assert!(
        screen.contains("✖ Clair did not answer within 15s"),
        "{screen}"
    );
    // Without any Clair, the rows Trivy does not know say "no source", and nothing is asked.
    let mut s = live_state(Route::Images, 200, 50, World::Healthy);
    s.images.clair = ClairSetup::None;
    let _ = update(
        &mut s,
        Msg::Images(ImagesMsg::Repo(Ok(blast::clair::images::repo_images(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/repo"),
        )))),
    );
    let fx = blast::app::live::views::settle(&mut s);
    assert!(fx.iter().all(|e| !matches!(e, Effect::FetchReports(_))));
    let screen = render(&s);
    assert!(screen.contains("no Clair ([clair] url)"), "{screen}");
}

/// The demo's Trivy reports are valid against upstream's CRD schema (the real kube-apiserver
/// checks them in `real_apiserver.rs`; here: the required fields and the severity enum).
#[test]
fn demo_trivy_reports_have_the_crds_required_fields() {
    let crd = blast::repo::yaml_serde::documents::<serde_json::Value>(include_str!(
        "../../fixtures/crds/trivy-operator/aquasecurity.github.io_vulnerabilityreports.yaml"
    ))
    .unwrap()
    .remove(0);
    let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["report"];
    let required = |s: &serde_json::Value| -> Vec<String> {
        s["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    let vuln = &schema["properties"]["vulnerabilities"]["items"];
    let severities: Vec<&str> = vuln["properties"]["severity"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    let reports: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../fixtures/demo/trivy/edge-lab.json")).unwrap();
    assert!(!reports.is_empty());
    for r in &reports {
        for f in required(schema) {
            assert!(r["report"].get(&f).is_some(), "report.{f} missing");
        }
        for v in r["report"]["vulnerabilities"].as_array().unwrap() {
            for f in required(vuln) {
                assert!(v.get(&f).is_some(), "vulnerability {f} missing: {v}");
            }
            assert!(severities.contains(&v["severity"].as_str().unwrap()));
        }
    }
}

/// The real binary in `blast demo`: `V` opens the Images view, which shows the critical image
/// with its fix, Trivy's image and MinIO not indexed; `i` shows the worst with their links.
#[test]
fn demo_reaches_the_images_view_and_sees_the_critical_image() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut t = Pty::spawn(&["demo", "--scenario", "none"], repo, 200, 50, &[]);
    t.wait_for("clusters/", 30);
    t.send("V");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
    loop {
        let s = t.screen();
        if s.contains("eclipse-mosquitto") && s.contains("not indexed") && s.contains("trivy") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the Images view did not show the demo's images:\n{s}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Worst first: Mosquitto (Critical, fixable) is the selected first row.
    // The pane below names the selected image.
    assert!(
        t.screen().contains("┌ docker.io/eclipse-mosquitto:2.0.22"),
        "{}",
        t.screen()
    );
    assert!(t.screen().contains("Critical"), "{}", t.screen());
    t.send("i");
    t.wait_for("fixed in", 10);
    assert!(t.screen().contains("https://"), "{}", t.screen());
    t.send("\x1b");
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.send("q");
    assert_eq!(t.wait_exit(10), 0);
}
