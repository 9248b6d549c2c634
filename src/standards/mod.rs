//! The datacenter's standards brought together per site: policy findings of the repo (checkov's
//! rules, through the [`PolicySource`] seam), the CIS benchmarks (docker-bench on the k3d host,
//! kube-bench per cluster, read from ConfigMaps `blast.io/report` in `blast-system`, with the
//! repo's waivers) and image vulnerabilities (Clair, see `crate::clair`).
//!
//! Pure: reading the ConfigMaps and asking Clair are the callers' (`mode/standards.rs`).

pub mod bench;
pub mod waivers;

use std::collections::BTreeMap;

use serde::Serialize;

use bench::{Outcome, Report};

/// Namespace of the report ConfigMaps on the management cluster.
pub const NAMESPACE: &str = "blast-system";
/// Label naming the tool of a report ConfigMap.
pub const REPORT_LABEL: &str = "blast.io/report";
/// Label naming the host or cluster a report is of.
pub const TARGET_LABEL: &str = "blast.io/target";
/// Data key of the tool's JSON, unchanged.
pub const DATA_KEY: &str = "report.json";

/// One policy finding, as the policy rules (`blast check --policy`) give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyFinding {
    /// checkov's check id (`CKV_K8S_20`) or ours (`BLAST_CIS_5_6`).
    pub rule: String,
    /// checkov's resource string (`Deployment.shop.web`).
    pub resource: String,
    /// `path:line` in the repo.
    pub source: String,
    pub message: String,
}

/// The seam for the policy rules: anything that turns a repo into findings. [`Rules`] is the
/// built-in one (`crate::policy`, checkov's IDs and semantics); [`NoPolicy`] says policy is
/// not checked (never that it passed).
pub trait PolicySource {
    /// `None`: this source cannot check policy (not "no findings").
    fn findings(&self, root: &std::path::Path) -> Option<Vec<PolicyFinding>>;
}

/// No policy rules: "not checked".
pub struct NoPolicy;

impl PolicySource for NoPolicy {
    fn findings(&self, _root: &std::path::Path) -> Option<Vec<PolicyFinding>> {
        None
    }
}

/// The built-in policy rules over the repo (`.checkov.yaml` at its root honoured), as
/// `blast check --policy` runs them: every failed rule is a finding.
pub struct Rules;

impl PolicySource for Rules {
    fn findings(&self, root: &std::path::Path) -> Option<Vec<PolicyFinding>> {
        scan_repo(root).policy
    }
}

impl PolicyFinding {
    pub fn of(o: &crate::policy::Outcome) -> PolicyFinding {
        PolicyFinding {
            rule: o.rule.to_string(),
            resource: o.resource.clone(),
            source: format!("{}:{}", o.path, o.line),
            message: o.message.clone(),
        }
    }

    /// The repo path and line of `source`.
    pub fn path_line(&self) -> (&str, usize) {
        match self.source.rsplit_once(':') {
            Some((p, l)) => (p, l.parse().unwrap_or(1)),
            None => (&self.source, 1),
        }
    }
}

/// The kinds whose live objects are compared with their manifests (drift): the workloads the
/// console watches (`app::live::standards::DRIFT_KINDS`), bare Pods included.
pub const DRIFT_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Pod",
];

/// What a workload manifest of the repo passes, for drift.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Passed {
    /// The site of its path (`site_of_path`; `""` shared).
    pub site: String,
    /// `path:line` of the document.
    pub source: String,
    pub rules: Vec<&'static str>,
}

