//! `cargo bench --bench hostile`: peak memory and time of `blast check --schemas` on issue 14's
//! hostile corpus (alias bombs, 100,000-level nests, a 20 MB file of many documents, 10 MB
//! lines, a file over the cap, bad encodings), and on its clean twin.
//!
//! `blast check` runs as a child process; its peak resident memory is the children's
//! `ru_maxrss` from getrusage. Targets (issue 14, 2-core machine): under 600 MB and 20 s.
//!
//! Then the console on the hostile corpus in a pty (the real binary, as a user starts it):
//! time from spawn to the repo tree on screen, and to the tree moving after a key press once
//! the index is in (the console stays responsive), with the console's peak memory; and the
//! dashboard on it (its repo scan for the standards page): first frame, a key, peak memory.
//!
//! Then the API side (`-- api` runs only this part, `-- repo` only the parts above): the
//! console and the dashboard against a hostile API server per case (a 200 MB list,
//! pretty-printed and announced; an endless watch event; a watch streaming garbage; a
//! byte-a-second list and watch; an object with 100,000 conditions; one with a 10 MB
//! annotation), in a pty (`support::Term`) on the Nodes view and the fleet page: the time
//! until the case shows (its error marker, or the object), the peak RSS (`VmHWM`) and whether
//! it answered a key within a second.
//!
//! `--write DIR` only writes the corpus (what `scripts/hostile-corpus` runs).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "../tests/hostile/corpus.rs"]
mod corpus;
mod support;

#[path = "../tests/hostile/api_server.rs"]
mod api_server;

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
    let only = |part: &str| {
        !args.iter().any(|a| a == "api" || a == "repo") || args.iter().any(|a| a == part)
    };
    if only("repo") {
        repo_side();
    }
    if only("api") {
        api_side();
    }
}

fn repo_side() {
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
        // Reaped by wait_measured (wait4), which clippy does not see.
        #[allow(clippy::zombie_processes)]
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
    let (frame, key, peak) = dashboard_first_frame(&config, &dir.path().join("hostile"));
    println!(
        "dashboard on hostile: first frame in {:.2} s, a key answered {:.0} ms later; peak RSS {peak:.0} MB in its first {DASHBOARD_SECS} s (the repo scanned for the standards page meanwhile)",
        frame.as_secs_f64(),
        key.as_secs_f64() * 1000.0,
    );
}

/// How long the dashboard runs on the corpus before its peak is read: its repo scan (the
/// policy rules over every file, as `check --policy`) is done well within it.
const DASHBOARD_SECS: u64 = 30;

