//! Blocking git2 calls that change the repository: stage, unstage, discard, commit, push, fetch
//! and rebase onto the upstream. The git worker runs them off the UI thread, one at a time.
//!
//! Paths in and out are relative to the work-tree root, with `/` separators. Every function opens
//! the repository afresh (like `ops`), so nothing here holds git state between calls.
//!
//! What each function leaves behind when it fails is part of its contract and written on it:
//! the console never loses a commit or a staged change because a network call went wrong.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use git2::{
    CredentialType, ErrorCode, IndexEntry, IndexTime, Oid, Repository, RepositoryState, Status,
    StatusOptions,
};

use super::ops::FileStatus;

// ---------------------------------------------------------------------------------------------
// Changes, diff, stage, unstage, discard
// ---------------------------------------------------------------------------------------------

/// One changed file: what the index holds against HEAD (`staged`) and what the working tree holds
/// against the index (`unstaged`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The file's path now (for a staged rename, the new path).
    pub path: String,
    /// Index against HEAD: `Added`, `Modified`, `Deleted`, `Renamed`; `None` when unchanged.
    pub staged: Option<FileStatus>,
    /// Working tree against the index: `Modified`, `Deleted`, `Untracked`, or `Conflicted` for a
    /// file with unresolved merge conflicts (then `staged` is `None`); `None` when unchanged.
    pub unstaged: Option<FileStatus>,
    /// For a staged rename, the path the file had in HEAD.
    pub from: Option<String>,
}

fn open(root: &Path) -> Result<Repository, git2::Error> {
    Repository::discover(root)
}

fn workdir(repo: &Repository) -> Result<PathBuf, git2::Error> {
    repo.workdir()
        .map(Path::to_path_buf)
        .ok_or_else(|| git2::Error::from_str("a bare repository has no work tree"))
}

fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Every changed file, sorted by path: staged and unstaged changes, untracked files (each file
/// of an untracked folder listed on its own, `unstaged = Untracked`), staged renames (with
/// `from`), conflicts. Ignored files are left out. Reads only.
pub fn changes(root: &Path) -> Result<Vec<Change>, git2::Error> {
    let repo = open(root)?;
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .renames_head_to_index(true);
    let mut out = BTreeMap::new();
    for entry in repo.statuses(Some(&mut opts))?.iter() {
        let s = entry.status();
        let staged_delta = entry.head_to_index();
        let path = staged_delta
            .as_ref()
            .and_then(|d| d.new_file().path())
            .or_else(|| entry.index_to_workdir().and_then(|d| d.new_file().path()))
            .map(slash)
            .or_else(|| entry.path().ok().map(str::to_string));
        let Some(path) = path else { continue };
        let (staged, unstaged) = if s.is_conflicted() {
            (None, Some(FileStatus::Conflicted))
        } else {
            let staged = if s.contains(Status::INDEX_NEW) {
                Some(FileStatus::Added)
            } else if s.contains(Status::INDEX_RENAMED) {
                Some(FileStatus::Renamed)
            } else if s.contains(Status::INDEX_DELETED) {
                Some(FileStatus::Deleted)
            } else if s.intersects(Status::INDEX_MODIFIED | Status::INDEX_TYPECHANGE) {
                Some(FileStatus::Modified)
            } else {
                None
            };
            let unstaged = if s.contains(Status::WT_NEW) {
                Some(FileStatus::Untracked)
            } else if s.contains(Status::WT_DELETED) {
                Some(FileStatus::Deleted)
            } else if s.contains(Status::WT_RENAMED) {
                Some(FileStatus::Renamed)
            } else if s.intersects(Status::WT_MODIFIED | Status::WT_TYPECHANGE) {
                Some(FileStatus::Modified)
            } else {
                None
            };
            (staged, unstaged)
        };
        if staged.is_none() && unstaged.is_none() {
            continue;
        }
        let from = if s.contains(Status::INDEX_RENAMED) {
            staged_delta
                .as_ref()
                .and_then(|d| d.old_file().path())
                .map(slash)
        } else {
            None
        };
        out.insert(
            path.clone(),
            Change {
                path,
                staged,
                unstaged,
                from,
            },
        );
    }
    Ok(out.into_values().collect())
}

/// What a line of a diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `diff --git`, `index`, `---`, `+++` and the like.
    Header,
    /// `@@ -a,b +c,d @@`; its `old`/`new` are the hunk's first line numbers.
    Hunk,
    Context,
    Added,
    Removed,
    /// `\ No newline at end of file`, after the line it is about.
    NoNewline,
    /// `Binary files a/x and b/x differ`: the only body line of a binary file.
    Binary,
}

/// One line of a unified diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: LineKind,
    /// Line number in HEAD's version (context and removed lines).
    pub old: Option<u32>,
    /// Line number in the working tree's version (context and added lines).
    pub new: Option<u32>,
    /// The line without its trailing newline (and without a trailing `\r`); not valid UTF-8 is
    /// replaced, never an error.
    pub text: String,
}

fn line_text(bytes: &[u8]) -> String {
    let t = String::from_utf8_lossy(bytes);
    let t = t.strip_suffix('\n').unwrap_or(&t);
    t.strip_suffix('\r').unwrap_or(t).to_string()
}

