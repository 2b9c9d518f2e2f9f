#![doc = include_str!("../README.md")]

pub mod aggregate;
pub mod analysis;
pub mod cancel;
pub mod data;
mod error;
pub mod fit;
pub mod framework;
mod kernels;
pub mod log;
pub mod memory;
pub mod normalise;
pub mod pipeline;
pub mod prepare;
pub mod rank;
pub mod results;
pub mod suggest;
pub mod text;
pub mod weight;

pub use aggregate::{Aggregate, Aggregator};
pub use data::{Dataset, SharedColumn, SharedValues};
pub use error::{Error, Location, Problem, ProblemKind, Result};
pub use framework::{Direction, Framework, FrameworkSpec, Node, NodeKind};
pub use log::{Level, LogEntry};
pub use normalise::{FittedNormaliser, Normaliser};
pub use pipeline::{Pipeline, Run, Stage, StageData, Step};
pub use rank::{rank, Ties};
pub use results::Results;
pub use weight::WeightSet;

/// The n-dimensional arrays zhili computes on, re-exported so a crate that links zhili needs no
/// separate `ndarray` dependency (`zhili_core::ndarray::array!`).
pub use ndarray;
