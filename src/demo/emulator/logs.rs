//! `GET …/namespaces/{ns}/pods/{name}/log`: a Pod container's log, as the API server proxies it
//! from the kubelet. The lines are the Pod's `demo.blast.io/log` annotation (its first
//! container's; `demo.blast.io/previous-log` for `previous=true`), else a few generated ones.
//! `tailLines` keeps the last N, `follow=true` keeps the response open and adds a line every
//! [`FOLLOW_INTERVAL`] until the client goes. A Pod on a node that is not Ready answers as a
//! real API server does when it cannot reach that kubelet: a 500 naming the node.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::Value;

use super::Shared;
use super::http::{Body, status_response};
use super::store::Cluster;
use crate::model::kinds;

/// The annotation with a Pod's (first container's) log lines in the demo world.
pub const LOG_ANNOTATION: &str = "demo.blast.io/log";
/// The annotation with the log of the container before its last restart.
pub const PREVIOUS_LOG_ANNOTATION: &str = "demo.blast.io/previous-log";
/// How often a followed log gets a new line.
pub const FOLLOW_INTERVAL: Duration = Duration::from_millis(1000);

pub(crate) fn pod_log(
    shared: &Arc<Shared>,
    cluster: &Cluster,
    namespace: &str,
    name: &str,
    query: &HashMap<String, String>,
) -> Response<Body> {
    let bad = |m: &str| status_response(shared, StatusCode::BAD_REQUEST, "BadRequest", m);
    let Some(kind) = kinds::ALL.iter().position(|k| *k == kinds::POD) else {
        return bad("pods are not served");
    };
    let Some(pod) = cluster.get(kind, &(namespace.to_string(), name.to_string())) else {
        return status_response(
            shared,
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("pods \"{name}\" not found"),
        );
    };
    let pod = pod.value;
    let containers: Vec<String> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(
            pod["spec"]["initContainers"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    let param = |k: &str| query.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let container = match param("container") {
        Some(c) if containers.iter().any(|x| x == c) => c.to_string(),
        Some(c) => return bad(&format!("container {c} is not valid for pod {name}")),
        None if containers.len() == 1 => containers[0].clone(),
        None => {
            return bad(&format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                containers.join(" ")
            ));
        }
    };
    let flag = |k: &str| matches!(param(k), Some("true" | "1"));
    let tail = match param("tailLines").map(str::parse::<i64>) {
        None => None,
        Some(Ok(n)) if n >= 0 => Some(n as usize),
        Some(_) => return bad("tailLines must be a non-negative integer"),
    };
    if let Some(node) = pod["spec"]["nodeName"].as_str()
        && !node_ready(cluster, node)
    {
        return status_response(
            shared,
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            &format!(
                "Get \"https://{node}:10250/containerLogs/{namespace}/{name}/{container}\": dial tcp {node}:10250: connect: no route to host"
            ),
        );
    }
    let first = containers.first() == Some(&container);
    let annotation = |key: &str| {
        pod["metadata"]["annotations"][key]
            .as_str()
            .filter(|_| first)
            .map(|s| s.lines().map(str::to_string).collect::<Vec<_>>())
    };
    let mut lines = if flag("previous") {
        match annotation(PREVIOUS_LOG_ANNOTATION) {
            Some(l) => l,
            None => {
                return bad(&format!(
                    "previous terminated container \"{container}\" in pod \"{name}\" not found"
                ));
            }
        }
    } else {
        annotation(LOG_ANNOTATION).unwrap_or_else(|| generated(&pod, &container))
    };
    if let Some(n) = tail {
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    let follow = flag("follow") && !flag("previous");
    let stats = shared.clone();
    let count = move |b: &Bytes| {
        stats
            .stats
            .bytes_sent
            .fetch_add(b.len() as u64, Ordering::Relaxed);
    };
    let head = Bytes::from(text);
    count(&head);
    let body: Body = if follow {
        let pod_name = name.to_string();
        let more = futures::stream::unfold(0u64, move |n| {
            let pod_name = pod_name.clone();
            async move {
                tokio::time::sleep(FOLLOW_INTERVAL).await;
                let line = format!(
                    "{} level=info msg=\"still running\" pod={pod_name} seq={}\n",
                    crate::model::format_time(crate::kube::now()),
                    n + 1
                );
                Some((Bytes::from(line), n + 1))
            }
        });
        let chunks = futures::StreamExt::map(
            futures::StreamExt::chain(futures::stream::iter([head]), more),
            move |b| {
                count(&b);
                Ok::<_, std::convert::Infallible>(Frame::data(b))
            },
        );
        StreamBody::new(chunks).boxed_unsync()
    } else {
        http_body_util::Full::new(head).boxed_unsync()
    };
    let mut response = Response::new(body);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

/// A node whose Ready condition is not True cannot be reached for logs.
fn node_ready(cluster: &Cluster, node: &str) -> bool {
    let Some(kind) = kinds::ALL.iter().position(|k| *k == kinds::NODE) else {
        return true;
    };
    match cluster.get(kind, &(String::new(), node.to_string())) {
        // A node the world does not have (a Pod bound elsewhere): let it be.
        None => true,
        Some(n) => n.value["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == "Ready")
            .is_some_and(|c| c["status"] == "True"),
    }
}

/// A few plausible lines for a container without a scripted log.
fn generated(pod: &Value, container: &str) -> Vec<String> {
    let started = pod["status"]["startTime"]
        .as_str()
        .unwrap_or("2026-09-21T11:00:00Z");
    let image = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == container)
        .and_then(|c| c["image"].as_str())
        .unwrap_or("");
    vec![
        format!("{started} level=info msg=\"starting {container}\" image={image}"),
        format!("{started} level=info msg=\"configuration loaded\""),
        format!("{started} level=info msg=\"listening\" addr=:8080"),
        format!("{started} level=info msg=\"ready\""),
    ]
}
