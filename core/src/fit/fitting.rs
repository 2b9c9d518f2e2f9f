//! `Pipeline::fit`: run once, keep every data-dependent choice.

use serde::{Deserialize, Serialize};

use super::document::{FitReport, FittedGrading, FittedPipeline, FittedWeights, FITTED_VERSION};
use super::TreatFitted;
use crate::analysis::{Breaks, Grading};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::normalise::Normaliser;
use crate::pipeline::{Pipeline, Step, StepInput};
use crate::weight::{group_weights, WeightMethod};

/// What [`Pipeline::fit_with`] fits besides the pipeline's own steps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitOptions {
    /// Data-driven weights (entropy, CRITIC, CV, SD, PCA, equal) for every sibling group,
    /// computed as [`group_weights`] does and stored in the fitted pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<WeightMethod>,
    /// The stage the weights read (default: `imputed` if the pipeline imputes, else `raw`,
    /// as `zhili weights`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_stage: Option<String>,
    /// A grading of one node's scores; quantile and equal-interval thresholds are fitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grading: Option<GradeNode>,
}

/// A grading of one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeNode {
    /// Node id (usually the index).
    pub node: String,
    /// The grading.
    pub grading: Grading,
}

impl Pipeline {
    /// Fit on `data`: [`Pipeline::fit_with`] without weights or grading.
    ///
    /// # Errors
    /// As [`Pipeline::fit_with`].
    pub fn fit(&self, fw: &Framework, data: &Dataset) -> Result<FittedPipeline> {
        self.fit_with(fw, data, &FitOptions::default())
    }

    /// Run on `data` and keep every data-dependent choice as explicit parameters:
    ///
    /// | step / option | fitted as |
    /// |---|---|
    /// | `impute` (mean, median, group mean / median) | `impute_fitted`: the fill value per indicator (and group) |
    /// | `treat` | `treat_fitted`: per indicator, clip bounds (winsorisation) or the log transform with its min / max |
    /// | `normalise` | `method = "fitted"`: the normaliser's parameters per indicator (min / max, mean / sd, ...) |
    /// | [`FitOptions::weights`] | every node's weight |
    /// | [`FitOptions::grading`] | fixed thresholds |
    ///
    /// `denominate`, `screen` and `aggregate` (weighted means, minimum) have nothing
    /// data-dependent and are kept as they are. `FittedPipeline::apply(data)` then equals
    /// `Pipeline::run` on the same data bit for bit (with the fitted weights).
    ///
    /// # Errors
    /// [`Error::Method`] for a method whose result on new data depends on the new data as a
    /// whole and cannot be frozen: rank-based normalisers (`rank`, `percentile`, `borda`) and
    /// the whole-matrix aggregations (Copeland, MPI / AMPI, TOPSIS, grey relational, VIKOR);
    /// [`Pipeline::run`]'s errors; the weighting method's; [`Error::Unknown`] for an unknown
    /// weight stage or graded node.
    pub fn fit_with(&self, fw: &Framework, data: &Dataset, opts: &FitOptions) -> Result<FittedPipeline> {
        self.check()?;
        refuse_unfreezable(self, fw)?;
        let run = self.run(fw, data)?;
        let mut steps = Vec::with_capacity(self.steps.len());
        for (k, step) in self.steps.iter().enumerate() {
            // `run.stages[k]` is the stage step k read (stage 0 = raw; one stage per step).
            let input = StepInput {
                framework: fw,
                dataset: data,
                data: &run.stages[k].data,
            };
            steps.push(match step {
                Step::Impute(s) => Step::ImputeFitted(s.fitted_values(&input)?),
                Step::Treat(t) => Step::TreatFitted(TreatFitted::fit(t, &input)?),
                Step::Normalise(n) if !matches!(n, Normaliser::Fitted(_)) => {
                    let fitted = run
                        .normaliser
                        .clone()
                        .ok_or_else(|| Error::spec("fit", "the normalise step fitted nothing"))?;
                    Step::Normalise(Normaliser::Fitted(Box::new(fitted)))
                }
                other => other.clone(),
            });
        }
        let frozen = Pipeline {
            version: self.version,
            ties: self.ties,
            steps,
        };
        let weights = match &opts.weights {
            None => None,
            Some(method) => Some(fit_weights(self, fw, &run, method, opts.weight_stage.as_deref(), data)?),
        };
        let last = run.stages.last().map(|s| &s.data.units);
        let kept: std::collections::HashSet<usize> = last.into_iter().flatten().copied().collect();
        let mut screened_out: Vec<String> = (0..data.n_units())
            .filter(|u| !kept.contains(u))
            .map(|u| data.unit_ids()[u].clone())
            .collect();
        // Sorted, as a partial fit's (whose batches arrive in any order).
        screened_out.sort_unstable();
        let fitted_on = FitReport {
            units: data.n_units(),
            screened_out,
        };
        let mut out = FittedPipeline {
            version: FITTED_VERSION,
            framework: fw.spec().clone(),
            pipeline: frozen,
            weights,
            grading: None,
            fitted_on,
        };
        if let Some(g) = &opts.grading {
            // Thresholds on the scores of the fitted pipeline itself (fitted weights included).
            let results = if out.weights.is_some() {
                out.apply(data)?.results
            } else {
                run.results
            };
            let scores = results.node_scores(&g.node)?;
            let thresholds = g.grading.thresholds(scores)?;
            let grading = Grading {
                breaks: Breaks::Fixed { thresholds },
                labels: g.grading.labels.clone(),
            };
            grading.check().map_err(|e| {
                Error::spec(
                    "fit (grading)",
                    format!("the fitted thresholds cannot be used as fixed thresholds ({e}); ties in the scores make quantiles coincide"),
                )
            })?;
            out.grading = Some(FittedGrading {
                node: g.node.clone(),
                asked: g.grading.clone(),
                grading,
            });
        }
        Ok(out)
    }
}

