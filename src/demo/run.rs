//! `blast demo`: makes the repo sandbox (a clone with its own bare `origin`), starts the emulator
//! with the world loaded (its Argo CD Applications at the sandbox's `main`), writes a kubeconfig
//! for it, starts the reconciler that follows pushes to the sandbox's `origin`, plays a
//! scenario, keeps node heartbeats going, and (with `--faults`) injects faults now and then.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use color_eyre::eyre::{WrapErr, eyre};
use serde_json::Value;
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::emulator::{Emulator, ServerHandle};
use super::sandbox::Sandbox;
use super::scenario::{self, Scenario, StepAction};
use super::{fixtures, reconcile, world};
use crate::cli::DemoArgs;
use crate::model::kinds;

/// What `blast demo` was asked to run.
pub struct Demo {
    pub scenario: Option<(String, Scenario)>,
    pub speed: f64,
    pub port: u16,
    pub faults: bool,
    pub write_kubeconfig: Option<PathBuf>,
    /// Keep the sandbox after exit.
    pub keep: bool,
    /// Where to make the sandbox (default: the system temp dir).
    pub sandbox_dir: Option<PathBuf>,
    /// The repo sandbox ([`Demo::make_sandbox`]); without one there is no reconciler and the
    /// Applications keep the fixtures' fake revision.
    pub sandbox: Option<Sandbox>,
}

/// The running demo datacenter. Dropping it stops nothing but removes the sandbox (unless
/// kept); call `stop`.
pub struct Running {
    pub emulator: Emulator,
    pub base_url: String,
    pub kubeconfig_path: PathBuf,
    /// The management cluster's context.
    pub context: String,
    pub contexts: Vec<String>,
    /// The repo sandbox, removed when this is dropped (unless kept).
    pub sandbox: Option<Sandbox>,
    server: ServerHandle,
    tasks: Vec<JoinHandle<()>>,
}

impl Demo {
    pub fn from_args(args: &DemoArgs) -> color_eyre::Result<Demo> {
        let scenario = match args.scenario.as_str() {
            "none" => None,
            name => {
                let text = fixtures::SCENARIOS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, t)| *t)
                    .ok_or_else(|| {
                        let names: Vec<&str> =
                            fixtures::SCENARIOS.iter().map(|(n, _)| *n).collect();
                        eyre!(
                            "no scenario \"{name}\"; bundled: {}, or none",
                            names.join(", ")
                        )
                    })?;
                let s = scenario::parse_scenario(&format!("{name}.yaml"), text)
                    .map_err(|e| eyre!("scenario {name}: {e}"))?;
                Some((name.to_string(), s))
            }
        };
        if args.speed.is_nan() || args.speed <= 0.0 {
            return Err(eyre!("--speed must be above 0"));
        }
        Ok(Demo {
            scenario,
            speed: args.speed,
            port: args.port,
            faults: args.faults,
            write_kubeconfig: args.write_kubeconfig.clone(),
            keep: args.keep,
            sandbox_dir: args.sandbox_dir.clone(),
            sandbox: None,
        })
    }

    /// Makes the sandbox from the repo at `source` (its `HEAD`; uncommitted changes are left
    /// out, and logged) and returns the clone's path, the repo the console should open.
    pub fn make_sandbox(&mut self, source: &Path) -> color_eyre::Result<PathBuf> {
        let sb = Sandbox::create(source, self.sandbox_dir.as_deref(), self.keep)
            .map_err(|e| eyre!("demo sandbox: {e}"))?;
        info!(
            source = %source.display(),
            clone = %sb.clone_path().display(),
            origin = %sb.origin().display(),
            revision = %sb.head(),
            kept = sb.kept(),
            "demo sandbox: a clone of HEAD with a local bare origin"
        );
        if sb.source_dirty() {
            warn!(
                source = %source.display(),
                "demo sandbox: the checkout has uncommitted changes; the sandbox is a clone of HEAD without them"
            );
        }
        let clone = sb.clone_path().to_path_buf();
        self.sandbox = Some(sb);
        Ok(clone)
    }

    /// Starts the emulator on 127.0.0.1 and everything that changes the world.
    pub async fn start(self, state_dir: &Path) -> color_eyre::Result<Running> {
        let emulator = Emulator::new();
        let git = self.sandbox.as_ref().map(|s| world::Revisions {
            head: s.head().to_string(),
            previous: s.previous().map(str::to_string),
        });
        world::load_at(&emulator, crate::kube::now(), git.as_ref())
            .map_err(|e| eyre!("demo world: {e}"))?;
        emulator.clair().load_demo();
        world::standards(&emulator).map_err(|e| eyre!("demo world: {e}"))?;
        world::vulnerability_reports(&emulator, crate::kube::now())
            .map_err(|e| eyre!("demo world: {e}"))?;
        let server = emulator
            .serve(SocketAddr::from(([127, 0, 0, 1], self.port)))
            .await
            .wrap_err_with(|| format!("starting the demo API emulator on port {}", self.port))?;
        let base_url = server.base_url();
        world::kubeconfig_secrets(&emulator, &base_url).map_err(|e| eyre!("demo world: {e}"))?;
        let path = match &self.write_kubeconfig {
            Some(p) => p.clone(),
            None => state_dir.join("demo").join("kubeconfig.yaml"),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).wrap_err_with(|| format!("creating {}", dir.display()))?;
        }
        write_whole(&path, &emulator.kubeconfig(&base_url, world::MGMT))
            .wrap_err_with(|| format!("writing {}", path.display()))?;
        info!(url = %base_url, kubeconfig = %path.display(), "demo emulator started");
        let mut tasks = vec![tokio::spawn(heartbeats(emulator.clone()))];
        if let Some(sb) = &self.sandbox {
            tasks.push(reconcile::spawn(
                emulator.clone(),
                reconcile::Options::new(sb.origin(), self.speed),
            ));
        }
        if let Some((name, s)) = self.scenario {
            info!(scenario = %name, speed = self.speed, "playing");
            // Once you push, the scenario stops: it would otherwise fight your change (the
            // default one scales the same workers and takes the spare Server).
            let origin = self.sandbox.as_ref().map(|sb| sb.origin().to_path_buf());
            tasks.push(tokio::spawn(play_until_push(
                emulator.clone(),
                s,
                self.speed,
                origin,
            )));
        }
        if self.faults {
            tasks.push(tokio::spawn(inject_faults(emulator.clone(), self.speed)));
        }
        let contexts = emulator.clusters();
        Ok(Running {
            emulator,
            base_url,
            kubeconfig_path: path,
            context: world::MGMT.to_string(),
            contexts,
            sandbox: self.sandbox,
            server,
            tasks,
        })
    }
}

