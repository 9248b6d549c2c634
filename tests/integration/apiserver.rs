//! The real upstream kube-apiserver (with its embedded etcd) for the tests: the binary that
//! `scripts/build-kube-apiserver.sh` builds from `tests/kube-apiserver/`, started on 127.0.0.1 in
//! a temp dir with RBAC, a token file (an admin in `system:masters` and restricted users), its own
//! serving certificates and an audit log; killed (etcd with it, same process) on drop.
//!
//! Without the binary a test prints one line and returns, unless `CI` is set: then it fails.
//! `BLAST_KUBE_APISERVER` names another binary.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::{Discovery, Scope};
use kube::{Client, Config};
use serde_json::{Value, json};

use crate::pty::free_port;

pub const NOT_BUILT: &str = "real kube-apiserver not built: run scripts/build-kube-apiserver.sh";

/// The users of the token file: (name, token, groups).
pub const ADMIN: &str = "admin";
/// Bound (by the tests) to get/list/watch only.
pub const VIEWER: &str = "viewer";
/// Bound (by the tests) to get/list/watch on everything but one group.
pub const PARTIAL: &str = "partial";
const USERS: &[(&str, &str, &str)] = &[
    (ADMIN, "admin-token-for-tests", "system:masters"),
    (VIEWER, "viewer-token-for-tests", ""),
    (PARTIAL, "partial-token-for-tests", ""),
];

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The binary: `BLAST_KUBE_APISERVER`, else `<target>/kube-apiserver/kube-apiserver` beside the
/// `blast` binary under test. `None` (after one line on the terminal) when it is not built and
/// this is not CI; in CI a missing binary fails the test.
pub fn binary(test: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("BLAST_KUBE_APISERVER") {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "BLAST_KUBE_APISERVER={} is not a file",
            p.display()
        );
        return Some(p);
    }
    // target/debug/blast → target/kube-apiserver/kube-apiserver
    let target = Path::new(env!("CARGO_BIN_EXE_blast"))
        .parent()
        .and_then(Path::parent)
        .expect("target dir");
    let p = target.join("kube-apiserver/kube-apiserver");
    if p.is_file() {
        return Some(p);
    }
    assert!(
        !ci(),
        "{NOT_BUILT} (CI is set: the real-server suite is mandatory; looked for {})",
        p.display()
    );
    // Straight to the terminal: libtest's capture only takes the print macros.
    let _ = writeln!(std::io::stderr(), "{test}: {NOT_BUILT}");
    None
}

/// The real-server tests take turns: each starts up to three API servers, and a dozen of them
/// at once on a small CI machine would only make every test slow enough to time out.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a wait for a start ended with.
#[derive(PartialEq)]
enum Start {
    Ready,
    /// A port was taken: spawn it again (from the launching thread).
    Again,
}

/// One running kube-apiserver.
pub struct ApiServer {
    bin: PathBuf,
    child: Option<Child>,
    pub dir: tempfile::TempDir,
    pub port: u16,
    etcd_port: u16,
    /// More flags for the API server.
    extra: Vec<String>,
    /// `http://127.0.0.1:<port>`: etcd's client URL (its grpc-gateway serves `/v3/...`).
    pub etcd_url: String,
    /// Whether the server was ready once (a restart keeps its port: clients know it).
    was_ready: bool,
    /// The log's length when the running child was spawned (its own lines come after).
    log_mark: usize,
}

impl ApiServer {
    /// Starts the server without waiting (on the calling thread: the server dies with it).
    fn launch(bin: &Path, extra: &[&str]) -> ApiServer {
        ApiServer::launch_on(bin, free_port(), extra)
    }

