//! The Images view: every image the repo deploys (read by a task: `clair::images::repo_images`)
//! and every image live Pods run (their `imageID` digests), deduplicated by digest, each with
//! where it runs and what a vulnerability source says of it: Clair v4 (asked by a task, one
//! report per digest, answers cached here) or Trivy Operator's `VulnerabilityReport` objects
//! (watched like any kind). Worst first.
//!
//! Pure: the tasks (runtime/effects.rs) fetch and index and send [`ImagesMsg`]; `rows` derives
//! the table; the clock is `live.now`. Reports are read whenever the view needs them; indexing
//! is only ever the `I` key (it asks Clair to pull the image's layers from the registry and
//! writes nothing to git or a cluster, so a read-only console may do it).

use std::collections::{BTreeMap, BTreeSet};

use super::table::TableNav;
use super::{LiveState, SourceId};
use crate::app::{Effect, State};
use crate::clair::images::{self, Image, Seen, Use};
use crate::clair::trivy::{self, TrivyReports};
use crate::clair::{ReportState, Severity};
use crate::model::LiveObject;
use crate::model::kinds::{KindInfo, POD, VULNERABILITY_REPORT};

pub const KINDS: [KindInfo; 2] = [POD, VULNERABILITY_REPORT];

/// How long a `202 not ready` stands before Clair is asked again (seconds).
pub const NOT_READY_RETRY: i64 = 5;
/// How long a failed answer stands before the view asks again (seconds).
pub const FAILED_RETRY: i64 = 60;
/// How long a report is trusted before it is read again (seconds): Clair's matcher updates
/// its vulnerability database, so a clean image may not stay clean.
pub const REPORT_TTL: i64 = 3600;

/// What the image tasks answer.
#[derive(Debug, Clone, PartialEq)]
pub enum ImagesMsg {
    /// The images the repo deploys.
    Repo(Result<Vec<Seen>, String>),
    /// Clair's answer for one digest, and when it came (unix seconds).
    Report {
        digest: String,
        state: ReportState,
        at: i64,
    },
    /// An index request's outcome (the indexer's state, or why it failed).
    Indexed {
        image: String,
        digest: Option<String>,
        result: Result<String, String>,
    },
}

/// Where the console reaches Clair.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ClairSetup {
    /// No `[clair] url`: only Trivy Operator's reports, if any.
    #[default]
    None,
    /// Clair's base URL (the key, if any, stays with the task).
    Url(String),
    /// The config is wrong (a key that is not base64): said in the view.
    Bad(String),
}

/// One answer of Clair's, kept until it is stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub state: ReportState,
    pub at: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImagesState {
    pub nav: TableNav,
    /// The Images view's rows: [`ImagesState::all`] narrowed by its filter.
    pub rows: Vec<ImageRow>,
    /// The one image store: every image with its report, worst first, unfiltered, settled once
    /// per change ([`refresh`]) and read by the Images view, the Standards view and the
    /// overview (`vulns`); `blast images`, `blast standards` and `blast status` derive theirs
    /// with the same [`rows`].
    pub all: Vec<ImageRow>,
    pub clair: ClairSetup,
    /// The repo's images: `None` until read.
    pub repo: Option<Result<Vec<Seen>, String>>,
    /// A repo read is under way (or done for this index): not asked again until it changes.
    pub repo_asked: bool,
    /// Clair's answers by digest.
    pub reports: BTreeMap<String, Asked>,
    /// Digests asked of Clair, not answered yet.
    pub asking: BTreeSet<String>,
    /// Images being indexed (by reference).
    pub indexing: BTreeSet<String>,
}

/// One row: an image, where it runs, and its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRow {
    pub image: Image,
    /// Which source the report is from: `clair`, `trivy`, or `` (none yet).
    pub source: &'static str,
    /// No answer yet: Clair is being asked.
    pub asking: bool,
    /// No source at all (no Clair configured and no Trivy report).
    pub unknown: bool,
    pub indexing: bool,
}

