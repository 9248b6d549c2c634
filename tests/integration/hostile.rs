//! Issue 14's hostile corpus through the real binary: `blast check --schemas` must report each
//! expected error at its line and nothing else, and nothing at all on the clean twin.

use std::process::Command;

#[path = "../hostile/corpus.rs"]
mod corpus;

#[path = "../hostile/api_server.rs"]
mod api_server;

#[derive(serde::Deserialize)]
struct Report {
    findings: Vec<Finding>,
    skipped: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Finding {
    path: String,
    line: usize,
    message: String,
}

fn check(config: &std::path::Path, schemas: &std::path::Path, dir: &std::path::Path) -> Report {
    let out = Command::new(env!("CARGO_BIN_EXE_blast"))
        .arg("--config")
        .arg(config)
        .args(["check", "--format", "json", "--schemas"])
        .arg(schemas)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "blast check failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}",
            String::from_utf8_lossy(&out.stdout[..out.stdout.len().min(2000)])
        )
    })
}

#[test]
fn hostile_corpus_reports_each_error_at_its_line_and_the_clean_twin_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let expected = corpus::write(dir.path());
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[limits]\nmax_file_mb = {}\n", corpus::CAP_MB),
    )
    .unwrap();
    let schemas = dir.path().join("no-crds");
    std::fs::create_dir(&schemas).unwrap();

    let started = std::time::Instant::now();
    let report = check(&config, &schemas, &dir.path().join("hostile"));
    let took = started.elapsed();
    let mut unexpected = Vec::new();
    let mut found = vec![false; expected.len()];
    for f in &report.findings {
        match expected
            .iter()
            .position(|e| e.path == f.path && e.line == f.line && f.message.contains(&e.contains))
        {
            Some(i) => found[i] = true,
            None => unexpected.push(format!("{}:{}: {}", f.path, f.line, f.message)),
        }
    }
    let missing: Vec<_> = expected
        .iter()
        .zip(&found)
        .filter(|(_, ok)| !**ok)
        .map(|(e, _)| format!("{e:?}"))
        .collect();
    assert!(
        unexpected.is_empty() && missing.is_empty(),
        "unexpected: {unexpected:#?}\nmissing: {missing:#?}"
    );
    // A debug build on a shared machine: generous, but an unbounded run would not finish.
    assert!(took.as_secs() < 120, "took {took:?}");

    let report = check(&config, &schemas, &dir.path().join("clean"));
    let lines: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{}:{}: {}", f.path, f.line, f.message))
        .collect();
    assert!(lines.is_empty(), "{lines:#?}");
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    assert!(report.skipped[0].starts_with("apps/chart/templates/deployment.yaml: Helm"));
}

// ---- The API side: hostile answers for one kind, the other kind goes on --------------------

mod api {
    use std::time::Duration;

    use blast::kube::protocol::{Entry, KindStatus, LiveMsg};
    use blast::kube::{discovery::Discovery, guard, watch};
    use blast::model::kinds;
    use tokio::sync::mpsc;

    use super::api_server::{
        NodeList, NodeWatch, big_annotation, many_conditions, node, node_list, serve,
    };

    /// What the two watches said within `secs` seconds, until `done` holds.
    struct Seen {
        node_failure: Option<String>,
        nodes_listed: Option<Vec<Entry>>,
        late_namespace: bool,
    }

