//! The live views: fleet, cluster tree with events, nodes, bare metal; the context picker.
//! (Storage, backup, GitOps and the overview are in `infra.rs`, with the helpers here.)
//! Rows are derived in `app::live::views::settle`; these functions only lay them out.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};

use super::{fg_on, pane, shorten_middle};
use crate::app::State;
use crate::app::live::fleet::Verdict;
use crate::app::live::nodes::{cpu, memory};
use crate::app::live::table::TableNav;
use crate::app::live::{SourceStatus, age, baremetal};
use crate::app::nav::Route;
use crate::keymap::{Action, Context};
use crate::model::{CondStatus, Time};
use crate::theme::{Role, Theme};

pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    let (header, body, footer) = crate::app::layout::bars(area);
    header_bar(frame, header, state, theme);
    if state.route == Route::Changes {
        super::changes::changes(frame, body, state, theme);
    } else if let Some(msg) = blocking_message(state) {
        let p = Paragraph::new(msg)
            .wrap(Wrap { trim: true })
            .style(theme.style(Role::Warning))
            .block(pane(
                Line::from(format!(" {} ", state.route.title())),
                true,
                state,
                theme,
            ));
        frame.render_widget(p, body);
    } else {
        match &state.route {
            Route::Fleet => fleet(frame, body, state, theme),
            Route::Cluster { .. } => cluster(frame, body, state, theme),
            Route::Nodes => nodes(frame, body, state, theme),
            Route::BareMetal => baremetal(frame, body, state, theme),
            Route::Storage => super::infra::storage(frame, body, state, theme),
            Route::Backup => super::infra::backup(frame, body, state, theme),
            Route::GitOps => super::infra::gitops(frame, body, state, theme),
            Route::Overview => super::infra::overview(frame, body, state, theme),
            Route::Reconcile => super::changes::reconcile(frame, body, state, theme),
            Route::Browser | Route::Changes => {}
        }
    }
    footer_bar(frame, footer, state, theme);
    if state.views.picker.is_some() {
        picker(frame, area, state, theme);
    }
}

/// What to say instead of an empty table: no kubeconfig, nothing connected yet, or RBAC.
fn blocking_message(state: &State) -> Option<String> {
    let live = &state.live;
    let roots: Vec<_> = live.roots().collect();
    if roots.is_empty() {
        return Some("Connecting… (reading the kubeconfig)".into());
    }
    if let Some(s) = roots.iter().find(|s| s.setup_error.is_some()) {
        let err = &s
            .setup_error
            .as_ref()
            .map(|e| e.1.clone())
            .unwrap_or_default();
        if roots.len() == 1 && s.kinds.is_empty() {
            return Some(format!(
                "Cannot reach {}: {err}\n\nRetrying. Check the kubeconfig (--kubeconfig, KUBECONFIG, --context), or try `blast demo` for a simulated datacenter.",
                s.id
            ));
        }
    }
    let needed: Vec<crate::model::kinds::KindInfo> = match &state.route {
        Route::Fleet => crate::app::live::fleet::KINDS.to_vec(),
        Route::BareMetal => vec![crate::model::kinds::SERVER],
        Route::Cluster { .. } => vec![crate::model::kinds::CLUSTER],
        _ => vec![],
    };
    for k in &needed {
        if let Some(p) = live.kind_problem(k) {
            return Some(format!("This view is unavailable: {p}"));
        }
    }
    None
}

