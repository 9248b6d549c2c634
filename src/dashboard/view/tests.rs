//! The clock, the tile grid and cutting text to a width.

use super::tiles::grid;
use super::*;

#[test]
fn the_clock_shows_utc_hours_and_minutes() {
    assert_eq!(clock(0), "00:00 UTC");
    assert_eq!(clock(86_400 + 14 * 3600 + 5 * 60 + 59), "14:05 UTC");
}

#[test]
fn tiles_grow_with_the_screen_and_give_up_when_too_small() {
    let g = |w, h, n| grid(n, Rect::new(0, 0, w, h));
    assert_eq!(g(200, 40, 3), Some((3, 1)));
    assert_eq!(g(60, 20, 3), None);
    let (c, r) = g(400, 90, 12).unwrap();
    assert!(c * r >= 12 && 400 / c >= TILE_MIN.0 && 90 / r >= TILE_MIN.1);
}

#[test]
fn fit_cuts_with_an_ellipsis_by_columns() {
    assert_eq!(fit("abcdef", 4), "abc…");
    assert_eq!(fit("abc", 4), "abc");
    assert_eq!(fit("⚠ STALE", 3), "⚠ …");
}
