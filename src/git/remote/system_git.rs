//! Push and fetch through the system `git` (run by `git::system_git`: detached from the
//! terminal, killed with its ssh on cancel): its progress read from stderr, its answer sorted
//! into pushed, rejected, or failed (and then auth, network, or other).

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::error::PushError;
use super::progress::{Progress, parse_progress};
use super::redact;
use crate::git::system_git::{self, RunError};

pub(super) fn looks_like_auth(stderr: &str) -> bool {
    let s = stderr.to_ascii_lowercase();
    [
        "permission denied",
        "authentication failed",
        "could not read username",
        "could not read password",
        "host key verification failed",
    ]
    .iter()
    .any(|k| s.contains(k))
}

/// The system git's stderr says the remote could not be reached (ssh or https alike).
pub(super) fn looks_like_network(stderr: &str) -> bool {
    let s = stderr.to_ascii_lowercase();
    [
        "could not resolve hostname",
        "could not resolve host",
        "connection refused",
        "connection timed out",
        "operation timed out",
        "network is unreachable",
        "no route to host",
        "connection reset",
        "connection closed by remote host",
        "failed to connect to",
        "couldn't connect to server",
        "could not connect to server",
    ]
    .iter()
    .any(|k| s.contains(k))
}

pub(super) enum GitOutcome {
    Ok,
    Rejected(String),
    Failed(String),
}

/// Runs `git ARGS` in `dir` detached from the terminal (see `git::system_git::run`), feeding
/// its progress to `progress` and killing it (and its ssh) when `cancel` is set.
pub(super) fn run(
    dir: &Path,
    args: &[String],
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<GitOutcome, PushError> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let ran = match system_git::run(
        dir,
        &args,
        &[],
        &mut |l| progress(parse_progress(l)),
        cancel,
    ) {
        Ok(ran) => ran,
        Err(RunError::Cancelled) => return Err(PushError::Cancelled),
        Err(RunError::Spawn(e)) => return Err(PushError::Other(e)),
    };
    let (status, stdout, lines) = (ran.status, ran.stdout, ran.stderr);
    if status.success() {
        return Ok(GitOutcome::Ok);
    }
    // `--porcelain`: `!\t<src>:<dst>\t[rejected] (fetch first)`.
    if let Some(line) = stdout.lines().find(|l| l.starts_with('!')) {
        let reason = line.split('\t').nth(2).unwrap_or(line).trim();
        return Ok(GitOutcome::Rejected(redact(reason)));
    }
    // What went wrong, without progress lines or git's stock advice after a failed ssh.
    let said: Vec<&str> = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && matches!(parse_progress(l).stage, "git" | "remote"))
        .filter(|l| {
            !l.starts_with("Please make sure you have the correct access rights")
                && *l != "and the repository exists."
        })
        .collect();
    let said = said[said.len().saturating_sub(4)..].join(" / ");
    Ok(GitOutcome::Failed(redact(if said.is_empty() {
        "git exited with an error"
    } else {
        &said
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_is_sorted_into_auth_network_and_the_rest() {
        let refused = "ssh: connect to host git.example.com port 22: Connection refused / \
                       fatal: Could not read from remote repository.";
        assert!(looks_like_network(refused) && !looks_like_auth(refused));
        let unknown = "ssh: Could not resolve hostname gitt.example.com: Name or service not known";
        assert!(looks_like_network(unknown));
        let denied = "git@blast-test-host: Permission denied (publickey).";
        assert!(looks_like_auth(denied) && !looks_like_network(denied));
        let hook = "remote: error: hook declined to update refs/heads/main";
        assert!(!looks_like_auth(hook) && !looks_like_network(hook));
    }
}
