//! The analyses of `zhili_core::analysis`: audit, uncertainty (and replay), sensitivity,
//! coupling coordination, obstacle degrees and grading, one file each; `monitor` runs the
//! long ones on a worker thread that Python can interrupt and follow.

pub(crate) mod audit;
pub(crate) mod coupling;
pub(crate) mod grading;
pub(crate) mod monitor;
pub(crate) mod obstacle;
pub(crate) mod sensitivity;
pub(crate) mod uncertainty;
