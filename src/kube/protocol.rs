//! What the kube tasks and the core say to each other: the messages the watchers and the
//! supervisor send (`LiveMsg` and the types in it) and the commands the supervisor takes.
//!
//! These live on the kube side so that `kube` never imports the core: the supervisor sends
//! `LiveMsg` over a channel of its own, and the runtime wraps each one into the core's message
//! (`forward`). `crate::app::live` re-exports them for the core's code.

use tokio::sync::mpsc;

use crate::model::kinds::KindInfo;
use crate::model::{LiveObject, Time};

/// A source's id: the context name of a root, the Cluster API cluster name of a workload.
pub type SourceId = String;

/// Namespace and name: an object's key within its source and kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjKey {
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjKey {
    pub fn new(namespace: Option<&str>, name: &str) -> ObjKey {
        ObjKey {
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
        }
    }
}

impl std::fmt::Display for ObjKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{ns}/{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// One live object, or what we know of one that did not parse.
// Entries live inline in the stores' maps; boxing would add an allocation per object and save
// nothing (almost every entry is the large variant).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Ok(LiveObject),
    /// Served but malformed: shown as broken with the parse error, never dropped.
    Broken {
        error: String,
    },
}

/// Where a kind's watch stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindStatus {
    /// Listing for the first time.
    Syncing,
    Live,
    /// The watch failed at `since` and is being retried; the objects are the last ones seen.
    Failed {
        since: Time,
        error: String,
    },
    /// RBAC said no: the views that need this kind say so instead of failing.
    Forbidden {
        message: String,
    },
    /// The API group is not served by this cluster (e.g. no Sidero on it).
    NotInstalled,
}

/// Which sources a watch is wanted on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Every root context (the management clusters).
    Roots,
    /// Every workload cluster reachable through its kubeconfig Secret.
    Workloads,
    /// One workload cluster.
    Workload(String),
}

/// A watch the views on screen need: the runtime starts what is missing and stops what is no
/// longer wanted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Want {
    pub scope: Scope,
    pub kind: KindInfo,
}

/// From the kube tasks to the core.
#[allow(clippy::large_enum_variant)] // moved once, through a bounded channel
#[derive(Debug, Clone, PartialEq)]
pub enum LiveMsg {
    /// A source appeared (a root context set up, a workload kubeconfig found).
    SourceAdded { source: SourceId, root: bool },
    /// A source went away (its kubeconfig Secret deleted, a context switched off).
    SourceRemoved { source: SourceId },
    /// The source could not be set up (bad context, auth plugin error); retried.
    SetupFailed {
        source: SourceId,
        error: String,
        at: Time,
    },
    Status {
        source: SourceId,
        kind: &'static KindInfo,
        status: KindStatus,
        at: Time,
    },
    /// A complete list (first sync or relist): replaces the kind's objects at once, so a
    /// relist after a 410 never blanks the screen.
    Reset {
        source: SourceId,
        kind: &'static KindInfo,
        objects: Vec<(ObjKey, Entry)>,
        at: Time,
    },
    /// A complete list while the kind stays marked failed: a watch of it answered badly (too
    /// slow, too large, not JSON) and none has proved itself since (`watch::WatchHold`).
    /// Replaces the objects as `Reset` does, but keeps the kind's status, so a server that
    /// trickles or garbles every watch does not flip its site between stale and live on each
    /// relist.
    Relisted {
        source: SourceId,
        kind: &'static KindInfo,
        objects: Vec<(ObjKey, Entry)>,
        at: Time,
    },
    /// The objects of a first list so far (its first page): shown at once, the kind still
    /// syncing until its `Reset`.
    Page {
        source: SourceId,
        kind: &'static KindInfo,
        objects: Vec<(ObjKey, Entry)>,
        at: Time,
    },
    Apply {
        source: SourceId,
        kind: &'static KindInfo,
        key: ObjKey,
        entry: Entry,
        at: Time,
    },
    Delete {
        source: SourceId,
        kind: &'static KindInfo,
        key: ObjKey,
        at: Time,
    },
    /// The watch was stopped because no view needs it: its objects are dropped.
    Stopped {
        source: SourceId,
        kind: &'static KindInfo,
    },
    /// The kubeconfig's contexts and which of them are watched.
    Contexts {
        available: Vec<String>,
        active: Vec<String>,
    },
    /// New lines of the log stream `id` (each cut to a bounded length).
    LogLines { id: u64, lines: Vec<String> },
    /// The Events of stream `id`, newest first (at most `stream::MAX_EVENTS`).
    Events {
        id: u64,
        events: Vec<crate::model::Event>,
    },
    /// Stream `id` ended: the log's end, or the error the API server gave.
    StreamEnded { id: u64, error: Option<String> },
}

impl LiveMsg {
    /// A message of a drill-down stream, not of the watched objects.
    pub fn stream_id(&self) -> Option<u64> {
        match self {
            LiveMsg::LogLines { id, .. }
            | LiveMsg::Events { id, .. }
            | LiveMsg::StreamEnded { id, .. } => Some(*id),
            _ => None,
        }
    }
}

/// Requests to the supervisor.
#[derive(Debug, Clone)]
pub enum Command {
    /// The complete set of watches the views need now.
    Want(Vec<Want>),
    /// Watch these contexts of the kubeconfig (the context switcher).
    UseContexts(Vec<String>),
    /// Start a stream (a Pod's log, the Events of one object); one with the same id replaces it.
    Stream(StreamReq),
    /// Stop the stream with this id.
    StopStream(u64),
}

/// A stream the drill-down views want: read only (`pods/log` get, Events list and watch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamReq {
    pub id: u64,
    pub source: SourceId,
    pub what: StreamWhat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamWhat {
    /// A container's log: the last `tail_lines`, then new lines while `follow`.
    Logs {
        namespace: String,
        pod: String,
        container: String,
        tail_lines: i64,
        follow: bool,
        previous: bool,
    },
    /// The Events whose involvedObject is this object (a field-selected list and watch).
    Events {
        kind: String,
        namespace: Option<String>,
        name: String,
    },
}

/// Forwards the supervisor's messages into a channel of another message type (the core's
/// `Msg::Live`), until either side closes.
pub fn forward<M: Send + 'static>(
    mut rx: mpsc::Receiver<LiveMsg>,
    tx: mpsc::Sender<M>,
    wrap: fn(LiveMsg) -> M,
) {
    tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if tx.send(wrap(m)).await.is_err() {
                break;
            }
        }
    });
}
