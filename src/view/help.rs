//! The `?` overlay, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use ratatui::widgets::{Block, Borders};

use crate::keymap::{Context, Keymap};
use crate::theme::{Role, Theme};

/// The bindings of `contexts` (the console's or the dashboard's), scrolled by `scroll` lines,
/// centred over `area`.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    keymap: &Keymap,
    contexts: &[Context],
    scroll: usize,
    theme: &Theme,
) {
    let rows = keymap.help_rows(contexts);
    let key_w = rows
        .iter()
        .flat_map(|(_, r)| r.iter().map(|(k, _)| k.chars().count()))
        .max()
        .unwrap_or(8)
        .min(24);
    let mut lines: Vec<Line> = Vec::new();
    for (ctx, bindings) in &rows {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(
            ctx.name().to_string(),
            theme.style(Role::Title),
        ));
        for (keys, desc) in bindings {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<key_w$}  "), theme.style(Role::Accent)),
                Span::styled(*desc, theme.style(Role::Text)),
            ]));
        }
    }
    let width = (key_w as u16 + 48)
        .min(area.width.saturating_sub(2))
        .max(20.min(area.width));
    let height = (lines.len() as u16 + 2)
        .min(area.height.saturating_sub(2))
        .max(3.min(area.height));
    let r = Rect {
        x: area.x + (area.width.saturating_sub(width)) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    let inner_h = height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(inner_h));
    let more = if lines.len() > inner_h {
        format!(" {}/{} ", (scroll + inner_h).min(lines.len()), lines.len())
    } else {
        String::new()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocus))
        .title(Line::from(format!(" keys{more}")).style(theme.style(Role::Title)))
        .style(theme.style(Role::Background));
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        r,
    );
}