fn header_bar(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let base = theme.style(Role::Header);
    let mut spans = vec![Span::styled(
        " blast ",
        fg_on(base, theme.style(Role::Accent)),
    )];
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
    ];
    // Narrow terminals: the numbers, and the name of the view on screen only.
    let compact = area.width < 140;
    for (k, name, r) in tabs {
        // The reconcile tab only once something was pushed.
        if r == Route::Reconcile && state.reconcile.is_none() {
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

fn footer_bar(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut spans: Vec<Span> = vec![];
    let hint = |spans: &mut Vec<Span<'static>>, ctx: Context, a: Action, label: &str| {
        if let Some(k) = state.keymap.keys_for(ctx, a).first() {
            spans.push(Span::styled(format!(" {k}"), theme.style(Role::Accent)));
            spans.push(Span::styled(format!(" {label} "), theme.style(Role::Muted)));
        }
    };
    let nav = state.nav();
    if let Some(n) = nav.filter(|n| n.filtering) {
        spans.push(Span::styled(" /", theme.style(Role::Accent)));
        spans.push(Span::styled(n.filter.clone(), theme.style(Role::Text)));
        spans.push(Span::styled("█", theme.style(Role::Accent)));
        hint(&mut spans, Context::Filter, Action::Accept, "keep");
        hint(&mut spans, Context::Filter, Action::Back, "clear");
    } else if let Some(t) = &state.toast {
        let role = if t.error { Role::Error } else { Role::Warning };
        spans.push(Span::styled(
            format!(" {} {}", if t.error { "✗" } else { "!" }, t.text),
            theme.style(role),
        ));
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
        hint(&mut spans, Context::Live, Action::Open, open);
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
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A column: title, minimum width, and priority (0 always shown; higher ones go first when
/// the terminal is narrow). The last shown column takes the remaining width.
pub(super) struct Col {
    title: &'static str,
    width: u16,
    prio: u8,
}

pub(super) const fn col(title: &'static str, width: u16, prio: u8) -> Col {
    Col { title, width, prio }
}

/// The indices of the columns that fit in `width`.
pub(super) fn fit(cols: &[Col], width: u16) -> Vec<usize> {
    let mut shown: Vec<usize> = (0..cols.len()).collect();
    let total = |s: &[usize]| s.iter().map(|&i| cols[i].width + 1).sum::<u16>();
    while total(&shown) > width {
        let Some((pos, _)) = shown
            .iter()
            .enumerate()
            .filter(|(_, i)| cols[**i].prio > 0)
            .max_by_key(|(p, i)| (cols[**i].prio, *p))
        else {
            break;
        };
        shown.remove(pos);
    }
    shown
}

/// Draws a table of `rows` (already sliced to what is visible) in a bordered pane.
#[allow(clippy::too_many_arguments)]
pub(super) fn table<'a>(
    frame: &mut Frame,
    area: Rect,
    title: Line<'a>,
    cols: &[Col],
    rows: Vec<Vec<Span<'a>>>,
    styles: Vec<Style>,
    selected: Option<usize>,
    focused: bool,
    state: &State,
    theme: &Theme,
) {
    let inner_w = area.width.saturating_sub(2);
    let shown = fit(cols, inner_w);
    let widths: Vec<Constraint> = shown
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            if n + 1 == shown.len() {
                Constraint::Fill(1)
            } else {
                Constraint::Length(cols[i].width)
            }
        })
        .collect();
    let header = Row::new(
        shown
            .iter()
            .map(|&i| Cell::from(cols[i].title))
            .collect::<Vec<_>>(),
    )
    .style(theme.style(Role::Muted).add_modifier(Modifier::BOLD));
    let body: Vec<Row> = rows
        .into_iter()
        .zip(styles)
        .enumerate()
        .map(|(n, (cells, style))| {
            let cells: Vec<Cell> = shown
                .iter()
                .map(|&i| Cell::from(Line::from(cells.get(i).cloned().unwrap_or_default())))
                .collect();
            let mut row = Row::new(cells).style(style);
            if Some(n) == selected {
                row = row.style(theme.style(Role::Selection));
            }
            row
        })
        .collect();
    let t = Table::new(body, widths)
        .header(header)
        .column_spacing(1)
        .block(pane(title, focused, state, theme));
    frame.render_widget(t, area);
}

pub(super) fn verdict_span(v: Verdict, theme: &Theme) -> Span<'static> {
    Span::styled(
        format!("{} {}", v.symbol(), v.label()),
        verdict_style(v, theme),
    )
}

