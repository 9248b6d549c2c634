//! The HTTP side: accepting connections, routing `/clusters/{name}/…` paths, and answering
//! discovery, lists and gets (watches are in [`super::watch`]).
//!
//! Every answer is `application/json`; errors are `Status` objects as the API server sends them.
//! Only `GET` is served.

use std::collections::HashMap;
use std::convert::Infallible;
use std::ops::Bound;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HOST, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{debug, warn};

use super::Shared;
use super::discovery::{self, Shape};
use super::selector::{FieldSelector, LabelSelector};
use super::store::{Cluster, ObjKey, StoredObject};
use super::watch::{WatchParams, watch_response};
use crate::model::kinds::{self, KindInfo};

pub(crate) type Body = UnsyncBoxBody<Bytes, Infallible>;

/// Accepts connections until `stop` flips (or its sender goes away), then drops the listener
/// and every open connection, watches included.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, shared.clone()));
                }
                Err(e) => {
                    warn!(error = %e, "emulator: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.shutdown().await;
}

/// Resolves once the server is told to stop, or its handle is gone.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |req| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(handle(req, shared).await) }
    });
    // No header-read timeout: hyper would also apply it to idle keep-alive connections and close
    // them after 30 s, which no real API server does and which races with clients reusing them.
    let served = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    if let Err(e) = served {
        debug!(error = %e, "emulator: connection ended with an error");
    }
}

async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Response<Body> {
    let started = Instant::now();
    shared.stats.requests.fetch_add(1, Ordering::Relaxed);
    if let Some(rest) = req.uri().path().strip_prefix("/clair/") {
        let path = format!("/{rest}");
        return clair_response(req, &path, &shared).await;
    }
    let response = respond(&req, &shared).await;
    debug!(
        method = %req.method(),
        path = req.uri().path(),
        query = req.uri().query().unwrap_or(""),
        status = response.status().as_u16(),
        elapsed_us = started.elapsed().as_micros() as u64,
        "emulator request"
    );
    response
}

