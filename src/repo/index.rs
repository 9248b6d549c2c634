//! The repo index: every file under `clusters/`, `infrastructure/` and `apps/`, and the
//! Kubernetes resources in each YAML file with the lines they span.
//!
//! Files are parsed in parallel (rayon); the positioned trees are dropped once the summary of each
//! document is taken, so the index of a large repo stays small. A file that does not parse stays
//! in the index with its error.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::yaml::{self, Document, Pos, YamlError};

/// The top-level folders of a Blast repo, in display order.
pub const TOP_DIRS: [&str; 3] = ["clusters", "infrastructure", "apps"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// `.yaml` / `.yml`: parsed into documents.
    Yaml,
    /// Any other UTF-8 file (README, scripts, certificates): browsable, not parsed.
    Text,
    /// Not UTF-8.
    Binary,
}

/// One document of a YAML file that looks like a Kubernetes object (it has `apiVersion` or `kind`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// Index of the document in its file (0-based, counting empty documents).
    pub doc: usize,
    pub start_line: usize,
    pub end_line: usize,
    /// Where the document's root mapping starts (for "missing field" messages).
    pub pos: Pos,
}

impl Resource {
    /// `Kind name` or `Kind ns/name`, with `?` for what is missing.
    pub fn label(&self) -> String {
        let kind = self.kind.as_deref().unwrap_or("?");
        let name = self.name.as_deref().unwrap_or("?");
        match &self.namespace {
            Some(ns) => format!("{kind} {ns}/{name}"),
            None => format!("{kind} {name}"),
        }
    }

    /// API group of `apiVersion` (empty for the core group).
    pub fn group(&self) -> &str {
        match self.api_version.as_deref().and_then(|v| v.split_once('/')) {
            Some((g, _)) => g,
            None => "",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the index root, with `/` separators.
    pub path: String,
    pub kind: FileKind,
    pub resources: Vec<Resource>,
    /// Documents that are plain data (Helm values, clusterctl config).
    pub data_docs: usize,
    /// The syntax error that ended parsing, if any.
    pub error: Option<YamlError>,
    /// The file could not be read.
    pub io_error: Option<String>,
    /// Same key twice in one mapping, per document.
    pub duplicate_keys: Vec<(Pos, String)>,
    pub bytes: u64,
    /// Why the file was not read as YAML although its name says so (a Helm template).
    pub note: Option<String>,
}

impl FileEntry {
    /// An entry with nothing read yet.
    pub fn new(path: &str, kind: FileKind, resources: Vec<Resource>) -> FileEntry {
        FileEntry {
            path: path.to_string(),
            kind,
            resources,
            data_docs: 0,
            error: None,
            io_error: None,
            duplicate_keys: Vec::new(),
            bytes: 0,
            note: None,
        }
    }

    pub fn is_broken(&self) -> bool {
        self.error.is_some() || self.io_error.is_some()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoIndex {
    /// What was indexed (a repo root, a folder or a single file).
    pub root: PathBuf,
    /// Sorted by path.
    pub files: Vec<FileEntry>,
    /// The failed policy rules (`crate::policy`) of the files, when the indexer ran them (the
    /// console's does), sorted by path and line.
    pub policy: Vec<crate::policy::Outcome>,
    /// The repo's side of the standards (policy findings, what workload manifests pass, the
    /// waivers), when the indexer read it (the console's does: `standards::scan_repo`).
    pub standards: crate::standards::RepoSide,
}

impl RepoIndex {
    /// The failed policy rules of a file, or of the lines `from..=to` of it (a resource).
    pub fn policy_in(
        &self,
        path: &str,
        lines: Option<(usize, usize)>,
    ) -> Vec<&crate::policy::Outcome> {
        self.policy
            .iter()
            .filter(|o| o.path == path)
            .filter(|o| lines.is_none_or(|(from, to)| (from..=to).contains(&o.line)))
            .collect()
    }

    pub fn resource_count(&self) -> usize {
        self.files.iter().map(|f| f.resources.len()).sum()
    }

    pub fn broken_count(&self) -> usize {
        self.files.iter().filter(|f| f.is_broken()).count()
    }

    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files
            .binary_search_by(|f| sort_key(&f.path).cmp(&sort_key(path)))
            .ok()
            .map(|i| &self.files[i])
    }
}

pub fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// The files an index of `root` covers: for a Blast repo root, everything under its top folders;
/// for any other folder, everything under it; for a file, that file. Hidden entries, `target/`
/// and `node_modules/` are skipped. Returned as (absolute path, relative path) sorted.
pub fn walk(root: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
    let meta = std::fs::metadata(root)?;
    if meta.is_file() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(vec![(root.to_path_buf(), name)]);
    }
    let tops: Vec<PathBuf> = TOP_DIRS
        .iter()
        .map(|d| root.join(d))
        .filter(|p| p.is_dir())
        .collect();
    let starts = if tops.is_empty() {
        vec![root.to_path_buf()]
    } else {
        tops
    };
    let mut out = Vec::new();
    for start in starts {
        let walker = walkdir::WalkDir::new(&start)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                e.depth() == 0
                    || !(name.starts_with('.') || name == "target" || name == "node_modules")
            });
        for entry in walker {
            let entry = entry.map_err(std::io::Error::other)?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((entry.path().to_path_buf(), rel));
        }
    }
    out.sort_by(|a, b| sort_key(&a.1).cmp(&sort_key(&b.1)));
    Ok(out)
}

