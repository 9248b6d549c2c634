//! `blast demo`: the console or the dashboard against the simulated datacenter, or
//! (`--serve-only`) just the emulator for other clients.

use std::path::Path;

use super::boot::{self, Boot};
use crate::cli::{Cli, DemoArgs};
use crate::demo::run::{Demo, Running};

pub fn run(cli: &Cli, args: &DemoArgs) -> color_eyre::Result<()> {
    let demo = Demo::from_args(args)?;
    if args.dashboard {
        return super::dashboard::run(cli, &args.wall, Some(demo));
    }
    if !args.serve_only {
        return super::console::run(cli, Some(demo));
    }
    serve_only(cli, demo)
}

/// The demo, if asked for: start the emulator first, then point the watches at its kubeconfig,
/// the same way a user points them at a real cluster. Keep what it returns until the end.
pub async fn start(
    demo: Option<Demo>,
    state_dir: &Path,
    kube: &mut crate::kube::supervisor::Options,
) -> color_eyre::Result<Option<Running>> {
    let Some(d) = demo else { return Ok(None) };
    let running = d.start(state_dir).await?;
    kube.kubeconfig = Some(running.kubeconfig_path.clone());
    kube.contexts = vec![running.context.clone()];
    kube.workload_kubeconfigs = true;
    Ok(Some(running))
}

/// `--serve-only`: the emulator (with the sandbox and reconciler when a repo is around) until
/// Ctrl-C or SIGTERM; prints the kubeconfig's path, then the sandbox clone's.
fn serve_only(cli: &Cli, mut demo: Demo) -> color_eyre::Result<()> {
    let boot = Boot::with_log(cli)?;
    // Without a repo around, serve the world alone (no sandbox, no reconciler).
    let clone = match boot.find_repo(cli) {
        Ok(root) => {
            let clone = demo.make_sandbox(&root)?;
            let dirty = demo.sandbox.as_ref().is_some_and(|s| s.source_dirty());
            Some((clone, root, dirty))
        }
        Err(e) => {
            eprintln!("blast: no repo sandbox, no reconciler: {e}");
            None
        }
    };
    let state_dir = boot.state_dir();
    boot::runtime()?.block_on(async move {
        let running = demo.start(&state_dir).await?;
        println!("{}", running.kubeconfig_path.display());
        if let Some((clone, root, dirty)) = &clone {
            println!("{}", clone.display());
            println!(
                "# the repo sandbox above is a clone of {}'s HEAD{}; push its main to its origin and the demo's Argo CD reconciles it",
                root.display(),
                if *dirty { " (without its uncommitted changes)" } else { "" }
            );
        }
        println!(
            "# the demo's Clair v4 is at {}/clair (config: [clair] url = that, psk = \"{}\", a public demo key, issuer \"{}\")",
            running.base_url,
            crate::demo::emulator::clair::DEMO_PSK,
            crate::demo::emulator::clair::DEMO_ISSUER
        );
        println!(
            "# the demo datacenter is served at {} (contexts: {}); Ctrl-C stops it",
            running.base_url,
            running.contexts.join(", ")
        );
        use std::io::Write;
        let _ = std::io::stdout().flush();
        // Ctrl-C or SIGTERM: stop, and remove the sandbox (unless --keep).
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                r = tokio::signal::ctrl_c() => r?,
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await?;
        running.stop().await;
        Ok(())
    })
}
