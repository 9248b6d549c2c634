//! A hostile Kubernetes API server for issue 14: raw HTTP/1.1 that answers discovery, Nodes,
//! PersistentVolumes and Namespaces, with a Node (and PersistentVolume) list and watch chosen to
//! hurt (a 200 MB list, a byte a second, garbage, an endless event, huge objects), or a healthy
//! one (`NodeWatch::Ticking`) for a calm site beside it. Shared by the integration test
//! (`tests/integration/hostile.rs`) and the bench (`benches/hostile.rs`), which point the real
//! console and dashboard at it.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::json;
use tokio::io::AsyncWriteExt;

/// What the server answers to a watch of Nodes.
#[derive(Clone, Copy, Debug)]
pub enum NodeWatch {
    /// Lines of invalid JSON, one every 10 ms, for ever.
    Garbage,
    /// A valid event, one byte a second.
    Trickle,
    /// Nothing, the connection held open (a quiet watch).
    Quiet,
    /// One event that never ends: spaces, 64 KB a chunk, as fast as they are read.
    Endless,
    /// A healthy watch: a new object (`tick-1`, `tick-2`, …) every second.
    Ticking,
}

/// What the server answers to a list of Nodes.
pub enum NodeList {
    /// This answer.
    Json(String),
    /// A list of this many MB, pretty-printed (a newline every few bytes), chunked.
    Pretty { mb: usize },
    /// A `Content-Length` of this many MB, then nothing.
    Announced { mb: usize },
    /// A list sent a byte a second.
    Trickle,
}

pub fn node_list_json(node: serde_json::Value) -> String {
    json!({"apiVersion": "v1", "kind": "NodeList", "metadata": {"resourceVersion": "5"}, "items": [node]}).to_string()
}

pub fn node_list(node: serde_json::Value) -> NodeList {
    NodeList::Json(node_list_json(node))
}

/// Writes a pretty-printed list of `mb` MB as chunks (never held whole).
pub async fn write_pretty(conn: &mut tokio::net::TcpStream, mb: usize) -> std::io::Result<()> {
    let chunk = |s: &str| format!("{:x}\r\n{s}\r\n", s.len());
    conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").await?;
    conn.write_all(chunk("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"NodeList\",\n  \"metadata\": {\"resourceVersion\": \"5\"},\n  \"items\": [\n").as_bytes()).await?;
    let mut items = String::new();
    let mut i = 0;
    let mut sent = 0;
    while sent < mb << 20 {
        items.clear();
        while items.len() < 64 << 10 {
            items.push_str(&format!(
                "    {{\n      \"metadata\": {{\n        \"name\": \"n{i}\"\n      }}\n    }},\n"
            ));
            i += 1;
        }
        conn.write_all(chunk(&items).as_bytes()).await?;
        sent += items.len();
    }
    conn.write_all(chunk("    {\"metadata\": {\"name\": \"last\"}}\n  ]\n}\n").as_bytes())
        .await?;
    conn.write_all(b"0\r\n\r\n").await
}

/// A Node with 100,000 conditions (~12 MB of JSON).
pub fn many_conditions() -> serde_json::Value {
    let mut many = node("many-conditions");
    many["status"] = json!({"conditions": (0..100_000).map(|i| json!({
        "type": format!("C{i}"), "status": "True", "reason": "R", "message": "m",
        "lastTransitionTime": "2026-01-01T00:00:00Z"
    })).collect::<Vec<_>>()});
    many
}

/// A Node with a 10 MB annotation.
pub fn big_annotation() -> serde_json::Value {
    let mut big = node("big-annotation");
    big["metadata"]["annotations"] = json!({"x.io/blob": "x".repeat(10 << 20)});
    big
}

pub fn node(name: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "resourceVersion": "5", "uid": name}})
}

/// A raw HTTP/1.1 server for discovery, Nodes (listed as `nodes`, watched as `watch`) and
/// Namespaces (one listed, one more added by the watch a second later, then quiet). One
/// request per connection, said with `Connection: close`: without it the client may send its
/// next request on a connection this server is closing, and read a reset.
pub async fn serve(nodes: NodeList, watch: NodeWatch) -> std::net::SocketAddr {
    serve_counting(nodes, watch).await.0
}

