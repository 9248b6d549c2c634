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

/// Issue 15 bug 2: `v1.36.3+` (what `+` once typed into the version quick action) passes the
/// CRDs (MachineDeployment's version has only a length; TalosControlPlane's pattern ends in
/// `[-0-9a-zA-Z_.+]*`) but is not semver, which Cluster API parses it as. `check` (with and
/// without `--schemas`) reports it at its line with a hint; a valid version is not reported.
#[test]
fn check_reports_a_cluster_api_version_that_is_not_semver() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_dir(&fixture_repo(), dir.path());
    let workers = dir.path().join("clusters/edge-berlin/capi/workers.yaml");
    let text = std::fs::read_to_string(&workers).unwrap();
    assert!(text.contains("      version: v1.36.3\n"), "{text}");
    let mut args = vec![];
    if shared_crds().is_dir() {
        args.push(shared_crds());
    }
    let check = |schemas: Option<&std::path::PathBuf>| {
        let mut c = blast();
        c.arg("check");
        if let Some(s) = schemas {
            c.arg("--schemas").arg(s);
        }
        run(c.arg(dir.path()))
    };
    let (_, before, _) = check(args.first());
    assert!(!before.contains("spec.template.spec.version"), "{before}");
    std::fs::write(
        &workers,
        text.replace("      version: v1.36.3\n", "      version: v1.36.3+\n"),
    )
    .unwrap();
    for schemas in [None, args.first()] {
        let (code, out, _) = check(schemas);
        assert_eq!(code, 1, "{out}");
        let want = "clusters/edge-berlin/capi/workers.yaml:20:16: error: MachineDeployment edge-berlin-workers: spec.template.spec.version: \"v1.36.3+\" is not a Kubernetes version (v + semver, as v1.36.3): the build after + is empty";
        assert!(out.contains(want), "{out}");
        assert!(
            out.contains("hint: Cluster API parses it as semver"),
            "{out}"
        );
        assert_eq!(
            out.matches("spec.template.spec.version").count(),
            1,
            "{out}"
        );
    }
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
    assert!(
        out.starts_with(&format!("blast {} (", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
}

/// `--version` names the commit this checkout is at (CI builds a clone: always in git), and the
/// build date; outside git it says `commit unknown` (tested in `blast::version`).
#[test]
fn version_carries_the_commit_and_the_build_date() {
    let (code, out, _) = run(blast().arg("--version"));
    assert_eq!(code, 0);
    let root = env!("CARGO_MANIFEST_DIR");
    let head = std::process::Command::new("git")
        .args(["-C", root, "rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim()[..12].to_string());
    match head {
        Some(commit) => assert!(out.contains(&format!("({commit}")), "{out} lacks {commit}"),
        None => assert!(out.contains("(commit unknown"), "{out}"),
    }
    let date = out
        .split("built ")
        .nth(1)
        .unwrap_or_default()
        .trim_end_matches([')', '\n']);
    assert_eq!(date.len(), 10, "{out}");
    assert!(
        date.starts_with("20") && date.as_bytes()[4] == b'-',
        "{out}"
    );
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A tool the test needs (a shell, groff): its path, or `None` after one line on the terminal;
/// in CI (which installs them) a missing one fails the test.
fn tool(name: &str) -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(!ci(), "{name} is not installed (CI installs it: .ci/run)");
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{name} not installed: that part not run");
    }
    found
}

/// A kubeconfig with two contexts, for the dynamic completion.
fn two_context_kubeconfig(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: lab\n  cluster:\n    server: https://127.0.0.1:1\nusers:\n- name: ops\n  user:\n    token: x\ncontexts:\n- name: mgmt-berlin\n  context:\n    cluster: lab\n    user: ops\n- name: edge-lab\n  context:\n    cluster: lab\n    user: ops\ncurrent-context: mgmt-berlin\n",
    )
    .unwrap();
    path
}

/// What bash completes for `words` (the last one being completed), through the script of
/// `blast completions bash` in a real bash.
fn bash_complete(env: &[(&str, &std::path::Path)], words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let script = format!(
        "source <(\"$BLAST\" completions bash) || exit 9\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_TYPE=9\n_clap_complete_blast blast '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        quoted.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len().saturating_sub(2)],
    );
    let mut c = std::process::Command::new("bash");
    c.arg("-c")
        .arg(script)
        .env("BLAST", env!("CARGO_BIN_EXE_blast"))
        .env_remove("KUBECONFIG");
    for (k, v) in env {
        c.env(k, v);
    }
    let (code, out, err) = run(&mut c);
    assert_eq!(code, 0, "{err}");
    out.lines().map(str::to_string).collect()
}

#[test]
fn bash_completes_subcommands_flags_values_and_kube_contexts() {
    let Some(_) = tool("bash") else { return };
    let dir = tempfile::tempdir().unwrap();
    let kc = two_context_kubeconfig(dir.path());
    let env: &[(&str, &std::path::Path)] = &[("KUBECONFIG", &kc), ("XDG_CONFIG_HOME", dir.path())];
    let got = bash_complete(env, &["blast", "che"]);
    assert_eq!(got, ["check"]);
    let got = bash_complete(env, &["blast", "--request-t"]);
    assert_eq!(got, ["--request-timeout"]);
    let got = bash_complete(env, &["blast", "--context", ""]);
    assert_eq!(got, ["mgmt-berlin", "edge-lab"]);
    let got = bash_complete(env, &["blast", "status", "--context", "ed"]);
    assert_eq!(got, ["edge-lab"]);
    // --kubeconfig on the line wins over KUBECONFIG.
    let other = dir.path().join("other");
    std::fs::write(
        &other,
        std::fs::read_to_string(&kc)
            .unwrap()
            .replace("edge-lab", "edge-rome"),
    )
    .unwrap();
    let line = [
        "blast",
        "--kubeconfig",
        other.to_str().unwrap(),
        "--context",
        "edge-",
    ];
    assert_eq!(bash_complete(env, &line), ["edge-rome"]);
    let got = bash_complete(env, &["blast", "--view", "ov"]);
    assert_eq!(got, ["overview"]);
    let got = bash_complete(env, &["blast", "dashboard", "--page", "g"]);
    assert_eq!(got, ["gitops"]);
    // Themes: the bundled ones and the user's.
    std::fs::create_dir_all(dir.path().join("blast/themes")).unwrap();
    std::fs::write(dir.path().join("blast/themes/neon.toml"), "").unwrap();
    let got = bash_complete(env, &["blast", "--theme", ""]);
    for t in ["default", "high-contrast", "mono", "neon"] {
        assert!(got.iter().any(|g| g == t), "{t} not in {got:?}");
    }
    let got = bash_complete(env, &["blast", "status", "-o", ""]);
    assert_eq!(got, ["text", "json"]);
}

#[test]
fn completion_scripts_parse_in_their_shells() {
    for (shell, check) in [("bash", "-n"), ("zsh", "-n"), ("fish", "--no-execute")] {
        let (code, script, err) = run(blast().args(["completions", shell]));
        assert_eq!(code, 0, "{err}");
        assert!(
            script.contains(env!("CARGO_BIN_EXE_blast")),
            "{shell}: {script}"
        );
        let Some(sh) = tool(shell) else { continue };
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(format!("blast.{shell}"));
        std::fs::write(&file, &script).unwrap();
        let (code, _, err) = run(std::process::Command::new(sh).arg(check).arg(&file));
        assert_eq!(code, 0, "{shell} {check}: {err}\n{script}");
    }
    let (code, _, err) = run(blast().args(["completions", "tcsh"]));
    assert_eq!(code, 2);
    assert!(err.contains("bash") && err.contains("fish"), "{err}");
}

/// fish's side of the protocol: candidates with their help, one per line.
#[test]
fn fish_completion_lists_contexts_with_their_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let kc = two_context_kubeconfig(dir.path());
    let (code, out, err) = run(blast()
        .env("COMPLETE", "fish")
        .env("KUBECONFIG", &kc)
        .args(["--", "blast", "--context", ""]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "mgmt-berlin\tlab\nedge-lab\tlab\n");
    // No kubeconfig: no candidates, no error.
    let (code, out, _) = run(blast()
        .env("COMPLETE", "fish")
        .env("KUBECONFIG", dir.path().join("missing"))
        .args(["--", "blast", "--context", ""]));
    assert_eq!((code, out.as_str()), (0, ""));
}

/// `blast man` renders with groff without a warning and carries the flags and subcommands.
#[test]
fn the_man_page_renders() {
    let (code, roff, err) = run(blast().arg("man"));
    assert_eq!(code, 0, "{err}");
    assert!(
        roff.starts_with(".ie") || roff.contains(".TH blast 1"),
        "{roff}"
    );
    for word in ["\\-\\-request\\-timeout", "completions", "BLAST_CONFIG"] {
        assert!(roff.contains(word), "roff lacks {word}");
    }
    let Some(groff) = tool("groff") else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blast.1");
    std::fs::write(&file, &roff).unwrap();
    let (code, text, err) = run(std::process::Command::new(groff)
        // -P-bou: plain text, no overstriking for bold and underline.
        .args(["-man", "-Tutf8", "-ww", "-P-bou"])
        .arg(&file));
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "", "groff warnings");
    for word in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "SUBCOMMANDS",
        "--as-group",
        "Environment",
    ] {
        assert!(text.contains(word), "man page lacks {word}:\n{text}");
    }
}

