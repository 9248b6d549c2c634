//! The rows the browser shows, derived from the index: the tree (folders, files, resources)
//! with expansion and the fuzzy filter's hits, folder stats, and what the preview shows.

use std::collections::{HashMap, HashSet};

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config as MatchConfig, Matcher, Utf32Str};

use super::{DirStats, Row, RowKind};
use crate::repo::index::{FileEntry, RepoIndex, Resource};

/// Stable identity of a row, so selection survives a re-index or a filter change.
pub fn row_key(index: &RepoIndex, row: &Row) -> String {
    match &row.kind {
        RowKind::Dir { path, .. } => format!("d:{path}"),
        RowKind::File { file } => format!("f:{}", index.files[*file].path),
        RowKind::Resource { file, res } => format!(
            "r:{}#{}",
            index.files[*file].path, index.files[*file].resources[*res].doc
        ),
    }
}

/// The path a row stands for (folder or file).
pub fn row_path<'a>(index: &'a RepoIndex, row: &'a Row) -> &'a str {
    match &row.kind {
        RowKind::Dir { path, .. } => path,
        RowKind::File { file } | RowKind::Resource { file, .. } => &index.files[*file].path,
    }
}

pub fn dir_stats(index: &RepoIndex) -> HashMap<String, DirStats> {
    let mut out: HashMap<String, DirStats> = HashMap::new();
    for f in &index.files {
        let mut end = 0;
        while let Some(i) = f.path[end..].find('/') {
            end += i;
            let s = out.entry(f.path[..end].to_string()).or_default();
            s.files += 1;
            s.resources += f.resources.len();
            s.broken += usize::from(f.is_broken());
            end += 1;
        }
    }
    out
}

/// The folders expanded when a repo is first opened: the top folders.
pub fn initial_expanded(index: &RepoIndex) -> HashSet<String> {
    index
        .files
        .iter()
        .filter_map(|f| f.path.split_once('/').map(|(top, _)| top.to_string()))
        .collect()
}

/// What the filter matched: per file, whether the file matched and which resources did.
pub struct FilterHits {
    pub files: HashMap<usize, (bool, Vec<usize>)>,
}

pub fn filter_hits(index: &RepoIndex, text: &str) -> FilterHits {
    let pattern = Pattern::parse(text, CaseMatching::Smart, Normalization::Smart);
    let mut matcher = Matcher::new(MatchConfig::DEFAULT.match_paths());
    let mut buf = Vec::new();
    let mut files = HashMap::new();
    let mut hay = String::new();
    for (fi, f) in index.files.iter().enumerate() {
        let file_hit = pattern
            .score(Utf32Str::new(&f.path, &mut buf), &mut matcher)
            .is_some();
        let mut res_hits = Vec::new();
        for (ri, r) in f.resources.iter().enumerate() {
            hay.clear();
            resource_haystack(r, &mut hay);
            if pattern
                .score(Utf32Str::new(&hay, &mut buf), &mut matcher)
                .is_some()
            {
                res_hits.push(ri);
            }
        }
        if file_hit || !res_hits.is_empty() {
            files.insert(fi, (file_hit, res_hits));
        }
    }
    FilterHits { files }
}

fn resource_haystack(r: &Resource, out: &mut String) {
    out.push_str(r.kind.as_deref().unwrap_or(""));
    out.push(' ');
    if let Some(ns) = &r.namespace {
        out.push_str(ns);
        out.push('/');
    }
    out.push_str(r.name.as_deref().unwrap_or(""));
}

/// Flattens the index into visible rows.
pub fn build_rows(
    index: &RepoIndex,
    expanded: &HashSet<String>,
    hits: Option<&FilterHits>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    // The folders of the previous file, each with whether its row is open.
    let mut stack: Vec<(&str, bool)> = Vec::new();
    for (fi, file) in index.files.iter().enumerate() {
        let hit = match hits {
            Some(h) => match h.files.get(&fi) {
                Some(hit) => Some(hit),
                None => continue,
            },
            None => None,
        };
        let comps: Vec<&str> = file.path.split('/').collect();
        let dirs = &comps[..comps.len() - 1];
        let common = stack
            .iter()
            .zip(dirs.iter())
            .take_while(|((a, _), b)| a == *b)
            .count();
        stack.truncate(common);
        for d in common..dirs.len() {
            let visible = stack.iter().all(|(_, open)| *open);
            let path = dirs[..=d].join("/");
            let open = hits.is_some() || expanded.contains(&path);
            if visible {
                rows.push(Row {
                    depth: d as u16,
                    kind: RowKind::Dir {
                        name: dirs[d].to_string(),
                        path,
                    },
                    expanded: open,
                    matched: false,
                });
            }
            stack.push((dirs[d], open));
        }
        if !stack.iter().all(|(_, open)| *open) {
            continue;
        }
        let file_open = expanded.contains(&file.path);
        let (file_matched, shown_res): (bool, Vec<usize>) = match hit {
            Some((m, res)) => (
                *m,
                if file_open {
                    (0..file.resources.len()).collect()
                } else {
                    res.clone()
                },
            ),
            None => (
                false,
                if file_open {
                    (0..file.resources.len()).collect()
                } else {
                    Vec::new()
                },
            ),
        };
        rows.push(Row {
            depth: dirs.len() as u16,
            kind: RowKind::File { file: fi },
            expanded: !shown_res.is_empty(),
            matched: file_matched,
        });
        for ri in shown_res {
            let matched = hit.is_some_and(|(_, res)| res.contains(&ri));
            rows.push(Row {
                depth: dirs.len() as u16 + 1,
                kind: RowKind::Resource { file: fi, res: ri },
                expanded: false,
                matched,
            });
        }
    }
    rows
}