impl Running {
    /// The demo's Clair: its URL and PSK (a fixed public demo key), for `[clair]`.
    pub fn clair(&self) -> crate::clair::ClairConfig {
        crate::clair::ClairConfig {
            url: Some(format!("{}/clair", self.base_url)),
            psk: Some(crate::demo::emulator::clair::DEMO_PSK.to_string()),
            issuer: Some(crate::demo::emulator::clair::DEMO_ISSUER.to_string()),
            contexts: Default::default(),
        }
    }

    pub async fn stop(self) {
        for t in &self.tasks {
            t.abort();
        }
        self.server.shutdown().await;
    }
}

/// Plays a scenario against the emulator, looping if it says so.
pub async fn play(emu: Emulator, s: Scenario, speed: f64) {
    play_until_push(emu, s, speed, None).await
}

/// [`play`], stopping before the next step once `origin`'s branch has moved (a push from the
/// console): from then on the world changes by what was pushed, not by the scenario.
pub async fn play_until_push(emu: Emulator, s: Scenario, speed: f64, origin: Option<PathBuf>) {
    let tip = |o: &Path| reconcile::tip(o, super::sandbox::BRANCH).ok();
    let start = origin.as_deref().and_then(tip);
    loop {
        for step in &s.steps {
            tokio::time::sleep(step.after.div_f64(speed)).await;
            if let Some(o) = &origin
                && start.is_some()
                && tip(o) != start
            {
                info!("a push arrived: the scenario stops, so that it does not undo it");
                return;
            }
            if let Err(e) = apply_step(&emu, &step.cluster, &step.action) {
                warn!(error = %e, "scenario step failed");
            }
        }
        if !s.loop_ || s.steps.is_empty() {
            return;
        }
    }
}

/// Applies one step now.
pub fn apply_step(emu: &Emulator, cluster: &str, action: &StepAction) -> Result<(), String> {
    let now = world::format_time(crate::kube::now());
    match action {
        StepAction::Set { target, set } => {
            let kind = target_kind(&target.api_version, &target.kind)?;
            let mut err = None;
            let found = emu.modify(
                cluster,
                kind,
                target.namespace.as_deref(),
                &target.name,
                |obj| {
                    err = scenario::apply_sets(obj, set, &now).err();
                },
            );
            if !found {
                return Err(format!(
                    "{} {} not found on {cluster}",
                    target.kind, target.name
                ));
            }
            err.map_or(Ok(()), Err)
        }
        StepAction::Create(obj) => {
            let mut obj = obj.clone();
            scenario::substitute_now(&mut obj, &now);
            emu.apply(cluster, obj)
        }
        StepAction::Delete(target) => {
            let kind = target_kind(&target.api_version, &target.kind)?;
            emu.delete(cluster, kind, target.namespace.as_deref(), &target.name);
            Ok(())
        }
    }
}

fn target_kind(api_version: &str, kind: &str) -> Result<&'static kinds::KindInfo, String> {
    let (group, _) = kinds::split_api_version(api_version);
    kinds::find(group, kind).ok_or_else(|| format!("unknown kind {api_version} {kind}"))
}

/// Kubelets post their status now and then even when nothing changed: the console must not
/// redraw for these.
async fn heartbeats(emu: Emulator) {
    let mut tick = tokio::time::interval(Duration::from_secs(40));
    loop {
        tick.tick().await;
        let now = world::format_time(crate::kube::now());
        for cluster in emu.clusters() {
            for node in emu.list(&cluster, &kinds::NODE) {
                let Some(name) = node["metadata"]["name"].as_str() else {
                    continue;
                };
                emu.modify(&cluster, &kinds::NODE, None, name, |o| heartbeat(o, &now));
            }
        }
    }
}

