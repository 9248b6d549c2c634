//! Talking to the remote: push and fetch through the system `git` (`transfer`, `system_git`),
//! its progress read (`progress`), its failures typed (`error`).
//!
//! Why the system git and not libgit2: it is what the user's own pushes use, so
//! `~/.ssh/config` (Host aliases, ProxyJump), FIDO and hardware keys, the ssh agent, git's
//! credential helpers, `http.proxy` and `url.<base>.insteadOf` all work as they do in a
//! shell; and libgit2's network transports needed OpenSSL and libssh2 built from source in
//! every clean build (see the commit that made this change for the figures). libgit2 still
//! does everything local (status, diff, stage, commit, rebase).

mod error;
mod fetch;
mod progress;
mod push;
mod system_git;
mod transfer;

use git2::Repository;

pub use error::{PushError, UnsignedCommit};
pub use fetch::fetch;
pub use progress::Progress;
pub use push::{Pushed, push, push_anyway, unsigned_to_push};

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
