//! The fitted pipeline document: framework, frozen steps, weights, grading; versioned,
//! validated on load.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analysis::{Graded, Grading};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::{Framework, FrameworkSpec};
use crate::normalise::Normaliser;
use crate::pipeline::{Pipeline, Run, Step};
use crate::results::Results;
use crate::weight::WeightMethod;

/// The current fitted-pipeline document version.
pub const FITTED_VERSION: u32 = 1;

/// Data-driven weights as fitted: the method, the stage it read, and every node's weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedWeights {
    /// The weighting method that produced them.
    pub method: WeightMethod,
    /// The pipeline stage the method read (`raw`, `imputed`, ...).
    pub stage: String,
    /// Weight of every non-root node, relative to its siblings.
    pub values: BTreeMap<String, f64>,
}

/// A grading whose data-driven thresholds (quantiles, equal intervals) were fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedGrading {
    /// The node whose scores are graded.
    pub node: String,
    /// The grading as asked for (e.g. quantiles), kept for the reader.
    pub asked: Grading,
    /// The grading applied: fixed thresholds.
    pub grading: Grading,
}

/// What the fit saw.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitReport {
    /// Units in the fitted data.
    pub units: usize,
    /// Units the `screen` step dropped from the fitted data, sorted (screening is per unit
    /// and is applied afresh to new data).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screened_out: Vec<String>,
}

/// A pipeline fitted on one dataset, to apply to others ([`crate::Pipeline::fit`]).
///
/// Its `pipeline` is the original pipeline with every data-dependent step replaced by its
/// frozen equivalent — `impute` → [`impute_fitted`](super::ImputeFitted), `treat` →
/// [`treat_fitted`](super::TreatFitted), `normalise` → `method = "fitted"` (a
/// [`FittedNormaliser`](crate::FittedNormaliser)) — so [`FittedPipeline::apply`] runs the
/// same step code as [`Pipeline::run`], with explicit parameters. The framework is kept
/// (with fitted weights, if any), so the document alone scores new data.
///
/// Serialises to JSON / TOML with a `version`; [`FittedPipeline::from_json_str`] and
/// [`FittedPipeline::from_toml_str`] validate everything (framework, step order, every
/// stored indicator id and value) and name the field of a problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedPipeline {
    /// Document version; must be [`FITTED_VERSION`].
    pub version: u32,
    /// The framework as given (weights before fitting).
    pub framework: FrameworkSpec,
    /// The frozen pipeline.
    pub pipeline: Pipeline,
    /// Data-driven weights, if fitted; they replace the framework's weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<FittedWeights>,
    /// A grading with fitted thresholds, if asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grading: Option<FittedGrading>,
    /// What the fit saw.
    #[serde(default)]
    pub fitted_on: FitReport,
}

impl FittedPipeline {
    /// The framework to score with: the stored one, with the fitted weights.
    ///
    /// # Errors
    /// [`Error::Framework`] for an invalid framework; [`Error::Unknown`] for a weight on a
    /// node that is not in it.
    pub fn framework(&self) -> Result<Framework> {
        let fw = Framework::from_spec(self.framework.clone())?;
        match &self.weights {
            None => Ok(fw),
            Some(w) => fw.with_weights(w.values.iter().map(|(k, v)| (k.as_str(), *v))),
        }
    }

    /// Apply to new data: [`Pipeline::run`] of the frozen pipeline with the stored framework.
    ///
    /// # Errors
    /// As [`Pipeline::run`] and [`FittedPipeline::framework`].
    pub fn apply(&self, data: &Dataset) -> Result<Run> {
        self.pipeline.run(&self.framework()?, data)
    }

    /// [`FittedPipeline::apply`] on the streaming path ([`Pipeline::score_every_node`]): the
    /// same results, no stages kept.
    ///
    /// # Errors
    /// As [`FittedPipeline::apply`].
    pub fn score(&self, data: &Dataset) -> Result<Run> {
        self.pipeline.score_every_node(&self.framework()?, data)
    }

