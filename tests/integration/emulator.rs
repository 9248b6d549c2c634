//! The demo API emulator over real HTTP: kube-rs clients, kube-runtime watchers, discovery, the
//! real kubectl (skipped when absent), and the fault knobs.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use blast::demo::emulator::{Emulator, EmulatorConfig, ServerHandle};
use blast::model::kinds;
use futures::{Stream, StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Event as CoreEvent, Node};
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, WatchEvent, WatchParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::Discovery;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Config, ResourceExt};
use serde_json::{Value, json};

// ---------------------------------------------------------------- fixtures

fn node(name: &str, labels: Value, unschedulable: bool) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {"unschedulable": unschedulable},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    })
}

fn machine(api_version: &str, namespace: &str, name: &str) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": "Machine",
        "metadata": {"name": name, "namespace": namespace, "labels": {"cluster.x-k8s.io/cluster-name": "prod"}},
        "spec": {"clusterName": "prod", "bootstrap": {"dataSecretName": format!("{name}-bootstrap")}},
        "status": {"phase": "Running"},
    })
}

/// `mgmt`: three nodes, three machines (one stored as v1beta1), a server, an event;
/// `edge`: one node.
fn seeded_with(config: EmulatorConfig) -> Emulator {
    let emu = Emulator::with_config(config);
    emu.add_cluster("mgmt");
    emu.add_cluster("edge");
    emu.add_cluster("mgmt"); // idempotent
    let objects = [
        node("cp-1", json!({"role": "control-plane", "zone": "a"}), false),
        node("worker-1", json!({"role": "worker", "zone": "a"}), false),
        node("worker-2", json!({"role": "worker", "zone": "b"}), true),
        machine("cluster.x-k8s.io/v1beta2", "prod", "m-cp-1"),
        machine("cluster.x-k8s.io/v1beta2", "prod", "m-worker-1"),
        machine("cluster.x-k8s.io/v1beta1", "legacy", "m-old"),
        json!({
            "apiVersion": "metal.sidero.dev/v1alpha2",
            "kind": "Server",
            "metadata": {"name": "srv-1"},
            "spec": {"accepted": true, "hostname": "rack1-u1"},
        }),
        json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "worker-2.1", "namespace": "prod"},
            "involvedObject": {"kind": "Node", "name": "worker-2"},
            "type": "Warning",
            "reason": "NodeNotReady",
            "message": "kubelet stopped posting status",
        }),
    ];
    for obj in objects {
        emu.apply("mgmt", obj).expect("seed object applies");
    }
    emu.apply("edge", node("edge-1", json!({"role": "worker"}), false))
        .unwrap();
    emu
}

fn seeded() -> Emulator {
    seeded_with(EmulatorConfig::default())
}

async fn serve(emu: &Emulator) -> ServerHandle {
    emu.serve(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("emulator binds")
}

async fn client(emu: &Emulator, server: &ServerHandle, context: &str) -> Client {
    let kubeconfig = Kubeconfig::from_yaml(&emu.kubeconfig(&server.base_url(), "mgmt"))
        .expect("generated kubeconfig parses");
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .expect("kubeconfig loads");
    Client::try_from(config).expect("client builds")
}

/// The seeded emulator, served; a client on `mgmt`.
async fn seeded_on_mgmt() -> (Emulator, ServerHandle, Client) {
    let emu = seeded();
    let server = serve(&emu).await;
    let client = client(&emu, &server, "mgmt").await;
    (emu, server, client)
}

fn machines_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("cluster.x-k8s.io", "v1beta2", "Machine"),
        "machines",
    )
}

fn names<K: ResourceExt>(items: &[K]) -> Vec<String> {
    items.iter().map(|o| o.name_any()).collect()
}

fn api_error(result: Result<impl std::fmt::Debug, kube::Error>) -> (u16, String) {
    match result {
        Err(kube::Error::Api(status)) => (status.code, status.reason.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Polls `check` until it holds (10 s at most).
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A kube-runtime watcher polled by its own task (a watcher only opens its watch when polled),
/// its events queued for the test; dropping it stops the watcher.
struct Events<K> {
    rx: tokio::sync::mpsc::UnboundedReceiver<Result<watcher::Event<K>, watcher::Error>>,
    task: tokio::task::JoinHandle<()>,
}

impl<K: Send + 'static> Events<K> {
    fn spawn(
        stream: impl Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send + 'static,
    ) -> Self {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            while let Some(item) = stream.next().await {
                if tx.send(item).is_err() {
                    break;
                }
            }
        });
        Self { rx, task }
    }
}

impl<K> Drop for Events<K> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The next watcher event, skipping (and printing) errors.
async fn next_event<K>(events: &mut Events<K>) -> watcher::Event<K> {
    loop {
        let item = tokio::time::timeout(Duration::from_secs(30), events.rx.recv())
            .await
            .expect("a watcher event in time")
            .expect("the watcher stream never ends");
        match item {
            Ok(event) => return event,
            Err(e) => eprintln!("watcher error (expected around faults): {e}"),
        }
    }
}

/// Expects `Init`, then collects the `InitApply` names until `InitDone`.
async fn expect_initial_list<K: ResourceExt>(events: &mut Events<K>) -> BTreeSet<String> {
    match next_event(events).await {
        watcher::Event::Init => {}
        other => panic!("expected Init, got {:?}", event_name(&other)),
    }
    let mut seen = BTreeSet::new();
    loop {
        match next_event(events).await {
            watcher::Event::InitApply(obj) => assert!(
                seen.insert(obj.name_any()),
                "{} listed twice",
                obj.name_any()
            ),
            watcher::Event::InitDone => return seen,
            other => panic!(
                "expected InitApply or InitDone, got {:?}",
                event_name(&other)
            ),
        }
    }
}

