//! Bare metal: Sidero's Servers, and its ServerClasses below (`app::live::baremetal`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::{verdict_text, with_problems};
use crate::app::State;
use crate::app::live::baremetal::{ClassRow, SORT_COLUMNS, ServerRow, power_label, state_label};
use crate::model::Time;
use crate::theme::{Role, Theme};
use crate::view::widgets::table::{Cell, Column, LiveTable, TableView, counted_title};

impl LiveTable for ServerRow {
    type Ctx = ();

    fn columns(_: &()) -> Vec<Column> {
        vec![
            Column::new("HOSTNAME", 16, 24, 0).middle(),
            Column::new("STATE", 20, 22, 0),
            Column::new("POWER", 9, 9, 0),
            Column::new("ACCEPTED", 8, 8, 3),
            Column::new("CLEAN", 5, 5, 3),
            Column::new("READY", 5, 5, 2),
            Column::new("CPU", 9, 24, 4),
            Column::new("MEMORY", 7, 10, 4),
            Column::new("DISKS", 10, 32, 5),
            Column::new("UUID", 36, 36, 7),
            Column::new("CLASS", 12, 48, 2),
            Column::new("ALLOCATED TO", 14, 14, 1),
        ]
    }

    fn cells<'a>(&'a self, _: &()) -> Vec<Cell<'a>> {
        let r = self;
        let yes = |b: bool| Cell::from(if b { "✔" } else { "✖" });
        let power = power_label(r.power);
        let power_role = match power {
            "on" => Role::Ok,
            "off" if r.allocated => Role::Error,
            "off" => Role::Muted,
            _ => Role::Warning,
        };
        let mut alloc = match (&r.cluster, &r.machine) {
            (Some(c), Some(m)) => format!("{c}: {}", m.name),
            _ => String::new(),
        };
        if r.cordoned {
            alloc = format!("cordoned {alloc}");
        }
        if let Some(b) = &r.broken {
            alloc = format!("malformed: {b}");
        }
        vec![
            // No hostname yet: the Server's name (its UUID) whole, cut by the column with a
            // mark (`4c4c454…4f4d3358`); a silent 16-character cut looked like a hostname.
            if r.hostname.is_empty() {
                Cell::styled(r.name.as_str(), Role::Muted)
            } else {
                r.hostname.as_str().into()
            },
            verdict_text(r.verdict, state_label(r.state)),
            Cell::styled(
                format!("{} {power}", if power == "on" { "⏻" } else { "○" }),
                power_role,
            ),
            yes(r.accepted),
            yes(r.clean),
            yes(r.ready),
            r.cpu.as_str().into(),
            r.memory.as_str().into(),
            r.disks.as_str().into(),
            r.name.as_str().into(),
            r.classes.join(",").into(),
            Cell::styled(
                alloc,
                if r.broken.is_some() {
                    Role::Error
                } else {
                    Role::Text
                },
            ),
        ]
    }

    fn stale_since(&self) -> Option<Time> {
        self.stale_since
    }
}

impl LiveTable for ClassRow {
    type Ctx = ();

    fn columns(_: &()) -> Vec<Column> {
        vec![
            Column::new("CLASS", 16, 48, 0),
            Column::new("AVAILABLE", 9, 9, 0),
            Column::new("IN USE", 6, 6, 0),
            Column::new("QUALIFIERS", 10, 10, 1),
        ]
    }

    fn cells<'a>(&'a self, _: &()) -> Vec<Cell<'a>> {
        vec![
            self.name.as_str().into(),
            Cell::styled(
                self.available.to_string(),
                if self.available == 0 {
                    Role::Warning
                } else {
                    Role::Ok
                },
            ),
            self.in_use.to_string().into(),
            Cell::styled(self.qualifiers.as_str(), Role::Muted),
        ]
    }
}

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let lower = v.lower_focus;
    let (top, bottom) = crate::app::layout::split_lower(area, state.table_height(), lower);
    let height = crate::app::layout::table_rows(top).max(1);
    let sort = SORT_COLUMNS[v.servers.sort % SORT_COLUMNS.len()];
    let t = with_problems(
        counted_title("Servers", &v.servers, v.server_rows.len(), Some(sort)),
        state,
        theme,
    );
    let upper = super::shown(&v.servers, v.server_rows.len(), height);
    TableView::new(&v.server_rows, &(), super::focus_title(t, !lower))
        .nav(&upper, height)
        .focused(!lower)
        .render(frame, top, state, theme);
    if bottom.height < 3 {
        return;
    }
    let h = crate::app::layout::table_rows(bottom).max(1);
    let title = Line::from(format!(
        " Server classes ({}){} ",
        v.class_rows.len(),
        if lower { "" } else { " tab: scroll" }
    ));
    let table = TableView::new(&v.class_rows, &(), super::focus_title(title, lower));
    if lower {
        let nav = super::shown(&v.lower, v.class_rows.len(), h);
        table.nav(&nav, h).render(frame, bottom, state, theme);
    } else {
        table.render(frame, bottom, state, theme);
    }
}

/// The selected row's columns, whole (for the pop-up).
pub(super) fn fields(state: &State) -> Vec<(String, String)> {
    let v = &state.views;
    let ctx = ();
    super::selected_fields(&v.server_rows, &v.servers, &ctx)
}
