//! The hostile corpus of issue 14, generated (megabytes are not committed): files that once
//! crashed, exhausted or misled `blast check` and the console, each with the findings expected
//! at their lines, and a clean twin of tricky-but-valid files that must report nothing.
//!
//! Shared by the integration test (`tests/integration/hostile.rs`) and the bench
//! (`benches/hostile.rs`, whose `--write DIR` mode is what `scripts/hostile-corpus` runs).
//! Checked with `[limits] max_file_mb = CAP_MB` (the too-large file is just over it) and
//! `--schemas` pointing at an empty folder (core kinds are checked with the built-in types).

#![allow(dead_code)]

use std::path::Path;

/// The file cap the corpus is checked with, in MB.
pub const CAP_MB: u64 = 24;

/// One expected finding: file (relative to the corpus folder), line, and a piece of its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expect {
    pub path: String,
    pub line: usize,
    pub contains: String,
}

fn put(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn expect(path: &str, line: usize, contains: &str) -> Expect {
    Expect {
        path: path.into(),
        line,
        contains: contains.into(),
    }
}

/// Writes the hostile files under `root/hostile/apps/` and the clean twin under
/// `root/clean/apps/`; returns what checking `root/hostile` must report (nothing else).
pub fn write(root: &Path) -> Vec<Expect> {
    let h = root.join("hostile");
    let c = root.join("clean");
    let mut out = Vec::new();

    // Billion laughs: nine levels of nine aliases (387,420,489 leaves if expanded).
    let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let names: Vec<char> = ('a'..='i').collect();
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(", ");
        bomb.push_str(&format!("{n}: &{n} [{refs}]\n", n = w[1]));
    }
    put(&h, "apps/bomb/billion-laughs.yaml", bomb.as_bytes());
    out.push(expect("apps/bomb/billion-laughs.yaml", 5, "alias bomb"));

    // Deep nesting, 100,000 levels of each shape.
    const DEEP: usize = 100_000;
    put(&h, "apps/deep/flow-seq.yaml", "[".repeat(DEEP).as_bytes());
    out.push(expect(
        "apps/deep/flow-seq.yaml",
        1,
        "nested deeper than 255",
    ));
    put(
        &h,
        "apps/deep/flow-map.yaml",
        "{a: ".repeat(DEEP).as_bytes(),
    );
    out.push(expect(
        "apps/deep/flow-map.yaml",
        1,
        "nested deeper than 255",
    ));
    put(
        &h,
        "apps/deep/block-seq.yaml",
        format!("kind: x\nitems:\n{}x\n", "- ".repeat(DEEP)).as_bytes(),
    );
    out.push(expect(
        "apps/deep/block-seq.yaml",
        3,
        "nesting deeper than 10000",
    ));
    put(
        &h,
        "apps/deep/block-map.yaml",
        format!("{}x\n", "? ".repeat(DEEP)).as_bytes(),
    );
    out.push(expect(
        "apps/deep/block-map.yaml",
        1,
        "nesting deeper than 10000",
    ));
    // Flow mappings as keys of flow mappings (each level's key text used to double).
    put(&h, "apps/deep/flow-keys.yaml", "{".repeat(DEEP).as_bytes());
    out.push(expect(
        "apps/deep/flow-keys.yaml",
        1,
        "nested deeper than 255",
    ));

    // Size: 20 MB of many small documents (valid), a 10 MB single-line string (valid), a 10 MB
    // single-line flow sequence (too many nodes), a file over the cap.
    let mut many = String::with_capacity(21 << 20);
    let mut i = 0;
    while many.len() < 20 << 20 {
        many.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: big\ndata:\n  key: value-{i}\n"
        ));
        i += 1;
    }
    put(&h, "apps/size/many-documents.yaml", many.as_bytes());
    put(
        &h,
        "apps/size/long-line.yaml",
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: long}}\ndata: {{blob: \"{}\"}}\n",
            "x".repeat(10 << 20)
        )
        .as_bytes(),
    );
    let mut flow = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flow}\nspec: [");
    while flow.len() < 10 << 20 {
        flow.push_str("1,");
    }
    flow.push_str("1]\n");
    put(&h, "apps/size/long-flow.yaml", flow.as_bytes());
    out.push(expect(
        "apps/size/long-flow.yaml",
        4,
        "more than 1000000 nodes",
    ));
    let mut large = Vec::with_capacity(((CAP_MB + 1) << 20) as usize);
    while (large.len() as u64) <= CAP_MB << 20 {
        large.extend_from_slice(b"# padding padding padding padding padding padding padding\n");
    }
    put(&h, "apps/size/too-large.yaml", &large);
    out.push(expect(
        "apps/size/too-large.yaml",
        1,
        "over the 24 MB limit",
    ));

    // Encodings.
    put(
        &h,
        "apps/enc/latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
    );
    out.push(expect(
        "apps/enc/latin1.yaml",
        4,
        "invalid UTF-8: byte 0xE9",
    ));
    put(
        &h,
        "apps/enc/cp1252.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: q\ndata:\n  quote: \x93hi\x94\n",
    );
    out.push(expect(
        "apps/enc/cp1252.yaml",
        6,
        "invalid UTF-8: byte 0x93",
    ));
    put(
        &h,
        "apps/enc/nul.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  k: a\x00b\n",
    );
    out.push(expect("apps/enc/nul.yaml", 6, "NUL"));
    put(
        &h,
        "apps/enc/bell.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\x07\n",
    );
    out.push(expect("apps/enc/bell.yaml", 4, "U+0007"));
    let mut bad16 = vec![0xff, 0xfe];
    bad16.extend(
        "apiVersion: v1\nkind: ConfigMap\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    bad16.extend([0x00, 0xdc]);
    put(&h, "apps/enc/utf16-unpaired.yaml", &bad16);
    out.push(expect("apps/enc/utf16-unpaired.yaml", 3, "UTF-16"));

    // Objects: a List with a nameless item; an object that lost its kind.
    put(
        &h,
        "apps/objects/list.yaml",
        b"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {}\n",
    );
    out.push(expect(
        "apps/objects/list.yaml",
        7,
        "ConfigMap is missing metadata.name",
    ));

    // YAML 1.1 as Kubernetes reads it, against the core types (`check --schemas`).
    put(
        &h,
        "apps/yaml11/configmap.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\ndata:\n  enabled: on\n  plain: yes-really\n",
    );
    out.push(expect(
        "apps/yaml11/configmap.yaml",
        6,
        "where \"on\" is the boolean true; quote it",
    ));
    // (The typed check reports the first type error of an object, so one per file.)
    put(
        &h,
        "apps/yaml11/mode.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mode\ndata:\n  mode: 0644\n",
    );
    out.push(expect(
        "apps/yaml11/mode.yaml",
        6,
        "where \"0644\" is the number 420; quote it",
    ));

    // The clean twin: tricky but valid; `blast check --schemas` must report nothing.
    put(
        &c,
        "apps/chart/Chart.yaml",
        b"apiVersion: v2\nname: chart\nversion: 1.2.3\n",
    );
    put(
        &c,
        "apps/chart/values.yaml",
        b"replicaCount: 2\nimage:\n  tag: \"1.0\"\n",
    );
    put(
        &c,
        "apps/chart/templates/deployment.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"chart.fullname\" . }}\n{{- with .Values.labels }}\n  labels:\n    {{- toYaml . | nindent 4 }}\n{{- end }}\n",
    );
    put(
        &c,
        "apps/kustomize/kustomization.yaml",
        b"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- list.yaml\n",
    );
    put(
        &c,
        "apps/kustomize/list.yaml",
        b"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a, namespace: k}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b, namespace: k}\n",
    );
    let obj = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\u{e9}-x\n  namespace: enc\ndata:\n  k: v\n";
    put(&c, "apps/enc/bom.yaml", format!("\u{feff}{obj}").as_bytes());
    let mut le = vec![0xff, 0xfe];
    le.extend(obj.encode_utf16().flat_map(u16::to_le_bytes));
    put(&c, "apps/enc/utf16le.yaml", &le);
    put(
        &c,
        "apps/enc/crlf.yaml",
        obj.replace('\n', "\r\n").as_bytes(),
    );
    // Tabs as separation (YAML 1.2 example 5.12; test-suite J3BT and 6BCT).
    put(
        &c,
        "apps/tabs/tabs.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name:\ttabs\n  namespace: t\ndata:\n  quoted: \"Quoted \t\"\n  block:\t|\n    void main() {\n    \tprintf(\"Hello, world!\\n\");\n    }\n",
    );
    put(
        &c,
        "apps/tabs/6bct.yaml",
        b"- foo:\t bar\n- - baz\n  -\tbaz\n",
    );
    // YAML 1.1 readings that fit their types: an octal mode, quoted flags.
    put(
        &c,
        "apps/yaml11/pod.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: yaml11\nspec:\n  containers:\n  - name: c\n    image: busybox\n  volumes:\n  - name: v\n    configMap:\n      name: flags\n      defaultMode: 0644\n",
    );
    put(
        &c,
        "apps/yaml11/configmap.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  namespace: yaml11\ndata:\n  enabled: \"on\"\n  mode: \"0644\"\n  time: 1:30\n",
    );
    // Deep and wide data at the limits, read in bounded time (collections as keys took
    // minutes, and a mapping of many keys time quadratic in their number).
    let limit = 10_000;
    put(
        &c,
        "apps/deep/explicit-keys.yaml",
        format!("{}x\n", "? ".repeat(limit)).as_bytes(),
    );
    put(
        &c,
        "apps/deep/block-seq.yaml",
        format!("{}x\n", "- ".repeat(limit)).as_bytes(),
    );
    let mut indented = String::new();
    for i in 0..3_000 {
        indented.push_str(&format!("{}a:\n", " ".repeat(i)));
    }
    indented.push_str(&format!("{}x\n", " ".repeat(3_000)));
    put(&c, "apps/deep/indented-mappings.yaml", indented.as_bytes());
    put(
        &c,
        "apps/deep/flow-keys.yaml",
        format!("{}x{}\n", "{".repeat(255), "}".repeat(255)).as_bytes(),
    );
    put(
        &c,
        "apps/deep/flow-maps.yaml",
        format!("{}x{}\n", "{a: ".repeat(255), "}".repeat(255)).as_bytes(),
    );
    let wide: String = (0..100_000).map(|i| format!("key{i}: value\n")).collect();
    put(&c, "apps/deep/wide.yaml", wide.as_bytes());
    // Anchors used as people use them.
    put(
        &c,
        "apps/anchors/anchors.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: anchors\n  namespace: a\n  labels: &labels\n    app: a\n  annotations: *labels\ndata: &data\n  a: b\n",
    );
    out.sort();
    out
}
