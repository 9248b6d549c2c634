//! The context picker: which kube contexts to watch.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::State;
use crate::theme::{Role, Theme};

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(p) = &state.views.picker else { return };
    const HINT: &str = " space toggle · enter apply · esc cancel";
    let w = (p.items.iter().map(|(c, _)| c.len()).max().unwrap_or(10) as u16 + 10)
        .max(HINT.chars().count() as u16 + 2)
        .min(area.width.saturating_sub(4));
    let h = (p.items.len() as u16 + 4).min(area.height.saturating_sub(2));
    let r = Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    };
    let mut lines: Vec<Line> = p
        .items
        .iter()
        .enumerate()
        .map(|(i, (name, on))| {
            let style = if i == p.selected {
                theme.style(Role::Selection)
            } else {
                theme.style(Role::Text)
            };
            Line::styled(format!(" [{}] {name}", if *on { "x" } else { " " }), style)
        })
        .collect();
    lines.push(Line::styled(HINT, theme.style(Role::Muted)));
    frame.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocus))
        .title(Line::from(" Contexts to watch ").style(theme.style(Role::Title)))
        .style(theme.style(Role::Background));
    frame.render_widget(Paragraph::new(lines).block(block), r);
}
