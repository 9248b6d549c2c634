//! The drill-down from a problem to its cause (issue 15), through `update` with the keys a user
//! presses, on the demo world with each scenario's problem in place: the overview's problem,
//! Enter to its object with the reason in full, `w` to the workloads behind it, Enter or `E` for
//! a Pod's Events, `L` for its log. And the new views at 80x24 and 200x50.

use blast::app::live::drill::{EventsState, LOG_CAP, LogState};
use blast::app::live::views::settle;
use blast::app::live::{LiveMsg, ObjKey};
use blast::app::nav::Route;
use blast::app::{Effect, Msg, State, update};
use blast::kube::protocol::{StreamReq, StreamWhat};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use crate::live_snapshots::{World, live_state_with, render_with};

fn render(state: &State) -> String {
    render_with(
        state,
        &blast::theme::Theme::load("default", None, false).unwrap(),
    )
}

fn key(state: &mut State, k: &str) -> Vec<Effect> {
    let code = match k {
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        c => KeyCode::Char(c.chars().next().unwrap()),
    };
    let fx = update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    settle(state);
    fx
}

/// Moves the overview's selection down until it is on a problem whose object starts with
/// `object`; returns the keys pressed.
fn select_problem(state: &mut State, object: &str) -> usize {
    for n in 0..200 {
        let v = &state.views;
        if let Some(p) = v.overview_problem
            && v.overview_rows[v.overview.selected].problems[p]
                .object
                .starts_with(object)
        {
            return n;
        }
        key(state, "j");
    }
    let all: Vec<_> = state
        .views
        .overview_rows
        .iter()
        .flat_map(|s| s.problems.iter().map(|p| p.object.clone()))
        .collect();
    panic!("no problem {object} in the overview: {all:?}");
}

fn streams(fx: &[Effect]) -> Vec<StreamReq> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Stream(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn events_of(fx: &[Effect]) -> Option<(String, Option<String>, String)> {
    streams(fx).into_iter().find_map(|r| match r.what {
        StreamWhat::Events {
            kind,
            namespace,
            name,
        } => Some((kind, namespace, name)),
        _ => None,
    })
}

fn log_of(fx: &[Effect]) -> Option<(u64, String, String, String)> {
    streams(fx).into_iter().find_map(|r| match r.what {
        StreamWhat::Logs {
            pod,
            container,
            previous: false,
            tail_lines: 500,
            ..
        } => Some((r.id, r.source, pod, container)),
        _ => None,
    })
}

/// `L` streams the log (the last 500 lines of the running container) of `container` in a Pod of
/// `source` whose name starts with `pod_prefix`.
fn l_streams_the_log_of(s: &mut State, source: &str, pod_prefix: &str, container: &str) {
    let fx = key(s, "L");
    let (_, src, pod, c) = log_of(&fx).unwrap();
    assert_eq!((src.as_str(), c.as_str()), (source, container));
    assert!(pod.starts_with(pod_prefix), "{pod}");
}

fn set_cond(obj: &mut Value, type_: &str, status: &str, reason: &str, message: &str) {
    for c in obj["status"]["conditions"].as_array_mut().unwrap() {
        if c["type"] == type_ {
            c["status"] = status.into();
            c["reason"] = reason.into();
            c["message"] = message.into();
        }
    }
}

fn find<'a>(objs: &'a mut [(String, Value)], kind: &str, name: &str) -> &'a mut Value {
    &mut objs
        .iter_mut()
        .find(|(_, v)| v["kind"] == kind && v["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in the world"))
        .1
}

/// The overview with ceph-warn's HEALTH_WARN (SLOW_OPS on osd.2) in place.
fn ceph_warn(w: u16, h: u16) -> State {
    live_state_with(Route::Overview, w, h, World::Healthy, |objs| {
        let c = find(objs, "CephCluster", "rook-ceph");
        c["status"]["ceph"]["health"] = "HEALTH_WARN".into();
        c["status"]["ceph"]["details"] = json!({
            "SLOW_OPS": {"severity": "HEALTH_WARN", "message": "12 slow ops, oldest one blocked for 34 sec, osd.2 has slow ops"}
        });
    })
}

