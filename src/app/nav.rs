//! Routes and jumps: which view is on screen and the ones to go back to, the watches each view
//! needs, and the jumps between a repo resource and its live object.

use super::live::backup;
use super::live::baremetal;
use super::live::cluster;
use super::live::fleet;
use super::live::gitops;
use super::live::nodes;
use super::live::storage;
use super::live::views::settle;
use super::live::{ObjKey, Scope, Want};
use super::{Effect, State};
use crate::keymap::Action;
use crate::model::kinds::{self, KindInfo};
use crate::objref::{ObjRef, Tracked};

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
    /// Deployments, StatefulSets, DaemonSets, Jobs and their Pods, per site.
    Workloads,
    /// One Pod container's log (`views.logs`).
    Logs,
    /// Every image the repo deploys and live Pods run, with its vulnerabilities.
    Images,
    /// Per site: policy findings and drift, CIS benchmarks with waivers, image vulnerabilities.
    Standards,
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
            "workloads" => Ok(Route::Workloads),
            "images" => Ok(Route::Images),
            "standards" => Ok(Route::Standards),
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
                    "unknown view \"{s}\"; use repo, fleet, cluster/NAME, nodes, baremetal, storage, backup, gitops, overview, changes, workloads, images or standards"
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
            Action::ViewWorkloads => Route::Workloads,
            Action::ViewImages => Route::Images,
            Action::ViewStandards => Route::Standards,
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
            Route::Workloads => "Workloads".into(),
            Route::Logs => "Logs".into(),
            Route::Images => "Images".into(),
            Route::Standards => "Standards".into(),
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
            Route::Workloads | Route::Logs => everywhere(&super::live::workloads::KINDS),
            Route::Images => everywhere(&super::live::images::KINDS),
            Route::Standards => standards_wants(),
            Route::Overview => {
                let mut w = roots(&fleet::KINDS);
                w.extend(everywhere(&storage::KINDS));
                w.extend(everywhere(&backup::KINDS));
                w.extend(everywhere(&gitops::KINDS));
                // The standards' problems (policy drift, benchmark FAILs) count on the overview.
                w.extend(standards_wants());
                w.sort();
                w.dedup();
                w
            }
        }
    }
}

/// The Standards view's watches: the report ConfigMaps (`blast-system`, label-selected: see
/// `kube::watch::selection`) and the workloads compared with their manifests on every site;
/// the Clusters (which run Talos) on the management clusters.
fn standards_wants() -> Vec<Want> {
    let mut w = Vec::new();
    // The image store's kinds too: the Standards view counts the images' vulnerabilities.
    let mut ks = super::live::standards::KINDS.to_vec();
    for k in super::live::images::KINDS {
        if !ks.contains(&k) {
            ks.push(k);
        }
    }
    for k in ks {
        w.push(Want {
            scope: Scope::Roots,
            kind: k,
        });
        if k != kinds::CLUSTER {
            w.push(Want {
                scope: Scope::Workloads,
                kind: k,
            });
        }
    }
    w
}

