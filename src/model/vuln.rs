//! Trivy Operator's `VulnerabilityReport` (`aquasecurity.github.io/v1alpha1`): one report per
//! container of a workload, with the image it scanned (`report.artifact`, `report.registry`),
//! counts by severity (`report.summary`) and the vulnerabilities (`report.vulnerabilities`).
//! Fields as upstream's CRD (`fixtures/crds/trivy-operator/`). Only the counts, the fixable
//! count and the worst few are kept, however long the list.
//!
//! The workload is in the labels trivy-operator sets (`trivy-operator.resource.kind`,
//! `.name`, `.namespace`, `trivy-operator.container.name`), else the owner reference.

use serde::Deserialize;

use super::Time;
use super::meta::{Meta, ParseError, RawMeta, from_value, time};
use crate::clair::{Finding, Severity, Summary};

pub const LABEL_KIND: &str = "trivy-operator.resource.kind";
pub const LABEL_NAME: &str = "trivy-operator.resource.name";
pub const LABEL_NAMESPACE: &str = "trivy-operator.resource.namespace";
pub const LABEL_CONTAINER: &str = "trivy-operator.container.name";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VulnReport {
    pub meta: Meta,
    /// `ReplicaSet/web-5d` (the labels, else the owner, else the report itself).
    pub workload: String,
    pub container: String,
    /// `ghcr.io/x/web:1` from `registry.server`, `artifact.repository` and `artifact.tag`.
    pub reference: String,
    /// `artifact.digest`, when it is a manifest digest.
    pub digest: Option<String>,
    pub summary: Summary,
    /// `report.updateTimestamp`.
    pub updated: Option<Time>,
    /// `Trivy 0.65.0`.
    pub scanner: String,
}