/// Sets every condition's `lastHeartbeatTime` on a Node to `now`.
pub fn heartbeat(node: &mut Value, now: &str) {
    if let Some(conds) = node
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        for c in conds {
            if let Some(m) = c.as_object_mut() {
                m.insert("lastHeartbeatTime".into(), Value::String(now.to_string()));
            }
        }
    }
}

/// `--faults`: one fault at a time, each followed by a quiet period, paced by `--speed` (a
/// quiet period of 30 s at speed 1; never under 3 s, and a fault lasts at least 2 s, so the
/// console's watches have time to fail and come back). Each fault is logged (`fault: …`).
pub async fn inject_faults(emu: Emulator, speed: f64) {
    let paced = |secs: f64, floor: f64| Duration::from_secs_f64((secs / speed).max(floor));
    let quiet = paced(30.0, 3.0);
    let window = paced(10.0, 2.0);
    loop {
        tokio::time::sleep(quiet).await;
        info!("fault: dropping every watch");
        emu.faults().drop_watches();
        tokio::time::sleep(quiet).await;
        // Watches are dropped as the errors start, so clients reconnect through them.
        info!("fault: every 3rd request answers 500 for {window:?}, watches dropped");
        emu.faults().set_error_rate(3);
        emu.faults().drop_watches();
        tokio::time::sleep(window).await;
        emu.faults().set_error_rate(0);
        tokio::time::sleep(quiet).await;
        info!("fault: 800ms latency for {window:?}");
        emu.faults().set_latency(Duration::from_millis(800));
        tokio::time::sleep(window).await;
        emu.faults().set_latency(Duration::ZERO);
        tokio::time::sleep(quiet).await;
        info!("fault: expiring every watch (410)");
        emu.faults().expire_watches();
        tokio::time::sleep(quiet).await;
        let victim = emu
            .list(world::MGMT, &kinds::MACHINE)
            .first()
            .and_then(|m| m["metadata"]["name"].as_str().map(str::to_string));
        if let Some(name) = victim {
            info!(machine = %name, "fault: serving a malformed Machine for {quiet:?}");
            emu.faults()
                .set_malformed(Some((world::MGMT, kinds::MACHINE.plural, &name)));
            tokio::time::sleep(quiet).await;
            emu.faults().set_malformed(None);
            tokio::time::sleep(quiet).await;
            info!(machine = %name, "fault: serving a Machine with broken metadata for {quiet:?}");
            emu.faults()
                .set_malformed_metadata(Some((world::MGMT, kinds::MACHINE.plural, &name)));
            tokio::time::sleep(quiet).await;
            emu.faults().set_malformed_metadata(None);
        }
    }
}

/// Writes a kubeconfig whole: beside it first, then renamed over it, so whoever waits for the
/// file (a script, kubectl, the tests) never reads it half written; owner-only, as kubectl
/// writes its own.
fn write_whole(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("blast-tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .and_then(|_| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::test_support::{bare_origin_and_clone, git};

    /// The kubeconfig is replaced whole (renamed into place), owner-only, with nothing left
    /// beside it.
    #[test]
    fn the_kubeconfig_is_written_whole_and_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kubeconfig.yaml");
        std::fs::write(&path, "old: a longer text than the new one\n").unwrap();
        write_whole(&path, "apiVersion: v1\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "apiVersion: v1\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("kubeconfig.yaml")]);
    }

    /// A push to the sandbox's origin stops the scenario before its next step.
    #[tokio::test]
    async fn the_scenario_stops_once_something_is_pushed() {
        let dir = tempfile::tempdir().unwrap();
        let (origin, work) = bare_origin_and_clone(dir.path(), "work");
        git(&work, &["commit", "-q", "--allow-empty", "-m", "one"]);
        git(&work, &["push", "-q", "origin", "HEAD:main"]);
        let emu = Emulator::new();
        world::load(&emu, crate::kube::now()).unwrap();
        let text = "description: two steps\nsteps:\n  - after: 0s\n    cluster: edge-berlin\n    target: {apiVersion: v1, kind: Node, name: berlin-w-2}\n    set:\n      metadata.labels.step: one\n  - after: 1s\n    cluster: edge-berlin\n    target: {apiVersion: v1, kind: Node, name: berlin-w-2}\n    set:\n      metadata.labels.step: two\n";
        let s = scenario::parse_scenario("t.yaml", text).unwrap();
        let label = |emu: &Emulator| {
            emu.get("edge-berlin", &kinds::NODE, None, "berlin-w-2")
                .unwrap()["metadata"]["labels"]["step"]
                .clone()
        };
        let task = tokio::spawn(play_until_push(emu.clone(), s, 1.0, Some(origin.clone())));
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(label(&emu), "one");
        git(&work, &["commit", "-q", "--allow-empty", "-m", "two"]);
        git(&work, &["push", "-q", "origin", "HEAD:main"]);
        task.await.unwrap();
        assert_eq!(label(&emu), "one", "the second step did not run");
    }
}
