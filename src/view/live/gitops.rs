//! GitOps: Argo CD Applications and the infrastructure objects (Crossplane, SealedSecrets,
//! Klum…) on every site, and the selected one in full below (`app::live::gitops`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::verdict_cell;
use crate::app::State;
use crate::app::live::age;
use crate::app::live::gitops::GitOpsRow;
use crate::model::Time;
use crate::theme::{Role, Theme};
use crate::view::widgets::table::{Cell, Column, LiveTable};
use crate::view::{pane, shorten_middle};

impl LiveTable for GitOpsRow {
    type Ctx = ();

    fn columns(_: &()) -> Vec<Column> {
        vec![
            Column::new("SITE", 8, 32, 3).middle(),
            Column::new("KIND", 12, 24, 2),
            Column::new("NAME", 26, 48, 0).middle(),
            Column::new("HEALTH", 13, 13, 0),
            Column::new("SYNC", 12, 14, 0),
            Column::new("STATE", 11, 14, 1),
            Column::new("REV", 8, 10, 1),
            Column::new("VS REPO", 16, 20, 2),
            Column::new("POLICY", 15, 20, 4),
            Column::new("DETAIL", 10, 10, 1),
        ]
    }

    fn cells<'a>(&'a self, _: &()) -> Vec<Cell<'a>> {
        let r = self;
        // `User.minio.crossplane.io` → `minio User`.
        let kind = match r.kind.split_once('.') {
            _ if r.kind == "Application" => "App".to_string(),
            Some((k, group)) => format!("{} {k}", group.split('.').next().unwrap_or(group)),
            None => r.kind.to_string(),
        };
        vec![
            r.site.as_str().into(),
            kind.into(),
            r.key.name.as_str().into(),
            verdict_cell(r.verdict),
            Cell::styled(
                r.sync.as_str(),
                match r.sync.as_str() {
                    "Synced" | "issued" | "enabled" => Role::Ok,
                    "OutOfSync" | "not synced" => Role::Warning,
                    _ => Role::Text,
                },
            ),
            r.health.as_str().into(),
            r.revision.as_str().into(),
            Cell::styled(
                r.vs_repo.as_str(),
                if r.vs_repo.starts_with("behind") {
                    Role::Warning
                } else {
                    Role::Muted
                },
            ),
            r.policy.as_str().into(),
            Cell::styled(r.detail.as_str(), Role::Muted),
        ]
    }

    fn stale_since(&self) -> Option<Time> {
        self.stale_since
    }
}

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let now = state.live.now;
    let lower = v.lower_focus;
    let bottom = super::table_above_pane(
        frame,
        area,
        state,
        theme,
        (&v.gitops_rows, &(), &v.gitops),
        [
            "Applications and infrastructure",
            "GitOps",
            "no Argo CD applications or infrastructure objects found",
        ],
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
    // Scrolled by line (tab gives it the focus): from the first line that keeps the cursor's
    // line in view once wrapped, the cursor's line highlighted.
    let rows = bottom.height.saturating_sub(2) as usize;
    let width = bottom.width.saturating_sub(2).max(1) as usize;
    let nav = super::shown(&v.lower, lines.len(), rows.max(1));
    let cursor = nav.selected.min(lines.len().saturating_sub(1));
    let wrapped = |l: &Line| l.width().div_ceil(width).max(1);
    let mut first = nav.offset.min(cursor);
    while first < cursor && lines[first..=cursor].iter().map(wrapped).sum::<usize>() > rows {
        first += 1;
    }
    if lower && let Some(l) = lines.get_mut(cursor) {
        *l = std::mem::take(l).style(theme.style(Role::Selection));
    }
    let more = if !lower && lines.iter().map(wrapped).sum::<usize>() > rows {
        " tab: scroll"
    } else {
        ""
    };
    let title = Line::from(format!(" {}{more} ", shorten_middle(&name, 60)));
    let block = pane(super::focus_title(title, lower), lower, state, theme);
    frame.render_widget(
        Paragraph::new(lines.split_off(first))
            .wrap(Wrap { trim: true })
            .block(block),
        bottom,
    );
}

/// The selected row's columns, whole (for the pop-up).
pub(super) fn fields(state: &State) -> Vec<(String, String)> {
    let v = &state.views;
    let ctx = ();
    super::selected_fields(&v.gitops_rows, &v.gitops, &ctx)
}
