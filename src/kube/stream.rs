//! Drill-down streams, read only: a Pod container's log (`pods/log` get, streamed with
//! `Api::<Pod>::log_stream`, never polled) and the Events of one object (a list and watch with a
//! field selector on `involvedObject`, of core/v1 and, where served, of events.k8s.io/v1 on
//! `regarding`, merged one row per Event: [`merge`]). Both are bounded: log lines are cut at [`MAX_LINE`]
//! bytes and sent in batches (the core keeps a ring of them), Events are kept to the newest
//! [`MAX_EVENTS`].

use std::collections::BTreeMap;
use std::time::Duration;

use futures::{AsyncBufRead, AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::{Event as CoreEvent, Pod};
use k8s_openapi::api::events::v1::Event as NewEvent;
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

/// What an API error says, in one line: the Status message when the server sent one; an
/// answer that did not decode in the watches' words (`watch::undecodable`: never its bytes).
pub fn describe(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => format!("{} ({} {})", s.message, s.code, s.reason),
        kube::Error::SerdeError(j) => super::watch::undecodable("answer", j),
        other => super::exec::describe_error(other),
    }
}

/// Why the Events stream of the drill-down ended, in one line.
fn events_error(e: &watcher::Error) -> String {
    match e {
        watcher::Error::InitialListFailed(k)
        | watcher::Error::WatchStartFailed(k)
        | watcher::Error::WatchFailed(k) => describe(k),
        other => other.to_string(),
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

/// `regarding.kind=…,regarding.name=…[,regarding.namespace=…]`: the same selection on
/// events.k8s.io/v1 (the API server maps `regarding.*` to the stored `involvedObject.*`).
pub fn regarding_selector(kind: &str, namespace: Option<&str>, name: &str) -> String {
    field_selector(kind, namespace, name).replace("involvedObject.", "regarding.")
}

/// Which API an Events watch reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsApi {
    /// core/v1 `events` (`involvedObject`, `message`, `count`…): every server has it.
    Core,
    /// events.k8s.io/v1 (`regarding`, `note`, `series`, `eventTime`…): what modern controllers
    /// write; read where served, and left alone where it is not.
    New,
}

/// The Events of both APIs as one list: one row per Event (the two APIs are two views of the
/// same objects on a real server, so the same uid, or namespace and name, is one row; the
/// events.k8s.io view wins), newest first, the newest [`MAX_EVENTS`].
pub fn merge(
    core: &BTreeMap<String, crate::model::Event>,
    new: &BTreeMap<String, crate::model::Event>,
) -> Vec<crate::model::Event> {
    let mut all: BTreeMap<String, crate::model::Event> = core.clone();
    for (k, e) in new {
        all.insert(k.clone(), e.clone());
    }
    bound(&mut all);
    let mut events: Vec<_> = all.into_values().collect();
    events.sort_by(|a, b| {
        b.last
            .cmp(&a.last)
            .then_with(|| a.meta.name.cmp(&b.meta.name))
    });
    events
}

/// One API's watch as a stream of its Events, parsed (`None`: not an Event we can read).
type EventWatch = futures::stream::BoxStream<
    'static,
    Result<Event<(String, Option<crate::model::Event>)>, watcher::Error>,
>;

fn watch_events<K>(client: Client, fields: &str) -> EventWatch
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + std::fmt::Debug
        + serde::de::DeserializeOwned
        + serde::Serialize
        + Send
        + 'static,
{
    // Events of a cluster-scoped object (a Node) live in any namespace (`default` mostly).
    let api: Api<K> = Api::all(client);
    let config = watcher::Config::default()
        .fields(fields)
        .page_size(MAX_EVENTS as u32);
    watcher::watcher(api, config)
        .map(|ev| ev.map(|ev| map_event(ev, |o: &K| parse(o))))
        .boxed()
}

/// A watcher event with its object turned into `(key, parsed)`.
fn map_event<K>(
    ev: Event<K>,
    f: impl Fn(&K) -> (String, Option<crate::model::Event>),
) -> Event<(String, Option<crate::model::Event>)> {
    match ev {
        Event::Init => Event::Init,
        Event::InitApply(o) => Event::InitApply(f(&o)),
        Event::InitDone => Event::InitDone,
        Event::Apply(o) => Event::Apply(f(&o)),
        Event::Delete(o) => Event::Delete(f(&o)),
    }
}

/// What one API's watch has seen: the Events, and the list being made during a (re)list.
#[derive(Default)]
struct Seen {
    events: BTreeMap<String, crate::model::Event>,
    initial: Option<BTreeMap<String, crate::model::Event>>,
}

impl Seen {
    /// Applies one watcher event; true when the Events changed.
    fn apply(&mut self, ev: Event<(String, Option<crate::model::Event>)>) -> bool {
        match ev {
            Event::Init => {
                self.initial = Some(BTreeMap::new());
                false
            }
            Event::InitApply((k, Some(e))) => {
                if let Some(m) = self.initial.as_mut() {
                    m.insert(k, e);
                    bound(m);
                }
                false
            }
            Event::InitDone => {
                self.events = self.initial.take().unwrap_or_default();
                true
            }
            Event::Apply((k, Some(e))) => {
                self.events.insert(k, e);
                bound(&mut self.events);
                true
            }
            Event::Delete((k, _)) => self.events.remove(&k).is_some(),
            Event::InitApply((_, None)) | Event::Apply((_, None)) => false,
        }
    }
}

async fn events(
    id: u64,
    client: Client,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    tx: &mpsc::Sender<LiveMsg>,
) -> Result<(), String> {
    let mut core =
        watch_events::<CoreEvent>(client.clone(), &field_selector(kind, namespace, name));
    // events.k8s.io/v1 where it is served: any error (not served, forbidden) drops it and the
    // core/v1 Events carry on alone.
    let mut new = Some(watch_events::<NewEvent>(
        client,
        &regarding_selector(kind, namespace, name),
    ));
    let mut seen = [Seen::default(), Seen::default()];
    loop {
        let (api, ev) = tokio::select! {
            ev = core.next() => (EventsApi::Core, ev),
            ev = async {
                match new.as_mut() {
                    Some(s) => s.next().await,
                    None => std::future::pending().await,
                }
            } => (EventsApi::New, ev),
        };
        let changed = match (api, ev) {
            (EventsApi::Core, None) => return Ok(()),
            (EventsApi::New, None) => {
                new = None;
                false
            }
            (EventsApi::Core, Some(Err(e))) => return Err(events_error(&e)),
            (EventsApi::New, Some(Err(e))) => {
                tracing::debug!(error = %e, "events.k8s.io/v1 not readable; core/v1 Events only");
                new = None;
                let had = !seen[1].events.is_empty();
                seen[1] = Seen::default();
                had
            }
            (api, Some(Ok(ev))) => seen[api as usize].apply(ev),
        };
        if changed {
            let events = merge(&seen[0].events, &seen[1].events);
            if tx.send(LiveMsg::Events { id, events }).await.is_err() {
                return Ok(());
            }
        }
    }
}

/// The key of an Event in [`merge`]: its uid, else its namespace and name; and the Event.
fn parse<K: kube::Resource + serde::Serialize>(e: &K) -> (String, Option<crate::model::Event>) {
    let m = e.meta();
    let key = match m.uid.as_deref().filter(|u| !u.is_empty()) {
        Some(uid) => uid.to_string(),
        None => format!(
            "{}/{}",
            m.namespace.as_deref().unwrap_or_default(),
            m.name.as_deref().unwrap_or_default()
        ),
    };
    let parsed = serde_json::to_value(e)
        .ok()
        .and_then(|v| crate::model::Event::parse(&v).ok());
    (key, parsed)
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

    /// An Events answer that is not JSON, or JSON of the wrong shape, ends the stream in the
    /// watches' words, and never quotes what the server sent.
    #[test]
    fn an_undecodable_events_answer_is_said_in_operator_words() {
        let garbage = serde_json::from_str::<serde_json::Value>("<html>\x1b[31m").unwrap_err();
        let e = watcher::Error::WatchFailed(kube::Error::SerdeError(garbage));
        let why = events_error(&e);
        assert!(
            why.starts_with("answer is not valid JSON (expected value"),
            "{why}"
        );
        // serde's own message would quote the value: `invalid type: string "c2VjcmV0"`.
        let shape = serde_json::from_str::<CoreEvent>(r#"{"count": "c2VjcmV0"}"#)
            .map(|_| ())
            .unwrap_err();
        assert!(shape.to_string().contains("c2VjcmV0"));
        let e = watcher::Error::InitialListFailed(kube::Error::SerdeError(shape));
        let why = events_error(&e);
        assert!(why.contains("JSON of the wrong shape"), "{why}");
        assert!(!why.contains("c2VjcmV0"), "{why}");
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

    fn ev(v: serde_json::Value) -> crate::model::Event {
        crate::model::Event::parse(&v).unwrap()
    }

    /// The two APIs' views of one Event are one row (the events.k8s.io one: its note and
    /// series), core-only Events stay, newest first.
    #[test]
    fn both_apis_merge_one_row_per_event_newest_first() {
        let core_view = ev(serde_json::json!({
            "metadata": {"name": "web-0.a", "namespace": "shop", "uid": "u1"},
            "involvedObject": {"kind": "Pod", "name": "web-0", "namespace": "shop"},
            "reason": "BackOff", "message": "Back-off restarting failed container",
            "type": "Warning", "eventTime": "2026-09-21T11:20:00.000000Z"}));
        let new_view = ev(serde_json::json!({
            "metadata": {"name": "web-0.a", "namespace": "shop", "uid": "u1"},
            "regarding": {"kind": "Pod", "name": "web-0", "namespace": "shop"},
            "reason": "BackOff", "note": "Back-off restarting failed container",
            "type": "Warning", "eventTime": "2026-09-21T11:20:00.000000Z",
            "series": {"count": 7, "lastObservedTime": "2026-09-21T11:29:00.000000Z"}}));
        let old = ev(serde_json::json!({
            "metadata": {"name": "web-0.b", "namespace": "shop", "uid": "u2"},
            "involvedObject": {"kind": "Pod", "name": "web-0", "namespace": "shop"},
            "reason": "Scheduled", "message": "assigned", "type": "Normal",
            "lastTimestamp": "2026-09-21T11:00:00Z", "count": 1}));
        let core = BTreeMap::from([("u1".to_string(), core_view), ("u2".to_string(), old)]);
        let new = BTreeMap::from([("u1".to_string(), new_view)]);
        let rows = merge(&core, &new);
        let got: Vec<(&str, i32, &str)> = rows
            .iter()
            .map(|e| (e.reason.as_str(), e.count, e.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("BackOff", 7, "Back-off restarting failed container"),
                ("Scheduled", 1, "assigned")
            ]
        );
        assert_eq!(rows[0].involved.name, "web-0");
        // Bounded like one API's.
        let many: BTreeMap<String, crate::model::Event> = (0..MAX_EVENTS + 20)
            .map(|i| (format!("k{i}"), rows[1].clone()))
            .collect();
        assert_eq!(merge(&many, &new).len(), MAX_EVENTS);
    }

    #[test]
    fn the_regarding_selector_is_the_involved_object_one_renamed() {
        assert_eq!(
            regarding_selector("Pod", Some("shop"), "web-0"),
            "regarding.kind=Pod,regarding.name=web-0,regarding.namespace=shop"
        );
    }
}
