//! The demo's stand-in for Argo CD: it polls the sandbox's `origin.git` (Argo CD polls too),
//! and for each new commit on `main`
//!
//! 1. diffs the old and new trees into changed files ([`changed_files`]);
//! 2. finds the Applications on the management cluster whose sources cover a changed file
//!    ([`covers`]: a source `path` of this repo, as a plain directory with `directory.recurse`,
//!    `include` and `exclude`, or a Helm value file through a `$ref/…` of a `ref` source);
//! 3. moves each through what Argo CD writes: `status.sync` OutOfSync compared at the new
//!    revision, then an automated sync operation `Running` ("syncing"), then `Succeeded` with
//!    the `syncResult`, a `history` entry and `Synced` at the new revision; health turns
//!    `Progressing` while the controllers act and back afterwards;
//! 4. applies the changed manifests to the live objects of the management cluster (their
//!    `metadata.labels`/`annotations` and `spec` merged in, as a server-side apply would) and
//!    lets the emulated controllers ([`super::controllers`]) act on replica and version
//!    changes of MachineDeployments and TalosControlPlanes.
//!
//! A changed manifest that does not parse makes Argo CD's comparison fail: the Application gets a
//! `ComparisonError` condition, sync status `Unknown` at the new revision and a `Failed`
//! operation whose message names the file and the error; its health stays.
//!
//! Only objects' status (and the spec of applied manifests) change, through the emulator, so
//! every client sees the reconciliation through its ordinary watches. Unlike Argo CD, the
//! Applications a commit does not touch are left alone (Argo CD would refresh their
//! `sync.revision` to the new commit too).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::controllers::{self, Effect};
use super::emulator::Emulator;
use super::world;
use crate::model::kinds;

/// The repo URL the fixtures' Applications use for this repo.
pub const REPO_URL: &str = "https://git.example.com/blast/datacenter.git";

/// Seconds at speed 1 between polls of `origin.git`.
const POLL: f64 = 1.0;
/// Seconds at speed 1 from OutOfSync to the sync operation starting.
const TO_RUNNING: f64 = 2.0;
/// Seconds at speed 1 the sync operation runs.
const RUNNING: f64 = 3.0;

/// What the reconciler follows.
#[derive(Debug, Clone)]
pub struct Options {
    /// The bare repository (`origin.git` of the sandbox).
    pub origin: PathBuf,
    /// Its branch Argo CD tracks.
    pub branch: String,
    /// The `repoURL` that names this repo in the Applications.
    pub repo_url: String,
    /// 2 runs twice as fast.
    pub speed: f64,
}

impl Options {
    pub fn new(origin: &Path, speed: f64) -> Options {
        Options {
            origin: origin.to_path_buf(),
            branch: super::sandbox::BRANCH.to_string(),
            repo_url: REPO_URL.to_string(),
            speed,
        }
    }
}

/// A file that differs between two commits; `None` where it does not exist (or is not UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Starts the reconciler on the current tokio runtime; it runs until aborted. The commit
/// `main` points at when it starts is taken as deployed already.
pub fn spawn(emu: Emulator, opts: Options) -> JoinHandle<()> {
    tokio::spawn(run(emu, opts))
}

async fn run(emu: Emulator, opts: Options) {
    let origin = opts.origin.clone();
    let branch = opts.branch.clone();
    let read_tip = move || tip(&origin, &branch);
    let mut last = match tokio::task::spawn_blocking(read_tip.clone()).await {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => {
            warn!(error = %e, "reconciler: cannot read origin; not reconciling");
            return;
        }
        Err(_) => return,
    };
    info!(origin = %opts.origin.display(), revision = %last, "reconciler: watching origin");
    let controllers = Arc::new(tokio::sync::Mutex::new(()));
    loop {
        tokio::time::sleep(scaled(POLL, opts.speed)).await;
        let now_tip = match tokio::task::spawn_blocking(read_tip.clone()).await {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => {
                warn!(error = %e, "reconciler: reading origin");
                continue;
            }
            Err(_) => return,
        };
        if now_tip == last {
            continue;
        }
        let (origin, old, new) = (opts.origin.clone(), last.clone(), now_tip.clone());
        let changes =
            match tokio::task::spawn_blocking(move || changed_files(&origin, &old, &new)).await {
                Ok(Ok(c)) => c,
                Ok(Err(e)) => {
                    warn!(error = %e, "reconciler: diffing the push");
                    last = now_tip;
                    continue;
                }
                Err(_) => return,
            };
        info!(from = %last, to = %now_tip, files = changes.len(), "reconciler: push to origin");
        reconcile_push(&emu, &opts, &now_tip, &changes, &controllers).await;
        last = now_tip;
    }
}

