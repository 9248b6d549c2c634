//! The demo's Clair v4: `/clair/matcher/api/v1/vulnerability_report/{digest}` and
//! `/clair/indexer/api/v1/index_report` on the emulator's port, with Clair's PSK auth (an HS256
//! JWT whose `iss` is allowed, checked by [`crate::clair::jwt::verify`]).
//!
//! Reports are the files in `fixtures/demo/clair/` (one per demo image: clean, Low and Medium,
//! Critical with a fix); MinIO's image is known but not indexed (404) until someone indexes it,
//! after which the first request answers 202 (not ready) and the next the report (clean). Answers and errors have Clair's shapes
//! (`vulnerability_report`, `index_report`, `error` schemas).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde_json::{Value, json};

/// The demo's pre-shared key (base64, as Clair's `auth.psk.key`) and issuer. A fixed public
/// demo value, not a credential.
pub const DEMO_PSK: &str = "Ymxhc3QtZGVtby1jbGFpci1rZXk=";
pub const DEMO_ISSUER: &str = "blast";

/// The demo's reports, by manifest digest.
pub const DEMO_REPORTS: [&str; 3] = [
    include_str!("../../../fixtures/demo/clair/podinfo.json"),
    include_str!("../../../fixtures/demo/clair/victoria-metrics.json"),
    include_str!("../../../fixtures/demo/clair/mosquitto.json"),
];

/// MinIO's image in the demo: deployed, never indexed.
pub const DEMO_NOT_INDEXED: &str =
    "sha256:0275ad4afb67ffee06e722e11d9632353b37d3357a6b394ad8124f78e603eaa7";

/// What the demo's Clair knows.
#[derive(Default)]
pub struct DemoClair {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// `None`: no auth (as a Clair without `auth`).
    psk: Option<(Vec<u8>, Vec<String>)>,
    reports: BTreeMap<String, Value>,
    /// Indexed but the report is not ready yet (answers 202).
    pending: BTreeSet<String>,
    /// Manifests indexed through the API, in order (for tests).
    indexed: Vec<Value>,
}

impl DemoClair {
    /// Loads the demo's reports and requires the demo's key.
    pub fn load_demo(&self) {
        for r in DEMO_REPORTS {
            self.put_report(serde_json::from_str(r).expect("the demo's Clair fixtures are JSON"));
        }
        use base64::Engine;
        let key = base64::engine::general_purpose::STANDARD
            .decode(DEMO_PSK)
            .expect("the demo key is base64");
        self.set_psk(Some((key, vec![DEMO_ISSUER.to_string()])));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_psk(&self, psk: Option<(Vec<u8>, Vec<String>)>) {
        self.lock().psk = psk;
    }

    pub fn put_report(&self, report: Value) {
        if let Some(d) = report["manifest_hash"].as_str() {
            let d = d.to_string();
            let mut i = self.lock();
            i.pending.remove(&d);
            i.reports.insert(d, report);
        }
    }

    /// The manifests indexed through the API so far.
    pub fn indexed(&self) -> Vec<Value> {
        self.lock().indexed.clone()
    }

    /// Answers one request under `/clair`: status and JSON body.
    pub fn answer(
        &self,
        method: &str,
        path: &str,
        authorization: Option<&str>,
        body: &[u8],
        now: u64,
    ) -> (u16, Value) {
        if let Err(e) = self.authorize(authorization, now) {
            return (401, error("unauthorized", &e));
        }
        const REPORT: &str = "/matcher/api/v1/vulnerability_report/";
        match (method, path) {
            ("GET", p) if p.starts_with(REPORT) => {
                let digest = &p[REPORT.len()..];
                if !crate::clair::client::valid_digest(digest) {
                    return (400, error("bad-request", "malformed digest"));
                }
                let mut i = self.lock();
                // Once indexed, the first request finds the report not ready, the next gets it.
                if i.pending.remove(digest) {
                    return (202, json!({}));
                }
                match i.reports.get(digest) {
                    Some(r) => (200, r.clone()),
                    None => (404, error("not-found", &format!("{digest} not indexed"))),
                }
            }
            ("POST", "/indexer/api/v1/index_report") => self.index(body),
            (_, p) if p.starts_with(REPORT) || p == "/indexer/api/v1/index_report" => {
                (405, error("method-not-allowed", "method not allowed"))
            }
            _ => (404, error("not-found", "no such endpoint")),
        }
    }

    fn authorize(&self, authorization: Option<&str>, now: u64) -> Result<(), String> {
        let i = self.lock();
        let Some((key, issuers)) = &i.psk else {
            return Ok(());
        };
        let token = authorization
            .and_then(|a| a.strip_prefix("Bearer "))
            .ok_or("no bearer token")?;
        let issuers: Vec<&str> = issuers.iter().map(String::as_str).collect();
        crate::clair::jwt::verify(token, key, &issuers, now).map(|_| ())
    }

    fn index(&self, body: &[u8]) -> (u16, Value) {
        let Ok(manifest) = serde_json::from_slice::<Value>(body) else {
            return (400, error("bad-request", "the body is not JSON"));
        };
        let Some(hash) = manifest["hash"]
            .as_str()
            .filter(|h| crate::clair::client::valid_digest(h))
        else {
            return (400, error("bad-request", "the manifest has no valid hash"));
        };
        let layers = manifest["layers"].as_array().cloned().unwrap_or_default();
        if layers.iter().any(|l| {
            !l["hash"]
                .as_str()
                .is_some_and(crate::clair::client::valid_digest)
                || !l["uri"].is_string()
        }) {
            return (400, error("bad-request", "a layer has no hash or uri"));
        }
        let hash = hash.to_string();
        let mut i = self.lock();
        i.indexed.push(manifest.clone());
        // Indexing succeeds; the report is clean (the demo's MinIO is a static binary with no
        // packages Clair knows).
        if !i.reports.contains_key(&hash) {
            i.pending.insert(hash.clone());
            i.reports.insert(
                hash.clone(),
                json!({
                    "manifest_hash": hash,
                    "packages": {}, "distributions": {}, "environments": {},
                    "vulnerabilities": {}, "package_vulnerabilities": {}
                }),
            );
        }
        (
            201,
            json!({
                "manifest_hash": hash,
                "state": "IndexFinished",
                "packages": {}, "distributions": {}, "repository": {}, "environments": {},
                "success": true,
                "err": "",
            }),
        )
    }
}

fn error(code: &str, message: &str) -> Value {
    json!({"code": code, "message": message})
}
