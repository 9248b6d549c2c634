//! Blocking git2 calls as plain functions; the worker runs them off the UI thread.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{Repository, Status, StatusOptions};

/// What changed in a file, as the header and tree show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    Modified,
    Added,
    Deleted,
    Renamed,
    Untracked,
    Conflicted,
}

impl FileStatus {
    pub fn mark(self) -> &'static str {
        match self {
            FileStatus::Modified => "M",
            FileStatus::Added => "A",
            FileStatus::Deleted => "D",
            FileStatus::Renamed => "R",
            FileStatus::Untracked => "?",
            FileStatus::Conflicted => "!",
        }
    }
}

/// A snapshot of the repo's git state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitStatus {
    /// Branch name, or `None` on a detached HEAD (then `head` holds the short id).
    pub branch: Option<String>,
    pub head: Option<String>,
    /// `origin/main` etc.
    pub upstream: Option<String>,
    pub ahead: usize,
    pub behind: usize,
    /// Paths relative to the work tree root, with `/` separators.
    pub files: BTreeMap<String, FileStatus>,
}

impl GitStatus {
    pub fn count(&self, pred: impl Fn(FileStatus) -> bool) -> usize {
        self.files.values().filter(|s| pred(**s)).count()
    }

    pub fn modified(&self) -> usize {
        self.count(|s| s != FileStatus::Untracked)
    }

    pub fn untracked(&self) -> usize {
        self.count(|s| s == FileStatus::Untracked)
    }
}

/// One commit of a path's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: String,
    pub short: String,
    pub author: String,
    /// Seconds since the epoch (committer time).
    pub time: i64,
    pub summary: String,
}

/// The work tree root of the repository containing `path`, if any.
pub fn discover(path: &Path) -> Option<PathBuf> {
    let repo = Repository::discover(path).ok()?;
    repo.workdir().map(Path::to_path_buf)
}

fn open(root: &Path) -> Result<Repository, git2::Error> {
    Repository::discover(root)
}

/// Branch, upstream, ahead/behind and file statuses.
pub fn status(root: &Path) -> Result<GitStatus, git2::Error> {
    let repo = open(root)?;
    let mut out = GitStatus::default();
    match repo.head() {
        Ok(head) => {
            out.head = head.target().map(|id| id.to_string()[..7].to_string());
            if head.is_branch() {
                out.branch = head.shorthand().ok().map(str::to_string);
                let branch = git2::Branch::wrap(head);
                if let Ok(up) = branch.upstream() {
                    out.upstream = up.name().ok().flatten().map(str::to_string);
                    if let (Some(local), Some(remote)) = (branch.get().target(), up.get().target())
                    {
                        let (a, b) = repo.graph_ahead_behind(local, remote)?;
                        out.ahead = a;
                        out.behind = b;
                    }
                }
            }
        }
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => {
            // A repo with no commit yet: name the branch HEAD points at.
            if let Ok(r) = repo.find_reference("HEAD") {
                out.branch = r
                    .symbolic_target()
                    .ok()
                    .flatten()
                    .map(|t| t.trim_start_matches("refs/heads/").to_string());
            }
        }
        Err(e) => return Err(e),
    }
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .renames_head_to_index(true);
    for entry in repo.statuses(Some(&mut opts))?.iter() {
        let Ok(path) = entry.path() else { continue };
        let s = entry.status();
        let st = if s.is_conflicted() {
            FileStatus::Conflicted
        } else if s.contains(Status::WT_NEW) {
            FileStatus::Untracked
        } else if s.intersects(Status::INDEX_NEW) {
            FileStatus::Added
        } else if s.intersects(Status::INDEX_DELETED | Status::WT_DELETED) {
            FileStatus::Deleted
        } else if s.intersects(Status::INDEX_RENAMED | Status::WT_RENAMED) {
            FileStatus::Renamed
        } else if s.intersects(
            Status::INDEX_MODIFIED
                | Status::WT_MODIFIED
                | Status::INDEX_TYPECHANGE
                | Status::WT_TYPECHANGE,
        ) {
            FileStatus::Modified
        } else {
            continue;
        };
        out.files.insert(path.to_string(), st);
    }
    Ok(out)
}

