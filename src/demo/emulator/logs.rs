//! `GET …/namespaces/{ns}/pods/{name}/log`: a Pod container's log, as the API server proxies it
//! from the kubelet. The lines are the Pod's `demo.blast.io/log` annotation (its first
//! container's; `demo.blast.io/previous-log` for `previous=true`), else a few generated ones.
//! `tailLines` keeps the last N, `follow=true` keeps the response open and adds a line every
//! [`FOLLOW_INTERVAL`] until the client goes, written from the Pod's state at that moment
//! ([`follow_line`]; at most [`MAX_FOLLOW_LINES`]). A Pod on a node that is not Ready answers as a
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
    cluster: &Arc<Cluster>,
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
        // Each new line is written from the Pod as it is then (the scenario moves it on), so a
        // followed log shows a live cause; at most MAX_FOLLOW_LINES, then the stream idles.
        let key = (namespace.to_string(), name.to_string());
        let cluster = cluster.clone();
        let more = futures::stream::unfold(0u64, move |n| {
            let (cluster, key, container) = (cluster.clone(), key.clone(), container.clone());
            async move {
                if n >= MAX_FOLLOW_LINES {
                    return std::future::pending().await;
                }
                tokio::time::sleep(FOLLOW_INTERVAL).await;
                let pod = cluster.get(kind, &key).map(|p| p.value);
                let line = follow_line(
                    pod.as_deref(),
                    &key.1,
                    &container,
                    n + 1,
                    &crate::model::format_time(crate::kube::now()),
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

/// Most lines a followed log gets (an hour at one a second): the stream then stays open and
/// quiet, so a forgotten follower costs nothing.
pub const MAX_FOLLOW_LINES: u64 = 3600;

/// The `seq`-th line a followed container writes, from the Pod as it is now: a container in
/// back-off says why it last exited, a Pod being deleted that it got SIGTERM, one not Ready
/// that its check fails; a healthy one one of a few routine lines, chosen by the Pod's name and
/// `seq` (the same sequence on every run). `at` is the line's time stamp.
pub fn follow_line(pod: Option<&Value>, name: &str, container: &str, seq: u64, at: &str) -> String {
    let tail = format!("pod={name} seq={seq}");
    let Some(pod) = pod else {
        return format!("{at} level=info msg=\"shutting down\" {tail}\n");
    };
    let status = pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == container);
    let waiting = status.and_then(|c| c["state"]["waiting"]["reason"].as_str());
    let last = status.map(|c| &c["lastState"]["terminated"]);
    let ready = pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "Ready")
        .map(|c| c["status"] == "True");
    let msg = if let Some(reason) = waiting {
        let exit = last
            .map(|t| {
                format!(
                    " lastExit={} exitCode={}",
                    t["reason"].as_str().unwrap_or("Error"),
                    t["exitCode"].as_i64().unwrap_or(1)
                )
            })
            .unwrap_or_default();
        format!("level=error msg=\"container {container} not running: {reason}\"{exit}")
    } else if pod["metadata"]["deletionTimestamp"].is_string() {
        "level=info msg=\"received SIGTERM, draining\"".to_string()
    } else if ready == Some(false) {
        "level=warn msg=\"readiness check failing: upstream unreachable\"".to_string()
    } else {
        const ROUTINE: [&str; 4] = [
            "still running",
            "heartbeat ok",
            "metrics flushed",
            "leader lease renewed",
        ];
        let h = name
            .bytes()
            .fold(seq.wrapping_mul(0x9e37_79b9_7f4a_7c15), |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        format!("level=info msg=\"{}\"", ROUTINE[(h % 4) as usize])
    };
    format!("{at} {msg} {tail}\n")
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(status: Value) -> Value {
        json!({"metadata": {"name": "p"}, "status": status})
    }

    #[test]
    fn follow_lines_say_the_pods_state_and_repeat_per_pod() {
        let healthy = pod(json!({"conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "c", "state": {"running": {}}}]}));
        let a: Vec<String> = (1..=8)
            .map(|n| follow_line(Some(&healthy), "p", "c", n, "T"))
            .collect();
        let b: Vec<String> = (1..=8)
            .map(|n| follow_line(Some(&healthy), "p", "c", n, "T"))
            .collect();
        assert_eq!(a, b, "deterministic");
        assert!(a.iter().all(|l| l.contains("level=info")), "{a:?}");
        assert!(a[0].ends_with("pod=p seq=1\n"), "{}", a[0]);
        let crash = pod(json!({"containerStatuses": [{"name": "c",
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]}));
        let l = follow_line(Some(&crash), "p", "c", 3, "T");
        assert!(
            l.contains("not running: CrashLoopBackOff\" lastExit=OOMKilled exitCode=137"),
            "{l}"
        );
        let not_ready = pod(json!({"conditions": [{"type": "Ready", "status": "False"}]}));
        assert!(follow_line(Some(&not_ready), "p", "c", 1, "T").contains("level=warn"));
        let mut deleting = healthy.clone();
        deleting["metadata"]["deletionTimestamp"] = json!("2026-09-21T11:00:00Z");
        assert!(follow_line(Some(&deleting), "p", "c", 1, "T").contains("SIGTERM"));
    }
}
