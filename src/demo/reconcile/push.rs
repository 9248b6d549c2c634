//! One push: the Applications it touches go OutOfSync (or fail to compare), sync, and are
//! Synced; then the live objects get the manifests and the controllers act.

use std::sync::Arc;

use serde_json::json;
use tracing::{info, warn};

use super::apply::apply_manifests;
use super::covers::covers;
use super::status::{
    finish_operation, mark_resources, set_condition, set_sync_revision, start_operation,
};
use super::{FileChange, Options, RUNNING, TO_RUNNING, scaled};
use crate::demo::controllers;
use crate::demo::emulator::Emulator;
use crate::demo::world;
use crate::model::kinds;

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
            crate::demo::fixtures::documents(&f.path, text)
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
