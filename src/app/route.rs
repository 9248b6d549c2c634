//! Which view is on screen, the live views' selection/sort/filter, the derived rows they draw,
//! and the jumps between the repo and the live objects.

use super::live::backup::{self, ActionRow, BackupRow};
use super::live::baremetal::{self, ClassRow, ServerRow};
use super::live::cluster::{self, EventRow, LiveRef, TreeRow};
use super::live::fleet::{self, FleetRow};
use super::live::gitops::{self, GitOpsRow, Revisions};
use super::live::nodes::{self, NodeRow};
use super::live::storage::{self, StorageRow, Thresholds};
use super::live::summary::{self, SiteSummary};
use super::live::{ObjKey, Scope, Want};
use super::{Effect, State};
use crate::keymap::Action;
use crate::model::kinds::{self, KindInfo};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Route {
    #[default]
    Browser,
    Fleet,
    /// One cluster, on the root `source`.
    Cluster {
        source: String,
        key: ObjKey,
    },
    Nodes,
    BareMetal,
    Storage,
    Backup,
    GitOps,
    Overview,
    /// The changes view: git status, diffs, commit and push.
    Changes,
    /// The last push, followed through Argo CD.
    Reconcile,
}

impl Route {
    /// Parses `--view`: `repo`, `fleet`, `cluster/NAME` (or `cluster/NAMESPACE/NAME`), `nodes`,
    /// `baremetal`, `storage`, `backup`, `gitops`, `overview`.
    pub fn parse(s: &str) -> Result<Route, String> {
        match s {
            "repo" | "browser" => Ok(Route::Browser),
            "fleet" => Ok(Route::Fleet),
            "nodes" => Ok(Route::Nodes),
            "baremetal" | "bare-metal" | "servers" => Ok(Route::BareMetal),
            "storage" => Ok(Route::Storage),
            "backup" | "backups" => Ok(Route::Backup),
            "gitops" | "argocd" => Ok(Route::GitOps),
            "overview" => Ok(Route::Overview),
            "changes" => Ok(Route::Changes),
            _ => match s.strip_prefix("cluster/") {
                Some(rest) if !rest.is_empty() => {
                    let key = match rest.split_once('/') {
                        Some((ns, name)) => ObjKey::new(Some(ns), name),
                        // The namespace is found when the cluster shows up.
                        None => ObjKey::new(None, rest),
                    };
                    Ok(Route::Cluster {
                        source: String::new(),
                        key,
                    })
                }
                _ => Err(format!(
                    "unknown view \"{s}\"; use repo, fleet, cluster/NAME, nodes, baremetal, storage, backup, gitops, overview or changes"
                )),
            },
        }
    }

    /// The view a `view_*` action shows (`view_changes` also loads it: `changes::open`).
    pub fn for_action(action: Action) -> Option<Route> {
        Some(match action {
            Action::ViewRepo => Route::Browser,
            Action::ViewFleet => Route::Fleet,
            Action::ViewNodes => Route::Nodes,
            Action::ViewBareMetal => Route::BareMetal,
            Action::ViewStorage => Route::Storage,
            Action::ViewBackup => Route::Backup,
            Action::ViewGitOps => Route::GitOps,
            Action::ViewOverview => Route::Overview,
            Action::ViewReconcile => Route::Reconcile,
            Action::ViewChanges => Route::Changes,
            _ => return None,
        })
    }

    pub fn is_live(&self) -> bool {
        !matches!(self, Route::Browser)
    }

    pub fn title(&self) -> String {
        match self {
            Route::Browser => "Repo".into(),
            Route::Fleet => "Fleet".into(),
            Route::Cluster { key, .. } => format!("Cluster {}", key.name),
            Route::Nodes => "Nodes".into(),
            Route::BareMetal => "Bare metal".into(),
            Route::Storage => "Storage".into(),
            Route::Backup => "Backup".into(),
            Route::GitOps => "GitOps".into(),
            Route::Overview => "Overview".into(),
            Route::Changes => "Changes".into(),
            Route::Reconcile => "Reconcile".into(),
        }
    }

