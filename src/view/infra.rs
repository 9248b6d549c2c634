//! Storage, backup, GitOps and the overview. Rows come from `app::live::{storage, backup,
//! gitops, summary}` via `settle`; these functions lay them out.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::live::{
    col, stale_mark, syncing, table, title, verdict_span, verdict_style, visible, with_problems,
};
use super::shorten_middle;
use crate::app::State;
use crate::app::live::fleet::Verdict;
use crate::app::live::nodes::bytes;
use crate::app::live::summary::Reach;
use crate::app::live::{age, storage::Thresholds};
use crate::theme::{Role, Theme};

/// `██████░░░░  61%`: a capacity bar `width` cells wide plus the percentage, coloured by the
/// thresholds (the figure is there too, so colour is not the only signal).
fn bar(ratio: Option<f64>, width: usize, t: Thresholds, theme: &Theme) -> Span<'static> {
    let Some(r) = ratio else {
        return Span::raw("");
    };
    let r = r.clamp(0.0, 1.0);
    let filled = ((r * width as f64).round() as usize).min(width);
    Span::styled(
        format!(
            "{}{} {:>3.0}%",
            "█".repeat(filled),
            "░".repeat(width - filled),
            r * 100.0
        ),
        verdict_style(t.verdict(r), theme),
    )
}

fn used_total(used: Option<u64>, total: Option<u64>) -> String {
    match (used, total) {
        (Some(u), Some(t)) => format!("{} / {}", bytes(u), bytes(t)),
        (None, Some(t)) => bytes(t),
        _ => String::new(),
    }
}

fn row_style(stale: Option<i64>, theme: &Theme) -> ratatui::style::Style {
    theme.style(if stale.is_some() {
        Role::Stale
    } else {
        Role::Text
    })
}

fn empty_title(name: &str, state: &State, what: &str) -> Line<'static> {
    if syncing(state) {
        Line::from(format!(" {name}: loading… "))
    } else {
        Line::from(format!(" {name} (0): {what} "))
    }
}

pub fn storage(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let now = state.live.now;
    let bar_w: usize = if area.width >= 160 { 20 } else { 10 };
    let cols = [
        col("SITE", 12, 0),
        col("KIND", 14, 2),
        col("NAME", 16, 0),
        col("HEALTH", 13, 0),
        col("STATE", 14, 0),
        col("USED", bar_w as u16 + 5, 0),
        col("BYTES", 19, 3),
        col("SINCE", 5, 4),
        col("DETAIL", 10, 1),
    ];
    let (start, rows) = visible(&v.storage_rows, &v.storage, state.table_height());
    let mut cells = vec![];
    let mut styles = vec![];
    for r in rows {
        let mut detail = r.detail.clone();
        detail.push_str(&stale_mark(r.stale_since, now));
        cells.push(vec![
            Span::raw(shorten_middle(&r.site, 12)),
            Span::raw(match r.kind {
                "PersistentVolumeClaim" => "PVC",
                k => k,
            }),
            Span::raw(shorten_middle(&r.name, 16)),
            verdict_span(r.verdict, theme),
            Span::styled(r.state.clone(), verdict_style(r.verdict, theme)),
            bar(r.ratio(), bar_w, v.thresholds, theme),
            Span::raw(used_total(r.used, r.total)),
            Span::raw(r.since.map(|s| age(now, s)).unwrap_or_default()),
            Span::styled(detail, theme.style(Role::Muted)),
        ]);
        styles.push(row_style(r.stale_since, theme));
    }
    let mut t = with_problems(
        title("Storage", &v.storage, v.storage_rows.len(), None),
        state,
        theme,
    );
    if v.storage_rows.is_empty() {
        t = empty_title(
            "Storage",
            state,
            "no Ceph, Mayastor, volumes or MinIO on the connected clusters",
        );
    }
    table(
        frame,
        area,
        t,
        &cols,
        cells,
        styles,
        v.storage.selected.checked_sub(start),
        true,
        state,
        theme,
    );
}

