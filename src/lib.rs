#![doc = include_str!("../README.md")]

pub use zhili_io as io;

/// The n-dimensional arrays zhili computes on (`zhili::ndarray::array!`): a service that
/// links zhili needs no separate `ndarray` dependency.
pub use zhili_core::ndarray;
pub use zhili_core::*;
pub use zhili_indicators as indicators;