/// The repo's side of the standards, read once per index: its policy findings, what each
/// workload manifest passes (for drift) and the waivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSide {
    /// `None`: policy could not be checked (the repo could not be read).
    pub policy: Option<Vec<PolicyFinding>>,
    /// By checkov's resource string (`Deployment.shop.web`); several sites may share one.
    pub passed: BTreeMap<String, Vec<Passed>>,
    /// `standards/waivers.yaml`, or the error (with file:line) that makes it unusable.
    pub waivers: Result<Vec<waivers::Waiver>, String>,
    /// Manifests the policy rules would have checked but could not read (a syntax error, over
    /// the size cap, an I/O error): not checked, never clean. checkov skips them silently;
    /// the findings do too (policy parity), these lines say so.
    pub unchecked: Vec<crate::policy::Unread>,
}

impl Default for RepoSide {
    /// Nothing read: policy not checked, no waivers.
    fn default() -> RepoSide {
        RepoSide {
            policy: None,
            passed: BTreeMap::new(),
            waivers: Ok(Vec::new()),
            unchecked: Vec::new(),
        }
    }
}

impl RepoSide {
    /// The manifest a live workload of `site` is compared with: the site's own, else a shared
    /// one; `None` when the repo does not define it (nothing to drift from).
    pub fn passed_for(&self, site: &str, resource: &str) -> Option<&Passed> {
        let all = self.passed.get(resource)?;
        all.iter()
            .find(|p| p.site == site)
            .or_else(|| all.iter().find(|p| p.site.is_empty()))
    }
}

/// Reads the repo's side: one policy scan (failed rules become findings; what workload
/// manifests pass is kept for drift) and the waivers. I/O: run it off the event loop.
pub fn scan_repo(root: &std::path::Path) -> RepoSide {
    scan_repo_with_outcomes(root).1
}

/// [`scan_repo`], with the failed outcomes themselves (the browser's marks) from the same scan.
pub fn scan_repo_with_outcomes(root: &std::path::Path) -> (Vec<crate::policy::Outcome>, RepoSide) {
    use crate::policy::{Config, Scan, Status, scan_all};
    let config = Config::load(&[root]);
    let mut failed_outcomes = Vec::new();
    let mut unchecked = Vec::new();
    let (policy, passed) = match scan_all(root, &config) {
        Ok(Scan {
            outcomes: all,
            unread,
        }) => {
            unchecked = unread;
            let mut passed: BTreeMap<String, Vec<Passed>> = BTreeMap::new();
            for o in all.iter().filter(|o| o.status == Status::Passed) {
                let kind = o.resource.split('.').next().unwrap_or("");
                if !DRIFT_KINDS.contains(&kind) {
                    continue;
                }
                let site = site_of_path(&o.path).to_string();
                let list = passed.entry(o.resource.clone()).or_default();
                match list.iter_mut().find(|p| p.site == site) {
                    Some(p) => p.rules.push(o.rule),
                    None => list.push(Passed {
                        site,
                        source: format!("{}:{}", o.path, o.line),
                        rules: vec![o.rule],
                    }),
                }
            }
            failed_outcomes = all
                .into_iter()
                .filter(|o| o.status == Status::Failed)
                .collect::<Vec<_>>();
            let failed = failed_outcomes.iter().map(PolicyFinding::of).collect();
            (Some(failed), passed)
        }
        Err(_) => (None, BTreeMap::new()),
    };
    let side = RepoSide {
        policy,
        passed,
        waivers: waivers::load(root),
        unchecked,
    };
    (failed_outcomes, side)
}

/// An image's vulnerabilities as the Standards view counts them: the seam between whatever
/// knows the images' reports (Clair, Trivy's VulnerabilityReports: `crate::clair`) and the
/// per-site roll-up. Built from `clair::images::Image` by [`ImageVulns::of`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageVulns {
    pub reference: String,
    pub digest: Option<String>,
    /// The sites that run or deploy it.
    pub sites: Vec<String>,
    /// `None`: no report (not indexed, not ready, no digest, failed: `state` says which).
    pub critical: Option<u32>,
    pub high: Option<u32>,
    pub fixable: u32,
    /// `scanned`, `not indexed`, … (`clair::ReportState::label`).
    pub state: String,
    /// The worst findings, `CVE-… (package version → fixed)`.
    pub worst: Vec<String>,
}

