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
        assert!(!error.is_empty());
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
