//! Our API emulator (`src/demo/emulator`) against the real kube-apiserver: the same objects in
//! both, the same requests to both (discovery, lists with selectors and `limit`/`continue`, get,
//! watches with `resourceVersion`, bookmarks and `sendInitialEvents`, the `Status` bodies of
//! errors, server-side Tables), and the answers' shapes compared. Every difference found is
//! either fixed in the emulator or listed in `KEPT` (and in `fixtures/demo/README.md`), so a new
//! difference, or a kept one that went away, fails the test.

use std::collections::BTreeSet;
use std::time::Duration;

use blast::demo::emulator::{Emulator, ServerHandle};
use http_body_util::BodyExt;
use kube::Client;
use serde_json::{Value, json};

use crate::apiserver::{self, ADMIN, ApiServer, VIEWER, create_objects, install_crds, runtime};

/// The differences kept on purpose (see `fixtures/demo/README.md`, "The emulator and the real
/// API server"). Each is the exact line [`differences`] reports.
const KEPT: &[&str] = &[
    "/api/v1 nodes verbs: real {\"create\", \"delete\", \"deletecollection\", \"get\", \"list\", \"patch\", \"update\", \"watch\"} · emulator {\"get\", \"list\", \"watch\"}",
    "/api/v1 nodes/status listed: real true · emulator false",
    "/apis/cluster.x-k8s.io/v1beta2 machines keys: real {\"categories\", \"kind\", \"name\", \"namespaced\", \"shortNames\", \"singularName\", \"storageVersionHash\", \"verbs\"} · emulator {\"kind\", \"name\", \"namespaced\", \"shortNames\", \"singularName\", \"storageVersionHash\", \"verbs\"}",
    "/apis/cluster.x-k8s.io/v1beta2 machines categories: real [\"cluster-api\"] · emulator null",
    "/apis/cluster.x-k8s.io/v1beta2 machines verbs: real {\"create\", \"delete\", \"deletecollection\", \"get\", \"list\", \"patch\", \"update\", \"watch\"} · emulator {\"get\", \"list\", \"watch\"}",
    "/apis/cluster.x-k8s.io/v1beta2 machines/status listed: real true · emulator false",
    "aggregated /api nodes keys: real {\"resource\", \"responseKind\", \"scope\", \"shortNames\", \"singularResource\", \"subresources\", \"verbs\"} · emulator {\"resource\", \"responseKind\", \"scope\", \"shortNames\", \"singularResource\", \"verbs\"}",
    "aggregated /api nodes verbs: real {\"create\", \"delete\", \"deletecollection\", \"get\", \"list\", \"patch\", \"update\", \"watch\"} · emulator {\"get\", \"list\", \"watch\"}",
    "aggregated /apis machines keys: real {\"categories\", \"resource\", \"responseKind\", \"scope\", \"shortNames\", \"singularResource\", \"subresources\", \"verbs\"} · emulator {\"resource\", \"responseKind\", \"scope\", \"shortNames\", \"singularResource\", \"verbs\"}",
    "aggregated /apis machines categories: real [\"cluster-api\"] · emulator null",
    "aggregated /apis machines verbs: real {\"create\", \"delete\", \"deletecollection\", \"get\", \"list\", \"patch\", \"update\", \"watch\"} · emulator {\"get\", \"list\", \"watch\"}",
    "core list item keys: real {\"metadata\", \"spec\", \"status\"} · emulator {\"apiVersion\", \"kind\", \"metadata\", \"spec\", \"status\"}",
    "Table /api/v1/nodes kind: real \"Table\" · emulator \"NodeList\"",
    "Table /api/v1/nodes columns: real [\"Name\", \"Status\", \"Roles\", \"Age\", \"Version\", \"Internal-IP\", \"External-IP\", \"OS-Image\", \"Kernel-Version\", \"Container-Runtime\"] · emulator []",
    "Table /api/v1/nodes rows: real 3 · emulator 0",
    "Table /apis/cluster.x-k8s.io/v1beta2/namespaces/edge-berlin/machines kind: real \"Table\" · emulator \"MachineList\"",
    "Table /apis/cluster.x-k8s.io/v1beta2/namespaces/edge-berlin/machines columns: real [\"Name\", \"Cluster\", \"Node Name\", \"Provider ID\", \"Failure domain\", \"Ready\", \"Available\", \"Up-to-date\", \"Internal-IP\", \"External-IP\", \"OS-Image\", \"Paused\", \"Phase\", \"Age\", \"Version\"] · emulator []",
    "Table /apis/cluster.x-k8s.io/v1beta2/namespaces/edge-berlin/machines rows: real 2 · emulator 0",
    "initial-events-end bookmark: real keys={\"apiVersion\", \"kind\", \"metadata\", \"spec\", \"status\"} kind=\"Node\" apiVersion=\"v1\" metadata={\"annotations\", \"resourceVersion\"} annotations={\"k8s.io/initial-events-end\":\"true\"} · emulator keys={\"apiVersion\", \"kind\", \"metadata\"} kind=\"Node\" apiVersion=\"v1\" metadata={\"annotations\", \"resourceVersion\"} annotations={\"k8s.io/initial-events-end\":\"true\"}",
];

