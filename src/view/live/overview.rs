//! The overview: one block per site, worst first, with its four answers (fleet, storage,
//! backup, GitOps) and its problems (`app::live::summary`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::empty_title;
use crate::app::State;
use crate::app::live::age;
use crate::app::live::fleet::Verdict;
use crate::app::live::summary::Reach;
use crate::theme::{Role, Theme};
use crate::view::shorten_middle;
use crate::view::verdict_style;

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let now = state.live.now;
    // One block per site, worst first: a header line with the verdict and reach, the four
    // answers, then its problems as room allows.
    let mut lines: Vec<Line> = vec![];
    let width = area.width.saturating_sub(2) as usize;
    for (i, s) in v.overview_rows.iter().enumerate() {
        let selected = i == v.overview.selected;
        let reach = match &s.reach {
            Reach::Live => match s.last_event {
                Some(t) => format!("live, data {} old", age(now, t)),
                None => "live".into(),
            },
            Reach::Connecting => "connecting…".into(),
            Reach::Stale { since, .. } => format!("⚠ STALE {} — last data shown", age(now, *since)),
            Reach::Unreachable(why) => format!("⊘ unreachable: {why}"),
        };
        let mut head = vec![
            Span::styled(
                format!("{} ", s.verdict.symbol()),
                verdict_style(s.verdict, theme),
            ),
            Span::styled(
                format!("{:<14}", s.site),
                theme.style(Role::Title).add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("{:<12}", s.verdict.label()),
                verdict_style(s.verdict, theme),
            ),
            Span::styled(
                reach,
                theme.style(match s.reach {
                    Reach::Live => Role::Muted,
                    Reach::Connecting => Role::Warning,
                    _ => Role::Stale,
                }),
            ),
        ];
        if selected && v.overview_problem.is_none() {
            for sp in &mut head {
                sp.style = sp.style.add_modifier(Modifier::REVERSED);
            }
        }
        lines.push(Line::from(head));
        for (name, a) in s.areas() {
            let Some(a) = a else { continue };
            lines.push(Line::from(vec![
                Span::raw("   "),
                // `standards` is 9 wide: one more column than the 8 it had, so its symbol
                // no longer touches it (`standards▲`).
                Span::styled(format!("{name:<10}"), theme.style(Role::Muted)),
                Span::styled(
                    format!("{} ", a.verdict.symbol()),
                    verdict_style(a.verdict, theme),
                ),
                Span::raw(shorten_middle(&a.text, width.saturating_sub(16))),
            ]));
        }
        let mut room = if v.overview_rows.len() <= 3 { 6 } else { 3 };
        // The selected problem is always shown.
        let chosen = v.overview_problem.filter(|_| selected);
        if let Some(p) = chosen {
            room = room.max(p + 1);
        }
        for (pi, p) in s.problems.iter().enumerate().take(room) {
            let since = p
                .since
                .map(|t| format!(" ({})", age(now, t)))
                .unwrap_or_default();
            // The object and the start of the message matter most: cut at the end.
            let text = format!("{}: {}", p.object, p.message);
            let room = width.saturating_sub(8 + since.chars().count());
            let text = if text.chars().count() > room {
                let cut: String = text.chars().take(room.saturating_sub(1)).collect();
                format!("{cut}…{since}")
            } else {
                format!("{text}{since}")
            };
            let mut line = vec![
                Span::raw("     "),
                Span::styled(
                    format!("{} ", p.verdict.symbol()),
                    verdict_style(p.verdict, theme),
                ),
                Span::styled(text, theme.style(Role::Text)),
            ];
            if chosen == Some(pi) {
                for sp in &mut line {
                    sp.style = sp.style.add_modifier(Modifier::REVERSED);
                }
            }
            lines.push(Line::from(line));
        }
        if s.problems.len() > room {
            lines.push(Line::styled(
                format!("       … {} more", s.problems.len() - room),
                theme.style(Role::Muted),
            ));
        }
    }
    // Keep the selected site's block in view.
    let mut offset = 0usize;
    let mut line_of_selected = 0usize;
    let mut n = 0usize;
    for (i, l) in lines.iter().enumerate() {
        if l.spans.len() >= 3
            && l.spans
                .first()
                .is_some_and(|s| s.style.add_modifier.contains(Modifier::REVERSED))
        {
            line_of_selected = i;
        }
        n += 1;
    }
    let height = area.height.saturating_sub(2) as usize;
    if line_of_selected + 4 > height {
        offset = (line_of_selected + 4).saturating_sub(height).min(n);
    }
    let bad = v
        .overview_rows
        .iter()
        .filter(|s| s.verdict >= Verdict::Degraded)
        .count();
    let mut t = Line::from(format!(
        " Overview: {} sites, {bad} need attention ",
        v.overview_rows.len()
    ));
    if v.overview_rows.is_empty() {
        t = empty_title("Overview", state, theme, "no sites yet");
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(t.style(theme.style(Role::Title)));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((offset as u16, 0)),
        area,
    );
}