async fn respond(req: &Request<Incoming>, shared: &Arc<Shared>) -> Response<Body> {
    if let Some(latency) = shared.faults.latency() {
        tokio::time::sleep(latency).await;
    }
    if shared.faults.should_fail_request() {
        return status_response(
            shared,
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "injected fault: every Nth request fails",
        );
    }
    if req.method() != Method::GET {
        let message = format!("the emulator serves GET only, not {}", req.method());
        return status_response(
            shared,
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            &message,
        );
    }
    let path = req.uri().path();
    let not_found = || {
        status_response(
            shared,
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("the server could not find the requested resource ({path})"),
        )
    };
    let Some(segments) = path_segments(path) else {
        return status_response(
            shared,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "the path is not valid UTF-8 once decoded",
        );
    };
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let ["clusters", cluster_name, rest @ ..] = segments.as_slice() else {
        return not_found();
    };
    let cluster_name = *cluster_name;
    let Some(cluster) = shared.store.cluster(cluster_name) else {
        return status_response(
            shared,
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("no virtual cluster named {cluster_name:?}"),
        );
    };
    let route = {
        let shape = shared.shape.read().unwrap_or_else(|e| e.into_inner());
        route(rest, &shape)
    };
    let Some(route) = route else {
        return not_found();
    };
    if let Route::Collection(t) | Route::Object(t) = &route
        && shared.faults.is_forbidden(cluster_name, t.info.plural)
    {
        let (group, plural) = (t.info.group, t.info.plural);
        // As RBAC words it: `nodes` for the core group, `machines.cluster.x-k8s.io` else.
        let resource = if group.is_empty() {
            plural.to_string()
        } else {
            format!("{plural}.{group}")
        };
        let message = format!(
            "{resource} is forbidden: User \"demo\" cannot list resource \"{plural}\" in API group \"{group}\" at the cluster scope"
        );
        let mut details = json!({"kind": plural});
        if !group.is_empty() {
            details["group"] = json!(group);
        }
        let body = status_object(403, "Forbidden", &message, Some(details));
        return json_response(shared, StatusCode::FORBIDDEN, &body);
    }
    let query = match parse_query(req.uri().query().unwrap_or("")) {
        Ok(q) => q,
        Err(e) => return status_response(shared, StatusCode::BAD_REQUEST, "BadRequest", &e),
    };
    let discovery_root = matches!(route, Route::Groups | Route::CoreVersions);
    if accepts(req, discovery::only_aggregated) && !(discovery_root && aggregated(req)) {
        // As the real server: nothing it can serve was asked for.
        return status_response(
            shared,
            StatusCode::NOT_ACCEPTABLE,
            "NotAcceptable",
            "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
        );
    }
    match route {
        Route::Groups | Route::CoreVersions if aggregated(req) => {
            let shape = shared.shape.read().unwrap_or_else(|e| e.into_inner());
            let doc = shape.aggregated(matches!(route, Route::CoreVersions));
            drop(shape);
            let mut response = json_response(shared, StatusCode::OK, &doc);
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static(discovery::AGGREGATED),
            );
            response
        }
        Route::Version => json_response(shared, StatusCode::OK, &discovery::version_info()),
        Route::CoreVersions => {
            let host = req
                .headers()
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1");
            json_response(shared, StatusCode::OK, &discovery::core_api_versions(host))
        }
        Route::Groups => json_response(shared, StatusCode::OK, &groups_document(shared)),
        Route::Group(doc) | Route::Resources(doc) => json_response(shared, StatusCode::OK, &doc),
        Route::Object(target) => get_object(shared, cluster_name, &cluster, &target),
        Route::PodLog(ns, name) => super::logs::pod_log(shared, &cluster, &ns, &name, &query),
        Route::Collection(target) => match CollectionQuery::parse(&query) {
            Err(e) => status_response(shared, StatusCode::BAD_REQUEST, "BadRequest", &e),
            Ok(q) if q.watch && shared.faults.watch_refused(target.info.plural) => status_response(
                shared,
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "the server does not allow this method on the requested resource",
            ),
            Ok(q) if q.watch => {
                watch_response(shared, cluster_name, cluster, target.watch_params(q))
            }
            Ok(q) => list_objects(shared, cluster_name, &cluster, &target, q),
        },
    }
}

/// The decoded, non-empty segments of a path; `None` when a segment is not UTF-8.
/// What the request line of a GET is read into, without a store: the path's route and the
/// collection query (selectors, limit, continue token, watch parameters). For the fuzz driver.
pub(crate) fn read_request_target(path: &str, query: &str) -> Result<bool, String> {
    let segments = path_segments(path).ok_or("path is not UTF-8 once decoded")?;
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let routed = match segments.as_slice() {
        // The kinds table's defaults: what a server with no changed CRDs serves.
        ["clusters", _, rest @ ..] => route(rest, &Shape::default()).is_some(),
        _ => false,
    };
    let q = parse_query(query)?;
    CollectionQuery::parse(&q)?;
    Ok(routed)
}

fn path_segments(path: &str) -> Option<Vec<String>> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode(s, false))
        .collect()
}

/// What a path under `/clusters/{name}` names.
#[derive(Debug)]
enum Route {
    Version,
    CoreVersions,
    Groups,
    Group(Value),
    Resources(Value),
    Collection(Target),
    Object(Target),
    /// `pods/{name}/log`: the namespace and the Pod's name.
    PodLog(String, String),
}

/// A kind under one of its served versions, maybe narrowed to a namespace and a name.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub kind: usize,
    pub info: &'static KindInfo,
    /// `group/version` as requested (lists and bookmarks carry it).
    pub api_version: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

