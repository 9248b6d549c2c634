//! The live views, one file per view with the names of `app::live` (fleet, cluster, nodes,
//! bare metal, storage, backup, GitOps, the overview), the header and footer bars and the
//! context picker. Rows are derived in `app::live::views::settle`; each view file says how its
//! rows are drawn (`LiveTable`) and lays out its panes; `widgets::table` draws the tables. The
//! helpers every view uses are here; the view files do not import each other.

mod backup;
mod baremetal;
mod cluster;
mod fleet;
mod gitops;
mod header;
mod images;
mod inspect;
mod nodes;
mod overview;
mod picker;
mod standards;
mod storage;
mod workloads;

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{focus_title, pane, truncate_end, verdict_role};
use crate::app::State;
use crate::app::live::fleet::Verdict;
use crate::app::live::{SourceStatus, age};
use crate::app::nav::Route;
use crate::theme::{Role, Theme};
use crate::view::widgets::table::Cell;

pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    let (head, body, foot) = crate::app::layout::bars(area);
    header::header_bar(frame, head, state, theme);
    if state.route == Route::Changes {
        super::changes::changes(frame, body, state, theme);
    } else if let Some(msg) = blocking_message(state) {
        let p = Paragraph::new(msg)
            .wrap(Wrap { trim: true })
            .style(theme.style(Role::Warning))
            .block(pane(
                Line::from(format!(" {} ", state.route.title())),
                true,
                state,
                theme,
            ));
        frame.render_widget(p, body);
    } else {
        match &state.route {
            Route::Fleet => fleet::draw(frame, body, state, theme),
            Route::Cluster { .. } => cluster::draw(frame, body, state, theme),
            Route::Nodes => nodes::draw(frame, body, state, theme),
            Route::BareMetal => baremetal::draw(frame, body, state, theme),
            Route::Storage => storage::draw(frame, body, state, theme),
            Route::Backup => backup::draw(frame, body, state, theme),
            Route::GitOps => gitops::draw(frame, body, state, theme),
            Route::Overview => overview::draw(frame, body, state, theme),
            Route::Reconcile => super::changes::reconcile(frame, body, state, theme),
            Route::Workloads => workloads::draw(frame, body, state, theme),
            Route::Logs => workloads::draw_logs(frame, body, state, theme),
            Route::Images => images::draw(frame, body, state, theme),
            Route::Standards => standards::draw(frame, body, state, theme),
            Route::Browser | Route::Changes => {}
        }
    }
    header::footer_bar(frame, foot, state, theme);
    if state.views.inspect.is_some() {
        inspect::draw(frame, body, state, theme);
    }
    draw_picker(frame, state, theme);
}

/// The context picker over any view (the repo browser's `c` opens it too).
pub fn draw_picker(frame: &mut Frame, state: &State, theme: &Theme) {
    if state.views.picker.is_some() {
        picker::draw(frame, frame.area(), state, theme);
    }
}

/// What to say instead of an empty table: no kubeconfig, nothing connected yet, or RBAC.
fn blocking_message(state: &State) -> Option<String> {
    let live = &state.live;
    let roots: Vec<_> = live.roots().collect();
    if roots.is_empty() {
        return Some("Connecting… (reading the kubeconfig)".into());
    }
    if let Some(s) = roots.iter().find(|s| s.setup_error.is_some()) {
        let err = &s
            .setup_error
            .as_ref()
            .map(|e| e.1.clone())
            .unwrap_or_default();
        if roots.len() == 1 && s.kinds.is_empty() {
            return Some(format!(
                "Cannot reach {}: {err}\n\nRetrying. Check the kubeconfig (--kubeconfig, KUBECONFIG, --context), or try `blast demo` for a simulated datacenter.",
                s.id
            ));
        }
    }
    let needed: Vec<crate::model::kinds::KindInfo> = match &state.route {
        Route::Fleet => crate::app::live::fleet::KINDS.to_vec(),
        Route::BareMetal => vec![crate::model::kinds::SERVER],
        Route::Cluster { .. } => vec![crate::model::kinds::CLUSTER],
        Route::GitOps => vec![crate::model::kinds::APPLICATION],
        _ => vec![],
    };
    for k in &needed {
        if let Some(p) = live.kind_problem(k) {
            return Some(format!("This view is unavailable: {p}"));
        }
    }
    None
}

/// `nav` kept showing its selection in a table `height` rows high (a copy: the update keeps
/// the real one for the height it knows; the view may give the table another).
fn shown(
    nav: &crate::app::live::table::TableNav,
    len: usize,
    height: usize,
) -> crate::app::live::table::TableNav {
    let mut n = nav.clone();
    n.clamp(len, height);
    n
}

/// A row's columns as `(title, text)`, whole: what the pop-up shows of a cut cell.
fn row_fields<R: crate::view::widgets::table::LiveTable>(
    row: &R,
    ctx: &R::Ctx,
) -> Vec<(String, String)> {
    R::columns(ctx)
        .iter()
        .zip(row.cells(ctx))
        .filter(|(_, c)| !c.text.trim().is_empty())
        .map(|(col, c)| (col.title.to_lowercase(), c.text.trim().to_string()))
        .collect()
}

