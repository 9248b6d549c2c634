//! Reusable drawing pieces.
pub mod table;
pub mod yaml;
