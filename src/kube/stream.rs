//! Drill-down streams, read only: a Pod container's log (`pods/log` get, streamed with
//! `Api::<Pod>::log_stream`, never polled) and the Events of one object (a list and watch with a
//! field selector on `involvedObject`). Both are bounded: log lines are cut at [`MAX_LINE`]
//! bytes and sent in batches (the core keeps a ring of them), Events are kept to the newest
//! [`MAX_EVENTS`].

use std::collections::BTreeMap;
use std::time::Duration;

use futures::{AsyncBufRead, AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::{Event as CoreEvent, Pod};
use kube::Client;
use kube::api::{Api, LogParams};
use kube::runtime::watcher::{self, Event};
use tokio::sync::mpsc;

use super::protocol::{LiveMsg, StreamReq, StreamWhat};

/// Longest log line kept; the rest of a longer one is dropped (marked `…`).
pub const MAX_LINE: usize = 4096;
/// Most log lines sent in one message.
const BATCH: usize = 256;
/// Most Events kept for one object.
pub const MAX_EVENTS: usize = 100;

/// Runs one stream until it ends, fails or is aborted.
pub async fn run(client: Client, req: StreamReq, tx: mpsc::Sender<LiveMsg>) {
    let id = req.id;
    let result = match req.what {
        StreamWhat::Logs {
            namespace,
            pod,
            container,
            tail_lines,
            follow,
            previous,
        } => {
            let api: Api<Pod> = Api::namespaced(client, &namespace);
            let lp = LogParams {
                container: Some(container),
                follow,
                previous,
                tail_lines: Some(tail_lines.max(1)),
                ..LogParams::default()
            };
            match api.log_stream(&pod, &lp).await {
                Ok(reader) => pump_lines(id, reader, &tx).await,
                Err(e) => Err(describe(&e)),
            }
        }
        StreamWhat::Events {
            kind,
            namespace,
            name,
        } => events(id, client, &kind, namespace.as_deref(), &name, &tx).await,
    };
    let _ = tx
        .send(LiveMsg::StreamEnded {
            id,
            error: result.err(),
        })
        .await;
}

/// What an API error says, in one line: the Status message when the server sent one.
pub fn describe(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => format!("{} ({} {})", s.message, s.code, s.reason),
        other => super::exec::describe_error(other),
    }
}

/// Reads lines from `reader` and sends them in batches (at most [`BATCH`] lines, or what
/// arrived within 50 ms), each cut to [`MAX_LINE`] bytes. Never holds more than one batch.
pub async fn pump_lines<R: AsyncBufRead + Unpin>(
    id: u64,
    mut reader: R,
    tx: &mpsc::Sender<LiveMsg>,
) -> Result<(), String> {
    let mut batch: Vec<String> = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut cut = false;
    loop {
        let read = tokio::time::timeout(Duration::from_millis(50), reader.fill_buf()).await;
        let chunk = match read {
            Err(_) => {
                // Nothing new for a moment: hand over what we have.
                if !batch.is_empty() && tx.send(lines_msg(id, &mut batch)).await.is_err() {
                    return Ok(());
                }
                continue;
            }
            Ok(Err(e)) => return Err(format!("the log stream broke: {e}")),
            Ok(Ok(chunk)) => chunk,
        };
        if chunk.is_empty() {
            if !line.is_empty() {
                batch.push(finish(&mut line, &mut cut));
            }
            if !batch.is_empty() {
                let _ = tx.send(lines_msg(id, &mut batch)).await;
            }
            return Ok(());
        }
        let n = chunk.len();
        for &b in chunk {
            if b == b'\n' {
                batch.push(finish(&mut line, &mut cut));
            } else if line.len() < MAX_LINE {
                line.push(b);
            } else {
                cut = true;
            }
        }
        reader.consume_unpin(n);
        if batch.len() >= BATCH && tx.send(lines_msg(id, &mut batch)).await.is_err() {
            return Ok(());
        }
    }
}

fn finish(line: &mut Vec<u8>, cut: &mut bool) -> String {
    let mut s = String::from_utf8_lossy(line)
        .trim_end_matches('\r')
        .to_string();
    if *cut {
        s.push('…');
    }
    line.clear();
    *cut = false;
    s
}

fn lines_msg(id: u64, batch: &mut Vec<String>) -> LiveMsg {
    LiveMsg::LogLines {
        id,
        lines: std::mem::take(batch),
    }
}

