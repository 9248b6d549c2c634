//! Talking to the remote: push and fetch through libgit2 (`transfer`), with our credentials
//! (`creds`) and progress (`progress`), falling back to the system git for ssh (`system_git`);
//! failures typed in `error`.

mod creds;
mod error;
mod fetch;
mod progress;
mod push;
mod system_git;
mod transfer;

use git2::Repository;

pub use error::PushError;
pub use fetch::fetch;
pub use progress::Progress;
pub use push::{Pushed, push};

/// How a push or fetch reached the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Libgit2,
    /// libgit2 could not (its error in `why`) and the system `git` did, with the user's ssh
    /// configuration.
    SystemGit {
        why: String,
    },
}

/// Masks the password of `scheme://user:password@host` anywhere in `s`.
fn redact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c == '/' || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) if authority[..at].contains(':') => {
                let user = &authority[..authority[..at].find(':').unwrap_or(at)];
                out.push_str(user);
                out.push_str(":***");
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// An ssh remote: `ssh://`, `git+ssh://` or scp-like `user@host:path`.
fn is_ssh_url(url: &str) -> bool {
    if let Some((scheme, _)) = url.split_once("://") {
        return matches!(scheme, "ssh" | "git+ssh" | "ssh+git");
    }
    match url.find(':') {
        Some(colon) => {
            let host = &url[..colon];
            !host.is_empty() && !host.contains('/') && !url.starts_with('/')
        }
        None => false,
    }
}

/// The branch HEAD is on and its upstream's remote name and merge ref.
struct Upstream {
    branch: String,
    remote: String,
    merge: String,
}

fn upstream(repo: &Repository) -> Result<Upstream, PushError> {
    let head = match repo.find_reference("HEAD") {
        Ok(h) => h,
        Err(e) => return Err(PushError::Other(e.message().to_string())),
    };
    let Some(target) = head.symbolic_target().ok().flatten().map(str::to_string) else {
        return Err(PushError::DetachedHead);
    };
    let branch = target
        .strip_prefix("refs/heads/")
        .unwrap_or(&target)
        .to_string();
    let remote = repo.branch_upstream_remote(&target);
    let merge = repo.branch_upstream_merge(&target);
    match (remote, merge) {
        (Ok(r), Ok(m)) => Ok(Upstream {
            branch,
            remote: r.as_str().unwrap_or_default().to_string(),
            merge: m.as_str().unwrap_or_default().to_string(),
        }),
        _ => Err(PushError::NoUpstream(branch)),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_urls() {
        for u in [
            "ssh://git@example.com/x.git",
            "git@github.com:org/repo.git",
            "blast-test-host:repo",
            "git+ssh://h/x",
        ] {
            assert!(is_ssh_url(u), "{u}");
        }
        for u in [
            "https://example.com/x.git",
            "/srv/git/x.git",
            "file:///srv/x",
            "./rel/x",
            "x",
        ] {
            assert!(!is_ssh_url(u), "{u}");
        }
    }

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(
            redact("fatal: https://ada:s3cret@example.com/x.git not found"),
            "fatal: https://ada:***@example.com/x.git not found"
        );
        assert_eq!(
            redact("ssh://git@host/x https://tok@h/y"),
            "ssh://git@host/x https://tok@h/y"
        );
        assert_eq!(redact("no url"), "no url");
    }
}
