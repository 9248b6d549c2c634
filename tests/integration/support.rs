//! Shared helpers: fixture paths, temp repos, and a synchronous stand-in for the runtime.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use blast::app::browser::FileText;
use blast::app::{Effect, Msg, State, update};
use blast::git::log::Commit;
use blast::git::protocol::GitMsg;
use blast::git::test_support::bare_origin_and_clone;
use blast::keymap::Keymap;
use blast::repo::index;

pub fn fixture_repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/repo")
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// `git` as the fixture's operator (Ada Ops, at a fixed date), from the one shared helper.
pub use blast::git::test_support::git;

/// A clone of the fixture repo with one commit, pushed to a local bare `origin`.
pub struct TempRepo {
    pub _dir: tempfile::TempDir,
    pub work: PathBuf,
    pub remote: PathBuf,
}

pub fn temp_repo() -> TempRepo {
    let dir = tempfile::tempdir().unwrap();
    let (remote, work) = bare_origin_and_clone(dir.path(), "datacenter");
    copy_dir(&fixture_repo(), &work);
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "edge-berlin: first cut"]);
    git(&work, &["push", "-q", "-u", "origin", "main"]);
    TempRepo {
        _dir: dir,
        work,
        remote,
    }
}

/// Sets the commit identity in a repo's own config, so that commits made through libgit2 (which
/// reads config, not the environment) work on a machine with no global identity.
pub fn set_identity(dir: &Path, name: &str, email: &str) {
    git(dir, &["config", "user.name", name]);
    git(dir, &["config", "user.email", email]);
}

/// `temp_repo` whose clone has Ada Ops as its configured identity.
pub fn temp_repo_with_identity() -> TempRepo {
    let repo = temp_repo();
    set_identity(&repo.work, "Ada Ops", "ada@example.com");
    repo
}

/// Someone else's clone of the same origin, beside the repo, named `name`.
pub fn other_clone(repo: &TempRepo, name: &str) -> PathBuf {
    let dir = repo.work.parent().unwrap();
    let other = dir.join(name);
    let (remote, to) = (repo.remote.to_str().unwrap(), other.to_str().unwrap());
    git(dir, &["clone", "-q", remote, to]);
    other
}

/// Commits the snapshot states show in the log pane.
pub fn sample_commits() -> Vec<Commit> {
    vec![
        Commit {
            id: "4f2a9c1".repeat(5).chars().take(40).collect(),
            short: "4f2a9c1".into(),
            author: "Ada Ops".into(),
            time: 1_795_392_000,
            summary: "clusters/edge-berlin: scale workers 3 -> 4".into(),
        },
        Commit {
            id: "9b0e77d".repeat(5).chars().take(40).collect(),
            short: "9b0e77d".into(),
            author: "Lin Park".into(),
            time: 1_794_787_200,
            summary: "edge-berlin: first cut".into(),
        },
    ]
}

/// Runs effects synchronously the way the runtime would, with the fixture repo as the disk and
/// fixed git answers, until nothing is left to do.
pub fn settle(state: &mut State, mut effects: Vec<Effect>) {
    while let Some(fx) = effects.pop() {
        let root = state.repo.root.clone();
        let msg = match fx {
            Effect::Reindex => {
                Msg::Indexed(index::build(&root).map(Arc::new).map_err(|e| e.to_string()))
            }
            Effect::LoadFile(path) => {
                let text = std::fs::read_to_string(root.join(&path)).unwrap();
                Msg::FileLoaded {
                    result: Ok(Arc::new(FileText::new(
                        &text,
                        index::is_yaml(Path::new(&path)),
                    ))),
                    path,
                }
            }
            Effect::GitLog(path) => Msg::Git(GitMsg::Log {
                path,
                result: Ok(sample_commits()),
            }),
            Effect::RefreshGit => {
                let mut g = blast::git::status::GitStatus {
                    branch: Some("main".into()),
                    upstream: Some("origin/main".into()),
                    ahead: 1,
                    ..Default::default()
                };
                g.files.insert(
                    "clusters/edge-berlin/capi/workers.yaml".into(),
                    blast::git::status::FileStatus::Modified,
                );
                g.files.insert(
                    "apps/edge-berlin/mqtt/broken.yaml".into(),
                    blast::git::status::FileStatus::Untracked,
                );
                Msg::Git(GitMsg::Status(Ok(g)))
            }
            Effect::LoadChanges => Msg::Git(GitMsg::Changes(Ok(sample_changes()))),
            Effect::LoadDiff(path) => Msg::Git(GitMsg::Diff {
                path,
                result: Ok(Arc::new(sample_diff())),
            }),
            Effect::LoadQuick(target) => {
                let text = std::fs::read_to_string(state.repo.root.join(&target.path)).unwrap();
                Msg::QuickOptions {
                    result: Ok(blast::repo::quick::options(&text, target.doc, &target.kind)),
                    target,
                }
            }
            Effect::Validate(_) => Msg::Validated(Ok(vec![])),
            Effect::Suspend
            | Effect::Write(..)
            | Effect::CancelWrite
            | Effect::Quit
            | Effect::Watch(_)
            | Effect::UseContexts(_)
            | Effect::ReadRevisions(_)
            | Effect::Stream(_)
            | Effect::StopStream(_)
            | Effect::ScanRepoImages
            | Effect::FetchReports(_)
            | Effect::IndexImage { .. } => continue,
        };
        effects.extend(update(state, msg));
    }
}

