//! Themes: a style per semantic role, loaded from TOML.
//!
//! Bundled themes live in `themes/*.toml` and are embedded at build time. A file of the same name
//! in the config dir's `themes/` wins over a bundled one. A theme may set only some roles: the rest
//! come from the theme named by `inherits` (default: `default`). With `NO_COLOR` set, the `mono`
//! theme is used whatever was asked for. Views never name a colour: they ask for a role.
//!
//! Format (see README "Themes"):
//! ```toml
//! name = "my-theme"
//! inherits = "default"
//! [roles]
//! text = "#c0caf5"                          # shorthand for { fg = "#c0caf5" }
//! selection = { fg = "black", bg = "blue", bold = true }
//! ```

use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::config::FileError;

macro_rules! roles {
    ($($role:ident => $name:literal: $doc:literal),* $(,)?) => {
        /// A semantic style role.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Role { $($role),* }

        impl Role {
            pub const ALL: &'static [Role] = &[$(Role::$role),*];

            pub fn name(self) -> &'static str {
                match self { $(Role::$role => $name),* }
            }

            pub fn doc(self) -> &'static str {
                match self { $(Role::$role => $doc),* }
            }

            pub fn from_name(name: &str) -> Option<Role> {
                match name { $($name => Some(Role::$role),)* _ => None }
            }
        }
    };
}

roles! {
    Background => "background": "the whole screen (set bg here)",
    Text => "text": "ordinary text",
    Muted => "muted": "secondary text: counts, hints, line numbers",
    Accent => "accent": "highlights: the app name, the selected resource's lines",
    Border => "border": "pane borders",
    BorderFocus => "border_focus": "the focused pane's border",
    Title => "title": "pane titles",
    Header => "header": "the top status bar",
    Selection => "selection": "the selected row",
    Match => "match": "characters matched by the filter",
    Ok => "ok": "healthy / clean",
    Warning => "warning": "needs attention",
    Error => "error": "broken / failed",
    Stale => "stale": "data that is no longer live",
    Added => "added": "git: added / untracked",
    Modified => "modified": "git: modified",
    Deleted => "deleted": "git: deleted",
    YamlKey => "yaml_key": "YAML mapping keys",
    YamlString => "yaml_string": "YAML strings",
    YamlNumber => "yaml_number": "YAML numbers",
    YamlBool => "yaml_bool": "YAML booleans and null",
    YamlComment => "yaml_comment": "YAML comments",
    YamlMarker => "yaml_marker": "YAML document markers, list dashes, block indicators",
    YamlAnchor => "yaml_anchor": "YAML anchors, aliases and tags",
}

/// The bundled themes, embedded at build time.
pub const BUNDLED: &[(&str, &str)] = &[
    ("default", include_str!("../themes/default.toml")),
    ("light", include_str!("../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../themes/mono.toml")),
    (
        "solarized-dark",
        include_str!("../themes/solarized-dark.toml"),
    ),
];

/// How many colours the terminal shows: themes are written in 24-bit colour and brought down
/// to the nearest colour the terminal has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    TrueColor,
    Ansi256,
    Ansi16,
}

impl ColorDepth {
    /// From the environment: `COLORTERM=truecolor|24bit` or a terminfo `TERM` of the
    /// `*-direct` family (`xterm-direct`, `xterm-direct256`, `kitty-direct`, …: 24-bit colour by
    /// definition) →
    /// 24-bit; a `TERM` with `256color` → 256; else (`xterm`, `screen`, `linux`, `vt100`) → 16.
    pub fn detect(colorterm: Option<&str>, term: Option<&str>) -> ColorDepth {
        let ct = colorterm.unwrap_or("").to_ascii_lowercase();
        if ct.contains("truecolor") || ct.contains("24bit") {
            return ColorDepth::TrueColor;
        }
        match term.unwrap_or("") {
            t if t.contains("-direct") => ColorDepth::TrueColor,
            t if t.contains("256color") => ColorDepth::Ansi256,
            _ => ColorDepth::Ansi16,
        }
    }