fn route(rest: &[&str], shape: &Shape) -> Option<Route> {
    match rest {
        ["version"] => Some(Route::Version),
        ["api"] => Some(Route::CoreVersions),
        ["api", version] => shape.api_resource_list("", version).map(Route::Resources),
        ["api", "v1", "namespaces", ns, "pods", name, "log"] => {
            Some(Route::PodLog(ns.to_string(), name.to_string()))
        }
        ["api", version, tail @ ..] => resource_route("", version, tail, shape),
        ["apis"] => Some(Route::Groups),
        ["apis", group] => shape.api_group(group).map(Route::Group),
        ["apis", group, version] => shape
            .api_resource_list(group, version)
            .map(Route::Resources),
        ["apis", group, version, tail @ ..] => resource_route(group, version, tail, shape),
        _ => None,
    }
}

/// Whether the request asks for aggregated discovery (its `Accept` header).
fn aggregated(req: &Request<Incoming>) -> bool {
    accepts(req, discovery::wants_aggregated)
}

/// Whether the request's `Accept` header (all of its values, joined) passes `test`.
fn accepts(req: &Request<Incoming>, test: fn(&str) -> bool) -> bool {
    let values: Vec<&str> = req
        .headers()
        .get_all(http::header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    !values.is_empty() && test(&values.join(","))
}

fn groups_document(shared: &Shared) -> Value {
    let shape = shared.shape.read().unwrap_or_else(|e| e.into_inner());
    shape.api_group_list()
}

/// `{plural}`, `{plural}/{name}`, `namespaces/{ns}/{plural}` or `namespaces/{ns}/{plural}/{name}`.
fn resource_route(group: &str, version: &str, tail: &[&str], shape: &Shape) -> Option<Route> {
    let (namespace, plural, name) = match tail {
        [plural] => (None, *plural, None),
        [plural, name] => (None, *plural, Some(*name)),
        ["namespaces", ns, plural] => (Some(*ns), *plural, None),
        ["namespaces", ns, plural, name] => (Some(*ns), *plural, Some(*name)),
        _ => return None,
    };
    let kind = kinds::ALL
        .iter()
        .position(|k| k.group == group && k.plural == plural)?;
    let info = &kinds::ALL[kind];
    let scoped_right = match (namespace, name) {
        (Some(_), _) => info.namespaced,
        (None, Some(_)) => !info.namespaced,
        (None, None) => true,
    };
    if !shape.kind_versions(info).contains(&version) || !scoped_right {
        return None;
    }
    let target = Target {
        kind,
        info,
        api_version: kinds::api_version(group, version),
        namespace: namespace.map(str::to_string),
        name: name.map(str::to_string),
    };
    Some(if name.is_some() {
        Route::Object(target)
    } else {
        Route::Collection(target)
    })
}

/// Query parameters, percent-decoded; the last of repeated keys wins.
fn parse_query(query: &str) -> Result<HashMap<String, String>, String> {
    let mut params = HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(k, true)
            .ok_or_else(|| format!("query parameter {k:?} is not valid UTF-8"))?;
        let value = percent_decode(v, true)
            .ok_or_else(|| format!("value of query parameter {key} is not valid UTF-8"))?;
        params.insert(key, value);
    }
    Ok(params)
}