pub(super) fn verdict_style(v: Verdict, theme: &Theme) -> Style {
    theme.style(match v {
        Verdict::Healthy => Role::Ok,
        Verdict::Progressing => Role::Accent,
        Verdict::Unknown => Role::Muted,
        Verdict::Degraded => Role::Warning,
        Verdict::Failed => Role::Error,
    })
}

pub(super) fn visible<'a, T>(rows: &'a [T], nav: &TableNav, height: usize) -> (usize, &'a [T]) {
    let start = nav.offset.min(rows.len());
    let end = (start + height).min(rows.len());
    (start, &rows[start..end])
}

pub(super) fn title<'a>(name: &str, nav: &TableNav, total: usize, sort: Option<&str>) -> Line<'a> {
    let mut t = format!(" {name} ({total})");
    if !nav.filter.is_empty() {
        t.push_str(&format!(" /{}", nav.filter));
    }
    if let Some(s) = sort {
        t.push_str(&format!(" ↓{s}"));
    }
    t.push(' ');
    Line::from(t)
}

/// The title plus, for every source that is not live, what went wrong and since when, so the
/// error is on screen and not only in the log.
pub(super) fn with_problems<'a>(mut line: Line<'a>, state: &State, theme: &Theme) -> Line<'a> {
    let now = state.live.now;
    for s in state.live.sources.values() {
        let text = match s.status() {
            SourceStatus::Stale { since, error } => {
                format!(" ⚠ {} lost {} ago: {error} ", s.id, age(now, since))
            }
            SourceStatus::Forbidden { message } => format!(" ⊘ {}: {message} ", s.id),
            _ => continue,
        };
        line.spans.push(Span::styled(
            shorten_middle(&text, 90),
            theme.style(Role::Stale),
        ));
    }
    line
}

pub(super) fn stale_mark(since: Option<Time>, now: Time) -> String {
    since
        .map(|s| format!(" ⚠stale {}", age(now, s)))
        .unwrap_or_default()
}

fn fleet(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let now = state.live.now;
    let multi_root = state.live.roots().count() > 1;
    let cols = [
        col("CLUSTER", 16, 0),
        col("HEALTH", 13, 0),
        col("CP", 5, 0),
        col("WORKERS", 7, 0),
        col("K8S", 8, 1),
        col("TALOS", 8, 1),
        col("PHASE", 12, 3),
        col("AGE", 5, 2),
        col("SOURCE", 10, if multi_root { 3 } else { 9 }),
        col("CONDITION", 10, 1),
    ];
    let height = state.table_height();
    let (start, rows) = visible(&v.fleet_rows, &v.fleet, height);
    let mut cells = vec![];
    let mut styles = vec![];
    for r in rows {
        let count_style = |c: crate::app::live::fleet::Count| {
            if c.ready < c.desired {
                theme.style(Role::Warning)
            } else {
                theme.style(Role::Text)
            }
        };
        let mut cond = match &r.problem {
            Some(p) if r.verdict != Verdict::Healthy => {
                let since = p
                    .since
                    .map(|s| format!(" {}", age(now, s)))
                    .unwrap_or_default();
                format!("{}: {}{since} {}", p.type_, p.reason, p.message)
            }
            _ => String::new(),
        };
        if r.paused {
            cond = format!("⏸ paused {cond}");
        }
        cond.push_str(&stale_mark(r.stale_since, now));
        let name = match &r.key.namespace {
            Some(ns) if ns != &r.key.name => format!("{ns}/{}", r.key.name),
            _ => r.key.name.clone(),
        };
        cells.push(vec![
            Span::raw(shorten_middle(&name, 16)),
            verdict_span(r.verdict, theme),
            Span::styled(r.control_plane.to_string(), count_style(r.control_plane)),
            Span::styled(r.workers.to_string(), count_style(r.workers)),
            Span::raw(r.kubernetes.clone()),
            Span::raw(r.talos.clone()),
            Span::raw(r.phase.clone()),
            Span::raw(r.created.map(|c| age(now, c)).unwrap_or_default()),
            Span::raw(r.source.clone()),
            Span::styled(
                cond,
                theme.style(if r.stale_since.is_some() {
                    Role::Stale
                } else {
                    Role::Muted
                }),
            ),
        ]);
        styles.push(if r.stale_since.is_some() {
            theme.style(Role::Stale)
        } else {
            theme.style(Role::Text)
        });
    }
    let sort = crate::app::live::fleet::SORT_COLUMNS
        [v.fleet.sort % crate::app::live::fleet::SORT_COLUMNS.len()];
    let selected = v.fleet.selected.checked_sub(start);
    let mut t = with_problems(
        title("Clusters", &v.fleet, v.fleet_rows.len(), Some(sort)),
        state,
        theme,
    );
    if v.fleet_rows.is_empty() && !syncing(state) {
        t = Line::from(" Clusters (0): no Cluster API clusters on the management cluster ");
    }
    table(
        frame, area, t, &cols, cells, styles, selected, true, state, theme,
    );
}

