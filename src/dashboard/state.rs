//! The dashboard's pure core: `State`, `Msg`, `Effect`, `update` and `settle`.
//!
//! Read-only by construction: the effects a dashboard can ask for are watches, a read of the
//! repo's revisions and quitting. There is no editor, no git write and no route into the
//! console's `app::State`, so no key or message can change anything anywhere.

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;

use crate::app::live::fleet::{self, Count, Verdict};
use crate::app::live::gitops::{self, Revisions};
use crate::app::live::storage::{self, Thresholds};
use crate::app::live::summary::{self, Reach, SiteSummary};
use crate::app::live::{LiveMsg, LiveState, Want, backup};
use crate::app::nav::Route;
use crate::keymap::{Action, Context, Key, Keymap};
use crate::model::Time;

/// One page of the wall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Fleet,
    Storage,
    Backup,
    GitOps,
    Problems,
    /// Per site: policy findings and drift, CIS benchmarks with waivers, image vulnerabilities.
    Standards,
}

impl Page {
    pub const ALL: [Page; 6] = [
        Page::Fleet,
        Page::Storage,
        Page::Backup,
        Page::GitOps,
        Page::Problems,
        Page::Standards,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Page::Fleet => "fleet",
            Page::Storage => "storage",
            Page::Backup => "backup",
            Page::GitOps => "gitops",
            Page::Problems => "problems",
            Page::Standards => "standards",
        }
    }

    /// The summary area a page shows (`None`: all of them).
    pub fn area(self) -> Option<&'static str> {
        match self {
            Page::Fleet | Page::Problems => None,
            Page::Storage => Some("storage"),
            Page::Backup => Some("backup"),
            Page::GitOps => Some("gitops"),
            Page::Standards => Some("standards"),
        }
    }

    pub fn parse(s: &str) -> Result<Page, String> {
        Page::ALL
            .into_iter()
            .find(|p| p.name() == s.trim())
            .ok_or_else(|| {
                format!("unknown page \"{s}\"; use fleet, storage, backup, gitops, problems or standards")
            })
    }

    /// `--page fleet,storage`: the pages in that order.
    pub fn parse_list(s: &str) -> Result<Vec<Page>, String> {
        let pages = s
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(Page::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if pages.is_empty() {
            return Err("--page needs at least one page".into());
        }
        Ok(pages)
    }
}

/// A site's key figures, the big numbers of its tile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub control_plane: Option<Count>,
    pub workers: Option<Count>,
    /// Clusters a management cluster manages.
    pub managed: usize,
    /// The fullest Ceph cluster or DiskPool, in percent.
    pub used_percent: Option<u32>,
    /// Ceph clusters and DiskPools: name and used ratio, for the capacity bars.
    pub pools: Vec<(String, f64)>,
    pub policies: usize,
    pub policies_ok: usize,
    /// K10 policies: name, last success, verdict.
    pub policy_ages: Vec<(String, Option<Time>, Verdict)>,
    /// Argo CD Applications deploying to the site, and of those the ones synced and healthy:
    /// the `ok` of the site's GitOps text (`gitops::GitOpsCounts`).
    pub apps: usize,
    pub apps_synced: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The complete set of watches the dashboard needs.
    Watch(Vec<Want>),
    /// Read (never write) where the repo stands against these Applications' revisions.
    ReadRevisions(Vec<(String, String)>),
    /// Read (never write) the repo's side of the standards (`standards::scan_repo`).
    ScanRepo,
    /// Read (never write) the images the repo deploys (the image store's repo side).
    ScanRepoImages,
    /// Ask Clair for these digests' reports (reading only: never an index request).
    FetchReports(Vec<String>),
    /// Ctrl-Z: back to the shell until `fg`.
    Suspend,
    Quit,
}

