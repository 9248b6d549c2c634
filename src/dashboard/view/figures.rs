//! A page's key figures: site counts and the page's own totals, in block digits when there
//! is room.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::verdict_style;
use crate::app::live::fleet::Verdict;
use crate::app::live::summary::{Area, SiteSummary};
use crate::dashboard::digits;
use crate::dashboard::state::{Page, State, stale_sites};
use crate::theme::{Role, Theme};

/// (label, value, verdict) of the page's key figures.
pub(super) fn page_figures(p: Page, state: &State) -> Vec<(&'static str, String, Verdict)> {
    let count = |v: Verdict| state.sites.iter().filter(|s| s.verdict == v).count();
    let problems = || state.sites.iter().flat_map(|s| s.problems.iter());
    let area_of = |s: &SiteSummary| match p.area() {
        Some("storage") => s.storage.clone(),
        Some("backup") => s.backup.clone(),
        Some("gitops") => s.gitops.clone(),
        Some("standards") => s.standards.clone(),
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
                        "apps ok",
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
pub(super) fn big_figures(
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
