//! Workloads: per site, the Deployments, StatefulSets, DaemonSets and Jobs with their Pods
//! (`app::live::workloads`), and the log view of one Pod container (`app::live::drill`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{empty_title, verdict_text, with_problems};
use crate::app::State;
use crate::app::live::age;
use crate::app::live::drill::LogState;
use crate::app::live::workloads::WorkloadRow;
use crate::model::Time;
use crate::theme::{Role, Theme};
use crate::view::widgets::table::{Cell, Column, LiveTable, TableView, counted_title};
use crate::view::{pane, verdict_role};

impl LiveTable for WorkloadRow {
    type Ctx = Time;

    fn columns(_: &Time) -> Vec<Column> {
        vec![
            Column::new("SITE", 8, 24, 1).middle(),
            Column::new("NAMESPACE", 8, 20, 2).middle(),
            // A Pod's name is its workload's and two hashes, behind a 4-column tree mark.
            Column::new("WORKLOAD / POD", 16, 64, 0).middle(),
            Column::new("READY", 5, 7, 0),
            Column::new("STATUS", 10, 26, 0),
            Column::new("RESTARTS", 3, 8, 1),
            Column::new("NODE", 8, 20, 2).middle(),
            Column::new("AGE", 3, 5, 3),
            Column::new("DETAIL", 10, 10, 1),
        ]
    }

    fn cells<'a>(&'a self, now: &Time) -> Vec<Cell<'a>> {
        let r = self;
        let name = if r.pod {
            Cell::from(r.key.name.as_str()).with_lead("  └ ")
        } else {
            Cell::from(format!("{} {}", short_kind(r.kind), r.key.name))
        };
        vec![
            r.site.as_str().into(),
            r.key.namespace.as_deref().unwrap_or("").into(),
            name,
            r.ready.as_str().into(),
            verdict_text(r.verdict, &r.status),
            if r.restarts > 0 {
                Cell::styled(r.restarts.to_string(), Role::Warning)
            } else {
                Cell::from("0")
            },
            r.node.as_str().into(),
            r.created.map(|t| age(*now, t)).unwrap_or_default().into(),
            Cell::styled(
                r.detail.as_str(),
                if r.verdict > crate::app::live::fleet::Verdict::Healthy {
                    verdict_role(r.verdict)
                } else {
                    Role::Muted
                },
            ),
        ]
    }
}

fn short_kind(kind: &str) -> &str {
    match kind {
        "Deployment" => "deploy",
        "StatefulSet" => "sts",
        "DaemonSet" => "ds",
        "Job" => "job",
        k => k,
    }
}

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let name = match &v.workload_scope {
        Some(s) => format!("Workloads · {} on {} (esc: all)", s.label, s.site),
        None => "Workloads".to_string(),
    };
    let mut t = with_problems(
        counted_title(&name, &v.workloads, v.workload_rows.len(), None),
        state,
        theme,
    );
    if v.workload_rows.is_empty() {
        t = empty_title(&name, state, theme, "no workloads (W: every site)");
    }
    TableView::new(&v.workload_rows, &state.live.now, t)
        .nav(&v.workloads, state.table_height())
        .render(frame, area, state, theme);
}

/// The selected row's columns, whole (for the pop-up).
pub(super) fn fields(state: &State) -> Vec<(String, String)> {
    let v = &state.views;
    super::selected_fields(&v.workload_rows, &v.workloads, &state.live.now)
}

/// The log view: the lines of one container, the search's matches highlighted, the cursor line
/// reversed; the title says the container, follow/previous and where the stream stands.
pub(super) fn draw_logs(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(l) = &state.views.logs else {
        return;
    };
    let nav = &state.views.logs_nav;
    let stream = match &l.state {
        LogState::Connecting => "connecting…".to_string(),
        LogState::Streaming if l.follow => "following".into(),
        LogState::Streaming => "paused (F: follow)".into(),
        LogState::Ended => "end of log".into(),
        LogState::Failed(e) => format!("✖ {e}"),
    };
    // What matters first (a narrow title is cut at the end): the stream, the search, then
    // which log it is.
    let mut title = vec![Span::styled(
        format!(" {stream} "),
        theme.style(match l.state {
            LogState::Failed(_) => Role::Error,
            LogState::Ended => Role::Muted,
            _ => Role::Title,
        }),
    )];
    if !nav.filter.is_empty() || nav.filtering {
        let n = l.matches(&nav.filter).len();
        title.push(Span::styled(
            format!(
                "/{} ({n} match{}) ",
                nav.filter,
                if n == 1 { "" } else { "es" }
            ),
            theme.style(Role::Match),
        ));
    }
    title.push(Span::styled(
        format!(
            "· {}{} · {}/{} · {} lines{} ",
            l.container(),
            if l.previous { " (previous)" } else { "" },
            l.namespace,
            l.pod,
            l.lines.len(),
            if l.dropped > 0 {
                format!(" (+{} dropped)", l.dropped)
            } else {
                String::new()
            },
        ),
        theme.style(Role::Title),
    ));
    let block = pane(Line::from(title), true, state, theme);
    let inner = block.inner(area);
    let height = inner.height as usize;
    let needle = nav.filter.to_lowercase();
    let mut lines: Vec<Line> = vec![];
    // The API server's refusal stays on screen under whatever lines came before it.
    let mut tail: Vec<Line> = vec![];
    if let LogState::Failed(e) = &l.state {
        tail.push(Line::styled(
            format!("✖ the API server could not give this log: {e}"),
            theme.style(Role::Error),
        ));
        tail.push(Line::styled(
            "  (pods/log goes through the node's kubelet: a NotReady or unreachable node cannot serve it)",
            theme.style(Role::Muted),
        ));
    }
    let width = inner.width.max(1) as usize;
    let tail_rows: usize = tail.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    let height = height.saturating_sub(tail_rows);
    for (i, text) in l.lines.iter().enumerate().skip(nav.offset).take(height) {
        let mut spans = vec![];
        let lower = text.to_lowercase();
        if !needle.is_empty() && lower.contains(&needle) && lower.len() == text.len() {
            let mut at = 0;
            while let Some(p) = lower[at..].find(&needle) {
                let s = at + p;
                spans.push(Span::raw(text[at..s].to_string()));
                spans.push(Span::styled(
                    text[s..s + needle.len()].to_string(),
                    theme
                        .style(Role::Match)
                        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                ));
                at = s + needle.len();
            }
            spans.push(Span::raw(text[at..].to_string()));
        } else {
            spans.push(Span::raw(text.clone()));
        }
        let mut line = Line::from(spans);
        if i == nav.selected {
            line = line.style(theme.style(Role::Text).add_modifier(Modifier::REVERSED));
        }
        lines.push(line);
    }
    frame.render_widget(block, area);
    let log_area = Rect {
        height: height as u16,
        ..inner
    };
    frame.render_widget(Paragraph::new(lines), log_area);
    if !tail.is_empty() {
        let tail_area = Rect {
            y: inner.y + height as u16,
            height: inner.height - height as u16,
            ..inner
        };
        frame.render_widget(
            Paragraph::new(tail).wrap(ratatui::widgets::Wrap { trim: false }),
            tail_area,
        );
    }
}
