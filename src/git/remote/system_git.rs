//! The fallback for ssh remotes libgit2 cannot reach (a Host alias, ProxyJump, a hardware key
//! only the system ssh knows): the system `git`, detached from the terminal, its progress read
//! from stderr, killed with its ssh on cancel.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::error::PushError;
use super::progress::{Progress, parse_progress};
use super::redact;

pub(super) fn available() -> bool {
    Command::new("git")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

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
    ]
    .iter()
    .any(|k| s.contains(k))
}

pub(super) enum GitOutcome {
    Ok,
    Rejected(String),
    Failed(String),
}

/// Runs `git ARGS` in `dir` detached from the terminal (own session, stdin null, no prompts),
/// feeding its progress to `progress` and killing it (and its ssh) when `cancel` is set.
pub(super) fn run(
    dir: &Path,
    args: &[String],
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<GitOutcome, PushError> {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setsid is async-signal-safe and touches no memory of ours. A new session has
        // no controlling terminal, so ssh cannot open /dev/tty to prompt while the TUI owns it.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| PushError::Other(format!("could not run git: {e}")))?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let err_thread = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut line = Vec::new();
        loop {
            match stderr.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    for &b in &buf[..n] {
                        if b == b'\r' || b == b'\n' {
                            if !line.is_empty() {
                                let _ = tx.send(String::from_utf8_lossy(&line).into_owned());
                                line.clear();
                            }
                        } else {
                            line.push(b);
                        }
                    }
                }
            }
        }
        if !line.is_empty() {
            let _ = tx.send(String::from_utf8_lossy(&line).into_owned());
        }
    });
    let mut lines: Vec<String> = Vec::new();
    let status = loop {
        if cancel.load(Ordering::SeqCst) {
            #[cfg(unix)]
            // SAFETY: plain syscall; the child leads its own process group (setsid above), so
            // this ends git and the ssh it started, and nothing else.
            unsafe {
                libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
            }
            let _ = child.kill();
            let _ = child.wait();
            let _ = err_thread.join();
            let _ = out_thread.join();
            return Err(PushError::Cancelled);
        }
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(line) => {
                progress(parse_progress(&line));
                lines.push(line);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                // stderr closed: git is done or about to be.
                if let Some(st) = child
                    .try_wait()
                    .map_err(|e| PushError::Other(e.to_string()))?
                {
                    break st;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    };
    let _ = err_thread.join();
    let stdout = out_thread.join().unwrap_or_default();
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
