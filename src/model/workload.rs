//! Workloads and their Pods: Deployment, DaemonSet, Job (StatefulSet is in `storage`) and Pod.
//!
//! Only what the workloads view shows: desired and ready counts, the Pod's phase, node and
//! conditions, and per container its state with the reason (`CrashLoopBackOff`, `OOMKilled`,
//! `ImagePullBackOff`) and message. No environment, no volumes, no command lines: a Pod spec can
//! carry secrets in plain text (`env[].value`), so nothing of it is kept but names and images.

use super::meta::Json;
use serde::Deserialize;
use serde_json::Value;

use super::Time;
use super::meta::{
    Condition, Meta, ParseError, RawCondition, RawMeta, conditions, from_value, time,
};

/// A Deployment, DaemonSet, Job or CronJob.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Workload {
    pub meta: Meta,
    /// `Deployment` | `DaemonSet` | `Job` | `CronJob`.
    pub kind: &'static str,
    /// Replicas, desired scheduled (DaemonSet), completions (Job).
    pub desired: u32,
    /// Ready replicas, ready pods (DaemonSet), succeeded (Job).
    pub ready: u32,
    /// Jobs: failed pods.
    pub failed: u32,
    /// Image of the first container.
    pub image: Option<String>,
    pub conditions: Vec<Condition>,
    /// The policy rules the live object fails (`policy::live::failed_rules`): the Standards
    /// view's drift, against the rules its manifest passes.
    pub policy_failed: Vec<&'static str>,
}

/// One container of a Pod, from its spec and its status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContainerInfo {
    pub name: String,
    pub init: bool,
    pub image: String,
    /// `status.containerStatuses[].imageID`: what the node pulled (`repo@sha256:…`).
    pub image_id: String,
    pub ready: bool,
    pub restarts: i32,
    /// `Running` | `Waiting` | `Terminated` | `` (no status yet).
    pub state: String,
    /// Waiting or terminated reason: `CrashLoopBackOff`, `ImagePullBackOff`, `Completed`, ….
    pub reason: String,
    pub message: String,
    /// The last termination's reason and exit code (`OOMKilled`, 137).
    pub last_reason: String,
    pub last_exit: Option<i32>,
    pub last_finished: Option<Time>,
    /// The last termination's message (the container's termination log, `kubectl describe`'s
    /// `Last State: … Message:`): why it exited.
    pub last_message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pod {
    pub meta: Meta,
    /// `Pending` | `Running` | `Succeeded` | `Failed` | `Unknown`.
    pub phase: String,
    /// `status.reason` (`Evicted`, `NodeLost`) and `status.message`.
    pub reason: String,
    pub message: String,
    pub node: Option<String>,
    pub started: Option<Time>,
    pub containers: Vec<ContainerInfo>,
    pub conditions: Vec<Condition>,
    /// A bare Pod's (no owner) failed policy rules (`policy::live::failed_rules`), for drift;
    /// empty for a Pod a controller made.
    pub policy_failed: Vec<&'static str>,
}

impl Pod {
    pub fn restarts(&self) -> i32 {
        self.containers.iter().map(|c| c.restarts).sum()
    }

    /// Ready containers / containers (init containers not counted).
    pub fn ready_count(&self) -> (usize, usize) {
        let main: Vec<_> = self.containers.iter().filter(|c| !c.init).collect();
        (main.iter().filter(|c| c.ready).count(), main.len())
    }

    /// What `kubectl get pods` prints as STATUS: the first waiting/terminated reason of a
    /// container that is not fine, else the Pod's reason, else its phase.
    pub fn status(&self) -> String {
        if self.meta.deleting.is_some() {
            return "Terminating".into();
        }
        for c in self.containers.iter().filter(|c| c.init) {
            if !c.reason.is_empty() && c.reason != "Completed" {
                return format!("Init:{}", c.reason);
            }
        }
        for c in self.containers.iter().filter(|c| !c.init) {
            if !c.reason.is_empty() && c.reason != "Completed" {
                return c.reason.clone();
            }
        }
        if !self.reason.is_empty() {
            return self.reason.clone();
        }
        if self.phase == "Running"
            && (self.ready_count().0 < self.ready_count().1 || self.marked_not_ready())
        {
            return "NotReady".into();
        }
        self.phase.clone()
    }

    /// Condition Ready is False though every container reports ready: what the node lifecycle
    /// controller does to the Pods of a node that stopped posting status (`MarkPodsNotReady`;
    /// the containers keep what the kubelet last posted, so `kubectl get pods` still says 1/1).
    pub fn marked_not_ready(&self) -> bool {
        let (ready, total) = self.ready_count();
        ready == total
            && super::meta::condition(&self.conditions, "Ready")
                .is_some_and(|c| c.status == super::meta::CondStatus::False)
    }