fn event_name<K: ResourceExt>(event: &watcher::Event<K>) -> String {
    match event {
        watcher::Event::Apply(o) => format!("Apply({})", o.name_any()),
        watcher::Event::Delete(o) => format!("Delete({})", o.name_any()),
        watcher::Event::Init => "Init".into(),
        watcher::Event::InitApply(o) => format!("InitApply({})", o.name_any()),
        watcher::Event::InitDone => "InitDone".into(),
    }
}

fn set<const N: usize>(names: [&str; N]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------- kube-rs over HTTP

#[tokio::test(flavor = "multi_thread")]
async fn kube_client_lists_gets_and_selects() {
    let (emu, server, client) = seeded_on_mgmt().await;
    let nodes: Api<Node> = Api::all(client.clone());

    let all = nodes.list(&ListParams::default()).await.unwrap();
    assert_eq!(names(&all.items), ["cp-1", "worker-1", "worker-2"]);
    let list_rv: u64 = all
        .metadata
        .resource_version
        .as_deref()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(list_rv, emu.resource_version("mgmt"));

    let worker = nodes.get("worker-2").await.unwrap();
    assert_eq!(worker.spec.unwrap().unschedulable, Some(true));
    assert!(worker.metadata.uid.is_some() && worker.metadata.creation_timestamp.is_some());
    assert_eq!(api_error(nodes.get("nope").await), (404, "NotFound".into()));

    let select = |labels: &str, fields: &str| {
        let nodes = nodes.clone();
        let lp = ListParams::default().labels(labels).fields(fields);
        async move { names(&nodes.list(&lp).await.unwrap().items) }
    };
    assert_eq!(select("role=worker", "").await, ["worker-1", "worker-2"]);
    assert_eq!(select("role in (control-plane), zone", "").await, ["cp-1"]);
    assert_eq!(select("role!=worker,!missing", "").await, ["cp-1"]);
    assert_eq!(select("", "spec.unschedulable=true").await, ["worker-2"]);
    assert_eq!(
        select("role=worker", "metadata.name!=worker-2").await,
        ["worker-1"]
    );
    let bad = nodes
        .list(&ListParams::default().labels("role in (worker"))
        .await;
    assert_eq!(api_error(bad), (400, "BadRequest".into()));
    let bad = nodes
        .list(&ListParams::default().fields("spec.unschedulable"))
        .await;
    assert_eq!(api_error(bad), (400, "BadRequest".into()));

    // a CRD kind, across namespaces and in one; objects come back with their stored apiVersion
    let machines: Api<DynamicObject> = Api::all_with(client.clone(), &machines_resource());
    let all = machines.list(&ListParams::default()).await.unwrap();
    assert_eq!(
        names(&all.items),
        ["m-old", "m-cp-1", "m-worker-1"],
        "sorted by namespace, then name"
    );
    let old = all.items.iter().find(|m| m.name_any() == "m-old").unwrap();
    assert_eq!(
        old.types.as_ref().unwrap().api_version,
        "cluster.x-k8s.io/v1beta1"
    );
    let prod: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "prod", &machines_resource());
    assert_eq!(
        names(&prod.list(&ListParams::default()).await.unwrap().items),
        ["m-cp-1", "m-worker-1"]
    );
    assert_eq!(
        prod.get("m-cp-1").await.unwrap().data["status"]["phase"],
        "Running"
    );
    assert_eq!(api_error(prod.get("m-old").await).0, 404);

    // field selectors on any dotted path
    let events: Api<CoreEvent> = Api::namespaced(client.clone(), "prod");
    let lp = ListParams::default().fields("involvedObject.name=worker-2,type=Warning");
    assert_eq!(
        names(&events.list(&lp).await.unwrap().items),
        ["worker-2.1"]
    );

    // each virtual cluster is separate
    let edge: Api<Node> = Api::all(self::client(&emu, &server, "edge").await);
    assert_eq!(
        names(&edge.list(&ListParams::default()).await.unwrap().items),
        ["edge-1"]
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kube_client_pages_through_every_item_once() {
    let emu = seeded();
    for i in 0..23 {
        let labels = json!({"role": "worker", "batch": if i % 2 == 0 { "even" } else { "odd" }});
        emu.apply("mgmt", node(&format!("bulk-{i:02}"), labels, false))
            .unwrap();
    }
    let server = serve(&emu).await;
    let nodes: Api<Node> = Api::all(client(&emu, &server, "mgmt").await);

    let page_through = |labels: &'static str| {
        let (nodes, emu) = (nodes.clone(), emu.clone());
        async move {
            let (mut seen, mut pages, mut token) = (Vec::new(), 0, None::<String>);
            loop {
                let mut lp = ListParams::default().limit(4).labels(labels);
                lp.continue_token = token.clone();
                let page = nodes.list(&lp).await.unwrap();
                assert!(page.items.len() <= 4);
                pages += 1;
                seen.extend(names(&page.items));
                // a change between pages shows up, and breaks nothing
                if pages == 2 {
                    emu.modify("mgmt", &kinds::NODE, None, "bulk-22", |n| {
                        n["metadata"]["annotations"] = json!({"touched": "yes"})
                    });
                }
                match page.metadata.continue_.filter(|t| !t.is_empty()) {
                    Some(next) => {
                        assert!(page.metadata.remaining_item_count.unwrap() > 0);
                        token = Some(next);
                    }
                    None => return (seen, pages),
                }
            }
        }
    };
    let (seen, pages) = page_through("").await;
    let expected: Vec<String> = emu
        .list("mgmt", &kinds::NODE)
        .iter()
        .map(|n| n["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(expected.len(), 26);
    assert_eq!(seen, expected, "every node once, in order");
    assert_eq!(pages, 7);

    let (seen, _) = page_through("batch=odd").await;
    assert_eq!(seen.len(), 11);
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>().len(),
        11,
        "no duplicates"
    );

    // a token from before a compaction cannot be honoured
    let first = nodes.list(&ListParams::default().limit(5)).await.unwrap();
    emu.faults().expire_watches();
    let mut lp = ListParams::default().limit(5);
    lp.continue_token = first.metadata.continue_;
    assert_eq!(api_error(nodes.list(&lp).await), (410, "Expired".into()));
    server.shutdown().await;
}

// ---------------------------------------------------------------- kube-runtime watcher

#[tokio::test(flavor = "multi_thread")]
async fn watcher_follows_changes_relists_after_expiry_and_survives_a_restart() {
    let emu = seeded();
    let server = serve(&emu).await;
    let addr = server.addr;
    let nodes: Api<Node> = Api::all(client(&emu, &server, "mgmt").await);
    let mut events = Events::spawn(watcher(nodes, watcher::Config::default()).default_backoff());

    assert_eq!(
        expect_initial_list(&mut events).await,
        set(["cp-1", "worker-1", "worker-2"])
    );
    eventually("the watch to open", || emu.stats().open_watches == 1).await;

    emu.modify("mgmt", &kinds::NODE, None, "worker-1", |n| {
        n["metadata"]["labels"]["zone"] = json!("c")
    });
    match next_event(&mut events).await {
        watcher::Event::Apply(n) => {
            assert_eq!(n.name_any(), "worker-1");
            assert_eq!(n.labels()["zone"], "c");
        }
        other => panic!("expected Apply(worker-1), got {}", event_name(&other)),
    }
    assert!(emu.delete("mgmt", &kinds::NODE, None, "worker-2"));
    match next_event(&mut events).await {
        watcher::Event::Delete(n) => assert_eq!(n.name_any(), "worker-2"),
        other => panic!("expected Delete(worker-2), got {}", event_name(&other)),
    }

    // compaction: the open watch gets a 410 and the watcher relists, losing nothing
    emu.apply("mgmt", node("worker-3", json!({}), false))
        .unwrap();
    match next_event(&mut events).await {
        watcher::Event::Apply(n) => assert_eq!(n.name_any(), "worker-3"),
        other => panic!("expected Apply(worker-3), got {}", event_name(&other)),
    }
    emu.faults().expire_watches();
    assert_eq!(
        expect_initial_list(&mut events).await,
        set(["cp-1", "worker-1", "worker-3"])
    );

    // the server vanishes; a change made meanwhile is replayed once it is back on the same port
    eventually("the re-watch after the relist", || {
        emu.stats().open_watches == 1
    })
    .await;
    server.shutdown().await;
    eventually("the watch to close with the server", || {
        emu.stats().open_watches == 0
    })
    .await;
    emu.modify("mgmt", &kinds::NODE, None, "cp-1", |n| {
        n["metadata"]["labels"]["restarted"] = json!("yes")
    });
    let server = rebind(&emu, addr).await;
    loop {
        match next_event(&mut events).await {
            watcher::Event::Apply(n) if n.name_any() == "cp-1" => {
                assert_eq!(n.labels()["restarted"], "yes");
                break;
            }
            // a relist is also a correct recovery; it must show the change too
            watcher::Event::InitApply(n)
                if n.name_any() == "cp-1" && n.labels().contains_key("restarted") =>
            {
                break;
            }
            watcher::Event::Init | watcher::Event::InitApply(_) | watcher::Event::InitDone => {}
            other => panic!("unexpected {} after the restart", event_name(&other)),
        }
    }
    server.shutdown().await;
}

/// Serves again on `addr` (retrying briefly while the old socket lets go).
async fn rebind(emu: &Emulator, addr: SocketAddr) -> ServerHandle {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match emu.serve(addr).await {
            Ok(server) => return server,
            Err(e) if Instant::now() < deadline => {
                eprintln!("rebinding {addr}: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot serve on {addr} again: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn watcher_with_streaming_lists_and_selectors() {
    let (emu, server, client) = seeded_on_mgmt().await;

    // sendInitialEvents: ADDED events, then a bookmark marking their end
    let machines: Api<DynamicObject> = Api::all_with(client.clone(), &machines_resource());
    let mut events = Events::spawn(watcher(
        machines,
        watcher::Config::default().streaming_lists(),
    ));
    assert_eq!(
        expect_initial_list(&mut events).await,
        set(["m-cp-1", "m-old", "m-worker-1"])
    );

    // label selector: objects entering and leaving the selection are added and deleted
    let nodes: Api<Node> = Api::all(client);
    let mut workers = Events::spawn(watcher(
        nodes,
        watcher::Config::default().labels("role=worker"),
    ));
    assert_eq!(
        expect_initial_list(&mut workers).await,
        set(["worker-1", "worker-2"])
    );
    emu.modify("mgmt", &kinds::NODE, None, "cp-1", |n| {
        n["metadata"]["labels"]["role"] = json!("worker")
    });
    match next_event(&mut workers).await {
        watcher::Event::Apply(n) => assert_eq!(n.name_any(), "cp-1"),
        other => panic!("expected Apply(cp-1), got {}", event_name(&other)),
    }
    emu.modify("mgmt", &kinds::NODE, None, "worker-1", |n| {
        n["metadata"]["labels"]["role"] = json!("gone")
    });
    match next_event(&mut workers).await {
        watcher::Event::Delete(n) => assert_eq!(n.name_any(), "worker-1"),
        other => panic!("expected Delete(worker-1), got {}", event_name(&other)),
    }
    // a change outside the selection is not sent: the next event is about a worker
    emu.modify("mgmt", &kinds::NODE, None, "worker-1", |n| {
        n["metadata"]["labels"]["other"] = json!("x")
    });
    emu.modify("mgmt", &kinds::NODE, None, "worker-2", |n| {
        n["metadata"]["labels"]["other"] = json!("y")
    });
    match next_event(&mut workers).await {
        watcher::Event::Apply(n) => assert_eq!(n.name_any(), "worker-2"),
        other => panic!("expected Apply(worker-2), got {}", event_name(&other)),
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_watches_resume_bookmark_and_time_out() {
    let emu = seeded_with(EmulatorConfig {
        bookmark_interval: Duration::from_millis(200),
        ..Default::default()
    });
    let server = serve(&emu).await;
    let nodes: Api<Node> = Api::all(client(&emu, &server, "mgmt").await);
    let start_rv = emu.resource_version("mgmt").to_string();

    // resume: only what changed after the given resourceVersion, then a bookmark
    emu.modify("mgmt", &kinds::NODE, None, "worker-1", |n| {
        n["metadata"]["labels"]["seen"] = json!("1")
    });
    emu.apply("mgmt", machine("cluster.x-k8s.io/v1beta2", "prod", "m-new"))
        .unwrap(); // another kind: not sent
    let mut stream = nodes
        .watch(&WatchParams::default().timeout(2), &start_rv)
        .await
        .unwrap()
        .boxed();
    let first = stream.try_next().await.unwrap().unwrap();
    let WatchEvent::Modified(n) = first else {
        panic!("expected MODIFIED, got {first:?}")
    };
    assert_eq!(n.name_any(), "worker-1");
    let bookmark = stream.try_next().await.unwrap().unwrap();
    let WatchEvent::Bookmark(b) = bookmark else {
        panic!("expected BOOKMARK, got {bookmark:?}")
    };
    assert_eq!(
        b.metadata.resource_version,
        emu.resource_version("mgmt").to_string()
    );
    // periodic bookmarks, then the end of the stream after timeoutSeconds
    let started = Instant::now();
    let mut bookmarks = 0;
    while let Some(event) = stream.try_next().await.unwrap() {
        assert!(
            matches!(event, WatchEvent::Bookmark(_)),
            "only bookmarks expected, got {event:?}"
        );
        bookmarks += 1;
    }
    assert!(bookmarks >= 3, "a bookmark every 200 ms, got {bookmarks}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "timeoutSeconds ends the stream"
    );

    // without bookmarks nothing but real events is sent; a deletion arrives as DELETED
    let mut stream = nodes
        .watch(&WatchParams::default().disable_bookmarks(), "0")
        .await
        .unwrap()
        .boxed();
    let mut added = BTreeSet::new();
    for _ in 0..3 {
        match stream.try_next().await.unwrap().unwrap() {
            WatchEvent::Added(n) => added.insert(n.name_any()),
            other => panic!("expected ADDED, got {other:?}"),
        };
    }
    assert_eq!(added, set(["cp-1", "worker-1", "worker-2"]));
    emu.delete("mgmt", &kinds::NODE, None, "cp-1");
    let deleted = stream.try_next().await.unwrap().unwrap();
    let WatchEvent::Deleted(n) = deleted else {
        panic!("expected DELETED, got {deleted:?}")
    };
    assert_eq!(
        n.resource_version().unwrap(),
        emu.resource_version("mgmt").to_string()
    );

    // drop_watches ends every open stream cleanly
    eventually("one open watch", || emu.stats().open_watches == 1).await;
    emu.faults().drop_watches();
    let end = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .expect("the stream ends");
    assert!(matches!(end, Ok(None)), "clean end, got {end:?}");
    eventually("no open watch", || emu.stats().open_watches == 0).await;
    server.shutdown().await;
}

// ---------------------------------------------------------------- discovery

#[tokio::test(flavor = "multi_thread")]
async fn discovery_finds_every_kind_of_the_table() {
    let (_emu, server, client) = seeded_on_mgmt().await;
    let version = client.apiserver_version().await.unwrap();
    assert_eq!(
        (version.major.as_str(), version.minor.as_str()),
        ("1", "36")
    );

    let discovery = Discovery::new(client).run().await.unwrap();
    for kind in kinds::ALL {
        let group = discovery
            .get(kind.group)
            .unwrap_or_else(|| panic!("group {:?} not discovered", kind.group));
        assert_eq!(
            group.preferred_version_or_latest(),
            kind.versions[0],
            "preferred version of {}",
            kind.group
        );
        for version in kind.versions {
            let found = group
                .versioned_resources(version)
                .into_iter()
                .find(|(r, _)| r.kind == kind.kind)
                .unwrap_or_else(|| panic!("{} {version} not discovered", kind.kind));
            assert_eq!(found.0.plural, kind.plural);
            assert_eq!(
                found.1.scope == kube::discovery::Scope::Namespaced,
                kind.namespaced,
                "{}",
                kind.kind
            );
        }
    }
    server.shutdown().await;
}

// ---------------------------------------------------------------- faults

#[tokio::test(flavor = "multi_thread")]
async fn fault_error_rate_latency_and_unknown_paths() {
    let (emu, server, client) = seeded_on_mgmt().await;
    let nodes: Api<Node> = Api::all(client.clone());

    emu.faults().set_error_rate(2);
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        outcomes.push(match nodes.get("cp-1").await {
            Ok(_) => "ok".to_string(),
            Err(e) => format!("{:?}", api_error(Err::<(), _>(e))),
        });
    }
    assert_eq!(
        outcomes,
        [
            "ok",
            "(500, \"InternalError\")",
            "ok",
            "(500, \"InternalError\")"
        ]
    );
    emu.faults().set_error_rate(0);

    emu.faults().set_latency(Duration::from_millis(300));
    let started = Instant::now();
    nodes.get("cp-1").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "latency applies"
    );
    emu.faults().set_latency(Duration::ZERO);

    // unknown paths and clusters: 404 Status; writes: 405
    let status = |path: &str| {
        let client = client.clone();
        let request = hyper::Request::get(path).body(Vec::new()).unwrap();
        async move { api_error(client.request_text(request).await) }
    };
    assert_eq!(status("/healthz").await, (404, "NotFound".into()));
    assert_eq!(
        status("/apis/nope.io/v1/things").await,
        (404, "NotFound".into())
    );
    assert_eq!(
        status("/api/v1/nodes?limit=x").await,
        (400, "BadRequest".into())
    );
    let created = nodes
        .create(
            &Default::default(),
            &serde_json::from_value(node("new", json!({}), false)).unwrap(),
        )
        .await;
    assert_eq!(api_error(created).0, 405);
    let before = emu.stats();
    let body = client
        .request_text(
            hyper::Request::get("/api/v1/nodes")
                .body(Vec::new())
                .unwrap(),
        )
        .await
        .unwrap();
    let after = emu.stats();
    assert_eq!(after.requests, before.requests + 1);
    assert_eq!(
        after.bytes_sent,
        before.bytes_sent + body.len() as u64,
        "stats count body bytes"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_malformed_object_is_served_garbled_everywhere() {
    let (emu, server, client) = seeded_on_mgmt().await;
    let nodes: Api<Node> = Api::all(client.clone());
    let raw: Api<DynamicObject> = Api::all_with(client.clone(), &ApiResource::erase::<Node>(&()));
    let mut watch = raw
        .watch(&WatchParams::default().disable_bookmarks(), "0")
        .await
        .unwrap()
        .boxed();
    for _ in 0..3 {
        watch.try_next().await.unwrap().unwrap();
    }

    emu.faults()
        .set_malformed(Some(("mgmt", "nodes", "worker-2")));
    let check_garbled = |obj: &DynamicObject| {
        assert_eq!(obj.name_any(), "worker-2");
        assert_eq!(obj.types.as_ref().unwrap().kind, "Node");
        assert_eq!(obj.data["status"], "garbage");
        assert_eq!(obj.data["spec"]["replicas"], "three");
        assert_eq!(
            obj.data["spec"]["unschedulable"], true,
            "the rest of spec is kept"
        );
        assert!(obj.metadata.resource_version.is_some());
    };
    check_garbled(&raw.get("worker-2").await.unwrap());
    let listed = raw.list(&ListParams::default()).await.unwrap();
    check_garbled(
        listed
            .items
            .iter()
            .find(|n| n.name_any() == "worker-2")
            .unwrap(),
    );
    assert_eq!(
        listed
            .items
            .iter()
            .find(|n| n.name_any() == "cp-1")
            .unwrap()
            .data["status"]["conditions"][0]["type"],
        "Ready"
    );
    emu.modify("mgmt", &kinds::NODE, None, "worker-2", |n| {
        n["metadata"]["labels"]["x"] = json!("y")
    });
    match watch.try_next().await.unwrap().unwrap() {
        WatchEvent::Modified(obj) => check_garbled(&obj),
        other => panic!("expected MODIFIED, got {other:?}"),
    }
    // a typed client cannot decode it; other objects are fine
    assert!(matches!(
        nodes.get("worker-2").await,
        Err(kube::Error::SerdeError(_))
    ));
    assert!(nodes.list(&ListParams::default()).await.is_err());
    nodes.get("cp-1").await.unwrap();
    // the store itself is untouched, and clearing the fault heals it
    assert!(emu.get("mgmt", &kinds::NODE, None, "worker-2").unwrap()["status"].is_object());
    emu.faults().set_malformed(None);
    assert_eq!(nodes.get("worker-2").await.unwrap().name_any(), "worker-2");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_expired_history_answers_410() {
    let emu = seeded_with(EmulatorConfig {
        history_limit: 5,
        ..Default::default()
    });
    let server = serve(&emu).await;
    let nodes: Api<Node> = Api::all(client(&emu, &server, "mgmt").await);

    // an open watch is ended with a 410 ERROR event
    let current = emu.resource_version("mgmt").to_string();
    let mut open = nodes
        .watch(&WatchParams::default().disable_bookmarks(), &current)
        .await
        .unwrap()
        .boxed();
    eventually("the watch to open", || emu.stats().open_watches == 1).await;
    emu.faults().expire_watches();
    let expect_expired = |event: Option<WatchEvent<Node>>| match event {
        Some(WatchEvent::Error(status)) => {
            assert_eq!((status.code, status.reason.as_str()), (410, "Expired"))
        }
        other => panic!("expected a 410 ERROR event, got {other:?}"),
    };
    expect_expired(open.try_next().await.unwrap());
    assert!(
        open.try_next().await.unwrap().is_none(),
        "the stream ends after the error"
    );

    // resuming from before the compaction: a single 410 ERROR event
    let mut resumed = nodes
        .watch(&WatchParams::default(), "1")
        .await
        .unwrap()
        .boxed();
    expect_expired(resumed.try_next().await.unwrap());
    assert!(resumed.try_next().await.unwrap().is_none());

    // the history window: 5 changes kept, the 6th from the end is gone
    let from = emu.resource_version("mgmt");
    for i in 0..6 {
        emu.modify("mgmt", &kinds::NODE, None, "cp-1", |n| {
            n["metadata"]["labels"]["i"] = json!(i.to_string())
        });
    }
    let mut too_old = nodes
        .watch(&WatchParams::default(), &from.to_string())
        .await
        .unwrap()
        .boxed();
    expect_expired(too_old.try_next().await.unwrap());
    let mut in_window = nodes
        .watch(
            &WatchParams::default().disable_bookmarks(),
            &(from + 1).to_string(),
        )
        .await
        .unwrap()
        .boxed();
    for i in 1..6 {
        match in_window.try_next().await.unwrap() {
            Some(WatchEvent::Modified(n)) => assert_eq!(n.labels()["i"], i.to_string()),
            other => panic!("expected MODIFIED {i}, got {other:?}"),
        }
    }
    server.shutdown().await;
}

// ---------------------------------------------------------------- kubectl

fn kubectl_missing() -> bool {
    let found = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("note: kubectl is not on PATH; skipping the kubectl test");
    }
    !found
}

struct Kubectl {
    _dir: tempfile::TempDir,
    kubeconfig: String,
    cache: String,
}

impl Kubectl {
    fn new(emu: &Emulator, server: &ServerHandle) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        std::fs::write(&kubeconfig, emu.kubeconfig(&server.base_url(), "mgmt")).unwrap();
        Self {
            kubeconfig: kubeconfig.display().to_string(),
            cache: dir.path().join("cache").display().to_string(),
            _dir: dir,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("kubectl");
        cmd.args([
            "--kubeconfig",
            &self.kubeconfig,
            "--cache-dir",
            &self.cache,
            "--request-timeout=30s",
        ])
        .args(args);
        cmd.env_remove("KUBECONFIG");
        cmd
    }

    /// Runs kubectl off the async threads; panics with its stderr when it fails.
    async fn run(&self, args: &[&str]) -> String {
        let mut cmd = self.command(args);
        let label = args.join(" ");
        let out = tokio::task::spawn_blocking(move || cmd.output().expect("kubectl runs"))
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "kubectl {label} failed ({}): {stderr}",
            out.status
        );
        if !stderr.trim().is_empty() {
            eprintln!("kubectl {label} (stderr): {stderr}");
        }
        String::from_utf8(out.stdout).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn real_kubectl_gets_selects_switches_context_and_watches() {
    if kubectl_missing() {
        return;
    }
    let emu = seeded();
    let server = serve(&emu).await;
    let kubectl = Kubectl::new(&emu, &server);

    // default columns: kubectl falls back from Table (discovery is the aggregated document)
    let out = kubectl.run(&["get", "nodes"]).await;
    eprintln!("kubectl get nodes:\n{out}");
    assert!(out.starts_with("NAME"), "a table header: {out}");
    for name in ["cp-1", "worker-1", "worker-2"] {
        assert!(out.contains(name), "{name} in {out}");
    }

    let out = kubectl
        .run(&["get", "machines.cluster.x-k8s.io", "-A", "-o", "yaml"])
        .await;
    let list: Value = blast::repo::yaml_serde::from_str(&out).unwrap();
    let items = list["items"].as_array().unwrap();
    let listed: BTreeSet<&str> = items
        .iter()
        .map(|m| m["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, BTreeSet::from(["m-cp-1", "m-worker-1", "m-old"]));

    let out = kubectl.run(&["get", "servers", "-o", "yaml"]).await;
    let list: Value = blast::repo::yaml_serde::from_str(&out).unwrap();
    assert_eq!(list["items"][0]["metadata"]["name"], "srv-1");
    assert_eq!(list["items"][0]["spec"]["hostname"], "rack1-u1");

    let out = kubectl
        .run(&["get", "ma", "-n", "prod", "-o", "name"])
        .await;
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "machine.cluster.x-k8s.io/m-cp-1",
            "machine.cluster.x-k8s.io/m-worker-1"
        ]
    );

    let out = kubectl
        .run(&[
            "get",
            "nodes",
            "-l",
            "role=worker,zone notin (b)",
            "-o",
            "name",
        ])
        .await;
    assert_eq!(out.trim(), "node/worker-1");

    let out = kubectl
        .run(&["--context", "edge", "get", "nodes", "-o", "name"])
        .await;
    assert_eq!(out.trim(), "node/edge-1");

    let out = kubectl
        .command(&["get", "nodes", "-l", "role in (x"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a bad selector fails");

    // --watch prints a change made after it started
    let mut child = kubectl
        .command(&[
            "get",
            "nodes",
            "--watch",
            "-o",
            "custom-columns=NAME:.metadata.name,ZONE:.metadata.labels.zone",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut next_line = async || {
        tokio::time::timeout(Duration::from_secs(30), lines.recv())
            .await
            .expect("kubectl prints in time")
            .expect("kubectl keeps running")
    };
    let mut initial = BTreeSet::new();
    while initial.len() < 3 {
        let line = next_line().await;
        if let Some(name) = line.split_whitespace().next().filter(|n| *n != "NAME") {
            initial.insert(name.to_string());
        }
    }
    assert_eq!(initial, set(["cp-1", "worker-1", "worker-2"]));
    eventually("kubectl's watch to open", || emu.stats().open_watches == 1).await;
    emu.modify("mgmt", &kinds::NODE, None, "worker-2", |n| {
        n["metadata"]["labels"]["zone"] = json!("watched")
    });
    let line = next_line().await;
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        ["worker-2", "watched"]
    );
    child.kill().unwrap();
    child.wait().unwrap();
    server.shutdown().await;
}

// ---------------------------------------------------------------- load

/// The benchmark's scale: 200 clusters × (50 nodes, 50 machines, 50 servers), one watch per
/// cluster and kind (600), 200 modifications/s for 5 s; every modification reaches its watcher.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "load smoke test (about 10 s): cargo test --test integration emulator_load -- --ignored --nocapture"]
async fn emulator_load_smoke() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    const CLUSTERS: usize = 200;
    const PER_KIND: usize = 50;
    let emu = Emulator::new();
    let started = Instant::now();
    for c in 0..CLUSTERS {
        let cluster = format!("c{c:03}");
        emu.add_cluster(&cluster);
        for i in 0..PER_KIND {
            emu.apply(
                &cluster,
                node(&format!("n{i}"), json!({"role": "worker"}), false),
            )
            .unwrap();
            emu.apply(
                &cluster,
                machine("cluster.x-k8s.io/v1beta2", "prod", &format!("m{i}")),
            )
            .unwrap();
            let server = json!({"apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server", "metadata": {"name": format!("s{i}")}, "spec": {}});
            emu.apply(&cluster, server).unwrap();
        }
    }
    eprintln!(
        "seeded {} objects in {:?}",
        CLUSTERS * PER_KIND * 3,
        started.elapsed()
    );
    let server = serve(&emu).await;
    let received = Arc::new(AtomicU64::new(0));
    let resources = [
        (ApiResource::erase::<Node>(&()), false),
        (machines_resource(), true),
        (
            ApiResource::from_gvk_with_plural(
                &GroupVersionKind::gvk("metal.sidero.dev", "v1alpha2", "Server"),
                "servers",
            ),
            false,
        ),
    ];
    let mut tasks = Vec::new();
    for c in 0..CLUSTERS {
        let client = client(&emu, &server, &format!("c{c:03}")).await;
        for (resource, _) in &resources {
            let api: Api<DynamicObject> = Api::all_with(client.clone(), resource);
            let received = received.clone();
            tasks.push(tokio::spawn(async move {
                let mut stream = api
                    .watch(&WatchParams::default().disable_bookmarks(), "0")
                    .await
                    .unwrap()
                    .boxed();
                while let Some(event) = stream.try_next().await.unwrap() {
                    if matches!(event, WatchEvent::Modified(_)) {
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }));
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while emu.stats().open_watches < 600 {
        assert!(
            Instant::now() < deadline,
            "only {} watches opened",
            emu.stats().open_watches
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "600 watches open after {:?}; {:?}",
        started.elapsed(),
        emu.stats()
    );
    let churn_started = Instant::now();
    let mut sent = 0u64;
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    for round in 0..100usize {
        tick.tick().await;
        for j in 0..10 {
            let n = round * 10 + j;
            let cluster = format!("c{:03}", n % CLUSTERS);
            let (kind, ns, name) = match n % 3 {
                0 => (&kinds::NODE, None, format!("n{}", n % PER_KIND)),
                1 => (&kinds::MACHINE, Some("prod"), format!("m{}", n % PER_KIND)),
                _ => (&kinds::SERVER, None, format!("s{}", n % PER_KIND)),
            };
            assert!(emu.modify(
                &cluster,
                kind,
                ns,
                &name,
                |o| o["metadata"]["labels"]["tick"] = json!(round.to_string())
            ));
            sent += 1;
        }
    }
    let churn = churn_started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(30);
    while received.load(Ordering::Relaxed) < sent {
        assert!(
            Instant::now() < deadline,
            "{} of {sent} modifications delivered",
            received.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!(
        "{sent} modifications in {churn:?}, all delivered {:?} after the last; {:?}",
        churn_started.elapsed() - churn,
        emu.stats()
    );
    server.shutdown().await;
    for t in tasks {
        t.abort();
    }
}

// ---------------------------------------------------------------- pods/log

/// The demo world in an emulator, served; a client on `cluster`.
async fn demo_world(cluster: &str) -> (Emulator, ServerHandle, Client) {
    let emu = Emulator::new();
    blast::demo::world::load(&emu, blast::demo::world::fixtures_now()).unwrap();
    let server = serve(&emu).await;
    let c = client(&emu, &server, cluster).await;
    (emu, server, c)
}

/// The next line of a followed log, within 5 s.
async fn next_line(
    lines: &mut (impl futures::TryStream<Ok = String, Error = std::io::Error> + Unpin),
) -> String {
    tokio::time::timeout(
        Duration::from_secs(5),
        futures::TryStreamExt::try_next(lines),
    )
    .await
    .expect("a line within 5 s")
    .unwrap()
    .unwrap()
}

fn pod_name(emu_objects: &[(String, Value)], cluster: &str, prefix: &str) -> String {
    emu_objects
        .iter()
        .find(|(c, v)| {
            c == cluster
                && v["kind"] == "Pod"
                && v["metadata"]["name"].as_str().unwrap().starts_with(prefix)
        })
        .map(|(_, v)| v["metadata"]["name"].as_str().unwrap().to_string())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn pod_logs_tail_previous_and_errors_over_http() {
    use futures::AsyncBufReadExt;
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::LogParams;
    let world = blast::demo::world::objects().unwrap();
    let osd = pod_name(&world, "edge-berlin", "rook-ceph-osd-2-");
    let (_emu, _server, c) = demo_world("edge-berlin").await;
    let pods: Api<Pod> = Api::namespaced(c.clone(), "rook-ceph");
    // The whole log, then the last two lines.
    let all = pods.logs(&osd, &LogParams::default()).await.unwrap();
    assert_eq!(all.lines().count(), 7, "{all}");
    assert!(all.contains("12 slow ops"));
    let tail = pods
        .logs(
            &osd,
            &LogParams {
                tail_lines: Some(2),
                container: Some("osd".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(tail.lines().count(), 2);
    assert!(all.ends_with(&tail));
    // The container before its restart: why it was killed.
    let prev = pods
        .logs(
            &osd,
            &LogParams {
                previous: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(prev.contains("OOMKilled"), "{prev}");
    // A container that never restarted has no previous log; an unknown one is refused.
    let mon = pod_name(&world, "edge-berlin", "rook-ceph-mon-a-");
    let err = api_error(
        pods.logs(
            &mon,
            &LogParams {
                previous: true,
                ..Default::default()
            },
        )
        .await,
    );
    assert_eq!(err, (400, "BadRequest".to_string()));
    let err = api_error(
        pods.logs(
            &osd,
            &LogParams {
                container: Some("nope".into()),
                ..Default::default()
            },
        )
        .await,
    );
    assert_eq!(err.0, 400);
    assert_eq!(
        api_error(pods.logs("nope", &LogParams::default()).await).0,
        404
    );
    // Streamed with log_stream, as the console reads it.
    let mut lines = pods
        .log_stream(&osd, &LogParams::default())
        .await
        .unwrap()
        .lines();
    let first = futures::TryStreamExt::try_next(&mut lines).await.unwrap();
    assert!(first.unwrap().contains("heartbeat osd_stat"));
}

#[tokio::test(flavor = "multi_thread")]
async fn pod_logs_follow_streams_new_lines_until_the_client_goes() {
    use futures::AsyncBufReadExt;
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::LogParams;
    let world = blast::demo::world::objects().unwrap();
    let exec = pod_name(&world, "edge-lab", "executor-svc-");
    let (emu, _server, c) = demo_world("edge-lab").await;
    let pods: Api<Pod> = Api::namespaced(c, "kasten-io");
    let started = Instant::now();
    let mut lines = pods
        .log_stream(
            &exec,
            &LogParams {
                follow: true,
                tail_lines: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .lines();
    let mut next = async || next_line(&mut lines).await;
    let tail = next().await;
    assert!(tail.contains("Retrying phase exportData"), "{tail}");
    let new1 = next().await;
    let new2 = next().await;
    assert!(
        new1.contains("seq=1") && new2.contains("seq=2"),
        "{new1} / {new2}"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "new lines come over time"
    );
    drop(lines);
    // The connection is gone: the server does not keep writing to it.
    let sent = emu.stats().bytes_sent;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        emu.stats().bytes_sent - sent < 200,
        "a dropped follower is not fed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pod_logs_on_a_node_that_is_not_ready_fail_like_a_dead_kubelet() {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::LogParams;
    let world = blast::demo::world::objects().unwrap();
    let (emu, _server, c) = demo_world("edge-berlin").await;
    let mut node = world
        .iter()
        .find(|(c, v)| {
            c == "edge-berlin" && v["kind"] == "Node" && v["metadata"]["name"] == "berlin-w-2"
        })
        .unwrap()
        .1
        .clone();
    for cond in node["status"]["conditions"].as_array_mut().unwrap() {
        if cond["type"] == "Ready" {
            cond["status"] = "Unknown".into();
        }
    }
    emu.apply("edge-berlin", node).unwrap();
    let mosquitto = pod_name(&world, "edge-berlin", "mosquitto-");
    let pods: Api<Pod> = Api::namespaced(c, "mqtt");
    match pods.logs(&mosquitto, &LogParams::default()).await {
        Err(kube::Error::Api(s)) => {
            assert_eq!(s.code, 500);
            assert!(s.message.contains("berlin-w-2:10250"), "{}", s.message);
        }
        other => panic!("expected the kubelet's error, got {other:?}"),
    }
}

/// Issue 15: the demo's logs follow the scenario. A followed log of rook-ceph's osd.2 gets new
/// lines after it started, each written from the Pod as it is then: once ceph-warn's step puts
/// the Pod in CrashLoopBackOff (applied as the scenario runner applies it), the next lines say
/// so with the last exit; the routine lines before are the same on every run.
#[tokio::test(flavor = "multi_thread")]
async fn followed_logs_get_new_lines_that_follow_the_scenario() {
    use blast::demo::scenario::{StepAction, apply_sets, parse_scenario};
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::LogParams;
    let world = blast::demo::world::objects().unwrap();
    let osd = pod_name(&world, "edge-berlin", "rook-ceph-osd-2-");
    let (emu, _server, c) = demo_world("edge-berlin").await;
    let pods: Api<Pod> = Api::namespaced(c, "rook-ceph");
    let params = LogParams {
        follow: true,
        tail_lines: Some(0),
        ..Default::default()
    };
    let mut lines = futures::AsyncBufReadExt::lines(pods.log_stream(&osd, &params).await.unwrap());
    let mut next = async || next_line(&mut lines).await;
    let first = next().await;
    assert!(
        first.contains("seq=1") && first.contains("level=info"),
        "{first}"
    );
    // The same routine line on every run (the time stamp aside).
    let pod = world
        .iter()
        .find(|(c, v)| c == "edge-berlin" && v["metadata"]["name"] == osd.as_str())
        .map(|(_, v)| v.clone())
        .unwrap();
    let again = blast::demo::emulator::logs::follow_line(Some(&pod), &osd, "osd", 1, "T");
    let routine = |l: &str| {
        l.trim_end()
            .split_once(' ')
            .map(|(_, r)| r.to_string())
            .unwrap()
    };
    assert_eq!(routine(&again), routine(&first));
    // ceph-warn's CrashLoopBackOff step, applied to the Pod.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/demo/scenarios/ceph-warn.yaml"),
    )
    .unwrap();
    let scenario = parse_scenario("ceph-warn.yaml", &text).unwrap();
    let set = scenario
        .steps
        .iter()
        .find_map(|s| match &s.action {
            StepAction::Set { target, set }
                if target.kind == "Pod"
                    && target.name == osd
                    && set
                        .iter()
                        .any(|(_, v)| v.to_string().contains("CrashLoopBackOff")) =>
            {
                Some(set.clone())
            }
            _ => None,
        })
        .expect("ceph-warn puts osd.2's Pod in CrashLoopBackOff");
    assert!(emu.modify(
        "edge-berlin",
        &blast::model::kinds::POD,
        Some("rook-ceph"),
        &osd,
        |p| apply_sets(p, &set, "2026-09-21T12:00:00Z").unwrap(),
    ));
    let mut seen = vec![];
    for _ in 0..3 {
        let l = next().await;
        if l.contains("CrashLoopBackOff") {
            assert!(l.contains("lastExit=OOMKilled exitCode=137"), "{l}");
            return;
        }
        seen.push(l);
    }
    panic!("no line after the step says CrashLoopBackOff: {seen:#?}");
}

/// The first rows of a view are drawn as soon as they arrive, not after `--refresh` (the
/// pacing of frames caused by cluster data): with a 10 s refresh the node list is on screen
/// within seconds of the start. Before, the list waited for the refresh after the first
/// (empty) frame. And `q` quits at once: it waited for the refresh under way too (the quit
/// comes with a task's answer, the repo's changes, which the loop held for the next frame).
#[test]
fn the_first_rows_are_drawn_at_once_whatever_the_refresh() {
    let emu = Emulator::new();
    emu.add_cluster("big");
    for i in 0..3 {
        emu.apply(
            "big",
            json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": format!("node-{i}")}}),
        )
        .unwrap();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = rt
        .block_on(emu.serve("127.0.0.1:0".parse().unwrap()))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig.yaml");
    std::fs::write(&kubeconfig, emu.kubeconfig(&server.base_url(), "big")).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let started = Instant::now();
    let mut t = crate::pty::Pty::spawn(
        &[
            "--config",
            config.to_str().unwrap(),
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--view",
            "nodes",
            "--refresh",
            "10s",
        ],
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        120,
        30,
        &[],
    );
    t.wait_for("node-2", 6);
    assert!(started.elapsed() < Duration::from_secs(6));
    let asked = Instant::now();
    t.send("q");
    assert_eq!(t.wait_exit(20), 0);
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "quit took {:?}",
        asked.elapsed()
    );
    rt.block_on(server.shutdown());
}
