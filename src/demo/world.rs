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

/// A Pod's stored log lines (`emulator::logs`' annotations) are text, not times: the time stamps
/// in them are shifted with the world's ([`shift_text`]), so a log reads as one timeline ending
/// now, its followed lines after it.
fn shift_logs(v: &mut Value, by: i64) {
    use super::emulator::logs::{LOG_ANNOTATION, PREVIOUS_LOG_ANNOTATION};
    if v["kind"] != "Pod" {
        return;
    }
    let Some(annotations) = v
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for key in [LOG_ANNOTATION, PREVIOUS_LOG_ANNOTATION] {
        if let Some(Value::String(text)) = annotations.get_mut(key) {
            *text = shift_text(text, by);
        }
    }
}

/// `text` with every time stamp in it moved by `by` seconds, each in its own format: the date
/// and time (`2026-09-21T11:56:02`, not preceded by a digit) are moved; a fraction and a zone
/// after them (`.118+0000`, `.004Z`, `Z`) are kept as written, as are the brackets, quotes or
/// tabs around them (the fixtures' logs are glog, klog, JSON and Rust tracing lines).
pub fn shift_text(text: &str, by: i64) -> String {
    const LEN: usize = "2026-09-21T11:56:02".len();
    let shape = |b: &[u8]| {
        b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i + LEN <= bytes.len() {
        let here = &bytes[i..i + LEN];
        let moved = (shape(here) && (i == 0 || !bytes[i - 1].is_ascii_digit()))
            .then(|| {
                // ASCII only: `here` is a whole slice of `text`.
                let at: jiff::civil::DateTime = text[i..i + LEN].parse().ok()?;
                let moved = at.checked_add(jiff::SignedDuration::from_secs(by)).ok()?;
                Some(moved.strftime("%Y-%m-%dT%H:%M:%S").to_string())
            })
            .flatten();
        match moved {
            Some(m) => {
                out.push_str(&text[copied..i]);
                out.push_str(&m);
                i += LEN;
                copied = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The commit the fixtures' Argo CD Applications are synced to (a fake SHA).
pub const FIXTURE_REVISION: &str = "7c3e91d4a0b25f68e19d3c47b8a6f05e2d91c3ab";
/// The fake commit before it, in the Applications' history.
pub const FIXTURE_PREVIOUS_REVISION: &str = "5a8f02c6e17b94d3a0c5e8f1b7d26a49c30e85f2";

/// Real commits to show instead of the fixtures' fake ones (the demo sandbox's `main`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revisions {
    /// Replaces [`FIXTURE_REVISION`].
    pub head: String,
    /// Replaces [`FIXTURE_PREVIOUS_REVISION`] (`head` when there is none).
    pub previous: Option<String>,
}

/// Loads the world into `emu` with times shifted to `now` (unix seconds).
pub fn load(emu: &Emulator, now: i64) -> Result<(), String> {
    load_at(emu, now, None)
}

/// [`load`], with the Applications' revisions pointed at real commits: every string of an
/// Application's `status` equal to a fixture SHA (`sync.revision(s)`,
/// `operationState.operation.sync.revision(s)`, `operationState.syncResult.revision(s)`,
/// `history[].revision(s)`) becomes the matching commit of `git`. Chart versions stay.
pub fn load_at(emu: &Emulator, now: i64, git: Option<&Revisions>) -> Result<(), String> {
    let mut objs = objects()?;
    let by = now - fixtures_now();
    for (cluster, v) in &mut objs {
        shift(v, by);
        shift_logs(v, by);
        if let Some(git) = git
            && v["kind"] == "Application"
            && let Some(status) = v.get_mut("status")
        {
            pin_revisions(status, git);
        }
        emu.add_cluster(cluster);
    }
    for (cluster, v) in objs {
        emu.apply(&cluster, v)?;
    }
    Ok(())
}

fn pin_revisions(v: &mut Value, git: &Revisions) {
    match v {
        Value::String(s) if s == FIXTURE_REVISION => *s = git.head.clone(),
        Value::String(s) if s == FIXTURE_PREVIOUS_REVISION => {
            *s = git.previous.clone().unwrap_or_else(|| git.head.clone())
        }
        Value::Array(a) => a.iter_mut().for_each(|x| pin_revisions(x, git)),
        Value::Object(m) => m.values_mut().for_each(|x| pin_revisions(x, git)),
        _ => {}
    }
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

/// The standards part of the demo world: the benchmark report ConfigMaps (docker-bench of the
/// k3d host on mgmt, kube-bench per site, in the tools' own JSON from
/// `fixtures/demo/standards/`) and Pods running the demo's images with their `imageID`s.
pub fn standards(emu: &Emulator) -> Result<(), String> {
    for (cluster, cm) in report_objects() {
        if !emu.clusters().contains(&cluster) {
            continue;
        }
        emu.apply(&cluster, cm)?;
    }
    standard_pods(emu)
}

/// The benchmark report ConfigMaps of the demo world, by cluster (the tools' own JSON from
/// `fixtures/demo/standards/`): what `standards` serves, and the snapshots' world.
pub fn report_objects() -> Vec<(String, serde_json::Value)> {
    use crate::standards::{DATA_KEY, NAMESPACE, REPORT_LABEL, TARGET_LABEL};
    let reports = [
        (
            MGMT,
            "docker-bench",
            "mgmt",
            include_str!("../../fixtures/demo/standards/docker-bench-mgmt.json"),
        ),
        (
            "edge-berlin",
            "kube-bench",
            "edge-berlin",
            include_str!("../../fixtures/demo/standards/kube-bench-edge-berlin.json"),
        ),
        (
            "edge-lab",
            "kube-bench",
            "edge-lab",
            include_str!("../../fixtures/demo/standards/kube-bench-edge-lab.json"),
        ),
    ];
    reports
        .into_iter()
        .map(|(cluster, tool, target, json)| {
            (
                cluster.to_string(),
                serde_json::json!({
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {
                        "name": format!("{tool}-{target}"), "namespace": NAMESPACE,
                        "labels": {REPORT_LABEL: tool, TARGET_LABEL: target},
                    },
                    "data": {DATA_KEY: json},
                }),
            )
        })
        .collect()
}

/// Pods running the demo's images, with their `imageID`s (for the images' reports).
fn standard_pods(emu: &Emulator) -> Result<(), String> {
    let pods = [
        (
            "edge-lab",
            "podinfo",
            "ReplicaSet",
            "podinfo-7d9c5b",
            "ghcr.io/stefanprodan/podinfo:6.9.2",
            "ghcr.io/stefanprodan/podinfo@sha256:63f811565dec39cf1b3f77fa84d849ee9ae8457b8f37e9be8c3d20c7b1385145",
        ),
        (
            "edge-berlin",
            "mqtt",
            "ReplicaSet",
            "mosquitto-5f6d8c",
            "docker.io/library/eclipse-mosquitto:2.0.22",
            "docker.io/library/eclipse-mosquitto@sha256:377a93d5baccbf2d6766b59b63f46f24f4c1f0346151f575adb4762e5061a4d2",
        ),
        (
            "edge-berlin",
            "minio",
            "StatefulSet",
            "minio",
            "quay.io/minio/minio:RELEASE.2025-04-08T15-41-24Z",
            "quay.io/minio/minio@sha256:0275ad4afb67ffee06e722e11d9632353b37d3357a6b394ad8124f78e603eaa7",
        ),
    ];
    for (cluster, ns, owner_kind, owner, image, image_id) in pods {
        if !emu.clusters().iter().any(|c| c == cluster) {
            continue;
        }
        emu.apply(
            cluster,
            serde_json::json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {
                    "name": format!("{owner}-0"), "namespace": ns,
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner_kind, "name": owner, "uid": format!("{owner}-uid")}],
                },
                "spec": {"containers": [{"name": "main", "image": image}]},
                "status": {"phase": "Running", "containerStatuses": [
                    {"name": "main", "image": image, "imageID": image_id, "ready": true, "restartCount": 0}
                ]},
            }),
        )?;
    }
    Ok(())
}

/// Trivy Operator's `VulnerabilityReport`s on one demo site (edge-lab), from
/// `fixtures/demo/trivy/` (shaped as upstream's CRD, `fixtures/crds/trivy-operator/`), dated
/// two hours before `now`: the Images view's second source.
pub const TRIVY_SITE: &str = "edge-lab";

pub fn vulnerability_reports(emu: &Emulator, now: i64) -> Result<(), String> {
    if !emu.clusters().iter().any(|c| c == TRIVY_SITE) {
        return Ok(());
    }
    let reports: Vec<Value> =
        serde_json::from_str(include_str!("../../fixtures/demo/trivy/edge-lab.json"))
            .map_err(|e| format!("fixtures/demo/trivy/edge-lab.json: {e}"))?;
    for mut r in reports {
        r["report"]["updateTimestamp"] = Value::String(crate::model::format_time(now - 7200));
        emu.apply(TRIVY_SITE, r)?;
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

    /// The first time stamp of a log line, read as UTC (the fixtures' zones are all UTC).
    fn line_time(line: &str) -> Option<i64> {
        let at = line
            .find("T")
            .and_then(|t| line.get(t.checked_sub(10)?..t + 9))?;
        let civil: jiff::civil::DateTime = at.parse().ok()?;
        Some(
            civil
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()?
                .timestamp()
                .as_second(),
        )
    }

    #[test]
    fn time_stamps_in_text_move_in_their_own_format() {
        let text = "2026-09-21T11:56:02.118+0000 osd.2 4127 heartbeat\n\
            [2026-09-21T11:58:01.201Z  INFO io_engine] reactor 1\n\
            {\"time\":\"2026-09-21T23:59:59Z\",\"msg\":\"é 12026-09-21T11:00:00Z\"}\n\
            2026-09-21T11:38:12.004Z\tinfo\tpartition 2026_09";
        assert_eq!(
            shift_text(text, 3600),
            "2026-09-21T12:56:02.118+0000 osd.2 4127 heartbeat\n\
            [2026-09-21T12:58:01.201Z  INFO io_engine] reactor 1\n\
            {\"time\":\"2026-09-22T00:59:59Z\",\"msg\":\"é 12026-09-21T11:00:00Z\"}\n\
            2026-09-21T12:38:12.004Z\tinfo\tpartition 2026_09"
        );
        assert_eq!(shift_text("2026-09-21T11:5", 60), "2026-09-21T11:5");
        assert_eq!(shift_text("", 60), "");
    }

    /// The demo's stored log lines are shifted with the world: each log is in time order,
    /// within the last day, and ends no later than the first followed line (stamped now).
    #[test]
    fn stored_log_lines_end_now_and_followed_lines_come_after() {
        use crate::demo::emulator::logs::{LOG_ANNOTATION, PREVIOUS_LOG_ANNOTATION, follow_line};
        let now = 2_000_000_000;
        let emu = Emulator::new();
        load(&emu, now).unwrap();
        let mut logs = 0;
        for c in emu.clusters() {
            for pod in emu.list(&c, &crate::model::kinds::POD) {
                for key in [LOG_ANNOTATION, PREVIOUS_LOG_ANNOTATION] {
                    let Some(text) = pod["metadata"]["annotations"][key].as_str() else {
                        continue;
                    };
                    logs += 1;
                    let name = format!("{c}/{}: {key}", pod["metadata"]["name"]);
                    let times: Vec<i64> = text.lines().filter_map(line_time).collect();
                    assert_eq!(times.len(), text.lines().count(), "{name}: {text}");
                    assert!(times.is_sorted(), "{name}: {text}");
                    assert!(
                        times.iter().all(|t| (now - 86_400..=now).contains(t)),
                        "{name}: a stored line not within the last day: {text}"
                    );
                    let followed =
                        follow_line(Some(&pod), "p", "c", 1, &crate::model::format_time(now));
                    assert!(times.last() <= line_time(&followed).as_ref(), "{name}");
                }
            }
        }
        assert!(logs >= 4, "the world's stored logs were read: {logs}");
    }

    #[test]
    fn applications_point_at_the_given_commits() {
        let emu = Emulator::new();
        let git = Revisions {
            head: "1".repeat(40),
            previous: Some("2".repeat(40)),
        };
        load_at(&emu, 2_000_000_000, Some(&git)).unwrap();
        let apps = emu.list(MGMT, &crate::model::kinds::APPLICATION);
        assert_eq!(apps.len(), 25);
        for a in &apps {
            let text = a.to_string();
            assert!(
                !text.contains(FIXTURE_REVISION),
                "{}",
                a["metadata"]["name"]
            );
            assert!(!text.contains(FIXTURE_PREVIOUS_REVISION));
        }
        let berlin = apps
            .iter()
            .find(|a| a["metadata"]["name"] == "edge-berlin-capi")
            .unwrap();
        assert_eq!(berlin["status"]["sync"]["revision"], git.head.as_str());
        assert_eq!(
            berlin["status"]["operationState"]["syncResult"]["revision"],
            git.head.as_str()
        );
        assert_eq!(berlin["status"]["history"][0]["revision"], "2".repeat(40));
        // chart versions of multi-source apps stay
        let argocd = apps
            .iter()
            .find(|a| a["metadata"]["name"] == "mgmt-argocd")
            .unwrap();
        assert_eq!(
            argocd["status"]["sync"]["revisions"],
            serde_json::json!(["10.1.1", git.head])
        );
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
