//! Where each pane goes for a terminal size. Pure, shared by `update` (to know viewport heights
//! for paging and scrolling) and by the views (to draw), so the two never disagree.

use ratatui::layout::Rect;

use super::browser::Pane;

/// Below this width only one pane is shown at a time (the focused one).
pub const TWO_PANE_MIN_WIDTH: u16 = 70;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrowserLayout {
    pub header: Rect,
    pub tree: Option<Rect>,
    pub preview: Option<Rect>,
    pub log: Option<Rect>,
    pub footer: Rect,
}

/// The header line, the body and the footer line of any screen.
pub fn bars(area: Rect) -> (Rect, Rect, Rect) {
    let header = Rect {
        height: 1.min(area.height),
        ..area
    };
    let footer = Rect {
        y: area.bottom().saturating_sub(1),
        height: 1.min(area.height),
        ..area
    };
    let body = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(2),
        ..area
    };
    (header, body, footer)
}

pub fn browser(area: Rect, focus: Pane, show_log: bool) -> BrowserLayout {
    let (header, body, footer) = bars(area);
    let two_panes = area.width >= TWO_PANE_MIN_WIDTH;
    let (tree, right) = if two_panes {
        let tree_w = (area.width * 2 / 5).clamp(30, 64);
        (
            Some(Rect {
                width: tree_w,
                ..body
            }),
            Some(Rect {
                x: body.x + tree_w,
                width: body.width - tree_w,
                ..body
            }),
        )
    } else if focus == Pane::Tree {
        (Some(body), None)
    } else {
        (None, Some(body))
    };
    let (preview, log) = match right {
        Some(r) if show_log && r.height >= 14 => {
            let log_h = (r.height / 4).clamp(5, 12);
            (
                Some(Rect {
                    height: r.height - log_h,
                    ..r
                }),
                Some(Rect {
                    y: r.y + r.height - log_h,
                    height: log_h,
                    ..r
                }),
            )
        }
        Some(r) if !two_panes && focus == Pane::Log => (None, Some(r)),
        other => (other, None),
    };
    BrowserLayout {
        header,
        tree,
        preview,
        log,
        footer,
    }
}

/// Rows inside a bordered pane.
pub fn inner_height(r: Option<Rect>) -> usize {
    r.map(|r| r.height.saturating_sub(2) as usize).unwrap_or(0)
}

/// The live views with a second table under the first (backup's actions, bare metal's server
/// classes): the two areas of `body`, from the table height the update uses (`upper_rows`,
/// the rows of the upper table when it has the focus). The focused table gets the room: with
/// the lower one focused, the upper keeps a third (at least 4 rows), so that the lower one
/// shows rows even at 80x24.
pub fn split_lower(body: Rect, upper_rows: usize, lower_focus: bool) -> (Rect, Rect) {
    let top_h = if lower_focus {
        (body.height / 3).max(4).min(body.height)
    } else {
        ((upper_rows + 3) as u16).min(body.height)
    };
    let top = Rect {
        height: top_h,
        ..body
    };
    let bottom = Rect {
        y: body.y + top_h,
        height: body.height.saturating_sub(top_h),
        ..body
    };
    (top, bottom)
}

/// The rows of a table drawn in `area` (borders and its header taken off).
pub fn table_rows(area: Rect) -> usize {
    area.height.saturating_sub(3) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_terminal_gets_two_panes_and_a_small_log() {
        let l = browser(Rect::new(0, 0, 80, 24), Pane::Tree, true);
        assert_eq!(l.tree.unwrap().width, 32);
        assert_eq!(l.preview.unwrap().width, 48);
        assert_eq!(l.log.unwrap().height, 5);
        assert_eq!(l.preview.unwrap().height + l.log.unwrap().height, 22);
    }

    #[test]
    fn narrow_terminal_shows_the_focused_pane() {
        let l = browser(Rect::new(0, 0, 60, 20), Pane::Preview, true);
        assert!(l.tree.is_none());
        assert_eq!(l.preview.unwrap().width, 60);
        let l = browser(Rect::new(0, 0, 60, 20), Pane::Tree, false);
        assert!(l.preview.is_none() && l.log.is_none());
    }
}
