//! Build script: the commit, dirty flag and date for `blast --version` (see build/version.rs).
//! Cheap: three git commands, rerun only when HEAD, the branch it points to, the index, or the
//! sources change (not on every build).

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "build/version.rs"]
mod version;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(&manifest_dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let env = |k: &str| std::env::var(k).ok();
    let vcs_info =
        std::fs::read_to_string(Path::new(&manifest_dir).join(".cargo_vcs_info.json")).ok();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let build = version::describe(&manifest_dir, &env, &git, vcs_info.as_deref(), now);
    println!(
        "cargo:rustc-env=BLAST_VERSION={}",
        build.version(&std::env::var("CARGO_PKG_VERSION").unwrap_or_default())
    );
    println!(
        "cargo:rustc-env=BLAST_COMMIT={}",
        build.commit.as_deref().unwrap_or("")
    );
    let dirty = match build.dirty {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    };
    println!("cargo:rustc-env=BLAST_DIRTY={dirty}");
    println!("cargo:rustc-env=BLAST_BUILD_DATE={}", build.date);

    // What to watch. Only existing paths: cargo reruns on every build for a missing one.
    let mut watch: Vec<PathBuf> = ["build.rs", "build/version.rs", "src", "Cargo.toml"]
        .iter()
        .map(PathBuf::from)
        .collect();
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        let dir = PathBuf::from(dir);
        let common = git(&["rev-parse", "--path-format=absolute", "--git-common-dir"])
            .map(PathBuf::from)
            .unwrap_or_else(|| dir.clone());
        watch.push(dir.join("HEAD"));
        watch.push(dir.join("index"));
        watch.push(common.join("packed-refs"));
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch.push(common.join(branch));
        }
    } else {
        watch.push(".cargo_vcs_info.json".into());
    }
    for p in watch {
        let full = Path::new(&manifest_dir).join(&p);
        if full.exists() {
            println!("cargo:rerun-if-changed={}", full.display());
        }
    }
    for var in ["SOURCE_DATE_EPOCH", "BLAST_GIT_COMMIT"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
}
