//! The live views' state (one `TableNav` per table, the derived rows), `settle` which derives
//! the rows of the view on screen from what changed, and the keys of the live views.

use super::ObjKey;
use super::backup::{self, ActionRow, BackupRow};
use super::baremetal::{self, ClassRow, ServerRow};
use super::cluster::{self, EventRow, TreeRow};
use super::fleet::{self, FleetRow};
use super::gitops::{self, GitOpsRow, Revisions};
use super::nodes::{self, NodeRow};
use super::storage::{self, StorageRow, Thresholds};
use super::summary::{self, SiteSummary};
use super::table::TableNav;
use super::{drill, workloads};
use crate::app::nav::{Route, back, defining_resource, go, jump_to_repo, open_repo_path};
use crate::app::{Effect, State};
use crate::keymap::Action;
use crate::model::kinds;
use crate::objref::ObjRef;

/// The live views' state and their derived rows (kept up to date by `settle`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveViews {
    pub fleet: TableNav,
    pub fleet_rows: Vec<FleetRow>,
    pub cluster: TableNav,
    pub tree: Vec<TreeRow>,
    pub events: Vec<EventRow>,
    pub nodes: TableNav,
    pub node_rows: Vec<NodeRow>,
    pub servers: TableNav,
    pub server_rows: Vec<ServerRow>,
    pub class_rows: Vec<ClassRow>,
    pub storage: TableNav,
    pub storage_rows: Vec<StorageRow>,
    /// Capacity thresholds (config `[storage]`).
    pub thresholds: Thresholds,
    pub backup: TableNav,
    pub backup_rows: Vec<BackupRow>,
    /// The actions of the selected policy (or of every policy on a profile row).
    pub action_rows: Vec<ActionRow>,
    /// Only failed actions.
    pub failures_only: bool,
    pub gitops: TableNav,
    pub gitops_rows: Vec<GitOpsRow>,
    /// What the repo says of each Application's synced revision and paths (git worker).
    pub revisions: Revisions,
    /// `(revision, path)` pairs last asked of the git worker.
    pub revisions_asked: Vec<(String, String)>,
    pub overview: TableNav,
    pub overview_rows: Vec<SiteSummary>,
    /// The context switcher: each context and whether it is ticked.
    pub picker: Option<crate::app::overlay::Picker>,
    /// A jump from the repo waiting for its object's row (`nav::resolve_jump`).
    pub jump: Option<crate::app::nav::Jump>,
    /// The second pane of a view that has one (backup's actions, bare metal's server
    /// classes, the cluster view's Events, GitOps' detail): its scroll and selection, and
    /// whether it has the focus (tab).
    pub lower: TableNav,
    pub lower_focus: bool,
    /// The overview's selected problem of the selected site (`None`: the site itself).
    pub overview_problem: Option<usize>,
    pub workloads: TableNav,
    pub workload_rows: Vec<super::workloads::WorkloadRow>,
    /// What `w` narrowed the workloads view to.
    pub workload_scope: Option<super::workloads::WorkloadScope>,
    /// The pop-up on the selected row: the row whole, notes and the object's Events.
    pub inspect: Option<super::drill::Inspect>,
    /// The log on screen (the log view).
    pub logs: Option<super::drill::LogView>,
    /// The log view's cursor and search (`filter`).
    pub logs_nav: TableNav,
    /// The last stream id handed out.
    pub next_stream: u64,
    pub standards: TableNav,
    pub standard_rows: Vec<super::standards::StdRow>,
    /// The images' vulnerabilities (the `ImageVulns` seam: Clair's reports as the images
    /// task delivers them); `None`: no report data (no Clair configured or not read yet).
    pub std_images: Option<Vec<crate::standards::ImageVulns>>,
    /// A line to select once the rows are derived (`site|area`, from an overview problem).
    pub std_pending: Option<String>,
}