/// Files sort by path, except that the top folders come in the order of [`TOP_DIRS`].
pub fn sort_key(path: &str) -> (usize, &str) {
    let top = path.split('/').next().unwrap_or("");
    (
        TOP_DIRS
            .iter()
            .position(|d| *d == top)
            .unwrap_or(TOP_DIRS.len()),
        path,
    )
}

/// Builds the index of `root` (see [`walk`]), parsing files in parallel.
pub fn build(root: &Path) -> std::io::Result<RepoIndex> {
    let files = walk(root)?;
    let files = files
        .par_iter()
        .map(|(abs, rel)| index_file(abs, rel))
        .collect();
    Ok(RepoIndex {
        root: root.to_path_buf(),
        files,
        policy: Vec::new(),
        standards: Default::default(),
    })
}

/// Reads and indexes one file.
pub fn index_file(abs: &Path, rel: &str) -> FileEntry {
    index_file_with(abs, rel, |_, _, _| {})
}

/// Reads and indexes one file, handing each object to `visit` with its node and the depth of
/// its document while the document's tree is alive (for `blast check`). Documents are parsed one
/// at a time and dropped once visited, so a file of many documents never sits whole in memory.
pub fn index_file_with(
    abs: &Path,
    rel: &str,
    mut visit: impl FnMut(&Resource, &yaml::Node, usize),
) -> FileEntry {
    let yaml_file = is_yaml(abs);
    let mut entry = FileEntry::new(rel, FileKind::Text, Vec::new());
    if yaml_file {
        entry.kind = FileKind::Yaml;
    }
    let bytes = match read_capped(abs, yaml_file) {
        Ok(Read::Bytes(b)) => b,
        Ok(Read::TooLarge(n)) => {
            entry.bytes = n;
            entry.error = Some(yaml::too_large(n));
            return entry;
        }
        Err(e) => {
            entry.io_error = Some(e.to_string());
            return entry;
        }
    };
    entry.bytes = bytes.len() as u64;
    if !yaml_file {
        if std::str::from_utf8(&bytes).is_err() {
            entry.kind = FileKind::Binary;
        }
        return entry;
    }
    let (text, bad) = decode(bytes);
    if is_helm_template(abs, &text) {
        entry.note = Some(
            "Helm chart template: not YAML until rendered (helm template), so not checked".into(),
        );
        return entry;
    }
    let chart_meta = matches!(
        abs.file_name().and_then(|n| n.to_str()),
        Some("Chart.yaml" | "Chart.yml")
    );
    let mut index = 0;
    let error = yaml::parse_each_cut(&text, bad, |doc| {
        entry
            .duplicate_keys
            .extend(doc.duplicate_keys.iter().cloned());
        let objects = if chart_meta {
            Vec::new()
        } else {
            objects_of(index, &doc)
        };
        if objects.is_empty() && doc.root.is_some() {
            entry.data_docs += 1;
        }
        for (res, node) in objects {
            visit(&res, node, doc.depth);
            entry.resources.push(res);
        }
        index += 1;
    });
    entry.error = error;
    entry
}

