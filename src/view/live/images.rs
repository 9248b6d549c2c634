//! Images: every image deployed or running, worst first, with its severity counts, fixable
//! count, the report's source and age, and where it runs; the selected image in full below
//! (its uses and the worst vulnerabilities with their links). Rows: `app::live::images`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{empty_title, with_problems};
use crate::app::State;
use crate::app::live::age;
use crate::app::live::images::{ClairSetup, ImageRow, finding_line, place, report_line};
use crate::clair::{ReportState, Severity};
use crate::model::Time;
use crate::theme::{Role, Theme};
use crate::view::shorten_middle;
use crate::view::widgets::table::{Cell, Column, LiveTable, TableView, counted_title};

fn severity_role(s: Severity) -> Role {
    match s {
        Severity::Critical => Role::Error,
        Severity::High | Severity::Medium => Role::Warning,
        Severity::Low | Severity::Unknown => Role::Muted,
    }
}

impl LiveTable for ImageRow {
    type Ctx = Time;

    fn columns(_: &Time) -> Vec<Column> {
        vec![
            Column::new("IMAGE", 20, 40, 0).middle(),
            Column::new("CRIT", 4, 4, 0),
            Column::new("HIGH", 4, 4, 0),
            Column::new("MED", 3, 3, 0),
            Column::new("LOW", 3, 3, 0),
            Column::new("UNK", 3, 3, 1),
            Column::new("FIX", 3, 3, 0),
            Column::new("SITES", 8, 28, 3).middle(),
            Column::new("REPORT", 12, 34, 0),
            Column::new("WHERE", 10, 10, 4),
        ]
    }

    fn cells<'a>(&'a self, now: &Time) -> Vec<Cell<'a>> {
        let r = self;
        let mut cells: Vec<Cell<'a>> = vec![Cell::from(r.name())];
        match &r.image.report {
            ReportState::Ready {
                summary,
                fetched_at,
            } if !r.asking && !r.unknown => {
                for s in Severity::ALL {
                    let n = summary.count(s);
                    cells.push(if n > 0 {
                        Cell::styled(n.to_string(), severity_role(s))
                    } else {
                        Cell::styled("·", Role::Muted)
                    });
                }
                cells.push(if summary.fixable > 0 {
                    Cell::styled(summary.fixable.to_string(), Role::Ok)
                } else {
                    Cell::styled("·", Role::Muted)
                });
                cells.push(Cell::from(r.sites().join(",")));
                let clean = if summary.total() == 0 {
                    "✔ clean · "
                } else {
                    ""
                };
                cells.push(Cell::styled(
                    format!("{clean}{} {}", r.source, age(*now, *fetched_at as i64)),
                    match summary.worst_severity() {
                        Some(s) => severity_role(s),
                        None => Role::Ok,
                    },
                ));
            }
            other => {
                for _ in 0..6 {
                    cells.push(Cell::styled("", Role::Muted));
                }
                cells.push(Cell::from(r.sites().join(",")));
                let role = match other {
                    ReportState::Failed(_) => Role::Error,
                    _ if r.asking || r.indexing => Role::Accent,
                    ReportState::NotIndexed | ReportState::NotReady => Role::Warning,
                    _ => Role::Muted,
                };
                cells.push(Cell::styled(r.status(), role));
            }
        }
        cells.push(Cell::from(r.where_()));
        cells
    }
}

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let im = &state.images;
    let now = state.live.now;
    let [top, bottom] =
        Layout::vertical([Constraint::Fill(2), Constraint::Fill(1)]).areas::<2>(area);
    let source = match &im.clair {
        ClairSetup::Url(u) => format!("Images · Clair {}", shorten_middle(u, 40)),
        ClairSetup::None => "Images · no Clair ([clair] url)".to_string(),
        ClairSetup::Bad(_) => "Images · Clair misconfigured".to_string(),
    };
    let mut t = with_problems(
        counted_title(&source, &im.nav, im.rows.len(), None),
        state,
        theme,
    );
    if let ClairSetup::Bad(e) = &im.clair {
        t.spans
            .push(Span::styled(format!(" ✖ {e} "), theme.style(Role::Error)));
    }
    if let Some(Err(e)) = &im.repo {
        t.spans.push(Span::styled(
            format!(" ✖ repo: {e} "),
            theme.style(Role::Error),
        ));
    }
    if im.rows.is_empty() {
        t = empty_title(
            "Images",
            state,
            theme,
            if im.repo.is_none() {
                "reading the repo…"
            } else {
                "no images in the repo or on the connected clusters"
            },
        );
    }
    TableView::new(&im.rows, &now, t)
        .nav(&im.nav, state.table_height())
        .render(frame, top, state, theme);
    if bottom.height < 3 {
        return;
    }
    let mut lines: Vec<Line> = vec![];
    let mut name = String::new();
    let label = |s: &str| Span::styled(format!("{s} "), theme.style(Role::Muted));
    if let Some(r) = im.rows.get(im.nav.selected) {
        name = r.name().to_string();
        lines.push(Line::from(vec![
            label("report"),
            Span::raw(report_line(r, now)),
            Span::styled(
                "  (i: all; I: index; r: ask again)",
                theme.style(Role::Muted),
            ),
        ]));
        if let ReportState::Ready { summary, .. } = &r.image.report
            && !r.asking
        {
            for f in &summary.worst {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{:<9}", f.severity.name()),
                        theme
                            .style(severity_role(f.severity))
                            .add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(finding_line(f)),
                ]));
            }
        }
        if let Some(d) = &r.image.digest {
            lines.push(Line::from(vec![label("digest"), Span::raw(d.clone())]));
        }
        for u in &r.image.uses {
            lines.push(Line::from(vec![
                label("used by"),
                Span::raw(place(u)),
                Span::styled(format!(" ({})", u.source), theme.style(Role::Muted)),
            ]));
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(
            Line::from(format!(" {} ", shorten_middle(&name, 60))).style(theme.style(Role::Title)),
        );
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(block),
        bottom,
    );
}

/// The selected row's columns, whole (for the pop-up).
pub(super) fn fields(state: &State) -> Vec<(String, String)> {
    let im = &state.images;
    super::selected_fields(&im.rows, &im.nav, &state.live.now)
}
