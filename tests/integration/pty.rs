//! The real binary in a pseudo-terminal, read through a vt100 parser. Waits for visible text
//! rather than sleeping, and answers the terminal's cursor-position query like a terminal would.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

use crate::support::{TempRepo, temp_repo};

pub struct Pty {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
    /// Set when the reader has seen the terminal's end (every writer gone): all output read.
    drained: Arc<std::sync::atomic::AtomicBool>,
    _home: tempfile::TempDir,
}

impl Pty {
    pub fn spawn(args: &[&str], cwd: &Path, cols: u16, rows: u16, env: &[(&str, &str)]) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let home = tempfile::tempdir().unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_blast"));
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_STATE_HOME", home.path().join("state"));
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer: Arc<Mutex<Box<dyn Write + Send>>> =
            Arc::new(Mutex::new(pair.master.take_writer().unwrap()));
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r, w) = (parser.clone(), raw.clone(), writer.clone());
        let drained = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let d = drained.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let chunk = &buf[..n];
                if chunk.windows(4).any(|x| x == b"\x1b[6n") {
                    let _ = w.lock().unwrap().write_all(b"\x1b[1;1R");
                }
                p.lock().unwrap().process(chunk);
                r.lock().unwrap().extend_from_slice(chunk);
            }
            d.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        Pty {
            parser,
            raw,
            writer,
            child,
            master: pair.master,
            drained,
            _home: home,
        }
    }

    /// Resizes the terminal (the program gets SIGWINCH) and the parser with it.
    pub fn resize(&self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(rows, cols);
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn send(&self, bytes: &str) {
        let mut w = self.writer.lock().unwrap();
        w.write_all(bytes.as_bytes()).unwrap();
        w.flush().unwrap();
    }

    /// Waits until the screen shows `text`; panics with the screen after `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("timed out waiting for {text:?}; screen:\n{}", self.screen());
    }

    /// Sends `bytes`, then waits until the screen shows `text` (see [`Pty::wait_for`]).
    pub fn press(&self, bytes: &str, text: &str, secs: u64) {
        self.send(bytes);
        self.wait_for(text, secs);
    }

    /// Waits until `pred` holds for the screen; panics with `what` and the screen after `secs`.
    pub fn wait_until(&self, secs: u64, what: &str, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !pred(&self.screen()) {
            assert!(Instant::now() < deadline, "{what}:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Presses `q` and checks that blast exits with 0 within ten seconds.
    pub fn quit(mut self) {
        self.send("q");
        assert_eq!(self.wait_exit(10), 0);
    }

    pub fn wait_exit(&mut self, secs: u64) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                // What it wrote last (a panic's report) may still be in the terminal: read
                // to its end (bounded: a process it left behind may hold the terminal open).
                let end = Instant::now() + Duration::from_secs(3);
                while !self.drained.load(std::sync::atomic::Ordering::SeqCst)
                    && Instant::now() < end
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("blast did not exit; screen:\n{}", self.screen());
    }

    /// The child's process id (to read its memory in `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("a running child")
    }

    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    pub fn alternate_screen(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    pub fn cursor_hidden(&self) -> bool {
        self.parser.lock().unwrap().screen().hide_cursor()
    }

    /// The text of the rows below the header bar that have reversed cells (a selection).
    pub fn reversed_rows(&self) -> Vec<String> {
        let p = self.parser.lock().unwrap();
        let s = p.screen();
        let (rows, cols) = s.size();
        let text: Vec<String> = s.rows(0, cols).collect();
        (1..rows)
            .filter(|r| (0..cols).any(|c| s.cell(*r, c).is_some_and(|c| c.inverse())))
            .map(|r| text[r as usize].clone())
            .collect()
    }
}

#[test]
fn navigate_filter_and_quit_in_a_real_terminal() {
    let repo = temp_repo();
    std::fs::write(
        repo.work.join("clusters/edge-berlin/capi/workers.yaml"),
        "kind: Changed\n",
    )
    .unwrap();
    let mut t = Pty::spawn(&[], &repo.work, 80, 24, &[]);
    // Header: branch, upstream, the modified file; tree: the top folders.
    t.wait_for("⎇ main ↑0 ↓0", 20);
    t.wait_for("✎1", 10);
    t.wait_for("infrastructure/", 10);
    assert!(t.alternate_screen() && t.cursor_hidden());
    // Into clusters/edge-berlin/capi and onto cluster.yaml's second resource.
    t.press("jjljl", "bom.yaml", 5);
    t.press("jjlj", "· Cluster edge-berlin", 5);
    t.wait_for("▌kind: Cluster", 5);
    t.press("j", "▌kind: MetalCluster", 5);
    // The log of the path, from the real repository.
    t.wait_for("Ada Ops edge-berlin: first", 5);
    // Fuzzy filter, accept, and the match is selected with its file previewed.
    t.press("/mqttdeploy", "/mqttdeploy█", 5);
    t.wait_for("1 matches", 5);
    t.press("\r", "filter: mqttdeploy", 5);
    // The Deployment's text (below its failed policy rules, one line each).
    t.wait_for("namespace: mqtt", 5);
    // Help overlay from the keymap, closed by q without quitting.
    // Help opens at the browser's keys.
    t.press("?", "Filter by path, kind or name", 5);
    t.press("q", "filter: mqttdeploy", 5);
    // Esc clears the filter, q quits; the terminal is restored.
    // Wait for Esc to land before q: ESC and q read together are Alt-q, as in any terminal.
    t.press("\x1b", "/ filter", 5);
    t.send("q");
    assert_eq!(t.wait_exit(10), 0);
    assert!(!t.alternate_screen(), "left the alternate screen");
    assert!(!t.cursor_hidden(), "cursor shown again");
}

#[test]
fn broken_yaml_is_shown_with_its_position() {
    let repo = temp_repo();
    let t = Pty::spawn(
        &["--repo", repo.work.to_str().unwrap()],
        Path::new("/"),
        100,
        30,
        &[],
    );
    t.wait_for("✗1 broken", 20);
    t.press("Gljl", "broken.yaml", 5);
    t.send("j");
    t.wait_for(
        "✗ apps/edge-berlin/mqtt/broken.yaml:9:4: while parsing a",
        5,
    );
    t.wait_for("block mapping, did not find expected key", 5);
    t.quit();
}

#[test]
fn an_edit_on_disk_shows_up_without_a_key() {
    let repo = temp_repo();
    let t = Pty::spawn(&[], &repo.work, 80, 24, &[]);
    t.wait_for("✓ clean", 20);
    std::fs::write(
        repo.work.join("apps/edge-berlin/mqtt/extra.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n",
    )
    .unwrap();
    t.wait_for("+1", 10);
    t.wait_for("11f", 10);
    t.quit();
}

#[test]
fn no_color_draws_without_colour_codes() {
    let repo = temp_repo();
    let mut t = Pty::spawn(&[], &repo.work, 80, 24, &[("NO_COLOR", "1")]);
    t.wait_for("infrastructure/", 20);
    t.send("q");
    assert_eq!(t.wait_exit(10), 0);
    let raw = String::from_utf8_lossy(&t.raw()).into_owned();
    assert!(
        !raw.contains("\x1b[38;"),
        "no foreground colour codes under NO_COLOR"
    );
    assert!(
        !raw.contains("\x1b[48;"),
        "no background colour codes under NO_COLOR"
    );
    assert!(
        raw.contains("\x1b[7m"),
        "selection still shows through reverse video"
    );
}

#[test]
fn a_panic_restores_the_terminal() {
    let repo = temp_repo();
    let mut t = Pty::spawn(&[], &repo.work, 80, 24, &[("BLAST_TEST_PANIC_ON_KEY", "1")]);
    t.wait_for("infrastructure/", 20);
    t.send("!");
    let code = t.wait_exit(10);
    assert_ne!(code, 0);
    assert!(
        !t.alternate_screen(),
        "left the alternate screen before the report"
    );
    assert!(!t.cursor_hidden());
    let raw = String::from_utf8_lossy(&t.raw()).into_owned();
    let report = raw
        .find("test panic requested")
        .expect("the panic report is printed");
    let leave = raw.find("\x1b[?1049l").expect("left the alternate screen");
    assert!(
        leave < report,
        "terminal restored before the report is printed"
    );
}

#[test]
fn ctrl_z_restores_the_terminal_and_redraws_on_return() {
    // Under a shell, SIGTSTP stops blast until `fg`. Here blast leads its own session, so the
    // kernel discards the stop (orphaned process group) and blast resumes at once: what this
    // proves is the hand-over — terminal restored, then taken back and redrawn in full.
    let repo = temp_repo();
    let t = Pty::spawn(&[], &repo.work, 80, 24, &[]);
    t.wait_for("infrastructure/", 20);
    let enters = |raw: &[u8]| raw.windows(8).filter(|w| w == b"\x1b[?1049h").count();
    assert_eq!(enters(&t.raw()), 1);
    t.send("\x1a");
    let deadline = Instant::now() + Duration::from_secs(10);
    while enters(&t.raw()) < 2 {
        assert!(
            Instant::now() < deadline,
            "did not re-enter the alternate screen"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let raw = t.raw();
    let leave = raw
        .windows(8)
        .position(|w| w == b"\x1b[?1049l")
        .expect("left the alternate screen on suspend");
    let reenter = raw
        .windows(8)
        .enumerate()
        .filter(|(_, w)| *w == b"\x1b[?1049h")
        .nth(1)
        .map(|(i, _)| i)
        .unwrap();
    assert!(leave < reenter);
    t.wait_for("infrastructure/", 5);
    t.wait_for("? help", 5);
    t.send("j");
    t.quit();
}

/// `blast demo --serve-only` as its own process: prints the kubeconfig path, serves until killed.
pub(crate) struct ServeOnly {
    child: std::process::Child,
}

impl ServeOnly {
    pub(crate) fn start(port: u16, kubeconfig: &Path, home: &Path) -> ServeOnly {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_blast"))
            .args([
                "demo",
                "--serve-only",
                "--scenario",
                "none",
                "--port",
                &port.to_string(),
                "--write-kubeconfig",
                kubeconfig.to_str().unwrap(),
                // killed, it cannot remove its sandbox: keep it in the test's folder
                "--sandbox-dir",
                home.join("sandbox").to_str().unwrap(),
            ])
            .env("HOME", home)
            .env("XDG_STATE_HOME", home.join("state"))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let s = ServeOnly { child };
        // Ready once the kubeconfig exists and the port answers.
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if kubeconfig.exists() && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return s;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("blast demo --serve-only did not start");
    }
}

impl Drop for ServeOnly {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free now, below Linux's ephemeral range (32768–60999): a port that `bind(0)` picked
/// is one that any outgoing connection (the tests make thousands) may take before the server
/// binds it. Never the same port twice in one test process.
pub(crate) fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    const LOW: u16 = 20_000;
    const HIGH: u16 = 32_000;
    // Where this process starts: spread by pid, so that two test processes rarely meet.
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let _ = NEXT.compare_exchange(
        0,
        LOW + (std::process::id() % u32::from(HIGH - LOW)) as u16,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    for _ in LOW..HIGH {
        let p = NEXT.fetch_add(1, Ordering::SeqCst);
        let p = if p >= HIGH {
            NEXT.store(LOW + 1, Ordering::SeqCst);
            LOW
        } else {
            p
        };
        if std::net::TcpListener::bind(("127.0.0.1", p)).is_ok() {
            return p;
        }
    }
    panic!("no free port in {LOW}..{HIGH}")
}

/// `blast <args> --kubeconfig <kubeconfig> --context mgmt` in a pty, run in `cwd`.
pub(crate) fn spawn_on_mgmt(
    args: &[&str],
    kubeconfig: &Path,
    cwd: &Path,
    cols: u16,
    rows: u16,
) -> Pty {
    let mut all = args.to_vec();
    all.extend([
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "--context",
        "mgmt",
    ]);
    Pty::spawn(&all, cwd, cols, rows, &[])
}

#[test]
fn live_data_goes_stale_when_the_api_server_stops_and_recovers_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig.yaml");
    let port = free_port();
    let server = ServeOnly::start(port, &kubeconfig, dir.path());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = spawn_on_mgmt(&["--view", "fleet"], &kubeconfig, repo, 120, 30);
    t.wait_for("edge-berlin", 20);
    t.wait_for("● healthy", 20);
    drop(server);
    t.wait_for("stale", 20);
    // The clusters stay on screen, marked.
    assert!(t.screen().contains("edge-berlin"), "{}", t.screen());
    let _server = ServeOnly::start(port, &kubeconfig, dir.path());
    t.wait_until(45, "did not recover", |s| !s.contains("stale"));
    assert!(t.screen().contains("edge-berlin"));
    t.quit();
}

#[test]
fn demo_shows_a_worker_go_not_ready_and_come_back() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = Pty::spawn(
        &[
            "demo",
            "--scenario",
            "worker-notready",
            "--speed",
            "10",
            "--view",
            "nodes",
        ],
        repo,
        160,
        40,
        &[],
    );
    t.wait_for("Nodes (", 20);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(t.screen().contains("NotReady") || t.screen().contains("? Unknown")) {
        assert!(
            Instant::now() < deadline,
            "no node went NotReady:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while t.screen().contains("NotReady") || t.screen().contains("? Unknown") {
        assert!(
            Instant::now() < deadline,
            "the node did not recover:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    t.quit();
}

fn demo_scenario(scenario: &str, view: &str) -> Pty {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    Pty::spawn(
        &[
            "demo",
            "--scenario",
            scenario,
            "--speed",
            "20",
            "--view",
            view,
        ],
        repo,
        200,
        40,
        &[],
    )
}

#[test]
fn demo_ceph_fills_up_warns_and_recovers() {
    let t = demo_scenario("ceph-warn", "storage");
    t.wait_until(30, "Ceph never showed", |s| s.contains("HEALTH_OK"));
    t.wait_until(60, "no HEALTH_WARN with its checks", |s| {
        s.contains("HEALTH_WARN") && s.contains("POOL_NEARFULL") && s.contains("78%")
    });
    // Nearly full stands out: above the 75 % threshold the row is degraded, not healthy.
    let row = t
        .screen()
        .lines()
        .find(|l| l.contains("rook-ceph"))
        .unwrap()
        .to_string();
    assert!(row.contains("▲ degraded"), "{row}");
    t.wait_until(60, "Ceph did not recover", |s| {
        s.contains("HEALTH_OK") && s.contains("41%") && !s.contains("HEALTH_WARN")
    });
    t.quit();
}

#[test]
fn demo_mayastor_pool_goes_degraded_and_back_online() {
    let t = demo_scenario("mayastor-degraded", "storage");
    t.wait_until(30, "no DiskPools", |s| s.contains("pool-lab-2"));
    t.wait_until(60, "pool-lab-2 never went Degraded", |s| {
        s.lines()
            .any(|l| l.contains("pool-lab-2") && l.contains("Degraded") && l.contains("IoError"))
    });
    t.wait_until(60, "pool-lab-2 did not come back Online", |s| {
        s.lines()
            .any(|l| l.contains("pool-lab-2") && l.contains("Online"))
    });
    t.quit();
}

#[test]
fn demo_nightly_backup_fails_then_succeeds_on_retry() {
    let t = demo_scenario("backup-retry", "backup");
    t.wait_until(30, "no policies", |s| s.contains("apps-daily"));
    // Select edge-lab's policy: its actions fill the lower pane.
    t.send("/edge-lab");
    t.send("\r");
    t.wait_until(20, "edge-lab's actions are not shown", |s| {
        s.contains("Actions of apps-daily")
    });
    t.wait_until(60, "the export never failed", |s| {
        s.contains("AttemptFailed") && s.contains("timeout writing to s3://k10-edge-lab")
    });
    t.wait_until(90, "the retry did not complete", |s| {
        !s.contains("AttemptFailed") && s.contains("Complete")
    });
    t.quit();
}

#[test]
fn blast_status_prints_every_site_and_exits_by_the_worst() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig.yaml");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[fleet]\nworkload_kubeconfigs = true\n").unwrap();
    let port = free_port();
    let server = ServeOnly::start(port, &kubeconfig, dir.path());
    let status = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_blast"))
            .args([
                "--config",
                config.to_str().unwrap(),
                "--kubeconfig",
                kubeconfig.to_str().unwrap(),
                "status",
            ])
            .args(extra)
            .env("HOME", dir.path())
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
        )
    };
    // The demo world has one Degraded and one OutOfSync Application, and a claim Pending.
    let (code, text) = status(&[]);
    assert_eq!(code, 1, "{text}");
    let first = text.lines().next().unwrap();
    assert!(
        first.contains("edge-berlin") && first.contains("failed"),
        "worst first: {text}"
    );
    assert!(text.contains("Application edge-berlin-historian"), "{text}");
    assert!(
        text.contains("Application edge-lab-podinfo: OutOfSync"),
        "{text}"
    );
    assert!(text.contains("mqtt/mosquitto-archive: Pending"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("mgmt") && l.contains("live")),
        "{text}"
    );
    let (code, json) = status(&["--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["exitCode"], 1);
    let sites = v["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 3, "{json}");
    assert!(sites.iter().all(|s| s["reach"] == "live"), "{json}");
    let lab = sites.iter().find(|s| s["site"] == "edge-lab").unwrap();
    assert_eq!(lab["areas"]["storage"]["verdict"], "healthy", "{json}");
    assert!(
        !json.contains("REDACTED") && !json.contains("AgB"),
        "no token or ciphertext in the output"
    );
    // The API server gone: unreachable, exit 2.
    drop(server);
    let (code, text) = status(&["--timeout", "3"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("unreachable") || text.contains("stale"),
        "{text}"
    );
}

/// An `$EDITOR` for the tests: records its arguments, appends a line to the file, exits `code`.
fn fake_editor(dir: &Path, code: i32) -> (std::path::PathBuf, std::path::PathBuf) {
    let args = dir.join("editor-args");
    let script = dir.join("editor.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\necho '# edited by the test editor' >> \"$2\"\nexit {code}\n",
            args.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, args)
}

/// The console on a temp repo with the fake editor (exit `code`), the mqtt Deployment selected,
/// and `e` pressed. Returns the terminal, the editor's argument file and the dirs to keep.
fn edit_mqtt_deployment(
    code: i32,
    cols: u16,
) -> (Pty, std::path::PathBuf, TempRepo, tempfile::TempDir) {
    let repo = temp_repo();
    let dir = tempfile::tempdir().unwrap();
    let (editor, args) = fake_editor(dir.path(), code);
    let t = Pty::spawn(
        &[],
        &repo.work,
        cols,
        30,
        &[("EDITOR", editor.to_str().unwrap()), ("VISUAL", "")],
    );
    t.wait_for("✓ clean", 20);
    t.press("/mqttdeploy", "1 matches", 5);
    t.press("\r", "namespace: mqtt", 5);
    t.send("e");
    (t, args, repo, dir)
}

#[test]
fn e_opens_the_editor_at_the_resource_and_picks_up_the_change() {
    let (t, args, _repo, _dir) = edit_mqtt_deployment(0, 100);
    t.wait_for("back from the editor", 10);
    let got = std::fs::read_to_string(&args).unwrap();
    let mut lines = got.lines();
    let line = lines.next().unwrap();
    let file = lines.next().unwrap();
    assert!(file.ends_with("deployment.yaml"), "{got}");
    let text = std::fs::read_to_string(file).unwrap();
    // `+N` is the line of the selected resource (its `apiVersion` or its first line).
    let n: usize = line.strip_prefix('+').unwrap().parse().unwrap();
    assert!(n >= 1 && n <= text.lines().count(), "{got}");
    assert!(text.ends_with("# edited by the test editor\n"));
    // Back in the console: the terminal is ours again and the change is seen.
    assert!(t.alternate_screen() && t.cursor_hidden());
    t.wait_for("✎1", 10);
    // The preview reloaded: scroll it to the end of the file (J scrolls the preview).
    for _ in 0..10 {
        t.send("J");
    }
    t.wait_for("# edited by the test editor", 10);
    t.quit();
}

#[test]
fn an_editor_that_fails_is_reported_and_the_file_kept() {
    let (t, _args, _repo, _dir) = edit_mqtt_deployment(3, 120);
    t.wait_for(
        "the editor exited with exit status: 3; the file is kept as it left it",
        10,
    );
    t.wait_for("✎1", 10);
    t.quit();
}

#[test]
fn the_console_survives_a_resize_storm() {
    let repo = temp_repo();
    let t = Pty::spawn(&[], &repo.work, 80, 24, &[]);
    t.wait_for("infrastructure/", 20);
    for i in 0..60u16 {
        t.resize(20 + (i * 37) % 200, 6 + (i * 13) % 70);
        std::thread::sleep(Duration::from_millis(10));
    }
    t.resize(100, 30);
    t.wait_for("? help  q quit", 10);
    t.wait_for("infrastructure/", 10);
    t.quit();
}

impl Pty {
    /// Whether blast is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

// Issue 15, bug 1: after `e` in the changes view with an editor that exits non-zero, every
// write answered "wait: edit is still running" until the console was quit.
#[test]
fn a_failed_edit_in_the_changes_view_leaves_no_write_running() {
    let (mut t, _args, _repo, _dir) = edit_mqtt_deployment(3, 120);
    t.wait_for("the file is kept as it left it", 10);
    t.wait_for("✎1", 10);
    t.press("9", "changes · 1 files", 10);
    t.press("e", "the file is kept as it left it", 10);
    t.press("s", "staged apps/edge-berlin/mqtt/deployment.yaml", 10);
    assert!(!t.screen().contains("still running"), "{}", t.screen());
    t.send("\x03");
    assert_eq!(t.wait_exit(10), 0);
}

// Issue 15, bug 4: `c` in the repo browser swallowed every key until Esc and drew nothing.
#[test]
fn c_in_the_repo_browser_opens_the_context_picker() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut t = Pty::spawn(&["demo", "--scenario", "none"], repo, 80, 24, &[]);
    t.wait_for("infrastructure/", 30);
    // The contexts are known once the kubeconfig is read: until then `c` says so.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        t.send("c");
        std::thread::sleep(Duration::from_millis(200));
        if t.screen().contains("Contexts to watch") {
            break;
        }
        assert!(Instant::now() < deadline, "no picker:\n{}", t.screen());
        t.send("\x1b");
        std::thread::sleep(Duration::from_millis(200));
    }
    t.wait_for("[x] mgmt", 5);
    t.send("\x1b");
    t.wait_until(5, "the picker did not close", |s| {
        !s.contains("Contexts to watch")
    });
    t.send("\x03");
    assert_eq!(t.wait_exit(20), 0);
}

// Issue 15, bug 7: Esc pressed once too often quit the console without asking.
#[test]
fn esc_never_quits_and_q_asks_before_leaving_staged_work() {
    let repo = temp_repo();
    std::fs::write(
        repo.work.join("clusters/edge-berlin/capi/workers.yaml"),
        "kind: Changed\n",
    )
    .unwrap();
    crate::support::git(&repo.work, &["add", "."]);
    let mut t = Pty::spawn(&[], &repo.work, 80, 24, &[]);
    t.wait_for("infrastructure/", 20);
    t.wait_for("✎1", 10);
    for _ in 0..3 {
        t.send("\x1b");
        std::thread::sleep(Duration::from_millis(150));
    }
    t.wait_for("q quits", 5);
    assert!(t.running(), "{}", t.screen());
    t.press("q", "staged", 10);
    t.wait_for("Quit?", 5);
    t.send("n");
    t.wait_until(5, "the question stayed", |s| !s.contains("Quit?"));
    assert!(t.running());
    t.press("q", "Quit?", 10);
    t.send("y");
    assert_eq!(t.wait_exit(10), 0);
}

/// Issue 15: from the overview's problem to the log line that explains it, in the demo, with
/// the real binary: select the degraded Application, Enter (its reason, whole), `w` (its
/// workloads on edge-berlin), its Pod, `L` (the log, streamed from the emulator's pods/log).
#[test]
fn demo_from_an_overview_problem_to_the_log_line_that_explains_it() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = Pty::spawn(&["demo", "--view", "overview"], repo, 120, 36, &[]);
    t.wait_until(30, "no problem in the overview", |s| {
        s.contains("edge-berlin-historian")
    });
    let mut presses = 0;
    while !t
        .reversed_rows()
        .iter()
        .any(|r| r.contains("Application edge-berlin-historian"))
    {
        assert!(
            presses < 40,
            "the problem never got selected:\n{}",
            t.screen()
        );
        t.send("j");
        presses += 1;
        std::thread::sleep(Duration::from_millis(100));
    }
    t.send("\r");
    t.wait_until(10, "Enter did not open the problem's reason", |s| {
        s.contains("problem: gitops: Application edge-berlin-historian")
    });
    t.send("w");
    t.wait_until(20, "w did not show the Application's workloads", |s| {
        s.contains("Workloads · Application edge-berlin-historian")
            && s.contains("victoria-metrics-0")
    });
    t.send("j");
    t.send("L");
    t.wait_until(20, "the log never showed the cause", |s| {
        s.contains("is still running after 3m") || s.contains("big merge")
    });
    // Following: the emulator adds a line a second.
    t.wait_until(10, "follow did not bring new lines", |s| {
        s.contains("seq=2")
    });
    t.send("\x1b");
    t.wait_until(10, "esc did not go back to the workloads", |s| {
        s.contains("Workloads · Application")
    });
    t.quit();
}

/// `blast demo`: `S` opens the Standards view: the demo's drift (mosquitto put on the host
/// network), the k3d host's waived docker-bench items shown as waived; Enter on a waived item
/// shows its reason whole; a filter narrows the lines.
#[test]
fn demo_standards_view_shows_drift_and_waivers() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = Pty::spawn(&["demo", "--view", "overview"], repo, 160, 40, &[]);
    t.wait_until(30, "the overview never came", |s| s.contains("edge-berlin"));
    t.send("S");
    t.wait_until(30, "the Standards view never showed the drift", |s| {
        s.contains("Standards") && s.contains("CKV_K8S_19") && s.contains("mqtt/mosquitto")
    });
    // The images' lines come from the demo's Clair (asked by the view): mosquitto's Critical.
    t.wait_until(
        30,
        "the Standards view never showed Clair's Critical",
        |s| {
            s.lines()
                .any(|l| l.contains("squitto") && l.contains("FAIL") && l.contains(" Critical, "))
        },
    );
    t.send("/");
    for c in "5.31".chars() {
        t.send(&c.to_string());
    }
    t.send("\r");
    t.wait_until(20, "the filter did not find the waived 5.31", |s| {
        s.contains("WAIVED") && s.contains("5.31") && !s.contains("CKV_K8S_19")
    });
    // The site's line, then its one item.
    t.send("j");
    t.send("\r");
    t.wait_until(10, "Enter did not show the waiver whole", |s| {
        s.contains("waived: k3d")
    });
    // Two presses, as a hand makes them: two ESC bytes in one read are one Alt-less Esc to
    // crossterm, so the first closes the pop-up before the second clears the filter.
    t.send("\x1b");
    std::thread::sleep(Duration::from_millis(500));
    t.send("\x1b");
    // Every line back (the selection stays on 5.31, so the view may be scrolled down).
    t.wait_until(10, "esc did not clear the filter", |s| {
        s.contains("Standards (") && !s.contains("Standards (2)") && !s.contains("/5.31")
    });
    t.quit();
}
