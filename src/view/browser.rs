//! The repo browser: tree, preview and log panes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{pane, shorten_middle, widgets};
use crate::app::State;
use crate::app::browser::{Loadable, Pane, Row, RowKind};
use crate::app::layout::BrowserLayout;
use crate::git::status::FileStatus;
use crate::repo::index::{FileKind, RepoIndex};
use crate::theme::{Role, Theme};

pub fn draw(frame: &mut Frame, layout: &BrowserLayout, state: &State, theme: &Theme) {
    if let Some(area) = layout.tree {
        tree(frame, area, state, theme);
    }
    if let Some(area) = layout.preview {
        preview(frame, area, state, theme);
    }
    if let Some(area) = layout.log {
        log(frame, area, state, theme);
    }
}

fn status_of(state: &State, path: &str) -> Option<FileStatus> {
    match &state.repo.git {
        Loadable::Loaded(g) => g.files.get(path).copied(),
        _ => None,
    }
}

/// Whether anything under a folder is modified (for a mark on collapsed folders).
fn dir_dirty(state: &State, dir: &str) -> bool {
    match &state.repo.git {
        Loadable::Loaded(g) => {
            let prefix = format!("{dir}/");
            g.files
                .range(prefix.clone()..)
                .next()
                .is_some_and(|(p, _)| p.starts_with(&prefix))
        }
        _ => false,
    }
}

fn status_role(s: FileStatus) -> Role {
    match s {
        FileStatus::Untracked | FileStatus::Added => Role::Added,
        FileStatus::Deleted | FileStatus::Conflicted => Role::Deleted,
        FileStatus::Modified | FileStatus::Renamed => Role::Modified,
    }
}

fn tree(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let b = &state.browser;
    let focused = b.focus == Pane::Tree;
    let title = match (state.index(), b.filter.text.is_empty()) {
        (Some(_), false) => format!(" repo · {} matches ", b.filter.matches.len()),
        _ => " repo ".to_string(),
    };
    let block = pane(
        super::focus_title(Line::from(title), focused),
        focused,
        state,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let index = match &state.repo.index {
        Loadable::Loaded(i) => i,
        Loadable::Failed(e) => {
            frame.render_widget(
                Paragraph::new(format!("✗ cannot index: {e}")).style(theme.style(Role::Error)),
                inner,
            );
            return;
        }
        _ => {
            frame.render_widget(
                Paragraph::new("indexing…").style(theme.style(Role::Muted)),
                inner,
            );
            return;
        }
    };
    if b.rows.is_empty() {
        let msg = if b.filter.text.is_empty() {
            "no files under clusters/, infrastructure/ or apps/".to_string()
        } else {
            format!("nothing matches \"{}\"", b.filter.text)
        };
        frame.render_widget(Paragraph::new(msg).style(theme.style(Role::Muted)), inner);
        return;
    }
    let width = inner.width as usize;
    let lines: Vec<Line> = b
        .rows
        .iter()
        .enumerate()
        .skip(b.offset)
        .take(inner.height as usize)
        .map(|(i, row)| tree_line(state, index, row, i == b.selected, width, theme))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn tree_line<'a>(
    state: &State,
    index: &'a RepoIndex,
    row: &'a Row,
    selected: bool,
    width: usize,
    theme: &Theme,
) -> Line<'a> {
    let indent = "  ".repeat(row.depth as usize);
    let name_role = if row.matched { Role::Match } else { Role::Text };
    let mut left: Vec<Span> = vec![Span::raw(indent)];
    let mut right: Vec<Span> = Vec::new();
    let muted = theme.style(Role::Muted);
    match &row.kind {
        RowKind::Dir { path, name } => {
            left.push(Span::styled(if row.expanded { "▾ " } else { "▸ " }, muted));
            left.push(Span::styled(
                format!("{name}/"),
                theme.style(name_role).patch(theme.style(Role::Accent)),
            ));
            if !row.expanded && dir_dirty(state, path) {
                left.push(Span::styled(" ●", theme.style(Role::Modified)));
            }
            if let Some(s) = state.browser.dir_stats.get(path) {
                if s.broken > 0 {
                    right.push(Span::styled(
                        format!("✗{} ", s.broken),
                        theme.style(Role::Error),
                    ));
                }
                right.push(Span::styled(
                    format!("{}f {}r", s.files, s.resources),
                    muted,
                ));
            }
        }
        RowKind::File { file } => {
            let f = &index.files[*file];
            let has_children = !f.resources.is_empty();
            left.push(Span::styled(
                match (has_children, row.expanded) {
                    (false, _) => "  ",
                    (true, true) => "▾ ",
                    (true, false) => "▸ ",
                },
                muted,
            ));
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            let role = if f.is_broken() {
                Role::Error
            } else {
                name_role
            };
            left.push(Span::styled(name, theme.style(role)));
            if let Some(st) = status_of(state, &f.path) {
                left.push(Span::styled(
                    format!(" {}", st.mark()),
                    theme.style(status_role(st)),
                ));
            }
            let policy = index.policy_in(&f.path, None).len();
            if f.is_broken() {
                right.push(Span::styled("✗ broken", theme.style(Role::Error)));
            } else if f.note.is_some() {
                // Not read as YAML (a Helm template): the preview says why.
                right.push(Span::styled("skipped", muted));
            } else if f.kind == FileKind::Yaml {
                if policy > 0 {
                    right.push(Span::styled(
                        format!("⚠{policy} "),
                        theme.style(Role::Warning),
                    ));
                }
                let text = match (f.resources.len(), f.data_docs) {
                    (0, 0) => "empty".to_string(),
                    (0, _) => "data".to_string(),
                    (n, _) => n.to_string(),
                };
                right.push(Span::styled(text, muted));
            }
        }
        RowKind::Resource { file, res } => {
            let r = &index.files[*file].resources[*res];
            left.push(Span::styled("· ", muted));
            left.push(Span::styled(
                r.kind.as_deref().unwrap_or("?"),
                theme.style(if row.matched {
                    Role::Match
                } else {
                    Role::YamlKey
                }),
            ));
            left.push(Span::raw(" "));
            // The namespace goes first when room is short: it is usually the folder's name.
            let long = row.depth as usize * 2 + 3 + r.label().chars().count();
            if let Some(ns) = r.namespace.as_ref().filter(|_| long <= width) {
                left.push(Span::styled(format!("{ns}/"), muted));
            }
            left.push(Span::styled(
                r.name.as_deref().unwrap_or("?"),
                theme.style(name_role),
            ));
            let policy = index
                .policy_in(&index.files[*file].path, Some((r.start_line, r.end_line)))
                .len();
            if policy > 0 {
                right.push(Span::styled(
                    format!("⚠{policy}"),
                    theme.style(Role::Warning),
                ));
            }
        }
    }
    fit_line(left, right, width, selected, theme)
}