/// `%XX` escapes (and `+` as a blank in queries); invalid escapes stay as they are.
fn percent_decode(text: &str, plus_is_space: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match (hex_digit(bytes[i + 1]), hex_digit(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn hex_digit(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// The parameters of a collection request.
#[derive(Debug)]
pub(crate) struct CollectionQuery {
    pub labels: LabelSelector,
    pub fields: FieldSelector,
    pub limit: Option<usize>,
    pub continue_from: Option<ContinueToken>,
    pub watch: bool,
    /// `None` for unset or `"0"`: start from the current state.
    pub resource_version: Option<u64>,
    pub bookmarks: bool,
    pub send_initial_events: bool,
    pub timeout: Option<Duration>,
}

impl CollectionQuery {
    fn parse(q: &HashMap<String, String>) -> Result<Self, String> {
        let param = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
        let flag = |k: &str| matches!(param(k), Some("true" | "1"));
        let labels = LabelSelector::parse(param("labelSelector").unwrap_or(""))
            .map_err(|e| format!("unable to parse labelSelector: {e}"))?;
        let fields = FieldSelector::parse(param("fieldSelector").unwrap_or(""))
            .map_err(|e| format!("unable to parse fieldSelector: {e}"))?;
        let limit = match param("limit") {
            None => None,
            Some(l) => match l.parse::<i64>() {
                Ok(n) if n > 0 => Some(n as usize),
                Ok(_) => None,
                Err(_) => return Err(format!("limit {l:?} is not an integer")),
            },
        };
        let continue_from = param("continue").map(ContinueToken::decode).transpose()?;
        let resource_version =
            match param("resourceVersion") {
                None | Some("0") => None,
                Some(rv) => Some(rv.parse::<u64>().map_err(|_| {
                    format!("resourceVersion {rv:?} is not a valid resource version")
                })?),
            };
        let timeout = param("timeoutSeconds")
            .map(|t| {
                t.parse::<u64>()
                    .map(Duration::from_secs)
                    .map_err(|_| format!("timeoutSeconds {t:?} is not a whole number of seconds"))
            })
            .transpose()?;
        Ok(Self {
            labels,
            fields,
            limit,
            continue_from,
            watch: flag("watch"),
            resource_version,
            bookmarks: flag("allowWatchBookmarks"),
            send_initial_events: flag("sendInitialEvents"),
            timeout,
        })
    }
}

impl Target {
    fn watch_params(self, q: CollectionQuery) -> WatchParams {
        WatchParams {
            kind: self.kind,
            api_version: self.api_version,
            namespace: self.namespace,
            labels: q.labels,
            fields: q.fields,
            resource_version: if q.send_initial_events {
                None
            } else {
                q.resource_version
            },
            bookmarks: q.bookmarks,
            initial_events_end: q.send_initial_events,
            timeout: q.timeout.filter(|t| !t.is_zero()),
        }
    }
}

/// Where the next page of a list starts: the resourceVersion of the first page and the last key
/// served. Opaque to clients (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContinueToken {
    pub rv: u64,
    pub after: ObjKey,
}

impl ContinueToken {
    fn encode(&self) -> String {
        let plain = format!("{}\n{}\n{}", self.rv, self.after.0, self.after.1);
        plain.bytes().map(|b| format!("{b:02x}")).collect()
    }

    fn decode(token: &str) -> Result<Self, String> {
        let invalid = || format!("continue key {token:?} is not valid");
        if !token.len().is_multiple_of(2) {
            return Err(invalid());
        }
        let bytes: Vec<u8> = (0..token.len())
            .step_by(2)
            .map(|i| {
                token
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<_>>()
            .ok_or_else(invalid)?;
        let plain = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = plain.splitn(3, '\n');
        let (Some(rv), Some(ns), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(invalid());
        };
        let rv = rv.parse().map_err(|_| invalid())?;
        Ok(Self {
            rv,
            after: (ns.to_string(), name.to_string()),
        })
    }
}

/// One page of a collection.
struct Page {
    rv: u64,
    items: Vec<Bytes>,
    next: Option<ContinueToken>,
    remaining: usize,
}

fn list_objects(
    shared: &Shared,
    cluster_name: &str,
    cluster: &Cluster,
    target: &Target,
    q: CollectionQuery,
) -> Response<Body> {
    let page = {
        let state = cluster.read();
        if let Some(token) = &q.continue_from
            && token.rv < state.compacted_rv()
        {
            let message = "The provided continue parameter is too old to display a consistent list result. \
                           You can start a new list without the continue parameter.";
            return status_response(shared, StatusCode::GONE, "Expired", message);
        }
        let rv = q.continue_from.as_ref().map_or(state.rv(), |t| t.rv);
        let mut matching = scan(
            state.objects(target.kind),
            target.namespace.as_deref(),
            q.continue_from.as_ref().map(|t| &t.after),
        )
        .filter(|(_, o)| q.labels.matches(&o.value) && q.fields.matches(&o.value));
        let served = served_bytes(shared, cluster_name, target.info.plural);
        let mut items = Vec::new();
        let mut last_key = None;
        for (key, object) in matching.by_ref().take(q.limit.unwrap_or(usize::MAX)) {
            items.push(served(key, object));
            last_key = Some(key);
        }
        let remaining = matching.count();
        let next = last_key.filter(|_| remaining > 0).map(|k| ContinueToken {
            rv,
            after: k.clone(),
        });
        Page {
            rv,
            items,
            next,
            remaining,
        }
    };
    let body = list_body(&target.api_version, target.info.kind, &page);
    bytes_response(shared, StatusCode::OK, body)
}

/// Objects of one kind in key order, within a namespace if given, after a key if given.
pub(crate) fn scan<'a>(
    objects: &'a std::collections::BTreeMap<ObjKey, StoredObject>,
    namespace: Option<&'a str>,
    after: Option<&ObjKey>,
) -> impl Iterator<Item = (&'a ObjKey, &'a StoredObject)> + 'a {
    let lower = match (after, namespace) {
        (Some(key), _) => Bound::Excluded(key.clone()),
        (None, Some(ns)) => Bound::Included((ns.to_string(), String::new())),
        (None, None) => Bound::Unbounded,
    };
    objects
        .range((lower, Bound::Unbounded))
        .skip_while(move |((ns, _), _)| namespace.is_some_and(|want| ns.as_str() < want))
        .take_while(move |((ns, _), _)| namespace.is_none_or(|want| ns == want))
}

/// The bytes to serve for an object: as stored, or garbled by the malformed fault.
pub(crate) fn served_bytes<'a>(
    shared: &'a Shared,
    cluster_name: &'a str,
    plural: &'a str,
) -> impl Fn(&ObjKey, &StoredObject) -> Bytes + 'a {
    move |key, object| {
        shared
            .faults
            .malformed_bytes(cluster_name, plural, &key.1, object)
            .unwrap_or_else(|| object.bytes.clone())
    }
}

/// `{"kind":"…List","apiVersion":…,"metadata":{…},"items":[…]}` around pre-serialized items.
fn list_body(api_version: &str, kind: &str, page: &Page) -> Bytes {
    let mut metadata = json!({"resourceVersion": page.rv.to_string()});
    if let Some(next) = &page.next {
        metadata["continue"] = json!(next.encode());
        metadata["remainingItemCount"] = json!(page.remaining);
    }
    let head =
        json!({"kind": format!("{kind}List"), "apiVersion": api_version, "metadata": metadata});
    let head = serde_json::to_vec(&head).expect("a JSON value serializes");
    let items_len: usize = page.items.iter().map(|i| i.len() + 1).sum();
    let mut body = Vec::with_capacity(head.len() + items_len + 16);
    body.extend_from_slice(&head[..head.len() - 1]); // without the closing brace
    body.extend_from_slice(b",\"items\":[");
    for (i, item) in page.items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(item);
    }
    body.extend_from_slice(b"]}");
    Bytes::from(body)
}

