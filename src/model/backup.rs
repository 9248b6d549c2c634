//! Kasten K10: Policies and Profiles (`config.kio.kasten.io/v1alpha1` CRDs) and the actions of
//! its aggregated API (`actions.kio.kasten.io/v1alpha1`: RunAction, BackupAction, ExportAction,
//! RestoreAction).
//!
//! Field facts: `../shared/reference/status-fields.md` §11. A Policy's status has no last-run
//! result: the last run is the newest RunAction labelled with the policy's name. Action
//! `status.progress` comes as a number or a string, `status.error` as a string or an object
//! with `message`; both are read either way. A Profile's credential Secret is never read.

use super::meta::Json;
use serde::Deserialize;
use serde_json::Value;

use super::meta::{Meta, ParseError, Quantity, Time, from_value, time};

pub const POLICY_NAME_LABEL: &str = "k10.kasten.io/policyName";
pub const RUN_ACTION_LABEL: &str = "k10.kasten.io/runActionName";
pub const APP_NAMESPACE_LABEL: &str = "k10.kasten.io/appNamespace";

type Object<S, T> = super::meta::RawObject<S, T>;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct K10Policy {
    pub meta: Meta,
    /// `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`, `@onDemand` or a cron line.
    pub frequency: Option<String>,
    /// `retention` as `daily 7, weekly 4`.
    pub retention: String,
    /// `actions[].action` (`backup`, `export`, …).
    pub actions: Vec<String>,
    /// The export's location profile, when the policy exports.
    pub export_profile: Option<String>,
    /// What it protects: `selector.matchLabels`/`matchExpressions` rendered (`k10.kasten.io/appNamespace in (historian, mqtt)`).
    pub selector: String,
    pub paused: bool,
    /// `status.validation`: `Success` | `Failed`.
    pub validation: Option<String>,
}

impl K10Policy {
    /// The longest a healthy policy goes without a successful run, in seconds, with slack for
    /// the run itself: a policy whose last success is older is overdue. `None` for on-demand
    /// policies and cron lines we do not interpret.
    pub fn max_interval(&self) -> Option<i64> {
        let base = match self.frequency.as_deref()? {
            "@hourly" => 3600,
            "@daily" => 86_400,
            "@weekly" => 7 * 86_400,
            "@monthly" => 31 * 86_400,
            "@yearly" => 366 * 86_400,
            f => cron_interval(f)?,
        };
        // One period, plus a quarter of it for the run and a retry.
        Some(base + base / 4)
    }
}

