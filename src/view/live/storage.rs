//! Storage: Ceph, Mayastor pools, volumes and MinIO on every site (`app::live::storage`).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{empty_title, verdict_cell, with_problems};
use crate::app::State;
use crate::app::live::age;
use crate::app::live::nodes::bytes;
use crate::app::live::storage::{StorageRow, Thresholds};
use crate::model::Time;
use crate::theme::{Role, Theme};
use crate::view::verdict_role;
use crate::view::widgets::table::{Cell, Column, LiveTable, TableView, counted_title};

pub struct Ctx {
    now: Time,
    /// Cells of the capacity bar.
    bar: usize,
    thresholds: Thresholds,
}

/// `██████░░░░  61%`: a capacity bar `width` cells wide plus the percentage, in the role of
/// the thresholds' verdict (the figure is there too, so colour is not the only signal).
fn bar(ratio: Option<f64>, width: usize, t: Thresholds) -> Cell<'static> {
    let Some(r) = ratio else {
        return Cell::default();
    };
    let r = r.clamp(0.0, 1.0);
    let filled = ((r * width as f64).round() as usize).min(width);
    Cell::styled(
        format!(
            "{}{} {:>3.0}%",
            "█".repeat(filled),
            "░".repeat(width - filled),
            r * 100.0
        ),
        verdict_role(t.verdict(r)),
    )
}

fn used_total(used: Option<u64>, total: Option<u64>) -> String {
    match (used, total) {
        (Some(u), Some(t)) => format!("{} / {}", bytes(u), bytes(t)),
        (None, Some(t)) => bytes(t),
        _ => String::new(),
    }
}

impl LiveTable for StorageRow {
    type Ctx = Ctx;

    fn columns(ctx: &Ctx) -> Vec<Column> {
        let bar = ctx.bar as u16 + 5;
        vec![
            Column::new("SITE", 12, 32, 0).middle(),
            Column::new("KIND", 14, 22, 2),
            Column::new("NAME", 16, 40, 0).middle(),
            Column::new("HEALTH", 13, 13, 0),
            Column::new("STATE", 14, 24, 0),
            Column::new("USED", bar, bar, 0),
            Column::new("BYTES", 19, 21, 3),
            Column::new("SINCE", 5, 6, 4),
            Column::new("DETAIL", 10, 10, 1),
        ]
    }

    fn cells<'a>(&'a self, ctx: &Ctx) -> Vec<Cell<'a>> {
        let r = self;
        vec![
            r.site.as_str().into(),
            match r.kind {
                "PersistentVolumeClaim" => "PVC",
                k => k,
            }
            .into(),
            r.name.as_str().into(),
            verdict_cell(r.verdict),
            Cell::styled(r.state.as_str(), verdict_role(r.verdict)),
            bar(r.ratio(), ctx.bar, ctx.thresholds),
            used_total(r.used, r.total).into(),
            r.since.map(|s| age(ctx.now, s)).unwrap_or_default().into(),
            Cell::styled(r.detail.as_str(), Role::Muted),
        ]
    }

    fn stale_since(&self) -> Option<Time> {
        self.stale_since
    }
}

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let ctx = Ctx {
        now: state.live.now,
        bar: if area.width >= 160 { 20 } else { 10 },
        thresholds: v.thresholds,
    };
    let mut t = with_problems(
        counted_title("Storage", &v.storage, v.storage_rows.len(), None),
        state,
        theme,
    );
    if v.storage_rows.is_empty() {
        t = empty_title(
            "Storage",
            state,
            theme,
            "no Ceph, Mayastor, volumes or MinIO on the connected clusters",
        );
    }
    TableView::new(&v.storage_rows, &ctx, t)
        .nav(&v.storage, state.table_height())
        .render(frame, area, state, theme);
}

/// The selected row's columns, whole (for the pop-up).
pub(super) fn fields(state: &State) -> Vec<(String, String)> {
    let v = &state.views;
    let ctx = Ctx {
        now: state.live.now,
        bar: 10,
        thresholds: v.thresholds,
    };
    super::selected_fields(&v.storage_rows, &v.storage, &ctx)
}
