//! Which Application covers which file: the sources of an Application read as Argo CD reads
//! them (plain directories with `recurse`, `include` and `exclude`; Helm, Kustomize and plugin
//! paths; Helm value files through a `ref` source).

use std::collections::BTreeSet;

use serde_json::Value;

/// A part of the repo an Application's sources read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Covered {
    /// A source `path`; `manifests_only` for plain directories (Argo CD reads only `*.yaml`,
    /// `*.yml`, `*.json` there), `recurse` for `directory.recurse`.
    Dir {
        path: String,
        recurse: bool,
        manifests_only: bool,
        include: Option<String>,
        exclude: Option<String>,
    },
    /// A Helm value file read through a `ref` source (`$values/infrastructure/x/values.yaml`).
    File(String),
}

pub(super) fn same_repo(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim()
            .trim_end_matches('/')
            .trim_end_matches(".git")
            .to_ascii_lowercase()
    };
    !a.is_empty() && norm(a) == norm(b)
}

fn clean_path(p: &str) -> String {
    let p = p.trim().trim_start_matches("./").trim_matches('/');
    if p == "." {
        String::new()
    } else {
        p.to_string()
    }
}

/// The sources of an Application (`spec.sources`, else `spec.source`).
fn sources(app: &Value) -> Vec<&Value> {
    match app.pointer("/spec/sources").and_then(Value::as_array) {
        Some(s) if !s.is_empty() => s.iter().collect(),
        _ => app.pointer("/spec/source").into_iter().collect(),
    }
}

/// What of the repo `repo_url` an Application reads.
pub fn covered(app: &Value, repo_url: &str) -> Vec<Covered> {
    let srcs = sources(app);
    fn ours(s: &Value, repo_url: &str) -> bool {
        same_repo(s["repoURL"].as_str().unwrap_or_default(), repo_url)
    }
    let refs: BTreeSet<&str> = srcs
        .iter()
        .copied()
        .filter(|s| ours(s, repo_url))
        .filter_map(|s| s["ref"].as_str())
        .collect();
    let types: Vec<&str> = ["/status/sourceType", "/status/sourceTypes"]
        .iter()
        .filter_map(|p| app.pointer(p))
        .flat_map(|v| match v {
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>(),
            Value::String(s) => vec![s.as_str()],
            _ => vec![],
        })
        .collect();
    let mut out = Vec::new();
    for &s in &srcs {
        for vf in s
            .pointer("/helm/valueFiles")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if let Some(rest) = vf.strip_prefix('$')
                && let Some((r, file)) = rest.split_once('/')
                && refs.contains(r)
            {
                out.push(Covered::File(clean_path(file)));
            }
        }
        let Some(path) = s["path"].as_str() else {
            continue;
        };
        if !ours(s, repo_url) {
            continue;
        }
        let tool = s.get("helm").is_some()
            || s.get("kustomize").is_some()
            || s.get("plugin").is_some()
            || (s.get("directory").is_none()
                && types
                    .iter()
                    .any(|t| matches!(*t, "Helm" | "Kustomize" | "Plugin"))
                && srcs.len() == 1);
        let dir = s.get("directory");
        let opt = |k: &str| {
            dir.and_then(|d| d[k].as_str())
                .filter(|x| !x.is_empty())
                .map(str::to_string)
        };
        out.push(Covered::Dir {
            path: clean_path(path),
            recurse: tool || dir.and_then(|d| d["recurse"].as_bool()).unwrap_or(false),
            manifests_only: !tool,
            include: opt("include"),
            exclude: opt("exclude"),
        });
    }
    out
}

/// Whether `c` reads the repo file `file` (a path relative to the repo root).
pub fn covers_path(c: &Covered, file: &str) -> bool {
    let file = clean_path(file);
    match c {
        Covered::File(f) => *f == file,
        Covered::Dir {
            path,
            recurse,
            manifests_only,
            include,
            exclude,
        } => {
            let rel = if path.is_empty() {
                file.as_str()
            } else {
                match file
                    .strip_prefix(path.as_str())
                    .and_then(|r| r.strip_prefix('/'))
                {
                    Some(r) => r,
                    None => return false,
                }
            };
            if !recurse && rel.contains('/') {
                return false;
            }
            if *manifests_only
                && ![".yaml", ".yml", ".json"]
                    .iter()
                    .any(|e| rel.to_ascii_lowercase().ends_with(e))
            {
                return false;
            }
            if let Some(p) = include
                && !glob_match(p, rel)
            {
                return false;
            }
            if let Some(p) = exclude
                && glob_match(p, rel)
            {
                return false;
            }
            true
        }
    }
}

/// Whether the Application `app` reads `file` of the repo `repo_url`.
pub fn covers(app: &Value, repo_url: &str, file: &str) -> bool {
    covered(app, repo_url).iter().any(|c| covers_path(c, file))
}

/// Argo CD's include/exclude globs: `*` (not across `/`), `?`, and `{a,b}` alternatives.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    if let Some(open) = pattern.find('{')
        && let Some(len) = pattern[open..].find('}')
    {
        let close = open + len;
        return pattern[open + 1..close].split(',').any(|alt| {
            glob_match(
                &format!("{}{alt}{}", &pattern[..open], &pattern[close + 1..]),
                text,
            )
        });
    }
    fn m(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'*', rest)) => {
                let mut i = 0;
                loop {
                    if m(rest, &t[i..]) {
                        return true;
                    }
                    if i == t.len() || t[i] == b'/' {
                        return false;
                    }
                    i += 1;
                }
            }
            Some((b'?', rest)) => !t.is_empty() && t[0] != b'/' && m(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && m(rest, &t[1..]),
        }
    }
    m(pattern.as_bytes(), text.as_bytes())
}
