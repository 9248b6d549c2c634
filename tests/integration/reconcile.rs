//! The demo's stand-in for Argo CD over real git and real HTTP: the demo (emulator, sandbox,
//! reconciler) runs at high speed, the test commits to the sandbox's clone and pushes with the
//! system `git`, and reads the outcome through kube-rs clients as the console would. The test
//! watchers back off between retries: without it a watcher spins on the stopped server and
//! the test runtime never shuts down.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use blast::demo::run::{Demo, Running};
use futures::StreamExt;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Config, ResourceExt};
use serde_json::Value;

use crate::support::{copy_dir, git};

const SPEED: f64 = 20.0;
const WORKERS: &str = "clusters/edge-berlin/capi/workers.yaml";
const APP: &str = "edge-berlin-capi";

/// A user's checkout: the repo's GitOps tree committed in a fresh repository, plus an
/// uncommitted change and an untracked file.
fn user_checkout(dir: &Path) -> PathBuf {
    let work = dir.join("user");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for d in ["clusters", "infrastructure", "apps"] {
        copy_dir(&root.join(d), &work.join(d));
    }
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "the datacenter"]);
    std::fs::write(work.join("clusters/README.md"), "edited, not committed\n").unwrap();
    std::fs::write(work.join("scratch.txt"), "untracked\n").unwrap();
    work
}

struct Rig {
    running: Running,
    clone: PathBuf,
    mgmt: Client,
    berlin: Client,
    _dir: tempfile::TempDir,
}

async fn client(kubeconfig: &Path, context: &str) -> Client {
    let k = Kubeconfig::read_from(kubeconfig).unwrap();
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let config = Config::from_custom_kubeconfig(k, &options).await.unwrap();
    Client::try_from(config).unwrap()
}

async fn start(source: Option<&Path>) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let user = match source {
        Some(s) => s.to_path_buf(),
        None => user_checkout(dir.path()),
    };
    let mut demo = Demo {
        scenario: None,
        speed: SPEED,
        port: 0,
        faults: false,
        write_kubeconfig: Some(dir.path().join("kubeconfig.yaml")),
        keep: false,
        sandbox_dir: Some(dir.path().join("sandbox")),
        sandbox: None,
    };
    let clone = demo.make_sandbox(&user).unwrap();
    let running = demo.start(&dir.path().join("state")).await.unwrap();
    let mgmt = client(&running.kubeconfig_path, "mgmt").await;
    let berlin = client(&running.kubeconfig_path, "edge-berlin").await;
    Rig {
        running,
        clone,
        mgmt,
        berlin,
        _dir: dir,
    }
}

fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

impl Rig {
    fn apps(&self) -> Api<DynamicObject> {
        let r = resource("argoproj.io", "v1alpha1", "Application", "applications");
        Api::namespaced_with(self.mgmt.clone(), "argocd", &r)
    }

    fn machines(&self) -> Api<DynamicObject> {
        let r = resource("cluster.x-k8s.io", "v1beta2", "Machine", "machines");
        Api::namespaced_with(self.mgmt.clone(), "edge-berlin", &r)
    }

    fn servers(&self) -> Api<DynamicObject> {
        let r = resource("metal.sidero.dev", "v1alpha2", "Server", "servers");
        Api::all_with(self.mgmt.clone(), &r)
    }

    fn nodes(&self) -> Api<DynamicObject> {
        let r = resource("", "v1", "Node", "nodes");
        Api::all_with(self.berlin.clone(), &r)
    }

    async fn app(&self) -> Value {
        serde_json::to_value(self.apps().get(APP).await.unwrap()).unwrap()
    }

    async fn workers(&self) -> Vec<Value> {
        let lp =
            ListParams::default().labels("cluster.x-k8s.io/deployment-name=edge-berlin-workers");
        self.machines()
            .list(&lp)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|o| serde_json::to_value(o).unwrap())
            .collect()
    }

    async fn node_list(&self) -> Vec<Value> {
        self.nodes()
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|o| serde_json::to_value(o).unwrap())
            .collect()
    }

    /// Rewrites `path` in the clone with `edit`, commits and pushes; returns the new SHA.
    fn push(&self, path: &str, message: &str, edit: impl FnOnce(String) -> String) -> String {
        let file = self.clone.join(path);
        let text = std::fs::read_to_string(&file).unwrap();
        let new = edit(text.clone());
        assert_ne!(text, new, "the edit changes {path}");
        std::fs::write(&file, new).unwrap();
        git(&self.clone, &["commit", "-q", "-am", message]);
        git(&self.clone, &["push", "-q", "origin", "main"]);
        git(&self.clone, &["rev-parse", "HEAD"]).trim().to_string()
    }
}

