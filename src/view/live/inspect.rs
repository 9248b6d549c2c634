//! The pop-up on the selected row (`i`, `E`, Enter on a problem or a Pod): every column of the
//! row whole and wrapped, the notes (a problem's reason, a Pod's containers and conditions) and
//! the object's Events, newest first, warnings highlighted, with count and age.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::app::State;
use crate::app::live::drill::{EventsState, ago};
use crate::app::nav::Route;
use crate::theme::{Role, Theme};
use crate::view::pane;

/// The selected row's columns of the view on screen, whole.
fn row_fields(state: &State) -> Vec<(String, String)> {
    match &state.route {
        Route::Fleet => super::fleet::fields(state),
        Route::Cluster { .. } => super::cluster::fields(state),
        Route::Nodes => super::nodes::fields(state),
        Route::BareMetal => super::baremetal::fields(state),
        Route::Storage => super::storage::fields(state),
        Route::Backup => super::backup::fields(state),
        Route::GitOps => super::gitops::fields(state),
        Route::Workloads => super::workloads::fields(state),
        Route::Images => super::images::fields(state),
        Route::Standards => super::standards::fields(state),
        _ => vec![],
    }
}

/// Notes shown first: a problem's reason and age, a log line.
fn top(label: &str) -> bool {
    label == "problem" || label == "since" || label.starts_with("line ")
}

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(i) = &state.views.inspect else {
        return;
    };
    let now = state.live.now;
    // Most of the screen, the bars left visible.
    let w = if area.width > 100 {
        area.width * 9 / 10
    } else {
        area.width
    };
    let h = area.height.saturating_sub(2).max(3);
    let rect = Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h);
    let label = |s: &str| Span::styled(format!("{s}: "), theme.style(Role::Muted));
    let mut lines: Vec<Line> = vec![];
    for (k, v) in i.notes.iter().filter(|(k, _)| top(k)) {
        lines.push(Line::from(vec![
            label(k),
            Span::styled(v.clone(), theme.style(Role::Warning)),
        ]));
    }
    for (k, v) in row_fields(state) {
        lines.push(Line::from(vec![label(&k), Span::raw(v)]));
    }
    lines.push(Line::raw(""));
    match &i.events {
        EventsState::None => {}
        EventsState::Loading => {
            lines.push(Line::styled("Events: loading…", theme.style(Role::Muted)))
        }
        EventsState::Failed(e) => lines.push(Line::styled(
            format!("Events could not be read: {e}"),
            theme.style(Role::Error),
        )),
        EventsState::Loaded(evs) if evs.is_empty() => lines.push(Line::styled(
            "Events: none (the API server keeps them for an hour by default)",
            theme.style(Role::Muted),
        )),
        EventsState::Loaded(evs) => {
            let warnings = evs.iter().filter(|e| e.type_ == "Warning").count();
            lines.push(Line::styled(
                format!(
                    "Events ({}, {warnings} warning{}), newest first:",
                    evs.len(),
                    if warnings == 1 { "" } else { "s" }
                ),
                theme.style(Role::Title).add_modifier(Modifier::BOLD),
            ));
            for e in evs {
                let warn = e.type_ == "Warning";
                let role = if warn { Role::Warning } else { Role::Text };
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{:>4} ", ago(now, e.last)),
                        theme.style(Role::Muted),
                    ),
                    Span::styled(
                        format!("{} {}", if warn { "⚠" } else { "·" }, e.reason),
                        theme.style(role).add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(
                        if e.count > 1 {
                            format!(" ×{}", e.count)
                        } else {
                            String::new()
                        },
                        theme.style(Role::Muted),
                    ),
                    Span::styled(format!(" {}", e.message), theme.style(role)),
                    Span::styled(
                        if e.source.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", e.source)
                        },
                        theme.style(Role::Muted),
                    ),
                ]));
            }
        }
    }
    lines.push(Line::raw(""));
    for (k, v) in i.notes.iter().filter(|(k, _)| !top(k)) {
        let bad =
            v.contains("not ready") || v.starts_with("False") || v.contains("last terminated");
        lines.push(Line::from(vec![
            label(k),
            Span::styled(
                v.clone(),
                theme.style(if bad { Role::Warning } else { Role::Text }),
            ),
        ]));
    }
    let title = match &i.obj {
        Some(o) => format!(
            " {} {} on {} · esc: close · j/k: scroll ",
            o.kind, o.key, o.source
        ),
        None => " Details · esc: close ".to_string(),
    };
    // Rows the wrapped text takes, to say when there is more below.
    let inner_w = rect.width.saturating_sub(2).max(1) as usize;
    let total: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_w).max(1))
        .sum();
    let room = rect.height.saturating_sub(2) as usize;
    let mut block = pane(Line::from(title), true, state, theme);
    if total > room + i.scroll {
        block = block
            .title_bottom(Line::styled(" ↓ more (j) ", theme.style(Role::Accent)).right_aligned());
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((i.scroll.min(u16::MAX as usize) as u16, 0)),
        rect,
    );
}
