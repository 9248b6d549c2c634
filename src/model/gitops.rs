//! GitOps and the rest of the infrastructure: Argo CD Applications and ApplicationSets,
//! Crossplane packages and managed/composite resources, SealedSecrets, Klum users and
//! kubeconfigs.
//!
//! Field facts: `../shared/reference/status-fields.md` §7–§10. Never read: SealedSecret
//! `spec.encryptedData` values (only the key names) and `spec.template.data`; a Klum
//! Kubeconfig's `users[].user.token` (only servers and contexts are declared below).

use super::meta::Json;
use serde::Deserialize;
use serde_json::Value;

use super::meta::{
    CondStatus, Condition, Meta, ParseError, RawCondition, Time, condition, conditions, from_value,
    time,
};

type Object<S, T> = super::meta::RawObject<S, T>;

fn short_sha(s: &str) -> String {
    if s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        s[..7].to_string()
    } else {
        s.to_string()
    }
}

// --- Application

/// One source of an Application.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppSource {
    pub repo_url: String,
    /// Path in the repo; `None` for a Helm chart source.
    pub path: Option<String>,
    pub chart: Option<String>,
    pub target_revision: Option<String>,
}

/// A resource of an Application that is not Synced or not Healthy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppResource {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub sync: Option<String>,
    pub health: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Application {
    pub meta: Meta,
    pub project: Option<String>,
    pub sources: Vec<AppSource>,
    /// `spec.destination.name`, else `.server`.
    pub destination: Option<String>,
    pub destination_namespace: Option<String>,
    /// `spec.syncPolicy.automated` present and not `enabled: false`.
    pub auto_sync: bool,
    pub prune: bool,
    pub self_heal: bool,
    /// `Synced` | `OutOfSync` | `Unknown`.
    pub sync: Option<String>,
    /// `status.sync.revision`, else the first of `revisions` (full SHA).
    pub revision: Option<String>,
    /// `Healthy` | `Progressing` | `Degraded` | `Suspended` | `Missing` | `Unknown`.
    pub health: Option<String>,
    pub health_since: Option<Time>,
    /// `status.operationState.phase`: `Running` | `Terminating` | `Failed` | `Error` | `Succeeded`.
    pub op_phase: Option<String>,
    pub op_message: Option<String>,
    pub op_finished: Option<Time>,
    /// The revision the last operation synced to.
    pub op_revision: Option<String>,
    /// `status.conditions[]` (`ComparisonError`, `SyncError`, … warnings): type and message.
    pub conditions: Vec<(String, String)>,
    /// Resources that are not Synced or not Healthy.
    pub problems: Vec<AppResource>,
    pub resource_count: usize,
    pub reconciled: Option<Time>,
}