impl State {
    /// The rows of the second table of the view on screen, if it has one.
    pub fn lower_len(&self) -> Option<usize> {
        match self.route {
            Route::Backup => Some(self.views.action_rows.len()),
            Route::BareMetal => Some(self.views.class_rows.len()),
            // The Events of the selected object; the selected Application in full.
            Route::Cluster { .. } => Some(self.views.events.len()),
            Route::GitOps => Some(
                self.views
                    .gitops_rows
                    .get(self.views.gitops.selected)
                    .map_or(0, gitops::detail_len),
            ),
            _ => None,
        }
    }

    /// How many rows the focused second table shows (`layout::split_lower`).
    pub fn lower_height(&self) -> usize {
        let (_, body, _) =
            crate::app::layout::bars(ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1));
        let (_, bottom) = crate::app::layout::split_lower(body, self.table_height(), true);
        crate::app::layout::table_rows(bottom).max(1)
    }
}

impl State {
    pub fn nav(&self) -> Option<&TableNav> {
        match self.route {
            Route::Browser | Route::Changes | Route::Reconcile => None,
            Route::Fleet => Some(&self.views.fleet),
            Route::Cluster { .. } => Some(&self.views.cluster),
            Route::Nodes => Some(&self.views.nodes),
            Route::BareMetal => Some(&self.views.servers),
            Route::Storage => Some(&self.views.storage),
            Route::Backup => Some(&self.views.backup),
            Route::GitOps => Some(&self.views.gitops),
            Route::Overview => Some(&self.views.overview),
            Route::Workloads => Some(&self.views.workloads),
            Route::Logs => Some(&self.views.logs_nav),
            Route::Images => Some(&self.images.nav),
            Route::Standards => Some(&self.views.standards),
        }
    }

    pub(crate) fn nav_mut(&mut self) -> Option<&mut TableNav> {
        match self.route {
            Route::Browser | Route::Changes | Route::Reconcile => None,
            Route::Fleet => Some(&mut self.views.fleet),
            Route::Cluster { .. } => Some(&mut self.views.cluster),
            Route::Nodes => Some(&mut self.views.nodes),
            Route::BareMetal => Some(&mut self.views.servers),
            Route::Storage => Some(&mut self.views.storage),
            Route::Backup => Some(&mut self.views.backup),
            Route::GitOps => Some(&mut self.views.gitops),
            Route::Overview => Some(&mut self.views.overview),
            Route::Workloads => Some(&mut self.views.workloads),
            Route::Logs => Some(&mut self.views.logs_nav),
            Route::Images => Some(&mut self.images.nav),
            Route::Standards => Some(&mut self.views.standards),
        }
    }

    /// A live view without rows on screen, and the first objects of a kind just arrived: the
    /// frame that shows them should not wait for `min_frame` (the event loop draws it at once).
    /// At most one such frame per kind and source that gets its first objects, and none once
    /// the view has rows.
    pub fn awaits_first_rows(&self) -> bool {
        self.live.changed.first
            && !matches!(
                self.route,
                Route::Browser | Route::Changes | Route::Reconcile
            )
            && self.table_len() == 0
    }

    pub(crate) fn table_len(&self) -> usize {
        match self.route {
            Route::Browser | Route::Changes | Route::Reconcile => 0,
            Route::Fleet => self.views.fleet_rows.len(),
            Route::Cluster { .. } => self.views.tree.len(),
            Route::Nodes => self.views.node_rows.len(),
            Route::BareMetal => self.views.server_rows.len(),
            Route::Storage => self.views.storage_rows.len(),
            Route::Backup => self.views.backup_rows.len(),
            Route::GitOps => self.views.gitops_rows.len(),
            Route::Overview => self.views.overview_rows.len(),
            Route::Workloads => self.views.workload_rows.len(),
            Route::Logs => self.views.logs.as_ref().map_or(0, |l| l.lines.len()),
            Route::Images => self.images.rows.len(),
            Route::Standards => self.views.standard_rows.len(),
        }
    }

    /// Rows of table visible in the live views (header, footer, borders and the column header
    /// taken off; the cluster view gives a third to the events).
    pub fn table_height(&self) -> usize {
        let body = self.size.1.saturating_sub(5) as usize;
        match self.route {
            Route::Cluster { .. } | Route::Backup | Route::GitOps | Route::Images => {
                body - body / 3
            }
            Route::BareMetal => body.saturating_sub(body / 4),
            _ => body,
        }
    }

