//! The live views through TestBackend at 80x24 and 200x50, healthy and broken, from the demo
//! world's fixtures at a fixed clock.

use blast::app::live::views::settle;
use blast::app::live::{Entry, KindStatus, LiveMsg, ObjKey};
use blast::app::nav::Route;
use blast::app::{State, update};
use blast::demo::world;
use blast::keymap::Keymap;
use blast::model::kinds;
use blast::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;

fn render(state: &State) -> String {
    render_with(state, &Theme::load("default", None, false).unwrap())
}

pub(crate) fn render_with(state: &State, theme: &Theme) -> String {
    let mut t = Terminal::new(TestBackend::new(state.size.0, state.size.1)).unwrap();
    t.draw(|f| blast::view::draw(f, state, theme)).unwrap();
    crate::support::buffer_text(t.backend().buffer())
}

/// The fixed "now" of the snapshots: the one the fixtures were written for.
fn fixture_now(_objs: &[(String, Value)]) -> i64 {
    world::fixtures_now()
}

/// What to break in the world before it is loaded.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum World {
    Healthy,
    Broken,
}

pub(crate) fn live_state(route: Route, w: u16, h: u16, world_kind: World) -> State {
    live_state_with(route, w, h, world_kind, |_| {})
}

/// `live_state`, with the world's objects (cluster, object) edited first.
pub(crate) fn live_state_with(
    route: Route,
    w: u16,
    h: u16,
    world_kind: World,
    edit: impl FnOnce(&mut Vec<(String, Value)>),
) -> State {
    let mut objs = world::objects().unwrap();
    edit(&mut objs);
    let now = fixture_now(&objs);
    let mut broken_server = None;
    if world_kind == World::Broken {
        // A worker Node of edge-berlin NotReady, one Machine failed, one Server malformed.
        if let Some((_, n)) = objs.iter_mut().find(|(c, v)| {
            c == "edge-berlin"
                && v["kind"] == "Node"
                && v["metadata"]["labels"]
                    .get("node-role.kubernetes.io/control-plane")
                    .is_none()
        }) {
            for c in n["status"]["conditions"].as_array_mut().unwrap() {
                if c["type"] == "Ready" {
                    c["status"] = "False".into();
                    c["reason"] = "KubeletNotReady".into();
                    c["message"] = "container runtime network not ready".into();
                }
            }
        }
        if let Some((_, m)) = objs
            .iter_mut()
            .find(|(c, v)| c == "mgmt" && v["kind"] == "Machine")
        {
            m["status"]["phase"] = "Failed".into();
        }
        // Storage: Ceph in HEALTH_ERR and nearly full, a DiskPool faulted.
        if let Some((_, c)) = objs.iter_mut().find(|(_, v)| v["kind"] == "CephCluster") {
            let ceph = &mut c["status"]["ceph"];
            ceph["health"] = "HEALTH_ERR".into();
            ceph["details"] = serde_json::json!({
                "OSD_DOWN": {"severity": "HEALTH_ERR", "message": "1 osds down"},
                "POOL_NEARFULL": {"severity": "HEALTH_WARN", "message": "1 pool(s) nearfull"}
            });
            let total = ceph["capacity"]["bytesTotal"].as_u64().unwrap();
            ceph["capacity"]["bytesUsed"] = (total / 100 * 88).into();
        }
        if let Some((_, p)) = objs.iter_mut().find(|(_, v)| v["kind"] == "DiskPool") {
            p["status"]["pool_status"] = "Faulted".into();
            p["status"]["status"] = "Faulted".into();
            p["status"]["error"] = serde_json::json!({"code": "DiskNotFound", "message": "disk aio:///dev/disk/by-id/nvme-x not found"});
        }
        // Backup: the newest run of a policy failed.
        if let Some((_, a)) = objs
            .iter_mut()
            .filter(|(_, v)| v["kind"] == "RunAction")
            .max_by_key(|(_, v)| v["status"]["startTime"].as_str().unwrap_or("").to_string())
        {
            a["status"]["state"] = "Failed".into();
            a["status"]["error"] = serde_json::json!({"message": "Failed to export snapshot data: timeout writing to s3"});
        }
        // GitOps: an Application Missing, a SealedSecret the controller cannot decrypt.
        if let Some((_, a)) = objs
            .iter_mut()
            .find(|(_, v)| v["kind"] == "Application" && v["metadata"]["name"] == "edge-lab-k10")
        {
            a["status"]["health"]["status"] = "Missing".into();
            a["status"]["sync"]["status"] = "OutOfSync".into();
        }
        if let Some((_, s)) = objs.iter_mut().find(|(_, v)| v["kind"] == "SealedSecret") {
            s["status"]["conditions"] = serde_json::json!([{"type": "Synced", "status": "False",
                "message": "no key could decrypt secret (password)", "lastTransitionTime": "2026-09-21T11:00:00Z"}]);
        }
        broken_server = objs
            .iter()
            .find(|(_, v)| v["kind"] == "Server")
            .map(|(_, v)| v["metadata"]["name"].as_str().unwrap().to_string());
    }
    let mut state = State::new(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/repo"),
        Keymap::default(),
        (w, h),
    );
    let clusters: std::collections::BTreeSet<String> =
        objs.iter().map(|(c, _)| c.clone()).collect();
    for c in &clusters {
        let _ = update(
            &mut state,
            blast::app::Msg::Live(LiveMsg::SourceAdded {
                source: c.clone(),
                root: c == world::MGMT,
            }),
        );
    }
    for c in &clusters {
        for kind in kinds::ALL {
            let objects: Vec<(ObjKey, Entry)> = objs
                .iter()
                .filter(|(cl, v)| {
                    cl == c
                        && v["kind"] == kind.kind
                        && kinds::split_api_version(v["apiVersion"].as_str().unwrap_or("")).0
                            == kind.group
                })
                .filter_map(|(_, v)| {
                    let (ns, name) = blast::model::object_name(v);
                    let e = if broken_server.as_deref() == Some(name.as_str()) {
                        Entry::Broken {
                            error: "status: invalid type: string \"garbage\", expected struct"
                                .into(),
                        }
                    } else {
                        match blast::model::parse(kind, v) {
                            Ok(Some(o)) => Entry::Ok(o),
                            Ok(None) => return None,
                            Err(e) => panic!("fixture {c}/{name} does not parse: {e}"),
                        }
                    };
                    Some((ObjKey::new(ns.as_deref(), &name), e))
                })
                .collect();
            if objects.is_empty() {
                continue;
            }
            let _ = update(
                &mut state,
                blast::app::Msg::Live(LiveMsg::Reset {
                    source: c.clone(),
                    kind,
                    objects,
                    at: now - 30,
                }),
            );
        }
    }
    if world_kind == World::Broken {
        // The management cluster's API server went away two minutes ago.
        let _ = update(
            &mut state,
            blast::app::Msg::Live(LiveMsg::Status {
                source: world::MGMT.into(),
                kind: &kinds::MACHINE,
                status: KindStatus::Failed {
                    since: now - 120,
                    error: "tcp connect error: Connection refused (os error 111)".into(),
                },
                at: now - 120,
            }),
        );
    }
    let _ = update(&mut state, blast::app::Msg::Tick(now));
    let mut fx = vec![];
    blast::app::nav::go(&mut state, route, &mut fx);
    settle(&mut state);
    state
}

fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("fleet", Route::Fleet),
        ("cluster", Route::parse("cluster/edge-berlin").unwrap()),
        ("nodes", Route::Nodes),
        ("baremetal", Route::BareMetal),
        ("storage", Route::Storage),
        ("backup", Route::Backup),
        ("gitops", Route::GitOps),
        ("overview", Route::Overview),
    ]
}

#[test]
fn live_views_80x24_and_200x50() {
    for (name, route) in routes() {
        for (w, h) in [(80, 24), (200, 50)] {
            for (label, kind) in [("healthy", World::Healthy), ("broken", World::Broken)] {
                let s = live_state(route.clone(), w, h, kind);
                insta::assert_snapshot!(format!("live_{name}_{label}_{w}x{h}"), render(&s));
            }
        }
    }
}

#[test]
fn broken_world_is_visible_in_every_view() {
    let fleet = live_state(Route::Fleet, 200, 50, World::Broken);
    assert!(
        fleet
            .views
            .fleet_rows
            .iter()
            .all(|r| r.stale_since.is_some()),
        "a lost management cluster marks its clusters stale"
    );
    let text = render(&fleet);
    assert!(text.contains("stale 2m"), "{text}");
    let nodes = live_state(Route::Nodes, 200, 50, World::Broken);
    assert!(
        nodes
            .views
            .node_rows
            .iter()
            .any(|r| r.ready == blast::model::CondStatus::False)
    );
    let metal = live_state(Route::BareMetal, 200, 50, World::Broken);
    assert!(metal.views.server_rows.iter().any(|r| r.broken.is_some()));
    assert!(render(&metal).contains("malformed"));

    use blast::app::live::fleet::Verdict;
    let storage = live_state(Route::Storage, 200, 50, World::Broken);
    let text = render(&storage);
    assert!(
        text.contains("HEALTH_ERR") && text.contains("OSD_DOWN: 1 osds down"),
        "{text}"
    );
    assert!(
        text.contains(" 88%"),
        "the capacity bar shows the figure: {text}"
    );
    assert!(text.contains("DiskNotFound"), "{text}");
    assert_eq!(
        storage.views.storage_rows[0].verdict,
        Verdict::Failed,
        "worst first"
    );
    let backup = live_state(Route::Backup, 200, 50, World::Broken);
    assert!(
        backup
            .views
            .backup_rows
            .iter()
            .any(|r| r.kind == "Policy" && r.verdict == Verdict::Failed)
    );
    assert!(render(&backup).contains("timeout writing to s3"));
    let gitops = live_state(Route::GitOps, 200, 50, World::Broken);
    let text = render(&gitops);
    assert!(
        text.contains("edge-lab-k10") && text.contains("Missing"),
        "{text}"
    );
    assert!(text.contains("no key could decrypt secret"), "{text}");
    let overview = live_state(Route::Overview, 200, 50, World::Broken);
    let sites = &overview.views.overview_rows;
    assert!(
        sites.iter().all(|s| s.verdict >= Verdict::Degraded),
        "{sites:#?}"
    );
    let berlin = sites.iter().find(|s| s.site == "edge-berlin").unwrap();
    assert!(
        berlin
            .problems
            .iter()
            .any(|p| p.area == "storage" && p.message.contains("HEALTH_ERR"))
    );
    // Every site of these worlds has a source of its own: all watched.
    let watched = |v: &[blast::app::live::summary::SiteSummary]| -> Vec<blast::status::Site> {
        v.iter()
            .cloned()
            .map(|summary| blast::status::Site {
                summary,
                watched: true,
            })
            .collect()
    };
    assert_eq!(
        blast::status::exit_code(&watched(sites)),
        2,
        "the management cluster is stale"
    );
    let healthy = live_state(Route::Overview, 200, 50, World::Healthy);
    assert_eq!(
        blast::status::exit_code(&watched(&healthy.views.overview_rows)),
        1,
        "the demo world has one degraded and one out-of-sync app"
    );
}

