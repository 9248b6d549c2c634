//! The problems page: every problem of every site, worst first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::now;
use super::sites::problem_line;
use crate::app::live::summary::SummaryProblem;
use crate::dashboard::state::State;
use crate::theme::{Role, Theme};

/// Every problem of every site, worst first.
pub(super) fn problems(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let now = now(state);
    let all: Vec<(&str, &SummaryProblem)> = state.sorted_problems();
    let height = area.height as usize;
    let width = area.width as usize;
    let mut lines: Vec<Line> = vec![];
    if all.is_empty() {
        lines.push(Line::styled(
            if state.sites.is_empty() {
                " ◌ waiting for the first sites…"
            } else {
                " ● no problems anywhere"
            },
            theme.style(Role::Ok),
        ));
    }
    let shown = if all.len() > height {
        height.saturating_sub(1)
    } else {
        all.len()
    };
    // The selected problem stays on screen.
    let skip = state
        .selected
        .map_or(0, |i| (i + 1).saturating_sub(shown.max(1)));
    for (i, (site, p)) in all.iter().enumerate().skip(skip).take(shown) {
        let mut line = problem_line(p, Some(site), now, width, 1, theme);
        if state.selected == Some(i) {
            line = line.patch_style(Modifier::REVERSED);
        }
        lines.push(line);
    }
    if shown < all.len() {
        lines.push(Line::styled(
            format!(" … {} more", all.len() - shown),
            theme.style(Role::Muted),
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
    if state.detail
        && let Some((site, p)) = state.selected.and_then(|i| all.get(i))
    {
        detail(frame, area, site, p, now, theme);
    }
}

/// The selected problem whole, wrapped: site, area, object, reason and age.
fn detail(
    frame: &mut Frame,
    area: Rect,
    site: &str,
    p: &SummaryProblem,
    now: crate::model::Time,
    theme: &Theme,
) {
    let w = area.width.saturating_sub(4).max(10);
    let text = vec![
        Line::styled(
            format!(
                "{} {} · {} · {}",
                p.verdict.symbol(),
                p.verdict.label(),
                site,
                p.area
            ),
            theme.style(Role::Warning),
        ),
        Line::raw(p.object.clone()),
        Line::raw(p.message.clone()),
        Line::styled(
            p.since
                .map(|t| format!("since {} ago", crate::app::live::age(now, t)))
                .unwrap_or_default(),
            theme.style(Role::Muted),
        ),
    ];
    let inner_w = w.saturating_sub(2).max(1) as usize;
    let rows: usize = text
        .iter()
        .map(|l| l.width().div_ceil(inner_w).max(1))
        .sum();
    let h = (rows as u16 + 2).min(area.height);
    let rect = Rect::new(area.x + 2, area.y + (area.height - h) / 2, w, h);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocus))
        .title(Line::styled(
            " problem · esc: close ",
            theme.style(Role::Title),
        ));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(text).block(block).wrap(Wrap { trim: false }),
        rect,
    );
}
