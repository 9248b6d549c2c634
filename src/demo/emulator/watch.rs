//! Watch streams: a chunked body of newline-separated watch events.
//!
//! A watch starts from a snapshot taken under the cluster's read lock, subscribing to the
//! cluster's broadcast channel under the same lock: with `resourceVersion` unset or `"0"` (or
//! `sendInitialEvents=true`) it first sends an `ADDED` for every matching object; with
//! `resourceVersion=N` it replays the retained changes after N, or sends one 410 `Expired`
//! `ERROR` event and ends when N is older than the history. Live changes follow, each sent as
//! the line serialized once when it was written (shared `Bytes`), unless the watcher's selectors
//! or the malformed fault make it different for this watcher. A watcher that falls more than
//! the channel's capacity behind gets a 410 `ERROR` event and ends, so it relists; the writer
//! never waits for watchers.
//!
//! With selectors, an object that starts matching is sent as `ADDED` and one that stops matching
//! as `DELETED` (carrying its new state), as the real API server does.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use tokio::sync::{broadcast, watch};
use tokio::time::{Instant, Interval, Sleep};

use super::Shared;
use super::faults::WatchControl;
use super::http::{Body, scan, served_bytes, status_object, with_json_type};
use super::selector::{FieldSelector, LabelSelector};
use super::store::{Change, Cluster, EventType, Expired, event_line};
use crate::model::kinds;

/// Events of the initial batch are sent in chunks of about this size.
const INITIAL_CHUNK: usize = 64 * 1024;

/// What one watch request asks for.
#[derive(Debug)]
pub(crate) struct WatchParams {
    pub kind: usize,
    /// `group/version` as requested: bookmarks carry it.
    pub api_version: String,
    pub namespace: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
    /// `None`: start with the current objects; `Some(N)`: replay the changes after N.
    pub resource_version: Option<u64>,
    pub bookmarks: bool,
    /// `sendInitialEvents=true`: mark the end of the initial events with an annotated bookmark.
    pub initial_events_end: bool,
    pub timeout: Option<Duration>,
}

/// Which changes a watcher gets, and as what.
struct Filter {
    kind: usize,
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn matches(&self, object: &Value) -> bool {
        self.labels.matches(object) && self.fields.matches(object)
    }

    /// The event this watcher sees for a change, if any.
    fn event_for(&self, change: &Change) -> Option<EventType> {
        if change.kind != self.kind
            || self
                .namespace
                .as_ref()
                .is_some_and(|ns| *ns != change.namespace)
        {
            return None;
        }
        if self.labels.is_empty() && self.fields.is_empty() {
            return Some(change.event_type);
        }
        let now = self.matches(&change.object.value);
        match change.event_type {
            EventType::Added | EventType::Deleted => now.then_some(change.event_type),
            EventType::Modified => {
                let before = change.prev.as_ref().is_none_or(|p| self.matches(p));
                match (before, now) {
                    (true, true) => Some(EventType::Modified),
                    (false, true) => Some(EventType::Added),
                    (true, false) => Some(EventType::Deleted),
                    (false, false) => None,
                }
            }
        }
    }
}

/// Counts an open watch for [`super::Stats`] while alive.
struct OpenWatch(Arc<Shared>);

impl OpenWatch {
    fn new(shared: Arc<Shared>) -> Self {
        shared.stats.open_watches.fetch_add(1, Ordering::Relaxed);
        Self(shared)
    }
}