    /// The Pod is not as it should be: not Running/Succeeded, a container not ready, or a
    /// container restarting.
    pub fn is_bad(&self) -> bool {
        let (ready, total) = self.ready_count();
        // Restarted after a failure (OOMKilled, Error): running again, but not well.
        if self
            .containers
            .iter()
            .any(|c| c.restarts > 0 && !c.last_reason.is_empty() && c.last_reason != "Completed")
        {
            return true;
        }
        match self.phase.as_str() {
            "Succeeded" => false,
            "Running" => ready < total || self.status() != "Running",
            _ => true,
        }
    }

    /// The workload that owns the Pod: (kind, name). A ReplicaSet `<deploy>-<hash>` with the
    /// Pod's `pod-template-hash` label is its Deployment's.
    pub fn owner(&self) -> Option<(&'static str, String)> {
        let o = self.meta.owner.as_ref()?;
        Some(match o.kind.as_str() {
            "ReplicaSet" => {
                let deploy = self
                    .meta
                    .label("pod-template-hash")
                    .and_then(|h| o.name.strip_suffix(&format!("-{h}")))
                    .unwrap_or(&o.name);
                ("Deployment", deploy.to_string())
            }
            "StatefulSet" => ("StatefulSet", o.name.clone()),
            "DaemonSet" => ("DaemonSet", o.name.clone()),
            "Job" => ("Job", o.name.clone()),
            _ => return None,
        })
    }

    /// Every container name, the main ones first (what logs can be asked of).
    pub fn container_names(&self) -> Vec<String> {
        let mut v: Vec<_> = self.containers.iter().filter(|c| !c.init).collect();
        v.extend(self.containers.iter().filter(|c| c.init));
        v.into_iter().map(|c| c.name.clone()).collect()
    }
}

// --- raw shapes

