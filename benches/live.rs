//! The live side at scale: the emulator holds 200 clusters, 10,000 Machines, 10,000 Nodes (on
//! the 200 workload clusters) and 10,000 Sidero Servers, and churns 200 events/s. The real
//! release binary runs in a 200x50 pseudo-terminal against it.
//!
//! Reports: time from start to a complete fleet view and to a complete node list, resident
//! memory, CPU share and API bytes received over 60 s of churn, key-press-to-screen latency
//! (median, p90), and the time to render one frame at 200x50 (in process).
//!
//! First, startup at 5,000 Nodes on one cluster: the time to the first node screen against the
//! emulator and against the real kube-apiserver (see `node_startup`).
//!
//! Run: `cargo bench --bench live` (`BLAST_BENCH_SECS` shortens the churn window;
//! `BLAST_BENCH_STARTUP_ONLY=1` stops after the startup figures; `cargo bench --profile dev`
//! measures the debug build).

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use blast::app::live::{Entry, LiveMsg, ObjKey};
use blast::demo::emulator::Emulator;
use blast::demo::scale::{self, Scale};
use blast::model::kinds::{self, KindInfo};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

#[allow(dead_code)]
#[path = "../tests/integration/apiserver.rs"]
mod apiserver;

/// What `apiserver` takes from the integration tests' pty helpers.
mod pty {
    pub(crate) fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }
}

const COLS: u16 = 200;
const ROWS: u16 = 50;

fn main() {
    let secs: u64 = std::env::var("BLAST_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let scale = Scale {
        clusters: 200,
        machines_per_cluster: 50,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // The binary of this profile: `cargo bench` builds it (optimized, thin LTO);
    // `BLAST_BENCH_BIN` names another (an older build, to compare).
    let bin = std::env::var_os("BLAST_BENCH_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_blast").into());
    let bin = bin.as_path();
    let dir = tempfile::tempdir().unwrap();
    node_startup(bin, &rt, dir.path());
    if std::env::var_os("BLAST_BENCH_STARTUP_ONLY").is_some() {
        return;
    }
    let emu = Emulator::new();
    let t = Instant::now();
    scale::populate(&emu, scale, blast::kube::now()).unwrap();
    println!(
        "world: {} clusters, {} machines, {} nodes, {} servers (generated in {:.1} s)",
        scale.clusters,
        emu.list("mgmt", &kinds::MACHINE).len(),
        scale.clusters * scale.machines_per_cluster,
        emu.list("mgmt", &kinds::SERVER).len(),
        t.elapsed().as_secs_f64()
    );
    let server = rt
        .block_on(emu.serve("127.0.0.1:0".parse().unwrap()))
        .unwrap();
    let base = server.base_url();
    scale::kubeconfig_secrets(&emu, &base).unwrap();
    let kubeconfig = dir.path().join("kubeconfig.yaml");
    std::fs::write(&kubeconfig, emu.kubeconfig(&base, "mgmt")).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[fleet]\nworkload_kubeconfigs = true\n").unwrap();

    frame_time(&emu, scale);

    let mut term = Term::spawn(
        bin,
        &[
            "--repo",
            env!("CARGO_MANIFEST_DIR"),
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--context",
            "mgmt",
            "--config",
            config.to_str().unwrap(),
            "--view",
            "fleet",
        ],
        dir.path(),
    );
    let started = Instant::now();
    term.wait_for("Clusters (200)", Duration::from_secs(60));
    let fleet = started.elapsed();
    let rss_fleet = rss_kb(term.pid);
    let t = Instant::now();
    let (cpu_console, cpu_emulator) = (cpu_ticks(term.pid), cpu_ticks(std::process::id()));
    term.send(b"3");
    let want = format!("Nodes ({})", scale.clusters * scale.machines_per_cluster);
    term.wait_for(&want, Duration::from_secs(120));
    let nodes = t.elapsed();
    println!(
        "CPU while loading the node list: console {:.2} s, emulator (this process) {:.2} s",
        (cpu_ticks(term.pid) - cpu_console) as f64 / 100.0,
        (cpu_ticks(std::process::id()) - cpu_emulator) as f64 / 100.0
    );
    std::thread::sleep(Duration::from_secs(1));
    println!(
        "resident memory: {} MB with the fleet view, {} MB with the node list",
        rss_fleet / 1024,
        rss_kb(term.pid) / 1024
    );
    println!(
        "start to complete fleet view: {:.2} s; `3` to complete node list ({want}): {:.2} s",
        fleet.as_secs_f64(),
        nodes.as_secs_f64()
    );

    let (median, p90, max) = key_latency(&mut term);
    println!(
        "key press to screen, idle: median {median:.1} ms, p90 {p90:.1} ms, max {max:.1} ms (40 presses)"
    );

    // Churn, and watch what the console costs meanwhile.
    let churn = rt.spawn(scale::churn(emu.clone(), scale, 200));
    std::thread::sleep(Duration::from_secs(2));
    let pid = term.pid;
    let (cpu0, bytes0, t0) = (cpu_ticks(pid), emu.stats().bytes_sent, Instant::now());
    let rss0 = rss_kb(pid);
    std::thread::sleep(Duration::from_secs(secs));
    let (cpu1, bytes1, dt) = (cpu_ticks(pid), emu.stats().bytes_sent, t0.elapsed());
    let rss1 = rss_kb(pid);
    let ticks_per_sec = 100.0; // USER_HZ on Linux
    let cpu_share = (cpu1 - cpu0) as f64 / ticks_per_sec / dt.as_secs_f64() * 100.0;
    println!(
        "during {:.0} s of churn at 200 events/s: CPU {:.1} % of one core; API bytes received {:.1} MB; resident memory {} MB → {} MB (peak {} MB)",
        dt.as_secs_f64(),
        cpu_share,
        (bytes1 - bytes0) as f64 / 1e6,
        rss0 / 1024,
        rss1 / 1024,
        peak_kb(pid) / 1024
    );

    let (median, p90, max) = key_latency(&mut term);
    println!(
        "key press to screen under churn: median {median:.1} ms, p90 {p90:.1} ms, max {max:.1} ms (40 presses)"
    );
    churn.abort();
    term.send(b"q");
    rt.block_on(server.shutdown());
}