#[derive(Deserialize)]
struct Raw {
    metadata: Option<RawMeta>,
    report: Option<RawReport>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawReport {
    artifact: Option<RawArtifact>,
    registry: Option<RawRegistry>,
    scanner: Option<RawScanner>,
    summary: Option<RawSummary>,
    update_timestamp: Option<String>,
    vulnerabilities: Option<Vec<RawVuln>>,
}

#[derive(Deserialize, Default)]
struct RawArtifact {
    repository: Option<String>,
    tag: Option<String>,
    digest: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawRegistry {
    server: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawScanner {
    name: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawSummary {
    critical_count: Option<u32>,
    high_count: Option<u32>,
    medium_count: Option<u32>,
    low_count: Option<u32>,
    unknown_count: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawVuln {
    #[serde(rename = "vulnerabilityID")]
    vulnerability_id: Option<String>,
    resource: Option<String>,
    installed_version: Option<String>,
    fixed_version: Option<String>,
    severity: Option<String>,
    primary_link: Option<String>,
    links: Option<Vec<String>>,
}

impl VulnReport {
    pub fn parse<'a>(v: impl Into<super::Json<'a>>) -> Result<VulnReport, ParseError> {
        let raw: Raw = from_value(v)?;
        let meta = raw.metadata.unwrap_or_default().into_meta();
        let r = raw.report.unwrap_or_default();
        let label = |k: &str| meta.label(k).filter(|s| !s.is_empty()).map(str::to_string);
        let workload = match (label(LABEL_KIND), label(LABEL_NAME)) {
            (Some(k), Some(n)) => format!("{k}/{n}"),
            _ => match &meta.owner {
                Some(o) => format!("{}/{}", o.kind, o.name),
                None => format!("VulnerabilityReport/{}", meta.name),
            },
        };
        let container = label(LABEL_CONTAINER).unwrap_or_default();
        let a = r.artifact.unwrap_or_default();
        let mut reference = String::new();
        if let Some(server) = r.registry.and_then(|g| g.server).filter(|s| !s.is_empty()) {
            // Docker Hub's servers, as pods name them.
            let server = match server.as_str() {
                "index.docker.io" | "registry-1.docker.io" => "docker.io",
                s => s,
            };
            reference.push_str(server);
            reference.push('/');
        }
        reference.push_str(a.repository.as_deref().unwrap_or(""));
        if let Some(t) = a.tag.filter(|t| !t.is_empty()) {
            reference.push(':');
            reference.push_str(&t);
        }
        let digest = a.digest.filter(|d| crate::clair::client::valid_digest(d));
        let s = r.summary.unwrap_or_default();
        let counts = [
            (Severity::Critical, s.critical_count),
            (Severity::High, s.high_count),
            (Severity::Medium, s.medium_count),
            (Severity::Low, s.low_count),
            (Severity::Unknown, s.unknown_count),
        ];
        let vulns = r.vulnerabilities.unwrap_or_default();
        let fixable = vulns
            .iter()
            .filter(|v| v.fixed_version.as_deref().is_some_and(|f| !f.is_empty()))
            .count() as u32;
        let findings = vulns.into_iter().map(|v| Finding {
            name: v.vulnerability_id.unwrap_or_default(),
            severity: Severity::parse(v.severity.as_deref().unwrap_or("")),
            package: v.resource.unwrap_or_default(),
            version: v.installed_version.unwrap_or_default(),
            fixed_in: v.fixed_version.unwrap_or_default(),
            link: v
                .primary_link
                .filter(|l| !l.is_empty())
                .or_else(|| v.links.and_then(|l| l.into_iter().next()))
                .unwrap_or_default(),
        });
        let summary = Summary::from_counts(
            counts.map(|(sev, n)| (sev, n.unwrap_or(0))),
            fixable,
            findings,
        );
        let scanner = r
            .scanner
            .map(|s| {
                format!(
                    "{} {}",
                    s.name.unwrap_or_default(),
                    s.version.unwrap_or_default()
                )
                .trim()
                .to_string()
            })
            .unwrap_or_default();
        Ok(VulnReport {
            meta,
            workload,
            container,
            reference,
            digest,
            summary,
            updated: time(&r.update_timestamp),
            scanner,
        })
    }

    /// The workload's namespace (the label, else the report's own).
    pub fn namespace(&self) -> &str {
        self.meta
            .label(LABEL_NAMESPACE)
            .filter(|s| !s.is_empty())
            .or(self.meta.namespace.as_deref())
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn upstream_sample_reads_with_its_labels_counts_and_worst() {
        // The sample of trivy-operator's docs/docs/crds/vulnerability-report.md.
        let v = json!({
            "apiVersion": "aquasecurity.github.io/v1alpha1", "kind": "VulnerabilityReport",
            "metadata": {"name": "replicaset-nginx-6d4cf56db6-nginx", "namespace": "default",
                "labels": {"trivy-operator.container.name": "nginx",
                           "trivy-operator.resource.kind": "ReplicaSet",
                           "trivy-operator.resource.name": "nginx-6d4cf56db6",
                           "trivy-operator.resource.namespace": "default"}},
            "report": {
                "artifact": {"repository": "library/nginx", "tag": "1.16"},
                "os": {"family": "debian", "name": "10.3"},
                "registry": {"server": "index.docker.io"},
                "scanner": {"name": "Trivy", "vendor": "Aqua Security", "version": "0.72.0"},
                "summary": {"criticalCount": 2, "highCount": 0, "lowCount": 0, "mediumCount": 0, "unknownCount": 0},
                "updateTimestamp": "2026-12-06T09:00:00Z",
                "vulnerabilities": [
                    {"fixedVersion": "", "installedVersion": "0.6.1-2", "links": [],
                     "primaryLink": "https://avd.aquasec.com/nvd/cve-2018-25009", "resource": "libwebp6",
                     "severity": "CRITICAL", "title": "x", "vulnerabilityID": "CVE-2018-25009",
                     "lastModifiedDate": "", "publishedDate": ""},
                    {"fixedVersion": "0.9.1-2+deb10u1", "installedVersion": "0.9.1-2", "links": [],
                     "primaryLink": "https://avd.aquasec.com/nvd/cve-2019-20367", "resource": "libbsd0",
                     "severity": "CRITICAL", "title": "", "vulnerabilityID": "CVE-2019-20367",
                     "lastModifiedDate": "", "publishedDate": ""}
                ]
            }
        });
        let r = VulnReport::parse(&v).unwrap();
        assert_eq!(r.workload, "ReplicaSet/nginx-6d4cf56db6");
        assert_eq!(r.container, "nginx");
        assert_eq!(r.namespace(), "default");
        assert_eq!(r.reference, "docker.io/library/nginx:1.16");
        assert_eq!(r.digest, None);
        assert_eq!(r.summary.count(Severity::Critical), 2);
        assert_eq!(r.summary.fixable, 1);
        assert_eq!(
            r.summary.worst[0].name, "CVE-2019-20367",
            "the fixable first"
        );
        assert_eq!(
            r.summary.worst[0].link,
            "https://avd.aquasec.com/nvd/cve-2019-20367"
        );
        assert_eq!(r.scanner, "Trivy 0.72.0");
        assert!(r.updated.is_some());
        // A field of the wrong type names itself.
        let bad = json!({"report": {"summary": {"criticalCount": "two"}}});
        let e = VulnReport::parse(&bad).unwrap_err();
        assert!(e.path.contains("criticalCount"), "{e}");
    }
}
