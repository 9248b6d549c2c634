//! One reference to an object — the cluster it lives on, its kind (group and kind, through the
//! kinds table), namespace and name — and the join between a live object and the repo document
//! that defines it. The join compares the API group too: K10's `Policy` and MinIO's `Policy`
//! (or Klum's `User` and MinIO's) of the same name are different objects in different files.

use crate::kube::protocol::{ObjKey, SourceId};
use crate::model::kinds::{self, KindInfo};
use crate::repo::index::{RepoIndex, Resource};

/// Names one live object anywhere: its cluster (`source`), its kind by the kinds table's unique
/// key (`KindInfo::key`, e.g. `Policy.minio.crossplane.io`), its namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjRef {
    pub source: SourceId,
    pub kind: &'static str,
    pub key: ObjKey,
}

impl ObjRef {
    /// The kind's entry in the kinds table (`None` for a placeholder row).
    pub fn info(&self) -> Option<&'static KindInfo> {
        kinds::find_key(self.kind)
    }

    /// What a repo document must match to define this object.
    pub fn target(&self) -> Target<'_> {
        let info = self.info();
        Target {
            group: info.map(|k| k.group),
            kind: info.map_or(self.kind, |k| k.kind),
            namespace: self.key.namespace.as_deref(),
            name: &self.key.name,
        }
    }
}

/// The API group of an `apiVersion`: `cluster.x-k8s.io/v1beta2` → `cluster.x-k8s.io`, `v1` → ``.
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// An object as a repo document can define it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    /// The API group; `None` when unknown (then any group matches).
    pub group: Option<&'a str>,
    pub kind: &'a str,
    /// `None`: any namespace.
    pub namespace: Option<&'a str>,
    pub name: &'a str,
}

impl Target<'_> {
    /// Whether repo document `res` defines this object: same group (when both sides know it),
    /// kind and name, and the same namespace — a document without one matches any, since Argo CD
    /// or kustomize give it the namespace when it is applied.
    pub fn defined_by(&self, res: &Resource) -> bool {
        res.kind.as_deref() == Some(self.kind)
            && res.name.as_deref() == Some(self.name)
            && match (self.group, res.api_version.as_deref()) {
                (Some(g), Some(av)) => group_of(av) == g,
                _ => true,
            }
            && (res.namespace.is_none()
                || self.namespace.is_none()
                || res.namespace.as_deref() == self.namespace)
    }

    /// The first document of the index that defines it: `(file, resource)` indexes.
    pub fn find_in(&self, index: &RepoIndex) -> Option<(usize, usize)> {
        index.files.iter().enumerate().find_map(|(fi, f)| {
            f.resources
                .iter()
                .position(|r| self.defined_by(r))
                .map(|ri| (fi, ri))
        })
    }
}

/// What Argo CD's `argocd.argoproj.io/tracking-id` names:
/// `<app>:<group>/<kind>:<namespace>/<name>` (the group is empty for core kinds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    pub group: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl Tracked {
    pub fn parse(id: &str) -> Option<Tracked> {
        let (_app, rest) = id.split_once(':')?;
        let (gk, nn) = rest.split_once(':')?;
        let (group, kind) = gk.rsplit_once('/').unwrap_or(("", gk));
        let (ns, name) = nn.split_once('/')?;
        Some(Tracked {
            group: group.to_string(),
            kind: kind.to_string(),
            namespace: (!ns.is_empty()).then(|| ns.to_string()),
            name: name.to_string(),
        })
    }

    pub fn target(&self) -> Target<'_> {
        Target {
            group: Some(&self.group),
            kind: &self.kind,
            namespace: self.namespace.as_deref(),
            name: &self.name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::index::{FileEntry, FileKind};

    fn doc(api_version: &str, kind: &str, ns: Option<&str>, name: &str) -> Resource {
        Resource {
            api_version: Some(api_version.into()),
            kind: Some(kind.into()),
            name: Some(name.into()),
            namespace: ns.map(str::to_string),
            doc: 0,
            start_line: 1,
            end_line: 5,
            pos: Default::default(),
        }
    }

    #[test]
    fn groups_of_api_versions() {
        assert_eq!(group_of("cluster.x-k8s.io/v1beta2"), "cluster.x-k8s.io");
        assert_eq!(group_of("v1"), "");
        assert_eq!(group_of("apps/v1"), "apps");
    }

    #[test]
    fn the_join_tells_two_kinds_of_one_name_apart_by_group() {
        let k10 = kinds::ALL
            .iter()
            .find(|k| k.kind == "Policy" && k.group == "config.kio.kasten.io")
            .expect("K10 Policy in the kinds table");
        let minio = kinds::ALL
            .iter()
            .find(|k| k.kind == "Policy" && k.group != "config.kio.kasten.io")
            .expect("a second Policy kind in the kinds table");
        let mut index = RepoIndex::default();
        let mut file = |path: &str, res: Resource| {
            index
                .files
                .push(FileEntry::new(path, FileKind::Yaml, vec![res]));
        };
        file(
            "infrastructure/minio/policies.yaml",
            doc(
                &format!("{}/{}", minio.group, minio.versions[0]),
                "Policy",
                None,
                "daily",
            ),
        );
        file(
            "infrastructure/k10/policies.yaml",
            doc(
                "config.kio.kasten.io/v1alpha1",
                "Policy",
                Some("kasten-io"),
                "daily",
            ),
        );
        let live = |kind: &'static KindInfo| ObjRef {
            source: "mgmt".into(),
            kind: kind.key,
            key: ObjKey::new(Some("kasten-io"), "daily"),
        };
        assert_eq!(live(k10).target().find_in(&index), Some((1, 0)));
        assert_eq!(live(minio).target().find_in(&index), Some((0, 0)));
        // A namespaced document in another namespace is another object.
        let other = ObjRef {
            key: ObjKey::new(Some("elsewhere"), "daily"),
            ..live(k10)
        };
        assert_eq!(other.target().find_in(&index), None);
    }

    #[test]
    fn tracking_ids_parse_with_and_without_a_group() {
        let t = Tracked::parse("edge-berlin-capi:cluster.x-k8s.io/Cluster:edge-berlin/edge-berlin")
            .unwrap();
        assert_eq!(
            (
                t.group.as_str(),
                t.kind.as_str(),
                t.namespace.as_deref(),
                t.name.as_str()
            ),
            (
                "cluster.x-k8s.io",
                "Cluster",
                Some("edge-berlin"),
                "edge-berlin"
            )
        );
        let core = Tracked::parse("apps:/ConfigMap:shop/settings").unwrap();
        assert_eq!((core.group.as_str(), core.kind.as_str()), ("", "ConfigMap"));
        let cluster_scoped = Tracked::parse("infra:/Namespace:/shop").unwrap();
        assert_eq!(cluster_scoped.namespace, None);
        assert_eq!(Tracked::parse("garbage"), None);
    }
}