    /// [`ApiServer::launch`] on a given port.
    pub fn launch_on(bin: &Path, port: u16, extra: &[&str]) -> ApiServer {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("certs")).unwrap();
        let tokens: String = USERS
            .iter()
            .map(|(user, token, groups)| format!("{token},{user},{user}-uid,\"{groups}\"\n"))
            .collect();
        std::fs::write(d.join("tokens.csv"), tokens).unwrap();
        // Every request, at Metadata level: which user did what verb on what.
        std::fs::write(
            d.join("audit-policy.yaml"),
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n",
        )
        .unwrap();
        let mut server = ApiServer {
            bin: bin.to_path_buf(),
            child: None,
            dir,
            port,
            etcd_port: free_port(),
            extra: extra.iter().map(|a| a.to_string()).collect(),
            etcd_url: String::new(),
            was_ready: false,
            log_mark: 0,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let d = self.dir.path();
        let p = |name: &str| d.join(name).display().to_string();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(d.join("apiserver.log"))
            .unwrap();
        let mut cmd = Command::new(&self.bin);
        cmd.args([
            format!("--embedded-etcd-dir={}", p("etcd")),
            format!("--embedded-etcd-port={}", self.etcd_port),
            format!("--embedded-etcd-url-file={}", p("etcd-url")),
            "--bind-address=127.0.0.1".into(),
            "--advertise-address=127.0.0.1".into(),
            format!("--secure-port={}", self.port),
            format!("--cert-dir={}", p("certs")),
            "--authorization-mode=RBAC".into(),
            format!("--token-auth-file={}", p("tokens.csv")),
            "--endpoint-reconciler-type=none".into(),
            "--disable-admission-plugins=ServiceAccount".into(),
            "--service-account-issuer=https://kubernetes.default.svc".into(),
            format!("--service-account-signing-key-file={}", p("sa.key")),
            format!("--service-account-key-file={}", p("sa.key")),
            "--service-cluster-ip-range=10.96.0.0/24".into(),
            format!("--audit-policy-file={}", p("audit-policy.yaml")),
            format!("--audit-log-path={}", p("audit.log")),
            "--audit-log-mode=blocking".into(),
            "--profiling=false".into(),
        ])
        .args(&self.extra)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
        // The server dies with the test thread that started it, even when the test process is
        // killed and no Drop runs.
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let _ = std::fs::remove_file(d.join("etcd-url"));
        self.log_mark = std::fs::metadata(d.join("apiserver.log")).map_or(0, |m| m.len() as usize);
        self.child = Some(cmd.spawn().expect("kube-apiserver starts"));
    }

