//! From an image reference to the `Manifest` Clair indexes, as `clairctl manifest` does: fetch
//! the image manifest from the registry (a multi-platform index is narrowed to one platform),
//! and name each layer by its blob URL on that registry, with the `Authorization` header a
//! registry token needs. Anonymous pulls only (Docker Hub's and the OCI distribution spec's
//! bearer-token challenge); credentials for private registries are not read.
//!
//! Unlike clairctl, layer URLs are not followed through redirects here: Clair follows them
//! when it fetches the blobs.

use std::collections::BTreeMap;

use http::Method;
use http::header::{ACCEPT, AUTHORIZATION, WWW_AUTHENTICATE};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::client::{Http, Layer, Manifest, valid_digest};

/// An image reference split as registries read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// The host to talk to (`registry-1.docker.io` for Docker Hub).
    pub registry: String,
    /// `library/nginx`, `stefanprodan/podinfo`.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses `[registry/]repo[:tag][@digest]` with Docker's defaults (`docker.io`,
    /// `library/`, `latest`).
    pub fn parse(s: &str) -> Result<ImageRef, String> {
        let s = s.trim();
        if s.is_empty() || s.contains(char::is_whitespace) {
            return Err(format!("{s:?} is not an image reference"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) if valid_digest(d) => (r, Some(d.to_string())),
            Some(_) => return Err(format!("{s:?}: the digest is not sha256:<64 hex>")),
            None => (s, None),
        };
        let (first, remainder) = match rest.split_once('/') {
            Some((f, r)) if f.contains('.') || f.contains(':') || f == "localhost" => (Some(f), r),
            _ => (None, rest),
        };
        // A tag is after the last ':' of the path part (a registry port was split off above).
        let (repo, tag) = match remainder.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, Some(t.to_string())),
            _ => (remainder, None),
        };
        if repo.is_empty()
            || !repo
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-/".contains(&b))
        {
            return Err(format!("{s:?}: {repo:?} is not a repository name"));
        }
        let (registry, repository) = match first {
            None | Some("docker.io") | Some("index.docker.io") => (
                "registry-1.docker.io".to_string(),
                if repo.contains('/') {
                    repo.to_string()
                } else {
                    format!("library/{repo}")
                },
            ),
            Some(host) => (host.to_string(), repo.to_string()),
        };
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_string())
        } else {
            tag
        };
        Ok(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    fn reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }
}

const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.v2+json";

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    manifests: Vec<IndexEntry>,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct IndexEntry {
    digest: String,
    #[serde(default)]
    platform: Option<Platform>,
}

#[derive(Deserialize)]
struct Platform {
    architecture: String,
    os: String,
}

#[derive(Deserialize)]
struct Descriptor {
    digest: String,
}

/// Resolves an image to the manifest Clair indexes. `scheme` is `https` for real registries
/// (`http` for a local one, and the demo's). `platform` is `os/arch`, e.g. `linux/amd64`.
pub async fn resolve(
    http: &Http,
    image: &ImageRef,
    scheme: &str,
    platform: &str,
) -> Result<Manifest, String> {
    let base = format!("{scheme}://{}/v2/{}", image.registry, image.repository);
    let mut token = None;
    let (bytes, doc) = fetch_manifest(http, &base, image.reference(), &mut token).await?;
    let (bytes, doc) = if doc.manifests.is_empty() {
        (bytes, doc)
    } else {
        let (os, arch) = platform.split_once('/').unwrap_or(("linux", platform));
        let entry = doc
            .manifests
            .iter()
            .find(|m| {
                m.platform
                    .as_ref()
                    .is_some_and(|p| p.os == os && p.architecture == arch)
            })
            .ok_or_else(|| format!("{base}: the image index has no {platform} manifest"))?;
        if !valid_digest(&entry.digest) {
            return Err(format!("{base}: the index names a bad digest"));
        }
        let digest = entry.digest.clone();
        fetch_manifest(http, &base, &digest, &mut token).await?
    };
    let hash = format!("sha256:{:x}", Sha256::digest(&bytes));
    let mut headers = BTreeMap::new();
    if let Some(t) = &token {
        headers.insert("Authorization".to_string(), vec![format!("Bearer {t}")]);
    }
    let mut layers = Vec::new();
    for l in doc.layers {
        if !valid_digest(&l.digest) {
            return Err(format!("{base}: a layer has a bad digest"));
        }
        layers.push(Layer {
            uri: format!("{base}/blobs/{}", l.digest),
            hash: l.digest,
            headers: headers.clone(),
        });
    }
    if layers.is_empty() {
        return Err(format!("{base}: the manifest has no layers"));
    }
    Ok(Manifest { hash, layers })
}