/// The unified diff (3 lines of context) of one file from HEAD (the empty tree on an unborn
/// branch) to the working tree, whatever the index holds: an untracked or added file is all
/// added lines, a deleted one all removed, a binary file its headers and one `Binary` line. A
/// file with no change gives an empty list. Reads only.
pub fn diff_file(root: &Path, path: &str) -> Result<Vec<DiffLine>, git2::Error> {
    let repo = open(root)?;
    let head_tree = head_tree(&repo)?;
    let mut opts = git2::DiffOptions::new();
    opts.pathspec(path)
        .disable_pathspec_match(true)
        .context_lines(3)
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .show_untracked_content(true);
    let diff = repo.diff_tree_to_workdir(head_tree.as_ref(), Some(&mut opts))?;
    let mut out = Vec::new();
    diff.print(git2::DiffFormat::Patch, |_delta, hunk, line| {
        let (kind, old, new) = match line.origin() {
            ' ' => (LineKind::Context, line.old_lineno(), line.new_lineno()),
            '+' => (LineKind::Added, None, line.new_lineno()),
            '-' => (LineKind::Removed, line.old_lineno(), None),
            '=' | '>' | '<' => (LineKind::NoNewline, None, None),
            'F' => {
                // The file header comes as one multi-line chunk.
                for l in line.content().split(|b| *b == b'\n') {
                    if !l.is_empty() {
                        out.push(DiffLine {
                            kind: LineKind::Header,
                            old: None,
                            new: None,
                            text: line_text(l),
                        });
                    }
                }
                return true;
            }
            'H' => {
                let (o, n) =
                    hunk.map_or((None, None), |h| (Some(h.old_start()), Some(h.new_start())));
                (LineKind::Hunk, o, n)
            }
            'B' => (LineKind::Binary, None, None),
            _ => return true,
        };
        let text = if kind == LineKind::NoNewline {
            "\\ No newline at end of file".to_string()
        } else {
            line_text(line.content())
        };
        out.push(DiffLine {
            kind,
            old,
            new,
            text,
        });
        true
    })?;
    Ok(out)
}

fn head_commit(repo: &Repository) -> Result<Option<git2::Commit<'_>>, git2::Error> {
    match repo.head() {
        Ok(h) => Ok(Some(h.peel_to_commit()?)),
        Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

fn head_tree(repo: &Repository) -> Result<Option<git2::Tree<'_>>, git2::Error> {
    head_commit(repo)?.map(|c| c.tree()).transpose()
}

/// Stages whole files, like `git add -- PATH`: a file present in the working tree is added (or
/// updated, which also marks a conflict resolved); a file gone from it is removed from the index.
/// The index is written once, after every path went in: on error the index on disk is unchanged.
pub fn stage(root: &Path, paths: &[String]) -> Result<(), git2::Error> {
    let repo = open(root)?;
    let wd = workdir(&repo)?;
    let mut index = repo.index()?;
    for p in paths {
        let rel = Path::new(p);
        if wd.join(rel).symlink_metadata().is_ok() {
            index.add_path(rel)?;
        } else {
            index.remove_path(rel)?;
        }
    }
    index.write()
}

/// Puts the index entry of `path` back to HEAD's (removes it when HEAD has no such file).
fn reset_entry(
    index: &mut git2::Index,
    tree: Option<&git2::Tree<'_>>,
    path: &str,
) -> Result<(), git2::Error> {
    let rel = Path::new(path);
    index.remove_path(rel)?;
    let Some(entry) = tree.and_then(|t| t.get_path(rel).ok()) else {
        return Ok(());
    };
    if entry.kind() == Some(git2::ObjectType::Tree) {
        return Ok(());
    }
    let zero = IndexTime::new(0, 0);
    index.add(&IndexEntry {
        ctime: zero,
        mtime: zero,
        dev: 0,
        ino: 0,
        mode: entry.filemode() as u32,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: entry.id(),
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    })
}

/// `paths` plus the HEAD-side path of any of them that is a staged rename.
fn with_rename_sources(root: &Path, paths: &[String]) -> Result<Vec<String>, git2::Error> {
    let renames: BTreeMap<String, String> = changes(root)?
        .into_iter()
        .filter_map(|c| Some((c.path, c.from?)))
        .collect();
    let mut all: Vec<String> = paths.to_vec();
    all.extend(paths.iter().filter_map(|p| renames.get(p).cloned()));
    all.sort();
    all.dedup();
    Ok(all)
}

/// Unstages whole files, like `git restore --staged -- PATH`: each index entry goes back to
/// HEAD's, or is removed when HEAD has no such file (an added file becomes untracked again).
/// Unstaging a staged rename unstages both of its paths. The working tree is never touched, and
/// the index is written once at the end: on error the index on disk is unchanged.
pub fn unstage(root: &Path, paths: &[String]) -> Result<(), git2::Error> {
    let repo = open(root)?;
    let all = with_rename_sources(root, paths)?;
    let tree = head_tree(&repo)?;
    let mut index = repo.index()?;
    for p in &all {
        reset_entry(&mut index, tree.as_ref(), p)?;
    }
    index.write()
}

