//! The demo's scratch copy of the repo: `blast demo` never touches the user's checkout.
//!
//! From the repo the console would open, [`Sandbox::create`] makes, in a fresh temporary
//! folder:
//! - `origin.git`: a bare repository whose `main` is the checkout's `HEAD` commit (with its
//!   history; other branches and tags are left out), standing in for the git server Argo CD
//!   polls;
//! - `blast`: a clone of it on `main`, tracking `origin/main`, which the console browses,
//!   commits to and pushes from.
//!
//! Uncommitted changes of the checkout are not copied (the clone is of `HEAD`);
//! [`Sandbox::source_dirty`] says whether there were any. The user's repository is only read:
//! its objects are copied through a pack built in memory, no ref, index or config of it is
//! written. Without a `user.name`/`user.email` in the global git config, the clone gets
//! repo-local ones (`Blast demo <demo@blast.invalid>`) so commits work.
//!
//! Dropping the [`Sandbox`] removes the folder, unless it was created with `keep`.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository, RepositoryInitOptions};

/// The branch of `origin.git` the demo's Argo CD follows.
pub const BRANCH: &str = "main";
/// The identity written to the clone when none is configured globally.
pub const DEMO_NAME: &str = "Blast demo";
pub const DEMO_EMAIL: &str = "demo@blast.invalid";

/// A temporary `origin.git` + clone; removed on drop unless kept.
#[derive(Debug)]
pub struct Sandbox {
    root: PathBuf,
    origin: PathBuf,
    clone: PathBuf,
    head: String,
    previous: Option<String>,
    source_dirty: bool,
    keep: bool,
}

impl Sandbox {
    /// Creates the sandbox under `parent` (default: the system temp dir) from the git work tree
    /// (or bare repo) at `source`.
    pub fn create(source: &Path, parent: Option<&Path>, keep: bool) -> Result<Sandbox, String> {
        let parent = parent
            .map(Path::to_path_buf)
            .unwrap_or_else(std::env::temp_dir);
        std::fs::create_dir_all(&parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        let root = unique_dir(&parent)?;
        // From here on the folder is removed if anything fails (unless kept).
        let mut sb = Sandbox {
            origin: root.join("origin.git"),
            clone: root.join("blast"),
            root,
            head: String::new(),
            previous: None,
            source_dirty: false,
            keep,
        };
        let src = Repository::open(source).map_err(|e| {
            format!(
                "{} is not a git repository: {}",
                source.display(),
                e.message()
            )
        })?;
        let head = src
            .head()
            .and_then(|h| h.peel_to_commit())
            .map_err(|e| format!("{}: no HEAD commit: {}", source.display(), e.message()))?;
        sb.head = head.id().to_string();
        sb.previous = head.parent_id(0).ok().map(|p| p.to_string());
        sb.source_dirty = is_dirty(&src);

        let origin = init_bare(&sb.origin)?;
        copy_history(&src, &origin, head.id())?;
        origin
            .reference(
                &format!("refs/heads/{BRANCH}"),
                head.id(),
                true,
                "blast demo: HEAD of the checkout",
            )
            .map_err(|e| format!("origin.git: {}", e.message()))?;
        drop(origin);

        let url = sb
            .origin
            .to_str()
            .ok_or("temp path is not UTF-8")?
            .to_string();
        let clone = git2::build::RepoBuilder::new()
            .branch(BRANCH)
            .clone(&url, &sb.clone)
            .map_err(|e| format!("cloning {url}: {}", e.message()))?;
        set_identity_if_missing(&clone)?;
        Ok(sb)
    }

    /// The folder holding `origin.git` and `blast`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The bare repository Argo CD (the demo's reconciler) polls.
    pub fn origin(&self) -> &Path {
        &self.origin
    }

    /// The work tree the console opens.
    pub fn clone_path(&self) -> &Path {
        &self.clone
    }

    /// The commit `main` started at (the checkout's `HEAD`), full SHA.
    pub fn head(&self) -> &str {
        &self.head
    }

    /// Its first parent, if any.
    pub fn previous(&self) -> Option<&str> {
        self.previous.as_deref()
    }

    /// The checkout had uncommitted changes (not in the sandbox).
    pub fn source_dirty(&self) -> bool {
        self.source_dirty
    }

    pub fn kept(&self) -> bool {
        self.keep
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

fn unique_dir(parent: &Path) -> Result<PathBuf, String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    for i in 0..100u32 {
        let p = parent.join(format!(
            "blast-demo-{}-{:08x}",
            std::process::id(),
            nanos.wrapping_add(i)
        ));
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("{}: {e}", p.display())),
        }
    }
    Err(format!("no free folder name in {}", parent.display()))
}

/// Any change to tracked files, staged or not (untracked files do not count).
fn is_dirty(repo: &Repository) -> bool {
    if repo.is_bare() {
        return false;
    }
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(false).include_ignored(false);
    repo.statuses(Some(&mut opts))
        .map(|s| !s.is_empty())
        .unwrap_or(false)
}

