//! Fault knobs for tests and `blast demo --faults`; all off by default, all settable from any
//! thread through `&self`.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::watch;

use super::store::{Store, StoredObject};

/// Signals to open watch streams; each counter moves on every call of its fault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WatchControl {
    pub drops: u64,
    pub expiries: u64,
}

/// The object [`Faults::set_malformed`] (or [`Faults::set_malformed_metadata`]) garbles.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MalformedTarget {
    cluster: String,
    plural: String,
    name: String,
    /// Garble `metadata` rather than `spec` and `status`.
    metadata: bool,
}

/// Fault injection. See each method.
pub struct Faults {
    store: Arc<Store>,
    error_every: AtomicU32,
    /// Requests counted since the error rate was last set.
    error_counter: AtomicU64,
    latency_micros: AtomicU64,
    malformed_on: AtomicBool,
    malformed: RwLock<Option<MalformedTarget>>,
    /// `(cluster, plural)` pairs answered 403, as RBAC would.
    forbidden: RwLock<Vec<(String, String)>>,
    no_watch: RwLock<Vec<String>>,
    control: watch::Sender<WatchControl>,
}

impl Faults {
    pub(crate) fn new(store: Arc<Store>) -> Self {
        Self {
            store,
            error_every: AtomicU32::new(0),
            error_counter: AtomicU64::new(0),
            latency_micros: AtomicU64::new(0),
            malformed_on: AtomicBool::new(false),
            malformed: RwLock::new(None),
            forbidden: RwLock::new(Vec::new()),
            no_watch: RwLock::new(Vec::new()),
            control: watch::Sender::new(WatchControl::default()),
        }
    }

    /// Ends every open watch stream at once (a clean end of the chunked body), as an API server
    /// restart would; clients re-watch from their last resourceVersion. Connections stay open.
    pub fn drop_watches(&self) {
        self.control.send_modify(|c| c.drops += 1);
    }

    /// Every `every_nth` request (counting from this call, on every server of this emulator) is
    /// answered `500 InternalError` with a `Status` body; `0` turns it off.
    pub fn set_error_rate(&self, every_nth: u32) {
        self.error_counter.store(0, Ordering::SeqCst);
        self.error_every.store(every_nth, Ordering::SeqCst);
    }

    /// Delays the start of every response (a watch's headers, not each of its events).
    pub fn set_latency(&self, latency: Duration) {
        self.latency_micros
            .store(latency.as_micros() as u64, Ordering::SeqCst);
    }

    /// Compacts every cluster's history, so that a watch resuming from any resourceVersion
    /// handed out so far, and any continue token issued so far, is answered 410 Expired; open
    /// watch streams get an `ERROR` event with a 410 `Expired` Status and end (clients relist).
    pub fn expire_watches(&self) {
        for cluster in self.store.all() {
            cluster.compact();
        }
        self.control.send_modify(|c| c.expiries += 1);
    }

    /// Serves one object garbled, in lists, gets and watch events, until cleared with `None`.
    /// The target is `(cluster, kind plural, name)`; the plural is matched in every group and
    /// the name in every namespace. The stored object is not changed; what is served keeps its
    /// `apiVersion`, `kind` and `metadata` (so lists, watches and resourceVersions still work),
    /// but `status` becomes the string `"garbage"` and `spec.replicas` becomes the string
    /// `"three"` (`spec` is created if absent, and replaced by `{"replicas":"three"}` if it is
    /// not an object). Any typed model with a `status` struct fails to decode it.
    pub fn set_malformed(&self, target: Option<(&str, &str, &str)>) {
        self.set_target(target, false);
    }

    /// Like [`Faults::set_malformed`] (and replacing it), but garbles the object's `metadata`:
    /// `labels` becomes the string `"garbage"`, while
    /// `name`, `namespace`, `uid` and `resourceVersion` stay, so lists and watches still work
    /// and only a client that decodes the object's metadata as a whole stumbles (kube-rs's
    /// `ObjectMeta` does, failing the whole list).
    pub fn set_malformed_metadata(&self, target: Option<(&str, &str, &str)>) {
        self.set_target(target, true);
    }

    fn set_target(&self, target: Option<(&str, &str, &str)>, metadata: bool) {
        let target = target.map(|(cluster, plural, name)| MalformedTarget {
            cluster: cluster.to_string(),
            plural: plural.to_string(),
            name: name.to_string(),
            metadata,
        });
        let on = target.is_some();
        *self.malformed.write().unwrap_or_else(|e| e.into_inner()) = target;
        self.malformed_on.store(on, Ordering::SeqCst);
    }

    /// Answers every request for one kind (by plural, in every group) on one cluster
    /// `403 Forbidden`, as RBAC would for a user without `list`/`watch` on it; `allow` undoes it.
    pub fn forbid(&self, cluster: &str, plural: &str) {
        let mut f = self.forbidden.write().unwrap_or_else(|e| e.into_inner());
        f.push((cluster.to_string(), plural.to_string()));
    }