/// Polls `check` until it returns something (`secs` at most).
async fn until<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    secs: u64,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every state the watched Application went through: `(sync status, sync revision, operation
/// phase, health)`.
fn record_app(rig: &Rig) -> tokio::sync::mpsc::UnboundedReceiver<(String, String, String, String)> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let cfg = watcher::Config::default().fields(&format!("metadata.name={APP}"));
    let mut stream = Box::pin(watcher::watcher(rig.apps(), cfg).default_backoff());
    tokio::spawn(async move {
        while let Some(ev) = stream.next().await {
            let objs = match ev {
                Ok(watcher::Event::Apply(o) | watcher::Event::InitApply(o)) => vec![o],
                _ => continue,
            };
            for o in objs {
                let v = serde_json::to_value(o).unwrap();
                let s = |p: &str| {
                    v.pointer(p)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                };
                let state = (
                    s("/status/sync/status"),
                    s("/status/sync/revision"),
                    s("/status/operationState/phase"),
                    s("/status/health/status"),
                );
                if tx.send(state).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

fn drain<T>(rx: &mut tokio::sync::mpsc::UnboundedReceiver<T>) -> Vec<T> {
    let mut out = Vec::new();
    while let Ok(x) = rx.try_recv() {
        out.push(x);
    }
    out
}

/// Every object the emulator holds (but Secrets), checked as `blast check --schemas` checks
/// the fixtures: against the CRDs of `../shared/crds` and the Kubernetes core types. Skipped
/// (empty) when the CRDs are not there.
fn schema_errors(emu: &blast::demo::emulator::Emulator, recorded: &[Value]) -> Vec<String> {
    let crds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/crds");
    if !crds.is_dir() {
        eprintln!("no {}: objects not validated", crds.display());
        return vec![];
    }
    let schemas = blast::repo::schema::SchemaSet::load(&crds).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for cluster in emu.clusters() {
        let folder = dir.path().join(&cluster);
        std::fs::create_dir_all(&folder).unwrap();
        for kind in blast::model::kinds::ALL {
            if kind.kind == "Secret" {
                continue;
            }
            let docs: Vec<String> = emu
                .list(&cluster, kind)
                .iter()
                // JSON (which is YAML) quotes every string: a YAML 1.2 emitter writes `yes` bare,
                // which Kubernetes' YAML 1.1 reading (and `check`) takes for a boolean.
                .map(|o| serde_json::to_string_pretty(o).unwrap() + "\n")
                .collect();
            if !docs.is_empty() {
                let file = folder.join(format!("{}.yaml", kind.key));
                std::fs::write(file, docs.join("---\n")).unwrap();
            }
        }
    }
    // every intermediate version seen through the watches, one file per object version
    let folder = dir.path().join("recorded");
    std::fs::create_dir_all(&folder).unwrap();
    for (i, o) in recorded.iter().enumerate() {
        std::fs::write(
            folder.join(format!("{i}.yaml")),
            serde_json::to_string_pretty(o).unwrap(),
        )
        .unwrap();
    }
    let report = blast::repo::check::run(dir.path(), Some(&schemas)).unwrap();
    assert!(
        report.objects > 100 + recorded.len() / 2,
        "{} objects checked",
        report.objects
    );
    report
        .findings
        .iter()
        .filter(|f| f.severity == blast::repo::check::Severity::Error)
        .map(|f| f.to_string())
        .collect()
}

/// Every version of every object of the kinds the reconciler changes, as the watches deliver
/// them (Machines, MetalMachines, TalosConfigs, MachineDeployments, MachineSets, Servers,
/// ServerClasses, Applications on mgmt; Nodes on edge-berlin).
struct Recorder {
    seen: std::sync::Arc<std::sync::Mutex<Vec<Value>>>,
}

impl Recorder {
    fn start(rig: &Rig) -> Recorder {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kinds = [
            (
                "cluster.x-k8s.io",
                "v1beta2",
                "Machine",
                "machines",
                &rig.mgmt,
            ),
            (
                "infrastructure.cluster.x-k8s.io",
                "v1alpha3",
                "MetalMachine",
                "metalmachines",
                &rig.mgmt,
            ),
            (
                "bootstrap.cluster.x-k8s.io",
                "v1alpha3",
                "TalosConfig",
                "talosconfigs",
                &rig.mgmt,
            ),
            (
                "cluster.x-k8s.io",
                "v1beta2",
                "MachineDeployment",
                "machinedeployments",
                &rig.mgmt,
            ),
            (
                "cluster.x-k8s.io",
                "v1beta2",
                "MachineSet",
                "machinesets",
                &rig.mgmt,
            ),
            (
                "metal.sidero.dev",
                "v1alpha2",
                "Server",
                "servers",
                &rig.mgmt,
            ),
            (
                "metal.sidero.dev",
                "v1alpha2",
                "ServerClass",
                "serverclasses",
                &rig.mgmt,
            ),
            (
                "argoproj.io",
                "v1alpha1",
                "Application",
                "applications",
                &rig.mgmt,
            ),
            ("", "v1", "Node", "nodes", &rig.berlin),
        ];
        for (g, v, k, p, client) in kinds {
            let api: Api<DynamicObject> = Api::all_with((*client).clone(), &resource(g, v, k, p));
            let mut stream =
                Box::pin(watcher::watcher(api, watcher::Config::default()).default_backoff());
            let seen = seen.clone();
            tokio::spawn(async move {
                while let Some(ev) = stream.next().await {
                    if let Ok(watcher::Event::Apply(o)) = ev {
                        seen.lock().unwrap().push(serde_json::to_value(o).unwrap());
                    }
                }
            });
        }
        Recorder { seen }
    }

    fn take(&self) -> Vec<Value> {
        std::mem::take(&mut self.seen.lock().unwrap())
    }
}

fn phase(m: &Value) -> &str {
    m["status"]["phase"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_a_pushed_scale_up_syncs_the_app_and_adds_a_running_machine_and_ready_node() {
    let rig = start(None).await;
    let recorder = Recorder::start(&rig);
    let started = Instant::now();
    let before = rig.app().await;
    let head = git(&rig.clone, &["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(
        before["status"]["sync"]["revision"],
        head.as_str(),
        "= HEAD at start"
    );
    assert_eq!(rig.workers().await.len(), 3);
    let nodes_before: Vec<String> = rig
        .node_list()
        .await
        .iter()
        .map(|n| n["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    let mut seen = record_app(&rig);
    let sha = rig.push(WORKERS, "edge-berlin: 4 workers", |t| {
        t.replacen("  replicas: 3\n", "  replicas: 4\n", 1)
    });
    let app = until("the app Synced at the pushed commit", 30, || async {
        let a = rig.app().await;
        (a["status"]["sync"]["status"] == "Synced"
            && a["status"]["sync"]["revision"] == sha.as_str()
            && a["status"]["operationState"]["phase"] == "Succeeded")
            .then_some(a)
    })
    .await;
    let op = &app["status"]["operationState"];
    assert_eq!(op["syncResult"]["revision"], sha.as_str());
    assert_eq!(op["operation"]["sync"]["revision"], sha.as_str());
    assert!(op["finishedAt"].is_string());
    let history = app["status"]["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["revision"], sha.as_str());
    assert!(
        op["syncResult"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "MachineDeployment" && r["name"] == "edge-berlin-workers"),
        "{op}"
    );

    // A 4th Machine Running on a fresh Server, and its Node Ready.
    let workers = until("4 Running workers", 60, || async {
        let w = rig.workers().await;
        (w.len() == 4 && w.iter().all(|m| phase(m) == "Running")).then_some(w)
    })
    .await;
    let elapsed = started.elapsed();
    let new = workers
        .iter()
        .find(|m| {
            !["rh5sb-2kq9d", "rh5sb-7mxfl", "rh5sb-zc84v"]
                .iter()
                .any(|s| m["metadata"]["name"].as_str().unwrap().ends_with(s))
        })
        .unwrap();
    let node_name = new["status"]["nodeRef"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!nodes_before.contains(&node_name));
    let uuid = new["spec"]["providerID"]
        .as_str()
        .unwrap()
        .strip_prefix("sidero://")
        .unwrap()
        .to_string();
    let server = serde_json::to_value(rig.servers().get(&uuid).await.unwrap()).unwrap();
    assert_eq!(server["status"]["inUse"], true);
    let node = until("the new Node Ready", 30, || async {
        let nodes = rig.node_list().await;
        nodes
            .into_iter()
            .find(|n| n["metadata"]["name"] == node_name.as_str())
            .filter(|n| {
                n["status"]["conditions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
    })
    .await;
    assert_eq!(node["spec"]["providerID"], format!("sidero://{uuid}"));
    assert_eq!(
        node["metadata"]["labels"]["metal.sidero.dev/uuid"],
        uuid.as_str()
    );
    assert_eq!(rig.node_list().await.len(), nodes_before.len() + 1);
    // The app is Healthy again once the machines are; on the way it was OutOfSync, then
    // syncing, then Synced and Progressing, all at the pushed commit.
    until("the app Healthy again", 30, || async {
        (rig.app().await["status"]["health"]["status"] == "Healthy").then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let states = drain(&mut seen);
    let at = |sync: &str, op: &str| {
        states
            .iter()
            .position(|(s, r, p, _)| s == sync && r == &sha && p == op)
            .unwrap_or_else(|| panic!("never {sync}/{op} at {sha}: {states:?}"))
    };
    let out_of_sync = at("OutOfSync", "Succeeded");
    let running = at("OutOfSync", "Running");
    let synced = at("Synced", "Succeeded");
    assert!(out_of_sync < running && running < synced, "{states:?}");
    assert!(
        states[synced..]
            .iter()
            .any(|(_, _, _, h)| h == "Progressing"),
        "{states:?}"
    );
    eprintln!("scale-up end to end at speed {SPEED}: {elapsed:?}");
    let md = rig.running.emulator.get(
        "mgmt",
        &blast::model::kinds::MACHINE_DEPLOYMENT,
        Some("edge-berlin"),
        "edge-berlin-workers",
    );
    let md = md.unwrap();
    assert_eq!(md["spec"]["replicas"], 4);
    assert_eq!(md["status"]["readyReplicas"], 4);
    assert_eq!(md["status"]["phase"], "Running");
    let errors = schema_errors(&rig.running.emulator, &recorder.take());
    assert!(errors.is_empty(), "{errors:#?}");
    rig.running.stop().await;
}

/// Pushes `from` → `to` in `file` and checks the Machines selected by `selector` roll to
/// v1.36.4 one at a time, with their Nodes (named `node_prefix…`) and nothing else.
async fn rolls_one_at_a_time(file: &str, from: &str, to: &str, selector: &str, node_prefix: &str) {
    let rig = start(None).await;
    let recorder = Recorder::start(&rig);
    // Every Machine event, in order: at no point are two Machines out of Running.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let cfg = watcher::Config::default().labels(selector);
    let mut stream = Box::pin(watcher::watcher(rig.machines(), cfg).default_backoff());
    tokio::spawn(async move {
        while let Some(ev) = stream.next().await {
            if let Ok(watcher::Event::Apply(o) | watcher::Event::InitApply(o)) = ev {
                let v = serde_json::to_value(&o).unwrap();
                if tx.send((o.name_any(), phase(&v).to_string())).is_err() {
                    return;
                }
            }
        }
    });
    let sha = rig.push(file, "Kubernetes v1.36.4", |t| t.replace(from, to));
    let lp = ListParams::default().labels(selector);
    until("every Machine at v1.36.4 and Running", 90, || async {
        let w = rig.machines().list(&lp).await.unwrap().items;
        let w: Vec<Value> = w
            .into_iter()
            .map(|o| serde_json::to_value(o).unwrap())
            .collect();
        (w.len() == 3
            && w.iter().all(|m| {
                m["spec"]["version"] == "v1.36.4"
                    && m["status"]["nodeInfo"]["kubeletVersion"] == "v1.36.4"
                    && phase(m) == "Running"
            }))
        .then_some(())
    })
    .await;
    for n in rig.node_list().await {
        let name = n["metadata"]["name"].as_str().unwrap();
        let want = if name.starts_with(node_prefix) {
            "v1.36.4"
        } else {
            "v1.36.3"
        };
        assert_eq!(n["status"]["nodeInfo"]["kubeletVersion"], want, "{name}");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut phases = std::collections::BTreeMap::new();
    let mut rolled = std::collections::BTreeSet::new();
    for (name, p) in drain(&mut rx) {
        if p == "Deleting" {
            rolled.insert(name.clone());
        }
        phases.insert(name, p);
        let busy = phases.values().filter(|p| *p != "Running").count();
        assert!(busy <= 1, "two Machines in transition at once: {phases:?}");
    }
    assert_eq!(rolled.len(), 3, "each Machine rolled: {rolled:?}");
    let app = rig.app().await;
    assert_eq!(app["status"]["sync"]["revision"], sha.as_str());
    assert_eq!(app["status"]["sync"]["status"], "Synced");
    let errors = schema_errors(&rig.running.emulator, &recorder.take());
    assert!(errors.is_empty(), "{errors:#?}");
    rig.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_a_version_bump_rolls_the_workers_one_at_a_time() {
    rolls_one_at_a_time(
        WORKERS,
        "      version: v1.36.3\n",
        "      version: v1.36.4\n",
        "cluster.x-k8s.io/deployment-name=edge-berlin-workers",
        "berlin-w-",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_a_control_plane_version_bump_rolls_its_machines_one_at_a_time() {
    rolls_one_at_a_time(
        "clusters/edge-berlin/capi/controlplane.yaml",
        "  version: v1.36.3\n",
        "  version: v1.36.4\n",
        "cluster.x-k8s.io/control-plane,cluster.x-k8s.io/cluster-name=edge-berlin",
        "berlin-cp-",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_a_broken_manifest_fails_the_sync_naming_the_file() {
    let rig = start(None).await;
    let recorder = Recorder::start(&rig);
    let sha = rig.push(WORKERS, "broken", |t| {
        t.replacen("  replicas: 3\n", "  replicas: [3\n", 1)
    });
    let app = until("the sync Failed", 30, || async {
        let a = rig.app().await;
        (a["status"]["operationState"]["phase"] == "Failed").then_some(a)
    })
    .await;
    let msg = app["status"]["operationState"]["message"].as_str().unwrap();
    assert!(msg.contains(WORKERS), "{msg}");
    assert!(msg.starts_with("ComparisonError"), "{msg}");
    assert_eq!(
        app["status"]["health"]["status"], "Healthy",
        "health unchanged"
    );
    assert_eq!(app["status"]["sync"]["revision"], sha.as_str());
    assert_ne!(app["status"]["sync"]["status"], "Synced");
    let cond = &app["status"]["conditions"][0];
    assert_eq!(cond["type"], "ComparisonError");
    assert!(cond["message"].as_str().unwrap().contains(WORKERS));
    // nothing was applied
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rig.workers().await.len(), 3);
    // a fixing push syncs and clears the error
    let fixed = rig.push(WORKERS, "fixed", |t| {
        t.replacen("  replicas: [3\n", "  replicas: 3\n", 1)
    });
    let app = until("Synced after the fix", 30, || async {
        let a = rig.app().await;
        (a["status"]["sync"]["status"] == "Synced"
            && a["status"]["sync"]["revision"] == fixed.as_str())
        .then_some(a)
    })
    .await;
    assert!(
        app["status"].get("conditions").is_none(),
        "{}",
        app["status"]
    );
    let errors = schema_errors(&rig.running.emulator, &recorder.take());
    assert!(errors.is_empty(), "{errors:#?}");
    rig.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_a_scale_down_drains_the_newest_worker_and_frees_its_server() {
    let rig = start(None).await;
    let recorder = Recorder::start(&rig);
    let before = rig.workers().await;
    let newest = before
        .iter()
        .max_by_key(|m| {
            (
                m["metadata"]["creationTimestamp"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                m["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .unwrap()
        .clone();
    let node = newest["status"]["nodeRef"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let uuid = newest["spec"]["providerID"]
        .as_str()
        .unwrap()
        .trim_start_matches("sidero://")
        .to_string();
    rig.push(WORKERS, "edge-berlin: 2 workers", |t| {
        t.replacen("  replicas: 3\n", "  replicas: 2\n", 1)
    });
    until("the newest worker gone", 60, || async {
        let w = rig.workers().await;
        (w.len() == 2 && w.iter().all(|m| phase(m) == "Running")).then_some(())
    })
    .await;
    assert!(
        !rig.workers()
            .await
            .iter()
            .any(|m| m["metadata"]["name"] == newest["metadata"]["name"])
    );
    assert!(
        !rig.node_list()
            .await
            .iter()
            .any(|n| n["metadata"]["name"] == node.as_str()),
        "Node {node} still there"
    );
    let server = until("the Server wiped and available", 30, || async {
        let s = serde_json::to_value(rig.servers().get(&uuid).await.unwrap()).unwrap();
        (s["status"]["inUse"] == false && s["status"]["isClean"] == true).then_some(s)
    })
    .await;
    assert_eq!(server["status"]["power"], "off");
    let class = rig
        .running
        .emulator
        .get(
            "mgmt",
            &blast::model::kinds::SERVER_CLASS,
            None,
            "edge-berlin-worker",
        )
        .unwrap();
    let available = class["status"]["serversAvailable"].as_array().unwrap();
    assert!(available.iter().any(|s| s == uuid.as_str()), "{class}");
    until("the app Healthy again", 30, || async {
        (rig.app().await["status"]["health"]["status"] == "Healthy").then_some(())
    })
    .await;
    let md = rig
        .running
        .emulator
        .get(
            "mgmt",
            &blast::model::kinds::MACHINE_DEPLOYMENT,
            Some("edge-berlin"),
            "edge-berlin-workers",
        )
        .unwrap();
    assert_eq!(md["status"]["replicas"], 2);
    assert_eq!(md["status"]["phase"], "Running");
    let errors = schema_errors(&rig.running.emulator, &recorder.take());
    assert!(errors.is_empty(), "{errors:#?}");
    rig.running.stop().await;
}

/// What the user's checkout looks like to git: HEAD, every ref, status, local config.
fn checkout_state(repo: &Path) -> Vec<String> {
    vec![
        git(repo, &["rev-parse", "HEAD"]),
        git(repo, &["for-each-ref"]),
        git(repo, &["status", "--porcelain=v2", "--branch", "-uall"]),
        git(repo, &["config", "--local", "--list"]),
        std::fs::read_to_string(repo.join("clusters/README.md")).unwrap(),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_sandbox_leaves_the_checkout_untouched_and_is_removed_on_drop() {
    let dir = tempfile::tempdir().unwrap();
    let user = user_checkout(dir.path());
    let before = checkout_state(&user);
    let rig = start(Some(&user)).await;
    let sandbox = rig.running.sandbox.as_ref().unwrap().root().to_path_buf();
    assert!(sandbox.join("origin.git").is_dir());
    assert!(rig.clone.starts_with(&sandbox));
    // the clone is of HEAD: the uncommitted edit and the untracked file are not in it
    assert_ne!(
        std::fs::read_to_string(rig.clone.join("clusters/README.md")).unwrap(),
        "edited, not committed\n"
    );
    assert!(!rig.clone.join("scratch.txt").exists());
    assert_eq!(
        git(&rig.clone, &["rev-parse", "HEAD"]),
        git(&user, &["rev-parse", "HEAD"])
    );
    assert_eq!(
        git(
            &rig.clone,
            &["rev-parse", "--abbrev-ref", "main@{upstream}"]
        )
        .trim(),
        "origin/main"
    );
    let sha = rig.push(WORKERS, "4 workers", |t| {
        t.replacen("  replicas: 3\n", "  replicas: 4\n", 1)
    });
    until("the push reconciled", 30, || async {
        (rig.app().await["status"]["sync"]["revision"] == sha.as_str()).then_some(())
    })
    .await;
    assert_eq!(checkout_state(&user), before, "the checkout changed");
    let pushed_into_checkout = std::process::Command::new("git")
        .args(["cat-file", "-e", &sha])
        .current_dir(&user)
        .status()
        .unwrap()
        .success();
    assert!(
        !pushed_into_checkout,
        "the pushed commit reached the checkout"
    );
    let Rig { running, .. } = rig;
    running.stop().await;
    assert!(!sandbox.exists(), "the sandbox outlived the demo");
    assert_eq!(checkout_state(&user), before, "the checkout changed");
}
