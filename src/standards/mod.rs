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

/// The seam for the policy rules (helper `policy`, issue 16 §1): anything that turns a repo
/// into findings. Until those rules are on main, [`NoPolicy`] stands in and the Standards view
/// and `blast standards` say that policy is not checked (never that it passed).
pub trait PolicySource {
    /// `None`: this source cannot check policy (not "no findings").
    fn findings(&self, root: &std::path::Path) -> Option<Vec<PolicyFinding>>;
}

/// No policy rules yet.
pub struct NoPolicy;

impl PolicySource for NoPolicy {
    fn findings(&self, _root: &std::path::Path) -> Option<Vec<PolicyFinding>> {
        None
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

/// The standards of one site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SiteStandards {
    pub site: String,
    /// `None`: policy not checked.
    pub policy_errors: Option<u32>,
    pub benches: Vec<BenchSummary>,
    /// Images running or deployed at the site with a Critical vulnerability.
    pub critical_images: u32,
    /// Images at the site whose report could not be had (not indexed, failed).
    pub unscanned_images: u32,
}

impl SiteStandards {
    /// Policy errors, unwaived benchmark FAILs and Critical vulnerabilities degrade a site;
    /// WARN and waived items do not.
    pub fn degraded(&self) -> bool {
        self.policy_errors.unwrap_or(0) > 0
            || self.critical_images > 0
            || self.benches.iter().any(|b| b.counts.fail > 0)
    }

    /// One line of problems, for `blast status` and the dashboard.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if let Some(n) = self.policy_errors.filter(|n| *n > 0) {
            p.push(format!("{n} policy error{}", plural(n)));
        }
        if self.critical_images > 0 {
            let n = self.critical_images;
            p.push(format!(
                "{n} image{} with Critical vulnerabilities",
                plural(n)
            ));
        }
        for b in &self.benches {
            if b.counts.fail > 0 {
                p.push(format!(
                    "{} {}: {} FAIL",
                    b.tool.label(),
                    b.target,
                    b.counts.fail
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
    pub reports: &'a [Report],
    pub images: &'a [crate::clair::images::Image],
    /// Which site a benchmark target belongs to (`mgmt` host → `mgmt`); identity by default.
    pub target_site: BTreeMap<String, String>,
}

/// Rolls everything up per site, sites sorted, degraded ones first.
pub fn per_site(inputs: &Inputs) -> Vec<SiteStandards> {
    let mut sites: BTreeMap<String, SiteStandards> = BTreeMap::new();
    fn site<'m>(
        sites: &'m mut BTreeMap<String, SiteStandards>,
        name: &str,
    ) -> &'m mut SiteStandards {
        let name = if name.is_empty() { "shared" } else { name };
        sites
            .entry(name.to_string())
            .or_insert_with(|| SiteStandards {
                site: name.to_string(),
                ..Default::default()
            })
    }
    if let Some(findings) = inputs.policy {
        for f in findings {
            let s = site(&mut sites, site_of_path(&f.source));
            *s.policy_errors.get_or_insert(0) += 1;
        }
    }
    for r in inputs.reports {
        let name = inputs
            .target_site
            .get(&r.target)
            .cloned()
            .unwrap_or_else(|| r.target.clone());
        site(&mut sites, &name).benches.push(BenchSummary {
            tool: r.tool,
            target: r.target.clone(),
            score_percent: r.score_percent(),
            counts: r.counts(),
        });
    }
    for img in inputs.images {
        let mut at: Vec<&str> = img.uses.iter().map(|u| u.site.as_str()).collect();
        at.sort();
        at.dedup();
        let critical = img.at_or_above(crate::clair::Severity::Critical);
        let unscanned = !matches!(img.report, crate::clair::ReportState::Ready { .. });
        for s in at {
            let s = site(&mut sites, s);
            if critical {
                s.critical_images += 1;
            }
            if unscanned {
                s.unscanned_images += 1;
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
pub fn bench_lines(reports: &[Report]) -> Vec<(&Report, &bench::Item)> {
    let mut lines: Vec<(&Report, &bench::Item)> = reports
        .iter()
        .flat_map(|r| r.items.iter().map(move |i| (r, i)))
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
    use crate::clair::images::{Image, Use};
    use crate::clair::{ReportState, Summary};

    #[test]
    fn sites_degrade_on_policy_errors_fails_and_criticals_not_on_waived_or_warn() {
        let text = include_str!("../../fixtures/demo/standards/docker-bench-mgmt.json");
        let mut host = bench::parse(bench::Tool::DockerBench, text, "mgmt").unwrap();
        let w = waivers::parse(
            "waivers:\n  - {tool: docker-bench, target: mgmt, id: '5.5', reason: k3d}\n",
        )
        .unwrap();
        waivers::apply(&mut host, &w);
        let lab = bench::parse(
            bench::Tool::KubeBench,
            include_str!("../../fixtures/demo/standards/kube-bench-edge-lab.json"),
            "edge-lab",
        )
        .unwrap();
        let mut crit = Summary::default();
        crit.add(crate::clair::Severity::Critical);
        let images = vec![Image {
            references: vec!["x".into()],
            digest: None,
            uses: vec![Use {
                site: "edge-berlin".into(),
                namespace: "mqtt".into(),
                workload: "Deployment/mqtt".into(),
                source: "live".into(),
            }],
            report: ReportState::Ready {
                summary: crit,
                fetched_at: 0,
            },
        }];
        let policy = vec![PolicyFinding {
            rule: "CKV_K8S_20".into(),
            resource: "Deployment.shop.web".into(),
            source: "apps/edge-lab/web/deployment.yaml:3".into(),
            message: "privilege escalation".into(),
        }];
        let reports = vec![host, lab];
        let sites = per_site(&Inputs {
            policy: Some(&policy),
            reports: &reports,
            images: &images,
            target_site: BTreeMap::new(),
        });
        let by = |n: &str| sites.iter().find(|s| s.site == n).unwrap();
        assert!(
            !by("mgmt").degraded(),
            "mgmt has only WARN and waived items"
        );
        assert_eq!(by("mgmt").policy_errors, Some(0));
        assert!(
            by("edge-lab").degraded(),
            "a kube-bench FAIL and a policy error"
        );
        assert_eq!(by("edge-lab").policy_errors, Some(1));
        assert!(by("edge-berlin").degraded(), "a Critical image");
        assert_eq!(by("edge-berlin").critical_images, 1);
        assert!(by("edge-berlin").problems()[0].contains("Critical"));
        assert!(sites[0].degraded() && !sites.last().unwrap().degraded());
        // Without policy rules, policy is "not checked", not zero.
        let none = per_site(&Inputs {
            reports: &reports,
            ..Default::default()
        });
        assert!(none.iter().all(|s| s.policy_errors.is_none()));
        let lines = bench_lines(&reports);
        assert_eq!(lines[0].1.outcome, Outcome::Fail);
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
        assert_eq!(lines.last().unwrap().1.outcome, Outcome::Waived);
    }
}
