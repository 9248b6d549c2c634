//! The kube path over real HTTP: the supervisor and watchers against the project's API emulator
//! serving the demo world, driving the pure core exactly as the runtime does.

use std::net::SocketAddr;
use std::time::Duration;

use blast::app::live::views::settle;
use blast::app::live::{Entry, KindStatus, SourceStatus};
use blast::app::nav::Route;
use blast::app::{Effect, Msg, State, update};
use blast::demo::emulator::{Emulator, ServerHandle};
use blast::demo::world;
use blast::keymap::Keymap;
use blast::kube::supervisor::{self, Command, Options};
use blast::model::kinds;
use tokio::sync::mpsc;

pub struct Harness {
    pub state: State,
    pub emu: Emulator,
    pub server: Option<ServerHandle>,
    pub addr: SocketAddr,
    rx: mpsc::Receiver<blast::app::live::LiveMsg>,
    sup: mpsc::UnboundedSender<Command>,
    pub _dir: tempfile::TempDir,
}

impl Harness {
    pub async fn start(route: Route) -> Harness {
        let emu = Emulator::new();
        world::load(&emu, blast::kube::now()).unwrap();
        Harness::start_with(route, emu).await
    }

    pub async fn start_with(route: Route, emu: Emulator) -> Harness {
        let server = emu.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = server.addr;
        world::kubeconfig_secrets(&emu, &server.base_url()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kubeconfig.yaml");
        std::fs::write(&path, emu.kubeconfig(&server.base_url(), world::MGMT)).unwrap();
        let (tx, rx) = mpsc::channel(1024);
        let sup = supervisor::spawn(
            Options {
                kubeconfig: Some(path),
                contexts: vec![world::MGMT.into()],
                workload_kubeconfigs: true,
                linger: Duration::from_secs(1),
                overrides: Default::default(),
            },
            tx,
        );
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
        let mut state = State::new(repo, Keymap::default(), (200, 50));
        state.route = route;
        let mut h = Harness {
            state,
            emu,
            server: Some(server),
            addr,
            rx,
            sup,
            _dir: dir,
        };
        let fx = h.state.init();
        h.effects(fx);
        h
    }

    fn effects(&mut self, fx: Vec<Effect>) {
        for e in fx {
            match e {
                Effect::Watch(w) => self.sup.send(Command::Want(w)).unwrap(),
                Effect::UseContexts(c) => self.sup.send(Command::UseContexts(c)).unwrap(),
                // The repo side is not under test here.
                _ => {}
            }
        }
    }

    pub fn key(&mut self, spec: &str) {
        let k = blast::keymap::Key::parse(spec).unwrap();
        let code = match k.code {
            blast::keymap::KeyCodeOrd::Char(c) => crossterm::event::KeyCode::Char(c),
            blast::keymap::KeyCodeOrd::Enter => crossterm::event::KeyCode::Enter,
            blast::keymap::KeyCodeOrd::Esc => crossterm::event::KeyCode::Esc,
            other => panic!("add {other:?}"),
        };
        let fx = update(
            &mut self.state,
            Msg::Key(crossterm::event::KeyEvent::new(
                code,
                crossterm::event::KeyModifiers::NONE,
            )),
        );
        self.effects(fx);
        settle(&mut self.state);
    }

    /// Applies messages as they come until `done` holds (or panics after `secs`).
    pub async fn until(&mut self, what: &str, secs: u64, done: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            settle(&mut self.state);
            if done(&self.state) {
                return;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(m)) => {
                    let fx = update(&mut self.state, Msg::Live(m));
                    self.effects(fx);
                }
                Ok(None) => panic!("channel closed waiting for {what}"),
                Err(_) => panic!(
                    "timed out waiting for {what}; sources: {:?}",
                    self.state
                        .live
                        .sources
                        .values()
                        .map(|s| (s.id.clone(), s.status()))
                        .collect::<Vec<_>>()
                ),
            }
        }
    }
}