    /// Waits for etcd's URL and then the server's `/readyz`; panics with the log's tail.
    ///
    /// A port picked free can be taken before the server binds it (by any process's outgoing
    /// connection): a start that fails with "address already in use" answers
    /// [`Start::Again`] (with new ports unless the server was ready once: then on its own port,
    /// after a pause) and the caller spawns it again — on the thread that launched it, since
    /// the server dies with the thread that spawned it (`PR_SET_PDEATHSIG`).
    fn wait_ready(&mut self, bind_retries: &mut u32) -> Start {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                let log = std::fs::read(self.dir.path().join("apiserver.log")).unwrap_or_default();
                let own = String::from_utf8_lossy(log.get(self.log_mark..).unwrap_or_default());
                if own.contains("address already in use") && *bind_retries < 5 {
                    *bind_retries += 1;
                    let _ = writeln!(
                        std::io::stderr(),
                        "kube-apiserver: a port was taken before it bound it; starting again"
                    );
                    if self.was_ready {
                        std::thread::sleep(Duration::from_secs(1));
                    } else {
                        self.port = free_port();
                        self.etcd_port = free_port();
                    }
                    self.etcd_url.clear();
                    self.child = None;
                    return Start::Again;
                }
                panic!("kube-apiserver exited ({status}):\n{}", self.log_tail());
            }
            if self.etcd_url.is_empty()
                && let Ok(url) = std::fs::read_to_string(self.dir.path().join("etcd-url"))
            {
                self.etcd_url = url.trim().to_string();
            }
            if !self.etcd_url.is_empty()
                && self.dir.path().join("certs/apiserver.crt").is_file()
                && let Some((200, body)) = self.https_get("/readyz", ADMIN)
                && body.trim() == "ok"
            {
                for (user, _, _) in USERS {
                    self.write_kubeconfig(user);
                }
                self.was_ready = true;
                return Start::Ready;
            }
            assert!(
                Instant::now() < deadline,
                "kube-apiserver not ready after 180s:\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A GET with the kube client, blocking on a small runtime; `None` when it cannot connect.
    fn https_get(&self, path: &str, user: &str) -> Option<(u16, String)> {
        let rt = runtime();
        rt.block_on(async {
            // Fallible: the CA file may still be being written.
            let kc = Kubeconfig::from_yaml(&self.kubeconfig_yaml(user, "real-apiserver")).ok()?;
            let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
                .await
                .ok()?;
            let client = Client::try_from(config).ok()?;
            let req = http::Request::get(path).body(Vec::new()).unwrap();
            match client.request_text(req).await {
                Ok(body) => Some((200, body)),
                Err(kube::Error::Api(s)) => Some((s.code, s.message)),
                Err(_) => None,
            }
        })
    }

    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// The CA the server generated in `--cert-dir` (its self-signed serving chain).
    pub fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.dir.path().join("certs/apiserver.crt")).expect("apiserver.crt")
    }

    fn token(user: &str) -> &'static str {
        USERS
            .iter()
            .find(|(u, _, _)| *u == user)
            .map(|(_, t, _)| *t)
            .expect("known user")
    }

    /// A self-contained kubeconfig for `user` (CA data inline), with context `context`.
    pub fn kubeconfig_yaml(&self, user: &str, context: &str) -> String {
        self.kubeconfig_yaml_at(&self.url(), user, context)
    }

    /// [`ApiServer::kubeconfig_yaml`] with another server URL (a relay in front of it).
    pub fn kubeconfig_yaml_at(&self, url: &str, user: &str, context: &str) -> String {
        let ca = base64::engine::general_purpose::STANDARD.encode(self.ca_pem());
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {context}\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\nusers:\n- name: {user}\n  user:\n    token: {}\ncontexts:\n- name: {context}\n  context:\n    cluster: {context}\n    user: {user}\ncurrent-context: {context}\n",
            url,
            Self::token(user)
        )
    }

    fn write_kubeconfig(&self, user: &str) {
        std::fs::write(
            self.kubeconfig(user),
            self.kubeconfig_yaml(user, "real-apiserver"),
        )
        .unwrap();
    }

    /// A kubeconfig file for `user` whose context (the console's site name) is `context`.
    pub fn kubeconfig_as(&self, user: &str, context: &str) -> PathBuf {
        let path = self
            .dir
            .path()
            .join(format!("kubeconfig-{user}-{context}.yaml"));
        std::fs::write(&path, self.kubeconfig_yaml(user, context)).unwrap();
        path
    }

    /// The kubeconfig file of `user` (context `real-apiserver`).
    pub fn kubeconfig(&self, user: &str) -> PathBuf {
        self.dir.path().join(format!("kubeconfig-{user}.yaml"))
    }

    pub async fn client(&self, user: &str) -> Client {
        let kc = Kubeconfig::from_yaml(&self.kubeconfig_yaml(user, "real-apiserver")).unwrap();
        let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
            .await
            .expect("kubeconfig loads");
        Client::try_from(config).expect("client builds")
    }

    /// Kills the server (and its etcd); the data dir stays for [`ApiServer::restart`].
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port, data and certificates.
    pub fn restart(&mut self) {
        self.stop();
        let mut retries = 0;
        loop {
            self.spawn();
            if self.wait_ready(&mut retries) == Start::Ready {
                return;
            }
        }
    }

    pub fn log_tail(&self) -> String {
        let log =
            std::fs::read_to_string(self.dir.path().join("apiserver.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// The audit log's events (JSON lines).
    pub fn audit_events(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("audit.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Compacts etcd at its current revision (etcd's grpc-gateway): every older resourceVersion
    /// a watch may resume from is gone, so the API server answers 410 Gone.
    pub fn compact_etcd(&self) -> i64 {
        // Any range answer carries the store's current revision in its header.
        let range = self.etcd_post("/v3/kv/range", &json!({"key": "AA==", "limit": 1}));
        let revision: i64 = range["header"]["revision"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .or_else(|| range["header"]["revision"].as_i64())
            .unwrap_or_else(|| panic!("no revision in {range}"));
        let out = self.etcd_post(
            "/v3/kv/compaction",
            &json!({"revision": revision.to_string(), "physical": true}),
        );
        assert!(out.get("error").is_none(), "compaction: {out}");
        revision
    }

    fn etcd_post(&self, path: &str, body: &Value) -> Value {
        let host = self
            .etcd_url
            .strip_prefix("http://")
            .expect("etcd on plain http");
        let body = body.to_string();
        let mut s = TcpStream::connect(host).unwrap();
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let (head, rest) = out.split_once("\r\n\r\n").expect("an HTTP answer");
        assert!(head.starts_with("HTTP/1.1 200"), "etcd {path}: {out}");
        // Chunked or not: the JSON object is between the first '{' and the last '}'.
        let json = &rest[rest.find('{').unwrap_or(0)..=rest.rfind('}').unwrap_or(0)];
        serde_json::from_str(json).unwrap_or_else(|e| panic!("etcd {path}: {e}: {out}"))
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Starts `n` servers at once (launched from this thread, so that they die with it), each with
/// the `extra` flags, and waits until all of them are ready.
pub fn start_many(bin: &Path, n: usize, extra: &[&str]) -> Vec<ApiServer> {
    start_all((0..n).map(|_| ApiServer::launch(bin, extra)).collect())
}

/// Waits until every launched server is ready, starting again (from this thread) each whose
/// port was taken.
pub fn start_all(mut servers: Vec<ApiServer>) -> Vec<ApiServer> {
    let mut retries = vec![0; servers.len()];
    loop {
        // Waited for in parallel; spawned again here, never on a waiting thread (the server
        // would die when that thread ends).
        let again: Vec<usize> = std::thread::scope(|s| {
            let waits: Vec<_> = servers
                .iter_mut()
                .zip(retries.iter_mut())
                .map(|(server, r)| {
                    s.spawn(move || server.was_ready || server.wait_ready(r) == Start::Ready)
                })
                .collect();
            waits
                .into_iter()
                .enumerate()
                .filter_map(|(i, w)| (!w.join().unwrap()).then_some(i))
                .collect()
        });
        if again.is_empty() {
            return servers;
        }
        for i in again {
            servers[i].spawn();
        }
    }
}

// ---------------------------------------------------------------- objects

/// Every YAML document of a file (empty ones and `null`s left out).
pub fn yaml_docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    blast::repo::yaml_serde::documents::<Value>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_iter()
        .filter(|v| !v.is_null())
        .collect()
}

/// The CRDs of `../shared/crds` (beside the repo), every file.
pub fn shared_crds() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/crds");
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let e = e.unwrap();
        let p = e.path();
        if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.extend(
                yaml_docs(p)
                    .into_iter()
                    .filter(|d| d["kind"] == "CustomResourceDefinition"),
            );
        }
    }
    assert!(!out.is_empty(), "no CRDs under {}", dir.display());
    out
}

/// A stand-in CRD (any fields kept, a status subresource) for a kind of the console's table
/// whose upstream CRD is not in `../shared/crds` (K10, Klum, Mayastor, provider-minio, ours).
pub fn stand_in_crd(k: &blast::model::kinds::KindInfo) -> Value {
    let versions: Vec<Value> = k
        .versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            json!({
                "name": v,
                "served": true,
                "storage": i == 0,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": true,
                }},
            })
        })
        .collect();
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{}.{}", k.plural, k.group)},
        "spec": {
            "group": k.group,
            "names": {"kind": k.kind, "plural": k.plural, "listKind": format!("{}List", k.kind)},
            "scope": if k.namespaced { "Namespaced" } else { "Cluster" },
            "versions": versions,
        },
    })
}

