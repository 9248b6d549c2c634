//! The images the datacenter runs: what the repo deploys (every `image:` of a manifest, and
//! Helm values' `image: {registry, repository, tag, digest}` maps) and what live pods run
//! (their `imageID` digests), deduplicated by digest (by reference where no digest is known).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value as Json;

use crate::repo::index::{is_yaml, walk};
use crate::repo::yaml::{self, Node, Value};

use super::client::valid_digest;
use super::registry::ImageRef;
use super::{ReportState, Severity};

/// Where an image is used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Use {
    /// The site (`edge-berlin`), from the repo path or the live context; empty when unknown.
    pub site: String,
    pub namespace: String,
    /// `Kind/name` of the workload (or the values file's chart folder).
    pub workload: String,
    /// `path:line` in the repo, or `live`.
    pub source: String,
}

/// One image reference seen somewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub reference: String,
    /// The manifest digest when the reference pins one, or the live `imageID`'s.
    pub digest: Option<String>,
    pub used: Use,
}

/// One image, after deduplication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The references it is known by (several tags may share a digest).
    pub references: Vec<String>,
    pub digest: Option<String>,
    pub uses: Vec<Use>,
    pub report: ReportState,
}

impl Image {
    pub fn name(&self) -> &str {
        self.references.first().map(String::as_str).unwrap_or("?")
    }

    /// Worst severity first, then unscanned, then by name: the order of the view.
    pub fn sort_key(&self) -> (u8, &str) {
        let rank = match &self.report {
            ReportState::Ready { summary, .. } => match summary.worst_severity() {
                Some(s) => 10 - s as u8,
                None => 20,
            },
            ReportState::Failed(_) => 15,
            ReportState::NotIndexed | ReportState::NotReady | ReportState::NoDigest => 16,
        };
        (rank, self.name())
    }

    pub fn at_or_above(&self, s: Severity) -> bool {
        matches!(&self.report, ReportState::Ready { summary, .. } if summary.at_or_above(s))
    }
}

/// The digest a reference pins (`…@sha256:…`).
pub fn pinned_digest(reference: &str) -> Option<String> {
    let (_, d) = reference.rsplit_once('@')?;
    valid_digest(d).then(|| d.to_string())
}

/// A live `imageID`: `docker-pullable://repo@sha256:…`, `repo@sha256:…` or a bare digest.
pub fn image_id_digest(image_id: &str) -> Option<String> {
    let s = image_id.rsplit("://").next().unwrap_or(image_id);
    match s.rsplit_once('@') {
        Some((_, d)) if valid_digest(d) => Some(d.to_string()),
        _ if valid_digest(s) => Some(s.to_string()),
        _ => None,
    }
}

fn looks_like_image(s: &str) -> bool {
    !s.is_empty() && !s.contains("{{") && ImageRef::parse(s).is_ok()
}

/// Every image the repo at `root` deploys. Unreadable or broken files are skipped (`blast
/// check` reports them).
pub fn repo_images(root: &Path) -> Vec<Seen> {
    let mut out = Vec::new();
    let Ok(files) = walk(root) else {
        return out;
    };
    for (abs, rel) in files {
        if !is_yaml(&abs) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&abs) else {
            continue;
        };
        if meta.len() > yaml::max_file_bytes() {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&abs) else {
            continue;
        };
        if yaml::guard(&text).is_err() {
            continue;
        }
        yaml::parse_each(&text, |doc| {
            if let Some(root) = &doc.root {
                images_of_doc(root, &rel, &mut out);
            }
        });
    }
    out
}

fn meta_str<'a>(root: &'a Node, path: &[&str]) -> &'a str {
    let mut n = root;
    for k in path {
        match n.get(k) {
            Some(c) => n = c,
            None => return "",
        }
    }
    n.as_str().unwrap_or("")
}