    /// The live object under the selection.
    pub fn selected_live(&self) -> Option<ObjRef> {
        self.live_at(self.nav()?.selected)
    }

    /// The live object of row `i` of the table on screen.
    pub fn live_at(&self, i: usize) -> Option<ObjRef> {
        match &self.route {
            Route::Browser => None,
            Route::Fleet => self.views.fleet_rows.get(i).map(|r| ObjRef {
                source: r.source.clone(),
                kind: "Cluster",
                key: r.key.clone(),
            }),
            Route::Cluster { .. } => self
                .views
                .tree
                .get(i)
                .filter(|r| !r.obj.kind.is_empty())
                .map(|r| r.obj.clone()),
            Route::Nodes => self.views.node_rows.get(i).map(|r| ObjRef {
                source: r.cluster.clone(),
                kind: "Node",
                key: ObjKey::new(None, &r.name),
            }),
            Route::BareMetal => self.views.server_rows.get(i).map(|r| ObjRef {
                source: r.source.clone(),
                kind: "Server",
                key: ObjKey::new(None, &r.name),
            }),
            Route::Storage => self
                .views
                .storage_rows
                .get(i)
                .filter(|r| !r.key.name.is_empty())
                .map(|r| ObjRef {
                    source: r.site.clone(),
                    kind: if r.kind == "MinIO" {
                        "StatefulSet"
                    } else {
                        r.kind
                    },
                    key: r.key.clone(),
                }),
            Route::Backup => self.views.backup_rows.get(i).map(|r| ObjRef {
                source: r.site.clone(),
                kind: r.kind,
                key: r.key.clone(),
            }),
            Route::GitOps => self.views.gitops_rows.get(i).map(|r| ObjRef {
                source: r.site.clone(),
                kind: r.kind,
                key: r.key.clone(),
            }),
            Route::Workloads => self.views.workload_rows.get(i).map(|r| ObjRef {
                source: r.site.clone(),
                kind: r.kind,
                key: r.key.clone(),
            }),
            Route::Logs => self.views.logs.as_ref().map(|l| ObjRef {
                source: l.source.clone(),
                kind: "Pod",
                key: ObjKey::new(Some(&l.namespace), &l.pod),
            }),
            Route::Standards => match &self.views.standard_rows.get(i)?.target {
                super::standards::Target::Live {
                    site, kind, key, ..
                } => Some(ObjRef {
                    source: site.clone(),
                    kind,
                    key: key.clone(),
                }),
                _ => None,
            },
            Route::Overview | Route::Changes | Route::Reconcile | Route::Images => None,
        }
    }
}

