//! Data preparation steps: denominate, impute, screen, treat (COINr-compatible).

mod denominate;
mod impute;
mod screen;
pub mod stats;
mod treat;

pub use denominate::Denominate;
pub use impute::{Impute, ImputeMethod};
pub use screen::Screen;
pub use treat::{Treat, TreatMethod};
