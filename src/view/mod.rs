//! Views: functions from `&State` and `&Theme` to a frame. No mutation, no I/O.

pub mod browser;
pub mod changes;
pub mod help;
pub mod live;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::app::State;
use crate::app::browser::Loadable;
use crate::app::live::fleet::Verdict;
use crate::keymap::{Action, Context};
use crate::theme::{Role, Theme};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.style(Role::Background)), area);
    if state.route.is_live() {
        live::draw(frame, state, theme);
        changes::modal(frame, state, theme);
        if let Some(scroll) = state.help {
            help::draw(frame, area, &state.keymap, &Context::CONSOLE, scroll, theme);
        }
        return;
    }
    let layout = state.layout();
    header(frame, layout.header, state, theme);
    browser::draw(frame, &layout, state, theme);
    footer(frame, layout.footer, state, theme);
    live::draw_picker(frame, state, theme);
    changes::modal(frame, state, theme);
    if let Some(scroll) = state.help {
        help::draw(frame, area, &state.keymap, &Context::CONSOLE, scroll, theme);
    }
}

/// A bordered pane block, with the focus colour when focused.
pub fn pane<'a>(title: Line<'a>, focused: bool, state: &State, theme: &Theme) -> Block<'a> {
    let border = if focused && state.focused {
        Role::BorderFocus
    } else {
        Role::Border
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(border))
        .title(title.style(theme.style(Role::Title)))
}

