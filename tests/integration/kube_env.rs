//! The console's kube side in real environments, through the real binary (`blast status`)
//! against `blast demo --serve-only`: proxies from the environment and the kubeconfig (through
//! small proxies on loopback), `KUBECONFIG` lists, exec credential plugins, and `blast status`'s
//! semantics and exit codes.
//!
//! The server is named `blast-emulator.invalid` in the kubeconfigs: a name no resolver knows,
//! so only a proxy (which maps it to 127.0.0.1) can reach it. kubectl, and blast, never proxy
//! loopback addresses from the environment.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::pty::{ServeOnly, free_port};

const NAME: &str = "blast-emulator.invalid";

/// A proxy on loopback: HTTP (`CONNECT`, or a plain forwarded request) or SOCKS5. Every
/// connection goes to 127.0.0.1 on the asked port; what was asked is recorded.
struct Proxy {
    port: u16,
    asked: Arc<Mutex<Vec<String>>>,
    connections: Arc<AtomicUsize>,
}

impl Proxy {
    fn start(socks: bool) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let asked = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (a, c) = (asked.clone(), connections.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                c.fetch_add(1, Ordering::SeqCst);
                let a = a.clone();
                std::thread::spawn(move || {
                    let _ = if socks {
                        socks5(conn, &a)
                    } else {
                        http_proxy(conn, &a)
                    };
                });
            }
        });
        Proxy {
            port,
            asked,
            connections,
        }
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

fn http_proxy(mut client: TcpStream, asked: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte)? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let first = text.lines().next().unwrap_or("").to_string();
    let mut parts = first.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    asked.lock().unwrap().push(format!("{method} {target}"));
    if method == "CONNECT" {
        let port = target.rsplit(':').next().unwrap().parse::<u16>().unwrap();
        let upstream = TcpStream::connect(("127.0.0.1", port))?;
        client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
        pipe(client, upstream);
    } else {
        // Absolute form: `GET http://host:port/path HTTP/1.1`, sent on in origin form.
        let rest = target.split_once("://").map(|(_, r)| r).unwrap_or(target);
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let port = authority
            .rsplit(':')
            .next()
            .unwrap()
            .parse::<u16>()
            .unwrap();
        let mut upstream = TcpStream::connect(("127.0.0.1", port))?;
        let path = if path.is_empty() { "/" } else { path };
        upstream.write_all(text.replacen(target, path, 1).as_bytes())?;
        pipe(client, upstream);
    }
    Ok(())
}

fn socks5(mut client: TcpStream, asked: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut greeting = [0u8; 2];
    client.read_exact(&mut greeting)?;
    let mut methods = vec![0u8; greeting[1] as usize];
    client.read_exact(&mut methods)?;
    client.write_all(&[5, 0])?;
    let mut req = [0u8; 4];
    client.read_exact(&mut req)?;
    let host = match req[3] {
        1 => {
            let mut a = [0u8; 4];
            client.read_exact(&mut a)?;
            std::net::Ipv4Addr::from(a).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len)?;
            let mut name = vec![0u8; len[0] as usize];
            client.read_exact(&mut name)?;
            String::from_utf8_lossy(&name).into_owned()
        }
        _ => return Ok(()),
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port)?;
    let port = u16::from_be_bytes(port);
    asked.lock().unwrap().push(format!("SOCKS5 {host}:{port}"));
    let upstream = TcpStream::connect(("127.0.0.1", port))?;
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0])?;
    pipe(client, upstream);
    Ok(())
}

/// Copies both ways until either side closes.
fn pipe(a: TcpStream, b: TcpStream) {
    let (mut a2, mut b2) = (a.try_clone().unwrap(), b.try_clone().unwrap());
    let t = std::thread::spawn(move || {
        let _ = std::io::copy(&mut a2, &mut b2);
        let _ = b2.shutdown(std::net::Shutdown::Write);
    });
    let (mut a, mut b) = (a, b);
    let _ = std::io::copy(&mut b, &mut a);
    let _ = a.shutdown(std::net::Shutdown::Write);
    let _ = t.join();
}

/// The demo's API server, its kubeconfig, and a place for the runs' files.
struct World {
    _server: ServeOnly,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

impl World {
    fn start() -> World {
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig.yaml");
        let server = ServeOnly::start(free_port(), &kubeconfig, dir.path());
        World {
            _server: server,
            dir,
            kubeconfig,
        }
    }

