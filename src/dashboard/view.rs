//! The dashboard's views: functions of `&State` and `&Theme`. One header line (pages, rotation,
//! clock), a banner while any site is stale, the page, and a key line.
//!
//! Below 100x28 every page is a dense list, one line per site with the verdict, reach and data
//! age first so nothing that matters is cut at 80x24; above it, sites become tiles that grow with
//! the screen, with block-digit key figures where there is room. Colour always comes with a
//! symbol or a word (`✖ failed`, `⚠ STALE`), and the stale banner is reversed and blinking so it
//! reads without colour too.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::digits;
use super::state::{Figures, Page, State, stale_sites};
use crate::app::live::age;
use crate::app::live::fleet::Verdict;
use crate::app::live::summary::{Area, Reach, SiteSummary, SummaryProblem};
use crate::model::Time;
use crate::theme::{Role, Theme};

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
        let keys = " q quit · space pause · n/p or ←/→ next/previous page · 1-5 jump · ? keys";
        frame.render_widget(
            Paragraph::new(Line::styled(keys, theme.style(Role::Muted))),
            Rect::new(area.x, bottom, area.width, 1),
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

/// `14:05 UTC`: minutes only, so the clock costs one redraw a minute.
pub fn clock(now: Time) -> String {
    let s = now.rem_euclid(86_400);
    format!("{:02}:{:02} UTC", s / 3600, s % 3600 / 60)
}

fn verdict_style(v: Verdict, theme: &Theme) -> Style {
    theme.style(match v {
        Verdict::Healthy => Role::Ok,
        Verdict::Progressing => Role::Accent,
        Verdict::Unknown => Role::Muted,
        Verdict::Degraded => Role::Warning,
        Verdict::Failed => Role::Error,
    })
}

/// The style that makes stale text impossible to miss, colour or not.
fn stale_style(theme: &Theme) -> Style {
    theme
        .style(Role::Error)
        .add_modifier(Modifier::REVERSED | Modifier::SLOW_BLINK | Modifier::BOLD)
}

/// Cuts `s` to `w` columns with an ellipsis.
fn fit(s: &str, w: usize) -> String {
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

fn header(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
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

fn banner(frame: &mut Frame, area: Rect, state: &State, stale: &[(&str, Time)], theme: &Theme) {
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

fn now(state: &State) -> Time {
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

/// (label, value, verdict) of the page's key figures.
fn page_figures(p: Page, state: &State) -> Vec<(&'static str, String, Verdict)> {
    let count = |v: Verdict| state.sites.iter().filter(|s| s.verdict == v).count();
    let problems = || state.sites.iter().flat_map(|s| s.problems.iter());
    let area_of = |s: &SiteSummary| match p.area() {
        Some("storage") => s.storage.clone(),
        Some("backup") => s.backup.clone(),
        Some("gitops") => s.gitops.clone(),
        _ => None,
    };
    match p {
        Page::Fleet => {
            let stale = stale_sites(state).len();
            vec![
                ("sites", state.sites.len().to_string(), Verdict::Healthy),
                (
                    "healthy",
                    count(Verdict::Healthy).to_string(),
                    Verdict::Healthy,
                ),
                (
                    "degraded",
                    count(Verdict::Degraded).to_string(),
                    if count(Verdict::Degraded) > 0 {
                        Verdict::Degraded
                    } else {
                        Verdict::Healthy
                    },
                ),
                (
                    "failed",
                    count(Verdict::Failed).to_string(),
                    if count(Verdict::Failed) > 0 {
                        Verdict::Failed
                    } else {
                        Verdict::Healthy
                    },
                ),
                (
                    "stale",
                    stale.to_string(),
                    if stale > 0 {
                        Verdict::Failed
                    } else {
                        Verdict::Healthy
                    },
                ),
            ]
        }
        Page::Problems => {
            let failed = problems().filter(|p| p.verdict == Verdict::Failed).count();
            let degraded = problems().filter(|p| p.verdict < Verdict::Failed).count();
            vec![
                (
                    "failed",
                    failed.to_string(),
                    if failed > 0 {
                        Verdict::Failed
                    } else {
                        Verdict::Healthy
                    },
                ),
                (
                    "degraded",
                    degraded.to_string(),
                    if degraded > 0 {
                        Verdict::Degraded
                    } else {
                        Verdict::Healthy
                    },
                ),
            ]
        }
        _ => {
            let areas: Vec<Area> = state.sites.iter().filter_map(area_of).collect();
            let ok = areas
                .iter()
                .filter(|a| a.verdict < Verdict::Degraded)
                .count();
            let worst = areas
                .iter()
                .map(|a| a.verdict)
                .max()
                .unwrap_or(Verdict::Unknown);
            let mut out = vec![(
                "sites ok",
                format!("{ok}/{}", areas.len()),
                if areas.is_empty() {
                    Verdict::Unknown
                } else {
                    worst
                },
            )];
            let f = state.figures.values();
            match p {
                Page::Storage => {
                    if let Some(max) = f.filter_map(|f| f.used_percent).max() {
                        let v = state.thresholds.verdict(max as f64 / 100.0);
                        out.push(("fullest", format!("{max}%"), v));
                    }
                }
                Page::Backup => {
                    let (ok, all) = f.fold((0, 0), |(o, a), f| (o + f.policies_ok, a + f.policies));
                    out.push((
                        "policies ok",
                        format!("{ok}/{all}"),
                        if ok == all {
                            Verdict::Healthy
                        } else {
                            Verdict::Degraded
                        },
                    ));
                }
                Page::GitOps => {
                    let (ok, all) = f.fold((0, 0), |(o, a), f| (o + f.apps_synced, a + f.apps));
                    out.push((
                        "apps synced",
                        format!("{ok}/{all}"),
                        if ok == all {
                            Verdict::Healthy
                        } else {
                            Verdict::Degraded
                        },
                    ));
                }
                _ => {}
            }
            out
        }
    }
}

/// Draws the figures in block digits side by side (as many as fit); returns the rows used.
fn big_figures(
    frame: &mut Frame,
    area: Rect,
    figs: &[(&'static str, String, Verdict)],
    theme: &Theme,
) -> u16 {
    // Twice the size on a wall-sized terminal.
    let k: u16 = if area.height >= 80 && area.width >= 300 {
        2
    } else {
        1
    };
    let mut x = area.x + 1;
    for (label, value, v) in figs {
        let Some(rows) = digits::render_scaled(value, k) else {
            continue;
        };
        let w = (digits::width(value) * k).max(label.width() as u16 + 2);
        if x + w > area.x + area.width {
            break;
        }
        let mut lines = vec![Line::from(vec![
            Span::styled(format!("{} ", v.symbol()), verdict_style(*v, theme)),
            Span::styled(label.to_uppercase(), theme.style(Role::Muted)),
        ])];
        lines.extend(
            rows.into_iter()
                .map(|r| Line::styled(r, verdict_style(*v, theme))),
        );
        frame.render_widget(
            Paragraph::new(lines),
            Rect::new(x, area.y, w, 1 + digits::HEIGHT * k),
        );
        x += w + 4 * k;
    }
    digits::HEIGHT * k + 2
}

/// Columns and rows of tiles for `n` sites, the most square-looking tiles that fit.
fn grid(n: usize, area: Rect) -> Option<(u16, u16)> {
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

/// How a site's reach reads: `● live · data 3s old`, `⚠ STALE 2m`, `⊘ unreachable`.
fn reach_span(s: &SiteSummary, now: Time, long: bool, theme: &Theme) -> Span<'static> {
    match &s.reach {
        Reach::Live => Span::styled(
            match (s.last_event, long) {
                (Some(t), true) => format!("● live · data {} old", age(now, t)),
                (Some(t), false) => format!("live {}", age(now, t)),
                (None, _) => "live".into(),
            },
            theme.style(Role::Muted),
        ),
        Reach::Connecting => Span::styled("◌ connecting…", theme.style(Role::Warning)),
        Reach::Stale { since, error } => Span::styled(
            if long {
                format!(" ⚠ STALE {} — last data shown: {error} ", age(now, *since))
            } else {
                format!("⚠ STALE {}", age(now, *since))
            },
            stale_style(theme),
        ),
        Reach::Unreachable(why) => Span::styled(
            if long {
                format!("⊘ unreachable: {why}")
            } else {
                "⊘ unreachable".into()
            },
            theme.style(Role::Error),
        ),
    }
}

fn text_style(s: &SiteSummary, theme: &Theme) -> Style {
    theme.style(if matches!(s.reach, Reach::Stale { .. }) {
        Role::Stale
    } else {
        Role::Text
    })
}

fn problem_line(
    p: &SummaryProblem,
    site: Option<&str>,
    now: Time,
    width: usize,
    indent: usize,
    theme: &Theme,
) -> Line<'static> {
    let since = p
        .since
        .map(|t| format!(" ({})", age(now, t)))
        .unwrap_or_default();
    let head = match site {
        Some(s) => format!(
            "{} {:<9}{s:<14} {:<8}",
            p.verdict.symbol(),
            p.verdict.label(),
            p.area
        ),
        None => format!("{} ", p.verdict.symbol()),
    };
    let room = width.saturating_sub(indent + head.width() + since.width());
    let text = fit(&format!("{}: {}", p.object, p.message), room);
    Line::from(vec![
        Span::raw(" ".repeat(indent)),
        Span::styled(head, verdict_style(p.verdict, theme)),
        Span::styled(text, theme.style(Role::Text)),
        Span::styled(since, theme.style(Role::Muted)),
    ])
}

/// The problems a page shows for a site.
fn site_problems(s: &SiteSummary, p: Page) -> Vec<&SummaryProblem> {
    s.problems
        .iter()
        .filter(|x| match p.area() {
            Some(a) => x.area == a || x.area == "reach",
            None => true,
        })
        .collect()
}

fn page_area(s: &SiteSummary, p: Page) -> Vec<(&'static str, Option<&Area>)> {
    match p.area() {
        Some(a) => s.areas().into_iter().filter(|(n, _)| *n == a).collect(),
        None => s.areas().to_vec(),
    }
}

/// A site's verdict on a page: the area's on the storage, backup and GitOps pages (a site that
/// cannot be seen counts as failed everywhere), the site's on the others.
fn page_verdict(s: &SiteSummary, p: Page) -> Verdict {
    let unseen = matches!(s.reach, Reach::Stale { .. } | Reach::Unreachable(_));
    match p.area() {
        Some(_) if unseen => Verdict::Failed,
        Some(_) => page_area(s, p)
            .iter()
            .filter_map(|(_, a)| a.map(|a| a.verdict))
            .max()
            .unwrap_or(Verdict::Unknown),
        None => s.verdict,
    }
}

/// The sites worst first by their verdict on the page.
fn ordered(state: &State, p: Page) -> Vec<(&SiteSummary, Verdict)> {
    let mut v: Vec<_> = state
        .sites
        .iter()
        .map(|s| (s, page_verdict(s, p)))
        .collect();
    v.sort_by_key(|b| std::cmp::Reverse(b.1));
    v
}

/// One line per site, then the problems, as many as fit.
fn dense(frame: &mut Frame, area: Rect, state: &State, p: Page, theme: &Theme) {
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
        Page::GitOps => {
            (f.apps > 0).then(|| (format!("{}/{}", f.apps_synced, f.apps), "apps synced"))
        }
        Page::Problems => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn tiles(
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
                    format!(" {name:<8}· none on this site"),
                    theme.style(Role::Muted),
                ));
                continue;
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {name:<8}"), theme.style(Role::Muted)),
                Span::styled(
                    format!("{} ", a.verdict.symbol()),
                    verdict_style(a.verdict, theme),
                ),
                Span::styled(fit(&a.text, iw.saturating_sub(12)), text_style(s, theme)),
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

/// Every problem of every site, worst first.
fn problems(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_shows_utc_hours_and_minutes() {
        assert_eq!(clock(0), "00:00 UTC");
        assert_eq!(clock(86_400 + 14 * 3600 + 5 * 60 + 59), "14:05 UTC");
    }

    #[test]
    fn tiles_grow_with_the_screen_and_give_up_when_too_small() {
        let g = |w, h, n| grid(n, Rect::new(0, 0, w, h));
        assert_eq!(g(200, 40, 3), Some((3, 1)));
        assert_eq!(g(60, 20, 3), None);
        let (c, r) = g(400, 90, 12).unwrap();
        assert!(c * r >= 12 && 400 / c >= TILE_MIN.0 && 90 / r >= TILE_MIN.1);
    }

    #[test]
    fn fit_cuts_with_an_ellipsis_by_columns() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(fit("⚠ STALE", 3), "⚠ …");
    }
}