/// The newest `limit` commits reachable from HEAD that changed `path` (a file or folder, relative
/// to the work tree; empty for the whole repo). Walks at most `scan` commits so a deep history
/// cannot stall the worker.
pub fn path_log(
    root: &Path,
    path: &str,
    limit: usize,
    scan: usize,
) -> Result<Vec<Commit>, git2::Error> {
    let repo = open(root)?;
    let mut walk = repo.revwalk()?;
    if walk.push_head().is_err() {
        return Ok(Vec::new());
    }
    walk.set_sorting(git2::Sort::TIME)?;
    let mut out = Vec::new();
    let mut opts = git2::DiffOptions::new();
    if !path.is_empty() {
        opts.pathspec(path);
    }
    for id in walk.take(scan) {
        let commit = repo.find_commit(id?)?;
        let touched = if path.is_empty() {
            true
        } else {
            let tree = commit.tree()?;
            let parent_tree = match commit.parent(0) {
                Ok(p) => Some(p.tree()?),
                Err(_) => None,
            };
            let diff =
                repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))?;
            diff.deltas().len() > 0
        };
        if touched {
            let id = commit.id().to_string();
            out.push(Commit {
                short: id[..7].to_string(),
                id,
                author: commit.author().name().unwrap_or("?").to_string(),
                time: commit.time().seconds(),
                summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
            });
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

/// `((revision, path), newest commit on HEAD changing path (short), commits behind)`.
pub type PathRevisionFound = ((String, String), String, Option<usize>);

/// For each `(revision, path)`: the newest commit on HEAD that changed `path`, and how many
/// commits on HEAD changed it after `revision` (`None` when `revision` is not found within
/// `scan` commits of HEAD). One walk for all of them: each commit's changed files are listed
/// once. Paths are relative to the work tree, as Argo CD Applications name them.
pub fn path_revisions(
    root: &Path,
    wanted: &[(String, String)],
    scan: usize,
) -> Result<Vec<PathRevisionFound>, git2::Error> {
    let repo = open(root)?;
    let mut walk = repo.revwalk()?;
    if walk.push_head().is_err() {
        return Ok(Vec::new());
    }
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
    // Per wanted pair: newest commit touching the path, commits counted, done.
    let mut state: Vec<(Option<String>, usize, Option<usize>)> =
        vec![(None, 0, None); wanted.len()];
    for id in walk.take(scan) {
        if state.iter().all(|s| s.2.is_some()) {
            break;
        }
        let commit = repo.find_commit(id?)?;
        let sha = commit.id().to_string();
        let tree = commit.tree()?;
        let parent_tree = match commit.parent(0) {
            Ok(p) => Some(p.tree()?),
            Err(_) => None,
        };
        let diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)?;
        let changed = delta_paths(&diff);
        for ((rev, path), st) in wanted.iter().zip(state.iter_mut()) {
            if st.2.is_some() {
                continue;
            }
            if !rev.is_empty() && sha.starts_with(rev.as_str()) {
                st.2 = Some(st.1);
                continue;
            }
            let path = path.trim_matches('/');
            let touches = changed
                .iter()
                .any(|c| path.is_empty() || c == path || c.starts_with(&format!("{path}/")));
            if touches {
                st.1 += 1;
                if st.0.is_none() {
                    st.0 = Some(sha[..7].to_string());
                }
            }
        }
    }
    Ok(wanted
        .iter()
        .cloned()
        .zip(state)
        .map(|(w, (head, _, behind))| (w, head.unwrap_or_default(), behind))
        .collect())
}

/// Every path a diff touches, old and new sides (a rename gives both), `/`-separated.
fn delta_paths(diff: &git2::Diff) -> Vec<String> {
    diff.deltas()
        .flat_map(|d| [d.old_file().path(), d.new_file().path()])
        .flatten()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect()
}

/// The commit the current branch's upstream points at (`None` without an upstream).
pub fn upstream_id(root: &Path) -> Result<Option<String>, git2::Error> {
    let repo = open(root)?;
    let head = repo.head()?;
    if !head.is_branch() {
        return Ok(None);
    }
    let branch = git2::Branch::wrap(head);
    Ok(branch
        .upstream()
        .ok()
        .and_then(|u| u.get().target())
        .map(|id| id.to_string()))
}