fn source_status(s: &State, id: &str) -> Option<SourceStatus> {
    s.live.sources.get(id).map(|s| s.status())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_nodes_and_stale_marking_over_http() {
    let mut h = Harness::start(Route::Fleet).await;
    let clusters = h.emu.list(world::MGMT, &kinds::CLUSTER).len();
    assert!(clusters >= 2, "the demo world has workload clusters");
    h.until("the fleet with its machines", 20, |s| {
        s.views.fleet_rows.len() == clusters
            && s.views.fleet_rows.iter().all(|r| !r.talos.is_empty())
    })
    .await;
    let berlin = h
        .state
        .views
        .fleet_rows
        .iter()
        .find(|r| r.key.name == "edge-berlin")
        .expect("edge-berlin in the fleet")
        .clone();
    assert!(berlin.control_plane.desired >= 1);
    assert!(!berlin.kubernetes.is_empty(), "{berlin:?}");
    assert!(!berlin.talos.is_empty(), "{berlin:?}");

    // Nodes of every workload cluster, through their kubeconfig Secrets.
    h.key("3");
    let workload_nodes: usize = h
        .emu
        .clusters()
        .iter()
        .filter(|c| *c != world::MGMT)
        .map(|c| h.emu.list(c, &kinds::NODE).len())
        .sum();
    let mgmt_nodes = h.emu.list(world::MGMT, &kinds::NODE).len();
    // All of them, the management cluster's own too (it may list last).
    h.until("workload nodes", 20, |s| {
        s.views
            .node_rows
            .iter()
            .filter(|r| r.cluster != "mgmt")
            .count()
            == workload_nodes
            && s.views.node_rows.len() == workload_nodes + mgmt_nodes
    })
    .await;
    // A node goes NotReady: the row follows, joined to its Machine.
    let node = h.emu.list("edge-berlin", &kinds::NODE)[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    h.emu.modify("edge-berlin", &kinds::NODE, None, &node, |o| {
        for c in o["status"]["conditions"].as_array_mut().unwrap() {
            if c["type"] == "Ready" {
                c["status"] = "Unknown".into();
                c["reason"] = "NodeStatusUnknown".into();
            }
        }
    });
    h.until("the node NotReady", 10, |s| {
        s.views.node_rows.iter().any(|r| {
            r.name == node && r.ready == blast::model::CondStatus::Unknown && r.machine.is_some()
        })
    })
    .await;

    // The API server goes away: the data stays, marked stale.
    let n = h.state.views.node_rows.len();
    h.server.take().unwrap().shutdown().await;
    h.until("stale", 30, |s| {
        matches!(source_status(s, "mgmt"), Some(SourceStatus::Stale { .. }))
    })
    .await;
    assert_eq!(
        h.state.views.node_rows.len(),
        n,
        "stale data stays on screen"
    );
    assert!(
        h.state
            .views
            .node_rows
            .iter()
            .filter(|r| r.cluster == "mgmt")
            .all(|r| r.stale_since.is_some())
    );
    // It comes back on the same address: live again, within the backoff cap.
    h.server = Some(h.emu.serve(h.addr).await.unwrap());
    h.until("live again", 45, |s| {
        source_status(s, "mgmt") == Some(SourceStatus::Live)
            && source_status(s, "edge-berlin") == Some(SourceStatus::Live)
    })
    .await;
    assert_eq!(h.state.views.node_rows.len(), n);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_watches_relist_without_losing_objects_and_malformed_objects_show() {
    let mut h = Harness::start(Route::BareMetal).await;
    let servers = h.emu.list(world::MGMT, &kinds::SERVER);
    h.until("servers", 20, |s| {
        s.views.server_rows.len() == servers.len()
    })
    .await;
    // 410: every watch is expired; the store is replaced at once, never emptied.
    h.emu.faults().expire_watches();
    let victim = servers[0]["metadata"]["name"].as_str().unwrap().to_string();
    h.emu
        .modify(world::MGMT, &kinds::SERVER, None, &victim, |o| {
            o["spec"]["hostname"] = "renamed-after-410".into();
        });
    h.until("the change after the relist", 30, |s| {
        s.views
            .server_rows
            .iter()
            .any(|r| r.hostname == "renamed-after-410")
    })
    .await;
    assert_eq!(h.state.views.server_rows.len(), servers.len());
    // One malformed object: shown as broken with its error, the rest unharmed.
    h.emu
        .faults()
        .set_malformed(Some((world::MGMT, kinds::SERVER.plural, &victim)));
    h.emu
        .modify(world::MGMT, &kinds::SERVER, None, &victim, |o| {
            o["spec"]["hostname"] = "touch".into();
        });
    h.until("the malformed server", 20, |s| {
        s.views
            .server_rows
            .iter()
            .any(|r| r.name == victim && r.broken.is_some())
    })
    .await;
    assert_eq!(h.state.views.server_rows.len(), servers.len());
    let kind = kinds::find_kind_name("Server").unwrap();
    assert_eq!(kind.kind, "Server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_fleet_with_workload_nodes() {
    let emu = Emulator::new();
    let scale = blast::demo::scale::Scale {
        clusters: 5,
        machines_per_cluster: 6,
    };
    blast::demo::scale::populate(&emu, scale, blast::kube::now()).unwrap();
    let mut h = Harness::start_with(Route::Fleet, emu).await;
    h.until("5 clusters with their machines", 20, |s| {
        s.views.fleet_rows.len() == 5 && s.views.fleet_rows.iter().all(|r| !r.talos.is_empty())
    })
    .await;
    let row = &h.state.views.fleet_rows[0];
    assert_eq!(row.control_plane.to_string(), "3/3");
    assert_eq!(row.workers.to_string(), "3/3");
    assert_eq!(row.kubernetes, "v1.34.1");
    assert_eq!(row.talos, "v1.11.3");
    assert_eq!(row.verdict, blast::app::live::fleet::Verdict::Healthy);
    h.key("3");
    h.until("30 nodes", 20, |s| s.views.node_rows.len() == 30)
        .await;
    assert!(
        h.state
            .views
            .node_rows
            .iter()
            .all(|r| r.machine.is_some() && r.server.is_some())
    );
    h.key("4");
    h.until("30 servers", 20, |s| s.views.server_rows.len() == 30)
        .await;
    assert!(
        h.state
            .views
            .server_rows
            .iter()
            .all(|r| r.cluster.is_some())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rbac_forbidden_on_one_kind_disables_that_view_only() {
    let emu = Emulator::new();
    world::load(&emu, blast::kube::now()).unwrap();
    emu.faults().forbid(world::MGMT, kinds::SERVER.plural);
    let mut h = Harness::start_with(Route::BareMetal, emu).await;
    h.until("servers forbidden", 20, |s| {
        s.live
            .kind_problem(&kinds::SERVER)
            .is_some_and(|p| p.contains("forbidden"))
    })
    .await;
    let theme = blast::theme::Theme::load("default", None, false).unwrap();
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
    term.draw(|f| blast::view::draw(f, &h.state, &theme))
        .unwrap();
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("unavailable"), "{screen}");
    // The fleet still works.
    h.key("2");
    h.until("the fleet", 20, |s| s.views.fleet_rows.len() >= 2)
        .await;
    // Permission granted: the view recovers by itself (the watch keeps retrying).
    h.emu.faults().allow(world::MGMT, kinds::SERVER.plural);
    h.key("4");
    h.until("servers after the grant", 45, |s| {
        !s.views.server_rows.is_empty()
    })
    .await;
}

/// An API that lists but does not watch (K10's aggregated actions may): the list stays on
/// screen as live data, not as a failure, and is listed again later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_that_cannot_be_watched_is_listed_not_failed() {
    let emu = Emulator::new();
    world::load(&emu, blast::kube::now()).unwrap();
    emu.faults().refuse_watch(kinds::K10_RUN_ACTION.plural);
    let mut h = Harness::start_with(Route::Backup, emu).await;
    h.until("policies with their runs", 30, |s| {
        s.views
            .backup_rows
            .iter()
            .filter(|r| r.kind == "Policy" && r.last_run.is_some())
            .count()
            == 2
    })
    .await;
    // For 4 s (the refused watch fails within milliseconds, a failure would back off for
    // 0.8 s), every look finds the kind live on every site.
    let end = std::time::Instant::now() + std::time::Duration::from_secs(4);
    while std::time::Instant::now() < end {
        if let Ok(Some(m)) =
            tokio::time::timeout(std::time::Duration::from_millis(50), h.rx.recv()).await
        {
            let fx = update(&mut h.state, Msg::Live(m));
            h.effects(fx);
        }
        settle(&mut h.state);
        for src in h.state.live.sources.values().filter(|src| !src.root) {
            let st = src.store(&kinds::K10_RUN_ACTION).map(|k| k.status.clone());
            assert_eq!(
                st,
                Some(blast::app::live::KindStatus::Live),
                "{}: run actions not live",
                src.id
            );
        }
    }
    assert!(
        h.state
            .views
            .backup_rows
            .iter()
            .all(|r| r.stale_since.is_none()),
        "nothing marked stale"
    );
}

/// The real kubectl can get every kind the emulator serves from the demo world.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_gets_every_kind_of_the_demo_world() {
    if std::process::Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("kubectl not installed: skipped");
        return;
    }
    let h = Harness::start(Route::Browser).await;
    let kubeconfig = h._dir.path().join("kubeconfig.yaml");
    for cluster in h.emu.clusters() {
        for kind in kinds::ALL {
            let objs = h.emu.list(&cluster, kind);
            if objs.is_empty() || kind.kind == "Secret" {
                continue;
            }
            let resource = if kind.group.is_empty() {
                kind.plural.to_string()
            } else {
                format!("{}.{}", kind.plural, kind.group)
            };
            let kc = kubeconfig.clone();
            let cl = cluster.clone();
            let out = tokio::task::spawn_blocking(move || {
                std::process::Command::new("kubectl")
                    .args(["--kubeconfig", kc.to_str().unwrap(), "--context", &cl])
                    .args(["get", &resource, "-A", "-o", "yaml"])
                    .output()
                    .unwrap()
            })
            .await
            .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "kubectl get {} on {cluster}: {}",
                kind.plural,
                String::from_utf8_lossy(&out.stderr)
            );
            for o in &objs {
                let name = o["metadata"]["name"].as_str().unwrap();
                assert!(
                    text.contains(&format!("name: {name}")),
                    "{name} missing from kubectl get {} on {cluster}",
                    kind.plural
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_500s_slow_answers_and_dropped_watches() {
    let mut h = Harness::start(Route::Nodes).await;
    h.until("nodes", 20, |s| s.views.node_rows.len() >= 9).await;
    let node = h.emu.list("edge-lab", &kinds::NODE)[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    // Every other request fails, every answer is slow, and every watch is cut.
    h.emu.faults().set_error_rate(2);
    h.emu
        .faults()
        .set_latency(std::time::Duration::from_millis(300));
    h.emu.faults().drop_watches();
    h.emu.modify("edge-lab", &kinds::NODE, None, &node, |o| {
        o["spec"]["unschedulable"] = true.into();
    });
    h.until("the cordon through the faults", 60, |s| {
        s.views
            .node_rows
            .iter()
            .any(|r| r.name == node && r.cordoned)
    })
    .await;
    h.emu.faults().set_error_rate(0);
    h.emu.faults().set_latency(std::time::Duration::ZERO);
    h.until("everything live again", 60, |s| {
        s.live
            .sources
            .values()
            .all(|src| src.status() == SourceStatus::Live)
    })
    .await;
}

/// Cluster API mid-upgrade (Cluster serves only v1beta1 while Machine already serves v1beta2)
/// and a provider group whose versions hold different kinds (Sidero's MetalMachine at v1alpha2
/// only, another provider's kind at v1alpha3, the version the console prefers): every kind is
/// watched at a version that serves it. Then Cluster's CRD moves to v1beta2 only: the 404 under
/// the watch looks the group up again and the fleet comes back without a key press.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kind_is_watched_at_a_version_that_serves_it() {
    let emu = Emulator::new();
    world::load(&emu, blast::kube::now()).unwrap();
    emu.serve_versions(&kinds::CLUSTER, Some(&["v1beta1"]));
    emu.serve_versions(&kinds::METAL_MACHINE, Some(&["v1alpha2"]));
    emu.serve_versions(&kinds::METAL_CLUSTER, Some(&["v1alpha2"]));
    emu.add_foreign_resource(blast::demo::emulator::ForeignResource {
        group: "infrastructure.cluster.x-k8s.io".into(),
        version: "v1alpha3".into(),
        kind: "ProxmoxMachine".into(),
        plural: "proxmoxmachines".into(),
        namespaced: true,
    });
    let clusters = emu.list(world::MGMT, &kinds::CLUSTER).len();
    let metal_machines = emu.list(world::MGMT, &kinds::METAL_MACHINE).len();
    assert!(clusters >= 2 && metal_machines >= 1);
    let live = |s: &State, k: &blast::model::kinds::KindInfo| {
        s.live
            .sources
            .get(world::MGMT)
            .and_then(|src| src.store(k))
            .map(|st| (st.status.clone(), st.objects.len()))
    };
    let mut metal = Harness::start_with(Route::BareMetal, emu.clone()).await;
    metal
        .until("the metal machines", 20, |s| {
            live(s, &kinds::METAL_MACHINE) == Some((KindStatus::Live, metal_machines))
        })
        .await;
    drop(metal);
    let mut h = Harness::start_with(Route::Fleet, emu).await;
    h.until("every cluster in the fleet", 20, |s| {
        s.views.fleet_rows.len() == clusters
    })
    .await;
    // The CRD upgraded under the watch: v1beta1 is gone.
    h.emu.serve_versions(&kinds::CLUSTER, Some(&["v1beta2"]));
    h.emu.faults().drop_watches();
    let name = h.emu.list(world::MGMT, &kinds::CLUSTER)[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let ns = h.emu.list(world::MGMT, &kinds::CLUSTER)[0]["metadata"]["namespace"]
        .as_str()
        .unwrap()
        .to_string();
    h.emu
        .modify(world::MGMT, &kinds::CLUSTER, Some(&ns), &name, |o| {
            o["metadata"]["labels"]["touched"] = "after-upgrade".into();
        });
    h.until("the cluster's change seen at v1beta2", 30, |s| {
        s.live
            .sources
            .get(world::MGMT)
            .and_then(|src| src.store(&kinds::CLUSTER))
            .is_some_and(|st| {
                st.status == KindStatus::Live
                    && st.objects.values().any(|e| match e {
                        Entry::Ok(o) => {
                            o.meta().labels.get("touched").map(String::as_str)
                                == Some("after-upgrade")
                        }
                        Entry::Broken { .. } => false,
                    })
            })
    })
    .await;
    assert_eq!(h.state.views.fleet_rows.len(), clusters);
}

/// An object whose metadata does not decode (labels a string) is a broken row naming the field,
/// in the list and in watch events; its kind stays live and the other objects stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_with_broken_metadata_is_a_broken_row_not_a_failed_list() {
    let emu = Emulator::new();
    world::load(&emu, blast::kube::now()).unwrap();
    let servers = emu.list(world::MGMT, &kinds::SERVER);
    let victim = servers[0]["metadata"]["name"].as_str().unwrap().to_string();
    emu.faults()
        .set_malformed_metadata(Some((world::MGMT, kinds::SERVER.plural, &victim)));
    let mut h = Harness::start_with(Route::BareMetal, emu).await;
    let broken_error = |s: &State| {
        let src = s.live.sources.get(world::MGMT)?;
        let st = src.store(&kinds::SERVER)?;
        if st.status != KindStatus::Live || st.objects.len() != servers.len() {
            return None;
        }
        src.broken(&kinds::SERVER)
            .find(|(k, _)| k.name == victim)
            .map(|(_, e)| e.to_string())
    };
    h.until("the listed server with broken metadata", 20, |s| {
        broken_error(s).is_some()
    })
    .await;
    let error = broken_error(&h.state).unwrap();
    assert!(error.contains("metadata.labels"), "{error}");
    assert!(
        h.state
            .views
            .server_rows
            .iter()
            .any(|r| r.name == victim && r.broken.is_some())
    );
    // Healed, then broken again through a watch event.
    h.emu.faults().set_malformed_metadata(None);
    h.emu
        .modify(world::MGMT, &kinds::SERVER, None, &victim, |o| {
            o["spec"]["hostname"] = "healed".into();
        });
    h.until("the healed server", 20, |s| broken_error(s).is_none())
        .await;
    h.emu
        .faults()
        .set_malformed_metadata(Some((world::MGMT, kinds::SERVER.plural, &victim)));
    h.emu
        .modify(world::MGMT, &kinds::SERVER, None, &victim, |o| {
            o["spec"]["hostname"] = "broken-again".into();
        });
    h.until("the server broken by a watch event", 20, |s| {
        broken_error(s).is_some_and(|e| e.contains("metadata.labels"))
    })
    .await;
    let st = h.state.live.sources[world::MGMT]
        .store(&kinds::SERVER)
        .unwrap();
    assert_eq!(st.status, KindStatus::Live);
    assert_eq!(st.objects.len(), servers.len());
}
