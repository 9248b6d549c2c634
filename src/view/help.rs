//! The `?` overlay, generated from the keymap (laid out by `app::overlay::help_layout`, which
//! the scroll keys use too, so the view and the scroll agree on where the text ends).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::overlay::{HelpLine, help_layout};
use crate::keymap::{Context, Keymap};
use crate::theme::{Role, Theme};

/// The bindings of `contexts` (the console's or the dashboard's), scrolled by `scroll` lines,
/// centred over `area`, as wide as the screen allows with the descriptions wrapped to fit.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    keymap: &Keymap,
    contexts: &[Context],
    scroll: usize,
    theme: &Theme,
) {
    let layout = help_layout(keymap, contexts, (area.width, area.height));
    let key_w = layout.key_w;
    let lines: Vec<Line> = layout
        .lines
        .iter()
        .map(|l| match l {
            HelpLine::Blank => Line::raw(""),
            HelpLine::Title(ctx) => Line::styled(ctx.name().to_string(), theme.style(Role::Title)),
            HelpLine::Row { keys, desc } => Line::from(vec![
                Span::styled(format!("  {keys:<key_w$}  "), theme.style(Role::Accent)),
                Span::styled(desc.clone(), theme.style(Role::Text)),
            ]),
        })
        .collect();
    let (width, height) = (layout.width, layout.height);
    let r = Rect {
        x: area.x + (area.width.saturating_sub(width)) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    let inner_h = layout.inner_height();
    let scroll = scroll.min(layout.max_scroll());
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
