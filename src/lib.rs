#![doc = include_str!("../README.md")]

pub mod io;

pub use zhili_core::*;
pub use zhili_indicators as indicators;