/// Throws away every change to one file, staged or not: the index entry and the working-tree
/// file go back to HEAD's; a file HEAD does not have (untracked or added) is deleted, and folders
/// it leaves empty are removed. Discarding a staged rename restores the old path too.
///
/// This is the one call here that loses work by design: the UI asks first. The index is written
/// before the working tree is touched; a failure in between leaves the change unstaged but still
/// in the working tree.
pub fn discard(root: &Path, path: &str) -> Result<(), git2::Error> {
    let repo = open(root)?;
    let wd = workdir(&repo)?;
    let all = with_rename_sources(root, &[path.to_string()])?;
    let tree = head_tree(&repo)?;
    let mut index = repo.index()?;
    for p in &all {
        reset_entry(&mut index, tree.as_ref(), p)?;
    }
    index.write()?;
    let (restore, delete): (Vec<&String>, Vec<&String>) = all.iter().partition(|p| {
        tree.as_ref()
            .and_then(|t| t.get_path(Path::new(p.as_str())).ok())
            .is_some()
    });
    if !restore.is_empty() {
        let mut co = git2::build::CheckoutBuilder::new();
        co.force().disable_pathspec_match(true);
        for p in &restore {
            co.path(p.as_str());
        }
        repo.checkout_index(Some(&mut index), Some(&mut co))?;
    }
    for p in delete {
        let file = wd.join(p);
        match file.symlink_metadata() {
            Ok(m) if m.is_dir() => {
                return Err(git2::Error::from_str(&format!(
                    "{p} is a folder; discard its files one by one"
                )));
            }
            Ok(_) => std::fs::remove_file(&file)
                .map_err(|e| git2::Error::from_str(&format!("removing {p}: {e}")))?,
            Err(_) => {}
        }
        let mut dir = file.parent();
        while let Some(d) = dir {
            if d == wd || !d.starts_with(&wd) || std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Commit
// ---------------------------------------------------------------------------------------------

/// A commit just made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub id: String,
    pub short: String,
    pub summary: String,
    /// `Name <email>`.
    pub author: String,
}

/// Why a commit was not made. In every case nothing was written: HEAD, the branch and the index
/// are as they were, and the staged changes are still staged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitError {
    NothingStaged,
    DetachedHead,
    /// Which setting is missing.
    NoIdentity(String),
    EmptyMessage,
    /// Paths with unresolved conflicts.
    Unmerged(Vec<String>),
    /// A merge, rebase, cherry-pick... started by git is not finished (names it).
    InProgress(String),
    Git(String),
}

impl fmt::Display for CommitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitError::NothingStaged => {
                write!(f, "Nothing is staged: stage the files to commit first.")
            }
            CommitError::DetachedHead => write!(
                f,
                "HEAD is detached (not on a branch): check out a branch before committing."
            ),
            CommitError::NoIdentity(what) => write!(
                f,
                "No commit identity ({what}): set it with `git config --global user.name \"Your \
                 Name\"` and `git config --global user.email you@example.com`."
            ),
            CommitError::EmptyMessage => {
                write!(
                    f,
                    "The commit message is empty: write what the change does."
                )
            }
            CommitError::Unmerged(paths) => write!(
                f,
                "{} file(s) still have merge conflicts ({}): resolve and stage them first.",
                paths.len(),
                paths.join(", ")
            ),
            CommitError::InProgress(what) => write!(
                f,
                "A {what} is in progress: finish or abort it with git first; nothing was committed."
            ),
            CommitError::Git(m) => write!(
                f,
                "The commit failed ({m}); nothing was committed and the staged changes are still \
                 staged."
            ),
        }
    }
}

impl std::error::Error for CommitError {}

impl From<git2::Error> for CommitError {
    fn from(e: git2::Error) -> Self {
        CommitError::Git(e.message().to_string())
    }
}

/// `Name <email>` from `user.name` and `user.email` of one configuration (all levels merged).
fn identity(config: &git2::Config) -> Result<(String, String), CommitError> {
    let get = |key: &str| {
        config
            .get_string(key)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    match (get("user.name"), get("user.email")) {
        (Some(n), Some(e)) => Ok((n, e)),
        (None, None) => Err(CommitError::NoIdentity(
            "user.name and user.email are not set".into(),
        )),
        (None, _) => Err(CommitError::NoIdentity("user.name is not set".into())),
        (_, None) => Err(CommitError::NoIdentity("user.email is not set".into())),
    }
}

/// The identity commits are made with, `Name <email>`, from git config (the repo's, then the
/// global and system files), for the commit dialog to show. Reads only.
pub fn author(root: &Path) -> Result<String, CommitError> {
    let repo = open(root)?;
    let (name, email) = identity(&repo.config()?)?;
    Ok(format!("{name} <{email}>"))
}

fn state_name(state: RepositoryState) -> Option<&'static str> {
    match state {
        RepositoryState::Clean => None,
        RepositoryState::Merge => Some("merge"),
        RepositoryState::Revert | RepositoryState::RevertSequence => Some("revert"),
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence => Some("cherry-pick"),
        RepositoryState::Bisect => Some("bisect"),
        RepositoryState::Rebase
        | RepositoryState::RebaseInteractive
        | RepositoryState::RebaseMerge => Some("rebase"),
        RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => Some("git am"),
    }
}

/// Commits the index on the current branch with `message` (trailing whitespace and extra blank
/// lines cleaned, `#` lines kept) as the configured identity. Works on an unborn branch (the
/// first commit creates it). Refuses, changing nothing, when nothing is staged, HEAD is detached,
/// no identity is configured, the message is empty, conflicts are unresolved, or a git merge or
/// rebase is under way. The branch only moves if it still points where it did when the commit
/// was built. Hooks are not run and commits are not signed.
pub fn commit(root: &Path, message: &str) -> Result<Committed, CommitError> {
    let repo = open(root)?;
    let message = git2::message_prettify(message, None)?;
    if message.trim().is_empty() {
        return Err(CommitError::EmptyMessage);
    }
    if repo.head_detached()? {
        return Err(CommitError::DetachedHead);
    }
    let (name, email) = identity(&repo.config()?)?;
    let mut index = repo.index()?;
    if index.has_conflicts() {
        let mut paths = BTreeSet::new();
        for c in index.conflicts()? {
            let c = c?;
            for e in [c.our, c.their, c.ancestor].into_iter().flatten() {
                paths.insert(String::from_utf8_lossy(&e.path).into_owned());
            }
        }
        return Err(CommitError::Unmerged(paths.into_iter().collect()));
    }
    if let Some(what) = state_name(repo.state()) {
        return Err(CommitError::InProgress(what.into()));
    }
    let tree_id = index.write_tree()?;
    let parent = head_commit(&repo)?;
    let staged = match &parent {
        Some(p) => p.tree_id() != tree_id,
        None => !index.is_empty(),
    };
    if !staged {
        return Err(CommitError::NothingStaged);
    }
    let tree = repo.find_tree(tree_id)?;
    let sig = git2::Signature::now(&name, &email)?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let id = repo.commit(Some("HEAD"), &sig, &sig, &message, &tree, &parents)?;
    let id = id.to_string();
    Ok(Committed {
        short: id[..7].to_string(),
        id,
        summary: message.lines().next().unwrap_or("").trim().to_string(),
        author: format!("{name} <{email}>"),
    })
}

