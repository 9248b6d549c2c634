//! Image vulnerabilities: Clair v4 (and, behind the same [`VulnSource`] seam, other scanners).
//!
//! - [`jwt`]: Clair's `auth.psk` tokens (HS256 JWT with `iss`), signed and checked.
//! - [`client`]: the HTTP client for the matcher's vulnerability reports and the indexer.
//! - [`registry`]: resolving an image reference to the manifest Clair indexes (as `clairctl
//!   manifest` does: the image's layers as registry blob URLs).
//! - [`images`]: the images a repo deploys and live pods run, deduplicated by digest.
//!
//! One severity scale for every source: Clair's `Negligible` folds into `Low`.

pub mod client;
pub mod images;
pub mod jwt;
pub mod registry;
pub mod trivy;

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

/// `[clair]` in the config: the global Clair, and per kube context overrides
/// (`[clair.contexts.NAME] url = …`).
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ClairConfig {
    /// Clair's base URL (the combined mode's, serving `/matcher/…` and `/indexer/…`).
    pub url: Option<String>,
    /// The pre-shared key of Clair's `auth.psk.key`: base64, as in Clair's config.
    pub psk: Option<String>,
    /// The JWT issuer, one of Clair's `auth.psk.iss` (default `blast`).
    pub issuer: Option<String>,
    /// Per kube context: a different Clair (or key) for the sites behind that context.
    pub contexts: BTreeMap<String, ClairConfig>,
}

// The key is a credential: never printed, not even in a debug dump of the config.
impl std::fmt::Debug for ClairConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClairConfig")
            .field("url", &self.url)
            .field("psk", &self.psk.as_ref().map(|_| "<redacted>"))
            .field("issuer", &self.issuer)
            .field("contexts", &self.contexts)
            .finish()
    }
}

/// Where to reach Clair for one context, with the key decoded.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: String,
    pub auth: Option<jwt::Psk>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.url)
            .field("auth", &self.auth.as_ref().map(|p| &p.issuer))
            .finish()
    }
}

impl ClairConfig {
    /// The Clair for `context` (its override, field by field, over the global one); `None`
    /// when no URL is configured. A key that is not base64 is an error naming the section.
    pub fn endpoint(&self, context: Option<&str>) -> Result<Option<Endpoint>, String> {
        let over = context.and_then(|c| self.contexts.get(c));
        let pick = |f: fn(&ClairConfig) -> &Option<String>| {
            over.and_then(|o| f(o).clone()).or_else(|| f(self).clone())
        };
        let Some(url) = pick(|c| &c.url) else {
            return Ok(None);
        };
        let issuer = pick(|c| &c.issuer).unwrap_or_else(|| "blast".to_string());
        let auth = match pick(|c| &c.psk) {
            None => None,
            Some(k) => Some(jwt::Psk::from_base64(&k, &issuer).map_err(|e| {
                let section = match (context, over) {
                    (Some(c), Some(_)) => format!("[clair.contexts.{c}]"),
                    _ => "[clair]".to_string(),
                };
                format!("{section} psk: {e}")
            })?),
        };
        Ok(Some(Endpoint { url, auth }))
    }
}

