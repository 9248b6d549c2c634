//! Standards: per site, worst first, a header line (verdict and counts), then its policy
//! findings, live drift, benchmark items (FAIL, WARN, waived) and images with Critical or High
//! vulnerabilities (`app::live::standards`). Enter leads to the file, the item or the image.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{empty_title, with_problems};
use crate::app::State;
use crate::app::live::standards::{Level, StdRow};
use crate::theme::{Role, Theme};
use crate::view::widgets::table::{Cell, Column, LiveTable, TableView, counted_title};

fn role(l: Level) -> Role {
    match l {
        Level::Fail => Role::Error,
        Level::Warn => Role::Warning,
        Level::Waived | Level::Info => Role::Muted,
        Level::Ok => Role::Ok,
    }
}

/// The level as a symbol and a word, so colour is never the only signal.
fn level_text(r: &StdRow) -> String {
    let sym = match r.level {
        Level::Fail => "✖",
        Level::Warn => "▲",
        Level::Waived => "≈",
        Level::Info => "i",
        Level::Ok => "●",
    };
    if r.header {
        format!("{sym} {}", r.subject)
    } else {
        format!("{sym} {}", r.level.label())
    }
}

impl LiveTable for StdRow {
    type Ctx = ();

    fn columns(_: &()) -> Vec<Column> {
        vec![
            Column::new("SITE / ID", 10, 24, 0).middle(),
            Column::new("STATE", 8, 10, 0),
            Column::new("AREA", 6, 12, 1),
            Column::new("WHAT", 24, 40, 3).middle(),
            Column::new("DETAIL", 20, 20, 0),
        ]
    }

    fn cells<'a>(&'a self, _: &()) -> Vec<Cell<'a>> {
        if self.header {
            return vec![
                Cell::styled(self.site.as_str(), Role::Accent),
                Cell::styled(level_text(self), role(self.level)),
                "site".into(),
                "".into(),
                self.detail.as_str().into(),
            ];
        }
        vec![
            Cell::from(self.id.as_str()).with_lead("  "),
            Cell::styled(level_text(self), role(self.level)),
            self.area.into(),
            self.subject.as_str().into(),
            Cell::styled(
                self.detail.as_str(),
                if self.level == Level::Fail {
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
    let name = if v.std_images.is_none() {
        "Standards · images: no report data"
    } else {
        "Standards"
    };
    let mut t = with_problems(
        counted_title(name, &v.standards, v.standard_rows.len(), None),
        state,
        theme,
    );
    if v.standard_rows.is_empty() {
        t = empty_title(name, state, theme, "no site, report or finding yet");
    }
    TableView::new(&v.standard_rows, &(), t)
        .nav(&v.standards, state.table_height())
        .render(frame, area, state, theme);
}

/// The selected row's columns, whole (for the pop-up).
pub(super) fn fields(state: &State) -> Vec<(String, String)> {
    let v = &state.views;
    v.standard_rows
        .get(v.standards.selected)
        .map(|r| super::row_fields(r, &()))
        .unwrap_or_default()
}