#[test]
fn enter_opens_a_cluster_and_esc_goes_back() {
    let mut s = live_state(Route::Fleet, 120, 40, World::Healthy);
    let i = s
        .views
        .fleet_rows
        .iter()
        .position(|r| r.key.name == "edge-berlin")
        .unwrap();
    s.views.fleet.selected = i;
    crate::support::keys(&mut s, &["enter"]);
    settle(&mut s);
    assert!(matches!(&s.route, Route::Cluster { key, .. } if key.name == "edge-berlin"));
    assert!(s.views.tree.iter().any(|r| r.label.starts_with("Machine/")));
    assert!(s.views.tree.iter().any(|r| r.label.starts_with("Node/")));
    crate::support::keys(&mut s, &["esc"]);
    assert_eq!(s.route, Route::Fleet);
}

/// The live world over this repo's own GitOps tree, at edge-berlin's cluster tree (120x40),
/// granted `write` if given, and the first row of `kind` selected.
fn berlin_tree_at(kind: &str, write: Option<blast::app::write::WriteCap>) -> State {
    let mut s = live_state(
        Route::parse("cluster/edge-berlin").unwrap(),
        120,
        40,
        World::Healthy,
    );
    s.repo.root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    if let Some(cap) = write {
        s.write = Some(cap);
    }
    let fx = s.init();
    crate::support::settle(&mut s, fx);
    s.views.cluster.selected = s
        .views
        .tree
        .iter()
        .position(|r| r.obj.kind == kind)
        .unwrap_or_else(|| panic!("a {kind} in the tree"));
    s
}

#[test]
fn o_jumps_from_a_live_object_to_its_file_and_back() {
    let mut s = berlin_tree_at("MachineDeployment", None);
    crate::support::keys(&mut s, &["o"]);
    assert_eq!(s.route, Route::Browser);
    let res = s.selected_resource().expect("a resource selected").clone();
    assert_eq!(res.kind.as_deref(), Some("MachineDeployment"));
    let name = res.name.clone().unwrap();
    assert_eq!(
        s.index().unwrap().files[match &s.selected_row().unwrap().kind {
            blast::app::browser::RowKind::Resource { file, .. } => *file,
            _ => unreachable!(),
        }]
        .path,
        "clusters/edge-berlin/capi/workers.yaml"
    );
    // And back: the resource's live object, selected in its cluster's tree.
    crate::support::keys(&mut s, &["o"]);
    settle(&mut s);
    assert!(matches!(&s.route, Route::Cluster { key, .. } if key.name == "edge-berlin"));
    let sel = &s.views.tree[s.views.cluster.selected];
    assert_eq!(sel.obj.kind, "MachineDeployment");
    assert_eq!(sel.obj.key.name, name);
}