    /// The demo's kubeconfig, changed by `f`, written to `name`.
    fn kubeconfig_with(&self, name: &str, f: impl Fn(&mut Value)) -> PathBuf {
        let text = std::fs::read_to_string(&self.kubeconfig).unwrap();
        let mut kc: Value = blast::repo::yaml_serde::from_str(&text).unwrap();
        f(&mut kc);
        let path = self.dir.path().join(name);
        std::fs::write(&path, blast::repo::yaml_serde::to_string(&kc).unwrap()).unwrap();
        path
    }

    /// The kubeconfig with the server named `NAME` (reachable only through a proxy).
    fn named_kubeconfig(&self, name: &str, proxy_url: Option<&str>) -> PathBuf {
        self.kubeconfig_with(name, |kc| {
            for c in kc["clusters"].as_array_mut().unwrap() {
                let server = c["cluster"]["server"]
                    .as_str()
                    .unwrap()
                    .replace("127.0.0.1", NAME);
                c["cluster"]["server"] = server.into();
                if let Some(p) = proxy_url {
                    c["cluster"]["proxy-url"] = p.into();
                }
            }
        })
    }

    /// `blast status --json` for the `mgmt` context with `env` (and nothing of the test's own
    /// proxy environment); the exit code and the JSON (or stderr when there is none).
    fn status(
        &self,
        kubeconfig: Option<&Path>,
        env: &[(&str, &str)],
        extra: &[&str],
    ) -> (i32, Value, String) {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_blast"));
        if let Some(k) = kubeconfig {
            c.args(["--kubeconfig", k.to_str().unwrap()]);
        }
        c.args(["--context", "mgmt", "status", "--json"]);
        if !extra.contains(&"--timeout") {
            c.args(["--timeout", "8"]);
        }
        c.args(extra)
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"));
        for v in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "NO_PROXY",
            "no_proxy",
            "ALL_PROXY",
            "all_proxy",
            "KUBECONFIG",
        ] {
            c.env_remove(v);
        }
        c.envs(env.iter().copied());
        let out = c.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        (out.status.code().unwrap_or(-1), json, stderr)
    }
}

fn site<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["sites"]
        .as_array()
        .unwrap_or_else(|| panic!("no sites: {v}"))
        .iter()
        .find(|s| s["site"] == name)
        .unwrap_or_else(|| panic!("no site {name}: {v}"))
}

#[test]
fn proxies_from_the_environment_and_the_kubeconfig() {
    let w = World::start();
    let http = Proxy::start(false);
    let socks = Proxy::start(true);
    let named = w.named_kubeconfig("named.yaml", None);
    let proxy = format!("http://127.0.0.1:{}", http.port);

    // The server's name resolves nowhere: only HTTP_PROXY (an http server) can reach it.
    let (code, v, err) = w.status(Some(&named), &[("HTTP_PROXY", proxy.as_str())], &[]);
    assert_eq!(site(&v, "mgmt")["reach"], "live", "{v} {err}");
    assert_ne!(code, 2, "{v}");
    let asked = http.asked();
    assert!(
        asked.iter().any(|a| a.contains(NAME)),
        "the proxy was asked for the server: {asked:?}"
    );

    // Lower case, scheme-less, as many jump hosts set it.
    let before = http.asked().len();
    let bare = format!("127.0.0.1:{}", http.port);
    let (_, v, err) = w.status(Some(&named), &[("http_proxy", bare.as_str())], &[]);
    assert_eq!(site(&v, "mgmt")["reach"], "live", "{v} {err}");
    assert!(http.asked().len() > before);

    // HTTPS_PROXY is for https servers: this one is http, so it goes direct and fails.
    let before = http.asked().len();
    let (code, v, _) = w.status(
        Some(&named),
        &[("HTTPS_PROXY", proxy.as_str())],
        &["--timeout", "4"],
    );
    assert_eq!(code, 2, "{v}");
    assert_eq!(
        http.asked().len(),
        before,
        "HTTPS_PROXY is not used for http"
    );

    // NO_PROXY covering the server: direct, so the proxy is never asked (and the name fails).
    let before = http.connections.load(Ordering::SeqCst);
    let no_proxy = "example.org, .invalid";
    let (code, v, _) = w.status(
        Some(&named),
        &[("HTTP_PROXY", proxy.as_str()), ("NO_PROXY", no_proxy)],
        &["--timeout", "4"],
    );
    assert_eq!(code, 2, "{v}");
    assert_eq!(
        http.connections.load(Ordering::SeqCst),
        before,
        "NO_PROXY covers the server"
    );

    // A kubeconfig proxy-url (socks5) wins over the environment, NO_PROXY included.
    let via_socks = w.named_kubeconfig(
        "socks.yaml",
        Some(&format!("socks5://127.0.0.1:{}", socks.port)),
    );
    let before = http.connections.load(Ordering::SeqCst);
    let (_, v, err) = w.status(
        Some(&via_socks),
        &[("HTTP_PROXY", proxy.as_str()), ("NO_PROXY", "*")],
        &[],
    );
    assert_eq!(site(&v, "mgmt")["reach"], "live", "{v} {err}");
    assert!(
        socks.asked().iter().any(|a| a.contains(NAME)),
        "socks5 asked for the server by name: {:?}",
        socks.asked()
    );
    assert_eq!(http.connections.load(Ordering::SeqCst), before);

    // And an http proxy-url.
    let via_http = w.named_kubeconfig("http-proxy.yaml", Some(&proxy));
    let (_, v, err) = w.status(Some(&via_http), &[], &[]);
    assert_eq!(site(&v, "mgmt")["reach"], "live", "{v} {err}");
}

