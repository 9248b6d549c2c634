//! The drill-down, from a problem to its cause, read only: the overview's problems are
//! selectable (Enter goes to the object with the reason in full), `i` shows the selected row
//! whole with the object's Events (a field-selected stream), `w` goes to the workloads behind a
//! storage, backup, GitOps or node row, `L` streams a Pod container's log into a bounded ring.

use std::collections::VecDeque;

use super::ObjKey;
use super::cluster::EventRow;
use super::fleet::Verdict;
use super::workloads::{WorkloadRow, WorkloadScope};
use super::{LiveMsg, LiveState};
use crate::app::nav::{Route, go};
use crate::app::{Effect, State};
use crate::keymap::Action;
use crate::kube::protocol::{StreamReq, StreamWhat};
use crate::model::{LiveObject, Time};
use crate::objref::ObjRef;

/// Log lines kept per stream; older ones are dropped (and counted).
pub const LOG_CAP: usize = 5000;
/// Lines asked for when a log opens (`tailLines`).
pub const LOG_TAIL: i64 = 500;

/// Where an Events stream stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum EventsState {
    /// Not asked (the row is no object).
    #[default]
    None,
    Loading,
    Loaded(Vec<EventRow>),
    Failed(String),
}

/// The pop-up over a live view: the selected row whole, notes (a problem's reason, a Pod's
/// containers and conditions) and the object's Events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Inspect {
    pub obj: Option<ObjRef>,
    /// `(label, text)`, shown before the row's cells, wrapped.
    pub notes: Vec<(String, String)>,
    /// Where a Pod's own notes (containers, conditions) start in `notes`: they follow the live
    /// Pod while the pop-up is open ([`refresh_inspect`]), as the row's cells do.
    pub pod_from: Option<usize>,
    pub events: EventsState,
    pub stream: Option<u64>,
    pub scroll: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum LogState {
    #[default]
    Connecting,
    Streaming,
    /// The log ended (not following, or the container stopped).
    Ended,
    /// The API server's answer (a dead node: its kubelet cannot be reached).
    Failed(String),
}

/// One Pod container's log.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogView {
    pub id: u64,
    pub source: String,
    pub namespace: String,
    pub pod: String,
    pub containers: Vec<String>,
    pub container: usize,
    pub previous: bool,
    pub follow: bool,
    pub lines: VecDeque<String>,
    /// Lines dropped from the front to keep `LOG_CAP`.
    pub dropped: u64,
    pub state: LogState,
}

impl LogView {
    pub fn container(&self) -> &str {
        self.containers
            .get(self.container)
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Appends lines, dropping the oldest past `cap`.
    pub fn push(&mut self, lines: Vec<String>, cap: usize) {
        for l in lines {
            if self.lines.len() >= cap {
                self.lines.pop_front();
                self.dropped += 1;
            }
            self.lines.push_back(printable(&l));
        }
    }

    /// Indices of the lines containing `needle` (case-insensitive).
    pub fn matches(&self, needle: &str) -> Vec<usize> {
        if needle.is_empty() {
            return vec![];
        }
        let n = needle.to_lowercase();
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.to_lowercase().contains(&n))
            .map(|(i, _)| i)
            .collect()
    }
}