    pub fn from_env() -> ColorDepth {
        ColorDepth::detect(
            std::env::var("COLORTERM").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    }

    fn color(self, c: Color) -> Color {
        let Color::Rgb(r, g, b) = c else { return c };
        match self {
            ColorDepth::TrueColor => c,
            ColorDepth::Ansi256 => Color::Indexed(nearest_256(r, g, b)),
            ColorDepth::Ansi16 => nearest_16(r, g, b),
        }
    }
}

fn dist(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (x as i32 - y as i32).pow(2) as u32;
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

/// The nearest xterm-256 colour: the 6×6×6 cube or the 24-step grey ramp.
fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    const STEPS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let idx = |v: u8| {
        (0..6)
            .min_by_key(|&i| (STEPS[i] as i32 - v as i32).abs())
            .unwrap_or(0)
    };
    let (ri, gi, bi) = (idx(r), idx(g), idx(b));
    let cube = (STEPS[ri], STEPS[gi], STEPS[bi]);
    let cube_index = 16 + 36 * ri as u8 + 6 * gi as u8 + bi as u8;
    let avg = ((r as u32 + g as u32 + b as u32) / 3) as u8;
    let gi2 = ((avg.saturating_sub(8)) as u32 / 10).min(23) as u8;
    let grey = 8 + 10 * gi2;
    if dist((grey, grey, grey), (r, g, b)) < dist(cube, (r, g, b)) {
        232 + gi2
    } else {
        cube_index
    }
}

/// The nearest of the 16 ANSI colours (xterm's default palette).
fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    const PALETTE: [(Color, (u8, u8, u8)); 16] = [
        (Color::Black, (0, 0, 0)),
        (Color::Red, (205, 0, 0)),
        (Color::Green, (0, 205, 0)),
        (Color::Yellow, (205, 205, 0)),
        (Color::Blue, (0, 0, 238)),
        (Color::Magenta, (205, 0, 205)),
        (Color::Cyan, (0, 205, 205)),
        (Color::Gray, (229, 229, 229)),
        (Color::DarkGray, (127, 127, 127)),
        (Color::LightRed, (255, 0, 0)),
        (Color::LightGreen, (0, 255, 0)),
        (Color::LightYellow, (255, 255, 0)),
        (Color::LightBlue, (92, 92, 255)),
        (Color::LightMagenta, (255, 0, 255)),
        (Color::LightCyan, (0, 255, 255)),
        (Color::White, (255, 255, 255)),
    ];
    PALETTE
        .iter()
        .min_by_key(|(_, rgb)| dist(*rgb, (r, g, b)))
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: Vec<Style>,
}

impl Theme {
    pub fn style(&self, role: Role) -> Style {
        self.styles[role as usize]
    }

    /// The theme brought down to what the terminal can show.
    pub fn for_depth(mut self, depth: ColorDepth) -> Theme {
        for s in &mut self.styles {
            s.fg = s.fg.map(|c| depth.color(c));
            s.bg = s.bg.map(|c| depth.color(c));
        }
        self
    }

    /// Loads theme `name`: a user file in `user_dir` first, then a bundled theme.
    /// `no_color` forces `mono`.
    pub fn load(name: &str, user_dir: Option<&Path>, no_color: bool) -> Result<Theme, FileError> {
        let name = if no_color { "mono" } else { name };
        Self::load_inner(name, user_dir, 0)
    }

    fn load_inner(name: &str, user_dir: Option<&Path>, depth: usize) -> Result<Theme, FileError> {
        let user = user_dir
            .map(|d| d.join(format!("{name}.toml")))
            .filter(|p| p.is_file());
        let (file, text) = match (&user, BUNDLED.iter().find(|(n, _)| *n == name)) {
            (Some(path), _) => {
                let text = std::fs::read_to_string(path).map_err(|e| FileError {
                    file: path.clone(),
                    line: 1,
                    col: 1,
                    message: format!("cannot read: {e}"),
                })?;
                (path.clone(), text)
            }
            (None, Some((_, text))) => (format!("themes/{name}.toml").into(), text.to_string()),
            (None, None) => {
                let known: Vec<_> = available(user_dir).into_iter().map(|(n, _)| n).collect();
                return Err(FileError {
                    file: user_dir
                        .map(|d| d.join(format!("{name}.toml")))
                        .unwrap_or_else(|| format!("{name}.toml").into()),
                    line: 1,
                    col: 1,
                    message: format!("no theme named \"{name}\"; available: {}", known.join(", ")),
                });
            }
        };
        Self::parse(name, &file, &text, user_dir, depth)
    }