/// No conversion webhook runs here: a CRD that asks for one converts by changing `apiVersion`
/// only (as the issue says for the test copies of Cluster API's CRDs).
pub fn without_webhook(mut crd: Value) -> Value {
    if crd["spec"]["conversion"]["strategy"] == "Webhook" {
        crd["spec"]["conversion"] = json!({"strategy": "None"});
    }
    crd
}

/// Creates (or replaces) the CRDs and waits until each is Established.
pub async fn install_crds(client: &Client, crds: &[Value]) {
    let res = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
        "customresourcedefinitions",
    );
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &res);
    for crd in crds {
        let obj: DynamicObject = serde_json::from_value(crd.clone()).unwrap();
        let name = obj.metadata.name.clone().unwrap();
        match api.create(&PostParams::default(), &obj).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 409 => {
                let mut obj = obj;
                obj.metadata.resource_version =
                    api.get(&name).await.unwrap().metadata.resource_version;
                api.replace(&name, &PostParams::default(), &obj)
                    .await
                    .unwrap_or_else(|e| panic!("CRD {name}: {e}"));
            }
            Err(e) => panic!("CRD {name}: {e}"),
        }
    }
    for crd in crds {
        let name = crd["metadata"]["name"].as_str().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = api.get(name).await.unwrap();
            let established = got.data["status"]["conditions"]
                .as_array()
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| c["type"] == "Established" && c["status"] == "True")
                });
            if established {
                break;
            }
            assert!(Instant::now() < deadline, "CRD {name} not Established");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Creates every object (namespaces first), then writes its `status` through the status