fn init_bare(path: &Path) -> Result<Repository, String> {
    let mut opts = RepositoryInitOptions::new();
    opts.bare(true).initial_head(BRANCH).mkdir(true);
    Repository::init_opts(path, &opts).map_err(|e| format!("{}: {}", path.display(), e.message()))
}

/// Copies every object reachable from `head` into `to` through one pack built in memory: the
/// source repository is only read.
fn copy_history(from: &Repository, to: &Repository, head: Oid) -> Result<(), String> {
    let err = |e: git2::Error| format!("copying the history: {}", e.message());
    let mut walk = from.revwalk().map_err(err)?;
    walk.push(head).map_err(err)?;
    let mut pb = from.packbuilder().map_err(err)?;
    pb.insert_walk(&mut walk).map_err(err)?;
    let mut pack = git2::Buf::new();
    pb.write_buf(&mut pack).map_err(err)?;
    let odb = to.odb().map_err(err)?;
    let mut writer = odb.packwriter().map_err(err)?;
    std::io::Write::write_all(&mut writer, &pack).map_err(|e| e.to_string())?;
    writer.commit().map_err(err)?;
    Ok(())
}

/// Writes the demo identity into the clone's own config for whichever of `user.name` and
/// `user.email` no global (or system) config provides.
fn set_identity_if_missing(clone: &Repository) -> Result<(), String> {
    let global = git2::Config::open_default().ok();
    let has = |key: &str| {
        global
            .as_ref()
            .and_then(|c| c.get_string(key).ok())
            .is_some_and(|v| !v.trim().is_empty())
    };
    let mut local = clone
        .config()
        .and_then(|c| c.open_level(git2::ConfigLevel::Local))
        .map_err(|e| format!("clone config: {}", e.message()))?;
    for (key, value) in [("user.name", DEMO_NAME), ("user.email", DEMO_EMAIL)] {
        if !has(key) {
            local
                .set_str(key, value)
                .map_err(|e| format!("clone config {key}: {}", e.message()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit_file(repo: &Repository, path: &str, text: &str, msg: &str) -> Oid {
        let root = repo.workdir().unwrap();
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new(path)).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("t", "t@example.invalid").unwrap();
        let parents: Vec<git2::Commit> = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
            .unwrap()
    }

    #[test]
    fn clone_of_head_on_main_tracking_origin_and_removed_on_drop() {
        let tmp = tempfile::tempdir().unwrap();
        let src_dir = tmp.path().join("src");
        let src = Repository::init(&src_dir).unwrap();
        let first = commit_file(&src, "clusters/a.yaml", "a: 1\n", "one");
        let second = commit_file(&src, "clusters/a.yaml", "a: 2\n", "two");
        // an uncommitted change stays out of the sandbox
        std::fs::write(src_dir.join("clusters/a.yaml"), "a: 3\n").unwrap();
        let sb = Sandbox::create(&src_dir, Some(&tmp.path().join("sb")), false).unwrap();
        assert_eq!(sb.head(), second.to_string());
        assert_eq!(sb.previous(), Some(first.to_string().as_str()));
        assert!(sb.source_dirty());
        assert_eq!(
            std::fs::read_to_string(sb.clone_path().join("clusters/a.yaml")).unwrap(),
            "a: 2\n"
        );
        let clone = Repository::open(sb.clone_path()).unwrap();
        assert_eq!(clone.head().unwrap().shorthand().ok(), Some("main"));
        let branch = clone.find_branch("main", git2::BranchType::Local).unwrap();
        assert_eq!(
            branch.upstream().unwrap().name().unwrap(),
            Some("origin/main")
        );
        let origin = Repository::open_bare(sb.origin()).unwrap();
        assert!(origin.find_remote("origin").is_err(), "no link back");
        assert_eq!(
            origin.refname_to_id("refs/heads/main").unwrap().to_string(),
            sb.head()
        );
        let root = sb.root().to_path_buf();
        assert!(root.exists());
        drop(sb);
        assert!(!root.exists());
    }

    #[test]
    fn kept_sandbox_stays() {
        let tmp = tempfile::tempdir().unwrap();
        let src_dir = tmp.path().join("src");
        let src = Repository::init(&src_dir).unwrap();
        commit_file(&src, "x.yaml", "x: 1\n", "one");
        let sb = Sandbox::create(&src_dir, Some(tmp.path()), true).unwrap();
        let root = sb.root().to_path_buf();
        drop(sb);
        assert!(root.join("blast/x.yaml").exists());
    }

    #[test]
    fn not_a_repo_is_an_error_and_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let parent = tmp.path().join("sb");
        let err = Sandbox::create(&tmp.path().join("nope"), Some(&parent), false).unwrap_err();
        assert!(err.contains("not a git repository"), "{err}");
        assert_eq!(std::fs::read_dir(&parent).unwrap().count(), 0);
    }
}
