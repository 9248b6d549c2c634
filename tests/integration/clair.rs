//! The Clair client over real HTTP against the demo's Clair (the emulator's `/clair/`), with
//! real HS256 tokens checked by the server side; every fixture, every request body and every
//! answer validated against Clair's own JSON Schemas and paths checked against its
//! `openapi.yaml` (`../shared/reference/clair/`, copied unchanged from quay/clair).

use std::net::SocketAddr;
use std::path::PathBuf;

use blast::clair::client::{Client, Fetched, Http, Layer, Manifest};
use blast::clair::jwt::Psk;
use blast::clair::{ClairConfig, ReportState, Severity, VulnSource};
use blast::demo::emulator::Emulator;
use blast::demo::emulator::clair::{DEMO_ISSUER, DEMO_NOT_INDEXED, DEMO_PSK, DEMO_REPORTS};
use http::Method;
use serde_json::Value;

const PODINFO: &str = "sha256:63f811565dec39cf1b3f77fa84d849ee9ae8457b8f37e9be8c3d20c7b1385145";
const MOSQUITTO: &str = "sha256:377a93d5baccbf2d6766b59b63f46f24f4c1f0346151f575adb4762e5061a4d2";
const VM: &str = "sha256:6f63aeee00676e3660dc72e507f5eaf4cad7c8e49e9bb75b4f7ea6d3c79f7806";

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/clair")
}

/// Clair's schemas, each under its `$id`.
struct Schemas {
    registry: jsonschema::Registry<'static>,
}

impl Schemas {
    fn load() -> Schemas {
        let dir = reference_dir();
        let mut builder = jsonschema::Registry::new();
        let mut n = 0;
        for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.unwrap().path();
            if !p.to_string_lossy().ends_with(".schema.json") {
                continue;
            }
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            let id = v["$id"].as_str().unwrap().to_string();
            builder = builder.add(id, v).unwrap();
            n += 1;
        }
        assert!(
            n >= 20,
            "Clair's schemas are missing from {}",
            dir.display()
        );
        Schemas {
            registry: builder.prepare().unwrap(),
        }
    }

    /// Validates `instance` against `NAME.schema.json`; panics naming every error.
    fn check(&self, name: &str, instance: &Value) {
        let schema = serde_json::json!({
            "$ref": format!("https://clairproject.org/api/http/v1/{name}.schema.json")
        });
        let v = jsonschema::options()
            .with_registry(&self.registry)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let errors: Vec<String> = v
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "not a valid {name}: {errors:#?}");
    }

    fn rejects(&self, name: &str, instance: &Value) -> bool {
        let schema = serde_json::json!({
            "$ref": format!("https://clairproject.org/api/http/v1/{name}.schema.json")
        });
        let v = jsonschema::options()
            .with_registry(&self.registry)
            .build(&schema)
            .unwrap();
        !v.is_valid(instance)
    }
}

#[test]
fn demo_fixtures_are_valid_vulnerability_reports() {
    let s = Schemas::load();
    for r in DEMO_REPORTS {
        s.check("vulnerability_report", &serde_json::from_str(r).unwrap());
    }
    // The validator is not vacuous: a report without its required maps is refused.
    let mut broken: Value = serde_json::from_str(DEMO_REPORTS[2]).unwrap();
    broken
        .as_object_mut()
        .unwrap()
        .remove("package_vulnerabilities");
    assert!(s.rejects("vulnerability_report", &broken));
    let mut bad_sev: Value = serde_json::from_str(DEMO_REPORTS[2]).unwrap();
    bad_sev["vulnerabilities"]["201"]["normalized_severity"] = "Severe".into();
    assert!(s.rejects("vulnerability_report", &bad_sev));
}

