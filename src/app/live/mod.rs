//! Live state: per source (one Kubernetes API server) and per kind, the objects the watchers
//! delivered, each source's connection status, and the rows the live views draw (derived here,
//! once per batch of messages, never while drawing).
//!
//! A *source* is one API server: a root context (the management cluster, from the kubeconfig)
//! or a workload cluster reached through its `<name>-kubeconfig` Secret. Objects stay on screen
//! when their source fails; the failure only marks them stale.

pub mod backup;
pub mod baremetal;
pub mod cluster;
pub mod drill;
pub mod fleet;
pub mod gitops;
pub mod images;
pub mod nodes;
pub mod standards;
pub mod storage;
pub mod summary;
pub mod table;
pub mod views;
pub mod workloads;

use std::collections::{BTreeMap, BTreeSet};

// The messages and types the kube tasks send live in `kube::protocol` (kube never imports the
// core); re-exported here, where the core's code has always found them.
pub use crate::kube::protocol::{Entry, KindStatus, LiveMsg, ObjKey, Scope, SourceId, Want};
use crate::model::kinds::KindInfo;
use crate::model::{LiveObject, Time};

#[derive(Debug, Clone, PartialEq)]
pub struct KindStore {
    pub status: KindStatus,
    pub objects: BTreeMap<ObjKey, Entry>,
    /// When the last list or change arrived.
    pub updated: Option<Time>,
}

impl Default for KindStore {
    fn default() -> Self {
        KindStore {
            status: KindStatus::Syncing,
            objects: BTreeMap::new(),
            updated: None,
        }
    }
}

/// A source's connection state, summarised from its kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceStatus {
    /// Nothing watched yet.
    Idle,
    Connecting,
    Live,
    /// Lost since `since`: the last data stays on screen.
    Stale {
        since: Time,
        error: String,
    },
    /// Every watched kind was refused.
    Forbidden {
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Source {
    pub id: SourceId,
    /// A root context (management cluster) rather than a workload cluster.
    pub root: bool,
    /// Per kind name (`Node`, `Machine`, …).
    pub kinds: BTreeMap<&'static str, KindStore>,
    /// When any message last arrived from this source.
    pub last_event: Option<Time>,
    /// The source could not even be set up (bad context, auth plugin failed).
    pub setup_error: Option<(Time, String)>,
}

impl Source {
    pub fn status(&self) -> SourceStatus {
        if let Some((since, error)) = &self.setup_error {
            return SourceStatus::Stale {
                since: *since,
                error: error.clone(),
            };
        }
        let mut failed: Option<(Time, &str, &str)> = None;
        let mut forbidden = None;
        let (mut live, mut syncing, mut total, mut failing) = (0, 0, 0, 0);
        for (name, store) in &self.kinds {
            match &store.status {
                KindStatus::Failed { since, error } => {
                    total += 1;
                    failing += 1;
                    if failed.is_none_or(|(s, _, _)| *since < s) {
                        failed = Some((*since, name, error));
                    }
                }
                KindStatus::Live => {
                    total += 1;
                    live += 1
                }
                KindStatus::Syncing => {
                    total += 1;
                    syncing += 1
                }
                KindStatus::Forbidden { message } => forbidden = Some(message.clone()),
                KindStatus::NotInstalled => {}
            }
        }
        if let Some((since, name, error)) = failed {
            // Where other kinds answered, the site is not down: one kind's answer was refused
            // (a hostile answer: too large, too slow, garbage). Say which kind.
            let error = if failing < self.kinds.len() {
                format!("{name}: {error}")
            } else {
                error.to_string()
            };
            SourceStatus::Stale { since, error }
        } else if total == 0 {
            match forbidden {
                Some(message) => SourceStatus::Forbidden { message },
                None if self.kinds.is_empty() => SourceStatus::Idle,
                None => SourceStatus::Live,
            }
        } else if live == 0 && syncing > 0 {
            SourceStatus::Connecting
        } else {
            SourceStatus::Live
        }
    }

    pub fn store(&self, kind: &KindInfo) -> Option<&KindStore> {
        self.kinds.get(kind.key)
    }

    /// The parsed objects of a kind (broken ones skipped; see `broken`).
    pub fn objects<'a>(&'a self, kind: &KindInfo) -> impl Iterator<Item = &'a LiveObject> + 'a {
        self.store(kind)
            .into_iter()
            .flat_map(|s| s.objects.values())
            .filter_map(|e| match e {
                Entry::Ok(o) => Some(o),
                Entry::Broken { .. } => None,
            })
    }

    /// The malformed objects of a kind with their errors.
    pub fn broken<'a>(&'a self, kind: &KindInfo) -> impl Iterator<Item = (&'a ObjKey, &'a str)> {
        self.store(kind)
            .into_iter()
            .flat_map(|s| s.objects.iter())
            .filter_map(|(k, e)| match e {
                Entry::Broken { error } => Some((k, error.as_str())),
                Entry::Ok(_) => None,
            })
    }
}