/// subresource where the kind has one. Server-owned metadata is dropped first.
/// Panics naming the object on any refusal.
pub async fn create_objects(client: &Client, objects: &[Value]) {
    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    let mut ordered: Vec<&Value> = objects.iter().collect();
    ordered.sort_by_key(|o| o["kind"] != "Namespace");
    let mut namespaces = std::collections::BTreeSet::new();
    for o in &ordered {
        if let Some(ns) = o["metadata"]["namespace"].as_str() {
            namespaces.insert(ns.to_string());
        }
    }
    let ns_api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    for ns in &namespaces {
        let have = ordered
            .iter()
            .any(|o| o["kind"] == "Namespace" && o["metadata"]["name"] == ns.as_str());
        if !have && ns_api.get_opt(ns).await.unwrap().is_none() {
            let obj = serde_json::from_value(json!({"metadata": {"name": ns}})).unwrap();
            ns_api.create(&PostParams::default(), &obj).await.unwrap();
        }
    }
    // A real server refuses an ownerReference without a uid (the emulator does not): the few
    // fixture objects written without one get their owner's fixture uid.
    let uid_of = |kind: &str, ns: &str, name: &str| {
        objects.iter().find_map(|o| {
            (o["kind"] == kind
                && o["metadata"]["name"] == name
                && o["metadata"]["namespace"].as_str().unwrap_or_default() == ns)
                .then(|| o["metadata"]["uid"].clone())
        })
    };
    for o in ordered {
        let mut o = o.clone();
        let ns = o["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let this = format!("{} {ns}/{}", o["kind"], o["metadata"]["name"]);
        if let Some(refs) = o["metadata"]["ownerReferences"].as_array_mut() {
            for r in refs.iter_mut().filter(|r| r.get("uid").is_none()) {
                let (kind, name) = (r["kind"].as_str().unwrap(), r["name"].as_str().unwrap());
                let uid = uid_of(kind, &ns, name)
                    .or_else(|| uid_of(kind, "", name))
                    .filter(|u| u.is_string())
                    .unwrap_or_else(|| panic!("owner {kind} {name} of {this} has no uid anywhere"));
                r["uid"] = uid;
            }
        }
        let (group, version) =
            blast::model::kinds::split_api_version(o["apiVersion"].as_str().unwrap());
        let kind = o["kind"].as_str().unwrap().to_string();
        let gvk = GroupVersionKind::gvk(group, version, &kind);
        let (ar, caps) = discovery
            .resolve_gvk(&gvk)
            .unwrap_or_else(|| panic!("{}/{kind} not served", o["apiVersion"]));
        let meta = o["metadata"].as_object_mut().unwrap();
        for k in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "generation",
            "managedFields",
            "selfLink",
        ] {
            meta.remove(k);
        }
        let name = meta["name"].as_str().unwrap().to_string();
        let api: Api<DynamicObject> = match (caps.scope, o["metadata"]["namespace"].as_str()) {
            (Scope::Namespaced, Some(ns)) => Api::namespaced_with(client.clone(), ns, &ar),
            (Scope::Namespaced, None) => Api::default_namespaced_with(client.clone(), &ar),
            (Scope::Cluster, _) => Api::all_with(client.clone(), &ar),
        };
        let status = o.get("status").cloned();
        let obj: DynamicObject = serde_json::from_value(o.clone()).unwrap();
        let created = match api.create(&PostParams::default(), &obj).await {
            Ok(c) => c,
            Err(kube::Error::Api(s)) if s.code == 409 && kind == "Namespace" => continue,
            Err(e) => panic!("create {kind} {name}: {e}"),
        };
        let Some(status) = status else { continue };
        if created.data.get("status") == Some(&status) {
            continue;
        }
        let mut with_status = created.clone();
        with_status.data["status"] = status;
        match api
            .replace_status(&name, &PostParams::default(), &with_status)
            .await
        {
            Ok(_) => {}
            // No status subresource: the create kept `status` as given.
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => panic!("status of {kind} {name}: {e}"),
        }
    }
}

