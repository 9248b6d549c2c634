//! What the dense list and the tiles both say about a site: its reach, its verdict and areas on
//! a page, its problems, and the order of the sites.

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::{fit, stale_style, verdict_style};
use crate::app::live::age;
use crate::app::live::fleet::Verdict;
use crate::app::live::summary::{Area, Reach, SiteSummary, SummaryProblem};
use crate::dashboard::state::{Page, State};
use crate::model::Time;
use crate::theme::{Role, Theme};

/// How a site's reach reads: `● live · data 3s old`, `⚠ STALE 2m`, `⊘ unreachable`.
pub(super) fn reach_span(s: &SiteSummary, now: Time, long: bool, theme: &Theme) -> Span<'static> {
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

pub(super) fn problem_line(
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
    // An area as long as its column (`standards`) still gets a space before the object.
    let area = if p.area.width() >= 8 {
        format!("{} ", p.area)
    } else {
        format!("{:<8}", p.area)
    };
    let head = match site {
        Some(s) => format!(
            "{} {:<9}{s:<14} {area}",
            p.verdict.symbol(),
            p.verdict.label(),
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
pub(super) fn site_problems(s: &SiteSummary, p: Page) -> Vec<&SummaryProblem> {
    s.problems
        .iter()
        .filter(|x| match p.area() {
            Some(a) => x.area == a || x.area == "reach",
            None => true,
        })
        .collect()
}

pub(super) fn page_area(s: &SiteSummary, p: Page) -> Vec<(&'static str, Option<&Area>)> {
    match p.area() {
        Some(a) => s.areas().into_iter().filter(|(n, _)| *n == a).collect(),
        // The standards only where something is known of them (a repo read, a report).
        None => s
            .areas()
            .into_iter()
            .filter(|(n, a)| *n != "standards" || a.is_some())
            .collect(),
    }
}

/// A site's verdict on a page: the area's on the storage, backup and GitOps pages (a site that
/// cannot be seen counts as failed everywhere), the site's on the others.
pub(super) fn page_verdict(s: &SiteSummary, p: Page) -> Verdict {
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
pub(super) fn ordered(state: &State, p: Page) -> Vec<(&SiteSummary, Verdict)> {
    let mut v: Vec<_> = state
        .sites
        .iter()
        .map(|s| (s, page_verdict(s, p)))
        .collect();
    v.sort_by_key(|b| std::cmp::Reverse(b.1));
    v
}
