//! Where the repo stands: branch, upstream, ahead/behind and a status per file, for the header
//! and the tree. Reads only; the git worker runs it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{Repository, Status, StatusOptions};

use super::repository::open;

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

/// The work tree root of the repository containing `path`, if any.
pub fn discover(path: &Path) -> Option<PathBuf> {
    let repo = Repository::discover(path).ok()?;
    repo.workdir().map(Path::to_path_buf)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::log::path_log;
    use crate::git::test_support::{Identity, bare_origin_and_clone, git_as};

    /// The commits of these tests are Ada's, made now.
    const ADA: Identity = Identity {
        name: "Ada",
        email: "ada@example.com",
        date: None,
    };

    fn git(dir: &Path, args: &[&str]) {
        git_as(&ADA, dir, args);
    }

    #[test]
    fn status_ahead_behind_and_path_log_against_a_bare_remote() {
        let tmp = tempfile::tempdir().unwrap();
        let (_, work) = bare_origin_and_clone(tmp.path(), "work");
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
