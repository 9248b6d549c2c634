//! Discovery per resource, as kubectl does it: a kind is looked up in the resource lists of its
//! group's versions (`/api/v1`, `/apis/{group}/{version}`), so its plural and verbs come from
//! the server, and the version watched is the one the console understands best *among those
//! that serve the kind*.
//!
//! A group's versions need not hold the same kinds: several Cluster API providers share
//! `infrastructure.cluster.x-k8s.io` at different versions, and while an upgrade applies CRDs
//! one by one one kind may serve `v1beta2` while another does not yet. Picking the first known
//! version the *group* serves would watch a version that does not serve the kind and report it
//! "not installed".
//!
//! Documents are cached per cluster (one [`Discovery`] per client) and group; a group that
//! fails to answer fails only the kinds of that group. [`Discovery::forget`] drops a group so
//! that the next lookup asks again (a watched resource answered 404: its CRD was upgraded,
//! deleted or re-created).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroup, APIResourceList};
use kube::Client;
use tokio::sync::OnceCell;

use crate::model::kinds::KindInfo;

/// Where and how a kind is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub version: String,
    /// The resource name in URLs, as the server says.
    pub plural: String,
    pub namespaced: bool,
    /// `watch` is among the verbs; otherwise the kind is listed now and then.
    pub watch: bool,
    /// `list` is among the verbs.
    pub list: bool,
}

/// The answer for one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Served(Served),
    /// The group is not served, or none of its versions the console knows serves the kind.
    NotInstalled,
    /// RBAC refused the discovery document.
    Forbidden(String),
    /// The group could not be discovered (network, server error); retried later.
    Failed(String),
}

/// What the server said about one group: per version, its resource list (`None`: that version
/// is listed by the group but its document answered 404, as for a version being removed).
#[derive(Debug)]
struct GroupDoc {
    /// Per version the group serves and the console knows.
    resources: HashMap<String, Option<APIResourceList>>,
}

type GroupAnswer = Result<Option<Arc<GroupDoc>>, GroupError>;

#[derive(Debug, Clone)]
enum GroupError {
    Forbidden(String),
    Failed(String),
}

struct Entry {
    fetched: Instant,
    cell: Arc<OnceCell<GroupAnswer>>,
}

/// Discovery of one cluster, shared by all its watches.
pub struct Discovery {
    client: Client,
    groups: Mutex<HashMap<String, Entry>>,
    /// How long a failed group answer is kept before the next lookup asks again.
    failure_ttl: Duration,
}

impl Discovery {
    pub fn new(client: Client) -> Arc<Discovery> {
        Arc::new(Discovery {
            client,
            groups: Mutex::new(HashMap::new()),
            failure_ttl: Duration::from_secs(2),
        })
    }

    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// Resolves a kind; the group's documents are fetched once and shared by concurrent callers.
    pub async fn resolve(&self, kind: &KindInfo) -> Resolution {
        let cell = self.cell(kind.group);
        let answer = cell
            .get_or_init(|| fetch_group(&self.client, kind.group, kind.versions))
            .await
            .clone();
        match answer {
            Ok(None) => Resolution::NotInstalled,
            Ok(Some(doc)) => pick(kind, &doc),
            Err(GroupError::Forbidden(m)) => Resolution::Forbidden(m),
            Err(GroupError::Failed(m)) => Resolution::Failed(m),
        }
    }

    /// Drops what is known of a group if it was asked for before `before` (so that the kinds of
    /// one group failing together ask the server once, and never keep an answer older than
    /// the failure that made them ask).
    pub fn forget_older_than(&self, group: &str, before: Instant) {
        let mut groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        if groups.get(group).is_some_and(|e| e.fetched <= before) {
            groups.remove(group);
        }
    }

    fn cell(&self, group: &str) -> Arc<OnceCell<GroupAnswer>> {
        let mut groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        // A failure is not kept for long: the next watch retry asks again.
        let expired = groups.get(group).is_some_and(|e| {
            matches!(e.cell.get(), Some(Err(_))) && e.fetched.elapsed() >= self.failure_ttl
        });
        if expired {
            groups.remove(group);
        }
        groups
            .entry(group.to_string())
            .or_insert_with(|| Entry {
                fetched: Instant::now(),
                cell: Arc::new(OnceCell::new()),
            })
            .cell
            .clone()
    }
}

/// The best version serving the kind: the first of the console's versions (best understood
/// first) whose resource list holds the kind.
fn pick(kind: &KindInfo, doc: &GroupDoc) -> Resolution {
    for v in kind.versions {
        let Some(Some(list)) = doc.resources.get(*v) else {
            continue;
        };
        // Subresources (`machines/status`) carry a slash; the kind names the main one.
        let found = list
            .resources
            .iter()
            .find(|r| r.kind == kind.kind && !r.name.contains('/'));
        if let Some(r) = found {
            let has = |verb: &str| r.verbs.iter().any(|v| v == verb);
            return Resolution::Served(Served {
                version: v.to_string(),
                plural: r.name.clone(),
                namespaced: r.namespaced,
                watch: has("watch"),
                list: has("list"),
            });
        }
    }
    Resolution::NotInstalled
}

