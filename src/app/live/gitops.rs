//! GitOps: Argo CD Applications (sync, health, revision against the repo, last operation, the
//! resources that are out of sync or unhealthy) and ApplicationSets, plus the rest of the
//! infrastructure that reports its own state: Crossplane packages and resources, SealedSecrets,
//! Klum users and kubeconfigs.

use std::collections::BTreeMap;

use super::fleet::Verdict;
use super::storage::stale_since;
use super::{LiveState, ObjKey, Source, SourceId};
use crate::model::kinds::{
    APPLICATION, APPLICATION_SET, CROSSPLANE_PROVIDER, KLUM_KUBECONFIG, KLUM_USER, KindInfo,
    MINIO_BUCKET, MINIO_POLICY, MINIO_USER, SEALED_SECRET, SITE_BUCKET,
};
use crate::model::{AppResource, Application, CondStatus, LiveObject, Time};

pub const KINDS: [KindInfo; 10] = [
    APPLICATION,
    APPLICATION_SET,
    CROSSPLANE_PROVIDER,
    MINIO_BUCKET,
    MINIO_USER,
    MINIO_POLICY,
    SITE_BUCKET,
    SEALED_SECRET,
    KLUM_USER,
    KLUM_KUBECONFIG,
];

/// What the repo knows of a path: the newest commit on HEAD that changed it, and how many
/// commits on HEAD changed it after the revision an Application is synced to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PathRevision {
    pub head: String,
    /// `None`: the synced revision is not in the local history (or not a commit).
    pub behind: Option<usize>,
}

/// `(synced revision, path)` → what the repo says; filled by the git worker.
pub type Revisions = BTreeMap<(String, String), PathRevision>;

