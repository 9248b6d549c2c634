//! `blast dashboard` (or `blast demo --dashboard`): the read-only wall. The repo is optional
//! (it only says how far behind HEAD each Application is); the theme is `--theme`, else the
//! config's `[dashboard] theme`, else high-contrast.

use color_eyre::eyre::eyre;

use super::boot::{self, Boot};
use crate::cli::{Cli, DashboardArgs};
use crate::dashboard::{self, Page};
use crate::demo::run::Demo;

pub fn run(cli: &Cli, args: &DashboardArgs, demo: Option<Demo>) -> color_eyre::Result<()> {
    let mut boot = Boot::new(cli)?;
    let pages = Page::parse_list(&args.pages.join(",")).map_err(|e| eyre!("--page: {e}"))?;
    let theme = boot.theme(cli, boot.config.dashboard.theme.as_deref(), "high-contrast")?;
    let repo = boot.find_repo(cli).ok();
    boot.start_log(cli)?;
    tracing::info!(repo = ?repo, theme = %theme.name, rotate = ?args.rotate, pages = ?args.pages, "starting dashboard");
    let mut state = dashboard::State::new(
        pages,
        args.rotate.as_secs(),
        boot.config.storage.thresholds(),
        (80, 24),
    );
    state.keymap = crate::keymap::Keymap::with_overrides(&boot.config)?;
    let mut kube = boot.kube_options(cli);
    // Exec credential plugins get the plain terminal once, before the TUI takes it, so an
    // interactive login prompts where it can be seen; inside the TUI they run non-interactively.
    // Not for the demo (its kubeconfig has no plugins).
    if demo.is_none() {
        crate::kube::exec::prepare(kube.kubeconfig.as_deref(), &kube.contexts);
    }
    let min_frame = boot.min_frame(cli);
    let refresh = &boot.config.refresh;
    let watch_debounce_ms = refresh.watch.then_some(refresh.debounce_ms);
    let state_dir = boot.state_dir();
    boot::runtime()?.block_on(async move {
        let _demo = super::demo::start(demo, &state_dir, &mut kube).await?;
        dashboard::run::run(
            state,
            theme,
            dashboard::run::Options {
                kube,
                repo,
                min_frame,
                watch_debounce_ms,
            },
        )
        .await
    })
}
