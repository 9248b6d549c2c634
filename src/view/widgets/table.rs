//! One table for every list of rows. A row type says what its columns are and what each cell
//! holds ([`LiveTable`], after bottom's `DataToCell`); [`TableView`] draws any `&[R]` of them:
//! the scrolled window of rows, the selection, the header, a ` ⚠stale 3m` mark on rows whose
//! source is lost, and columns sized to what they hold.
//!
//! Column sizing ([`widths`]): each column wants its widest cell (header included), up to its
//! `max`. Columns are laid out most important first (priority 0, then 1, …; left to right
//! among equals), each at what it wants, while the next one still fits at its `min` (or its
//! content, if narrower); the first that does not is hidden, with every less important one
//! (priority 0 is never hidden). So a column is only shown when every more important one is
//! whole. If the row is then too wide, the least important columns are squeezed first, to
//! their `min`, then below it; the last shown column takes whatever room is left. A cell
//! still wider than its column is cut with `…`: at the end, or in the middle for columns of
//! names ([`Cut::Middle`]), so nothing is cut silently.
//!
//! Widths are measured over the rows on screen, not all rows: a view runs every frame, and the
//! cells of the visible rows are built anyway to be drawn, so measuring them costs nothing
//! more, while measuring every row would build every cell of a 5,000-PVC site each frame. The
//! price is that a column may widen as a longer value scrolls into view; `max` bounds that.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Row, Table};
use unicode_width::UnicodeWidthStr;

use crate::app::State;
use crate::app::live::age;
use crate::app::live::table::TableNav;
use crate::model::Time;
use crate::theme::{Role, Theme};
use crate::view::{pane, shorten_middle, truncate_end};

/// How a cell too wide for its column is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// `container runtime network n…`: messages, where the start matters most.
    End,
    /// `edge-berl…cp-5xk7p`: names, whose ends tell them apart.
    Middle,
}

/// A column: its title, how narrow and how wide it may be, and how soon it is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    /// 0: always shown; higher numbers are hidden first when the pane is narrow.
    pub priority: u8,
    /// How far the column may be squeezed (its content, if narrower): a column that does not
    /// fit at this width is hidden instead. For the last column, the least it fills.
    pub min: u16,
    /// The widest it grows to fit its content; longer cells are cut with `…`. (The last shown
    /// column takes whatever room is left, whatever its `max`.)
    pub max: u16,
    pub cut: Cut,
}

impl Column {
    pub const fn new(title: &'static str, min: u16, max: u16, priority: u8) -> Column {
        Column {
            title,
            priority,
            min,
            max,
            cut: Cut::End,
        }
    }

    /// Cut in the middle (names).
    pub const fn middle(mut self) -> Column {
        self.cut = Cut::Middle;
        self
    }
}

/// One cell: its text and, if it has one, its own role (else it takes the row's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell<'a> {
    /// Drawn before the text and never cut before it is (the tree lines of the cluster view).
    pub lead: Cow<'a, str>,
    pub text: Cow<'a, str>,
    pub role: Option<Role>,
}

impl<'a> Cell<'a> {
    pub fn styled(text: impl Into<Cow<'a, str>>, role: Role) -> Cell<'a> {
        Cell {
            lead: Cow::Borrowed(""),
            text: text.into(),
            role: Some(role),
        }
    }

    pub fn with_lead(mut self, lead: impl Into<Cow<'a, str>>) -> Cell<'a> {
        self.lead = lead.into();
        self
    }

    fn width(&self) -> usize {
        self.lead.width() + self.text.width()
    }

    /// The cell cut to `width` columns.
    fn fit(&self, width: usize, cut: Cut) -> String {
        if self.width() <= width {
            return format!("{}{}", self.lead, self.text);
        }
        let lead = self.lead.width();
        if lead >= width {
            return truncate_end(&format!("{}{}", self.lead, self.text), width);
        }
        let text = match cut {
            Cut::End => truncate_end(&self.text, width - lead),
            Cut::Middle => shorten_middle(&self.text, width - lead),
        };
        format!("{}{text}", self.lead)
    }
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Cell<'a> {
        Cell {
            text: Cow::Borrowed(s),
            ..Cell::default()
        }
    }
}

impl From<String> for Cell<'_> {
    fn from(s: String) -> Self {
        Cell {
            text: Cow::Owned(s),
            ..Cell::default()
        }
    }
}

/// A row type that can be drawn by [`TableView`]: it describes its columns and its cells. The
/// implementations live beside the views (`view::live::*`), the rows in `app::live`.
pub trait LiveTable {
    /// What the cells need besides the row: the clock, thresholds, the pane's width.
    type Ctx;

    /// The columns, in order; `cells` returns one cell per column.
    fn columns(ctx: &Self::Ctx) -> Vec<Column>;

    fn cells<'a>(&'a self, ctx: &Self::Ctx) -> Vec<Cell<'a>>;

    /// Since when the row's source is lost: the row is drawn in the stale role and its last
    /// cell gets ` ⚠stale 3m`.
    fn stale_since(&self) -> Option<Time> {
        None
    }
}

