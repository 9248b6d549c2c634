//! Cluster API condition lists: one condition set in place, keeping the list's shape.

use serde_json::{Value, json};

use super::now;

/// Sets condition `type_` in the list at `path` (created if missing when `create`), keeping its
/// shape: `observedGeneration` only where the list uses it, `lastTransitionTime` only when the
/// status changes.
pub(super) fn set_cond(
    obj: &mut Value,
    path: &str,
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    create: bool,
) {
    let generation = obj["metadata"]["generation"].clone();
    let Some(list) = obj.pointer_mut(path) else {
        if create {
            let (parent, key) = path.rsplit_once('/').expect("a path with a parent");
            if let Some(p) = obj.pointer_mut(parent).and_then(Value::as_object_mut) {
                p.insert(key.to_string(), json!([]));
                set_cond(obj, path, type_, status, reason, message, false);
            }
        }
        return;
    };
    let Some(list) = list.as_array_mut() else {
        return;
    };
    let uses_generation = list.iter().any(|c| c.get("observedGeneration").is_some());
    let t = now();
    let c = match list.iter_mut().find(|c| c["type"] == type_) {
        Some(c) => c,
        None => {
            list.push(json!({"type": type_, "status": status, "lastTransitionTime": t}));
            list.last_mut().expect("just pushed")
        }
    };
    if c["status"] != status {
        c["lastTransitionTime"] = json!(t);
    }
    c["status"] = json!(status);
    let map = c.as_object_mut().expect("a condition is a map");
    if uses_generation {
        map.insert("observedGeneration".into(), generation);
    }
    if reason.is_empty() {
        map.remove("reason");
    } else {
        map.insert("reason".into(), json!(reason));
    }
    if map.contains_key("severity") || (status == "False" && path.ends_with("v1beta1/conditions")) {
        if status == "True" {
            map.remove("severity");
        } else {
            map.insert("severity".into(), json!("Info"));
        }
    }
    if message.is_empty() && !uses_generation {
        map.remove("message");
    } else {
        map.insert("message".into(), json!(message));
    }
}

/// A Machine condition in every list the object carries (v1beta2 `status.conditions` and
/// `status.deprecated.v1beta1.conditions`, or v1beta1 `status.conditions` and
/// `status.v1beta2.conditions`).
pub(super) fn machine_cond(m: &mut Value, type_: &str, status: &str, reason: &str, message: &str) {
    let v1beta1 = m["apiVersion"] == "cluster.x-k8s.io/v1beta1";
    set_cond(
        m,
        "/status/conditions",
        type_,
        status,
        reason,
        message,
        true,
    );
    let other = if v1beta1 {
        "/status/v1beta2/conditions"
    } else {
        "/status/deprecated/v1beta1/conditions"
    };
    // the old-style lists name a few conditions differently; keep the common ones in step
    if matches!(type_, "Ready" | "NodeHealthy" | "InfrastructureReady") {
        set_cond(m, other, type_, status, reason, message, false);
    }
}