/// `blast info -o json`: the paths by the XDG variables, the kubeconfig files and context, the
/// repo, the build; `BLAST_CONFIG` chooses the config.
#[test]
fn info_says_where_everything_is() {
    let dir = tempfile::tempdir().unwrap();
    let kc = two_context_kubeconfig(dir.path());
    let missing = dir.path().join("nope");
    let list = std::env::join_paths([&kc, &missing]).unwrap();
    let (code, out, err) = run(blast()
        .env("XDG_CONFIG_HOME", dir.path().join("c"))
        .env("XDG_STATE_HOME", dir.path().join("s"))
        .env("XDG_DATA_HOME", dir.path().join("d"))
        .env("XDG_CACHE_HOME", dir.path().join("k"))
        .env("KUBECONFIG", &list)
        .env_remove("BLAST_CONFIG")
        .args(["info", "-o", "json", "--repo"])
        .arg(fixture_repo()));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let p = |s: &str| dir.path().join(s).display().to_string();
    assert_eq!(v["config"]["file"], p("c/blast/config.toml"));
    assert_eq!(v["config"]["exists"], false);
    assert_eq!(v["themes_dir"], p("c/blast/themes"));
    assert_eq!(v["log_dir"], p("s/blast/logs"));
    assert_eq!(v["data_dir"], p("d/blast"));
    assert_eq!(v["cache_dir"], p("k/blast"));
    assert_eq!(
        v["kubeconfig"]["files"][0]["path"],
        kc.display().to_string()
    );
    assert_eq!(v["kubeconfig"]["files"][0]["exists"], true);
    assert_eq!(v["kubeconfig"]["files"][1]["exists"], false);
    assert_eq!(v["kubeconfig"]["current_context"], "mgmt-berlin");
    assert_eq!(
        v["repo"]["path"],
        fixture_repo().canonicalize().unwrap().display().to_string()
    );
    assert!(
        v["version"]
            .as_str()
            .unwrap()
            .starts_with(env!("CARGO_PKG_VERSION"))
    );
    assert!(
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "kube:rustls-tls")
    );

    // BLAST_CONFIG (a broken file) is reported in place; text output.
    let cfg = dir.path().join("my.toml");
    std::fs::write(&cfg, "theme = 3\n").unwrap();
    let (code, out, err) = run(blast()
        .env("BLAST_CONFIG", &cfg)
        .env("KUBECONFIG", &kc)
        .current_dir(dir.path())
        .arg("info"));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!(
            "config file  {} (broken: {}:1:9",
            cfg.display(),
            cfg.display()
        )),
        "{out}"
    );
    assert!(out.contains("context      mgmt-berlin (current)"), "{out}");
    assert!(
        out.contains("repo         (none) no Blast repo found"),
        "{out}"
    );
}

