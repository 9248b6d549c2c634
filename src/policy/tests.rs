use super::*;

fn run_on(files: &[(&str, &str)], config: &Config) -> Vec<Outcome> {
    let sources: Vec<Source> = files.iter().filter_map(|(p, t)| source(p, t)).collect();
    evaluate(&sources, config)
}

fn failed(out: &[Outcome]) -> Vec<String> {
    pairs(out, Status::Failed)
}

fn pairs(out: &[Outcome], status: Status) -> Vec<String> {
    let mut v: Vec<String> = out
        .iter()
        .filter(|o| o.status == status)
        .map(|o| format!("{} {}", o.rule, o.resource))
        .collect();
    v.sort();
    v
}

fn has(out: &[Outcome], status: Status, rule: &str, resource: &str) -> bool {
    out.iter()
        .any(|o| o.status == status && o.rule == rule && o.resource == resource)
}

#[test]
fn catalogue_has_every_checkov_id_once() {
    let ids: Vec<&str> = catalogue().iter().map(|(id, _)| *id).collect();
    let ckv = ids.iter().filter(|i| i.starts_with("CKV_K8S_")).count();
    let ckv2 = ids.iter().filter(|i| i.starts_with("CKV2_K8S_")).count();
    assert_eq!((ckv, ckv2), (113, 6));
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "an ID is in two tables");
}

#[test]
fn resource_ids_name_kind_namespace_and_name_with_default() {
    let out = run_on(
        &[(
            "a.yaml",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: shop\n",
        )],
        &Config::default(),
    );
    assert!(has(
        &out,
        Status::Failed,
        "CKV_K8S_41",
        "ServiceAccount.default.default"
    ));
    assert!(has(
        &out,
        Status::Passed,
        "CKV_K8S_41",
        "ServiceAccount.shop.app"
    ));
    assert_eq!(out[0].path, "a.yaml");
    assert_eq!((out[0].line, out[0].col), (1, 1));
}

#[test]
fn a_workload_template_is_a_pod_named_after_its_workload_and_labels() {
    let out = run_on(
        &[(
            "d.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels: {app: web, tier: front}\n    spec:\n      containers:\n        - name: c\n          image: nginx:1\n",
        )],
        &Config::default(),
    );
    assert!(has(
        &out,
        Status::Failed,
        "CKV2_K8S_6",
        "Pod.shop.web.app-web.tier-front"
    ));
    assert!(has(
        &out,
        Status::Failed,
        "CKV_K8S_20",
        "Deployment.shop.web"
    ));
}

#[test]
fn an_empty_mapping_counts_as_set_as_in_pyyaml() {
    // checkov's loader adds line keys to every mapping, so `securityContext: {}` is "applied".
    let pod = |sc: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n    - name: c\n      image: x:1\n{sc}"
        )
    };
    let with = run_on(
        &[("p.yaml", &pod("      securityContext: {}\n"))],
        &Config::default(),
    );
    let without = run_on(&[("p.yaml", &pod(""))], &Config::default());
    assert!(has(&with, Status::Passed, "CKV_K8S_30", "Pod.default.p"));
    assert!(has(&without, Status::Failed, "CKV_K8S_30", "Pod.default.p"));
}

#[test]
fn wildcard_roles_read_only_the_first_rule() {
    let role = |rules: &str| {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: r, namespace: n}}\nrules:\n{rules}"
        )
    };
    let first = role("  - {apiGroups: [\"*\"], resources: [x], verbs: [get]}\n");
    let second = role(
        "  - {apiGroups: [\"\"], resources: [x], verbs: [get]}\n  - {apiGroups: [\"*\"], resources: [\"*\"], verbs: [\"*\"]}\n",
    );
    let out = run_on(&[("a.yaml", &first)], &Config::default());
    assert!(has(&out, Status::Failed, "CKV_K8S_49", "Role.n.r"));
    let out = run_on(&[("a.yaml", &second)], &Config::default());
    assert!(has(&out, Status::Passed, "CKV_K8S_49", "Role.n.r"));
}

#[test]
fn network_policies_select_pods_in_any_namespace() {
    let files = [
        (
            "np.yaml",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: other}\nspec:\n  podSelector:\n    matchLabels: {app: a}\n",
        ),
        (
            "pods.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop, labels: {app: a}}\nspec: {containers: []}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: shop, labels: {app: b}}\nspec: {containers: []}\n",
        ),
    ];
    let out = run_on(&files, &Config::default());
    assert!(has(&out, Status::Passed, "CKV2_K8S_6", "Pod.shop.a"));
    assert!(has(&out, Status::Failed, "CKV2_K8S_6", "Pod.shop.b"));
}