/// The files (work-tree relative) that differ between commit `from` and commit `to`; every
/// file of `to` when `from` is `None` or unknown.
pub fn changed_paths(
    root: &Path,
    from: Option<&str>,
    to: &str,
) -> Result<Vec<String>, git2::Error> {
    let repo = open(root)?;
    let to_tree = repo.find_commit(git2::Oid::from_str(to)?)?.tree()?;
    let from_tree = from
        .and_then(|f| git2::Oid::from_str(f).ok())
        .and_then(|id| repo.find_commit(id).ok())
        .and_then(|c| c.tree().ok());
    let diff = repo.diff_tree_to_tree(from_tree.as_ref(), Some(&to_tree), None)?;
    let mut out = delta_paths(&diff);
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::process::Command;

    pub fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn head(dir: &Path) -> String {
        let out = Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(dir)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    #[test]
    fn path_revisions_count_the_commits_a_synced_revision_is_behind() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path();
        git(dir, &["init", "-q", "-b", "main"]);
        let commit = |file: &str, text: &str| {
            let p = dir.join(file);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
            git(dir, &["add", "-A"]);
            git(dir, &["commit", "-q", "-m", file]);
            head(dir)
        };
        let c1 = commit("apps/a/x.yaml", "1");
        let c2 = commit("apps/b/y.yaml", "1");
        let c3 = commit("apps/a/x.yaml", "2");
        let wanted = vec![
            (c1.clone(), "apps/a".to_string()),
            (c3.clone(), "apps/a".to_string()),
            (c1.clone(), "apps/b/".to_string()),
            ("0".repeat(40), "apps/a".to_string()),
        ];
        let got = path_revisions(dir, &wanted, 100).unwrap();
        let short = |c: &str| c[..7].to_string();
        assert_eq!(got[0].1, short(&c3));
        assert_eq!(got[0].2, Some(1), "c3 changed apps/a after c1");
        assert_eq!(got[1].2, Some(0), "synced to HEAD");
        assert_eq!((got[2].1.clone(), got[2].2), (short(&c2), Some(1)));
        assert_eq!(got[3].2, None, "a revision this repo does not have");
    }

    #[test]
    fn status_ahead_behind_and_path_log_against_a_bare_remote() {
        let tmp = tempfile::tempdir().unwrap();
        let remote = tmp.path().join("origin.git");
        let work = tmp.path().join("work");
        git(
            tmp.path(),
            &[
                "init",
                "-q",
                "--bare",
                "-b",
                "main",
                remote.to_str().unwrap(),
            ],
        );
        git(
            tmp.path(),
            &[
                "clone",
                "-q",
                remote.to_str().unwrap(),
                work.to_str().unwrap(),
            ],
        );
        std::fs::create_dir_all(work.join("clusters/a")).unwrap();
        std::fs::write(work.join("clusters/a/x.yaml"), "kind: A\n").unwrap();
        std::fs::write(work.join("README.md"), "hi\n").unwrap();
        git(&work, &["add", "."]);
        git(&work, &["commit", "-q", "-m", "first"]);
        git(&work, &["push", "-q", "origin", "HEAD:main"]);
        git(&work, &["branch", "-q", "--set-upstream-to=origin/main"]);
        std::fs::write(work.join("clusters/a/x.yaml"), "kind: B\n").unwrap();
        git(&work, &["commit", "-q", "-am", "second: clusters/a"]);
        std::fs::write(work.join("README.md"), "changed\n").unwrap();
        std::fs::write(work.join("new.txt"), "n\n").unwrap();

        let s = status(&work).unwrap();
        assert_eq!(s.branch.as_deref(), Some("main"));
        assert_eq!(s.upstream.as_deref(), Some("origin/main"));
        assert_eq!((s.ahead, s.behind), (1, 0));
        assert_eq!(s.files.get("README.md"), Some(&FileStatus::Modified));
        assert_eq!(s.files.get("new.txt"), Some(&FileStatus::Untracked));
        assert_eq!((s.modified(), s.untracked()), (1, 1));

        let log = path_log(&work, "clusters/a", 10, 100).unwrap();
        assert_eq!(
            log.iter().map(|c| c.summary.as_str()).collect::<Vec<_>>(),
            vec!["second: clusters/a", "first"]
        );
        assert_eq!(log[0].author, "Ada");
        let log = path_log(&work, "README.md", 10, 100).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(
            discover(&work.join("clusters"))
                .unwrap()
                .canonicalize()
                .unwrap(),
            work.canonicalize().unwrap()
        );
    }

    #[test]
    fn unborn_branch_and_no_repo() {
        let tmp = tempfile::tempdir().unwrap();
        git(tmp.path(), &["init", "-q", "-b", "trunk"]);
        let s = status(tmp.path()).unwrap();
        assert_eq!(s.branch.as_deref(), Some("trunk"));
        assert!(path_log(tmp.path(), "", 5, 5).unwrap().is_empty());
        let plain = tempfile::tempdir().unwrap();
        assert!(status(plain.path()).is_err());
    }
}