async fn fetch_manifest(
    http: &Http,
    base: &str,
    reference: &str,
    token: &mut Option<String>,
) -> Result<(bytes::Bytes, Doc), String> {
    let url = format!("{base}/manifests/{reference}");
    for _attempt in 0..2 {
        let mut headers = vec![(ACCEPT, MANIFEST_TYPES.to_string())];
        if let Some(t) = token.as_ref() {
            headers.push((AUTHORIZATION, format!("Bearer {t}")));
        }
        let a = http.send(Method::GET, &url, &headers, None).await?;
        if a.status == http::StatusCode::UNAUTHORIZED && token.is_none() {
            let challenge = a
                .headers
                .get(WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| format!("{url}: 401 without a challenge"))?;
            *token = Some(bearer_token(http, challenge).await?);
            continue;
        }
        if !a.status.is_success() {
            return Err(format!("{url}: {}", a.status));
        }
        let doc: Doc = serde_json::from_slice(&a.body)
            .map_err(|e| format!("{url}: not an image manifest: {e}"))?;
        if let Some(want) = reference.strip_prefix("sha256:") {
            let got = format!("{:x}", Sha256::digest(&a.body));
            if got != want {
                return Err(format!("{url}: the manifest does not match its digest"));
            }
        }
        return Ok((a.body, doc));
    }
    Err(format!("{url}: still unauthorized with an anonymous token"))
}

/// `Bearer realm="…",service="…",scope="…"` → an anonymous token from the realm.
pub fn parse_challenge(challenge: &str) -> Option<BTreeMap<String, String>> {
    let rest = challenge.trim().strip_prefix("Bearer ")?;
    let mut out = BTreeMap::new();
    let mut s = rest.trim();
    while !s.is_empty() {
        let (k, after) = s.split_once('=')?;
        let after = after.strip_prefix('"')?;
        let (v, tail) = after.split_once('"')?;
        out.insert(k.trim().to_string(), v.to_string());
        s = tail.trim_start_matches(',').trim();
    }
    out.contains_key("realm").then_some(out)
}

async fn bearer_token(http: &Http, challenge: &str) -> Result<String, String> {
    let p = parse_challenge(challenge)
        .ok_or_else(|| format!("unreadable registry challenge {challenge:?}"))?;
    let mut url = p["realm"].clone();
    let mut sep = if url.contains('?') { '&' } else { '?' };
    for key in ["service", "scope"] {
        if let Some(v) = p.get(key) {
            url.push(sep);
            url.push_str(key);
            url.push('=');
            url.push_str(&v.replace(' ', "%20"));
            sep = '&';
        }
    }
    #[derive(Deserialize)]
    struct T {
        token: Option<String>,
        access_token: Option<String>,
    }
    let a = http.send(Method::GET, &url, &[], None).await?;
    if !a.status.is_success() {
        return Err(format!("{}: {}", p["realm"], a.status));
    }
    let t: T = serde_json::from_slice(&a.body)
        .map_err(|_| format!("{}: not a token answer", p["realm"]))?;
    t.token
        .or(t.access_token)
        .ok_or_else(|| format!("{}: no token in the answer", p["realm"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_read_with_dockers_defaults() {
        let r = ImageRef::parse("nginx").unwrap();
        assert_eq!(r.registry, "registry-1.docker.io");
        assert_eq!(r.repository, "library/nginx");
        assert_eq!(r.tag.as_deref(), Some("latest"));
        let d = format!("sha256:{}", "ab".repeat(32));
        let r = ImageRef::parse(&format!("ghcr.io/stefanprodan/podinfo:6.9.2@{d}")).unwrap();
        assert_eq!(r.registry, "ghcr.io");
        assert_eq!(r.repository, "stefanprodan/podinfo");
        assert_eq!(r.tag.as_deref(), Some("6.9.2"));
        assert_eq!(r.reference(), d);
        let r = ImageRef::parse("localhost:5000/team/app:1").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("localhost:5000", "team/app")
        );
        assert!(ImageRef::parse("Bad/Name").is_err());
        assert!(ImageRef::parse("x@sha256:short").is_err());
    }

    #[test]
    fn bearer_challenges_parse() {
        let p = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull""#,
        )
        .unwrap();
        assert_eq!(p["realm"], "https://auth.docker.io/token");
        assert_eq!(p["scope"], "repository:library/nginx:pull");
        assert!(parse_challenge("Basic realm=\"x\"").is_none());
    }
}