/// What the git side found (`git::revisions::path_revisions`), keyed for the views.
pub fn revisions(found: Vec<crate::git::revisions::PathRevisionFound>) -> Revisions {
    found
        .into_iter()
        .map(|(k, head, behind)| (k, PathRevision { head, behind }))
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct GitOpsRow {
    pub site: SourceId,
    /// The kind's key: `Application`, `ApplicationSet`, `Provider`, `Bucket`, `SiteBucket`,
    /// `SealedSecret`, `User` (Klum), `Kubeconfig`, `User.minio.crossplane.io`.
    pub kind: &'static str,
    pub key: ObjKey,
    /// Sync status, or the object's own state (`Ready`, `Synced`, `enabled`).
    pub sync: String,
    pub health: String,
    /// Applications: the short synced revision, and against the repo (`= HEAD`, `behind 2`).
    pub revision: String,
    pub vs_repo: String,
    /// `auto prune heal`.
    pub policy: String,
    /// Applications: the last operation, `Succeeded 2h ago: successfully synced`.
    pub last_op: Option<(String, Option<Time>, Option<String>)>,
    /// The repo paths it deploys (Applications).
    pub paths: Vec<String>,
    /// Applications: `spec.destination` (a cluster name or server), for the per-site summary.
    pub destination: Option<String>,
    /// Last operation, errors, the controller's message.
    pub detail: String,
    pub problems: Vec<AppResource>,
    pub since: Option<Time>,
    pub verdict: Verdict,
    pub stale_since: Option<Time>,
    pub broken: Option<String>,
}

/// The lines of a row's detail pane (the view draws them in this order): its paths, its last
/// operation, one per resource with a problem, the detail text; at least one ("nothing to
/// report").
pub fn detail_len(r: &GitOpsRow) -> usize {
    let n = usize::from(!r.paths.is_empty())
        + usize::from(r.last_op.is_some())
        + r.problems.len()
        + usize::from(!r.detail.is_empty());
    n.max(1)
}

fn base(src: &Source, kind: &'static str, key: ObjKey) -> GitOpsRow {
    GitOpsRow {
        site: src.id.clone(),
        kind,
        key,
        sync: String::new(),
        health: String::new(),
        revision: String::new(),
        vs_repo: String::new(),
        policy: String::new(),
        last_op: None,
        paths: vec![],
        destination: None,
        detail: String::new(),
        problems: vec![],
        since: None,
        verdict: Verdict::Unknown,
        stale_since: stale_since(src),
        broken: None,
    }
}

/// The verdict of an Application: Degraded/Missing health or a failed operation fail it;
/// out of sync or progressing is degraded/progressing.
pub fn app_verdict(a: &Application) -> Verdict {
    let health = match a.health.as_deref() {
        Some("Healthy") => Verdict::Healthy,
        Some("Suspended") => Verdict::Healthy,
        Some("Progressing") => Verdict::Progressing,
        Some("Degraded" | "Missing") => Verdict::Failed,
        _ => Verdict::Unknown,
    };
    let sync = match a.sync.as_deref() {
        Some("Synced") => Verdict::Healthy,
        Some("OutOfSync") => Verdict::Degraded,
        _ => Verdict::Unknown,
    };
    let op = match a.op_phase.as_deref() {
        Some("Failed" | "Error") => Verdict::Failed,
        Some("Running" | "Terminating") => Verdict::Progressing,
        _ => Verdict::Healthy,
    };
    let errors = if a.errors().next().is_some() {
        Verdict::Degraded
    } else {
        Verdict::Healthy
    };
    health.max(sync).max(op).max(errors)
}

fn app_row(src: &Source, a: &Application, revs: &Revisions) -> GitOpsRow {
    let mut r = base(
        src,
        "Application",
        ObjKey::new(a.meta.namespace.as_deref(), &a.meta.name),
    );
    r.sync = a.sync.clone().unwrap_or_else(|| "Unknown".into());
    r.health = a.health.clone().unwrap_or_else(|| "Unknown".into());
    r.revision = a.short_revision().unwrap_or_default();
    r.last_op = a
        .op_phase
        .clone()
        .map(|p| (p, a.op_finished, a.op_message.clone()));
    r.paths = a.paths().map(str::to_string).collect();
    r.destination = a.destination.clone();
    if let Some(rev) = &a.revision {
        // Against the repo, over every path the app deploys: the worst (most behind) one.
        let known: Vec<&PathRevision> = r
            .paths
            .iter()
            .filter_map(|p| revs.get(&(rev.clone(), p.clone())))
            .collect();
        if let Some(worst) = known.iter().max_by_key(|p| p.behind.unwrap_or(usize::MAX)) {
            r.vs_repo = match worst.behind {
                Some(0) => "= HEAD".into(),
                Some(n) => format!("behind {n} (HEAD {})", worst.head),
                None => format!("not in repo (HEAD {})", worst.head),
            };
        }
    }
    r.policy = if a.auto_sync {
        let mut p = vec!["auto"];
        if a.prune {
            p.push("prune");
        }
        if a.self_heal {
            p.push("heal");
        }
        p.join(" ")
    } else {
        "manual".into()
    };
    let mut detail = Vec::new();
    for (t, m) in &a.conditions {
        detail.push(format!("{t}: {m}"));
    }
    if let Some(phase) = &a.op_phase
        && phase != "Succeeded"
    {
        detail.push(format!(
            "operation {phase}{}",
            a.op_message
                .as_ref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        ));
    }
    for p in a.problems.iter().take(3) {
        let what = [p.sync.as_deref(), p.health.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !matches!(*s, "Synced" | "Healthy"))
            .collect::<Vec<_>>()
            .join(" ");
        detail.push(format!(
            "{} {} {what}{}",
            p.kind,
            p.name,
            p.message
                .as_ref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        ));
    }
    r.detail = detail.join("; ");
    r.problems = a.problems.clone();
    r.since = a.health_since.or(a.op_finished);
    r.verdict = app_verdict(a);
    r
}

/// Every row of every site, worst first; Applications before the other kinds.
pub fn rows(live: &LiveState, revs: &Revisions, filter: &str) -> Vec<GitOpsRow> {
    let mut out = Vec::new();
    for src in live.sources.values() {
        site_rows(src, revs, &mut out);
    }
    if !filter.is_empty() {
        let f = filter.to_lowercase();
        out.retain(|r| {
            r.site.to_lowercase().contains(&f)
                || r.key.name.to_lowercase().contains(&f)
                || r.kind.to_lowercase().contains(&f)
                || r.sync.to_lowercase().contains(&f)
                || r.health.to_lowercase().contains(&f)
                || r.paths.iter().any(|p| p.contains(&f))
        });
    }
    out.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then((a.kind != "Application").cmp(&(b.kind != "Application")))
            .then(a.site.cmp(&b.site))
            .then(a.kind.cmp(b.kind))
            .then(a.key.cmp(&b.key))
    });
    out
}