#[test]
fn ceph_warning_to_the_osd_pod_its_events_and_its_log() {
    let mut s = ceph_warn(200, 50);
    let presses = select_problem(&mut s, "CephCluster");
    assert!(presses > 0);
    let fx = key(&mut s, "enter");
    assert_eq!(s.route, Route::Storage);
    let row = &s.views.storage_rows[s.views.storage.selected];
    assert_eq!((row.kind, row.name.as_str()), ("CephCluster", "rook-ceph"));
    let i = s.views.inspect.as_ref().expect("the reason in a pop-up");
    assert!(
        i.notes
            .iter()
            .any(|(k, v)| k == "problem" && v.contains("osd.2 has slow ops")),
        "{:?}",
        i.notes
    );
    assert_eq!(
        events_of(&fx),
        Some((
            "CephCluster".into(),
            Some("rook-ceph".into()),
            "rook-ceph".into()
        ))
    );
    // The pop-up shows the reason whole, wrapped, even at 80 columns.
    s.size = (80, 24);
    let screen = render(&s);
    assert!(screen.contains("osd.2 has slow"), "{screen}");
    s.size = (200, 50);
    // Any other key closes it and does its job: `w`, the OSDs, osd.2 selected.
    let fx = key(&mut s, "w");
    assert!(fx.iter().any(|e| matches!(e, Effect::StopStream(_))));
    assert_eq!(s.route, Route::Workloads);
    assert!(s.views.inspect.is_none());
    let names: Vec<_> = s
        .views
        .workload_rows
        .iter()
        .map(|r| r.key.name.as_str())
        .collect();
    assert!(names.iter().all(|n| n.contains("osd")), "{names:?}");
    assert_eq!(names.len(), 6, "three OSD Deployments and their Pods");
    let sel = &s.views.workload_rows[s.views.workloads.selected];
    assert_eq!(sel.key.name, "rook-ceph-osd-2");
    // Its Pod: restarted, last OOMKilled; Enter shows its containers, conditions and Events.
    key(&mut s, "j");
    let pod = s.views.workload_rows[s.views.workloads.selected].clone();
    assert!(pod.pod && pod.restarts == 3, "{pod:?}");
    assert!(
        pod.detail.contains("last OOMKilled, exit 137"),
        "{}",
        pod.detail
    );
    let fx = key(&mut s, "enter");
    assert_eq!(
        events_of(&fx),
        Some(("Pod".into(), Some("rook-ceph".into()), pod.key.name.clone()))
    );
    let id = streams(&fx)[0].id;
    let i = s.views.inspect.as_ref().unwrap();
    assert!(
        i.notes
            .iter()
            .any(|(k, v)| k == "container osd" && v.contains("last terminated: OOMKilled")),
        "{:?}",
        i.notes
    );
    // The Events arrive from the stream, newest first, warnings highlighted.
    let events = blast::demo::world::objects()
        .unwrap()
        .into_iter()
        .filter(|(c, v)| {
            c == "edge-berlin"
                && v["kind"] == "Event"
                && v["involvedObject"]["name"] == pod.key.name.as_str()
        })
        .map(|(_, v)| blast::model::Event::parse(&v).unwrap())
        .collect::<Vec<_>>();
    assert_eq!(events.len(), 2, "the world explains the OSD");
    update(&mut s, Msg::Live(LiveMsg::Events { id, events }));
    let Some(EventsState::Loaded(rows)) = s.views.inspect.as_ref().map(|i| i.events.clone()) else {
        panic!("events not shown")
    };
    assert_eq!(rows.len(), 2);
    let screen = render(&s);
    assert!(screen.contains("⚠ Unhealthy ×5"), "{screen}");
    assert!(screen.contains("slow ops"), "{screen}");
    // `L`: the log of its container, streamed (tail, follow).
    let fx = key(&mut s, "L");
    assert_eq!(s.route, Route::Logs);
    let (id, source, p, container) = log_of(&fx).expect("a log stream");
    assert_eq!(
        (source.as_str(), p.as_str(), container.as_str()),
        ("edge-berlin", pod.key.name.as_str(), "osd")
    );
    update(
        &mut s,
        Msg::Live(LiveMsg::LogLines {
            id,
            lines: vec![
                "osd.2 4127 get_health_metrics reporting 12 slow ops".into(),
                "heartbeat_map is_healthy had timed out".into(),
            ],
        }),
    );
    // A stale stream's lines are not shown.
    update(
        &mut s,
        Msg::Live(LiveMsg::LogLines {
            id: id + 1000,
            lines: vec!["from another stream".into()],
        }),
    );
    let screen = render(&s);
    assert!(screen.contains("reporting 12 slow ops"), "{screen}");
    assert!(!screen.contains("from another stream"));
    // `p`: the previous container's log (why it was OOMKilled); a new stream replaces the old.
    let fx = key(&mut s, "p");
    assert!(fx.contains(&Effect::StopStream(id)));
    assert!(streams(&fx).iter().any(|r| matches!(
        &r.what,
        StreamWhat::Logs {
            previous: true,
            follow: false,
            ..
        }
    )));
    // Esc: back to the workloads, the stream stopped.
    let live_id = s.views.logs.as_ref().unwrap().id;
    let fx = key(&mut s, "esc");
    assert_eq!(s.route, Route::Workloads);
    assert!(fx.contains(&Effect::StopStream(live_id)), "{fx:?}");
}

