//! blast's `src/repo/yaml/` and `src/repo/yaml_edit.rs`, compiled as they are (they use
//! nothing else of blast but each other, as `crate::repo::yaml`).

#[path = "../../../src/repo/yaml/mod.rs"]
pub mod yaml;
#[path = "../../../src/repo/yaml_edit.rs"]
pub mod yaml_edit;
