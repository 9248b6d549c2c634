//! The problems page: every problem of every site, worst first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::now;
use super::sites::problem_line;
use crate::app::live::summary::SummaryProblem;
use crate::dashboard::state::State;
use crate::theme::{Role, Theme};

/// Every problem of every site, worst first.
pub(super) fn problems(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let now = now(state);
    let mut all: Vec<(&str, &SummaryProblem)> = state
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
    for (site, p) in all.iter().take(shown) {
        lines.push(problem_line(p, Some(site), now, width, 1, theme));
    }
    if shown < all.len() {
        lines.push(Line::styled(
            format!(" … {} more", all.len() - shown),
            theme.style(Role::Muted),
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
