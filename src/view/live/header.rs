//! The live views' header (the views as tabs, the sources' state) and footer (key hints, the
//! filter being typed, the last toast).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::State;
use crate::app::live::{SourceStatus, age};
use crate::app::nav::Route;
use crate::keymap::{Action, Context};
use crate::theme::{Role, Theme};
use crate::view::fg_on;

pub(super) fn header_bar(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let base = theme.style(Role::Header);
    let mut spans = vec![Span::styled(
        " blast ",
        fg_on(base, theme.style(Role::Accent)),
    )];
    if state.keymap.is_read_only() {
        spans.push(super::super::read_only_badge(base, theme));
    }
    let tabs = [
        ("1", "Repo", Route::Browser),
        ("2", "Fleet", Route::Fleet),
        ("3", "Nodes", Route::Nodes),
        ("4", "Metal", Route::BareMetal),
        ("5", "Storage", Route::Storage),
        ("6", "Backup", Route::Backup),
        ("7", "GitOps", Route::GitOps),
        ("8", "Overview", Route::Overview),
        ("9", "Changes", Route::Changes),
        ("0", "Reconcile", Route::Reconcile),
        ("W", "Workloads", Route::Workloads),
        ("S", "Standards", Route::Standards),
    ];
    // Narrow terminals: the numbers, and the name of the view on screen only.
    let compact = area.width < 140;
    for (k, name, r) in tabs {
        // The reconcile tab only once something was pushed.
        if r == Route::Reconcile && state.reconcile.is_none() {
            continue;
        }
        // The workloads tab while it (or a log from it) is on screen: `W` opens it anywhere.
        if r == Route::Workloads && !matches!(state.route, Route::Workloads | Route::Logs) {
            continue;
        }
        // Likewise the standards tab (`S` opens it anywhere).
        if r == Route::Standards && state.route != Route::Standards {
            continue;
        }
        let on = std::mem::discriminant(&r) == std::mem::discriminant(&state.route);
        let style = if on {
            fg_on(base, theme.style(Role::Accent)).add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            fg_on(base, theme.style(Role::Muted))
        };
        let label = match (compact, on) {
            (true, false) => k.to_string(),
            _ => format!("{k} {name}"),
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::styled(" ", base));
    }
    if let Route::Cluster { key, .. } = &state.route {
        spans.push(Span::styled(
            format!("› {} ", key.name),
            fg_on(base, theme.style(Role::Accent)).add_modifier(Modifier::BOLD),
        ));
    }
    // Management clusters by name; workload clusters as counts per state.
    let now = state.live.now;
    let mut right: Vec<Span> = vec![];
    let mark = |st: &SourceStatus| match st {
        SourceStatus::Live => ("●", Role::Ok, String::new()),
        SourceStatus::Idle => ("○", Role::Muted, String::new()),
        SourceStatus::Connecting => ("◌", Role::Warning, " connecting".into()),
        SourceStatus::Stale { since, .. } => {
            ("⚠", Role::Stale, format!(" stale {}", age(now, *since)))
        }
        SourceStatus::Forbidden { .. } => ("⊘", Role::Error, " forbidden".into()),
    };
    for s in state.live.roots() {
        let (m, role, text) = mark(&s.status());
        right.push(Span::styled(
            format!(" {m}{}{text}", s.id),
            fg_on(base, theme.style(role)),
        ));
    }
    let mut counts: std::collections::BTreeMap<&str, (usize, Role)> = Default::default();
    for s in state
        .live
        .workloads()
        .filter(|s| !s.kinds.is_empty() || s.setup_error.is_some())
    {
        let (m, role, _) = mark(&s.status());
        counts.entry(m).or_insert((0, role)).0 += 1;
    }
    if !counts.is_empty() {
        right.push(Span::styled(
            " sites",
            fg_on(base, theme.style(Role::Muted)),
        ));
        for (m, (n, role)) in counts {
            right.push(Span::styled(
                format!(" {m}{n}"),
                fg_on(base, theme.style(role)),
            ));
        }
    }
    right.push(Span::styled(" ", base));
    let width = |v: &[Span]| v.iter().map(|s| s.width()).sum::<usize>();
    let room = (area.width as usize).saturating_sub(width(&spans));
    if width(&right) > room {
        // Keep the first sources that fit.
        let mut kept = vec![];
        let mut w = 0;
        for s in right {
            if w + s.width() > room.saturating_sub(1) {
                break;
            }
            w += s.width();
            kept.push(s);
        }
        right = kept;
    }
    let pad = (area.width as usize).saturating_sub(width(&spans) + width(&right));
    spans.push(Span::styled(" ".repeat(pad), base));
    spans.extend(right);
    frame.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}