/// The objects both servers hold.
fn objects() -> Vec<Value> {
    let node = |name: &str, role: &str, zone: &str| {
        json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"role": role, "zone": zone}},
            "spec": {"unschedulable": role == "control-plane"},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]},
        })
    };
    let mut out = vec![
        node("n-a", "worker", "a"),
        node("n-b", "worker", "b"),
        node("n-c", "control-plane", "a"),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "edge-berlin"}}),
    ];
    // Two of the demo world's Machines (Cluster API v1beta2, a custom resource).
    let machines: Vec<Value> = blast::demo::world::objects()
        .unwrap()
        .into_iter()
        .filter(|(c, o)| {
            c == "mgmt" && o["kind"] == "Machine" && o["metadata"]["namespace"] == "edge-berlin"
        })
        .map(|(_, mut o)| {
            o["metadata"]
                .as_object_mut()
                .unwrap()
                .remove("ownerReferences");
            o
        })
        .take(2)
        .collect();
    assert_eq!(machines.len(), 2);
    out.extend(machines);
    out
}

/// Both servers, loaded.
struct Pair {
    real: ApiServer,
    /// Without a watch cache: a watch resumes from etcd, which may have compacted its revision.
    real_uncached: ApiServer,
    emu: Emulator,
    emu_server: ServerHandle,
    rt: tokio::runtime::Runtime,
}

/// One answer: status code and body (JSON, or each line of a watch as JSON).
#[derive(Debug)]
struct Answer {
    code: u16,
    /// The `Content-Type` header.
    content_type: String,
    body: Value,
}

impl Pair {
    async fn client(&self, real: bool, user: &str) -> Client {
        if real {
            self.real.client(user).await
        } else {
            let mut config = kube::Config::new(
                format!("{}/clusters/c", self.emu_server.base_url())
                    .parse()
                    .unwrap(),
            );
            config.root_cert = Some(Vec::new());
            Client::try_from(config).unwrap()
        }
    }

    /// A GET as `user`, with `accept`; a watch's lines become a JSON array (read until
    /// `lines` events or `secs` seconds).
    fn get(&self, real: bool, user: &str, path: &str, accept: Option<&str>) -> Answer {
        self.rt.block_on(async {
            let client = self.client(real, user).await;
            let mut req = http::Request::get(path);
            if let Some(a) = accept {
                req = req.header(http::header::ACCEPT, a);
            }
            let res = client
                .send(req.body(kube::client::Body::empty()).unwrap())
                .await
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            let code = res.status().as_u16();
            let content_type = res
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            let body = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{path}: {e}: {}", String::from_utf8_lossy(&bytes)));
            Answer {
                code,
                content_type,
                body,
            }
        })
    }

    /// The first `n` events of a watch (each line a JSON event), or fewer after `secs`.
    fn watch(&self, real: bool, path: &str, n: usize, secs: u64) -> Vec<Value> {
        self.rt.block_on(async {
            let client = self.client(real, ADMIN).await;
            let req = http::Request::get(path)
                .body(kube::client::Body::empty())
                .unwrap();
            let res = client
                .send(req)
                .await
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            let mut body = res.into_body();
            let mut buf = Vec::new();
            let mut events = Vec::new();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
            while events.len() < n {
                let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
                    Ok(Some(Ok(f))) => f,
                    _ => break,
                };
                if let Ok(data) = frame.into_data() {
                    buf.extend_from_slice(&data);
                }
                while let Some(i) = buf.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = buf.drain(..=i).collect();
                    if let Ok(v) = serde_json::from_slice::<Value>(&line) {
                        events.push(v);
                    }
                }
            }
            events
        })
    }
}