/// `n` ` ⚠stale 3m`, or nothing for live data.
pub fn stale_mark(since: Option<Time>, now: Time) -> String {
    since
        .map(|s| format!(" ⚠stale {}", age(now, s)))
        .unwrap_or_default()
}

/// ` Clusters (12) /berlin ↓verdict `: the name, the count, the filter and the sort.
pub fn counted_title<'a>(name: &str, nav: &TableNav, total: usize, sort: Option<&str>) -> Line<'a> {
    let mut t = format!(" {name} ({total})");
    if !nav.filter.is_empty() {
        t.push_str(&format!(" /{}", nav.filter));
    }
    if let Some(s) = sort {
        t.push_str(&format!(" ↓{s}"));
    }
    t.push(' ');
    Line::from(t)
}

/// The rows of `rows` on screen: from the offset, `height` of them.
pub fn visible<T>(rows: &[T], offset: usize, height: usize) -> (usize, &[T]) {
    let start = offset.min(rows.len());
    let end = (start + height).min(rows.len());
    (start, &rows[start..end])
}

/// The width of each column (0: hidden) in a pane `room` cells wide, with columns one cell
/// apart, given the widest cell of each (`content`, header included). See the module doc.
pub fn widths(cols: &[Column], content: &[u16], room: u16) -> Vec<u16> {
    let n = cols.len();
    if n == 0 {
        return vec![];
    }
    let room = u32::from(room);
    let last = n - 1;
    // What a column wants (its content, up to its max) and what it keeps when squeezed. The
    // last column fills the rest of the row, so it asks for its `min` only.
    let want: Vec<u16> = (0..n)
        .map(|i| match i == last {
            true => cols[i].min,
            false => content.get(i).copied().unwrap_or(0).min(cols[i].max),
        })
        .collect();
    let floor: Vec<u16> = (0..n).map(|i| want[i].min(cols[i].min)).collect();
    // The most important first: priority, then position.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|i| (cols[*i].priority, *i));
    let mut w = vec![0u16; n];
    let mut used = 0u32;
    let mut full = false;
    for &i in &order {
        let gap = u32::from(used > 0);
        if cols[i].priority > 0 && (full || used + gap + u32::from(floor[i]) > room) {
            // It does not fit even squeezed: it and every less important column go.
            full = true;
            continue;
        }
        w[i] = want[i].max(1);
        used += gap + u32::from(w[i]);
    }
    // Over: squeeze the least important first, to their floors, then to one cell.
    for floor_of in [&|i: usize| floor[i].max(1), &|_: usize| 1u16] as [&dyn Fn(usize) -> u16; 2] {
        for &i in order.iter().rev() {
            if used <= room {
                break;
            }
            let give = (u32::from(w[i].saturating_sub(floor_of(i)))).min(used - room);
            w[i] -= give as u16;
            used -= give;
        }
    }
    // Room left: the last shown column takes it.
    if let Some(i) = w.iter().rposition(|x| *x > 0) {
        w[i] += room.saturating_sub(used) as u16;
    }
    w
}

/// Draws a table of `R` rows in a bordered pane.
pub struct TableView<'a, R: LiveTable> {
    rows: &'a [R],
    ctx: &'a R::Ctx,
    title: Line<'a>,
    nav: Option<&'a TableNav>,
    height: Option<usize>,
    focused: bool,
}

impl<'a, R: LiveTable> TableView<'a, R> {
    pub fn new(rows: &'a [R], ctx: &'a R::Ctx, title: Line<'a>) -> Self {
        TableView {
            rows,
            ctx,
            title,
            nav: None,
            height: None,
            focused: false,
        }
    }

    /// A selectable, scrolled table: `height` rows from the navigation's offset (the height
    /// update keeps the offset valid with), the selected one highlighted; its pane focused.
    pub fn nav(mut self, nav: &'a TableNav, height: usize) -> Self {
        self.nav = Some(nav);
        self.height = Some(height);
        self.focused = true;
        self
    }

    /// Whether the pane is drawn focused (`nav` makes it so; a view with two tables says which).
    pub fn focused(mut self, focused: bool) -> Self {
        self.focused = focused;
        self
    }

