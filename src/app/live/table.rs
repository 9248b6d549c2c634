//! Selection, scroll, sort and filter of one live table, and the generic steps every table
//! takes when its rows are derived again: keep the selected row, honour a pending selection,
//! clamp the offset to the viewport.

/// Selection, scroll, sort and filter of one table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableNav {
    pub selected: usize,
    pub offset: usize,
    pub sort: usize,
    pub filter: String,
    /// The filter input is open.
    pub filtering: bool,
    /// An object to select once it shows up (after a jump or `--view`).
    pub pending: Option<String>,
}

impl TableNav {
    pub(crate) fn clamp(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    /// Replaces a table's rows with `new` the way every table does: the selected row stays
    /// selected (by the first half of `id`, a full key), a pending selection is honoured
    /// (by full key or by the name, the second half), and the offset is clamped to a viewport
    /// `height` rows high. The top row selected stays the top row (the worst, as tables sort):
    /// a view opens on it while its kinds arrive one after another, instead of following the
    /// first kind's row down as the others sort above it.
    pub(crate) fn rederive<R>(
        &mut self,
        rows: &mut Vec<R>,
        new: Vec<R>,
        id: impl Fn(&R) -> (String, &str),
        height: usize,
    ) {
        let top = self.selected == 0 && self.pending.is_none();
        let keep = (!top)
            .then(|| rows.get(self.selected).map(|r| id(r).0))
            .flatten();
        *rows = new;
        reselect(self, rows.iter().map(&id), keep);
        self.clamp(rows.len(), height);
    }
}

/// Keeps the selected row selected when rows move; honours a pending selection (matched by
/// full key or by name).
pub(crate) fn reselect<'a>(
    nav: &mut TableNav,
    rows: impl Iterator<Item = (String, &'a str)>,
    keep: Option<String>,
) {
    let rows: Vec<(String, &str)> = rows.collect();
    if let Some(p) = nav.pending.clone()
        && let Some(i) = rows.iter().position(|(k, n)| *k == p || *n == p)
    {
        nav.selected = i;
        nav.pending = None;
        return;
    }
    if let Some(k) = keep
        && let Some(i) = rows.iter().position(|(key, _)| *key == k)
    {
        nav.selected = i;
    }
}

#[cfg(test)]
mod tests {
    use super::TableNav;

    #[allow(clippy::ptr_arg)] // the rows are Strings: `rederive` hands `&R`
    fn id(r: &String) -> (String, &str) {
        (r.clone(), r)
    }

    fn v(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn the_top_row_stays_selected_as_rows_sort_above_it_and_a_chosen_row_is_followed() {
        // A view opening while its kinds arrive: an ApplicationSet first, then Applications
        // that sort above it. The view stays on its top row (it followed the ApplicationSet to
        // the bottom before: a real-server test saw the list's end, the worst rows off screen).
        let mut nav = TableNav::default();
        let mut rows: Vec<String> = vec![];
        nav.rederive(&mut rows, v(&["set"]), id, 10);
        nav.rederive(&mut rows, v(&["app-a", "app-b", "set"]), id, 10);
        assert_eq!(nav.selected, 0);
        // A row the user moved to is followed where it goes.
        nav.selected = 1;
        nav.rederive(&mut rows, v(&["app-0", "app-a", "app-b", "set"]), id, 10);
        assert_eq!(rows[nav.selected], "app-b");
        // A pending selection (a jump) is honoured from the top too.
        nav.selected = 0;
        nav.pending = Some("set".into());
        nav.rederive(&mut rows, v(&["app-0", "app-a", "app-b", "set"]), id, 10);
        assert_eq!(rows[nav.selected], "set");
    }
}