impl ImageRow {
    pub fn name(&self) -> &str {
        self.image.name()
    }

    /// The sites it runs on, sorted, once each.
    pub fn sites(&self) -> Vec<&str> {
        let mut s: Vec<&str> = self
            .image
            .uses
            .iter()
            .map(|u| u.site.as_str())
            .filter(|s| !s.is_empty())
            .collect();
        s.sort();
        s.dedup();
        s
    }

    /// `shop/Deployment/web` of the first use, `+N` more.
    pub fn where_(&self) -> String {
        let Some(u) = self.image.uses.first() else {
            return String::new();
        };
        let first = place(u);
        match self.image.uses.len() {
            1 => first,
            n => format!("{first} +{}", n - 1),
        }
    }

    /// The status text: `scanned`, `not indexed (I: index)`, …
    pub fn status(&self) -> String {
        if self.indexing {
            return "indexing…".into();
        }
        if self.asking {
            return "asking Clair…".into();
        }
        if self.unknown {
            return "no source".into();
        }
        match &self.image.report {
            ReportState::Ready { summary, .. } if summary.total() == 0 => "clean".into(),
            ReportState::Ready { .. } => "scanned".into(),
            ReportState::NotReady => "not ready (202)".into(),
            ReportState::NotIndexed => "not indexed (404) · I: index".into(),
            ReportState::NoDigest => "no digest (tag only)".into(),
            ReportState::Failed(e) => format!("✖ {e}"),
        }
    }

    /// Stable identity for keeping the selection.
    pub fn id(&self) -> String {
        match &self.image.digest {
            Some(d) => d.clone(),
            None => self.name().to_string(),
        }
    }

    /// The order of the view: worst severity first (Critical with a fix before Critical
    /// without), then failures, then what is not known yet, clean last; by name within.
    fn rank(&self) -> (u8, u32, &str) {
        let (rank, n) = match &self.image.report {
            _ if self.asking || self.unknown => (16, 0),
            ReportState::Ready { summary, .. } => match summary.worst_severity() {
                Some(s) => (10 - s as u8, u32::MAX - summary.count(s)),
                None => (20, 0),
            },
            ReportState::Failed(_) => (15, 0),
            ReportState::NotIndexed | ReportState::NotReady | ReportState::NoDigest => (16, 0),
        };
        (rank, n, self.name())
    }
}

