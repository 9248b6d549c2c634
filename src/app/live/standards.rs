//! The Standards view's rows: per site, worst first, the repo's policy findings, live drift (a
//! live workload failing a rule its manifest passes), the CIS benchmark reports (docker-bench
//! on the k3d host, kube-bench per cluster, read from the `blast.io/report` ConfigMaps the
//! console watches) with the repo's waivers, and image vulnerabilities. The same roll-up
//! ([`per_site`]) feeds the overview's problems, `blast status` and the wall.
//!
//! Pure: the repo's side comes with the index (`standards::scan_repo`), the images' reports
//! through the `ImageVulns` seam, the reports and workloads from the live store.

use super::fleet::Verdict;
use super::{LiveState, ObjKey, SourceStatus};
use crate::model::LiveObject;
use crate::model::kinds::{self, KindInfo};
use crate::standards::bench::{Outcome, Report, Tool};
use crate::standards::{
    self, Drift, ImageVulns, Inputs, PolicyFinding, RepoSide, SiteStandards, site_of_path,
};

/// What the Standards view (and the overview's standards problems) watch: the report
/// ConfigMaps and the workloads compared with their manifests, on every site; the Clusters
/// (which sites run Talos).
pub const KINDS: [KindInfo; 8] = [
    kinds::CONFIG_MAP,
    kinds::DEPLOYMENT,
    kinds::DAEMON_SET,
    kinds::STATEFUL_SET,
    kinds::JOB,
    kinds::CRON_JOB,
    kinds::POD,
    kinds::CLUSTER,
];

/// The live kinds compared with their manifests (drift): the controllers' pod templates
/// (a CronJob's job template) and bare Pods (a Pod with no owner).
pub const DRIFT_KINDS: [KindInfo; 6] = [
    kinds::DEPLOYMENT,
    kinds::DAEMON_SET,
    kinds::STATEFUL_SET,
    kinds::JOB,
    kinds::CRON_JOB,
    kinds::POD,
];

/// Why docker-bench has no report for a Talos cluster.
pub const TALOS_NOTE: &str = "docker-bench cannot run on Talos nodes (no Docker, no shell, no SSH): kube-bench covers the cluster";

/// The id of a policy line for a manifest the rules could not read.
pub const NOT_CHECKED: &str = "not checked";

/// How bad a line is, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Fail,
    Warn,
    Waived,
    Info,
    Ok,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Fail => "FAIL",
            Level::Warn => "WARN",
            Level::Waived => "WAIVED",
            Level::Info => "INFO",
            Level::Ok => "OK",
        }
    }
}

