//! Soak: the dashboard (real binary, 200x50 pseudo-terminal) against the demo datacenter
//! served in process, with the `default` scenario at speed 20, churn at 50 events/s and the
//! demo's fault injection (`blast demo --faults`: dropped watches, 500s, slow answers, expired
//! watches, a malformed object) paced at the same speed, plus an outage of the API server
//! (stopped for 4 s every 25 s, then served again on the same port). By default 100 s real,
//! over 30 minutes of scenario time.
//!
//! Reports resident memory at start and end (target: under 5 MB growth), the faults injected,
//! the stale → live recoveries seen on screen, the watch failures in the dashboard's log, and
//! fails when a site is still stale 60 s after the faults stop.
//!
//! Run: `cargo bench --bench soak` (`BLAST_SOAK_SECS` sets the length; `--profile dev` skips
//! the release build).

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

const SPEED: f64 = 20.0;

fn main() {
    let secs: u64 = std::env::var("BLAST_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().unwrap();
    // The emulator's own log: one `fault: …` line per fault injected.
    let emulator_log = dir.path().join("emulator.log");
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(
            std::fs::File::create(&emulator_log).unwrap(),
        ))
        .with_ansi(false)
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let demo = rt.block_on(support::demo(dir.path()));
    let addr = demo.server.addr;
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = support::Term::spawn(
        &[
            "dashboard",
            "--kubeconfig",
            demo.kubeconfig.to_str().unwrap(),
            "--context",
            "mgmt",
            "--config",
            demo.config.to_str().unwrap(),
            "--rotate",
            "5s",
        ],
        repo,
        dir.path(),
        (200, 50),
        &[],
    );
    t.wait_for("edge-lab", Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(5));
    let rss_start = support::rss_kb(t.pid);
    let (name, text) = blast::demo::fixtures::SCENARIOS
        .iter()
        .find(|(n, _)| *n == "default")
        .unwrap();
    let scenario = blast::demo::scenario::parse_scenario(&format!("{name}.yaml"), text).unwrap();
    let outages = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let outage = {
        let (emu, server, n) = (demo.emu.clone(), demo.server, outages.clone());
        rt.spawn(async move {
            let addr = server.addr;
            let mut server = Some(server);
            loop {
                tokio::time::sleep(Duration::from_secs(25)).await;
                if let Some(s) = server.take() {
                    tracing::info!("fault: API server down for 4s");
                    n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    s.shutdown().await;
                }
                tokio::time::sleep(Duration::from_secs(4)).await;
                server = Some(emu.serve(addr).await.expect("serve again on the same port"));
            }
        })
    };
    let tasks = [
        rt.spawn(support::churn(demo.emu.clone(), 50)),
        rt.spawn(blast::demo::run::play(demo.emu.clone(), scenario, SPEED)),
        rt.spawn(blast::demo::run::inject_faults(demo.emu.clone(), SPEED)),
    ];
    println!(
        "soak: {secs} s real at speed {SPEED} ({:.0} min of scenario time), churn 50 events/s, faults on",
        secs as f64 * SPEED / 60.0
    );
    let started = Instant::now();
    let mut seen = Seen::default();
    while started.elapsed() < Duration::from_secs(secs) {
        seen.sample(&t);
        std::thread::sleep(Duration::from_millis(100));
    }
    for task in &tasks {
        task.abort();
    }
    // The last outage ends: serve again (aborting drops the handle, stopping the server).
    outage.abort();
    let _ = rt.block_on(outage);
    let server = rt.block_on(async {
        for _ in 0..100 {
            if let Ok(s) = demo.emu.serve(addr).await {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("cannot serve again on {addr}");
    });
    let faults = demo.emu.faults();
    faults.set_error_rate(0);
    faults.set_latency(Duration::ZERO);
    faults.set_malformed(None);
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(60) {
        seen.sample(&t);
        if !seen.stale {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let rss_end = support::rss_kb(t.pid);
    let peak = support::peak_kb(t.pid);
    let screen = t.screen();
    let injected = std::fs::read_to_string(&emulator_log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("fault:"))
        .count();
    let log_dir = dir.path().join("state/blast/logs");
    let failures: usize = std::fs::read_dir(&log_dir)
        .map(|d| {
            d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .map(|text| text.lines().filter(|l| l.contains("watch failed")).count())
                .sum()
        })
        .unwrap_or(0);
    println!(
        "faults injected: {injected} (of them API server outages: {})",
        outages.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!(
        "stale banner: shown {} times, cleared {} times; watch failures logged by the dashboard: {failures}",
        seen.losses, seen.recoveries
    );
    println!(
        "resident memory: {} KB at start, {} KB at the end ({:+} KB), peak {} KB",
        rss_start,
        rss_end,
        rss_end as i64 - rss_start as i64,
        peak
    );
    let exited = t.quit();
    assert!(
        !seen.stale,
        "a site is still stale 60 s after the faults stopped:\n{screen}"
    );
    assert_eq!(exited, Some(0), "the dashboard quits cleanly on q");
    let growth_kb = rss_end as i64 - rss_start as i64;
    println!(
        "{}: every stale site recovered; memory growth {:.1} MB (target < 5 MB)",
        if growth_kb < 5 * 1024 { "PASS" } else { "FAIL" },
        growth_kb as f64 / 1024.0
    );
    rt.block_on(server.shutdown());
}

/// The stale banner's comings and goings, sampled from the screen.
#[derive(Default)]
struct Seen {
    stale: bool,
    losses: u32,
    recoveries: u32,
}

impl Seen {
    fn sample(&mut self, t: &support::Term) {
        let now_stale = t.screen().contains("⚠ STALE");
        if now_stale && !self.stale {
            self.losses += 1;
        }
        if !now_stale && self.stale {
            self.recoveries += 1;
        }
        self.stale = now_stale;
    }
}