pub fn site_rows(src: &Source, revs: &Revisions, out: &mut Vec<GitOpsRow>) {
    for kind in KINDS {
        for (key, error) in src.broken(&kind) {
            let mut r = base(src, kind.key, key.clone());
            r.sync = "malformed".into();
            r.detail = error.to_string();
            r.verdict = Verdict::Failed;
            r.broken = Some(error.to_string());
            out.push(r);
        }
    }
    for kind in KINDS {
        for o in src.objects(&kind) {
            let key = ObjKey::new(o.meta().namespace.as_deref(), &o.meta().name);
            match o {
                LiveObject::Application(a) => out.push(app_row(src, a, revs)),
                LiveObject::ApplicationSet(s) => {
                    let mut r = base(src, "ApplicationSet", key);
                    r.sync = format!("{} apps", s.applications.len());
                    (r.verdict, r.detail) = match s.error() {
                        Some(m) => (Verdict::Failed, m.to_string()),
                        None => (Verdict::Healthy, s.applications.join(", ")),
                    };
                    out.push(r);
                }
                LiveObject::Crossplane(c) => {
                    let mut r = base(src, c.kind, key);
                    let [a, b] = c.health_conditions();
                    let state = |t| {
                        crate::model::condition(&c.conditions, t)
                            .map(|c| c.status.as_str())
                            .unwrap_or("?")
                    };
                    r.sync = format!("{a} {}", state(a));
                    r.health = format!("{b} {}", state(b));
                    match c.problem() {
                        None => r.verdict = Verdict::Healthy,
                        Some((t, cond)) => {
                            r.verdict = match cond.map(|c| c.status) {
                                Some(CondStatus::False) => Verdict::Failed,
                                _ => Verdict::Unknown,
                            };
                            r.detail = match cond {
                                Some(c) => format!("{t}: {} {}", c.reason, c.message),
                                None => format!("{t}: not reported yet"),
                            };
                            r.since = cond.and_then(|c| c.since);
                        }
                    }
                    if let Some(p) = &c.package {
                        r.detail = [r.detail.clone(), p.clone()]
                            .into_iter()
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join("; ");
                    }
                    out.push(r);
                }
                LiveObject::SealedSecret(s) => {
                    let mut r = base(src, "SealedSecret", key);
                    (r.sync, r.verdict) = match s.synced {
                        Some(CondStatus::True) => ("Synced".into(), Verdict::Healthy),
                        Some(CondStatus::False) => ("not synced".into(), Verdict::Failed),
                        _ => ("no status".into(), Verdict::Unknown),
                    };
                    r.detail = match &s.message {
                        Some(m) => m.clone(),
                        None => format!("keys: {}", s.keys.join(", ")),
                    };
                    r.since = s.since;
                    out.push(r);
                }
                LiveObject::KlumUser(u) => {
                    let mut r = base(src, "User", key);
                    r.sync = if u.enabled { "enabled" } else { "disabled" }.into();
                    r.health = format!("Ready {}", u.ready.as_str());
                    r.verdict = match (u.enabled, u.ready) {
                        (false, _) => Verdict::Healthy,
                        (true, CondStatus::True) => Verdict::Healthy,
                        (true, CondStatus::False) => Verdict::Failed,
                        (true, _) => Verdict::Unknown,
                    };
                    r.detail = [u.roles.join(", "), u.message.clone().unwrap_or_default()]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join("; ");
                    out.push(r);
                }
                LiveObject::KlumKubeconfig(k) => {
                    let mut r = base(src, "Kubeconfig", key);
                    r.sync = "issued".into();
                    r.verdict = Verdict::Healthy;
                    r.detail = k.servers.join(", ");
                    out.push(r);
                }
                _ => {}
            }
        }
    }
}

/// How the GitOps objects of one site stand, each counted once, in a named state. The one
/// definition the overview, the wall dashboard and `blast status` share (`by_site`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitOpsCounts {
    /// Argo CD Applications that deploy to the site (wherever Argo CD runs).
    pub apps: usize,
    /// Synced, and Healthy or Suspended, with no failed operation and no error.
    pub ok: usize,
    /// Health Degraded or Missing, or the last sync operation failed.
    pub failing: usize,
    /// OutOfSync (and not failing).
    pub out_of_sync: usize,
    /// Synced but reporting errors (comparison or sync conditions).
    pub warning: usize,
    /// Health Progressing, or an operation running.
    pub progressing: usize,
    /// No sync or health status yet.
    pub unknown: usize,
    /// The site's other GitOps objects: ApplicationSets, Crossplane packages and MinIO
    /// resources, SealedSecrets, Klum users and kubeconfigs.
    pub objects: usize,
    /// Of those, the ones whose verdict is degraded or failed.
    pub objects_failing: usize,
}

impl GitOpsCounts {
    fn add(&mut self, r: &GitOpsRow) {
        if r.kind != "Application" {
            self.objects += 1;
            if r.verdict >= Verdict::Degraded {
                self.objects_failing += 1;
            }
            return;
        }
        self.apps += 1;
        *match r.verdict {
            Verdict::Healthy => &mut self.ok,
            Verdict::Failed => &mut self.failing,
            Verdict::Degraded if r.sync == "OutOfSync" => &mut self.out_of_sync,
            Verdict::Degraded => &mut self.warning,
            Verdict::Progressing => &mut self.progressing,
            Verdict::Unknown => &mut self.unknown,
        } += 1;
    }