/// `site namespace Kind/name`.
pub fn place(u: &Use) -> String {
    [u.site.as_str(), u.namespace.as_str(), u.workload.as_str()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What live Pods run and what Trivy reported, of every source (site).
pub fn live_seen(live: &LiveState) -> (Vec<Seen>, Vec<&crate::model::vuln::VulnReport>) {
    let mut seen = Vec::new();
    let mut reports = Vec::new();
    for src in live.sources.values() {
        let site: &SourceId = &src.id;
        for o in src.objects(&POD) {
            if let LiveObject::Pod(p) = o {
                seen.extend(images::pod_images(p, site));
            }
        }
        for o in src.objects(&VULNERABILITY_REPORT) {
            if let LiveObject::VulnReport(r) = o {
                seen.push(trivy::seen(r, site));
                reports.push(r.as_ref());
            }
        }
    }
    (seen, reports)
}

/// The images with their reports, worst first: Clair's answer where it has a report, else
/// Trivy's, else Clair's other answers (not ready, not indexed, failed). Pure; also what the
/// Standards view and the dashboard can count (`clair::images::by_site` over `.image`).
pub fn rows(live: &LiveState, st: &ImagesState, filter: &str) -> Vec<ImageRow> {
    let (mut seen, reports) = live_seen(live);
    if let Some(Ok(repo)) = &st.repo {
        seen.extend(repo.iter().cloned());
    }
    let trivy = TrivyReports::new(reports, live.now.max(0) as u64);
    let needle = filter.to_lowercase();
    let mut out: Vec<ImageRow> = images::dedupe(seen)
        .into_iter()
        .map(|mut image| {
            let asked = image.digest.as_ref().and_then(|d| st.reports.get(d));
            let from_trivy = trivy.lookup(image.digest.as_deref(), &image.references);
            let mut source = "";
            let mut asking = false;
            let mut unknown = false;
            match (asked, from_trivy) {
                (Some(a), _) if matches!(a.state, ReportState::Ready { .. }) => {
                    image.report = a.state.clone();
                    source = "clair";
                }
                (_, Some(t)) => {
                    image.report = t;
                    source = "trivy";
                }
                (Some(a), None) => {
                    image.report = a.state.clone();
                    source = "clair";
                }
                (None, None) if image.digest.is_none() => {}
                (None, None) => match &st.clair {
                    ClairSetup::Url(_) => asking = true,
                    ClairSetup::Bad(e) => image.report = ReportState::Failed(e.clone()),
                    ClairSetup::None => unknown = true,
                },
            }
            let indexing = image.references.iter().any(|r| st.indexing.contains(r))
                || image
                    .digest
                    .as_ref()
                    .is_some_and(|d| st.indexing.contains(d));
            ImageRow {
                image,
                source,
                asking,
                unknown,
                indexing,
            }
        })
        .filter(|r| needle.is_empty() || matches_filter(r, &needle))
        .collect();
    out.sort_by(|a, b| a.rank().cmp(&b.rank()));
    out
}

/// The store's rows a view filter keeps (`filter` as typed; case is ignored).
pub fn filtered(all: &[ImageRow], filter: &str) -> Vec<ImageRow> {
    let needle = filter.to_lowercase();
    all.iter()
        .filter(|r| needle.is_empty() || matches_filter(r, &needle))
        .cloned()
        .collect()
}

/// The images' vulnerabilities as the Standards view, the overview and `blast status` count
/// them (the `standards::ImageVulns` seam), from the store; `None` while no image has a
/// source (no Clair configured and no Trivy report): nothing known, never "clean".
pub fn vulns(all: &[ImageRow]) -> Option<Vec<crate::standards::ImageVulns>> {
    all.iter().any(|r| !r.unknown && !r.asking).then(|| {
        all.iter()
            .map(|r| crate::standards::ImageVulns::of(&r.image))
            .collect()
    })
}

fn matches_filter(r: &ImageRow, needle: &str) -> bool {
    r.image
        .references
        .iter()
        .any(|x| x.to_lowercase().contains(needle))
        || r.image
            .digest
            .as_deref()
            .is_some_and(|d| d.contains(needle))
        || r.image
            .uses
            .iter()
            .any(|u| place(u).to_lowercase().contains(needle))
        || r.status().to_lowercase().contains(needle)
}

/// The digests to ask Clair for: shown, with a digest, not answered (or the answer is stale),
/// not being asked. At most `limit` at a time.
pub fn wanted(st: &ImagesState, now: i64, limit: usize) -> Vec<String> {
    if !matches!(st.clair, ClairSetup::Url(_)) {
        return vec![];
    }
    let mut out = Vec::new();
    for r in &st.all {
        let Some(d) = &r.image.digest else { continue };
        if st.asking.contains(d) || out.contains(d) {
            continue;
        }
        let stale = match st.reports.get(d) {
            None => true,
            Some(a) => {
                let ttl = match a.state {
                    ReportState::NotReady => NOT_READY_RETRY,
                    ReportState::Failed(_) => FAILED_RETRY,
                    _ => REPORT_TTL,
                };
                now - a.at >= ttl
            }
        };
        if stale {
            out.push(d.clone());
        }
        if out.len() >= limit {
            break;
        }
    }
    out
}

/// Applies a task's answer.
pub fn answer(state: &mut State, msg: ImagesMsg, fx: &mut Vec<Effect>) {
    if let Some((error, text)) = absorb(&mut state.images, msg) {
        state.toast(error, text);
    }
    mark(state, fx);
}

/// Takes one answer into the store (the console's and the wall's); what to tell the user,
/// `(is_error, text)`, where there is something.
pub fn absorb(st: &mut ImagesState, msg: ImagesMsg) -> Option<(bool, String)> {
    match msg {
        ImagesMsg::Repo(r) => st.repo = Some(r),
        ImagesMsg::Report {
            digest,
            state: s,
            at,
        } => {
            st.asking.remove(&digest);
            st.reports.insert(digest, Asked { state: s, at });
        }
        ImagesMsg::Indexed {
            image,
            digest,
            result,
        } => {
            st.indexing.remove(&image);
            if let Some(d) = &digest {
                st.indexing.remove(d);
                // Ask again: the report may be ready now, or in a moment (202).
                st.reports.remove(d);
            }
            return Some(match result {
                Ok(s) => (false, format!("{image}: sent to Clair ({s})")),
                Err(e) => (true, format!("{image}: not indexed: {e}")),
            });
        }
    }
    None
}

/// Something of the view's own changed: derive again if it is on screen.
fn mark(state: &mut State, fx: &mut Vec<Effect>) {
    if shows_images(&state.route) {
        state.live.changed.sources = true;
        fx.extend(super::views::settle(state));
        state.dirty = true;
    }
}

/// The clock moved: answers that went stale (202s, failures) are asked again.
pub fn tick(state: &mut State, fx: &mut Vec<Effect>) {
    if shows_images(&state.route) && !wanted(&state.images, state.live.now, 1).is_empty() {
        mark(state, fx);
    }
}

/// The repo was indexed again: read its images again next time they are shown.
pub fn repo_changed(state: &mut State, fx: &mut Vec<Effect>) {
    state.images.repo_asked = false;
    mark(state, fx);
}

/// The views that read the image store: they keep it settled while on screen.
pub fn shows_images(route: &crate::app::nav::Route) -> bool {
    use crate::app::nav::Route;
    matches!(route, Route::Images | Route::Standards)
}

/// What the image store asks of its reader task: reads only, so the console and the wall map
/// both into their own effects, every variant named (nothing dropped on the way).
#[derive(Debug, Clone, PartialEq)]
pub enum Ask {
    /// Read the images the repo deploys (files only).
    RepoImages,
    /// Clair's reports of these manifest digests.
    Reports(Vec<String>),
}

impl From<Ask> for Effect {
    fn from(a: Ask) -> Effect {
        match a {
            Ask::RepoImages => Effect::ScanRepoImages,
            Ask::Reports(d) => Effect::FetchReports(d),
        }
    }
}

/// Settles the one image store (`st.all`, from `settle` while a view that reads it is on
/// screen) and asks for what it lacks: the repo's images once per index, Clair's reports of
/// the digests without a fresh answer (at most 32 at a time).
pub fn refresh(live: &LiveState, st: &mut ImagesState) -> Vec<Ask> {
    let mut asks = vec![];
    if !st.repo_asked {
        st.repo_asked = true;
        asks.push(Ask::RepoImages);
    }
    st.all = rows(live, st, "");
    let want = wanted(st, live.now, 32);
    if !want.is_empty() {
        st.asking.extend(want.iter().cloned());
        // Rows of digests being asked show it.
        for r in &mut st.all {
            if r.image.digest.as_ref().is_some_and(|d| want.contains(d)) && r.source.is_empty() {
                r.asking = true;
            }
        }
        asks.push(Ask::Reports(want));
    }
    asks
}

/// The Images view's rows (from `settle`): the store settled, then narrowed by the view's
/// filter (no second derivation).
pub fn settle(live: &LiveState, st: &mut ImagesState, height: usize, fx: &mut Vec<Effect>) {
    fx.extend(refresh(live, st).into_iter().map(Effect::from));
    let rows = filtered(&st.all, &st.nav.filter);
    // The top row selected stays the top row as answers reorder the list: the worst image is
    // what the view opens on. A row chosen further down is followed where it moves.
    let top = st.nav.selected == 0 && st.nav.pending.is_none();
    st.nav
        .rederive(&mut st.rows, rows, |r| (r.id(), r.name()), height);
    if top {
        st.nav.selected = 0;
        st.nav.clamp(st.rows.len(), height);
    }
}

/// `I`: asks Clair to index the selected image (explicit only; writes nothing to git or a
/// cluster, so read-only consoles may).
pub fn index_selected(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(r) = state.images.rows.get(state.images.nav.selected) else {
        state.toast(false, "no image selected");
        return;
    };
    match &state.images.clair {
        ClairSetup::Url(_) => {}
        ClairSetup::None => {
            state.toast(
                false,
                "no Clair configured: set [clair] url (and psk) in the config",
            );
            return;
        }
        ClairSetup::Bad(e) => {
            let e = e.clone();
            state.toast(true, e);
            return;
        }
    }
    if r.indexing {
        state.toast(false, format!("{} is being indexed", r.name()));
        return;
    }
    if r.image.references.is_empty() {
        state.toast(
            false,
            "this image has no reference to resolve from a registry (a digest alone)",
        );
        return;
    }
    let name = r.name().to_string();
    let reference = match &r.image.digest {
        Some(d) => format!("{name}@{d}"),
        None => name.clone(),
    };
    let digest = r.image.digest.clone();
    state.images.indexing.insert(name.clone());
    fx.push(Effect::IndexImage {
        image: name.clone(),
        reference,
        digest,
    });
    state.toast(
        false,
        format!("{name}: asking Clair to index it (the registry is read; nothing is written to git or a cluster)"),
    );
    mark(state, fx);
}

/// `r`: forget Clair's answers and the repo's images, and ask again.
pub fn rescan(state: &mut State, fx: &mut Vec<Effect>) {
    state.images.reports.clear();
    state.images.repo_asked = false;
    state.toast(false, "asking the vulnerability sources again");
    mark(state, fx);
}

/// The selected image whole, for the `i` pop-up: digest, references, report and its age,
/// every use, the worst vulnerabilities with their links.
pub fn notes(state: &State) -> Vec<(String, String)> {
    let Some(r) = state.images.rows.get(state.images.nav.selected) else {
        return vec![];
    };
    let mut n = vec![];
    let img = &r.image;
    n.push(("image".into(), img.references.join(", ")));
    if let Some(d) = &img.digest {
        n.push(("digest".into(), d.clone()));
    }
    n.push(("report".into(), report_line(r, state.live.now)));
    for u in &img.uses {
        n.push(("used by".into(), format!("{} ({})", place(u), u.source)));
    }
    if let ReportState::Ready { summary, .. } = &img.report {
        for f in &summary.worst {
            n.push((f.severity.name().to_string(), finding_line(f)));
        }
    }
    n
}

/// `clair, 3m ago: 1 Critical, 2 High, … (1 fixable)` or the state.
pub fn report_line(r: &ImageRow, now: i64) -> String {
    match &r.image.report {
        ReportState::Ready {
            summary,
            fetched_at,
        } if !r.asking && !r.unknown => {
            let counts: Vec<String> = Severity::ALL
                .iter()
                .filter(|s| summary.count(**s) > 0)
                .map(|s| format!("{} {}", summary.count(*s), s.name()))
                .collect();
            format!(
                "{} report, {} ago: {} ({} fixable)",
                r.source,
                super::age(now, *fetched_at as i64),
                if counts.is_empty() {
                    "no vulnerabilities".to_string()
                } else {
                    counts.join(", ")
                },
                summary.fixable
            )
        }
        _ => r.status(),
    }
}

/// `CVE-2024-1 openssl 3.0.1 → 3.0.2 https://…`.
pub fn finding_line(f: &crate::clair::Finding) -> String {
    let fix = if f.fixed_in.is_empty() {
        "no fix".to_string()
    } else {
        format!("fixed in {}", f.fixed_in)
    };
    format!("{} {} {} ({fix}) {}", f.name, f.package, f.version, f.link)
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::live::{Entry, LiveMsg, ObjKey};
    use crate::clair::{Summary, VulnerabilityReport};
    use serde_json::json;

    const MOSQ: &str = "sha256:377a93d5baccbf2d6766b59b63f46f24f4c1f0346151f575adb4762e5061a4d2";
    const PODINFO: &str = "sha256:63f811565dec39cf1b3f77fa84d849ee9ae8457b8f37e9be8c3d20c7b1385145";
    const GRAFANA: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    fn live_with(objs: Vec<Obj>) -> LiveState {
        let mut live = LiveState {
            now: 1_800_000_000,
            ..Default::default()
        };
        for (site, kind, v) in objs {
            let o = crate::model::parse(kind, &v).unwrap().unwrap();
            let key = ObjKey::new(o.meta().namespace.as_deref(), &o.meta().name);
            live.apply(LiveMsg::SourceAdded {
                source: site.to_string(),
                root: true,
            });
            live.apply(LiveMsg::Apply {
                source: site.to_string(),
                kind,
                key,
                entry: Entry::Ok(o),
                at: 1_800_000_000,
            });
        }
        live
    }

    fn pod(name: &str, image: &str, id: &str) -> serde_json::Value {
        json!({"metadata": {"name": name, "namespace": "ns",
                "ownerReferences": [{"kind": "ReplicaSet", "name": format!("{name}-rs"), "controller": true}]},
               "spec": {"containers": [{"name": "main", "image": image}]},
               "status": {"containerStatuses": [{"name": "main", "image": image, "imageID": id}]}})
    }

    type Obj = (
        &'static str,
        &'static crate::model::kinds::KindInfo,
        serde_json::Value,
    );

    /// The demo's mosquitto Pod on edge-berlin (its digest is [`MOSQ`]).
    fn mosquitto() -> Obj {
        (
            "edge-berlin",
            &POD,
            pod(
                "mosquitto",
                "eclipse-mosquitto:2.0.22",
                &format!("docker.io/library/eclipse-mosquitto@{MOSQ}"),
            ),
        )
    }

    /// The demo's podinfo Pod on edge-lab (its digest is [`PODINFO`]).
    fn podinfo() -> Obj {
        (
            "edge-lab",
            &POD,
            pod(
                "podinfo",
                "ghcr.io/stefanprodan/podinfo:6.9.2",
                &format!("ghcr.io/stefanprodan/podinfo@{PODINFO}"),
            ),
        )
    }

    /// A console state with these objects live and a Clair configured.
    fn with_clair(objs: Vec<Obj>) -> State {
        let mut state = State {
            live: live_with(objs),
            ..Default::default()
        };
        state.images.clair = ClairSetup::Url("http://clair".into());
        state
    }

    /// An answer had at time 0.
    fn asked(state: ReportState) -> Asked {
        Asked { state, at: 0 }
    }

    fn clair_report(digest: &str, sev: &str, fix: &str) -> ReportState {
        let r: VulnerabilityReport = serde_json::from_value(json!({
            "manifest_hash": digest,
            "packages": {"1": {"name": "openssl", "version": "3.0.1"}},
            "vulnerabilities": {"9": {"id": "9", "name": "CVE-2026-9", "normalized_severity": sev,
                "fixed_in_version": fix, "links": "https://cve.example/9 https://x"}},
            "package_vulnerabilities": {"1": ["9"]}
        }))
        .unwrap();
        ReportState::Ready {
            summary: Summary::of_report(&r),
            fetched_at: 1_800_000_000 - 120,
        }
    }

    #[test]
    fn rows_join_pods_trivy_and_clair_worst_first() {
        let live = live_with(vec![
            podinfo(),
            mosquitto(),
            (
                "edge-berlin",
                &POD,
                pod(
                    "minio",
                    "quay.io/minio/minio:x",
                    &format!("quay.io/minio/minio@sha256:{}", "0".repeat(64)),
                ),
            ),
            (
                "edge-lab",
                &VULNERABILITY_REPORT,
                json!({
                "metadata": {"name": "replicaset-grafana-main", "namespace": "monitoring",
                    "labels": {"trivy-operator.resource.kind": "ReplicaSet", "trivy-operator.resource.name": "grafana-7f"}},
                "report": {"artifact": {"repository": "grafana/grafana", "tag": "12.0.2", "digest": GRAFANA},
                    "registry": {"server": "index.docker.io"},
                    "summary": {"criticalCount": 0, "highCount": 2, "mediumCount": 1, "lowCount": 0, "unknownCount": 0},
                    "updateTimestamp": "2027-01-15T08:00:00Z", "vulnerabilities": []}}),
            ),
        ]);
        let mut st = ImagesState {
            clair: ClairSetup::Url("http://clair".into()),
            ..Default::default()
        };
        st.reports
            .insert(MOSQ.into(), asked(clair_report(MOSQ, "Critical", "2.0.23")));
        st.reports.insert(
            PODINFO.into(),
            asked(ReportState::Ready {
                summary: Summary::default(),
                fetched_at: 0,
            }),
        );
        st.reports.insert(
            format!("sha256:{}", "0".repeat(64)),
            asked(ReportState::NotIndexed),
        );
        let rows = rows(&live, &st, "");
        let names: Vec<(&str, &str, String)> = rows
            .iter()
            .map(|r| (r.name(), r.source, r.status()))
            .collect();
        assert_eq!(
            names,
            [
                ("eclipse-mosquitto:2.0.22", "clair", "scanned".to_string()),
                (
                    "docker.io/grafana/grafana:12.0.2",
                    "trivy",
                    "scanned".to_string()
                ),
                (
                    "quay.io/minio/minio:x",
                    "clair",
                    "not indexed (404) · I: index".to_string()
                ),
                (
                    "ghcr.io/stefanprodan/podinfo:6.9.2",
                    "clair",
                    "clean".to_string()
                ),
            ]
        );
        assert_eq!(rows[0].sites(), ["edge-berlin"]);
        assert_eq!(rows[0].where_(), "edge-berlin ns ReplicaSet/mosquitto-rs");
        assert_eq!(
            rows[1].where_(),
            "edge-lab monitoring ReplicaSet/grafana-7f"
        );
        // The filter narrows by name, place or status.
        assert_eq!(super::rows(&live, &st, "BERLIN").len(), 2);
        assert_eq!(super::rows(&live, &st, "not indexed").len(), 1);
        // Nothing asked yet: the digests without an answer are wanted, at most `limit`.
        st.all = rows;
        st.reports.clear();
        let w = wanted(&st, live.now, 2);
        assert_eq!(w.len(), 2, "{w:?}");
        st.asking.extend(w.clone());
        let rest = wanted(&st, live.now, 32);
        assert!(rest.iter().all(|d| !w.contains(d)), "asked once");
        // A 202 is asked again after a few seconds, a report after an hour.
        st.asking.clear();
        st.reports.insert(
            MOSQ.into(),
            Asked {
                state: ReportState::NotReady,
                at: live.now,
            },
        );
        assert!(!wanted(&st, live.now, 32).contains(&MOSQ.to_string()));
        assert!(wanted(&st, live.now + NOT_READY_RETRY, 32).contains(&MOSQ.to_string()));
        // Without a Clair, nothing is asked and the rows without Trivy say so.
        st.clair = ClairSetup::None;
        st.reports.clear();
        assert!(wanted(&st, live.now, 32).is_empty());
        let rows = super::rows(&live, &st, "");
        assert_eq!(rows.iter().filter(|r| r.unknown).count(), 3);
        assert_eq!(
            rows[0].source, "trivy",
            "trivy's report leads when Clair knows nothing"
        );
    }

    #[test]
    fn notes_carry_the_worst_with_links_and_the_report_age() {
        let mut state = with_clair(vec![mosquitto()]);
        state
            .images
            .reports
            .insert(MOSQ.into(), asked(clair_report(MOSQ, "Critical", "2.0.23")));
        state.images.rows = rows(&state.live, &state.images, "");
        let n = notes(&state);
        let get = |k: &str| {
            n.iter()
                .find(|(l, _)| l == k)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        };
        assert_eq!(get("digest"), MOSQ);
        assert_eq!(
            get("report"),
            "clair report, 2m ago: 1 Critical (1 fixable)"
        );
        assert_eq!(
            get("Critical"),
            "CVE-2026-9 openssl 3.0.1 (fixed in 2.0.23) https://cve.example/9"
        );
        assert_eq!(
            get("used by"),
            "edge-berlin ns ReplicaSet/mosquitto-rs (live)"
        );
    }

    /// One image store: the Standards view reads the rows the Images view settled, whole (the
    /// Images view's filter narrows only its own table), and Clair's answers reach the
    /// Standards view while it is on screen.
    #[test]
    fn the_standards_view_reads_the_one_image_store_unfiltered_and_kept_fresh() {
        use crate::app::live::standards::{Level, Target};
        use crate::app::nav::{self, Route};
        use crate::app::{Msg, update};
        let mut state = with_clair(vec![mosquitto(), podinfo()]);
        state.images.repo = Some(Ok(vec![]));
        state.images.repo_asked = true;
        // The Standards view first: it asks Clair for both digests, once.
        let mut fx = vec![];
        nav::go(&mut state, Route::Standards, &mut fx);
        fx.extend(crate::app::live::views::settle(&mut state));
        let asked: Vec<&Vec<String>> = fx
            .iter()
            .filter_map(|e| match e {
                Effect::FetchReports(d) => Some(d),
                _ => None,
            })
            .collect();
        assert_eq!(asked.len(), 1, "{fx:?}");
        assert_eq!(asked[0].len(), 2);
        // Clair answers while the Standards view is on screen: its lines follow.
        for (digest, report) in [
            (MOSQ, clair_report(MOSQ, "Critical", "2.0.23")),
            (PODINFO, clair_report(PODINFO, "High", "")),
        ] {
            let at = state.live.now;
            let _ = update(
                &mut state,
                Msg::Images(ImagesMsg::Report {
                    digest: digest.into(),
                    state: report,
                    at,
                }),
            );
        }
        let _ = crate::app::live::views::settle(&mut state);
        let image_lines = |state: &State| -> Vec<(String, Level)> {
            state
                .views
                .standard_rows
                .iter()
                .filter(|r| matches!(r.target, Target::Image { .. }))
                .map(|r| (r.site.clone(), r.level))
                .collect()
        };
        let want = vec![
            ("edge-berlin".to_string(), Level::Fail),
            ("edge-lab".to_string(), Level::Warn),
        ];
        assert_eq!(image_lines(&state), want);
        // The Images view, filtered to one image: its table narrows, the store does not.
        let mut fx = vec![];
        nav::go(&mut state, Route::Images, &mut fx);
        state.images.nav.filter = "podinfo".into();
        state.live.changed.sources = true;
        fx.extend(crate::app::live::views::settle(&mut state));
        assert_eq!(state.images.rows.len(), 1);
        assert_eq!(state.images.all.len(), 2);
        assert!(
            !fx.iter().any(|e| matches!(e, Effect::FetchReports(_))),
            "answered: not asked again"
        );
        // Back on the Standards view, every image counts, whatever the Images filter.
        let mut fx = vec![];
        nav::go(&mut state, Route::Standards, &mut fx);
        fx.extend(crate::app::live::views::settle(&mut state));
        assert_eq!(image_lines(&state), want);
        assert_eq!(
            state.views.std_images,
            vulns(&state.images.all),
            "the view counts the store"
        );
    }
}
