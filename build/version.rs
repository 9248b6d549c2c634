//! What `blast --version` says about the build: the commit, whether the tree was dirty, and the
//! date. Shared by `build.rs` (which runs git) and the crate's tests (which feed it answers), so
//! the rules, the fallbacks outside git included, are tested as plain functions.

/// What was found about the source tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    /// The commit, 12 hex digits; `None` outside git (a tarball without `.cargo_vcs_info.json`).
    pub commit: Option<String>,
    /// Uncommitted changes to tracked files; `None` when unknown.
    pub dirty: Option<bool>,
    /// `YYYY-MM-DD`, UTC: `SOURCE_DATE_EPOCH` if set (reproducible builds), else now.
    pub date: String,
}

/// Decides from the answers of the outside world:
/// - `env("BLAST_GIT_COMMIT")`: a packager's override (a tarball build that knows its commit);
/// - `git(args)`: git's trimmed stdout, `None` when git is missing or fails; the tree counts
///   only if git's top level is the crate's own folder (`manifest_dir`), not a repo around a
///   vendored copy;
/// - `vcs_info`: the text of `.cargo_vcs_info.json` (what `cargo package` records);
/// - `now_secs`: the clock, used without `SOURCE_DATE_EPOCH`.
pub fn describe(
    manifest_dir: &str,
    env: &dyn Fn(&str) -> Option<String>,
    git: &dyn Fn(&[&str]) -> Option<String>,
    vcs_info: Option<&str>,
    now_secs: u64,
) -> Build {
    let secs = env("SOURCE_DATE_EPOCH")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(now_secs);
    let date = ymd(secs);
    if let Some(commit) = env("BLAST_GIT_COMMIT").filter(|c| !c.trim().is_empty()) {
        return Build {
            commit: Some(short(commit.trim())),
            dirty: None,
            date,
        };
    }
    let top = git(&["rev-parse", "--show-toplevel"]);
    let ours = top.as_deref().is_some_and(|t| same_dir(t, manifest_dir));
    if ours && let Some(head) = git(&["rev-parse", "HEAD"]) {
        let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).map(|s| !s.is_empty());
        return Build {
            commit: Some(short(&head)),
            dirty,
            date,
        };
    }
    let (commit, dirty) = match vcs_info {
        Some(text) => (
            json_string(text, "sha1").map(|s| short(&s)),
            text.contains("\"dirty\": true")
                .then_some(true)
                .or(Some(false)),
        ),
        None => (None, None),
    };
    Build {
        dirty: commit.as_ref().and(dirty),
        commit,
        date,
    }
}

impl Build {
    /// `0.1.0 (1a2b3c4d5e6f, built 2026-12-06)`; `-dirty` after the commit; `commit unknown`
    /// outside git.
    pub fn version(&self, pkg_version: &str) -> String {
        let commit = match (&self.commit, self.dirty) {
            (Some(c), Some(true)) => format!("{c}-dirty"),
            (Some(c), _) => c.clone(),
            (None, _) => "commit unknown".to_string(),
        };
        format!("{pkg_version} ({commit}, built {})", self.date)
    }
}

fn short(commit: &str) -> String {
    commit.chars().take(12).collect()
}

fn same_dir(a: &str, b: &str) -> bool {
    let canon = |p: &str| std::fs::canonicalize(p).unwrap_or_else(|_| p.into());
    canon(a.trim_end_matches('/')) == canon(b.trim_end_matches('/'))
}

/// The string value of `"key": "value"` in a small JSON text (no JSON parser in the build script).
fn json_string(text: &str, key: &str) -> Option<String> {
    let at = text.find(&format!("\"{key}\""))? + key.len() + 2;
    let rest = text[at..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let value = &rest[..rest.find('"')?];
    (!value.is_empty() && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| value.to_string())
}

/// `YYYY-MM-DD` of a Unix time in UTC (Howard Hinnant's `civil_from_days`; the build script has
/// no date library).
pub fn ymd(secs: u64) -> String {
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
