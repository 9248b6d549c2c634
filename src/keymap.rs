//! Keys → actions, per context. The keymap is data: default tables in code, user overrides from
//! `[keys.CONTEXT]` in the config, and the `?` help overlay rendered from the same tables.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::{Config, FileError};

macro_rules! actions {
    ($($action:ident => $name:literal: $desc:literal),* $(,)?) => {
        /// Everything a key can do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($action),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$action),*];
            pub fn name(self) -> &'static str { match self { $(Action::$action => $name),* } }
            pub fn description(self) -> &'static str { match self { $(Action::$action => $desc),* } }
            pub fn from_name(name: &str) -> Option<Action> {
                match name { $($name => Some(Action::$action),)* _ => None }
            }
        }
    };
}

actions! {
    Quit => "quit": "Quit",
    ForceQuit => "force_quit": "Quit from anywhere",
    Suspend => "suspend": "Suspend to the shell (fg to return)",
    Back => "back": "Back: close, clear the filter, go back (q quits)",
    Help => "help": "Show or hide this help",
    Up => "up": "Move up",
    Down => "down": "Move down",
    PageUp => "page_up": "Page up",
    PageDown => "page_down": "Page down",
    Top => "top": "Go to the top",
    Bottom => "bottom": "Go to the bottom",
    Expand => "expand": "Expand / go into",
    Collapse => "collapse": "Collapse / go to parent",
    Toggle => "toggle": "Expand or collapse",
    ExpandAll => "expand_all": "Expand everything",
    CollapseAll => "collapse_all": "Collapse everything",
    FocusNext => "focus_next": "Next pane",
    FocusPrev => "focus_prev": "Previous pane",
    Filter => "filter": "Filter by path, kind or name (fuzzy)",
    NextMatch => "next_match": "Next match",
    PrevMatch => "prev_match": "Previous match",
    PreviewDown => "preview_down": "Scroll the preview down",
    PreviewUp => "preview_up": "Scroll the preview up",
    ToggleLog => "toggle_log": "Show or hide the git log of the selection",
    Reload => "reload": "Re-index the repo and re-read git status",
    Accept => "accept": "Accept the filter",
    DeleteChar => "delete_char": "Delete the last character",
    ClearInput => "clear_input": "Clear the input",
    ViewRepo => "view_repo": "Show the repo browser",
    ViewFleet => "view_fleet": "Show the fleet (every cluster)",
    ViewNodes => "view_nodes": "Show the nodes of every connected cluster",
    ViewBareMetal => "view_baremetal": "Show the bare-metal servers (Sidero)",
    ViewStorage => "view_storage": "Show storage: Ceph, Mayastor, volumes, MinIO",
    ViewBackup => "view_backup": "Show backups: K10 policies, profiles and actions",
    ViewGitOps => "view_gitops": "Show GitOps: Argo CD applications and infrastructure objects",
    ViewOverview => "view_overview": "Show the overview: every site's answers on one screen",
    Failures => "failures": "Show only failed actions, or all",
    Open => "open": "Open the selected item",
    Edit => "edit": "Edit the selected file in $VISUAL/$EDITOR at the resource's line",
    Sort => "sort": "Sort by the next column",
    Jump => "jump": "Jump between a repo resource and its live object",
    Contexts => "contexts": "Choose the kube contexts to watch",
    Apply => "apply": "Apply the choice",
    ViewReconcile => "view_reconcile": "Show the last push followed through Argo CD",
    ViewChanges => "view_changes": "Show the changes: git status, diffs, stage, commit, push",
    QuickAction => "quick_action": "Quick actions on the selected resource (scale, versions, suspend sync, pause backups)",
    Stage => "stage": "Stage or unstage the selected file",
    StageAll => "stage_all": "Stage every changed file",
    Discard => "discard": "Discard the selected file's changes (asks first)",
    Commit => "commit": "Commit the staged files (checks them first)",
    Push => "push": "Push to the upstream and watch Argo CD reconcile",
    Pause => "pause": "Pause or resume the page rotation",
    NextPage => "next_page": "Next page",
    PrevPage => "prev_page": "Previous page",
    Page1 => "page_1": "Page 1",
    Page2 => "page_2": "Page 2",
    Page3 => "page_3": "Page 3",
    Page4 => "page_4": "Page 4",
    Page5 => "page_5": "Page 5",
    Page6 => "page_6": "Page 6",
    ViewWorkloads => "view_workloads": "Show the workloads: Deployments, StatefulSets, DaemonSets, Jobs and their Pods",
    Workloads => "workloads": "The workloads behind the selection (Ceph OSDs, K10's executor, an Application's, a node's Pods)",
    Inspect => "inspect": "Show the selected row whole, with the object's Events",
    Events => "events": "The selected object's Events, newest first",
    Logs => "logs": "The selected Pod's log, streamed",
    Follow => "follow": "Log: follow new lines, or stop",
    Previous => "previous": "Log: the previous container's (before its restart), or the current one's",
    Container => "container": "Log: the Pod's next container",
    ViewImages => "view_images": "Show the images: every image deployed or running, with its vulnerabilities (Clair, Trivy Operator)",
    IndexImage => "index_image": "Images: ask Clair to index the selected image (reads the registry; writes nothing to git or a cluster, so allowed read-only)",
    Rescan => "rescan": "Images: ask the vulnerability sources again",
    ViewStandards => "view_standards": "Show the standards: policy findings and drift, CIS benchmarks, image vulnerabilities per site",
}