    pub fn render(self, frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
        let now = state.live.now;
        let height = self
            .height
            .unwrap_or(area.height.saturating_sub(3) as usize);
        let offset = self.nav.map_or(0, |n| n.offset);
        let (start, rows) = visible(self.rows, offset, height);
        let selected = self.nav.and_then(|n| n.selected.checked_sub(start));
        let cols = R::columns(self.ctx);
        let mut content: Vec<u16> = cols.iter().map(|c| c.title.width() as u16).collect();
        let mut cells: Vec<Vec<Cell>> = Vec::with_capacity(rows.len());
        for r in rows {
            let mut row = r.cells(self.ctx);
            row.resize_with(cols.len(), Cell::default);
            if let (Some(since), Some(last)) = (r.stale_since(), row.last_mut()) {
                last.text.to_mut().push_str(&stale_mark(Some(since), now));
            }
            for (c, cell) in content.iter_mut().zip(&row) {
                *c = (*c).max(cell.width().min(u16::MAX as usize) as u16);
            }
            cells.push(row);
        }
        let w = widths(&cols, &content, area.width.saturating_sub(2));
        let shown: Vec<usize> = (0..cols.len()).filter(|i| w[*i] > 0).collect();
        let constraints: Vec<Constraint> = shown
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                if k + 1 == shown.len() {
                    Constraint::Fill(1)
                } else {
                    Constraint::Length(w[i])
                }
            })
            .collect();
        let header = Row::new(
            shown
                .iter()
                .map(|&i| truncate_end(cols[i].title, w[i] as usize))
                .collect::<Vec<_>>(),
        )
        .style(theme.style(Role::Muted).add_modifier(Modifier::BOLD));
        let body: Vec<Row> = cells
            .iter()
            .zip(rows)
            .enumerate()
            .map(|(k, (cells, r))| {
                let line: Vec<ratatui::widgets::Cell> = shown
                    .iter()
                    .map(|&i| {
                        let cell = &cells[i];
                        let text = cell.fit(w[i] as usize, cols[i].cut);
                        let span = match cell.role {
                            Some(role) => Span::styled(text, theme.style(role)),
                            None => Span::raw(text),
                        };
                        ratatui::widgets::Cell::from(Line::from(span))
                    })
                    .collect();
                let role = if Some(k) == selected {
                    Role::Selection
                } else if r.stale_since().is_some() {
                    Role::Stale
                } else {
                    Role::Text
                };
                Row::new(line).style(theme.style(role))
            })
            .collect();
        let table = Table::new(body, constraints)
            .header(header)
            .column_spacing(1)
            .block(pane(self.title, self.focused, state, theme));
        frame.render_widget(table, area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<Column> {
        vec![
            Column::new("NAME", 10, 30, 0).middle(),
            Column::new("STATE", 8, 12, 0),
            Column::new("EXTRA", 6, 20, 2),
            Column::new("MORE", 6, 20, 1),
            Column::new("DETAIL", 10, 10, 1),
        ]
    }

    #[test]
    fn columns_take_their_content_and_the_last_the_rest() {
        let w = widths(&cols(), &[25, 7, 14, 4, 40], 100);
        assert_eq!(&w[..4], &[25, 7, 14, 4]);
        assert_eq!(w.iter().sum::<u16>() + 4, 100, "{w:?}");
    }

    #[test]
    fn content_beyond_max_is_capped() {
        let w = widths(&cols(), &[45, 7, 14, 4, 0], 120);
        assert_eq!(w[0], 30);
    }

    #[test]
    fn narrow_panes_squeeze_then_hide_the_least_important_first() {
        let content = [25, 7, 14, 4, 40];
        // Everything fits once EXTRA (priority 2) gives up 4 of the 14 it wants.
        let w = widths(&cols(), &content, 60);
        assert_eq!(w, [25, 7, 10, 4, 10]);
        // DETAIL (priority 1, the rightmost) does not fit even at its min: it goes, and
        // EXTRA, less important, with it; MORE, now last, takes the rest.
        let w = widths(&cols(), &content, 40);
        assert_eq!(w, [25, 7, 0, 6, 0]);
        // Only the columns that always show, the name squeezed (to 17, above its min).
        let w = widths(&cols(), &content, 25);
        assert_eq!(w, [17, 7, 0, 0, 0]);
    }

    #[test]
    fn too_narrow_for_the_essentials_squeezes_below_their_min() {
        let w = widths(&cols(), &[25, 7, 14, 4, 40], 12);
        assert_eq!(w, [10, 1, 0, 0, 0]);
        assert_eq!(
            widths(&cols(), &[25, 7, 14, 4, 40], 0).iter().sum::<u16>(),
            2
        );
    }

    #[test]
    fn cut_cells_end_with_an_ellipsis_or_keep_both_ends() {
        let c = Cell::from("container runtime network not ready");
        assert_eq!(c.fit(12, Cut::End), "container r…");
        let c = Cell::from("edge-berlin-cp-5xk7p");
        assert_eq!(c.fit(10, Cut::Middle), "edg…-5xk7p");
        let c = Cell::from("Machine/edge-berlin-cp-5xk7p").with_lead("│  └─ ");
        let cut = c.fit(20, Cut::Middle);
        assert!(cut.starts_with("│  └─ Mach") && cut.contains('…'), "{cut}");
        assert_eq!(cut.width(), 20);
        // Wide characters are measured by their width, not counted.
        let c = Cell::from("日本語のテキスト");
        let cut = c.fit(7, Cut::End);
        assert!(cut.width() <= 7 && cut.ends_with('…'), "{cut}");
    }
}