/// What the changes view shows in the snapshots: a staged quick-action edit and an untracked file.
pub fn sample_changes() -> blast::app::changes::ChangesData {
    use blast::git::changes::Change;
    use blast::git::status::FileStatus;
    blast::app::changes::ChangesData {
        files: vec![
            Change {
                path: "apps/edge-berlin/mqtt/broken.yaml".into(),
                staged: None,
                unstaged: Some(FileStatus::Untracked),
                from: None,
            },
            Change {
                path: "clusters/edge-berlin/capi/workers.yaml".into(),
                staged: Some(FileStatus::Modified),
                unstaged: None,
                from: None,
            },
        ],
        author: Ok("Ada Ops <ada@example.com>".into()),
        prefix: String::new(),
    }
}

pub fn sample_diff() -> Vec<blast::git::diff::DiffLine> {
    use blast::git::diff::{DiffLine, LineKind};
    let l = |kind, old, new, text: &str| DiffLine {
        kind,
        old,
        new,
        text: text.into(),
    };
    vec![
        l(
            LineKind::Header,
            None,
            None,
            "--- a/clusters/edge-berlin/capi/workers.yaml",
        ),
        l(
            LineKind::Header,
            None,
            None,
            "+++ b/clusters/edge-berlin/capi/workers.yaml",
        ),
        l(LineKind::Hunk, None, None, "@@ -10,7 +10,7 @@ metadata:"),
        l(
            LineKind::Context,
            Some(10),
            Some(10),
            "    blast.io/site: edge-berlin",
        ),
        l(LineKind::Context, Some(11), Some(11), "spec:"),
        l(
            LineKind::Context,
            Some(12),
            Some(12),
            "  clusterName: edge-berlin",
        ),
        l(
            LineKind::Removed,
            Some(13),
            None,
            "  replicas: 3 # three workers",
        ),
        l(
            LineKind::Added,
            None,
            Some(13),
            "  replicas: 4 # three workers",
        ),
        l(LineKind::Context, Some(14), Some(14), "  template:"),
        l(LineKind::Context, Some(15), Some(15), "    metadata:"),
        l(LineKind::Context, Some(16), Some(16), "      labels:"),
    ]
}

/// The console on the fixture repo at a size, fully loaded.
pub fn loaded_state(w: u16, h: u16) -> State {
    let mut s = State::new(fixture_repo(), Keymap::default(), (w, h));
    s.repo.display = "~/src/datacenter".into();
    let fx = s.init();
    settle(&mut s, fx);
    s
}

/// Sends keys (as the keymap spells them) and settles the effects.
pub fn keys(state: &mut State, specs: &[&str]) {
    for spec in specs {
        let k = blast::keymap::Key::parse(spec).unwrap();
        let code = match k.code {
            blast::keymap::KeyCodeOrd::Char(c) => crossterm::event::KeyCode::Char(c),
            blast::keymap::KeyCodeOrd::Enter => crossterm::event::KeyCode::Enter,
            blast::keymap::KeyCodeOrd::Esc => crossterm::event::KeyCode::Esc,
            blast::keymap::KeyCodeOrd::Tab => crossterm::event::KeyCode::Tab,
            blast::keymap::KeyCodeOrd::Down => crossterm::event::KeyCode::Down,
            blast::keymap::KeyCodeOrd::Up => crossterm::event::KeyCode::Up,
            other => panic!("add {other:?} to support::keys"),
        };
        let mut mods = crossterm::event::KeyModifiers::NONE;
        if k.ctrl {
            mods |= crossterm::event::KeyModifiers::CONTROL;
        }
        let fx = update(state, Msg::Key(crossterm::event::KeyEvent::new(code, mods)));
        settle(state, fx);
    }
}

/// A rendered buffer as text: one line per row, trailing blanks trimmed (the snapshots' form).
pub fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
