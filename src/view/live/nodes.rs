//! Nodes of every cluster, with their Machine and Server (`app::live::nodes`).

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::State;
use crate::app::live::age;
use crate::app::live::nodes::{NodeRow, SORT_COLUMNS, cpu, memory};
use crate::model::{CondStatus, Time};
use crate::theme::{Role, Theme};
use crate::view::widgets::table::{Cell, Column, LiveTable};

impl LiveTable for NodeRow {
    /// Now.
    type Ctx = Time;

    fn columns(_: &Time) -> Vec<Column> {
        vec![
            Column::new("NODE", 22, 48, 0).middle(),
            Column::new("CLUSTER", 12, 32, 1).middle(),
            Column::new("READY", 11, 16, 0),
            Column::new("ROLES", 13, 24, 3),
            Column::new("IP", 15, 39, 4),
            Column::new("KUBELET", 9, 19, 2),
            Column::new("TALOS", 8, 19, 2),
            Column::new("CPU", 7, 11, 5),
            Column::new("MEMORY", 13, 17, 5),
            Column::new("MACHINE", 20, 40, 6).middle(),
            Column::new("SERVER", 14, 32, 7).middle(),
            Column::new("CONDITIONS", 12, 12, 1),
        ]
    }

    fn cells<'a>(&'a self, now: &Time) -> Vec<Cell<'a>> {
        let (r, now) = (self, *now);
        let since = || r.ready_since.map(|s| age(now, s)).unwrap_or_default();
        let ready = match r.ready {
            CondStatus::True => Cell::styled("✔ Ready", Role::Ok),
            CondStatus::False => Cell::styled(format!("✖ NotReady {}", since()), Role::Error),
            CondStatus::Unknown => Cell::styled(format!("? Unknown {}", since()), Role::Warning),
        };
        let mut flags: Vec<String> = vec![];
        if r.cordoned {
            flags.push("cordoned".into());
        }
        flags.extend(r.pressure.iter().cloned());
        if !r.taints.is_empty() {
            flags.push(format!("taints: {}", r.taints.join(" ")));
        }
        if r.ready != CondStatus::True && !r.reason.is_empty() {
            flags.push(format!("{}: {}", r.reason, r.message));
        }
        if let Some(b) = &r.broken {
            flags.push(format!("malformed: {b}"));
        }
        vec![
            r.name.as_str().into(),
            r.cluster.as_str().into(),
            ready,
            r.roles.as_str().into(),
            r.internal_ip.as_str().into(),
            r.kubelet.as_str().into(),
            r.talos.as_str().into(),
            format!("{}/{}", cpu(&r.capacity), cpu(&r.allocatable)).into(),
            format!("{}/{}", memory(&r.capacity), memory(&r.allocatable)).into(),
            r.machine
                .as_ref()
                .map(|m| m.name.as_str())
                .unwrap_or_default()
                .into(),
            r.server
                .as_ref()
                .map(|(u, h)| h.clone().unwrap_or_else(|| u.chars().take(8).collect()))
                .unwrap_or_default()
                .into(),
            Cell::styled(
                flags.join(", "),
                if r.broken.is_some() {
                    Role::Error
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
    let sort = SORT_COLUMNS[v.nodes.sort % SORT_COLUMNS.len()];
    super::sorted_table(
        frame,
        area,
        state,
        theme,
        (&v.node_rows, &state.live.now, &v.nodes),
        [
            "Nodes",
            sort,
            "none visible. Workload nodes need fleet.workload_kubeconfigs = true or a --context per cluster",
        ],
    );
}

/// The selected row's columns, whole (for the pop-up).
pub(super) fn fields(state: &State) -> Vec<(String, String)> {
    let v = &state.views;
    let ctx = state.live.now;
    super::selected_fields(&v.node_rows, &v.nodes, &ctx)
}
