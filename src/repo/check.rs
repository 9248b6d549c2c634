//! `blast check`: walks the same index as the browser and reports what is wrong.
//!
//! Always: YAML syntax errors, unreadable files, duplicate keys, objects without apiVersion,
//! kind or metadata.name, plaintext `Secret` data (a GitOps repo holds SealedSecrets only), and
//! Cluster API Kubernetes versions that are not semver (`schema::kubernetes_versions`).
//! With a [`SchemaSet`]: every object against its CRD schema or its k8s-openapi type; kinds with
//! no schema are counted as unvalidated, not failed.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::index::{self, FileKind};
use super::schema::{SchemaSet, Verdict};
use super::yaml::{Node, Pos};

/// Annotation that lets a `Secret` hold plaintext data; its value must give the reason.
pub const PLAINTEXT_OK: &str = "blast.io/allow-plaintext";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub severity: Severity,
    pub message: String,
    /// The policy rule's ID (`CKV_K8S_20`), for policy findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// checkov's resource string (`Deployment.shop.web`), for policy findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

impl Finding {
    fn new(path: &str, pos: Pos, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            path: path.to_string(),
            line: pos.line.max(1),
            col: pos.col.max(1),
            severity,
            message: message.into(),
            rule: None,
            resource: None,
        }
    }

    /// A failed policy rule: `CKV_K8S_20 Deployment.shop.web: <the rule's title>`.
    pub fn policy(o: &crate::policy::Outcome) -> Finding {
        Finding {
            path: o.path.clone(),
            line: o.line,
            col: o.col,
            severity: Severity::Error,
            message: format!("{} {}: {}", o.rule, o.resource, o.message),
            rule: Some(o.rule.to_string()),
            resource: Some(o.resource.clone()),
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {sev}: {}",
            self.path, self.line, self.col, self.message
        )
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub files: usize,
    pub objects: usize,
    pub data_documents: usize,
    /// Objects checked against a schema (only with `--schemas`).
    pub validated: usize,
    pub findings: Vec<Finding>,
    /// `apiVersion kind` → number of objects that had no schema (only with `--schemas`).
    pub unvalidated: BTreeMap<String, usize>,
    /// Files named `.yaml` that were not read as YAML, with why (Helm templates).
    pub skipped: Vec<String>,
    /// With `--policy`: how many rule results passed, failed and were skipped, and the skips.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicySummary>,
}

/// The policy part of a report (`blast check --policy`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct PolicySummary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Each skipped result: rule, resource, file and the annotation's reason.
    pub skips: Vec<crate::policy::Outcome>,
}

impl PolicySummary {
    /// Adds the outcomes of a policy run to a report: failures become error findings.
    pub fn add(report: &mut Report, outcomes: Vec<crate::policy::Outcome>) {
        use crate::policy::Status;
        let c = crate::policy::counts(&outcomes);
        let mut summary = PolicySummary {
            passed: c.passed,
            failed: c.failed,
            skipped: c.skipped,
            skips: Vec::new(),
        };
        for o in outcomes {
            match o.status {
                Status::Failed => report.findings.push(Finding::policy(&o)),
                Status::Skipped => summary.skips.push(o),
                Status::Passed => {}
            }
        }
        report.findings.sort();
        report.policy = Some(summary);
    }
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }

    /// The human summary printed after the findings.
    pub fn summary(&self, schemas: bool) -> String {
        let mut s = format!(
            "{} files, {} objects, {} data documents: {} errors, {} warnings",
            self.files,
            self.objects,
            self.data_documents,
            self.errors(),
            self.warnings()
        );
        for note in &self.skipped {
            s.push_str(&format!("\nskipped {note}"));
        }
        if let Some(p) = &self.policy {
            s.push_str(&format!(
                "\npolicy: {} passed, {} failed, {} skipped",
                p.passed, p.failed, p.skipped
            ));
        }
        if schemas {
            s.push_str(&format!("\nschema-validated objects: {}", self.validated));
            if !self.unvalidated.is_empty() {
                s.push_str("\nunvalidated (no schema known):");
                for (k, n) in &self.unvalidated {
                    s.push_str(&format!("\n  {k} ({n})"));
                }
            }
        }
        s
    }
}

/// Checks every file under `root` (see [`index::walk`]).
pub fn run(root: &Path, schemas: Option<&SchemaSet>) -> std::io::Result<Report> {
    let files = index::walk(root)?;
    let per_file: Vec<Report> = files
        .par_iter()
        .map(|(abs, rel)| check_file(abs, rel, schemas))
        .collect();
    let mut report = Report::default();
    for r in per_file {
        report.files += r.files;
        report.objects += r.objects;
        report.data_documents += r.data_documents;
        report.validated += r.validated;
        report.findings.extend(r.findings);
        report.skipped.extend(r.skipped);
        for (k, n) in r.unvalidated {
            *report.unvalidated.entry(k).or_default() += n;
        }
    }
    report.findings.sort();
    Ok(report)
}

