//! Exec credential plugins (kubelogin, `aws eks get-token`, `gke-gcloud-auth-plugin`, …).
//!
//! A plugin may need the terminal: a password, a device code, "press enter to open the
//! browser". Once the TUI owns the terminal it must not get it, so:
//! - [`prepare`] runs, before the TUI starts, the plugin of each context the console will watch
//!   once, on the plain terminal (stdin and stderr inherited, as kubectl runs it), so a login
//!   happens where the user can see it and the plugin caches its credentials as it does for
//!   kubectl;
//! - inside the TUI every client runs its plugin non-interactively (`interactiveMode: Never`,
//!   stdin closed, stderr captured: see `client::client`), so a plugin that still needs input
//!   fails and is shown as that context's error in the header, never drawn over the screen.
//!
//! Nothing a plugin prints on stdout (the credential) is kept, shown or logged.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::Path;
use std::process::{Command, Stdio};

use kube::config::{ExecConfig, ExecInteractiveMode, Kubeconfig};
use serde_json::{Value, json};

/// What [`prepare`] did for one context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepared {
    /// The plugin gave credentials.
    Ready,
    /// The context's user has no exec plugin (or it is non-interactive): nothing to do.
    NotNeeded,
    /// The plugin failed; the console starts anyway and shows the error for that context.
    Failed(String),
}

/// Runs the exec plugins of the contexts the console will watch (`contexts`, or the current
/// context when empty), once each, with the terminal, before the TUI takes it. Each distinct
/// plugin command runs once even when several contexts share the user. Does nothing when the
/// kubeconfig cannot be read (the console says so itself) or stdin is not a terminal.
pub fn prepare(kubeconfig: Option<&Path>, contexts: &[String]) -> Vec<(String, Prepared)> {
    let Ok(kc) = super::client::load(kubeconfig) else {
        return Vec::new();
    };
    let interactive = std::io::stdin().is_terminal();
    prepare_with(&kc, contexts, interactive)
}

pub fn prepare_with(
    kc: &Kubeconfig,
    contexts: &[String],
    interactive: bool,
) -> Vec<(String, Prepared)> {
    let wanted: Vec<String> = if contexts.is_empty() {
        kc.current_context.clone().into_iter().collect()
    } else {
        contexts.to_vec()
    };
    let mut done: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for ctx in wanted {
        let Some((exec, server)) = exec_of(kc, &ctx) else {
            out.push((ctx, Prepared::NotNeeded));
            continue;
        };
        if exec.interactive_mode == Some(ExecInteractiveMode::Never) || !interactive {
            out.push((ctx, Prepared::NotNeeded));
            continue;
        }
        let id = serde_json::to_string(&(&exec.command, &exec.args, &exec.env)).unwrap_or_default();
        if !done.insert(id) {
            out.push((ctx, Prepared::Ready));
            continue;
        }
        eprintln!("blast: getting credentials for context {ctx} …");
        let result = match run_plugin(&exec, server.as_deref()) {
            Ok(()) => Prepared::Ready,
            Err(e) => {
                eprintln!("blast: context {ctx}: {e}");
                Prepared::Failed(e)
            }
        };
        out.push((ctx, result));
    }
    out
}

/// The exec config of a context's user and its cluster's server.
fn exec_of(kc: &Kubeconfig, context: &str) -> Option<(ExecConfig, Option<String>)> {
    let ctx = kc
        .contexts
        .iter()
        .find(|c| c.name == context)?
        .context
        .as_ref()?;
    let user_name = ctx.user.clone()?;
    let user = kc.auth_infos.iter().find(|u| u.name == user_name)?;
    let exec = user.auth_info.as_ref()?.exec.clone()?;
    let server = kc
        .clusters
        .iter()
        .find(|c| c.name == ctx.cluster)
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone());
    Some((exec, server))
}

/// Runs a plugin as kubectl does for an interactive session and checks that it answered with
/// credentials. The answer itself is dropped.
fn run_plugin(exec: &ExecConfig, server: Option<&str>) -> Result<(), String> {
    let program = exec
        .command
        .as_deref()
        .ok_or("the exec plugin has no command")?;
    let mut cmd = Command::new(program);
    cmd.args(exec.args.iter().flatten());
    for env in exec.env.iter().flatten() {
        if let (Some(k), Some(v)) = (env.get("name"), env.get("value")) {
            cmd.env(k, v);
        }
    }
    let mut spec = json!({"interactive": true});
    if exec.provide_cluster_info
        && let Some(server) = server
    {
        spec["cluster"] = json!({"server": server});
    }
    let info = json!({
        "apiVersion": exec.api_version.clone().unwrap_or_else(|| "client.authentication.k8s.io/v1".into()),
        "kind": "ExecCredential",
        "spec": spec,
    });
    cmd.env("KUBERNETES_EXEC_INFO", info.to_string());
    cmd.stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .stdout(Stdio::piped());
    let out = cmd.output().map_err(|e| start_error(program, exec, &e))?;
    if !out.status.success() {
        return Err(format!(
            "credential plugin {} failed ({})",
            base_name(program),
            out.status
        ));
    }
    check_answer(&out.stdout).map_err(|e| format!("credential plugin {}: {e}", base_name(program)))
}