/// Where Enter on a line leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    None,
    /// The repo browser at this file and line.
    File {
        path: String,
        line: usize,
    },
    /// The benchmark item whole (its details, remediation, waiver).
    Bench {
        site: String,
        tool: Tool,
        target: String,
        id: String,
    },
    /// The image's report.
    Image {
        reference: String,
    },
    /// A live workload (drift): the inspect pop-up; `o` jumps to its manifest.
    Live {
        site: String,
        kind: &'static str,
        key: ObjKey,
        path: String,
        line: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StdRow {
    pub site: String,
    /// The site's header line (its verdict and counts) rather than an item.
    pub header: bool,
    pub level: Level,
    /// `policy`, `drift`, `docker-bench`, `kube-bench`, `images`, or the site's verdict.
    pub area: &'static str,
    /// The rule, check or image.
    pub id: String,
    /// What it is about: the resource, the section, the workload.
    pub subject: String,
    /// What failed, with the remediation or the waiver's reason.
    pub detail: String,
    pub target: Target,
}

impl StdRow {
    /// A stable key (reselection after a re-derive).
    pub fn key(&self) -> String {
        format!("{}|{}|{}|{}", self.site, self.area, self.id, self.subject)
    }

    fn matches(&self, filter: &str) -> bool {
        if filter.is_empty() {
            return true;
        }
        let f = filter.to_lowercase();
        [&self.site, &self.id, &self.subject, &self.detail]
            .iter()
            .any(|s| s.to_lowercase().contains(&f))
            || self.area.contains(&f)
            || self.level.label().to_lowercase() == f
    }
}

/// `(site, ConfigMap name, why it cannot be read)`.
pub type Unreadable = (String, String, String);

/// The report ConfigMaps of every source: `(site, report)` with the waivers applied, and
/// `(site, ConfigMap name, why)` for those that cannot be read.
pub fn reports(
    live: &LiveState,
    repo: Option<&RepoSide>,
) -> (Vec<(String, Report)>, Vec<Unreadable>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    let waivers = repo.and_then(|r| r.waivers.as_ref().ok());
    for src in live.sources.values() {
        for o in src.objects(&kinds::CONFIG_MAP) {
            let LiveObject::Report(m) = o else { continue };
            match &m.report {
                Ok(r) => {
                    let mut r = r.clone();
                    if let Some(w) = waivers {
                        standards::waivers::apply(&mut r, w);
                    }
                    ok.push((src.id.clone(), r));
                }
                Err(e) => bad.push((src.id.clone(), m.meta.name.clone(), e.clone())),
            }
        }
        for (key, error) in src.broken(&kinds::CONFIG_MAP) {
            bad.push((src.id.clone(), key.name.clone(), error.to_string()));
        }
    }
    (ok, bad)
}

/// checkov's resource string of a live object (`Kind.namespace.name`, `default` when it has
/// no namespace).
fn resource_of(kind: &str, key: &ObjKey) -> String {
    format!(
        "{kind}.{}.{}",
        key.namespace.as_deref().unwrap_or("default"),
        key.name
    )
}

/// Live workloads failing rules their manifests pass, every site.
pub fn drift(live: &LiveState, repo: &RepoSide) -> Vec<Drift> {
    let mut out = Vec::new();
    for src in live.sources.values() {
        for k in DRIFT_KINDS {
            for o in src.objects(&k) {
                let failed = match o {
                    LiveObject::Workload(w) => &w.policy_failed,
                    LiveObject::StatefulSet(s) => &s.policy_failed,
                    // Only a bare Pod is a workload of its own (the others' are their owners').
                    LiveObject::Pod(p) if p.meta.owner.is_none() => &p.policy_failed,
                    _ => continue,
                };
                if failed.is_empty() {
                    continue;
                }
                let m = o.meta();
                let resource = resource_of(k.kind, &ObjKey::new(m.namespace.as_deref(), &m.name));
                let Some(passed) = repo.passed_for(&src.id, &resource) else {
                    continue;
                };
                let rules: Vec<&'static str> = failed
                    .iter()
                    .copied()
                    .filter(|r| passed.rules.contains(r))
                    .collect();
                if !rules.is_empty() {
                    out.push(Drift {
                        site: src.id.clone(),
                        resource,
                        rules,
                        source: passed.source.clone(),
                    });
                }
            }
        }
    }
    out
}

/// The sites the console knows: every source and every Cluster API cluster.
fn known_sites(live: &LiveState) -> Vec<String> {
    let mut sites: Vec<String> = live.sources.keys().cloned().collect();
    for (_, c) in live.all(true, &kinds::CLUSTER) {
        sites.push(c.meta().name.clone());
    }
    sites.sort();
    sites.dedup();
    sites
}

/// The Cluster API clusters whose control plane is Talos.
fn talos_sites(live: &LiveState) -> Vec<String> {
    live.all(true, &kinds::CLUSTER)
        .filter_map(|(_, o)| match o {
            LiveObject::Cluster(c)
                if c.control_plane_ref
                    .as_ref()
                    .is_some_and(|r| r.kind == "TalosControlPlane") =>
            {
                Some(c.meta.name.clone())
            }
            _ => None,
        })
        .collect()
}

/// Everything the roll-up needs, derived once.
pub struct Gathered {
    pub reports: Vec<(String, Report)>,
    pub unreadable: Vec<(String, String, String)>,
    pub drift: Vec<Drift>,
    pub sites: Vec<String>,
}

pub fn gather(live: &LiveState, repo: Option<&RepoSide>) -> Gathered {
    let (reports, unreadable) = reports(live, repo);
    Gathered {
        reports,
        unreadable,
        drift: repo.map(|r| drift(live, r)).unwrap_or_default(),
        sites: known_sites(live),
    }
}

/// The per-site roll-up: the view's headers, the overview's and `blast status`'s problems.
pub fn per_site(
    g: &Gathered,
    repo: Option<&RepoSide>,
    images: Option<&[ImageVulns]>,
) -> Vec<SiteStandards> {
    standards::per_site(&Inputs {
        policy: repo.and_then(|r| r.policy.as_deref()),
        reports: &g.reports,
        drift: &g.drift,
        unchecked: repo.map_or(&[], |r| r.unchecked.as_slice()),
        images: images.unwrap_or(&[]),
        sites: &g.sites,
    })
}

/// The header line of a site: its counts.
pub fn site_text(s: &SiteStandards, images_known: bool) -> String {
    let mut parts = Vec::new();
    parts.push(match s.policy_errors {
        Some(n) if s.unchecked_files > 0 => format!(
            "policy {n}, {} file{} not checked",
            s.unchecked_files,
            if s.unchecked_files == 1 { "" } else { "s" }
        ),
        Some(n) => format!("policy {n}"),
        None => "policy not checked".into(),
    });
    if s.drift > 0 {
        parts.push(format!("drift {}", s.drift));
    }
    for b in &s.benches {
        let score = b.score_percent.map_or("-".into(), |p| format!("{p}%"));
        parts.push(format!(
            "{} {score} ({} FAIL, {} WARN, {} waived)",
            b.tool.label(),
            b.counts.fail,
            b.counts.warn,
            b.counts.waived
        ));
    }
    if images_known {
        parts.push(format!(
            "images {} Critical, {} High{}",
            s.critical_images,
            s.high_images,
            if s.unscanned_images > 0 {
                format!(", {} unscanned", s.unscanned_images)
            } else {
                String::new()
            }
        ));
    }
    parts.join(" · ")
}

/// Every line of the view: per site (degraded first), a header, then its items worst first.
pub fn rows(
    live: &LiveState,
    repo: Option<&RepoSide>,
    images: Option<&[ImageVulns]>,
    filter: &str,
) -> Vec<StdRow> {
    let g = gather(live, repo);
    let sites = per_site(&g, repo, images);
    let talos = talos_sites(live);
    let mut out = Vec::new();
    for s in &sites {
        let mut items: Vec<StdRow> = Vec::new();
        let row = |level, area, id: String, subject: String, detail: String, target| StdRow {
            site: s.site.clone(),
            header: false,
            level,
            area,
            id,
            subject,
            detail,
            target,
        };
        let here = |p: &str| {
            let at = site_of_path(p);
            (if at.is_empty() { standards::SHARED } else { at }) == s.site
        };
        match repo.and_then(|r| r.policy.as_ref()) {
            Some(findings) => {
                for f in findings.iter().filter(|f| here(&f.source)) {
                    items.push(policy_row(&row, f));
                }
                // A manifest the rules could not read: not checked, never clean.
                for u in repo.map_or(&[][..], |r| &r.unchecked) {
                    if here(&u.path) {
                        items.push(row(
                            Level::Warn,
                            "policy",
                            NOT_CHECKED.into(),
                            u.path.clone(),
                            format!("{} ({})", u.reason, u.source()),
                            Target::File {
                                path: u.path.clone(),
                                line: u.line.unwrap_or(1),
                            },
                        ));
                    }
                }
            }
            None if s.site != standards::SHARED => items.push(row(
                Level::Info,
                "policy",
                String::new(),
                "not checked".into(),
                match repo {
                    None => "the repo is still being indexed".into(),
                    Some(_) => "the repo could not be read".into(),
                },
                Target::None,
            )),
            None => {}
        }
        for d in g.drift.iter().filter(|d| d.site == s.site) {
            let (kind, rest) = d.resource.split_once('.').unwrap_or((&d.resource, ""));
            let (ns, name) = rest.split_once('.').unwrap_or(("default", rest));
            let (path, line) = split_source(&d.source);
            let kind = DRIFT_KINDS
                .iter()
                .find(|k| k.kind == kind)
                .map_or("Deployment", |k| k.kind);
            items.push(row(
                Level::Fail,
                "drift",
                d.rules.join(","),
                format!("{kind} {ns}/{name}"),
                format!(
                    "fails live what its manifest {} passes: changed outside git",
                    d.source
                ),
                Target::Live {
                    site: s.site.clone(),
                    kind,
                    key: ObjKey::new(Some(ns), name),
                    path,
                    line,
                },
            ));
        }
        for (_, r) in g.reports.iter().filter(|(at, _)| *at == s.site) {
            for i in &r.items {
                let level = match i.outcome {
                    Outcome::Fail => Level::Fail,
                    Outcome::Warn => Level::Warn,
                    Outcome::Waived => Level::Waived,
                    _ => continue,
                };
                let detail = match (&i.waiver, i.remediation.is_empty()) {
                    (Some(w), _) => format!("waived: {}", one_line(w)),
                    (None, false) => format!("{} — fix: {}", i.desc, one_line(&i.remediation)),
                    (None, true) => i.desc.clone(),
                };
                items.push(row(
                    level,
                    r.tool.label(),
                    i.id.clone(),
                    format!("{} {} · {}", i.section, i.section_desc, r.target),
                    detail,
                    Target::Bench {
                        site: s.site.clone(),
                        tool: r.tool,
                        target: r.target.clone(),
                        id: i.id.clone(),
                    },
                ));
            }
        }
        for (_, name, why) in g.unreadable.iter().filter(|(at, _, _)| *at == s.site) {
            items.push(row(
                Level::Warn,
                "report",
                name.clone(),
                format!("ConfigMap {}/{name}", standards::NAMESPACE),
                format!("unreadable: {why}"),
                Target::None,
            ));
        }
        if talos.contains(&s.site) {
            items.push(row(
                Level::Info,
                "docker-bench",
                String::new(),
                "Talos".into(),
                TALOS_NOTE.into(),
                Target::None,
            ));
        }
        if let Some(images) = images {
            for img in images.iter().filter(|i| i.sites.contains(&s.site)) {
                let level = match (img.critical, img.high) {
                    (Some(c), _) if c > 0 => Level::Fail,
                    (Some(_), Some(h)) if h > 0 => Level::Warn,
                    (None, _) => Level::Info,
                    _ => continue,
                };
                let detail = match (img.critical, img.high) {
                    (Some(c), Some(h)) => format!(
                        "{c} Critical, {h} High, {} fixable{}",
                        img.fixable,
                        img.worst
                            .first()
                            .map(|w| format!(" · {w}"))
                            .unwrap_or_default()
                    ),
                    _ => img.state.clone(),
                };
                items.push(row(
                    level,
                    "images",
                    img.reference.clone(),
                    img.digest
                        .as_deref()
                        .map(|d| d.chars().take(19).collect())
                        .unwrap_or_else(|| "no digest".into()),
                    detail,
                    Target::Image {
                        reference: img.reference.clone(),
                    },
                ));
            }
        }
        items.sort_by_key(|r| r.level);
        let reach = live.sources.get(&s.site).map(|src| src.status());
        let verdict = if s.degraded() {
            "DEGRADED"
        } else if items.iter().any(|i| i.level == Level::Warn) {
            "WARN"
        } else {
            "OK"
        };
        let mut detail = site_text(s, images.is_some());
        if let Some(SourceStatus::Stale { .. }) = reach {
            detail.push_str(" · stale");
        }
        let header = StdRow {
            site: s.site.clone(),
            header: true,
            level: if s.degraded() {
                Level::Fail
            } else if verdict == "WARN" {
                Level::Warn
            } else {
                Level::Ok
            },
            area: "site",
            id: String::new(),
            subject: verdict.into(),
            detail,
            target: Target::None,
        };
        let items: Vec<StdRow> = items.into_iter().filter(|r| r.matches(filter)).collect();
        if filter.is_empty() || !items.is_empty() || header.matches(filter) {
            out.push(header);
            out.extend(items);
        }
    }
    out
}

fn policy_row(
    row: &impl Fn(Level, &'static str, String, String, String, Target) -> StdRow,
    f: &PolicyFinding,
) -> StdRow {
    let (path, line) = f.path_line();
    row(
        Level::Fail,
        "policy",
        f.rule.clone(),
        f.resource.clone(),
        format!("{} ({})", f.message, f.source),
        Target::File {
            path: path.to_string(),
            line,
        },
    )
}

fn split_source(s: &str) -> (String, usize) {
    match s.rsplit_once(':') {
        Some((p, l)) => (p.to_string(), l.parse().unwrap_or(1)),
        None => (s.to_string(), 1),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The verdict the standards give a site, for the overview: degraded, else unknown while a
/// manifest could not be checked, else healthy.
pub fn verdict(s: &SiteStandards) -> Verdict {
    if s.degraded() {
        Verdict::Degraded
    } else if s.unchecked_files > 0 {
        Verdict::Unknown
    } else {
        Verdict::Healthy
    }
}

/// The benchmark item a `Target::Bench` names, whole: for the inspect pop-up.
pub fn bench_item<'a>(
    reports: &'a [(String, Report)],
    site: &str,
    tool: Tool,
    target: &str,
    id: &str,
) -> Option<(&'a Report, &'a standards::bench::Item)> {
    reports
        .iter()
        .filter(|(at, r)| at == site && r.tool == tool && r.target == target)
        .find_map(|(_, r)| r.items.iter().find(|i| i.id == id).map(|i| (r, i)))
}

/// Enter on a line of the Standards view: a policy finding opens its file at its line in the
/// repo browser; a drift line, a benchmark item or an image opens the pop-up with it whole
/// (for drift `o` then jumps to the manifest, as from any live row).
pub fn open(state: &mut crate::app::State, fx: &mut Vec<crate::app::Effect>) {
    let Some(r) = state
        .views
        .standard_rows
        .get(state.views.standards.selected)
        .cloned()
    else {
        return;
    };
    let notes: Vec<(String, String)> = match &r.target {
        Target::File { path, line } => {
            open_file_line(state, path, *line, fx);
            return;
        }
        Target::Live { path, line, .. } => vec![
            ("drift".into(), r.detail.clone()),
            ("rules".into(), r.id.clone()),
            ("manifest".into(), format!("{path}:{line} (o: open it)")),
        ],
        Target::Bench {
            site,
            tool,
            target,
            id,
        } => {
            let repo = state.index().map(|i| i.standards.clone());
            let (reports, _) = reports(&state.live, repo.as_ref());
            match bench_item(&reports, site, *tool, target, id) {
                Some((rep, i)) => {
                    let mut n = vec![
                        (
                            "check".to_string(),
                            format!("{} {} ({})", tool.label(), i.id, i.outcome.label()),
                        ),
                        (
                            "of".into(),
                            format!(
                                "{target} · {} · ran {}",
                                rep.version,
                                rep.ran_at
                                    .map(|t| crate::model::format_time(t as i64))
                                    .unwrap_or_else(|| "at an unknown time".into())
                            ),
                        ),
                        (
                            "section".into(),
                            format!("{} {}", i.section, i.section_desc),
                        ),
                        ("test".into(), i.desc.clone()),
                    ];
                    if !i.details.is_empty() {
                        n.push(("details".into(), i.details.clone()));
                    }
                    if let Some(w) = &i.waiver {
                        n.push((
                            "waived".into(),
                            format!("{w} ({})", crate::standards::waivers::PATH),
                        ));
                    }
                    if !i.remediation.is_empty() {
                        n.push(("remediation".into(), i.remediation.clone()));
                    }
                    n
                }
                None => vec![("check".into(), format!("{id}: no longer in the report"))],
            }
        }
        Target::Image { reference } => {
            let img = state
                .views
                .std_images
                .as_ref()
                .and_then(|l| l.iter().find(|i| &i.reference == reference));
            match img {
                Some(i) => {
                    let mut n = vec![
                        ("image".to_string(), i.reference.clone()),
                        (
                            "digest".into(),
                            i.digest.clone().unwrap_or_else(|| "none known".into()),
                        ),
                        ("report".into(), i.state.clone()),
                        ("runs at".into(), i.sites.join(", ")),
                    ];
                    if let (Some(c), Some(h)) = (i.critical, i.high) {
                        n.push((
                            "counts".into(),
                            format!("{c} Critical, {h} High, {} fixable", i.fixable),
                        ));
                    }
                    for (k, w) in i.worst.iter().enumerate() {
                        n.push((format!("worst {}", k + 1), w.clone()));
                    }
                    n
                }
                None => vec![("image".into(), reference.clone())],
            }
        }
        Target::None if r.header => vec![
            ("site".into(), format!("{} {}", r.site, r.subject)),
            ("standards".into(), r.detail.clone()),
        ],
        Target::None => vec![(r.area.to_string(), format!("{} {}", r.subject, r.detail))],
    };
    super::drill::open_inspect(state, notes, fx);
}

/// The repo browser on `path`, the document holding `line` selected (the file when none does).
pub fn open_file_line(
    state: &mut crate::app::State,
    path: &str,
    line: usize,
    fx: &mut Vec<crate::app::Effect>,
) {
    let key = state.index().and_then(|index| {
        let f = index.files.iter().find(|f| f.path == path)?;
        Some(
            match f
                .resources
                .iter()
                .find(|r| (r.start_line..=r.end_line.max(r.start_line)).contains(&line))
            {
                Some(r) => format!("r:{path}#{}", r.doc),
                None => format!("f:{path}"),
            },
        )
    });
    match key {
        Some(key) => {
            crate::app::nav::go(state, crate::app::nav::Route::Browser, fx);
            crate::app::browser::update::reveal_and_select(state, &key, fx);
        }
        None => state.toast(false, format!("{path} is not in this repo")),
    }
}

/// The area of the Standards view's lines a site problem (`SiteStandards::problems`) is about.
pub fn area_of_problem(message: &str) -> &'static str {
    if message.contains("policy error") || message.contains("not checked") {
        "policy"
    } else if message.contains("drifted") {
        "drift"
    } else if message.contains("Critical") {
        "images"
    } else if message.starts_with("docker-bench") {
        "docker-bench"
    } else if message.starts_with("kube-bench") {
        "kube-bench"
    } else {
        ""
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::app::live::{Entry, LiveMsg};
    use crate::policy::Unread;
    use crate::standards::{Passed, waivers};
    use serde_json::json;

    fn put(
        live: &mut LiveState,
        source: &str,
        kind: &'static KindInfo,
        objs: Vec<serde_json::Value>,
    ) {
        let objects = objs
            .into_iter()
            .map(|v| {
                let (ns, name) = crate::model::object_name(&v);
                let e = Entry::Ok(crate::model::parse(kind, &v).unwrap().unwrap());
                (ObjKey::new(ns.as_deref(), &name), e)
            })
            .collect();
        live.apply(LiveMsg::Reset {
            source: source.into(),
            kind,
            objects,
            at: 1000,
        });
    }

    fn report(tool: &str, target: &str, text: &str) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("{tool}-{target}"), "namespace": "blast-system",
                "labels": {"blast.io/report": tool, "blast.io/target": target}},
            "data": {"report.json": text}})
    }

    /// mgmt (k3d, docker-bench with two waived items), edge-lab (Talos, kube-bench with FAILs,
    /// a drifted Deployment), the repo's side and one Critical image at edge-berlin.
    pub(crate) fn world() -> (LiveState, RepoSide, Vec<ImageVulns>) {
        let mut live = LiveState::default();
        for (s, root) in [("mgmt", true), ("edge-lab", false), ("edge-berlin", false)] {
            live.apply(LiveMsg::SourceAdded {
                source: s.into(),
                root,
            });
        }
        put(
            &mut live,
            "mgmt",
            &kinds::CONFIG_MAP,
            vec![report(
                "docker-bench",
                "mgmt",
                include_str!("../../../fixtures/demo/standards/docker-bench-mgmt.json"),
            )],
        );
        put(
            &mut live,
            "edge-lab",
            &kinds::CONFIG_MAP,
            vec![
                report(
                    "kube-bench",
                    "edge-lab",
                    include_str!("../../../fixtures/demo/standards/kube-bench-edge-lab.json"),
                ),
                report("kube-bench", "broken", "{not json"),
            ],
        );
        put(
            &mut live,
            "mgmt",
            &kinds::CLUSTER,
            vec![
                json!({"apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster",
                "metadata": {"name": "edge-lab", "namespace": "edge-lab"},
                "spec": {"controlPlaneRef": {"apiGroup": "controlplane.cluster.x-k8s.io",
                    "kind": "TalosControlPlane", "name": "edge-lab-cp"}}}),
            ],
        );
        let deploy = |privileged: bool| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "shop"},
                "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                    "securityContext": {"privileged": privileged}}]}}}})
        };
        put(
            &mut live,
            "edge-lab",
            &kinds::DEPLOYMENT,
            vec![deploy(true)],
        );
        // The same Deployment unchanged elsewhere: no drift there.
        put(
            &mut live,
            "edge-berlin",
            &kinds::DEPLOYMENT,
            vec![deploy(false)],
        );
        let mut passed = std::collections::BTreeMap::new();
        passed.insert(
            "Deployment.shop.web".to_string(),
            vec![
                Passed {
                    site: "edge-lab".into(),
                    source: "apps/edge-lab/web/deployment.yaml:1".into(),
                    rules: vec!["CKV_K8S_16", "CKV_K8S_19"],
                },
                Passed {
                    site: "edge-berlin".into(),
                    source: "apps/edge-berlin/web/deployment.yaml:1".into(),
                    rules: vec!["CKV_K8S_16", "CKV_K8S_19"],
                },
            ],
        );
        let repo = RepoSide {
            policy: Some(vec![
                PolicyFinding {
                    rule: "CKV_K8S_20".into(),
                    resource: "Deployment.shop.web".into(),
                    source: "apps/edge-lab/web/deployment.yaml:1".into(),
                    message: "Containers should not run with allowPrivilegeEscalation".into(),
                },
                PolicyFinding {
                    rule: "CKV_K8S_21".into(),
                    resource: "ConfigMap.default.x".into(),
                    source: "infrastructure/argocd/x.yaml:4".into(),
                    message: "The default namespace should not be used".into(),
                },
            ]),
            passed,
            waivers: waivers::parse(
                "waivers:\n  - {tool: docker-bench, target: mgmt, id: '5.5', reason: k3d nodes are privileged}\n  - {tool: docker-bench, target: mgmt, id: '5.31', reason: k3d shares the user namespace}\n",
            ),
            // A manifest of edge-lab the rules could not read.
            unchecked: vec![Unread {
                path: "apps/edge-lab/web/broken.yaml".into(),
                line: Some(6),
                reason: "found a tab character where an indentation space is expected".into(),
            }],
        };
        let images = vec![ImageVulns {
            reference: "docker.io/library/eclipse-mosquitto:2.0.22".into(),
            digest: Some(
                "sha256:377a93d5baccbf2d6766b59b63f46f24f4c1f0346151f575adb4762e5061a4d2".into(),
            ),
            sites: vec!["edge-berlin".into()],
            critical: Some(1),
            high: Some(2),
            fixable: 1,
            state: "scanned".into(),
            worst: vec!["Critical CVE-2025-0001 (openssl 3.0.1, fixed in 3.0.2)".into()],
        }];
        (live, repo, images)
    }

    #[test]
    fn rows_per_site_worst_first_with_waivers_drift_talos_and_images() {
        let (live, repo, images) = world();
        let rows = rows(&live, Some(&repo), Some(&images), "");
        let headers: Vec<(&str, &str)> = rows
            .iter()
            .filter(|r| r.header)
            .map(|r| (r.site.as_str(), r.subject.as_str()))
            .collect();
        // Degraded first (by name), then the rest.
        assert_eq!(
            headers,
            [
                ("edge-berlin", "DEGRADED"),
                ("edge-lab", "DEGRADED"),
                ("shared", "DEGRADED"),
                ("mgmt", "WARN"),
            ]
        );
        let of = |site: &str| -> Vec<&StdRow> {
            rows.iter()
                .filter(|r| r.site == site && !r.header)
                .collect()
        };
        // edge-lab: the policy finding and the drift lead, with their targets.
        let lab = of("edge-lab");
        assert_eq!(lab[0].level, Level::Fail);
        let policy = lab.iter().find(|r| r.area == "policy").unwrap();
        assert_eq!(
            policy.target,
            Target::File {
                path: "apps/edge-lab/web/deployment.yaml".into(),
                line: 1
            }
        );
        let drift = lab.iter().find(|r| r.area == "drift").unwrap();
        assert_eq!(drift.id, "CKV_K8S_16", "privileged live, not in git");
        assert!(
            matches!(&drift.target, Target::Live { kind: "Deployment", key, .. } if key.name == "web")
        );
        assert!(
            lab.iter()
                .any(|r| r.area == "kube-bench" && r.level == Level::Fail)
        );
        assert!(
            lab.iter()
                .any(|r| r.area == "report" && r.detail.contains("unreadable"))
        );
        // The manifest the rules could not read: a WARN line of its own, leading to the file
        // at the parser's line; the site's line counts it.
        let unread = lab.iter().find(|r| r.id == NOT_CHECKED).unwrap();
        assert_eq!(
            (unread.level, unread.area, unread.subject.as_str()),
            (Level::Warn, "policy", "apps/edge-lab/web/broken.yaml")
        );
        assert_eq!(
            unread.detail,
            "found a tab character where an indentation space is expected (apps/edge-lab/web/broken.yaml:6)"
        );
        assert_eq!(
            unread.target,
            Target::File {
                path: "apps/edge-lab/web/broken.yaml".into(),
                line: 6
            }
        );
        let lab_header = rows
            .iter()
            .find(|r| r.header && r.site == "edge-lab")
            .unwrap();
        assert!(
            lab_header
                .detail
                .starts_with("policy 1, 1 file not checked"),
            "{}",
            lab_header.detail
        );
        assert!(
            rows.iter().filter(|r| r.id == NOT_CHECKED).count() == 1,
            "on its own site only"
        );
        let talos = lab.iter().find(|r| r.detail == TALOS_NOTE).unwrap();
        assert_eq!(talos.level, Level::Info);
        assert!(
            lab.windows(2).all(|w| w[0].level <= w[1].level),
            "worst first"
        );
        // edge-berlin: the Critical image; its unchanged Deployment has not drifted.
        let berlin = of("edge-berlin");
        assert!(berlin.iter().all(|r| r.area != "drift"));
        let img = berlin.iter().find(|r| r.area == "images").unwrap();
        assert_eq!(img.level, Level::Fail);
        assert!(
            img.detail.starts_with("1 Critical, 2 High"),
            "{}",
            img.detail
        );
        // mgmt: WARN items and the two waived ones, shown as waived with the reason, last.
        let mgmt = of("mgmt");
        let waived: Vec<_> = mgmt.iter().filter(|r| r.level == Level::Waived).collect();
        assert_eq!(waived.len(), 2);
        assert!(
            waived
                .iter()
                .any(|r| r.id == "5.5" && r.detail.contains("k3d nodes are privileged"))
        );
        assert_eq!(mgmt.last().unwrap().level, Level::Waived);
        assert!(
            mgmt.iter()
                .all(|r| r.area != "drift" && r.detail != TALOS_NOTE)
        );
        let mgmt_header = rows.iter().find(|r| r.header && r.site == "mgmt").unwrap();
        assert!(
            mgmt_header.detail.contains("2 waived"),
            "{}",
            mgmt_header.detail
        );
        // What every site shares has its own line.
        assert!(of("shared").iter().any(|r| r.id == "CKV_K8S_21"));
        // The filter keeps matching lines under their site's header.
        let f = super::rows(&live, Some(&repo), Some(&images), "CKV_K8S_16");
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].header && f[0].site == "edge-lab" && f[1].area == "drift");
    }

    #[test]
    fn without_the_repo_or_image_data_nothing_is_called_passed() {
        let (live, _, _) = world();
        let rows = rows(&live, None, None, "");
        let mgmt = rows.iter().find(|r| r.header && r.site == "mgmt").unwrap();
        assert!(
            mgmt.detail.contains("policy not checked"),
            "{}",
            mgmt.detail
        );
        assert!(!mgmt.detail.contains("images"), "{}", mgmt.detail);
        assert!(
            rows.iter()
                .any(|r| r.site == "mgmt" && r.area == "policy" && r.level == Level::Info)
        );
        assert!(
            rows.iter().all(|r| r.area != "drift"),
            "no manifests: no drift"
        );
    }

    #[test]
    fn the_overview_counts_standards_as_problems_and_waived_items_do_not() {
        use crate::app::live::gitops::Revisions;
        use crate::app::live::storage::Thresholds;
        use crate::app::live::summary::{add_standards, overview};
        let (live, repo, images) = world();
        let mut sites = overview(&live, Thresholds::default(), &Revisions::new());
        let g = gather(&live, Some(&repo));
        let std = per_site(&g, Some(&repo), Some(&images));
        add_standards(&mut sites, &std, true);
        let site = |n: &str| sites.iter().find(|s| s.site == n).unwrap();
        let lab = site("edge-lab");
        assert!(lab.verdict >= Verdict::Degraded);
        let msgs: Vec<&str> = lab
            .problems
            .iter()
            .filter(|p| p.area == "standards")
            .map(|p| p.message.as_str())
            .collect();
        assert!(msgs.contains(&"1 policy error"), "{msgs:?}");
        let unread = lab
            .problems
            .iter()
            .find(|p| p.message.contains("not checked"))
            .unwrap();
        assert_eq!(
            unread.message,
            "1 manifest not checked (unreadable): apps/edge-lab/web/broken.yaml:6"
        );
        assert_eq!(unread.verdict, Verdict::Unknown, "not known bad: unknown");
        assert!(msgs.iter().any(|m| m.contains("drifted")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.starts_with("kube-bench edge-lab:")),
            "{msgs:?}"
        );
        assert!(
            site("edge-berlin")
                .problems
                .iter()
                .any(|p| p.message.contains("Critical"))
        );
        // mgmt: only WARN and waived benchmark items of its own; what all sites share (a
        // policy error under infrastructure/) counts on the management cluster.
        let mgmt = site("mgmt");
        assert_eq!(
            mgmt.problems
                .iter()
                .filter(|p| p.area == "standards")
                .map(|p| p.object.as_str())
                .collect::<Vec<_>>(),
            ["Standards shared"]
        );
        assert_eq!(mgmt.standards.as_ref().unwrap().verdict, Verdict::Healthy);
        for p in sites
            .iter()
            .flat_map(|s| &s.problems)
            .filter(|p| p.area == "standards")
        {
            assert_ne!(area_of_problem(&p.message), "", "{}", p.message);
        }
    }

    #[test]
    fn a_manifest_not_checked_leaves_an_otherwise_clean_site_unknown_never_healthy() {
        use crate::app::live::gitops::Revisions;
        use crate::app::live::storage::Thresholds;
        use crate::app::live::summary::{add_standards, overview};
        let (live, mut repo, images) = world();
        let std_of = |repo: &RepoSide| {
            let g = gather(&live, Some(repo));
            per_site(&g, Some(repo), Some(&images))
        };
        let mgmt_of = |repo: &RepoSide| {
            let mut sites = overview(&live, Thresholds::default(), &Revisions::new());
            add_standards(&mut sites, &std_of(repo), true);
            sites.into_iter().find(|s| s.site == "mgmt").unwrap()
        };
        // Without the shared policy error, mgmt's standards are healthy (WARN and waived only)…
        repo.policy
            .as_mut()
            .unwrap()
            .retain(|f| f.rule != "CKV_K8S_21");
        let before = mgmt_of(&repo);
        assert_eq!(before.standards.as_ref().unwrap().verdict, Verdict::Healthy);
        assert!(before.problems.iter().all(|p| p.area != "standards"));
        // …until one of its manifests cannot be read: unknown, with a problem saying which.
        repo.unchecked = vec![Unread {
            path: "clusters/mgmt/argocd/app.yaml".into(),
            line: Some(3),
            reason: "did not find expected key".into(),
        }];
        let after = mgmt_of(&repo);
        assert_eq!(after.standards.as_ref().unwrap().verdict, Verdict::Unknown);
        assert!(after.verdict >= Verdict::Unknown, "{:?}", after.verdict);
        let p = after
            .problems
            .iter()
            .find(|p| p.area == "standards")
            .unwrap();
        assert_eq!(
            (p.message.as_str(), p.verdict),
            (
                "1 manifest not checked (unreadable): clusters/mgmt/argocd/app.yaml:3",
                Verdict::Unknown
            )
        );
        let mgmt = std_of(&repo)
            .into_iter()
            .find(|s| s.site == "mgmt")
            .unwrap();
        assert!(!mgmt.degraded(), "not a policy error");
        assert_eq!(mgmt.unchecked_files, 1);
        // The view: the line, under a WARN site header.
        let rows = rows(&live, Some(&repo), Some(&images), "not checked");
        assert_eq!(rows.len(), 2, "{rows:#?}");
        assert_eq!((rows[0].header, rows[0].subject.as_str()), (true, "WARN"));
        assert_eq!(rows[1].subject, "clusters/mgmt/argocd/app.yaml");
        // What every site shares counts on the management cluster, as its policy errors do.
        repo.unchecked[0].path = "infrastructure/argocd/values.yaml".into();
        assert_eq!(
            mgmt_of(&repo).standards.as_ref().unwrap().verdict,
            Verdict::Healthy,
            "mgmt's own area; the shared line is its own"
        );
        assert!(
            mgmt_of(&repo)
                .problems
                .iter()
                .any(|p| p.object == "Standards shared" && p.verdict == Verdict::Unknown)
        );
        assert!(mgmt_of(&repo).verdict >= Verdict::Unknown);
    }

    #[test]
    fn jobs_cronjobs_and_bare_pods_drift_from_their_manifests() {
        // A real repo on disk, scanned as the indexer does: a CronJob, a Job and a bare Pod
        // that pass CKV_K8S_16/17/19 in git.
        let dir = tempfile::tempdir().unwrap();
        let at = dir.path().join("apps/edge-lab/batch");
        std::fs::create_dir_all(&at).unwrap();
        let spec = "      containers:\n        - name: main\n          image: busybox:1.36\n";
        std::fs::write(
            at.join("cron.yaml"),
            format!(
                "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: nightly, namespace: ops}}\nspec:\n  schedule: '0 3 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n{}",
                spec.lines()
                    .map(|l| format!("    {l}\n"))
                    .collect::<String>()
            ),
        )
        .unwrap();
        std::fs::write(
            at.join("job.yaml"),
            format!("apiVersion: batch/v1\nkind: Job\nmetadata: {{name: migrate, namespace: ops}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n{spec}"),
        )
        .unwrap();
        std::fs::write(
            at.join("pod.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata: {name: debug, namespace: ops}\nspec:\n  containers:\n    - name: main\n      image: busybox:1.36\n",
        )
        .unwrap();
        let repo = crate::standards::scan_repo(dir.path());
        for r in ["CronJob.ops.nightly", "Job.ops.migrate", "Pod.ops.debug"] {
            assert!(
                repo.passed_for("edge-lab", r)
                    .is_some_and(|p| p.rules.contains(&"CKV_K8S_16")),
                "{r} passes CKV_K8S_16 in git: {:?}",
                repo.passed.keys().collect::<Vec<_>>()
            );
        }
        // Live, as a real API server lists them (no `kind` on the items): each changed by hand.
        let container = |extra: serde_json::Value| {
            let mut c = json!({"name": "main", "image": "busybox:1.36"});
            c.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            c
        };
        let privileged = container(json!({"securityContext": {"privileged": true}}));
        let mut live = LiveState::default();
        live.apply(LiveMsg::SourceAdded {
            source: "edge-lab".into(),
            root: false,
        });
        put(
            &mut live,
            "edge-lab",
            &kinds::CRON_JOB,
            vec![json!({"metadata": {"name": "nightly", "namespace": "ops"},
                "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
                    "restartPolicy": "Never", "containers": [privileged.clone()]}}}}}})],
        );
        put(
            &mut live,
            "edge-lab",
            &kinds::JOB,
            vec![
                json!({"metadata": {"name": "migrate", "namespace": "ops"},
                    "spec": {"template": {"spec": {"hostPID": true, "restartPolicy": "Never",
                        "containers": [container(json!({}))]}}}}),
                // A Job its CronJob made: not in git by that name, so nothing to drift from.
                json!({"metadata": {"name": "nightly-29000000", "namespace": "ops",
                        "ownerReferences": [{"kind": "CronJob", "name": "nightly", "controller": true}]},
                    "spec": {"template": {"spec": {"restartPolicy": "Never",
                        "containers": [privileged.clone()]}}}}),
            ],
        );
        put(
            &mut live,
            "edge-lab",
            &kinds::POD,
            vec![
                json!({"metadata": {"name": "debug", "namespace": "ops"},
                    "spec": {"hostNetwork": true, "containers": [container(json!({}))]}}),
                // A Pod of a controller is its owner's business, even named like a manifest.
                json!({"metadata": {"name": "debug", "namespace": "other",
                        "ownerReferences": [{"kind": "Job", "name": "migrate", "controller": true}]},
                    "spec": {"containers": [privileged.clone()]}}),
            ],
        );
        let mut got: Vec<(String, Vec<&str>, String)> = drift(&live, &repo)
            .into_iter()
            .map(|d| (d.resource, d.rules, d.source))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                (
                    "CronJob.ops.nightly".to_string(),
                    vec!["CKV_K8S_16"],
                    "apps/edge-lab/batch/cron.yaml:1".to_string()
                ),
                (
                    "Job.ops.migrate".into(),
                    vec!["CKV_K8S_17"],
                    "apps/edge-lab/batch/job.yaml:1".into()
                ),
                (
                    "Pod.ops.debug".into(),
                    vec!["CKV_K8S_19"],
                    "apps/edge-lab/batch/pod.yaml:1".into()
                ),
            ]
        );
        // The view's lines name each by its own kind and lead to it live.
        let rows = rows(&live, Some(&repo), None, "");
        let kinds_of: Vec<&str> = rows
            .iter()
            .filter_map(|r| match &r.target {
                Target::Live { kind, .. } => Some(*kind),
                _ => None,
            })
            .collect();
        assert_eq!(kinds_of.len(), 3, "{rows:#?}");
        for k in ["CronJob", "Job", "Pod"] {
            assert!(kinds_of.contains(&k), "{k}: {kinds_of:?}");
        }
        assert!(rows.iter().any(|r| r.subject == "CronJob ops/nightly"));
    }
}