/// Startup on one large cluster: 5,000 Nodes (served in pages of 500), the console started on
/// the node view; time to the first screen with node rows and to the complete list, median of 5,
/// from process start: against the emulator, then the real kube-apiserver
/// (`target/kube-apiserver/kube-apiserver`, built by scripts/build-kube-apiserver.sh) holding
/// the same Nodes, created by this bench in parallel requests. Without that binary the real
/// server's line says so (in CI it is built).
fn node_startup(bin: &Path, rt: &tokio::runtime::Runtime, dir: &Path) {
    const N: usize = 5000;
    let nodes = many_nodes(N);
    let emu = Emulator::new();
    emu.add_cluster("big");
    for node in &nodes {
        emu.apply("big", node.clone()).unwrap();
    }
    let server = rt
        .block_on(emu.serve("127.0.0.1:0".parse().unwrap()))
        .unwrap();
    let kubeconfig = dir.join("big.yaml");
    std::fs::write(&kubeconfig, emu.kubeconfig(&server.base_url(), "big")).unwrap();
    let bytes0 = emu.stats().bytes_sent;
    let (first, complete) = time_node_screen(bin, &kubeconfig, dir, N);
    println!(
        "5,000 nodes on one cluster (emulator, {:.1} MB served per start): first node screen {first:.3} s, complete list {complete:.3} s (median of 5, from process start; load average {})",
        (emu.stats().bytes_sent - bytes0) as f64 / 5.0 / 1e6,
        loadavg()
    );
    rt.block_on(server.shutdown());

    let Some(apiserver_bin) = apiserver::binary("bench live (5,000 nodes)") else {
        println!(
            "5,000 nodes on one cluster (real kube-apiserver): not measured, {}",
            apiserver::NOT_BUILT
        );
        return;
    };
    let real = apiserver::start_many(&apiserver_bin, 1, &[]).remove(0);
    let t = Instant::now();
    rt.block_on(async {
        let client = real.client(apiserver::ADMIN).await;
        apiserver::create_nodes(&client, &nodes, 32).await;
    });
    let created = t.elapsed();
    let (raw_mb, raw_s) = rt.block_on(async {
        let client = real.client(apiserver::ADMIN).await;
        let t = Instant::now();
        let req = http::Request::get("/api/v1/nodes")
            .body(Vec::new())
            .unwrap();
        let text = client.request_text(req).await.unwrap();
        (text.len() as f64 / 1e6, t.elapsed().as_secs_f64())
    });
    println!(
        "real kube-apiserver: one GET of the whole node list (no limit) is {raw_mb:.1} MB in {raw_s:.3} s"
    );
    let kubeconfig = real.kubeconfig_as(apiserver::ADMIN, "big");
    let (first, complete) = time_node_screen(bin, &kubeconfig, dir, N);
    println!(
        "5,000 nodes on one cluster (real kube-apiserver; created and their status written in {:.1} s, 32 requests at a time): first node screen {first:.3} s, complete list {complete:.3} s (median of 5, from process start; load average {})",
        created.as_secs_f64(),
        loadavg()
    );
}

