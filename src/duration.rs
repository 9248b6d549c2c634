//! The one duration syntax of blast's flags (`--refresh`, `--rotate`, `--request-timeout`,
//! `status --timeout`), config keys and the demo's scenarios (`after:`): Go's and kubectl's
//! `500ms`, `20s`, `2m`, `1h30m`, read by jiff's "friendly" parser (so `1.5s`, `5 s` and
//! `2 mins` work too); a bare number is seconds.

use std::time::Duration;

/// Parses a duration; the error says what is accepted.
pub fn parse(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| format!("\"{s}\" is too large a number of seconds"));
    }
    static PARSER: jiff::fmt::friendly::SpanParser = jiff::fmt::friendly::SpanParser::new();
    PARSER.parse_unsigned_duration(s).map_err(|e| {
        format!(
            "\"{s}\" is not a duration (e.g. 500ms, 20s, 2m, 1h30m; a bare number is seconds): {e}"
        )
    })
}

/// The same syntax back, shortest units first dropped: `1h30m`, `20s`, `500ms`, `0s`.
pub fn format(d: Duration) -> String {
    let ms = d.as_millis();
    if ms == 0 {
        return "0s".into();
    }
    let (h, m, s, ms) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s"), (ms, "ms")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

/// A config key in a unit (`min_frame_ms`, `linger_secs`): a number in that unit, as before, or
/// a duration in the one syntax (`linger_secs = "2m"`).
fn deserialize_in<'de, D: serde::Deserializer<'de>>(d: D, unit: Duration) -> Result<u64, D::Error> {
    struct Visitor(Duration);
    impl serde::de::Visitor<'_> for Visitor {
        type Value = u64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number or a duration such as \"500ms\", \"20s\", \"2m\"")
        }
        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<u64, E> {
            Ok(n)
        }
        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<u64, E> {
            u64::try_from(n).map_err(|_| E::custom("a duration cannot be negative"))
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<u64, E> {
            let d = parse(s).map_err(E::custom)?;
            Ok((d.as_nanos() / self.0.as_nanos()) as u64)
        }
    }
    d.deserialize_any(Visitor(unit))
}

/// `#[serde(deserialize_with = "crate::duration::millis")]`: milliseconds, or a duration.
pub fn millis<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    deserialize_in(d, Duration::from_millis(1))
}

/// `#[serde(deserialize_with = "crate::duration::secs")]`: seconds, or a duration (whole
/// seconds count).
pub fn secs<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    deserialize_in(d, Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_style_durations_and_bare_seconds() {
        assert_eq!(parse("20s"), Ok(Duration::from_secs(20)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("2 mins"), Ok(Duration::from_secs(120)));
        assert_eq!(parse("15"), Ok(Duration::from_secs(15)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
        assert_eq!(parse(" 0s "), Ok(Duration::ZERO));
    }

    #[test]
    fn bad_durations_say_what_is_accepted() {
        for bad in ["fast", "", "-1s", "3x", "1h-", "99999999999999999999"] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains(bad.trim()), "{bad:?}: {e}");
        }
        assert!(parse("soon").unwrap_err().contains("e.g. 500ms"));
    }

    #[test]
    fn format_reads_back() {
        for d in ["1h30m", "20s", "500ms", "0s", "2m1s", "1h0m1ms"] {
            let parsed = parse(d).unwrap();
            assert_eq!(parse(&format(parsed)), Ok(parsed), "{d}");
        }
        assert_eq!(format(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format(Duration::from_millis(500)), "500ms");
    }
}