impl Action {
    /// How far a movement action moves a selection or a scroll, on a pane `page` rows high:
    /// up/down one row, a page, or to either end. `None` for other actions.
    pub fn movement(self, page: usize) -> Option<i64> {
        Some(match self {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -(page as i64),
            Action::PageDown => page as i64,
            Action::Top => i64::MIN / 2,
            Action::Bottom => i64::MAX / 2,
            _ => return None,
        })
    }

    /// The dashboard page a `page_N` action shows (0-based).
    pub fn page(self) -> Option<usize> {
        Some(match self {
            Action::Page1 => 0,
            Action::Page2 => 1,
            Action::Page3 => 2,
            Action::Page4 => 3,
            Action::Page5 => 4,
            Action::Page6 => 5,
            _ => return None,
        })
    }
}

/// Where a key is pressed. Global bindings apply in every context unless the context binds the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Browser,
    /// The live views: fleet, cluster, nodes, bare metal.
    Live,
    Filter,
    Help,
    /// The context switcher overlay.
    Picker,
    /// The changes view (git status and diffs).
    Changes,
    /// A dialog: a question, a menu or a text field.
    Dialog,
    /// The wall dashboard (`blast dashboard`).
    Dashboard,
}

impl Context {
    pub const ALL: [Context; 9] = [
        Context::Global,
        Context::Browser,
        Context::Live,
        Context::Changes,
        Context::Filter,
        Context::Help,
        Context::Picker,
        Context::Dialog,
        Context::Dashboard,
    ];

    /// The contexts of the console (its help lists these).
    pub const CONSOLE: [Context; 8] = [
        Context::Global,
        Context::Browser,
        Context::Live,
        Context::Changes,
        Context::Filter,
        Context::Help,
        Context::Picker,
        Context::Dialog,
    ];