impl Drop for OpenWatch {
    fn drop(&mut self) {
        self.0.stats.open_watches.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The state of one watch stream between chunks.
struct WatchStream {
    shared: Arc<Shared>,
    cluster_name: String,
    filter: Filter,
    kind_name: &'static str,
    api_version: String,
    /// Chunks ready to send.
    pending: VecDeque<Bytes>,
    /// No more chunks after `pending`.
    finished: bool,
    changes: broadcast::Receiver<Arc<Change>>,
    control: watch::Receiver<WatchControl>,
    control_seen: WatchControl,
    /// Every change up to this resourceVersion has been handled (bookmarks carry it).
    handled_rv: u64,
    bookmark_every: Option<Interval>,
    deadline: Option<Pin<Box<Sleep>>>,
    _open: OpenWatch,
}

/// What woke a live watch up.
enum Wake {
    Control,
    ControlGone,
    Timeout,
    Change(Result<Arc<Change>, broadcast::error::RecvError>),
    Bookmark,
}

/// Starts a watch: a 200 response whose chunked body streams the events.
pub(crate) fn watch_response(
    shared: &Arc<Shared>,
    cluster_name: &str,
    cluster: Arc<Cluster>,
    params: WatchParams,
) -> Response<Body> {
    let stream = WatchStream::start(shared.clone(), cluster_name, &cluster, params);
    let stats = shared.clone();
    let chunks = futures::stream::unfold(stream, WatchStream::next_chunk).map(move |chunk| {
        stats
            .stats
            .bytes_sent
            .fetch_add(chunk.len() as u64, Ordering::Relaxed);
        Ok::<_, std::convert::Infallible>(Frame::data(chunk))
    });
    with_json_type(
        Response::new(StreamBody::new(chunks).boxed_unsync()),
        StatusCode::OK,
    )
}

impl WatchStream {
    fn start(
        shared: Arc<Shared>,
        cluster_name: &str,
        cluster: &Cluster,
        params: WatchParams,
    ) -> Self {
        let filter = Filter {
            kind: params.kind,
            namespace: params.namespace,
            labels: params.labels,
            fields: params.fields,
        };
        let mut control = shared.faults.watch_control();
        let control_seen = *control.borrow_and_update();
        let (state, changes) = cluster.read_and_subscribe();
        let start_rv = state.rv();
        let initial = match params.resource_version {
            None => Ok(Initial::Objects(
                scan(
                    state.objects(filter.kind),
                    filter.namespace.as_deref(),
                    None,
                )
                .filter(|(_, o)| filter.matches(&o.value))
                .map(|(k, o)| (k.clone(), o.clone()))
                .collect(),
            )),
            Some(rv) => state.changes_after(rv).map(Initial::Replay),
        };
        drop(state);
        let bookmark_period = shared.config.bookmark_interval;
        let mut stream = WatchStream {
            cluster_name: cluster_name.to_string(),
            kind_name: kinds::ALL[filter.kind].kind,
            api_version: params.api_version,
            filter,
            pending: VecDeque::new(),
            finished: false,
            changes,
            control,
            control_seen,
            handled_rv: start_rv,
            bookmark_every: (params.bookmarks && !bookmark_period.is_zero()).then(|| {
                tokio::time::interval_at(Instant::now() + bookmark_period, bookmark_period)
            }),
            deadline: params.timeout.map(|t| Box::pin(tokio::time::sleep(t))),
            _open: OpenWatch::new(shared.clone()),
            shared,
        };
        match initial {
            Err(expired) => stream.finish_with(expired_event(expired)),
            Ok(initial) => {
                stream.queue_initial(initial);
                // Only `sendInitialEvents` ends its initial events with a bookmark; otherwise,
                // as on the real server, bookmarks come with the period alone.
                if params.initial_events_end {
                    let end_marker = params.resource_version.is_none();
                    let bookmark = stream.bookmark(end_marker);
                    stream.pending.push_back(bookmark);
                }
            }
        }
        stream
    }

    /// The next chunk of the body, or `None` at its end.
    async fn next_chunk(mut self) -> Option<(Bytes, Self)> {
        loop {
            if let Some(chunk) = self.pending.pop_front() {
                return Some((chunk, self));
            }
            if self.finished {
                return None;
            }
            let wake = tokio::select! {
                biased;
                changed = self.control.changed() => if changed.is_ok() { Wake::Control } else { Wake::ControlGone },
                _ = sleep_or_never(&mut self.deadline) => Wake::Timeout,
                received = self.changes.recv() => Wake::Change(received),
                _ = tick_or_never(&mut self.bookmark_every) => Wake::Bookmark,
            };
            match wake {
                Wake::Control => self.on_control(),
                Wake::ControlGone | Wake::Timeout => return None,
                Wake::Change(Ok(change)) => self.on_changes(change),
                Wake::Change(Err(broadcast::error::RecvError::Lagged(missed))) => {
                    self.on_lagged(missed)
                }
                Wake::Change(Err(broadcast::error::RecvError::Closed)) => return None,
                Wake::Bookmark => {
                    let bookmark = self.bookmark(false);
                    self.pending.push_back(bookmark);
                }
            }
        }
    }

    fn on_control(&mut self) {
        let now = *self.control.borrow_and_update();
        let seen = std::mem::replace(&mut self.control_seen, now);
        if now.expiries != seen.expiries {
            let status = status_object(
                410,
                "Expired",
                "too old resource version: the history was compacted",
                None,
            );
            self.finish_with(error_line(&status));
        } else if now.drops != seen.drops {
            self.finished = true;
        }
    }

    /// Queues this change and whatever else is already waiting, without blocking.
    fn on_changes(&mut self, first: Arc<Change>) {
        self.queue_change(&first);
        loop {
            match self.changes.try_recv() {
                Ok(change) => self.queue_change(&change),
                Err(broadcast::error::TryRecvError::Lagged(missed)) => {
                    return self.on_lagged(missed);
                }
                Err(_) => return,
            }
        }
    }

    fn on_lagged(&mut self, missed: u64) {
        let message = format!("too old resource version: the watch fell {missed} events behind");
        self.finish_with(error_line(&status_object(410, "Expired", &message, None)));
    }

    fn queue_change(&mut self, change: &Change) {
        self.handled_rv = self.handled_rv.max(change.rv);
        let Some(event_type) = self.filter.event_for(change) else {
            return;
        };
        let plural = kinds::ALL[self.filter.kind].plural;
        let garbled = self.shared.faults.malformed_bytes(
            &self.cluster_name,
            plural,
            &change.name,
            &change.object,
        );
        let line = match garbled {
            Some(bytes) => event_line(event_type.as_str(), &bytes),
            None if event_type == change.event_type => change.line.clone(),
            None => event_line(event_type.as_str(), &change.object.bytes),
        };
        self.pending.push_back(line);
    }

    fn queue_initial(&mut self, initial: Initial) {
        match initial {
            Initial::Replay(changes) => changes.iter().for_each(|c| self.queue_change(c)),
            Initial::Objects(objects) => {
                let served = served_bytes(
                    &self.shared,
                    &self.cluster_name,
                    kinds::ALL[self.filter.kind].plural,
                );
                let mut chunk = Vec::with_capacity(INITIAL_CHUNK);
                for (key, object) in &objects {
                    chunk.extend_from_slice(&event_line("ADDED", &served(key, object)));
                    if chunk.len() >= INITIAL_CHUNK {
                        self.pending.push_back(Bytes::from(std::mem::replace(
                            &mut chunk,
                            Vec::with_capacity(INITIAL_CHUNK),
                        )));
                    }
                }
                if !chunk.is_empty() {
                    self.pending.push_back(Bytes::from(chunk));
                }
            }
        }
    }

    /// A `BOOKMARK` at the last handled resourceVersion.
    fn bookmark(&self, initial_events_end: bool) -> Bytes {
        let mut metadata = json!({"resourceVersion": self.handled_rv.to_string()});
        if initial_events_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let object =
            json!({"kind": self.kind_name, "apiVersion": self.api_version, "metadata": metadata});
        event_line(
            "BOOKMARK",
            &serde_json::to_vec(&object).expect("a JSON value serializes"),
        )
    }

    fn finish_with(&mut self, last: Bytes) {
        self.pending.push_back(last);
        self.finished = true;
    }
}

/// What a watch sends before live changes.
enum Initial {
    Objects(Vec<(super::store::ObjKey, super::store::StoredObject)>),
    Replay(Vec<Arc<Change>>),
}

fn expired_event(expired: Expired) -> Bytes {
    let message = format!(
        "too old resource version: {} ({})",
        expired.requested, expired.oldest
    );
    error_line(&status_object(410, "Expired", &message, None))
}

fn error_line(status: &Value) -> Bytes {
    event_line(
        "ERROR",
        &serde_json::to_vec(status).expect("a JSON value serializes"),
    )
}

async fn sleep_or_never(sleep: &mut Option<Pin<Box<Sleep>>>) {
    match sleep {
        Some(s) => s.as_mut().await,
        None => std::future::pending().await,
    }
}

async fn tick_or_never(interval: &mut Option<Interval>) {
    match interval {
        Some(i) => {
            i.tick().await;
        }
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::emulator::store::StoredObject;

    fn change(event_type: EventType, labels: Value, prev_labels: Option<Value>) -> Change {
        let obj = |l: Value| json!({"metadata": {"name": "n", "labels": l}});
        let object = obj(labels);
        Change {
            rv: 5,
            kind: 1,
            event_type,
            namespace: String::new(),
            name: "n".into(),
            line: event_line(event_type.as_str(), object.to_string().as_bytes()),
            object: StoredObject {
                bytes: Bytes::from(object.to_string()),
                value: Arc::new(object),
            },
            prev: prev_labels.map(|l| Arc::new(obj(l))),
        }
    }

    fn filter(labels: &str) -> Filter {
        Filter {
            kind: 1,
            namespace: None,
            labels: LabelSelector::parse(labels).unwrap(),
            fields: FieldSelector::default(),
        }
    }

    #[test]
    fn selectors_turn_modifications_into_adds_and_deletes() {
        let f = filter("role=worker");
        let w = json!({"role": "worker"});
        let c = json!({"role": "control"});
        assert_eq!(
            f.event_for(&change(EventType::Modified, w.clone(), Some(w.clone()))),
            Some(EventType::Modified)
        );
        assert_eq!(
            f.event_for(&change(EventType::Modified, w.clone(), Some(c.clone()))),
            Some(EventType::Added)
        );
        assert_eq!(
            f.event_for(&change(EventType::Modified, c.clone(), Some(w.clone()))),
            Some(EventType::Deleted)
        );
        assert_eq!(
            f.event_for(&change(EventType::Modified, c.clone(), Some(c.clone()))),
            None
        );
        assert_eq!(
            f.event_for(&change(EventType::Added, c.clone(), None)),
            None
        );
        assert_eq!(
            f.event_for(&change(EventType::Deleted, w.clone(), None)),
            Some(EventType::Deleted)
        );
        assert_eq!(
            filter("").event_for(&change(EventType::Modified, c, Some(w))),
            Some(EventType::Modified)
        );
    }

    fn node_params(resource_version: Option<u64>, labels: &str) -> WatchParams {
        WatchParams {
            kind: crate::demo::emulator::store::kind_index(&kinds::NODE).unwrap(),
            api_version: "v1".into(),
            namespace: None,
            labels: LabelSelector::parse(labels).unwrap(),
            fields: FieldSelector::default(),
            resource_version,
            bookmarks: false,
            initial_events_end: false,
            timeout: None,
        }
    }

    fn apply_node(emu: &crate::demo::emulator::Emulator, name: &str, role: &str) {
        emu.apply("c", json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"role": role}}}))
            .unwrap();
    }

    fn lines(chunk: &Bytes) -> Vec<Value> {
        chunk
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect()
    }

    #[tokio::test]
    async fn a_watcher_that_falls_behind_gets_410_and_ends() {
        let emu =
            crate::demo::emulator::Emulator::with_config(crate::demo::emulator::EmulatorConfig {
                watch_buffer: 2,
                ..Default::default()
            });
        emu.add_cluster("c");
        let cluster = emu.shared.store.cluster("c").unwrap();
        let stream = WatchStream::start(emu.shared.clone(), "c", &cluster, node_params(None, ""));
        assert_eq!(emu.stats().open_watches, 1);
        for i in 0..5 {
            apply_node(&emu, &format!("n{i}"), "worker");
        }
        let (chunk, stream) = stream.next_chunk().await.unwrap();
        let events = lines(&chunk);
        assert_eq!(events[0]["type"], "ERROR");
        assert_eq!(events[0]["object"]["code"], 410);
        assert_eq!(events[0]["object"]["reason"], "Expired");
        assert!(
            stream.next_chunk().await.is_none(),
            "the stream ends after the error"
        );
        assert_eq!(emu.stats().open_watches, 0);
    }

    #[tokio::test]
    async fn initial_events_then_live_changes_in_order() {
        let emu = crate::demo::emulator::Emulator::new();
        emu.add_cluster("c");
        apply_node(&emu, "b", "worker");
        apply_node(&emu, "a", "worker");
        apply_node(&emu, "z", "control");
        let cluster = emu.shared.store.cluster("c").unwrap();
        let stream = WatchStream::start(
            emu.shared.clone(),
            "c",
            &cluster,
            node_params(None, "role=worker"),
        );
        let (chunk, stream) = stream.next_chunk().await.unwrap();
        let names: Vec<_> = lines(&chunk)
            .iter()
            .map(|e| (e["type"].clone(), e["object"]["metadata"]["name"].clone()))
            .collect();
        assert_eq!(
            names,
            [(json!("ADDED"), json!("a")), (json!("ADDED"), json!("b"))]
        );
        apply_node(&emu, "z", "worker");
        let (chunk, _stream) = stream.next_chunk().await.unwrap();
        let event = &lines(&chunk)[0];
        assert_eq!(
            (&event["type"], &event["object"]["metadata"]["name"]),
            (&json!("ADDED"), &json!("z")),
            "entered the selection"
        );
    }

    #[test]
    fn other_kinds_and_namespaces_are_skipped() {
        let mut f = filter("");
        f.kind = 2;
        assert_eq!(
            f.event_for(&change(EventType::Added, json!({}), None)),
            None
        );
        let f = Filter {
            namespace: Some("a".into()),
            ..filter("")
        };
        assert_eq!(
            f.event_for(&change(EventType::Added, json!({}), None)),
            None
        );
    }
}
