//! The objects of every virtual cluster, its resourceVersion counter and its recent changes.
//!
//! Each virtual cluster has one `RwLock`ed state: per kind (an index into [`kinds::ALL`]) a map
//! of objects ordered by namespace then name, the last resourceVersion handed out, and a bounded
//! history of changes for watches that resume from a resourceVersion. Every object is serialized
//! once when written ([`StoredObject::bytes`]); every change once more as its watch-event line
//! ([`Change::line`]), shared by all watchers through a per-cluster broadcast channel. Writers
//! send while holding the write lock, so a watcher that subscribes under the read lock sees every
//! change after the state it snapshotted, and nothing twice.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::{Map, Value, json};
use tokio::sync::broadcast;

use crate::model::kinds::{self, KindInfo};

/// `(namespace, name)`; the namespace is empty for cluster-scoped kinds.
pub(crate) type ObjKey = (String, String);

/// An object as stored: the parsed value and its JSON text.
#[derive(Debug, Clone)]
pub(crate) struct StoredObject {
    pub value: Arc<Value>,
    pub bytes: Bytes,
}

impl StoredObject {
    fn new(value: Value) -> Self {
        let bytes = Bytes::from(serde_json::to_vec(&value).expect("a JSON value serializes"));
        Self {
            value: Arc::new(value),
            bytes,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One write, as watchers see it.
#[derive(Debug)]
pub(crate) struct Change {
    pub rv: u64,
    /// Index of the kind in [`kinds::ALL`].
    pub kind: usize,
    pub event_type: EventType,
    pub namespace: String,
    pub name: String,
    /// The new state; for a deletion the last state, stamped with the deletion's resourceVersion.
    pub object: StoredObject,
    /// The state before a modification (to tell when an object leaves a watcher's selectors).
    pub prev: Option<Arc<Value>>,
    /// `{"type":…,"object":…}\n`, serialized once for every watcher.
    pub line: Bytes,
}

/// A resume point that is no longer in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Expired {
    pub requested: u64,
    pub oldest: u64,
}

/// A watch event line: `{"type":"…","object":…}` and a newline.
pub(crate) fn event_line(event_type: &str, object: &[u8]) -> Bytes {
    let mut line = Vec::with_capacity(object.len() + 32);
    line.extend_from_slice(b"{\"type\":\"");
    line.extend_from_slice(event_type.as_bytes());
    line.extend_from_slice(b"\",\"object\":");
    line.extend_from_slice(object);
    line.extend_from_slice(b"}\n");
    Bytes::from(line)
}

/// Every virtual cluster, by name.
pub(crate) struct Store {
    clusters: RwLock<HashMap<String, Arc<Cluster>>>,
    history_limit: usize,
    watch_buffer: usize,
}

impl Store {
    pub fn new(history_limit: usize, watch_buffer: usize) -> Self {
        Self {
            clusters: RwLock::default(),
            history_limit: history_limit.max(1),
            watch_buffer: watch_buffer.max(1),
        }
    }

    pub fn add_cluster(&self, name: &str) {
        let mut clusters = write(&self.clusters);
        if !clusters.contains_key(name) {
            clusters.insert(
                name.to_string(),
                Arc::new(Cluster::new(self.history_limit, self.watch_buffer)),
            );
        }
    }

    pub fn cluster(&self, name: &str) -> Option<Arc<Cluster>> {
        read(&self.clusters).get(name).cloned()
    }

    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = read(&self.clusters).keys().cloned().collect();
        names.sort();
        names
    }

    pub fn all(&self) -> Vec<Arc<Cluster>> {
        read(&self.clusters).values().cloned().collect()
    }
}

/// One virtual cluster.
pub(crate) struct Cluster {
    state: RwLock<ClusterState>,
    events: broadcast::Sender<Arc<Change>>,
}

/// What the cluster lock guards.
pub(crate) struct ClusterState {
    rv: u64,
    objects: Vec<BTreeMap<ObjKey, StoredObject>>,
    history: VecDeque<Arc<Change>>,
    history_limit: usize,
    /// Every change after this resourceVersion is in `history`.
    compacted_rv: u64,
}

impl Cluster {
    fn new(history_limit: usize, watch_buffer: usize) -> Self {
        Self {
            state: RwLock::new(ClusterState {
                rv: 0,
                objects: vec![BTreeMap::new(); kinds::ALL.len()],
                history: VecDeque::new(),
                history_limit,
                compacted_rv: 0,
            }),
            events: broadcast::channel(watch_buffer).0,
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, ClusterState> {
        read(&self.state)
    }

    /// A consistent snapshot and a receiver of every change after it.
    pub fn read_and_subscribe(
        &self,
    ) -> (
        RwLockReadGuard<'_, ClusterState>,
        broadcast::Receiver<Arc<Change>>,
    ) {
        let guard = self.read();
        let rx = self.events.subscribe();
        (guard, rx)
    }

    /// Creates or replaces an object; see [`super::Emulator::apply`].
    pub fn apply(&self, mut obj: Value) -> Result<(), String> {
        let (kind, namespace, name) = validate_new_object(&mut obj)?;
        let mut state = write(&self.state);
        let key = (namespace, name);
        let existing = state.objects[kind].get(&key).map(|o| o.value.clone());
        let rv = state.next_rv();
        stamp_metadata(&mut obj, existing.as_deref(), rv, has_generation(kind));
        let event_type = if existing.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        self.commit(
            &mut state,
            kind,
            key,
            event_type,
            StoredObject::new(obj),
            existing,
        );
        Ok(())
    }

    /// Mutates an object under the write lock; `false` when it does not exist.
    pub fn modify(&self, kind: usize, key: ObjKey, f: impl FnOnce(&mut Value)) -> bool {
        let mut state = write(&self.state);
        let Some(prev) = state.objects[kind].get(&key).map(|o| o.value.clone()) else {
            return false;
        };
        let mut obj = (*prev).clone();
        f(&mut obj);
        if !obj.is_object() {
            obj = (*prev).clone();
        }
        keep_identity(&mut obj, &prev);
        let rv = state.next_rv();
        stamp_metadata(&mut obj, Some(&prev), rv, has_generation(kind));
        self.commit(
            &mut state,
            kind,
            key,
            EventType::Modified,
            StoredObject::new(obj),
            Some(prev),
        );
        true
    }

    pub fn delete(&self, kind: usize, key: ObjKey) -> bool {
        let mut state = write(&self.state);
        let Some(gone) = state.objects[kind].get(&key).map(|o| o.value.clone()) else {
            return false;
        };
        let rv = state.next_rv();
        let mut last = (*gone).clone();
        set_metadata(&mut last, "resourceVersion", Value::String(rv.to_string()));
        self.commit(
            &mut state,
            kind,
            key,
            EventType::Deleted,
            StoredObject::new(last),
            None,
        );
        true
    }

    pub fn get(&self, kind: usize, key: &ObjKey) -> Option<StoredObject> {
        self.read().objects[kind].get(key).cloned()
    }

    /// Forgets the history: every resume from a resourceVersion handed out so far, and every
    /// continue token issued so far, will be answered 410 Expired. The counter moves on by one
    /// (without an event) so that even the latest resourceVersion is older than the compaction.
    pub fn compact(&self) {
        let mut state = write(&self.state);
        state.rv += 1;
        state.compacted_rv = state.rv;
        state.history.clear();
    }

    /// Stores the change, records it in the history and hands it to the watchers.
    fn commit(
        &self,
        state: &mut ClusterState,
        kind: usize,
        key: ObjKey,
        event_type: EventType,
        object: StoredObject,
        prev: Option<Arc<Value>>,
    ) {
        let change = Arc::new(Change {
            rv: state.rv,
            kind,
            event_type,
            namespace: key.0.clone(),
            name: key.1.clone(),
            line: event_line(event_type.as_str(), &object.bytes),
            object: object.clone(),
            prev,
        });
        match event_type {
            EventType::Deleted => state.objects[kind].remove(&key),
            _ => state.objects[kind].insert(key, object),
        };
        state.history.push_back(change.clone());
        while state.history.len() > state.history_limit {
            if let Some(evicted) = state.history.pop_front() {
                state.compacted_rv = evicted.rv;
            }
        }
        // No receivers is fine: nobody watches this cluster right now.
        let _ = self.events.send(change);
    }
}

impl ClusterState {
    pub fn rv(&self) -> u64 {
        self.rv
    }

    /// The oldest resourceVersion a watch can still resume from.
    pub fn compacted_rv(&self) -> u64 {
        self.compacted_rv
    }

    pub fn objects(&self, kind: usize) -> &BTreeMap<ObjKey, StoredObject> {
        &self.objects[kind]
    }

    /// Every retained change after `rv`, oldest first, or [`Expired`] when some were dropped.
    pub fn changes_after(&self, rv: u64) -> Result<Vec<Arc<Change>>, Expired> {
        if rv < self.compacted_rv {
            return Err(Expired {
                requested: rv,
                oldest: self.compacted_rv,
            });
        }
        let start = self.history.partition_point(|c| c.rv <= rv);
        Ok(self.history.range(start..).cloned().collect())
    }

    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }
}

/// The kind index, namespace and name of an object to apply; strips the namespace of a
/// cluster-scoped object.
fn validate_new_object(obj: &mut Value) -> Result<(usize, String, String), String> {
    let api_version = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .ok_or("object has no apiVersion")?;
    let kind_name = obj
        .get("kind")
        .and_then(Value::as_str)
        .ok_or("object has no kind")?;
    let (group, version) = kinds::split_api_version(api_version);
    let kind = kind_index_by_name(group, kind_name).ok_or_else(|| {
        format!("unknown kind {kind_name} in {api_version}: not in the kinds table")
    })?;
    let info = &kinds::ALL[kind];
    if !info.versions.contains(&version) {
        return Err(format!(
            "{kind_name} is not served as {api_version} (served versions: {})",
            info.versions.join(", ")
        ));
    }
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("{kind_name} has no metadata.name"))?
        .to_string();
    let namespace = if info.namespaced {
        obj.pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                format!("{kind_name} {name} is namespaced but has no metadata.namespace")
            })?
            .to_string()
    } else {
        if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("namespace");
        }
        String::new()
    };
    Ok((kind, namespace, name))
}