/// Starts `blast dashboard --repo REPO` (no cluster) in a 160x40 pty; returns the time to its
/// first frame, the time a key (`n`, next page) then takes, and its peak RSS (`VmHWM`) after
/// `DASHBOARD_SECS`.
fn dashboard_first_frame(config: &Path, repo: &Path) -> (Duration, Duration, f64) {
    let home = tempfile::tempdir().unwrap();
    let (config, repo_arg) = (config.to_str().unwrap(), repo.to_str().unwrap());
    let none = home.path().join("none");
    let t = Instant::now();
    let term = support::Term::spawn(
        &[
            "--config",
            config,
            "dashboard",
            "--repo",
            repo_arg,
            "--page",
            "standards,fleet",
            "--rotate",
            "0",
        ],
        repo,
        home.path(),
        (160, 40),
        &[("KUBECONFIG", none.to_str().unwrap())],
    );
    term.wait_for("▸standards", Duration::from_secs(60));
    let frame = t.elapsed();
    std::thread::sleep(Duration::from_secs(2));
    let k = Instant::now();
    term.send(b"n");
    term.wait_for("▸fleet", Duration::from_secs(60));
    let key = k.elapsed();
    std::thread::sleep(Duration::from_secs(DASHBOARD_SECS).saturating_sub(t.elapsed()));
    let peak = support::peak_kb(term.pid) as f64 / 1024.0;
    term.quit();
    (frame, key, peak)
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

/// One hostile API case: what the server answers for Nodes, and what shows it on screen.
struct Case {
    name: &'static str,
    list: fn() -> api_server::NodeList,
    watch: api_server::NodeWatch,
    shows: &'static str,
    /// What shows it on the dashboard's fleet page.
    dash_shows: &'static str,
    /// The console's `[limits]` (the slow cases wait 5 s, not the default 60).
    limits: &'static str,
}

fn api_side() {
    use api_server::{NodeList, NodeWatch, big_annotation, many_conditions, node, node_list};
    let cases = [
        Case {
            name: "200 MB list, pretty-printed",
            list: || NodeList::Pretty { mb: 200 },
            watch: NodeWatch::Quiet,
            shows: "answer too large",
            dash_shows: "PersistentVolume: answer too large",
            limits: "",
        },
        Case {
            name: "200 MB list, announced",
            list: || NodeList::Announced { mb: 200 },
            watch: NodeWatch::Quiet,
            shows: "200 MB > 64 MB cap",
            dash_shows: "200 MB > 64 MB cap",
            limits: "",
        },
        Case {
            name: "endless watch event",
            list: || node_list(node("a")),
            watch: NodeWatch::Endless,
            shows: "watch event too large",
            dash_shows: "PersistentVolume: watch event too large",
            limits: "",
        },
        Case {
            name: "watch streaming garbage",
            list: || node_list(node("a")),
            watch: NodeWatch::Garbage,
            shows: "watch answer is not valid JSON",
            dash_shows: "PersistentVolume: watch answer is not valid JSON",
            limits: "",
        },
        Case {
            name: "100,000 conditions",
            list: || node_list(many_conditions()),
            watch: NodeWatch::Quiet,
            shows: "many-conditions",
            dash_shows: "storage   ● 0 bound",
            limits: "",
        },
        Case {
            name: "10 MB annotation",
            list: || node_list(big_annotation()),
            watch: NodeWatch::Quiet,
            shows: "big-annotation",
            dash_shows: "storage   ● 0 bound",
            limits: "",
        },
        Case {
            name: "byte-a-second watch",
            list: || node_list(node("a")),
            watch: NodeWatch::Trickle,
            shows: "server too slow",
            dash_shows: "PersistentVolume: server too slow",
            limits: "slow_answer_secs = 5",
        },
        Case {
            name: "byte-a-second list",
            list: || NodeList::Trickle,
            watch: NodeWatch::Quiet,
            shows: "server too slow",
            dash_shows: "PersistentVolume: server too slow",
            limits: "slow_answer_secs = 5",
        },
    ];
    let rt = tokio::runtime::Runtime::new().unwrap();
    for case in cases {
        for (wall, label, shows) in [
            (Wall::Console, "console", case.shows),
            (Wall::Dashboard, "dashboard", case.dash_shows),
        ] {
            let addr = rt.block_on(api_server::serve((case.list)(), case.watch));
            let (shown, key, peak, screen) = on_api(wall, addr, shows, case.limits);
            let marker = screen
                .lines()
                .find(|l| l.contains(shows))
                .map(|l| l.trim().to_string())
                .unwrap_or_default();
            println!(
                "api {label:<9} {:<28} shown in {:>5.2} s; a key answered in {:>4.0} ms ({}); peak RSS {:>4.0} MB; {}",
                case.name,
                shown.as_secs_f64(),
                key.as_secs_f64() * 1000.0,
                if key < Duration::from_secs(1) {
                    "within 1 s"
                } else {
                    "OVER 1 s"
                },
                peak,
                marker
            );
        }
    }
}

/// Which program a case runs against the hostile API server.
#[derive(Clone, Copy, PartialEq)]
enum Wall {
    /// The console on its Nodes view.
    Console,
    /// `blast dashboard` on its fleet page (PersistentVolumes carry the hostile answers).
    Dashboard,
}

/// Starts the console (Nodes view) or the dashboard (fleet page) against the API server at
/// `addr` in a 200x50 pty (`support::Term`); returns the time until `shows` is on screen, the
/// time a key (`?`, help) then takes to show, the peak RSS in MB (`VmHWM`, read before it
/// quits) and the screen it showed. 200 columns: the console's empty Nodes table has a long
/// hint in its title before the site's error (at 160 the marker's end was cut).
fn on_api(
    wall: Wall,
    addr: std::net::SocketAddr,
    shows: &str,
    limits: &str,
) -> (Duration, Duration, f64, String) {
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = home.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!("apiVersion: v1\nkind: Config\nclusters:\n- name: hostile\n  cluster: {{server: 'http://{addr}'}}\ncontexts:\n- name: hostile\n  context: {{cluster: hostile, user: hostile}}\ncurrent-context: hostile\nusers:\n- name: hostile\n  user: {{}}\n"),
    )
    .unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, format!("[limits]\n{limits}\n")).unwrap();
    let repo = home.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    let (config, kubeconfig, repo_arg) = (
        config.to_str().unwrap(),
        kubeconfig.to_str().unwrap(),
        repo.to_str().unwrap(),
    );
    let mut args = vec!["--config", config];
    match wall {
        Wall::Console => args.extend(["--view", "nodes"]),
        Wall::Dashboard => args.push("dashboard"),
    }
    args.extend([
        "--kubeconfig",
        kubeconfig,
        "--context",
        "hostile",
        "--repo",
        repo_arg,
    ]);
    if wall == Wall::Dashboard {
        args.extend(["--page", "fleet", "--rotate", "0"]);
    }
    let t = Instant::now();
    let term = support::Term::spawn(&args, &repo, home.path(), (200, 50), &[]);
    let wait = |what: &str, secs: u64, until: &dyn Fn(&str) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = term.screen();
            if until(&s) {
                return true;
            }
            if Instant::now() > deadline {
                eprintln!("{what}: not within {secs} s:\n{s}");
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    wait(shows, 120, &|s| s.contains(shows));
    let shown = t.elapsed();
    let seen = term.screen();
    // The hostile answer goes on (retries, the endless stream): a key now.
    std::thread::sleep(Duration::from_secs(3));
    let before = term.screen();
    let k = Instant::now();
    term.send(b"?");
    wait("the key's effect", 30, &|s| s != before);
    let key = k.elapsed();
    let peak = support::peak_kb(term.pid) as f64 / 1024.0;
    // Close help, then quit.
    term.send(b"\x1b");
    std::thread::sleep(Duration::from_millis(200));
    term.quit();
    (shown, key, peak, seen)
}

/// Starts the console on `repo` in an 80x24 pty; returns the time to the tree on screen (the
/// index in: `apps/` listed) and then the time a key press (`j`, move down) takes to show.
fn console_first_frame(config: &Path, repo: &Path) -> (Duration, Duration) {
    let home = tempfile::tempdir().unwrap();
    let (config, repo_arg) = (config.to_str().unwrap(), repo.to_str().unwrap());
    let none = home.path().join("none");
    let t = Instant::now();
    let term = support::Term::spawn(
        &["--config", config, "--repo", repo_arg],
        repo,
        home.path(),
        (80, 24),
        &[("KUBECONFIG", none.to_str().unwrap())],
    );
    let wait = |what: &str, until: &dyn Fn(&str) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = term.screen();
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
    let before = term.screen();
    let k = Instant::now();
    term.send(b"j");
    wait("the key's effect", &|s| s != before);
    let key = k.elapsed();
    term.quit();
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
