//! Benchmark reports as the tools write them, read into one shape: docker-bench-security's
//! JSON log (`log/docker-bench-security.log.json`: `tests[].results[]` with `result` PASS, WARN,
//! INFO or NOTE, and a `score`) and kube-bench's `--json` output (`Controls[].tests[].results[]`
//! with `status` PASS, FAIL, WARN or INFO, and `Totals`).
//!
//! docker-bench exits 0 whatever it finds: only the log's results count. Its WARN is a failed
//! check. A kube-bench check skipped with `--skip` comes back as INFO with type `skip`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which tool wrote a report (the ConfigMap's `blast.io/report` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tool {
    DockerBench,
    KubeBench,
}

impl Tool {
    pub fn label(self) -> &'static str {
        match self {
            Tool::DockerBench => "docker-bench",
            Tool::KubeBench => "kube-bench",
        }
    }

    pub fn from_label(s: &str) -> Option<Tool> {
        match s {
            "docker-bench" => Some(Tool::DockerBench),
            "kube-bench" => Some(Tool::KubeBench),
            _ => None,
        }
    }
}

/// One check's outcome, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Outcome {
    Fail,
    Warn,
    /// Failing, but waived in the repo (with a reason): shown as waived, never as passed.
    Waived,
    Info,
    /// Skipped by the run (kube-bench `--skip`).
    Skipped,
    Pass,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Fail => "FAIL",
            Outcome::Warn => "WARN",
            Outcome::Waived => "WAIVED",
            Outcome::Info => "INFO",
            Outcome::Skipped => "SKIP",
            Outcome::Pass => "PASS",
        }
    }

    /// FAIL or WARN (before waivers).
    pub fn is_problem(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::Warn)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: String,
    /// The section's id and title (`5`, `Container Runtime`; `1.2`, `API Server`).
    pub section: String,
    pub section_desc: String,
    pub desc: String,
    pub outcome: Outcome,
    pub details: String,
    pub remediation: String,
    /// The waiver's reason, when waived.
    pub waiver: Option<String>,
}

/// One report of one host or cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub tool: Tool,
    /// The host or cluster it is of (the ConfigMap's `blast.io/target` label).
    pub target: String,
    /// The tool's version / benchmark (`docker-bench-security 1.6.0`, `cis-1.12`).
    pub version: String,
    /// When it ran (unix seconds), when the report says.
    pub ran_at: Option<u64>,
    pub items: Vec<Item>,
}

/// Counts by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub fail: u32,
    pub warn: u32,
    pub waived: u32,
    pub info: u32,
    pub skipped: u32,
    pub pass: u32,
}

impl Report {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for i in &self.items {
            match i.outcome {
                Outcome::Fail => c.fail += 1,
                Outcome::Warn => c.warn += 1,
                Outcome::Waived => c.waived += 1,
                Outcome::Info => c.info += 1,
                Outcome::Skipped => c.skipped += 1,
                Outcome::Pass => c.pass += 1,
            }
        }
        c
    }

    /// Passed checks as a percentage of the checks that pass or fail (waived ones count as
    /// neither; INFO and skipped ones are not scored).
    pub fn score_percent(&self) -> Option<u32> {
        let c = self.counts();
        let scored = c.pass + c.fail + c.warn;
        (scored > 0).then(|| (c.pass * 100 + scored / 2) / scored)
    }

    /// Problems first (FAIL, WARN, WAIVED), by id.
    pub fn sort(&mut self) {
        self.items
            .sort_by(|a, b| a.outcome.cmp(&b.outcome).then(id_cmp(&a.id, &b.id)));
    }
}

/// `5.10` after `5.9`.
pub fn id_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |s: &str| -> Vec<u64> {
        s.split('.')
            .map(|p| p.parse().unwrap_or(u64::MAX))
            .collect()
    };
    parts(a).cmp(&parts(b)).then(a.cmp(b))
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Reads docker-bench-security's JSON log.
pub fn docker_bench(json: &Value, target: &str) -> Result<Report, String> {
    let tests = json["tests"]
        .as_array()
        .ok_or("not a docker-bench log: no `tests` list")?;
    let mut items = Vec::new();
    for section in tests {
        let (sid, sdesc) = (s(&section["id"]), s(&section["desc"]));
        for r in section["results"].as_array().into_iter().flatten() {
            let outcome = match r["result"].as_str().unwrap_or("") {
                "PASS" => Outcome::Pass,
                "WARN" => Outcome::Warn,
                "INFO" | "NOTE" => Outcome::Info,
                other => {
                    return Err(format!(
                        "docker-bench check {}: unknown result {other:?}",
                        s(&r["id"])
                    ));
                }
            };
            items.push(Item {
                id: s(&r["id"]),
                section: sid.clone(),
                section_desc: sdesc.clone(),
                desc: s(&r["desc"]),
                outcome,
                details: s(&r["details"]),
                remediation: s(&r["remediation"]),
                waiver: None,
            });
        }
    }
    Ok(Report {
        tool: Tool::DockerBench,
        target: target.to_string(),
        version: format!(
            "docker-bench-security {}",
            json["dockerbenchsecurity"].as_str().unwrap_or("?")
        ),
        ran_at: json["end"].as_u64().or(json["start"].as_u64()),
        items,
    })
}