enum Read {
    Bytes(Vec<u8>),
    TooLarge(u64),
}

/// Reads a file, unless it is a YAML file over [`yaml::max_file_bytes`] (other files are read
/// for the browser's preview, which pages them).
fn read_capped(abs: &Path, yaml_file: bool) -> std::io::Result<Read> {
    use std::io::Read as _;
    let cap = yaml::max_file_bytes();
    let file = std::fs::File::open(abs)?;
    let len = file.metadata()?.len();
    if yaml_file && len > cap {
        return Ok(Read::TooLarge(len));
    }
    let mut bytes = Vec::with_capacity(len.min(cap) as usize);
    // The file may grow between the size check and the read.
    let limit = if yaml_file { cap + 1 } else { u64::MAX };
    file.take(limit).read_to_end(&mut bytes)?;
    if yaml_file && bytes.len() as u64 > cap {
        return Ok(Read::TooLarge(bytes.len() as u64));
    }
    Ok(Read::Bytes(bytes))
}

/// Decodes a YAML file: UTF-8 (a BOM is dropped by the parser), or UTF-16 with a BOM. Invalid
/// bytes cut the text there, with an error at the line and column of the first one.
pub fn decode(bytes: Vec<u8>) -> (String, Option<YamlError>) {
    let utf16 = match bytes.get(..2) {
        Some([0xff, 0xfe]) => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        Some([0xfe, 0xff]) => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    if let Some(word) = utf16 {
        let units = bytes[2..].chunks(2).map(|c| match c {
            [a, b] => word([*a, *b]),
            _ => 0xd800, // an odd trailing byte: never a valid unit alone
        });
        let mut text = String::with_capacity(bytes.len() / 2);
        for c in char::decode_utf16(units) {
            match c {
                Ok(c) => text.push(c),
                Err(e) => {
                    let pos = end_pos(&text);
                    let message = format!(
                        "invalid UTF-16 (unpaired surrogate 0x{:04X}) in a file marked UTF-16 by its byte order mark",
                        e.unpaired_surrogate()
                    );
                    return (text, Some(YamlError { pos, message }));
                }
            }
        }
        return (text, None);
    }
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            let byte = bytes[at];
            bytes.truncate(at);
            let text = String::from_utf8(bytes).expect("valid up to here");
            let pos = end_pos(&text);
            let hint = if byte >= 0x80 {
                " (Latin-1 or Windows-1252 text?)"
            } else {
                ""
            };
            let message =
                format!("invalid UTF-8: byte 0x{byte:02X}{hint}; YAML files must be UTF-8");
            (text, Some(YamlError { pos, message }))
        }
    }
}

/// The position just after `text` (where the next character would be).
fn end_pos(text: &str) -> Pos {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let line = text.matches('\n').count() + 1;
    let start = text.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        line,
        col: text[start..].chars().count() + 1,
    }
}

/// A file in the `templates/` folder of a Helm chart (a folder beside a `Chart.yaml`) with
/// template actions in it.
pub fn is_helm_template(abs: &Path, text: &str) -> bool {
    if !text.contains("{{") {
        return false;
    }
    abs.ancestors().skip(1).any(|dir| {
        dir.file_name().is_some_and(|n| n == "templates")
            && dir.parent().is_some_and(|chart| {
                chart.join("Chart.yaml").is_file() || chart.join("Chart.yml").is_file()
            })
    })
}