#[test]
fn kubeconfig_lists_merge_and_skip_missing_entries() {
    let w = World::start();
    // The contexts split over two files, the first of which also names a context that the
    // second redefines (the first wins), behind a missing entry.
    let first = w.kubeconfig_with("first.yaml", |kc| {
        let keep = |list: &mut Value| {
            list.as_array_mut().unwrap().retain(|e| e["name"] == "mgmt");
        };
        keep(&mut kc["clusters"]);
        keep(&mut kc["contexts"]);
        keep(&mut kc["users"]);
    });
    let second = w.kubeconfig_with("second.yaml", |kc| {
        for c in kc["clusters"].as_array_mut().unwrap() {
            if c["name"] == "mgmt" {
                c["cluster"]["server"] = "http://127.0.0.1:1/nowhere".into();
            }
        }
        kc["current-context"] = "edge-lab".into();
    });
    let missing = w.dir.path().join("missing.yaml");
    let list = std::env::join_paths([&missing, &first, &second]).unwrap();
    let list = list.to_str().unwrap();
    let (code, v, err) = w.status(None, &[("KUBECONFIG", list)], &[]);
    assert_ne!(code, 3, "{err}");
    assert_eq!(
        site(&v, "mgmt")["reach"],
        "live",
        "the first file's mgmt wins: {v} {err}"
    );

    // Nothing of the list exists: could not run (3), saying which files.
    let (code, _, err) = w.status(None, &[("KUBECONFIG", missing.to_str().unwrap())], &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("missing.yaml"), "{err}");
}