/// The ceph-warn world at 80x24 on every site's workloads, `L` on the second row: the state
/// and the log stream's id.
fn second_workloads_log() -> (State, u64) {
    let mut s = ceph_warn(80, 24);
    s.views.workload_scope = None;
    let mut fx = vec![];
    blast::app::nav::go(&mut s, Route::Workloads, &mut fx);
    settle(&mut s);
    key(&mut s, "j");
    let fx = key(&mut s, "L");
    let (id, ..) = log_of(&fx).unwrap();
    (s, id)
}

#[test]
fn the_log_is_a_bounded_ring_searched_with_slash_and_n() {
    let (mut s, id) = second_workloads_log();
    for batch in 0..30 {
        let lines = (0..256)
            .map(|i| format!("line {}", batch * 256 + i))
            .collect();
        update(&mut s, Msg::Live(LiveMsg::LogLines { id, lines }));
    }
    let l = s.views.logs.as_ref().unwrap();
    assert_eq!(l.lines.len(), LOG_CAP);
    assert_eq!(l.dropped, 30 * 256 - LOG_CAP as u64);
    assert_eq!(l.lines.back().unwrap(), "line 7679");
    // Following: the cursor is on the newest line.
    assert_eq!(s.views.logs_nav.selected, LOG_CAP - 1);
    for c in "/line 76".chars() {
        key(&mut s, &c.to_string());
    }
    key(&mut s, "enter");
    let first = s.views.logs_nav.selected;
    assert_eq!(s.views.logs.as_ref().unwrap().lines[first], "line 7600");
    key(&mut s, "n");
    let second = s.views.logs_nav.selected;
    assert!(second > first);
    assert_eq!(s.views.logs.as_ref().unwrap().lines[second], "line 7601");
    assert!(
        !s.views.logs.as_ref().unwrap().follow,
        "searching stops following"
    );
    key(&mut s, "N");
    assert_eq!(s.views.logs_nav.selected, first);
    // The API server's error is shown, not an empty screen.
    update(
        &mut s,
        Msg::Live(LiveMsg::StreamEnded {
            id,
            error: Some("Get \"https://berlin-w-2:10250/containerLogs/…\": dial tcp: no route to host (500 InternalError)".into()),
        }),
    );
    assert!(matches!(
        s.views.logs.as_ref().unwrap().state,
        LogState::Failed(_)
    ));
    let screen = render(&s);
    assert!(screen.contains("no route to host"), "{screen}");
}

#[test]
fn a_not_ready_node_to_its_events_and_pods() {
    let mut s = live_state_with(Route::Overview, 200, 50, World::Healthy, |objs| {
        set_cond(
            find(objs, "Node", "berlin-w-2"),
            "Ready",
            "Unknown",
            "NodeStatusUnknown",
            "Kubelet stopped posting node status.",
        );
        set_cond(
            find(objs, "Cluster", "edge-berlin"),
            "Available",
            "False",
            "NotAvailable",
            "* WorkersAvailable: 2 available replicas, at least 3 required",
        );
    });
    select_problem(&mut s, "Cluster");
    key(&mut s, "enter");
    assert!(matches!(s.route, Route::Cluster { .. }));
    let obj = s.selected_live().expect("an object selected in the tree");
    assert_eq!((obj.kind, obj.key.name.as_str()), ("Node", "berlin-w-2"));
    assert!(s.views.inspect.is_some());
    key(&mut s, "esc");
    assert!(s.views.inspect.is_none(), "esc closes the pop-up only");
    assert!(matches!(s.route, Route::Cluster { .. }));
    let fx = key(&mut s, "E");
    assert_eq!(
        events_of(&fx),
        Some(("Node".into(), None, "berlin-w-2".into()))
    );
    let fx = key(&mut s, "w");
    assert!(fx.iter().any(|e| matches!(e, Effect::StopStream(_))));
    assert_eq!(s.route, Route::Workloads);
    let rows = &s.views.workload_rows;
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .filter(|r| r.pod)
            .all(|r| r.node == "berlin-w-2"),
        "only the node's Pods"
    );
    assert!(rows.iter().any(|r| r.key.name.starts_with("mosquitto-")));
}

