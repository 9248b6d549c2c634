//! Below 100x28: one line per site, verdict, reach and data age first, then the problems.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::sites::{ordered, page_area, problem_line, reach_span, site_problems};
use super::{fit, now, verdict_style};
use crate::app::live::summary::SummaryProblem;
use crate::dashboard::state::{Page, State};
use crate::theme::{Role, Theme};

/// One line per site, then the problems, as many as fit.
pub(super) fn dense(frame: &mut Frame, area: Rect, state: &State, p: Page, theme: &Theme) {
    let now = now(state);
    let width = area.width as usize;
    let name_w = state
        .sites
        .iter()
        .map(|s| s.site.width())
        .max()
        .unwrap_or(8)
        .clamp(8, 18);
    let height = area.height as usize;
    let mut lines: Vec<Line> = vec![];
    for (s, v) in ordered(state, p) {
        let mut spans = vec![
            Span::styled(
                format!(" {} {:<11}", v.symbol(), v.label()),
                verdict_style(v, theme),
            ),
            Span::styled(
                format!("{:<w$} ", fit(&s.site, name_w), w = name_w),
                theme.style(Role::Title).add_modifier(Modifier::BOLD),
            ),
            reach_span(s, now, false, theme),
        ];
        let used: usize = spans.iter().map(|x| x.width()).sum();
        let mut rest = width.saturating_sub(used + 2);
        let areas = page_area(s, p);
        let single = areas.len() == 1;
        for (name, a) in areas {
            let Some(a) = a else { continue };
            let text = if single {
                format!(
                    "  {} {}",
                    a.verdict.symbol(),
                    fit(&a.text, rest.saturating_sub(4))
                )
            } else {
                format!("  {name} {}", a.verdict.symbol())
            };
            if text.width() > rest {
                break;
            }
            rest -= text.width();
            spans.push(Span::styled(text, verdict_style(a.verdict, theme)));
        }
        lines.push(Line::from(spans));
    }
    // The problems below, worst first across the sites.
    let mut probs: Vec<(&str, &SummaryProblem)> = state
        .sites
        .iter()
        .flat_map(|s| {
            site_problems(s, p)
                .into_iter()
                .map(move |x| (s.site.as_str(), x))
        })
        .collect();
    probs.sort_by(|a, b| {
        b.1.verdict
            .cmp(&a.1.verdict)
            .then(a.1.since.cmp(&b.1.since))
    });
    if lines.len() > height {
        let more = lines.len() - height + 1;
        lines.truncate(height - 1);
        lines.push(Line::styled(
            format!(" … {more} more sites"),
            theme.style(Role::Muted),
        ));
    } else if !probs.is_empty() && lines.len() + 1 < height {
        let room = height - lines.len() - 1;
        lines.push(Line::styled(
            format!(" {} problems:", probs.len()),
            theme.style(Role::Muted),
        ));
        let shown = if probs.len() > room {
            room - 1
        } else {
            probs.len()
        };
        for (site, pr) in probs.iter().take(shown) {
            let mut l = problem_line(pr, None, now, width, 1, theme);
            l.spans.insert(
                2,
                Span::styled(format!("{site} "), theme.style(Role::Title)),
            );
            // Re-fit: the site name took room.
            let total: usize = l.spans.iter().map(|s| s.width()).sum();
            if total > width
                && let Some(t) = l.spans.get_mut(3)
            {
                let cut = t.width().saturating_sub(total - width);
                t.content = fit(&t.content, cut).into();
            }
            lines.push(l);
        }
        if shown < probs.len() {
            lines.push(Line::styled(
                format!(" … {} more on the problems page", probs.len() - shown),
                theme.style(Role::Muted),
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}