fn scaled(secs: f64, speed: f64) -> Duration {
    Duration::from_secs_f64(secs / speed.max(1e-3))
}

/// The commit `refs/heads/<branch>` of `origin` points at.
pub fn tip(origin: &Path, branch: &str) -> Result<String, String> {
    let repo = git2::Repository::open_bare(origin)
        .or_else(|_| git2::Repository::open(origin))
        .map_err(|e| format!("{}: {}", origin.display(), e.message()))?;
    repo.refname_to_id(&format!("refs/heads/{branch}"))
        .map(|o| o.to_string())
        .map_err(|e| format!("{}: {branch}: {}", origin.display(), e.message()))
}

/// The files that differ between commits `old` and `new` of the repository at `repo` (every
/// file of `new` when `old` is not in it).
pub fn changed_files(repo: &Path, old: &str, new: &str) -> Result<Vec<FileChange>, String> {
    let r = git2::Repository::open(repo).map_err(|e| e.message().to_string())?;
    let err = |e: git2::Error| e.message().to_string();
    fn tree_of<'r>(r: &'r git2::Repository, sha: &str) -> Option<git2::Tree<'r>> {
        let oid = git2::Oid::from_str(sha).ok()?;
        r.find_commit(oid).ok()?.tree().ok()
    }
    let new_tree = tree_of(&r, new).ok_or_else(|| format!("commit {new} not found"))?;
    let old_tree = tree_of(&r, old);
    let diff = r
        .diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), None)
        .map_err(err)?;
    let blob_text = |id: git2::Oid| -> Option<String> {
        if id.is_zero() {
            return None;
        }
        let blob = r.find_blob(id).ok()?;
        String::from_utf8(blob.content().to_vec()).ok()
    };
    let mut out = Vec::new();
    for d in diff.deltas() {
        let path = d
            .new_file()
            .path()
            .or_else(|| d.old_file().path())
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        out.push(FileChange {
            path,
            old: blob_text(d.old_file().id()),
            new: blob_text(d.new_file().id()),
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Which Application covers which file

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

fn same_repo(a: &str, b: &str) -> bool {
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

// ---------------------------------------------------------------------------------------------
// One push

/// An Application touched by a push, with what it reads of it.
struct Touched {
    ns: Option<String>,
    name: String,
    files: Vec<FileChange>,
    /// `file: error` of the first changed manifest that does not parse.
    broken: Option<(String, String)>,
    in_cluster: bool,
    health_before: Option<String>,
}

/// Reconciles one push: the Applications' sync, then the live objects. Returns once the sync
/// operations are done; the controllers go on in the background.
pub async fn reconcile_push(
    emu: &Emulator,
    opts: &Options,
    rev: &str,
    changes: &[FileChange],
    controllers: &Arc<tokio::sync::Mutex<()>>,
) {
    let mut touched = Vec::new();
    for app in emu.list(world::MGMT, &kinds::APPLICATION) {
        let files: Vec<FileChange> = changes
            .iter()
            .filter(|c| covers(&app, &opts.repo_url, &c.path))
            .cloned()
            .collect();
        if files.is_empty() {
            continue;
        }
        let broken = files.iter().find_map(|f| {
            let text = f.new.as_deref()?;
            super::fixtures::documents(&f.path, text)
                .err()
                .map(|e| (f.path.clone(), e))
        });
        let dest = &app["spec"]["destination"];
        let in_cluster =
            dest["server"] == "https://kubernetes.default.svc" || dest["name"] == "in-cluster";
        touched.push(Touched {
            ns: app["metadata"]["namespace"].as_str().map(str::to_string),
            name: app["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            files,
            broken,
            in_cluster,
            health_before: app["status"]["health"]["status"]
                .as_str()
                .map(str::to_string),
        });
    }
    if touched.is_empty() {
        info!(revision = %rev, "reconciler: no Application reads the changed files");
        return;
    }
    let now = || world::format_time(crate::kube::now());
    // Refresh: compared at the new revision.
    for t in &touched {
        let t_now = now();
        let repo_url = opts.repo_url.clone();
        emu.modify(
            world::MGMT,
            &kinds::APPLICATION,
            t.ns.as_deref(),
            &t.name,
            |a| {
                set_sync_revision(a, &repo_url, rev);
                a["status"]["reconciledAt"] = json!(t_now);
                match &t.broken {
                    None => {
                        a["status"]["sync"]["status"] = json!("OutOfSync");
                        mark_resources(a, &t.files, "OutOfSync");
                    }
                    Some((file, e)) => {
                        a["status"]["sync"]["status"] = json!("Unknown");
                        set_condition(a, "ComparisonError", &comparison_error(file, e), &t_now);
                    }
                }
            },
        );
        match &t.broken {
            None => info!(app = %t.name, revision = %rev, "reconciler: OutOfSync"),
            Some((file, _)) => warn!(app = %t.name, %file, "reconciler: ComparisonError"),
        }
    }
    tokio::time::sleep(scaled(TO_RUNNING, opts.speed)).await;
    // The automated sync starts (or fails at once on a manifest that does not parse).
    for t in &touched {
        let t_now = now();
        let repo_url = opts.repo_url.clone();
        emu.modify(
            world::MGMT,
            &kinds::APPLICATION,
            t.ns.as_deref(),
            &t.name,
            |a| {
                start_operation(a, &repo_url, rev, &t_now);
                if let Some((file, e)) = &t.broken {
                    let op = &mut a["status"]["operationState"];
                    op["phase"] = json!("Failed");
                    op["message"] = json!(comparison_error(file, e));
                    op["finishedAt"] = json!(t_now);
                }
            },
        );
    }
    tokio::time::sleep(scaled(RUNNING, opts.speed)).await;
    // Applied: Succeeded, Synced; the live objects get the manifests, controllers act.
    for t in touched.iter().filter(|t| t.broken.is_none()) {
        let effects = if t.in_cluster {
            apply_manifests(emu, &t.files)
        } else {
            Vec::new()
        };
        let t_now = now();
        let repo_url = opts.repo_url.clone();
        let progressing = !effects.is_empty();
        emu.modify(
            world::MGMT,
            &kinds::APPLICATION,
            t.ns.as_deref(),
            &t.name,
            |a| {
                finish_operation(a, &repo_url, rev, &t.files, &t_now);
                if progressing {
                    a["status"]["health"] =
                        json!({"status": "Progressing", "lastTransitionTime": t_now});
                }
            },
        );
        info!(app = %t.name, revision = %rev, effects = effects.len(), "reconciler: Synced");
        if progressing {
            let emu = emu.clone();
            let lock = controllers.clone();
            let (ns, name, speed) = (t.ns.clone(), t.name.clone(), opts.speed);
            let health = t.health_before.clone().unwrap_or_else(|| "Healthy".into());
            tokio::spawn(async move {
                let _one_at_a_time = lock.lock().await;
                for e in effects {
                    controllers::run(&emu, e, speed).await;
                }
                let t_now = world::format_time(crate::kube::now());
                emu.modify(
                    world::MGMT,
                    &kinds::APPLICATION,
                    ns.as_deref(),
                    &name,
                    |a| {
                        a["status"]["health"] =
                            json!({"status": health, "lastTransitionTime": t_now});
                    },
                );
                info!(app = %name, "reconciler: controllers done");
            });
        }
    }
}

fn comparison_error(file: &str, e: &str) -> String {
    // fixtures::documents prefixes the file already.
    let e = e.strip_prefix(&format!("{file}: ")).unwrap_or(e);
    format!(
        "ComparisonError: Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = failed to unmarshal {file:?}: {e}"
    )
}

/// Points `status.sync.revision` (single source) or this repo's entries of
/// `status.sync.revisions` (multi-source) at `rev`.
fn set_sync_revision(a: &mut Value, repo_url: &str, rev: &str) {
    let revs = revisions_for(a, repo_url, rev, a.pointer("/status/sync/revisions"));
    let sync = &mut a["status"]["sync"];
    match revs {
        Some(r) => sync["revisions"] = r,
        None => sync["revision"] = json!(rev),
    }
}

/// For a multi-source app: `old` (or the sources' target revisions) with this repo's entries
/// replaced by `rev`; `None` for a single-source app.
fn revisions_for(a: &Value, repo_url: &str, rev: &str, old: Option<&Value>) -> Option<Value> {
    let srcs = a.pointer("/spec/sources").and_then(Value::as_array)?;
    let old = old.and_then(Value::as_array);
    Some(Value::Array(
        srcs.iter()
            .enumerate()
            .map(|(i, s)| {
                if same_repo(s["repoURL"].as_str().unwrap_or_default(), repo_url) {
                    json!(rev)
                } else {
                    old.and_then(|o| o.get(i))
                        .cloned()
                        .unwrap_or_else(|| s["targetRevision"].clone())
                }
            })
            .collect(),
    ))
}

fn set_condition(a: &mut Value, kind: &str, message: &str, now: &str) {
    let conds = &mut a["status"]["conditions"];
    if !conds.is_array() {
        *conds = json!([]);
    }
    let list = conds.as_array_mut().expect("just made an array");
    list.retain(|c| c["type"] != kind);
    list.push(json!({"type": kind, "message": message, "lastTransitionTime": now}));
}

fn clear_condition(a: &mut Value, kind: &str) {
    if let Some(list) = a
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        list.retain(|c| c["type"] != kind);
        if list.is_empty()
            && let Some(s) = a["status"].as_object_mut()
        {
            s.remove("conditions");
        }
    }
}

/// `(group, kind, namespace, name)` of every object in the new version of `files`.
fn objects_of(files: &[FileChange]) -> Vec<Value> {
    files
        .iter()
        .filter_map(|f| f.new.as_deref().map(|t| (f, t)))
        .flat_map(|(f, t)| super::fixtures::documents(&f.path, t).unwrap_or_default())
        .filter(|d| d["kind"].is_string() && d["metadata"]["name"].is_string())
        .collect()
}

fn same_object(res: &Value, doc: &Value) -> bool {
    let (group, _) = kinds::split_api_version(doc["apiVersion"].as_str().unwrap_or_default());
    res["kind"] == doc["kind"]
        && res["name"] == doc["metadata"]["name"]
        && res["group"].as_str().unwrap_or_default() == group
        && res["namespace"].as_str().unwrap_or_default()
            == doc["metadata"]["namespace"].as_str().unwrap_or_default()
}

/// Sets the sync status of the `status.resources[]` entries defined in `files`.
fn mark_resources(a: &mut Value, files: &[FileChange], status: &str) {
    let docs = objects_of(files);
    if let Some(list) = a
        .pointer_mut("/status/resources")
        .and_then(Value::as_array_mut)
    {
        for r in list {
            if docs.iter().any(|d| same_object(r, d)) {
                r["status"] = json!(status);
            }
        }
    }
}

/// The automated sync operation to `rev` starts: `operationState` Running, "syncing".
fn start_operation(a: &mut Value, repo_url: &str, rev: &str, now: &str) {
    let mut operation = a
        .pointer("/status/operationState/operation")
        .cloned()
        .unwrap_or_else(|| json!({"sync": {}}));
    if !operation["sync"].is_object() {
        operation["sync"] = json!({});
    }
    match revisions_for(
        a,
        repo_url,
        rev,
        a.pointer("/status/operationState/operation/sync/revisions"),
    ) {
        Some(r) => operation["sync"]["revisions"] = r,
        None => operation["sync"]["revision"] = json!(rev),
    }
    operation["initiatedBy"] = json!({"automated": true});
    a["status"]["operationState"] = json!({
        "operation": operation,
        "phase": "Running",
        "message": "syncing",
        "startedAt": now,
    });
}

/// The sync operation succeeded: result, history, Synced.
fn finish_operation(a: &mut Value, repo_url: &str, rev: &str, files: &[FileChange], now: &str) {
    let multi = revisions_for(a, repo_url, rev, a.pointer("/status/sync/revisions"));
    let started = a
        .pointer("/status/operationState/startedAt")
        .cloned()
        .unwrap_or_else(|| json!(now));
    let resources: Vec<Value> = objects_of(files)
        .iter()
        .map(|d| {
            let (group, version) =
                kinds::split_api_version(d["apiVersion"].as_str().unwrap_or_default());
            let kind = d["kind"].as_str().unwrap_or_default();
            let name = d["metadata"]["name"].as_str().unwrap_or_default();
            json!({
                "group": group,
                "version": version,
                "kind": kind,
                "namespace": d["metadata"]["namespace"].as_str().unwrap_or_default(),
                "name": name,
                "status": "Synced",
                "message": format!("{}/{name} serverside-applied", kind.to_ascii_lowercase()),
                "syncPhase": "Sync",
            })
        })
        .collect();
    let mut result = json!({"resources": resources});
    let mut entry = json!({
        "deployStartedAt": started,
        "deployedAt": now,
        "initiatedBy": {"automated": true},
    });
    match &multi {
        Some(r) => {
            result["revision"] = r[0].clone();
            result["revisions"] = r.clone();
            result["sources"] = a["spec"]["sources"].clone();
            entry["revisions"] = r.clone();
            entry["sources"] = a["spec"]["sources"].clone();
        }
        None => {
            result["revision"] = json!(rev);
            result["source"] = a["spec"]["source"].clone();
            entry["revision"] = json!(rev);
            entry["source"] = a["spec"]["source"].clone();
        }
    }
    let op = &mut a["status"]["operationState"];
    op["phase"] = json!("Succeeded");
    op["message"] = json!("successfully synced (all tasks run)");
    op["finishedAt"] = json!(now);
    op["syncResult"] = result;
    let limit = a
        .pointer("/spec/revisionHistoryLimit")
        .and_then(Value::as_u64)
        .unwrap_or(10) as usize;
    let history = &mut a["status"]["history"];
    if !history.is_array() {
        *history = json!([]);
    }
    let list = history.as_array_mut().expect("just made an array");
    let id = list
        .iter()
        .filter_map(|h| h["id"].as_i64())
        .max()
        .unwrap_or(0)
        + 1;
    entry["id"] = json!(id);
    list.push(entry);
    let excess = list.len().saturating_sub(limit.max(1));
    list.drain(..excess);
    set_sync_revision(a, repo_url, rev);
    a["status"]["sync"]["status"] = json!("Synced");
    a["status"]["reconciledAt"] = json!(now);
    mark_resources(a, files, "Synced");
    clear_condition(a, "ComparisonError");
}

/// Server-side apply of the changed manifests onto the live objects of the management cluster
/// (labels, annotations and `spec` merged in; objects that do not exist live are left out), and
/// the controller work that follows.
fn apply_manifests(emu: &Emulator, files: &[FileChange]) -> Vec<Effect> {
    let mut effects = Vec::new();
    for doc in objects_of(files) {
        let (group, _) = kinds::split_api_version(doc["apiVersion"].as_str().unwrap_or_default());
        let Some(kind) = kinds::find(group, doc["kind"].as_str().unwrap_or_default()) else {
            continue;
        };
        if kind.kind == "Secret" {
            continue;
        }
        let ns = doc["metadata"]["namespace"].as_str();
        let name = doc["metadata"]["name"].as_str().unwrap_or_default();
        let Some(live) = emu.get(world::MGMT, kind, ns, name) else {
            continue;
        };
        if live["apiVersion"] != doc["apiVersion"] {
            // The emulator does not convert: merging another version's spec would mix shapes.
            info!(kind = kind.kind, %name, "reconciler: live object stored at another version; not merged");
            continue;
        }
        effects.extend(controllers::effects_of(kind, &live, &doc));
        emu.modify(world::MGMT, kind, ns, name, |o| {
            for m in ["labels", "annotations"] {
                if let Some(v) = doc["metadata"].get(m) {
                    merge(&mut o["metadata"][m], v);
                }
            }
            if let Some(spec) = doc.get("spec") {
                merge(&mut o["spec"], spec);
            }
        });
    }
    effects
}

/// Merges `from` into `into`: maps key by key, anything else replaced.
fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(yaml: &str) -> Value {
        serde_yaml::from_str(yaml).unwrap()
    }

    fn world_app(name: &str) -> Value {
        super::super::fixtures::world_objects()
            .unwrap()
            .into_iter()
            .map(|(_, v)| v)
            .find(|v| v["kind"] == "Application" && v["metadata"]["name"] == name)
            .unwrap()
    }

    #[test]
    fn globs() {
        assert!(glob_match("*/appset.yaml", "argocd/appset.yaml"));
        assert!(!glob_match("*/appset.yaml", "argocd/x/appset.yaml"));
        assert!(!glob_match("*/appset.yaml", "argocd/values.yaml"));
        assert!(glob_match("*.{yaml,yml}", "a.yml"));
        assert!(glob_match("?.yaml", "a.yaml"));
        assert!(!glob_match("?.yaml", "ab.yaml"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn workers_yaml_is_covered_by_the_sites_capi_app_only() {
        let file = "clusters/edge-berlin/capi/workers.yaml";
        let apps: Vec<String> = super::super::fixtures::world_objects()
            .unwrap()
            .into_iter()
            .map(|(_, v)| v)
            .filter(|v| v["kind"] == "Application" && covers(v, REPO_URL, file))
            .map(|v| v["metadata"]["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(apps, ["edge-berlin-capi"]);
    }

    #[test]
    fn directory_sources_read_manifests_directly_under_their_path() {
        let capi = world_app("edge-berlin-capi");
        assert!(covers(
            &capi,
            REPO_URL,
            "clusters/edge-berlin/capi/servers.yaml"
        ));
        assert!(!covers(
            &capi,
            REPO_URL,
            "clusters/edge-berlin/capi/README.md"
        ));
        assert!(!covers(
            &capi,
            REPO_URL,
            "clusters/edge-berlin/capi/old/x.yaml"
        ));
        assert!(!covers(
            &capi,
            REPO_URL,
            "clusters/edge-berlin/capital.yaml"
        ));
        assert!(!covers(
            &capi,
            REPO_URL,
            "clusters/edge-lab/capi/workers.yaml"
        ));
        // another repo with the same path is not this repo
        assert!(!covers(
            &capi,
            "https://example.com/other.git",
            "clusters/edge-berlin/capi/workers.yaml"
        ));
        // the repo URL matches without .git or with a trailing slash
        assert!(covers(
            &capi,
            "https://git.example.com/blast/datacenter/",
            "clusters/edge-berlin/capi/workers.yaml"
        ));
    }

    #[test]
    fn recurse_with_include() {
        let root = world_app("infrastructure-root");
        assert!(covers(&root, REPO_URL, "infrastructure/minio/appset.yaml"));
        assert!(!covers(&root, REPO_URL, "infrastructure/minio/values.yaml"));
        assert!(!covers(
            &root,
            REPO_URL,
            "infrastructure/minio/manifests/edge-berlin/appset.yaml"
        ));
        let root = world_app("root");
        assert!(covers(
            &root,
            REPO_URL,
            "clusters/mgmt/argocd/projects.yaml"
        ));
        assert!(!covers(&root, REPO_URL, "clusters/mgmt/clusterctl.yaml"));
    }

    #[test]
    fn helm_value_files_through_a_ref_source_and_path_sources_of_multi_source_apps() {
        let k10 = world_app("edge-berlin-k10");
        assert!(covers(&k10, REPO_URL, "infrastructure/k10/values.yaml"));
        assert!(covers(
            &k10,
            REPO_URL,
            "infrastructure/k10/clusters/edge-berlin.yaml"
        ));
        assert!(!covers(
            &k10,
            REPO_URL,
            "infrastructure/k10/clusters/edge-lab.yaml"
        ));
        assert!(covers(
            &k10,
            REPO_URL,
            "infrastructure/k10/manifests/edge-berlin/profile.yaml"
        ));
        // local-path's chart path is in another repo
        let lp = world_app("edge-berlin-local-path");
        assert!(!covers(
            &lp,
            REPO_URL,
            "deploy/chart/local-path-provisioner/values.yaml"
        ));
        assert!(covers(
            &lp,
            REPO_URL,
            "infrastructure/local-path/values.yaml"
        ));
    }

    #[test]
    fn helm_and_kustomize_paths_read_every_file_below() {
        let a = app("spec: {source: {repoURL: r, path: ./charts/x, helm: {releaseName: x}}}");
        assert_eq!(
            covered(&a, "r"),
            [Covered::Dir {
                path: "charts/x".into(),
                recurse: true,
                manifests_only: false,
                include: None,
                exclude: None
            }]
        );
        assert!(covers(&a, "r", "charts/x/templates/deploy.tpl"));
        let k = app("spec: {source: {repoURL: r, path: k}}\nstatus: {sourceType: Kustomize}");
        assert!(covers(&k, "r", "k/base/kustomization.yaml"));
        let exclude = app("spec: {source: {repoURL: r, path: d, directory: {exclude: '*.json'}}}");
        assert!(!covers(&exclude, "r", "d/a.json"));
        assert!(covers(&exclude, "r", "d/a.yaml"));
        let whole = app("spec: {source: {repoURL: r, path: ., directory: {recurse: true}}}");
        assert!(covers(&whole, "r", "apps/a/b.yaml"));
    }

    #[test]
    fn operation_and_result_follow_argo_cd_shapes() {
        let mut a = world_app("mgmt-argocd");
        let rev = "f".repeat(40);
        let files = vec![FileChange {
            path: "infrastructure/argocd/values.yaml".into(),
            old: Some("a: 1\n".into()),
            new: Some("a: 2\n".into()),
        }];
        set_sync_revision(&mut a, REPO_URL, &rev);
        assert_eq!(a["status"]["sync"]["revisions"], json!(["10.1.1", rev]));
        start_operation(&mut a, REPO_URL, &rev, "2026-01-01T00:00:00Z");
        let op = &a["status"]["operationState"];
        assert_eq!(op["phase"], "Running");
        assert_eq!(op["operation"]["sync"]["revisions"], json!(["10.1.1", rev]));
        assert!(op.get("syncResult").is_none());
        let ids = a["status"]["history"].as_array().unwrap().len();
        finish_operation(&mut a, REPO_URL, &rev, &files, "2026-01-01T00:00:05Z");
        let op = &a["status"]["operationState"];
        assert_eq!(op["phase"], "Succeeded");
        assert_eq!(op["syncResult"]["revisions"], json!(["10.1.1", rev]));
        assert_eq!(a["status"]["sync"]["status"], "Synced");
        let h = a["status"]["history"].as_array().unwrap();
        assert_eq!(h.len(), ids + 1);
        assert_eq!(h.last().unwrap()["revisions"], json!(["10.1.1", rev]));
        assert_eq!(h.last().unwrap()["id"], 8);
    }
}