/// The title of one of several panes, marked `▸` when it has the focus (tab moves it), so the
/// focus shows without colour too (monochrome terminals, colour-blind users). The one focus
/// mark of every view with more than one pane: the live views' two tables and detail panes,
/// the changes view's list and diff, the repo browser's tree, preview and log.
pub fn focus_title(mut line: Line<'static>, focused: bool) -> Line<'static> {
    if focused {
        line.spans.insert(0, Span::raw(FOCUS_MARK));
    }
    line
}

/// What [`focus_title`] puts before the focused pane's title.
pub const FOCUS_MARK: &str = "▸";

/// `base` with the foreground and modifiers of a role (keeps the base background: for text drawn
/// on a bar such as the header).
pub fn fg_on(base: Style, role: Style) -> Style {
    let mut s = base.add_modifier(role.add_modifier);
    if let Some(fg) = role.fg {
        s = s.fg(fg);
    }
    s
}

/// The role of a verdict: ok, accent, muted, warning, error.
pub fn verdict_role(v: Verdict) -> Role {
    match v {
        Verdict::Healthy => Role::Ok,
        Verdict::Progressing => Role::Accent,
        Verdict::Unknown => Role::Muted,
        Verdict::Degraded => Role::Warning,
        Verdict::Failed => Role::Error,
    }
}

pub fn verdict_style(v: Verdict, theme: &Theme) -> Style {
    theme.style(verdict_role(v))
}

/// Shortens `s` to `width` columns with an ellipsis in the middle (paths keep both ends).
/// Measured in terminal columns, so wide characters count twice.
pub fn shorten_middle(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width <= 1 {
        return "…".chars().take(width).collect();
    }
    let keep = width - 1;
    let head = keep / 3;
    let start = take_width(s.chars(), head);
    let mut end: Vec<char> = take_width(s.chars().rev(), keep - head).chars().collect();
    end.reverse();
    format!("{start}…{}", end.into_iter().collect::<String>())
}

/// Cuts `s` to `width` columns, ending with `…` when anything was cut.
pub fn truncate_end(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = take_width(s.chars(), width - 1);
    out.push('…');
    out
}

/// The first characters of `chars` that fit in `width` columns.
fn take_width(chars: impl Iterator<Item = char>, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in chars {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

fn header(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let base = theme.style(Role::Header);
    // Try the full wording first, then a compact one, so that nothing is cut at 80 columns.
    let mut right = header_status(state, theme, base, false);
    let width = |spans: &[Span]| spans.iter().map(|s| s.width()).sum::<usize>();
    if width(&right) + 7 + 16 > area.width as usize {
        right = header_status(state, theme, base, true);
    }
    let right_w = width(&right);
    let mut left = vec![Span::styled(
        " blast ",
        fg_on(base, theme.style(Role::Accent)),
    )];
    if state.keymap.is_read_only() {
        left.push(read_only_badge(base, theme));
    }
    let room = (area.width as usize).saturating_sub(right_w + width(&left));
    left.push(Span::styled(
        shorten_middle(&state.repo.display, room),
        base,
    ));
    let pad = (area.width as usize).saturating_sub(width(&left) + right_w);
    left.push(Span::styled(" ".repeat(pad), base));
    left.extend(right);
    frame.render_widget(Paragraph::new(Line::from(left)).style(base), area);
}

/// `read-only` in the header of a console started with `--read-only`.
pub fn read_only_badge(base: Style, theme: &Theme) -> Span<'static> {
    Span::styled(
        "read-only ",
        fg_on(base, theme.style(Role::Warning)).add_modifier(ratatui::style::Modifier::BOLD),
    )
}

/// The right side of the header: branch, ahead/behind, changes, index totals.
fn header_status(state: &State, theme: &Theme, base: Style, compact: bool) -> Vec<Span<'static>> {
    let mut right = Vec::new();
    let word = |long: &'static str| if compact { "" } else { long };
    match &state.repo.git {
        Loadable::Loaded(g) => {
            let branch = match (&g.branch, &g.head) {
                (Some(b), _) => b.clone(),
                (None, Some(h)) => format!("detached@{h}"),
                (None, None) => "no HEAD".into(),
            };
            right.push(Span::styled(format!(" ⎇ {branch}"), base));
            if g.upstream.is_some() {
                let style = if g.behind > 0 {
                    fg_on(base, theme.style(Role::Warning))
                } else {
                    base
                };
                right.push(Span::styled(format!(" ↑{} ↓{}", g.ahead, g.behind), style));
            } else if g.branch.is_some() {
                right.push(Span::styled(
                    if compact {
                        " (local)"
                    } else {
                        " (no upstream)"
                    },
                    fg_on(base, theme.style(Role::Muted)),
                ));
            }
            let (m, u) = (g.modified(), g.untracked());
            if m > 0 {
                right.push(Span::styled(
                    format!(" ✎{m}{}", word(" modified")),
                    fg_on(base, theme.style(Role::Modified)),
                ));
            }
            if u > 0 {
                right.push(Span::styled(
                    format!(" +{u}{}", word(" untracked")),
                    fg_on(base, theme.style(Role::Added)),
                ));
            }
            if m == 0 && u == 0 {
                right.push(Span::styled(" ✓ clean", fg_on(base, theme.style(Role::Ok))));
            }
        }
        Loadable::Failed(e) => {
            let text = if compact {
                " no git".to_string()
            } else {
                format!(" git: {e}")
            };
            right.push(Span::styled(text, fg_on(base, theme.style(Role::Warning))));
        }
        _ => right.push(Span::styled(" git…", fg_on(base, theme.style(Role::Muted)))),
    }
    match &state.repo.index {
        Loadable::Loaded(i) => {
            let mut s = if compact {
                format!(" │ {}f {}r", i.files.len(), i.resource_count())
            } else {
                format!(
                    " │ {} files · {} resources",
                    i.files.len(),
                    i.resource_count()
                )
            };
            if state.repo.reindexing {
                s.push_str(" ↻");
            }
            right.push(Span::styled(s, base));
            let broken = i.broken_count();
            if broken > 0 {
                right.push(Span::styled(
                    format!(" ✗{broken}{}", word(" broken")),
                    fg_on(base, theme.style(Role::Error)),
                ));
            }
        }
        Loadable::Failed(_) => right.push(Span::styled(
            " │ index failed",
            fg_on(base, theme.style(Role::Error)),
        )),
        _ => right.push(Span::styled(
            " │ indexing…",
            fg_on(base, theme.style(Role::Muted)),
        )),
    }
    right.push(Span::styled(" ", base));
    right
}

/// Key hints for the footer, from the keymap.
/// The first key bound to `action` in `ctx`, then what it does; nothing when no key is bound.
pub(crate) fn hint(
    state: &State,
    ctx: Context,
    action: Action,
    label: &str,
    theme: &Theme,
    out: &mut Vec<Span<'static>>,
) {
    if let Some(k) = state.keymap.keys_for(ctx, action).first() {
        out.push(Span::styled(format!(" {k}"), theme.style(Role::Accent)));
        out.push(Span::styled(format!(" {label} "), theme.style(Role::Muted)));
    }
}

/// [`hint`] for each of `keys`, in order.
fn hints(
    state: &State,
    keys: &[(Context, Action, &str)],
    theme: &Theme,
    out: &mut Vec<Span<'static>>,
) {
    for (ctx, action, label) in keys {
        hint(state, *ctx, *action, label, theme, out);
    }
}

/// A line being typed: the prompt, the text and a block cursor, what it finds (if given), and
/// the keys that keep or clear it.
pub(crate) fn typing(
    state: &State,
    prompt: &'static str,
    text: &str,
    found: Option<String>,
    theme: &Theme,
    out: &mut Vec<Span<'static>>,
) {
    out.push(Span::styled(prompt, theme.style(Role::Accent)));
    out.push(Span::styled(text.to_string(), theme.style(Role::Text)));
    out.push(Span::styled("█", theme.style(Role::Accent)));
    if let Some(found) = found {
        out.push(Span::styled(found, theme.style(Role::Muted)));
    }
    hints(
        state,
        &[
            (Context::Filter, Action::Accept, "keep"),
            (Context::Filter, Action::Back, "clear"),
        ],
        theme,
        out,
    );
}

/// The last toast: `✗` in the error colour for an error, `!` in the warning colour otherwise.
pub(crate) fn toast_span(t: &crate::app::overlay::Toast, theme: &Theme) -> Span<'static> {
    let role = if t.error { Role::Error } else { Role::Warning };
    Span::styled(
        format!(" {} {}", if t.error { "✗" } else { "!" }, t.text),
        theme.style(role),
    )
}