fn get_object(
    shared: &Shared,
    cluster_name: &str,
    cluster: &Cluster,
    target: &Target,
) -> Response<Body> {
    let name = target.name.clone().unwrap_or_default();
    let key = (target.namespace.clone().unwrap_or_default(), name.clone());
    match cluster.get(target.kind, &key) {
        Some(object) => bytes_response(
            shared,
            StatusCode::OK,
            served_bytes(shared, cluster_name, target.info.plural)(&key, &object),
        ),
        None => {
            let info = target.info;
            let resource = if info.group.is_empty() {
                info.plural.to_string()
            } else {
                format!("{}.{}", info.plural, info.group)
            };
            let message = format!("{resource} \"{name}\" not found");
            // The real server names no group for the core one.
            let mut details = json!({"name": name, "kind": target.info.plural});
            if !target.info.group.is_empty() {
                details["group"] = json!(target.info.group);
            }
            let body = status_object(404, "NotFound", &message, Some(details));
            json_response(shared, StatusCode::NOT_FOUND, &body)
        }
    }
}

/// A `Status` object as the API server writes it for a failure.
pub(crate) fn status_object(
    code: u16,
    reason: &str,
    message: &str,
    details: Option<Value>,
) -> Value {
    let mut status = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    });
    if let Some(details) = details {
        status["details"] = details;
    }
    status
}