#[allow(clippy::large_enum_variant)] // moved once, through a bounded channel
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    Live(LiveMsg),
    /// The clock (unix seconds).
    Tick(Time),
    Revisions(Revisions),
    /// The repo's side of the standards (policy findings, manifests for drift, waivers).
    RepoSide(crate::standards::RepoSide),
    /// The images' vulnerabilities (the `standards::ImageVulns` seam); `None`: no data.
    ImageVulns(Option<Vec<crate::standards::ImageVulns>>),
    /// An answer for the image store (the repo's images, a Clair report).
    Images(crate::app::live::images::ImagesMsg),
    /// The repo changed (files, or HEAD after a pull): its side of the standards and the
    /// Applications' revisions are read again (the repo watcher, `runtime::watcher`).
    RepoChanged,
    /// Back from Ctrl-Z: the screen must be redrawn in full.
    Resumed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub live: LiveState,
    pub thresholds: Thresholds,
    pub revisions: Revisions,
    /// Derived by `settle`, worst first.
    pub sites: Vec<SiteSummary>,
    pub figures: BTreeMap<String, Figures>,
    pub pages: Vec<Page>,
    pub page: usize,
    /// Seconds a page stays before the next one; 0: no rotation.
    pub rotate: u64,
    pub paused: bool,
    /// When the page on screen came up (clock time).
    pub page_since: Time,
    /// The clock, from `Tick`.
    pub now: Time,
    pub size: (u16, u16),
    pub quit: bool,
    pub dirty: bool,
    /// The keys (the `dashboard` context of the keymap, with the config's overrides).
    pub keymap: Keymap,
    /// The `?` overlay and its scroll.
    pub help: Option<usize>,
    revisions_asked: Vec<(String, String)>,
    /// The problems page's selected problem (in `sorted_problems` order); selecting pauses
    /// the rotation.
    pub selected: Option<usize>,
    /// The selected problem's reason is shown whole in a pop-up.
    pub detail: bool,
    /// The repo's side of the standards, once read (`Effect::ScanRepo`).
    pub repo_side: Option<crate::standards::RepoSide>,
    /// A repo scan is under way: changes meanwhile ask for one more (`rescan`), never more.
    pub scanning: bool,
    pub rescan: bool,
    pub std_images: Option<Vec<crate::standards::ImageVulns>>,
    /// The console's one image store (live Pods, Trivy Operator's reports, Clair's answers,
    /// the repo's images), settled by `settle`: the standards page's image lines and counts.
    pub images: crate::app::live::images::ImagesState,
    /// The standards page's lines (the console's Standards view's rows), derived by `settle`.
    pub std_rows: Vec<crate::app::live::standards::StdRow>,
}

impl State {
    pub fn new(pages: Vec<Page>, rotate: u64, thresholds: Thresholds, size: (u16, u16)) -> State {
        State {
            live: LiveState::default(),
            thresholds,
            revisions: Revisions::default(),
            sites: vec![],
            figures: BTreeMap::new(),
            pages: if pages.is_empty() {
                Page::ALL.to_vec()
            } else {
                pages
            },
            page: 0,
            rotate,
            paused: false,
            page_since: 0,
            now: 0,
            size,
            quit: false,
            dirty: true,
            keymap: Keymap::default(),
            help: None,
            revisions_asked: vec![],
            selected: None,
            detail: false,
            repo_side: None,
            scanning: false,
            rescan: false,
            std_images: None,
            images: Default::default(),
            std_rows: vec![],
        }
    }

    /// Every problem of every site, worst first, then the oldest: the problems page's order.
    pub fn sorted_problems(&self) -> Vec<(&str, &crate::app::live::summary::SummaryProblem)> {
        let mut all: Vec<_> = self
            .sites
            .iter()
            .flat_map(|s| s.problems.iter().map(move |p| (s.site.as_str(), p)))
            .collect();
        all.sort_by(|a, b| {
            b.1.verdict
                .cmp(&a.1.verdict)
                .then(a.1.since.cmp(&b.1.since))
                .then(a.0.cmp(b.0))
        });
        all
    }

    pub fn current(&self) -> Page {
        self.pages[self.page.min(self.pages.len() - 1)]
    }

    /// Effects to run at start-up: every watch the summary needs, on every site.
    pub fn init(&mut self) -> Vec<Effect> {
        let wants = Route::Overview.wants();
        self.live.wants = wants.clone();
        self.scanning = true;
        vec![Effect::Watch(wants), Effect::ScanRepo]
    }

