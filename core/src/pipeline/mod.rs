//! A pipeline: a serialisable list of steps, run on a framework and a dataset.
//!
//! ```toml
//! version = 1
//! [[steps]]
//! type = "denominate"
//! [[steps]]
//! type = "impute"
//! method = "group_mean"
//! group = "EurAsia_group"
//! [[steps]]
//! type = "screen"
//! min_coverage = 0.9
//! [[steps]]
//! type = "treat"
//! method = "winsorise"
//! max_points = 5
//! skew = 2.0
//! kurtosis = 3.5
//! [[steps]]
//! type = "normalise"
//! method = "minmax"
//! lo = 0.0
//! hi = 100.0
//! [[steps]]
//! type = "aggregate"
//! method = "arithmetic"
//! ```
//!
//! Each preparation step may appear at most once, in any order; `aggregate` must be
//! the last step and appear exactly once. Running gives a [`Run`] with every stage.

mod finite;
mod run;
mod score;

use serde::{Deserialize, Serialize};

pub use crate::stage::{StageData, StepInput, StepOutput};
pub use run::{Run, Stage};

use crate::aggregate::Aggregate;
use crate::error::{Error, Result};
use crate::normalise::Normaliser;
use crate::prepare::{Denominate, Impute, Screen, Treat};
use crate::rank::Ties;

/// The current pipeline document version.
pub const PIPELINE_VERSION: u32 = 1;

/// One step of a pipeline (`type` tag in the document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Step {
    /// Divide indicators by their denominators.
    Denominate(Denominate),
    /// Fill missing values.
    Impute(Impute),
    /// Drop units with too little data.
    Screen(Screen),
    /// Treat outliers.
    Treat(Treat),
    /// Normalise indicators (directions applied here).
    Normalise(Normaliser),
    /// Fill missing values with values fitted on other data (from [`Pipeline::fit`]).
    ImputeFitted(crate::fit::ImputeFitted),
    /// Treat outliers with rules fitted on other data (from [`Pipeline::fit`]).
    TreatFitted(crate::fit::TreatFitted),
    /// Aggregate level by level.
    Aggregate(Aggregate),
}

impl Step {
    /// The step's type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Step::Denominate(_) => "denominate",
            Step::Impute(_) => "impute",
            Step::Screen(_) => "screen",
            Step::Treat(_) => "treat",
            Step::Normalise(_) => "normalise",
            Step::ImputeFitted(_) => "impute_fitted",
            Step::TreatFitted(_) => "treat_fitted",
            Step::Aggregate(_) => "aggregate",
        }
    }

    /// The name of the stage this step produces.
    pub fn stage_name(&self) -> &'static str {
        match self {
            Step::Denominate(_) => "denominated",
            Step::Impute(_) | Step::ImputeFitted(_) => "imputed",
            Step::Screen(_) => "screened",
            Step::Treat(_) | Step::TreatFitted(_) => "treated",
            Step::Normalise(_) => "normalised",
            Step::Aggregate(_) => "aggregated",
        }
    }

    /// Apply a preparation step to a stage: the one dispatch that [`Pipeline::run`] (every
    /// stage kept) and the uncertainty engine (each variant's prepared data, cached) share.
    /// Returns the new stage, and the fitted normaliser for `normalise`.
    ///
    /// # Errors
    /// The step's own errors; [`Error::Spec`] for `aggregate`, which is not a preparation step;
    /// [`Error::Method`] naming step, indicator and unit when the step turned a number into
    /// `inf` / `NaN` (see `finite.rs`).
    pub(crate) fn prepare(&self, input: &StepInput<'_>) -> Result<(StepOutput, Option<crate::FittedNormaliser>)> {
        let (out, fitted) = self.prepare_unchecked(input)?;
        let new_missing_ok = self.makes_missing();
        finite::check_stage(
            self.stage_name(),
            input.framework,
            input.dataset.unit_ids(),
            input.data,
            &out.data,
            new_missing_ok,
        )?;
        Ok((out, fitted))
    }

    /// Whether the step may turn a number into a missing value, with a warning in the log
    /// (documented): `denominate` where the denominator is zero or missing, a fitted treatment
    /// where a new value lies outside the fitted log domain. Every other step must keep
    /// numbers numbers (see `finite.rs`).
    pub(crate) fn makes_missing(&self) -> bool {
        matches!(self, Step::Denominate(_) | Step::TreatFitted(_))
    }

    fn prepare_unchecked(&self, input: &StepInput<'_>) -> Result<(StepOutput, Option<crate::FittedNormaliser>)> {
        Ok(match self {
            Step::Denominate(s) => (s.apply(input)?, None),
            Step::Impute(s) => (s.apply(input)?, None),
            Step::Screen(s) => (s.apply(input)?, None),
            Step::Treat(s) => (s.apply(input)?, None),
            Step::ImputeFitted(s) => (s.apply(input)?, None),
            Step::TreatFitted(s) => (s.apply(input)?, None),
            Step::Normalise(n) => {
                let fw = input.framework;
                let nodes: Vec<_> = fw.indicators().iter().map(|&i| &fw.nodes()[i]).collect();
                let (values, fitted, log) = n.fit_transform(input.data.values.view(), &nodes)?;
                let data = StageData {
                    units: input.data.units.clone(),
                    values,
                };
                (StepOutput { data, log }, Some(fitted))
            }
            Step::Aggregate(_) => return Err(Error::spec("pipeline", "`aggregate` must be the last step")),
        })
    }

    /// The same step as [`Step::prepare`], ready to transform one column at a time (the
    /// streamed [`Pipeline::score`], which keeps no stage): the step's checks run here, once.
    ///
    /// # Errors
    /// The step's checks; [`Error::Spec`] for `screen` (it needs whole rows) and `aggregate`.
    pub(crate) fn stream<'a>(&'a self, input: &StepInput<'a>) -> Result<crate::stage::StreamKernel<'a>> {
        use crate::stage::{ColumnStep, StreamKernel};
        Ok(match self {
            Step::Denominate(s) => StreamKernel::Column(s.begin(input)?),
            Step::Impute(s) => StreamKernel::Column(s.begin(input)?),
            Step::Treat(s) => StreamKernel::Column(s.begin(input)?),
            Step::ImputeFitted(s) => StreamKernel::Column(s.begin(input)?),
            Step::TreatFitted(s) => StreamKernel::Column(s.begin(input)?),
            Step::Normalise(n) => {
                n.method().check()?;
                StreamKernel::Normalise(n)
            }
            Step::Screen(_) => return Err(Error::spec("pipeline", "`screen` needs whole rows and cannot stream")),
            Step::Aggregate(_) => return Err(Error::spec("pipeline", "`aggregate` must be the last step and appear once")),
        })
    }
}

