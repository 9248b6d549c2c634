//! The changes view (file list and diff), the reconcile view after a push, and the dialogs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{focus_title, pane, shorten_middle};
use crate::app::State;
use crate::app::browser::Loadable;
use crate::app::changes::{Change, LineKind, Modal};
use crate::app::live::age;
use crate::app::reconcile::Stage;
use crate::git::status::FileStatus;
use crate::theme::{Role, Theme};

fn status_role(s: FileStatus) -> Role {
    match s {
        FileStatus::Added | FileStatus::Untracked => Role::Added,
        FileStatus::Deleted => Role::Deleted,
        FileStatus::Conflicted => Role::Error,
        FileStatus::Modified | FileStatus::Renamed => Role::Modified,
    }
}

/// `S M path`: staged state, work-tree state, path.
fn change_line(c: &Change, width: usize, selected: bool, theme: &Theme) -> Line<'static> {
    let mark = |s: Option<FileStatus>| match s {
        Some(s) => Span::styled(s.mark().to_string(), theme.style(status_role(s))),
        None => Span::styled(" ", theme.style(Role::Muted)),
    };
    let staged = if c.staged.is_some() {
        Span::styled("● ", theme.style(Role::Ok))
    } else {
        Span::styled("○ ", theme.style(Role::Muted))
    };
    let mut line = Line::from(vec![
        staged,
        mark(c.staged),
        mark(c.unstaged),
        Span::raw(" "),
        Span::styled(
            shorten_middle(&c.path, width.saturating_sub(5)),
            theme.style(Role::Text),
        ),
    ]);
    if selected {
        line = line.style(theme.style(Role::Selection));
    }
    line
}

pub fn changes(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let c = &state.changes;
    // Side by side when there is room; stacked (list above the diff) on small terminals.
    let wide = area.width >= 110;
    let list_len = c.list().len() as u16;
    let [list_area, diff_area] = if wide {
        Layout::horizontal([Constraint::Percentage(35), Constraint::Percentage(65)]).areas(area)
    } else {
        Layout::vertical([
            Constraint::Length((list_len + 2).clamp(3, area.height / 3 + 1)),
            Constraint::Min(3),
        ])
        .areas(area)
    };
    // The branch, ahead/behind and where the work is after a failure: under the list when wide,
    // one line above the diff when not.
    let [list_area, info_area] = if wide {
        Layout::vertical([Constraint::Min(3), Constraint::Length(4)]).areas(list_area)
    } else {
        [list_area, Rect::default()]
    };
    let [info_area, diff_area] = if wide {
        [info_area, diff_area]
    } else {
        Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(diff_area)
    };
    let staged = c.list().iter().filter(|x| x.staged.is_some()).count();
    let title = format!(" changes · {} files · {staged} staged ", c.list().len());
    let list_focus = !c.diff_focus;
    let block = pane(
        focus_title(Line::from(title), list_focus),
        list_focus,
        state,
        theme,
    );
    let inner = block.inner(list_area);
    frame.render_widget(block, list_area);
    match &c.files {
        Loadable::Loaded(files) if files.is_empty() => {
            frame.render_widget(
                Paragraph::new("Nothing changed: the work tree is clean.")
                    .style(theme.style(Role::Ok)),
                inner,
            );
        }
        Loadable::Loaded(files) => {
            let h = inner.height as usize;
            let offset = c.selected.saturating_sub(h.saturating_sub(1));
            let lines: Vec<Line> = files
                .iter()
                .enumerate()
                .skip(offset)
                .take(h)
                .map(|(i, f)| change_line(f, inner.width as usize, i == c.selected, theme))
                .collect();
            frame.render_widget(Paragraph::new(lines), inner);
        }
        Loadable::Failed(e) => frame.render_widget(
            Paragraph::new(format!("git status failed: {e}"))
                .style(theme.style(Role::Error))
                .wrap(Wrap { trim: true }),
            inner,
        ),
        _ => frame.render_widget(
            Paragraph::new("Reading git status…").style(theme.style(Role::Muted)),
            inner,
        ),
    }
    let mut info = info_lines(state, theme);
    if !wide {
        // One line: the failure or the running write (the last line) if any, else the branch.
        let failing = state.changes.last_failure.is_some() || state.changes.busy.is_some();
        let keep = if failing {
            info.pop()
        } else {
            info.into_iter().next()
        };
        info = keep.into_iter().collect();
    }
    frame.render_widget(Paragraph::new(info).wrap(Wrap { trim: true }), info_area);
    diff(frame, diff_area, state, theme);
}