/// `n` Nodes as a real cluster has them (labels, addresses, capacity, five conditions, the node
/// info, a few images): about 2 KB each before the server adds its managedFields.
fn many_nodes(n: usize) -> Vec<serde_json::Value> {
    (0..n)
        .map(|i| {
            let name = format!("node-{i:04}");
            let cond = |t: &str, s: &str, reason: &str| {
                serde_json::json!({"type": t, "status": s, "reason": reason, "message": format!("kubelet has {reason}"),
                    "lastHeartbeatTime": "2026-09-21T11:59:30Z", "lastTransitionTime": "2026-09-01T00:00:00Z"})
            };
            let images: Vec<serde_json::Value> = (0..4)
                .map(|k| serde_json::json!({"names": [format!("registry.example.com/platform/image-{k}@sha256:{:064x}", i * 7 + k), format!("registry.example.com/platform/image-{k}:v1.{k}.0")], "sizeBytes": 10_000_000 + k}))
                .collect();
            serde_json::json!({
                "apiVersion": "v1", "kind": "Node",
                "metadata": {"name": name, "labels": {
                    "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                    "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
                    "node-role.kubernetes.io/worker": "", "topology.kubernetes.io/zone": format!("rack-{}", i % 40)},
                    "annotations": {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
                "spec": {"providerID": format!("sidero://{:08x}-0000-4000-8000-{:012x}", i, i), "podCIDR": format!("10.{}.{}.0/24", i / 256, i % 256)},
                "status": {
                    "addresses": [{"type": "InternalIP", "address": format!("10.0.{}.{}", i / 256, i % 256)}, {"type": "Hostname", "address": name}],
                    "capacity": {"cpu": "64", "memory": "263921052Ki", "pods": "110", "ephemeral-storage": "936799052Ki"},
                    "allocatable": {"cpu": "63500m", "memory": "262770076Ki", "pods": "110", "ephemeral-storage": "863347288365"},
                    "conditions": [cond("MemoryPressure", "False", "KubeletHasSufficientMemory"), cond("DiskPressure", "False", "KubeletHasNoDiskPressure"),
                        cond("PIDPressure", "False", "KubeletHasSufficientPID"), cond("Ready", "True", "KubeletReady")],
                    "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                    "nodeInfo": {"kubeletVersion": "v1.36.3", "osImage": "Talos (v1.13.10)", "architecture": "amd64",
                        "operatingSystem": "linux", "bootID": format!("{:032x}", i), "containerRuntimeVersion": "containerd://2.1.4",
                        "kernelVersion": "6.12.48-talos", "kubeProxyVersion": "", "machineID": format!("{:032x}", i * 3), "systemUUID": format!("{:032x}", i * 5)},
                    "images": images,
                },
            })
        })
        .collect()
}

/// The console started on the node view of `kubeconfig`, five times: medians of the seconds to
/// the first screen with a node row and to the complete list (`Nodes (n)`).
fn time_node_screen(bin: &Path, kubeconfig: &Path, dir: &Path, n: usize) -> (f64, f64) {
    let config = dir.join("big.toml");
    std::fs::write(&config, "").unwrap();
    let mut first = vec![];
    let mut complete = vec![];
    for _ in 0..5 {
        let started = Instant::now();
        let mut term = Term::spawn(
            bin,
            &[
                "--repo",
                env!("CARGO_MANIFEST_DIR"),
                "--kubeconfig",
                kubeconfig.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
                "--view",
                "nodes",
            ],
            dir,
        );
        term.wait_for("node-0", Duration::from_secs(60));
        first.push(started.elapsed().as_secs_f64());
        term.wait_for(&format!("Nodes ({n})"), Duration::from_secs(60));
        complete.push(started.elapsed().as_secs_f64());
        term.send(b"q");
        std::thread::sleep(Duration::from_millis(300));
    }
    first.sort_by(f64::total_cmp);
    complete.sort_by(f64::total_cmp);
    (first[2], complete[2])
}

/// The 1, 5 and 15 minute load averages (the machine may be shared: figures are relative).
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Key-press-to-screen latency: `/` opens the filter input (the footer shows its cursor),
/// `esc` closes it. Returns median, p90 and max in ms.
fn key_latency(term: &mut Term) -> (f64, f64, f64) {
    let mut lat = vec![];
    for i in 0..40 {
        let (key, open): (&[u8], bool) = if i % 2 == 0 {
            (b"/", true)
        } else {
            (b"\x1b", false)
        };
        let t = Instant::now();
        term.send(key);
        let deadline = t + Duration::from_secs(5);
        while term.footer().contains('█') != open {
            assert!(
                Instant::now() < deadline,
                "no reaction to a key; screen:\n{}",
                term.parser.lock().unwrap().screen().contents()
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        // Let an Esc land alone (Esc + key in one read is Alt+key).
        std::thread::sleep(Duration::from_millis(60));
    }
    lat.sort_by(f64::total_cmp);
    (
        lat[lat.len() / 2],
        lat[lat.len() * 9 / 10],
        lat[lat.len() - 1],
    )
}

/// Renders the node list of the whole fleet at 200x50 in process, from the same objects.
fn frame_time(emu: &Emulator, scale: Scale) {
    use blast::app::live::views::settle;
    use blast::app::nav::Route;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let rss_before = rss_kb(std::process::id());
    let mut state = blast::app::State::new(".".into(), Default::default(), (COLS, ROWS));
    let msg = |source: &str, root: bool| LiveMsg::SourceAdded {
        source: source.into(),
        root,
    };
    let reset = |cluster: &str, kind: &'static KindInfo| {
        let objects: Vec<(ObjKey, Entry)> = emu
            .list(cluster, kind)
            .iter()
            .map(|v| {
                let (ns, name) = blast::model::object_name(v);
                let e = match blast::model::parse(kind, v) {
                    Ok(Some(o)) => Entry::Ok(o),
                    _ => Entry::Broken { error: "?".into() },
                };
                (ObjKey::new(ns.as_deref(), &name), e)
            })
            .collect();
        LiveMsg::Reset {
            source: cluster.into(),
            kind,
            objects,
            at: 0,
        }
    };
    state.live.apply(msg("mgmt", true));
    for k in [&kinds::MACHINE, &kinds::SERVER, &kinds::CLUSTER] {
        state.live.apply(reset("mgmt", k));
    }
    for c in 0..scale.clusters {
        let name = format!("site-{c:03}");
        state.live.apply(msg(&name, false));
        state.live.apply(reset(&name, &kinds::NODE));
    }
    println!(
        "in process: the models of {} machines, {} servers and {} nodes take {} MB of resident memory",
        emu.list("mgmt", &kinds::MACHINE).len(),
        emu.list("mgmt", &kinds::SERVER).len(),
        scale.clusters * scale.machines_per_cluster,
        (rss_kb(std::process::id()).saturating_sub(rss_before)) / 1024
    );
    state.route = Route::Nodes;
    let t = Instant::now();
    settle(&mut state);
    let derive = t.elapsed();
    let theme = blast::theme::Theme::load("default", None, false).unwrap();
    let mut term = Terminal::new(TestBackend::new(COLS, ROWS)).unwrap();
    let mut times = vec![];
    for i in 0..100 {
        state.views.nodes.selected = i;
        let t = Instant::now();
        term.draw(|f| blast::view::draw(f, &state, &theme)).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "one frame of the node list ({} rows) at {COLS}x{ROWS}: median {:.2} ms, max {:.2} ms; deriving the rows once: {:.1} ms",
        state.views.node_rows.len(),
        times[times.len() / 2],
        times[times.len() - 1],
        derive.as_secs_f64() * 1000.0
    );
}

fn proc_status(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn rss_kb(pid: u32) -> u64 {
    proc_status(pid, "VmRSS:")
}

fn peak_kb(pid: u32) -> u64 {
    proc_status(pid, "VmHWM:")
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let get = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 here.
    get(11) + get(12)
}

struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    pid: u32,
    _child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Term {
    fn spawn(bin: &Path, args: &[&str], home: &Path) -> Term {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        // `BLAST_BENCH_WRAP="heaptrack -o /tmp/blast"` runs the console under a profiler.
        let wrap = std::env::var("BLAST_BENCH_WRAP").unwrap_or_default();
        let mut words = wrap.split_whitespace();
        let mut cmd = match words.next() {
            Some(tool) => {
                let mut cmd = CommandBuilder::new(tool);
                cmd.args(words);
                cmd.arg(bin);
                cmd
            }
            None => CommandBuilder::new(bin),
        };
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home);
        cmd.env("XDG_STATE_HOME", home.join("state"));
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        let child = pair.slave.spawn_command(cmd).unwrap();
        let pid = child.process_id().unwrap_or(0);
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer: Arc<Mutex<Box<dyn Write + Send>>> =
            Arc::new(Mutex::new(pair.master.take_writer().unwrap()));
        let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let (p, w) = (parser.clone(), writer.clone());
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if buf[..n].windows(4).any(|x| x == b"\x1b[6n") {
                    let _ = w.lock().unwrap().write_all(b"\x1b[1;1R");
                }
                p.lock().unwrap().process(&buf[..n]);
            }
        });
        Term {
            parser,
            writer,
            pid,
            _child: child,
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.lock().unwrap().write_all(bytes).unwrap();
    }

    fn wait_for(&self, text: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.parser.lock().unwrap().screen().contents();
            if screen.contains(text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// The last screen row (the footer).
    fn footer(&self) -> String {
        let p = self.parser.lock().unwrap();
        p.screen().rows(0, COLS).last().unwrap_or_default()
    }
}
