//! Where the repo stands against revisions named elsewhere: how far behind HEAD an Application's
//! synced revision is for its path, the upstream's commit, and the files two commits differ in
//! (what a push changed, for the reconcile). Reads only.

use std::path::Path;

use super::repository::open;

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
mod tests {
    use super::*;
    use crate::git::test_support::git;

    fn head(dir: &Path) -> String {
        git(dir, &["rev-parse", "HEAD"]).trim().to_string()
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
}
