//! From 100x28 up: a tile per site, the most square-looking grid that fits, with a block-digit
//! figure, the page's areas, capacity bars or backup policies, and the site's problems.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::sites::{ordered, page_area, problem_line, reach_span, site_problems};
use super::{TILE_MIN, fit, now, stale_style, verdict_style};
use crate::app::live::age;
use crate::app::live::fleet::Verdict;
use crate::app::live::summary::{Reach, SiteSummary};
use crate::dashboard::digits;
use crate::dashboard::state::{Figures, Page, State};
use crate::theme::{Role, Theme};

/// Columns and rows of tiles for `n` sites, the most square-looking tiles that fit.
pub(super) fn grid(n: usize, area: Rect) -> Option<(u16, u16)> {
    let mut best: Option<((u16, u16), u32)> = None;
    for cols in 1..=n as u16 {
        let rows = (n as u16).div_ceil(cols);
        let (w, h) = (area.width / cols, area.height / rows);
        if w < TILE_MIN.0 || h < TILE_MIN.1 {
            continue;
        }
        // A character cell is about twice as tall as wide.
        let score = u32::from(w.min(h.saturating_mul(5) / 2));
        if best.is_none_or(|(_, s)| score > s) {
            best = Some(((cols, rows), score));
        }
    }
    best.map(|(g, _)| g)
}

fn text_style(s: &SiteSummary, theme: &Theme) -> Style {
    theme.style(if matches!(s.reach, Reach::Stale { .. }) {
        Role::Stale
    } else {
        Role::Text
    })
}