fn footer(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let f = &state.browser.filter;
    let search = &state.browser.search;
    let mut spans: Vec<Span> = Vec::new();
    if search.editing {
        let found = format!("  {} lines", search.hits.len());
        typing(
            state,
            " search in file /",
            &search.text,
            Some(found),
            theme,
            &mut spans,
        );
    } else if f.editing {
        let found = format!("  {} matches", f.matches.len());
        typing(state, " /", &f.text, Some(found), theme, &mut spans);
    } else if let Some(t) = &state.toast {
        spans.push(toast_span(t, theme));
    } else {
        if !f.text.is_empty() {
            spans.push(Span::styled(
                format!(" filter: {} ", f.text),
                theme.style(Role::Match),
            ));
            spans.push(Span::styled(
                format!("({} matches) ", f.matches.len()),
                theme.style(Role::Muted),
            ));
            hints(
                state,
                &[
                    (Context::Browser, Action::NextMatch, "next"),
                    (Context::Browser, Action::Back, "clear"),
                ],
                theme,
                &mut spans,
            );
        } else {
            hints(
                state,
                &[
                    (Context::Browser, Action::Filter, "filter"),
                    (Context::Browser, Action::FocusNext, "pane"),
                    (Context::Browser, Action::ToggleLog, "log"),
                    (Context::Browser, Action::Reload, "reload"),
                    (Context::Browser, Action::QuickAction, "actions"),
                    (Context::Browser, Action::ViewChanges, "changes"),
                ],
                theme,
                &mut spans,
            );
        }
        hints(
            state,
            &[
                (Context::Global, Action::Help, "help"),
                (Context::Browser, Action::Quit, "quit"),
            ],
            theme,
            &mut spans,
        );
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(Style::default()),
        area,
    );
}