pub(crate) fn kind_index(kind: &KindInfo) -> Option<usize> {
    kinds::ALL.iter().position(|k| k == kind)
}

fn kind_index_by_name(group: &str, kind: &str) -> Option<usize> {
    kinds::ALL
        .iter()
        .position(|k| k.group == group && k.kind == kind)
}

/// Whether the real API server keeps `metadata.generation` for the kind (index into
/// `kinds::ALL`): every custom resource and the workloads of `apps`; not the core kinds
/// (Nodes, Namespaces, volumes and claims, Events, Secrets).
fn has_generation(kind: usize) -> bool {
    !kinds::ALL[kind].group.is_empty()
}

/// Sets uid, creationTimestamp, resourceVersion and (where the kind has one) generation,
/// keeping what the previous version had unless the new object says otherwise.
fn stamp_metadata(obj: &mut Value, prev: Option<&Value>, rv: u64, generation_kept: bool) {
    let prev_meta = |field: &str| {
        prev.and_then(|p| p.get("metadata"))
            .and_then(|m| m.get(field))
            .cloned()
    };
    let spec_changed = prev.is_none_or(|p| p.get("spec") != obj.get("spec"));
    let generation = match prev_meta("generation").and_then(|g| g.as_i64()) {
        Some(g) if spec_changed => g + 1,
        Some(g) => g,
        None => 1,
    };
    let meta = metadata_mut(obj);
    if !meta.get("uid").is_some_and(Value::is_string) {
        meta.insert(
            "uid".into(),
            prev_meta("uid").unwrap_or_else(|| Value::String(new_uid())),
        );
    }
    if !meta.get("creationTimestamp").is_some_and(Value::is_string) {
        let created = prev_meta("creationTimestamp")
            .unwrap_or_else(|| Value::String(rfc3339(SystemTime::now())));
        meta.insert("creationTimestamp".into(), created);
    }
    meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
    if generation_kept {
        meta.insert("generation".into(), json!(generation));
    } else {
        meta.remove("generation");
    }
}