#[test]
fn a_degraded_diskpool_to_the_io_engine_log() {
    let mut s = live_state_with(Route::Overview, 200, 50, World::Healthy, |objs| {
        let p = find(objs, "DiskPool", "pool-lab-2");
        p["status"]["pool_status"] = "Degraded".into();
        p["status"]["status"] = "Degraded".into();
        p["status"]["alertError"] = "Attention (IoError)".into();
    });
    select_problem(&mut s, "DiskPool");
    key(&mut s, "enter");
    assert_eq!(s.route, Route::Storage);
    assert_eq!(
        s.views.storage_rows[s.views.storage.selected].name,
        "pool-lab-2"
    );
    key(&mut s, "w");
    let pods: Vec<_> = s.views.workload_rows.iter().filter(|r| r.pod).collect();
    assert_eq!(pods.len(), 1, "the io-engine of the pool's node");
    assert_eq!(pods[0].node, "lab-2");
    l_streams_the_log_of(&mut s, "edge-lab", "openebs-io-engine-", "io-engine");
}

#[test]
fn a_failed_backup_to_the_k10_executor_log() {
    let mut s = live_state_with(Route::Overview, 200, 50, World::Healthy, |objs| {
        let run = objs
            .iter_mut()
            .filter(|(c, v)| c == "edge-lab" && v["kind"] == "RunAction")
            .max_by_key(|(_, v)| v["status"]["startTime"].as_str().unwrap_or("").to_string())
            .unwrap();
        run.1["status"]["state"] = "Failed".into();
        run.1["status"]["error"] = json!({"message": "Failed to export snapshot data: timeout writing to s3://k10-edge-lab/k10/podinfo/kopia/p4f1/xn0_7c1d: context deadline exceeded"});
    });
    select_problem(&mut s, "Policy");
    key(&mut s, "enter");
    assert_eq!(s.route, Route::Backup);
    let row = &s.views.backup_rows[s.views.backup.selected];
    assert_eq!(
        (row.site.as_str(), row.key.name.as_str()),
        ("edge-lab", "apps-daily")
    );
    // The pop-up has the policy's row whole: the failure's message.
    let screen = render(&s);
    assert!(screen.contains("context deadline exceeded"), "{screen}");
    key(&mut s, "w");
    assert_eq!(s.route, Route::Workloads);
    l_streams_the_log_of(&mut s, "edge-lab", "executor-svc-", "executor-svc");
}

#[test]
fn a_degraded_application_to_its_pod_and_the_warning_event() {
    // The demo world's edge-berlin-historian is Degraded as it is.
    let mut s = live_state_with(Route::Overview, 200, 50, World::Healthy, |_| {});
    select_problem(&mut s, "Application edge-berlin-historian");
    key(&mut s, "enter");
    assert_eq!(s.route, Route::GitOps);
    assert_eq!(
        s.views.gitops_rows[s.views.gitops.selected].key.name,
        "edge-berlin-historian"
    );
    key(&mut s, "w");
    let names: Vec<_> = s
        .views
        .workload_rows
        .iter()
        .map(|r| (r.site.as_str(), r.key.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("edge-berlin", "victoria-metrics"),
            ("edge-berlin", "victoria-metrics-0")
        ]
    );
    key(&mut s, "j");
    let fx = key(&mut s, "enter");
    assert_eq!(
        events_of(&fx),
        Some((
            "Pod".into(),
            Some("historian".into()),
            "victoria-metrics-0".into()
        ))
    );
    let i = s.views.inspect.as_ref().unwrap();
    assert!(
        i.notes
            .iter()
            .any(|(k, v)| k == "Ready" && v.contains("ContainersNotReady")),
        "{:?}",
        i.notes
    );
    // The Pod restarts while the pop-up is open: its container notes follow it, as the row's
    // cells above them do (before, they stayed as they were when the pop-up opened).
    let o = i.obj.clone().unwrap();
    let kind = &blast::model::kinds::POD;
    let mut entry = s.live.sources[&o.source].store(kind).unwrap().objects[&o.key].clone();
    let blast::app::live::Entry::Ok(blast::model::LiveObject::Pod(p)) = &mut entry else {
        panic!("a Pod")
    };
    let restarts = p.containers[0].restarts + 5;
    p.containers[0].restarts = restarts;
    let at = s.live.now;
    update(
        &mut s,
        Msg::Live(LiveMsg::Apply {
            source: o.source.clone(),
            kind,
            key: o.key.clone(),
            entry,
            at,
        }),
    );
    settle(&mut s);
    let i = s.views.inspect.as_ref().expect("still open");
    assert!(
        i.notes
            .iter()
            .any(|(_, v)| v.contains(&format!("restarts {restarts}"))),
        "{:?}",
        i.notes
    );
}