    pub fn allow(&self, cluster: &str, plural: &str) {
        let mut f = self.forbidden.write().unwrap_or_else(|e| e.into_inner());
        f.retain(|(c, p)| !(c == cluster && p == plural));
    }

    /// Answers watch requests for one kind (by plural) `405 Method Not Allowed`, as an
    /// aggregated API that only lists may (K10's actions); lists still work.
    pub fn refuse_watch(&self, plural: &str) {
        let mut f = self.no_watch.write().unwrap_or_else(|e| e.into_inner());
        f.push(plural.to_string());
    }

    pub(crate) fn watch_refused(&self, plural: &str) -> bool {
        let f = self.no_watch.read().unwrap_or_else(|e| e.into_inner());
        f.iter().any(|p| p == plural)
    }

    pub(crate) fn is_forbidden(&self, cluster: &str, plural: &str) -> bool {
        let f = self.forbidden.read().unwrap_or_else(|e| e.into_inner());
        f.iter().any(|(c, p)| c == cluster && p == plural)
    }

    /// Whether this request (counted) must fail with a 500.
    pub(crate) fn should_fail_request(&self) -> bool {
        let every = self.error_every.load(Ordering::SeqCst);
        if every == 0 {
            return false;
        }
        let n = self.error_counter.fetch_add(1, Ordering::SeqCst) + 1;
        n.is_multiple_of(u64::from(every))
    }

    pub(crate) fn latency(&self) -> Option<Duration> {
        match self.latency_micros.load(Ordering::SeqCst) {
            0 => None,
            us => Some(Duration::from_micros(us)),
        }
    }

    pub(crate) fn watch_control(&self) -> watch::Receiver<WatchControl> {
        self.control.subscribe()
    }

    /// The garbled JSON to serve instead of `object`, when it is the malformed target.
    pub(crate) fn malformed_bytes(
        &self,
        cluster: &str,
        plural: &str,
        name: &str,
        object: &StoredObject,
    ) -> Option<Bytes> {
        if !self.malformed_on.load(Ordering::Relaxed) {
            return None;
        }
        let guard = self.malformed.read().unwrap_or_else(|e| e.into_inner());
        let target = guard.as_ref()?;
        if target.cluster != cluster || target.plural != plural || target.name != name {
            return None;
        }
        let bad = if target.metadata {
            garble_metadata(&object.value)
        } else {
            garble(&object.value)
        };
        Some(Bytes::from(
            serde_json::to_vec(&bad).expect("a JSON value serializes"),
        ))
    }
}

/// The malformed form of an object; see [`Faults::set_malformed`].
pub(crate) fn garble(object: &Value) -> Value {
    let mut bad = object.clone();
    if let Some(map) = bad.as_object_mut() {
        map.insert("status".into(), json!("garbage"));
        let spec = map.entry("spec").or_insert_with(|| json!({}));
        if !spec.is_object() {
            *spec = json!({});
        }
        spec["replicas"] = json!("three");
    }
    bad
}

/// The object with broken metadata; see [`Faults::set_malformed_metadata`].
pub(crate) fn garble_metadata(object: &Value) -> Value {
    let mut bad = object.clone();
    if let Some(meta) = bad.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("labels".into(), json!("garbage"));
    }
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_rate_counts_from_the_setter() {
        let f = Faults::new(Arc::new(Store::new(10, 10)));
        assert!(!f.should_fail_request());
        f.set_error_rate(3);
        let fails: Vec<bool> = (0..6).map(|_| f.should_fail_request()).collect();
        assert_eq!(fails, [false, false, true, false, false, true]);
        f.set_error_rate(0);
        assert!((0..10).all(|_| !f.should_fail_request()));
    }

    #[test]
    fn garbled_metadata_keeps_identity_and_breaks_types() {
        let obj = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n", "resourceVersion": "7", "labels": {"a": "b"}}});
        let bad = garble_metadata(&obj);
        assert_eq!(bad["metadata"]["name"], "n");
        assert_eq!(bad["metadata"]["resourceVersion"], "7");
        assert_eq!(bad["metadata"]["labels"], "garbage");
        assert_eq!(bad["kind"], "Node");
        assert!(
            serde_json::from_value::<k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>(
                bad["metadata"].clone()
            )
            .is_err()
        );
    }

    #[test]
    fn garble_keeps_identity_and_breaks_types() {
        let obj = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}, "spec": {"podCIDR": "x"}, "status": {"phase": "Ready"}});
        let bad = garble(&obj);
        assert_eq!(bad["metadata"], obj["metadata"]);
        assert_eq!(bad["kind"], "Node");
        assert_eq!(bad["status"], "garbage");
        assert_eq!(bad["spec"], json!({"podCIDR": "x", "replicas": "three"}));
        assert_eq!(
            garble(&json!({"spec": 3}))["spec"],
            json!({"replicas": "three"})
        );
    }
}