/// Creates many Nodes, `parallel` requests at a time, each followed by its `status` written
/// through the status subresource (a create drops it). For the tests and the bench of 5,000
/// Nodes. Panics naming the Node on any refusal.
pub async fn create_nodes(client: &Client, nodes: &[Value], parallel: usize) {
    use futures::StreamExt;
    use k8s_openapi::api::core::v1::Node;
    let api: Api<Node> = Api::all(client.clone());
    let api = &api;
    futures::stream::iter(nodes)
        .map(|n| async move {
            let mut node: Node = serde_json::from_value(n.clone()).unwrap();
            let name = node.metadata.name.clone().unwrap_or_default();
            let created = api
                .create(&PostParams::default(), &node)
                .await
                .unwrap_or_else(|e| panic!("create Node {name}: {e}"));
            node.metadata = created.metadata;
            api.replace_status(&name, &PostParams::default(), &node)
                .await
                .unwrap_or_else(|e| panic!("status of Node {name}: {e}"));
        })
        .buffer_unordered(parallel)
        .collect::<Vec<_>>()
        .await;
}

/// A TCP relay on loopback in front of a server, to cut every connection at once (a network
/// blip: the clients' watches break and resume from their last resourceVersion).
pub struct Relay {
    pub port: u16,
    conns: std::sync::Arc<std::sync::Mutex<Vec<TcpStream>>>,
}

impl Relay {
    pub fn start(upstream: u16) -> Relay {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let conns = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let list = conns.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let mut l = list.lock().unwrap();
                l.push(client.try_clone().unwrap());
                l.push(server.try_clone().unwrap());
                drop(l);
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Relay { port, conns }
    }

    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// Cuts every open connection; new ones are relayed again.
    pub fn cut(&self) {
        for s in self.conns.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}