/// A log line as the terminal can show it: tabs expanded to the next multiple of 8 (logfmt and
/// VictoriaMetrics-style lines separate fields with tabs, which a terminal cell cannot hold: they
/// vanished and the fields ran together), colour and other escape sequences removed, other
/// control characters shown as `�`.
pub fn printable(line: &str) -> String {
    if !line.chars().any(char::is_control) {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut col = 0usize;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' => {
                let n = 8 - col % 8;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\r' | '\n' => {}
            '\u{1b}' => {
                // CSI (`ESC [ … final`): skip to the final byte; else the one next character.
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for d in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&d) {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
            }
            c if c.is_control() => {
                out.push('\u{fffd}');
                col += 1;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

fn next_id(state: &mut State) -> u64 {
    state.views.next_stream += 1;
    state.views.next_stream
}

/// A stream message: to the pop-up's Events or the log on screen; others' are stale.
pub fn stream_msg(state: &mut State, m: LiveMsg) {
    let Some(id) = m.stream_id() else { return };
    let now = state.live.now;
    if let Some(i) = state
        .views
        .inspect
        .as_mut()
        .filter(|i| i.stream == Some(id))
    {
        match m {
            LiveMsg::Events { events, .. } => {
                i.events = EventsState::Loaded(events.iter().map(event_row).collect())
            }
            LiveMsg::StreamEnded { error: Some(e), .. } => i.events = EventsState::Failed(e),
            _ => {}
        }
        state.dirty = true;
        return;
    }
    let height = state.table_height();
    if let Some(l) = state.views.logs.as_mut().filter(|l| l.id == id) {
        match m {
            LiveMsg::LogLines { lines, .. } => {
                l.push(lines, LOG_CAP);
                l.state = LogState::Streaming;
            }
            LiveMsg::StreamEnded { error, .. } => {
                l.state = match error {
                    Some(e) => LogState::Failed(e),
                    None => LogState::Ended,
                }
            }
            _ => {}
        }
        let len = l.lines.len();
        let follow = l.follow;
        let nav = &mut state.views.logs_nav;
        if follow && nav.filter.is_empty() {
            nav.selected = len.saturating_sub(1);
        }
        nav.clamp(len, height);
        state.dirty = true;
    }
    let _ = now;
}

fn event_row(e: &crate::model::Event) -> EventRow {
    EventRow {
        type_: e.type_.clone(),
        reason: e.reason.clone(),
        message: e.message.clone(),
        count: e.count,
        last: e.last,
        source: e.source.clone().unwrap_or_default(),
    }
}

/// Opens the pop-up on the selected row, with `notes` first, and asks for its Events.
pub fn open_inspect(state: &mut State, notes: Vec<(String, String)>, fx: &mut Vec<Effect>) {
    close_inspect(state, fx);
    let obj = state.selected_live();
    let mut notes = notes;
    // In the overview, the selected problem (or the site's answers), whole.
    if state.route == Route::Overview
        && let Some(site) = state.views.overview_rows.get(state.views.overview.selected)
    {
        match state
            .views
            .overview_problem
            .and_then(|i| site.problems.get(i))
        {
            Some(p) => notes.push((
                "problem".into(),
                format!("{}: {} {}", p.area, p.object, p.message),
            )),
            None => {
                for (name, a) in site.areas() {
                    if let Some(a) = a {
                        notes.push((name.to_string(), a.text.clone()));
                    }
                }
            }
        }
    }
    // In a log, the line under the cursor, whole.
    if state.route == Route::Logs
        && let Some(l) = &state.views.logs
        && let Some(line) = l.lines.get(state.views.logs_nav.selected)
    {
        notes.push((
            format!(
                "line {}",
                l.dropped + state.views.logs_nav.selected as u64 + 1
            ),
            line.clone(),
        ));
    }
    let mut pod_from = None;
    if let Some(o) = &obj
        && o.kind == "Pod"
    {
        pod_from = Some(notes.len());
        notes.extend(pod_notes(&state.live, o));
    }
    let mut i = Inspect {
        obj: obj.clone(),
        notes,
        pod_from,
        ..Default::default()
    };
    if let Some(o) = obj.filter(|o| !o.key.name.is_empty()) {
        let id = next_id(state);
        i.stream = Some(id);
        i.events = EventsState::Loading;
        fx.push(Effect::Stream(StreamReq {
            id,
            source: o.source.clone(),
            what: StreamWhat::Events {
                kind: kind_name(o.kind).to_string(),
                namespace: o.key.namespace.clone(),
                name: o.key.name.clone(),
            },
        }));
    }
    state.views.inspect = Some(i);
    state.dirty = true;
}

/// The open pop-up's Pod notes from the live Pod as it is now (a restart, a new state), so
/// that they never contradict the row's cells drawn above them. Called on each settle.
pub fn refresh_inspect(state: &mut State) {
    let live = &state.live;
    if let Some(i) = &mut state.views.inspect
        && let (Some(from), Some(o)) = (i.pod_from, &i.obj)
    {
        let fresh = pod_notes(live, o);
        // A Pod gone from the store keeps what was last known of it.
        if !fresh.is_empty() && i.notes.get(from..) != Some(&fresh[..]) {
            i.notes.truncate(from);
            i.notes.extend(fresh);
            state.dirty = true;
        }
    }
}

/// The kind name an Event's involvedObject carries (`User.minio.crossplane.io` → `User`).
fn kind_name(key: &str) -> &str {
    key.split('.').next().unwrap_or(key)
}

pub fn close_inspect(state: &mut State, fx: &mut Vec<Effect>) {
    if let Some(i) = state.views.inspect.take()
        && let Some(id) = i.stream
    {
        fx.push(Effect::StopStream(id));
    }
}

/// A Pod's containers (state, reason, message, last termination) and conditions, in words.
fn pod_notes(live: &LiveState, o: &ObjRef) -> Vec<(String, String)> {
    let Some(LiveObject::Pod(p)) = live
        .sources
        .get(&o.source)
        .and_then(|s| s.store(&crate::model::kinds::POD))
        .and_then(|s| s.objects.get(&o.key))
        .and_then(|e| match e {
            super::Entry::Ok(o) => Some(o),
            super::Entry::Broken { .. } => None,
        })
    else {
        return vec![];
    };
    let mut out = vec![(
        "pod".to_string(),
        format!(
            "{} on {}{}",
            p.phase,
            p.node.as_deref().unwrap_or("no node"),
            if p.reason.is_empty() {
                String::new()
            } else {
                format!(" · {}: {}", p.reason, p.message)
            }
        ),
    )];
    for c in &p.containers {
        let mut s = format!(
            "{}{} · {} · restarts {}",
            c.state,
            if c.reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", c.reason)
            },
            if c.ready { "ready" } else { "not ready" },
            c.restarts
        );
        if !c.message.is_empty() {
            s.push_str(&format!(" · {}", c.message));
        }
        if !c.last_reason.is_empty() {
            s.push_str(&format!(" · last terminated: {}", c.last_reason));
            if let Some(x) = c.last_exit {
                s.push_str(&format!(" (exit {x})"));
            }
            if !c.last_message.is_empty() {
                s.push_str(&format!(": {}", c.last_message));
            }
        }
        s.push_str(&format!(" · {}", c.image));
        let label = if c.init {
            format!("init {}", c.name)
        } else {
            format!("container {}", c.name)
        };
        out.push((label, s));
    }
    for c in &p.conditions {
        let mut s = c.status.as_str().to_string();
        if !c.reason.is_empty() {
            s.push_str(&format!(" {}", c.reason));
        }
        if !c.message.is_empty() {
            s.push_str(&format!(": {}", c.message));
        }
        out.push((c.type_.clone(), s));
    }
    out
}

/// Keys while the pop-up is open: scroll, close; any other key closes it and does its job.
pub fn inspect_key(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    let Some(i) = state.views.inspect.as_mut() else {
        return false;
    };
    match action {
        Action::Up => i.scroll = i.scroll.saturating_sub(1),
        Action::Down => i.scroll += 1,
        Action::PageUp => i.scroll = i.scroll.saturating_sub(10),
        Action::PageDown => i.scroll += 10,
        Action::Top => i.scroll = 0,
        Action::Back | Action::Inspect | Action::Open => close_inspect(state, fx),
        Action::Events => {}
        _ => {
            close_inspect(state, fx);
            return false;
        }
    }
    state.dirty = true;
    true
}

// --- the overview's problems

/// Up/down in the overview walk the sites and their problems: a site's header, then each of its
/// problems.
pub fn overview_move(state: &mut State, delta: i64) {
    let v = &mut state.views;
    let mut items: Vec<(usize, Option<usize>)> = vec![];
    for (i, s) in v.overview_rows.iter().enumerate() {
        items.push((i, None));
        items.extend((0..s.problems.len()).map(|p| (i, Some(p))));
    }
    let at = items
        .iter()
        .position(|x| *x == (v.overview.selected, v.overview_problem))
        .unwrap_or(0) as i64;
    let to = (at + delta).clamp(0, items.len().saturating_sub(1) as i64) as usize;
    if let Some((site, p)) = items.get(to) {
        v.overview.selected = *site;
        v.overview_problem = *p;
    }
}

/// Enter on a problem: its object in its view, selected, with the reason in full and its
/// Events. Enter on a site's header opens the site (the caller's way).
pub fn open_problem(state: &mut State, fx: &mut Vec<Effect>) -> bool {
    let Some(p) = state
        .views
        .overview_problem
        .and_then(|i| {
            state
                .views
                .overview_rows
                .get(state.views.overview.selected)?
                .problems
                .get(i)
        })
        .cloned()
    else {
        return false;
    };
    let site = state.views.overview_rows[state.views.overview.selected]
        .site
        .clone();
    let (kind, rest) = p.object.split_once(' ').unwrap_or((p.object.as_str(), ""));
    let key = match rest.split_once('/') {
        Some((ns, n)) => ObjKey::new(Some(ns), n),
        None => ObjKey::new(None, rest),
    };
    let mut notes = vec![(
        "problem".to_string(),
        format!("{}: {} {}", p.area, p.object, p.message),
    )];
    if let Some(t) = p.since {
        notes.push((
            "since".into(),
            format!("{} ago", super::age(state.live.now, t)),
        ));
    }
    match p.area {
        "fleet" => {
            go(
                state,
                Route::Cluster {
                    source: String::new(),
                    key: key.clone(),
                },
                fx,
            );
            // The tree's worst object: a Node that is not ready, else a Machine, else any.
            let tree = &state.views.tree;
            let pick = |kind: &str| {
                tree.iter()
                    .position(|r| r.obj.kind == kind && r.verdict >= Verdict::Degraded)
            };
            if let Some(i) = pick("Node")
                .or_else(|| pick("Machine"))
                .or_else(|| tree.iter().position(|r| r.verdict >= Verdict::Degraded))
            {
                state.views.cluster.selected = i;
                let h = state.table_height();
                state.views.cluster.clamp(state.views.tree.len(), h);
            }
        }
        "storage" => {
            let id = format!("{site}/{kind}/{}", key.name);
            state.views.storage.pending = Some(id);
            go(state, Route::Storage, fx);
        }
        "backup" => {
            go(state, Route::Backup, fx);
            let rows = &state.views.backup_rows;
            match rows
                .iter()
                .position(|r| r.site == site && r.kind == kind && r.key == key)
            {
                Some(i) => {
                    state.views.backup.selected = i;
                    let h = state.table_height();
                    state.views.backup.clamp(rows.len(), h);
                    state.views.action_rows = Vec::new();
                    state.live.changed.sources = true;
                    fx.extend(super::views::settle(state));
                }
                None => state.views.backup.pending = Some(key.name.clone()),
            }
        }
        "gitops" => {
            state.views.gitops.pending = Some(key.name.clone());
            go(state, Route::GitOps, fx);
        }
        "standards" => {
            // `Standards SITE`: the Standards view, on the first line of that kind of problem.
            let area = super::standards::area_of_problem(&p.message);
            // A manifest not checked: its own line, not the first policy finding.
            let id = if p.message.contains(super::standards::NOT_CHECKED) {
                super::standards::NOT_CHECKED
            } else {
                ""
            };
            state.views.std_pending = Some(format!("{rest}|{area}|{id}"));
            state.views.standards.filter.clear();
            go(state, Route::Standards, fx);
            return true;
        }
        _ => {}
    }
    open_inspect(state, notes, fx);
    true
}

// --- the workloads behind an object

/// `w`: the workloads behind the selected row (Rook's OSDs for a Ceph cluster, the io-engine of
/// a DiskPool's node, K10's executor for a policy, an Application's resources, a node's Pods).
pub fn workloads_behind(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(scope) = scope_of(state) else {
        let what = state
            .selected_live()
            .map(|o| format!("{} {}", o.kind, o.key))
            .unwrap_or_else(|| "the selection".into());
        state.toast(false, format!("no workloads known behind {what}"));
        return;
    };
    let (scope, select) = scope;
    state.views.workloads.filter.clear();
    state.views.workloads.selected = 0;
    state.views.workloads.offset = 0;
    state.views.workloads.pending = select;
    state.views.workload_scope = Some(scope);
    state.live.changed.sources = true;
    go(state, Route::Workloads, fx);
}

fn scope_of(state: &State) -> Option<(WorkloadScope, Option<String>)> {
    let v = &state.views;
    let live = &state.live;
    match &state.route {
        Route::Storage => {
            let r = v.storage_rows.get(v.storage.selected)?;
            match r.kind {
                "CephCluster" | "CephBlockPool" | "CephFilesystem" | "CephObjectStore" => {
                    // `osd.2 has slow ops`: select that OSD.
                    let select = r.detail.split("osd.").nth(1).map(|t| {
                        let n: String = t.chars().take_while(char::is_ascii_digit).collect();
                        format!("rook-ceph-osd-{n}")
                    });
                    Some((
                        WorkloadScope {
                            label: format!("Ceph OSDs of {} {}", r.kind, r.name),
                            site: r.site.clone(),
                            namespace: r.key.namespace.clone(),
                            name_contains: Some("osd".into()),
                            ..Default::default()
                        },
                        select,
                    ))
                }
                "DiskPool" => {
                    let node = live
                        .sources
                        .get(&r.site)
                        .and_then(|s| s.store(&crate::model::kinds::DISK_POOL))
                        .and_then(|s| s.objects.get(&r.key))
                        .and_then(|e| match e {
                            super::Entry::Ok(LiveObject::DiskPool(d)) => Some(d.node.clone()),
                            _ => None,
                        });
                    Some((
                        WorkloadScope {
                            label: format!("the io-engine of DiskPool {}", r.name),
                            site: r.site.clone(),
                            namespace: r.key.namespace.clone(),
                            name_contains: Some("io-engine".into()),
                            node,
                            ..Default::default()
                        },
                        None,
                    ))
                }
                "MinIO" | "StatefulSet" => Some((
                    WorkloadScope {
                        label: format!("StatefulSet {}", r.name),
                        site: r.site.clone(),
                        namespace: r.key.namespace.clone(),
                        names: vec![r.key.name.clone()],
                        ..Default::default()
                    },
                    None,
                )),
                _ if r.key.namespace.is_some() => Some((
                    WorkloadScope {
                        label: format!("namespace {}", r.key.namespace.clone()?),
                        site: r.site.clone(),
                        namespace: r.key.namespace.clone(),
                        ..Default::default()
                    },
                    None,
                )),
                _ => None,
            }
        }
        Route::Backup => {
            let r = v.backup_rows.get(v.backup.selected)?;
            Some((
                WorkloadScope {
                    label: format!("K10's executor for {} {}", r.kind, r.key.name),
                    site: r.site.clone(),
                    namespace: r.key.namespace.clone(),
                    name_contains: Some("executor".into()),
                    ..Default::default()
                },
                None,
            ))
        }
        Route::GitOps => {
            let r = v.gitops_rows.get(v.gitops.selected)?;
            if r.kind != "Application" {
                return None;
            }
            // The resources live where the Application deploys.
            let site = r
                .destination
                .clone()
                .filter(|d| live.sources.contains_key(d))
                .unwrap_or_else(|| r.site.clone());
            let app = live
                .sources
                .get(&r.site)
                .and_then(|s| s.store(&crate::model::kinds::APPLICATION))
                .and_then(|s| s.objects.get(&r.key))
                .and_then(|e| match e {
                    super::Entry::Ok(LiveObject::Application(a)) => Some(a.clone()),
                    _ => None,
                });
            let workload_kinds = ["Deployment", "StatefulSet", "DaemonSet", "Job"];
            let names: Vec<String> = r
                .problems
                .iter()
                .filter(|p| workload_kinds.contains(&p.kind.as_str()))
                .map(|p| p.name.clone())
                .collect();
            let namespace = app.and_then(|a| a.destination_namespace);
            Some((
                WorkloadScope {
                    label: format!("Application {}", r.key.name),
                    site,
                    namespace,
                    names,
                    ..Default::default()
                },
                None,
            ))
        }
        Route::Nodes | Route::Cluster { .. } => {
            let o = state.selected_live()?;
            if o.kind != "Node" {
                return None;
            }
            Some((
                WorkloadScope {
                    label: format!("Pods on node {}", o.key.name),
                    site: o.source.clone(),
                    node: Some(o.key.name.clone()),
                    ..Default::default()
                },
                None,
            ))
        }
        _ => None,
    }
}

// --- logs

/// `L` on a Pod (or a workload: its first Pod): its log, streamed.
pub fn open_logs(state: &mut State, fx: &mut Vec<Effect>) {
    let row: Option<WorkloadRow> = if state.route == Route::Workloads {
        let rows = &state.views.workload_rows;
        let i = state.views.workloads.selected;
        rows.get(i)
            .filter(|r| r.pod)
            .or_else(|| rows.get(i + 1).filter(|r| r.pod))
            .cloned()
    } else {
        None
    };
    let Some(r) = row else {
        state.toast(false, "select a Pod (in the workloads view, W) for its log");
        return;
    };
    let mut l = LogView {
        source: r.site.clone(),
        namespace: r.key.namespace.clone().unwrap_or_default(),
        pod: r.key.name.clone(),
        containers: r.containers.clone(),
        follow: true,
        ..Default::default()
    };
    // A container that restarted: start on it.
    l.container = 0;
    state.views.logs = Some(l);
    restart_logs(state, fx);
    go(state, Route::Logs, fx);
}

/// (Re)starts the log stream with the current container, previous and follow settings.
pub fn restart_logs(state: &mut State, fx: &mut Vec<Effect>) {
    let id = next_id(state);
    let Some(l) = state.views.logs.as_mut() else {
        return;
    };
    if l.id != 0 {
        fx.push(Effect::StopStream(l.id));
    }
    l.id = id;
    l.lines.clear();
    l.dropped = 0;
    l.state = LogState::Connecting;
    state.views.logs_nav.selected = 0;
    state.views.logs_nav.offset = 0;
    fx.push(Effect::Stream(StreamReq {
        id,
        source: l.source.clone(),
        what: StreamWhat::Logs {
            namespace: l.namespace.clone(),
            pod: l.pod.clone(),
            container: l.container().to_string(),
            tail_lines: LOG_TAIL,
            follow: l.follow && !l.previous,
            previous: l.previous,
        },
    }));
}

/// Leaving the log view stops its stream.
pub fn leaving(state: &mut State, to: &Route, fx: &mut Vec<Effect>) {
    if state.route == Route::Logs
        && *to != Route::Logs
        && let Some(l) = state.views.logs.as_mut()
        && l.id != 0
    {
        fx.push(Effect::StopStream(l.id));
        l.id = 0;
    }
    close_inspect(state, fx);
}

/// Keys of the log view; false when the key is not the log's.
pub fn logs_key(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    let height = state.table_height();
    let Some(l) = state.views.logs.as_mut() else {
        return false;
    };
    let len = l.lines.len();
    match action {
        Action::Follow => {
            l.follow = !l.follow;
            if l.follow {
                l.previous = false;
            }
            restart_logs(state, fx);
        }
        Action::Previous => {
            l.previous = !l.previous;
            restart_logs(state, fx);
        }
        Action::Container => {
            if l.containers.len() > 1 {
                l.container = (l.container + 1) % l.containers.len();
                restart_logs(state, fx);
            }
        }
        Action::NextMatch | Action::PrevMatch => {
            let nav = &mut state.views.logs_nav;
            let m = l.matches(&nav.filter);
            let at = nav.selected;
            let next = if action == Action::NextMatch {
                m.iter().find(|i| **i > at).or(m.first())
            } else {
                m.iter().rev().find(|i| **i < at).or(m.last())
            };
            match next {
                Some(i) => {
                    nav.selected = *i;
                    l.follow = false;
                    nav.clamp(len, height);
                }
                None => state.toast(false, "no match"),
            }
        }
        Action::Up | Action::PageUp | Action::Top => {
            // Reading back stops following (the stream goes on; G goes back to the end).
            l.follow = false;
            return false;
        }
        _ => return false,
    }
    state.dirty = true;
    true
}

/// After the search text changed: the first match from the top.
pub fn search_changed(state: &mut State) {
    let height = state.table_height();
    if let Some(l) = state.views.logs.as_mut() {
        let nav = &mut state.views.logs_nav;
        if let Some(i) = l.matches(&nav.filter).first() {
            nav.selected = *i;
            l.follow = false;
        }
        nav.clamp(l.lines.len(), height);
    }
}

/// `t` ago for the Events table.
pub fn ago(now: Time, t: Option<Time>) -> String {
    t.map(|t| super::age(now, t)).unwrap_or_default()
}