#[test]
fn the_paths_the_client_uses_are_clairs() {
    let text = std::fs::read_to_string(reference_dir().join("openapi.yaml")).unwrap();
    let api: serde_json::Value = blast::repo::yaml_serde::from_str(&text).unwrap();
    let paths = &api["paths"];
    assert!(paths["/matcher/api/v1/vulnerability_report/{digest}"]["get"].is_object());
    let post = &paths["/indexer/api/v1/index_report"]["post"];
    assert!(post["requestBody"]["content"]["application/json"].is_object());
    assert_eq!(
        post["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        serde_json::Value::from("#/components/schemas/manifest")
    );
    let psk = &api["components"]["securitySchemes"]["PSK"];
    assert_eq!(psk["scheme"], serde_json::Value::from("bearer"));
    assert!(
        psk["bearerFormat"].as_str().unwrap().contains("JWT"),
        "{psk:?}"
    );
}

async fn demo_clair() -> (Emulator, blast::demo::emulator::ServerHandle, String) {
    let emu = Emulator::new();
    emu.clair().load_demo();
    let server = emu
        .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("{}/clair", server.base_url());
    (emu, server, url)
}

fn demo_client(url: &str, psk: Option<&str>) -> Client {
    let cfg = ClairConfig {
        url: Some(url.to_string()),
        psk: psk.map(str::to_string),
        issuer: Some(DEMO_ISSUER.into()),
        ..Default::default()
    };
    Client::new(&cfg.endpoint(None).unwrap().unwrap()).unwrap()
}

/// A bearer token signed now with the demo's key.
fn demo_token() -> String {
    Psk::from_base64(DEMO_PSK, DEMO_ISSUER)
        .unwrap()
        .token(blast::clair::client::unix_now())
}

/// `digest`'s vulnerability report as the demo's Clair serves it (asked with a demo token):
/// 200, and valid against Clair's schema.
async fn served_report_is_valid(s: &Schemas, url: &str, digest: &str) {
    let a = Http::new()
        .unwrap()
        .send(
            Method::GET,
            &format!("{url}/matcher/api/v1/vulnerability_report/{digest}"),
            &[(
                http::header::AUTHORIZATION,
                format!("Bearer {}", demo_token()),
            )],
            None,
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200);
    s.check(
        "vulnerability_report",
        &serde_json::from_slice(&a.body).unwrap(),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_over_http_with_a_real_token() {
    let s = Schemas::load();
    let (_emu, _server, url) = demo_clair().await;
    let c = demo_client(&url, Some(DEMO_PSK));

    // Every answer as Clair's schema says.
    for d in [PODINFO, MOSQUITTO, VM] {
        served_report_is_valid(&s, &url, d).await;
    }

    let ReportState::Ready { summary, .. } = c.report(PODINFO).await else {
        panic!("podinfo has a report");
    };
    assert_eq!(summary.total(), 0, "podinfo is clean");

    let ReportState::Ready { summary, .. } = c.report(MOSQUITTO).await else {
        panic!("mosquitto has a report");
    };
    assert_eq!(summary.count(Severity::Critical), 2);
    assert_eq!(summary.count(Severity::High), 1);
    assert_eq!(summary.fixable, 2);
    assert_eq!(summary.worst[0].severity, Severity::Critical);
    assert_eq!(summary.worst[0].fixed_in, "3.5.4-r0");
    assert!(summary.at_or_above(Severity::Critical));

    let ReportState::Ready { summary, .. } = c.report(VM).await else {
        panic!("victoria-metrics has a report");
    };
    assert_eq!(summary.count(Severity::Low), 1, "Negligible folds into Low");
    assert_eq!(summary.count(Severity::Medium), 1);
    assert!(!summary.at_or_above(Severity::High));

    assert_eq!(c.report(DEMO_NOT_INDEXED).await, ReportState::NotIndexed);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_checks_the_token() {
    let (_emu, _server, url) = demo_clair().await;
    // No key: refused.
    let e = demo_client(&url, None)
        .fetch_report(PODINFO)
        .await
        .unwrap_err();
    assert!(e.contains("401") && e.contains("no bearer token"), "{e}");
    // Another key: the signature fails.
    let wrong = base64_of(b"not the demo key");
    let e = demo_client(&url, Some(&wrong))
        .fetch_report(PODINFO)
        .await
        .unwrap_err();
    assert!(e.contains("bad signature"), "{e}");
    // The demo key under an issuer Clair does not allow.
    let cfg = ClairConfig {
        url: Some(url.clone()),
        psk: Some(DEMO_PSK.into()),
        issuer: Some("clairctl".into()),
        ..Default::default()
    };
    let c = Client::new(&cfg.endpoint(None).unwrap().unwrap()).unwrap();
    let e = c.fetch_report(PODINFO).await.unwrap_err();
    assert!(e.contains("not allowed"), "{e}");
}

fn base64_of(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[tokio::test(flavor = "multi_thread")]
async fn indexing_is_explicit_and_then_the_report_arrives() {
    let s = Schemas::load();
    let (emu, _server, url) = demo_clair().await;
    let c = demo_client(&url, Some(DEMO_PSK));
    assert_eq!(
        c.fetch_report(DEMO_NOT_INDEXED).await,
        Ok(Fetched::NotIndexed)
    );
    assert!(
        emu.clair().indexed().is_empty(),
        "nothing indexes by itself"
    );
    let layer = format!("sha256:{}", "1".repeat(64));
    let mut headers = std::collections::BTreeMap::new();
    headers.insert(
        "Authorization".to_string(),
        vec!["Bearer registry-token".to_string()],
    );
    let manifest = Manifest {
        hash: DEMO_NOT_INDEXED.into(),
        layers: vec![Layer {
            hash: layer.clone(),
            uri: format!("https://quay.io/v2/minio/minio/blobs/{layer}"),
            headers,
        }],
    };
    // The request body is a valid Clair manifest.
    s.check("manifest", &serde_json::to_value(&manifest).unwrap());
    let r = c.index(&manifest).await.unwrap();
    assert_eq!(r.manifest_hash, DEMO_NOT_INDEXED);
    assert!(r.success);
    let sent = emu.clair().indexed();
    assert_eq!(sent.len(), 1);
    s.check("manifest", &sent[0]);
    // First not ready (202), then the report.
    assert_eq!(
        c.fetch_report(DEMO_NOT_INDEXED).await,
        Ok(Fetched::NotReady)
    );
    let Ok(Fetched::Report(report)) = c.fetch_report(DEMO_NOT_INDEXED).await else {
        panic!("the report after indexing");
    };
    assert!(report.vulnerabilities.is_empty());
    // The report as served is a valid vulnerability_report.
    served_report_is_valid(&s, &url, DEMO_NOT_INDEXED).await;
    let token = demo_token();
    // The index answer itself is a valid index_report.
    let a = Http::new()
        .unwrap()
        .send(
            Method::POST,
            &format!("{url}/indexer/api/v1/index_report"),
            &[
                (http::header::AUTHORIZATION, format!("Bearer {token}")),
                (http::header::CONTENT_TYPE, "application/json".into()),
            ],
            Some(serde_json::to_vec(&manifest).unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 201);
    s.check("index_report", &serde_json::from_slice(&a.body).unwrap());
    // A bad manifest is refused with Clair's error shape.
    let a = Http::new()
        .unwrap()
        .send(
            Method::POST,
            &format!("{url}/indexer/api/v1/index_report"),
            &[(http::header::AUTHORIZATION, format!("Bearer {token}"))],
            Some(br#"{"hash":"latest"}"#.to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 400);
    s.check("error", &serde_json::from_slice(&a.body).unwrap());
}
