//! What this binary is: the version line of `--version` and the build facts `blast info`
//! prints, from `build.rs`.

/// `0.1.0 (1a2b3c4d5e6f, built 2026-12-06)` (`-dirty` after the commit when the tree had
/// uncommitted changes, `commit unknown` for a build outside git).
pub const VERSION: &str = env!("BLAST_VERSION");
/// The commit (12 hex digits), empty outside git.
pub const COMMIT: &str = env!("BLAST_COMMIT");
/// `true`, `false`, or empty when unknown.
pub const DIRTY: &str = env!("BLAST_DIRTY");
/// `YYYY-MM-DD` (UTC; `SOURCE_DATE_EPOCH` when set).
pub const BUILD_DATE: &str = env!("BLAST_BUILD_DATE");

/// What is compiled in: the dependency features that decide what `blast` can talk to. A test
/// holds this list to Cargo.toml.
pub const FEATURES: &[(&str, &str)] = &[
    ("kube", "rustls-tls"),
    ("kube", "oidc"),
    ("kube", "http-proxy"),
    ("kube", "socks5"),
];

/// `kube:rustls-tls` … for `blast info`, plus the allocator and how git talks to remotes
/// (libgit2 is built without network transports: push and fetch run the system `git`).
pub fn features() -> Vec<String> {
    let mut out: Vec<String> = FEATURES.iter().map(|(c, f)| format!("{c}:{f}")).collect();
    out.push("allocator:mimalloc".into());
    out.push("remote:system-git".into());
    out
}

#[cfg(test)]
#[path = "../build/version.rs"]
mod build;

#[cfg(test)]
mod tests {
    use super::build::{Build, describe, ymd};

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn inside_its_own_git_tree_the_commit_and_dirty_flag() {
        let git = |args: &[&str]| -> Option<String> {
            match args[0..2] {
                ["rev-parse", "--show-toplevel"] => Some("/src/blast".into()),
                ["rev-parse", "HEAD"] => Some("0123456789abcdef0123456789abcdef01234567".into()),
                ["status", "--porcelain"] => Some(" M src/main.rs".into()),
                _ => None,
            }
        };
        let b = describe("/src/blast", &no_env, &git, None, 0);
        assert_eq!(b.commit.as_deref(), Some("0123456789ab"));
        assert_eq!(b.dirty, Some(true));
        assert_eq!(
            b.version("0.1.0"),
            "0.1.0 (0123456789ab-dirty, built 1970-01-01)"
        );
    }

    #[test]
    fn outside_git_a_tarball_still_builds_and_says_so() {
        // git missing or failing everywhere.
        let no_git = |_: &[&str]| -> Option<String> { None };
        let b = describe("/tmp/blast-0.1.0", &no_env, &no_git, None, 86_400 * 365);
        assert_eq!(
            b,
            Build {
                commit: None,
                dirty: None,
                date: "1971-01-01".into()
            }
        );
        assert_eq!(
            b.version("0.1.0"),
            "0.1.0 (commit unknown, built 1971-01-01)"
        );
        // A crate unpacked inside some other repo: that repo's commit is not ours.
        let other = |args: &[&str]| -> Option<String> {
            match args[0..2] {
                ["rev-parse", "--show-toplevel"] => Some("/home/me/monorepo".into()),
                ["rev-parse", "HEAD"] => Some("ffffffffffffffffffff".into()),
                _ => Some(String::new()),
            }
        };
        let b = describe("/home/me/monorepo/vendor/blast", &no_env, &other, None, 0);
        assert_eq!(b.commit, None);
        // What `cargo package` records is used instead.
        let vcs = "{\n  \"git\": {\n    \"sha1\": \"89abcdef0123456789abcdef0123456789abcdef\",\n    \"dirty\": true\n  },\n  \"path_in_vcs\": \"\"\n}";
        let b = describe("/tmp/blast-0.1.0", &no_env, &no_git, Some(vcs), 0);
        assert_eq!(b.commit.as_deref(), Some("89abcdef0123"));
        assert_eq!(b.dirty, Some(true));
        let b = describe(
            "/tmp/x",
            &no_env,
            &no_git,
            Some("{\"git\":{\"sha1\":\"0a0b\"}}"),
            0,
        );
        assert_eq!((b.commit.as_deref(), b.dirty), (Some("0a0b"), Some(false)));
        assert_eq!(
            describe("/tmp/x", &no_env, &no_git, Some("{}"), 0).commit,
            None
        );
    }

    #[test]
    fn a_packager_override_and_source_date_epoch() {
        let env = |k: &str| match k {
            "BLAST_GIT_COMMIT" => Some("fedcba9876543210".to_string()),
            "SOURCE_DATE_EPOCH" => Some("1765000000".to_string()),
            _ => None,
        };
        let no_git = |_: &[&str]| -> Option<String> { None };
        let b = describe("/x", &env, &no_git, None, 0);
        assert_eq!(b.version("1.2.3"), "1.2.3 (fedcba987654, built 2025-12-06)");
    }

    #[test]
    fn dates_are_utc_civil_dates() {
        assert_eq!(ymd(0), "1970-01-01");
        assert_eq!(ymd(951_782_400), "2000-02-29");
        assert_eq!(ymd(951_868_799), "2000-02-29");
        assert_eq!(ymd(951_868_800), "2000-03-01");
        assert_eq!(ymd(4_102_444_800), "2100-01-01");
        assert_eq!(ymd(1_798_761_599), "2026-12-31");
    }

    #[test]
    fn the_compiled_in_features_are_those_of_cargo_toml() {
        let manifest = include_str!("../Cargo.toml");
        for (krate, feature) in super::FEATURES {
            let line = manifest
                .lines()
                .find(|l| l.starts_with(&format!("{krate} = ")))
                .unwrap_or_else(|| panic!("no {krate} in Cargo.toml"));
            assert!(line.contains(&format!("\"{feature}\"")), "{krate}: {line}");
        }
        assert!(manifest.contains("mimalloc"));
    }

    #[test]
    fn this_build_has_a_version_line() {
        assert!(super::VERSION.starts_with(env!("CARGO_PKG_VERSION")));
        assert!(super::VERSION.contains(super::BUILD_DATE));
        assert!(super::VERSION.contains(if super::COMMIT.is_empty() {
            "commit unknown"
        } else {
            super::COMMIT
        }));
    }
}