/// One severity scale for every source, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Unknown,
    ];

    /// Clair's `normalized_severity` (and Trivy's severities, upper-case): `Negligible` is
    /// `Low`; anything unknown is `Unknown`.
    pub fn parse(s: &str) -> Severity {
        match s.to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" => Severity::High,
            "medium" | "moderate" => Severity::Medium,
            "low" | "negligible" => Severity::Low,
            _ => Severity::Unknown,
        }
    }

    /// For `--fail-on`: the five names, any case.
    pub fn from_flag(s: &str) -> Result<Severity, String> {
        match s.to_ascii_lowercase().as_str() {
            "critical" => Ok(Severity::Critical),
            "high" => Ok(Severity::High),
            "medium" => Ok(Severity::Medium),
            "low" => Ok(Severity::Low),
            "unknown" => Ok(Severity::Unknown),
            _ => Err(format!(
                "\"{s}\" is not a severity: use critical, high, medium, low or unknown"
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::High => "High",
            Severity::Medium => "Medium",
            Severity::Low => "Low",
            Severity::Unknown => "Unknown",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The parts of Clair's `VulnerabilityReport` the console reads (unknown fields are ignored;
/// the full shape is checked against Clair's JSON Schema in the tests).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct VulnerabilityReport {
    pub manifest_hash: String,
    #[serde(default)]
    pub packages: BTreeMap<String, Package>,
    #[serde(default)]
    pub vulnerabilities: BTreeMap<String, Vulnerability>,
    #[serde(default)]
    pub package_vulnerabilities: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Package {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Vulnerability {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub normalized_severity: String,
    #[serde(default)]
    pub fixed_in_version: String,
    #[serde(default)]
    pub links: String,
    #[serde(default)]
    pub package: Option<Package>,
}

/// Severity counts, fixable count and the worst few of one image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Indexed by [`Severity`] (Unknown, Low, Medium, High, Critical).
    counts: [u32; 5],
    /// Vulnerabilities with a fixed version known.
    pub fixable: u32,
    /// The worst first (severity, then fixable, then name), at most [`WORST`].
    pub worst: Vec<Finding>,
}

/// How many of the worst vulnerabilities a summary keeps.
pub const WORST: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub name: String,
    pub severity: Severity,
    pub package: String,
    pub version: String,
    /// Empty when no fix is known.
    pub fixed_in: String,
    /// The first of the space-separated links.
    pub link: String,
}

impl Summary {
    pub fn count(&self, s: Severity) -> u32 {
        self.counts[s.index()]
    }

    pub fn add(&mut self, s: Severity) {
        self.counts[s.index()] += 1;
    }

    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// The highest severity present.
    pub fn worst_severity(&self) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| self.count(*s) > 0)
    }

    /// Whether anything is at or above `threshold` (Unknown counts only for `Unknown`).
    pub fn at_or_above(&self, threshold: Severity) -> bool {
        Severity::ALL
            .into_iter()
            .any(|s| s >= threshold && self.count(s) > 0)
    }

    /// Counts each affecting vulnerability of the report once (by its id in the report): the
    /// ones some package lists in `package_vulnerabilities`.
    pub fn of_report(report: &VulnerabilityReport) -> Summary {
        let mut s = Summary::default();
        let mut seen = HashSet::new();
        let mut all = Vec::new();
        for (pkg_id, ids) in &report.package_vulnerabilities {
            for id in ids {
                if !seen.insert(id.as_str()) {
                    continue;
                }
                let Some(v) = report.vulnerabilities.get(id) else {
                    continue;
                };
                let severity = Severity::parse(&v.normalized_severity);
                s.add(severity);
                if !v.fixed_in_version.is_empty() {
                    s.fixable += 1;
                }
                let pkg = report.packages.get(pkg_id).or(v.package.as_ref());
                all.push(Finding {
                    name: v.name.clone(),
                    severity,
                    package: pkg.map(|p| p.name.clone()).unwrap_or_default(),
                    version: pkg.map(|p| p.version.clone()).unwrap_or_default(),
                    fixed_in: v.fixed_in_version.clone(),
                    link: v.links.split_whitespace().next().unwrap_or("").to_string(),
                });
            }
        }
        s.worst = worst_of(all);
        s
    }

    /// A summary from counts another scanner computed (Trivy's `report.summary`), its fixable
    /// count and its findings (only the worst [`WORST`] are kept).
    pub fn from_counts(
        counts: [(Severity, u32); 5],
        fixable: u32,
        findings: impl IntoIterator<Item = Finding>,
    ) -> Summary {
        let mut s = Summary {
            fixable,
            ..Default::default()
        };
        for (sev, n) in counts {
            s.counts[sev.index()] += n;
        }
        // Bounded however long the list: keep the worst seen so far.
        let mut kept = Vec::with_capacity(WORST * 2);
        for f in findings {
            kept.push(f);
            if kept.len() >= WORST * 4 {
                kept = worst_of(kept);
            }
        }
        s.worst = worst_of(kept);
        s
    }
}

/// The worst first (severity, then fixable, then name), at most [`WORST`].
fn worst_of(mut all: Vec<Finding>) -> Vec<Finding> {
    all.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.fixed_in.is_empty().cmp(&b.fixed_in.is_empty()))
            .then(a.name.cmp(&b.name))
    });
    all.truncate(WORST);
    all
}

/// What a source knows of one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportState {
    /// A report, and when it was fetched (unix seconds).
    Ready { summary: Summary, fetched_at: u64 },
    /// Clair has the manifest but the report is not ready yet (202).
    NotReady,
    /// Clair has never indexed this manifest (404): indexing is an explicit action.
    NotIndexed,
    /// No digest to ask by (an image reference by tag only, never resolved).
    NoDigest,
    /// The source could not be asked, or answered something unreadable.
    Failed(String),
}

