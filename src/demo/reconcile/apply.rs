//! The changed manifests applied to the live objects of the management cluster, and the
//! controllers' work that follows.

use serde_json::Value;
use tracing::info;

use super::FileChange;
use crate::demo::controllers::{self, Effect};
use crate::demo::emulator::Emulator;
use crate::demo::world;
use crate::model::kinds;

/// `(group, kind, namespace, name)` of every object in the new version of `files`.
pub(super) fn objects_of(files: &[FileChange]) -> Vec<Value> {
    files
        .iter()
        .filter_map(|f| f.new.as_deref().map(|t| (f, t)))
        .flat_map(|(f, t)| crate::demo::fixtures::documents(&f.path, t).unwrap_or_default())
        .filter(|d| d["kind"].is_string() && d["metadata"]["name"].is_string())
        .collect()
}

/// Server-side apply of the changed manifests onto the live objects of the management cluster
/// (labels, annotations and `spec` merged in; objects that do not exist live are left out), and
/// the controller work that follows.
pub(super) fn apply_manifests(emu: &Emulator, files: &[FileChange]) -> Vec<Effect> {
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