    /// The contexts of the wall dashboard.
    pub const DASHBOARD: [Context; 3] = [Context::Global, Context::Dashboard, Context::Help];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Browser => "browser",
            Context::Filter => "filter",
            Context::Help => "help",
            Context::Live => "live",
            Context::Picker => "picker",
            Context::Changes => "changes",
            Context::Dialog => "dialog",
            Context::Dashboard => "dashboard",
        }
    }

    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// A key with its modifiers, as written in the config (`ctrl-d`, `G`, `pgdn`, `?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// `KeyCode` subset that orders (for stable help output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    F(u8),
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let code = match ev.code {
            // Shifted letters arrive as the upper-case char; the SHIFT flag adds nothing.
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            KeyCode::F(n) => KeyCodeOrd::F(n),
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// Parses `j`, `G`, `?`, `ctrl-d`, `alt-x`, `pgdn`, `shift-tab`, `f1`, `space`.
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "pgup" | "pageup" => KeyCodeOrd::PageUp,
            "pgdn" | "pagedown" => KeyCodeOrd::PageDown,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            "enter" | "return" => KeyCodeOrd::Enter,
            "esc" | "escape" => KeyCodeOrd::Esc,
            "tab" => KeyCodeOrd::Tab,
            "shift-tab" | "backtab" => KeyCodeOrd::BackTab,
            "backspace" => KeyCodeOrd::Backspace,
            "delete" | "del" => KeyCodeOrd::Delete,
            "space" => KeyCodeOrd::Char(' '),
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCodeOrd::F(f[1..].parse().unwrap_or(1))
            }
            c if c.chars().count() == 1 => KeyCodeOrd::Char(c.chars().next().unwrap_or(' ')),
            _ => {
                return Err(format!(
                    "\"{s}\" is not a key (examples: j, G, ?, ctrl-d, pgdn, shift-tab, f1)"
                ));
            }
        };
        Ok(Key { code, ctrl, alt })
    }

    pub fn display(&self) -> String {
        let base = match self.code {
            KeyCodeOrd::Char(' ') => "space".to_string(),
            KeyCodeOrd::Char(c) => c.to_string(),
            KeyCodeOrd::Up => "↑".into(),
            KeyCodeOrd::Down => "↓".into(),
            KeyCodeOrd::Left => "←".into(),
            KeyCodeOrd::Right => "→".into(),
            KeyCodeOrd::PageUp => "pgup".into(),
            KeyCodeOrd::PageDown => "pgdn".into(),
            KeyCodeOrd::Home => "home".into(),
            KeyCodeOrd::End => "end".into(),
            KeyCodeOrd::Enter => "enter".into(),
            KeyCodeOrd::Esc => "esc".into(),
            KeyCodeOrd::Tab => "tab".into(),
            KeyCodeOrd::BackTab => "shift-tab".into(),
            KeyCodeOrd::Backspace => "backspace".into(),
            KeyCodeOrd::Delete => "del".into(),
            KeyCodeOrd::F(n) => format!("f{n}"),
        };
        format!(
            "{}{}{base}",
            if self.ctrl { "ctrl-" } else { "" },
            if self.alt { "alt-" } else { "" }
        )
    }
}

/// Per-context tables of key → action.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    tables: BTreeMap<Context, BTreeMap<Key, Action>>,
    /// The console is read-only (`--read-only`): help leaves the writing actions out, and the
    /// header says so. Their keys stay bound, to answer "read-only" instead of nothing.
    read_only: bool,
}

