//! The header line (pages, rotation, clock), the stale banner, and the key line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{fit, stale_style};
use crate::app::live::age;
use crate::dashboard::state::State;
use crate::model::Time;
use crate::theme::{Role, Theme};

/// `14:05 UTC`: minutes only, so the clock costs one redraw a minute.
pub fn clock(now: Time) -> String {
    let s = now.rem_euclid(86_400);
    format!("{:02}:{:02} UTC", s / 3600, s % 3600 / 60)
}

pub(super) fn header(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let base = theme.style(Role::Header);
    let mut left = vec![Span::styled(
        " BLAST ",
        base.patch(theme.style(Role::Accent))
            .add_modifier(Modifier::BOLD),
    )];
    for (i, p) in state.pages.iter().enumerate() {
        let text = format!(" {} ", p.name());
        left.push(Span::raw(" "));
        if i == state.page {
            // Reverse and bold as well as the colour: the current page shows under NO_COLOR.
            left.push(Span::styled(
                format!("▸{}", text.trim_start()),
                theme
                    .style(Role::Selection)
                    .add_modifier(Modifier::REVERSED | Modifier::BOLD),
            ));
        } else {
            left.push(Span::styled(text, base));
        }
    }
    let status = if state.paused {
        Span::styled(
            " ⏸ PAUSED ",
            theme.style(Role::Warning).add_modifier(Modifier::REVERSED),
        )
    } else if state.next_in().is_some() {
        Span::styled(format!(" ↻ {}s ", state.rotate), base)
    } else {
        Span::raw("")
    };
    let right = vec![
        status,
        Span::styled(format!(" {} ", clock(state.now)), base),
    ];
    let width = |v: &[Span]| v.iter().map(|s| s.width()).sum::<usize>();
    // Narrow: drop the tabs that are not current.
    if width(&left) + width(&right) > area.width as usize {
        let current = left
            .iter()
            .position(|s| s.content.starts_with('▸'))
            .map(|i| left[i].clone());
        left.truncate(1);
        left.push(Span::raw(" "));
        left.extend(current);
        left.push(Span::styled(
            format!(" {}/{} ", state.page + 1, state.pages.len()),
            base,
        ));
    }
    let pad = (area.width as usize).saturating_sub(width(&left) + width(&right));
    left.push(Span::styled(" ".repeat(pad), base));
    left.extend(right);
    frame.render_widget(Paragraph::new(Line::from(left)).style(base), area);
}

pub(super) fn banner(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    stale: &[(&str, Time)],
    theme: &Theme,
) {
    let sites: Vec<String> = stale
        .iter()
        .map(|(s, since)| format!("{s} {}", age(state.now.max(state.live.now), *since)))
        .collect();
    let text = format!(
        " ⚠ STALE: {} — last data shown, reconnecting ",
        sites.join(" · ")
    );
    let text = fit(&text, area.width as usize);
    let pad = (area.width as usize).saturating_sub(text.width());
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!("{text}{}", " ".repeat(pad)),
            stale_style(theme),
        )),
        area,
    );
}

/// The keys, at the bottom of a screen 16 rows high or more.
/// `pages`: how many pages there are (the digit keys jump to each).
pub(super) fn footer(frame: &mut Frame, area: Rect, theme: &Theme, pages: usize) {
    let jump = match pages {
        0 | 1 => String::new(),
        n => format!(" · 1-{} jump", n.min(6)),
    };
    let keys = format!(" q quit · space pause · n/p or ←/→ next/previous page{jump} · ? keys");
    frame.render_widget(
        Paragraph::new(Line::styled(keys, theme.style(Role::Muted))),
        area,
    );
}
