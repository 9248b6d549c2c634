pub mod fixtures;
pub mod scenario;
