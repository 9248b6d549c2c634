//! What Argo CD writes into an Application's status during a sync: the sync revision(s), the
//! operation state, the sync result and history, conditions, the resources' sync status.

use serde_json::{Value, json};

use super::FileChange;
use super::apply::objects_of;
use super::covers::same_repo;
use crate::model::kinds;

/// Points `status.sync.revision` (single source) or this repo's entries of
/// `status.sync.revisions` (multi-source) at `rev`.
pub(super) fn set_sync_revision(a: &mut Value, repo_url: &str, rev: &str) {
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

pub(super) fn set_condition(a: &mut Value, kind: &str, message: &str, now: &str) {
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

fn same_object(res: &Value, doc: &Value) -> bool {
    let (group, _) = kinds::split_api_version(doc["apiVersion"].as_str().unwrap_or_default());
    res["kind"] == doc["kind"]
        && res["name"] == doc["metadata"]["name"]
        && res["group"].as_str().unwrap_or_default() == group
        && res["namespace"].as_str().unwrap_or_default()
            == doc["metadata"]["namespace"].as_str().unwrap_or_default()
}

/// Sets the sync status of the `status.resources[]` entries defined in `files`.
pub(super) fn mark_resources(a: &mut Value, files: &[FileChange], status: &str) {
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
pub(super) fn start_operation(a: &mut Value, repo_url: &str, rev: &str, now: &str) {
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
pub(super) fn finish_operation(
    a: &mut Value,
    repo_url: &str,
    rev: &str,
    files: &[FileChange],
    now: &str,
) {
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
