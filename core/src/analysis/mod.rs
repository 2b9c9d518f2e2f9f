//! Analysis on results: coupling coordination (耦合协调度), obstacle degree (障碍度),
//! grading of scores into ordered bands; statistical audit, uncertainty and sensitivity analysis.

// Comparisons written `!(x > 0.0)` deliberately reject NaN as well.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod audit;
mod coupling;
mod grading;
mod obstacle;
pub mod sensitivity;
pub mod uncertainty;

pub use coupling::{
    coupling_coordination, coupling_coordination_nodes, coupling_d_bands, CouplingOptions, CouplingResult, CouplingVariant,
};
pub use grading::{quantile_type7, Breaks, Graded, Grading};
pub use obstacle::{obstacle_degree, obstacle_degree_framework, Obstacles};
