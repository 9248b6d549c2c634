//! One watch: one kind on one cluster, parsed into our models and sent to the core.
//!
//! The task resolves the kind through discovery (`super::discovery`: the best version the
//! console knows among those that serve the kind, its plural and verbs), then runs kube-runtime's watcher (list, then watch from the list's resourceVersion;
//! it relists by itself after a 410 Gone). A complete list arrives as one `Reset`, so a relist
//! replaces the objects at once and never blanks the screen. Any other error ends that watcher:
//! the error is reported (the core marks the source stale and keeps its objects), and after a
//! capped exponential backoff (0.8 s doubling to 30 s) a new watcher lists again; its `Reset`
//! marks the source live. A 404 under the watch (a CRD deleted or upgraded) looks the group up
//! again at once. A kind served without the `watch` verb is listed every `POLL_EVERY` instead.
//! Each object is kept as its text (`super::raw::RawObject`) and decoded on its own straight
//! into its model, no JSON tree between: a malformed one is a broken row, never a failed list.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::api::{Api, ApiResource, ListParams};
use kube::runtime::watcher::{self, DefaultBackoff, Event};
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use super::discovery::{Discovery, Resolution};
use super::now;
use super::protocol::{Entry, KindStatus, LiveMsg, ObjKey, SourceId};
use crate::model::kinds::{self, KindInfo};

/// How the watch stands after an error.
enum Failure {
    Forbidden(String),
    NotInstalled,
    /// The watcher relists by itself (410 Gone): not a failure the user needs to see.
    Relisting,
    /// The server lists but does not watch this resource (405, as an aggregated API such as
    /// K10's actions may answer): list it again every `POLL_EVERY` instead.
    WatchUnsupported,
    /// The watch's answer was refused after its list came whole: too slow (an event begun and
    /// not finished within the slow bound, or silence past the watch's own timeout, twice in
    /// a row), an event too large (`guard`), or lines that are not JSON. The server answers,
    /// but badly: see [`WatchHold`].
    BadWatch(String),
    Other(String),
}

/// Where a kind is watched: across namespaces, except the benchmark report ConfigMaps, which
/// are read in `blast-system` only and only with the `blast.io/report` label (no other
/// ConfigMap is ever read, so RBAC needs no more than get/list/watch on configmaps there).
pub fn selection(kind: &KindInfo) -> (Option<&'static str>, Option<&'static str>) {
    if *kind == kinds::CONFIG_MAP {
        (
            Some(crate::standards::NAMESPACE),
            Some(crate::standards::REPORT_LABEL),
        )
    } else {
        (None, None)
    }
}

/// How often a kind that cannot be watched is listed again.
const POLL_EVERY: Duration = Duration::from_secs(30);

/// How often a kind that is not installed is looked up again (its CRD may come).
const NOT_INSTALLED_RECHECK: Duration = Duration::from_secs(30);

/// Objects per page of a list.
const PAGE: u32 = 500;

/// How long one page of a list may take to arrive, its headers included: the answer's own
/// bound (`guard`'s `slow`, which says how many bytes came) and this much more.
const PAGE_GRACE: Duration = Duration::from_secs(30);

fn slow(limit: Duration) -> String {
    format!(
        "the server did not send a page of the list within {} s",
        limit.as_secs_f32()
    )
}

fn classify(e: &watcher::Error) -> Failure {
    let api = match e {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => Some(s.as_ref()),
        watcher::Error::WatchError(s) => Some(s.as_ref()),
        _ => None,
    };
    match api {
        Some(s) if s.code == 403 => Failure::Forbidden(s.message.clone()),
        Some(s) if s.code == 404 => Failure::NotInstalled,
        Some(s) if s.code == 410 => Failure::Relisting,
        Some(s) if s.code == 405 && !matches!(e, watcher::Error::InitialListFailed(_)) => {
            Failure::WatchUnsupported
        }
        Some(s) => Failure::Other(format!("{} {}: {}", s.code, s.reason, s.message)),
        None => match e {
            watcher::Error::InitialListFailed(kube::Error::SerdeError(j)) => {
                Failure::Other(undecodable("list answer", j))
            }
            watcher::Error::WatchStartFailed(kube::Error::SerdeError(j))
            | watcher::Error::WatchFailed(kube::Error::SerdeError(j)) => {
                Failure::Other(undecodable("watch answer", j))
            }
            _ => Failure::Other(short_error(e)),
        },
    }
}

/// What an answer that did not decode (`what`: "list answer", "watch answer") says, in an
/// operator's words: `Pod: watch answer is not valid JSON (expected value at line 1 column
/// 10)`. The one place a decoding error becomes a marker. Never any of the answer's bytes (a
/// hostile or broken server may send Secret data or escape sequences): serde's syntax
/// messages name only what was expected and where; its data messages quote the value
/// (`invalid type: string "…"`), so of those only the position is kept.
pub(crate) fn undecodable(what: &str, e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax => format!("{what} is not valid JSON ({e})"),
        Category::Eof => format!("{what} is cut short ({e})"),
        Category::Data => format!(
            "{what} is JSON of the wrong shape (a value at line {} column {} is not what Kubernetes sends)",
            e.line(),
            e.column()
        ),
        Category::Io => format!("{what} could not be read"),
    }
}