const DEFAULTS: &[(Context, Action, &[&str])] = &[
    (Context::Global, Action::ForceQuit, &["ctrl-c"]),
    (Context::Global, Action::Suspend, &["ctrl-z"]),
    (Context::Global, Action::Help, &["?", "f1"]),
    (Context::Browser, Action::Quit, &["q"]),
    (Context::Browser, Action::Back, &["esc"]),
    (Context::Browser, Action::Up, &["k", "up"]),
    (Context::Browser, Action::Down, &["j", "down"]),
    (
        Context::Browser,
        Action::PageUp,
        &["ctrl-u", "ctrl-b", "pgup"],
    ),
    (
        Context::Browser,
        Action::PageDown,
        &["ctrl-d", "ctrl-f", "pgdn"],
    ),
    (Context::Browser, Action::Top, &["g", "home"]),
    (Context::Browser, Action::Bottom, &["G", "end"]),
    (Context::Browser, Action::Expand, &["l", "right"]),
    (Context::Browser, Action::Collapse, &["h", "left"]),
    (Context::Browser, Action::Toggle, &["enter", "space"]),
    (Context::Browser, Action::ExpandAll, &["+"]),
    (Context::Browser, Action::CollapseAll, &["-"]),
    (Context::Browser, Action::FocusNext, &["tab"]),
    (Context::Browser, Action::FocusPrev, &["shift-tab"]),
    (Context::Browser, Action::Filter, &["/"]),
    (Context::Browser, Action::NextMatch, &["n"]),
    (Context::Browser, Action::PrevMatch, &["N"]),
    (Context::Browser, Action::PreviewDown, &["J", "ctrl-e"]),
    (Context::Browser, Action::PreviewUp, &["K", "ctrl-y"]),
    (Context::Browser, Action::ToggleLog, &["L"]),
    (Context::Browser, Action::Reload, &["r"]),
    (Context::Browser, Action::Jump, &["o"]),
    (Context::Browser, Action::Edit, &["e"]),
    (Context::Browser, Action::ViewFleet, &["2"]),
    (Context::Browser, Action::ViewNodes, &["3"]),
    (Context::Browser, Action::ViewBareMetal, &["4"]),
    (Context::Browser, Action::ViewStorage, &["5"]),
    (Context::Browser, Action::ViewBackup, &["6"]),
    (Context::Browser, Action::ViewGitOps, &["7"]),
    (Context::Browser, Action::ViewOverview, &["8"]),
    (Context::Browser, Action::ViewReconcile, &["0"]),
    (Context::Browser, Action::Push, &["P"]),
    (Context::Browser, Action::Contexts, &["c"]),
    (Context::Browser, Action::ViewChanges, &["9"]),
    (Context::Browser, Action::QuickAction, &["a"]),
    (Context::Live, Action::Quit, &["q"]),
    (Context::Live, Action::Back, &["esc"]),
    (Context::Live, Action::Up, &["k", "up"]),
    (Context::Live, Action::Down, &["j", "down"]),
    (Context::Live, Action::PageUp, &["ctrl-u", "pgup"]),
    (Context::Live, Action::PageDown, &["ctrl-d", "pgdn"]),
    (Context::Live, Action::Top, &["g", "home"]),
    (Context::Live, Action::Bottom, &["G", "end"]),
    (Context::Live, Action::Open, &["enter", "l", "right"]),
    (Context::Live, Action::Filter, &["/"]),
    (Context::Live, Action::Sort, &["s"]),
    (Context::Live, Action::Jump, &["o"]),
    (Context::Live, Action::ViewRepo, &["1"]),
    (Context::Live, Action::ViewFleet, &["2"]),
    (Context::Live, Action::ViewNodes, &["3"]),
    (Context::Live, Action::ViewBareMetal, &["4"]),
    (Context::Live, Action::ViewStorage, &["5"]),
    (Context::Live, Action::ViewBackup, &["6"]),
    (Context::Live, Action::ViewGitOps, &["7"]),
    (Context::Live, Action::ViewOverview, &["8"]),
    (Context::Live, Action::ViewReconcile, &["0"]),
    (Context::Live, Action::Contexts, &["c"]),
    (Context::Live, Action::Failures, &["f"]),
    (Context::Live, Action::ViewChanges, &["9"]),
    (Context::Live, Action::QuickAction, &["a"]),
    (Context::Live, Action::FocusNext, &["tab"]),
    (Context::Live, Action::FocusPrev, &["shift-tab"]),
    (Context::Changes, Action::Quit, &["q"]),
    (Context::Changes, Action::Back, &["esc"]),
    (Context::Changes, Action::Up, &["k", "up"]),
    (Context::Changes, Action::Down, &["j", "down"]),
    (Context::Changes, Action::Top, &["g", "home"]),
    (Context::Changes, Action::Bottom, &["G", "end"]),
    (
        Context::Changes,
        Action::PreviewDown,
        &["J", "ctrl-e", "pgdn", "ctrl-d"],
    ),
    (
        Context::Changes,
        Action::PreviewUp,
        &["K", "ctrl-y", "pgup", "ctrl-u"],
    ),
    (Context::Changes, Action::Stage, &["space", "s"]),
    (Context::Changes, Action::StageAll, &["A"]),
    (Context::Changes, Action::Discard, &["x"]),
    (Context::Changes, Action::Commit, &["c"]),
    (Context::Changes, Action::Push, &["P"]),
    (Context::Changes, Action::Edit, &["e"]),
    (Context::Changes, Action::Open, &["enter", "o"]),
    (Context::Changes, Action::Reload, &["r"]),
    (Context::Changes, Action::ViewRepo, &["1"]),
    (Context::Changes, Action::ViewFleet, &["2"]),
    (Context::Changes, Action::ViewNodes, &["3"]),
    (Context::Changes, Action::ViewBareMetal, &["4"]),
    (Context::Changes, Action::ViewStorage, &["5"]),
    (Context::Changes, Action::ViewBackup, &["6"]),
    (Context::Changes, Action::ViewGitOps, &["7"]),
    (Context::Changes, Action::ViewOverview, &["8"]),
    (Context::Changes, Action::ViewReconcile, &["0"]),
    (Context::Changes, Action::FocusNext, &["tab"]),
    (Context::Changes, Action::FocusPrev, &["shift-tab"]),
    (Context::Dialog, Action::Back, &["esc"]),
    (Context::Dialog, Action::Accept, &["enter"]),
    (Context::Dialog, Action::Up, &["up", "ctrl-p"]),
    (Context::Dialog, Action::Down, &["down", "ctrl-n"]),
    (Context::Dialog, Action::DeleteChar, &["backspace"]),
    (Context::Dialog, Action::ClearInput, &["ctrl-u"]),
    (Context::Picker, Action::Back, &["esc", "q"]),
    (Context::Picker, Action::Up, &["k", "up"]),
    (Context::Picker, Action::Down, &["j", "down"]),
    (Context::Picker, Action::Toggle, &["space", "x"]),
    (Context::Picker, Action::Apply, &["enter"]),
    (Context::Filter, Action::Accept, &["enter"]),
    (Context::Filter, Action::Back, &["esc"]),
    (Context::Filter, Action::DeleteChar, &["backspace"]),
    (Context::Filter, Action::ClearInput, &["ctrl-u"]),
    (Context::Filter, Action::Down, &["down", "ctrl-n"]),
    (Context::Filter, Action::Up, &["up", "ctrl-p"]),
    (Context::Help, Action::Back, &["esc", "q"]),
    (Context::Help, Action::Down, &["j", "down"]),
    (Context::Help, Action::Up, &["k", "up"]),
    (
        Context::Help,
        Action::PageDown,
        &["ctrl-d", "pgdn", "space"],
    ),
    (Context::Help, Action::PageUp, &["ctrl-u", "pgup"]),
    (Context::Dashboard, Action::Quit, &["q", "Q"]),
    (Context::Dashboard, Action::Pause, &["space"]),
    (
        Context::Dashboard,
        Action::NextPage,
        &["n", "right", "down", "tab", "pgdn"],
    ),
    (
        Context::Dashboard,
        Action::PrevPage,
        &["p", "left", "up", "shift-tab", "pgup"],
    ),
    (Context::Dashboard, Action::Page1, &["1"]),
    (Context::Dashboard, Action::Page2, &["2"]),
    (Context::Dashboard, Action::Page3, &["3"]),
    (Context::Dashboard, Action::Page4, &["4"]),
    (Context::Dashboard, Action::Page5, &["5"]),
    (Context::Dashboard, Action::Page6, &["6"]),
    (Context::Browser, Action::ViewWorkloads, &["W"]),
    (Context::Changes, Action::ViewWorkloads, &["W"]),
    (Context::Live, Action::ViewWorkloads, &["W"]),
    (Context::Live, Action::Workloads, &["w"]),
    (Context::Live, Action::Inspect, &["i"]),
    (Context::Live, Action::Events, &["E"]),
    (Context::Live, Action::Logs, &["L"]),
    (Context::Live, Action::Follow, &["F"]),
    (Context::Live, Action::Previous, &["p"]),
    (Context::Live, Action::Container, &["C"]),
    (Context::Live, Action::NextMatch, &["n"]),
    (Context::Live, Action::PrevMatch, &["N"]),
    (Context::Dashboard, Action::Down, &["j"]),
    (Context::Dashboard, Action::Up, &["k"]),
    (Context::Dashboard, Action::Open, &["enter"]),
    (Context::Dashboard, Action::Back, &["esc"]),
    (Context::Browser, Action::ViewImages, &["V"]),
    (Context::Changes, Action::ViewImages, &["V"]),
    (Context::Live, Action::ViewImages, &["V"]),
    (Context::Live, Action::IndexImage, &["I"]),
    (Context::Live, Action::Rescan, &["r"]),
    (Context::Browser, Action::ViewStandards, &["S"]),
    (Context::Changes, Action::ViewStandards, &["S"]),
    (Context::Live, Action::ViewStandards, &["S"]),
];

