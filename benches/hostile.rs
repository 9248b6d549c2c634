//! `cargo bench --bench hostile`: peak memory and time of `blast check --schemas` on issue 14's
//! hostile corpus (alias bombs, 100,000-level nests, a 20 MB file of many documents, 10 MB
//! lines, a file over the cap, bad encodings), and on its clean twin.
//!
//! `blast check` runs as a child process; its peak resident memory is the children's
//! `ru_maxrss` from getrusage. Targets (issue 14, 2-core machine): under 600 MB and 20 s.
//!
//! `--write DIR` only writes the corpus (what `scripts/hostile-corpus` runs).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

#[path = "../tests/hostile/corpus.rs"]
mod corpus;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--write") {
        let dir = Path::new(args.get(i + 1).expect("--write DIR"));
        let expected = corpus::write(dir);
        println!(
            "wrote {}/hostile ({} expected findings) and {}/clean; check with [limits] max_file_mb = {}",
            dir.display(),
            expected.len(),
            dir.display(),
            corpus::CAP_MB
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let expected = corpus::write(dir.path());
    let bytes: u64 = walkdir::WalkDir::new(dir.path())
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    println!(
        "corpus: {:.1} MB written in {:.1?} ({} expected findings)",
        bytes as f64 / 1e6,
        t.elapsed(),
        expected.len()
    );
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[limits]\nmax_file_mb = {}\n", corpus::CAP_MB),
    )
    .unwrap();
    let schemas = dir.path().join("no-crds");
    std::fs::create_dir(&schemas).unwrap();
    for which in ["hostile", "clean"] {
        let t = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_blast"))
            .arg("--config")
            .arg(&config)
            .args(["check", "--schemas"])
            .arg(&schemas)
            .arg(dir.path().join(which))
            .output()
            .unwrap();
        let took = t.elapsed();
        let text = String::from_utf8_lossy(&out.stdout);
        let summary = text
            .lines()
            .find(|l| l.contains(" files, "))
            .unwrap_or("(no summary)");
        println!(
            "blast check {which}: {:.2} s, exit {:?}, peak RSS so far {:.0} MB: {summary}",
            took.as_secs_f64(),
            out.status.code(),
            children_peak_rss_mb()
        );
    }
    println!("(peak RSS is the largest of the children so far: the hostile run comes first)");
}

/// The largest peak resident set of any waited-for child process, in MB.
fn children_peak_rss_mb() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a rusage into the pointer it is given.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    assert_eq!(rc, 0);
    // SAFETY: initialised by the successful call above.
    let usage = unsafe { usage.assume_init() };
    usage.ru_maxrss as f64 / 1024.0 // kilobytes on Linux
}
