//! The repo watcher: inotify and friends (no polling) over what the console shows, one
//! `Msg::RepoChanged` per burst of changes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::mpsc;
use tracing::warn;

use crate::repo::index;

/// Sets the watcher up on its own thread (adding inotify watches on a big tree takes a while and
/// must not delay the first frame) and keeps it there until the returned sender is dropped.
/// `msg` is what each burst sends: the console's and the dashboard's `RepoChanged`.
pub fn spawn<M: Clone + Send + 'static>(
    root: PathBuf,
    tx: mpsc::Sender<M>,
    msg: M,
    debounce_ms: u64,
) -> std::sync::mpsc::Sender<()> {
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let handle = tokio::runtime::Handle::current();
    let spawned = std::thread::Builder::new()
        .name("watch".into())
        .spawn(move || {
            let _rt = handle.enter();
            let _watcher = watch(&root, tx, msg, debounce_ms);
            let _ = stop_rx.recv();
        });
    if let Err(e) = spawned {
        warn!(error = %e, "cannot start the file watcher; press r to reload");
    }
    stop_tx
}

/// Watches the repo for changes (inotify and friends: no polling) and sends one `RepoChanged`
/// per burst of changes. Only what the console shows is watched: the top folders recursively,
/// the root itself (a top folder appearing), and git's HEAD, index and refs. Git's object and
/// lock files are ignored.
fn watch<M: Clone + Send + 'static>(
    root: &Path,
    tx: mpsc::Sender<M>,
    msg: M,
    debounce_ms: u64,
) -> Option<notify::RecommendedWatcher> {
    use notify::{RecursiveMode, Watcher};
    let (ping_tx, mut ping_rx) = mpsc::unbounded_channel::<()>();
    let root_buf: PathBuf = root.to_path_buf();
    let handler = move |res: notify::Result<notify::Event>| {
        let Ok(ev) = res else { return };
        if matches!(ev.kind, notify::EventKind::Access(_)) {
            return;
        }
        let relevant = ev.paths.iter().any(|p| {
            let rel = p.strip_prefix(&root_buf).unwrap_or(p);
            let s = rel.to_string_lossy();
            let in_git = s.starts_with(".git");
            !(s.starts_with("target")
                || (in_git
                    && (s.contains("objects") || s.ends_with(".lock") || s.contains("logs/")))
                || s.ends_with('~')
                || s.ends_with(".swp"))
        });
        if relevant {
            let _ = ping_tx.send(());
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(w) => w,
        Err(e) => {
            warn!(error = %e, "file watching unavailable; press r to reload");
            return None;
        }
    };
    let mut targets: Vec<(PathBuf, RecursiveMode)> =
        vec![(root.to_path_buf(), RecursiveMode::NonRecursive)];
    for top in index::TOP_DIRS {
        targets.push((root.join(top), RecursiveMode::Recursive));
    }
    if let Some(workdir) = crate::git::status::discover(root) {
        targets.push((workdir.join(".git"), RecursiveMode::NonRecursive));
        targets.push((workdir.join(".git/refs"), RecursiveMode::Recursive));
    }
    for (path, mode) in targets {
        if !path.exists() {
            continue;
        }
        if let Err(e) = watcher.watch(&path, mode) {
            warn!(error = %e, path = %path.display(), "cannot watch; press r to reload");
        }
    }
    tokio::spawn(async move {
        while ping_rx.recv().await.is_some() {
            // Wait for the burst to end.
            loop {
                match tokio::time::timeout(Duration::from_millis(debounce_ms), ping_rx.recv()).await
                {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            if tx.send(msg.clone()).await.is_err() {
                return;
            }
        }
    });
    Some(watcher)
}
