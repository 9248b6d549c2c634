//! Backup: K10 policies and profiles, and the actions of the selected one below
//! (`app::live::backup`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::{ago, verdict_cell, verdict_text};
use crate::app::State;
use crate::app::live::age;
use crate::app::live::backup::{ActionRow, BackupRow};
use crate::app::live::fleet::Verdict;
use crate::model::Time;
use crate::theme::{Role, Theme};
use crate::view::widgets::table::{Cell, Column, LiveTable, TableView};

impl LiveTable for BackupRow {
    /// Now.
    type Ctx = Time;

    fn columns(_: &Time) -> Vec<Column> {
        vec![
            Column::new("SITE", 12, 32, 0).middle(),
            Column::new("KIND", 7, 7, 3),
            Column::new("NAME", 16, 40, 0).middle(),
            Column::new("HEALTH", 13, 13, 0),
            Column::new("LAST RUN", 18, 28, 0),
            Column::new("SUCCESS", 8, 10, 0),
            Column::new("NEXT", 8, 10, 2),
            Column::new("SCHEDULE", 18, 32, 2),
            Column::new("PROTECTS", 20, 40, 4),
            Column::new("DETAIL", 10, 10, 1),
        ]
    }

    fn cells<'a>(&'a self, now: &Time) -> Vec<Cell<'a>> {
        let (r, now) = (self, *now);
        let last = r
            .last_run
            .as_ref()
            .map(|(s, t)| format!("{s} {}", ago(now, *t)))
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
        vec![
            r.site.as_str().into(),
            r.kind.into(),
            r.key.name.as_str().into(),
            verdict_cell(r.verdict),
            last.into(),
            Cell::styled(success, if r.overdue { Role::Error } else { Role::Text }),
            next.into(),
            r.schedule.as_str().into(),
            r.protects.as_str().into(),
            Cell::styled(
                detail,
                if r.verdict >= Verdict::Degraded {
                    Role::Warning
                } else {
                    Role::Muted
                },
            ),
        ]
    }

    fn stale_since(&self) -> Option<Time> {
        self.stale_since
    }
}

impl LiveTable for ActionRow {
    /// Now.
    type Ctx = Time;

    fn columns(_: &Time) -> Vec<Column> {
        vec![
            Column::new("STARTED", 8, 10, 0),
            Column::new("ACTION", 7, 7, 0),
            Column::new("STATE", 14, 20, 0),
            Column::new("TOOK", 6, 7, 1),
            Column::new("PROG", 5, 5, 2),
            Column::new("NAME", 24, 48, 3).middle(),
            Column::new("ERROR / SUBJECT", 10, 10, 0),
        ]
    }

    fn cells<'a>(&'a self, now: &Time) -> Vec<Cell<'a>> {
        let a = self;
        let took = a.duration.map(|d| age(d, 0)).unwrap_or_else(|| "…".into());
        let tail = a.error.as_deref().or(a.subject.as_deref()).unwrap_or("");
        vec![
            ago(*now, a.started).into(),
            a.action.into(),
            verdict_text(a.verdict, &a.state),
            took.into(),
            a.progress
                .map(|p| format!("{p}%"))
                .unwrap_or_default()
                .into(),
            a.key.name.as_str().into(),
            Cell::styled(
                tail,
                if a.error.is_some() {
                    Role::Error
                } else {
                    Role::Muted
                },
            ),
        ]
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
        (&v.backup_rows, &now, &v.backup),
        [
            "Backup policies and profiles",
            "Backup",
            "K10 is not installed on the connected clusters (no config.kio.kasten.io)",
        ],
    );
    // The actions of the selection.
    if bottom.height < 3 {
        return;
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
    let h = crate::app::layout::table_rows(bottom).max(1);
    let title = Line::from(format!(
        " Actions {what} ({}){filter}{} ",
        v.action_rows.len(),
        if lower { "" } else { " tab: scroll" }
    ));
    let table = TableView::new(&v.action_rows, &now, super::focus_title(title, lower));
    if lower {
        let nav = super::shown(&v.lower, v.action_rows.len(), h);
        table.nav(&nav, h).render(frame, bottom, state, theme);
    } else {
        table.render(frame, bottom, state, theme);
    }
}

/// The selected row's columns, whole (for the pop-up).
pub(super) fn fields(state: &State) -> Vec<(String, String)> {
    let v = &state.views;
    let ctx = state.live.now;
    super::selected_fields(&v.backup_rows, &v.backup, &ctx)
}