pub fn backup(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let now = state.live.now;
    let [top, bottom] =
        Layout::vertical([Constraint::Fill(2), Constraint::Fill(1)]).areas::<2>(area);
    let cols = [
        col("SITE", 12, 0),
        col("KIND", 7, 3),
        col("NAME", 16, 0),
        col("HEALTH", 13, 0),
        col("LAST RUN", 18, 0),
        col("SUCCESS", 8, 0),
        col("NEXT", 8, 2),
        col("SCHEDULE", 18, 2),
        col("PROTECTS", 20, 4),
        col("DETAIL", 10, 1),
    ];
    let (start, rows) = visible(&v.backup_rows, &v.backup, state.table_height());
    let mut cells = vec![];
    let mut styles = vec![];
    for r in rows {
        let last = r
            .last_run
            .as_ref()
            .map(|(s, t)| {
                format!(
                    "{s} {}",
                    t.map(|t| format!("{} ago", age(now, t)))
                        .unwrap_or_default()
                )
            })
            .unwrap_or_default();
        let success = match (r.kind, r.last_success) {
            ("Policy", Some(t)) => format!("{} ago", age(now, t)),
            ("Policy", None) => "never".into(),
            _ => String::new(),
        };
        let next = match r.next_due {
            Some(t) if t >= now => format!("in {}", age(t, now)),
            Some(t) => format!("{} late", age(now, t)),
            None => String::new(),
        };
        let mut detail = String::new();
        if r.overdue {
            detail.push_str("OVERDUE; ");
        }
        detail.push_str(&r.detail);
        detail.push_str(&stale_mark(r.stale_since, now));
        cells.push(vec![
            Span::raw(shorten_middle(&r.site, 12)),
            Span::raw(r.kind),
            Span::raw(shorten_middle(&r.key.name, 16)),
            verdict_span(r.verdict, theme),
            Span::raw(last),
            Span::styled(
                success,
                theme.style(if r.overdue { Role::Error } else { Role::Text }),
            ),
            Span::raw(next),
            Span::raw(r.schedule.clone()),
            Span::raw(r.protects.clone()),
            Span::styled(
                detail,
                theme.style(if r.verdict >= Verdict::Degraded {
                    Role::Warning
                } else {
                    Role::Muted
                }),
            ),
        ]);
        styles.push(row_style(r.stale_since, theme));
    }
    let mut t = with_problems(
        title(
            "Backup policies and profiles",
            &v.backup,
            v.backup_rows.len(),
            None,
        ),
        state,
        theme,
    );
    if v.backup_rows.is_empty() {
        t = empty_title(
            "Backup",
            state,
            "K10 is not installed on the connected clusters (no config.kio.kasten.io)",
        );
    }
    table(
        frame,
        top,
        t,
        &cols,
        cells,
        styles,
        v.backup.selected.checked_sub(start),
        true,
        state,
        theme,
    );
    // The actions of the selection.
    if bottom.height < 3 {
        return;
    }
    let acols = [
        col("STARTED", 8, 0),
        col("ACTION", 7, 0),
        col("STATE", 14, 0),
        col("TOOK", 6, 1),
        col("PROG", 5, 2),
        col("NAME", 24, 3),
        col("ERROR / SUBJECT", 10, 0),
    ];
    let height = bottom.height.saturating_sub(3) as usize;
    let mut cells = vec![];
    let mut styles = vec![];
    for a in v.action_rows.iter().take(height) {
        let took = a.duration.map(|d| age(d, 0)).unwrap_or_else(|| "…".into());
        let tail = a
            .error
            .clone()
            .or_else(|| a.subject.clone())
            .unwrap_or_default();
        cells.push(vec![
            Span::raw(
                a.started
                    .map(|t| format!("{} ago", age(now, t)))
                    .unwrap_or_default(),
            ),
            Span::raw(a.action),
            Span::styled(
                format!("{} {}", a.verdict.symbol(), a.state),
                verdict_style(a.verdict, theme),
            ),
            Span::raw(took),
            Span::raw(a.progress.map(|p| format!("{p}%")).unwrap_or_default()),
            Span::raw(shorten_middle(&a.key.name, 24)),
            Span::styled(
                tail,
                theme.style(if a.error.is_some() {
                    Role::Error
                } else {
                    Role::Muted
                }),
            ),
        ]);
        styles.push(theme.style(Role::Text));
    }
    let what = v
        .backup_rows
        .get(v.backup.selected)
        .map(|r| {
            if r.kind == "Policy" {
                format!("of {}", r.key.name)
            } else {
                format!("on {}", r.site)
            }
        })
        .unwrap_or_default();
    let filter = if v.failures_only {
        " failures only (f: all)"
    } else {
        " (f: failures only)"
    };
    table(
        frame,
        bottom,
        Line::from(format!(
            " Actions {what} ({}){filter} ",
            v.action_rows.len()
        )),
        &acols,
        cells,
        styles,
        None,
        false,
        state,
        theme,
    );
}

