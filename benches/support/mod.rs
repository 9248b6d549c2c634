//! Shared by the benches: the demo datacenter served in process, churn over it (bandwidth,
//! soak), and the real binary in a pseudo-terminal with a count of the bytes it writes (those
//! two, and the first frames of index and hostile).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use blast::demo::emulator::{Emulator, ServerHandle};
use blast::demo::world;
use blast::model::kinds;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use serde_json::{Value, json};

/// The demo world on 127.0.0.1, a kubeconfig for it and a config that follows the workload
/// clusters (as `blast demo` does).
pub struct Demo {
    pub emu: Emulator,
    pub server: ServerHandle,
    pub kubeconfig: PathBuf,
    pub config: PathBuf,
}

pub async fn demo(dir: &Path) -> Demo {
    let emu = Emulator::new();
    world::load(&emu, blast::kube::now()).unwrap();
    let server = emu.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let base = server.base_url();
    world::kubeconfig_secrets(&emu, &base).unwrap();
    let kubeconfig = dir.join("kubeconfig.yaml");
    std::fs::write(&kubeconfig, emu.kubeconfig(&base, world::MGMT)).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(&config, "[fleet]\nworkload_kubeconfigs = true\n").unwrap();
    Demo {
        emu,
        server,
        kubeconfig,
        config,
    }
}

/// Changes the demo world at `per_sec` events per second until aborted: three in four are Node
/// heartbeats (nothing on screen changes), the fourth flips a worker Node's Ready condition (a
/// site's verdict and problems change).
pub async fn churn(emu: Emulator, per_sec: u32) {
    let mut nodes: Vec<(String, String)> = vec![];
    for c in emu.clusters() {
        for n in emu.list(&c, &kinds::NODE) {
            let worker = n["metadata"]["labels"]
                .get("node-role.kubernetes.io/control-plane")
                .is_none();
            if let Some(name) = n["metadata"]["name"].as_str()
                && worker
            {
                nodes.push((c.clone(), name.to_string()));
            }
        }
    }
    assert!(!nodes.is_empty(), "the demo world has worker nodes");
    let tick_ms = 50u64;
    let per_tick = (per_sec as u64 * tick_ms / 1000).max(1);
    let mut tick = tokio::time::interval(Duration::from_millis(tick_ms));
    let mut n: u64 = 0;
    loop {
        tick.tick().await;
        let now = blast::model::meta::format_time(blast::kube::now());
        for _ in 0..per_tick {
            n += 1;
            let (cluster, name) = &nodes[n as usize % nodes.len()];
            if !n.is_multiple_of(4) {
                emu.modify(cluster, &kinds::NODE, None, name, |o| {
                    blast::demo::run::heartbeat(o, &now)
                });
            } else {
                let ready = if (n / 4).is_multiple_of(2) {
                    "False"
                } else {
                    "True"
                };
                emu.modify(cluster, &kinds::NODE, None, name, |o| {
                    if let Some(conds) = o
                        .pointer_mut("/status/conditions")
                        .and_then(Value::as_array_mut)
                    {
                        for cond in conds.iter_mut().filter(|c| c["type"] == "Ready") {
                            cond["status"] = json!(ready);
                            cond["lastTransitionTime"] = json!(now);
                        }
                    }
                });
            }
        }
    }
}

/// The real binary in a pseudo-terminal, its output parsed and counted.
pub struct Term {
    pub parser: Arc<Mutex<vt100::Parser>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    pub bytes: Arc<AtomicU64>,
    pub pid: u32,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Term {
    /// This build's binary (`CARGO_BIN_EXE_blast`).
    pub fn spawn(
        args: &[&str],
        cwd: &Path,
        home: &Path,
        size: (u16, u16),
        env: &[(&str, &str)],
    ) -> Term {
        let bin = Path::new(env!("CARGO_BIN_EXE_blast"));
        Term::spawn_program(bin, args, cwd, home, size, env)
    }

    /// `program ARGS` in a `size` (columns, rows) pty, with `home` as HOME and the XDG config
    /// and state dirs below it, and `env` on top.
    pub fn spawn_program(
        program: &Path,
        args: &[&str],
        cwd: &Path,
        home: &Path,
        size: (u16, u16),
        env: &[(&str, &str)],
    ) -> Term {
        let (cols, rows) = size;
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home);
        cmd.env("XDG_STATE_HOME", home.join("state"));
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        let pid = child.process_id().unwrap_or(0);
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer: Arc<Mutex<Box<dyn Write + Send>>> =
            Arc::new(Mutex::new(pair.master.take_writer().unwrap()));
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let bytes = Arc::new(AtomicU64::new(0));
        let (p, w, b) = (parser.clone(), writer.clone(), bytes.clone());
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                b.fetch_add(n as u64, Ordering::Relaxed);
                if buf[..n].windows(4).any(|x| x == b"\x1b[6n") {
                    let _ = w.lock().unwrap().write_all(b"\x1b[1;1R");
                }
                p.lock().unwrap().process(&buf[..n]);
            }
        });
        Term {
            parser,
            writer,
            bytes,
            pid,
            child,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn send(&self, bytes: &[u8]) {
        let mut w = self.writer.lock().unwrap();
        w.write_all(bytes).unwrap();
        w.flush().unwrap();
    }

    pub fn wait_for(&self, text: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// `q`, then waits for the exit (killing it after 10 s); either way the child is reaped, so
    /// getrusage's children (hostile's peak RSS of the console) count it.
    pub fn quit(mut self) -> Option<u32> {
        self.send(b"q");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.exit_code());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }
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

pub fn rss_kb(pid: u32) -> u64 {
    proc_status(pid, "VmRSS:")
}

pub fn peak_kb(pid: u32) -> u64 {
    proc_status(pid, "VmHWM:")
}
