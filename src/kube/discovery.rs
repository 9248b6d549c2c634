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
//! Only the groups a view's kinds need are read, each once: the core group from `/api/v1`
//! alone (the Nodes view waits for nothing else), every other group from one `/apis` answer
//! shared by all groups (aggregated discovery, `apidiscovery.k8s.io/v2`, where the server
//! serves it: every group's resources in one request; else the group list, which gives the
//! versions, so only the known versions' documents are asked; where `/apis` cannot be read,
//! `/apis/{group}` as before).
//!
//! Documents are cached per cluster (one [`Discovery`] per client) and group; a group that
//! fails to answer fails only the kinds of that group. [`Discovery::forget`] drops a group so
//! that the next lookup asks again (a watched resource answered 404: its CRD was upgraded,
//! deleted or re-created).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroup, APIResource, APIResourceList};
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
    /// `/apis`, asked for once for every group (aggregated where the server serves it).
    apis: Mutex<Option<ApisEntry>>,
    /// How long a failed group answer is kept before the next lookup asks again.
    failure_ttl: Duration,
}

impl Discovery {
    pub fn new(client: Client) -> Arc<Discovery> {
        Arc::new(Discovery {
            client,
            groups: Mutex::new(HashMap::new()),
            apis: Mutex::new(None),
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
            .get_or_init(|| self.fetch_group(kind.group, kind.versions))
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
        drop(groups);
        // The group is read again from a fresh `/apis`, not from the one that was current then.
        let mut apis = self.apis.lock().unwrap_or_else(|e| e.into_inner());
        if apis.as_ref().is_some_and(|e| e.fetched <= before) {
            *apis = None;
        }
    }

    /// `/apis` as fetched once for all groups; `None` if it could not be read (each group is
    /// then asked on its own, as before).
    async fn apis(&self) -> Option<Arc<Apis>> {
        let cell = {
            let mut apis = self.apis.lock().unwrap_or_else(|e| e.into_inner());
            let expired = apis.as_ref().is_some_and(|e| {
                matches!(e.cell.get(), Some(None)) && e.fetched.elapsed() >= self.failure_ttl
            });
            if expired {
                *apis = None;
            }
            apis.get_or_insert_with(|| ApisEntry {
                fetched: Instant::now(),
                cell: Arc::new(OnceCell::new()),
            })
            .cell
            .clone()
        };
        cell.get_or_init(|| fetch_apis(&self.client)).await.clone()
    }

    /// A group's documents. The core group is one document (`/api/v1`), asked for alone: a view
    /// of core kinds (Nodes) waits for no other group. Another group is read from `/apis`:
    /// whole from the aggregated document where the server serves it (Kubernetes 1.30 and
    /// later: one request for every group), else its versions from the group list and then
    /// the resource lists of the versions the console knows; where `/apis` cannot be read,
    /// from `/apis/{group}` as before.
    async fn fetch_group(&self, group: &str, known: &[&str]) -> GroupAnswer {
        if group.is_empty() {
            return fetch_versions(&self.client, group, &["v1".to_string()], known).await;
        }
        match self.apis().await.as_deref() {
            Some(Apis::Aggregated(groups)) => match groups.get(group) {
                None => Ok(None),
                Some(doc) => match doc.complete(group, known) {
                    Some(doc) => Ok(Some(Arc::new(doc))),
                    // A version the console knows is stale (its aggregated API server did not
                    // answer the last refresh): ask that group's documents themselves.
                    None => fetch_versions(&self.client, group, &doc.versions(), known).await,
                },
            },
            Some(Apis::Plain(groups)) => match groups.get(group) {
                None => Ok(None),
                Some(versions) => fetch_versions(&self.client, group, versions, known).await,
            },
            None => fetch_group(&self.client, group, known).await,
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

/// A group on its own: `/apis/{group}`, then its versions' documents.
async fn fetch_group(client: &Client, group: &str, known: &[&str]) -> GroupAnswer {
    let versions: Vec<String> = match get::<APIGroup>(client, &format!("/apis/{group}")).await? {
        None => return Ok(None),
        Some(g) => g.versions.into_iter().map(|v| v.version).collect(),
    };
    fetch_versions(client, group, &versions, known).await
}

/// The resource lists of a group's `versions` that the console knows.
async fn fetch_versions(
    client: &Client,
    group: &str,
    versions: &[String],
    known: &[&str],
) -> GroupAnswer {
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

struct ApisEntry {
    fetched: Instant,
    cell: Arc<OnceCell<Option<Arc<Apis>>>>,
}

/// `/apis` as the server answered it.
#[derive(Debug)]
enum Apis {
    /// `APIGroupDiscoveryList`: every group with its versions' resources.
    Aggregated(HashMap<String, AggregatedGroup>),
    /// `APIGroupList` (a server without aggregated discovery, before Kubernetes 1.30): every
    /// group's versions.
    Plain(HashMap<String, Vec<String>>),
}

/// The media type of aggregated discovery, then the plain one: a server that does not serve
/// the first answers the second (as kubectl asks).
const APIS_ACCEPT: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

async fn fetch_apis(client: &Client) -> Option<Arc<Apis>> {
    let req = http::Request::get("/apis")
        .header(http::header::ACCEPT, APIS_ACCEPT)
        .body(Vec::new())
        .ok()?;
    let text = match client.request_text(req).await {
        Ok(t) => t,
        Err(e) => {
            tracing::debug!(error = %super::watch::short_error(&e), "/apis not read; each group is asked on its own");
            return None;
        }
    };
    parse_apis(&text)
}

fn parse_apis(text: &str) -> Option<Arc<Apis>> {
    #[derive(serde::Deserialize)]
    struct Kind {
        kind: Option<String>,
    }
    let kind = serde_json::from_str::<Kind>(text).ok()?.kind;
    let apis = match kind.as_deref() {
        Some("APIGroupDiscoveryList") => {
            let list: AggregatedList = serde_json::from_str(text).ok()?;
            Apis::Aggregated(
                list.items
                    .into_iter()
                    .map(|g| (g.metadata.name.clone().unwrap_or_default(), g))
                    .collect(),
            )
        }
        Some("APIGroupList") => {
            let list: k8s_openapi::apimachinery::pkg::apis::meta::v1::APIGroupList =
                serde_json::from_str(text).ok()?;
            Apis::Plain(
                list.groups
                    .into_iter()
                    .map(|g| (g.name, g.versions.into_iter().map(|v| v.version).collect()))
                    .collect(),
            )
        }
        _ => return None,
    };
    Some(Arc::new(apis))
}

/// `apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`, as far as the console reads it.
#[derive(Debug, serde::Deserialize)]
struct AggregatedList {
    #[serde(default)]
    items: Vec<AggregatedGroup>,
}

#[derive(Debug, serde::Deserialize)]
struct AggregatedGroup {
    #[serde(default)]
    metadata: AggregatedMeta,
    #[serde(default)]
    versions: Vec<AggregatedVersion>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct AggregatedMeta {
    name: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct AggregatedVersion {
    version: String,
    #[serde(default)]
    resources: Vec<AggregatedResource>,
    /// `Current`, or `Stale` when an aggregated API server did not answer the last refresh.
    freshness: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct AggregatedResource {
    resource: String,
    response_kind: Option<AggregatedKind>,
    scope: Option<String>,
    #[serde(default)]
    verbs: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
struct AggregatedKind {
    kind: Option<String>,
}

impl AggregatedGroup {
    fn versions(&self) -> Vec<String> {
        self.versions.iter().map(|v| v.version.clone()).collect()
    }

    /// The group's documents for the versions the console knows, or `None` if one of them is
    /// stale.
    fn complete(&self, group: &str, known: &[&str]) -> Option<GroupDoc> {
        let mut resources = HashMap::new();
        for v in self
            .versions
            .iter()
            .filter(|v| known.contains(&v.version.as_str()))
        {
            if v.freshness.as_deref().is_some_and(|f| f != "Current") {
                return None;
            }
            let list = APIResourceList {
                group_version: format!("{group}/{}", v.version),
                resources: v
                    .resources
                    .iter()
                    .map(|r| APIResource {
                        name: r.resource.clone(),
                        kind: r
                            .response_kind
                            .as_ref()
                            .and_then(|k| k.kind.clone())
                            .unwrap_or_default(),
                        namespaced: r.scope.as_deref() == Some("Namespaced"),
                        verbs: r.verbs.clone(),
                        ..Default::default()
                    })
                    .collect(),
            };
            resources.insert(v.version.clone(), Some(list));
        }
        Some(GroupDoc { resources })
    }
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

    fn aggregated() -> serde_json::Value {
        let res = |name: &str, kind: &str| {
            json!({"resource": name, "responseKind": {"group": "", "version": "", "kind": kind},
                "scope": "Namespaced", "singularResource": "", "verbs": ["get", "list", "watch"],
                "subresources": [{"subresource": "status", "verbs": ["get"]}]})
        };
        json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {},
        "items": [
            {"metadata": {"name": "cluster.x-k8s.io"}, "versions": [
                {"version": "v1beta2", "resources": [res("machines", "Machine")], "freshness": "Current"},
                {"version": "v1beta1", "resources": [res("clusters", "Cluster"), res("machines", "Machine")], "freshness": "Current"}]},
            {"metadata": {"name": "kio.kasten.io"}, "versions": [
                {"version": "v1alpha1", "resources": [res("policies", "Policy")], "freshness": "Stale"}]},
        ]})
    }

    /// One answer to `/apis` gives every group's resources, resolved per kind as before; a
    /// group missing from it is not installed; a stale version is asked on its own.
    #[test]
    fn the_aggregated_document_resolves_each_kind() {
        let Some(apis) = parse_apis(&aggregated().to_string()) else {
            panic!("aggregated discovery read")
        };
        let Apis::Aggregated(groups) = &*apis else {
            panic!("{apis:?}")
        };
        let capi = groups["cluster.x-k8s.io"]
            .complete("cluster.x-k8s.io", kinds::CLUSTER.versions)
            .unwrap();
        let version = |k: &KindInfo| match pick(k, &capi) {
            Resolution::Served(s) => (s.version, s.plural, s.namespaced, s.watch),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            version(&kinds::CLUSTER),
            ("v1beta1".into(), "clusters".into(), true, true)
        );
        assert_eq!(version(&kinds::MACHINE).0, "v1beta2");
        assert!(
            groups["kio.kasten.io"]
                .complete("kio.kasten.io", kinds::K10_POLICY.versions)
                .is_none()
        );
        assert!(!groups.contains_key("metal.sidero.dev"));
        // The plain group list (a server without aggregated discovery) gives the versions.
        let plain = json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": "metal.sidero.dev", "versions": [{"groupVersion": "metal.sidero.dev/v1alpha2", "version": "v1alpha2"}]}]});
        let Some(apis) = parse_apis(&plain.to_string()) else {
            panic!()
        };
        assert!(matches!(&*apis, Apis::Plain(g) if g["metal.sidero.dev"] == ["v1alpha2"]));
        assert!(parse_apis("{\"kind\": \"Status\"}").is_none());
    }

    /// A server answering each path after a delay, recording the paths asked.
    async fn serve(
        answers: Vec<(&'static str, Duration, String)>,
    ) -> (String, Arc<Mutex<Vec<String>>>) {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let asked = Arc::new(Mutex::new(vec![]));
        let log = asked.clone();
        let answers = Arc::new(answers);
        tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    return;
                };
                let (log, answers) = (log.clone(), answers.clone());
                tokio::spawn(async move {
                    let Some(head) = crate::kube::test_support::read_head(&mut conn).await else {
                        return;
                    };
                    let path = head.path;
                    log.lock().unwrap().push(path.clone());
                    let (status, body) = match answers.iter().find(|(p, _, _)| *p == path) {
                        Some((_, delay, body)) => {
                            tokio::time::sleep(*delay).await;
                            ("200 OK", body.clone())
                        }
                        None => ("404 Not Found", json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404, "reason": "NotFound", "message": "not found"}).to_string()),
                    };
                    let _ = conn.write_all(format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).await;
                });
            }
        });
        (format!("http://{addr}"), asked)
    }

    fn client(url: &str) -> Client {
        let mut config = kube::Config::new(url.parse().unwrap());
        config.root_cert = Some(Vec::new());
        Client::try_from(config).unwrap()
    }

    /// The Nodes view needs only the core group: Node resolves from `/api/v1` while `/apis`
    /// (every other group) has not answered yet; the groups then come from that one answer,
    /// without a request per group.
    #[tokio::test]
    async fn core_kinds_wait_for_no_other_group_and_groups_take_one_request() {
        let core = list(
            "v1",
            json!([{"name": "nodes", "singularName": "node", "namespaced": false, "kind": "Node", "verbs": ["list", "watch"]}]),
        );
        let (url, asked) = serve(vec![
            ("/api/v1", Duration::ZERO, core.to_string()),
            ("/apis", Duration::from_secs(3), aggregated().to_string()),
        ])
        .await;
        let d = Discovery::new(client(&url));
        let slow = {
            let d = d.clone();
            tokio::spawn(async move { d.resolve(&kinds::CLUSTER).await })
        };
        let node = tokio::time::timeout(Duration::from_secs(2), d.resolve(&kinds::NODE))
            .await
            .expect("Node resolved before /apis answered");
        assert!(matches!(node, Resolution::Served(Served { ref plural, .. }) if plural == "nodes"));
        let cluster = slow.await.unwrap();
        assert!(
            matches!(cluster, Resolution::Served(Served { ref version, .. }) if version == "v1beta1")
        );
        assert!(
            matches!(d.resolve(&kinds::MACHINE).await, Resolution::Served(Served { ref version, .. }) if version == "v1beta2")
        );
        assert_eq!(d.resolve(&kinds::SERVER).await, Resolution::NotInstalled);
        let mut paths = asked.lock().unwrap().clone();
        paths.sort();
        assert_eq!(paths, ["/api/v1", "/apis"]);
    }

    /// A server without aggregated discovery: the group list gives the versions, so a group
    /// costs its versions' documents and no `/apis/{group}`; after a change (forget), `/apis`
    /// is asked again.
    #[tokio::test]
    async fn without_aggregated_discovery_the_group_list_gives_the_versions() {
        let plain = json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": "metal.sidero.dev", "versions": [{"groupVersion": "metal.sidero.dev/v1alpha2", "version": "v1alpha2"}]}]});
        let servers = list(
            "metal.sidero.dev/v1alpha2",
            json!([res("servers", "Server", &["get", "list", "watch"])]),
        );
        let (url, asked) = serve(vec![
            ("/apis", Duration::ZERO, plain.to_string()),
            (
                "/apis/metal.sidero.dev/v1alpha2",
                Duration::ZERO,
                servers.to_string(),
            ),
        ])
        .await;
        let d = Discovery::new(client(&url));
        assert!(
            matches!(d.resolve(&kinds::SERVER).await, Resolution::Served(Served { ref version, .. }) if version == "v1alpha2")
        );
        assert_eq!(d.resolve(&kinds::CLUSTER).await, Resolution::NotInstalled);
        assert_eq!(
            *asked.lock().unwrap(),
            ["/apis", "/apis/metal.sidero.dev/v1alpha2"]
        );
        d.forget_older_than("metal.sidero.dev", Instant::now());
        d.resolve(&kinds::SERVER).await;
        assert_eq!(
            asked.lock().unwrap().len(),
            4,
            "{:?}",
            asked.lock().unwrap()
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
