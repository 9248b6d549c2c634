//! A hand-written 3x5 block font for the dashboard's key figures (`12`, `3/4`, `78%`), so a
//! figure can be read across a room. Only digits and the few signs the figures use.

/// Rows of a glyph: 3 cells wide, 5 high.
fn glyph(c: char) -> Option<[&'static str; 5]> {
    Some(match c {
        '0' => ["███", "█ █", "█ █", "█ █", "███"],
        '1' => [" █ ", "██ ", " █ ", " █ ", "███"],
        '2' => ["███", "  █", "███", "█  ", "███"],
        '3' => ["███", "  █", "███", "  █", "███"],
        '4' => ["█ █", "█ █", "███", "  █", "  █"],
        '5' => ["███", "█  ", "███", "  █", "███"],
        '6' => ["███", "█  ", "███", "█ █", "███"],
        '7' => ["███", "  █", "  █", "  █", "  █"],
        '8' => ["███", "█ █", "███", "█ █", "███"],
        '9' => ["███", "█ █", "███", "  █", "███"],
        '%' => ["█ █", "  █", " █ ", "█  ", "█ █"],
        '/' => ["  █", "  █", " █ ", "█  ", "█  "],
        ':' => ["   ", " █ ", "   ", " █ ", "   "],
        '-' => ["   ", "   ", "███", "   ", "   "],
        '.' => ["   ", "   ", "   ", "   ", " █ "],
        ' ' => ["   ", "   ", "   ", "   ", "   "],
        _ => return None,
    })
}

/// Glyph height in rows.
pub const HEIGHT: u16 = 5;

/// Columns `text` takes in block digits (glyphs 3 wide, 1 apart).
pub fn width(text: &str) -> u16 {
    let n = text.chars().count() as u16;
    if n == 0 { 0 } else { n * 4 - 1 }
}

/// The five rows of `text` in block digits, or `None` when it holds a character the font lacks
/// (the caller then writes it as plain text).
pub fn render(text: &str) -> Option<[String; 5]> {
    let mut rows: [String; 5] = Default::default();
    for (i, c) in text.chars().enumerate() {
        let g = glyph(c)?;
        for (row, part) in rows.iter_mut().zip(g) {
            if i > 0 {
                row.push(' ');
            }
            row.push_str(part);
        }
    }
    Some(rows)
}

/// `render` at `k` times the size (each cell k wide and k high), for a wall seen from afar.
pub fn render_scaled(text: &str, k: u16) -> Option<Vec<String>> {
    let k = k.max(1) as usize;
    let rows = render(text)?;
    Some(
        rows.iter()
            .flat_map(|r| {
                let wide: String = r.chars().flat_map(|c| std::iter::repeat_n(c, k)).collect();
                std::iter::repeat_n(wide, k)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_figures_are_k_times_wider_and_higher() {
        let rows = render_scaled("1", 2).unwrap();
        assert_eq!(rows.len(), 10);
        assert_eq!(rows[0], "  ██  ");
        assert_eq!(rows[1], rows[0]);
        assert_eq!(rows[9], "██████");
        assert_eq!(
            render_scaled("12", 1).unwrap(),
            render("12").unwrap().to_vec()
        );
    }

    #[test]
    fn figures_render_in_five_rows_of_the_announced_width() {
        let rows = render("3/4").unwrap();
        assert_eq!(rows[0], "███   █ █ █");
        assert_eq!(rows[4], "███ █     █");
        for r in &rows {
            assert_eq!(r.chars().count() as u16, width("3/4"));
        }
        assert_eq!(render("78%").unwrap()[2], "  █ ███  █ ");
    }

    #[test]
    fn every_digit_differs_and_unknown_characters_are_refused() {
        let all: Vec<_> = ('0'..='9').map(|c| glyph(c).unwrap()).collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert!(render("4x").is_none());
        assert_eq!(width(""), 0);
    }
}