/// Branch, ahead, author, and where the operator's work is after a failure.
fn info_lines(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![];
    if let Loadable::Loaded(g) = &state.repo.git {
        let branch = g
            .branch
            .clone()
            .unwrap_or_else(|| format!("detached@{}", g.head.as_deref().unwrap_or("?")));
        let up = match &g.upstream {
            Some(u) => format!(" → {u} (ahead {}, behind {})", g.ahead, g.behind),
            None => " (no upstream)".into(),
        };
        out.push(Line::styled(
            format!("⎇ {branch}{up}"),
            theme.style(Role::Text),
        ));
    }
    if let Some(Ok(a)) = &state.changes.author {
        out.push(Line::styled(
            format!("author {a}"),
            theme.style(Role::Muted),
        ));
    }
    if let Some(f) = &state.changes.last_failure {
        out.push(Line::styled(format!("✗ {f}"), theme.style(Role::Error)));
    } else if let Some(b) = state.changes.busy {
        out.push(Line::styled(
            format!("… {b} running"),
            theme.style(Role::Warning),
        ));
    }
    out
}

fn diff(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let d = &state.changes.diff;
    let title = match &d.path {
        Some(p) => format!(
            " diff · {} ",
            shorten_middle(p, area.width.saturating_sub(10) as usize)
        ),
        None => " diff ".into(),
    };
    let focused = state.changes.diff_focus;
    let block = pane(
        focus_title(Line::from(title), focused),
        focused,
        state,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines: Vec<Line> = match &d.lines {
        Loadable::Loaded(lines) => lines
            .iter()
            .skip(d.scroll)
            .take(inner.height as usize)
            .map(|l| {
                let (sign, role) = match l.kind {
                    LineKind::Added => ("+", Role::Added),
                    LineKind::Removed => ("-", Role::Deleted),
                    LineKind::Context => (" ", Role::Text),
                    LineKind::Hunk => ("", Role::Accent),
                    LineKind::Header => ("", Role::Title),
                    LineKind::NoNewline | LineKind::Binary => ("", Role::Muted),
                };
                let num = match (l.kind, l.old, l.new) {
                    (LineKind::Removed, Some(o), _) => format!("{o:>4} "),
                    (LineKind::Added | LineKind::Context, _, Some(n)) => format!("{n:>4} "),
                    _ => "     ".into(),
                };
                Line::from(vec![
                    Span::styled(num, theme.style(Role::Muted)),
                    Span::styled(format!("{sign}{}", l.text), theme.style(role)),
                ])
            })
            .collect(),
        Loadable::Failed(e) => vec![Line::styled(
            format!("diff failed: {e}"),
            theme.style(Role::Error),
        )],
        Loadable::Loading => vec![Line::styled("…", theme.style(Role::Muted))],
        Loadable::Idle => vec![Line::styled(
            "Select a file to see its diff against the last commit.",
            theme.style(Role::Muted),
        )],
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

fn stage_role(s: Stage) -> Role {
    match s {
        Stage::Healthy => Role::Ok,
        Stage::Failed => Role::Error,
        Stage::Waiting => Role::Muted,
        _ => Role::Warning,
    }
}

fn stage_mark(s: Stage) -> &'static str {
    match s {
        Stage::Healthy => "✔",
        Stage::Failed => "✖",
        Stage::Waiting => "…",
        _ => "◐",
    }
}

pub fn reconcile(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(t) = &state.reconcile else {
        let block = pane(Line::from(" reconcile "), true, state, theme);
        frame.render_widget(
            Paragraph::new("Nothing pushed yet in this session. Push from the changes view (9, then P) and the reconcile is followed here.")
                .wrap(Wrap { trim: true })
                .style(theme.style(Role::Muted))
                .block(block),
            area,
        );
        return;
    };
    let now = state.live.now;
    let mut lines: Vec<Line> = vec![];
    let status = if let Some(f) = t.finished {
        if t.timed_out(f) {
            (
                format!(
                    "✖ timed out after {}: still pending: {}",
                    age(f, t.started),
                    t.pending().join(", ")
                ),
                Role::Error,
            )
        } else if t.apps.iter().any(|a| a.stage == Stage::Failed) {
            (format!("✖ failed after {}", age(f, t.started)), Role::Error)
        } else {
            (format!("✔ reconciled in {}", age(f, t.started)), Role::Ok)
        }
    } else {
        (
            format!(
                "… following for {} (timeout {}s)",
                age(now, t.started),
                t.timeout_secs
            ),
            Role::Warning,
        )
    };
    lines.push(Line::from(vec![
        Span::styled(format!("pushed {} ", t.short()), theme.style(Role::Accent)),
        Span::styled(status.0, theme.style(status.1)),
    ]));
    for p in t.paths.iter().take(5) {
        lines.push(Line::styled(format!("  {p}"), theme.style(Role::Muted)));
    }
    if t.paths.len() > 5 {
        lines.push(Line::styled(
            format!("  … and {} more", t.paths.len() - 5),
            theme.style(Role::Muted),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Argo CD applications",
        theme.style(Role::Title),
    ));
    if !t.looked {
        lines.push(Line::styled(
            "  waiting for the Applications list…",
            theme.style(Role::Muted),
        ));
    } else if t.apps.is_empty() {
        lines.push(Line::styled(
            "  no Application deploys these paths: nothing will reconcile them",
            theme.style(Role::Warning),
        ));
    }
    for a in &t.apps {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {} ", stage_mark(a.stage)),
                theme.style(stage_role(a.stage)),
            ),
            Span::styled(
                format!("{} ", a.key.name),
                theme.style(Role::Text).add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("{} for {}", a.stage.label(), age(now, a.since)),
                theme.style(stage_role(a.stage)),
            ),
        ]));
        let trail: Vec<&str> = a.seen.iter().map(|s| s.label()).collect();
        lines.push(Line::styled(
            format!("      {} · {}", a.detail, trail.join(" → ")),
            theme.style(Role::Muted),
        ));
    }
    for c in &t.clusters {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                "cluster {} · nodes {}/{} Ready",
                c.name, c.nodes_ready, c.nodes_total
            ),
            theme.style(Role::Title),
        ));
        let name_w = c
            .machines
            .iter()
            .map(|m| m.name.len())
            .max()
            .unwrap_or(0)
            .min(40);
        for m in &c.machines {
            let role = match m.phase.as_str() {
                "Running" => Role::Ok,
                "Failed" => Role::Error,
                _ => Role::Warning,
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {} ", if m.new { "+" } else { " " }),
                    theme.style(Role::Added),
                ),
                Span::styled(format!("{:<name_w$} ", m.name), theme.style(Role::Text)),
                Span::styled(format!("{:<13} ", m.phase), theme.style(role)),
                Span::styled(m.version.clone(), theme.style(Role::Muted)),
                Span::styled(if m.new { "  new" } else { "" }, theme.style(Role::Added)),
            ]));
        }
        for (n, ready) in &c.new_nodes {
            lines.push(Line::from(vec![
                Span::styled("  + node ", theme.style(Role::Added)),
                Span::styled(format!("{n} "), theme.style(Role::Text)),
                Span::styled(
                    if *ready { "Ready" } else { "NotReady" },
                    theme.style(if *ready { Role::Ok } else { Role::Warning }),
                ),
                Span::styled(" joined", theme.style(Role::Muted)),
            ]));
        }
    }
    let block = pane(
        Line::from(format!(" reconcile · {} ", t.short())),
        true,
        state,
        theme,
    );
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