    /// Parses theme text; roles it leaves out come from its parent.
    pub fn parse(
        name: &str,
        file: &Path,
        text: &str,
        user_dir: Option<&Path>,
        depth: usize,
    ) -> Result<Theme, FileError> {
        let raw: RawTheme =
            toml::from_str(text).map_err(|e| FileError::from_toml(file, text, &e))?;
        let parent_name = raw
            .inherits
            .as_ref()
            .map(|s| s.get_ref().as_str())
            .unwrap_or("default");
        let mut styles = if name == "default" && raw.inherits.is_none() || depth > 8 {
            vec![Style::default(); Role::ALL.len()]
        } else {
            Self::load_inner(parent_name, user_dir, depth + 1)
                .map_err(|e| FileError {
                    message: format!("inherits: {}", e.message),
                    ..FileError::at(file, text, 0, "")
                })?
                .styles
        };
        for (role_name, spec) in &raw.roles {
            let role = Role::from_name(role_name.get_ref()).ok_or_else(|| {
                FileError::at(
                    file,
                    text,
                    role_name.span().start,
                    format!("unknown role \"{}\"", role_name.get_ref()),
                )
            })?;
            styles[role as usize] = spec
                .get_ref()
                .to_style()
                .map_err(|m| FileError::at(file, text, spec.span().start, m))?;
        }
        Ok(Theme {
            name: raw.name.unwrap_or_else(|| name.to_string()),
            styles,
        })
    }
}

/// Every theme name that can be loaded, with where it comes from ("bundled" or the user file).
pub fn available(user_dir: Option<&Path>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = BUNDLED
        .iter()
        .map(|(n, _)| (n.to_string(), "bundled".to_string()))
        .collect();
    if let Some(dir) = user_dir
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "toml") {
                let name = p
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                out.retain(|(n, _)| *n != name);
                out.push((name, p.display().to_string()));
            }
        }
    }
    out.sort();
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    name: Option<String>,
    #[allow(dead_code)]
    description: Option<String>,
    inherits: Option<toml::Spanned<String>>,
    #[serde(default)]
    roles: std::collections::BTreeMap<toml::Spanned<String>, toml::Spanned<RawStyle>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawStyle {
    Fg(String),
    Full {
        fg: Option<String>,
        bg: Option<String>,
        #[serde(default)]
        bold: bool,
        #[serde(default)]
        dim: bool,
        #[serde(default)]
        italic: bool,
        #[serde(default)]
        underlined: bool,
        #[serde(default)]
        reversed: bool,
    },
}

fn parse_color(s: &str) -> Result<Color, String> {
    s.parse::<Color>().map_err(|_| {
        format!("\"{s}\" is not a colour: use a name (red, lightblue, gray, reset...), #rrggbb or an index 0-255")
    })
}