/// Derives the rows of the view on screen from what changed since the last batch. Called once
/// per batch of messages (by the runtime before drawing, by tests after their messages).
pub fn settle(state: &mut State) -> Vec<Effect> {
    let mut fx = vec![];
    if !state.live.changed.any() {
        return fx;
    }
    if state.reconcile.is_some() {
        crate::app::reconcile::refresh(state);
    }
    drill::refresh_inspect(state);
    let changed = std::mem::take(&mut state.live.changed);
    let height = state.table_height();
    let live = &state.live;
    let v = &mut state.views;
    let repo_side = match &state.repo.index {
        crate::app::browser::Loadable::Loaded(i) => Some(&i.standards),
        _ => None,
    };
    match &mut state.route {
        Route::Browser | Route::Changes | Route::Reconcile => {}
        Route::Fleet => {
            if changed.touches(&fleet::KINDS) {
                let rows = fleet::rows(live, v.fleet.sort, &v.fleet.filter);
                v.fleet.rederive(
                    &mut v.fleet_rows,
                    rows,
                    |r| (r.key.to_string(), &r.key.name),
                    height,
                );
            }
        }
        Route::Cluster { source, key } => {
            // `--view cluster/NAME`: find the cluster's source and namespace once it shows up.
            if (source.is_empty() || key.namespace.is_none())
                && let Some((s, k)) = find_cluster(live, &key.name, key.namespace.as_deref())
            {
                *source = s;
                *key = k;
            }
            let keep = v.tree.get(v.cluster.selected).map(|r| r.obj.clone());
            v.tree = cluster::tree(live, source, key);
            if let Some(k) = keep
                && let Some(i) = v.tree.iter().position(|r| r.obj == k)
            {
                v.cluster.selected = i;
            }
            if let Some(p) = v.cluster.pending.clone()
                && let Some(i) = v
                    .tree
                    .iter()
                    .position(|r| format!("{}/{}", r.obj.kind, r.obj.key) == p)
            {
                v.cluster.selected = i;
                v.cluster.pending = None;
            }
            v.cluster.clamp(v.tree.len(), height);
            v.events = v
                .tree
                .get(v.cluster.selected)
                .map(|r| cluster::events(live, &r.obj))
                .unwrap_or_default();
        }
        Route::Nodes => {
            // Kept by (cluster, name) without formatting 10,000 keys per frame.
            let keep = v
                .node_rows
                .get(v.nodes.selected)
                .map(|r| (r.cluster.clone(), r.name.clone()));
            // Under churn only a few Nodes change: patch their rows instead of deriving all.
            let patched = !v.node_rows.is_empty()
                && changed.only_objects_of("Node").is_some_and(|objs| {
                    nodes::patch(live, &mut v.node_rows, &objs, v.nodes.sort, &v.nodes.filter)
                });
            if !patched {
                v.node_rows = nodes::rows(live, v.nodes.sort, &v.nodes.filter);
            }
            let pending = v.nodes.pending.clone().and_then(|p| {
                v.node_rows
                    .iter()
                    .position(|r| r.name == p || format!("{}/{}", r.cluster, r.name) == p)
            });
            if let Some(i) = pending {
                v.nodes.selected = i;
                v.nodes.pending = None;
            } else if let Some((c, n)) = keep
                && let Some(i) = v
                    .node_rows
                    .iter()
                    .position(|r| r.name == n && r.cluster == c)
            {
                v.nodes.selected = i;
            }
            v.nodes.clamp(v.node_rows.len(), height);
        }
        Route::BareMetal => {
            let (servers, classes) = baremetal::rows(live, v.servers.sort, &v.servers.filter);
            v.class_rows = classes;
            v.servers.rederive(
                &mut v.server_rows,
                servers,
                |r| (r.name.clone(), &r.name),
                height,
            );
        }
        Route::Storage => {
            let rows = storage::rows(live, v.thresholds, &v.storage.filter);
            v.storage.rederive(
                &mut v.storage_rows,
                rows,
                |r| (storage_key(r), &r.name),
                height,
            );
        }
        Route::Backup => {
            let rows = backup::rows(live, &v.backup.filter);
            v.backup.rederive(
                &mut v.backup_rows,
                rows,
                |r| (r.key.to_string(), &r.key.name),
                height,
            );
            v.action_rows = selected_actions(live, v);
        }
        Route::GitOps => {
            let wanted = gitops::wanted_revisions(live);
            if wanted != v.revisions_asked {
                v.revisions_asked = wanted.clone();
                fx.push(Effect::ReadRevisions(wanted));
            }
            let rows = gitops::rows(live, &v.revisions, &v.gitops.filter);
            v.gitops.rederive(
                &mut v.gitops_rows,
                rows,
                |r| (r.key.to_string(), &r.key.name),
                height,
            );
        }
        Route::Overview => {
            v.overview_rows = summary::overview(live, v.thresholds, &v.revisions);
            // The image store as the Standards view last settled it.
            if let Some(v2) = super::images::vulns(&state.images.all) {
                v.std_images = Some(v2);
            }
            let g = super::standards::gather(live, repo_side);
            let std = super::standards::per_site(&g, repo_side, v.std_images.as_deref());
            summary::add_standards(&mut v.overview_rows, &std, v.std_images.is_some());
            v.overview.clamp(v.overview_rows.len(), height);
            let problems = v
                .overview_rows
                .get(v.overview.selected)
                .map_or(0, |s| s.problems.len());
            if v.overview_problem.is_some_and(|p| p >= problems) {
                v.overview_problem = problems.checked_sub(1);
            }
        }
        Route::Workloads => {
            if changed.touches(&workloads::KINDS) {
                let rows = workloads::rows(live, v.workload_scope.as_ref(), &v.workloads.filter);
                v.workloads.rederive(
                    &mut v.workload_rows,
                    rows,
                    |r| (r.id(), &r.key.name),
                    height,
                );
            }
        }
        Route::Logs => {}
        Route::Images => {
            if changed.touches(&super::images::KINDS) {
                super::images::settle(live, &mut state.images, height, &mut fx);
            }
        }
        Route::Standards => {
            // The images' lines are the image store's (the Images view's rows, settled once):
            // kept settled while on screen. While no image has a source (no Clair, no Trivy
            // report), what `Msg::ImageVulns` gave is kept (none: no report data).
            if changed.touches(&super::images::KINDS) {
                fx.extend(
                    super::images::refresh(live, &mut state.images)
                        .into_iter()
                        .map(Effect::from),
                );
            }
            if let Some(v2) = super::images::vulns(&state.images.all) {
                v.std_images = Some(v2);
            }
            let rows = super::standards::rows(
                live,
                repo_side,
                v.std_images.as_deref(),
                &v.standards.filter,
            );
            v.standards
                .rederive(&mut v.standard_rows, rows, |r| (r.key(), &r.site), height);
            if let Some(p) = v.std_pending.take() {
                select_pending(&mut v.standards, &v.standard_rows, &p, height);
            }
        }
    }
    crate::app::nav::resolve_jump(state, &mut fx);
    fx
}