/// The dialog, centred over everything.
pub fn modal(frame: &mut Frame, state: &State, theme: &Theme) {
    let Some(m) = &state.modal else { return };
    let area = frame.area();
    let width = area.width.saturating_sub(4).min(90);
    let mut lines: Vec<Line> = vec![];
    let hint;
    match m {
        Modal::Menu {
            options, selected, ..
        } => {
            hint = "↑↓ choose · enter or 1-9 · esc cancel";
            match options {
                Loadable::Loaded(o) => {
                    for (i, opt) in o.iter().enumerate() {
                        let mut l = Line::styled(
                            format!(" {} {}", i + 1, opt.label),
                            theme.style(Role::Text),
                        );
                        if i == *selected {
                            l = l.style(theme.style(Role::Selection));
                        }
                        lines.push(l);
                    }
                }
                Loadable::Failed(e) => {
                    lines.push(Line::styled(e.clone(), theme.style(Role::Warning)))
                }
                _ => lines.push(Line::styled("reading the file…", theme.style(Role::Muted))),
            }
        }
        Modal::Input {
            target,
            option,
            text,
            error,
        } => {
            hint = match option.ask {
                crate::repo::quick::Ask::Replicas { .. } => "enter apply · + / - step · esc cancel",
                crate::repo::quick::Ask::KubernetesVersion { .. }
                | crate::repo::quick::Ask::TalosVersion { .. } => {
                    "enter apply · +/- patch · >/< minor (by number: check it is released) · esc cancel"
                }
                crate::repo::quick::Ask::Nothing(_) => "enter apply · esc cancel",
            };
            lines.push(Line::styled(
                format!("{} · {}", target.path, target.name),
                theme.style(Role::Muted),
            ));
            lines.push(Line::from(vec![
                Span::styled(" › ", theme.style(Role::Accent)),
                Span::styled(text.clone(), theme.style(Role::Text)),
                Span::styled("█", theme.style(Role::Accent)),
            ]));
            if let Some(e) = error {
                lines.push(Line::styled(format!("✗ {e}"), theme.style(Role::Error)));
            }
            lines.push(Line::styled(
                "The file is edited in place (only this value changes); nothing is committed yet.",
                theme.style(Role::Muted),
            ));
        }
        Modal::Confirm { lines: l, .. } | Modal::Quit { lines: l } => {
            hint = "y yes · n no";
            lines.extend(
                l.iter()
                    .map(|x| Line::styled(x.clone(), theme.style(Role::Text))),
            );
        }
        Modal::Commit {
            message,
            author,
            files,
            warnings,
        } => {
            hint = "enter commit · type to edit · ctrl-u clear line · esc cancel";
            lines.push(Line::styled(
                format!("author {author}"),
                theme.style(Role::Muted),
            ));
            for f in files.iter().take(6) {
                lines.push(Line::styled(format!("  {f}"), theme.style(Role::Added)));
            }
            if files.len() > 6 {
                lines.push(Line::styled(
                    format!("  … and {} more", files.len() - 6),
                    theme.style(Role::Muted),
                ));
            }
            if !warnings.is_empty() {
                lines.push(Line::styled(
                    format!("policy: {} warning(s) in the staged files", warnings.len()),
                    theme.style(Role::Warning),
                ));
                for w in warnings.iter().take(4) {
                    lines.push(Line::styled(format!("  {w}"), theme.style(Role::Warning)));
                }
                if warnings.len() > 4 {
                    lines.push(Line::styled(
                        format!("  … and {} more (blast check --policy)", warnings.len() - 4),
                        theme.style(Role::Muted),
                    ));
                }
            }
            lines.push(Line::raw(""));
            let msg_lines: Vec<&str> = message.split('\n').collect();
            for (i, l) in msg_lines.iter().enumerate() {
                let mut spans = vec![
                    Span::styled(" │ ", theme.style(Role::Accent)),
                    Span::styled(l.to_string(), theme.style(Role::Text)),
                ];
                if i + 1 == msg_lines.len() {
                    spans.push(Span::styled("█", theme.style(Role::Accent)));
                }
                lines.push(Line::from(spans));
            }
        }
        Modal::Progress { lines: l, .. } => {
            hint = "esc cancel";
            lines.extend(
                l.iter()
                    .map(|x| Line::styled(x.clone(), theme.style(Role::Text))),
            );
        }
        Modal::Info {
            lines: l, error, ..
        } => {
            hint = "enter or esc close";
            let role = if *error { Role::Error } else { Role::Text };
            for (i, x) in l.iter().enumerate() {
                lines.push(Line::styled(
                    x.clone(),
                    theme.style(if i == 0 { role } else { Role::Text }),
                ));
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(hint, theme.style(Role::Muted)));
    // Height from the wrapped text, within the screen.
    let inner_w = width.saturating_sub(2).max(1) as usize;
    let rows: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum();
    let height = (rows as u16 + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width.saturating_sub(width)) / 2,
        area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, rect);
    let title_role = match m {
        Modal::Info { error: true, .. } => Role::Error,
        _ => Role::Title,
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocus))
        .title(Span::styled(
            format!(" {} ", m.title()),
            theme.style(title_role),
        ))
        .style(theme.style(Role::Background));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}
