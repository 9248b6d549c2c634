//! Loads the demo world (`fixtures/demo/world/<cluster>/*.yaml`, embedded) into the emulator.
//!
//! Timestamps in the fixtures are fixed, written for `fixtures::FIXTURES_NOW`; they are shifted
//! by the difference to the real now, keeping ages and "since" values realistic. Each workload cluster gets a
//! `<name>-kubeconfig` Secret on the management cluster pointing at its emulated API server,
//! just like Cluster API writes one (generated here because the port is only known at run time).

use serde_json::Value;

use super::emulator::Emulator;
use super::fixtures;

/// The management cluster's name in the world (also the kubeconfig context).
pub const MGMT: &str = "mgmt";

/// The fixture objects of every cluster, parsed.
pub fn objects() -> Result<Vec<(String, Value)>, String> {
    Ok(fixtures::world_objects()?
        .into_iter()
        .map(|(c, v)| (c.to_string(), v))
        .collect())
}

/// The "now" the fixtures were written for, in unix seconds.
pub fn fixtures_now() -> i64 {
    parse_time(fixtures::FIXTURES_NOW).unwrap_or(0)
}

/// The model's RFC 3339 helpers: one implementation of times for the whole crate.
pub use crate::model::{format_time, parse_time};

fn shift(v: &mut Value, by: i64) {
    match v {
        Value::String(s) => {
            if let Some(t) = parse_time(s) {
                *s = format_time(t + by);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| shift(x, by)),
        Value::Object(m) => m.values_mut().for_each(|x| shift(x, by)),
        _ => {}
    }
}

/// Loads the world into `emu` with times shifted to `now` (unix seconds).
pub fn load(emu: &Emulator, now: i64) -> Result<(), String> {
    let mut objs = objects()?;
    let by = now - fixtures_now();
    for (cluster, v) in &mut objs {
        shift(v, by);
        emu.add_cluster(cluster);
    }
    for (cluster, v) in objs {
        emu.apply(&cluster, v)?;
    }
    Ok(())
}

/// Writes a `<cluster>-kubeconfig` Secret on the management cluster for every other cluster,
/// pointing at `base_url`. The Secret's namespace is the Cluster object's.
pub fn kubeconfig_secrets(emu: &Emulator, base_url: &str) -> Result<(), String> {
    use base64::Engine;
    let clusters = emu.list(MGMT, &crate::model::kinds::CLUSTER);
    for c in clusters {
        let name = c["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let ns = c["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string();
        if name.is_empty() || !emu.clusters().contains(&name) {
            continue;
        }
        let kubeconfig = emu.kubeconfig(base_url, &name);
        let secret = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "cluster.x-k8s.io/secret",
            "metadata": {
                "name": format!("{name}-kubeconfig"),
                "namespace": ns,
                "labels": {"cluster.x-k8s.io/cluster-name": name},
            },
            "data": {"value": base64::engine::general_purpose::STANDARD.encode(kubeconfig)},
        });
        emu.apply(MGMT, secret)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every RFC 3339 timestamp string in `v`.
    fn timestamps(v: &Value, out: &mut Vec<i64>) {
        match v {
            Value::String(s) => {
                if let Some(t) = parse_time(s) {
                    out.push(t);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| timestamps(x, out)),
            Value::Object(m) => m.values().for_each(|x| timestamps(x, out)),
            _ => {}
        }
    }

    #[test]
    fn times_round_trip_and_shift() {
        let t = parse_time("2026-03-01T10:00:00Z").unwrap();
        assert_eq!(format_time(t), "2026-03-01T10:00:00Z");
        let mut v = serde_json::json!({"a": ["2026-03-01T10:00:00Z", "x"], "b": "not-a-time"});
        shift(&mut v, 3600);
        assert_eq!(v["a"][0], "2026-03-01T11:00:00Z");
        assert_eq!(v["b"], "not-a-time");
    }

    #[test]
    fn world_loads_with_a_kubeconfig_per_workload_cluster() {
        let emu = Emulator::new();
        load(&emu, 2_000_000_000).unwrap();
        kubeconfig_secrets(&emu, "http://127.0.0.1:1").unwrap();
        let clusters = emu.clusters();
        assert!(clusters.contains(&MGMT.to_string()));
        let secrets = emu.list(MGMT, &crate::model::kinds::SECRET);
        for c in clusters.iter().filter(|c| *c != MGMT) {
            assert!(
                secrets
                    .iter()
                    .any(|s| s["metadata"]["name"] == format!("{c}-kubeconfig")),
                "no kubeconfig Secret for {c}"
            );
        }
        // No timestamp lies in the future after the shift.
        let mut times = vec![];
        for c in &clusters {
            for k in crate::model::kinds::ALL {
                for o in emu.list(c, k) {
                    timestamps(&o, &mut times);
                }
            }
        }
        assert!(
            times.iter().all(|t| *t <= 2_000_000_000 + 60),
            "a fixture time is in the future"
        );
    }
}
