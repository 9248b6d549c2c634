//! `cargo bench --bench index`: the repo index at scale and the time to first frame.
//!
//! 1. Builds a synthetic repo of 10,000 manifest files (5 resources each, 50,000 in all) and
//!    reports index time (cold and warm) and the peak resident memory of a process that does
//!    nothing but index it (a child process, so the generator's memory does not count).
//! 2. Time to first frame on this project's own repo: in-process (index + update + draw to a
//!    TestBackend at 80x24), and for the real binary in a pseudo-terminal (spawn to the first
//!    screen showing the tree), which includes process start and terminal setup.
//!
//! Targets (2-core machine): index under 1 s and 250 MB; first frame under 150 ms.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use blast::app::{Msg, State, update};
use blast::keymap::Keymap;
use blast::repo::index;

mod support;

const FILES: usize = 10_000;
const PER_FILE: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--index-only") {
        // Child mode: index and report peak memory.
        let dir = PathBuf::from(&args[i + 1]);
        let t = Instant::now();
        let idx = index::build(&dir).unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "{} {} {:.1} {}",
            idx.files.len(),
            idx.resource_count(),
            ms,
            peak_rss_kb()
        );
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }

    let tmp = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let bytes = generate(tmp.path());
    println!(
        "synthetic repo: {FILES} files, {} resources, {:.1} MB, generated in {:.1} s",
        FILES * PER_FILE,
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let exe = std::env::current_exe().unwrap();
    let mut times = Vec::new();
    let mut peak = 0u64;
    for run in 0..5 {
        let out = std::process::Command::new(&exe)
            .arg("--index-only")
            .arg(tmp.path())
            .output()
            .unwrap();
        let line = String::from_utf8_lossy(&out.stdout);
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f[0].parse::<usize>().unwrap(), FILES);
        assert_eq!(f[1].parse::<usize>().unwrap(), FILES * PER_FILE);
        let ms: f64 = f[2].parse().unwrap();
        peak = peak.max(f[3].parse().unwrap());
        println!("  index run {run}: {ms:.0} ms");
        times.push(ms);
    }
    let t = Stats::of(times);
    println!(
        "index of {FILES} files / {} resources: median {:.0} ms (min {:.0}, max {:.0}); peak RSS of the indexing process {:.1} MB",
        FILES * PER_FILE,
        t.median,
        t.min,
        t.max,
        peak as f64 / 1024.0
    );

    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let f = Stats::of((0..10).map(|_| first_frame_in_process(repo)).collect());
    println!(
        "first frame in-process on this repo (index + update + draw 80x24): median {:.1} ms (max {:.1})",
        f.median, f.max
    );

    let r = Stats::of((0..5).map(|_| first_frame_real_binary(repo)).collect());
    println!(
        "first frame of the real binary in a pty on this repo (spawn to tree on screen): median {:.0} ms (max {:.0})",
        r.median, r.max
    );
}

/// Median, min and max of a set of timings (ms).
struct Stats {
    median: f64,
    min: f64,
    max: f64,
}

impl Stats {
    fn of(mut v: Vec<f64>) -> Stats {
        v.sort_by(|a, b| a.total_cmp(b));
        Stats {
            median: v[v.len() / 2],
            min: v[0],
            max: v[v.len() - 1],
        }
    }
}

fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Writes FILES manifest files of PER_FILE realistic resources each; returns the bytes written.
fn generate(root: &Path) -> usize {
    let mut total = 0;
    for i in 0..FILES {
        let top = ["clusters", "infrastructure", "apps"][i % 3];
        let dir = root.join(format!("{top}/site-{:02}/component-{:03}", i % 40, i % 250));
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = String::new();
        for r in 0..PER_FILE {
            text.push_str(&format!(
                "# resource {r} of file {i}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}-{r}\n  namespace: ns-{}\n  labels:\n    app.kubernetes.io/name: app-{i}\n    blast.io/site: site-{:02}\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {{app: app-{i}-{r}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}-{r}}}\n    spec:\n      containers:\n      - name: main\n        image: registry.example.com/app:1.{r}.0@sha256:{:064x}\n        resources:\n          requests: {{cpu: 100m, memory: 128Mi}}\n          limits: {{cpu: 500m, memory: 256Mi}}\n        securityContext:\n          runAsNonRoot: true\n          readOnlyRootFilesystem: true\n",
                i % 40,
                i % 40,
                i * 31 + r
            ));
        }
        total += text.len();
        std::fs::write(dir.join(format!("manifest-{i:05}.yaml")), text).unwrap();
    }
    total
}

fn first_frame_in_process(repo: &Path) -> f64 {
    let t = Instant::now();
    let mut state = State::new(repo.to_path_buf(), Keymap::default(), (80, 24));
    let _ = state.init();
    let idx = index::build(repo).unwrap();
    let _ = update(&mut state, Msg::Indexed(Ok(Arc::new(idx))));
    let theme = blast::theme::Theme::load("default", None, false).unwrap();
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    term.draw(|f| blast::view::draw(f, &state, &theme)).unwrap();
    t.elapsed().as_secs_f64() * 1000.0
}

fn first_frame_real_binary(repo: &Path) -> f64 {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/blast");
    assert!(
        bin.exists(),
        "build the release binary first: cargo build --release"
    );
    let home = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let term = support::Term::spawn_program(
        &bin,
        &["--repo", repo.to_str().unwrap()],
        repo,
        home.path(),
        (80, 24),
        &[],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let elapsed = loop {
        if term.screen().contains("infrastructure/") {
            break t.elapsed();
        }
        assert!(Instant::now() < deadline, "no first frame");
        std::thread::sleep(Duration::from_micros(500));
    };
    term.quit();
    elapsed.as_secs_f64() * 1000.0
}