async fn fetch_group(client: &Client, group: &str, known: &[&str]) -> GroupAnswer {
    let versions: Vec<String> = if group.is_empty() {
        vec!["v1".to_string()]
    } else {
        match get::<APIGroup>(client, &format!("/apis/{group}")).await? {
            None => return Ok(None),
            Some(g) => g.versions.into_iter().map(|v| v.version).collect(),
        }
    };
    // Only the versions the console could use are read, all at once.
    let reads = versions
        .iter()
        .filter(|v| known.contains(&v.as_str()))
        .map(|v| async move {
            let path = if group.is_empty() {
                format!("/api/{v}")
            } else {
                format!("/apis/{group}/{v}")
            };
            (v.clone(), get::<APIResourceList>(client, &path).await)
        });
    let mut resources = HashMap::new();
    for (v, list) in futures::future::join_all(reads).await {
        resources.insert(v, list?);
    }
    Ok(Some(Arc::new(GroupDoc { resources })))
}

/// GET of a discovery document; `None` on 404.
async fn get<T: serde::de::DeserializeOwned>(
    client: &Client,
    path: &str,
) -> Result<Option<T>, GroupError> {
    let req = http::Request::get(path)
        .body(Vec::new())
        .map_err(|e| GroupError::Failed(e.to_string()))?;
    match client.request::<T>(req).await {
        Ok(doc) => Ok(Some(doc)),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(None),
        Err(kube::Error::Api(s)) if s.code == 403 => {
            Err(GroupError::Forbidden(format!("forbidden: {}", s.message)))
        }
        Err(e) => Err(GroupError::Failed(format!(
            "discovery of {path}: {}",
            super::watch::short_error(&e)
        ))),
    }
}

impl GroupDoc {
    #[cfg(test)]
    fn of(lists: &[(&str, serde_json::Value)]) -> GroupDoc {
        GroupDoc {
            resources: lists
                .iter()
                .map(|(v, l)| (v.to_string(), serde_json::from_value(l.clone()).unwrap()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kinds;
    use serde_json::json;

    fn list(gv: &str, resources: serde_json::Value) -> serde_json::Value {
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources})
    }

    fn res(name: &str, kind: &str, verbs: &[&str]) -> serde_json::Value {
        json!({"name": name, "singularName": "", "namespaced": true, "kind": kind, "verbs": verbs})
    }

    #[test]
    fn picks_the_best_version_that_serves_the_kind() {
        // Mid-upgrade: Machine already serves v1beta2, Cluster does not yet.
        let doc = GroupDoc::of(&[
            (
                "v1beta2",
                list(
                    "cluster.x-k8s.io/v1beta2",
                    json!([res("machines", "Machine", &["get", "list", "watch"])]),
                ),
            ),
            (
                "v1beta1",
                list(
                    "cluster.x-k8s.io/v1beta1",
                    json!([
                        res("clusters", "Cluster", &["get", "list", "watch"]),
                        res("clusters/status", "Cluster", &["get"]),
                        res("machines", "Machine", &["get", "list", "watch"]),
                    ]),
                ),
            ),
        ]);
        let version = |k: &KindInfo| match pick(k, &doc) {
            Resolution::Served(s) => s.version,
            other => panic!("{other:?}"),
        };
        assert_eq!(version(&kinds::CLUSTER), "v1beta1");
        assert_eq!(version(&kinds::MACHINE), "v1beta2");
        assert_eq!(pick(&kinds::MACHINE_SET, &doc), Resolution::NotInstalled);
    }

    #[test]
    fn plural_and_verbs_come_from_the_server() {
        let doc = GroupDoc::of(&[(
            "v1alpha1",
            list(
                "actions.kio.kasten.io/v1alpha1",
                json!([res("runactions", "RunAction", &["get", "list"])]),
            ),
        )]);
        let Resolution::Served(s) = pick(&kinds::K10_RUN_ACTION, &doc) else {
            panic!()
        };
        assert_eq!(
            (s.plural.as_str(), s.watch, s.list),
            ("runactions", false, true)
        );
    }

    #[test]
    fn a_version_whose_document_is_gone_is_skipped() {
        let mut doc = GroupDoc::of(&[(
            "v1alpha2",
            list(
                "infrastructure.cluster.x-k8s.io/v1alpha2",
                json!([res("metalmachines", "MetalMachine", &["list", "watch"])]),
            ),
        )]);
        doc.resources.insert("v1alpha3".into(), None);
        assert!(matches!(
            pick(&kinds::METAL_MACHINE, &doc),
            Resolution::Served(Served { ref version, .. }) if version == "v1alpha2"
        ));
    }
}