/// Reads kube-bench's `--json` output (`{"Controls": [...], "Totals": {...}}`, or the bare
/// list `--nototals` writes).
pub fn kube_bench(json: &Value, target: &str) -> Result<Report, String> {
    let controls = json["Controls"]
        .as_array()
        .or(json.as_array())
        .ok_or("not kube-bench JSON: no `Controls` list")?;
    let mut items = Vec::new();
    let mut version = String::new();
    for c in controls {
        if version.is_empty() {
            version = s(&c["version"]);
        }
        for g in c["tests"].as_array().into_iter().flatten() {
            let (sid, sdesc) = (s(&g["section"]), s(&g["desc"]));
            for r in g["results"].as_array().into_iter().flatten() {
                let skipped = r["type"].as_str() == Some("skip");
                let outcome = match r["status"].as_str().unwrap_or("") {
                    "PASS" => Outcome::Pass,
                    "FAIL" => Outcome::Fail,
                    "WARN" => Outcome::Warn,
                    "INFO" if skipped => Outcome::Skipped,
                    "INFO" => Outcome::Info,
                    other => {
                        return Err(format!(
                            "kube-bench check {}: unknown status {other:?}",
                            s(&r["test_number"])
                        ));
                    }
                };
                items.push(Item {
                    id: s(&r["test_number"]),
                    section: sid.clone(),
                    section_desc: sdesc.clone(),
                    desc: s(&r["test_desc"]),
                    outcome,
                    details: s(&r["reason"]),
                    remediation: s(&r["remediation"]),
                    waiver: None,
                });
            }
        }
    }
    Ok(Report {
        tool: Tool::KubeBench,
        target: target.to_string(),
        version,
        ran_at: None,
        items,
    })
}

/// Reads a report of either tool from the ConfigMap's `report.json`.
pub fn parse(tool: Tool, text: &str, target: &str) -> Result<Report, String> {
    let json: Value = serde_json::from_str(text)
        .map_err(|e| format!("{} report of {target}: not JSON ({e})", tool.label()))?;
    let mut r = match tool {
        Tool::DockerBench => docker_bench(&json, target),
        Tool::KubeBench => kube_bench(&json, target),
    }?;
    r.sort();
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCKER: &str = include_str!("../../fixtures/demo/standards/docker-bench-mgmt.json");
    const KUBE: &str = include_str!("../../fixtures/demo/standards/kube-bench-edge-lab.json");

    #[test]
    fn docker_bench_logs_count_warn_as_failed_and_keep_remediation() {
        let r = parse(Tool::DockerBench, DOCKER, "mgmt").unwrap();
        let json: Value = serde_json::from_str(DOCKER).unwrap();
        let c = r.counts();
        // Every result of the log is read, none invented.
        let total: usize = json["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["results"].as_array().unwrap().len())
            .sum();
        assert_eq!(r.items.len(), total);
        assert_eq!(r.items.len() as u64, json["checks"].as_u64().unwrap());
        assert_eq!(c.fail, 0, "docker-bench has no FAIL, only WARN");
        assert!(c.warn > 0);
        let priv_ = r.items.iter().find(|i| i.id == "5.5").unwrap();
        assert_eq!(priv_.outcome, Outcome::Warn);
        assert_eq!(priv_.section_desc, "Container Runtime");
        assert!(priv_.remediation.contains("--privileged"));
        assert!(priv_.details.contains("k3d-mgmt-server-0"));
        assert_eq!(r.items[0].outcome, Outcome::Warn, "problems first");
        assert_eq!(r.version, "docker-bench-security 1.6.0");
    }

    #[test]
    fn kube_bench_json_reads_skips_as_skipped_and_matches_its_totals() {
        let r = parse(Tool::KubeBench, KUBE, "edge-lab").unwrap();
        let json: Value = serde_json::from_str(KUBE).unwrap();
        let c = r.counts();
        let t = &json["Totals"];
        assert_eq!(c.fail as u64, t["total_fail"].as_u64().unwrap());
        assert_eq!(c.warn as u64, t["total_warn"].as_u64().unwrap());
        assert_eq!(c.pass as u64, t["total_pass"].as_u64().unwrap());
        assert_eq!(
            (c.info + c.skipped) as u64,
            t["total_info"].as_u64().unwrap()
        );
        assert!(c.skipped > 0, "Talos's skip list comes back as skipped");
        assert_eq!(r.items[0].outcome, Outcome::Fail);
        assert_eq!(r.version, "cis-1.12");
        assert!(r.score_percent().unwrap() < 100);
    }

    #[test]
    fn bad_reports_are_errors_not_panics() {
        assert!(
            parse(Tool::KubeBench, "{", "x")
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(parse(Tool::DockerBench, "{}", "x").is_err());
        let odd = r#"{"tests":[{"id":"1","desc":"d","results":[{"id":"1.1","result":"MAYBE"}]}]}"#;
        assert!(
            parse(Tool::DockerBench, odd, "x")
                .unwrap_err()
                .contains("MAYBE")
        );
        assert_eq!(id_cmp("5.10", "5.9"), std::cmp::Ordering::Greater);
    }
}