/// What changed in a batch, so only the affected rows are derived again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changed {
    pub kinds: BTreeSet<&'static str>,
    pub sources: bool,
    /// Kinds changed wholesale (a list, a status change), which need a full derive.
    pub whole: BTreeSet<&'static str>,
    /// Single objects applied or deleted, per kind: (source, key).
    pub objects: Vec<(&'static str, SourceId, ObjKey)>,
    /// A kind's first objects in a source arrived (its store was empty: the first page of
    /// its first list, or the whole list): a view still without rows may be waiting for them.
    pub first: bool,
}

impl Changed {
    pub fn any(&self) -> bool {
        self.sources || !self.kinds.is_empty()
    }
    pub fn touches(&self, kinds: &[KindInfo]) -> bool {
        self.sources || kinds.iter().any(|k| self.kinds.contains(k.key))
    }

    /// Only single objects of `kind` changed (no list, no status, nothing else): the rows of
    /// those objects can be patched in place.
    pub fn only_objects_of(&self, kind: &str) -> Option<Vec<(&SourceId, &ObjKey)>> {
        let only = !self.sources
            && self.whole.is_empty()
            && self.kinds.iter().all(|k| *k == kind)
            && self.objects.iter().all(|(k, _, _)| *k == kind);
        only.then(|| self.objects.iter().map(|(_, s, k)| (s, k)).collect())
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveState {
    pub sources: BTreeMap<SourceId, Source>,
    /// The latest time seen in a message (the core never reads the clock).
    pub now: Time,
    pub changed: Changed,
    pub contexts: Vec<String>,
    pub active_contexts: Vec<String>,
    /// The wants last sent to the runtime.
    pub wants: Vec<Want>,
}

impl LiveState {
    pub fn roots(&self) -> impl Iterator<Item = &Source> {
        self.sources.values().filter(|s| s.root)
    }

    pub fn workloads(&self) -> impl Iterator<Item = &Source> {
        self.sources.values().filter(|s| !s.root)
    }

    /// Applies one message; returns whether anything visible changed.
    pub fn apply(&mut self, msg: LiveMsg) -> bool {
        match msg {
            LiveMsg::SourceAdded { source, root } => {
                let s = self.sources.entry(source.clone()).or_default();
                s.id = source;
                s.root = root;
                self.changed.sources = true;
                true
            }
            LiveMsg::SourceRemoved { source } => {
                self.changed.sources = true;
                if let Some(s) = self.sources.remove(&source) {
                    self.changed.kinds.extend(s.kinds.keys().copied());
                }
                true
            }
            LiveMsg::SetupFailed { source, error, at } => {
                self.tick(at);
                let s = self.sources.entry(source.clone()).or_default();
                s.id = source;
                if s.setup_error.as_ref().map(|(_, e)| e) != Some(&error) {
                    let since = s.setup_error.as_ref().map(|(t, _)| *t).unwrap_or(at);
                    s.setup_error = Some((since, error));
                }
                self.changed.sources = true;
                true
            }
            LiveMsg::Status {
                source,
                kind,
                status,
                at,
            } => {
                self.tick(at);
                let Some(s) = self.sources.get_mut(&source) else {
                    return false;
                };
                s.setup_error = None;
                let store = s.kinds.entry(kind.key).or_default();
                let status = match (&store.status, status) {
                    // Keep the first failure time while retries keep failing.
                    (KindStatus::Failed { since, .. }, KindStatus::Failed { error, .. }) => {
                        KindStatus::Failed {
                            since: *since,
                            error,
                        }
                    }
                    (_, st) => st,
                };
                if store.status == status {
                    return false;
                }
                if matches!(
                    status,
                    KindStatus::Forbidden { .. } | KindStatus::NotInstalled
                ) {
                    store.objects.clear();
                }
                store.status = status;
                self.changed.sources = true;
                self.changed.kinds.insert(kind.key);
                true
            }
            // A relist done: the source answers (its setup error is gone) and the kind is live.
            LiveMsg::Reset {
                source,
                kind,
                objects,
                at,
            } => self.replace(&source, kind, objects, at, Some(KindStatus::Live)),
            // A relist done while the kind's watch has yet to prove itself (one answered badly:
            // too slow, too large, not JSON): fresh objects, the marker kept.
            LiveMsg::Relisted {
                source,
                kind,
                objects,
                at,
            } => self.replace(&source, kind, objects, at, None),
            // A page of a relist in progress: the objects so far, still syncing.
            LiveMsg::Page {
                source,
                kind,
                objects,
                at,
            } => self.replace(&source, kind, objects, at, Some(KindStatus::Syncing)),
            LiveMsg::Apply {
                source,
                kind,
                key,
                entry,
                at,
            } => {
                self.tick(at);
                let Some(s) = self.sources.get_mut(&source) else {
                    return false;
                };
                s.last_event = Some(at);
                let store = s.kinds.entry(kind.key).or_default();
                let was_live = store.status == KindStatus::Live;
                store.status = KindStatus::Live;
                store.updated = Some(at);
                // Heartbeat-only changes parse to an equal model: nothing to redraw.
                if store.objects.get(&key) == Some(&entry) && was_live {
                    return false;
                }
                self.changed
                    .objects
                    .push((kind.key, source.clone(), key.clone()));
                store.objects.insert(key, entry);
                if !was_live {
                    self.changed.sources = true;
                }
                self.changed.kinds.insert(kind.key);
                true
            }
            LiveMsg::Delete {
                source,
                kind,
                key,
                at,
            } => {
                self.tick(at);
                let Some(s) = self.sources.get_mut(&source) else {
                    return false;
                };
                s.last_event = Some(at);
                let Some(store) = s.kinds.get_mut(kind.key) else {
                    return false;
                };
                store.updated = Some(at);
                if store.objects.remove(&key).is_none() {
                    return false;
                }
                self.changed.objects.push((kind.key, source, key));
                self.changed.kinds.insert(kind.key);
                true
            }
            LiveMsg::Stopped { source, kind } => {
                if let Some(s) = self.sources.get_mut(&source)
                    && s.kinds.remove(kind.key).is_some()
                {
                    self.changed.sources = true;
                    self.changed.kinds.insert(kind.key);
                    return true;
                }
                false
            }
            LiveMsg::Contexts { available, active } => {
                self.contexts = available;
                self.active_contexts = active;
                true
            }
            // The drill-down's streams go to `drill::stream_msg`, not to the store.
            LiveMsg::LogLines { .. } | LiveMsg::Events { .. } | LiveMsg::StreamEnded { .. } => {
                false
            }
        }
    }

    fn tick(&mut self, at: Time) {
        self.now = self.now.max(at);
    }

    /// A kind's objects in a source replaced whole (`Reset`, `Page`, `Relisted`), with the
    /// status it now has (`None`: the one it had); a complete list (`Live`, or the status
    /// kept) also clears the source's setup error and marks the kind updated.
    fn replace(
        &mut self,
        source: &SourceId,
        kind: &'static KindInfo,
        objects: Vec<(ObjKey, Entry)>,
        at: Time,
        status: Option<KindStatus>,
    ) -> bool {
        self.tick(at);
        let Some(s) = self.sources.get_mut(source) else {
            return false;
        };
        s.last_event = Some(at);
        let live = status.as_ref().is_none_or(|st| *st == KindStatus::Live);
        if live {
            s.setup_error = None;
        }
        let store = s.kinds.entry(kind.key).or_default();
        let was_empty = store.objects.is_empty();
        store.objects = objects.into_iter().collect();
        if let Some(status) = status {
            store.status = status;
        }
        if was_empty && !store.objects.is_empty() {
            self.changed.first = true;
        }
        if live {
            store.updated = Some(at);
        }
        self.changed.sources = true;
        self.changed.kinds.insert(kind.key);
        self.changed.whole.insert(kind.key);
        true
    }

    /// Every object of a kind across the sources of a scope.
    pub fn all<'a>(
        &'a self,
        roots: bool,
        kind: &'a KindInfo,
    ) -> impl Iterator<Item = (&'a Source, &'a LiveObject)> + 'a {
        self.sources
            .values()
            .filter(move |s| s.root == roots)
            .flat_map(move |s| s.objects(kind).map(move |o| (s, o)))
    }

