//! Issue 15's closing note, tested: for each kind of problem the demo's scenarios create, the
//! keys from the overview to the Pod, Event or log line that explains it, pressed in the real
//! binary (`blast demo --scenario …`) in a pseudo-terminal, and the cause's text on screen.
//!
//! | scenario | keys from the overview | the cause on screen |
//! |---|---|---|
//! | `worker-notready` | `j`… to `Cluster edge-berlin`, Enter, `w`, `j`… to `minio-1`, Enter | Warning `NodeNotReady` "Node is not ready" on the Pod |
//! | `ceph-warn` | `j`… to `CephCluster rook-ceph`, Enter, `w`, `j`, Enter, `L` | osd-2 last OOMKilled; its log's slow ops |
//! | `mayastor-degraded` | `j`… to `DiskPool pool-lab-2`, Enter, `w`, `L` | the io-engine's log: I/O error on nvme1n1 |
//! | `backup-retry` | `j`… to `Policy kasten-io/apps-daily`, Enter, `w`, `j`, Enter, `L` | executor Error exit 1 with its message, Warning BackOff; its log |
//! | `image-pull` | `j`… to `Application edge-lab-podinfo`, Enter, `w`, `j`… to the new Pod, Enter | ImagePullBackOff; Warning Failed "Failed to pull image …" |

use std::path::Path;
use std::time::{Duration, Instant};

use crate::pty::Pty;

