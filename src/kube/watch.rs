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
        None => Failure::Other(short_error(e)),
    }
}

/// The innermost cause of an error, which says what happened ("Connection refused").
pub(crate) fn short_error(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        msg = s.to_string();
        cur = s.source();
    }
    if msg.len() > 200 {
        msg.truncate(200);
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
    let page_timeout = super::guard::current().slow + PAGE_GRACE;
    run_with(discovery, source, kind, tx, page_timeout).await
}

/// [`run`] with another limit on the time a page of a list may take.
pub async fn run_with(
    discovery: Arc<Discovery>,
    source: SourceId,
    kind: &'static KindInfo,
    tx: mpsc::Sender<LiveMsg>,
    page_timeout: Duration,
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
                page_timeout,
                &mut listed,
            )
            .await
        } else {
            poll_kind(&api, &source, kind, &tx, page_timeout, &mut listed).await
        };
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
            Ended::Failed(Failure::Other(error)) => {
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

/// How a watcher or a poll ended.
enum Ended {
    /// The core went away.
    Closed,
    Failed(Failure),
}

/// Lists, then watches, until an error other than a 410 (after which the watcher relists by
/// itself).
async fn watch_kind(
    api: &Api<RawObject>,
    source: &SourceId,
    kind: &'static KindInfo,
    tx: &mpsc::Sender<LiveMsg>,
    backoff: &mut DefaultBackoff,
    page_timeout: Duration,
    listed: &mut bool,
) -> Ended {
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
                *backoff = DefaultBackoff::default();
                info!(source = %source, kind = kind.kind, objects = buffer.len(), "listed");
                LiveMsg::Reset {
                    source: source.clone(),
                    kind,
                    objects: std::mem::take(&mut buffer),
                    at: now(),
                }
            }
            Ok(Event::Apply(o)) => {
                stalled = false;
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
                LiveMsg::Delete {
                    source: source.clone(),
                    kind,
                    key: key_of(&o),
                    at: now(),
                }
            }
            Err(e)
                if !listing
                    && !stalled
                    && super::guard::Refusal::find(&e).is_some_and(|r| r.is_stall()) =>
            {
                stalled = true;
                debug!(source = %source, kind = kind.kind, error = %short_error(&e), "watch stalled; watching again");
                continue;
            }
            Err(e) => match classify(&e) {
                Failure::Relisting => {
                    debug!(source = %source, kind = kind.kind, "watch expired; relisting");
                    continue;
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
