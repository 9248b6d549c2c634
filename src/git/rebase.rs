//! Rebase the local commits onto the fetched upstream, replayed in memory first so that a
//! conflict changes nothing; and the check run before it (would it apply cleanly?).

use std::collections::BTreeSet;
use std::path::Path;

use git2::{ErrorCode, Oid, Repository};

use super::repository::{in_progress, open};

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
    if let Some(what) = in_progress(repo.state()) {
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
///
/// Where the repo signs its commits (`commit.gpgsign`), libgit2 cannot: the commits to replay
/// are then replayed by the system `git rebase` (after the same in-memory check), which signs
/// them as `git pull --rebase` would, instead of pushing unsigned rewrites.
pub fn rebase_onto_upstream(root: &Path) -> Result<Rebase, git2::Error> {
    let repo = open(root)?;
    let plan = rebase_plan(&repo)?;
    let Some(new_head) = plan.new_head else {
        return Ok(plan.rebase);
    };
    if let Rebase::Clean { onto, commits } = &plan.rebase
        && *commits > 0
        && repo
            .config()
            .ok()
            .and_then(|c| super::hooks::signing(&c))
            .is_some()
    {
        return rebase_with_git(root, onto).map(|()| plan.rebase.clone());
    }
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

/// `git rebase --autostash ONTO` with the system git (it signs as the repo's config says); on
/// failure the rebase is aborted, so nothing has changed, and git's last lines say why.
fn rebase_with_git(root: &Path, onto: &str) -> Result<(), git2::Error> {
    use std::sync::atomic::AtomicBool;
    let never = AtomicBool::new(false);
    let ran = super::system_git::run(
        root,
        &["rebase", "--autostash", "--quiet", onto],
        &[],
        &mut |_| {},
        &never,
    )
    .map_err(|e| git2::Error::from_str(&format!("git rebase (to sign the commits): {e:?}")))?;
    if ran.status.success() {
        return Ok(());
    }
    let _ = super::system_git::run(root, &["rebase", "--abort"], &[], &mut |_| {}, &never);
    let tail: Vec<&str> = ran
        .stderr
        .iter()
        .rev()
        .take(4)
        .rev()
        .map(String::as_str)
        .collect();
    Err(git2::Error::from_str(&format!(
        "git rebase (to sign the commits) failed, nothing was changed: {}",
        tail.join(" / ")
    )))
}