    /// Seconds until the next page, while rotating.
    pub fn next_in(&self) -> Option<u64> {
        (self.rotate > 0 && !self.paused && self.pages.len() > 1).then(|| {
            self.rotate
                .saturating_sub((self.now - self.page_since).max(0) as u64)
        })
    }

    fn turn(&mut self, forward: bool) {
        let n = self.pages.len();
        self.page = if forward {
            (self.page + 1) % n
        } else {
            (self.page + n - 1) % n
        };
        self.page_since = self.now;
        self.dirty = true;
    }
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut fx = vec![];
    match msg {
        Msg::Key(k) => key(state, k, &mut fx),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            state.dirty = true;
        }
        Msg::Live(m) => {
            if state.live.apply(m) {
                state.dirty = true;
            }
        }
        Msg::Tick(now) => {
            if state.page_since == 0 {
                state.page_since = now;
            }
            state.live.now = state.live.now.max(now);
            if now != state.now {
                state.now = now;
                // Ages and the clock: ratatui's diff sends only the cells whose text changed.
                state.dirty = true;
            }
            if state.next_in() == Some(0) {
                state.turn(true);
            }
            // A Clair report gone stale (or a digest never asked) is asked again.
            if !crate::app::live::images::wanted(&state.images, state.live.now, 1).is_empty() {
                state.live.changed.sources = true;
            }
        }
        Msg::Resumed => state.dirty = true,
        Msg::Revisions(r) => {
            state.revisions = r;
            state.live.changed.sources = true;
            state.dirty = true;
        }
        Msg::RepoSide(r) => {
            state.repo_side = Some(r);
            state.live.changed.sources = true;
            state.dirty = true;
            state.scanning = false;
            if std::mem::take(&mut state.rescan) {
                state.scanning = true;
                fx.push(Effect::ScanRepo);
            }
        }
        Msg::RepoChanged => {
            // Bounded: one scan at a time, at most one more queued behind it, however many
            // changes arrive (the watcher already sends one per burst).
            if state.scanning {
                state.rescan = true;
            } else {
                state.scanning = true;
                fx.push(Effect::ScanRepo);
            }
            // HEAD may have moved: how far each Application is behind it is read again, and
            // which images the repo deploys.
            state.revisions_asked.clear();
            state.images.repo_asked = false;
            state.live.changed.sources = true;
        }
        Msg::Images(m) => {
            // The wall never indexes: no answer of its own to tell.
            let _ = crate::app::live::images::absorb(&mut state.images, m);
            state.live.changed.sources = true;
        }
        Msg::ImageVulns(v) => {
            state.std_images = v;
            state.live.changed.sources = true;
            state.dirty = true;
        }
    }
    fx
}

impl From<crate::app::live::images::Ask> for Effect {
    fn from(a: crate::app::live::images::Ask) -> Effect {
        use crate::app::live::images::Ask;
        match a {
            Ask::RepoImages => Effect::ScanRepoImages,
            Ask::Reports(d) => Effect::FetchReports(d),
        }
    }
}

/// Keys through the keymap's `dashboard` context (and `help` while `?` is open). Nothing a
/// key can do here reaches git or a file: the actions are pages, pause, help and quit.
fn key(state: &mut State, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(k) = Key::from_event(&k) else {
        return;
    };
    let ctx = if state.help.is_some() {
        Context::Help
    } else {
        Context::Dashboard
    };
    let Some(action) = state.keymap.resolve(ctx, k) else {
        return;
    };
    state.dirty = true;
    match action {
        Action::ForceQuit | Action::Quit => {
            state.quit = true;
            fx.push(Effect::Quit);
        }
        Action::Suspend => fx.push(Effect::Suspend),
        Action::Help => crate::app::overlay::toggle_help(
            &mut state.help,
            &state.keymap,
            &Context::DASHBOARD,
            Context::Dashboard,
            state.size,
        ),
        _ if ctx == Context::Help => crate::app::overlay::scroll_help(
            &mut state.help,
            action,
            &state.keymap,
            &Context::DASHBOARD,
            state.size,
        ),
        Action::Pause => {
            state.paused = !state.paused;
            state.page_since = state.now;
        }
        // The problems page: j/k select a problem (and hold the page), Enter shows its reason
        // whole, Esc closes that, then the selection.
        Action::Down | Action::Up if state.current() == Page::Problems => {
            let n = state.sorted_problems().len();
            if n > 0 {
                let at = state.selected.map_or(-1, |i| i as i64);
                let d = if action == Action::Down { 1 } else { -1 };
                state.selected = Some((at + d).clamp(0, n as i64 - 1) as usize);
                state.paused = true;
            }
        }
        Action::Open if state.current() == Page::Problems && state.selected.is_some() => {
            state.detail = true;
        }
        Action::Back if state.detail => state.detail = false,
        Action::Back if state.selected.is_some() => {
            state.selected = None;
            state.paused = false;
            state.page_since = state.now;
        }
        Action::NextPage => state.turn(true),
        Action::PrevPage => state.turn(false),
        a if let Some(i) = a.page() => {
            if i < state.pages.len() {
                state.page = i;
                state.page_since = state.now;
            }
        }
        _ => state.dirty = false,
    }
}

