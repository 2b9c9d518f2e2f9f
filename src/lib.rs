#![doc = include_str!("../README.md")]

pub use zhili_io as io;

pub use zhili_core::*;
pub use zhili_indicators as indicators;