/// Lays out left and right-aligned spans in `width`, truncating the left part if needed, and
/// applies the selection style over the whole row.
fn fit_line<'a>(
    mut left: Vec<Span<'a>>,
    right: Vec<Span<'a>>,
    width: usize,
    selected: bool,
    theme: &Theme,
) -> Line<'a> {
    let right_w: usize = right.iter().map(|s| s.width()).sum();
    let right_w = if right_w + 8 > width { 0 } else { right_w };
    let mut budget = width.saturating_sub(if right_w > 0 { right_w + 1 } else { 0 });
    let mut out: Vec<Span> = Vec::new();
    for s in left.drain(..) {
        let w = s.width();
        if w <= budget {
            budget -= w;
            out.push(s);
        } else {
            let mut taken = String::new();
            let mut used = 0;
            for c in s.content.chars() {
                let cw = c.to_string().width();
                if used + cw + 1 > budget {
                    break;
                }
                used += cw;
                taken.push(c);
            }
            taken.push('…');
            out.push(Span::styled(taken, s.style));
            budget = 0;
            break;
        }
    }
    if right_w > 0 {
        out.push(Span::raw(" ".repeat(budget + 1)));
        out.extend(right);
    } else {
        out.push(Span::raw(" ".repeat(budget)));
    }
    if selected {
        let sel = theme.style(Role::Selection);
        out = out
            .into_iter()
            .map(|s| Span::styled(s.content, s.style.patch(sel)))
            .collect();
    }
    Line::from(out)
}