/// The errors in some files (relative to `root`), as a commit must not have them: YAML syntax,
/// duplicate keys, objects without apiVersion/kind/name, Secrets in plain text. Deleted files and
/// files that are not YAML have none.
pub fn check_files(root: &Path, paths: &[String]) -> Vec<Finding> {
    let mut out: Vec<Finding> = paths
        .iter()
        .filter(|p| index::is_yaml(Path::new(p)))
        .filter(|p| root.join(p).is_file())
        .flat_map(|p| check_file(&root.join(p), p, None).findings)
        .filter(|f| f.severity == Severity::Error)
        .collect();
    out.sort();
    out
}

/// Objects nested deeper than this are not checked against their schema: the typed checks go
/// through serde, which recurses once per level. No Kubernetes object comes near it.
pub const SCHEMA_MAX_DEPTH: usize = 200;

fn check_file(abs: &Path, rel: &str, schemas: Option<&SchemaSet>) -> Report {
    let mut r = Report::default();
    let mut object_findings = Vec::new();
    let entry = index::index_file_with(abs, rel, |res, root, depth| {
        check_object(rel, res, root, depth, schemas, &mut r, &mut object_findings);
    });
    if entry.kind != FileKind::Yaml {
        return Report::default();
    }
    r.files = 1;
    r.objects = entry.resources.len();
    r.data_documents = entry.data_docs;
    let path = entry.path.as_str();
    if let Some(note) = &entry.note {
        r.skipped.push(format!("{path}: {note}"));
    }
    if let Some(e) = &entry.io_error {
        r.findings.push(Finding::new(
            path,
            Pos::default(),
            Severity::Error,
            format!("cannot read: {e}"),
        ));
    }
    if let Some(e) = &entry.error {
        r.findings.push(Finding::new(
            path,
            e.pos,
            Severity::Error,
            format!("YAML syntax error: {}", e.message),
        ));
    }
    for (pos, key) in &entry.duplicate_keys {
        r.findings.push(Finding::new(
            path,
            *pos,
            Severity::Error,
            format!("duplicate key \"{key}\""),
        ));
    }
    r.findings.extend(object_findings);
    r
}