impl ReportState {
    pub fn label(&self) -> &'static str {
        match self {
            ReportState::Ready { .. } => "scanned",
            ReportState::NotReady => "not ready",
            ReportState::NotIndexed => "not indexed",
            ReportState::NoDigest => "no digest",
            ReportState::Failed(_) => "failed",
        }
    }
}

/// A source of vulnerability reports by manifest digest: Clair ([`client::Client`]), or
/// Trivy Operator's `VulnerabilityReport` objects. The Images view and `blast images` ask
/// through this seam only.
pub trait VulnSource {
    fn name(&self) -> &str;
    fn report(&self, digest: &str) -> impl std::future::Future<Output = ReportState> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(vulns: &[(&str, &str, &str)]) -> VulnerabilityReport {
        let mut r = VulnerabilityReport {
            manifest_hash: format!("sha256:{}", "a".repeat(64)),
            packages: BTreeMap::new(),
            vulnerabilities: BTreeMap::new(),
            package_vulnerabilities: BTreeMap::new(),
        };
        r.packages.insert(
            "1".into(),
            Package {
                name: "openssl".into(),
                version: "3.0.1".into(),
            },
        );
        for (id, sev, fix) in vulns {
            r.vulnerabilities.insert(
                id.to_string(),
                Vulnerability {
                    id: id.to_string(),
                    name: format!("CVE-{id}"),
                    normalized_severity: sev.to_string(),
                    fixed_in_version: fix.to_string(),
                    links: "https://a.example/1 https://b.example/2".into(),
                    package: None,
                },
            );
            r.package_vulnerabilities
                .entry("1".into())
                .or_default()
                .push(id.to_string());
        }
        r
    }

    #[test]
    fn negligible_folds_into_low_and_unknown_names_into_unknown() {
        assert_eq!(Severity::parse("Negligible"), Severity::Low);
        assert_eq!(Severity::parse("CRITICAL"), Severity::Critical);
        assert_eq!(Severity::parse("whatever"), Severity::Unknown);
        assert!(Severity::from_flag("severe").is_err());
    }

    #[test]
    fn summary_counts_each_vulnerability_once_and_orders_the_worst_first() {
        let mut r = report(&[
            ("1", "Negligible", ""),
            ("2", "Critical", ""),
            ("3", "Critical", "3.0.2"),
            ("4", "Medium", "3.0.2"),
        ]);
        // The same vulnerability listed by a second package counts once.
        r.package_vulnerabilities
            .insert("2".into(), vec!["3".into()]);
        let s = Summary::of_report(&r);
        assert_eq!(s.count(Severity::Critical), 2);
        assert_eq!(s.count(Severity::Low), 1);
        assert_eq!(s.count(Severity::Medium), 1);
        assert_eq!(s.total(), 4);
        assert_eq!(s.fixable, 2);
        assert_eq!(s.worst[0].name, "CVE-3", "fixable critical first");
        assert_eq!(s.worst[0].link, "https://a.example/1");
        assert_eq!(s.worst[1].name, "CVE-2");
        assert_eq!(s.worst_severity(), Some(Severity::Critical));
        assert!(s.at_or_above(Severity::High));
        let low_only = Summary::of_report(&report(&[("1", "Low", "")]));
        assert!(!low_only.at_or_above(Severity::Medium));
        assert!(low_only.at_or_above(Severity::Low));
    }

    #[test]
    fn endpoint_takes_the_context_override_and_names_a_bad_key() {
        let cfg: ClairConfig = toml::from_str(
            r#"
url = "http://clair:6060"
psk = "c2VjcmV0"
[contexts.edge]
url = "http://edge-clair"
[contexts.bad]
psk = "not base64!"
"#,
        )
        .unwrap();
        let global = cfg.endpoint(None).unwrap().unwrap();
        assert_eq!(global.url, "http://clair:6060");
        assert_eq!(global.auth.as_ref().unwrap().issuer, "blast");
        let edge = cfg.endpoint(Some("edge")).unwrap().unwrap();
        assert_eq!(edge.url, "http://edge-clair");
        assert!(edge.auth.is_some(), "the global key is inherited");
        let e = cfg.endpoint(Some("bad")).unwrap_err();
        assert!(e.starts_with("[clair.contexts.bad] psk:"), "{e}");
        assert!(
            !format!("{cfg:?}").contains("c2VjcmV0"),
            "the key is never printed"
        );
        assert_eq!(ClairConfig::default().endpoint(None), Ok(None));
    }
}
