//! Fit once, apply anywhere: a pipeline fitted on one dataset (a base year, the whole
//! population) and applied to others (later years, partitions of a larger table).
//!
//! - [`Pipeline::fit`](crate::Pipeline::fit) runs a pipeline and returns a
//!   [`FittedPipeline`]: the same pipeline with every data-dependent step replaced by its
//!   frozen equivalent ([`ImputeFitted`], [`TreatFitted`], a `fitted` normaliser), plus
//!   fitted weights and grading thresholds. [`FittedPipeline::apply`] runs the frozen
//!   pipeline through the same step code, so on the fitted data it reproduces
//!   [`Pipeline::run`] bit for bit. It serialises to JSON / TOML (versioned, validated on
//!   load).
//! - [`PartialFit`] makes the same fit from row batches: per-batch sufficient statistics
//!   (counts, exact sums and sums of squares, minima and maxima) merged in any order.
//!   Sums are [`ExactSum`]s (Shewchuk expansions, rounded once), so the merged fit is
//!   identical for every partitioning and within 1e-12 of [`Pipeline::fit`]. Choices that
//!   depend on earlier ones take further passes over the batches
//!   ([`PartialFit::passes_left`], [`PartialFit::advance`]): `treat` and the normaliser
//!   after it (`step_pass.rs`), data-driven weights level by level (`passes.rs`),
//!   equal-interval grading (`grading_pass.rs`).
//!
//! ```
//! use zhili_core::{Dataset, Framework, Pipeline, ndarray::array};
//! let fw = Framework::from_toml_str(
//!     "version = 1\n[[nodes]]\nid = \"I\"\n[[nodes]]\nid = \"a\"\nparent = \"I\"\n\
//!      [[nodes]]\nid = \"b\"\nparent = \"I\"\n",
//! )?;
//! let year1 = Dataset::new(vec!["x".into(), "y".into()], vec!["a".into(), "b".into()], array![[0.0, 10.0], [10.0, 20.0]])?;
//! let fitted = Pipeline::default().fit(&fw, &year1)?;
//! // Year 2 on year 1's scale: `x` doubled its `a`, so its score rises by 50 · ½.
//! let year2 = Dataset::new(vec!["x".into()], vec!["a".into(), "b".into()], array![[5.0, 10.0]])?;
//! let run = fitted.apply(&year2)?;
//! assert_eq!(run.results.index_scores()[0], 25.0);
//! let back = zhili_core::fit::FittedPipeline::from_json_str(&fitted.to_json_string()?)?;
//! assert_eq!(back, fitted);
//! # Ok::<(), zhili_core::Error>(())
//! ```

mod document;
mod fitting;
mod grading_pass;
mod impute;
mod moments;
mod partial;
mod passes;
mod step_pass;
mod treat;

pub use crate::kernels::exact::ExactSum;
pub use document::{FitReport, FittedGrading, FittedPipeline, FittedWeights, FITTED_VERSION};
pub use fitting::{FitOptions, GradeNode};
pub use impute::ImputeFitted;
pub use partial::PartialFit;
pub use treat::{TreatFitted, TreatRule};

#[cfg(test)]
mod passes_tests;
#[cfg(test)]
mod tests;