/// The old output spellings still work: `check --format json`, `status --json` (tested with
/// the servers), and `-o json` is the one in `--help`.
#[test]
fn output_flag_in_help_and_old_spellings_hidden() {
    for sub in ["check", "status", "themes", "info"] {
        let (code, out, _) = run(blast().args([sub, "--help"]));
        assert_eq!(code, 0);
        assert!(out.contains("-o, --output <OUTPUT>"), "{sub}: {out}");
        assert!(
            !out.contains("--json") && !out.contains("--format"),
            "{sub}: {out}"
        );
    }
    let (code, out, _) = run(blast().args(["themes", "--format", "json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v.as_array().unwrap().iter().any(|t| t["name"] == "mono"));
}

/// `--cluster`, `--user`, `--as` and `--as-group` reach the real kube-apiserver: its audit log
/// shows the requests of `blast status` made by the user `--user` chose, impersonating `--as`,
/// at the server only `--cluster` names.
#[test]
fn kubectl_client_flags_reach_the_real_apiserver() {
    use crate::apiserver::{self, ADMIN, VIEWER};
    let Some(bin) = apiserver::binary("kubectl_client_flags_reach_the_real_apiserver") else {
        return;
    };
    let _turn = apiserver::one_at_a_time();
    let server = apiserver::start_many(&bin, 1, &[]).pop().unwrap();
    // One file: context `site` as the viewer (who may not impersonate), and the admin's entry.
    let viewer =
        kube::config::Kubeconfig::from_yaml(&server.kubeconfig_yaml(VIEWER, "site")).unwrap();
    let admin =
        kube::config::Kubeconfig::from_yaml(&server.kubeconfig_yaml(ADMIN, "site-admin")).unwrap();
    let mut merged = viewer.merge(admin).unwrap();
    // The context's own cluster entry leads nowhere: only `--cluster site-admin` reaches the server.
    for c in merged.clusters.iter_mut().filter(|c| c.name == "site") {
        c.cluster.as_mut().unwrap().server = Some("https://127.0.0.1:1".into());
    }
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig.json");
    std::fs::write(&kc, serde_json::to_string(&merged).unwrap()).unwrap();
    let status = |extra: &[&str]| {
        run(blast()
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .env("XDG_STATE_HOME", dir.path())
            .env_remove("KUBECONFIG")
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .arg("--kubeconfig")
            .arg(&kc)
            .args(extra)
            .args(["status", "-o", "json", "--timeout", "5s"]))
    };
    let (_, out, err) = status(&[
        "--cluster",
        "site-admin",
        "--user",
        ADMIN,
        "--as",
        "jane",
        "--as-group",
        "ops",
    ]);
    let events = server.audit_events();
    let impersonated: Vec<_> = events
        .iter()
        .filter(|e| e["user"]["username"] == ADMIN && e["impersonatedUser"]["username"] == "jane")
        .collect();
    assert!(
        !impersonated.is_empty(),
        "no request as admin impersonating jane:\n{out}\n{err}"
    );
    for e in &impersonated {
        let groups = e["impersonatedUser"]["groups"].as_array().unwrap();
        assert!(groups.iter().any(|g| g == "ops"), "{e}");
    }
    assert!(
        !events.iter().any(|e| e["user"]["username"] == VIEWER),
        "--user admin: nothing as the context's viewer"
    );
    // Without them: the context's user, nobody impersonated.
    let before = events.len();
    status(&["--cluster", "site-admin"]);
    let events = server.audit_events();
    let later = &events[before..];
    assert!(
        later.iter().any(|e| e["user"]["username"] == VIEWER),
        "{later:?}"
    );
    assert!(later.iter().all(|e| e["impersonatedUser"].is_null()));
    // --as-group alone is refused, as kubectl refuses it.
    let (code, _, err) = status(&["--as-group", "ops"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("--as"), "{err}");
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