// ---------------------------------------------------------------------------------------------
// Push and fetch
// ---------------------------------------------------------------------------------------------

/// How far a push or fetch got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// `counting`, `compressing`, `writing`, `receiving`, `resolving`, `remote` (a line the
    /// remote sent), `git` (another line from the system git).
    pub stage: &'static str,
    pub current: usize,
    pub total: usize,
    pub bytes: usize,
    /// A line of text for `remote` and system-git stages; empty otherwise. Credentials in URLs
    /// are masked.
    pub text: String,
}

/// How a push or fetch reached the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Libgit2,
    /// libgit2 could not (its error in `why`) and the system `git` did, with the user's ssh
    /// configuration.
    SystemGit {
        why: String,
    },
}

/// A push that the remote accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    pub remote: String,
    /// The branch on the remote.
    pub branch: String,
    /// The commit the remote branch now points at.
    pub id: String,
    pub via: Via,
}

/// Why a push (or fetch) did not happen. Either way the local branch, its commits, the index and
/// the working tree are untouched: the commits are still local.
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
            PushError::Other(m) => write!(f, "Git could not reach the remote ({m}); {LOCAL}."),
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl std::error::Error for PushError {}

/// Calls to the credentials callback after which we stop, whatever is left to try.
const MAX_CRED_CALLS: u32 = 8;
const SSH_KEYS: [&str; 3] = ["id_ed25519", "id_ecdsa", "id_rsa"];

/// What the credentials callback offered so far; libgit2 calls it again after each failure.
#[derive(Default)]
struct Creds {
    calls: u32,
    tried: Vec<String>,
    agent: bool,
    keys: Option<VecDeque<PathBuf>>,
    helper: bool,
    default: bool,
    exhausted: bool,
}

fn home() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf())
}

/// True when a private key file needs a passphrase (or cannot be read as a key we know).
fn key_is_encrypted(text: &str) -> bool {
    if text.contains("ENCRYPTED") {
        // PEM `Proc-Type: 4,ENCRYPTED`, PKCS#8 `BEGIN ENCRYPTED PRIVATE KEY`.
        return true;
    }
    const BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
    const END: &str = "-----END OPENSSH PRIVATE KEY-----";
    let Some(start) = text.find(BEGIN) else {
        return false;
    };
    let body = &text[start + BEGIN.len()..];
    let body = &body[..body.find(END).unwrap_or(body.len())];
    let b64: String = body.split_whitespace().collect();
    use base64::Engine as _;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) else {
        return true;
    };
    const MAGIC: &[u8] = b"openssh-key-v1\0";
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        return true;
    };
    let Some(len) = rest.get(..4) else {
        return true;
    };
    let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
    rest.get(4..4 + len) != Some(b"none".as_slice())
}

fn key_files() -> VecDeque<PathBuf> {
    let Some(ssh) = home().map(|h| h.join(".ssh")) else {
        return VecDeque::new();
    };
    SSH_KEYS
        .iter()
        .map(|k| ssh.join(k))
        .filter(|p| {
            std::fs::read_to_string(p)
                .map(|t| !key_is_encrypted(&t))
                .unwrap_or(false)
        })
        .collect()
}

impl Creds {
    fn next(
        &mut self,
        config: Option<&git2::Config>,
        url: &str,
        user_from_url: Option<&str>,
        allowed: CredentialType,
    ) -> Result<git2::Cred, git2::Error> {
        self.calls += 1;
        if self.calls > MAX_CRED_CALLS {
            self.exhausted = true;
            return Err(git2::Error::from_str("gave up after too many attempts"));
        }
        let user = user_from_url.unwrap_or("git");
        if allowed.contains(CredentialType::USERNAME) {
            return git2::Cred::username(user);
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            if !self.agent {
                self.agent = true;
                if std::env::var_os("SSH_AUTH_SOCK").is_some() {
                    self.tried.push("ssh-agent".into());
                    return git2::Cred::ssh_key_from_agent(user);
                }
            }
            let keys = self.keys.get_or_insert_with(key_files);
            if let Some(key) = keys.pop_front() {
                let name = key.file_name().map(|n| n.to_string_lossy().into_owned());
                self.tried
                    .push(format!("~/.ssh/{}", name.unwrap_or_default()));
                let public = key.with_extension("pub");
                let public = public.exists().then_some(public);
                return git2::Cred::ssh_key(user, public.as_deref(), &key, None);
            }
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) && !self.helper {
            self.helper = true;
            self.tried.push("git credential helper".into());
            if let Some(config) = config
                && let Ok(c) = git2::Cred::credential_helper(config, url, user_from_url)
            {
                return Ok(c);
            }
        }
        if allowed.contains(CredentialType::DEFAULT) && !self.default {
            self.default = true;
            self.tried.push("default credentials".into());
            return git2::Cred::default();
        }
        self.exhausted = true;
        Err(git2::Error::from_str("no more credentials to try"))
    }
}

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