    /// Grade results with the fitted grading, if there is one.
    ///
    /// # Errors
    /// [`Error::Unknown`] if the graded node has no scores in `results`.
    pub fn grade(&self, results: &Results) -> Result<Option<Graded>> {
        let Some(g) = &self.grading else { return Ok(None) };
        let scores = results.node_scores(&g.node)?;
        g.grading.apply(scores).map(Some)
    }

    /// Check everything a hand-edited or foreign document could get wrong.
    ///
    /// # Errors
    /// [`Error::Spec`] naming the field (`version`, `pipeline.steps[k]...`, `grading...`);
    /// the framework's and pipeline's own validation errors.
    pub fn check(&self) -> Result<()> {
        let what = "fitted pipeline";
        if self.version != FITTED_VERSION {
            return Err(Error::spec(
                what,
                format!(
                    "`version`: unsupported version {} (this zhili reads version {FITTED_VERSION})",
                    self.version
                ),
            ));
        }
        let fw = self.framework()?;
        self.pipeline.check()?;
        let nodes: Vec<_> = fw.indicators().iter().map(|&i| &fw.nodes()[i]).collect();
        for (k, step) in self.pipeline.steps.iter().enumerate() {
            let at = |e: Error| prefix(e, &format!("pipeline.steps[{k}] (`{}`)", step.type_name()));
            match step {
                Step::ImputeFitted(s) => s.check(&fw).map_err(at)?,
                Step::TreatFitted(s) => s.check(&fw).map_err(at)?,
                Step::Normalise(Normaliser::Fitted(f)) => {
                    // Every indicator has parameters of the right kind and direction.
                    use crate::normalise::Normalise;
                    f.check().map_err(at)?;
                    for node in &nodes {
                        f.fit_column(&[], node).map_err(at)?;
                    }
                }
                _ => {}
            }
        }
        if let Some(g) = &self.grading {
            g.grading.check().map_err(|e| prefix(e, "grading.grading"))?;
            fw.node(&g.node).map_err(|e| prefix(e, "grading.node"))?;
        }
        Ok(())
    }

    /// Parse and validate JSON.
    ///
    /// # Errors
    /// [`Error::Parse`] with the line and the field; [`FittedPipeline::check`]'s errors.
    pub fn from_json_str(s: &str) -> Result<Self> {
        let f: FittedPipeline =
            serde_json::from_str(s).map_err(|e| Error::parse("<fitted pipeline>", Some(e.line()), None, e.to_string()))?;
        f.check()?;
        Ok(f)
    }

    /// Parse and validate TOML.
    ///
    /// # Errors
    /// As [`FittedPipeline::from_json_str`].
    pub fn from_toml_str(s: &str) -> Result<Self> {
        let f: FittedPipeline = toml::from_str(s).map_err(|e| crate::framework::toml_error(e, s, "<fitted pipeline>"))?;
        f.check()?;
        Ok(f)
    }

    /// Write JSON (pretty).
    ///
    /// # Errors
    /// Only if a value cannot be represented (a non-finite number).
    pub fn to_json_string(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::spec("fitted pipeline", e.to_string()))
    }

    /// Write TOML.
    ///
    /// # Errors
    /// As [`FittedPipeline::to_json_string`].
    pub fn to_toml_string(&self) -> Result<String> {
        toml::to_string_pretty(self).map_err(|e| Error::spec("fitted pipeline", e.to_string()))
    }
}

/// An error with the document field it concerns in front.
fn prefix(e: Error, field: &str) -> Error {
    match e {
        Error::Spec { what, message } => Error::Spec {
            what: format!("{field}: {what}"),
            message,
        },
        Error::Unknown { what, id, context } => Error::Unknown {
            what,
            id,
            context: format!("{context} ({field})"),
        },
        other => Error::spec(field, other.to_string()),
    }
}
