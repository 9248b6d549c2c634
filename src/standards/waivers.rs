//! Waivers kept in the repo (`standards/waivers.yaml`): benchmark items that fail by design,
//! each with a reason. A waived item shows as waived, never as passed, and does not degrade a
//! site. A waiver names the tool, the target (host or cluster; `*` for every one) and the
//! check id; an entry without a reason is an error, reported with file:line.
//!
//! ```yaml
//! waivers:
//!   - tool: docker-bench
//!     target: mgmt
//!     id: "5.5"
//!     reason: k3d runs each k3s node as a privileged container by design
//! ```

use std::path::Path;

use serde::Serialize;

use super::bench::{Outcome, Report, Tool};
use crate::repo::yaml::{self, Node};

/// Where the waivers live, relative to the repo root.
pub const PATH: &str = "standards/waivers.yaml";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    pub tool: Tool,
    pub target: String,
    pub id: String,
    pub reason: String,
    /// `standards/waivers.yaml:LINE`.
    pub source: String,
}

/// Reads the waivers of the repo at `root`; no file means none. Errors carry file:line:col.
pub fn load(root: &Path) -> Result<Vec<Waiver>, String> {
    let file = root.join(PATH);
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{PATH}: {e}")),
    };
    parse(&text)
}

pub fn parse(text: &str) -> Result<Vec<Waiver>, String> {
    yaml::guard(text).map_err(|e| format!("{PATH}:{}:{}: {}", e.pos.line, e.pos.col, e.message))?;
    let parsed = yaml::parse(text);
    if let Some(e) = parsed.error {
        return Err(format!(
            "{PATH}:{}:{}: {}",
            e.pos.line, e.pos.col, e.message
        ));
    }
    let mut out = Vec::new();
    for doc in &parsed.docs {
        let Some(root) = &doc.root else { continue };
        let Some(list) = root.get("waivers") else {
            return Err(format!(
                "{PATH}:{}:{}: expected a `waivers:` list",
                root.pos.line, root.pos.col
            ));
        };
        let yaml::Value::Seq(entries) = &list.value else {
            return Err(format!(
                "{PATH}:{}:{}: `waivers` must be a list",
                list.pos.line, list.pos.col
            ));
        };
        for e in entries {
            out.push(entry(e)?);
        }
    }
    Ok(out)
}

fn entry(e: &Node) -> Result<Waiver, String> {
    let at = |n: &Node, m: &str| format!("{PATH}:{}:{}: {m}", n.pos.line, n.pos.col);
    let field = |k: &str| -> Result<String, String> {
        e.get(k)
            .and_then(Node::as_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| at(e, &format!("a waiver needs `{k}`")))
    };
    let tool_text = field("tool")?;
    let tool = Tool::from_label(&tool_text).ok_or_else(|| {
        at(
            e,
            &format!("unknown tool {tool_text:?}: use docker-bench or kube-bench"),
        )
    })?;
    Ok(Waiver {
        tool,
        target: field("target")?,
        id: field("id")?,
        reason: field("reason")?,
        source: format!("{PATH}:{}", e.pos.line),
    })
}

/// Marks the waived problems of a report (FAIL or WARN only: a waiver never hides a pass or
/// turns anything into one).
pub fn apply(report: &mut Report, waivers: &[Waiver]) {
    for item in &mut report.items {
        if !item.outcome.is_problem() {
            continue;
        }
        if let Some(w) = waivers.iter().find(|w| {
            w.tool == report.tool
                && (w.target == report.target || w.target == "*")
                && w.id == item.id
        }) {
            item.outcome = Outcome::Waived;
            item.waiver = Some(w.reason.clone());
        }
    }
    report.sort();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waivers_read_with_positions_and_need_a_reason() {
        let ok = "waivers:\n  - tool: docker-bench\n    target: mgmt\n    id: \"5.5\"\n    reason: k3d nodes are privileged\n";
        let w = parse(ok).unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].id, "5.5");
        assert_eq!(w[0].source, "standards/waivers.yaml:2");
        let no_reason = "waivers:\n  - tool: docker-bench\n    target: mgmt\n    id: \"5.5\"\n";
        assert_eq!(
            parse(no_reason).unwrap_err(),
            "standards/waivers.yaml:2:5: a waiver needs `reason`"
        );
        let bad_tool = "waivers:\n  - {tool: trivy, target: x, id: '1', reason: r}\n";
        assert!(
            parse(bad_tool)
                .unwrap_err()
                .contains("unknown tool \"trivy\"")
        );
        assert!(
            parse("waivers: [")
                .unwrap_err()
                .starts_with("standards/waivers.yaml:")
        );
    }

    #[test]
    fn a_waiver_marks_problems_only_and_only_its_own_target() {
        let text = include_str!("../../fixtures/demo/standards/docker-bench-mgmt.json");
        let mut r = super::super::bench::parse(Tool::DockerBench, text, "mgmt").unwrap();
        let before = r.counts();
        let w = parse(
            "waivers:\n  - {tool: docker-bench, target: mgmt, id: '5.5', reason: k3d}\n  - {tool: docker-bench, target: mgmt, id: '1.2.1', reason: never a problem}\n  - {tool: docker-bench, target: other, id: '5.31', reason: elsewhere}\n",
        )
        .unwrap();
        apply(&mut r, &w);
        let after = r.counts();
        assert_eq!(after.waived, 1);
        assert_eq!(after.warn, before.warn - 1);
        assert_eq!(after.pass, before.pass, "a waiver never makes a pass");
        let i = r.items.iter().find(|i| i.id == "5.5").unwrap();
        assert_eq!(i.outcome, Outcome::Waived);
        assert_eq!(i.waiver.as_deref(), Some("k3d"));
        let other = r.items.iter().find(|i| i.id == "5.31").unwrap();
        assert_eq!(
            other.outcome,
            Outcome::Warn,
            "the waiver is for another target"
        );
    }
}
