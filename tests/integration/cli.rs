//! The real binary without a terminal UI: check, help, version, config and theme errors.

use std::process::Command;

use crate::support::fixture_repo;

fn blast() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_blast"));
    c.env_remove("NO_COLOR");
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn shared_crds() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/crds")
}

#[test]
fn check_reports_path_line_col_and_exits_1() {
    let (code, out, _) = run(blast().arg("check").arg(fixture_repo()));
    assert_eq!(code, 1);
    assert!(
        out.contains("apps/edge-berlin/mqtt/broken.yaml:9:4: error: YAML syntax error"),
        "{out}"
    );
    assert!(
        out.contains("9 files, 8 objects, 2 data documents: 1 errors"),
        "{out}"
    );
}

#[test]
fn check_with_schemas_reports_field_paths_and_lists_unvalidated_kinds() {
    if !shared_crds().is_dir() {
        eprintln!("skipping: ../shared/crds not present");
        return;
    }
    let (code, out, _) = run(blast()
        .arg("check")
        .arg("--schemas")
        .arg(shared_crds())
        .arg(fixture_repo()));
    assert_eq!(code, 1);
    assert!(out.contains("clusters/edge-berlin/capi/workers.yaml:11:1: error: MachineDeployment edge-berlin-workers: spec: missing required field \"selector\""), "{out}");
    assert!(
        out.contains("spec.template.spec.config: unknown field \"config\""),
        "{out}"
    );
    assert!(out.contains("unvalidated (no schema known):\n  config.kio.kasten.io/v1alpha1 Policy (1)\n  k3d.io/v1alpha5 Simple (1)"), "{out}");
}

#[test]
fn check_json_is_machine_readable() {
    let (code, out, _) = run(blast()
        .args(["check", "--format", "json"])
        .arg(fixture_repo()));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"], 9);
    assert_eq!(
        v["findings"][0]["path"],
        "apps/edge-berlin/mqtt/broken.yaml"
    );
    assert_eq!(v["findings"][0]["line"], 9);
    assert_eq!(v["findings"][0]["severity"], "error");
}

#[test]
fn check_on_a_clean_folder_exits_0_and_on_a_missing_one_2() {
    let (code, out, _) = run(blast()
        .arg("check")
        .arg(fixture_repo().join("infrastructure")));
    assert_eq!(code, 0, "{out}");
    let (code, _, err) = run(blast().args(["check", "/nonexistent/blast-repo"]));
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/blast-repo"), "{err}");
}

#[test]
fn help_and_version() {
    let (code, out, _) = run(blast().arg("--help"));
    assert_eq!(code, 0);
    for word in [
        "check",
        "demo",
        "dashboard",
        "themes",
        "--repo",
        "--theme",
        "--log-level",
    ] {
        assert!(out.contains(word), "--help lacks {word}: {out}");
    }
    let (code, out, _) = run(blast().arg("--version"));
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("blast {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn broken_config_stops_before_the_ui_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "theme = \"light\"\n[refresh]\nwatch = \"yes\"\n").unwrap();
    let (code, out, err) = run(blast()
        .arg("--config")
        .arg(&cfg)
        .arg("--repo")
        .arg(fixture_repo()));
    assert_eq!(code, 2);
    assert!(out.is_empty(), "nothing drawn: {out:?}");
    assert!(err.contains(&format!("{}:3:9", cfg.display())), "{err}");
    std::fs::write(&cfg, "[keys.browser]\nfly = \"x\"\n").unwrap();
    let (code, _, err) = run(blast()
        .arg("--config")
        .arg(&cfg)
        .arg("--repo")
        .arg(fixture_repo()));
    assert_eq!(code, 2);
    assert!(err.contains(":2:1: unknown action \"fly\""), "{err}");
}

#[test]
fn unknown_theme_and_theme_listing() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(blast()
        .env("XDG_CONFIG_HOME", dir.path())
        .args(["--theme", "neon"])
        .arg("--repo")
        .arg(fixture_repo()));
    assert_eq!(code, 2);
    assert!(err.contains("no theme named \"neon\""), "{err}");
    std::fs::create_dir_all(dir.path().join("blast/themes")).unwrap();
    std::fs::write(
        dir.path().join("blast/themes/neon.toml"),
        "[roles]\ntext = \"#ff00ff\"\n",
    )
    .unwrap();
    let (code, out, _) = run(blast().env("XDG_CONFIG_HOME", dir.path()).arg("themes"));
    assert_eq!(code, 0);
    assert!(
        out.contains("* default") && out.contains("neon") && out.contains("high-contrast"),
        "{out}"
    );
}

#[test]
fn outside_any_repo_says_how_to_point_at_one() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(blast()
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path()));
    assert_eq!(code, 2);
    assert!(
        err.contains("no Blast repo found") && err.contains("--repo"),
        "{err}"
    );
}