fn pair(test: &str) -> Option<Pair> {
    let bin = apiserver::binary(test)?;
    let turn = apiserver::one_at_a_time();
    let real = apiserver::start_many(&bin, 1, &[]).remove(0);
    let real_uncached = apiserver::start_many(&bin, 1, &["--watch-cache=false"]).remove(0);
    drop(turn);
    let rt = runtime();
    let objects = objects();
    let crd = apiserver::shared_crds()
        .into_iter()
        .find(|c| c["metadata"]["name"] == "machines.cluster.x-k8s.io")
        .map(apiserver::without_webhook)
        .unwrap();
    rt.block_on(async {
        let client = real.client(ADMIN).await;
        install_crds(&client, &[crd]).await;
        create_objects(&client, &objects).await;
    });
    let emu = Emulator::new();
    emu.add_cluster("c");
    for o in objects {
        emu.apply("c", o).unwrap();
    }
    let emu_server = rt
        .block_on(emu.serve("127.0.0.1:0".parse().unwrap()))
        .unwrap();
    Some(Pair {
        real,
        real_uncached,
        emu,
        emu_server,
        rt,
    })
}

/// The keys of an object, sorted.
fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The item `name` of a discovery list (`resources`, `groups`).
fn named<'a>(v: &'a Value, list: &str, name: &str) -> &'a Value {
    v[list]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["name"] == name))
        .unwrap_or(&Value::Null)
}

fn names(list: &Value) -> Vec<String> {
    let items = list["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap_or("?").to_string())
        .collect()
}

/// The `Accept` of kubectl and the console: aggregated discovery, else plain JSON.
const AGGREGATED_OR_PLAIN: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

/// Aggregated discovery (`apidiscovery.k8s.io/v2` on `/api` and `/apis`): the media type
/// answered, the documents' shape, a group's versions and a resource as listed; and the 406 of
/// an `Accept` naming only aggregated types where none is served.
fn aggregated_differences(p: &Pair, same: &mut impl FnMut(&str, String, String)) {
    let both = |path: &str, accept: &str| {
        (
            p.get(true, ADMIN, path, Some(accept)),
            p.get(false, ADMIN, path, Some(accept)),
        )
    };
    let group = |doc: &Value, name: Option<&str>| -> Value {
        doc["items"]
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .find(|g| g["metadata"]["name"].as_str() == name)
            })
            .cloned()
            .unwrap_or(Value::Null)
    };
    for (path, name, version, res) in [
        ("/api", None, "v1", "nodes"),
        ("/apis", Some("cluster.x-k8s.io"), "v1beta2", "machines"),
    ] {
        let (r, e) = both(path, AGGREGATED_OR_PLAIN);
        let what = |k: &str| format!("aggregated {path} {k}");
        same(&what("code"), r.code.to_string(), e.code.to_string());
        same(&what("content type"), r.content_type, e.content_type);
        for k in ["kind", "apiVersion", "metadata"] {
            same(&what(k), r.body[k].to_string(), e.body[k].to_string());
        }
        same(
            &what("keys"),
            format!("{:?}", keys(&r.body)),
            format!("{:?}", keys(&e.body)),
        );
        let (rg, eg) = (group(&r.body, name), group(&e.body, name));
        same(
            &what("group keys"),
            format!("{:?}", keys(&rg)),
            format!("{:?}", keys(&eg)),
        );
        same(
            &what("group metadata"),
            rg["metadata"].to_string(),
            eg["metadata"].to_string(),
        );
        let versions = |g: &Value| -> Vec<String> {
            g["versions"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| format!("{} {}", v["version"], v["freshness"]))
                .collect()
        };
        same(
            &what("group versions"),
            format!("{:?}", versions(&rg)),
            format!("{:?}", versions(&eg)),
        );
        let resource = |g: &Value| -> Value {
            g["versions"]
                .as_array()
                .and_then(|vs| vs.iter().find(|v| v["version"] == version))
                .and_then(|v| v["resources"].as_array())
                .and_then(|rs| rs.iter().find(|x| x["resource"] == res))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let (rr, er) = (resource(&rg), resource(&eg));
        same(
            &what(&format!("{res} keys")),
            format!("{:?}", keys(&rr)),
            format!("{:?}", keys(&er)),
        );
        for k in [
            "resource",
            "responseKind",
            "scope",
            "singularResource",
            "shortNames",
            "categories",
        ] {
            same(
                &what(&format!("{res} {k}")),
                rr[k].to_string(),
                er[k].to_string(),
            );
        }
        let verbs = |v: &Value| -> BTreeSet<String> {
            v["verbs"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| x.as_str().unwrap_or("").to_string())
                .collect()
        };
        let (rv, ev) = (verbs(&rr), verbs(&er));
        same(
            &what(&format!("{res} verbs")),
            format!("{rv:?}"),
            format!("{ev:?}"),
        );
        // Plain JSON still, when aggregated discovery is not asked for.
        let (r, e) = both(path, "application/json");
        same(
            &format!("plain {path} kind"),
            r.body["kind"].to_string(),
            e.body["kind"].to_string(),
        );
    }
    for (path, accept) in [
        (
            "/apis",
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
        ),
        (
            "/apis/cluster.x-k8s.io/v1beta2",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        ),
        (
            "/api/v1/nodes",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        ),
    ] {
        let (r, e) = both(path, accept);
        same(
            &format!("{path} accepting only {accept}: code"),
            r.code.to_string(),
            e.code.to_string(),
        );
        same(
            &format!("{path} accepting only {accept}: reason"),
            r.body["reason"].to_string(),
            e.body["reason"].to_string(),
        );
    }
}