/// The images of one document, iteratively (no depth of nesting can overflow the stack).
pub fn images_of_doc(root: &Node, path: &str, out: &mut Vec<Seen>) {
    let kind = meta_str(root, &["kind"]);
    let name = meta_str(root, &["metadata", "name"]);
    let namespace = meta_str(root, &["metadata", "namespace"]).to_string();
    let workload = if kind.is_empty() {
        // Helm values: name the chart folder.
        path.rsplit_once('/')
            .map(|(d, _)| d)
            .unwrap_or("")
            .to_string()
    } else {
        format!("{kind}/{name}")
    };
    let site = crate::standards::site_of_path(path).to_string();
    let first = out.len();
    let mut lines = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &n.value {
            Value::Scalar(_) => {}
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(entries) => {
                for e in entries {
                    if e.key == "image"
                        && let Some(reference) = image_value(&e.value)
                    {
                        lines.push(e.key_pos.line);
                        out.push(Seen {
                            digest: pinned_digest(&reference),
                            reference,
                            used: Use {
                                site: site.clone(),
                                namespace: namespace.clone(),
                                workload: workload.clone(),
                                source: format!("{path}:{}", e.key_pos.line),
                            },
                        });
                        continue;
                    }
                    stack.push(&e.value);
                }
            }
        }
    }
    // In the order they are written.
    let mut found: Vec<(usize, Seen)> = lines.into_iter().zip(out.drain(first..)).collect();
    found.sort_by_key(|(line, _)| *line);
    out.extend(found.into_iter().map(|(_, s)| s));
}

/// `image: ref`, or Helm's `image: {registry, repository, tag, digest}`.
fn image_value(n: &Node) -> Option<String> {
    if let Some(s) = n.as_str() {
        return looks_like_image(s).then(|| s.to_string());
    }
    let repo = n.get("repository")?.as_str()?;
    let mut s = match n.get("registry").and_then(Node::as_str) {
        Some(r) if !r.is_empty() => format!("{r}/{repo}"),
        _ => repo.to_string(),
    };
    if let Some(t) = n
        .get("tag")
        .and_then(Node::as_text)
        .filter(|t| !t.is_empty())
    {
        s.push(':');
        s.push_str(t);
    }
    if let Some(d) = n
        .get("digest")
        .and_then(Node::as_str)
        .filter(|d| valid_digest(d))
    {
        s.push('@');
        s.push_str(d);
    }
    looks_like_image(&s).then_some(s)
}

/// The images of live pods (JSON `Pod` objects) of one site: each container's `imageID`.
pub fn live_images(pods: &[Json], site: &str) -> Vec<Seen> {
    let mut out = Vec::new();
    for pod in pods {
        let namespace = pod["metadata"]["namespace"].as_str().unwrap_or("");
        let owner = pod["metadata"]["ownerReferences"]
            .as_array()
            .and_then(|o| o.first())
            .map(|o| {
                format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap_or("?"),
                    o["name"].as_str().unwrap_or("?")
                )
            })
            .unwrap_or_else(|| format!("Pod/{}", pod["metadata"]["name"].as_str().unwrap_or("?")));
        for key in ["initContainerStatuses", "containerStatuses"] {
            for c in pod["status"][key].as_array().into_iter().flatten() {
                let reference = c["image"].as_str().unwrap_or("").to_string();
                let digest = c["imageID"].as_str().and_then(image_id_digest);
                if reference.is_empty() && digest.is_none() {
                    continue;
                }
                out.push(Seen {
                    reference,
                    digest,
                    used: Use {
                        site: site.to_string(),
                        namespace: namespace.to_string(),
                        workload: owner.clone(),
                        source: "live".into(),
                    },
                });
            }
        }
    }
    out
}

