//! The dashboard's views: functions of `&State` and `&Theme`. One header line (pages, rotation,
//! clock), a banner while any site is stale, the page, and a key line.
//!
//! Below 100x28 every page is a dense list, one line per site with the verdict, reach and data
//! age first so nothing that matters is cut at 80x24; above it, sites become tiles that grow with
//! the screen, with block-digit key figures where there is room. Colour always comes with a
//! symbol or a word (`✖ failed`, `⚠ STALE`), and the stale banner is reversed and blinking so it
//! reads without colour too.
//!
//! `header` draws the header, the stale banner and the key line; `figures` the page's key
//! figures; `dense` the list below 100x28, `tiles` the tiles above it, `problems` the problems
//! page; `sites` holds what both layouts say about a site (its reach, verdict, problems).

mod dense;
mod figures;
mod header;
mod problems;
mod sites;
mod standards;
#[cfg(test)]
mod tests;
mod tiles;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::state::{Page, State, stale_sites};
use crate::app::live::fleet::Verdict;
use crate::model::Time;
use crate::theme::{Role, Theme};

pub use header::clock;

use dense::dense;
use figures::{big_figures, page_figures};
use header::{banner, header};
use problems::problems;
use tiles::{grid, tiles};

/// Below this the pages are dense lists.
const TILE_MIN_SCREEN: (u16, u16) = (100, 28);
/// The smallest tile.
const TILE_MIN: (u16, u16) = (38, 9);

pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.style(Role::Background)), area);
    if area.height < 3 || area.width < 20 {
        frame.render_widget(Paragraph::new("blast dashboard: too small"), area);
        return;
    }
    let mut y = area.y;
    header(frame, Rect::new(area.x, y, area.width, 1), state, theme);
    y += 1;
    let stale = stale_sites(state);
    if !stale.is_empty() {
        banner(
            frame,
            Rect::new(area.x, y, area.width, 1),
            state,
            &stale,
            theme,
        );
        y += 1;
    }
    let footer = area.height >= 16;
    let bottom = area.y + area.height - u16::from(footer);
    let body = Rect::new(area.x, y, area.width, bottom.saturating_sub(y));
    page(frame, body, state, theme);
    if footer {
        header::footer(
            frame,
            Rect::new(area.x, bottom, area.width, 1),
            theme,
            state.pages.len(),
        );
    }
    if let Some(scroll) = state.help {
        crate::view::help::draw(
            frame,
            area,
            &state.keymap,
            &crate::keymap::Context::DASHBOARD,
            scroll,
            theme,
        );
    }
}

pub(super) fn verdict_style(v: Verdict, theme: &Theme) -> Style {
    theme.style(match v {
        Verdict::Healthy => Role::Ok,
        Verdict::Progressing => Role::Accent,
        Verdict::Unknown => Role::Muted,
        Verdict::Degraded => Role::Warning,
        Verdict::Failed => Role::Error,
    })
}

/// The style that makes stale text impossible to miss, colour or not.
pub(super) fn stale_style(theme: &Theme) -> Style {
    theme
        .style(Role::Error)
        .add_modifier(Modifier::REVERSED | Modifier::SLOW_BLINK | Modifier::BOLD)
}

/// Cuts `s` to `w` columns with an ellipsis.
pub(super) fn fit(s: &str, w: usize) -> String {
    if s.width() <= w {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if out.width() + c.to_string().width() + 1 > w {
            break;
        }
        out.push(c);
    }
    if w > 0 {
        out.push('…');
    }
    out
}

pub(super) fn now(state: &State) -> Time {
    state.now.max(state.live.now)
}

fn page(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let p = state.current();
    let big = area.width >= TILE_MIN_SCREEN.0 && area.height >= TILE_MIN_SCREEN.1;
    let mut body = area;
    // The page's key figures: block digits when there is room, else one line.
    let figs = page_figures(p, state);
    if big && area.height >= 30 {
        let h = big_figures(frame, area, &figs, theme);
        body.y += h;
        body.height = body.height.saturating_sub(h);
    } else {
        let line = Line::from(
            figs.iter()
                .flat_map(|(label, value, v)| {
                    [
                        Span::styled(format!(" {} {value}", v.symbol()), verdict_style(*v, theme)),
                        Span::styled(format!(" {label} "), theme.style(Role::Muted)),
                    ]
                })
                .collect::<Vec<_>>(),
        );
        frame.render_widget(
            Paragraph::new(line),
            Rect::new(area.x, area.y, area.width, 1),
        );
        body.y += 1;
        body.height = body.height.saturating_sub(1);
    }
    if body.height == 0 {
        return;
    }
    if p == Page::Problems {
        problems(frame, body, state, theme);
        return;
    }
    if p == Page::Standards {
        standards::standards(frame, body, state, theme);
        return;
    }
    if state.sites.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                " ◌ waiting for the first sites…",
                theme.style(Role::Muted),
            )),
            body,
        );
        return;
    }
    match big.then(|| grid(state.sites.len(), body)).flatten() {
        Some((cols, rows)) => tiles(frame, body, state, p, cols, rows, theme),
        None => dense(frame, body, state, p, theme),
    }
}