/// Whether a plugin's stdout is an `ExecCredential` with a token or a client certificate.
fn check_answer(stdout: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(stdout).map_err(|_| "its answer is not UTF-8".to_string())?;
    let v: Value = crate::repo::yaml_serde::from_str(text)
        .map_err(|_| "its answer is not an ExecCredential".to_string())?;
    let status = &v["status"];
    let has = |k: &str| status[k].as_str().is_some_and(|s| !s.is_empty());
    if has("token") || (has("clientCertificateData") && has("clientKeyData")) {
        Ok(())
    } else {
        Err("its answer holds no token or client certificate".into())
    }
}

fn start_error(program: &str, exec: &ExecConfig, e: &std::io::Error) -> String {
    let mut msg = format!("credential plugin {program} could not start: {e}");
    if let Some(hint) = &exec.install_hint {
        msg.push_str(&format!(" ({})", hint.trim()));
    }
    msg
}

fn base_name(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

/// A client setup error of a context whose user has an exec plugin, in words for the header.
/// Never quotes what the plugin printed on stdout (credentials), nor its environment; of
/// stderr, only the last line (where plugins say what is wrong), shortened.
pub fn describe_error(e: &kube::Error) -> String {
    use kube::client::AuthError as A;
    let kube::Error::Auth(auth) = e else {
        return e.to_string();
    };
    match auth {
        A::AuthExecRun { out, .. } => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("");
            let mut last: String = last.chars().filter(|c| !c.is_control()).collect();
            if last.chars().count() > 160 {
                last = last.chars().take(160).collect::<String>() + "…";
            }
            let mut msg = format!(
                "credential plugin failed ({}) without a terminal; it may need a login: run `blast` again, or `kubectl get ns` for this context, in a terminal",
                out.status
            );
            if !last.is_empty() {
                msg.push_str(&format!(": {last}"));
            }
            msg
        }
        A::AuthExecStart(io) => format!("credential plugin could not start: {io}"),
        A::AuthExecParse(_) => {
            "credential plugin answered something that is not an ExecCredential".into()
        }
        A::ExecPluginFailed => "credential plugin answered without credentials".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_with_credentials_pass_and_others_do_not() {
        assert!(check_answer(br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}"#).is_ok());
        assert!(
            check_answer(
                b"kind: ExecCredential\nstatus: {clientCertificateData: c, clientKeyData: k}\n"
            )
            .is_ok()
        );
        assert!(check_answer(br#"{"status":{}}"#).is_err());
        let err = check_answer(b"secret-token-text").unwrap_err();
        assert!(!err.contains("secret"), "{err}");
    }

    fn kc_with_plugin(script: &str, mode: &str) -> Kubeconfig {
        Kubeconfig::from_yaml(&format!(
            "current-context: a\nclusters:\n- name: c\n  cluster: {{server: 'http://127.0.0.1:1'}}\ncontexts:\n- name: a\n  context: {{cluster: c, user: u}}\n- name: b\n  context: {{cluster: c, user: u}}\n- name: plain\n  context: {{cluster: c, user: p}}\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: sh\n      args: ['-c', {script:?}]\n      interactiveMode: {mode}\n- name: p\n  user: {{}}\n"
        ))
        .unwrap()
    }

    #[test]
    fn prepare_runs_each_plugin_once_and_reports_failures() {
        let dir = tempfile::tempdir().unwrap();
        let count = dir.path().join("count");
        let script = format!(
            "echo run >> {}; echo '{{\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"t\"}}}}'",
            count.display()
        );
        let kc = kc_with_plugin(&script, "IfAvailable");
        let got = prepare_with(&kc, &["a".into(), "b".into(), "plain".into()], true);
        assert_eq!(
            got,
            [
                ("a".to_string(), Prepared::Ready),
                ("b".to_string(), Prepared::Ready),
                ("plain".to_string(), Prepared::NotNeeded)
            ]
        );
        assert_eq!(std::fs::read_to_string(&count).unwrap().lines().count(), 1);
        // Not a terminal, or a plugin that never asks: nothing runs before the TUI.
        assert_eq!(
            prepare_with(&kc, &[], false),
            [("a".to_string(), Prepared::NotNeeded)]
        );
        let never = kc_with_plugin(&script, "Never");
        assert_eq!(
            prepare_with(&never, &[], true),
            [("a".to_string(), Prepared::NotNeeded)]
        );
        assert_eq!(std::fs::read_to_string(&count).unwrap().lines().count(), 1);

        let failing = kc_with_plugin("echo token-on-stdout; exit 3", "IfAvailable");
        let got = prepare_with(&failing, &[], true);
        let Prepared::Failed(e) = &got[0].1 else {
            panic!("{got:?}")
        };
        assert!(e.contains("failed") && e.contains('3'), "{e}");
        assert!(!e.contains("token-on-stdout"), "{e}");
    }
}