/// Selects the first line of `site|area|id` (any id when empty) that fails (else the site's
/// header).
fn select_pending(
    nav: &mut TableNav,
    rows: &[super::standards::StdRow],
    pending: &str,
    height: usize,
) {
    let mut parts = pending.splitn(3, '|');
    let site = parts.next().unwrap_or("");
    let area = parts.next().unwrap_or("");
    let id = parts.next().unwrap_or("");
    let at = rows
        .iter()
        .position(|r| {
            !r.header && r.site == site && r.area == area && (id.is_empty() || r.id == id)
        })
        .or_else(|| rows.iter().position(|r| r.header && r.site == site));
    if let Some(i) = at {
        nav.selected = i;
        nav.clamp(rows.len(), height);
    }
}

fn storage_key(r: &StorageRow) -> String {
    format!("{}/{}/{}", r.site, r.kind, r.name)
}

/// The actions shown under the backup table: the selected policy's, or every action of the
/// site on a profile row.
fn selected_actions(live: &super::LiveState, v: &LiveViews) -> Vec<ActionRow> {
    let Some(r) = v.backup_rows.get(v.backup.selected) else {
        return backup::action_rows(live, None, None, v.failures_only, 200);
    };
    let policy = (r.kind == "Policy").then_some(r.key.name.as_str());
    backup::action_rows(live, Some(&r.site), policy, v.failures_only, 200)
}

fn find_cluster(
    live: &super::LiveState,
    name: &str,
    namespace: Option<&str>,
) -> Option<(String, ObjKey)> {
    for src in live.roots() {
        for o in src.objects(&kinds::CLUSTER) {
            let m = o.meta();
            if m.name == name && (namespace.is_none() || m.namespace.as_deref() == namespace) {
                return Some((src.id.clone(), ObjKey::new(m.namespace.as_deref(), name)));
            }
        }
    }
    None
}

