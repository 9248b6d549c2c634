//! The Clair v4 HTTP client: vulnerability reports by manifest digest, and indexing a manifest
//! (an explicit action: it asks Clair to fetch the layers, and writes nothing to git or a
//! cluster).
//!
//! Paths as Clair's `openapi.yaml`: `GET {url}/matcher/api/v1/vulnerability_report/{digest}`
//! (200 or 201 a report, 202 not ready, 404 not indexed) and `POST
//! {url}/indexer/api/v1/index_report` with a `Manifest`. With a PSK configured every request
//! carries `Authorization: Bearer <HS256 JWT>`.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};

use super::{Endpoint, ReportState, Summary, VulnSource, VulnerabilityReport, jwt::Psk};

/// The most a single answer may hold (a large image's report is a few MB).
pub const MAX_BODY: usize = 64 * 1024 * 1024;
/// The longest a request may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// `Manifest` as Clair's indexer takes it (`manifest.schema.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub hash: String,
    pub layers: Vec<Layer>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    pub hash: String,
    pub uri: String,
    /// Headers Clair sends when it fetches the layer (a registry token, if one was needed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, Vec<String>>,
}

// Layer headers may hold a registry token: print their names only.
impl std::fmt::Debug for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layer")
            .field("hash", &self.hash)
            .field("uri", &self.uri)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// What the indexer answered (the `index_report` fields the console reads).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IndexReport {
    pub manifest_hash: String,
    pub state: String,
    #[serde(default)]
    pub success: bool,
    #[serde(default)]
    pub err: String,
}

/// An answer to a report request.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    Report(Box<VulnerabilityReport>),
    NotReady,
    NotIndexed,
}

/// `sha256:` and 64 lower-case hex digits (or `sha512:` and 128): what Clair's digest schema
/// allows; anything else never reaches a URL.
pub fn valid_digest(d: &str) -> bool {
    let hex = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    match d.split_once(':') {
        Some(("sha256", h)) => hex(h, 64),
        Some(("sha512", h)) => hex(h, 128),
        _ => false,
    }
}