pub(crate) fn status_response(
    shared: &Shared,
    code: StatusCode,
    reason: &str,
    message: &str,
) -> Response<Body> {
    json_response(
        shared,
        code,
        &status_object(code.as_u16(), reason, message, None),
    )
}

/// The demo's Clair (see [`super::clair`]): the body is read up to 1 MiB.
async fn clair_response(req: Request<Incoming>, path: &str, shared: &Shared) -> Response<Body> {
    let method = req.method().to_string();
    let auth = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = match http_body_util::Limited::new(req.into_body(), 1 << 20)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            let e = json!({"code": "bad-request", "message": "body unreadable or over 1 MiB"});
            return json_response(shared, StatusCode::BAD_REQUEST, &e);
        }
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (code, value) = shared
        .clair
        .answer(&method, path, auth.as_deref(), &body, now);
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(shared, code, &value)
}

fn json_response(shared: &Shared, code: StatusCode, body: &Value) -> Response<Body> {
    bytes_response(
        shared,
        code,
        Bytes::from(serde_json::to_vec(body).expect("a JSON value serializes")),
    )
}

fn bytes_response(shared: &Shared, code: StatusCode, body: Bytes) -> Response<Body> {
    shared
        .stats
        .bytes_sent
        .fetch_add(body.len() as u64, Ordering::Relaxed);
    with_json_type(Response::new(Full::new(body).boxed_unsync()), code)
}