/// Derives the summaries from what arrived since the last batch (and the clock: overdue
/// backups and ages move with it). Called once per batch by the runtime, by tests after their
/// messages.
pub fn settle(state: &mut State) -> Vec<Effect> {
    let mut fx = vec![];
    let changed = std::mem::take(&mut state.live.changed);
    let live = &state.live;
    let wanted = gitops::wanted_revisions(live);
    if wanted != state.revisions_asked {
        state.revisions_asked = wanted.clone();
        fx.push(Effect::ReadRevisions(wanted));
    }
    let mut sites = summary::overview(live, state.thresholds, &state.revisions);
    // The image store, as the console's Standards view keeps it (settled when its kinds or an
    // answer changed, not on every batch); what it asks are reads only.
    if changed.touches(&crate::app::live::images::KINDS) {
        fx.extend(
            crate::app::live::images::refresh(live, &mut state.images)
                .into_iter()
                .map(Effect::from),
        );
    }
    if let Some(v) = crate::app::live::images::vulns(&state.images.all) {
        state.std_images = Some(v);
    }
    let repo = state.repo_side.as_ref();
    let images = state.std_images.as_deref();
    let g = crate::app::live::standards::gather(live, repo);
    let std = crate::app::live::standards::per_site(&g, repo, images);
    summary::add_standards(&mut sites, &std, images.is_some());
    let std_rows = crate::app::live::standards::rows(live, repo, images, "");
    let figures = figures(live, state.thresholds, &state.revisions);
    if sites != state.sites || figures != state.figures || std_rows != state.std_rows {
        state.sites = sites;
        state.figures = figures;
        state.std_rows = std_rows;
        state.dirty = true;
    }
    fx
}

fn figures(live: &LiveState, t: Thresholds, revs: &Revisions) -> BTreeMap<String, Figures> {
    let mut out: BTreeMap<String, Figures> = BTreeMap::new();
    for row in fleet::rows(live, 0, "") {
        let f = out.entry(row.key.name.clone()).or_default();
        f.control_plane = Some(row.control_plane);
        f.workers = Some(row.workers);
        out.entry(row.source.clone()).or_default().managed += 1;
    }
    for src in live.sources.values() {
        let f = out.entry(src.id.clone()).or_default();
        let mut rows = vec![];
        storage::site_rows(src, t, &mut rows);
        f.pools = rows
            .iter()
            .filter(|r| matches!(r.kind, "CephCluster" | "DiskPool"))
            .filter_map(|r| Some((r.name.clone(), r.ratio()?)))
            .collect();
        f.used_percent = f
            .pools
            .iter()
            .map(|(_, r)| (r * 100.0).round() as u32)
            .max();
        let mut rows = vec![];
        backup::site_rows(src, live.now, &mut rows);
        let policies: Vec<_> = rows.iter().filter(|r| r.kind == "Policy").collect();
        f.policies = policies.len();
        f.policy_ages = policies
            .iter()
            .map(|r| (r.key.name.clone(), r.last_success, r.verdict))
            .collect();
        f.policies_ok = policies
            .iter()
            .filter(|r| r.verdict < Verdict::Degraded)
            .count();
    }
    // The same counts as the site's text (`gitops::by_site`): the figure is its `ok` of `apps`.
    for (site, g) in gitops::by_site(live, revs) {
        let f = out.entry(site).or_default();
        f.apps = g.counts.apps;
        f.apps_synced = g.counts.ok;
    }
    out
}