/// The images of one live Pod (the console's model) of a site: each container's `imageID`
/// digest, its image reference, and the Pod's owner as the workload.
pub fn pod_images(pod: &crate::model::Pod, site: &str) -> Vec<Seen> {
    let workload = match &pod.meta.owner {
        Some(o) => format!("{}/{}", o.kind, o.name),
        None => format!("Pod/{}", pod.meta.name),
    };
    let namespace = pod.meta.namespace.clone().unwrap_or_default();
    let mut out: Vec<Seen> = Vec::new();
    for c in &pod.containers {
        let digest = image_id_digest(&c.image_id);
        if c.image.is_empty() && digest.is_none() {
            continue;
        }
        let s = Seen {
            reference: c.image.clone(),
            digest,
            used: Use {
                site: site.to_string(),
                namespace: namespace.clone(),
                workload: workload.clone(),
                source: "live".into(),
            },
        };
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// One site's images, rolled up: what the Images view, the Standards view and `blast status`
/// count. An image used on several sites counts on each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SiteImages {
    pub site: String,
    pub images: u32,
    /// Images with at least one vulnerability of that severity, by [`Severity`] name order
    /// (Critical, High, Medium, Low, Unknown).
    pub with: [u32; 5],
    /// Images with a Critical vulnerability that has a fix.
    pub critical_fixable: u32,
    /// Not indexed, not ready or without a digest: nothing known yet.
    pub unscanned: u32,
    /// The source could not be asked.
    pub failed: u32,
}

impl SiteImages {
    pub fn with(&self, s: Severity) -> u32 {
        let i = Severity::ALL.iter().position(|x| *x == s).unwrap_or(0);
        self.with[i]
    }
}

/// Per site (sorted by name; `""` for images whose site is unknown), the roll-up of `list`.
pub fn by_site(list: &[Image]) -> Vec<SiteImages> {
    let mut sites: BTreeMap<String, SiteImages> = BTreeMap::new();
    for img in list {
        let mut at: Vec<&str> = img.uses.iter().map(|u| u.site.as_str()).collect();
        at.sort();
        at.dedup();
        for site in at {
            let s = sites.entry(site.to_string()).or_insert_with(|| SiteImages {
                site: site.to_string(),
                ..Default::default()
            });
            s.images += 1;
            match &img.report {
                ReportState::Ready { summary, .. } => {
                    for (i, sev) in Severity::ALL.iter().enumerate() {
                        if summary.count(*sev) > 0 {
                            s.with[i] += 1;
                        }
                    }
                    if summary
                        .worst
                        .iter()
                        .any(|f| f.severity == Severity::Critical && !f.fixed_in.is_empty())
                    {
                        s.critical_fixable += 1;
                    }
                }
                ReportState::Failed(_) => s.failed += 1,
                ReportState::NotReady | ReportState::NotIndexed | ReportState::NoDigest => {
                    s.unscanned += 1
                }
            }
        }
    }
    sites.into_values().collect()
}

/// Deduplicates by digest; a reference without a digest joins the image of the same reference
/// that has one, else stands alone. Reports start as `NoDigest` / `NotIndexed` placeholders.
pub fn dedupe(seen: Vec<Seen>) -> Vec<Image> {
    let mut by_digest: BTreeMap<String, Image> = BTreeMap::new();
    let mut digest_of_ref: BTreeMap<String, String> = BTreeMap::new();
    let mut undigested = Vec::new();
    for s in seen {
        match &s.digest {
            Some(d) => {
                if !s.reference.is_empty() {
                    digest_of_ref.insert(ref_key(&s.reference), d.clone());
                }
                let img = by_digest.entry(d.clone()).or_insert_with(|| Image {
                    references: Vec::new(),
                    digest: Some(d.clone()),
                    uses: Vec::new(),
                    report: ReportState::NotIndexed,
                });
                add(img, s);
            }
            None => undigested.push(s),
        }
    }
    let mut by_ref: BTreeMap<String, Image> = BTreeMap::new();
    for s in undigested {
        let key = ref_key(&s.reference);
        if let Some(img) = digest_of_ref.get(&key).and_then(|d| by_digest.get_mut(d)) {
            add(img, s);
            continue;
        }
        let img = by_ref.entry(key).or_insert_with(|| Image {
            references: Vec::new(),
            digest: None,
            uses: Vec::new(),
            report: ReportState::NoDigest,
        });
        add(img, s);
    }
    by_digest
        .into_values()
        .chain(by_ref.into_values())
        .collect()
}

fn strip_digest(r: &str) -> String {
    r.split('@').next().unwrap_or(r).to_string()
}

/// The key references are joined by: the registry's own names (`eclipse-mosquitto:2` and
/// `docker.io/library/eclipse-mosquitto:2` are one image), without the digest.
fn ref_key(r: &str) -> String {
    match ImageRef::parse(&strip_digest(r)) {
        Ok(i) => format!(
            "{}/{}:{}",
            i.registry,
            i.repository,
            i.tag.unwrap_or_default()
        ),
        Err(_) => strip_digest(r),
    }
}

fn add(img: &mut Image, s: Seen) {
    let r = strip_digest(&s.reference);
    if !r.is_empty() && !img.references.contains(&r) {
        img.references.push(r);
        img.references.sort();
    }
    if !img.uses.contains(&s.used) {
        img.uses.push(s.used);
        img.uses.sort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seen_in(text: &str, path: &str) -> Vec<Seen> {
        let mut out = Vec::new();
        yaml::parse_each(text, |d| {
            if let Some(r) = &d.root {
                images_of_doc(r, path, &mut out);
            }
        });
        out
    }

    const D: &str = "sha256:63f811565dec39cf1b3f77fa84d849ee9ae8457b8f37e9be8c3d20c7b1385145";

    #[test]
    fn manifests_and_helm_values_give_their_images_with_positions() {
        let m = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: ghcr.io/x/web:1@{D}\n        - name: b\n          image: \"{{{{ .Values.image }}}}\"\n"
        );
        let s = seen_in(&m, "apps/edge-lab/web/deployment.yaml");
        assert_eq!(s.len(), 1, "the template is not an image: {s:?}");
        assert_eq!(s[0].digest.as_deref(), Some(D));
        assert_eq!(s[0].used.site, "edge-lab");
        assert_eq!(s[0].used.workload, "Deployment/web");
        assert_eq!(s[0].used.source, "apps/edge-lab/web/deployment.yaml:11");
        let v = "controller:\n  image:\n    registry: quay.io\n    repository: argoproj/argocd\n    tag: v3.1.0\nredis:\n  image:\n    repository: redis\n    tag: \"\"\n";
        let s = seen_in(v, "infrastructure/argocd/values.yaml");
        let refs: Vec<_> = s.iter().map(|s| s.reference.as_str()).collect();
        assert_eq!(refs, ["quay.io/argoproj/argocd:v3.1.0", "redis"]);
        assert_eq!(s[0].used.workload, "infrastructure/argocd");
    }

    #[test]
    fn live_image_ids_dedupe_with_the_repo_by_digest() {
        let pods = vec![json!({
            "metadata": {"name": "web-1", "namespace": "shop",
                         "ownerReferences": [{"kind": "ReplicaSet", "name": "web-5d"}]},
            "status": {"containerStatuses": [
                {"image": "ghcr.io/x/web:1", "imageID": format!("docker-pullable://ghcr.io/x/web@{D}")},
                {"image": "busybox", "imageID": ""}
            ]}
        })];
        let live = live_images(&pods, "edge-lab");
        assert_eq!(live.len(), 2);
        let mut all = live;
        all.push(Seen {
            reference: format!("ghcr.io/x/web:1@{D}"),
            digest: Some(D.into()),
            used: Use {
                site: "edge-lab".into(),
                namespace: "shop".into(),
                workload: "Deployment/web".into(),
                source: "apps/edge-lab/web/deployment.yaml:11".into(),
            },
        });
        all.push(Seen {
            reference: "ghcr.io/x/web:1".into(),
            digest: None,
            used: Use {
                site: "edge-berlin".into(),
                namespace: "shop".into(),
                workload: "Deployment/web".into(),
                source: "apps/edge-berlin/web.yaml:3".into(),
            },
        });
        let images = dedupe(all);
        assert_eq!(images.len(), 2, "{images:#?}");
        let web = images
            .iter()
            .find(|i| i.digest.as_deref() == Some(D))
            .unwrap();
        assert_eq!(web.references, ["ghcr.io/x/web:1"]);
        assert_eq!(
            web.uses.len(),
            3,
            "live, repo, and the tag-only use joined by reference"
        );
        let busy = images.iter().find(|i| i.digest.is_none()).unwrap();
        assert_eq!(busy.report, ReportState::NoDigest);
        assert_eq!(image_id_digest(D).as_deref(), Some(D));
        assert_eq!(image_id_digest("sha256:short"), None);
    }
}
