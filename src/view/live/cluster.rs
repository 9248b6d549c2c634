//! One cluster: the tree of its Cluster API objects, machines and nodes, and the events of the
//! selected object (`app::live::cluster`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{syncing, with_problems};
use crate::app::State;
use crate::app::live::cluster::TreeRow;
use crate::app::live::{SourceStatus, age};
use crate::app::nav::Route;
use crate::model::{CondStatus, Time};
use crate::theme::{Role, Theme};
use crate::view::verdict_role;
use crate::view::widgets::table::{Cell, Column, LiveTable, TableView, stale_mark};
use crate::view::{pane, shorten_middle};

pub struct Ctx {
    now: Time,
    /// The object column grows to half the pane at most.
    max_label: u16,
}

impl LiveTable for TreeRow {
    type Ctx = Ctx;

    fn columns(ctx: &Ctx) -> Vec<Column> {
        vec![
            Column::new("OBJECT", 20, ctx.max_label, 0).middle(),
            Column::new("READY", 7, 7, 0),
            Column::new("STATUS", 13, 20, 1),
            Column::new("SINCE", 5, 6, 2),
            Column::new("REASON / MESSAGE", 10, 10, 1),
        ]
    }

    fn cells<'a>(&'a self, ctx: &Ctx) -> Vec<Cell<'a>> {
        let r = self;
        let mut lead = String::new();
        for level in 1..=r.depth as usize {
            let last = r.last.get(level).copied().unwrap_or(true);
            if level == r.depth as usize {
                lead.push_str(if last { "└─ " } else { "├─ " });
            } else {
                lead.push_str(if last { "   " } else { "│  " });
            }
        }
        let why = match (r.reason.is_empty(), r.message.is_empty()) {
            (true, true) => String::new(),
            (false, true) => r.reason.clone(),
            (true, false) => r.message.clone(),
            (false, false) => format!("{}: {}", r.reason, r.message),
        };
        let group = r.obj.kind.is_empty();
        let ready = match r.ready {
            Some(CondStatus::True) => Cell::styled("✔ True", Role::Ok),
            Some(CondStatus::False) => Cell::styled("✖ False", Role::Error),
            Some(CondStatus::Unknown) => Cell::styled("? Unkn", Role::Warning),
            None => Cell::default(),
        };
        vec![
            Cell::styled(
                r.label.as_str(),
                if group { Role::Title } else { Role::Text },
            )
            .with_lead(lead),
            ready,
            Cell::styled(r.status.as_str(), verdict_role(r.verdict)),
            r.since.map(|s| age(ctx.now, s)).unwrap_or_default().into(),
            Cell::styled(why, if r.broken { Role::Error } else { Role::Muted }),
        ]
    }
}

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let now = state.live.now;
    // Tab gives the Events the focus and the room (as backup's actions).
    let lower = v.lower_focus;
    let (tree_area, events_area) =
        crate::app::layout::split_lower(area, state.table_height(), lower);
    let height = crate::app::layout::table_rows(tree_area).max(1);
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
    let ctx = Ctx {
        now,
        max_label: (area.width / 2).max(20),
    };
    let upper = super::shown(&v.cluster, v.tree.len(), height);
    let title = super::focus_title(with_problems(Line::from(t), state, theme), !lower);
    TableView::new(&v.tree, &ctx, title)
        .nav(&upper, height)
        .focused(!lower)
        .render(frame, tree_area, state, theme);
    if events_area.height >= 3 {
        events(frame, events_area, state, theme);
    }
}

/// The events of the selected object, newest first; with the focus (tab) they scroll, the
/// cursor line highlighted.
fn events(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let now = state.live.now;
    let focused = v.lower_focus;
    let rows = area.height.saturating_sub(2) as usize;
    let nav = super::shown(&v.lower, v.events.len(), rows.max(1));
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
            .enumerate()
            .skip(nav.offset)
            .take(rows)
            .map(|(i, e)| {
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
                let line = Line::from(vec![
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
                ]);
                if focused && i == nav.selected {
                    line.style(theme.style(Role::Selection))
                } else {
                    line
                }
            })
            .collect()
    };
    let more = if v.events.len() > rows && !focused {
        " tab: scroll"
    } else {
        ""
    };
    let title = Line::from(format!(
        " Events: {} ({}){more} ",
        shorten_middle(&what, 40),
        v.events.len()
    ));
    let block = pane(super::focus_title(title, focused), focused, state, theme);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The selected row's columns, whole (for the pop-up).
pub(super) fn fields(state: &State) -> Vec<(String, String)> {
    let v = &state.views;
    let ctx = Ctx {
        now: state.live.now,
        max_label: u16::MAX,
    };
    super::selected_fields(&v.tree, &v.cluster, &ctx)
}
