//! The streaming path: scores without keeping stages.
//!
//! Every preparation step but `screen` transforms each indicator column on its own, so
//! each column can go through all of them while it is in cache — read once from the
//! dataset, written once into the score matrix — instead of one full pass over the data
//! (and one new matrix) per step. Same kernels as [`Pipeline::run`], hence the same numbers.

use ndarray::{Array2, ShapeBuilder};

use super::step::{ColumnKernel, ColumnStep, StageData, StepInput};
use super::{Pipeline, Run, Step};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::log::LogEntry;
use crate::normalise::FittedNormaliser;
use crate::results::Results;

enum Kernel<'a> {
    Column(Box<dyn ColumnKernel + 'a>),
    Normalise(&'a crate::normalise::Normaliser),
}

impl Pipeline {
    /// Run the pipeline for its results only: the same numbers and log as
    /// [`Pipeline::run`], but no intermediate stage is kept (`Run::stages` is empty) and
    /// columns stream through the steps while in cache. Use it when only scores, ranks
    /// and the log matter (services, Monte Carlo loops, large data).
    ///
    /// A pipeline with a `screen` step (which needs whole rows) falls back to
    /// [`Pipeline::run`] and drops the stages.
    ///
    /// # Errors
    /// As [`Pipeline::run`].
    pub fn score(&self, fw: &Framework, data: &Dataset) -> Result<Run> {
        self.check()?;
        if self.steps.iter().any(|s| matches!(s, Step::Screen(_))) {
            let mut run = self.run(fw, data)?;
            run.stages.clear();
            return Ok(run);
        }
        let Some((Step::Aggregate(aggregate), prep)) = self.steps.split_last() else {
            return Err(Error::spec("pipeline", "the last step must be `aggregate`"));
        };
        if data.n_units() == 0 {
            return Err(Error::Empty("the dataset has no units".into()));
        }
        let n = data.n_units();
        // Data columns in framework order (reported before any work, like `run`).
        let mut source = Vec::with_capacity(fw.indicators().len());
        for id in fw.indicator_ids() {
            let j = data
                .indicator_ids()
                .iter()
                .position(|c| c == id)
                .ok_or_else(|| Error::MissingColumn {
                    column: id.to_owned(),
                    needed_by: format!("indicator `{id}` of the framework"),
                })?;
            source.push(j);
        }
        let stage = StageData {
            units: (0..n).collect(),
            values: Array2::zeros((0, 0)),
        };
        let input = StepInput {
            framework: fw,
            dataset: data,
            data: &stage,
        };
        let mut kernels = Vec::with_capacity(prep.len());
        for step in prep {
            kernels.push(match step {
                Step::Denominate(s) => Kernel::Column(s.begin(&input)?),
                Step::Impute(s) => Kernel::Column(s.begin(&input)?),
                Step::Treat(s) => Kernel::Column(s.begin(&input)?),
                Step::Normalise(nm) => {
                    nm.method().check()?;
                    Kernel::Normalise(nm)
                }
                Step::Screen(_) | Step::Aggregate(_) => {
                    return Err(Error::spec("pipeline", "`aggregate` must be the last step and appear once"))
                }
            });
        }
        let mut logs: Vec<Vec<LogEntry>> = vec![Vec::new(); prep.len()];
        let mut fitted = Vec::new();
        let mut buf = vec![0.0; n];
        let mut scores = Array2::<f64>::from_elem((n, fw.nodes().len()).f(), f64::NAN);
        for (j, (&node, &src)) in fw.indicators().iter().zip(&source).enumerate() {
            let mut out = scores.column_mut(node);
            let col = out.as_slice_mut().ok_or_else(|| Error::Shape {
                what: "scores".into(),
                expected: "column-major".into(),
                found: "strided".into(),
            })?;
            col.iter_mut().zip(data.values().column(src)).for_each(|(o, &x)| *o = x);
            for (k, log) in kernels.iter_mut().zip(logs.iter_mut()) {
                match k {
                    Kernel::Column(kernel) => kernel.column(&input, j, col, log)?,
                    Kernel::Normalise(nm) => {
                        fitted.push(nm.fit_transform_column(col, input.indicator_node(j), &mut buf, log)?);
                        col.copy_from_slice(&buf);
                    }
                }
            }
        }
        let normaliser = prep.iter().find_map(|s| match s {
            Step::Normalise(nm) => Some(FittedNormaliser {
                normaliser: nm.clone(),
                columns: std::mem::take(&mut fitted),
            }),
            _ => None,
        });
        let unit_ids: Vec<&str> = data.unit_ids().iter().map(String::as_str).collect();
        let weights: Vec<f64> = fw.nodes().iter().map(|nd| nd.weight).collect();
        aggregate.check(fw)?;
        aggregate.score_aggregates(fw, &weights, &mut scores, &unit_ids)?;
        let results = Results::new(fw, data.unit_ids().to_vec(), scores, self.ties);
        Ok(Run {
            stages: Vec::new(),
            log: logs.into_iter().flatten().collect(),
            normaliser,
            results,
        })
    }
}