impl ImageVulns {
    pub fn of(img: &crate::clair::images::Image) -> ImageVulns {
        use crate::clair::{ReportState, Severity};
        let mut sites: Vec<String> = img.uses.iter().map(|u| u.site.clone()).collect();
        sites.sort();
        sites.dedup();
        let (critical, high, fixable, worst) = match &img.report {
            ReportState::Ready { summary, .. } => (
                Some(summary.count(Severity::Critical)),
                Some(summary.count(Severity::High)),
                summary.fixable,
                summary
                    .worst
                    .iter()
                    .map(|f| {
                        let fix = if f.fixed_in.is_empty() {
                            "no fix".to_string()
                        } else {
                            format!("fixed in {}", f.fixed_in)
                        };
                        format!(
                            "{} {} ({} {}, {fix})",
                            f.severity.name(),
                            f.name,
                            f.package,
                            f.version
                        )
                    })
                    .collect(),
            ),
            _ => (None, None, 0, vec![]),
        };
        ImageVulns {
            reference: img.name().to_string(),
            digest: img.digest.clone(),
            sites,
            critical,
            high,
            fixable,
            state: img.report.label().to_string(),
            worst,
        }
    }
}

/// The site a repo path (or `path:line`) belongs to: `apps/SITE/…`, `clusters/SITE/…`,
/// `infrastructure/C/manifests/SITE/…`, `infrastructure/C/clusters/SITE.yaml`; `""` for what
/// every site shares.
pub fn site_of_path(path: &str) -> &str {
    let path = path.split(':').next().unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["apps" | "clusters", site, _, ..] => site,
        ["infrastructure", _, "manifests", site, _, ..] => site,
        ["infrastructure", _, "clusters", file] => file.strip_suffix(".yaml").unwrap_or(""),
        _ => "",
    }
}

/// One benchmark report, summarised for a site line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BenchSummary {
    pub tool: bench::Tool,
    pub target: String,
    pub score_percent: Option<u32>,
    pub counts: bench::Counts,
}

/// A live workload failing a rule its manifest passes: changed outside git.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    pub site: String,
    /// checkov's resource string of the live object (`Deployment.shop.web`).
    pub resource: String,
    pub rules: Vec<&'static str>,
    /// `path:line` of the manifest it drifted from.
    pub source: String,
}

/// The standards of one site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SiteStandards {
    pub site: String,
    /// `None`: policy not checked.
    pub policy_errors: Option<u32>,
    /// Live workloads failing rules their manifests pass (one per workload).
    pub drift: u32,
    /// Which: `Deployment.mqtt.mosquitto CKV_K8S_19` (resource, the rules).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drifted: Vec<String>,
    /// Manifests of the site the policy rules could not read (`RepoSide::unchecked`): not
    /// checked. They leave the site's standards unknown, not degraded.
    pub unchecked_files: u32,
    /// Which, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<crate::policy::Unread>,
    pub benches: Vec<BenchSummary>,
    /// Images running or deployed at the site with a Critical vulnerability.
    pub critical_images: u32,
    /// … with a High one (and no Critical).
    pub high_images: u32,
    /// Images at the site whose report could not be had (not indexed, failed).
    pub unscanned_images: u32,
}

impl SiteStandards {
    /// Policy errors (in the repo, or live: drift), unwaived benchmark FAILs and Critical
    /// vulnerabilities degrade a site; WARN, High and waived items do not.
    pub fn degraded(&self) -> bool {
        self.policy_errors.unwrap_or(0) > 0
            || self.drift > 0
            || self.critical_images > 0
            || self.benches.iter().any(|b| b.counts.fail > 0)
    }