/// One step of a walk through the demo.
enum Step<'a> {
    /// Waits up to so many seconds until the screen satisfies the check, else fails with the text.
    Until(u64, &'a str, &'a dyn Fn(&str) -> bool),
    /// Presses `j` until the selected row contains the text (at most so many presses).
    Select(&'a str, usize),
    /// Sends the keys.
    Key(&'a str),
    /// Checks the screen as it is now (no waiting).
    Now(&'a dyn Fn(&str)),
}
use Step::{Key, Now, Select, Until};

/// Runs `blast demo --scenario <scenario> --speed <speed> --view overview` in a 200x50 pty,
/// walks the steps in order, then quits and checks the exit code.
fn walk(scenario: &str, speed: &str, steps: &[Step]) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = Pty::spawn(
        &[
            "demo",
            "--scenario",
            scenario,
            "--speed",
            speed,
            "--view",
            "overview",
        ],
        repo,
        200,
        50,
        // Mono: the selection is reverse video, which `reversed_rows` finds.
        &[("NO_COLOR", "1")],
    );
    for step in steps {
        match step {
            Until(secs, what, pred) => t.wait_until(*secs, what, pred),
            Select(text, max) => select(&t, text, *max),
            Key(keys) => t.send(keys),
            Now(check) => check(&t.screen()),
        }
    }
    t.quit();
}

/// Presses `j` until the selected row contains `text` (at most `max` presses).
fn select(t: &Pty, text: &str, max: usize) {
    for _ in 0..=max {
        let deadline = Instant::now() + Duration::from_millis(600);
        while Instant::now() < deadline {
            if t.reversed_rows().iter().any(|r| r.contains(text)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        t.send("j");
    }
    panic!("{text} never got selected:\n{}", t.screen());
}

#[test]
fn worker_notready_to_the_node_controllers_event_on_its_pods() {
    walk(
        "worker-notready",
        "1",
        &[
            Until(40, "the Cluster never lost availability", &|s| {
                s.contains("Cluster edge-berlin")
            }),
            Select("Cluster edge-berlin", 40),
            Key("\r"),
            Until(10, "Enter did not open the cluster's tree", &|s| {
                s.contains("problem: fleet: Cluster edge-berlin")
            }),
            Key("\x1b"),
            Select("Node/berlin-w-2", 40),
            Key("w"),
            Until(10, "w did not show the node's Pods", &|s| {
                s.contains("Pods on node berlin-w-2") && s.contains("minio-1")
            }),
            // Marked not Ready by the node controller though its container still says ready.
            Now(&|s| {
                let row = s.lines().find(|l| l.contains("minio-1 ")).unwrap();
                assert!(row.contains("NotReady"), "{row}");
            }),
            Select("minio-1", 20),
            Key("\r"),
            Until(10, "the Pod's Events do not say why", &|s| {
                s.contains("NodeNotReady") && s.contains("Node is not ready")
            }),
        ],
    );
}

#[test]
fn ceph_warn_to_the_oom_killed_osd_and_its_log() {
    walk(
        "ceph-warn",
        "4",
        &[
            Until(60, "no Ceph warning in the overview", &|s| {
                s.contains("CephCluster rook-ceph")
            }),
            Select("CephCluster rook-ceph", 40),
            Key("\r"),
            Until(10, "Enter did not show the health check", &|s| {
                s.contains("osd.2 has slow ops")
            }),
            Key("w"),
            Until(10, "w did not show the OSDs", &|s| {
                s.contains("Workloads · Ceph OSDs of CephCluster rook-ceph")
            }),
            Select("rook-ceph-osd-2-j8cmrgpkd", 5),
            Key("\r"),
            Until(10, "the OSD's pop-up does not say why", &|s| {
                // Wrapped in the pop-up: the words, not the line.
                s.contains("OOMKilled (exit 137)") && s.contains("CrashLoopBackOff")
            }),
            Key("L"),
            Until(20, "the log does not show the slow ops", &|s| {
                s.contains("slow ops")
            }),
        ],
    );
}

#[test]
fn mayastor_degraded_to_the_io_engine_log() {
    walk(
        "mayastor-degraded",
        "4",
        &[
            Until(60, "pool-lab-2 never showed as a problem", &|s| {
                s.contains("DiskPool pool-lab-2")
            }),
            Select("DiskPool pool-lab-2", 40),
            Key("\r"),
            Until(10, "Enter did not show the pool's problem", &|s| {
                s.contains("problem: storage: DiskPool pool-lab-2")
            }),
            Key("w"),
            Until(10, "w did not show the io-engine", &|s| {
                s.contains("Workloads · the io-engine of DiskPool pool-lab-2")
                    && s.contains("openebs-io-engine-p98hn")
            }),
            Select("openebs-io-engine-p98hn", 5),
            Key("L"),
            Until(
                20,
                "the io-engine's log does not show the I/O errors",
                &|s| s.contains("I/O error on nvme1n1 (pool-lab-2)"),
            ),
        ],
    );
}

#[test]
fn backup_retry_to_the_executor_that_exited_and_its_log() {
    walk(
        "backup-retry",
        "3",
        &[
            Until(90, "the failed export never showed in the overview", &|s| {
                s.contains("apps-daily") && s.contains("context deadline exceeded")
            }),
            Select("apps-daily", 40),
            Key("\r"),
            Until(10, "Enter did not show the policy's failure", &|s| {
                s.contains("problem: backup:")
            }),
            Key("w"),
            Until(10, "w did not show K10's executor", &|s| {
                s.contains("Workloads · K10's executor") && s.contains("executor-svc-")
            }),
            Select("executor-svc-", 5),
            Key("\r"),
            Until(10, "the executor's pop-up does not say why", &|s| {
                s.contains("Error (exit 1): Failed to export snapshot data")
                    || s.contains("Terminated (Error)")
                        && s.contains("Failed to export snapshot data")
            }),
            Until(10, "the kubelet's Warning is not shown", &|s| {
                s.contains("BackOff")
                    && s.contains("Back-off restarting failed container executor-svc")
            }),
            Key("L"),
            Until(20, "the log does not say why the export failed", &|s| {
                s.contains(
                    "\"msg\":\"Failed to export snapshot data: timeout writing to s3://k10-edge-lab",
                )
            }),
        ],
    );
}

#[test]
fn image_pull_to_the_pods_failed_pull_event() {
    walk(
        "image-pull",
        "4",
        &[
            Until(60, "edge-lab-podinfo never went Degraded", &|s| {
                s.contains("Application edge-lab-podinfo") && s.contains("Degraded")
            }),
            Select("Application edge-lab-podinfo", 40),
            Key("\r"),
            Until(10, "Enter did not show the Application's reason", &|s| {
                s.contains("exceeded its progress deadline")
            }),
            Key("w"),
            Until(10, "w did not show the Application's workloads", &|s| {
                s.contains("Workloads · Application edge-lab-podinfo")
                    && s.contains("podinfo-7b9c4d6f8d-q2m9s")
            }),
            Select("podinfo-7b9c4d6f8d-q2m9s", 5),
            Key("\r"),
            Until(10, "the Pod's pop-up does not say why", &|s| {
                s.contains("ImagePullBackOff")
                    && s.contains("Failed to pull image \"ghcr.io/stefanprodan/podinfo:6.9.30\"")
            }),
        ],
    );
}