    /// `3 apps: 2 ok · 1 failing · 11 objects ok`: every state named, zeros left out.
    pub fn text(&self) -> String {
        let mut text = if self.apps == 0 {
            "no applications".to_string()
        } else {
            format!(
                "{} app{}: {}",
                self.apps,
                if self.apps == 1 { "" } else { "s" },
                count_states(&[
                    (self.ok, "ok"),
                    (self.failing, "failing"),
                    (self.out_of_sync, "out of sync"),
                    (self.warning, "with errors"),
                    (self.progressing, "progressing"),
                    (self.unknown, "unknown"),
                ])
            )
        };
        if self.objects > 0 {
            let ok = self.objects - self.objects_failing;
            text.push_str(&format!(
                " · {} object{} {}",
                self.objects,
                if self.objects == 1 { "" } else { "s" },
                if self.objects_failing == 0 {
                    "ok".to_string()
                } else {
                    format!("({ok} ok, {} failing)", self.objects_failing)
                }
            ));
        }
        text
    }
}

/// `2 ok · 1 failing`, leaving out zeros.
fn count_states(items: &[(usize, &str)]) -> String {
    items
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One site's GitOps: its counts and its rows (Applications deploying to it, its other objects).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteGitOps {
    pub counts: GitOpsCounts,
    pub rows: Vec<GitOpsRow>,
}

/// The site an Application belongs to: the site it deploys to. `spec.destination.name` when it
/// names a site; `spec.destination.server` when it is a Cluster API cluster's control-plane
/// endpoint (`https://host:port`); the site Argo CD runs on for the in-cluster server
/// (`https://kubernetes.default.svc`) or a destination no site matches.
pub fn destination_site(
    destination: Option<&str>,
    argo_site: &str,
    sites: &std::collections::BTreeSet<String>,
    endpoints: &BTreeMap<String, String>,
) -> String {
    let Some(d) = destination else {
        return argo_site.to_string();
    };
    if sites.contains(d) {
        return d.to_string();
    }
    let host_port = d
        .strip_prefix("https://")
        .unwrap_or(d)
        .trim_end_matches('/');
    endpoints
        .get(host_port)
        .cloned()
        .unwrap_or_else(|| argo_site.to_string())
}

/// Every site's GitOps by the one definition: an Application belongs to its destination site
/// (`destination_site`), every other object to the site it lives on. Sites are the watched
/// sources and the Cluster API clusters.
pub fn by_site(live: &LiveState, revs: &Revisions) -> BTreeMap<String, SiteGitOps> {
    let mut sites: std::collections::BTreeSet<String> = live.sources.keys().cloned().collect();
    let mut endpoints = BTreeMap::new();
    for (_, o) in live.all(true, &crate::model::kinds::CLUSTER) {
        if let LiveObject::Cluster(c) = o {
            sites.insert(c.meta.name.clone());
            if let Some(e) = &c.endpoint {
                endpoints.insert(e.clone(), c.meta.name.clone());
            }
        }
    }
    let mut rows = Vec::new();
    for src in live.sources.values() {
        site_rows(src, revs, &mut rows);
    }
    let mut out: BTreeMap<String, SiteGitOps> = BTreeMap::new();
    for r in rows {
        let site = if r.kind == "Application" {
            destination_site(r.destination.as_deref(), &r.site, &sites, &endpoints)
        } else {
            r.site.clone()
        };
        let s = out.entry(site).or_default();
        s.counts.add(&r);
        s.rows.push(r);
    }
    out
}

/// The Applications deploying `path` (a repo folder or file), or a folder below/above one of
/// their source paths: for the repo browser's "deployed by".
pub fn apps_for_path<'a>(live: &'a LiveState, path: &str) -> Vec<(&'a SourceId, &'a Application)> {
    let path = path.trim_matches('/');
    let mut out = Vec::new();
    for src in live.sources.values() {
        for o in src.objects(&APPLICATION) {
            let LiveObject::Application(a) = o else {
                continue;
            };
            let covers = a.paths().any(|p| {
                let p = p.trim_matches('/');
                !p.is_empty()
                    && (path == p
                        || path.starts_with(&format!("{p}/"))
                        || p.starts_with(&format!("{path}/")))
            });
            if covers {
                out.push((&src.id, a));
            }
        }
    }
    out
}

/// `(revision, path)` pairs the git worker should resolve for the Applications on screen.
pub fn wanted_revisions(live: &LiveState) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (_, o) in live
        .all(true, &APPLICATION)
        .chain(live.all(false, &APPLICATION))
    {
        if let LiveObject::Application(a) = o
            && let Some(rev) = &a.revision
            && rev.len() == 40
        {
            for p in a.paths() {
                out.push((rev.clone(), p.to_string()));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
