//! The console: the repo browser, the live views and the write loop, on the user's kubeconfig or
//! (from `blast demo`) on the demo emulator's.

use color_eyre::eyre::eyre;

use super::boot::{self, Boot};
use crate::app::State;
use crate::app::nav::Route;
use crate::cli::Cli;
use crate::demo::run::Demo;
use crate::keymap::Keymap;

pub fn run(cli: &Cli, mut demo: Option<Demo>) -> color_eyre::Result<()> {
    let mut boot = Boot::new(cli)?;
    let mut keymap = Keymap::with_overrides(&boot.config)?;
    if cli.read_only {
        keymap = keymap.read_only();
    }
    let theme = boot.theme(cli, boot.config.theme.as_deref(), "default")?;
    let root = boot.find_repo(cli)?;
    boot.start_log(cli)?;
    // The demo browses (and pushes from) a clone of the repo, never the checkout itself.
    let root = match demo.as_mut() {
        Some(d) => d.make_sandbox(&root)?,
        None => root,
    };
    tracing::info!(repo = %root.display(), theme = %theme.name, version = env!("CARGO_PKG_VERSION"), "starting console");
    let mut state = State::new(root.clone(), keymap, (80, 24));
    state.repo.display = boot::display_path(&root);
    state.views.thresholds = boot.config.storage.thresholds();
    state.reconcile_timeout_secs = boot.config.reconcile.timeout_secs as i64;
    state.changes.policy_blocks = boot.config.policy.block_commit;
    // The one place the capability to write is granted (see `app::write`).
    state.write = (!cli.read_only).then(crate::app::write::WriteCap::grant);
    if let Some(v) = &cli.view {
        state.route = Route::parse(v).map_err(|e| eyre!("--view: {e}"))?;
    }
    let mut kube = boot.kube_options(cli);
    let clair_config = boot.config.clair.clone();
    // Exec credential plugins get the plain terminal once, before the TUI takes it, so an
    // interactive login prompts where it can be seen; inside the TUI they run non-interactively.
    // Not for the demo (its kubeconfig has no plugins).
    if demo.is_none() {
        crate::kube::exec::prepare(kube.kubeconfig.as_deref(), &kube.contexts);
    }
    let state_dir = boot.state_dir();
    let refresh = boot.config.refresh.clone();
    let min_frame = boot.min_frame(cli);
    boot::runtime()?.block_on(async move {
        let mut state = state;
        let _demo = super::demo::start(demo, &state_dir, &mut kube).await?;
        // The demo's Clair stands in for the config's (`Running::clair`).
        let clair_config = match &_demo {
            Some(d) => d.clair(),
            None => clair_config,
        };
        let clair = clair_setup(&clair_config, kube.contexts.first().map(String::as_str));
        state.images.clair = clair.0;
        crate::runtime::run_console(
            state,
            theme,
            crate::runtime::ConsoleOptions {
                refresh,
                kube: Some(kube),
                min_frame,
                clair: clair.1,
            },
        )
        .await
    })
}

/// Clair for the console: the endpoint of the first watched context (`[clair.contexts.NAME]`
/// over `[clair]`), and what the Images view says of it.
pub(super) fn clair_setup(
    config: &crate::clair::ClairConfig,
    context: Option<&str>,
) -> (
    crate::app::live::images::ClairSetup,
    Option<crate::clair::Endpoint>,
) {
    use crate::app::live::images::ClairSetup;
    match config.endpoint(context) {
        Ok(Some(e)) => (ClairSetup::Url(e.url.clone()), Some(e)),
        Ok(None) => (ClairSetup::None, None),
        Err(e) => (ClairSetup::Bad(e), None),
    }
}
