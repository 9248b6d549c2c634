//! Trivy Operator as a second source behind [`VulnSource`]: its `VulnerabilityReport` objects
//! (parsed by `model::vuln`) say which image a workload's container runs and what Trivy found
//! in it. Each report is also a use of its image (site, namespace, workload), so an image seen
//! only by Trivy is still listed.
//!
//! One severity scale: Trivy's `CRITICAL`…`LOW` map to ours, `UNKNOWN` to Unknown.

use std::collections::BTreeMap;

use super::images::{Seen, Use};
use super::{ReportState, Summary, VulnSource};
use crate::model::vuln::VulnReport;

/// The image a report is of, used where the report says.
pub fn seen(r: &VulnReport, site: &str) -> Seen {
    let mut workload = r.workload.clone();
    if !r.container.is_empty() {
        workload.push_str(&format!(" ({})", r.container));
    }
    Seen {
        reference: r.reference.clone(),
        digest: r.digest.clone(),
        used: Use {
            site: site.to_string(),
            namespace: r.namespace().to_string(),
            workload,
            source: "trivy".into(),
        },
    }
}

/// Trivy's reports by digest and by reference (a report without a digest is matched by its
/// image reference). Several reports of one image (one per workload) agree: the newest wins.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrivyReports {
    by_digest: BTreeMap<String, (Summary, u64)>,
    by_reference: BTreeMap<String, (Summary, u64)>,
}

impl TrivyReports {
    /// From the reports of every site; `now` stands for a report without `updateTimestamp`.
    pub fn new<'a>(reports: impl IntoIterator<Item = &'a VulnReport>, now: u64) -> TrivyReports {
        let mut t = TrivyReports::default();
        for r in reports {
            let at = r.updated.map_or(now, |u| u.max(0) as u64);
            let entry = (r.summary.clone(), at);
            let newer = |m: &BTreeMap<String, (Summary, u64)>, k: &str| {
                m.get(k).is_none_or(|(_, old)| *old <= at)
            };
            match &r.digest {
                Some(d) if newer(&t.by_digest, d) => {
                    t.by_digest.insert(d.clone(), entry);
                }
                None if !r.reference.is_empty() && newer(&t.by_reference, &r.reference) => {
                    t.by_reference.insert(r.reference.clone(), entry);
                }
                _ => {}
            }
        }
        t
    }

    pub fn is_empty(&self) -> bool {
        self.by_digest.is_empty() && self.by_reference.is_empty()
    }

    /// The report of an image known by `digest` or by one of `references`, if Trivy has one.
    pub fn lookup(&self, digest: Option<&str>, references: &[String]) -> Option<ReportState> {
        let found = digest
            .and_then(|d| self.by_digest.get(d))
            .or_else(|| references.iter().find_map(|r| self.by_reference.get(r)))?;
        Some(ReportState::Ready {
            summary: found.0.clone(),
            fetched_at: found.1,
        })
    }
}

impl VulnSource for TrivyReports {
    fn name(&self) -> &str {
        "trivy-operator"
    }

    async fn report(&self, digest: &str) -> ReportState {
        self.lookup(Some(digest), &[])
            .unwrap_or(ReportState::NotIndexed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clair::Severity;
    use serde_json::json;

    const D: &str = "sha256:377a93d5baccbf2d6766b59b63f46f24f4c1f0346151f575adb4762e5061a4d2";

    fn report(digest: Option<&str>, crit: u32, updated: &str) -> VulnReport {
        let mut artifact = json!({"repository": "library/eclipse-mosquitto", "tag": "2.0.22"});
        if let Some(d) = digest {
            artifact["digest"] = json!(d);
        }
        VulnReport::parse(&json!({
            "metadata": {"name": "r", "namespace": "mqtt",
                "labels": {"trivy-operator.resource.kind": "ReplicaSet",
                           "trivy-operator.resource.name": "mosquitto-5f6d8c",
                           "trivy-operator.container.name": "main"}},
            "report": {"artifact": artifact, "registry": {"server": "index.docker.io"},
                "summary": {"criticalCount": crit, "highCount": 0, "mediumCount": 0,
                            "lowCount": 1, "unknownCount": 2},
                "updateTimestamp": updated, "vulnerabilities": []}
        }))
        .unwrap()
    }

    #[test]
    fn reports_answer_by_digest_or_reference_and_the_newest_wins() {
        let old = report(Some(D), 3, "2026-12-01T00:00:00Z");
        let new = report(Some(D), 1, "2026-12-05T00:00:00Z");
        let by_ref = report(None, 0, "2026-12-05T00:00:00Z");
        let t = TrivyReports::new([&new, &old, &by_ref], 0);
        let Some(ReportState::Ready { summary, .. }) = t.lookup(Some(D), &[]) else {
            panic!("no report by digest")
        };
        assert_eq!(summary.count(Severity::Critical), 1, "the newer report");
        assert_eq!(summary.count(Severity::Unknown), 2, "UNKNOWN is Unknown");
        let refs = vec!["docker.io/library/eclipse-mosquitto:2.0.22".to_string()];
        assert!(t.lookup(None, &refs).is_some(), "by reference");
        assert!(t.lookup(Some("sha256:00"), &[]).is_none());
        let s = seen(&new, "edge-berlin");
        assert_eq!(s.used.workload, "ReplicaSet/mosquitto-5f6d8c (main)");
        assert_eq!(s.used.namespace, "mqtt");
        assert_eq!(s.digest.as_deref(), Some(D));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(rt.block_on(t.report("sha256:00")), ReportState::NotIndexed);
    }
}
