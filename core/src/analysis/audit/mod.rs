//! Statistical audit (to come).