    /// The site's problems, one line each, for `blast status`, the overview and the wall.
    pub fn problems(&self) -> Vec<String> {
        self.weighed_problems()
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    /// [`problems`](Self::problems), each with whether it degrades the site (`true`) or
    /// leaves it unknown (`false`: manifests not checked).
    pub fn weighed_problems(&self) -> Vec<(bool, String)> {
        let mut p: Vec<(bool, String)> = Vec::new();
        if let Some(n) = self.policy_errors.filter(|n| *n > 0) {
            p.push((true, format!("{n} policy error{}", plural(n))));
        }
        if let Some(first) = self.unchecked.first() {
            let n = self.unchecked_files;
            p.push((
                false,
                format!(
                    "{n} manifest{} not checked (unreadable): {}{}",
                    plural(n),
                    first.source(),
                    if n > 1 { ", …" } else { "" }
                ),
            ));
        }
        if self.drift > 0 {
            let n = self.drift;
            p.push((
                true,
                format!(
                    "{n} live workload{} drifted from {} manifest{}",
                    plural(n),
                    if n == 1 { "its" } else { "their" },
                    plural(n)
                ),
            ));
        }
        if self.critical_images > 0 {
            let n = self.critical_images;
            p.push((
                true,
                format!("{n} image{} with Critical vulnerabilities", plural(n)),
            ));
        }
        for b in &self.benches {
            if b.counts.fail > 0 {
                p.push((
                    true,
                    format!("{} {}: {} FAIL", b.tool.label(), b.target, b.counts.fail),
                ));
            }
        }
        p
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Everything known, to be rolled up per site.
#[derive(Debug, Default)]
pub struct Inputs<'a> {
    pub policy: Option<&'a [PolicyFinding]>,
    /// Each report with the site it was read on (waivers applied).
    pub reports: &'a [(String, Report)],
    pub drift: &'a [Drift],
    /// The repo's manifests that could not be checked (`RepoSide::unchecked`).
    pub unchecked: &'a [crate::policy::Unread],
    pub images: &'a [ImageVulns],
    /// Sites that exist even with nothing to say (every watched source, every cluster).
    pub sites: &'a [String],
}

/// The name of the line for what every site shares (`infrastructure/X/values.yaml`, …).
pub const SHARED: &str = "shared";

/// Rolls everything up per site, degraded ones first, then by name.
pub fn per_site(inputs: &Inputs) -> Vec<SiteStandards> {
    let mut sites: BTreeMap<String, SiteStandards> = BTreeMap::new();
    fn site<'m>(
        sites: &'m mut BTreeMap<String, SiteStandards>,
        name: &str,
    ) -> &'m mut SiteStandards {
        let name = if name.is_empty() { SHARED } else { name };
        sites
            .entry(name.to_string())
            .or_insert_with(|| SiteStandards {
                site: name.to_string(),
                ..Default::default()
            })
    }
    for s in inputs.sites {
        site(&mut sites, s);
    }
    if let Some(findings) = inputs.policy {
        for f in findings {
            let s = site(&mut sites, site_of_path(&f.source));
            *s.policy_errors.get_or_insert(0) += 1;
        }
    }
    for u in inputs.unchecked {
        let s = site(&mut sites, site_of_path(&u.path));
        s.unchecked_files += 1;
        s.unchecked.push(u.clone());
    }
    for d in inputs.drift {
        let s = site(&mut sites, &d.site);
        s.drift += 1;
        s.drifted
            .push(format!("{} {}", d.resource, d.rules.join(",")));
    }
    for (at, r) in inputs.reports {
        site(&mut sites, at).benches.push(BenchSummary {
            tool: r.tool,
            target: r.target.clone(),
            score_percent: r.score_percent(),
            counts: r.counts(),
        });
    }
    for img in inputs.images {
        for at in &img.sites {
            let s = site(&mut sites, at);
            match (img.critical, img.high) {
                (Some(c), _) if c > 0 => s.critical_images += 1,
                (Some(_), Some(h)) if h > 0 => s.high_images += 1,
                (Some(_), _) => {}
                (None, _) => s.unscanned_images += 1,
            }
        }
    }
    if inputs.policy.is_some() {
        for s in sites.values_mut() {
            s.policy_errors.get_or_insert(0);
        }
    }
    let mut out: Vec<SiteStandards> = sites.into_values().collect();
    out.sort_by(|a, b| b.degraded().cmp(&a.degraded()).then(a.site.cmp(&b.site)));
    out
}