fn fit_weights(
    p: &Pipeline,
    fw: &Framework,
    run: &crate::pipeline::Run,
    method: &WeightMethod,
    stage: Option<&str>,
    data: &Dataset,
) -> Result<FittedWeights> {
    let name = stage.unwrap_or(if run.stage("imputed").is_some() { "imputed" } else { "raw" });
    let st = run.stage(name).ok_or_else(|| Error::Unknown {
        what: "stage",
        id: name.to_owned(),
        context: format!("for the fitted weights; this run has: {}", run.stage_names().join(", ")),
    })?;
    let Some(Step::Aggregate(aggregate)) = p.steps.last() else {
        return Err(Error::spec("pipeline", "the last step must be `aggregate`"));
    };
    let units: Vec<String> = st.data.units.iter().map(|&r| data.unit_ids()[r].clone()).collect();
    let ws = group_weights(fw, st.data.values.view(), method, aggregate, Some(&units))?;
    Ok(FittedWeights {
        method: method.clone(),
        stage: name.to_owned(),
        values: ws.weights.into_iter().collect(),
    })
}

/// Methods whose output on new data depends on that data as a whole: there are no
/// parameters to freeze.
pub(super) fn refuse_unfreezable(p: &Pipeline, fw: &Framework) -> Result<()> {
    let refuse = |method: &str, why: &str, node: Option<String>| Error::Method {
        method: method.into(),
        message: format!(
            "cannot be fitted once and applied to other data: {why} \
             (use a scale-based method such as `minmax`, `zscore` or `goalposts`, or score each dataset with `run`)"
        ),
        unit: None,
        node,
    };
    for step in &p.steps {
        match step {
            Step::Normalise(n @ (Normaliser::Rank(_) | Normaliser::Percentile(_) | Normaliser::Borda(_))) => {
                return Err(refuse(
                    n.name(),
                    "it ranks the units of the data it is given, it learns no parameters",
                    None,
                ));
            }
            Step::Aggregate(a) => {
                for &node in fw.aggregates_bottom_up() {
                    let m = a.method_for(fw, node);
                    if !m.per_unit() {
                        return Err(refuse(
                            m.name(),
                            "it compares each unit with the other units of the data",
                            Some(fw.nodes()[node].id.clone()),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}