    async fn watch_both(
        addr: std::net::SocketAddr,
        bounds: guard::Bounds,
        secs: u64,
        done: impl Fn(&Seen) -> bool,
    ) -> Seen {
        let mut config = kube::Config::new(format!("http://{addr}").parse().unwrap());
        config.root_cert = Some(Vec::new());
        let client = guard::client(config, bounds).unwrap();
        let discovery = Discovery::new(client);
        let (tx, mut rx) = mpsc::channel(64);
        let tasks = [
            tokio::spawn(watch::run(
                discovery.clone(),
                "hostile".into(),
                &kinds::NODE,
                tx.clone(),
            )),
            tokio::spawn(watch::run(
                discovery,
                "hostile".into(),
                &kinds::NAMESPACE,
                tx,
            )),
        ];
        let mut seen = Seen {
            node_failure: None,
            nodes_listed: None,
            late_namespace: false,
        };
        let _ = tokio::time::timeout(Duration::from_secs(secs), async {
            while !done(&seen) {
                match rx.recv().await {
                    Some(LiveMsg::Status {
                        kind,
                        status: KindStatus::Failed { error, .. },
                        ..
                    }) if kind.kind == "Node" => {
                        seen.node_failure.get_or_insert(error);
                    }
                    Some(LiveMsg::Reset { kind, objects, .. }) if kind.kind == "Node" => {
                        seen.nodes_listed = Some(objects.into_iter().map(|(_, e)| e).collect());
                    }
                    Some(LiveMsg::Apply { kind, key, .. })
                        if kind.kind == "Namespace" && key.name == "late" =>
                    {
                        seen.late_namespace = true;
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        })
        .await;
        for t in tasks {
            t.abort();
        }
        seen
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_watch_streaming_garbage_fails_its_kind_and_the_others_go_on() {
        let addr = serve(node_list(node("a")), NodeWatch::Garbage).await;
        let seen = watch_both(addr, guard::Bounds::default(), 30, |s| {
            s.node_failure.is_some() && s.late_namespace
        })
        .await;
        let error = seen.node_failure.expect("Nodes marked failed");
        // What went wrong in an operator's words, with serde's position and no answer bytes.
        assert_eq!(
            error,
            "watch answer is not valid JSON (expected value at line 1 column 10)"
        );
        assert!(seen.late_namespace, "the Namespace watch went on");
    }

    /// A list answer that is not JSON (a proxy's HTML error page with a 200) marks its kind
    /// the same way, without quoting the page.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_list_answer_that_is_not_json_fails_its_kind_and_the_others_go_on() {
        let page = "<html><body>Bad Gateway \x1b[2J</body></html>".to_string();
        let addr = serve(NodeList::Json(page), NodeWatch::Quiet).await;
        let seen = watch_both(addr, guard::Bounds::default(), 30, |s| {
            s.node_failure.is_some() && s.late_namespace
        })
        .await;
        let error = seen.node_failure.expect("Nodes marked failed");
        assert_eq!(
            error,
            "list answer is not valid JSON (expected value at line 1 column 1)"
        );
        assert!(seen.late_namespace, "the Namespace watch went on");
    }

    /// Bounds for the slow cases: an answer or an event must come within 2 s.
    fn quick() -> guard::Bounds {
        guard::Bounds {
            slow: Duration::from_secs(2),
            ..Default::default()
        }
    }

    /// A byte a second: the watch is restarted once, then its kind is marked with how little
    /// came; the other kind goes on meanwhile.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_watch_sending_a_byte_a_second_is_marked_too_slow_and_holds_no_other_kind() {
        let addr = serve(node_list(node("a")), NodeWatch::Trickle).await;
        let started = std::time::Instant::now();
        let seen = watch_both(addr, quick(), 30, |s| {
            s.node_failure.is_some() && s.late_namespace
        })
        .await;
        assert_eq!(seen.nodes_listed.map(|l| l.len()), Some(1), "Nodes listed");
        assert!(seen.late_namespace, "the Namespace watch went on");
        let error = seen.node_failure.expect("Nodes marked failed within 30 s");
        assert!(
            error.starts_with("server too slow: ") && error.contains(" bytes in 2 s"),
            "{error}"
        );
        // Two stalls of 2 s (the first restarts the watch quietly), not the 30 s budget.
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{:?}",
            started.elapsed()
        );
    }

    /// A list that trickles a byte a second is marked too slow (the page's own bound, not
    /// the watch task's), the other kind goes on.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_list_sending_a_byte_a_second_is_marked_too_slow() {
        let addr = serve(NodeList::Trickle, NodeWatch::Quiet).await;
        let seen = watch_both(addr, quick(), 30, |s| {
            s.node_failure.is_some() && s.late_namespace
        })
        .await;
        assert!(seen.late_namespace, "the Namespace watch went on");
        let error = seen.node_failure.expect("Nodes marked failed within 30 s");
        assert!(
            error.starts_with("server too slow: ")
                && error.ends_with(" bytes in 2 s ([limits] slow_answer_secs)"),
            "{error}"
        );
    }