/// Keys in the live views.
pub fn live_action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    if drill::inspect_key(state, action, fx)
        || (state.route == Route::Logs && drill::logs_key(state, action, fx))
    {
        return;
    }
    if state.route == Route::Overview && matches!(action, Action::Up | Action::Down) {
        drill::overview_move(state, if action == Action::Down { 1 } else { -1 });
        return;
    }
    let height = state.table_height();
    let len = state.table_len();
    match action {
        // Tab: between the two tables of a view that has two.
        Action::FocusNext | Action::FocusPrev if state.lower_len().is_some() => {
            state.views.lower_focus = !state.views.lower_focus;
        }
        _ if state.views.lower_focus
            && let Some(n) = state.lower_len()
            && let Some(delta) = action.movement(state.lower_height()) =>
        {
            let h = state.lower_height();
            let l = &mut state.views.lower;
            l.selected = (l.selected as i64 + delta).clamp(0, n.saturating_sub(1) as i64) as usize;
            l.clamp(n, h);
        }
        Action::Quit => crate::app::changes::ask_quit(state, fx),
        Action::Back => {
            let filtered = state.nav().is_some_and(|n| !n.filter.is_empty());
            if filtered {
                if let Some(n) = state.nav_mut() {
                    n.filter.clear();
                }
                state.live.changed.sources = true;
                fx.extend(settle(state));
            } else if state.route == Route::Workloads && state.views.workload_scope.is_some() {
                state.views.workload_scope = None;
                state.live.changed.sources = true;
                fx.extend(settle(state));
            } else if !back(state, fx) {
                // Esc never quits (q does).
                state.toast(false, "nothing to go back to (q quits)");
            }
        }
        _ if let Some(delta) = action.movement(height) => {
            if let Some(n) = state.nav_mut() {
                n.selected =
                    (n.selected as i64 + delta).clamp(0, len.saturating_sub(1) as i64) as usize;
                n.clamp(len, height);
            }
            if state.route == Route::Overview {
                state.views.overview_problem = None;
            }
            if state.route == Route::Backup {
                state.views.action_rows = selected_actions(&state.live, &state.views);
                state.views.lower = Default::default();
            }
            if matches!(state.route, Route::Cluster { .. } | Route::GitOps) {
                // Another object: its events or detail from the top.
                state.views.lower = Default::default();
            }
            if matches!(state.route, Route::Cluster { .. }) {
                let live = &state.live;
                state.views.events = state
                    .views
                    .tree
                    .get(state.views.cluster.selected)
                    .map(|r| cluster::events(live, &r.obj))
                    .unwrap_or_default();
            }
        }
        Action::Open => open(state, fx),
        Action::Filter => {
            if let Some(n) = state.nav_mut() {
                n.filtering = true;
            }
        }
        Action::Sort => {
            let cols = match state.route {
                Route::Fleet => fleet::SORT_COLUMNS.len(),
                Route::Nodes => nodes::SORT_COLUMNS.len(),
                Route::BareMetal => baremetal::SORT_COLUMNS.len(),
                _ => 1,
            };
            if let Some(n) = state.nav_mut() {
                n.sort = (n.sort + 1) % cols;
            }
            state.live.changed.sources = true;
            fx.extend(settle(state));
        }
        Action::Jump => jump_to_repo(state, fx),
        Action::Failures if state.route == Route::Backup => {
            state.views.failures_only = !state.views.failures_only;
            state.views.action_rows = selected_actions(&state.live, &state.views);
        }
        Action::Contexts => crate::app::overlay::open_picker(state),
        Action::IndexImage if state.route == Route::Images => {
            super::images::index_selected(state, fx)
        }
        Action::Rescan if state.route == Route::Images => super::images::rescan(state, fx),
        Action::Inspect | Action::Events if state.route == Route::Images => {
            let notes = super::images::notes(state);
            drill::open_inspect(state, notes, fx)
        }
        Action::Inspect | Action::Events => drill::open_inspect(state, vec![], fx),
        Action::Workloads => drill::workloads_behind(state, fx),
        Action::Logs => drill::open_logs(state, fx),
        Action::QuickAction => match defining_resource(state) {
            Ok((file, res)) => crate::app::quick_on(state, file, res, fx),
            Err(Some(why)) => state.toast(false, why),
            Err(None) => state.toast(false, "select an object for its quick actions"),
        },
        _ => state.dirty = false,
    }
}