impl Default for Keymap {
    fn default() -> Self {
        let mut tables: BTreeMap<Context, BTreeMap<Key, Action>> = BTreeMap::new();
        for (ctx, action, keys) in DEFAULTS {
            for k in *keys {
                let key = Key::parse(k).expect("default key spec");
                tables.entry(*ctx).or_default().insert(key, *action);
            }
        }
        Keymap {
            tables,
            read_only: false,
        }
    }
}

impl Action {
    /// Actions that change the repo (the editor, quick actions, staging, commit, push). A
    /// read-only console has no capability to run them (see `app::write::WriteCap`); its keymap
    /// leaves them out so that help does not offer them either.
    pub fn mutates(self) -> bool {
        matches!(
            self,
            Action::Edit
                | Action::QuickAction
                | Action::Stage
                | Action::StageAll
                | Action::Discard
                | Action::Commit
                | Action::Push
        )
    }
}

impl Keymap {
    /// This keymap for a read-only console: help no longer offers the actions that change the
    /// repo. Their keys stay bound so that pressing one says "read-only" in the footer (the
    /// console has no `WriteCap`, so they cannot write) rather than doing nothing silently.
    pub fn read_only(mut self) -> Keymap {
        self.read_only = true;
        self
    }

    /// Whether this is a read-only console's keymap.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Every bound key of every context (for tests that press them all).
    pub fn all_keys(&self) -> Vec<(Context, Key, Action)> {
        self.tables
            .iter()
            .flat_map(|(c, t)| t.iter().map(|(k, a)| (*c, *k, *a)))
            .collect()
    }

