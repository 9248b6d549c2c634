//! The repo index: every file under `clusters/`, `infrastructure/` and `apps/`, and the
//! Kubernetes resources in each YAML file with the lines they span.
//!
//! Files are parsed in parallel (rayon); the positioned trees are dropped once the summary of each
//! document is taken, so the index of a large repo stays small. A file that does not parse stays
//! in the index with its error.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::yaml::{self, Document, ParsedFile, Pos, YamlError};

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
}

impl RepoIndex {
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
        .map(|(abs, rel)| index_file(abs, rel).0)
        .collect();
    Ok(RepoIndex {
        root: root.to_path_buf(),
        files,
    })
}

/// Reads and indexes one file; also returns its parsed documents (for `blast check`).
pub fn index_file(abs: &Path, rel: &str) -> (FileEntry, ParsedFile) {
    let mut entry = FileEntry::new(rel, FileKind::Text, Vec::new());
    let bytes = match std::fs::read(abs) {
        Ok(b) => b,
        Err(e) => {
            entry.io_error = Some(e.to_string());
            return (entry, ParsedFile::default());
        }
    };
    entry.bytes = bytes.len() as u64;
    let Ok(text) = String::from_utf8(bytes) else {
        entry.kind = if is_yaml(abs) {
            FileKind::Yaml
        } else {
            FileKind::Binary
        };
        if entry.kind == FileKind::Yaml {
            entry.error = Some(YamlError {
                pos: Pos { line: 1, col: 1 },
                message: "file is not valid UTF-8".into(),
            });
        }
        return (entry, ParsedFile::default());
    };
    if !is_yaml(abs) {
        return (entry, ParsedFile::default());
    }
    entry.kind = FileKind::Yaml;
    let parsed = yaml::parse(&text);
    summarize(&mut entry, &parsed);
    (entry, parsed)
}

/// Fills the resources, data-document count, error and duplicate keys of `entry` from `parsed`.
pub fn summarize(entry: &mut FileEntry, parsed: &ParsedFile) {
    entry.error = parsed.error.clone();
    for (i, doc) in parsed.docs.iter().enumerate() {
        entry
            .duplicate_keys
            .extend(doc.duplicate_keys.iter().cloned());
        match resource_of(i, doc) {
            Some(r) => entry.resources.push(r),
            None if doc.root.is_some() => entry.data_docs += 1,
            None => {}
        }
    }
}

/// A document is a Kubernetes object when its root is a mapping with `apiVersion` or `kind`.
fn resource_of(index: usize, doc: &Document) -> Option<Resource> {
    let root = doc.root.as_ref()?;
    let api_version = root.get("apiVersion");
    let kind = root.get("kind");
    if api_version.is_none() && kind.is_none() {
        return None;
    }
    let meta = root.get("metadata");
    let text = |n: Option<&yaml::Node>| n.and_then(|n| n.as_text()).map(str::to_string);
    Some(Resource {
        api_version: text(api_version),
        kind: text(kind),
        name: text(meta.and_then(|m| m.get("name"))),
        namespace: text(meta.and_then(|m| m.get("namespace"))),
        doc: index,
        start_line: doc.start_line,
        end_line: doc.end_line,
        pos: root.pos,
    })
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
        assert!(
            idx.file("apps/a/blob.yaml")
                .unwrap()
                .error
                .as_ref()
                .unwrap()
                .message
                .contains("UTF-8")
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
}