    /// The watches this view needs.
    pub fn wants(&self) -> Vec<Want> {
        let roots = |ks: &[KindInfo]| {
            ks.iter()
                .map(|k| Want {
                    scope: Scope::Roots,
                    kind: *k,
                })
                .collect::<Vec<_>>()
        };
        // Storage, backup and the infrastructure run on every site, the management cluster too.
        let everywhere = |ks: &[KindInfo]| {
            let mut w = roots(ks);
            w.extend(ks.iter().map(|k| Want {
                scope: Scope::Workloads,
                kind: *k,
            }));
            w
        };
        match self {
            // The browser shows which Applications deploy the selected folder. (The reconcile
            // view's other watches come from the tracking: `request_watches`.)
            Route::Browser | Route::Changes | Route::Reconcile => roots(&[kinds::APPLICATION]),
            Route::Fleet => roots(&fleet::KINDS),
            Route::Cluster { key, .. } => {
                let mut w = roots(&cluster::ROOT_KINDS);
                w.extend(cluster::WORKLOAD_KINDS.iter().map(|k| Want {
                    scope: Scope::Workload(key.name.clone()),
                    kind: *k,
                }));
                w
            }
            Route::Nodes => {
                let mut w = roots(&nodes::ROOT_KINDS);
                w.extend(nodes::WORKLOAD_KINDS.iter().map(|k| Want {
                    scope: Scope::Workloads,
                    kind: *k,
                }));
                w
            }
            Route::BareMetal => roots(&baremetal::KINDS),
            Route::Storage => everywhere(&storage::KINDS),
            Route::Backup => everywhere(&backup::KINDS),
            Route::GitOps => everywhere(&gitops::KINDS),
            Route::Overview => {
                let mut w = roots(&fleet::KINDS);
                w.extend(everywhere(&storage::KINDS));
                w.extend(everywhere(&backup::KINDS));
                w.extend(everywhere(&gitops::KINDS));
                w.sort();
                w.dedup();
                w
            }
        }
    }
}

/// Selection, scroll, sort and filter of one table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableNav {
    pub selected: usize,
    pub offset: usize,
    pub sort: usize,
    pub filter: String,
    /// The filter input is open.
    pub filtering: bool,
    /// An object to select once it shows up (after a jump or `--view`).
    pub pending: Option<String>,
}

impl TableNav {
    fn clamp(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }
}

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
    /// `(revision, path)` pairs last asked of the git worker, and a new set to ask (taken by
    /// the runtime).
    pub revisions_asked: Vec<(String, String)>,
    pub ask_revisions: Option<Vec<(String, String)>>,
    pub overview: TableNav,
    pub overview_rows: Vec<SiteSummary>,
    /// The context switcher: each context and whether it is ticked.
    pub picker: Option<Picker>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    pub items: Vec<(String, bool)>,
    pub selected: usize,
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
        }
    }

    fn nav_mut(&mut self) -> Option<&mut TableNav> {
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
        }
    }

    fn table_len(&self) -> usize {
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
        }
    }

    /// Rows of table visible in the live views (header, footer, borders and the column header
    /// taken off; the cluster view gives a third to the events).
    pub fn table_height(&self) -> usize {
        let body = self.size.1.saturating_sub(5) as usize;
        match self.route {
            Route::Cluster { .. } | Route::Backup | Route::GitOps => body - body / 3,
            Route::BareMetal => body.saturating_sub(body / 4),
            _ => body,
        }
    }

    /// The live object under the selection.
    pub fn selected_live(&self) -> Option<LiveRef> {
        let nav = self.nav()?;
        match &self.route {
            Route::Browser => None,
            Route::Fleet => self.views.fleet_rows.get(nav.selected).map(|r| LiveRef {
                source: r.source.clone(),
                kind: "Cluster",
                key: r.key.clone(),
            }),
            Route::Cluster { .. } => self
                .views
                .tree
                .get(nav.selected)
                .filter(|r| !r.obj.kind.is_empty())
                .map(|r| r.obj.clone()),
            Route::Nodes => self.views.node_rows.get(nav.selected).map(|r| LiveRef {
                source: r.cluster.clone(),
                kind: "Node",
                key: ObjKey::new(None, &r.name),
            }),
            Route::BareMetal => self.views.server_rows.get(nav.selected).map(|r| LiveRef {
                source: r.source.clone(),
                kind: "Server",
                key: ObjKey::new(None, &r.name),
            }),
            Route::Storage => self
                .views
                .storage_rows
                .get(nav.selected)
                .filter(|r| !r.key.name.is_empty())
                .map(|r| LiveRef {
                    source: r.site.clone(),
                    kind: if r.kind == "MinIO" {
                        "StatefulSet"
                    } else {
                        r.kind
                    },
                    key: r.key.clone(),
                }),
            Route::Backup => self.views.backup_rows.get(nav.selected).map(|r| LiveRef {
                source: r.site.clone(),
                kind: r.kind,
                key: r.key.clone(),
            }),
            Route::GitOps => self.views.gitops_rows.get(nav.selected).map(|r| LiveRef {
                source: r.site.clone(),
                kind: r.kind,
                key: r.key.clone(),
            }),
            Route::Overview | Route::Changes | Route::Reconcile => None,
        }
    }
}

