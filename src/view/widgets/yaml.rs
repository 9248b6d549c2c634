//! YAML syntax highlighting for the preview, one line at a time.
//!
//! Highlighting runs only over the visible lines. Lines inside block scalars (`key: |`) are
//! flagged when the file is loaded (`repo::yaml::block_scalar_lines`) and shown as plain strings, so text
//! that merely looks like `key: value` inside an embedded config is not coloured as a key.

use ratatui::style::Style;
use ratatui::text::Span;

use crate::repo::yaml::strip_comment;
use crate::theme::{Role, Theme};

/// Spans for one line of YAML.
pub fn highlight<'a>(line: &'a str, in_block: bool, theme: &Theme) -> Vec<Span<'a>> {
    let st = |r: Role| theme.style(r);
    if in_block {
        return vec![Span::styled(line, st(Role::YamlString))];
    }
    let mut spans = Vec::new();
    let code = strip_comment(line);
    let comment = &line[code.len()..];
    let mut rest = code;
    // Document markers.
    if rest.starts_with("---") || rest.starts_with("...") {
        spans.push(Span::styled(&rest[..3], st(Role::YamlMarker)));
        rest = &rest[3..];
    }
    // Indentation and list dashes.
    loop {
        let trimmed = rest.trim_start_matches(' ');
        let ws = rest.len() - trimmed.len();
        if ws > 0 {
            spans.push(Span::raw(&rest[..ws]));
        }
        rest = trimmed;
        if rest == "-" || rest.starts_with("- ") {
            spans.push(Span::styled(&rest[..1], st(Role::YamlMarker)));
            rest = &rest[1..];
        } else {
            break;
        }
    }
    // A key.
    if let Some(colon) = key_end(rest) {
        spans.push(Span::styled(&rest[..colon], st(Role::YamlKey)));
        spans.push(Span::styled(&rest[colon..colon + 1], st(Role::Muted)));
        rest = &rest[colon + 1..];
        let trimmed = rest.trim_start_matches(' ');
        let ws = rest.len() - trimmed.len();
        if ws > 0 {
            spans.push(Span::raw(&rest[..ws]));
        }
        rest = trimmed;
    }
    if !rest.is_empty() {
        value_spans(rest, theme, &mut spans);
    }
    if !comment.is_empty() {
        spans.push(Span::styled(comment, st(Role::YamlComment)));
    }
    spans
}

/// Byte index of the `:` that ends a mapping key at the start of `s`, if there is one.
fn key_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let first = *bytes.first()?;
    if first == b'"' || first == b'\'' {
        let close = s[1..].find(first as char)? + 1;
        return (bytes.get(close + 1) == Some(&b':')
            && matches!(bytes.get(close + 2), None | Some(b' ')))
        .then_some(close + 1);
    }
    if matches!(first, b'{' | b'[' | b'&' | b'*' | b'!' | b'|' | b'>') {
        return None;
    }
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' && matches!(bytes.get(i + 1), None | Some(b' ')) {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn value_spans<'a>(mut v: &'a str, theme: &Theme, spans: &mut Vec<Span<'a>>) {
    let st = |r: Role| theme.style(r);
    // Anchors, aliases and tags come first.
    while v.starts_with('&') || v.starts_with('*') || v.starts_with('!') {
        let end = v.find(' ').unwrap_or(v.len());
        spans.push(Span::styled(&v[..end], st(Role::YamlAnchor)));
        let after = &v[end..];
        let trimmed = after.trim_start_matches(' ');
        if after.len() > trimmed.len() {
            spans.push(Span::raw(&after[..after.len() - trimmed.len()]));
        }
        v = trimmed;
    }
    if v.is_empty() {
        return;
    }
    let trimmed = v.trim_end();
    let style: Style = if trimmed.starts_with('"') || trimmed.starts_with('\'') {
        st(Role::YamlString)
    } else if trimmed.starts_with('|') || trimmed.starts_with('>') {
        st(Role::YamlMarker)
    } else if matches!(
        trimmed,
        "true" | "false" | "True" | "False" | "TRUE" | "FALSE" | "null" | "Null" | "NULL" | "~"
    ) {
        st(Role::YamlBool)
    } else if trimmed.parse::<f64>().is_ok()
        || trimmed.starts_with("0x") && i64::from_str_radix(&trimmed[2..], 16).is_ok()
    {
        st(Role::YamlNumber)
    } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
        st(Role::Text)
    } else {
        st(Role::YamlString)
    };
    spans.push(Span::styled(v, style));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(line: &str, expect: &[(&str, Role)], theme: &Theme) {
        let spans = highlight(line, false, theme);
        for (text, role) in expect {
            let span = spans
                .iter()
                .find(|s| s.content.trim_end() == *text)
                .unwrap_or_else(|| panic!("no span {text:?} in {spans:?}"));
            assert_eq!(span.style, theme.style(*role), "{text:?} in {line:?}");
        }
    }

    #[test]
    fn tokens_get_their_roles() {
        let t = Theme::load("default", None, false).unwrap();
        check(
            "  replicas: 3 # three",
            &[
                ("replicas", Role::YamlKey),
                (":", Role::Muted),
                ("3", Role::YamlNumber),
                ("# three", Role::YamlComment),
            ],
            &t,
        );
        check(
            "- name: \"a # not comment\"",
            &[
                ("-", Role::YamlMarker),
                ("name", Role::YamlKey),
                ("\"a # not comment\"", Role::YamlString),
            ],
            &t,
        );
        check("---", &[("---", Role::YamlMarker)], &t);
        check("base: &b", &[("&b", Role::YamlAnchor)], &t);
        check("enabled: true", &[("true", Role::YamlBool)], &t);
        check(
            "image: nginx:1.27",
            &[("image", Role::YamlKey), ("nginx:1.27", Role::YamlString)],
            &t,
        );
        check(
            "url: https://x.io/a",
            &[("url", Role::YamlKey), ("https://x.io/a", Role::YamlString)],
            &t,
        );
        check("script: |", &[("|", Role::YamlMarker)], &t);
    }

    #[test]
    fn block_scalars_are_tracked() {
        use crate::repo::yaml::block_scalar_lines;
        let lines: Vec<String> = [
            "data:",
            "  config: |",
            "    a: b",
            "",
            "    c: d",
            "  next: 1",
            "- |-",
            "  text",
            "x: 1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            block_scalar_lines(&lines),
            vec![false, false, true, true, true, false, false, true, false]
        );
    }
}