/// A small HTTP(S) client with a timeout and a cap on what an answer may hold; shared by the
/// Clair client and the registry resolver.
#[derive(Clone)]
pub struct Http {
    inner: HyperClient<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

/// One answer, read whole (up to [`MAX_BODY`]).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Http {
    pub fn new() -> Result<Http, String> {
        let provider = rustls::crypto::ring::default_provider();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| format!("TLS setup: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Http {
            inner: HyperClient::builder(TokioExecutor::new()).build(https),
        })
    }

    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(http::HeaderName, String)],
        body: Option<Vec<u8>>,
    ) -> Result<Answer, String> {
        let mut req = Request::builder().method(method).uri(url);
        req = req.header(USER_AGENT, concat!("blast/", env!("CARGO_PKG_VERSION")));
        for (k, v) in headers {
            let v = HeaderValue::from_str(v).map_err(|_| format!("bad header value for {k}"))?;
            req = req.header(k, v);
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| format!("{url}: {e}"))?;
        let work = async {
            let res = self
                .inner
                .request(req)
                .await
                .map_err(|e| format!("{url}: {}", error_chain(&e)))?;
            let (parts, body) = res.into_parts();
            let body = Limited::new(body, MAX_BODY)
                .collect()
                .await
                .map_err(|e| format!("{url}: reading the answer: {e}"))?
                .to_bytes();
            Ok(Answer {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(TIMEOUT, work)
            .await
            .map_err(|_| format!("{url}: no answer in {} s", TIMEOUT.as_secs()))?
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// A Clair v4 client for one endpoint.
#[derive(Clone)]
pub struct Client {
    base: String,
    auth: Option<Psk>,
    http: Http,
    /// Unix seconds now (tokens and report ages); a parameter so tests can fix it.
    now: fn() -> u64,
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Client {
    pub fn new(endpoint: &Endpoint) -> Result<Client, String> {
        Ok(Client {
            base: endpoint.url.trim_end_matches('/').to_string(),
            auth: endpoint.auth.clone(),
            http: Http::new()?,
            now: unix_now,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn auth_headers(&self) -> Vec<(http::HeaderName, String)> {
        let mut h = vec![(ACCEPT, "application/json".to_string())];
        if let Some(psk) = &self.auth {
            h.push((AUTHORIZATION, format!("Bearer {}", psk.token((self.now)()))));
        }
        h
    }

    /// The vulnerability report of a manifest.
    pub async fn fetch_report(&self, digest: &str) -> Result<Fetched, String> {
        if !valid_digest(digest) {
            return Err(format!("{digest:?} is not a manifest digest"));
        }
        let url = format!("{}/matcher/api/v1/vulnerability_report/{digest}", self.base);
        let a = self
            .http
            .send(Method::GET, &url, &self.auth_headers(), None)
            .await?;
        match a.status {
            StatusCode::OK | StatusCode::CREATED => {
                let report: VulnerabilityReport = serde_json::from_slice(&a.body)
                    .map_err(|e| format!("{url}: not a vulnerability report: {e}"))?;
                if report.manifest_hash != digest {
                    return Err(format!(
                        "{url}: the report is of {}, not of the digest asked",
                        report.manifest_hash
                    ));
                }
                Ok(Fetched::Report(Box::new(report)))
            }
            StatusCode::ACCEPTED => Ok(Fetched::NotReady),
            StatusCode::NOT_FOUND => Ok(Fetched::NotIndexed),
            s => Err(format!("{url}: {s}{}", clair_message(&a.body))),
        }
    }

    /// Asks Clair to index a manifest (explicit action only).
    pub async fn index(&self, manifest: &Manifest) -> Result<IndexReport, String> {
        if !valid_digest(&manifest.hash) {
            return Err(format!("{:?} is not a manifest digest", manifest.hash));
        }
        let url = format!("{}/indexer/api/v1/index_report", self.base);
        let body = serde_json::to_vec(manifest).map_err(|e| e.to_string())?;
        let mut headers = self.auth_headers();
        headers.push((CONTENT_TYPE, "application/json".into()));
        let a = self
            .http
            .send(Method::POST, &url, &headers, Some(body))
            .await?;
        match a.status {
            StatusCode::OK | StatusCode::CREATED => {
                let r: IndexReport = serde_json::from_slice(&a.body)
                    .map_err(|e| format!("{url}: not an index report: {e}"))?;
                if !r.success && !r.err.is_empty() {
                    return Err(format!("{url}: the indexer failed: {}", r.err));
                }
                Ok(r)
            }
            s => Err(format!("{url}: {s}{}", clair_message(&a.body))),
        }
    }
}

/// `: message` from Clair's error body (`error.schema.json`), if it has one.
fn clair_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct E {
        message: String,
    }
    match serde_json::from_slice::<E>(body) {
        Ok(e) => format!(": {}", e.message.chars().take(300).collect::<String>()),
        Err(_) => String::new(),
    }
}

impl VulnSource for Client {
    fn name(&self) -> &str {
        "clair"
    }

    async fn report(&self, digest: &str) -> ReportState {
        match self.fetch_report(digest).await {
            Ok(Fetched::Report(r)) => ReportState::Ready {
                summary: Summary::of_report(&r),
                fetched_at: (self.now)(),
            },
            Ok(Fetched::NotReady) => ReportState::NotReady,
            Ok(Fetched::NotIndexed) => ReportState::NotIndexed,
            Err(e) => ReportState::Failed(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_schema_digests_are_valid() {
        assert!(valid_digest(&format!("sha256:{}", "0a".repeat(32))));
        assert!(!valid_digest(&format!("sha256:{}", "0A".repeat(32))));
        assert!(!valid_digest("sha256:../../x"));
        assert!(!valid_digest("latest"));
        assert!(valid_digest(&format!("sha512:{}", "f".repeat(128))));
    }

    #[test]
    fn clair_errors_are_quoted_when_they_parse() {
        assert_eq!(clair_message(br#"{"code":"x","message":"boom"}"#), ": boom");
        assert_eq!(clair_message(b"<html>"), "");
    }
}