    /// The status of a kind on the roots, for views that depend on it: the first not-live one.
    pub fn kind_problem(&self, kind: &KindInfo) -> Option<String> {
        for s in self.roots() {
            match s.store(kind).map(|k| &k.status) {
                Some(KindStatus::Forbidden { message }) => {
                    return Some(format!("{}: {} forbidden: {message}", s.id, kind.plural));
                }
                Some(KindStatus::NotInstalled) => {
                    return Some(format!(
                        "{}: {} not installed ({} not served)",
                        s.id, kind.key, kind.group
                    ));
                }
                _ => {}
            }
        }
        None
    }
}

/// An age as kubectl prints it: `45s`, `3m10s`, `3h12m`, `5d3h`, `2y45d` (see
/// `model::human_duration`).
pub fn age(now: Time, then: Time) -> String {
    crate::model::human_duration(jiff::SignedDuration::from_secs(now.saturating_sub(then)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kinds::NODE;

    fn node(name: &str, ready: &str, heartbeat: &str) -> Entry {
        let v = serde_json::json!({
            "apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
            "status": {"conditions": [{"type": "Ready", "status": ready,
                "lastHeartbeatTime": heartbeat, "lastTransitionTime": "2026-11-01T00:00:00Z"}]}
        });
        Entry::Ok(crate::model::parse(&NODE, &v).unwrap().unwrap())
    }

    fn live_with_node() -> LiveState {
        let mut l = LiveState::default();
        l.apply(LiveMsg::SourceAdded {
            source: "edge".into(),
            root: false,
        });
        l.apply(LiveMsg::Reset {
            source: "edge".into(),
            kind: &NODE,
            objects: vec![(
                ObjKey::new(None, "n1"),
                node("n1", "True", "2026-11-24T10:00:00Z"),
            )],
            at: 100,
        });
        l.changed = Changed::default();
        l
    }

    #[test]
    fn heartbeats_change_nothing_but_conditions_do() {
        let mut l = live_with_node();
        let beat = |ready: &str, hb: &str| LiveMsg::Apply {
            source: "edge".into(),
            kind: &NODE,
            key: ObjKey::new(None, "n1"),
            entry: node("n1", ready, hb),
            at: 110,
        };
        assert!(!l.apply(beat("True", "2026-11-24T10:00:40Z")));
        assert!(!l.changed.any());
        assert!(l.apply(beat("False", "2026-11-24T10:01:20Z")));
        assert!(l.changed.kinds.contains("Node"));
        assert_eq!(l.now, 110);
    }

    #[test]
    fn a_failing_source_keeps_its_objects_and_first_failure_time() {
        let mut l = live_with_node();
        let fail = |at: Time, error: &str| LiveMsg::Status {
            source: "edge".into(),
            kind: &NODE,
            status: KindStatus::Failed {
                since: at,
                error: error.into(),
            },
            at,
        };
        l.apply(fail(200, "connection refused"));
        l.apply(fail(230, "connection refused again"));
        let s = &l.sources["edge"];
        assert_eq!(
            s.status(),
            SourceStatus::Stale {
                since: 200,
                error: "connection refused again".into()
            }
        );
        assert_eq!(s.objects(&NODE).count(), 1, "stale data stays");
        // A relist makes it live again, replacing the objects at once.
        l.apply(LiveMsg::Reset {
            source: "edge".into(),
            kind: &NODE,
            objects: vec![],
            at: 260,
        });
        assert_eq!(l.sources["edge"].status(), SourceStatus::Live);
    }

    /// One kind refused (a hostile answer) while another answers: the site's error names the
    /// kind, as the console's view of that kind does by its title; a site that is down (every
    /// kind failing) says only why.
    #[test]
    fn a_site_with_one_failing_kind_names_it() {
        use crate::model::kinds::PERSISTENT_VOLUME;
        let mut l = live_with_node();
        let fail = |kind, error: &str| LiveMsg::Status {
            source: "edge".into(),
            kind,
            status: KindStatus::Failed {
                since: 200,
                error: error.into(),
            },
            at: 200,
        };
        l.apply(fail(
            &PERSISTENT_VOLUME,
            "answer too large: 200 MB > 64 MB cap ([limits] max_answer_mb)",
        ));
        assert_eq!(
            l.sources["edge"].status(),
            SourceStatus::Stale {
                since: 200,
                error: "PersistentVolume: answer too large: 200 MB > 64 MB cap ([limits] max_answer_mb)"
                    .into()
            }
        );
        l.apply(fail(&NODE, "connection refused"));
        assert!(matches!(
            l.sources["edge"].status(),
            SourceStatus::Stale { error, .. } if !error.contains(':')
        ));
    }

    #[test]
    fn forbidden_clears_a_kind_and_stopped_drops_it() {
        let mut l = live_with_node();
        l.apply(LiveMsg::Status {
            source: "edge".into(),
            kind: &NODE,
            status: KindStatus::Forbidden {
                message: "nodes is forbidden".into(),
            },
            at: 300,
        });
        let s = &l.sources["edge"];
        assert_eq!(s.objects(&NODE).count(), 0);
        assert!(matches!(s.status(), SourceStatus::Forbidden { .. }));
        l.apply(LiveMsg::Stopped {
            source: "edge".into(),
            kind: &NODE,
        });
        assert_eq!(l.sources["edge"].status(), SourceStatus::Idle);
    }

    #[test]
    fn ages() {
        assert_eq!(age(100, 55), "45s");
        assert_eq!(age(1000, 280), "12m");
        assert_eq!(age(100_000, 0), "27h");
        assert_eq!(age(0, 1), "0s", "a second of clock skew is now");
        assert_eq!(
            age(0, 100),
            "<invalid>",
            "as kubectl says of a time ahead of the clock"
        );
    }
}