#[derive(Deserialize)]
struct Object<S, T> {
    metadata: Option<RawMeta>,
    spec: Option<S>,
    status: Option<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawContainer {
    name: Option<String>,
    image: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPodSpec {
    node_name: Option<String>,
    containers: Option<Vec<RawContainer>>,
    init_containers: Option<Vec<RawContainer>>,
}

#[derive(Deserialize)]
struct Template {
    spec: Option<RawPodSpec>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WorkloadSpec {
    replicas: Option<u32>,
    completions: Option<u32>,
    template: Option<Template>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WorkloadStatus {
    ready_replicas: Option<u32>,
    desired_number_scheduled: Option<u32>,
    number_ready: Option<u32>,
    succeeded: Option<u32>,
    failed: Option<u32>,
    conditions: Option<Vec<RawCondition>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStateDetail {
    reason: Option<String>,
    message: Option<String>,
    exit_code: Option<i32>,
    finished_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawState {
    running: Option<Value>,
    waiting: Option<RawStateDetail>,
    terminated: Option<RawStateDetail>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawContainerStatus {
    name: Option<String>,
    image: Option<String>,
    #[serde(rename = "imageID")]
    image_id: Option<String>,
    ready: Option<bool>,
    restart_count: Option<i32>,
    state: Option<RawState>,
    last_state: Option<RawState>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPodStatus {
    phase: Option<String>,
    reason: Option<String>,
    message: Option<String>,
    start_time: Option<String>,
    conditions: Option<Vec<RawCondition>>,
    container_statuses: Option<Vec<RawContainerStatus>>,
    init_container_statuses: Option<Vec<RawContainerStatus>>,
}

impl Workload {
    pub fn parse<'a>(kind: &'static str, v: impl Into<Json<'a>>) -> Result<Workload, ParseError> {
        let v: Json<'a> = v.into();
        let o: Object<WorkloadSpec, WorkloadStatus> = from_value(v)?;
        let mut w = Workload {
            meta: o.metadata.unwrap_or_default().into_meta(),
            kind,
            policy_failed: crate::policy::live::failed_rules(kind, v),
            ..Default::default()
        };
        if let Some(spec) = o.spec {
            w.desired = match kind {
                "Job" => spec.completions.unwrap_or(1),
                "DaemonSet" | "CronJob" => 0,
                _ => spec.replicas.unwrap_or(1),
            };
            w.image = spec
                .template
                .and_then(|t| t.spec)
                .and_then(|s| s.containers)
                .and_then(|c| c.into_iter().next())
                .and_then(|c| c.image);
        }
        if let Some(st) = o.status {
            match kind {
                "DaemonSet" => {
                    w.desired = st.desired_number_scheduled.unwrap_or(0);
                    w.ready = st.number_ready.unwrap_or(0);
                }
                "Job" => {
                    w.ready = st.succeeded.unwrap_or(0);
                    w.failed = st.failed.unwrap_or(0);
                }
                _ => w.ready = st.ready_replicas.unwrap_or(0),
            }
            w.conditions = conditions(st.conditions);
        }
        Ok(w)
    }

    /// A failed Job, or fewer ready than desired.
    pub fn is_bad(&self) -> bool {
        if self.kind == "Job" {
            return super::meta::condition(&self.conditions, "Failed")
                .is_some_and(|c| c.status == super::CondStatus::True);
        }
        self.ready < self.desired
    }
}

fn state_of(s: Option<RawState>) -> (String, String, String, Option<i32>, Option<Time>) {
    let Some(s) = s else {
        return Default::default();
    };
    if let Some(w) = s.waiting {
        return (
            "Waiting".into(),
            w.reason.unwrap_or_default(),
            w.message.unwrap_or_default(),
            None,
            None,
        );
    }
    if let Some(t) = s.terminated {
        return (
            "Terminated".into(),
            t.reason.unwrap_or_default(),
            t.message.unwrap_or_default(),
            t.exit_code,
            time(&t.finished_at),
        );
    }
    if s.running.is_some() {
        return ("Running".into(), String::new(), String::new(), None, None);
    }
    Default::default()
}

impl Pod {
    pub fn parse<'a>(v: impl Into<Json<'a>>) -> Result<Pod, ParseError> {
        let v: Json<'a> = v.into();
        let o: Object<RawPodSpec, RawPodStatus> = from_value(v)?;
        let mut p = Pod {
            meta: o.metadata.unwrap_or_default().into_meta(),
            ..Default::default()
        };
        // A bare Pod (no owner) is a workload of its own, compared with its manifest (drift);
        // the rules run only on those, not on the many Pods a controller made.
        if p.meta.owner.is_none() {
            p.policy_failed = crate::policy::live::failed_rules("Pod", v);
        }
        let add = |list: Option<Vec<RawContainer>>, init: bool, out: &mut Vec<ContainerInfo>| {
            for c in list.unwrap_or_default() {
                out.push(ContainerInfo {
                    name: c.name.unwrap_or_default(),
                    init,
                    image: c.image.unwrap_or_default(),
                    ..Default::default()
                });
            }
        };
        if let Some(spec) = o.spec {
            p.node = spec.node_name.filter(|n| !n.is_empty());
            add(spec.init_containers, true, &mut p.containers);
            add(spec.containers, false, &mut p.containers);
        }
        if let Some(st) = o.status {
            p.phase = st.phase.unwrap_or_default();
            p.reason = st.reason.unwrap_or_default();
            p.message = st.message.unwrap_or_default();
            p.started = time(&st.start_time);
            p.conditions = conditions(st.conditions);
            let statuses = st
                .init_container_statuses
                .unwrap_or_default()
                .into_iter()
                .map(|s| (true, s))
                .chain(
                    st.container_statuses
                        .unwrap_or_default()
                        .into_iter()
                        .map(|s| (false, s)),
                );
            for (init, s) in statuses {
                let name = s.name.unwrap_or_default();
                let i = match p
                    .containers
                    .iter()
                    .position(|c| c.name == name && c.init == init)
                {
                    Some(i) => i,
                    None => {
                        p.containers.push(ContainerInfo {
                            name: name.clone(),
                            init,
                            ..Default::default()
                        });
                        p.containers.len() - 1
                    }
                };
                let c = &mut p.containers[i];
                if c.image.is_empty() {
                    c.image = s.image.unwrap_or_default();
                }
                c.image_id = s.image_id.unwrap_or_default();
                c.ready = s.ready.unwrap_or(false);
                c.restarts = s.restart_count.unwrap_or(0);
                let (state, reason, message, _, _) = state_of(s.state);
                c.state = state;
                c.reason = reason;
                c.message = message;
                let (_, last_reason, last_message, last_exit, last_finished) =
                    state_of(s.last_state);
                c.last_reason = last_reason;
                c.last_message = last_message;
                c.last_exit = last_exit;
                c.last_finished = last_finished;
            }
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> Value {
        crate::repo::yaml_serde::from_str(s).unwrap()
    }

    /// The node lifecycle controller's `MarkPodsNotReady` sets only the Pod's Ready condition:
    /// the containers keep saying ready (kubectl: 1/1 Running). The console says NotReady.
    #[test]
    fn a_pod_marked_not_ready_by_the_node_controller_is_not_ready() {
        let p = Pod::parse(&yaml(
            "metadata: {name: minio-1}\nspec: {nodeName: berlin-w-2}\nstatus: {phase: Running, conditions: [{type: Ready, status: 'False'}, {type: ContainersReady, status: 'True'}], containerStatuses: [{name: minio, ready: true, state: {running: {}}}]}",
        ))
        .unwrap();
        assert!(p.marked_not_ready());
        assert_eq!(p.status(), "NotReady");
        assert!(p.is_bad());
        let ok = Pod::parse(&yaml(
            "metadata: {name: minio-1}\nstatus: {phase: Running, conditions: [{type: Ready, status: 'True'}], containerStatuses: [{name: minio, ready: true, state: {running: {}}}]}",
        ))
        .unwrap();
        assert!(!ok.marked_not_ready());
        assert_eq!(ok.status(), "Running");
    }

    /// A restarted container's last termination message (its termination log) is kept: it says
    /// why it exited.
    #[test]
    fn the_last_termination_message_is_kept() {
        let p = Pod::parse(&yaml(
            "metadata: {name: executor-svc-x}\nstatus: {phase: Running, containerStatuses: [{name: executor-svc, ready: true, restartCount: 1, state: {running: {}}, lastState: {terminated: {reason: Error, exitCode: 1, message: 'Failed to export snapshot data: context deadline exceeded'}}}]}",
        ))
        .unwrap();
        let c = &p.containers[0];
        assert_eq!(
            (c.last_reason.as_str(), c.last_exit, c.last_message.as_str()),
            (
                "Error",
                Some(1),
                "Failed to export snapshot data: context deadline exceeded"
            )
        );
    }

    #[test]
    fn a_crash_looping_pod_says_why() {
        let p = Pod::parse(&yaml(
            r#"
metadata:
  name: rook-ceph-osd-2-5d8f7c9b6-x2x7q
  namespace: rook-ceph
  labels: {pod-template-hash: 5d8f7c9b6}
  ownerReferences: [{kind: ReplicaSet, name: rook-ceph-osd-2-5d8f7c9b6, controller: true}]
spec:
  nodeName: berlin-w-3
  initContainers: [{name: activate, image: ceph:v19}]
  containers: [{name: osd, image: ceph:v19, env: [{name: PASSWORD, value: hunter2}]}]
status:
  phase: Running
  initContainerStatuses:
  - {name: activate, ready: true, restartCount: 0, state: {terminated: {reason: Completed, exitCode: 0}}}
  containerStatuses:
  - name: osd
    ready: false
    restartCount: 7
    state: {waiting: {reason: CrashLoopBackOff, message: "back-off 5m0s restarting failed container"}}
    lastState: {terminated: {reason: OOMKilled, exitCode: 137, finishedAt: "2026-09-21T11:58:00Z"}}
"#,
        ))
        .unwrap();
        assert_eq!(p.status(), "CrashLoopBackOff");
        assert_eq!(p.restarts(), 7);
        assert!(p.is_bad());
        assert_eq!(
            p.owner(),
            Some(("Deployment", "rook-ceph-osd-2".to_string()))
        );
        let osd = &p.containers[1];
        assert_eq!(
            (osd.last_reason.as_str(), osd.last_exit),
            ("OOMKilled", Some(137))
        );
        assert_eq!(p.container_names(), ["osd", "activate"]);
        assert!(!format!("{p:?}").contains("hunter2"), "no env kept");
        let ok = Pod::parse(&yaml(
            "metadata: {name: a}\nstatus: {phase: Running, containerStatuses: [{name: c, ready: true, state: {running: {}}}]}",
        ))
        .unwrap();
        assert!(!ok.is_bad());
        assert_eq!(ok.status(), "Running");
    }

    #[test]
    fn workloads_count_ready_and_failed_jobs() {
        let d = Workload::parse(
            "Deployment",
            &yaml("metadata: {name: d}\nspec: {replicas: 2}\nstatus: {readyReplicas: 1}"),
        )
        .unwrap();
        assert_eq!((d.desired, d.ready, d.is_bad()), (2, 1, true));
        let ds = Workload::parse(
            "DaemonSet",
            &yaml("metadata: {name: d}\nstatus: {desiredNumberScheduled: 3, numberReady: 3}"),
        )
        .unwrap();
        assert_eq!((ds.desired, ds.ready, ds.is_bad()), (3, 3, false));
        let j = Workload::parse(
            "Job",
            &yaml("metadata: {name: j}\nspec: {completions: 1}\nstatus: {failed: 3, conditions: [{type: Failed, status: 'True', reason: BackoffLimitExceeded}]}"),
        )
        .unwrap();
        assert!(j.is_bad());
        assert_eq!(j.failed, 3);
        assert!(Pod::parse(&yaml("status: {phase: 5}")).is_err());
    }
}
