//! Sensitivity analysis (to come).
