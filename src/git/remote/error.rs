//! Why a push or fetch (or the rebase between a rejected push and the next) did not happen,
//! typed so the console can say what to do next: each case carries what its next step needs.

use std::fmt;

/// Why a push (or fetch, or the rebase onto a fetched upstream) did not happen. In every case the
/// local branch, its commits, the index and the working tree are untouched: the commits are
/// still local.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushError {
    Cancelled,
    /// The branch has no upstream (names the branch).
    NoUpstream(String),
    DetachedHead,
    /// The remote refused the update (usually: someone pushed first).
    Rejected {
        remote: String,
        branch: String,
        message: String,
    },
    /// No credential worked; `tried` names what was offered (never a secret).
    Auth {
        message: String,
        tried: Vec<String>,
    },
    /// The remote could not be reached: the connection failed (refused, timed out, no route,
    /// unknown host, TLS). `remote` is its name, `message` what the transport said.
    Network {
        remote: String,
        message: String,
    },
    /// Replaying the local commits onto the fetched upstream could not start or finish
    /// (uncommitted changes in the way, a git operation in progress...); nothing was changed.
    /// Conflicting commits are not this: they are `rebase::Rebase::Conflict`, an answer.
    Rebase(String),
    /// `commit.gpgsign` is set but commits to push carry no signature (made outside blast, by a
    /// tool that does not sign, or before signing was set up): nothing was pushed, as a remote
    /// whose branch protection requires signed commits would refuse them. The console asks
    /// whether to push them anyway (`remote::push_anyway`).
    Unsigned(Vec<UnsignedCommit>),
    Other(String),
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LOCAL: &str = "your commits are still local";
        match self {
            PushError::Cancelled => write!(f, "Cancelled; {LOCAL}."),
            PushError::NoUpstream(b) => write!(
                f,
                "Branch {b} has no upstream: set one with `git push -u origin {b}`; {LOCAL}."
            ),
            PushError::DetachedHead => write!(
                f,
                "HEAD is detached, so there is no branch to push; check out a branch ({LOCAL})."
            ),
            PushError::Rejected {
                remote,
                branch,
                message,
            } => write!(
                f,
                "{remote} rejected the push to {branch} ({message}): the remote has commits you \
                 do not. Fetch and rebase, then push again; {LOCAL}."
            ),
            PushError::Auth { message, tried } => write!(
                f,
                "Could not authenticate to the remote ({message}; tried {}); check your ssh key \
                 or credentials. {}.",
                if tried.is_empty() {
                    "nothing".to_string()
                } else {
                    tried.join(", ")
                },
                capitalise(LOCAL)
            ),
            PushError::Network { remote, message } => write!(
                f,
                "Could not reach {remote} ({message}): check the network and the remote's \
                 address; {LOCAL}."
            ),
            PushError::Rebase(m) => write!(
                f,
                "The rebase onto the upstream failed ({m}); nothing was changed and {LOCAL}."
            ),
            PushError::Unsigned(commits) => write!(
                f,
                "{} commit(s) to push are not signed though commit.gpgsign asks for signed \
                 commits ({}); a remote that requires signatures would refuse them. Nothing was \
                 pushed; {LOCAL}.",
                commits.len(),
                commits
                    .iter()
                    .map(UnsignedCommit::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            PushError::Other(m) => write!(f, "Git could not reach the remote ({m}); {LOCAL}."),
        }
    }
}

/// A commit to push that carries no signature: its short id and subject, as `git log --oneline`
/// shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedCommit {
    pub short: String,
    pub subject: String,
}

impl fmt::Display for UnsignedCommit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.short, self.subject)
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl std::error::Error for PushError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_push_error_says_the_commits_are_still_local() {
        let errors = [
            PushError::Cancelled,
            PushError::NoUpstream("main".into()),
            PushError::DetachedHead,
            PushError::Rejected {
                remote: "origin".into(),
                branch: "main".into(),
                message: "fetch first".into(),
            },
            PushError::Auth {
                message: "denied".into(),
                tried: vec!["ssh-agent".into()],
            },
            PushError::Network {
                remote: "origin".into(),
                message: "connection refused".into(),
            },
            PushError::Rebase("in the way".into()),
            PushError::Unsigned(vec![UnsignedCommit {
                short: "abc1234".into(),
                subject: "clusters: scale".into(),
            }]),
            PushError::Other("boom".into()),
        ];
        for e in errors {
            let s = e.to_string().to_lowercase();
            assert!(s.contains("still local"), "{s}");
        }
    }
}
