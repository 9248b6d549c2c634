//! Reusable drawing pieces.
pub mod yaml;