fn preview(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let b = &state.browser;
    let p = &b.preview;
    let index = state.index();
    let row = state.selected_row();
    let mut title = match (&p.path, row.map(|r| &r.kind)) {
        (Some(path), Some(RowKind::Resource { file, res })) => {
            let r = index
                .map(|i| i.files[*file].resources[*res].label())
                .unwrap_or_default();
            format!(" {path} · {r} ")
        }
        (Some(path), _) => format!(" {path} "),
        (None, _) => " preview ".into(),
    };
    let search = &b.search;
    if !search.text.is_empty() {
        title.push_str(&match search.hits.len() {
            0 => format!("· /{} not found ", search.text),
            n => format!("· /{} {}/{n} ", search.text, search.current + 1),
        });
    }
    title = shorten_middle(&title, area.width.saturating_sub(4) as usize);
    let focused = b.focus == Pane::Preview;
    let block = pane(
        super::focus_title(Line::from(title), focused),
        focused,
        state,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let entry = p
        .path
        .as_deref()
        .and_then(|path| index.and_then(|i| i.file(path)));
    let mut lines: Vec<Line> = Vec::new();
    // A broken file says so first, with its position.
    if let Some(f) = entry {
        let mut problems = Vec::new();
        if let Some(e) = &f.error {
            problems.push(format!(
                "✗ {}:{}:{}: {}",
                f.path, e.pos.line, e.pos.col, e.message
            ));
        }
        if let Some(e) = &f.io_error {
            problems.push(format!("✗ cannot read {}: {e}", f.path));
        }
        for (pos, key) in &f.duplicate_keys {
            problems.push(format!(
                "✗ {}:{}:{}: duplicate key \"{key}\"",
                f.path, pos.line, pos.col
            ));
        }
        // Wrapped, so the whole message is readable in a narrow pane.
        for p in problems {
            for l in wrap(&p, inner.width.max(1) as usize) {
                lines.push(Line::styled(l, theme.style(Role::Error)));
            }
        }
        // The failed policy rules of the selected resource (or file).
        if let Some(i) = index {
            let span = match row.map(|r| &r.kind) {
                Some(RowKind::Resource { file, res }) => {
                    let r = &i.files[*file].resources[*res];
                    Some((r.start_line, r.end_line))
                }
                _ => None,
            };
            // One line each (line, rule, what failed) in a tall pane, at most a quarter of it;
            // otherwise one line naming the rules, so the file itself stays in view
            // (`blast check --policy` lists them all, with what failed).
            let found = i.policy_in(&f.path, span);
            let width = inner.width.max(1) as usize;
            let cap = if inner.height >= 30 {
                inner.height as usize / 4
            } else {
                1
            };
            let shown = if found.len() > cap { 0 } else { found.len() };
            for o in &found[..shown] {
                let text = format!("⚠ {}: {} {}", o.line, o.rule, o.message);
                lines.push(Line::styled(
                    super::truncate_end(&text, width),
                    theme.style(Role::Warning),
                ));
            }
            if found.len() > shown {
                let mut rules: Vec<&str> = found.iter().map(|o| o.rule).collect();
                rules.dedup();
                let text = format!(
                    "⚠ {} policy rules fail (blast check --policy): {}",
                    found.len(),
                    rules.join(" ")
                );
                lines.push(Line::styled(
                    super::truncate_end(&text, width),
                    theme.style(Role::Warning),
                ));
            }
        }
        // Why a file named .yaml was not read (as `blast check` says under "skipped").
        if let Some(note) = &f.note {
            for l in wrap(&format!("– skipped: {note}"), inner.width.max(1) as usize) {
                lines.push(Line::styled(l, theme.style(Role::Warning)));
            }
        }
    }
    // Which Argo CD Applications deploy the selection, and how they are doing.
    let deployed_by = |path: &str| -> Vec<Line<'static>> {
        crate::app::live::gitops::apps_for_path(&state.live, path)
            .into_iter()
            .map(|(_, a)| {
                let v = crate::app::live::gitops::app_verdict(a);
                Line::from(vec![
                    Span::styled(format!("{} ", v.symbol()), super::verdict_style(v, theme)),
                    Span::styled(a.meta.name.clone(), theme.style(Role::Text)),
                    Span::styled(
                        format!(
                            " {} {} {}",
                            a.sync.as_deref().unwrap_or("?"),
                            a.health.as_deref().unwrap_or("?"),
                            a.short_revision().unwrap_or_default()
                        ),
                        theme.style(Role::Muted),
                    ),
                ])
            })
            .collect()
    };
    match (&p.text, row.map(|r| &r.kind)) {
        (Loadable::Idle, Some(RowKind::Dir { path, .. })) => {
            if let Some(s) = b.dir_stats.get(path) {
                lines.push(Line::styled(format!("{path}/"), theme.style(Role::Accent)));
                lines.push(Line::styled(
                    format!(
                        "{} files, {} resources, {} broken",
                        s.files, s.resources, s.broken
                    ),
                    theme.style(Role::Text),
                ));
            }
            let apps = deployed_by(path);
            if !apps.is_empty() {
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    "Deployed by (Argo CD):",
                    theme.style(Role::Muted),
                ));
                lines.extend(apps);
            }
        }
        (Loadable::Idle, _) => {}
        (Loadable::Loading, _) => lines.push(Line::styled("loading…", theme.style(Role::Muted))),
        (Loadable::Failed(e), _) => {
            lines.push(Line::styled(format!("✗ {e}"), theme.style(Role::Error)))
        }
        (Loadable::Loaded(_), _) if entry.is_some_and(|f| f.kind == FileKind::Binary) => lines
            .push(Line::styled(
                format!("binary file, {} bytes", entry.map(|f| f.bytes).unwrap_or(0)),
                theme.style(Role::Muted),
            )),
        (Loadable::Loaded(text), _) => {
            let height = (inner.height as usize).saturating_sub(lines.len());
            let gutter = text.lines.len().max(1).to_string().len();
            let err_line = entry.and_then(|f| f.error.as_ref()).map(|e| e.pos.line);
            for (i, line) in text.lines.iter().enumerate().skip(p.scroll).take(height) {
                let n = i + 1;
                let marked = p.mark.is_some_and(|(a, z)| n >= a && n <= z);
                let num_style = if err_line == Some(n) {
                    theme.style(Role::Error)
                } else {
                    theme.style(Role::Muted)
                };
                let mut spans = vec![
                    Span::styled(format!("{n:>gutter$}"), num_style),
                    Span::styled(if marked { "▌" } else { " " }, theme.style(Role::Accent)),
                ];
                if text.yaml {
                    spans.extend(widgets::yaml::highlight(
                        line,
                        text.in_block.get(i).copied().unwrap_or(false),
                        theme,
                    ));
                } else {
                    spans.push(Span::styled(line.as_str(), theme.style(Role::Text)));
                }
                if !search.text.is_empty() {
                    let current = search.hits.get(search.current) == Some(&i);
                    let role = if current {
                        Role::Selection
                    } else {
                        Role::Match
                    };
                    let head = spans.drain(..2).collect::<Vec<_>>();
                    let body = mark_matches(spans, &search.text, theme.style(role));
                    spans = head;
                    spans.extend(body);
                }
                lines.push(Line::from(spans));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).style(Style::default()), inner);
}