/// Every difference the console, kubectl or a client library could see, as one line each.
fn differences(p: &Pair) -> Vec<String> {
    let mut out = Vec::new();
    let mut same = |what: &str, real: String, emu: String| {
        if real != emu {
            out.push(format!("{what}: real {real} · emulator {emu}"));
        }
    };
    let both = |path: &str| {
        (
            p.get(true, ADMIN, path, None),
            p.get(false, ADMIN, path, None),
        )
    };
    // Discovery.
    let (r, e) = both("/api");
    same(
        "/api kind",
        r.body["kind"].to_string(),
        e.body["kind"].to_string(),
    );
    same(
        "/api versions",
        r.body["versions"].to_string(),
        e.body["versions"].to_string(),
    );
    same(
        "/api keys",
        format!("{:?}", keys(&r.body)),
        format!("{:?}", keys(&e.body)),
    );
    let (r, e) = both("/apis");
    same(
        "/apis kind",
        r.body["kind"].to_string(),
        e.body["kind"].to_string(),
    );
    let (rg, eg) = (
        named(&r.body, "groups", "cluster.x-k8s.io"),
        named(&e.body, "groups", "cluster.x-k8s.io"),
    );
    same(
        "/apis group keys",
        format!("{:?}", keys(rg)),
        format!("{:?}", keys(eg)),
    );
    same(
        "/apis group versions",
        rg["versions"].to_string(),
        eg["versions"].to_string(),
    );
    same(
        "/apis group preferredVersion",
        rg["preferredVersion"].to_string(),
        eg["preferredVersion"].to_string(),
    );
    let (r, e) = both("/apis/cluster.x-k8s.io");
    same(
        "/apis/{group} kind",
        r.body["kind"].to_string(),
        e.body["kind"].to_string(),
    );
    same(
        "/apis/{group} keys",
        format!("{:?}", keys(&r.body)),
        format!("{:?}", keys(&e.body)),
    );
    for (path, res) in [
        ("/api/v1", "nodes"),
        ("/apis/cluster.x-k8s.io/v1beta2", "machines"),
    ] {
        let (r, e) = both(path);
        same(
            &format!("{path} kind"),
            r.body["kind"].to_string(),
            e.body["kind"].to_string(),
        );
        same(
            &format!("{path} groupVersion"),
            r.body["groupVersion"].to_string(),
            e.body["groupVersion"].to_string(),
        );
        let (rr, er) = (
            named(&r.body, "resources", res),
            named(&e.body, "resources", res),
        );
        same(
            &format!("{path} {res} keys"),
            format!("{:?}", keys(rr)),
            format!("{:?}", keys(er)),
        );
        for k in [
            "name",
            "singularName",
            "namespaced",
            "kind",
            "shortNames",
            "categories",
        ] {
            same(
                &format!("{path} {res} {k}"),
                rr[k].to_string(),
                er[k].to_string(),
            );
        }
        let verbs = |v: &Value| -> BTreeSet<String> {
            v["verbs"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|x| x.as_str().unwrap_or("").to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        same(
            &format!("{path} {res} verbs"),
            format!("{:?}", verbs(rr)),
            format!("{:?}", verbs(er)),
        );
        let status = |v: &Value| named(v, "resources", &format!("{res}/status")).is_object();
        same(
            &format!("{path} {res}/status listed"),
            status(&r.body).to_string(),
            status(&e.body).to_string(),
        );
    }
    aggregated_differences(p, &mut same);
    // Lists: selectors, pages.
    for q in [
        "labelSelector=role%3Dworker",
        "labelSelector=zone%20in%20(a),role!%3Dcontrol-plane",
        "labelSelector=!missing,zone",
        "fieldSelector=metadata.name%3Dn-b",
        "fieldSelector=spec.unschedulable%3Dtrue",
        "fieldSelector=metadata.name!%3Dn-b",
    ] {
        let (r, e) = both(&format!("/api/v1/nodes?{q}"));
        same(
            &format!("nodes?{q} code"),
            r.code.to_string(),
            e.code.to_string(),
        );
        same(
            &format!("nodes?{q} names"),
            format!("{:?}", names(&r.body)),
            format!("{:?}", names(&e.body)),
        );
    }
    let (r, e) = both("/api/v1/nodes?limit=2");
    same(
        "list kind",
        r.body["kind"].to_string(),
        e.body["kind"].to_string(),
    );
    same(
        "list apiVersion",
        r.body["apiVersion"].to_string(),
        e.body["apiVersion"].to_string(),
    );
    same(
        "list keys",
        format!("{:?}", keys(&r.body)),
        format!("{:?}", keys(&e.body)),
    );
    same(
        "list page metadata keys",
        format!("{:?}", keys(&r.body["metadata"])),
        format!("{:?}", keys(&e.body["metadata"])),
    );
    same(
        "list page remainingItemCount",
        r.body["metadata"]["remainingItemCount"].to_string(),
        e.body["metadata"]["remainingItemCount"].to_string(),
    );
    same(
        "list page names",
        format!("{:?}", names(&r.body)),
        format!("{:?}", names(&e.body)),
    );
    let item_keys = |v: &Value| format!("{:?}", keys(&v["items"][0]));
    same(
        "core list item keys",
        item_keys(&r.body),
        item_keys(&e.body),
    );
    let next = |a: &Answer, real: bool| {
        let token = a.body["metadata"]["continue"]
            .as_str()
            .unwrap_or("")
            .to_string();
        p.get(
            real,
            ADMIN,
            &format!("/api/v1/nodes?limit=2&continue={token}"),
            None,
        )
    };
    let (r2, e2) = (next(&r, true), next(&e, false));
    same(
        "list last page names",
        format!("{:?}", names(&r2.body)),
        format!("{:?}", names(&e2.body)),
    );
    same(
        "list last page metadata keys",
        format!("{:?}", keys(&r2.body["metadata"])),
        format!("{:?}", keys(&e2.body["metadata"])),
    );
    let (r, e) = both("/apis/cluster.x-k8s.io/v1beta2/namespaces/edge-berlin/machines");
    same(
        "custom list item keys",
        item_keys(&r.body),
        item_keys(&e.body),
    );
    same(
        "custom list kind",
        r.body["kind"].to_string(),
        e.body["kind"].to_string(),
    );
    // Get.
    let (r, e) = both("/api/v1/nodes/n-a");
    same(
        "get keys",
        format!("{:?}", keys(&r.body)),
        format!("{:?}", keys(&e.body)),
    );
    same(
        "get kind",
        r.body["kind"].to_string(),
        e.body["kind"].to_string(),
    );
    let mut rm = keys(&r.body["metadata"]);
    let mut em = keys(&e.body["metadata"]);
    rm.remove("managedFields");
    em.remove("managedFields");
    same("get metadata keys", format!("{rm:?}"), format!("{em:?}"));
    // Errors: the Status bodies.
    let status_shape = |a: &Answer| {
        let b = &a.body;
        format!(
            "{} {:?} kind={} status={} reason={} code={} details={:?} details.kind={} details.name={}",
            a.code,
            keys(b),
            b["kind"],
            b["status"],
            b["reason"],
            b["code"],
            keys(&b["details"]),
            b["details"]["kind"],
            b["details"]["name"],
        )
    };
    let (r, e) = both("/api/v1/nodes/missing");
    same("404 Status", status_shape(&r), status_shape(&e));
    let (r, e) = both("/apis/cluster.x-k8s.io/v1beta2/namespaces/edge-berlin/machines/missing");
    same("404 Status (custom)", status_shape(&r), status_shape(&e));
    let (r, e) = both("/api/v1/nodes?labelSelector=a%3D%3D%3Db");
    same(
        "400 Status (bad selector)",
        status_shape(&r),
        status_shape(&e),
    );
    // The viewer has no role here: RBAC refuses; the emulator's fault does the same.
    p.emu.faults().forbid("c", "nodes");
    let (r, e) = (
        p.get(true, VIEWER, "/api/v1/nodes", None),
        p.get(false, VIEWER, "/api/v1/nodes", None),
    );
    p.emu.faults().allow("c", "nodes");
    same("403 Status", status_shape(&r), status_shape(&e));
    same(
        "403 message",
        r.body["message"]
            .as_str()
            .unwrap_or("")
            .replace(VIEWER, "U"),
        e.body["message"]
            .as_str()
            .unwrap_or("")
            .replace("demo", "U"),
    );
    // Tables, as kubectl asks for them.
    let table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    for path in [
        "/api/v1/nodes",
        "/apis/cluster.x-k8s.io/v1beta2/namespaces/edge-berlin/machines",
    ] {
        let (r, e) = (
            p.get(true, ADMIN, path, Some(table)),
            p.get(false, ADMIN, path, Some(table)),
        );
        same(
            &format!("Table {path} kind"),
            r.body["kind"].to_string(),
            e.body["kind"].to_string(),
        );
        let cols = |v: &Value| -> Vec<String> {
            v["columnDefinitions"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|c| c["name"].as_str().unwrap_or("").to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        same(
            &format!("Table {path} columns"),
            format!("{:?}", cols(&r.body)),
            format!("{:?}", cols(&e.body)),
        );
        let rows = |v: &Value| v["rows"].as_array().map_or(0, Vec::len);
        same(
            &format!("Table {path} rows"),
            rows(&r.body).to_string(),
            rows(&e.body).to_string(),
        );
    }
    // Watches.
    let (r, e) = both("/api/v1/nodes");
    let rv = |a: &Answer| {
        a.body["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let initial = "/api/v1/nodes?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=10";
    let (rw, ew) = (
        p.watch(true, initial, 4, 15),
        p.watch(false, initial, 4, 15),
    );
    let types = |evs: &[Value]| -> Vec<String> {
        evs.iter()
            .map(|e| e["type"].as_str().unwrap_or("?").to_string())
            .collect()
    };
    same(
        "sendInitialEvents types",
        format!("{:?}", types(&rw)),
        format!("{:?}", types(&ew)),
    );
    let bookmark = |evs: &[Value]| -> String {
        evs.iter()
            .find(|e| e["type"] == "BOOKMARK")
            .map(|b| {
                let o = &b["object"];
                format!(
                    "keys={:?} kind={} apiVersion={} metadata={:?} annotations={}",
                    keys(o),
                    o["kind"],
                    o["apiVersion"],
                    keys(&o["metadata"]),
                    o["metadata"]["annotations"]
                )
            })
            .unwrap_or_default()
    };
    same("initial-events-end bookmark", bookmark(&rw), bookmark(&ew));
    // From the list's resourceVersion: a change arrives as MODIFIED with the whole object.
    let from = |a: &Answer| {
        format!(
            "/api/v1/nodes?watch=1&resourceVersion={}&allowWatchBookmarks=true&timeoutSeconds=10",
            rv(a)
        )
    };
    let (rpath, epath) = (from(&r), from(&e));
    let label = json!({"metadata": {"labels": {"touched": "yes"}}});
    let real_watch = std::thread::scope(|s| {
        let w = s.spawn(|| p.watch(true, &rpath, 1, 15));
        std::thread::sleep(Duration::from_secs(1));
        p.rt.block_on(async {
            let client = p.real.client(ADMIN).await;
            let api: kube::Api<k8s_openapi::api::core::v1::Node> = kube::Api::all(client);
            api.patch("n-a", &Default::default(), &kube::api::Patch::Merge(&label))
                .await
                .unwrap();
        });
        w.join().unwrap()
    });
    let emu_watch = std::thread::scope(|s| {
        let w = s.spawn(|| p.watch(false, &epath, 1, 15));
        std::thread::sleep(Duration::from_secs(1));
        p.emu
            .modify("c", &blast::model::kinds::NODE, None, "n-a", |o| {
                o["metadata"]["labels"]["touched"] = json!("yes");
            });
        w.join().unwrap()
    });
    let event = |evs: &[Value]| -> String {
        evs.first()
            .map(|e| {
                format!(
                    "{} keys={:?} label={}",
                    e["type"],
                    keys(&e["object"]),
                    e["object"]["metadata"]["labels"]["touched"]
                )
            })
            .unwrap_or_default()
    };
    same(
        "watch from a resourceVersion",
        event(&real_watch),
        event(&emu_watch),
    );
    // A resourceVersion the server no longer has (etcd compacted; the emulator's history
    // expired): 410 Gone, as the watch's ERROR event.
    let describe = |e: &Value| {
        let status = if e["kind"] == "Status" {
            e
        } else {
            &e["object"]
        };
        format!(
            "{} code={} reason={}",
            e["type"], status["code"], status["reason"]
        )
    };
    let old_rv = p.rt.block_on(async {
        let client = p.real_uncached.client(ADMIN).await;
        create_objects(&client, &objects()[..1]).await;
        let nodes: kube::Api<k8s_openapi::api::core::v1::Node> = kube::Api::all(client.clone());
        let rv = nodes.list(&Default::default()).await.unwrap().metadata.resource_version;
        // Two writes: the compacted revision must be past the one the watch starts after.
        let cms: Vec<Value> = (0..2)
            .map(|i| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("filler-{i}"), "namespace": "default"}}))
            .collect();
        create_objects(&client, &cms).await;
        rv.unwrap()
    });
    p.real_uncached.compact_etcd();
    let (code, first) = p.rt.block_on(async {
        let client = p.real_uncached.client(ADMIN).await;
        let path = format!("/api/v1/nodes?watch=1&resourceVersion={old_rv}&timeoutSeconds=5");
        let req = http::Request::get(path)
            .body(kube::client::Body::empty())
            .unwrap();
        let res = client.send(req).await.unwrap();
        let code = res.status().as_u16();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let first = text.lines().next().unwrap_or("").to_string();
        (
            code,
            serde_json::from_str::<Value>(&first).unwrap_or(Value::Null),
        )
    });
    let emu_rv = rv(&p.get(false, ADMIN, "/api/v1/nodes", None));
    p.emu.faults().expire_watches();
    let path = format!("/api/v1/nodes?watch=1&resourceVersion={emu_rv}&timeoutSeconds=5");
    let emu_gone = p.watch(false, &path, 1, 10);
    same(
        "410 on a compacted resourceVersion",
        format!("{code} {}", describe(&first)),
        format!("200 {}", emu_gone.first().map(describe).unwrap_or_default()),
    );
    out
}

#[test]
fn the_emulator_answers_as_the_real_api_server_does() {
    let Some(p) = pair("the_emulator_answers_as_the_real_api_server_does") else {
        return;
    };
    let found = differences(&p);
    let kept: Vec<String> = KEPT.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        found,
        kept,
        "differences between the real kube-apiserver and the emulator:\n{}",
        found.join("\n")
    );
}
