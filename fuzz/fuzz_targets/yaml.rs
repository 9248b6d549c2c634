//! The positioned YAML tree on any text: no panic, no hang; an error inside the text; no
//! document deeper than the limit; every tree clones equal and converts to JSON; `guard`
//! agrees with `parse`. (`benches/fuzz.rs yaml` is the same property over a token soup.)
#![no_main]

use blast_fuzz::repo::yaml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = yaml::parse(text);
    let lines = text.split('\n').count() + 1;
    if let Some(e) = &parsed.error {
        assert!(
            e.pos.line >= 1 && e.pos.line <= lines,
            "error outside the text: {e:?}"
        );
    }
    for d in &parsed.docs {
        assert!(
            d.depth <= yaml::MAX_DEPTH,
            "depth {} past the limit",
            d.depth
        );
        assert!(d.start_line <= d.end_line && d.end_line <= lines, "{d:?}");
        if let Some(root) = &d.root {
            let copy = root.clone();
            assert!(&copy == root, "a clone differs");
            yaml::drop_json(root.to_json());
            yaml::drop_json(root.to_json_k8s());
        }
    }
    assert_eq!(
        yaml::guard(text).err(),
        parsed.error,
        "guard and parse disagree"
    );
});