/// Switches to a view, remembering where we came from, and asks for the watches it needs.
pub fn go(state: &mut State, route: Route, fx: &mut Vec<Effect>) {
    if state.route != route {
        let prev = std::mem::replace(&mut state.route, route);
        state.back.push(prev);
        if state.back.len() > 50 {
            state.back.remove(0);
        }
    }
    if let Route::Cluster { .. } = state.route {
        state.views.cluster.selected = 0;
        state.views.cluster.offset = 0;
    }
    state.live.changed.sources = true;
    settle(state);
    request_watches(state, fx);
    state.dirty = true;
}

/// Back to the previous view; false when there is none.
pub fn back(state: &mut State, fx: &mut Vec<Effect>) -> bool {
    match state.back.pop() {
        Some(r) => {
            state.route = r;
            state.live.changed.sources = true;
            settle(state);
            request_watches(state, fx);
            state.dirty = true;
            true
        }
        None => false,
    }
}

pub fn request_watches(state: &mut State, fx: &mut Vec<Effect>) {
    let mut wants = state.route.wants();
    // A push being followed keeps its Applications, Machines and Nodes watched in every view.
    if let Some(t) = state
        .reconcile
        .as_ref()
        .filter(|t| t.finished.is_none() || state.route == Route::Reconcile)
    {
        wants.extend(t.wants());
        wants.sort();
        wants.dedup();
    }
    if wants != state.live.wants {
        state.live.wants = wants.clone();
        fx.push(Effect::Watch(wants));
    }
}