/// API groups whose kinds configure a tool (kustomize, kubeadm, the kubelet, kind) rather than
/// describe an object in a cluster: their documents are data.
const CONFIG_GROUPS: [&str; 6] = [
    "kustomize.config.k8s.io",
    "kubeadm.k8s.io",
    "kubelet.config.k8s.io",
    "kubeproxy.config.k8s.io",
    "kind.x-k8s.io",
    "apiserver.config.k8s.io",
];

/// The Kubernetes objects in a document, with their nodes.
///
/// A document is an object when its root mapping has `kind`, or has `apiVersion` with
/// `metadata` (an object that lost its kind is still reported as one). Not objects: documents
/// with neither (Helm values, Talos machine configs, clusterctl config), `apiVersion` alone
/// (Helm's `Chart.yaml` is `apiVersion: v2`, name, version), and tool configuration (a
/// `kustomization.yaml`, kubeadm and kubelet configs; see [`CONFIG_GROUPS`]). A `kind: List`
/// holds its objects in `items`, each checked as one (the List itself needs no name).
fn objects_of(index: usize, doc: &Document) -> Vec<(Resource, &yaml::Node)> {
    let Some(root) = doc.root.as_ref() else {
        return Vec::new();
    };
    let kind = root.get("kind").and_then(|k| k.as_text());
    let api_version = root.get("apiVersion").and_then(|k| k.as_text());
    if kind == Some("List") && matches!(api_version, Some("v1") | None) {
        let Some(yaml::Value::Seq(items)) = root.get("items").map(|n| &n.value) else {
            return Vec::new();
        };
        let lines: Vec<usize> = items.iter().map(|n| n.pos.line).collect();
        return items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let mut res = resource_at(index, item);
                res.start_line = item.pos.line;
                res.end_line = lines
                    .get(i + 1)
                    .map_or(doc.end_line, |next| next.saturating_sub(1))
                    .max(res.start_line);
                (res, item)
            })
            .collect();
    }
    if !is_object(root) {
        return Vec::new();
    }
    let mut res = resource_at(index, root);
    res.start_line = doc.start_line;
    res.end_line = doc.end_line;
    vec![(res, root)]
}

fn is_object(root: &yaml::Node) -> bool {
    let kind = root.get("kind");
    let api_version = root.get("apiVersion");
    let group = api_version
        .and_then(|v| v.as_text())
        .and_then(|v| v.split_once('/'))
        .map(|(g, _)| g);
    if group.is_some_and(|g| CONFIG_GROUPS.contains(&g)) {
        return false;
    }
    if kind.and_then(|k| k.as_text()) == Some("Kustomization") && api_version.is_none() {
        return false; // kustomize allows leaving apiVersion out
    }
    kind.is_some() || (api_version.is_some() && root.get("metadata").is_some())
}