impl Application {
    /// The repo paths it deploys from (chart sources have none).
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.sources.iter().filter_map(|s| s.path.as_deref())
    }
    pub fn short_revision(&self) -> Option<String> {
        self.revision.as_deref().map(short_sha)
    }
    /// Conditions of error types (the `*Error` ones), not the warnings.
    pub fn errors(&self) -> impl Iterator<Item = &(String, String)> {
        self.conditions.iter().filter(|(t, _)| t.ends_with("Error"))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppSpec {
    project: Option<String>,
    source: Option<RawSource>,
    sources: Option<Vec<RawSource>>,
    destination: Option<Destination>,
    sync_policy: Option<SyncPolicy>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSource {
    #[serde(rename = "repoURL")]
    repo_url: Option<String>,
    path: Option<String>,
    chart: Option<String>,
    target_revision: Option<String>,
}

#[derive(Deserialize)]
struct Destination {
    server: Option<String>,
    name: Option<String>,
    namespace: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SyncPolicy {
    automated: Option<Automated>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Automated {
    enabled: Option<bool>,
    prune: Option<bool>,
    self_heal: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppStatus {
    sync: Option<SyncStatus>,
    health: Option<HealthStatus>,
    operation_state: Option<OperationState>,
    conditions: Option<Vec<AppCondition>>,
    resources: Option<Vec<ResourceStatus>>,
    reconciled_at: Option<String>,
}

#[derive(Deserialize)]
struct SyncStatus {
    status: Option<String>,
    revision: Option<String>,
    revisions: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HealthStatus {
    status: Option<String>,
    message: Option<String>,
    last_transition_time: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OperationState {
    phase: Option<String>,
    message: Option<String>,
    finished_at: Option<String>,
    sync_result: Option<SyncResult>,
}

#[derive(Deserialize)]
struct SyncResult {
    revision: Option<String>,
    revisions: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct AppCondition {
    #[serde(rename = "type")]
    type_: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct ResourceStatus {
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    status: Option<String>,
    health: Option<HealthStatus>,
}

impl Application {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<Application, ParseError> {
        let o: Object<AppSpec, AppStatus> = from_value(v)?;
        let mut a = Application {
            meta: o.metadata.unwrap_or_default().into_meta(),
            ..Default::default()
        };
        if let Some(s) = o.spec {
            a.project = s.project;
            a.sources = s
                .source
                .into_iter()
                .chain(s.sources.unwrap_or_default())
                .map(|r| AppSource {
                    repo_url: r.repo_url.unwrap_or_default(),
                    path: r.path.filter(|p| !p.is_empty()),
                    chart: r.chart.filter(|c| !c.is_empty()),
                    target_revision: r.target_revision.filter(|t| !t.is_empty()),
                })
                .collect();
            if let Some(d) = s.destination {
                a.destination = d.name.filter(|n| !n.is_empty()).or(d.server);
                a.destination_namespace = d.namespace;
            }
            if let Some(auto) = s.sync_policy.and_then(|p| p.automated) {
                a.auto_sync = auto.enabled != Some(false);
                a.prune = auto.prune.unwrap_or(false);
                a.self_heal = auto.self_heal.unwrap_or(false);
            }
        }
        let Some(st) = o.status else { return Ok(a) };
        if let Some(sync) = st.sync {
            a.sync = sync.status;
            // Multi-source apps list one revision per source (a chart version for a chart):
            // take the one of the first source that is a path in a repo.
            let first_path = a.sources.iter().position(|s| s.path.is_some()).unwrap_or(0);
            a.revision = sync.revision.filter(|r| !r.is_empty()).or_else(|| {
                let revs = sync.revisions.unwrap_or_default();
                revs.get(first_path).or(revs.first()).cloned()
            });
        }
        if let Some(h) = st.health {
            a.health = h.status;
            a.health_since = time(&h.last_transition_time);
        }
        if let Some(op) = st.operation_state {
            a.op_phase = op.phase;
            a.op_message = op.message.filter(|m| !m.is_empty());
            a.op_finished = time(&op.finished_at);
            a.op_revision = op.sync_result.and_then(|r| {
                r.revision
                    .filter(|r| !r.is_empty())
                    .or_else(|| r.revisions.and_then(|r| r.into_iter().next()))
            });
        }
        a.conditions = st
            .conditions
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.type_.unwrap_or_default(), c.message.unwrap_or_default()))
            .collect();
        let resources = st.resources.unwrap_or_default();
        a.resource_count = resources.len();
        a.problems = resources
            .into_iter()
            .filter_map(|r| {
                let health = r.health.as_ref().and_then(|h| h.status.clone());
                let bad_sync = r.status.as_deref().is_some_and(|s| s != "Synced");
                let bad_health = health
                    .as_deref()
                    .is_some_and(|h| !matches!(h, "Healthy" | "Suspended"));
                (bad_sync || bad_health).then(|| AppResource {
                    kind: r.kind.unwrap_or_default(),
                    namespace: r.namespace.filter(|n| !n.is_empty()),
                    name: r.name.unwrap_or_default(),
                    sync: r.status,
                    health,
                    message: r.health.and_then(|h| h.message).filter(|m| !m.is_empty()),
                })
            })
            .collect();
        a.reconciled = time(&st.reconciled_at);
        Ok(a)
    }
}

// --- ApplicationSet

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApplicationSet {
    pub meta: Meta,
    pub conditions: Vec<Condition>,
    /// Generated Applications (`status.resources[].name`).
    pub applications: Vec<String>,
}

impl ApplicationSet {
    /// The message of a True `ErrorOccurred` condition.
    pub fn error(&self) -> Option<&str> {
        condition(&self.conditions, "ErrorOccurred")
            .filter(|c| c.status == CondStatus::True)
            .map(|c| c.message.as_str())
    }
}

#[derive(Deserialize)]
struct AppSetStatus {
    conditions: Option<Vec<RawCondition>>,
    resources: Option<Vec<NamedResource>>,
}

#[derive(Deserialize)]
struct NamedResource {
    name: Option<String>,
}

impl ApplicationSet {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<ApplicationSet, ParseError> {
        let o: Object<Value, AppSetStatus> = from_value(v)?;
        let mut s = ApplicationSet {
            meta: o.metadata.unwrap_or_default().into_meta(),
            ..Default::default()
        };
        if let Some(st) = o.status {
            s.conditions = conditions(st.conditions);
            s.applications = st
                .resources
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| r.name)
                .collect();
        }
        Ok(s)
    }
}

// --- Crossplane

/// A Crossplane Provider, managed resource or composite: what matters is in its conditions
/// (`Installed`/`Healthy` for packages, `Ready`/`Synced` for resources).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CrossplaneObject {
    pub meta: Meta,
    /// The kind's key: `Provider`, `Bucket`, `SiteBucket`, `User.minio.crossplane.io`, …
    pub kind: &'static str,
    /// Provider `spec.package`.
    pub package: Option<String>,
    pub conditions: Vec<Condition>,
}

impl CrossplaneObject {
    /// The conditions that say whether it works, by kind.
    pub fn health_conditions(&self) -> [&'static str; 2] {
        if self.kind == "Provider" {
            ["Installed", "Healthy"]
        } else {
            ["Ready", "Synced"]
        }
    }
    /// The first of its health conditions that is not True (absent counts as Unknown).
    pub fn problem(&self) -> Option<(&'static str, Option<&Condition>)> {
        self.health_conditions().into_iter().find_map(|t| {
            let c = condition(&self.conditions, t);
            (c.map(|c| c.status) != Some(CondStatus::True)).then_some((t, c))
        })
    }
}

#[derive(Deserialize)]
struct PackageSpec {
    package: Option<String>,
}

#[derive(Deserialize)]
struct CondStatusOnly {
    conditions: Option<Vec<RawCondition>>,
}

impl CrossplaneObject {
    pub fn parse<'a>(
        kind: &'static str,
        v: impl Into<Json<'a>>,
    ) -> Result<CrossplaneObject, ParseError> {
        let o: Object<Value, CondStatusOnly> = from_value(v)?;
        let package = match (kind, o.spec) {
            ("Provider", Some(spec)) => {
                PackageSpec::deserialize(&spec)
                    .map_err(|e| ParseError {
                        path: "spec.package".into(),
                        message: e.to_string(),
                    })?
                    .package
            }
            _ => None,
        };
        Ok(CrossplaneObject {
            meta: o.metadata.unwrap_or_default().into_meta(),
            kind,
            package,
            conditions: conditions(o.status.and_then(|s| s.conditions)),
        })
    }
}

// --- SealedSecret

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SealedSecret {
    pub meta: Meta,
    /// Key names of `spec.encryptedData` (never the values).
    pub keys: Vec<String>,
    /// The `Synced` condition: `None` while the controller has not written status.
    pub synced: Option<CondStatus>,
    /// Its message: the controller's error when not synced.
    pub message: Option<String>,
    pub since: Option<Time>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SealedSpec {
    encrypted_data: Option<serde_json::Map<String, Value>>,
}

impl SealedSecret {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<SealedSecret, ParseError> {
        let o: Object<SealedSpec, CondStatusOnly> = from_value(v)?;
        let conds = conditions(o.status.and_then(|s| s.conditions));
        let synced = condition(&conds, "Synced");
        Ok(SealedSecret {
            meta: o.metadata.unwrap_or_default().into_meta(),
            // Keys only: the map's values are dropped here, unread beyond parsing.
            keys: o
                .spec
                .and_then(|s| s.encrypted_data)
                .map(|m| m.into_iter().map(|(k, _)| k).collect())
                .unwrap_or_default(),
            synced: synced.map(|c| c.status),
            message: synced.map(|c| c.message.clone()).filter(|m| !m.is_empty()),
            since: synced.and_then(|c| c.since),
        })
    }
}

// --- Klum

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KlumUser {
    pub meta: Meta,
    pub enabled: bool,
    /// `spec.clusterRoles` plus `roles[]` as `namespace:role`.
    pub roles: Vec<String>,
    /// The `Ready` condition.
    pub ready: CondStatus,
    pub message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserSpec {
    enabled: Option<bool>,
    cluster_roles: Option<Vec<String>>,
    roles: Option<Vec<UserRole>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserRole {
    namespace: Option<String>,
    cluster_role: Option<String>,
    role: Option<String>,
}

impl KlumUser {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<KlumUser, ParseError> {
        let o: Object<UserSpec, CondStatusOnly> = from_value(v)?;
        let mut u = KlumUser {
            meta: o.metadata.unwrap_or_default().into_meta(),
            enabled: true,
            ..Default::default()
        };
        if let Some(s) = o.spec {
            u.enabled = s.enabled.unwrap_or(true);
            u.roles = s.cluster_roles.unwrap_or_default();
            for r in s.roles.unwrap_or_default() {
                let role = r.cluster_role.or(r.role).unwrap_or_default();
                u.roles.push(match r.namespace {
                    Some(ns) => format!("{ns}:{role}"),
                    None => role,
                });
            }
        }
        let conds = conditions(o.status.and_then(|s| s.conditions));
        if let Some(c) = condition(&conds, "Ready") {
            u.ready = c.status;
            u.message = Some(c.message.clone())
                .filter(|m| !m.is_empty())
                .or_else(|| Some(c.reason.clone()).filter(|r| !r.is_empty()));
        }
        Ok(u)
    }
}

/// A Klum Kubeconfig: which servers and contexts it grants. The token is never read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KlumKubeconfig {
    pub meta: Meta,
    pub servers: Vec<String>,
    pub current_context: Option<String>,
}

#[derive(Deserialize)]
struct KubeconfigSpec {
    clusters: Option<Vec<NamedCluster>>,
    #[serde(rename = "current-context")]
    current_context: Option<String>,
}

#[derive(Deserialize)]
struct NamedCluster {
    cluster: Option<ClusterServer>,
}

#[derive(Deserialize)]
struct ClusterServer {
    server: Option<String>,
}

impl KlumKubeconfig {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<KlumKubeconfig, ParseError> {
        let o: Object<KubeconfigSpec, Value> = from_value(v)?;
        let mut k = KlumKubeconfig {
            meta: o.metadata.unwrap_or_default().into_meta(),
            ..Default::default()
        };
        if let Some(s) = o.spec {
            k.servers = s
                .clusters
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| c.cluster.and_then(|c| c.server))
                .collect();
            k.current_context = s.current_context;
        }
        Ok(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> Value {
        crate::repo::yaml_serde::from_str(s).unwrap()
    }

    #[test]
    fn application_sync_health_and_problems() {
        let a = Application::parse(&yaml(
            r#"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: edge-berlin-historian, namespace: argocd}
spec:
  project: apps
  source: {repoURL: "https://git.example/blast.git", path: apps/edge-berlin/historian, targetRevision: main}
  destination: {name: edge-berlin, namespace: historian}
  syncPolicy: {automated: {prune: true, selfHeal: true}}
status:
  sync: {status: Synced, revision: 0123456789abcdef0123456789abcdef01234567}
  health: {status: Degraded, lastTransitionTime: "2026-09-21T11:00:00Z"}
  operationState: {phase: Succeeded, message: successfully synced, finishedAt: "2026-09-21T10:00:00Z", syncResult: {revision: 0123456789abcdef0123456789abcdef01234567}}
  conditions: [{type: SyncError, message: "one or more objects failed"}, {type: OrphanedResourceWarning, message: x}]
  resources:
  - {kind: StatefulSet, namespace: historian, name: historian, status: Synced, health: {status: Degraded, message: "Back-off restarting failed container"}}
  - {kind: Service, namespace: historian, name: historian, status: Synced, health: {status: Healthy}}
  - {kind: ConfigMap, namespace: historian, name: cfg, status: OutOfSync}
"#,
        ))
        .unwrap();
        assert!(a.auto_sync && a.prune && a.self_heal);
        assert_eq!(
            a.paths().collect::<Vec<_>>(),
            ["apps/edge-berlin/historian"]
        );
        assert_eq!(a.short_revision().as_deref(), Some("0123456"));
        assert_eq!(a.destination.as_deref(), Some("edge-berlin"));
        assert_eq!(a.problems.len(), 2);
        assert_eq!(
            a.problems[0].message.as_deref(),
            Some("Back-off restarting failed container")
        );
        assert_eq!(a.resource_count, 3);
        assert_eq!(a.errors().count(), 1);
        // Multi-source with `enabled: false` automation.
        let m = Application::parse(&yaml(
            "metadata: {name: m}\nspec: {sources: [{repoURL: r, chart: argo-cd, targetRevision: 10.1.1}, {repoURL: r2, path: infrastructure/argocd}], syncPolicy: {automated: {enabled: false}}}\nstatus: {sync: {status: OutOfSync, revisions: [10.1.1, abc]}}\n",
        ))
        .unwrap();
        assert!(!m.auto_sync);
        assert_eq!(m.paths().collect::<Vec<_>>(), ["infrastructure/argocd"]);
        assert_eq!(
            m.revision.as_deref(),
            Some("abc"),
            "the path source's revision"
        );
    }

    #[test]
    fn tolerant_of_missing_status() {
        for v in [
            "metadata: {name: x}\n",
            "metadata: {name: x}\nspec: {}\nstatus: {}\n",
        ] {
            let v = yaml(v);
            Application::parse(&v).unwrap();
            ApplicationSet::parse(&v).unwrap();
            SealedSecret::parse(&v).unwrap();
            KlumUser::parse(&v).unwrap();
            KlumKubeconfig::parse(&v).unwrap();
            let p = CrossplaneObject::parse("Provider", &v).unwrap();
            assert_eq!(p.problem().map(|p| p.0), Some("Installed"));
        }
        let bad = yaml("metadata: {name: x}\nstatus: {sync: {status: 5}}\n");
        assert_eq!(
            Application::parse(&bad).unwrap_err().path,
            "status.sync.status"
        );
    }

    #[test]
    fn secrets_stay_out() {
        let s = SealedSecret::parse(&yaml(
            r#"
metadata: {name: repo, namespace: argocd}
spec: {encryptedData: {sshPrivateKey: AgBy3i4OJSWK+PiTySYZZA}, template: {data: {x: plain}}}
status: {conditions: [{type: Synced, status: "False", message: "no key could decrypt secret (sshPrivateKey)", lastUpdateTime: "2026-09-21T11:00:00Z"}]}
"#,
        ))
        .unwrap();
        assert_eq!(s.keys, ["sshPrivateKey"]);
        assert_eq!(s.synced, Some(CondStatus::False));
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("AgBy3i4") && !dbg.contains("plain"));
        let k = KlumKubeconfig::parse(&yaml(
            "metadata: {name: ops}\nspec: {clusters: [{name: c, cluster: {server: \"https://10.40.0.10:6443\", certificate-authority-data: Q0E=}}], users: [{name: ops, user: {token: s3cr3t}}], current-context: ops}\n",
        ))
        .unwrap();
        assert_eq!(k.servers, ["https://10.40.0.10:6443"]);
        assert!(!format!("{k:?}").contains("s3cr3t"));
        let u = KlumUser::parse(&yaml(
            "metadata: {name: ops}\nspec: {enabled: false, clusterRoles: [view], roles: [{namespace: apps, role: edit}]}\nstatus: {conditions: [{type: Ready, status: \"False\", reason: Disabled, lastUpdateTime: x}]}\n",
        ))
        .unwrap();
        assert_eq!(u.roles, ["view", "apps:edit"]);
        assert_eq!((u.enabled, u.ready), (false, CondStatus::False));
        assert_eq!(u.message.as_deref(), Some("Disabled"));
    }

    #[test]
    fn crossplane_conditions() {
        let b = CrossplaneObject::parse(
            "Bucket",
            &yaml("metadata: {name: k10-edge-berlin}\nstatus: {conditions: [{type: Ready, status: \"True\", reason: Available}, {type: Synced, status: \"False\", reason: ReconcileError, message: \"connection refused\"}]}\n"),
        )
        .unwrap();
        let (t, c) = b.problem().unwrap();
        assert_eq!(
            (t, c.unwrap().message.as_str()),
            ("Synced", "connection refused")
        );
    }
}
