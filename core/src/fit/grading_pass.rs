//! The last pass of a [`PartialFit`](super::PartialFit) for equal-interval grading: the
//! graded node's smallest and largest score under the finished fit.
//!
//! ```text
//! t_k = lo + (hi − lo) · k / bands,   k = 1 … bands − 1     (lo, hi: min and max score)
//! ```
//!
//! computed by [`Grading::thresholds`] itself from `[lo, hi]`; min and max merge exactly.

use ndarray::array;
use serde::{Deserialize, Serialize};

use super::document::{FittedGrading, FittedPipeline};
use super::GradeNode;
use crate::analysis::{Breaks, Grading};
use crate::data::Dataset;
use crate::error::{Error, Result};

/// Whether a grading's thresholds are fitted by a pass of their own.
pub(super) fn needs_pass(g: Option<&GradeNode>) -> bool {
    g.is_some_and(|g| matches!(g.grading.breaks, Breaks::EqualIntervals { .. }))
}

/// The pass that reads the graded node's range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GradingPass {
    /// The finished fit, without its grading.
    fitted: FittedPipeline,
    /// The grading asked for.
    asked: GradeNode,
    /// Smallest and largest score seen (none yet: no score present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    range: Option<[f64; 2]>,
}

impl GradingPass {
    pub(super) fn new(fitted: FittedPipeline, asked: GradeNode) -> Self {
        GradingPass {
            fitted,
            asked,
            range: None,
        }
    }

    pub(super) fn same_pass(&self, other: &GradingPass) -> bool {
        self.fitted == other.fitted && self.asked == other.asked
    }

    /// Score a batch with the finished fit and widen the range.
    ///
    /// # Errors
    /// [`FittedPipeline::score`]'s; [`Error::Unknown`] for a graded node not in the framework.
    pub(super) fn update(&mut self, batch: &Dataset) -> Result<()> {
        let run = match self.fitted.score(batch) {
            Ok(r) => r,
            // a batch may lose every unit to `screen`; the whole data need not
            Err(Error::Empty(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let scores = run.results.node_scores(&self.asked.node)?;
        for &x in scores.iter().filter(|x| !x.is_nan()) {
            self.widen(x, x);
        }
        Ok(())
    }

    fn widen(&mut self, lo: f64, hi: f64) {
        self.range = Some(match self.range {
            None => [lo, hi],
            Some([a, b]) => [a.min(lo), b.max(hi)],
        });
    }

    pub(super) fn merge(&mut self, other: &GradingPass) {
        if let Some([lo, hi]) = other.range {
            self.widen(lo, hi);
        }
    }

    /// The finished fit with fixed thresholds.
    ///
    /// # Errors
    /// [`Error::Empty`] if no score was present; [`Error::Spec`] if the thresholds coincide
    /// (every score equal), as [`Pipeline::fit_with`](crate::Pipeline::fit_with).
    pub(super) fn decide(&self) -> Result<FittedPipeline> {
        let present = match self.range {
            Some([lo, hi]) => array![lo, hi],
            None => array![],
        };
        let thresholds = self.asked.grading.thresholds(present.view())?;
        let grading = Grading {
            breaks: Breaks::Fixed { thresholds },
            labels: self.asked.grading.labels.clone(),
        };
        grading.check().map_err(|e| {
            Error::spec(
                "fit (grading)",
                format!("the fitted thresholds cannot be used as fixed thresholds ({e}); ties in the scores make quantiles coincide"),
            )
        })?;
        let mut fitted = self.fitted.clone();
        fitted.grading = Some(FittedGrading {
            node: self.asked.node.clone(),
            asked: self.asked.grading.clone(),
            grading,
        });
        Ok(fitted)
    }
}