pub(super) fn footer_bar(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut spans: Vec<Span> = vec![];
    let hint = |spans: &mut Vec<Span<'static>>, ctx: Context, a: Action, label: &str| {
        crate::view::hint(state, ctx, a, label, theme, spans);
    };
    let nav = state.nav();
    if let Some(n) = nav.filter(|n| n.filtering) {
        crate::view::typing(state, " /", &n.filter, None, theme, &mut spans);
    } else if let Some(t) = &state.toast {
        spans.push(crate::view::toast_span(t, theme));
    } else if state.route == Route::Changes {
        hint(&mut spans, Context::Changes, Action::Stage, "stage");
        hint(&mut spans, Context::Changes, Action::Discard, "discard");
        hint(&mut spans, Context::Changes, Action::Commit, "commit");
        hint(&mut spans, Context::Changes, Action::Push, "push");
        hint(&mut spans, Context::Changes, Action::PreviewDown, "diff");
        hint(&mut spans, Context::Changes, Action::Edit, "edit");
        hint(&mut spans, Context::Global, Action::Help, "help");
        hint(&mut spans, Context::Changes, Action::Back, "back");
    } else {
        if let Some(n) = nav.filter(|n| !n.filter.is_empty()) {
            spans.push(Span::styled(
                format!(" filter: {} ", n.filter),
                theme.style(Role::Match),
            ));
        }
        let open = match state.route {
            Route::Fleet => "open",
            Route::Cluster { .. } => "open",
            Route::Nodes => "machine",
            _ => "open",
        };
        if state.route == Route::Logs {
            hint(&mut spans, Context::Live, Action::Follow, "follow");
            hint(&mut spans, Context::Live, Action::Previous, "previous");
            hint(&mut spans, Context::Live, Action::Container, "container");
            hint(&mut spans, Context::Live, Action::Filter, "search");
            hint(&mut spans, Context::Live, Action::NextMatch, "next");
            hint(&mut spans, Context::Live, Action::Back, "back");
            frame.render_widget(Paragraph::new(Line::from(spans)), area);
            return;
        }
        hint(&mut spans, Context::Live, Action::Open, open);
        hint(&mut spans, Context::Live, Action::Inspect, "whole row");
        if matches!(
            state.route,
            Route::Storage | Route::Backup | Route::GitOps | Route::Nodes
        ) {
            hint(&mut spans, Context::Live, Action::Workloads, "workloads");
        }
        if state.route == Route::Workloads {
            hint(&mut spans, Context::Live, Action::Logs, "logs");
        }
        hint(&mut spans, Context::Live, Action::Filter, "filter");
        if !matches!(state.route, Route::Cluster { .. }) {
            hint(&mut spans, Context::Live, Action::Sort, "sort");
        }
        if state.route == Route::Backup {
            hint(&mut spans, Context::Live, Action::Failures, "failures");
        }
        hint(&mut spans, Context::Live, Action::Jump, "repo");
        hint(&mut spans, Context::Live, Action::Contexts, "contexts");
        hint(&mut spans, Context::Global, Action::Help, "help");
        hint(&mut spans, Context::Live, Action::Back, "back");
    }
    let help = state
        .keymap
        .keys_for(Context::Global, Action::Help)
        .first()
        .map(|k| format!(" {k}"));
    fit_hints(&mut spans, area.width as usize, help.as_deref());
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Hints that do not fit whole are left out, from the end, rather than cut mid-word (`? he`,
/// `c conte` at 80 columns); the help hint (key span `help_key`) is kept while anything is.
/// A hint is a key span followed by its ` label ` span.
pub(super) fn fit_hints(spans: &mut Vec<Span<'static>>, width: usize, help_key: Option<&str>) {
    let w = |s: &[Span]| s.iter().map(Span::width).sum::<usize>();
    if w(spans) <= width {
        return;
    }
    let help = help_key
        .and_then(|k| spans.iter().position(|s| s.content == k))
        .filter(|i| i + 1 < spans.len())
        .map(|i| spans.drain(i..i + 2).collect::<Vec<_>>())
        .unwrap_or_default();
    let is_label = |s: &Span| s.content.starts_with(' ') && s.content.ends_with(' ');
    while w(spans) + w(&help) > width
        && spans.len() >= 2
        && is_label(&spans[spans.len() - 1])
        && spans[spans.len() - 2].content.starts_with(' ')
    {
        spans.truncate(spans.len() - 2);
    }
    spans.extend(help);
}
