//! The fleet: one row per Cluster API cluster (`app::live::fleet`).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::verdict_cell;
use crate::app::State;
use crate::app::live::age;
use crate::app::live::fleet::{Count, FleetRow, SORT_COLUMNS, Verdict};
use crate::model::Time;
use crate::theme::{Role, Theme};
use crate::view::widgets::table::{Cell, Column, LiveTable};

pub struct Ctx {
    now: Time,
    /// More than one management cluster: the source column matters.
    multi_root: bool,
}

impl LiveTable for FleetRow {
    type Ctx = Ctx;

    fn columns(ctx: &Ctx) -> Vec<Column> {
        vec![
            Column::new("CLUSTER", 16, 40, 0).middle(),
            Column::new("HEALTH", 13, 13, 0),
            Column::new("CP", 5, 7, 0),
            Column::new("WORKERS", 7, 9, 0),
            Column::new("K8S", 8, 19, 1),
            Column::new("TALOS", 8, 19, 1),
            Column::new("PHASE", 12, 14, 3),
            Column::new("AGE", 5, 6, 2),
            Column::new("SOURCE", 10, 24, if ctx.multi_root { 3 } else { 9 }).middle(),
            Column::new("CONDITION", 10, 10, 1),
        ]
    }

    fn cells<'a>(&'a self, ctx: &Ctx) -> Vec<Cell<'a>> {
        let r = self;
        let count = |c: Count| {
            Cell::styled(
                c.to_string(),
                if c.ready < c.desired {
                    Role::Warning
                } else {
                    Role::Text
                },
            )
        };
        let mut cond = match &r.problem {
            Some(p) if r.verdict != Verdict::Healthy => {
                let since = p
                    .since
                    .map(|s| format!(" {}", age(ctx.now, s)))
                    .unwrap_or_default();
                format!("{}: {}{since} {}", p.type_, p.reason, p.message)
            }
            _ => String::new(),
        };
        if r.paused {
            cond = format!("⏸ paused {cond}");
        }
        let name = match &r.key.namespace {
            Some(ns) if ns != &r.key.name => format!("{ns}/{}", r.key.name),
            _ => r.key.name.clone(),
        };
        vec![
            name.into(),
            verdict_cell(r.verdict),
            count(r.control_plane),
            count(r.workers),
            r.kubernetes.as_str().into(),
            r.talos.as_str().into(),
            r.phase.as_str().into(),
            r.created
                .map(|c| age(ctx.now, c))
                .unwrap_or_default()
                .into(),
            r.source.as_str().into(),
            Cell::styled(
                cond,
                if r.stale_since.is_some() {
                    Role::Stale
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

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let v = &state.views;
    let ctx = Ctx {
        now: state.live.now,
        multi_root: state.live.roots().count() > 1,
    };
    let sort = SORT_COLUMNS[v.fleet.sort % SORT_COLUMNS.len()];
    super::sorted_table(
        frame,
        area,
        state,
        theme,
        (&v.fleet_rows, &ctx, &v.fleet),
        [
            "Clusters",
            sort,
            "no Cluster API clusters on the management cluster",
        ],
    );
}

/// The selected row's columns, whole (for the pop-up).
pub(super) fn fields(state: &State) -> Vec<(String, String)> {
    let v = &state.views;
    let ctx = Ctx {
        now: state.live.now,
        multi_root: state.live.roots().count() > 1,
    };
    super::selected_fields(&v.fleet_rows, &v.fleet, &ctx)
}