/// A modification cannot rename or move an object, nor change its uid.
fn keep_identity(obj: &mut Value, prev: &Value) {
    for field in ["name", "namespace", "uid", "creationTimestamp"] {
        match prev.pointer(&format!("/metadata/{field}")) {
            Some(v) => set_metadata(obj, field, v.clone()),
            None => {
                metadata_mut(obj).remove(field);
            }
        }
    }
    for field in ["apiVersion", "kind"] {
        if let (Some(v), Some(map)) = (prev.get(field), obj.as_object_mut()) {
            map.insert(field.into(), v.clone());
        }
    }
}

fn set_metadata(obj: &mut Value, field: &str, value: Value) {
    metadata_mut(obj).insert(field.into(), value);
}

/// `metadata` as a map, created (or replaced when not a map) as needed.
fn metadata_mut(obj: &mut Value) -> &mut Map<String, Value> {
    let map = obj
        .as_object_mut()
        .expect("stored objects are JSON objects");
    let meta = map
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    meta.as_object_mut().expect("just made an object")
}

/// A random-looking, unique version-4 style UUID.
fn new_uid() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let a = splitmix(seed ^ n.rotate_left(17));
    let b = splitmix(a ^ n);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// `2026-01-02T03:04:05Z` (UTC, whole seconds, as Kubernetes writes timestamps).
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    crate::model::format_time(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// Poison-tolerant locks: a panicking test thread must not wedge the server.
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn node(name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}, "spec": {}})
    }

    fn node_kind() -> usize {
        kind_index(&kinds::NODE).unwrap()
    }

    fn key(name: &str) -> ObjKey {
        (String::new(), name.to_string())
    }

    #[test]
    fn apply_stamps_metadata_and_counts_versions() {
        let c = Cluster::new(100, 16);
        c.apply(node("a")).unwrap();
        c.apply(node("b")).unwrap();
        let a = c.get(node_kind(), &key("a")).unwrap();
        let meta = &a.value["metadata"];
        assert_eq!(meta["resourceVersion"], "1");
        // As on the real server: no generation for a Node (core kinds keep none).
        assert_eq!(meta.get("generation"), None);
        assert_eq!(meta["uid"].as_str().unwrap().len(), 36);
        assert!(meta["creationTimestamp"].as_str().unwrap().ends_with('Z'));
        assert_eq!(c.read().rv(), 2);
        assert_ne!(
            meta["uid"],
            c.get(node_kind(), &key("b")).unwrap().value["metadata"]["uid"]
        );
        // the stored bytes are the value
        assert_eq!(serde_json::from_slice::<Value>(&a.bytes).unwrap(), *a.value);
    }

    #[test]
    fn replace_keeps_uid_and_bumps_generation_on_spec_change() {
        let c = Cluster::new(100, 16);
        let sts = |replicas: i64| {
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": {"name": "a", "namespace": "ns"}, "spec": {"replicas": replicas}})
        };
        let kind = kind_index(&kinds::STATEFUL_SET).unwrap();
        let k = ("ns".to_string(), "a".to_string());
        c.apply(sts(1)).unwrap();
        let first = c.get(kind, &k).unwrap();
        assert_eq!(first.value["metadata"]["generation"], 1);
        let uid = first.value["metadata"]["uid"].clone();
        c.apply(sts(2)).unwrap();
        let a = c.get(kind, &k).unwrap();
        assert_eq!(a.value["metadata"]["uid"], uid);
        assert_eq!(a.value["metadata"]["generation"], 2);
        c.apply(sts(2)).unwrap();
        assert_eq!(c.get(kind, &k).unwrap().value["metadata"]["generation"], 2);
    }

    #[test]
    fn apply_rejects_bad_objects() {
        let c = Cluster::new(100, 16);
        let err = |v: Value| c.apply(v).unwrap_err();
        assert!(
            err(json!({"apiVersion": "nope.io/v1", "kind": "Node", "metadata": {"name": "x"}}))
                .contains("unknown kind")
        );
        assert!(
            err(json!({"apiVersion": "v1", "kind": "Node", "metadata": {}}))
                .contains("metadata.name")
        );
        assert!(
            err(json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}}))
                .contains("namespace")
        );
        assert!(err(json!({"apiVersion": "cluster.x-k8s.io/v9", "kind": "Machine", "metadata": {"name": "m", "namespace": "n"}})).contains("served"));
        assert!(err(json!({"kind": "Node"})).contains("apiVersion"));
        // cluster-scoped: a namespace is dropped
        c.apply(json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "x", "namespace": "n"}})).unwrap();
        assert!(
            c.get(node_kind(), &key("x")).unwrap().value["metadata"]
                .get("namespace")
                .is_none()
        );
    }

    #[test]
    fn modify_and_delete_emit_changes_in_order() {
        let c = Cluster::new(100, 16);
        let (guard, mut rx) = c.read_and_subscribe();
        drop(guard);
        c.apply(node("a")).unwrap();
        assert!(c.modify(node_kind(), key("a"), |v| {
            v["metadata"]["labels"] = json!({"x": "y"});
            v["metadata"]["name"] = json!("renamed");
        }));
        assert!(!c.modify(node_kind(), key("zz"), |_| {}));
        assert!(c.delete(node_kind(), key("a")));
        assert!(!c.delete(node_kind(), key("a")));
        let types: Vec<_> = (0..3)
            .map(|_| rx.try_recv().unwrap())
            .map(|ch| (ch.rv, ch.event_type))
            .collect();
        assert_eq!(
            types,
            [
                (1, EventType::Added),
                (2, EventType::Modified),
                (3, EventType::Deleted)
            ]
        );
        assert!(c.get(node_kind(), &key("a")).is_none());
        let history = c.read().changes_after(1).unwrap();
        assert_eq!(history.len(), 2);
        let modified: Value = serde_json::from_slice(&history[0].line).unwrap();
        assert_eq!(modified["type"], "MODIFIED");
        assert_eq!(
            modified["object"]["metadata"]["name"], "a",
            "modify cannot rename"
        );
        assert_eq!(modified["object"]["metadata"]["labels"]["x"], "y");
        assert_eq!(
            history[0].prev.as_ref().unwrap()["metadata"]["resourceVersion"],
            "1"
        );
        let deleted: Value = serde_json::from_slice(&history[1].line).unwrap();
        assert_eq!(deleted["object"]["metadata"]["resourceVersion"], "3");
    }

    #[test]
    fn history_is_bounded_and_compaction_expires_old_versions() {
        let c = Cluster::new(3, 16);
        for i in 0..5 {
            c.apply(node(&format!("n{i}"))).unwrap();
        }
        let state = c.read();
        assert_eq!(state.compacted_rv(), 2);
        let expired = state.changes_after(1).map(|c| c.len()).unwrap_err();
        assert_eq!(
            expired,
            Expired {
                requested: 1,
                oldest: 2
            }
        );
        let kept: Vec<u64> = state
            .changes_after(2)
            .unwrap()
            .iter()
            .map(|c| c.rv)
            .collect();
        assert_eq!(kept, [3, 4, 5]);
        drop(state);
        c.compact();
        let state = c.read();
        assert_eq!(state.rv(), 6, "compaction moves the counter on");
        assert!(
            state.changes_after(5).is_err(),
            "the last version handed out is expired"
        );
        assert!(state.changes_after(6).unwrap().is_empty());
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_767_323_045)),
            "2026-01-02T03:04:05Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }
}