/// The resource summary of an object node (lines are the caller's).
fn resource_at(index: usize, root: &yaml::Node) -> Resource {
    let meta = root.get("metadata");
    let text = |n: Option<&yaml::Node>| n.and_then(|n| n.as_text()).map(str::to_string);
    Resource {
        api_version: text(root.get("apiVersion")),
        kind: text(root.get("kind")),
        name: text(meta.and_then(|m| m.get("name"))),
        namespace: text(meta.and_then(|m| m.get("namespace"))),
        doc: index,
        start_line: root.pos.line,
        end_line: root.pos.line,
        pos: root.pos,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &[u8]) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn indexes_top_folders_objects_data_and_broken_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "clusters/a/cluster.yaml", b"apiVersion: cluster.x-k8s.io/v1beta2\nkind: Cluster\nmetadata:\n  name: a\n  namespace: a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n");
        write(
            d,
            "infrastructure/x/values.yaml",
            b"replicas: 2\nimage:\n  tag: v1\n",
        );
        write(
            d,
            "apps/a/broken.yaml",
            b"kind: Deployment\nmetadata:\n  name: [x\n",
        );
        write(d, "apps/a/README.md", b"# hi\n");
        write(d, "apps/a/blob.yaml", &[0xff, 0xfe, 0x00]);
        write(d, "apps/.hidden/x.yaml", b"kind: X\n");
        write(d, "other/ignored.yaml", b"kind: X\n");
        let idx = build(d).unwrap();
        let paths: Vec<_> = idx.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "clusters/a/cluster.yaml",
                "infrastructure/x/values.yaml",
                "apps/a/README.md",
                "apps/a/blob.yaml",
                "apps/a/broken.yaml"
            ]
        );
        let cluster = idx.file("clusters/a/cluster.yaml").unwrap();
        assert_eq!(cluster.resources.len(), 2);
        assert_eq!(cluster.resources[0].label(), "Cluster a/a");
        assert_eq!(cluster.resources[0].group(), "cluster.x-k8s.io");
        assert_eq!(
            (
                cluster.resources[1].start_line,
                cluster.resources[1].end_line
            ),
            (6, 10)
        );
        let values = idx.file("infrastructure/x/values.yaml").unwrap();
        assert_eq!((values.resources.len(), values.data_docs), (0, 1));
        let broken = idx.file("apps/a/broken.yaml").unwrap();
        assert!(broken.is_broken());
        assert_eq!(broken.error.as_ref().unwrap().pos.line, 4);
        // FF FE is the byte order mark of UTF-16LE; the odd byte after it is not UTF-16.
        assert!(
            idx.file("apps/a/blob.yaml")
                .unwrap()
                .error
                .as_ref()
                .unwrap()
                .message
                .contains("UTF-16")
        );
        assert_eq!(idx.file("apps/a/README.md").unwrap().kind, FileKind::Text);
        assert_eq!(idx.resource_count(), 2);
        assert_eq!(idx.broken_count(), 2);
    }

    #[test]
    fn a_plain_folder_is_walked_whole_and_a_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "x/y.yml", b"kind: A\n");
        let idx = build(dir.path()).unwrap();
        assert_eq!(idx.files[0].path, "x/y.yml");
        let one = build(&dir.path().join("x/y.yml")).unwrap();
        assert_eq!(one.files[0].path, "y.yml");
    }

    #[test]
    fn what_counts_as_an_object() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            "apps/c/Chart.yaml",
            b"apiVersion: v2\nname: c\nversion: 1.0.0\n",
        );
        write(d, "apps/c/values.yaml", b"replicas: 2\n");
        write(d, "apps/c/kustomization.yaml", b"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- a.yaml\n");
        write(
            d,
            "apps/c/bare-kustomization.yaml",
            b"kind: Kustomization\nresources: []\n",
        );
        write(
            d,
            "apps/c/lost-kind.yaml",
            b"apiVersion: v1\nmetadata:\n  name: x\n",
        );
        write(d, "apps/c/list.yaml", b"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: b\n");
        let idx = build(d).unwrap();
        let f = |p: &str| idx.file(p).unwrap();
        for p in [
            "apps/c/Chart.yaml",
            "apps/c/values.yaml",
            "apps/c/kustomization.yaml",
            "apps/c/bare-kustomization.yaml",
        ] {
            assert_eq!((f(p).resources.len(), f(p).data_docs), (0, 1), "{p}");
        }
        assert_eq!(f("apps/c/lost-kind.yaml").resources.len(), 1);
        let list = f("apps/c/list.yaml");
        let labels: Vec<_> = list
            .resources
            .iter()
            .map(|r| (r.label(), r.start_line, r.end_line))
            .collect();
        assert_eq!(
            labels,
            vec![
                ("ConfigMap a".to_string(), 4, 6),
                ("Secret b".to_string(), 7, 10)
            ]
        );
    }

    #[test]
    fn helm_templates_are_skipped_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            "apps/c/Chart.yaml",
            b"apiVersion: v2\nname: c\nversion: 1.0.0\n",
        );
        write(d, "apps/c/templates/deploy.yaml", b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n  labels: {}\n{{- end }}\n");
        write(
            d,
            "apps/other/templates/plain.yaml",
            b"{{- if .Values.x }}\nkind: A\n{{- end }}\n",
        );
        let idx = build(d).unwrap();
        let t = idx.file("apps/c/templates/deploy.yaml").unwrap();
        assert!(!t.is_broken());
        assert!(t.note.as_deref().unwrap().contains("Helm"));
        // No Chart.yaml above: a `templates` folder like any other.
        assert!(
            idx.file("apps/other/templates/plain.yaml")
                .unwrap()
                .is_broken()
        );
    }

    #[test]
    fn encodings() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let obj = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: caf\u{e9}\n";
        let mut le = vec![0xff, 0xfe];
        le.extend(obj.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = vec![0xfe, 0xff];
        be.extend(obj.encode_utf16().flat_map(u16::to_be_bytes));
        write(d, "apps/e/utf16le.yaml", &le);
        write(d, "apps/e/utf16be.yaml", &be);
        write(d, "apps/e/bom.yaml", format!("\u{feff}{obj}").as_bytes());
        write(
            d,
            "apps/e/latin1.yaml",
            b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: caf\xe9\n",
        );
        let mut bad16 = vec![0xff, 0xfe];
        bad16.extend("a: b\nc: ".encode_utf16().flat_map(u16::to_le_bytes));
        bad16.extend([0x00, 0xd8, b'x', 0x00]);
        write(d, "apps/e/bad16.yaml", &bad16);
        let idx = build(d).unwrap();
        for p in [
            "apps/e/utf16le.yaml",
            "apps/e/utf16be.yaml",
            "apps/e/bom.yaml",
        ] {
            let f = idx.file(p).unwrap();
            assert!(!f.is_broken(), "{p}: {:?}", f.error);
            assert_eq!(f.resources[0].label(), "Namespace caf\u{e9}", "{p}");
        }
        let e = idx
            .file("apps/e/latin1.yaml")
            .unwrap()
            .error
            .clone()
            .unwrap();
        assert_eq!(e.pos, Pos { line: 4, col: 12 });
        assert!(
            e.message.contains("0xE9") && e.message.contains("Latin-1"),
            "{e:?}"
        );
        let e = idx
            .file("apps/e/bad16.yaml")
            .unwrap()
            .error
            .clone()
            .unwrap();
        assert_eq!(e.pos, Pos { line: 2, col: 4 });
        assert!(e.message.contains("UTF-16"), "{e:?}");
    }

    #[test]
    fn a_file_over_the_cap_is_reported_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "apps/big.yaml", &vec![b'#'; 2 * 1024 * 1024]);
        write(d, "apps/big.txt", &vec![b'#'; 2 * 1024 * 1024]);
        // The cap is process-wide; this test reads it through a file of its own.
        let (entry, _) = with_cap(1024 * 1024, || {
            index_file(&d.join("apps/big.yaml"), "apps/big.yaml")
        });
        let e = entry.error.unwrap();
        assert!(e.message.contains("over the 1 MB limit"), "{e:?}");
        assert_eq!(entry.bytes, 2 * 1024 * 1024);
        let (entry, _) = with_cap(1024 * 1024, || {
            index_file(&d.join("apps/big.txt"), "apps/big.txt")
        });
        assert_eq!((entry.kind, entry.error), (FileKind::Text, None));
    }

    /// Runs `f` with the file cap set to `bytes`, restoring the default after.
    fn with_cap<T>(bytes: u64, f: impl FnOnce() -> T) -> (T, ()) {
        static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        yaml::set_max_file_bytes(bytes);
        let out = f();
        yaml::set_max_file_bytes(yaml::DEFAULT_MAX_FILE_BYTES);
        (out, ())
    }
}