/// The file whose contents the preview shows for a row: the file itself, or a folder's README.
pub fn preview_target<'a>(index: &'a RepoIndex, row: &Row) -> Option<&'a FileEntry> {
    match &row.kind {
        RowKind::File { file } | RowKind::Resource { file, .. } => index.files.get(*file),
        RowKind::Dir { path, .. } => index.file(&format!("{path}/README.md")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::index::FileKind;

    fn res(kind: &str, name: &str, doc: usize) -> Resource {
        Resource {
            api_version: Some("v1".into()),
            kind: Some(kind.into()),
            name: Some(name.into()),
            namespace: None,
            doc,
            start_line: doc * 5 + 1,
            end_line: doc * 5 + 4,
            pos: Default::default(),
        }
    }

    pub fn sample_index() -> RepoIndex {
        let file =
            |path: &str, resources: Vec<Resource>| FileEntry::new(path, FileKind::Yaml, resources);
        RepoIndex {
            policy: Vec::new(),
            standards: Default::default(),
            root: "/r".into(),
            files: vec![
                file(
                    "clusters/edge/capi/cluster.yaml",
                    vec![res("Cluster", "edge", 0), res("MetalCluster", "edge", 1)],
                ),
                file(
                    "clusters/edge/capi/workers.yaml",
                    vec![res("MachineDeployment", "edge-workers", 0)],
                ),
                file("clusters/mgmt/k3d.yaml", vec![res("Simple", "mgmt", 0)]),
                file(
                    "apps/edge/mqtt/deployment.yaml",
                    vec![res("Deployment", "mqtt", 0)],
                ),
            ],
        }
    }

    fn labels(index: &RepoIndex, rows: &[Row]) -> Vec<String> {
        rows.iter()
            .map(|r| {
                let indent = "  ".repeat(r.depth as usize);
                match &r.kind {
                    RowKind::Dir { name, .. } => format!("{indent}{name}/"),
                    RowKind::File { file } => format!(
                        "{indent}{}",
                        index.files[*file].path.rsplit('/').next().unwrap()
                    ),
                    RowKind::Resource { file, res } => {
                        format!("{indent}{}", index.files[*file].resources[*res].label())
                    }
                }
            })
            .collect()
    }

    #[test]
    fn rows_follow_expansion() {
        let idx = sample_index();
        let mut open: HashSet<String> = ["clusters".to_string()].into();
        assert_eq!(
            labels(&idx, &build_rows(&idx, &open, None)),
            vec!["clusters/", "  edge/", "  mgmt/", "apps/"]
        );
        open.extend([
            "clusters/edge".to_string(),
            "clusters/edge/capi".to_string(),
            "clusters/edge/capi/cluster.yaml".to_string(),
        ]);
        assert_eq!(
            labels(&idx, &build_rows(&idx, &open, None)),
            vec![
                "clusters/",
                "  edge/",
                "    capi/",
                "      cluster.yaml",
                "        Cluster edge",
                "        MetalCluster edge",
                "      workers.yaml",
                "  mgmt/",
                "apps/"
            ]
        );
        let stats = dir_stats(&idx);
        assert_eq!(
            stats["clusters"],
            DirStats {
                files: 3,
                resources: 4,
                broken: 0
            }
        );
        assert_eq!(stats["clusters/edge/capi"].files, 2);
    }

    #[test]
    fn filter_shows_matches_with_their_ancestors() {
        let idx = sample_index();
        let hits = filter_hits(&idx, "machinedep");
        let rows = build_rows(&idx, &HashSet::new(), Some(&hits));
        assert_eq!(
            labels(&idx, &rows),
            vec![
                "clusters/",
                "  edge/",
                "    capi/",
                "      workers.yaml",
                "        MachineDeployment edge-workers"
            ]
        );
        assert!(rows[4].matched && !rows[3].matched);
        let hits = filter_hits(&idx, "mqtt dep");
        let rows = build_rows(&idx, &HashSet::new(), Some(&hits));
        assert!(
            labels(&idx, &rows).contains(&"      deployment.yaml".to_string()),
            "{:?}",
            labels(&idx, &rows)
        );
        assert!(filter_hits(&idx, "zzzz").files.is_empty());
    }
}