/// `involvedObject.kind=…,involvedObject.name=…[,involvedObject.namespace=…]`.
pub fn field_selector(kind: &str, namespace: Option<&str>, name: &str) -> String {
    let mut s = format!("involvedObject.kind={kind},involvedObject.name={name}");
    if let Some(ns) = namespace {
        s.push_str(&format!(",involvedObject.namespace={ns}"));
    }
    s
}

async fn events(
    id: u64,
    client: Client,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    tx: &mpsc::Sender<LiveMsg>,
) -> Result<(), String> {
    // Events of a cluster-scoped object (a Node) live in any namespace (`default` mostly).
    let api: Api<CoreEvent> = Api::all(client);
    let config = watcher::Config::default()
        .fields(&field_selector(kind, namespace, name))
        .page_size(MAX_EVENTS as u32);
    let mut stream = watcher::watcher(api, config).boxed();
    let mut seen: BTreeMap<String, crate::model::Event> = BTreeMap::new();
    let mut initial: Option<BTreeMap<String, crate::model::Event>> = None;
    while let Some(ev) = stream.next().await {
        let changed = match ev {
            Ok(Event::Init) => {
                initial = Some(BTreeMap::new());
                false
            }
            Ok(Event::InitApply(e)) => {
                if let (Some(m), Some((k, e))) = (initial.as_mut(), parse(&e)) {
                    m.insert(k, e);
                    bound(m);
                }
                false
            }
            Ok(Event::InitDone) => {
                seen = initial.take().unwrap_or_default();
                true
            }
            Ok(Event::Apply(e)) => match parse(&e) {
                Some((k, e)) => {
                    seen.insert(k, e);
                    bound(&mut seen);
                    true
                }
                None => false,
            },
            Ok(Event::Delete(e)) => {
                let k = e.metadata.name.clone().unwrap_or_default();
                seen.remove(&k).is_some()
            }
            Err(e) => {
                let text = e.to_string();
                if let watcher::Error::InitialListFailed(k) | watcher::Error::WatchStartFailed(k) =
                    &e
                {
                    return Err(describe(k));
                }
                return Err(text);
            }
        };
        if changed {
            let mut events: Vec<_> = seen.values().cloned().collect();
            events.sort_by_key(|e| std::cmp::Reverse(e.last));
            if tx.send(LiveMsg::Events { id, events }).await.is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

fn parse(e: &CoreEvent) -> Option<(String, crate::model::Event)> {
    let v = serde_json::to_value(e).ok()?;
    let parsed = crate::model::Event::parse(&v).ok()?;
    Some((parsed.meta.name.clone(), parsed))
}

/// Keeps the newest [`MAX_EVENTS`].
fn bound(m: &mut BTreeMap<String, crate::model::Event>) {
    while m.len() > MAX_EVENTS {
        let oldest = m.iter().min_by_key(|(_, e)| e.last).map(|(k, _)| k.clone());
        match oldest {
            Some(k) => {
                m.remove(&k);
            }
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_cut_batched_and_the_end_is_sent() {
        let long = "x".repeat(MAX_LINE + 100);
        let text = format!("one\r\ntwo\n{long}\nlast without newline");
        let (tx, mut rx) = mpsc::channel(16);
        let reader = futures::io::Cursor::new(text.into_bytes());
        pump_lines(7, reader, &tx).await.unwrap();
        drop(tx);
        let mut lines = vec![];
        while let Some(m) = rx.recv().await {
            match m {
                LiveMsg::LogLines { id, lines: l } => {
                    assert_eq!(id, 7);
                    lines.extend(l)
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(lines.len(), 4);
        assert_eq!(&lines[..2], ["one", "two"]);
        assert_eq!(lines[2].chars().count(), MAX_LINE + 1);
        assert!(lines[2].ends_with('…'));
        assert_eq!(lines[3], "last without newline");
    }

    #[test]
    fn the_selector_names_the_object() {
        assert_eq!(
            field_selector("Pod", Some("rook-ceph"), "osd-2"),
            "involvedObject.kind=Pod,involvedObject.name=osd-2,involvedObject.namespace=rook-ceph"
        );
        assert_eq!(
            field_selector("Node", None, "n1"),
            "involvedObject.kind=Node,involvedObject.name=n1"
        );
    }
}