    /// A 200 MB list (pretty-printed, so no single line is long) is cut at the cap, the kind
    /// marked "answer too large"; announced as 200 MB it is refused before a byte is read.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_200_mb_list_is_cut_at_the_cap_and_its_kind_marked() {
        let cap = guard::Bounds {
            max_answer: 8 << 20,
            ..Default::default()
        };
        for (list, marker) in [
            (
                NodeList::Pretty { mb: 200 },
                "answer too large: over the 8 MB cap ([limits] max_answer_mb)",
            ),
            (
                NodeList::Announced { mb: 200 },
                "answer too large: 200 MB > 8 MB cap ([limits] max_answer_mb)",
            ),
        ] {
            let addr = serve(list, NodeWatch::Quiet).await;
            let started = std::time::Instant::now();
            let seen = watch_both(addr, cap, 60, |s| {
                s.node_failure.is_some() && s.late_namespace
            })
            .await;
            assert!(seen.late_namespace, "{marker}: the Namespace watch went on");
            assert_eq!(seen.node_failure.as_deref(), Some(marker));
            assert!(seen.nodes_listed.is_none(), "{marker}: nothing listed");
            eprintln!("{marker}: marked in {:?}", started.elapsed());
        }
    }

    /// An object with 100,000 conditions and one with a 10 MB annotation (each under the
    /// guard's 64 MB line limit) are read whole and in bounded time; the other kind goes on.
    #[tokio::test(flavor = "multi_thread")]
    async fn huge_objects_are_read_in_bounded_time() {
        for n in [many_conditions(), big_annotation()] {
            let name = n["metadata"]["name"].as_str().unwrap().to_string();
            let addr = serve(node_list(n), NodeWatch::Quiet).await;
            let started = std::time::Instant::now();
            let seen = watch_both(addr, guard::Bounds::default(), 60, |s| {
                s.nodes_listed.is_some() && s.late_namespace
            })
            .await;
            let took = started.elapsed();
            let listed = seen
                .nodes_listed
                .unwrap_or_else(|| panic!("{name}: Nodes listed within 60 s"));
            assert_eq!(listed.len(), 1, "{name}");
            assert!(seen.late_namespace, "{name}: the Namespace watch went on");
            assert_eq!(seen.node_failure, None, "{name}");
            eprintln!("{name}: listed in {took:?}");
        }
    }
}

// ---- The dashboard against hostile answers: the site marked, the other site and keys go on --

mod dashboard {
    use std::time::{Duration, Instant};

    use super::api_server::{
        NodeList, NodeWatch, big_annotation, many_conditions, node, node_list, serve,
        serve_counting,
    };
    use crate::pty::Pty;

    /// The largest peak resident memory allowed: the answers are cut at the 64 MB cap
    /// (`[limits] max_answer_mb`), so what a debug build holds stays a few caps' worth; an
    /// unbounded read of the 200 MB list or the endless event would pass it.
    const PEAK_MB: u64 = 400;