impl RawStyle {
    fn to_style(&self) -> Result<Style, String> {
        Ok(match self {
            RawStyle::Fg(c) => Style::default().fg(parse_color(c)?),
            RawStyle::Full {
                fg,
                bg,
                bold,
                dim,
                italic,
                underlined,
                reversed,
            } => {
                let mut s = Style::default();
                if let Some(c) = fg {
                    s = s.fg(parse_color(c)?);
                }
                if let Some(c) = bg {
                    s = s.bg(parse_color(c)?);
                }
                for (on, m) in [
                    (bold, Modifier::BOLD),
                    (dim, Modifier::DIM),
                    (italic, Modifier::ITALIC),
                    (underlined, Modifier::UNDERLINED),
                    (reversed, Modifier::REVERSED),
                ] {
                    if *on {
                        s = s.add_modifier(m);
                    }
                }
                s
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_depth_from_the_environment() {
        use ColorDepth::*;
        assert_eq!(
            ColorDepth::detect(Some("truecolor"), Some("xterm")),
            TrueColor
        );
        assert_eq!(ColorDepth::detect(Some("24bit"), None), TrueColor);
        assert_eq!(ColorDepth::detect(None, Some("xterm-256color")), Ansi256);
        assert_eq!(ColorDepth::detect(None, Some("tmux-256color")), Ansi256);
        assert_eq!(ColorDepth::detect(None, Some("xterm-direct")), TrueColor);
        assert_eq!(ColorDepth::detect(None, Some("kitty-direct")), TrueColor);
        assert_eq!(ColorDepth::detect(Some(""), Some("tmux-direct")), TrueColor);
        assert_eq!(ColorDepth::detect(None, Some("xterm-direct256")), TrueColor);
        assert_eq!(ColorDepth::detect(None, Some("screen")), Ansi16);
        assert_eq!(ColorDepth::detect(None, Some("linux")), Ansi16);
        assert_eq!(ColorDepth::detect(None, None), Ansi16);
    }

    #[test]
    fn colours_come_down_to_the_nearest_the_terminal_has() {
        assert_eq!(nearest_256(255, 0, 0), 196);
        assert_eq!(nearest_256(0, 0, 0), 16);
        assert_eq!(nearest_256(128, 128, 128), 244, "greys go to the grey ramp");
        assert_eq!(nearest_256(95, 135, 175), 16 + 36 + 6 * 2 + 3);
        assert_eq!(nearest_16(255, 0, 0), Color::LightRed);
        assert_eq!(nearest_16(10, 10, 10), Color::Black);
        assert_eq!(nearest_16(0, 200, 190), Color::Cyan);
        let t = Theme::load("solarized-dark", None, false).unwrap();
        let low = t.clone().for_depth(ColorDepth::Ansi16);
        for r in Role::ALL {
            for c in [low.style(*r).fg, low.style(*r).bg].into_iter().flatten() {
                assert!(
                    !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                    "{r:?}: {c:?}"
                );
            }
        }
        let mid = t.clone().for_depth(ColorDepth::Ansi256);
        assert!(matches!(mid.style(Role::Text).fg, Some(Color::Indexed(_))));
        assert_eq!(t.clone().for_depth(ColorDepth::TrueColor), t);
        // Modifiers survive: selection stays visible without colour.
        assert!(
            low.style(Role::Selection)
                .add_modifier
                .contains(Modifier::BOLD)
        );
    }

    /// WCAG 2.x relative luminance of an sRGB colour.
    fn luminance(c: Color) -> Option<f64> {
        let Color::Rgb(r, g, b) = c else { return None };
        let lin = |v: u8| {
            let v = v as f64 / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        Some(0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b))
    }

    fn contrast(a: Color, b: Color) -> f64 {
        let (x, y) = (luminance(a).unwrap(), luminance(b).unwrap());
        let (hi, lo) = if x > y { (x, y) } else { (y, x) };
        (hi + 0.05) / (lo + 0.05)
    }

    #[test]
    fn high_contrast_meets_wcag_aa_for_every_role() {
        // The wall theme: every role's text against its background (or the screen's) must reach
        // WCAG AA for normal text, 4.5:1.
        let t = Theme::load("high-contrast", None, false).unwrap();
        let screen = t.style(Role::Background).bg.unwrap();
        assert!((contrast(Color::Rgb(255, 255, 255), Color::Rgb(0, 0, 0)) - 21.0).abs() < 0.01);
        for r in Role::ALL {
            let s = t.style(*r);
            let fg = s.fg.unwrap_or_else(|| panic!("{r:?} has no colour"));
            let bg = s.bg.unwrap_or(screen);
            let ratio = contrast(fg, bg);
            assert!(
                ratio >= 4.5,
                "{}: {fg:?} on {bg:?} is {ratio:.2}:1",
                r.name()
            );
        }
    }

    #[test]
    fn every_bundled_theme_loads_and_sets_every_role_it_needs() {
        for (name, _) in BUNDLED {
            let t = Theme::load(name, None, false).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(t.styles.len(), Role::ALL.len());
        }
        let default = Theme::load("default", None, false).unwrap();
        for role in Role::ALL {
            assert_ne!(
                default.style(*role),
                Style::default(),
                "default theme leaves {} unset",
                role.name()
            );
        }
    }

    #[test]
    fn mono_has_no_colours_and_no_color_forces_it() {
        let t = Theme::load("light", None, true).unwrap();
        assert_eq!(t.name, "mono");
        for role in Role::ALL {
            let s = t.style(*role);
            assert!(
                matches!(s.fg, None | Some(Color::Reset)),
                "{} has fg {:?}",
                role.name(),
                s.fg
            );
            assert!(
                matches!(s.bg, None | Some(Color::Reset)),
                "{} has bg {:?}",
                role.name(),
                s.bg
            );
        }
        assert!(
            t.style(Role::Selection)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }

    #[test]
    fn user_theme_overrides_bundled_and_inherits_missing_roles() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("light.toml"),
            "[roles]\ntext = \"#010203\"\n",
        )
        .unwrap();
        let t = Theme::load("light", Some(dir.path()), false).unwrap();
        assert_eq!(t.style(Role::Text).fg, Some(Color::Rgb(1, 2, 3)));
        let default = Theme::load("default", None, false).unwrap();
        assert_eq!(t.style(Role::Error), default.style(Role::Error));
        assert!(
            available(Some(dir.path()))
                .iter()
                .any(|(n, src)| n == "light" && src.ends_with("light.toml"))
        );
    }

    #[test]
    fn bad_theme_files_name_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("x.toml"),
            "[roles]\ntext = \"red\"\nselektion = \"blue\"\n",
        )
        .unwrap();
        let e = Theme::load("x", Some(dir.path()), false).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("unknown role"), "{e}");
        std::fs::write(dir.path().join("y.toml"), "[roles]\ntext = \"rouge\"\n").unwrap();
        let e = Theme::load("y", Some(dir.path()), false).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("not a colour"), "{e}");
        let e = Theme::load("nope", Some(dir.path()), false).unwrap_err();
        assert!(e.message.contains("available: default"), "{e}");
    }
}