    /// The defaults with the `[keys.*]` overrides of `config` applied. Binding an action replaces
    /// its default keys in that context; `"none"` unbinds it.
    pub fn with_overrides(config: &Config) -> Result<Keymap, FileError> {
        let mut map = Keymap::default();
        for (ctx_name, actions) in &config.keys {
            let ctx = Context::from_name(ctx_name.get_ref()).ok_or_else(|| {
                let known: Vec<_> = Context::ALL.iter().map(|c| c.name()).collect();
                config.error_at(
                    ctx_name.span(),
                    format!(
                        "unknown key context \"{}\"; use one of {}",
                        ctx_name.get_ref(),
                        known.join(", ")
                    ),
                )
            })?;
            for (action_name, keys) in actions {
                let action = Action::from_name(action_name.get_ref()).ok_or_else(|| {
                    config.error_at(
                        action_name.span(),
                        format!("unknown action \"{}\"", action_name.get_ref()),
                    )
                })?;
                let table = map.tables.entry(ctx).or_default();
                table.retain(|_, a| *a != action);
                for k in keys.get_ref().keys() {
                    if k == "none" {
                        continue;
                    }
                    let key = Key::parse(k).map_err(|m| config.error_at(keys.span(), m))?;
                    table.insert(key, action);
                }
            }
        }
        Ok(map)
    }

    /// The action for `key` in `ctx`, falling back to the global table.
    pub fn resolve(&self, ctx: Context, key: Key) -> Option<Action> {
        self.tables
            .get(&ctx)
            .and_then(|t| t.get(&key))
            .or_else(|| self.tables.get(&Context::Global).and_then(|t| t.get(&key)))
            .copied()
    }

    /// The keys bound to `action` in `ctx` (for hints), shortest first.
    pub fn keys_for(&self, ctx: Context, action: Action) -> Vec<String> {
        let mut keys: Vec<String> = self
            .tables
            .get(&ctx)
            .into_iter()
            .flatten()
            .filter(|(_, a)| **a == action)
            .map(|(k, _)| k.display())
            .collect();
        keys.sort_by_key(|k| (k.chars().count(), k.clone()));
        keys
    }