#[test]
fn skip_annotations_as_checkov_parses_them() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: n\n  annotations:\n    checkov.io/skip1: CKV_K8S_20=needed\n    checkov.io/skip2: CKV_K8S_43\n    checkov.io/skip3: CKV_K8S_22,CKV_K8S_37=two IDs name no check\n    checkov.io/skip4: CKV_K8S_28=a=b\n    bridgecrew.io/skip9: CKV2_K8S_6=mesh\nspec:\n  containers:\n    - name: c\n      image: x:1\n";
    let out = run_on(&[("p.yaml", text)], &Config::default());
    let skipped = pairs(&out, Status::Skipped);
    assert_eq!(
        skipped,
        vec![
            "CKV2_K8S_6 Pod.n.p",
            "CKV_K8S_20 Pod.n.p",
            "CKV_K8S_43 Pod.n.p"
        ]
    );
    let reason = out
        .iter()
        .find(|o| o.rule == "CKV_K8S_20")
        .and_then(|o| o.reason.clone());
    assert_eq!(reason.as_deref(), Some("needed"));
    for still in [
        "CKV_K8S_22 Pod.n.p",
        "CKV_K8S_37 Pod.n.p",
        "CKV_K8S_28 Pod.n.p",
    ] {
        assert!(failed(&out).contains(&still.to_string()), "{still}");
    }
}

#[test]
fn config_skips_remove_checks_and_namespaces() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: quiet}\nspec:\n  containers:\n    - name: c\n      image: x:1\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: loud}\nspec:\n  containers:\n    - name: c\n      image: x:1\n";
    let config = Config {
        skip: vec!["quiet".into(), "CKV_K8S_1*".into()],
    };
    let out = run_on(&[("p.yaml", text)], &config);
    assert!(
        !out.iter()
            .any(|o| o.resource == "Pod.quiet.p" && o.rule.starts_with("CKV_K8S"))
    );
    // Graph rules are not left out by namespace, as in checkov.
    assert!(has(&out, Status::Failed, "CKV2_K8S_6", "Pod.quiet.p"));
    assert!(
        !out.iter()
            .any(|o| o.rule == "CKV_K8S_10" || o.rule == "CKV_K8S_14")
    );
    assert!(has(&out, Status::Failed, "CKV_K8S_20", "Pod.loud.q"));
}

#[test]
fn lists_are_spread_and_helm_templates_and_broken_files_skipped() {
    let list = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ServiceAccount\n    metadata: {name: default, namespace: x}\n";
    let helm = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.name }}\n";
    let broken = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default\n";
    let out = run_on(
        &[("l.yaml", list), ("h.yaml", helm), ("b.yaml", broken)],
        &Config::default(),
    );
    assert_eq!(failed(&out), vec!["CKV_K8S_41 ServiceAccount.x.default"]);
    assert_eq!(out[0].line, 4);
}

#[test]
fn control_plane_flags_fire_on_commands_only() {
    let pod = |field: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: api, namespace: kube-system}}\nspec:\n  containers:\n    - name: c\n      image: x:1\n      {field}: [kube-apiserver, --anonymous-auth=true]\n"
        )
    };
    let out = run_on(&[("a.yaml", &pod("command"))], &Config::default());
    assert!(has(
        &out,
        Status::Failed,
        "CKV_K8S_68",
        "Pod.kube-system.api"
    ));
    let out = run_on(&[("a.yaml", &pod("args"))], &Config::default());
    assert!(has(
        &out,
        Status::Passed,
        "CKV_K8S_68",
        "Pod.kube-system.api"
    ));
}

#[test]
fn cis_extras_flag_sensitive_host_paths_and_bidirectional_mounts() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec:\n  volumes:\n    - name: h\n      hostPath: {path: /etc/kubernetes}\n  containers:\n    - name: c\n      image: x:1\n      volumeMounts:\n        - {name: h, mountPath: /h, mountPropagation: Bidirectional}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: n}\nspec:\n  volumes:\n    - name: h\n      hostPath: {path: /var/log}\n  containers:\n    - name: c\n      image: x:1\n";
    let out = run_on(&[("p.yaml", text)], &Config::default());
    assert!(has(&out, Status::Failed, "BLAST_CIS_5_6", "Pod.n.p"));
    assert!(has(&out, Status::Failed, "BLAST_CIS_5_20", "Pod.n.p"));
    assert!(has(&out, Status::Passed, "BLAST_CIS_5_6", "Pod.n.q"));
    assert!(has(&out, Status::Passed, "BLAST_CIS_5_20", "Pod.n.q"));
}

#[test]
fn config_file_skip_check_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".checkov.yaml"),
        "skip-check:\n  - CKV_K8S_20\n  - quiet\n",
    )
    .unwrap();
    let c = Config::load(&[Path::new("/nonexistent"), dir.path()]);
    assert_eq!(c.skip, vec!["CKV_K8S_20", "quiet"]);
    assert!(c.skips_rule("CKV_K8S_20") && !c.skips_rule("CKV_K8S_2"));
    assert!(c.skips_namespace("quiet"));
}

#[test]
fn scalars_read_as_pyyaml_reads_them() {
    use crate::repo::yaml;
    let doc = yaml::parse("a: n\nb: yes\nc: 0644\nd: 0o17\ne: \"no\"\nf: ~\n");
    let v = V::from_node(doc.docs[0].root.as_ref().unwrap());
    assert_eq!(v.at("a"), &V::Str("n".into()));
    assert_eq!(v.at("b"), &V::Bool(true));
    assert_eq!(v.at("c"), &V::Int(420));
    assert_eq!(v.at("d"), &V::Str("0o17".into()));
    assert_eq!(v.at("e"), &V::Str("no".into()));
    assert_eq!(v.at("f"), &V::Null);
    assert_eq!(V::Bool(false).py_str(), "False");
}
