//! Running the system `git`, for what libgit2 does not do the way git users expect (hooks,
//! signing, the user's ssh and proxy setup): detached from the terminal, its output captured
//! and bounded, killed with everything it started on cancel.

use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Lines of stderr kept (the last ones); older lines are dropped as new ones come.
const KEPT_LINES: usize = 200;
/// Characters kept of one line; the rest of it is dropped.
const LINE_CHARS: usize = 1000;
/// Bytes of stdout kept; the rest is read and dropped.
const STDOUT_BYTES: usize = 64 * 1024;

/// Whether a `git` runs at all.
pub(crate) fn available() -> bool {
    Command::new("git")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// What a finished git printed: its status, stdout (up to [`STDOUT_BYTES`]) and the last
/// [`KEPT_LINES`] lines of stderr (`\r` ends a line too, for progress).
pub(crate) struct Ran {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: Vec<String>,
}

/// Why git did not finish.
#[derive(Debug)]
pub(crate) enum RunError {
    /// `cancel` was set: git and what it started were killed.
    Cancelled,
    /// It could not be started (or waited for).
    Spawn(String),
}

/// Runs `git ARGS` in `dir` with `env` added, detached from the terminal: its own session (no
/// controlling terminal, so ssh, gpg or a hook cannot open /dev/tty while the TUI owns it),
/// stdin null, `GIT_TERMINAL_PROMPT=0`, messages in English (`LC_ALL=C`, so they can be read).
/// Each stderr line goes to `on_line` as it comes. When `cancel` is set, git and its process
/// group are killed.
pub(crate) fn run(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    on_line: &mut dyn FnMut(&str),
    cancel: &AtomicBool,
) -> Result<Ran, RunError> {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .envs(env.iter().copied())
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
        .map_err(|e| RunError::Spawn(format!("could not run git: {e}")))?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_thread = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match stdout.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = STDOUT_BYTES.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    });
    let (tx, rx) = std::sync::mpsc::sync_channel::<String>(256);
    let err_thread = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut line = Vec::new();
        let send = |line: &mut Vec<u8>| {
            if !line.is_empty() {
                let text = String::from_utf8_lossy(line);
                let text: String = text.chars().take(LINE_CHARS).collect();
                let _ = tx.send(text);
                line.clear();
            }
        };
        loop {
            match stderr.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    for &b in &buf[..n] {
                        if b == b'\r' || b == b'\n' {
                            send(&mut line);
                        } else if line.len() < LINE_CHARS * 4 {
                            line.push(b);
                        }
                    }
                }
            }
        }
        send(&mut line);
    });
    let mut lines: VecDeque<String> = VecDeque::new();
    let status = loop {
        if cancel.load(Ordering::SeqCst) {
            #[cfg(unix)]
            // SAFETY: plain syscall; the child leads its own process group (setsid above), so
            // this ends git and what it started (ssh, a hook), and nothing else.
            unsafe {
                libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
            }
            let _ = child.kill();
            let _ = child.wait();
            drop(rx);
            let _ = err_thread.join();
            let _ = out_thread.join();
            return Err(RunError::Cancelled);
        }
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(line) => {
                on_line(&line);
                if lines.len() == KEPT_LINES {
                    lines.pop_front();
                }
                lines.push_back(line);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                // stderr closed: git is done or about to be.
                if let Some(st) = child
                    .try_wait()
                    .map_err(|e| RunError::Spawn(e.to_string()))?
                {
                    break st;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    };
    let _ = err_thread.join();
    let stdout = out_thread.join().unwrap_or_default();
    Ok(Ran {
        status,
        stdout,
        stderr: lines.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_bounded_and_lines_are_read_as_they_come() {
        if !available() {
            panic!("these tests need git on the PATH");
        }
        let dir = tempfile::tempdir().unwrap();
        // An alias through the shell: 5,000 lines on stderr, 1 MB on stdout.
        let mut seen = 0;
        let ran = run(
            dir.path(),
            &[
                "-c",
                "alias.noisy=!i=0; while [ $i -lt 5000 ]; do echo line $i >&2; i=$((i+1)); done; \
                 head -c 1000000 /dev/zero | tr '\\0' x",
                "noisy",
            ],
            &[],
            &mut |_| seen += 1,
            &AtomicBool::new(false),
        )
        .unwrap();
        assert!(ran.status.success());
        assert_eq!(seen, 5000);
        assert_eq!(ran.stderr.len(), KEPT_LINES);
        assert_eq!(ran.stderr.last().unwrap(), "line 4999");
        assert_eq!(ran.stdout.len(), STDOUT_BYTES);
    }
}
