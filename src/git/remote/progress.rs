//! How far a push or fetch got: the `Progress` the system git's `--progress` lines are turned
//! into.

use super::redact;

/// How far a push or fetch got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// `counting`, `compressing`, `writing`, `receiving`, `resolving`, `remote` (a line the
    /// remote sent), `git` (another line from the system git).
    pub stage: &'static str,
    pub current: usize,
    pub total: usize,
    pub bytes: usize,
    /// A line of text for `remote` and system-git stages; empty otherwise. Credentials in URLs
    /// are masked.
    pub text: String,
}

/// Turns one `--progress` line of git's stderr into a `Progress`.
pub(super) fn parse_progress(line: &str) -> Progress {
    let line = redact(line.trim());
    let mut p = Progress {
        stage: "git",
        current: 0,
        total: 0,
        bytes: 0,
        text: line.clone(),
    };
    if line.starts_with("remote:") {
        p.stage = "remote";
        return p;
    }
    let Some((what, rest)) = line.split_once(':') else {
        return p;
    };
    p.stage = match what.trim() {
        "Enumerating objects" | "Counting objects" => "counting",
        "Compressing objects" => "compressing",
        "Writing objects" => "writing",
        "Receiving objects" => "receiving",
        "Resolving deltas" => "resolving",
        _ => return p,
    };
    if let Some(open) = rest.find('(')
        && let Some(close) = rest[open..].find(')')
        && let Some((c, t)) = rest[open + 1..open + close].split_once('/')
    {
        p.current = c.trim().parse().unwrap_or(0);
        p.total = t.trim().parse().unwrap_or(0);
    } else if let Some(n) = rest.split(',').next().and_then(|n| n.trim().parse().ok()) {
        // "Enumerating objects: 5, done."
        p.current = n;
        p.total = n;
    }
    // "..., 1.20 KiB | 1.20 MiB/s" or "..., 250 bytes | ..."
    if let Some(after) = rest.split_once("), ").map(|(_, a)| a) {
        let mut words = after.split_whitespace();
        if let (Some(n), Some(unit)) = (words.next(), words.next()) {
            let n: f64 = n.parse().unwrap_or(0.0);
            let scale = match unit.trim_end_matches([',', '|']) {
                "KiB" => 1024.0,
                "MiB" => 1024.0 * 1024.0,
                "GiB" => 1024.0 * 1024.0 * 1024.0,
                _ => 1.0,
            };
            p.bytes = (n * scale) as usize;
        }
    }
    p
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_progress_lines() {
        let p = parse_progress("Writing objects:  50% (3/6), 1.50 KiB | 1.50 MiB/s");
        assert_eq!(
            (p.stage, p.current, p.total, p.bytes),
            ("writing", 3, 6, 1536)
        );
        let p = parse_progress("Enumerating objects: 5, done.");
        assert_eq!((p.stage, p.current, p.total), ("counting", 5, 5));
        let p = parse_progress("Writing objects: 100% (3/3), 250 bytes | 250.00 KiB/s, done.");
        assert_eq!((p.stage, p.bytes), ("writing", 250));
        let p = parse_progress("Receiving objects:  33% (1/3)");
        assert_eq!((p.stage, p.current, p.total), ("receiving", 1, 3));
        assert_eq!(parse_progress("remote: Resolving deltas").stage, "remote");
        let p = parse_progress("To ssh://u:pw@h/x");
        assert_eq!((p.stage, p.text.as_str()), ("git", "To ssh://u:***@h/x"));
    }
}