/// The worst first: every unwaived FAIL and WARN of the reports, then the waived ones.
pub fn bench_lines(reports: &[(String, Report)]) -> Vec<(&Report, &bench::Item)> {
    let mut lines: Vec<(&Report, &bench::Item)> = reports
        .iter()
        .flat_map(|(_, r)| r.items.iter().map(move |i| (r, i)))
        .filter(|(_, i)| matches!(i.outcome, Outcome::Fail | Outcome::Warn | Outcome::Waived))
        .collect();
    lines.sort_by(|a, b| {
        a.1.outcome
            .cmp(&b.1.outcome)
            .then(a.0.target.cmp(&b.0.target))
            .then(bench::id_cmp(&a.1.id, &b.1.id))
    });
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(site: &str, critical: Option<u32>, high: u32) -> ImageVulns {
        ImageVulns {
            reference: format!("img-{site}"),
            sites: vec![site.into()],
            critical,
            high: critical.map(|_| high),
            state: if critical.is_some() {
                "scanned"
            } else {
                "not indexed"
            }
            .into(),
            ..Default::default()
        }
    }

    #[test]
    fn sites_degrade_on_policy_errors_drift_fails_and_criticals_not_on_waived_warn_or_high() {
        let text = include_str!("../../fixtures/demo/standards/docker-bench-mgmt.json");
        let mut host = bench::parse(bench::Tool::DockerBench, text, "mgmt").unwrap();
        let before = host.counts();
        let w = waivers::parse(
            "waivers:\n  - {tool: docker-bench, target: mgmt, id: '5.5', reason: k3d}\n",
        )
        .unwrap();
        waivers::apply(&mut host, &w);
        assert_eq!(host.counts().waived, 1);
        assert_eq!(host.counts().warn + 1, before.warn, "waived, not passed");
        assert_eq!(host.counts().pass, before.pass);
        let lab = bench::parse(
            bench::Tool::KubeBench,
            include_str!("../../fixtures/demo/standards/kube-bench-edge-lab.json"),
            "edge-lab",
        )
        .unwrap();
        let images = vec![
            image("edge-berlin", Some(1), 0),
            image("edge-lab", Some(0), 3),
            image("edge-lab", None, 0),
        ];
        let policy = vec![PolicyFinding {
            rule: "CKV_K8S_20".into(),
            resource: "Deployment.shop.web".into(),
            source: "apps/edge-lab/web/deployment.yaml:3".into(),
            message: "privilege escalation".into(),
        }];
        let drift = vec![Drift {
            site: "mgmt".into(),
            resource: "Deployment.argocd.server".into(),
            rules: vec!["CKV_K8S_16"],
            source: "infrastructure/argocd/x.yaml:1".into(),
        }];
        let reports = vec![("mgmt".to_string(), host), ("edge-lab".to_string(), lab)];
        let all = ["quiet".to_string()];
        let sites = per_site(&Inputs {
            policy: Some(&policy),
            reports: &reports,
            drift: &[],
            unchecked: &[],
            images: &images,
            sites: &all,
        });
        let by =
            |sites: &[SiteStandards], n: &str| sites.iter().find(|s| s.site == n).cloned().unwrap();
        assert!(
            !by(&sites, "mgmt").degraded(),
            "mgmt has only WARN and waived items"
        );
        assert_eq!(by(&sites, "mgmt").policy_errors, Some(0));
        assert!(
            by(&sites, "edge-lab").degraded(),
            "a kube-bench FAIL and a policy error"
        );
        assert_eq!(by(&sites, "edge-lab").policy_errors, Some(1));
        assert_eq!(by(&sites, "edge-lab").high_images, 1);
        assert_eq!(by(&sites, "edge-lab").unscanned_images, 1);
        assert!(by(&sites, "edge-berlin").degraded(), "a Critical image");
        assert_eq!(by(&sites, "edge-berlin").critical_images, 1);
        assert!(by(&sites, "edge-berlin").problems()[0].contains("Critical"));
        assert!(
            !by(&sites, "quiet").degraded(),
            "a site with nothing to say is listed"
        );
        assert!(sites[0].degraded() && !sites.last().unwrap().degraded());
        // Drift alone degrades.
        let with_drift = per_site(&Inputs {
            reports: &reports,
            drift: &drift,
            ..Default::default()
        });
        let mgmt = by(&with_drift, "mgmt");
        assert!(mgmt.degraded());
        assert!(
            mgmt.problems()[0].contains("drifted"),
            "{:?}",
            mgmt.problems()
        );
        // Without policy rules, policy is "not checked", not zero.
        assert!(with_drift.iter().all(|s| s.policy_errors.is_none()));
        let lines = bench_lines(&reports);
        assert_eq!(lines[0].1.outcome, bench::Outcome::Fail);
        assert_eq!(lines.last().unwrap().1.outcome, bench::Outcome::Waived);
        assert_eq!(
            site_of_path("apps/edge-lab/podinfo/deployment.yaml:3"),
            "edge-lab"
        );
        assert_eq!(
            site_of_path("infrastructure/minio/manifests/edge-berlin/statefulset.yaml:50"),
            "edge-berlin"
        );
        assert_eq!(
            site_of_path("infrastructure/k10/clusters/edge-lab.yaml"),
            "edge-lab"
        );
        assert_eq!(site_of_path("infrastructure/argocd/values.yaml:3"), "");
    }

    #[test]
    fn the_repo_scan_lists_the_manifests_it_could_not_check_and_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("apps/edge-lab/web");
        std::fs::create_dir_all(&dir).unwrap();
        let good = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n";
        std::fs::write(dir.join("good.yaml"), good).unwrap();
        // A tab where indentation is expected, on line 6.
        std::fs::write(
            dir.join("broken.yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n\tspec: {}\n",
        )
        .unwrap();
        // An unclosed quote: a manifest as JSON, broken (the parser says where).
        std::fs::write(
            dir.join("quote.json"),
            "{\"apiVersion\": \"v1\",\n \"kind\": \"Pod\",\n \"metadata\": {\"name\": \"x}\n}\n",
        )
        .unwrap();
        // A Helm template (skipped on purpose, as checkov does) and YAML that is no manifest,
        // both broken as YAML: neither is listed.
        let chart = d.path().join("apps/edge-lab/chart");
        std::fs::create_dir_all(chart.join("templates")).unwrap();
        std::fs::write(
            chart.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 1.0.0\n",
        )
        .unwrap();
        std::fs::write(
            chart.join("templates/deploy.yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Values.name }}\n  labels: {{ include \"x\" . }\n",
        )
        .unwrap();
        std::fs::write(
            chart.join("templates/cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: {{ include \"c.x\" . | nindent 4 }\n",
        )
        .unwrap();
        std::fs::write(dir.join("notes.yaml"), "title: x\n\tbody: [unclosed\n").unwrap();
        std::fs::write(dir.join("README.md"), "apiVersion kind: [\n").unwrap();
        let side = scan_repo(d.path());
        let got: Vec<(&str, Option<usize>)> = side
            .unchecked
            .iter()
            .map(|u| (u.path.as_str(), u.line))
            .collect();
        assert_eq!(
            got,
            [
                ("apps/edge-lab/web/broken.yaml", Some(6)),
                ("apps/edge-lab/web/quote.json", Some(3)),
            ],
            "{:#?}",
            side.unchecked
        );
        for u in &side.unchecked {
            assert!(!u.reason.is_empty() && !u.reason.contains('\n'), "{u:?}");
        }
        // The outcomes are those of the good file alone, as checkov's.
        let config = crate::policy::Config::default();
        let all = crate::policy::scan(d.path(), &config).unwrap();
        assert!(!all.is_empty());
        assert!(
            all.iter().all(|o| o.path == "apps/edge-lab/web/good.yaml"),
            "{all:#?}"
        );
        // Rolled up on the site its path belongs to: not degraded, yet not clean.
        let sites = per_site(&Inputs {
            policy: side.policy.as_deref(),
            unchecked: &side.unchecked,
            ..Default::default()
        });
        let lab = sites.iter().find(|s| s.site == "edge-lab").unwrap();
        assert_eq!(lab.unchecked_files, 2);
        assert!(!lab.degraded());
        assert_eq!(
            lab.weighed_problems(),
            [(
                false,
                "2 manifests not checked (unreadable): apps/edge-lab/web/broken.yaml:6, …"
                    .to_string()
            )]
        );
    }

    #[test]
    fn a_manifest_over_the_size_cap_is_not_checked_and_said_so() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("apps/edge-lab");
        std::fs::create_dir_all(&dir).unwrap();
        let cap = crate::repo::yaml::max_file_bytes() as usize;
        // `kind` only past the first MiB: the whole file is looked through, a MiB at a time.
        let mut big = String::from("apiVersion: v1\ndata:\n");
        while big.len() <= cap + (1 << 20) {
            big.push_str("  # padding padding padding padding padding padding padding padding\n");
        }
        big.push_str("kind: ConfigMap\n");
        std::fs::write(dir.join("big.yaml"), &big).unwrap();
        // As big, but not a manifest (no `kind`): not listed.
        std::fs::write(dir.join("data.yaml"), big.replace("kind", "sort")).unwrap();
        drop(big);
        let side = scan_repo(d.path());
        assert_eq!(side.unchecked.len(), 1, "{:?}", side.unchecked);
        let u = &side.unchecked[0];
        assert_eq!((u.path.as_str(), u.line), ("apps/edge-lab/big.yaml", None));
        assert!(u.reason.contains("limit"), "{}", u.reason);
    }

    #[test]
    fn a_reason_is_one_line_of_at_most_200_characters() {
        let long = format!("expected a key\n{}", "secret ".repeat(100));
        let r = crate::policy::cap_reason(&long);
        assert_eq!(r.chars().count(), crate::policy::MAX_REASON);
        assert!(r.ends_with('…') && !r.contains('\n'), "{r}");
        assert_eq!(crate::policy::cap_reason("short\n reason"), "short reason");
    }

    #[test]
    fn the_repo_scan_finds_policy_errors_and_what_workloads_pass() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("apps/edge-lab/web");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("deployment.yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          securityContext: {privileged: true}\n",
        )
        .unwrap();
        let side = scan_repo(d.path());
        let policy = side.policy.as_ref().unwrap();
        assert!(policy.iter().any(|f| f.rule == "CKV_K8S_16"
            && f.resource == "Deployment.shop.web"
            && f.source == "apps/edge-lab/web/deployment.yaml:1"));
        let passed = side.passed_for("edge-lab", "Deployment.shop.web").unwrap();
        assert!(!passed.rules.contains(&"CKV_K8S_16"), "it fails that one");
        assert!(
            passed.rules.contains(&"CKV_K8S_19"),
            "hostNetwork is not set"
        );
        assert_eq!(side.waivers, Ok(vec![]), "no waivers file: none");
        assert!(
            side.passed_for("edge-berlin", "Deployment.shop.web")
                .is_none()
        );
    }
}
