//! Running a pipeline: every stage kept, every step logged.

use super::{Pipeline, StageData, Step, StepInput};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::log::LogEntry;
use crate::normalise::FittedNormaliser;
use crate::results::Results;

/// One stage's data: the included units × the framework's indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// `raw`, `denominated`, `imputed`, `screened`, `treated`, `normalised`.
    pub name: String,
    /// The data.
    pub data: StageData,
}

/// The outcome of running a pipeline: every stage, the log, the fitted normaliser and the results.
#[derive(Debug, Clone)]
pub struct Run {
    /// Indicator stages in order, starting with `raw`.
    pub stages: Vec<Stage>,
    /// What each step did.
    pub log: Vec<LogEntry>,
    /// The normaliser with the parameters it learned (reusable on later years).
    pub normaliser: Option<FittedNormaliser>,
    /// Scores at every node, ranks, effective weights.
    pub results: Results,
}

impl Run {
    /// A stage by name (`raw`, `denominated`, `imputed`, `screened`, `treated`, `normalised`).
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    /// Stage names present in this run, in order (plus `aggregated`).
    pub fn stage_names(&self) -> Vec<&str> {
        self.stages
            .iter()
            .map(|s| s.name.as_str())
            .chain(std::iter::once("aggregated"))
            .collect()
    }
}

impl Pipeline {
    /// Run on a framework and a dataset.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] if the data lacks a framework indicator; any step's error.
    pub fn run(&self, fw: &Framework, data: &Dataset) -> Result<Run> {
        self.check()?;
        // Column-major: every kernel walks indicator columns.
        let raw = data.aligned_values(fw)?;
        let mut stages = vec![Stage {
            name: "raw".into(),
            data: StageData {
                units: (0..data.n_units()).collect(),
                values: raw,
            },
        }];
        let mut log = Vec::new();
        let mut normaliser = None;
        let weights: Vec<f64> = fw.nodes().iter().map(|n| n.weight).collect();
        for step in &self.steps {
            crate::cancel::check()?;
            // Each step reads the last stage and pushes a new one: no stage is copied.
            let Some(last) = stages.last() else { break };
            let current = &last.data;
            let input = StepInput {
                framework: fw,
                dataset: data,
                data: current,
            };
            let out = match step {
                Step::Aggregate(a) => {
                    if current.units.is_empty() {
                        return Err(Error::Empty("no units left to aggregate (all screened out?)".into()));
                    }
                    let unit_ids: Vec<&str> = current.units.iter().map(|&u| data.unit_ids()[u].as_str()).collect();
                    let scores = a.apply(fw, &weights, current.values.view(), &unit_ids)?;
                    super::finite::check_scores(fw, &|r| unit_ids[r], scores.view(), &|k| Some(k))?;
                    // Share the dataset's ids when no unit was screened out.
                    let ids: std::sync::Arc<[String]> =
                        if current.units.len() == data.n_units() && current.units.iter().enumerate().all(|(k, &u)| k == u) {
                            data.unit_ids_shared()
                        } else {
                            unit_ids.iter().map(|s| (*s).to_owned()).collect()
                        };
                    let results = Results::new(fw, ids, scores, self.ties);
                    return Ok(Run {
                        stages,
                        log,
                        normaliser,
                        results,
                    });
                }
                prep => {
                    let (out, fitted) = prep.prepare(&input)?;
                    normaliser = fitted.or(normaliser);
                    out
                }
            };
            log.extend(out.log);
            stages.push(Stage {
                name: step.stage_name().into(),
                data: out.data,
            });
        }
        Err(Error::spec("pipeline", "the last step must be `aggregate`"))
    }
}