#[test]
fn w_on_a_row_with_nothing_behind_says_so() {
    let mut s = live_state_with(Route::Fleet, 80, 24, World::Healthy, |_| {});
    let fx = key(&mut s, "w");
    assert!(fx.is_empty());
    assert_eq!(s.route, Route::Fleet);
    assert!(
        s.toast
            .as_ref()
            .unwrap()
            .text
            .contains("no workloads known behind")
    );
}

/// The new views at 80x24 and 200x50: workloads (all, and narrowed to a problem), a Pod's
/// pop-up with its Events, the log view (lines, search, the API server's error), and the
/// overview with a problem selected.
#[test]
fn drill_views_80x24_and_200x50() {
    for (w, h) in [(80u16, 24u16), (200, 50)] {
        let mut s = ceph_warn(w, h);
        let mut fx = vec![];
        blast::app::nav::go(&mut s, Route::Workloads, &mut fx);
        settle(&mut s);
        insta::assert_snapshot!(format!("drill_workloads_{w}x{h}"), render(&s));
        let mut fx = vec![];
        blast::app::nav::go(&mut s, Route::Overview, &mut fx);
        settle(&mut s);
        select_problem(&mut s, "CephCluster");
        insta::assert_snapshot!(format!("drill_overview_problem_{w}x{h}"), render(&s));
        key(&mut s, "enter");
        insta::assert_snapshot!(format!("drill_problem_popup_{w}x{h}"), render(&s));
        key(&mut s, "w");
        insta::assert_snapshot!(format!("drill_workloads_osds_{w}x{h}"), render(&s));
        key(&mut s, "j");
        let fx = key(&mut s, "enter");
        let id = streams(&fx)[0].id;
        let pod = s.selected_live().unwrap();
        let events = blast::demo::world::objects()
            .unwrap()
            .into_iter()
            .filter(|(_, v)| {
                v["kind"] == "Event" && v["involvedObject"]["name"] == pod.key.name.as_str()
            })
            .map(|(_, v)| blast::model::Event::parse(&v).unwrap())
            .collect::<Vec<_>>();
        update(&mut s, Msg::Live(LiveMsg::Events { id, events }));
        insta::assert_snapshot!(format!("drill_pod_popup_{w}x{h}"), render(&s));
        let fx = key(&mut s, "L");
        let (id, ..) = log_of(&fx).unwrap();
        let text = blast::demo::world::objects()
            .unwrap()
            .into_iter()
            .find(|(_, v)| v["kind"] == "Pod" && v["metadata"]["name"] == pod.key.name.as_str())
            .and_then(|(_, v)| {
                v["metadata"]["annotations"]["demo.blast.io/log"]
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap();
        update(
            &mut s,
            Msg::Live(LiveMsg::LogLines {
                id,
                lines: text.lines().map(str::to_string).collect(),
            }),
        );
        for c in "/slow ops".chars() {
            key(&mut s, &c.to_string());
        }
        key(&mut s, "enter");
        insta::assert_snapshot!(format!("drill_logs_{w}x{h}"), render(&s));
        update(&mut s, Msg::Live(LiveMsg::StreamEnded { id, error: None }));
        let fx = key(&mut s, "C");
        assert!(
            streams(&fx).is_empty(),
            "one container: nothing to switch to"
        );
        let fx = key(&mut s, "p");
        let (id2, ..) = streams(&fx)
            .into_iter()
            .map(|r| (r.id, r.what))
            .next()
            .unwrap();
        update(
            &mut s,
            Msg::Live(LiveMsg::StreamEnded {
                id: id2,
                error: Some("Get \"https://berlin-w-3:10250/containerLogs/rook-ceph/x/osd?previous=true\": dial tcp 10.40.1.13:10250: connect: no route to host (500 InternalError)".into()),
            }),
        );
        insta::assert_snapshot!(format!("drill_logs_failed_{w}x{h}"), render(&s));
    }
    let _ = ObjKey::new(None, "");
}

#[test]
fn i_in_the_overview_shows_the_selected_problem_whole() {
    let mut s = ceph_warn(80, 24);
    select_problem(&mut s, "CephCluster");
    let fx = key(&mut s, "i");
    assert!(
        streams(&fx).is_empty(),
        "a problem is no object: no Events to ask"
    );
    let i = s.views.inspect.as_ref().expect("the pop-up");
    assert!(
        i.notes
            .iter()
            .any(|(k, v)| k == "problem" && v.contains("osd.2 has slow ops")),
        "{:?}",
        i.notes
    );
    let screen = render(&s);
    assert!(screen.contains("osd.2 has slow ops"), "{screen}");
    key(&mut s, "esc");
    assert!(s.views.inspect.is_none());
    assert_eq!(s.route, Route::Overview);
    // Page down is not a step through the problems: it leaves them for the sites.
    key(&mut s, "j");
    let before = s.views.overview.selected;
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE)),
    );
    assert!(s.views.overview_problem.is_none());
    assert!(s.views.overview.selected >= before);
}

