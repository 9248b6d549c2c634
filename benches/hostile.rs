//! `cargo bench --bench hostile`: peak memory and time of `blast check --schemas` on issue 14's
//! hostile corpus (alias bombs, 100,000-level nests, a 20 MB file of many documents, 10 MB
//! lines, a file over the cap, bad encodings), and on its clean twin.
//!
//! `blast check` runs as a child process; its peak resident memory is the children's
//! `ru_maxrss` from getrusage. Targets (issue 14, 2-core machine): under 600 MB and 20 s.
//!
//! Then the console on the hostile corpus in a pty (the real binary, as a user starts it):
//! time from spawn to the repo tree on screen, and to the tree moving after a key press once
//! the index is in (the console stays responsive), with the console's peak memory.
//!
//! `--write DIR` only writes the corpus (what `scripts/hostile-corpus` runs).

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    // `blast check` first, each run's own peak from wait4; then the console, whose peak is the
    // children's largest once it has been waited for (larger than the checks' or bounded by it).
    for which in ["hostile", "clean"] {
        let out_file = dir.path().join(format!("{which}.out"));
        let t = Instant::now();
        let child = Command::new(env!("CARGO_BIN_EXE_blast"))
            .arg("--config")
            .arg(&config)
            .args(["check", "--schemas"])
            .arg(&schemas)
            .arg(dir.path().join(which))
            .stdout(std::fs::File::create(&out_file).unwrap())
            .spawn()
            .unwrap();
        let (code, usage) = wait_measured(child.id());
        let took = t.elapsed();
        let text = std::fs::read_to_string(&out_file).unwrap_or_default();
        let summary = text
            .lines()
            .find(|l| l.contains(" files, "))
            .unwrap_or("(no summary)");
        println!(
            "blast check {which}: {:.2} s ({:.2} s of CPU), exit {code}, peak RSS {:.0} MB: {summary}",
            took.as_secs_f64(),
            cpu_secs(&usage),
            usage.ru_maxrss as f64 / 1024.0
        );
    }
    let checks_peak = children_peak_rss_mb();
    let cpu = children_cpu_secs();
    let (tree, key) = console_first_frame(&config, &dir.path().join("hostile"));
    let peak = children_peak_rss_mb();
    let peak = if peak > checks_peak {
        format!("{peak:.0} MB")
    } else {
        format!("at most {checks_peak:.0} MB")
    };
    println!(
        "console on hostile: tree on screen in {:.2} s, a key answered {:.0} ms later; {:.2} s of CPU in all, peak RSS {peak}",
        tree.as_secs_f64(),
        key.as_secs_f64() * 1000.0,
        children_cpu_secs() - cpu,
    );
}

/// Waits for the child `pid` with wait4: its exit code and its own resource usage (peak RSS
/// and CPU of that process alone, not the largest of every child so far).
fn wait_measured(pid: u32) -> (i32, libc::rusage) {
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 writes the status and a rusage into the pointers it is given.
    let rc = unsafe { libc::wait4(pid as i32, &mut status, 0, usage.as_mut_ptr()) };
    assert_eq!(rc, pid as i32, "wait4");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // SAFETY: initialised by the successful call above.
    (code, unsafe { usage.assume_init() })
}

fn cpu_secs(u: &libc::rusage) -> f64 {
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(u.ru_utime) + secs(u.ru_stime)
}

/// Starts the console on `repo` in an 80x24 pty; returns the time to the tree on screen (the
/// index in: `apps/` listed) and then the time a key press (`j`, move down) takes to show.
fn console_first_frame(config: &Path, repo: &Path) -> (Duration, Duration) {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_blast"));
    cmd.arg("--config");
    cmd.arg(config);
    cmd.arg("--repo");
    cmd.arg(repo);
    cmd.env("TERM", "xterm-256color");
    cmd.env("HOME", home.path());
    cmd.env("KUBECONFIG", home.path().join("none"));
    cmd.env("XDG_STATE_HOME", home.path());
    cmd.env("XDG_CONFIG_HOME", home.path());
    let t = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let writer = Arc::new(Mutex::new(pair.master.take_writer().unwrap()));
    let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
    let (p, w) = (parser.clone(), writer.clone());
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            // Answer the cursor-position query as a terminal would.
            if buf[..n].windows(4).any(|x| x == b"\x1b[6n") {
                let _ = w.lock().unwrap().write_all(b"\x1b[1;1R");
            }
            p.lock().unwrap().process(&buf[..n]);
        }
    });
    let screen = || parser.lock().unwrap().screen().contents();
    let wait = |what: &str, until: &dyn Fn(&str) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = screen();
            if until(&s) {
                return;
            }
            assert!(Instant::now() < deadline, "{what} within 60 s:\n{s}");
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    wait("the tree", &|s| s.contains("apps/"));
    let tree = t.elapsed();
    // Let the index settle, then time one key.
    std::thread::sleep(Duration::from_secs(2));
    let before = screen();
    let k = Instant::now();
    writer.lock().unwrap().write_all(b"j").unwrap();
    wait("the key's effect", &|s| s != before);
    let key = k.elapsed();
    writer.lock().unwrap().write_all(b"q").unwrap();
    let _ = child.wait();
    (tree, key)
}

/// CPU time (user and system) of the waited-for child processes so far, in seconds: on a
/// shared machine, less noisy than the wall clock.
fn children_cpu_secs() -> f64 {
    cpu_secs(&children_usage())
}

fn children_usage() -> libc::rusage {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a rusage into the pointer it is given.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    assert_eq!(rc, 0);
    // SAFETY: initialised by the successful call above.
    unsafe { usage.assume_init() }
}

/// The largest peak resident set of any waited-for child process, in MB.
fn children_peak_rss_mb() -> f64 {
    children_usage().ru_maxrss as f64 / 1024.0 // kilobytes on Linux
}