    /// Help rows: per context, each action once with all its keys, in the order of `Action::ALL`.
    pub fn help_rows(&self, contexts: &[Context]) -> Vec<(Context, Vec<(String, &'static str)>)> {
        contexts
            .iter()
            .filter_map(|ctx| {
                let rows: Vec<_> = Action::ALL
                    .iter()
                    .filter(|a| !(self.read_only && a.mutates()))
                    .filter_map(|a| {
                        let keys = self.keys_for(*ctx, *a);
                        (!keys.is_empty()).then(|| (keys.join(", "), a.description()))
                    })
                    .collect();
                (!rows.is_empty()).then_some((*ctx, rows))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn key(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    #[test]
    fn vim_keys_and_arrows_resolve() {
        let m = Keymap::default();
        assert_eq!(m.resolve(Context::Browser, key("j")), Some(Action::Down));
        assert_eq!(m.resolve(Context::Browser, key("down")), Some(Action::Down));
        assert_eq!(m.resolve(Context::Browser, key("G")), Some(Action::Bottom));
        assert_eq!(
            m.resolve(Context::Browser, key("ctrl-d")),
            Some(Action::PageDown)
        );
        assert_eq!(
            m.resolve(Context::Browser, key("?")),
            Some(Action::Help),
            "global fallback"
        );
        assert_eq!(
            m.resolve(Context::Filter, key("j")),
            None,
            "typing in the filter is text"
        );
        assert_eq!(
            m.resolve(Context::Filter, key("ctrl-c")),
            Some(Action::ForceQuit)
        );
        assert_eq!(m.resolve(Context::Help, key("q")), Some(Action::Back));
    }

    #[test]
    fn key_events_map_like_specs() {
        let ev = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(Key::from_event(&ev), Some(key("ctrl-d")));
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(key("G")));
        assert!(Key::parse("ctrl-").is_err());
        assert_eq!(key("shift-tab").display(), "shift-tab");
        assert_eq!(key("ctrl-alt-x").display(), "ctrl-alt-x");
    }

    #[test]
    fn overrides_replace_and_unbind_and_report_lines() {
        let cfg = Config::parse(
            Path::new("c.toml"),
            "[keys.browser]\ndown = [\"ctrl-n\"]\nquit = \"none\"\n",
        )
        .unwrap();
        let m = Keymap::with_overrides(&cfg).unwrap();
        assert_eq!(
            m.resolve(Context::Browser, key("ctrl-n")),
            Some(Action::Down)
        );
        assert_eq!(m.resolve(Context::Browser, key("j")), None);
        assert_eq!(m.resolve(Context::Browser, key("q")), None);
        let cfg = Config::parse(
            Path::new("c.toml"),
            "[keys.browser]\ndown = \"j\"\nfly = \"x\"\n",
        )
        .unwrap();
        let e = Keymap::with_overrides(&cfg).unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (3, "unknown action \"fly\""));
        let cfg = Config::parse(Path::new("c.toml"), "[keys.browser]\ndown = \"ctrl-\"\n").unwrap();
        assert_eq!(Keymap::with_overrides(&cfg).unwrap_err().line, 2);
        let cfg = Config::parse(Path::new("c.toml"), "\n[keys.nowhere]\ndown = \"j\"\n").unwrap();
        assert_eq!(Keymap::with_overrides(&cfg).unwrap_err().line, 2);
    }

    #[test]
    fn help_rows_come_from_the_tables() {
        let m = Keymap::default();
        let rows = m.help_rows(&Context::CONSOLE);
        assert!(rows.iter().all(|(c, _)| *c != Context::Dashboard));
        let wall = m.help_rows(&Context::DASHBOARD);
        let dash = &wall
            .iter()
            .find(|(c, _)| *c == Context::Dashboard)
            .unwrap()
            .1;
        assert!(dash.contains(&("space".to_string(), "Pause or resume the page rotation")));
        let browser = &rows.iter().find(|(c, _)| *c == Context::Browser).unwrap().1;
        assert!(
            browser.contains(&("j, ↓".to_string(), "Move down")),
            "{browser:?}"
        );
        assert!(browser.contains(&("/".to_string(), "Filter by path, kind or name (fuzzy)")));
    }
}