/// The checks of one object (a document's root, or an item of a `kind: List`).
fn check_object(
    path: &str,
    res: &index::Resource,
    root: &Node,
    depth: usize,
    schemas: Option<&SchemaSet>,
    r: &mut Report,
    out: &mut Vec<Finding>,
) {
    let mut missing = Vec::new();
    if res.api_version.is_none() {
        missing.push("apiVersion");
    }
    if res.kind.is_none() {
        missing.push("kind");
    }
    if res.name.is_none() {
        missing.push("metadata.name");
    }
    if !missing.is_empty() {
        let what = res.kind.as_deref().unwrap_or("object");
        out.push(Finding::new(
            path,
            res.pos,
            Severity::Error,
            format!("{what} is missing {}", missing.join(", ")),
        ));
    }
    // A Secret may opt out with a reason, for data that is not secret at all
    // (e.g. Argo CD's in-cluster cluster Secret, which holds only a name and a URL).
    let allowed = root
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(PLAINTEXT_OK))
        .and_then(|r| r.as_text())
        .is_some_and(|r| !r.trim().is_empty());
    if res.api_version.as_deref() == Some("v1") && res.kind.as_deref() == Some("Secret") && !allowed
    {
        for key in ["data", "stringData"] {
            if let Some(n) = root.get(key).filter(|n| !n.is_null()) {
                out.push(Finding::new(
                    path,
                    n.pos,
                    Severity::Error,
                    format!(
                        "Secret {} holds plaintext {key} in git; seal it (SealedSecret) instead",
                        res.name.as_deref().unwrap_or("?")
                    ),
                ));
            }
        }
    }
    if let (Some(av), Some(kind)) = (&res.api_version, &res.kind) {
        let name = res.name.as_deref().unwrap_or("?");
        for v in super::schema::kubernetes_versions(av, kind, root) {
            let msg = format!("{kind} {name}: {}: {}", v.path, v.message);
            out.push(Finding::new(path, v.pos, Severity::Error, msg));
        }
    }
    let (Some(schemas), Some(av), Some(kind)) = (schemas, &res.api_version, &res.kind) else {
        return;
    };
    if depth > SCHEMA_MAX_DEPTH {
        out.push(Finding::new(
            path,
            res.pos,
            Severity::Warning,
            format!(
                "{kind} {}: nested {depth} levels deep, more than {SCHEMA_MAX_DEPTH}; not checked against its schema",
                res.name.as_deref().unwrap_or("?")
            ),
        ));
        return;
    }
    match schemas.validate(av, kind, root) {
        Verdict::Checked(violations) => {
            r.validated += 1;
            for v in violations {
                let sev = if v.warning {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                let name = res.name.as_deref().unwrap_or("?");
                let msg = if v.path.is_empty() || v.message.starts_with(&v.path) {
                    format!("{kind} {name}: {}", v.message)
                } else {
                    format!("{kind} {name}: {}: {}", v.path, v.message)
                };
                out.push(Finding::new(path, v.pos, sev, msg));
            }
        }
        Verdict::Unvalidated => *r.unvalidated.entry(format!("{av} {kind}")).or_default() += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_checks_report_file_line_col() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("apps/x");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("ok.yaml"),
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n",
        )
        .unwrap();
        std::fs::write(d.join("values.yaml"), "replicas: 2\n").unwrap();
        std::fs::write(d.join("bad.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n---\nkind: Service\nmetadata: {name: s}\n").unwrap();
        std::fs::write(d.join("broken.yaml"), "a: b\n c: d\n").unwrap();
        std::fs::write(
            d.join("secret.yaml"),
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: hunter2\n",
        )
        .unwrap();
        std::fs::write(d.join("ok-secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: o\n  annotations:\n    blast.io/allow-plaintext: only a URL\nstringData:\n  server: https://x\n").unwrap();
        std::fs::write(d.join("no-reason.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: n\n  annotations:\n    blast.io/allow-plaintext: \"\"\ndata:\n  k: eA==\n").unwrap();
        std::fs::write(
            d.join("dup.yaml"),
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: d}\nkind: Namespace\n",
        )
        .unwrap();
        let report = run(dir.path(), None).unwrap();
        let lines: Vec<String> = report.findings.iter().map(|f| f.to_string()).collect();
        assert_eq!(
            lines,
            vec![
                "apps/x/bad.yaml:1:1: error: ConfigMap is missing metadata.name",
                "apps/x/bad.yaml:6:1: error: Service is missing apiVersion",
                "apps/x/broken.yaml:2:3: error: YAML syntax error: mapping values are not allowed in this context",
                "apps/x/dup.yaml:4:1: error: duplicate key \"kind\"",
                "apps/x/no-reason.yaml:8:3: error: Secret n holds plaintext data in git; seal it (SealedSecret) instead",
                "apps/x/secret.yaml:5:3: error: Secret s holds plaintext stringData in git; seal it (SealedSecret) instead",
            ]
        );
        assert!(!lines.iter().any(|l| l.contains("hunter2")));
        assert_eq!(
            (report.files, report.objects, report.data_documents),
            (8, 7, 1)
        );
    }

    /// Cluster API's Kubernetes versions are held to semver by every check (the commit
    /// dialog's too), at the value's line; a valid one, a non-string (the schema's to report)
    /// and other kinds' `version` fields are left alone.
    #[test]
    fn cluster_api_versions_must_be_semver() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("clusters/a");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("capi.yaml"),
            "apiVersion: controlplane.cluster.x-k8s.io/v1alpha3\nkind: TalosControlPlane\nmetadata: {name: cp}\nspec:\n  version: v1.36.3+\n---\napiVersion: cluster.x-k8s.io/v1beta1\nkind: MachineDeployment\nmetadata: {name: md}\nspec:\n  template:\n    spec:\n      version: v1.36.3-rc.1\n---\napiVersion: cluster.x-k8s.io/v1beta1\nkind: Machine\nmetadata: {name: m}\nspec:\n  version: 1.36\n---\napiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec:\n  version: latest\n---\napiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nmetadata: {name: c}\nspec:\n  topology:\n    version: \"v1.036.0\"\n",
        )
        .unwrap();
        let lines: Vec<String> = run(dir.path(), None)
            .unwrap()
            .findings
            .iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(lines[0].starts_with("clusters/a/capi.yaml:5:12: error: TalosControlPlane cp: spec.version: \"v1.36.3+\" is not a Kubernetes version"), "{lines:#?}");
        assert!(lines[0].contains("hint:"), "{lines:#?}");
        assert!(
            lines[1].starts_with(
                "clusters/a/capi.yaml:32:14: error: Cluster c: spec.topology.version: \"v1.036.0\""
            ),
            "{lines:#?}"
        );
        assert_eq!(
            check_files(dir.path(), &["clusters/a/capi.yaml".into()]).len(),
            2
        );
    }
}