/// The sites whose data is stale, with since when.
pub fn stale_sites(state: &State) -> Vec<(&str, Time)> {
    state
        .sites
        .iter()
        .filter_map(|s| match &s.reach {
            Reach::Stale { since, .. } => Some((s.site.as_str(), *since)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::live::{Entry, KindStatus, ObjKey};
    use crate::model::kinds;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn key(c: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
    }

    fn state() -> State {
        let mut s = State::new(Page::ALL.to_vec(), 20, Thresholds::default(), (80, 24));
        let _ = update(&mut s, Msg::Tick(1000));
        s
    }

    #[test]
    fn pages_rotate_on_the_clock_and_pause_stops_them() {
        let mut s = state();
        assert_eq!(s.current(), Page::Fleet);
        let _ = update(&mut s, Msg::Tick(1019));
        assert_eq!(s.current(), Page::Fleet);
        assert_eq!(s.next_in(), Some(1));
        let _ = update(&mut s, Msg::Tick(1020));
        assert_eq!(s.current(), Page::Storage);
        let _ = update(&mut s, key(KeyCode::Char(' ')));
        assert!(s.paused);
        assert_eq!(s.next_in(), None);
        let _ = update(&mut s, Msg::Tick(1100));
        assert_eq!(s.current(), Page::Storage, "paused: no rotation");
        let _ = update(&mut s, key(KeyCode::Char(' ')));
        let _ = update(&mut s, Msg::Tick(1119));
        assert_eq!(
            s.current(),
            Page::Storage,
            "unpausing starts the page's time again"
        );
        let _ = update(&mut s, Msg::Tick(1120));
        assert_eq!(s.current(), Page::Backup);
    }

    #[test]
    fn help_lists_the_dashboard_keys_and_the_config_rebinds_them() {
        let mut s = state();
        let _ = update(&mut s, key(KeyCode::Char('?')));
        assert!(s.help.is_some(), "open (at the dashboard's section)");
        // While help is open, keys scroll it and do not turn pages.
        let _ = update(&mut s, key(KeyCode::Char('n')));
        assert_eq!(s.page, 0);
        let _ = update(&mut s, key(KeyCode::Esc));
        assert_eq!(s.help, None);
        let cfg = crate::config::Config::parse(
            std::path::Path::new("c.toml"),
            "[keys.dashboard]\nnext_page = [\"l\"]\n",
        )
        .unwrap();
        s.keymap = Keymap::with_overrides(&cfg).unwrap();
        let _ = update(&mut s, key(KeyCode::Char('n')));
        assert_eq!(s.page, 0, "n is no longer bound");
        let _ = update(&mut s, key(KeyCode::Char('l')));
        assert_eq!(s.page, 1);
    }

    #[test]
    fn keys_turn_pages_both_ways_and_only_q_or_ctrl_c_quit() {
        let mut s = state();
        for c in [KeyCode::Char('n'), KeyCode::Right, KeyCode::Down] {
            let fx = update(&mut s, key(c));
            assert!(fx.is_empty());
        }
        assert_eq!(s.current(), Page::GitOps);
        let _ = update(&mut s, key(KeyCode::Char('p')));
        let _ = update(&mut s, key(KeyCode::Left));
        let _ = update(&mut s, key(KeyCode::Up));
        assert_eq!(s.current(), Page::Fleet);
        let _ = update(&mut s, key(KeyCode::Up));
        assert_eq!(s.current(), Page::Standards, "wraps round");
        let _ = update(&mut s, key(KeyCode::Up));
        assert_eq!(s.current(), Page::Problems);
        let _ = update(&mut s, key(KeyCode::Char('2')));
        assert_eq!(s.current(), Page::Storage);
        for c in ['e', 'c', 'r', 'x', '!', '\u{1b}'] {
            let fx = update(&mut s, key(KeyCode::Char(c)));
            assert!(fx.is_empty() && !s.quit, "{c:?} does nothing");
        }
        assert_eq!(update(&mut s, key(KeyCode::Char('q'))), vec![Effect::Quit]);
        assert!(s.quit);
        let mut s = state();
        for m in [KeyModifiers::CONTROL, KeyModifiers::ALT] {
            let fx = update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('q'), m)));
            assert!(fx.is_empty() && !s.quit, "{m:?}-q does nothing");
        }
        let fx = update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        );
        assert_eq!(fx, vec![Effect::Quit]);
    }

    #[test]
    fn page_lists_parse_in_order_and_reject_unknown_names() {
        assert_eq!(
            Page::parse_list("problems, fleet").unwrap(),
            vec![Page::Problems, Page::Fleet]
        );
        assert!(
            Page::parse_list("fleet,nodes")
                .unwrap_err()
                .contains("nodes")
        );
        assert!(Page::parse_list("").is_err());
    }

    #[test]
    fn the_image_store_settles_when_its_kinds_or_an_answer_change_not_every_batch() {
        let mut s = state();
        let _ = s.init();
        let _ = update(
            &mut s,
            Msg::Live(LiveMsg::SourceAdded {
                source: "mgmt".into(),
                root: true,
            }),
        );
        let obj = |kind: &'static crate::model::KindInfo, name: &str| {
            let v = serde_json::json!({
                "apiVersion": "v1", "kind": kind.kind, "metadata": {"name": name, "namespace": "a"}
            });
            (
                ObjKey::new(Some("a"), name),
                Entry::Ok(crate::model::parse(kind, &v).unwrap().unwrap()),
            )
        };
        for kind in [&kinds::NODE, &kinds::POD] {
            let _ = update(
                &mut s,
                Msg::Live(LiveMsg::Reset {
                    source: "mgmt".into(),
                    kind,
                    objects: vec![obj(kind, "x")],
                    at: 1000,
                }),
            );
        }
        assert!(
            settle(&mut s).contains(&Effect::ScanRepoImages),
            "first settle"
        );
        // Probe: had the store been settled again, it would ask for the repo's images again.
        s.images.repo_asked = false;
        let event = |s: &mut State, kind: &'static crate::model::KindInfo| {
            let (key, entry) = obj(kind, "y");
            let _ = update(
                s,
                Msg::Live(LiveMsg::Apply {
                    source: "mgmt".into(),
                    kind,
                    key,
                    entry,
                    at: 1001,
                }),
            );
        };
        event(&mut s, &kinds::NODE);
        let fx = settle(&mut s);
        assert!(
            !fx.contains(&Effect::ScanRepoImages),
            "a Node event: {fx:?}"
        );
        event(&mut s, &kinds::POD);
        assert!(
            settle(&mut s).contains(&Effect::ScanRepoImages),
            "a Pod event"
        );
    }

    #[test]
    fn init_watches_what_the_summary_needs_and_a_lost_site_shows_stale() {
        let mut s = state();
        let fx = s.init();
        assert!(
            matches!(&fx[..], [Effect::Watch(w), Effect::ScanRepo] if w.iter().any(|w| w.kind.kind == "CephCluster")
                && w.iter().any(|w| w.kind.kind == "ConfigMap"))
        );
        let _ = update(
            &mut s,
            Msg::Live(LiveMsg::SourceAdded {
                source: "mgmt".into(),
                root: true,
            }),
        );
        let _ = update(
            &mut s,
            Msg::Live(LiveMsg::Reset {
                source: "mgmt".into(),
                kind: &kinds::NODE,
                objects: Vec::<(ObjKey, Entry)>::new(),
                at: 1000,
            }),
        );
        settle(&mut s);
        assert_eq!(s.sites.len(), 1);
        assert!(stale_sites(&s).is_empty());
        let _ = update(
            &mut s,
            Msg::Live(LiveMsg::Status {
                source: "mgmt".into(),
                kind: &kinds::NODE,
                status: KindStatus::Failed {
                    since: 1001,
                    error: "connection refused".into(),
                },
                at: 1001,
            }),
        );
        s.dirty = false;
        settle(&mut s);
        assert!(s.dirty);
        assert_eq!(stale_sites(&s), vec![("mgmt", 1001)]);
        // Nothing new: settling again changes nothing and asks for no frame.
        s.dirty = false;
        assert!(settle(&mut s).is_empty());
        assert!(!s.dirty);
    }
}