/// `a` on a live object offers the quick actions of the resource that defines it.
#[test]
fn a_on_a_live_object_offers_the_quick_actions_of_its_file() {
    use blast::app::changes::Modal;
    let mut s = berlin_tree_at(
        "TalosControlPlane",
        Some(blast::app::write::WriteCap::grant()),
    );
    crate::support::keys(&mut s, &["a"]);
    match &s.modal {
        Some(Modal::Menu {
            target, options, ..
        }) => {
            assert_eq!(target.path, "clusters/edge-berlin/capi/controlplane.yaml");
            let blast::app::browser::Loadable::Loaded(o) = options else {
                panic!("{options:?}")
            };
            let labels: Vec<&str> = o.iter().map(|o| o.label.as_str()).collect();
            assert_eq!(
                labels,
                [
                    "Scale (replicas now 3)",
                    "Kubernetes version (now v1.36.3)",
                    "Talos version (now v1.13.10)"
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    // Read-only: the same key offers nothing.
    s.modal = None;
    s.write = None;
    crate::support::keys(&mut s, &["a"]);
    assert!(s.modal.is_none());
}

#[test]
fn patched_node_rows_equal_a_full_derive() {
    let mut s = live_state(Route::Nodes, 200, 50, World::Healthy);
    let before = s.views.node_rows.len();
    // A worker goes NotReady, another is cordoned: two single-object changes.
    let objs = world::objects().unwrap();
    let mut changed = 0;
    for (cluster, v) in objs
        .iter()
        .filter(|(c, v)| c == "edge-berlin" && v["kind"] == "Node")
    {
        let mut v = v.clone();
        let name = v["metadata"]["name"].as_str().unwrap().to_string();
        if name.contains("-w-") {
            v["spec"]["unschedulable"] = true.into();
            for c in v["status"]["conditions"].as_array_mut().unwrap() {
                if c["type"] == "Ready" {
                    c["status"] = "False".into();
                }
            }
            let e = Entry::Ok(blast::model::parse(&kinds::NODE, &v).unwrap().unwrap());
            let _ = update(
                &mut s,
                blast::app::Msg::Live(LiveMsg::Apply {
                    source: cluster.clone(),
                    kind: &kinds::NODE,
                    key: ObjKey::new(None, &name),
                    entry: e,
                    at: world::fixtures_now(),
                }),
            );
            changed += 1;
        }
    }
    assert!(changed >= 2);
    assert!(s.live.changed.only_objects_of("Node").is_some());
    settle(&mut s);
    let full = blast::app::live::nodes::rows(&s.live, s.views.nodes.sort, "");
    assert_eq!(s.views.node_rows, full);
    assert_eq!(s.views.node_rows.len(), before);
    assert!(
        s.views.node_rows[0].cordoned
            && s.views.node_rows[0].ready == blast::model::CondStatus::False
    );
}

/// Every bundled theme, at every colour depth, over every view (the repo browser too), at
/// 80x24 and 200x50, healthy and broken: nothing panics, and the screen is drawn.
#[test]
fn every_bundled_theme_draws_every_view() {
    use blast::theme::{BUNDLED, ColorDepth};
    let mut routes = routes();
    routes.push(("repo", Route::Browser));
    for (name, route) in routes {
        for (w, h) in [(80, 24), (200, 50)] {
            for kind in [World::Healthy, World::Broken] {
                let s = live_state(route.clone(), w, h, kind);
                for (theme, _) in BUNDLED {
                    for depth in [
                        ColorDepth::TrueColor,
                        ColorDepth::Ansi256,
                        ColorDepth::Ansi16,
                    ] {
                        let t = Theme::load(theme, None, false).unwrap().for_depth(depth);
                        let text = render_with(&s, &t);
                        assert!(
                            text.contains("blast"),
                            "{theme} {depth:?} {name} {w}x{h}: nothing drawn"
                        );
                    }
                }
            }
        }
    }
}

/// The reconcile view after a push of `clusters/edge-berlin/capi/workers.yaml`: at a revision
/// Argo CD has not seen yet (waiting), and at the one the world's Applications are synced to
/// (done), with the edge-berlin Machines and Nodes below.
#[test]
fn reconcile_view_80x24_and_200x50() {
    use blast::app::changes::{Pushed, WriteMsg};
    use blast::app::write::WriteCap;
    for (label, sha) in [
        ("waiting", "0123456789abcdef0123456789abcdef01234567"),
        ("synced", "7c3e91d4a0b25f68e19d3c47b8a6f05e2d91c3ab"),
    ] {
        for (w, h) in [(80, 24), (200, 50)] {
            let mut s = live_state(Route::Fleet, w, h, World::Healthy);
            s.write = Some(WriteCap::grant());
            let _ = update(
                &mut s,
                blast::app::Msg::Wrote(WriteMsg::Pushed(Ok(Pushed {
                    id: sha.into(),
                    remote: "origin".into(),
                    branch: "main".into(),
                    paths: vec!["clusters/edge-berlin/capi/workers.yaml".into()],
                }))),
            );
            settle(&mut s);
            let t = s.reconcile.as_ref().unwrap();
            assert!(!t.apps.is_empty(), "an Application deploys workers.yaml");
            let screen = render(&s);
            if label == "synced" {
                assert!(screen.contains("Synced and Healthy"), "{screen}");
            } else {
                assert!(screen.contains("waiting for Argo CD"), "{screen}");
            }
            insta::assert_snapshot!(format!("reconcile_{label}_{w}x{h}"), screen);
        }
    }
}

/// The screen as rows of cells (one string per cell), to read a table column by column.
fn screen_cells(state: &State) -> Vec<Vec<String>> {
    let theme = Theme::load("default", None, false).unwrap();
    let mut t = Terminal::new(TestBackend::new(state.size.0, state.size.1)).unwrap();
    t.draw(|f| blast::view::draw(f, state, &theme)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

/// Columns size to their content: at 200 columns a rolling upgrade's `v1.36.3→v1.36.4`, a long
/// site name and a long ServerClass name are shown whole (fixed widths cut them at 8, 12 and
/// 16 columns).
#[test]
fn long_values_are_whole_at_200_columns() {
    const SITE: &str = "edge-lab-frankfurt-north-2";
    const CLASS: &str = "edge-berlin-worker-r760-nvme-2x25g";
    let edit = |objs: &mut Vec<(String, Value)>| {
        for (c, v) in objs.iter_mut() {
            if c == "edge-lab" {
                *c = SITE.into();
            }
            if v["kind"] == "ServerClass" && v["metadata"]["name"] == "edge-berlin-worker" {
                v["metadata"]["name"] = CLASS.into();
            }
        }
        // One edge-berlin Machine already runs the next patch release: an upgrade rolling.
        let (_, m) = objs
            .iter_mut()
            .find(|(c, v)| {
                c == "mgmt"
                    && v["kind"] == "Machine"
                    && v["metadata"]["name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("edge-berlin-w"))
            })
            .expect("an edge-berlin worker Machine");
        m["status"]["nodeInfo"]["kubeletVersion"] = "v1.36.4".into();
    };
    let fleet = live_state_with(Route::Fleet, 200, 50, World::Healthy, edit);
    assert!(
        fleet
            .views
            .fleet_rows
            .iter()
            .any(|r| r.kubernetes == "v1.36.3→v1.36.4"),
        "{:#?}",
        fleet.views.fleet_rows
    );
    let text = render(&fleet);
    assert!(text.contains(" v1.36.3→v1.36.4 "), "{text}");

    let storage = live_state_with(Route::Storage, 200, 50, World::Healthy, edit);
    assert!(storage.views.storage_rows.iter().any(|r| r.site == SITE));
    let text = render(&storage);
    assert!(text.contains(&format!("│{SITE} ")), "{text}");
    let backup = live_state_with(Route::Backup, 200, 50, World::Healthy, edit);
    assert!(backup.views.backup_rows.iter().any(|r| r.site == SITE));
    let text = render(&backup);
    assert!(text.contains(&format!("│{SITE} ")), "{text}");
    let nodes = live_state_with(Route::Nodes, 200, 50, World::Healthy, edit);
    assert!(nodes.views.node_rows.iter().any(|r| r.cluster == SITE));
    let text = render(&nodes);
    assert!(text.contains(&format!(" {SITE} ")), "{text}");

    let metal = live_state_with(Route::BareMetal, 200, 50, World::Healthy, edit);
    assert!(metal.views.class_rows.iter().any(|c| c.name == CLASS));
    let text = render(&metal);
    // In the class table, and in the servers' CLASS column.
    assert!(text.contains(&format!("│{CLASS} ")), "{text}");
    assert!(text.contains(&format!(",{CLASS} ")), "{text}");
}

/// At 80 columns the columns of the highest priority number are hidden first (the rightmost
/// first among equals), and every cell too long for its column is cut with `…`, never silently.
#[test]
fn narrow_tables_hide_low_priority_columns_and_mark_cuts() {
    use blast::app::live::nodes::NodeRow;
    use blast::view::widgets::table::{Cut, LiveTable, stale_mark};
    let s = live_state(Route::Nodes, 80, 24, World::Broken);
    let now = s.live.now;
    let cols = <NodeRow as LiveTable>::columns(&now);
    let screen = screen_cells(&s);
    // Row 2 (after the header bar and the pane's border) holds the column titles; each title
    // starts its column.
    let head: String = screen[2].concat();
    let mut starts: Vec<(usize, usize)> = vec![]; // (column, x)
    for (i, c) in cols.iter().enumerate() {
        let at = screen[2].iter().enumerate().position(|(x, _)| {
            head.chars()
                .skip(x)
                .collect::<String>()
                .starts_with(c.title)
                && (x == 0 || screen[2][x - 1] == " " || screen[2][x - 1] == "│")
        });
        if let Some(x) = at {
            starts.push((i, x));
        }
    }
    let shown: Vec<usize> = starts.iter().map(|(i, _)| *i).collect();
    assert!(
        shown.len() >= 4 && shown.len() < cols.len(),
        "some columns shown, some hidden at 80 columns: {head}"
    );
    for h in (0..cols.len()).filter(|i| !shown.contains(i)) {
        for &k in &shown {
            assert!(
                (cols[k].priority, k) < (cols[h].priority, h),
                "{} (priority {}) is hidden while {} (priority {}) shows: {head}",
                cols[h].title,
                cols[h].priority,
                cols[k].title,
                cols[k].priority
            );
        }
    }
    // Every visible row, every shown cell: the whole value, or a cut one marked with `…`.
    let right = screen[2].len() - 1; // the pane's right border
    let mut cut = 0;
    for (n, r) in s.views.node_rows.iter().take(s.table_height()).enumerate() {
        let line = &screen[3 + n];
        let cells = r.cells(&now);
        for (j, &(i, x)) in starts.iter().enumerate() {
            let end = starts.get(j + 1).map_or(right, |(_, x)| x - 1);
            let drawn = line[x..end].concat().trim_end().to_string();
            let mut whole = format!("{}{}", cells[i].lead, cells[i].text);
            if i + 1 == cols.len() {
                whole.push_str(&stale_mark(r.stale_since, now));
            }
            if drawn == whole.trim_end() {
                continue;
            }
            cut += 1;
            match cols[i].cut {
                Cut::End => assert!(
                    drawn.ends_with('…') && whole.starts_with(drawn.trim_end_matches('…')),
                    "{}: {drawn:?} is not a marked cut of {whole:?}",
                    cols[i].title
                ),
                Cut::Middle => {
                    let (a, b) = drawn.split_once('…').unwrap_or_else(|| {
                        panic!("{}: {drawn:?} cut without a mark", cols[i].title)
                    });
                    assert!(
                        whole.starts_with(a) && whole.ends_with(b),
                        "{drawn:?} {whole:?}"
                    );
                }
            }
        }
    }
    assert!(
        cut > 0,
        "the broken world's NotReady reason does not fit in 80 columns"
    );
}

/// The site an Application of the demo world deploys to, read from the fixtures themselves:
/// `spec.destination.name`, else the Cluster API cluster whose control-plane endpoint is
/// `spec.destination.server`, else (in-cluster) the cluster Argo CD runs on.
fn destination_site(objs: &[(String, Value)], cluster: &str, app: &Value) -> String {
    let d = &app["spec"]["destination"];
    if let Some(n) = d["name"].as_str().filter(|n| !n.is_empty()) {
        return n.to_string();
    }
    let server = d["server"].as_str().unwrap_or("");
    objs.iter()
        .filter(|(_, v)| {
            v["kind"] == "Cluster"
                && v["apiVersion"]
                    .as_str()
                    .unwrap()
                    .starts_with("cluster.x-k8s.io")
        })
        .find(|(_, v)| {
            let e = &v["spec"]["controlPlaneEndpoint"];
            format!("https://{}:{}", e["host"].as_str().unwrap_or(""), e["port"]) == server
        })
        .map(|(_, v)| v["metadata"]["name"].as_str().unwrap().to_string())
        .unwrap_or_else(|| cluster.to_string())
}

// Issue 15, bug 5: the overview, the wall dashboard and `blast status` counted Argo CD
// Applications three ways (the dashboard's figure "1/2 apps synced" beside "2 synced · 1
// degraded · 11 others"; apps deploying to an edge site counted under mgmt). One definition:
// an Application belongs to its destination site; all three say the same.
#[test]
fn overview_dashboard_and_status_count_applications_alike_by_destination() {
    let objs = world::objects().unwrap();
    let mut expected: std::collections::BTreeMap<String, usize> = Default::default();
    for (c, v) in objs.iter().filter(|(_, v)| v["kind"] == "Application") {
        *expected.entry(destination_site(&objs, c, v)).or_default() += 1;
    }
    assert!(
        expected.get("edge-berlin").copied().unwrap_or(0) >= 3,
        "the world deploys to edge-berlin: {expected:?}"
    );
    let s = live_state(Route::Overview, 200, 50, World::Healthy);
    let mut wall = blast::dashboard::state::State::new(
        blast::dashboard::state::Page::ALL.to_vec(),
        20,
        s.views.thresholds,
        (200, 50),
    );
    wall.live = s.live.clone();
    blast::dashboard::state::settle(&mut wall);
    let status = blast::status::json(
        &blast::status::summarize(&s.live, s.views.thresholds, true),
        world::fixtures_now(),
    );
    for (site, n) in &expected {
        let overview = s
            .views
            .overview_rows
            .iter()
            .find(|r| &r.site == site)
            .unwrap_or_else(|| panic!("no site {site}"));
        let text = overview.gitops.as_ref().unwrap().text.clone();
        let apps = format!("{n} app");
        assert!(
            text.starts_with(&apps),
            "{site}: {text:?}, expected {n} apps"
        );
        // The wall: the same text, and a figure that agrees with it.
        let on_wall = wall.sites.iter().find(|r| &r.site == site).unwrap();
        assert_eq!(on_wall.gitops.as_ref().unwrap().text, text, "{site}");
        let f = &wall.figures[site];
        assert_eq!(f.apps, *n, "{site}: the wall's figure");
        // `3 apps: 2 ok · 1 failing · …`: the first state after the colon, when it is `ok`.
        let ok = text
            .split_once(": ")
            .and_then(|(_, r)| r.split(" · ").next()?.strip_suffix(" ok")?.parse().ok())
            .unwrap_or(0);
        assert_eq!(f.apps_synced, ok, "{site}: {text:?}");
        // `blast status`: the same summary.
        let st = status["sites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["site"] == site.as_str())
            .unwrap();
        assert_eq!(st["areas"]["gitops"]["summary"], text.as_str(), "{site}");
        assert!(!text.contains("other"), "{site}: {text:?} names its states");
    }
}

fn jump_from_repo(path: &str) -> State {
    let mut s = live_state(Route::Storage, 120, 40, World::Healthy);
    s.repo.root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let fx = s.init();
    crate::support::settle(&mut s, fx);
    // Something else selected in Storage before the jump.
    s.views.storage.selected = s.views.storage_rows.len() - 1;
    crate::support::keys(&mut s, &["1"]);
    let mut fx = vec![];
    assert!(s.reveal_path(path, &mut fx));
    crate::support::settle(&mut s, fx);
    assert!(s.selected_resource().is_some());
    crate::support::keys(&mut s, &["o"]);
    settle(&mut s);
    s
}

// Issue 15, bug 6: `o` landed on an unrelated row (from the StatefulSet
// historian/victoria-metrics to a PVC in Storage). A jump lands on the object itself or says
// there is nothing to show.
#[test]
fn o_lands_on_the_object_itself_or_says_nothing_shows_it() {
    let s = jump_from_repo("infrastructure/minio/manifests/edge-berlin/statefulset.yaml");
    assert_eq!(s.route, Route::Storage);
    let sel = s.selected_live().expect("a row selected");
    assert_eq!(
        (sel.kind, sel.key.to_string()),
        ("StatefulSet", "minio/minio".to_string())
    );
    // victoria-metrics is no storage row: no view shows it, and the console says so.
    let s = jump_from_repo("apps/edge-berlin/historian/statefulset.yaml");
    if s.route.is_live() {
        let sel = s.selected_live();
        assert_eq!(
            sel.map(|o| (o.kind, o.key.to_string())),
            Some(("StatefulSet", "historian/victoria-metrics".to_string())),
            "landed on another row in {:?}",
            s.route
        );
    } else {
        let toast = s.toast.as_ref().map(|t| t.text.clone()).unwrap_or_default();
        assert!(toast.contains("historian/victoria-metrics"), "{toast:?}");
    }
}

// Issue 15, reading: `--read-only` is visible in the header, of the live views and the repo.
#[test]
fn read_only_is_said_in_the_header() {
    for route in [Route::Fleet, Route::Browser] {
        for (w, h) in [(80, 24), (200, 50)] {
            let mut s = live_state(route.clone(), w, h, World::Healthy);
            let first = |s: &State| render(s).lines().next().unwrap_or("").to_string();
            assert!(!first(&s).contains("read-only"), "{}", first(&s));
            s.keymap = Keymap::default().read_only();
            assert!(
                first(&s).contains("read-only"),
                "{route:?} {w}x{h}: {}",
                first(&s)
            );
        }
    }
}

// Issue 15, reading: the backup actions and the server classes were drawn from their first
// row, with no way to scroll them (and no classes at all at 80x24). Tab gives the lower
// table the focus, marked `▸`; it scrolls and shows its selection.
#[test]
fn tab_scrolls_the_lower_table_and_marks_the_focus() {
    for (route, last) in [(Route::Backup, None), (Route::BareMetal, Some("edge-lab"))] {
        for (w, h) in [(80, 24), (200, 50)] {
            let mut s = live_state(route.clone(), w, h, World::Healthy);
            let before = render(&s);
            assert!(!before.contains("▸ Actions") && !before.contains("▸ Server classes"));
            crate::support::keys(&mut s, &["tab"]);
            assert!(s.views.lower_focus, "{route:?}");
            let n = s.lower_len().unwrap();
            assert!(n > 1, "{route:?}: {n} rows to scroll");
            for _ in 0..n + 3 {
                crate::support::keys(&mut s, &["j"]);
            }
            assert_eq!(s.views.lower.selected, n - 1, "{route:?} {w}x{h}");
            let text = render(&s);
            assert!(
                text.contains("▸ Actions") || text.contains("▸ Server classes"),
                "{w}x{h}:\n{text}"
            );
            // The last row is on screen.
            let name = match route {
                Route::Backup => s.views.action_rows[n - 1].key.name.clone(),
                _ => s.views.class_rows[n - 1].name.clone(),
            };
            if let Some(l) = last {
                assert_eq!(name, l);
            }
            let cut: String = name.chars().take(12).collect();
            assert!(
                text.contains(&cut),
                "{route:?} {w}x{h}: {name} not shown:\n{text}"
            );
            // Back to the upper table.
            crate::support::keys(&mut s, &["tab"]);
            assert!(!s.views.lower_focus);
        }
    }
}

/// A kind whose first list failed (a hostile answer: issue 14) leaves its table empty; the
/// error must still be on screen in every table view, not replaced by "none visible".
#[test]
fn a_failed_first_list_shows_its_error_in_every_empty_view() {
    let error = "answer too large: 200 MB > 64 MB cap ([limits] max_answer_mb); not read";
    for route in [
        Route::Nodes,
        Route::Workloads,
        Route::Storage,
        Route::Backup,
        Route::GitOps,
        Route::Overview,
        Route::Fleet,
        Route::BareMetal,
    ] {
        let mut state = State::new(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/repo"),
            Keymap::default(),
            (200, 50),
        );
        let now = world::fixtures_now();
        let _ = update(
            &mut state,
            blast::app::Msg::Live(LiveMsg::SourceAdded {
                source: "hostile".into(),
                root: true,
            }),
        );
        let _ = update(
            &mut state,
            blast::app::Msg::Live(LiveMsg::Status {
                source: "hostile".into(),
                kind: &kinds::NODE,
                status: KindStatus::Failed {
                    since: now - 5,
                    error: error.into(),
                },
                at: now - 5,
            }),
        );
        let _ = update(&mut state, blast::app::Msg::Tick(now));
        let mut fx = vec![];
        let name = format!("{route:?}");
        blast::app::nav::go(&mut state, route, &mut fx);
        settle(&mut state);
        let screen = render(&state);
        assert!(
            screen.contains("answer too large: 200 MB > 64 MB cap"),
            "{name}:\n{screen}"
        );
    }
}

/// The Standards view's world: the demo world with its benchmark report ConfigMaps, the repo's
/// side read from this repo (its policy rules, manifests for drift, waivers) and the images'
/// reports as the demo's Clair gives them (mosquitto Critical with a fix, podinfo clean, the
/// historian's image not indexed).
pub(crate) fn standards_inputs() -> (
    blast::standards::RepoSide,
    Vec<blast::standards::ImageVulns>,
) {
    use blast::standards::ImageVulns;
    let side = blast::standards::scan_repo(std::path::Path::new(env!("CARGO_MANIFEST_DIR")));
    let images = vec![
        ImageVulns {
            reference: "docker.io/library/eclipse-mosquitto:2.0.22".into(),
            digest: Some(
                "sha256:377a93d5baccbf2d6766b59b63f46f24f4c1f0346151f575adb4762e5061a4d2".into(),
            ),
            sites: vec!["edge-berlin".into()],
            critical: Some(1),
            high: Some(1),
            fixable: 2,
            state: "scanned".into(),
            worst: vec!["Critical CVE-2025-27360 (openssl 3.3.2-r1, fixed in 3.3.3-r0)".into()],
        },
        ImageVulns {
            reference: "ghcr.io/stefanprodan/podinfo:6.9.2".into(),
            digest: Some(
                "sha256:63f811565dec39cf1b3f77fa84d849ee9ae8457b8f37e9be8c3d20c7b1385145".into(),
            ),
            sites: vec!["edge-lab".into()],
            critical: Some(0),
            high: Some(0),
            fixable: 0,
            state: "scanned".into(),
            worst: vec![],
        },
        ImageVulns {
            reference: "victoriametrics/victoria-metrics:v1.118.0".into(),
            digest: None,
            sites: vec!["edge-berlin".into()],
            critical: None,
            high: None,
            fixable: 0,
            state: "not indexed".into(),
            worst: vec![],
        },
    ];
    (side, images)
}

pub(crate) fn standards_state(w: u16, h: u16, world_kind: World) -> State {
    let mut s = live_state_with(Route::Standards, w, h, world_kind, |objs| {
        objs.extend(world::report_objects())
    });
    let (side, images) = standards_inputs();
    let index = blast::repo::index::build(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
        .map(|mut i| {
            i.standards = side;
            std::sync::Arc::new(i)
        })
        .unwrap();
    let _ = update(&mut s, blast::app::Msg::Indexed(Ok(index)));
    let _ = update(&mut s, blast::app::Msg::ImageVulns(Some(images)));
    settle(&mut s);
    s
}

#[test]
fn standards_view_80x24_and_200x50() {
    for (w, h) in [(80, 24), (200, 50)] {
        let s = standards_state(w, h, World::Healthy);
        let text = render(&s);
        insta::assert_snapshot!(format!("live_standards_{w}x{h}"), text);
        // Worst first: a degraded site leads; the waived items of the k3d host are there as
        // waived (at 200 columns every line fits).
        let rows = &s.views.standard_rows;
        assert!(
            rows[0].header && rows[0].subject == "DEGRADED",
            "{:?}",
            rows[0]
        );
        assert!(rows.iter().any(|r| r.site == "mgmt"
            && r.id == "5.5"
            && r.level == blast::app::live::standards::Level::Waived));
        assert!(
            rows.iter().any(|r| r.area == "drift"
                && r.subject == "Deployment mqtt/mosquitto"
                && r.id == "CKV_K8S_19"),
            "the demo's drift"
        );
        assert!(
            rows.iter().any(
                |r| r.site == "edge-lab" && r.detail == blast::app::live::standards::TALOS_NOTE
            )
        );
        assert!(text.contains("Standards"), "{text}");
    }
}