/// Switches to a view, remembering where we came from, and asks for the watches it needs.
pub fn go(state: &mut State, route: Route, fx: &mut Vec<Effect>) {
    super::live::drill::leaving(state, &route, fx);
    if state.route != route {
        state.views.lower_focus = false;
        state.views.lower = Default::default();
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
    fx.extend(settle(state));
    request_watches(state, fx);
    state.dirty = true;
}

/// Back to the previous view; false when there is none.
pub fn back(state: &mut State, fx: &mut Vec<Effect>) -> bool {
    match state.back.pop() {
        Some(r) => {
            super::live::drill::leaving(state, &r, fx);
            state.views.lower_focus = false;
            state.views.lower = Default::default();
            state.route = r;
            state.live.changed.sources = true;
            fx.extend(settle(state));
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

/// Opens the repo browser on a path (an Application's source path).
pub(crate) fn open_repo_path(state: &mut State, path: &str, fx: &mut Vec<Effect>) {
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
            super::browser::update::reveal_and_select(state, &format!("r:{path}#{doc}"), fx);
        }
        Err(Some(why)) => state.toast(false, why),
        Err(None) => {}
    }
}

/// The repo resource (file and resource index) that defines the selected live object: the
/// document of the same group, kind and name (and namespace, when the document names one; see
/// `objref`), else the one its Argo CD tracking id names. `Err(Some)` says why there is none;
/// `Err(None)`: nothing is selected.
pub fn defining_resource(state: &State) -> Result<(usize, usize), Option<String>> {
    let Some(obj) = state.selected_live() else {
        return Err(None);
    };
    let tracked = tracked(state, &obj);
    let Some(index) = state.index() else {
        return Err(Some("the repo is still being indexed".into()));
    };
    obj.target()
        .find_in(index)
        .or_else(|| tracked.as_ref().and_then(|t| t.target().find_in(index)))
        .ok_or_else(|| {
            Some(format!(
                "no file in the repo defines {} {} (created by a controller?)",
                obj.kind, obj.key
            ))
        })
}

/// What the live object's `argocd.argoproj.io/tracking-id` names.
fn tracked(state: &State, obj: &ObjRef) -> Option<Tracked> {
    let src = state.live.sources.get(&obj.source)?;
    let store = src.store(obj.info()?)?;
    let super::live::Entry::Ok(o) = store.objects.get(&obj.key)? else {
        return None;
    };
    Tracked::parse(o.meta().tracking_id.as_deref()?)
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
        // Backup first: K10 profiles are rows there (Storage only names them).
        k if backup::KINDS.iter().any(|x| x.kind == k) => {
            jump_to_row(state, Route::Backup, &backup::KINDS, k, ns, name, fx)
        }
        k if storage::KINDS.iter().any(|x| x.kind == k) => {
            jump_to_row(state, Route::Storage, &storage::KINDS, k, ns, name, fx)
        }
        k if gitops::KINDS.iter().any(|x| x.kind == k) => {
            jump_to_row(state, Route::GitOps, &gitops::KINDS, k, ns, name, fx)
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

/// A jump from a repo resource to the row of its live object in a table view, waiting for the
/// view's rows (its watches may be just starting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jump {
    pub kind: KindInfo,
    pub namespace: Option<String>,
    pub name: String,
    /// The view it was made to (a jump ends when the view is left).
    pub route: Route,
}

impl Jump {
    fn matches(&self, o: &ObjRef) -> bool {
        o.kind == self.kind.kind
            && o.key.name == self.name
            && (self.namespace.is_none() || o.key.namespace == self.namespace)
    }

    fn describe(&self) -> String {
        format!(
            "{} {}",
            self.kind.kind,
            ObjKey::new(self.namespace.as_deref(), &self.name)
        )
    }
}

/// Opens `route` to select the object of `kind` (one of the view's `kinds`) named `name`: on
/// its own row (matched by kind, namespace and name, never by name alone), or — once the view
/// has listed that kind — nowhere, saying so and going back.
fn jump_to_row(
    state: &mut State,
    route: Route,
    kinds: &[KindInfo],
    kind: &str,
    namespace: Option<String>,
    name: String,
    fx: &mut Vec<Effect>,
) {
    let Some(kind) = kinds.iter().find(|k| k.kind == kind).copied() else {
        return;
    };
    state.views.jump = Some(Jump {
        kind,
        namespace,
        name,
        route: route.clone(),
    });
    go(state, route, fx);
    resolve_jump(state, fx);
}

/// After the rows of the view on screen were derived: selects the row of the waiting jump, or
/// gives up once every source has listed the object's kind (the view does not show that object:
/// say so and go back to where the jump started). Called by `settle`.
pub(crate) fn resolve_jump(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(j) = state.views.jump.clone() else {
        return;
    };
    if state.route != j.route {
        state.views.jump = None;
        return;
    }
    let n = state.table_len();
    if let Some(i) = (0..n).find(|&i| state.live_at(i).is_some_and(|o| j.matches(&o))) {
        let height = state.table_height();
        if let Some(nav) = state.nav_mut() {
            nav.selected = i;
            nav.clamp(n, height);
        }
        state.views.jump = None;
        state.dirty = true;
        return;
    }
    let mut stores = state
        .live
        .sources
        .values()
        .filter_map(|s| s.store(&j.kind))
        .peekable();
    let listed =
        stores.peek().is_some() && stores.all(|k| k.status != super::live::KindStatus::Syncing);
    if listed {
        state.views.jump = None;
        let title = j.route.title();
        back(state, fx);
        state.toast(
            false,
            format!(
                "{} is not shown in {title}: no view lists it (nothing to show)",
                j.describe()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_parse() {
        assert_eq!(Route::parse("fleet"), Ok(Route::Fleet));
        assert_eq!(Route::parse("nodes"), Ok(Route::Nodes));
        assert_eq!(Route::parse("baremetal"), Ok(Route::BareMetal));
        assert_eq!(Route::parse("workloads"), Ok(Route::Workloads));
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
}
