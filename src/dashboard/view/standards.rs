//! The standards page: the console's Standards view on the wall, read only. Per site (worst
//! first) a line with its verdict and counts, then its worst lines (FAIL, then WARN; waived
//! items are counted on the site's line, never shown as passed), as many as fit.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::fit;
use crate::app::live::standards::{Level, StdRow};
use crate::dashboard::state::State;
use crate::theme::{Role, Theme};

fn role(l: Level) -> Role {
    match l {
        Level::Fail => Role::Error,
        Level::Warn => Role::Warning,
        Level::Waived | Level::Info => Role::Muted,
        Level::Ok => Role::Ok,
    }
}

fn symbol(l: Level) -> &'static str {
    match l {
        Level::Fail => "✖",
        Level::Warn => "▲",
        Level::Waived => "≈",
        Level::Info => "i",
        Level::Ok => "●",
    }
}

pub(super) fn standards(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let width = area.width as usize;
    let height = area.height as usize;
    let rows = &state.std_rows;
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                " ◌ waiting for the first reports…",
                theme.style(Role::Muted),
            )),
            area,
        );
        return;
    }
    let sites: Vec<&StdRow> = rows.iter().filter(|r| r.header).collect();
    // Every site's line first; the room left goes to the worst items, site by site.
    let mut budget = height.saturating_sub(sites.len());
    let name_w = sites
        .iter()
        .map(|r| r.site.width())
        .max()
        .unwrap_or(8)
        .clamp(8, 16);
    let mut lines: Vec<Line> = vec![];
    for (i, h) in rows.iter().enumerate().filter(|(_, r)| r.header) {
        if lines.len() >= height {
            break;
        }
        // A degraded site reads as it does on every other page (▲ DEGRADED).
        let mark = match h.subject.as_str() {
            "DEGRADED" => crate::app::live::fleet::Verdict::Degraded.symbol(),
            _ => symbol(h.level),
        };
        let head = format!(" {mark} {:<8} ", h.subject);
        let used = head.width() + name_w + 1;
        lines.push(Line::from(vec![
            Span::styled(head, theme.style(role(h.level))),
            Span::styled(
                format!("{:<w$} ", fit(&h.site, name_w), w = name_w),
                theme.style(Role::Title).add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                fit(&h.detail, width.saturating_sub(used)),
                theme.style(Role::Text),
            ),
        ]));
        let items = rows[i + 1..]
            .iter()
            .take_while(|r| !r.header)
            .filter(|r| matches!(r.level, Level::Fail | Level::Warn));
        let items: Vec<&StdRow> = items.collect();
        let shown = items.len().min(budget.min(4));
        for r in &items[..shown] {
            let text = format!(
                "   {} {} {} {}: {}",
                symbol(r.level),
                r.area,
                r.id,
                r.subject,
                r.detail
            );
            lines.push(Line::styled(fit(&text, width), theme.style(role(r.level))));
        }
        budget -= shown;
        if items.len() > shown && budget > 0 {
            lines.push(Line::styled(
                format!("   … {} more", items.len() - shown),
                theme.style(Role::Muted),
            ));
            budget -= 1;
        }
    }
    lines.truncate(height);
    frame.render_widget(Paragraph::new(lines), area);
}