#[test]
fn status_judges_unwatched_sites_from_the_management_cluster_and_exits_by_meaning() {
    let w = World::start();
    // The default config: workload clusters are not watched directly.
    let (code, v, err) = w.status(Some(&w.kubeconfig), &[], &[]);
    assert_eq!(site(&v, "mgmt")["reach"], "live", "{v} {err}");
    for name in ["edge-berlin", "edge-lab"] {
        let s = site(&v, name);
        assert_eq!(s["reach"], "notWatched", "{s}");
        assert_eq!(s["watched"], false, "{s}");
        assert!(
            s["areas"]["fleet"]["verdict"].is_string(),
            "judged from Cluster API: {s}"
        );
        let problems = s["problems"].as_array().unwrap();
        assert!(
            problems.iter().all(|p| p["area"] != "reach"),
            "not watched is no reach problem: {s}"
        );
    }
    assert_ne!(
        code, 2,
        "nothing that should be reachable is unreachable: {v}"
    );
    assert_eq!(v["exitCode"], code);
    let text = std::process::Command::new(env!("CARGO_BIN_EXE_blast"))
        .args([
            "--kubeconfig",
            w.kubeconfig.to_str().unwrap(),
            "--context",
            "mgmt",
            "status",
        ])
        .env("HOME", w.dir.path())
        .env("XDG_STATE_HOME", w.dir.path().join("state"))
        .env("XDG_CONFIG_HOME", w.dir.path().join("config"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("not watched directly"), "{text}");
    assert!(!text.contains("unreachable"), "{text}");

    // Could not run: a bad flag, no kubeconfig.
    let (code, _, err) = w.status(Some(&w.kubeconfig), &[], &["--no-such-flag"]);
    assert_eq!(code, 3, "{err}");
    let nothing = w.dir.path().join("none.yaml");
    let (code, _, err) = w.status(Some(&nothing), &[], &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("none.yaml"), "{err}");
}

#[test]
fn exec_plugins_run_without_the_terminal_and_failures_are_the_contexts_error() {
    let w = World::start();
    let with_plugin = |name: &str, script: &str| {
        w.kubeconfig_with(name, |kc| {
            for u in kc["users"].as_array_mut().unwrap() {
                u["user"] = serde_json::json!({"exec": {
                    "apiVersion": "client.authentication.k8s.io/v1",
                    "command": "sh",
                    "args": ["-c", script],
                }});
            }
        })
    };
    // A plugin that answers (without reading the terminal): live.
    let ok = with_plugin(
        "ok.yaml",
        r#"test "$(echo "$KUBERNETES_EXEC_INFO" | grep -c '"interactive":false')" = 1 || exit 9; echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok"}}'"#,
    );
    let (_, v, err) = w.status(Some(&ok), &[], &[]);
    assert_eq!(site(&v, "mgmt")["reach"], "live", "{v} {err}");

    // One that needs a login: the context's error says so, and nothing of its stdout.
    let login = with_plugin(
        "login.yaml",
        "echo secret-token-123; echo 'error: login required, run kubelogin' >&2; exit 1",
    );
    let (code, v, err) = w.status(Some(&login), &[], &[]);
    assert_eq!(code, 2, "{v} {err}");
    let why = site(&v, "mgmt")["reachError"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(why.contains("credential plugin failed"), "{why}");
    assert!(why.contains("login required"), "{why}");
    assert!(!v.to_string().contains("secret-token-123"), "{v}");
    assert!(!err.contains("secret-token-123"), "{err}");
}

/// The console with an exec plugin that asks for a password when it may use the terminal and
/// otherwise answers from the cache its login wrote (as kubelogin or gcloud do): the prompt
/// comes on the plain terminal before the TUI, and inside the TUI the plugin runs without the
/// terminal, so the fleet shows and nothing is drawn over it.
#[test]
fn an_interactive_login_happens_before_the_console_takes_the_terminal() {
    let w = World::start();
    let cache = w.dir.path().join("plugin-cache");
    let script = format!(
        r#"case "$KUBERNETES_EXEC_INFO" in
  *'"interactive":true'*) printf 'Password: ' >&2; read pw; [ "$pw" = hunter2 ] || exit 1; touch '{cache}' ;;
  *) [ -f '{cache}' ] || {{ echo 'error: login required' >&2; exit 1; }} ;;
esac
echo '{{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{{"token":"t"}}}}'"#,
        cache = cache.display()
    );
    let kubeconfig = w.kubeconfig_with("login.yaml", |kc| {
        for u in kc["users"].as_array_mut().unwrap() {
            u["user"] = serde_json::json!({"exec": {
                "apiVersion": "client.authentication.k8s.io/v1",
                "command": "sh",
                "args": ["-c", script],
            }});
        }
    });
    let repo = crate::support::temp_repo();
    let mut t = crate::pty::Pty::spawn(
        &[
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--context",
            "mgmt",
            "--view",
            "fleet",
        ],
        &repo.work,
        100,
        30,
        &[],
    );
    t.wait_for("Password:", 20);
    let screen = t.screen();
    assert!(
        screen.contains("getting credentials for context mgmt"),
        "the prompt comes before the TUI: {screen}"
    );
    t.send("hunter2\r");
    t.wait_for("edge-berlin", 30);
    assert!(cache.exists(), "the login ran");
    let screen = t.screen();
    assert!(!screen.contains("Password"), "{screen}");
    assert!(!screen.contains("login required"), "{screen}");
    t.send("q");
    assert_eq!(t.wait_exit(10), 0);
}