/// An ssh remote: `ssh://`, `git+ssh://` or scp-like `user@host:path`.
fn is_ssh_url(url: &str) -> bool {
    if let Some((scheme, _)) = url.split_once("://") {
        return matches!(scheme, "ssh" | "git+ssh" | "ssh+git");
    }
    match url.find(':') {
        Some(colon) => {
            let host = &url[..colon];
            !host.is_empty() && !host.contains('/') && !url.starts_with('/')
        }
        None => false,
    }
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

enum Op {
    Push,
    Fetch,
}

/// Runs a push or fetch through libgit2, then through the system git when libgit2 could not
/// reach an ssh remote.
fn transfer(
    root: &Path,
    op: Op,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<(Upstream, Option<Oid>, Via), PushError> {
    let repo = open(root).map_err(|e| PushError::Other(e.message().to_string()))?;
    let up = upstream(&repo)?;
    let local = match op {
        Op::Push => {
            let refname = format!("refs/heads/{}", up.branch);
            match repo.refname_to_id(&refname) {
                Ok(id) => Some(id),
                Err(_) => {
                    return Err(PushError::Other(format!(
                        "branch {} has no commit to push yet",
                        up.branch
                    )));
                }
            }
        }
        Op::Fetch => None,
    };
    if cancel.load(Ordering::SeqCst) {
        return Err(PushError::Cancelled);
    }
    let mut remote = repo
        .find_remote(&up.remote)
        .or_else(|_| repo.remote_anonymous(&up.remote))
        .map_err(|e| PushError::Other(e.message().to_string()))?;
    let fetch_url = remote.url().unwrap_or_default().to_string();
    let url = match op {
        Op::Push => remote
            .pushurl()
            .ok()
            .flatten()
            .map(str::to_string)
            .unwrap_or(fetch_url),
        Op::Fetch => fetch_url,
    };
    let config = repo.config().ok();
    let refspec = format!("refs/heads/{}:{}", up.branch, up.merge);
    let progress = std::cell::RefCell::new(progress);
    let creds = std::cell::RefCell::new(Creds::default());
    let rejected = std::cell::RefCell::new(None::<String>);
    let result = {
        let mut cb = git2::RemoteCallbacks::new();
        cb.credentials(|url, user, allowed| {
            if cancel.load(Ordering::SeqCst) {
                return Err(git2::Error::from_str("cancelled"));
            }
            creds.borrow_mut().next(config.as_ref(), url, user, allowed)
        });
        cb.push_transfer_progress(|current, total, bytes| {
            (progress.borrow_mut())(Progress {
                stage: "writing",
                current,
                total,
                bytes,
                text: String::new(),
            })
        });
        cb.pack_progress(|stage, current, total| {
            let stage = match stage {
                git2::PackBuilderStage::AddingObjects => "counting",
                git2::PackBuilderStage::Deltafication => "compressing",
            };
            (progress.borrow_mut())(Progress {
                stage,
                current,
                total,
                bytes: 0,
                text: String::new(),
            })
        });
        cb.sideband_progress(|data| {
            let text = String::from_utf8_lossy(data);
            if let Some(line) = text
                .split(['\r', '\n'])
                .map(str::trim)
                .rfind(|l| !l.is_empty())
            {
                (progress.borrow_mut())(Progress {
                    stage: "remote",
                    current: 0,
                    total: 0,
                    bytes: 0,
                    text: redact(line),
                });
            }
            !cancel.load(Ordering::SeqCst)
        });
        cb.transfer_progress(|p| {
            let (stage, current, total) = if p.received_objects() < p.total_objects() {
                ("receiving", p.received_objects(), p.total_objects())
            } else {
                ("resolving", p.indexed_deltas(), p.total_deltas())
            };
            (progress.borrow_mut())(Progress {
                stage,
                current,
                total,
                bytes: p.received_bytes(),
                text: String::new(),
            });
            !cancel.load(Ordering::SeqCst)
        });
        cb.push_negotiation(|_| {
            if cancel.load(Ordering::SeqCst) {
                Err(git2::Error::from_str("cancelled"))
            } else {
                Ok(())
            }
        });
        cb.push_update_reference(|_refname, status| {
            if let Some(s) = status {
                *rejected.borrow_mut() = Some(s.to_string());
            }
            Ok(())
        });
        let mut proxy = git2::ProxyOptions::new();
        proxy.auto();
        match op {
            Op::Push => {
                let mut opts = git2::PushOptions::new();
                opts.remote_callbacks(cb).proxy_options(proxy);
                remote.push(&[refspec.as_str()], Some(&mut opts))
            }
            Op::Fetch => {
                let mut opts = git2::FetchOptions::new();
                opts.remote_callbacks(cb).proxy_options(proxy);
                remote.fetch::<&str>(&[], Some(&mut opts), None)
            }
        }
    };
    let progress = progress.into_inner();
    let creds = creds.into_inner();
    let branch = up
        .merge
        .strip_prefix("refs/heads/")
        .unwrap_or(&up.merge)
        .to_string();
    let rejected_as = |message: String| PushError::Rejected {
        remote: up.remote.clone(),
        branch: branch.clone(),
        message,
    };
    if let Some(status) = rejected.into_inner() {
        return Err(rejected_as(status));
    }
    let err = match result {
        Ok(()) => return Ok((up, local, Via::Libgit2)),
        Err(e) => e,
    };
    if cancel.load(Ordering::SeqCst) {
        return Err(PushError::Cancelled);
    }
    if err.code() == ErrorCode::NotFastForward {
        return Err(rejected_as(err.message().to_string()));
    }
    let why = redact(err.message());
    if is_ssh_url(&url) && system_git_available() {
        let mut args: Vec<String> = match op {
            Op::Push => vec!["push".into(), "--porcelain".into()],
            Op::Fetch => vec!["fetch".into()],
        };
        args.extend(["--progress".into(), up.remote.clone()]);
        if let Op::Push = op {
            args.push(refspec.clone());
        }
        let wd = workdir(&repo).map_err(|e| PushError::Other(e.message().to_string()))?;
        return match system_git(&wd, &args, progress, cancel)? {
            GitOutcome::Ok => Ok((
                up,
                local,
                Via::SystemGit {
                    why: why.to_string(),
                },
            )),
            GitOutcome::Rejected(m) => Err(rejected_as(m)),
            GitOutcome::Failed(m) => {
                let mut tried = creds.tried;
                tried.push("system git with your ssh config".into());
                if looks_like_auth(&m) || creds.exhausted || err.code() == ErrorCode::Auth {
                    Err(PushError::Auth { message: m, tried })
                } else {
                    Err(PushError::Other(format!("{why}; system git: {m}")))
                }
            }
        };
    }
    if creds.exhausted || err.code() == ErrorCode::Auth {
        return Err(PushError::Auth {
            message: why,
            tried: creds.tried,
        });
    }
    Err(PushError::Other(why))
}

/// Pushes the current branch to its upstream (`branch.<name>.remote` / `.merge`), with libgit2
/// and the credentials described on `Creds` (ssh-agent, then unencrypted `~/.ssh` keys; for
/// https the git credential helper, then default credentials), falling back to the system `git`
/// when libgit2 cannot reach an ssh remote (a Host alias, ProxyJump, a hardware key only the
/// system ssh knows). Never falls back on a rejection. `progress` is called on this thread;
/// `cancel` is polled in the callbacks (and kills the system git).
///
/// On any error nothing local has changed: the commits are still on the local branch. The remote
/// branch did not move either, except after a cancel that came once the remote already had the
/// pack (libgit2 checks `cancel` up to the negotiation and in the remote's messages; the system
/// git is killed whenever it comes): then the next fetch shows where the remote stands.
pub fn push(
    root: &Path,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Pushed, PushError> {
    let (up, local, via) = transfer(root, Op::Push, progress, cancel)?;
    Ok(Pushed {
        branch: up
            .merge
            .strip_prefix("refs/heads/")
            .unwrap_or(&up.merge)
            .to_string(),
        remote: up.remote,
        id: local.map(|o| o.to_string()).unwrap_or_default(),
        via,
    })
}

/// Fetches the upstream's remote (its configured refspecs, so `refs/remotes/<remote>/*` are
/// updated), like `push` for credentials, progress, cancel and the system-git fallback. Changes
/// only remote-tracking refs: the branch, index and working tree are untouched.
pub fn fetch(
    root: &Path,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<(), PushError> {
    transfer(root, Op::Fetch, progress, cancel).map(|_| ())
}

fn system_git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn looks_like_auth(stderr: &str) -> bool {
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

enum GitOutcome {
    Ok,
    Rejected(String),
    Failed(String),
}

/// Turns one `--progress` line of git's stderr into a `Progress`.
fn parse_progress(line: &str) -> Progress {
    let line = redact(line.trim());
    let mut p = Progress {
        stage: "git",
        current: 0,
        total: 0,
        bytes: 0,
        text: line.clone(),
    };
    if line.starts_with("remote:") {
        p.stage = "remote";
        return p;
    }
    let Some((what, rest)) = line.split_once(':') else {
        return p;
    };
    p.stage = match what.trim() {
        "Enumerating objects" | "Counting objects" => "counting",
        "Compressing objects" => "compressing",
        "Writing objects" => "writing",
        "Receiving objects" => "receiving",
        "Resolving deltas" => "resolving",
        _ => return p,
    };
    if let Some(open) = rest.find('(')
        && let Some(close) = rest[open..].find(')')
        && let Some((c, t)) = rest[open + 1..open + close].split_once('/')
    {
        p.current = c.trim().parse().unwrap_or(0);
        p.total = t.trim().parse().unwrap_or(0);
    } else if let Some(n) = rest.split(',').next().and_then(|n| n.trim().parse().ok()) {
        // "Enumerating objects: 5, done."
        p.current = n;
        p.total = n;
    }
    // "..., 1.20 KiB | 1.20 MiB/s" or "..., 250 bytes | ..."
    if let Some(after) = rest.split_once("), ").map(|(_, a)| a) {
        let mut words = after.split_whitespace();
        if let (Some(n), Some(unit)) = (words.next(), words.next()) {
            let n: f64 = n.parse().unwrap_or(0.0);
            let scale = match unit.trim_end_matches([',', '|']) {
                "KiB" => 1024.0,
                "MiB" => 1024.0 * 1024.0,
                "GiB" => 1024.0 * 1024.0 * 1024.0,
                _ => 1.0,
            };
            p.bytes = (n * scale) as usize;
        }
    }
    p
}

/// Runs `git ARGS` in `dir` detached from the terminal (own session, stdin null, no prompts),
/// feeding its progress to `progress` and killing it (and its ssh) when `cancel` is set.
fn system_git(
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

// ---------------------------------------------------------------------------------------------
// Rebase onto the upstream
// ---------------------------------------------------------------------------------------------

/// Where rebasing the local commits onto the fetched upstream stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rebase {
    /// The upstream is already in the branch: nothing to rebase.
    UpToDate,
    /// The local commits apply (or applied) cleanly on `onto` (the upstream, e.g. `origin/main`);
    /// `commits` is how many were replayed (0: a fast-forward).
    Clean { onto: String, commits: usize },
    /// Replaying a local commit conflicts in these paths.
    Conflict { paths: Vec<String> },
}

struct Plan {
    rebase: Rebase,
    head: Oid,
    /// The new branch tip when clean.
    new_head: Option<Oid>,
    branch_ref: String,
}

fn rebase_plan(repo: &Repository) -> Result<Plan, git2::Error> {
    if let Some(what) = state_name(repo.state()) {
        return Err(git2::Error::from_str(&format!(
            "a {what} is in progress; finish or abort it with git first"
        )));
    }
    let head = repo.head()?;
    if !head.is_branch() {
        return Err(git2::Error::from_str(
            "HEAD is detached: no branch to rebase",
        ));
    }
    let branch_ref = head
        .name()
        .map_err(|_| git2::Error::from_str("branch name is not UTF-8"))?
        .to_string();
    let head_id = head.peel_to_commit()?.id();
    let up = git2::Branch::wrap(head).upstream()?;
    let onto = up.name()?.unwrap_or("upstream").to_string();
    let up_id = up.get().peel_to_commit()?.id();
    let base = repo.merge_base(head_id, up_id)?;
    let plan = |rebase, new_head| Plan {
        rebase,
        head: head_id,
        new_head,
        branch_ref: branch_ref.clone(),
    };
    if base == up_id {
        return Ok(plan(Rebase::UpToDate, None));
    }
    if base == head_id {
        return Ok(plan(Rebase::Clean { onto, commits: 0 }, Some(up_id)));
    }
    let branch = repo.find_annotated_commit(head_id)?;
    let upstream = repo.find_annotated_commit(up_id)?;
    let mut opts = git2::RebaseOptions::new();
    opts.inmemory(true);
    let mut rebase = repo.rebase(Some(&branch), Some(&upstream), None, Some(&mut opts))?;
    let committer = repo.signature().ok();
    let mut tip = up_id;
    let mut commits = 0;
    while let Some(op) = rebase.next() {
        let op = op?;
        let index = rebase.inmemory_index()?;
        if index.has_conflicts() {
            let mut paths = BTreeSet::new();
            for c in index.conflicts()? {
                let c = c?;
                for e in [c.our, c.their, c.ancestor].into_iter().flatten() {
                    paths.insert(String::from_utf8_lossy(&e.path).into_owned());
                }
            }
            let _ = rebase.abort();
            return Ok(plan(
                Rebase::Conflict {
                    paths: paths.into_iter().collect(),
                },
                None,
            ));
        }
        let original = repo.find_commit(op.id())?;
        let committer = match &committer {
            Some(c) => c.to_owned(),
            None => {
                let c = original.committer();
                git2::Signature::now(c.name().unwrap_or("?"), c.email().unwrap_or("?"))?
            }
        };
        match rebase.commit(None, &committer, None) {
            Ok(id) => {
                tip = id;
                commits += 1;
            }
            // Already upstream: nothing to replay.
            Err(e) if e.code() == ErrorCode::Applied => {}
            Err(e) => {
                let _ = rebase.abort();
                return Err(e);
            }
        }
    }
    Ok(plan(Rebase::Clean { onto, commits }, Some(tip)))
}

/// Whether the local commits of the current branch would replay cleanly onto its fetched
/// upstream (`refs/remotes/...`; call `fetch` first). Done in memory: HEAD, the branch, the index
/// and the working tree are untouched (only unreachable objects may be written to the object
/// database). Errors on a detached HEAD, no upstream, or a git operation in progress.
pub fn rebase_check(root: &Path) -> Result<Rebase, git2::Error> {
    let repo = open(root)?;
    Ok(rebase_plan(&repo)?.rebase)
}

/// Rebases the local commits of the current branch onto its fetched upstream (a fast-forward
/// when there are none). The commits are replayed in memory first; on `Conflict` nothing is
/// changed at all: HEAD, the branch, the index and the working tree are exactly as before, the
/// local commits intact. When clean, the working tree and index are updated (uncommitted changes
/// to files the rebase does not touch are kept) and then the branch moves. If an uncommitted
/// change is in the way, an error says so and nothing has changed.
pub fn rebase_onto_upstream(root: &Path) -> Result<Rebase, git2::Error> {
    let repo = open(root)?;
    let plan = rebase_plan(&repo)?;
    let Some(new_head) = plan.new_head else {
        return Ok(plan.rebase);
    };
    let old_tree = repo.find_commit(plan.head)?.tree()?;
    let new_tree = repo.find_commit(new_head)?.tree()?;
    // Safe checkout against HEAD (the old tree): it checks every file first and writes nothing
    // if a local change is in the way.
    let mut co = git2::build::CheckoutBuilder::new();
    co.safe();
    repo.checkout_tree(new_tree.as_object(), Some(&mut co))
        .map_err(|e| {
            if e.code() == ErrorCode::Conflict {
                git2::Error::from_str(&format!(
                    "uncommitted changes are in the way of the rebase ({}); commit or discard \
                     them first — nothing was changed",
                    e.message()
                ))
            } else {
                e
            }
        })?;
    let msg = format!("rebase (blast): onto {new_head}");
    if let Err(e) = repo.reference_matching(&plan.branch_ref, new_head, true, plan.head, &msg) {
        // Someone moved the branch meanwhile: put the files the checkout changed back.
        let diff = repo.diff_tree_to_tree(Some(&old_tree), Some(&new_tree), None)?;
        let mut back = git2::build::CheckoutBuilder::new();
        back.force().disable_pathspec_match(true);
        for d in diff.deltas() {
            for p in [d.old_file().path(), d.new_file().path()]
                .into_iter()
                .flatten()
            {
                back.path(p);
            }
        }
        repo.checkout_tree(old_tree.as_object(), Some(&mut back))?;
        return Err(e);
    }
    Ok(plan.rebase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_keys_are_told_from_plain_ones() {
        use base64::Engine as _;
        let key = |cipher: &str| {
            let mut b = b"openssh-key-v1\0".to_vec();
            b.extend((cipher.len() as u32).to_be_bytes());
            b.extend(cipher.as_bytes());
            b.extend([0, 0, 0, 4]);
            b.extend(b"none");
            let b64 = base64::engine::general_purpose::STANDARD.encode(b);
            format!(
                "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
                &b64[..20],
                &b64[20..]
            )
        };
        assert!(!key_is_encrypted(&key("none")));
        assert!(key_is_encrypted(&key("aes256-ctr")));
        assert!(key_is_encrypted(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: x\n\nAAAA\n"
        ));
        assert!(key_is_encrypted(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
        ));
        assert!(!key_is_encrypted(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"
        ));
        assert!(key_is_encrypted(
            "-----BEGIN OPENSSH PRIVATE KEY-----\n!!!\n-----END OPENSSH PRIVATE KEY-----\n"
        ));
    }

    #[test]
    fn ssh_urls() {
        for u in [
            "ssh://git@example.com/x.git",
            "git@github.com:org/repo.git",
            "blast-test-host:repo",
            "git+ssh://h/x",
        ] {
            assert!(is_ssh_url(u), "{u}");
        }
        for u in [
            "https://example.com/x.git",
            "/srv/git/x.git",
            "file:///srv/x",
            "./rel/x",
            "x",
        ] {
            assert!(!is_ssh_url(u), "{u}");
        }
    }

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

    #[test]
    fn git_progress_lines() {
        let p = parse_progress("Writing objects:  50% (3/6), 1.50 KiB | 1.50 MiB/s");
        assert_eq!(
            (p.stage, p.current, p.total, p.bytes),
            ("writing", 3, 6, 1536)
        );
        let p = parse_progress("Enumerating objects: 5, done.");
        assert_eq!((p.stage, p.current, p.total), ("counting", 5, 5));
        let p = parse_progress("Writing objects: 100% (3/3), 250 bytes | 250.00 KiB/s, done.");
        assert_eq!((p.stage, p.bytes), ("writing", 250));
        let p = parse_progress("Receiving objects:  33% (1/3)");
        assert_eq!((p.stage, p.current, p.total), ("receiving", 1, 3));
        assert_eq!(parse_progress("remote: Resolving deltas").stage, "remote");
        let p = parse_progress("To ssh://u:pw@h/x");
        assert_eq!((p.stage, p.text.as_str()), ("git", "To ssh://u:***@h/x"));
    }

    #[test]
    fn identity_needs_name_and_email() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        std::fs::write(&file, "[user]\n\tname = Ada\n").unwrap();
        let config = git2::Config::open(&file).unwrap();
        assert_eq!(
            identity(&config),
            Err(CommitError::NoIdentity("user.email is not set".into()))
        );
        std::fs::write(&file, "").unwrap();
        let config = git2::Config::open(&file).unwrap();
        let err = identity(&config).unwrap_err();
        assert!(
            err.to_string().contains("git config --global user.name"),
            "{err}"
        );
        std::fs::write(&file, "[user]\n\tname = Ada\n\temail = ada@example.com\n").unwrap();
        let config = git2::Config::open(&file).unwrap();
        assert_eq!(
            identity(&config),
            Ok(("Ada".to_string(), "ada@example.com".to_string()))
        );
    }

    #[test]
    fn credentials_stop_when_nothing_is_left() {
        let mut c = Creds {
            agent: true,
            keys: Some(VecDeque::new()),
            ..Creds::default()
        };
        // ssh with agent tried and no keys: gives up at once, and says so.
        assert!(
            c.next(None, "ssh://h/x", None, CredentialType::SSH_KEY)
                .is_err()
        );
        assert!(c.exhausted);
        // https: the helper once (none configured here), then default credentials once, then no.
        let mut c = Creds::default();
        let allowed = CredentialType::USER_PASS_PLAINTEXT | CredentialType::DEFAULT;
        assert!(c.next(None, "https://h/x", None, allowed).is_ok());
        assert!(c.next(None, "https://h/x", None, allowed).is_err());
        assert_eq!(
            c.tried,
            vec!["git credential helper", "default credentials"]
        );
        // Never more than MAX_CRED_CALLS answers, whatever is asked.
        let mut c = Creds::default();
        let n = (0..100)
            .filter(|_| {
                c.next(None, "ssh://h/x", Some("u"), CredentialType::USERNAME)
                    .is_ok()
            })
            .count();
        assert_eq!(n, MAX_CRED_CALLS as usize);
    }

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
            PushError::Other("boom".into()),
        ];
        for e in errors {
            let s = e.to_string().to_lowercase();
            assert!(s.contains("still local"), "{s}");
        }
    }
}