pub fn gitops(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let now = state.live.now;
    let [top, bottom] =
        Layout::vertical([Constraint::Fill(2), Constraint::Fill(1)]).areas::<2>(area);
    let cols = [
        col("SITE", 8, 3),
        col("KIND", 12, 2),
        col("NAME", 26, 0),
        col("HEALTH", 13, 0),
        col("SYNC", 12, 0),
        col("STATE", 11, 1),
        col("REV", 8, 1),
        col("VS REPO", 16, 2),
        col("POLICY", 15, 4),
        col("DETAIL", 10, 1),
    ];
    let (start, rows) = visible(&v.gitops_rows, &v.gitops, state.table_height());
    let mut cells = vec![];
    let mut styles = vec![];
    for r in rows {
        let mut detail = r.detail.clone();
        detail.push_str(&stale_mark(r.stale_since, now));
        // `User.minio.crossplane.io` → `minio User`.
        let kind = match r.kind.split_once('.') {
            _ if r.kind == "Application" => "App".to_string(),
            Some((k, group)) => format!("{} {k}", group.split('.').next().unwrap_or(group)),
            None => r.kind.to_string(),
        };
        cells.push(vec![
            Span::raw(shorten_middle(&r.site, 8)),
            Span::raw(kind),
            Span::raw(shorten_middle(&r.key.name, 26)),
            verdict_span(r.verdict, theme),
            Span::styled(
                r.sync.clone(),
                theme.style(match r.sync.as_str() {
                    "Synced" | "issued" | "enabled" => Role::Ok,
                    "OutOfSync" | "not synced" => Role::Warning,
                    _ => Role::Text,
                }),
            ),
            Span::raw(r.health.clone()),
            Span::raw(r.revision.clone()),
            Span::styled(
                r.vs_repo.clone(),
                theme.style(if r.vs_repo.starts_with("behind") {
                    Role::Warning
                } else {
                    Role::Muted
                }),
            ),
            Span::raw(r.policy.clone()),
            Span::styled(detail, theme.style(Role::Muted)),
        ]);
        styles.push(row_style(r.stale_since, theme));
    }
    let mut t = with_problems(
        title(
            "Applications and infrastructure",
            &v.gitops,
            v.gitops_rows.len(),
            None,
        ),
        state,
        theme,
    );
    if v.gitops_rows.is_empty() {
        t = empty_title(
            "GitOps",
            state,
            "no Argo CD applications or infrastructure objects found",
        );
    }
    table(
        frame,
        top,
        t,
        &cols,
        cells,
        styles,
        v.gitops.selected.checked_sub(start),
        true,
        state,
        theme,
    );
    if bottom.height < 3 {
        return;
    }
    // The selected row in full: its paths, and each resource that is not synced or healthy.
    let mut lines: Vec<Line> = vec![];
    let mut name = String::new();
    if let Some(r) = v.gitops_rows.get(v.gitops.selected) {
        name = format!("{} {}", r.kind, r.key);
        if !r.paths.is_empty() {
            lines.push(Line::from(vec![
                Span::styled("paths ", theme.style(Role::Muted)),
                Span::raw(r.paths.join(", ")),
                Span::styled("  (enter: open in the repo)", theme.style(Role::Muted)),
            ]));
        }
        if let Some((phase, at, msg)) = &r.last_op {
            lines.push(Line::from(vec![
                Span::styled("last sync ", theme.style(Role::Muted)),
                Span::styled(
                    phase.clone(),
                    theme.style(match phase.as_str() {
                        "Succeeded" => Role::Ok,
                        "Running" => Role::Accent,
                        _ => Role::Error,
                    }),
                ),
                Span::raw(
                    at.map(|t| format!(" {} ago", age(now, t)))
                        .unwrap_or_default(),
                ),
                Span::styled(
                    msg.as_ref().map(|m| format!(": {m}")).unwrap_or_default(),
                    theme.style(Role::Muted),
                ),
            ]));
        }
        for p in &r.problems {
            let what = [p.sync.as_deref(), p.health.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            lines.push(Line::from(vec![
                Span::styled("▲ ", theme.style(Role::Warning)),
                Span::styled(
                    format!(
                        "{} {}{} ",
                        p.kind,
                        p.namespace
                            .as_ref()
                            .map(|n| format!("{n}/"))
                            .unwrap_or_default(),
                        p.name
                    ),
                    theme.style(Role::Text).add_modifier(Modifier::BOLD),
                ),
                Span::styled(format!("{what} "), theme.style(Role::Warning)),
                Span::styled(
                    p.message.clone().unwrap_or_default(),
                    theme.style(Role::Text),
                ),
            ]));
        }
        if !r.detail.is_empty() {
            lines.push(Line::styled(r.detail.clone(), theme.style(Role::Muted)));
        }
        if lines.is_empty() {
            lines.push(Line::styled("nothing to report", theme.style(Role::Muted)));
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(
            Line::from(format!(" {} ", shorten_middle(&name, 60))).style(theme.style(Role::Title)),
        );
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(block),
        bottom,
    );
}

pub fn overview(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let now = state.live.now;
    // One block per site, worst first: a header line with the verdict and reach, the four
    // answers, then its problems as room allows.
    let mut lines: Vec<Line> = vec![];
    let width = area.width.saturating_sub(2) as usize;
    for (i, s) in v.overview_rows.iter().enumerate() {
        let selected = i == v.overview.selected;
        let reach = match &s.reach {
            Reach::Live => match s.last_event {
                Some(t) => format!("live, data {} old", age(now, t)),
                None => "live".into(),
            },
            Reach::Connecting => "connecting…".into(),
            Reach::Stale { since, .. } => format!("⚠ STALE {} — last data shown", age(now, *since)),
            Reach::Unreachable(why) => format!("⊘ unreachable: {why}"),
        };
        let mut head = vec![
            Span::styled(
                format!("{} ", s.verdict.symbol()),
                verdict_style(s.verdict, theme),
            ),
            Span::styled(
                format!("{:<14}", s.site),
                theme.style(Role::Title).add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("{:<12}", s.verdict.label()),
                verdict_style(s.verdict, theme),
            ),
            Span::styled(
                reach,
                theme.style(match s.reach {
                    Reach::Live => Role::Muted,
                    Reach::Connecting => Role::Warning,
                    _ => Role::Stale,
                }),
            ),
        ];
        if selected {
            for sp in &mut head {
                sp.style = sp.style.add_modifier(Modifier::REVERSED);
            }
        }
        lines.push(Line::from(head));
        for (name, a) in s.areas() {
            let Some(a) = a else { continue };
            lines.push(Line::from(vec![
                Span::raw("   "),
                Span::styled(format!("{name:<8}"), theme.style(Role::Muted)),
                Span::styled(
                    format!("{} ", a.verdict.symbol()),
                    verdict_style(a.verdict, theme),
                ),
                Span::raw(shorten_middle(&a.text, width.saturating_sub(14))),
            ]));
        }
        let room = if v.overview_rows.len() <= 3 { 6 } else { 3 };
        for p in s.problems.iter().take(room) {
            let since = p
                .since
                .map(|t| format!(" ({})", age(now, t)))
                .unwrap_or_default();
            // The object and the start of the message matter most: cut at the end.
            let text = format!("{}: {}", p.object, p.message);
            let room = width.saturating_sub(8 + since.chars().count());
            let text = if text.chars().count() > room {
                let cut: String = text.chars().take(room.saturating_sub(1)).collect();
                format!("{cut}…{since}")
            } else {
                format!("{text}{since}")
            };
            lines.push(Line::from(vec![
                Span::raw("     "),
                Span::styled(
                    format!("{} ", p.verdict.symbol()),
                    verdict_style(p.verdict, theme),
                ),
                Span::styled(text, theme.style(Role::Text)),
            ]));
        }
        if s.problems.len() > room {
            lines.push(Line::styled(
                format!("       … {} more", s.problems.len() - room),
                theme.style(Role::Muted),
            ));
        }
    }
    // Keep the selected site's block in view.
    let mut offset = 0usize;
    let mut line_of_selected = 0usize;
    let mut n = 0usize;
    for (i, l) in lines.iter().enumerate() {
        if l.spans.len() >= 3
            && l.spans
                .first()
                .is_some_and(|s| s.style.add_modifier.contains(Modifier::REVERSED))
        {
            line_of_selected = i;
        }
        n += 1;
    }
    let height = area.height.saturating_sub(2) as usize;
    if line_of_selected + 4 > height {
        offset = (line_of_selected + 4).saturating_sub(height).min(n);
    }
    let bad = v
        .overview_rows
        .iter()
        .filter(|s| s.verdict >= Verdict::Degraded)
        .count();
    let mut t = Line::from(format!(
        " Overview: {} sites, {bad} need attention ",
        v.overview_rows.len()
    ));
    if v.overview_rows.is_empty() {
        t = empty_title("Overview", state, "no sites yet");
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(t.style(theme.style(Role::Title)));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((offset as u16, 0)),
        area,
    );
}
