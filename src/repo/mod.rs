//! The Blast repo on disk: YAML with positions, the index the browser shows, and `blast check`.
//! Free of ratatui so `blast check` and the tests can use it alone.

pub mod check;
pub mod core_kinds;
pub mod edit;
pub mod index;
pub mod quick;
pub mod schema;
pub mod yaml;
pub mod yaml_edit;
pub mod yaml_serde;
