//! The parts of blast that are fuzzed coverage-guided, compiled from the main crate's own
//! source files: the positioned YAML tree (`repo/yaml/`) and the byte-preserving scalar editor
//! (`repo/yaml_edit.rs`). They depend on nothing else of blast, so the instrumented build is
//! small (the rest of blast, with kube and git2, is fuzzed by `benches/fuzz.rs`). `edit_check`
//! is the scalar editor's contract, shared with `benches/fuzz.rs`.

pub mod edit_check;
pub mod repo;

use repo::{yaml, yaml_edit};