/// The period of a five-field cron line of the common shapes: `M H * * *` daily,
/// `M * * * *` hourly, `M H * * D` weekly, `M H D * *` monthly.
fn cron_interval(line: &str) -> Option<i64> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() != 5 {
        return None;
    }
    let fixed = |s: &str| s.parse::<u32>().is_ok();
    match (fixed(f[0]), fixed(f[1]), f[2], f[3], f[4]) {
        (true, false, "*", "*", "*") if f[1] == "*" => Some(3600),
        (true, true, "*", "*", "*") => Some(86_400),
        (true, true, "*", "*", d) if fixed(d) => Some(7 * 86_400),
        (true, true, d, "*", "*") if fixed(d) => Some(31 * 86_400),
        _ => None,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicySpec {
    frequency: Option<String>,
    retention: Option<serde_json::Map<String, Value>>,
    actions: Option<Vec<PolicyAction>>,
    selector: Option<Selector>,
    paused: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyAction {
    action: Option<String>,
    export_parameters: Option<ExportParameters>,
}

#[derive(Deserialize)]
struct ExportParameters {
    profile: Option<NameRef>,
}

#[derive(Deserialize)]
struct NameRef {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Selector {
    match_labels: Option<std::collections::BTreeMap<String, String>>,
    match_expressions: Option<Vec<Expression>>,
}

#[derive(Deserialize)]
struct Expression {
    key: Option<String>,
    operator: Option<String>,
    values: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Validation {
    validation: Option<String>,
}

impl K10Policy {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<K10Policy, ParseError> {
        let o: Object<PolicySpec, Validation> = from_value(v)?;
        let mut p = K10Policy {
            meta: o.metadata.unwrap_or_default().into_meta(),
            validation: o.status.and_then(|s| s.validation),
            ..Default::default()
        };
        let Some(s) = o.spec else { return Ok(p) };
        p.frequency = s.frequency;
        p.paused = s.paused.unwrap_or(false);
        p.retention = s
            .retention
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| v.as_u64().map(|n| format!("{k} {n}")))
            .collect::<Vec<_>>()
            .join(", ");
        for a in s.actions.unwrap_or_default() {
            if let Some(prof) = a
                .export_parameters
                .and_then(|e| e.profile)
                .and_then(|p| p.name)
            {
                p.export_profile = Some(prof);
            }
            if let Some(name) = a.action {
                p.actions.push(name);
            }
        }
        if let Some(sel) = s.selector {
            let mut parts: Vec<String> = sel
                .match_labels
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            for e in sel.match_expressions.unwrap_or_default() {
                parts.push(format!(
                    "{} {} ({})",
                    e.key.unwrap_or_default(),
                    e.operator.unwrap_or_default().to_lowercase(),
                    e.values.unwrap_or_default().join(", ")
                ));
            }
            p.selector = parts.join(", ");
        }
        Ok(p)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct K10Profile {
    pub meta: Meta,
    /// `Location` | `Infra`.
    pub type_: Option<String>,
    /// `ObjectStore` | `FileStore` | …
    pub location: Option<String>,
    /// The object store's endpoint and bucket (`https://minio.minio:9000 k10-edge-berlin`).
    pub target: Option<String>,
    /// `status.validation`: `Success` | `Failed`.
    pub validation: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileSpec {
    #[serde(rename = "type")]
    type_: Option<String>,
    location_spec: Option<LocationSpec>,
}

/// `credential` is not declared: the Secret reference is skipped unread.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LocationSpec {
    #[serde(rename = "type")]
    type_: Option<String>,
    object_store: Option<ObjectStore>,
}

#[derive(Deserialize)]
struct ObjectStore {
    name: Option<String>,
    endpoint: Option<String>,
}

impl K10Profile {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<K10Profile, ParseError> {
        let o: Object<ProfileSpec, Validation> = from_value(v)?;
        let mut p = K10Profile {
            meta: o.metadata.unwrap_or_default().into_meta(),
            validation: o.status.and_then(|s| s.validation),
            ..Default::default()
        };
        if let Some(s) = o.spec {
            p.type_ = s.type_;
            if let Some(l) = s.location_spec {
                p.location = l.type_;
                p.target = l.object_store.map(|os| {
                    [os.endpoint, os.name]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ")
                });
            }
        }
        Ok(p)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionKind {
    Run,
    Backup,
    Export,
    Restore,
}

impl ActionKind {
    pub fn kind(self) -> &'static str {
        match self {
            ActionKind::Run => "RunAction",
            ActionKind::Backup => "BackupAction",
            ActionKind::Export => "ExportAction",
            ActionKind::Restore => "RestoreAction",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Run => "run",
            ActionKind::Backup => "backup",
            ActionKind::Export => "export",
            ActionKind::Restore => "restore",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct K10Action {
    pub meta: Meta,
    pub action: ActionKind,
    /// `Pending` | `Running` | `AttemptFailed` | `Complete` | `Failed` | `Skipped` | `Cancelled` | `Deleting`.
    pub state: Option<String>,
    pub progress: Option<u32>,
    pub started: Option<Time>,
    pub ended: Option<Time>,
    /// `status.error.message` (or the string itself).
    pub error: Option<String>,
    /// `spec.subject` as `Kind namespace/name`.
    pub subject: Option<String>,
    /// Label `k10.kasten.io/policyName`.
    pub policy: Option<String>,
    /// Label `k10.kasten.io/runActionName` (subordinate actions).
    pub run_action: Option<String>,
    pub restore_point: Option<String>,
}

impl K10Action {
    pub fn failed(&self) -> bool {
        matches!(self.state.as_deref(), Some("Failed" | "AttemptFailed"))
    }
    pub fn complete(&self) -> bool {
        self.state.as_deref() == Some("Complete")
    }
    /// When it started, else when it was created (Pending actions have no start time).
    pub fn at(&self) -> Option<Time> {
        self.started.or(self.meta.created)
    }
}

#[derive(Deserialize)]
struct ActionSpec {
    subject: Option<Subject>,
}

#[derive(Deserialize)]
struct Subject {
    kind: Option<String>,
    name: Option<String>,
    namespace: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionStatus {
    state: Option<String>,
    progress: Option<Quantity>,
    start_time: Option<String>,
    end_time: Option<String>,
    error: Option<Value>,
    restore_point: Option<NameRef>,
}

impl K10Action {
    pub fn parse<'a>(action: ActionKind, v: impl Into<Json<'a>>) -> Result<K10Action, ParseError> {
        let o: Object<ActionSpec, ActionStatus> = from_value(v)?;
        let meta = o.metadata.unwrap_or_default().into_meta();
        let mut a = K10Action {
            action,
            state: None,
            progress: None,
            started: None,
            ended: None,
            error: None,
            subject: o.spec.and_then(|s| s.subject).map(|s| {
                let name = match s.namespace.filter(|n| !n.is_empty()) {
                    Some(ns) => format!("{ns}/{}", s.name.unwrap_or_default()),
                    None => s.name.unwrap_or_default(),
                };
                match s.kind {
                    Some(k) => format!("{k} {name}"),
                    None => name,
                }
            }),
            policy: meta.label(POLICY_NAME_LABEL).map(str::to_string),
            run_action: meta.label(RUN_ACTION_LABEL).map(str::to_string),
            restore_point: None,
            meta,
        };
        if let Some(st) = o.status {
            a.state = st.state.filter(|s| !s.is_empty());
            a.progress = st
                .progress
                .and_then(|q| q.0)
                .map(|p| p.clamp(0.0, 100.0) as u32);
            a.started = time(&st.start_time);
            a.ended = time(&st.end_time);
            a.error = match st.error {
                Some(Value::String(s)) if !s.is_empty() => Some(s),
                Some(Value::Object(m)) => {
                    m.get("message").and_then(Value::as_str).map(str::to_string)
                }
                _ => None,
            };
            a.restore_point = st.restore_point.and_then(|r| r.name);
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> Value {
        crate::repo::yaml_serde::from_str(s).unwrap()
    }

    #[test]
    fn policy_frequency_retention_selector() {
        let p = K10Policy::parse(&yaml(
            r#"
apiVersion: config.kio.kasten.io/v1alpha1
kind: Policy
metadata: {name: apps-daily, namespace: kasten-io}
spec:
  frequency: "@daily"
  retention: {daily: 7, weekly: 4}
  selector:
    matchExpressions:
    - {key: k10.kasten.io/appNamespace, operator: In, values: [historian, mqtt]}
  actions:
  - action: backup
  - action: export
    exportParameters: {profile: {name: minio, namespace: kasten-io}, exportData: {enabled: true}}
status: {validation: Success, hash: 12345}
"#,
        ))
        .unwrap();
        assert_eq!(p.retention, "daily 7, weekly 4");
        assert_eq!(p.actions, ["backup", "export"]);
        assert_eq!(p.export_profile.as_deref(), Some("minio"));
        assert_eq!(
            p.selector,
            "k10.kasten.io/appNamespace in (historian, mqtt)"
        );
        assert_eq!(p.max_interval(), Some(86_400 + 21_600));
        assert_eq!(cron_interval("30 2 * * *"), Some(86_400));
        assert_eq!(cron_interval("5 * * * *"), Some(3600));
        assert_eq!(cron_interval("*/5 * * * *"), None);
    }

    #[test]
    fn actions_error_and_progress_in_both_shapes() {
        let a = K10Action::parse(
            ActionKind::Run,
            &yaml(
                r#"
metadata: {name: policy-run-x, namespace: kasten-io, labels: {k10.kasten.io/policyName: apps-daily}}
spec: {subject: {kind: Policy, name: apps-daily, namespace: kasten-io}}
status: {state: AttemptFailed, progress: "40", startTime: "2026-09-21T02:00:00Z", error: {message: "timeout writing to s3", cause: "{}"}}
"#,
            ),
        )
        .unwrap();
        assert!(a.failed());
        assert_eq!(a.progress, Some(40));
        assert_eq!(a.error.as_deref(), Some("timeout writing to s3"));
        assert_eq!(a.policy.as_deref(), Some("apps-daily"));
        assert_eq!(a.subject.as_deref(), Some("Policy kasten-io/apps-daily"));
        let b = K10Action::parse(
            ActionKind::Backup,
            &yaml("metadata: {name: b}\nstatus: {state: Failed, progress: 100, error: boom, restorePoint: {name: rp-1}}\n"),
        )
        .unwrap();
        assert_eq!(b.error.as_deref(), Some("boom"));
        assert_eq!(b.restore_point.as_deref(), Some("rp-1"));
        for v in [
            "metadata: {name: x}\n",
            "metadata: {name: x}\nstatus: {}\nspec: {unknown: 1}\n",
        ] {
            K10Action::parse(ActionKind::Export, &yaml(v)).unwrap();
            K10Policy::parse(&yaml(v)).unwrap();
            K10Profile::parse(&yaml(v)).unwrap();
        }
        let bad = yaml("metadata: {name: x}\nstatus: {state: [1]}\n");
        assert_eq!(
            K10Action::parse(ActionKind::Run, &bad).unwrap_err().path,
            "status.state"
        );
    }

    #[test]
    fn profile_never_reads_the_credential() {
        let p = K10Profile::parse(&yaml(
            r#"
metadata: {name: minio, namespace: kasten-io}
spec:
  type: Location
  locationSpec:
    type: ObjectStore
    credential: {secretType: AwsAccessKey, secret: {name: minio-creds, namespace: kasten-io}}
    objectStore: {objectStoreType: S3, name: k10-edge-berlin, endpoint: "https://minio.minio:9000"}
status: {validation: Failed}
"#,
        ))
        .unwrap();
        assert_eq!(
            p.target.as_deref(),
            Some("https://minio.minio:9000 k10-edge-berlin")
        );
        assert!(!format!("{p:?}").contains("minio-creds"));
    }
}