    fn kb(pid: u32, key: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// The text of `site`'s tile (200x50: two tiles side by side): from its header, in the
    /// tile's columns, to the bottom of the screen.
    fn tile(screen: &str, site: &str) -> Option<String> {
        let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
        let head = format!(" {site} · ");
        let (row, col) = lines.iter().enumerate().find_map(|(r, l)| {
            let s: String = l.iter().collect();
            let byte = s.find(&head)?;
            Some((r, s[..byte].chars().count()))
        })?;
        let from = col.saturating_sub(3);
        // To the tile's top right corner.
        let width = lines[row][from..]
            .iter()
            .position(|c| matches!(c, '┐' | '┓'))
            .map_or(100, |w| w + 1);
        Some(
            lines[row..]
                .iter()
                .map(|l| l.iter().skip(from).take(width).collect::<String>())
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }

    /// The calm site's tile says live, with data at most a few seconds old (its watch adds an
    /// object a second): the hostile site holds nothing up.
    fn assert_calm_live(t: &Pty) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = t.screen();
            let fresh = tile(&screen, "calm").is_some_and(|tile| {
                let head = tile.lines().next().unwrap_or("");
                !head.contains("STALE")
                    && !head.contains("FAILED")
                    && ["0s", "1s", "2s", "3s"]
                        .iter()
                        .any(|a| tile.contains(&format!("● live · data {a} old")))
            });
            if fresh {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the calm site live and fresh:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `blast dashboard` on two sites, `calm` (a healthy PersistentVolume watch that adds one a
    /// second) and `hostile` (this case's answers for PersistentVolumes), at 200x50 on the
    /// fleet page. Waits for `shows` in the hostile site's tile; then, while the hostile answer
    /// goes on, the calm site must stay live and fresh, n/p/space must act and q quit; the peak
    /// memory stays under `PEAK_MB`.
    fn dashboard_against(list: NodeList, watch: NodeWatch, shows: &str, limits: &str) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let held = matches!(watch, NodeWatch::Trickle | NodeWatch::Garbage);
        let (hostile, lists) = rt.block_on(serve_counting(list, watch));
        let calm = rt.block_on(serve(node_list(node("pv-a")), NodeWatch::Ticking));
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        let context = |name: &str, addr: std::net::SocketAddr| {
            format!("- name: {name}\n  cluster: {{server: 'http://{addr}'}}\n")
        };
        std::fs::write(
            &kubeconfig,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n{}{}contexts:\n- name: calm\n  context: {{cluster: calm, user: u}}\n- name: hostile\n  context: {{cluster: hostile, user: u}}\ncurrent-context: calm\nusers:\n- name: u\n  user: {{}}\n",
                context("calm", calm),
                context("hostile", hostile)
            ),
        )
        .unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, format!("[limits]\n{limits}\n")).unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        let mut t = Pty::spawn(
            &[
                "--config",
                config.to_str().unwrap(),
                "dashboard",
                "--kubeconfig",
                kubeconfig.to_str().unwrap(),
                "--context",
                "calm",
                "--context",
                "hostile",
                "--repo",
                repo.to_str().unwrap(),
                "--page",
                "fleet,storage,problems",
                "--rotate",
                "0",
            ],
            &repo,
            200,
            50,
            &[],
        );
        let pid = t.pid();
        let deadline = Instant::now() + Duration::from_secs(120);
        while !tile(&t.screen(), "hostile").is_some_and(|tile| tile.contains(shows)) {
            assert!(
                Instant::now() < deadline,
                "{shows:?} in the hostile site's tile within 120 s:\n{}",
                t.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        if held {
            // A watch that answered badly holds its marker across the relists after it (each
            // list answers at once, each watch trickles or garbles again): the site does not
            // flip back to live and the tile does not blink.
            let lists_before = lists.load(std::sync::atomic::Ordering::SeqCst);
            let until = Instant::now() + Duration::from_secs(15);
            while Instant::now() < until {
                let screen = t.screen();
                let shown = tile(&screen, "hostile").is_some_and(|tile| tile.contains(shows));
                assert!(shown, "{shows:?} held across relists:\n{screen}");
                std::thread::sleep(Duration::from_millis(100));
            }
            let relists = lists.load(std::sync::atomic::Ordering::SeqCst) - lists_before;
            assert!(
                relists >= 1,
                "relisted while the marker was held: {relists}"
            );
        }
        // The hostile answer goes on (retries, the endless stream).
        std::thread::sleep(Duration::from_secs(3));
        assert_calm_live(&t);
        t.send("n");
        t.wait_for("▸storage", 5);
        t.send("n");
        t.wait_for("▸problems", 5);
        if shows.starts_with("PersistentVolume: ") {
            t.wait_for(shows, 40);
        }
        t.send("p");
        t.wait_for("▸storage", 5);
        t.send("p");
        t.wait_for("▸fleet", 5);
        t.send(" ");
        t.wait_for("PAUSED", 5);
        t.send(" ");
        let deadline = Instant::now() + Duration::from_secs(5);
        while t.screen().contains("PAUSED") {
            assert!(Instant::now() < deadline, "space did not resume");
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_calm_live(&t);
        let peak = kb(pid, "VmHWM:") / 1024;
        eprintln!(
            "{shows}: peak {peak} MB, now {} MB",
            kb(pid, "VmRSS:") / 1024
        );
        assert!(peak < PEAK_MB, "{shows}: peak {peak} MB");
        t.send("q");
        assert_eq!(t.wait_exit(10), 0);
    }

    /// The dashboard on the hostile corpus (its repo scan for the standards page reads every
    /// file: alias bombs, deep nests, huge files, bad encodings) with one calm site: it opens,
    /// the scan ends (the site's policy count replaces "policy not checked"), keys act and the
    /// peak memory stays under issue 14's 600 MB.
    #[test]
    fn the_dashboard_scans_the_hostile_corpus_and_stays_responsive() {
        let dir = tempfile::tempdir().unwrap();
        super::corpus::write(dir.path());
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            format!("[limits]\nmax_file_mb = {}\n", super::corpus::CAP_MB),
        )
        .unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let calm = rt.block_on(serve(node_list(node("pv-a")), NodeWatch::Ticking));
        let kubeconfig = dir.path().join("kubeconfig");
        std::fs::write(
            &kubeconfig,
            format!("apiVersion: v1\nkind: Config\nclusters:\n- name: calm\n  cluster: {{server: 'http://{calm}'}}\ncontexts:\n- name: calm\n  context: {{cluster: calm, user: u}}\ncurrent-context: calm\nusers:\n- name: u\n  user: {{}}\n"),
        )
        .unwrap();
        let repo = dir.path().join("hostile");
        let mut t = Pty::spawn(
            &[
                "--config",
                config.to_str().unwrap(),
                "dashboard",
                "--kubeconfig",
                kubeconfig.to_str().unwrap(),
                "--repo",
                repo.to_str().unwrap(),
                "--page",
                "standards,fleet",
                "--rotate",
                "0",
            ],
            &repo,
            200,
            50,
            &[],
        );
        let pid = t.pid();
        t.wait_for("▸standards", 30);
        let deadline = Instant::now() + Duration::from_secs(180);
        let scanned = |s: &str| {
            s.lines().any(|l| {
                l.contains("calm")
                    && l.split("policy ")
                        .nth(1)
                        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            })
        };
        while !scanned(&t.screen()) {
            assert!(
                Instant::now() < deadline,
                "the repo scanned within 180 s:\n{}",
                t.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        t.send("n");
        t.wait_for("▸fleet", 5);
        assert_calm_live(&t);
        let peak = kb(pid, "VmHWM:") / 1024;
        eprintln!("dashboard on the hostile corpus: peak {peak} MB");
        assert!(peak < 600, "peak {peak} MB");
        t.send("q");
        assert_eq!(t.wait_exit(10), 0);
    }

    #[test]
    fn a_200_mb_list_marks_its_site_and_the_dashboard_goes_on() {
        dashboard_against(
            NodeList::Pretty { mb: 200 },
            NodeWatch::Quiet,
            "PersistentVolume: answer too large: over the 64 MB cap",
            "",
        );
    }

    #[test]
    fn a_200_mb_list_announced_marks_its_site_and_the_dashboard_goes_on() {
        dashboard_against(
            NodeList::Announced { mb: 200 },
            NodeWatch::Quiet,
            "PersistentVolume: answer too large: 200 MB > 64 MB cap",
            "",
        );
    }

    #[test]
    fn an_endless_watch_event_marks_its_site_and_the_dashboard_goes_on() {
        dashboard_against(
            node_list(node("a")),
            NodeWatch::Endless,
            "PersistentVolume: watch event too large",
            "",
        );
    }

    #[test]
    fn a_watch_streaming_garbage_marks_its_site_and_the_dashboard_goes_on() {
        dashboard_against(
            node_list(node("a")),
            NodeWatch::Garbage,
            "PersistentVolume: watch answer is not valid JSON (expected value",
            "",
        );
    }

    #[test]
    fn a_byte_a_second_watch_marks_its_site_too_slow() {
        dashboard_against(
            node_list(node("a")),
            NodeWatch::Trickle,
            "PersistentVolume: server too slow",
            "slow_answer_secs = 5",
        );
    }

    #[test]
    fn a_byte_a_second_list_marks_its_site_too_slow() {
        dashboard_against(
            NodeList::Trickle,
            NodeWatch::Quiet,
            "PersistentVolume: server too slow",
            "slow_answer_secs = 5",
        );
    }

    #[test]
    fn huge_objects_are_read_and_the_dashboard_goes_on() {
        // The site's storage line counts its volumes: it was read and decoded (failed, the
        // site would be marked; not read, "none on this site").
        for n in [many_conditions(), big_annotation()] {
            dashboard_against(node_list(n), NodeWatch::Quiet, "storage   ● 0 bound", "");
        }
    }
}