/// The selected row's columns, whole (for the pop-up); none without a selection.
fn selected_fields<R: crate::view::widgets::table::LiveTable>(
    rows: &[R],
    nav: &crate::app::live::table::TableNav,
    ctx: &R::Ctx,
) -> Vec<(String, String)> {
    rows.get(nav.selected)
        .map(|r| row_fields(r, ctx))
        .unwrap_or_default()
}

/// A view that is one sortable table: titled `name (n) ↓sort` with the sources' problems or,
/// empty once the sources are synced, `name (0): why`.
fn sorted_table<R: crate::view::widgets::table::LiveTable>(
    frame: &mut Frame,
    area: ratatui::layout::Rect,
    state: &State,
    theme: &Theme,
    (rows, ctx, nav): (&[R], &R::Ctx, &crate::app::live::table::TableNav),
    [name, sort, why]: [&str; 3],
) {
    let title = if rows.is_empty() && !syncing(state) {
        Line::from(format!(" {name} (0): {why} "))
    } else {
        crate::view::widgets::table::counted_title(name, nav, rows.len(), Some(sort))
    };
    crate::view::widgets::table::TableView::new(rows, ctx, with_problems(title, state, theme))
        .nav(nav, state.table_height())
        .render(frame, area, state, theme);
}

/// `▲ degraded` in the verdict's role.
fn verdict_cell(v: Verdict) -> Cell<'static> {
    Cell::styled(format!("{} {}", v.symbol(), v.label()), verdict_role(v))
}

/// `▲ HEALTH_WARN`: the verdict's symbol before a text, in the verdict's role.
fn verdict_text(v: Verdict, text: &str) -> Cell<'static> {
    Cell::styled(format!("{} {text}", v.symbol()), verdict_role(v))
}

/// `3m ago`, or nothing.
fn ago(now: crate::model::Time, t: Option<crate::model::Time>) -> String {
    t.map(|t| format!("{} ago", age(now, t)))
        .unwrap_or_default()
}

/// The title plus, for every source that is not live, what went wrong and since when, so the
/// error is on screen and not only in the log.
fn with_problems<'a>(mut line: Line<'a>, state: &State, theme: &Theme) -> Line<'a> {
    let now = state.live.now;
    for s in state.live.sources.values() {
        let text = match s.status() {
            SourceStatus::Stale { since, error } => {
                format!(" ⚠ {} lost {} ago: {error} ", s.id, age(now, since))
            }
            SourceStatus::Forbidden { message } => format!(" ⊘ {}: {message} ", s.id),
            _ => continue,
        };
        // The head says who, since when and what (the error's first words): keep it.
        line.spans.push(Span::styled(
            truncate_end(&text, 110),
            theme.style(Role::Stale),
        ));
    }
    line
}

/// Some root source is still connecting: an empty table means "loading", not "none".
fn syncing(state: &State) -> bool {
    state
        .live
        .roots()
        .any(|s| matches!(s.status(), SourceStatus::Connecting))
}

/// A table above a pane (the selection's actions or details): splits `area` (the table keeps
/// its height while the pane has the focus, else it gets two thirds), draws the table titled
/// `name (n)` with the sources' problems, or when it is empty `empty` (loading, or `why`), and
/// focused unless the pane is. Returns the pane's area.
fn table_above_pane<R: crate::view::widgets::table::LiveTable>(
    frame: &mut Frame,
    area: ratatui::layout::Rect,
    state: &State,
    theme: &Theme,
    (rows, ctx, nav): (&[R], &R::Ctx, &crate::app::live::table::TableNav),
    [name, empty, why]: [&str; 3],
) -> ratatui::layout::Rect {
    use ratatui::layout::{Constraint, Layout};
    let lower = state.views.lower_focus;
    let [top, bottom] = if lower {
        let (t, b) = crate::app::layout::split_lower(area, state.table_height(), true);
        [t, b]
    } else {
        Layout::vertical([Constraint::Fill(2), Constraint::Fill(1)]).areas::<2>(area)
    };
    let title = if rows.is_empty() {
        empty_title(empty, state, theme, why)
    } else {
        with_problems(
            crate::view::widgets::table::counted_title(name, nav, rows.len(), None),
            state,
            theme,
        )
    };
    let h = crate::app::layout::table_rows(top).max(1);
    let upper = shown(nav, rows.len(), h);
    crate::view::widgets::table::TableView::new(rows, ctx, focus_title(title, !lower))
        .nav(&upper, h)
        .focused(!lower)
        .render(frame, top, state, theme);
    bottom
}

/// The title of an empty table: loading, or why there is nothing; with what went wrong (a
/// failed first list leaves the table empty: its error must stay on screen).
fn empty_title(name: &str, state: &State, theme: &Theme, what: &str) -> Line<'static> {
    let line = if syncing(state) {
        Line::from(format!(" {name}: loading… "))
    } else {
        Line::from(format!(" {name} (0): {what} "))
    };
    with_problems(line, state, theme)
}
