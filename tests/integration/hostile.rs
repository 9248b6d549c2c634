//! Issue 14's hostile corpus through the real binary: `blast check --schemas` must report each
//! expected error at its line and nothing else, and nothing at all on the clean twin.

use std::process::Command;

#[path = "../hostile/corpus.rs"]
mod corpus;

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