/// A list of steps plus ranking options. Serialises to one TOML / JSON document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    /// Document version; must be [`PIPELINE_VERSION`].
    pub version: u32,
    /// Tie rule for ranks (default `min`).
    #[serde(default)]
    pub ties: Ties,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Default for Pipeline {
    /// Denominate → mean imputation → min-max [0, 100] → arithmetic mean.
    fn default() -> Self {
        Pipeline {
            version: PIPELINE_VERSION,
            ties: Ties::Min,
            steps: vec![
                Step::Denominate(Denominate { scale: 1.0 }),
                Step::Impute(Impute {
                    method: crate::prepare::ImputeMethod::Mean,
                    group: None,
                }),
                Step::Normalise(Normaliser::minmax(0.0, 100.0)),
                Step::Aggregate(Aggregate::default()),
            ],
        }
    }
}

impl Pipeline {
    /// Parse TOML.
    ///
    /// # Errors
    /// [`Error::Parse`] with the line of the problem, or [`Error::Spec`] for a bad step order.
    pub fn from_toml_str(s: &str) -> Result<Self> {
        Self::from_toml_named(s, "<pipeline>")
    }

    /// Parse TOML, naming `file` in errors.
    ///
    /// # Errors
    /// As [`Pipeline::from_toml_str`].
    pub fn from_toml_named(s: &str, file: &str) -> Result<Self> {
        let p: Pipeline = toml::from_str(s).map_err(|e| crate::framework::toml_error(e, s, file))?;
        p.check()?;
        Ok(p)
    }

    /// Parse JSON.
    ///
    /// # Errors
    /// [`Error::Parse`] or [`Error::Spec`].
    pub fn from_json_str(s: &str) -> Result<Self> {
        let p: Pipeline = serde_json::from_str(s).map_err(|e| Error::parse("<pipeline>", Some(e.line()), None, e.to_string()))?;
        p.check()?;
        Ok(p)
    }

    /// Write TOML.
    ///
    /// # Errors
    /// Only if a value cannot be represented.
    pub fn to_toml_string(&self) -> Result<String> {
        toml::to_string_pretty(self).map_err(|e| Error::spec("pipeline", e.to_string()))
    }

    /// Write JSON.
    ///
    /// # Errors
    /// Only if a value cannot be represented.
    pub fn to_json_string(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::spec("pipeline", e.to_string()))
    }

    /// Check version and step order.
    ///
    /// # Errors
    /// [`Error::Spec`] naming the step.
    pub fn check(&self) -> Result<()> {
        if self.version != PIPELINE_VERSION {
            return Err(Error::spec(
                "pipeline",
                format!("unsupported version {} (this zhili reads version {PIPELINE_VERSION})", self.version),
            ));
        }
        let Some(Step::Aggregate(_)) = self.steps.last() else {
            return Err(Error::spec("pipeline", "the last step must be `aggregate`"));
        };
        let mut seen = std::collections::HashSet::new();
        for (i, s) in self.steps.iter().enumerate() {
            // A fitted step stands for its step: `impute` and `impute_fitted` make one stage.
            if !seen.insert(s.stage_name()) {
                return Err(Error::spec(
                    "pipeline",
                    format!("step {} (`{}`) appears more than once", i + 1, s.type_name()),
                ));
            }
        }
        Ok(())
    }
}