/// A tile's big figure: (value, caption).
fn tile_figure(p: Page, s: &SiteSummary, f: Option<&Figures>) -> Option<(String, &'static str)> {
    let f = f?;
    match p {
        Page::Fleet => match (f.workers, f.control_plane) {
            (Some(w), _) if w.desired > 0 => Some((w.to_string(), "workers ready")),
            (_, Some(c)) => Some((c.to_string(), "control plane ready")),
            _ if s.root && f.managed > 0 => Some((f.managed.to_string(), "clusters managed")),
            _ => None,
        },
        Page::Storage => f
            .used_percent
            .map(|u| (format!("{u}%"), "used, fullest pool")),
        Page::Backup => {
            (f.policies > 0).then(|| (format!("{}/{}", f.policies_ok, f.policies), "policies ok"))
        }
        Page::GitOps => (f.apps > 0).then(|| (format!("{}/{}", f.apps_synced, f.apps), "apps ok")),
        Page::Problems | Page::Standards => None,
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn tiles(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    p: Page,
    cols: u16,
    rows: u16,
    theme: &Theme,
) {
    let now = now(state);
    let (w, h) = (area.width / cols, area.height / rows);
    for (i, (s, v)) in ordered(state, p).into_iter().enumerate() {
        let (c, r) = (i as u16 % cols, i as u16 / cols);
        let rect = Rect::new(area.x + c * w, area.y + r * h, w, h);
        let stale = matches!(s.reach, Reach::Stale { .. });
        // Thick and double borders say failed and degraded without colour.
        let border = match v {
            Verdict::Failed => BorderType::Thick,
            Verdict::Degraded => BorderType::Double,
            _ => BorderType::Plain,
        };
        let what = match p.area() {
            Some(a) => format!("{a} {}", v.label()),
            None => v.label().to_string(),
        };
        let mut title = vec![Span::styled(
            format!(" {} {} · {} ", v.symbol(), s.site, what.to_uppercase()),
            verdict_style(v, theme).add_modifier(Modifier::BOLD),
        )];
        if let Reach::Stale { since, .. } = &s.reach {
            title.push(Span::styled(
                format!(" ⚠ STALE {} ", age(now, *since)),
                stale_style(theme),
            ));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(border)
            .border_style(if stale {
                theme.style(Role::Stale)
            } else {
                verdict_style(v, theme)
            })
            .title(Line::from(title));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let iw = inner.width as usize;
        let mut lines: Vec<Line> = vec![Line::from(fit_span(reach_span(s, now, true, theme), iw))];
        let areas = page_area(s, p);
        let probs = site_problems(s, p);
        let needed = 2 + areas.len() + probs.len().min(3);
        if let Some((value, caption)) = tile_figure(p, s, state.figures.get(&s.site))
            && let Some(big) = digits::render(&value)
        {
            let fv = areas
                .iter()
                .filter_map(|(_, a)| a.map(|a| a.verdict))
                .max()
                .unwrap_or(v);
            let k: u16 = if inner.height as usize >= needed + 17
                && digits::width(&value) as usize * 2 + 2 <= iw
            {
                2
            } else {
                1
            };
            if inner.height as usize >= needed + 7 && digits::width(&value) as usize + 2 <= iw {
                lines.push(Line::raw(""));
                let big = digits::render_scaled(&value, k).unwrap_or_else(|| big.to_vec());
                for row in big {
                    lines.push(Line::styled(format!(" {row}"), verdict_style(fv, theme)));
                }
                lines.push(Line::styled(
                    format!(" {caption}"),
                    theme.style(Role::Muted),
                ));
            } else {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(" {value} "),
                        verdict_style(fv, theme).add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(caption, theme.style(Role::Muted)),
                ]));
            }
        }
        lines.push(Line::raw(""));
        for (name, a) in &areas {
            let Some(a) = a else {
                lines.push(Line::styled(
                    format!(" {name:<10}· none on this site"),
                    theme.style(Role::Muted),
                ));
                continue;
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {name:<10}"), theme.style(Role::Muted)),
                Span::styled(
                    format!("{} ", a.verdict.symbol()),
                    verdict_style(a.verdict, theme),
                ),
                Span::styled(fit(&a.text, iw.saturating_sub(14)), text_style(s, theme)),
            ]));
        }
        // The storage page's capacity bars, the backup page's policies with their last success.
        if let Some(f) = state.figures.get(&s.site) {
            let name_w = 18.min(iw / 3);
            let bar_w = iw.saturating_sub(name_w + 9).min(40);
            if p == Page::Storage {
                for (name, ratio) in &f.pools {
                    let pv = state.thresholds.verdict(*ratio);
                    let filled =
                        ((ratio.clamp(0.0, 1.0) * bar_w as f64).round() as usize).min(bar_w);
                    lines.push(Line::from(vec![
                        Span::styled(
                            format!(" {:<name_w$} ", fit(name, name_w)),
                            text_style(s, theme),
                        ),
                        Span::styled(
                            format!(
                                "{}{} {:>3.0}%",
                                "█".repeat(filled),
                                "░".repeat(bar_w - filled),
                                ratio * 100.0
                            ),
                            verdict_style(pv, theme),
                        ),
                    ]));
                }
            }
            if p == Page::Backup {
                for (name, last, pv) in &f.policy_ages {
                    let when = match last {
                        Some(t) => format!("last success {} ago", age(now, *t)),
                        None => "never succeeded".into(),
                    };
                    lines.push(Line::from(vec![
                        Span::styled(format!(" {} ", pv.symbol()), verdict_style(*pv, theme)),
                        Span::styled(
                            format!("{:<name_w$} ", fit(name, name_w)),
                            text_style(s, theme),
                        ),
                        Span::styled(when, verdict_style(*pv, theme)),
                    ]));
                }
            }
        }
        if !probs.is_empty() {
            lines.push(Line::raw(""));
            let room = (inner.height as usize).saturating_sub(lines.len());
            let shown = if probs.len() > room {
                room.saturating_sub(1)
            } else {
                probs.len()
            };
            for pr in probs.iter().take(shown) {
                lines.push(problem_line(pr, None, now, iw, 1, theme));
            }
            if shown < probs.len() {
                lines.push(Line::styled(
                    format!(" … {} more", probs.len() - shown),
                    theme.style(Role::Muted),
                ));
            }
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

fn fit_span(mut s: Span<'static>, w: usize) -> Span<'static> {
    if s.width() > w {
        s.content = fit(&s.content, w).into();
    }
    s
}