/// The innermost cause of an error, which says what happened ("Connection refused"); an
/// answer that did not decode as [`undecodable`] says it.
pub(crate) fn short_error(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = String::new();
    let mut cur = Some(e);
    while let Some(s) = cur {
        // As itself, or inside an `io::Error` (whose `source` skips what it wraps).
        let inner = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|e| e as &(dyn std::error::Error + 'static));
        if let Some(j) = [Some(s), inner]
            .into_iter()
            .flatten()
            .find_map(|e| e.downcast_ref::<serde_json::Error>())
        {
            return undecodable("answer", j);
        }
        msg = s.to_string();
        cur = s.source();
    }
    if msg.len() > 200 {
        // At a character's boundary: `truncate` panics inside one.
        let cut = (0..=200).rev().find(|&i| msg.is_char_boundary(i));
        msg.truncate(cut.unwrap_or(0));
    }
    msg
}

pub use super::raw::RawObject;

/// The key of an object as the stores know it.
fn key_of(obj: &RawObject) -> ObjKey {
    let name = match &obj.metadata.name {
        Some(n) => n.clone(),
        None => "(no name)".to_string(),
    };
    ObjKey::new(obj.metadata.namespace.as_deref(), &name)
}

/// Parses one object into the core's entry; malformed objects (metadata included) become
/// `Entry::Broken` with the error naming the field.
pub fn entry(kind: &KindInfo, obj: RawObject) -> (ObjKey, Entry) {
    let key = key_of(&obj);
    if let Some(error) = obj.problem {
        return (key, Entry::Broken { error });
    }
    let e = match crate::model::parse(kind, &*obj.json) {
        Ok(Some(o)) => Entry::Ok(o),
        Ok(None) => Entry::Broken {
            error: format!("{} is not modelled", kind.kind),
        },
        Err(err) => Entry::Broken {
            error: err.to_string(),
        },
    };
    (key, e)
}

/// Runs the watch until the task is aborted.
pub async fn run(
    discovery: Arc<Discovery>,
    source: SourceId,
    kind: &'static KindInfo,
    tx: mpsc::Sender<LiveMsg>,
) {
    let slow = super::guard::current().slow;
    run_with(discovery, source, kind, tx, slow + PAGE_GRACE, 2 * slow).await
}

/// [`run`] with another limit on the time a page of a list may take, and another probation
/// for a watch whose answer was refused ([`WatchHold`]; `run` gives it twice the slow bound).
pub async fn run_with(
    discovery: Arc<Discovery>,
    source: SourceId,
    kind: &'static KindInfo,
    tx: mpsc::Sender<LiveMsg>,
    page_timeout: Duration,
    probation: Duration,
) {
    let send = |m: LiveMsg| {
        let tx = tx.clone();
        async move { tx.send(m).await.is_ok() }
    };
    let status = |status: KindStatus| LiveMsg::Status {
        source: source.clone(),
        kind,
        status,
        at: now(),
    };
    let mut backoff = DefaultBackoff::default();
    // The server advertised `watch` but refused it (405, as an aggregated API may).
    let mut refused_watch = false;
    // The kind was listed at least once. A 403 after that (an API server just restarted
    // answers 403 until its RBAC caches are filled; or a grant was revoked) leaves the last
    // objects on screen marked stale with the reason, instead of blanking them as a kind the
    // user may never read.
    let mut listed = false;
    // Whether a watch whose answer was refused has proved itself since (relists in between
    // keep the kind marked).
    let mut hold = WatchHold::default();
    let refused = |message: String, listed: bool| {
        if listed {
            KindStatus::Failed {
                since: now(),
                error: format!("forbidden: {message}"),
            }
        } else {
            KindStatus::Forbidden { message }
        }
    };
    loop {
        let served = match discovery.resolve(kind).await {
            Resolution::Served(s) if s.list => s,
            Resolution::Served(_) | Resolution::NotInstalled => {
                if !send(status(KindStatus::NotInstalled)).await {
                    return;
                }
                // CRDs may be installed later: ask the server again then.
                let asked = Instant::now();
                tokio::time::sleep(NOT_INSTALLED_RECHECK).await;
                discovery.forget_older_than(kind.group, asked);
                continue;
            }
            Resolution::Forbidden(message) => {
                if !send(status(refused(message, listed))).await {
                    return;
                }
                tokio::time::sleep(backoff.next().unwrap_or_default()).await;
                continue;
            }
            Resolution::Failed(error) => {
                let st = KindStatus::Failed {
                    since: now(),
                    error,
                };
                if !send(status(st)).await {
                    return;
                }
                tokio::time::sleep(backoff.next().unwrap_or_default()).await;
                continue;
            }
        };
        let ar = ApiResource {
            group: kind.group.to_string(),
            version: served.version.clone(),
            api_version: kinds::api_version(kind.group, &served.version),
            kind: kind.kind.to_string(),
            plural: served.plural.clone(),
        };
        let started = Instant::now();
        let (namespace, _) = selection(kind);
        let api: Api<RawObject> = match namespace {
            Some(ns) => Api::namespaced_with(discovery.client(), ns, &ar),
            None => Api::all_with(discovery.client(), &ar),
        };
        debug!(source = %source, kind = kind.kind, version = %served.version, watch = served.watch, "watch started");
        let ended = if served.watch && !refused_watch {
            watch_kind(
                &api,
                &source,
                kind,
                &tx,
                &mut backoff,
                Pace {
                    page_timeout,
                    probation,
                },
                &mut listed,
                &mut hold,
            )
            .await
        } else {
            poll_kind(&api, &source, kind, &tx, page_timeout, &mut listed).await
        };
        if let Ended::Failed(f) = &ended {
            hold.ended(matches!(f, Failure::BadWatch(_)));
        }
        let wait = match ended {
            Ended::Closed => return,
            Ended::Failed(Failure::NotInstalled) => {
                // The resource went away under the watch (CRD deleted, or upgraded so that
                // this version no longer serves it): look the group up again at once.
                discovery.forget_older_than(kind.group, started);
                match discovery.resolve(kind).await {
                    Resolution::Served(s) if s != served => {
                        info!(source = %source, kind = kind.kind, version = %s.version, "kind moved; watching again");
                        continue;
                    }
                    _ => {
                        if !send(status(KindStatus::NotInstalled)).await {
                            return;
                        }
                        NOT_INSTALLED_RECHECK
                    }
                }
            }
            Ended::Failed(Failure::Forbidden(message)) => {
                warn!(source = %source, kind = kind.kind, "forbidden");
                if !send(status(refused(message, listed))).await {
                    return;
                }
                backoff.next().unwrap_or_default()
            }
            Ended::Failed(Failure::WatchUnsupported) => {
                // The list arrived (and stays on screen, live): list again later.
                debug!(source = %source, kind = kind.kind, "no watch; polling");
                refused_watch = true;
                POLL_EVERY
            }
            Ended::Failed(Failure::Relisting) => Duration::ZERO,
            Ended::Failed(Failure::Other(error) | Failure::BadWatch(error)) => {
                warn!(source = %source, kind = kind.kind, %error, "watch failed");
                let st = KindStatus::Failed {
                    since: now(),
                    error,
                };
                if !send(status(st)).await {
                    return;
                }
                backoff.next().unwrap_or_default()
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// The time bounds of one watcher.
#[derive(Debug, Clone, Copy)]
struct Pace {
    /// Longest wait for a page of a list.
    page_timeout: Duration,
    /// How long a watch after a refused one must run calm ([`WatchHold`]).
    probation: Duration,
}

/// Whether a kind whose watch answered badly may be shown live again.
///
/// The rule: once a watch's answer is refused after its list came whole ([`Failure::BadWatch`]:
/// too slow, an event too large, lines that are not JSON), the kind stays marked with that
/// reason until a watch proves itself: it delivers an event (an `Apply` or `Delete`, which
/// marks the kind live in the core), or it runs a probation (twice `[limits]
/// slow_answer_secs`) from its list, or from its last stall, without stalling or failing. The
/// relists in between replace the objects (`LiveMsg::Relisted`: fresh, still marked, the
/// marker's "since" kept) but do not mark the kind live, and the backoff between them keeps
/// growing. Without this a server that trickles (or garbles) every watch flipped its site
/// between stale and live on each relist, and the wall and the header blinked. Failures of
/// the connection (a server restarting) do not hold: the first whole list is live again.
#[derive(Debug, Default, PartialEq)]
struct WatchHold {
    /// A watch answered badly, and none has proved itself since.
    held: bool,
    /// Since when the watch on probation has run without a stall.
    calm_since: Option<Instant>,
}

impl WatchHold {
    /// A watcher ended; `bad`: its watch's answer was refused.
    fn ended(&mut self, bad: bool) {
        self.held |= bad;
        self.calm_since = None;
    }

    /// A list is complete: whether the kind is live now. If not, the watch after it is on
    /// probation from `now`.
    fn listed(&mut self, now: Instant) -> bool {
        if self.held {
            self.calm_since = Some(now);
        }
        !self.held
    }

    /// The watch stalled once (it is watched again): its probation starts over.
    fn stalled(&mut self, now: Instant) {
        if self.calm_since.is_some() {
            self.calm_since = Some(now);
        }
    }

    /// An event came in time: the watch has proved itself.
    fn event(&mut self) {
        *self = WatchHold::default();
    }

    /// When the watch on probation will have proved itself, if one is.
    fn due(&self, probation: Duration) -> Option<Instant> {
        self.calm_since.map(|t| t + probation)
    }

    /// Whether the probation has passed at `now` (then the kind is live again).
    fn passed(&mut self, now: Instant, probation: Duration) -> bool {
        let passed = self.due(probation).is_some_and(|due| due <= now);
        if passed {
            *self = WatchHold::default();
        }
        passed
    }
}

/// Whether a watcher's error is its answer refused (by `guard`'s bounds, or lines that are not
/// JSON) rather than the connection failing or the server saying no.
fn refused_answer(e: &watcher::Error) -> bool {
    super::guard::Refusal::find(e).is_some()
        || matches!(
            e,
            watcher::Error::WatchFailed(kube::Error::SerdeError(_))
                | watcher::Error::WatchStartFailed(kube::Error::SerdeError(_))
        )
}

/// How a watcher or a poll ended.
enum Ended {
    /// The core went away.
    Closed,
    Failed(Failure),
}

/// Lists, then watches, until an error other than a 410 (after which the watcher relists by
/// itself).
// The watcher's inputs and the task's state it updates; bundling them would only rename them.
#[allow(clippy::too_many_arguments)]
async fn watch_kind(
    api: &Api<RawObject>,
    source: &SourceId,
    kind: &'static KindInfo,
    tx: &mpsc::Sender<LiveMsg>,
    backoff: &mut DefaultBackoff,
    pace: Pace,
    listed: &mut bool,
    hold: &mut WatchHold,
) -> Ended {
    let Pace {
        page_timeout,
        probation,
    } = pace;
    let mut cfg = watcher::Config::default().page_size(PAGE);
    if let (_, Some(labels)) = selection(kind) {
        cfg = cfg.labels(labels);
    }
    let mut stream = watcher::watcher(api.clone(), cfg).boxed();
    let mut buffer: Vec<(ObjKey, Entry)> = Vec::new();
    // While listing, each page must come within `page_timeout` (a server trickling its answer
    // would hold the kind "syncing" forever); a watch may idle as long as it likes.
    let mut listing = true;
    // The watch stalled (an event begun and not finished in time, or silence past its own
    // timeout: `guard`) since its last event: the watcher watches again from where it was
    // once; a second stall in a row ends it, and the kind is marked with the reason.
    let mut stalled = false;
    loop {
        let next = if listing {
            match tokio::time::timeout(page_timeout, stream.next()).await {
                Ok(n) => n,
                Err(_) => return Ended::Failed(Failure::Other(slow(page_timeout))),
            }
        } else if let Some(due) = hold.due(probation) {
            // A watch on probation: calm until `due`, it has proved itself.
            match tokio::time::timeout_at(tokio::time::Instant::from_std(due), stream.next()).await
            {
                Ok(n) => n,
                Err(_) => {
                    if hold.passed(Instant::now(), probation) {
                        info!(source = %source, kind = kind.kind, "watch calm again; live");
                        let live = LiveMsg::Status {
                            source: source.clone(),
                            kind,
                            status: KindStatus::Live,
                            at: now(),
                        };
                        if tx.send(live).await.is_err() {
                            return Ended::Closed;
                        }
                        *backoff = DefaultBackoff::default();
                    }
                    continue;
                }
            }
        } else {
            stream.next().await
        };
        let Some(ev) = next else { break };
        let msg = match ev {
            Ok(Event::Init) => {
                listing = true;
                buffer.clear();
                continue;
            }
            Ok(Event::InitApply(o)) => {
                buffer.push(entry(kind, o));
                // The first page of the first list goes to the screen at once (still syncing:
                // `blast status` and the views wait for the whole list); a relist keeps the
                // last complete list on screen until it is done.
                if !*listed && buffer.len() == PAGE as usize {
                    let first = LiveMsg::Page {
                        source: source.clone(),
                        kind,
                        objects: buffer.clone(),
                        at: now(),
                    };
                    if tx.send(first).await.is_err() {
                        return Ended::Closed;
                    }
                }
                continue;
            }
            Ok(Event::InitDone) => {
                listing = false;
                *listed = true;
                info!(source = %source, kind = kind.kind, objects = buffer.len(), "listed");
                let objects = std::mem::take(&mut buffer);
                if hold.listed(Instant::now()) {
                    *backoff = DefaultBackoff::default();
                    LiveMsg::Reset {
                        source: source.clone(),
                        kind,
                        objects,
                        at: now(),
                    }
                } else {
                    // Fresh objects, the marker kept: the watch has yet to prove itself (and
                    // the backoff keeps growing, so a trickling server is relisted ever less).
                    LiveMsg::Relisted {
                        source: source.clone(),
                        kind,
                        objects,
                        at: now(),
                    }
                }
            }
            Ok(Event::Apply(o)) => {
                stalled = false;
                hold.event();
                let (key, entry) = entry(kind, o);
                LiveMsg::Apply {
                    source: source.clone(),
                    kind,
                    key,
                    entry,
                    at: now(),
                }
            }
            Ok(Event::Delete(o)) => {
                stalled = false;
                hold.event();
                LiveMsg::Delete {
                    source: source.clone(),
                    kind,
                    key: key_of(&o),
                    at: now(),
                }
            }
            Err(e) if !listing && super::guard::Refusal::find(&e).is_some_and(|r| r.is_stall()) => {
                if stalled {
                    return Ended::Failed(Failure::BadWatch(short_error(&e)));
                }
                stalled = true;
                hold.stalled(Instant::now());
                debug!(source = %source, kind = kind.kind, error = %short_error(&e), "watch stalled; watching again");
                continue;
            }
            Err(e) => match classify(&e) {
                Failure::Relisting => {
                    debug!(source = %source, kind = kind.kind, "watch expired; relisting");
                    continue;
                }
                Failure::Other(error) if !listing && refused_answer(&e) => {
                    return Ended::Failed(Failure::BadWatch(error));
                }
                other => return Ended::Failed(other),
            },
        };
        if tx.send(msg).await.is_err() {
            return Ended::Closed;
        }
    }
    Ended::Failed(Failure::Other("the watch ended".into()))
}

/// Lists a kind the server does not watch (no `watch` verb), page by page, as one `Reset`;
/// then waits `POLL_EVERY` and lists again.
async fn poll_kind(
    api: &Api<RawObject>,
    source: &SourceId,
    kind: &'static KindInfo,
    tx: &mpsc::Sender<LiveMsg>,
    page_timeout: Duration,
    listed: &mut bool,
) -> Ended {
    loop {
        let mut objects = Vec::new();
        let mut params = ListParams::default().limit(PAGE);
        if let (_, Some(labels)) = selection(kind) {
            params = params.labels(labels);
        }
        loop {
            let page = match tokio::time::timeout(page_timeout, api.list(&params)).await {
                Err(_) => return Ended::Failed(Failure::Other(slow(page_timeout))),
                Ok(Ok(p)) => p,
                Ok(Err(e)) => {
                    return Ended::Failed(classify(&watcher::Error::InitialListFailed(e)));
                }
            };
            objects.extend(page.items.into_iter().map(|o| entry(kind, o)));
            match page.metadata.continue_.filter(|c| !c.is_empty()) {
                Some(c) => params = params.continue_token(&c),
                None => break,
            }
        }
        debug!(source = %source, kind = kind.kind, objects = objects.len(), "polled");
        *listed = true;
        let msg = LiveMsg::Reset {
            source: source.clone(),
            kind,
            objects,
            at: now(),
        };
        if tx.send(msg).await.is_err() {
            return Ended::Closed;
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::Resource;
    use serde_json::json;

    #[test]
    fn a_list_with_broken_metadata_decodes_and_names_the_field() {
        let list = json!({
            "apiVersion": "v1", "kind": "NodeList", "metadata": {"resourceVersion": "9"},
            "items": [
                {"metadata": {"name": "good", "resourceVersion": "3"}},
                {"metadata": {"name": "bad", "resourceVersion": "4", "labels": "garbage"}},
                {"metadata": {"name": 7, "resourceVersion": 5}},
                "not even an object",
            ]
        });
        // kube-rs's own dynamic type fails the whole list on one bad item.
        assert!(
            serde_json::from_value::<kube::core::ObjectList<kube::api::DynamicObject>>(
                list.clone()
            )
            .is_err()
        );
        let l: kube::core::ObjectList<RawObject> = serde_json::from_value(list).unwrap();
        assert_eq!(l.items.len(), 4);
        let entries: Vec<(ObjKey, Entry)> = l
            .items
            .into_iter()
            .map(|o| entry(&kinds::NODE, o))
            .collect();
        assert!(matches!(entries[0].1, Entry::Ok(_)), "{:?}", entries[0]);
        assert_eq!(entries[1].0, ObjKey::new(None, "bad"));
        let Entry::Broken { error } = &entries[1].1 else {
            panic!("{:?}", entries[1])
        };
        assert!(error.starts_with("metadata.labels:"), "{error}");
        // A number where a string belongs: salvaged as text for the key and the watch.
        assert_eq!(entries[2].0, ObjKey::new(None, "7"));
        assert!(
            matches!(&entries[2].1, Entry::Broken { error } if error.starts_with("metadata.name:"))
        );
        assert!(matches!(&entries[3].1, Entry::Broken { error } if error.contains("metadata")));
    }

    /// A server that answers discovery, then trickles its list a byte at a time: the kind is
    /// marked failed with the reason once a page is overdue, instead of syncing forever.
    /// The error of the first `Failed` status the watch sends within `secs` seconds.
    async fn first_failure(rx: &mut mpsc::Receiver<LiveMsg>, secs: u64, what: &str) -> String {
        tokio::time::timeout(Duration::from_secs(secs), async {
            loop {
                match rx.recv().await {
                    Some(LiveMsg::Status {
                        status: KindStatus::Failed { error, .. },
                        ..
                    }) => return error,
                    Some(_) => continue,
                    None => panic!("the watch ended"),
                }
            }
        })
        .await
        .expect(what)
    }

    #[tokio::test]
    async fn a_list_that_trickles_fails_its_kind_in_bounded_time() {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let Some(head) = crate::kube::test_support::read_head(&mut conn).await else {
                        return;
                    };
                    if head.path == "/api/v1" {
                        let body = json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                            {"name": "nodes", "singularName": "node", "namespaced": false, "kind": "Node", "verbs": ["list", "watch"]}
                        ]}).to_string();
                        let _ = conn.write_all(format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).await;
                        return;
                    }
                    let _ = conn
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
                        .await;
                    loop {
                        if conn.write_all(b" ").await.is_err() {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                });
            }
        });
        let mut config = kube::Config::new(format!("http://{addr}").parse().unwrap());
        config.root_cert = Some(Vec::new());
        let client = kube::Client::try_from(config).unwrap();
        let (tx, mut rx) = mpsc::channel(16);
        let task = tokio::spawn(run_with(
            Discovery::new(client),
            "slow".into(),
            &kinds::NODE,
            tx,
            Duration::from_millis(400),
            Duration::from_secs(60),
        ));
        let got = first_failure(&mut rx, 10, "the kind is marked failed, not left syncing").await;
        assert!(got.contains("did not send a page"), "{got}");
        task.abort();
    }

    /// A list that never ends (no newline, ever): the kind fails once the guard's limit is
    /// passed, with memory bounded by it, instead of the client buffering for ever.
    #[tokio::test]
    async fn an_endless_answer_fails_its_kind_at_the_guards_limit() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut b = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if conn.read(&mut b).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(b[0]);
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
                    if head.split(' ').nth(1) == Some("/api/v1") {
                        let body = json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                            {"name": "nodes", "singularName": "node", "namespaced": false, "kind": "Node", "verbs": ["list", "watch"]}
                        ]}).to_string();
                        let _ = conn.write_all(format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).await;
                        return;
                    }
                    let _ = conn
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .await;
                    let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
                    while conn.write_all(chunk.as_bytes()).await.is_ok() {}
                });
            }
        });
        let mut config = kube::Config::new(format!("http://{addr}").parse().unwrap());
        config.root_cert = Some(Vec::new());
        let client = crate::kube::guard::client(
            config,
            crate::kube::guard::Bounds {
                max_answer: 1024 * 1024,
                ..Default::default()
            },
        )
        .unwrap();
        let (tx, mut rx) = mpsc::channel(16);
        let task = tokio::spawn(run(
            Discovery::new(client),
            "endless".into(),
            &kinds::NODE,
            tx,
        ));
        let got = first_failure(&mut rx, 20, "the kind is marked failed").await;
        assert!(
            got.starts_with("answer too large: over the 1 MB cap"),
            "{got}"
        );
        task.abort();
    }

    /// An answer that does not decode is said in an operator's words, with serde's position
    /// and none of the answer's bytes (a value of the wrong type is quoted by serde: dropped).
    #[test]
    fn an_undecodable_answer_says_so_without_its_bytes() {
        let err = |text: &str| {
            serde_json::from_str::<kube::core::ObjectList<RawObject>>(text).unwrap_err()
        };
        let syntax = err("{\"items\": [s3cr3t]}");
        assert_eq!(
            undecodable("list answer", &syntax),
            "list answer is not valid JSON (expected value at line 1 column 12)"
        );
        assert_eq!(
            undecodable("list answer", &err("{\"items\": [")),
            "list answer is cut short (EOF while parsing a list at line 1 column 11)"
        );
        let data = err("{\"metadata\": {}, \"items\": \"s3cr3t\\u001b[2J\"}");
        assert!(
            data.to_string().contains("s3cr3t"),
            "serde quotes it: {data}"
        );
        let said = undecodable("list answer", &data);
        assert_eq!(
            said,
            "list answer is JSON of the wrong shape (a value at line 1 column 43 is not what Kubernetes sends)"
        );
        // Through kube's and the watcher's errors, as the marker is built.
        let Failure::Other(marker) = classify(&watcher::Error::WatchFailed(
            kube::Error::SerdeError(err("{\"type\": ADDED}")),
        )) else {
            panic!()
        };
        assert_eq!(
            marker,
            "watch answer is not valid JSON (expected value at line 1 column 10)"
        );
        let Failure::Other(marker) = classify(&watcher::Error::InitialListFailed(
            kube::Error::SerdeError(data),
        )) else {
            panic!()
        };
        assert!(!marker.contains("s3cr3t"), "{marker}");
        // Anywhere else in a chain (discovery's answers), an `io::Error`'s included.
        for e in [
            Box::new(kube::Error::SerdeError(err("<html>"))) as Box<dyn std::error::Error>,
            Box::new(std::io::Error::other(err("<html>"))),
        ] {
            assert_eq!(
                short_error(&*e),
                "answer is not valid JSON (expected value at line 1 column 1)"
            );
        }
        // A long message is cut at a character's boundary, not inside one.
        let long = std::io::Error::other("é".repeat(150));
        assert_eq!(short_error(&long).len(), 200);
    }

    /// The rule of [`WatchHold`]: a kind whose watch answered badly is live again only after
    /// an event, or after a watch ran its probation calm; a stall starts the probation over.
    #[test]
    fn a_slow_watch_holds_its_kind_until_a_watch_proves_itself() {
        let p = Duration::from_secs(10);
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut h = WatchHold::default();
        assert!(h.listed(at(0)), "never given up: live at once");
        assert_eq!(h.due(p), None);
        h.ended(false);
        assert!(h.listed(at(1)), "a failure of the connection does not hold");
        h.ended(true);
        assert!(
            !h.listed(at(2)),
            "a watch answered badly: the relist keeps the marker"
        );
        assert_eq!(h.due(p), Some(at(12)));
        h.stalled(at(7));
        assert!(!h.passed(at(12), p), "a stall starts the probation over");
        h.ended(true);
        assert_eq!(h.due(p), None, "no watch, no probation");
        assert!(!h.listed(at(20)));
        h.ended(false);
        assert!(!h.listed(at(30)), "any failure in between keeps the hold");
        assert!(!h.passed(at(39), p));
        assert!(h.passed(at(40), p), "calm for the probation: live");
        assert!(h.listed(at(41)));
        h.ended(true);
        assert!(!h.listed(at(50)));
        h.event();
        assert_eq!(h, WatchHold::default(), "an event in time: live");
    }

    /// A server that lists at once and trickles every watch a byte at a time (`slow` until
    /// `calm` is set, then a quiet watch). The bool: whether the watch is calm.
    async fn trickling_watch_server(
        calm: Arc<std::sync::atomic::AtomicBool>,
    ) -> std::net::SocketAddr {
        use std::sync::atomic::Ordering;
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let calm = calm.clone();
                tokio::spawn(async move {
                    let Some(head) = crate::kube::test_support::read_head(&mut conn).await else {
                        return;
                    };
                    let whole = |body: String| {
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        )
                    };
                    if head.path == "/api/v1" {
                        let body = json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                            {"name": "nodes", "singularName": "node", "namespaced": false, "kind": "Node", "verbs": ["list", "watch"]}
                        ]}).to_string();
                        let _ = conn.write_all(whole(body).as_bytes()).await;
                    } else if !head.watching() {
                        let body = json!({"apiVersion": "v1", "kind": "NodeList", "metadata": {"resourceVersion": "5"},
                            "items": [{"metadata": {"name": "n1", "resourceVersion": "5"}}]}).to_string();
                        let _ = conn.write_all(whole(body).as_bytes()).await;
                    } else {
                        let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").await;
                        let event = json!({"type": "ADDED", "object": {"metadata": {"name": "late", "resourceVersion": "6"}}}).to_string() + "\n";
                        let quiet = calm.load(Ordering::SeqCst);
                        for b in event.bytes().filter(|_| !quiet) {
                            if conn
                                .write_all(format!("1\r\n{}\r\n", b as char).as_bytes())
                                .await
                                .is_err()
                            {
                                return;
                            }
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    }
                });
            }
        });
        addr
    }

    /// A watch that trickles every time: its kind is marked too slow, and the relists after
    /// it (fresh objects) do not flip the site back to live; once a watch runs calm for the
    /// probation, the kind is live again without a key press.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_trickling_watch_keeps_its_site_stale_across_relists() {
        use crate::app::live::{LiveState, SourceStatus};
        let calm = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let addr = trickling_watch_server(calm.clone()).await;
        let mut config = kube::Config::new(format!("http://{addr}").parse().unwrap());
        config.root_cert = Some(Vec::new());
        let bounds = crate::kube::guard::Bounds {
            slow: Duration::from_millis(300),
            ..Default::default()
        };
        let client = crate::kube::guard::client(config, bounds).unwrap();
        let (tx, mut rx) = mpsc::channel(64);
        let task = tokio::spawn(run_with(
            Discovery::new(client),
            "t".into(),
            &kinds::NODE,
            tx,
            Duration::from_secs(10),
            Duration::from_millis(600),
        ));
        let mut live = LiveState::default();
        live.apply(LiveMsg::SourceAdded {
            source: "t".into(),
            root: true,
        });
        let mut statuses: Vec<String> = Vec::new();
        let (mut lists_after_failure, mut failed) = (0, false);
        let mut next = async || {
            tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .expect("a message within 30 s")
                .expect("the watch runs")
        };
        while lists_after_failure < 2 {
            let msg = next().await;
            let list = matches!(msg, LiveMsg::Reset { .. } | LiveMsg::Relisted { .. });
            live.apply(msg);
            let st = live.sources["t"].status();
            if let SourceStatus::Stale { error, .. } = &st {
                assert!(error.starts_with("server too slow: "), "{error}");
                failed = true;
            }
            if failed && list {
                lists_after_failure += 1;
                assert_eq!(live.sources["t"].objects(&kinds::NODE).count(), 1);
            }
            statuses.push(format!("{st:?}"));
            if failed {
                assert!(
                    matches!(st, SourceStatus::Stale { .. }),
                    "the site flipped back after its watch was given up: {statuses:#?}"
                );
            }
        }
        // The server recovers: the next watch is quiet and calm for the probation.
        calm.store(true, std::sync::atomic::Ordering::SeqCst);
        while live.sources["t"].status() != SourceStatus::Live {
            live.apply(next().await);
        }
        task.abort();
    }

    #[test]
    fn the_salvaged_metadata_keeps_the_resource_version_for_the_watcher() {
        let o = RawObject::from_value(
            json!({"metadata": {"name": "x", "namespace": "ns", "resourceVersion": "12", "creationTimestamp": 5}}),
        );
        assert_eq!(o.meta().resource_version.as_deref(), Some("12"));
        assert_eq!(key_of(&o), ObjKey::new(Some("ns"), "x"));
        assert!(
            o.problem
                .unwrap()
                .starts_with("metadata.creationTimestamp:")
        );
    }

    /// A kind that was listed and then answers 403 (an API server just restarted answers 403
    /// until its RBAC caches fill; or a grant was revoked) is stale with the reason, its objects
    /// kept, not "forbidden" and blanked; once allowed again it is live without a key press.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_403_after_a_list_is_stale_not_forbidden() {
        let emu = crate::demo::emulator::Emulator::new();
        emu.add_cluster("c");
        emu.apply(
            "c",
            json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}}),
        )
        .unwrap();
        let server = emu.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let mut config =
            kube::Config::new(format!("{}/clusters/c", server.base_url()).parse().unwrap());
        config.root_cert = Some(Vec::new());
        let client = kube::Client::try_from(config).unwrap();
        let (tx, mut rx) = mpsc::channel(64);
        let task = tokio::spawn(run(Discovery::new(client), "c".into(), &kinds::NODE, tx));
        let mut next = async || {
            tokio::time::timeout(Duration::from_secs(20), rx.recv())
                .await
                .expect("a message within 20 s")
                .expect("the watch runs")
        };
        while !matches!(next().await, LiveMsg::Reset { .. }) {}
        // Refused from now on; the open watch ends, so the watcher lists again and is refused.
        emu.faults().forbid("c", "nodes");
        emu.faults().drop_watches();
        let status = loop {
            if let LiveMsg::Status { status, .. } = next().await {
                break status;
            }
        };
        let KindStatus::Failed { error, .. } = status else {
            panic!("{status:?}")
        };
        assert!(error.starts_with("forbidden:"), "{error}");
        emu.faults().allow("c", "nodes");
        while !matches!(next().await, LiveMsg::Reset { .. }) {}
        task.abort();
    }

    /// The first page of a large first list is on screen before the rest arrives, marked
    /// syncing; then the whole list, live.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_first_page_of_a_first_list_is_sent_at_once_still_syncing() {
        let emu = crate::demo::emulator::Emulator::new();
        emu.add_cluster("c");
        for i in 0..1200 {
            let node = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": format!("n{i:04}")}});
            emu.apply("c", node).unwrap();
        }
        let server = emu.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let mut config =
            kube::Config::new(format!("{}/clusters/c", server.base_url()).parse().unwrap());
        config.root_cert = Some(Vec::new());
        let client = kube::Client::try_from(config).unwrap();
        let (tx, mut rx) = mpsc::channel(64);
        let task = tokio::spawn(run(Discovery::new(client), "c".into(), &kinds::NODE, tx));
        let mut seen = Vec::new();
        let mut live = crate::app::live::LiveState::default();
        live.apply(LiveMsg::SourceAdded {
            source: "c".into(),
            root: true,
        });
        while seen.last() != Some(&1200) {
            let msg = tokio::time::timeout(Duration::from_secs(20), rx.recv())
                .await
                .expect("a message")
                .expect("the watch runs");
            let reset = matches!(msg, LiveMsg::Reset { .. } | LiveMsg::Page { .. });
            live.apply(msg);
            let store = live.sources["c"].store(&kinds::NODE).unwrap();
            if reset || store.status == KindStatus::Syncing {
                seen.push(store.objects.len());
                // Partial lists are never marked live.
                assert!(store.status == KindStatus::Syncing || store.objects.len() == 1200);
            }
        }
        assert_eq!(seen.first(), Some(&(PAGE as usize)), "{seen:?}");
        task.abort();
    }
}
