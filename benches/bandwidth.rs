//! Bytes written to the terminal per minute, for wall screens on slow links (a serial console,
//! a jump host over a phone line). The demo datacenter is served in process and churns at 50
//! events/s (three in four Node heartbeats, the fourth flips a worker's Ready); the real binary
//! runs in a pseudo-terminal at 80x24 and at 200x50 for: the console's default view (the repo
//! browser), its overview, the dashboard rotating every 20 s, and the dashboard on one page.
//!
//! Run: `cargo bench --bench bandwidth` (`BLAST_BENCH_SECS`, default 60, sets each window;
//! `--profile dev` skips the release build). Target: under 20 KB/min at 80x24.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let secs: u64 = std::env::var("BLAST_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let demo = rt.block_on(support::demo(dir.path()));
    let churn = rt.spawn(support::churn(demo.emu.clone(), 50));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (kc, cfg) = (
        demo.kubeconfig.to_str().unwrap().to_string(),
        demo.config.to_str().unwrap().to_string(),
    );
    let common = [
        "--kubeconfig",
        kc.as_str(),
        "--context",
        "mgmt",
        "--config",
        cfg.as_str(),
    ];
    let runs: [(&str, Vec<&str>, &str); 4] = [
        ("console, default view (repo)", vec![], "infrastructure/"),
        (
            "console, overview",
            vec!["--view", "overview"],
            "edge-berlin",
        ),
        (
            "dashboard, rotating every 20s",
            vec!["dashboard"],
            "edge-berlin",
        ),
        (
            "dashboard, fleet page only",
            vec!["dashboard", "--page", "fleet"],
            "edge-berlin",
        ),
    ];
    println!(
        "churn: 50 events/s over the demo datacenter; window {secs} s per run after 5 s to settle"
    );
    for (w, h) in [(80u16, 24u16), (200, 50)] {
        for (label, extra, ready) in &runs {
            let mut args: Vec<&str> = extra.clone();
            args.extend(common);
            let t = support::Term::spawn(&args, repo, dir.path(), (w, h), &[]);
            t.wait_for(ready, Duration::from_secs(30));
            std::thread::sleep(Duration::from_secs(5));
            let (b0, t0) = (t.bytes(), Instant::now());
            std::thread::sleep(Duration::from_secs(secs));
            let (b1, dt) = (t.bytes(), t0.elapsed());
            let per_min = (b1 - b0) as f64 / dt.as_secs_f64() * 60.0;
            println!(
                "{w}x{h} {label:<32} {:>8.1} KB/min{}",
                per_min / 1000.0,
                if w == 80 && per_min >= 20_000.0 {
                    "  (over the 20 KB/min target)"
                } else {
                    ""
                }
            );
            t.quit();
        }
    }
    churn.abort();
    rt.block_on(demo.server.shutdown());
}