/// Found walking the demo's logs in tmux: VictoriaMetrics separates its fields with tabs, which
/// a terminal cell cannot hold, so `…004Zinfo VictoriaMetrics/…` ran together; colour escapes
/// would have been drawn as garbage. Tabs are expanded, escapes removed, other controls marked.
#[test]
fn log_lines_with_tabs_and_colour_escapes_are_drawn_readable() {
    let (mut s, id) = second_workloads_log();
    update(
        &mut s,
        Msg::Live(LiveMsg::LogLines {
            id,
            lines: vec![
                "2026-09-21T11:38:12.004Z\tinfo\tpartition.go:1012\tbig merge".into(),
                "\u{1b}[31mERROR\u{1b}[0m disk\u{7}full".into(),
            ],
        }),
    );
    let l = s.views.logs.as_ref().unwrap();
    assert_eq!(
        l.lines[0],
        "2026-09-21T11:38:12.004Z        info    partition.go:1012       big merge"
    );
    assert_eq!(l.lines[1], "ERROR disk\u{fffd}full");
    let screen = render(&s);
    assert!(
        screen.contains("11:38:12.004Z        info    partition"),
        "{screen}"
    );
    assert!(!screen.contains("[31m"), "{screen}");
}

/// Found walking every view at 80x24 in tmux: the footer's hints were cut mid-word (`? he`,
/// `c conte`). Hints that do not fit are left out whole, and help is kept.
#[test]
fn footer_hints_are_never_cut_mid_word_at_80_columns() {
    for route in [
        Route::Nodes,
        Route::Storage,
        Route::Backup,
        Route::GitOps,
        Route::Workloads,
    ] {
        let s = live_state_with(route.clone(), 80, 24, World::Healthy, |_| {});
        let screen = render(&s);
        let footer = screen.lines().last().unwrap().trim_end().to_string();
        assert!(footer.ends_with("? help"), "{route:?}: {footer:?}");
        assert!(!footer.contains("conte "), "{route:?}: {footer:?}");
    }
}

/// Found walking the views in tmux: at 200 columns a Pod's name was cut though the row had room
/// (`argocd-applica…et-controller-4xbnqz6pv-t2mm6`), and a Server without a hostname showed 16
/// characters of its UUID with no mark (`4c4c4544-0057-48`), which read as a hostname.
#[test]
fn names_are_whole_when_there_is_room_and_marked_when_cut() {
    let s = live_state_with(Route::Workloads, 200, 50, World::Healthy, |_| {});
    let screen = render(&s);
    let pod = s
        .views
        .workload_rows
        .iter()
        .filter(|r| r.pod)
        .map(|r| r.key.name.clone())
        .max_by_key(String::len)
        .unwrap();
    assert!(pod.len() > 44, "{pod}");
    assert!(screen.contains(&pod), "{pod} cut at 200 columns:\n{screen}");
    let s = live_state_with(Route::BareMetal, 80, 24, World::Healthy, |_| {});
    let screen = render(&s);
    let row = screen
        .lines()
        .find(|l| l.contains("pending acceptance"))
        .unwrap();
    assert!(
        row.contains("4c4c4544-0057-4810-8036-c4c04f4d3358") || row.contains('…'),
        "{row}"
    );
    assert!(!row.contains("4c4c4544-0057-48 "), "{row}");
}