/// Typing into a live view's filter.
pub fn filter_edit(
    state: &mut State,
    action: Option<Action>,
    ch: Option<char>,
    fx: &mut Vec<Effect>,
) {
    let logs = state.route == Route::Logs;
    let Some(n) = state.nav_mut() else { return };
    let before = n.filter.clone();
    match (action, ch) {
        (Some(Action::Accept), _) => n.filtering = false,
        (Some(Action::Back), _) => {
            n.filtering = false;
            n.filter.clear();
        }
        (Some(Action::DeleteChar), _) => {
            n.filter.pop();
        }
        (Some(Action::ClearInput), _) => n.filter.clear(),
        (None, Some(c)) => n.filter.push(c),
        _ => return,
    }
    // Rows are derived again only when the text changed (closing the input costs nothing).
    let changed = n.filter != before;
    if changed && logs {
        drill::search_changed(state);
    } else if changed {
        n.selected = 0;
        n.offset = 0;
        state.live.changed.sources = true;
        fx.extend(settle(state));
    }
    state.dirty = true;
}

fn open(state: &mut State, fx: &mut Vec<Effect>) {
    if state.route == Route::Overview && drill::open_problem(state, fx) {
        return;
    }
    match &state.route {
        Route::Fleet => {
            if let Some(r) = state.views.fleet_rows.get(state.views.fleet.selected) {
                let route = Route::Cluster {
                    source: r.source.clone(),
                    key: r.key.clone(),
                };
                go(state, route, fx);
            }
        }
        Route::Cluster { .. } => {
            let Some(obj) = state.selected_live() else {
                return;
            };
            match obj.kind {
                "Node" => {
                    state.views.nodes.pending = Some(format!("{}/{}", obj.source, obj.key.name));
                    go(state, Route::Nodes, fx);
                }
                _ => jump_to_repo(state, fx),
            }
        }
        Route::Nodes => {
            let Some(r) = state.views.node_rows.get(state.views.nodes.selected) else {
                return;
            };
            if let Some(m) = r.machine.clone() {
                let cluster = r.cluster.clone();
                state.views.cluster.pending = Some(format!("Machine/{m}"));
                let route = Route::Cluster {
                    source: String::new(),
                    key: ObjKey::new(m.namespace.as_deref(), &cluster),
                };
                go(state, route, fx);
            } else {
                state.toast(false, format!("{} has no Cluster API Machine", r.name));
            }
        }
        Route::BareMetal => {
            let Some(r) = state.views.server_rows.get(state.views.servers.selected) else {
                return;
            };
            if let (Some(m), Some(c)) = (r.machine.clone(), r.cluster.clone()) {
                let route = Route::Cluster {
                    source: r.source.clone(),
                    key: ObjKey::new(m.namespace.as_deref(), &c),
                };
                state.views.cluster.pending = Some(format!("Machine/{m}"));
                go(state, route, fx);
            } else {
                jump_to_repo(state, fx);
            }
        }
        Route::Storage | Route::Backup => jump_to_repo(state, fx),
        Route::GitOps => {
            let Some(r) = state.views.gitops_rows.get(state.views.gitops.selected) else {
                return;
            };
            match r.paths.first().cloned() {
                Some(path) => open_repo_path(state, &path, fx),
                None => jump_to_repo(state, fx),
            }
        }
        Route::Workloads => {
            let pod = state
                .views
                .workload_rows
                .get(state.views.workloads.selected)
                .is_some_and(|r| r.pod);
            if pod {
                drill::open_inspect(state, vec![], fx);
            } else {
                drill::open_logs(state, fx);
            }
        }
        Route::Logs => {}
        Route::Images => {
            let notes = super::images::notes(state);
            drill::open_inspect(state, notes, fx);
        }
        Route::Standards => super::standards::open(state, fx),
        Route::Overview => {
            let Some(s) = state.views.overview_rows.get(state.views.overview.selected) else {
                return;
            };
            let site = s.site.clone();
            match find_cluster(&state.live, &site, None) {
                Some((source, key)) => go(state, Route::Cluster { source, key }, fx),
                None => go(state, Route::GitOps, fx),
            }
        }
        Route::Browser | Route::Changes | Route::Reconcile => {}
    }
}