pub(crate) fn with_json_type(mut response: Response<Body>, code: StatusCode) -> Response<Body> {
    *response.status_mut() = code;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route_of(path: &str) -> Option<Route> {
        let segments = path_segments(path).unwrap();
        route(
            &segments.iter().map(String::as_str).collect::<Vec<_>>(),
            &Shape::default(),
        )
    }

    fn target_of(path: &str) -> (bool, Target) {
        match route_of(path) {
            Some(Route::Collection(t)) => (true, t),
            Some(Route::Object(t)) => (false, t),
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn routes_collections_and_objects() {
        let (collection, t) = target_of("/api/v1/nodes");
        assert!(collection);
        assert_eq!(
            (t.info.kind, t.namespace, t.api_version.as_str()),
            ("Node", None, "v1")
        );
        let (collection, t) = target_of("/api/v1/nodes/n1");
        assert!(!collection);
        assert_eq!(t.name.as_deref(), Some("n1"));
        let (_, t) = target_of("/api/v1/namespaces/default/events");
        assert_eq!(
            (t.info.kind, t.namespace.as_deref()),
            ("Event", Some("default"))
        );
        let (_, t) = target_of("/api/v1/namespaces/kube-system");
        assert_eq!(
            (t.info.kind, t.name.as_deref()),
            ("Namespace", Some("kube-system"))
        );
        let (_, t) = target_of("/apis/cluster.x-k8s.io/v1beta1/namespaces/ns/machines/m%2D1");
        assert_eq!(
            (t.info.kind, t.api_version.as_str(), t.name.as_deref()),
            ("Machine", "cluster.x-k8s.io/v1beta1", Some("m-1"))
        );
        let (collection, t) = target_of("/apis/metal.sidero.dev/v1alpha2/servers/");
        assert!(collection);
        assert_eq!(t.info.kind, "Server");
    }

    #[test]
    fn rejects_paths_that_do_not_exist() {
        for path in [
            "/apis/cluster.x-k8s.io/v1/machines",
            "/api/v1/events/e1",
            "/api/v1/namespaces/ns/nodes",
            "/apis/nope.io/v1/things",
            "/api/v1/nodes/n1/status",
            "/api/v2",
            "/apis/cluster.x-k8s.io/v1",
            "/apis/nope.io",
            "/healthz",
        ] {
            assert!(route_of(path).is_none(), "{path} should be 404");
        }
        assert!(matches!(route_of("/apis"), Some(Route::Groups)));
        assert!(matches!(route_of("/version"), Some(Route::Version)));
        assert!(matches!(
            route_of("/apis/cluster.x-k8s.io"),
            Some(Route::Group(_))
        ));
    }

    #[test]
    fn query_decoding() {
        let q = parse_query("labelSelector=role+in+%28a%2Cb%29&watch=1&limit=5&x").unwrap();
        assert_eq!(q["labelSelector"], "role in (a,b)");
        assert_eq!(q["x"], "");
        let parsed = CollectionQuery::parse(&q).unwrap();
        assert!(parsed.watch);
        assert_eq!(parsed.limit, Some(5));
        assert_eq!(percent_decode("100%", false).as_deref(), Some("100%"));
        assert_eq!(percent_decode("%4", false).as_deref(), Some("%4"));
        assert!(percent_decode("%ff", false).is_none(), "not UTF-8");
    }

    #[test]
    fn bad_query_values_are_errors() {
        for query in [
            "labelSelector=a+in+(",
            "fieldSelector=nokey",
            "limit=x",
            "continue=zz",
            "resourceVersion=abc",
            "timeoutSeconds=-1",
        ] {
            let q = parse_query(query).unwrap();
            assert!(CollectionQuery::parse(&q).is_err(), "{query}");
        }
        let q = parse_query("resourceVersion=0&limit=0").unwrap();
        let parsed = CollectionQuery::parse(&q).unwrap();
        assert_eq!((parsed.resource_version, parsed.limit), (None, None));
    }

    #[test]
    fn continue_tokens_round_trip() {
        let token = ContinueToken {
            rv: 42,
            after: ("ns".into(), "name-1".into()),
        };
        assert_eq!(ContinueToken::decode(&token.encode()).unwrap(), token);
        assert!(ContinueToken::decode("abc").is_err());
        assert!(ContinueToken::decode("0a0a").is_err());
    }

    #[test]
    fn list_body_is_valid_json() {
        let page = Page {
            rv: 7,
            items: vec![
                Bytes::from_static(b"{\"a\":1}"),
                Bytes::from_static(b"{\"b\":2}"),
            ],
            next: Some(ContinueToken {
                rv: 7,
                after: (String::new(), "b".into()),
            }),
            remaining: 3,
        };
        let v: Value = serde_json::from_slice(&list_body("v1", "Node", &page)).unwrap();
        assert_eq!(v["kind"], "NodeList");
        assert_eq!(v["metadata"]["resourceVersion"], "7");
        assert_eq!(v["metadata"]["remainingItemCount"], 3);
        assert_eq!(v["items"], json!([{"a": 1}, {"b": 2}]));
        let empty = Page {
            rv: 1,
            items: vec![],
            next: None,
            remaining: 0,
        };
        let v: Value = serde_json::from_slice(&list_body("v1", "Node", &empty)).unwrap();
        assert_eq!(v["items"], json!([]));
        assert!(v["metadata"].get("continue").is_none());
    }
}