/// [`serve`], with the number of hostile lists (Nodes or PersistentVolumes, not watches)
/// asked so far: a test can tell a relist happened.
pub async fn serve_counting(
    nodes: NodeList,
    watch: NodeWatch,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    let lists = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = lists.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let nodes = std::sync::Arc::new(nodes);
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let nodes = nodes.clone();
            let lists = counted.clone();
            tokio::spawn(async move {
                let Some(head) = blast::kube::test_support::read_head(&mut conn).await else {
                    return;
                };
                let watching = head.watching();
                // The hostile answers are the Nodes' (the console's Nodes view) and the
                // PersistentVolumes' (a kind the dashboard watches on every site).
                let path = match head.path.as_str() {
                    "/api/v1/persistentvolumes" => "/api/v1/nodes",
                    p => p,
                };
                if path == "/api/v1/nodes" && !watching {
                    lists.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                let whole = |body: String| {
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let chunk = |s: &str| format!("{:x}\r\n{s}\r\n", s.len());
                let stream_head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                match (path, watching) {
                    ("/api/v1", _) => {
                        let body = json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                            {"name": "nodes", "singularName": "node", "namespaced": false, "kind": "Node", "verbs": ["list", "watch"]},
                            {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace", "verbs": ["list", "watch"]},
                            {"name": "persistentvolumes", "singularName": "persistentvolume", "namespaced": false, "kind": "PersistentVolume", "verbs": ["list", "watch"]}
                        ]}).to_string();
                        let _ = conn.write_all(whole(body).as_bytes()).await;
                    }
                    ("/api/v1/nodes", false) => match &*nodes {
                        NodeList::Json(body) => {
                            let _ = conn.write_all(whole(body.clone()).as_bytes()).await;
                        }
                        NodeList::Pretty { mb } => {
                            let _ = write_pretty(&mut conn, *mb).await;
                        }
                        NodeList::Announced { mb } => {
                            let head = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{{",
                                mb << 20
                            );
                            let _ = conn.write_all(head.as_bytes()).await;
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                        }
                        NodeList::Trickle => {
                            let body = node_list_json(node("slow"));
                            let head = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                body.len()
                            );
                            let _ = conn.write_all(head.as_bytes()).await;
                            for b in body.bytes() {
                                if conn.write_all(&[b]).await.is_err() {
                                    return;
                                }
                                tokio::time::sleep(Duration::from_secs(1)).await;
                            }
                        }
                    },
                    ("/api/v1/nodes", true) => {
                        let _ = conn.write_all(stream_head.as_bytes()).await;
                        match watch {
                            NodeWatch::Garbage => loop {
                                if conn
                                    .write_all(chunk("{\"type\": ADDED, garbage}\n").as_bytes())
                                    .await
                                    .is_err()
                                {
                                    return;
                                }
                                tokio::time::sleep(Duration::from_millis(10)).await;
                            },
                            NodeWatch::Trickle => {
                                let event = format!(
                                    "{}\n",
                                    json!({"type": "ADDED", "object": node("late-node")})
                                );
                                for c in event.chars() {
                                    if conn
                                        .write_all(chunk(&c.to_string()).as_bytes())
                                        .await
                                        .is_err()
                                    {
                                        return;
                                    }
                                    tokio::time::sleep(Duration::from_secs(1)).await;
                                }
                            }
                            NodeWatch::Endless => {
                                let spaces = chunk(&" ".repeat(64 << 10));
                                while conn.write_all(spaces.as_bytes()).await.is_ok() {}
                            }
                            NodeWatch::Quiet => tokio::time::sleep(Duration::from_secs(3600)).await,
                            NodeWatch::Ticking => {
                                for i in 1.. {
                                    tokio::time::sleep(Duration::from_secs(1)).await;
                                    let mut n = node(&format!("tick-{i}"));
                                    n["metadata"]["resourceVersion"] = json!(format!("{}", 5 + i));
                                    let event =
                                        format!("{}\n", json!({"type": "ADDED", "object": n}));
                                    if conn.write_all(chunk(&event).as_bytes()).await.is_err() {
                                        return;
                                    }
                                }
                            }
                        }
                    }
                    ("/api/v1/namespaces", false) => {
                        let body = json!({"apiVersion": "v1", "kind": "NamespaceList", "metadata": {"resourceVersion": "5"},
                            "items": [{"metadata": {"name": "default", "resourceVersion": "5"}}]}).to_string();
                        let _ = conn.write_all(whole(body).as_bytes()).await;
                    }
                    ("/api/v1/namespaces", true) => {
                        let _ = conn.write_all(stream_head.as_bytes()).await;
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        let event = format!(
                            "{}\n",
                            json!({"type": "ADDED", "object": {"apiVersion": "v1", "kind": "Namespace",
                            "metadata": {"name": "late", "resourceVersion": "6"}}})
                        );
                        let _ = conn.write_all(chunk(&event).as_bytes()).await;
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    }
                    _ => {
                        let _ = conn
                            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .await;
                    }
                }
            });
        }
    });
    (addr, lists)
}