/// `spans` with every occurrence of `needle` in their text (as the preview's search finds it)
/// drawn in `style` over their own.
fn mark_matches<'a>(spans: Vec<Span<'a>>, needle: &str, style: Style) -> Vec<Span<'a>> {
    let full: String = spans.iter().map(|s| s.content.as_ref()).collect();
    let ranges = crate::app::browser::find_all(&full, needle);
    if ranges.is_empty() {
        return spans;
    }
    let mut out = Vec::new();
    let mut pos = 0;
    for s in spans {
        let (start, end) = (pos, pos + s.content.len());
        pos = end;
        let mut cuts: Vec<usize> = ranges
            .iter()
            .flat_map(|(a, z)| [*a, *z])
            .filter(|x| *x > start && *x < end)
            .collect();
        cuts.push(end);
        cuts.sort_unstable();
        cuts.dedup();
        let mut from = start;
        for to in cuts {
            let inside = ranges.iter().any(|(a, z)| from >= *a && from < *z);
            let piece = s.content[from - start..to - start].to_string();
            let st = if inside {
                s.style.patch(style)
            } else {
                s.style
            };
            out.push(Span::styled(piece, st));
            from = to;
        }
    }
    out
}

fn log(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let l = &state.browser.log;
    let title = match &l.path {
        Some(p) => format!(" log · {p} "),
        None => " log ".into(),
    };
    let focused = state.browser.focus == Pane::Log;
    let block = pane(
        super::focus_title(
            Line::from(shorten_middle(
                &title,
                area.width.saturating_sub(4) as usize,
            )),
            focused,
        ),
        focused,
        state,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines: Vec<Line> = match &l.commits {
        Loadable::Idle => vec![],
        Loadable::Loading => vec![Line::styled("reading history…", theme.style(Role::Muted))],
        Loadable::Failed(e) => vec![Line::styled(format!("✗ {e}"), theme.style(Role::Warning))],
        Loadable::Loaded(c) if c.is_empty() => vec![Line::styled(
            "no commits touch this path yet",
            theme.style(Role::Muted),
        )],
        Loadable::Loaded(commits) => commits
            .iter()
            .skip(l.scroll)
            .take(inner.height as usize)
            .map(|c| {
                Line::from(vec![
                    Span::styled(format!("{} ", c.short), theme.style(Role::Accent)),
                    Span::styled(
                        format!("{} ", crate::model::format_date(c.time)),
                        theme.style(Role::Muted),
                    ),
                    Span::styled(format!("{} ", c.author), theme.style(Role::YamlKey)),
                    Span::styled(c.summary.as_str(), theme.style(Role::Text)),
                ])
            })
            .collect(),
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Word-wraps `text` to `width` columns (words longer than a line are cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let (lw, ww) = (line.width(), word.width());
        if lw > 0 && lw + 1 + ww > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.width() > width {
            let cut: String = line.chars().take(width).collect();
            let rest: String = line.chars().skip(width).collect();
            out.push(cut);
            line = rest;
        }
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn wrapping() {
        assert_eq!(super::wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert_eq!(super::wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
    }
}