pub(super) fn syncing(state: &State) -> bool {
    state
        .live
        .roots()
        .any(|s| matches!(s.status(), SourceStatus::Connecting))
}

fn ready_span(r: Option<&CondStatus>, theme: &Theme) -> Span<'static> {
    match r {
        Some(CondStatus::True) => Span::styled("✔ True", theme.style(Role::Ok)),
        Some(CondStatus::False) => Span::styled("✖ False", theme.style(Role::Error)),
        Some(CondStatus::Unknown) => Span::styled("? Unkn", theme.style(Role::Warning)),
        None => Span::raw(""),
    }
}

fn cluster(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let now = state.live.now;
    let height = state.table_height();
    let tree_h = (height + 3) as u16;
    let tree_area = Rect {
        height: tree_h.min(area.height),
        ..area
    };
    let events_area = Rect {
        y: area.y + tree_area.height,
        height: area.height.saturating_sub(tree_area.height),
        ..area
    };
    let (start, rows) = visible(&v.tree, &v.cluster, height);
    let label_w = v
        .tree
        .iter()
        .map(|r| r.depth as usize * 3 + r.label.chars().count())
        .max()
        .unwrap_or(20)
        .clamp(20, (area.width as usize / 2).max(20)) as u16;
    let cols = [
        col("OBJECT", label_w, 0),
        col("READY", 7, 0),
        col("STATUS", 13, 1),
        col("SINCE", 5, 2),
        col("REASON / MESSAGE", 10, 1),
    ];
    let mut cells = vec![];
    let mut styles = vec![];
    for r in rows {
        let mut prefix = String::new();
        for level in 1..=r.depth as usize {
            let last = r.last.get(level).copied().unwrap_or(true);
            if level == r.depth as usize {
                prefix.push_str(if last { "└─ " } else { "├─ " });
            } else {
                prefix.push_str(if last { "   " } else { "│  " });
            }
        }
        let room = (label_w as usize).saturating_sub(prefix.chars().count());
        let label = format!("{prefix}{}", shorten_middle(&r.label, room));
        let why = match (r.reason.is_empty(), r.message.is_empty()) {
            (true, true) => String::new(),
            (false, true) => r.reason.clone(),
            (true, false) => r.message.clone(),
            (false, false) => format!("{}: {}", r.reason, r.message),
        };
        let group = r.obj.kind.is_empty();
        cells.push(vec![
            Span::styled(
                label,
                if group {
                    theme.style(Role::Title)
                } else {
                    theme.style(Role::Text)
                },
            ),
            ready_span(r.ready.as_ref(), theme),
            Span::styled(r.status.clone(), verdict_style(r.verdict, theme)),
            Span::raw(r.since.map(|s| age(now, s)).unwrap_or_default()),
            Span::styled(
                why,
                theme.style(if r.broken { Role::Error } else { Role::Muted }),
            ),
        ]);
        styles.push(theme.style(Role::Text));
    }
    let name = match &state.route {
        Route::Cluster { key, .. } => key.name.clone(),
        _ => String::new(),
    };
    let stale = state.live.roots().find_map(|s| match s.status() {
        SourceStatus::Stale { since, .. } => Some(since),
        _ => None,
    });
    let namespaces = state
        .live
        .sources
        .get(&name)
        .map(|w| w.objects(&crate::model::kinds::NAMESPACE).count())
        .filter(|n| *n > 0)
        .map(|n| format!(" · {n} namespaces"))
        .unwrap_or_default();
    let mut t = format!(
        " {name}: objects ({}){namespaces}{} ",
        v.tree.len(),
        stale_mark(stale, now)
    );
    if v.tree.is_empty() {
        t = if syncing(state) {
            format!(" {name}: loading… ")
        } else {
            format!(" {name}: no such Cluster on the management cluster ")
        };
    }
    table(
        frame,
        tree_area,
        with_problems(Line::from(t), state, theme),
        &cols,
        cells,
        styles,
        v.cluster.selected.checked_sub(start),
        true,
        state,
        theme,
    );
    if events_area.height < 3 {
        return;
    }
    let sel = v.tree.get(v.cluster.selected);
    let what = sel.map(|r| r.label.clone()).unwrap_or_default();
    let lines: Vec<Line> = if v.events.is_empty() {
        vec![Line::styled(
            if sel.is_some_and(|r| r.obj.kind.is_empty()) {
                ""
            } else {
                "no events"
            },
            theme.style(Role::Muted),
        )]
    } else {
        v.events
            .iter()
            .take(events_area.height.saturating_sub(2) as usize)
            .map(|e| {
                let role = if e.type_ == "Warning" {
                    Role::Warning
                } else {
                    Role::Text
                };
                let count = if e.count > 1 {
                    format!(" ×{}", e.count)
                } else {
                    String::new()
                };
                Line::from(vec![
                    Span::styled(
                        format!("{:>4} ", e.last.map(|l| age(now, l)).unwrap_or_default()),
                        theme.style(Role::Muted),
                    ),
                    Span::styled(
                        format!("{} ", if e.type_ == "Warning" { "⚠" } else { "·" }),
                        theme.style(role),
                    ),
                    Span::styled(
                        format!("{}{count} ", e.reason),
                        theme.style(role).add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(e.message.clone(), theme.style(Role::Text)),
                ])
            })
            .collect()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(
            Line::from(format!(
                " Events: {} ({}) ",
                shorten_middle(&what, 40),
                v.events.len()
            ))
            .style(theme.style(Role::Title)),
        );
    frame.render_widget(Paragraph::new(lines).block(block), events_area);
}

fn nodes(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let now = state.live.now;
    let cols = [
        col("NODE", 22, 0),
        col("CLUSTER", 12, 1),
        col("READY", 11, 0),
        col("ROLES", 13, 3),
        col("IP", 15, 4),
        col("KUBELET", 9, 2),
        col("TALOS", 8, 2),
        col("CPU", 7, 5),
        col("MEMORY", 13, 5),
        col("MACHINE", 20, 6),
        col("SERVER", 14, 7),
        col("CONDITIONS", 12, 1),
    ];
    let height = state.table_height();
    let (start, rows) = visible(&v.node_rows, &v.nodes, height);
    let mut cells = vec![];
    let mut styles = vec![];
    for r in rows {
        let ready = match r.ready {
            CondStatus::True => Span::styled("✔ Ready", theme.style(Role::Ok)),
            CondStatus::False => Span::styled(
                format!(
                    "✖ NotReady {}",
                    r.ready_since.map(|s| age(now, s)).unwrap_or_default()
                ),
                theme.style(Role::Error),
            ),
            CondStatus::Unknown => Span::styled(
                format!(
                    "? Unknown {}",
                    r.ready_since.map(|s| age(now, s)).unwrap_or_default()
                ),
                theme.style(Role::Warning),
            ),
        };
        let mut flags: Vec<String> = vec![];
        if r.cordoned {
            flags.push("cordoned".into());
        }
        flags.extend(r.pressure.iter().cloned());
        if !r.taints.is_empty() {
            flags.push(format!("taints: {}", r.taints.join(" ")));
        }
        if r.ready != CondStatus::True && !r.reason.is_empty() {
            flags.push(format!("{}: {}", r.reason, r.message));
        }
        if let Some(b) = &r.broken {
            flags.push(format!("malformed: {b}"));
        }
        let mut cond = flags.join(", ");
        cond.push_str(&stale_mark(r.stale_since, now));
        cells.push(vec![
            Span::raw(shorten_middle(&r.name, 22)),
            Span::raw(r.cluster.clone()),
            ready,
            Span::raw(r.roles.clone()),
            Span::raw(r.internal_ip.clone()),
            Span::raw(r.kubelet.clone()),
            Span::raw(r.talos.clone()),
            Span::raw(format!("{}/{}", cpu(&r.capacity), cpu(&r.allocatable))),
            Span::raw(format!(
                "{}/{}",
                memory(&r.capacity),
                memory(&r.allocatable)
            )),
            Span::raw(
                r.machine
                    .as_ref()
                    .map(|m| m.name.clone())
                    .unwrap_or_default(),
            ),
            Span::raw(
                r.server
                    .as_ref()
                    .map(|(u, h)| h.clone().unwrap_or_else(|| u.chars().take(8).collect()))
                    .unwrap_or_default(),
            ),
            Span::styled(
                cond,
                theme.style(if r.broken.is_some() {
                    Role::Error
                } else {
                    Role::Muted
                }),
            ),
        ]);
        styles.push(if r.stale_since.is_some() {
            theme.style(Role::Stale)
        } else {
            theme.style(Role::Text)
        });
    }
    let sort = crate::app::live::nodes::SORT_COLUMNS
        [v.nodes.sort % crate::app::live::nodes::SORT_COLUMNS.len()];
    let mut t = with_problems(
        title("Nodes", &v.nodes, v.node_rows.len(), Some(sort)),
        state,
        theme,
    );
    if v.node_rows.is_empty() && !syncing(state) {
        t = Line::from(
            " Nodes (0): none visible. Workload nodes need fleet.workload_kubeconfigs = true or a --context per cluster ",
        );
    }
    table(
        frame,
        area,
        t,
        &cols,
        cells,
        styles,
        v.nodes.selected.checked_sub(start),
        true,
        state,
        theme,
    );
}

fn baremetal(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let now = state.live.now;
    let height = state.table_height();
    let top = Rect {
        height: ((height + 3) as u16).min(area.height),
        ..area
    };
    let bottom = Rect {
        y: area.y + top.height,
        height: area.height.saturating_sub(top.height),
        ..area
    };
    let cols = [
        col("HOSTNAME", 16, 0),
        col("STATE", 20, 0),
        col("POWER", 9, 0),
        col("ACCEPTED", 8, 3),
        col("CLEAN", 5, 3),
        col("READY", 5, 2),
        col("CPU", 9, 4),
        col("MEMORY", 7, 4),
        col("DISKS", 10, 5),
        col("UUID", 36, 7),
        col("CLASS", 12, 2),
        col("ALLOCATED TO", 14, 1),
    ];
    let (start, rows) = visible(&v.server_rows, &v.servers, height);
    let yes = |b: bool| if b { "✔" } else { "✖" };
    let mut cells = vec![];
    let mut styles = vec![];
    for r in rows {
        let power = baremetal::power_label(r.power);
        let power_role = match power {
            "on" => Role::Ok,
            "off" => {
                if r.allocated {
                    Role::Error
                } else {
                    Role::Muted
                }
            }
            _ => Role::Warning,
        };
        let mut alloc = match (&r.cluster, &r.machine) {
            (Some(c), Some(m)) => format!("{c}: {}", m.name),
            _ => String::new(),
        };
        if r.cordoned {
            alloc = format!("cordoned {alloc}");
        }
        if let Some(b) = &r.broken {
            alloc = format!("malformed: {b}");
        }
        alloc.push_str(&stale_mark(r.stale_since, now));
        cells.push(vec![
            Span::raw(if r.hostname.is_empty() {
                r.name.chars().take(16).collect()
            } else {
                r.hostname.clone()
            }),
            Span::styled(
                format!("{} {}", r.verdict.symbol(), baremetal::state_label(r.state)),
                verdict_style(r.verdict, theme),
            ),
            Span::styled(
                format!("{} {power}", if power == "on" { "⏻" } else { "○" }),
                theme.style(power_role),
            ),
            Span::raw(yes(r.accepted)),
            Span::raw(yes(r.clean)),
            Span::raw(yes(r.ready)),
            Span::raw(r.cpu.clone()),
            Span::raw(r.memory.clone()),
            Span::raw(r.disks.clone()),
            Span::raw(r.name.clone()),
            Span::raw(r.classes.join(",")),
            Span::styled(
                alloc,
                theme.style(if r.broken.is_some() {
                    Role::Error
                } else {
                    Role::Text
                }),
            ),
        ]);
        styles.push(if r.stale_since.is_some() {
            theme.style(Role::Stale)
        } else {
            theme.style(Role::Text)
        });
    }
    let sort = baremetal::SORT_COLUMNS[v.servers.sort % baremetal::SORT_COLUMNS.len()];
    let t = with_problems(
        title("Servers", &v.servers, v.server_rows.len(), Some(sort)),
        state,
        theme,
    );
    table(
        frame,
        top,
        t,
        &cols,
        cells,
        styles,
        v.servers.selected.checked_sub(start),
        true,
        state,
        theme,
    );
    if bottom.height < 3 {
        return;
    }
    let ccols = [
        col("CLASS", 16, 0),
        col("AVAILABLE", 9, 0),
        col("IN USE", 6, 0),
        col("QUALIFIERS", 10, 1),
    ];
    let crow: Vec<Vec<Span>> = v
        .class_rows
        .iter()
        .take(bottom.height.saturating_sub(3) as usize)
        .map(|c| {
            vec![
                Span::raw(c.name.clone()),
                Span::styled(
                    c.available.to_string(),
                    theme.style(if c.available == 0 {
                        Role::Warning
                    } else {
                        Role::Ok
                    }),
                ),
                Span::raw(c.in_use.to_string()),
                Span::styled(c.qualifiers.clone(), theme.style(Role::Muted)),
            ]
        })
        .collect();
    let n = crow.len();
    table(
        frame,
        bottom,
        Line::from(format!(" Server classes ({}) ", v.class_rows.len())),
        &ccols,
        crow,
        vec![theme.style(Role::Text); n],
        None,
        false,
        state,
        theme,
    );
}

fn picker(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(p) = &state.views.picker else { return };
    let w = (p.items.iter().map(|(c, _)| c.len()).max().unwrap_or(10) as u16 + 10)
        .clamp(30, area.width.saturating_sub(4));
    let h = (p.items.len() as u16 + 4).min(area.height.saturating_sub(2));
    let r = Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    };
    let mut lines: Vec<Line> = p
        .items
        .iter()
        .enumerate()
        .map(|(i, (name, on))| {
            let style = if i == p.selected {
                theme.style(Role::Selection)
            } else {
                theme.style(Role::Text)
            };
            Line::styled(format!(" [{}] {name}", if *on { "x" } else { " " }), style)
        })
        .collect();
    lines.push(Line::styled(
        " space toggle · enter apply · esc cancel",
        theme.style(Role::Muted),
    ));
    frame.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocus))
        .title(Line::from(" Contexts to watch ").style(theme.style(Role::Title)))
        .style(theme.style(Role::Background));
    frame.render_widget(Paragraph::new(lines).block(block), r);
}
