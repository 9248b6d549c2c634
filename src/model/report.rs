//! A benchmark report ConfigMap (`blast.io/report` in `blast-system`, see `crate::standards`):
//! the tool's JSON under `report.json`, read into a `standards::bench::Report` as it arrives.
//! Only these ConfigMaps are ever watched (namespace and label selected in `kube::watch`); the
//! raw JSON is not kept.

use serde::Deserialize;

use super::Meta;
use super::meta::{ParseError, RawMeta, from_value};
use crate::standards::{self, bench};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportMap {
    pub meta: Meta,
    /// The host or cluster it is of (`blast.io/target`; the ConfigMap's name when missing).
    pub target: String,
    /// The report, or why it cannot be read (unknown tool, no `report.json`, bad JSON): shown
    /// as such on the site's line, never as passed.
    pub report: Result<bench::Report, String>,
}

#[derive(Deserialize)]
struct Raw {
    metadata: Option<RawMeta>,
    data: Option<std::collections::BTreeMap<String, String>>,
}

impl ReportMap {
    pub fn parse<'a>(v: impl Into<super::Json<'a>>) -> Result<ReportMap, ParseError> {
        let raw: Raw = from_value(v)?;
        let meta = raw.metadata.unwrap_or_default().into_meta();
        let target = meta
            .label(standards::TARGET_LABEL)
            .unwrap_or(&meta.name)
            .to_string();
        let report = match meta
            .label(standards::REPORT_LABEL)
            .map(|t| (t, bench::Tool::from_label(t)))
        {
            None => Err(format!("no {} label", standards::REPORT_LABEL)),
            Some((t, None)) => Err(format!(
                "unknown report tool \"{t}\" (docker-bench or kube-bench)"
            )),
            Some((_, Some(tool))) => {
                match raw.data.as_ref().and_then(|d| d.get(standards::DATA_KEY)) {
                    None => Err(format!("no {} in its data", standards::DATA_KEY)),
                    Some(text) => bench::parse(tool, text, &target),
                }
            }
        };
        Ok(ReportMap {
            meta,
            target,
            report,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn cm(labels: Value, data: Value) -> Value {
        serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "kube-bench-edge-lab", "namespace": "blast-system", "labels": labels},
            "data": data})
    }

    #[test]
    fn a_report_configmap_reads_its_tool_json_and_says_what_is_wrong_otherwise() {
        let text = include_str!("../../fixtures/demo/standards/kube-bench-edge-lab.json");
        let ok = ReportMap::parse(&cm(
            serde_json::json!({"blast.io/report": "kube-bench", "blast.io/target": "edge-lab"}),
            serde_json::json!({"report.json": text}),
        ))
        .unwrap();
        let r = ok.report.unwrap();
        assert_eq!(
            (r.tool, r.target.as_str()),
            (bench::Tool::KubeBench, "edge-lab")
        );
        assert!(r.counts().fail > 0);
        let unknown = ReportMap::parse(&cm(
            serde_json::json!({"blast.io/report": "trivy"}),
            serde_json::json!({}),
        ))
        .unwrap();
        assert!(unknown.report.unwrap_err().contains("unknown report tool"));
        assert_eq!(
            unknown.target, "kube-bench-edge-lab",
            "no target label: its name"
        );
        let empty = ReportMap::parse(&cm(
            serde_json::json!({"blast.io/report": "docker-bench"}),
            serde_json::json!({}),
        ))
        .unwrap();
        assert!(empty.report.unwrap_err().contains("report.json"));
        let bad = ReportMap::parse(&cm(
            serde_json::json!({"blast.io/report": "docker-bench"}),
            serde_json::json!({"report.json": "{not json"}),
        ))
        .unwrap();
        assert!(bad.report.is_err());
    }
}
