//! Analysis of an index: statistical audit, uncertainty and sensitivity analysis.

pub mod audit;
pub mod sensitivity;
pub mod uncertainty;