/// Derives the rows of the view on screen from what changed since the last batch. Called once
/// per batch of messages (by the runtime before drawing, by tests after their messages).
pub fn settle(state: &mut State) {
    if !state.live.changed.any() {
        return;
    }
    if state.reconcile.is_some() {
        super::reconcile::refresh(state);
    }
    let changed = std::mem::take(&mut state.live.changed);
    let height = state.table_height();
    let live = &state.live;
    let v = &mut state.views;
    match &mut state.route {
        Route::Browser | Route::Changes | Route::Reconcile => {}
        Route::Fleet => {
            if changed.touches(&fleet::KINDS) {
                let keep = v.fleet_rows.get(v.fleet.selected).map(|r| r.key.clone());
                v.fleet_rows = fleet::rows(live, v.fleet.sort, &v.fleet.filter);
                reselect(
                    &mut v.fleet,
                    v.fleet_rows
                        .iter()
                        .map(|r| (r.key.to_string(), &r.key.name)),
                    keep.map(|k| k.to_string()),
                );
                v.fleet.clamp(v.fleet_rows.len(), height);
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
            let keep = v
                .server_rows
                .get(v.servers.selected)
                .map(|r| r.name.clone());
            (v.server_rows, v.class_rows) =
                baremetal::rows(live, v.servers.sort, &v.servers.filter);
            reselect(
                &mut v.servers,
                v.server_rows.iter().map(|r| (r.name.clone(), &r.name)),
                keep,
            );
            v.servers.clamp(v.server_rows.len(), height);
        }
        Route::Storage => {
            let keep = v.storage_rows.get(v.storage.selected).map(storage_key);
            v.storage_rows = storage::rows(live, v.thresholds, &v.storage.filter);
            reselect(
                &mut v.storage,
                v.storage_rows.iter().map(|r| (storage_key(r), &r.name)),
                keep,
            );
            v.storage.clamp(v.storage_rows.len(), height);
        }
        Route::Backup => {
            let keep = v
                .backup_rows
                .get(v.backup.selected)
                .map(|r| r.key.to_string());
            v.backup_rows = backup::rows(live, &v.backup.filter);
            reselect(
                &mut v.backup,
                v.backup_rows
                    .iter()
                    .map(|r| (r.key.to_string(), &r.key.name)),
                keep,
            );
            v.backup.clamp(v.backup_rows.len(), height);
            v.action_rows = selected_actions(live, v);
        }
        Route::GitOps => {
            let wanted = gitops::wanted_revisions(live);
            if wanted != v.revisions_asked {
                v.revisions_asked = wanted.clone();
                v.ask_revisions = Some(wanted);
            }
            let keep = v
                .gitops_rows
                .get(v.gitops.selected)
                .map(|r| r.key.to_string());
            v.gitops_rows = gitops::rows(live, &v.revisions, &v.gitops.filter);
            reselect(
                &mut v.gitops,
                v.gitops_rows
                    .iter()
                    .map(|r| (r.key.to_string(), &r.key.name)),
                keep,
            );
            v.gitops.clamp(v.gitops_rows.len(), height);
        }
        Route::Overview => {
            v.overview_rows = summary::overview(live, v.thresholds, &v.revisions);
            v.overview.clamp(v.overview_rows.len(), height);
        }
    }
}

fn storage_key(r: &StorageRow) -> String {
    format!("{}/{}/{}", r.site, r.kind, r.name)
}

/// The actions shown under the backup table: the selected policy's, or every action of the
/// site on a profile row.
fn selected_actions(live: &super::live::LiveState, v: &LiveViews) -> Vec<ActionRow> {
    let Some(r) = v.backup_rows.get(v.backup.selected) else {
        return backup::action_rows(live, None, None, v.failures_only, 200);
    };
    let policy = (r.kind == "Policy").then_some(r.key.name.as_str());
    backup::action_rows(live, Some(&r.site), policy, v.failures_only, 200)
}

/// Keeps the selected row selected when rows move; honours a pending selection (matched by
/// full key or by name).
fn reselect<'a>(
    nav: &mut TableNav,
    rows: impl Iterator<Item = (String, &'a String)>,
    keep: Option<String>,
) {
    let rows: Vec<(String, &String)> = rows.collect();
    if let Some(p) = nav.pending.clone()
        && let Some(i) = rows.iter().position(|(k, n)| *k == p || **n == p)
    {
        nav.selected = i;
        nav.pending = None;
        return;
    }
    if let Some(k) = keep
        && let Some(i) = rows.iter().position(|(key, _)| *key == k)
    {
        nav.selected = i;
    }
}

fn find_cluster(
    live: &super::live::LiveState,
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
    let height = state.table_height();
    let len = state.table_len();
    match action {
        Action::Quit => super::quit(state, fx),
        Action::Back => {
            let filtered = state.nav().is_some_and(|n| !n.filter.is_empty());
            if filtered {
                if let Some(n) = state.nav_mut() {
                    n.filter.clear();
                }
                state.live.changed.sources = true;
                settle(state);
            } else if !back(state, fx) {
                super::quit(state, fx);
            }
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            let delta: i64 = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -(height as i64),
                Action::PageDown => height as i64,
                Action::Top => i64::MIN / 2,
                _ => i64::MAX / 2,
            };
            if let Some(n) = state.nav_mut() {
                n.selected =
                    (n.selected as i64 + delta).clamp(0, len.saturating_sub(1) as i64) as usize;
                n.clamp(len, height);
            }
            if state.route == Route::Backup {
                state.views.action_rows = selected_actions(&state.live, &state.views);
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
            settle(state);
        }
        Action::Jump => jump_to_repo(state, fx),
        Action::Failures if state.route == Route::Backup => {
            state.views.failures_only = !state.views.failures_only;
            state.views.action_rows = selected_actions(&state.live, &state.views);
        }
        Action::Contexts => open_picker(state),
        Action::QuickAction => match defining_resource(state) {
            Ok((file, res)) => super::quick_on(state, file, res, fx),
            Err(Some(why)) => state.toast(false, why),
            Err(None) => state.toast(false, "select an object for its quick actions"),
        },
        _ => state.dirty = false,
    }
}

/// Typing into a live view's filter.
pub fn filter_edit(state: &mut State, action: Option<Action>, ch: Option<char>) {
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
    if changed {
        n.selected = 0;
        n.offset = 0;
        state.live.changed.sources = true;
        settle(state);
    }
    state.dirty = true;
}

fn open(state: &mut State, fx: &mut Vec<Effect>) {
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

/// Opens the repo browser on a path (an Application's source path).
fn open_repo_path(state: &mut State, path: &str, fx: &mut Vec<Effect>) {
    go(state, Route::Browser, fx);
    if !state.reveal_path(path, fx) {
        state.toast(false, format!("{path} is not in this repo"));
    }
}

/// From the selected live object to the repo file that defines it: the resource with the same
/// kind, namespace and name (a resource without a namespace matches any), else the one named by
/// the object's ArgoCD tracking id.
pub fn jump_to_repo(state: &mut State, fx: &mut Vec<Effect>) {
    match defining_resource(state) {
        Ok((fi, ri)) => {
            let Some(index) = state.index() else { return };
            let path = index.files[fi].path.clone();
            let doc = index.files[fi].resources[ri].doc;
            go(state, Route::Browser, fx);
            super::reveal_and_select(state, &format!("r:{path}#{doc}"), fx);
        }
        Err(Some(why)) => state.toast(false, why),
        Err(None) => {}
    }
}

/// The repo resource (file and resource index) that defines the selected live object: the
/// resource with the same kind, namespace and name (a resource without a namespace matches
/// any), else the one named by the object's ArgoCD tracking id. `Err(Some)` says why there is
/// none; `Err(None)`: nothing is selected.
pub fn defining_resource(state: &State) -> Result<(usize, usize), Option<String>> {
    let Some(obj) = state.selected_live() else {
        return Err(None);
    };
    let tracking = tracking_target(state, &obj);
    let Some(index) = state.index() else {
        return Err(Some("the repo is still being indexed".into()));
    };
    let find = |kind: &str, ns: Option<&str>, name: &str| {
        index.files.iter().enumerate().find_map(|(fi, f)| {
            f.resources
                .iter()
                .position(|r| {
                    r.kind.as_deref() == Some(kind)
                        && r.name.as_deref() == Some(name)
                        && (r.namespace.is_none() || ns.is_none() || r.namespace.as_deref() == ns)
                })
                .map(|ri| (fi, ri))
        })
    };
    // A kind key (`User.minio.crossplane.io`) names the kind without its group in the repo.
    let kind_name = obj.kind.split('.').next().unwrap_or(obj.kind);
    find(kind_name, obj.key.namespace.as_deref(), &obj.key.name)
        .or_else(|| {
            tracking
                .as_ref()
                .and_then(|(k, ns, n)| find(k, ns.as_deref(), n))
        })
        .ok_or_else(|| {
            Some(format!(
                "no file in the repo defines {} {} (created by a controller?)",
                obj.kind, obj.key
            ))
        })
}

/// `argocd.argoproj.io/tracking-id` = `<app>:<group>/<kind>:<namespace>/<name>`.
fn tracking_target(state: &State, obj: &LiveRef) -> Option<(String, Option<String>, String)> {
    let src = state.live.sources.get(&obj.source)?;
    let kind = kinds::find_key(obj.kind)?;
    let store = src.store(kind)?;
    let super::live::Entry::Ok(o) = store.objects.get(&obj.key)? else {
        return None;
    };
    let id = o.meta().tracking_id.as_deref()?;
    let (_, rest) = id.split_once(':')?;
    let (gk, nn) = rest.split_once(':')?;
    let kind = gk.rsplit('/').next()?.to_string();
    let (ns, name) = nn.split_once('/')?;
    Some((
        kind,
        (!ns.is_empty()).then(|| ns.to_string()),
        name.to_string(),
    ))
}

/// From the selected repo resource to its live object: opens the view that shows its kind and
/// selects it there (once it arrives, if the view's watches are just starting).
pub fn jump_to_live(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(res) = state.selected_resource().cloned() else {
        state.toast(
            false,
            "select a resource (a YAML document) to jump to its live object",
        );
        return;
    };
    let (Some(kind), Some(name)) = (res.kind.clone(), res.name.clone()) else {
        return;
    };
    let ns = res.namespace.clone();
    let cluster_of = |state: &State| -> Option<String> {
        // The Cluster API cluster an object belongs to: its cluster-name label is not in the
        // index, so use the live object when present, else the name itself for a Cluster.
        for src in state.live.roots() {
            for k in kinds::ALL {
                if k.kind != kind {
                    continue;
                }
                if let Some(super::live::Entry::Ok(o)) = src
                    .store(k)
                    .and_then(|s| s.objects.get(&ObjKey::new(ns.as_deref(), &name)))
                {
                    return o
                        .meta()
                        .labels
                        .get("cluster.x-k8s.io/cluster-name")
                        .cloned();
                }
            }
        }
        None
    };
    match kind.as_str() {
        "Cluster" => go(
            state,
            Route::Cluster {
                source: String::new(),
                key: ObjKey {
                    namespace: ns,
                    name,
                },
            },
            fx,
        ),
        "Server" | "ServerClass" => {
            state.views.servers.pending = Some(name);
            go(state, Route::BareMetal, fx);
        }
        "Node" => {
            state.views.nodes.pending = Some(name);
            go(state, Route::Nodes, fx);
        }
        k if storage::KINDS.iter().any(|x| x.kind == k) => {
            state.views.storage.pending = Some(name);
            go(state, Route::Storage, fx);
        }
        k if backup::KINDS.iter().any(|x| x.kind == k) => {
            state.views.backup.pending = Some(name);
            go(state, Route::Backup, fx);
        }
        k if gitops::KINDS.iter().any(|x| x.kind == k) => {
            state.views.gitops.pending = Some(name);
            go(state, Route::GitOps, fx);
        }
        k if kinds::find_kind_name(k).is_some() => {
            // A Cluster API object: open its cluster with the object selected. Its cluster is
            // the cluster-name label, or by convention the namespace (one cluster per namespace
            // in this repo) until the live object is known.
            let cluster = cluster_of(state)
                .or_else(|| ns.clone())
                .unwrap_or_else(|| name.clone());
            state.views.cluster.pending =
                Some(format!("{k}/{}", ObjKey::new(ns.as_deref(), &name)));
            go(
                state,
                Route::Cluster {
                    source: String::new(),
                    key: ObjKey::new(ns.as_deref(), &cluster),
                },
                fx,
            );
        }
        _ => state.toast(
            false,
            format!("{kind} is not shown live (no view watches that kind)"),
        ),
    }
}

pub fn open_picker(state: &mut State) {
    let items = state
        .live
        .contexts
        .iter()
        .map(|c| (c.clone(), state.live.active_contexts.contains(c)))
        .collect::<Vec<_>>();
    if items.is_empty() {
        state.toast(false, "no kubeconfig contexts");
        return;
    }
    state.views.picker = Some(Picker { items, selected: 0 });
}

pub fn picker_action(state: &mut State, action: Action, fx: &mut Vec<Effect>) {
    let Some(p) = state.views.picker.as_mut() else {
        return;
    };
    match action {
        Action::Back => state.views.picker = None,
        Action::Up => p.selected = p.selected.saturating_sub(1),
        Action::Down => p.selected = (p.selected + 1).min(p.items.len().saturating_sub(1)),
        Action::Toggle => {
            if let Some(i) = p.items.get_mut(p.selected) {
                i.1 = !i.1;
            }
        }
        Action::Apply => {
            let active: Vec<String> = p
                .items
                .iter()
                .filter(|(_, on)| *on)
                .map(|(c, _)| c.clone())
                .collect();
            state.views.picker = None;
            if active.is_empty() {
                state.toast(false, "keep at least one context");
                return;
            }
            // The watches restart on the new contexts.
            state.live.wants.clear();
            fx.push(Effect::UseContexts(active));
            request_watches(state, fx);
        }
        _ => {}
    }
    state.dirty = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_parse() {
        assert_eq!(Route::parse("fleet"), Ok(Route::Fleet));
        assert_eq!(Route::parse("nodes"), Ok(Route::Nodes));
        assert_eq!(Route::parse("baremetal"), Ok(Route::BareMetal));
        assert_eq!(
            Route::parse("cluster/edge-berlin"),
            Ok(Route::Cluster {
                source: String::new(),
                key: ObjKey::new(None, "edge-berlin")
            })
        );
        assert_eq!(
            Route::parse("cluster/ns/edge"),
            Ok(Route::Cluster {
                source: String::new(),
                key: ObjKey::new(Some("ns"), "edge")
            })
        );
        assert!(Route::parse("cluster/").is_err());
        assert!(Route::parse("pods").unwrap_err().contains("fleet"));
    }

    #[test]
    fn each_live_view_wants_its_kinds_and_the_repo_only_applications() {
        assert_eq!(
            Route::Browser.wants(),
            [Want {
                scope: Scope::Roots,
                kind: kinds::APPLICATION
            }]
        );
        for r in [Route::Storage, Route::Backup, Route::GitOps] {
            let w = r.wants();
            assert!(w.iter().any(|w| w.scope == Scope::Roots));
            assert!(w.iter().any(|w| w.scope == Scope::Workloads));
        }
        let o = Route::Overview.wants();
        assert!(o.contains(&Want {
            scope: Scope::Roots,
            kind: kinds::CLUSTER
        }));
        assert!(o.contains(&Want {
            scope: Scope::Workloads,
            kind: kinds::CEPH_CLUSTER
        }));
        let nodes = Route::Nodes.wants();
        assert!(
            nodes
                .iter()
                .any(|w| w.scope == Scope::Workloads && w.kind.kind == "Node")
        );
        let c = Route::parse("cluster/edge-lab").unwrap().wants();
        assert!(c.contains(&Want {
            scope: Scope::Workload("edge-lab".into()),
            kind: kinds::NODE
        }));
    }

    #[test]
    fn switching_views_asks_for_watches_once() {
        let mut s = State::default();
        let mut fx = vec![];
        go(&mut s, Route::Fleet, &mut fx);
        assert!(matches!(fx.as_slice(), [Effect::Watch(w)] if w.len() == fleet::KINDS.len()));
        fx.clear();
        request_watches(&mut s, &mut fx);
        assert!(fx.is_empty(), "same wants: nothing new to ask");
        assert!(back(&mut s, &mut fx));
        assert_eq!(s.route, Route::Browser);
        assert!(matches!(fx.as_slice(), [Effect::Watch(w)] if w.len() == 1));
    }

    #[test]
    fn the_context_picker_switches_contexts() {
        let mut s = State::default();
        s.live.apply(super::super::live::LiveMsg::Contexts {
            available: vec!["mgmt-a".into(), "mgmt-b".into()],
            active: vec!["mgmt-a".into()],
        });
        open_picker(&mut s);
        let mut fx = vec![];
        picker_action(&mut s, Action::Down, &mut fx);
        picker_action(&mut s, Action::Toggle, &mut fx);
        picker_action(&mut s, Action::Apply, &mut fx);
        assert!(s.views.picker.is_none());
        assert!(fx.contains(&Effect::UseContexts(vec!["mgmt-a".into(), "mgmt-b".into()])));
        // Unticking everything is refused.
        open_picker(&mut s);
        let mut fx = vec![];
        picker_action(&mut s, Action::Toggle, &mut fx);
        s.views.picker.as_mut().unwrap().items[1].1 = false;
        picker_action(&mut s, Action::Apply, &mut fx);
        assert!(fx.is_empty());
        assert!(s.toast.is_some());
    }
}
