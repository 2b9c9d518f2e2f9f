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
        // Every column is written below (indicators here, aggregates after), so no fill pass.
        let mut scores = Array2::<f64>::zeros((n, fw.nodes().len()).f());
        let mut sums = StreamedMeans::new(fw, aggregate, n);
        for (j, (&node, &src)) in fw.indicators().iter().zip(&source).enumerate() {
            let mut out = scores.column_mut(node);
            let col = out.as_slice_mut().ok_or_else(|| Error::Shape {
                what: "scores".into(),
                expected: "column-major".into(),
                found: "strided".into(),
            })?;
            let raw = data.values().column(src);
            match raw.as_slice() {
                Some(r) => col.copy_from_slice(r),
                None => col.iter_mut().zip(raw).for_each(|(o, &x)| *o = x),
            }
            for (k, log) in kernels.iter_mut().zip(logs.iter_mut()) {
                match k {
                    Kernel::Column(kernel) => kernel.column(&input, j, col, log)?,
                    Kernel::Normalise(nm) => {
                        fitted.push(nm.fit_transform_column(col, input.indicator_node(j), &mut buf, log)?);
                        col.copy_from_slice(&buf);
                    }
                }
            }
            sums.add(fw, node, col);
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
        let done = sums.finish(&mut scores);
        aggregate.score_aggregates(fw, &weights, &mut scores, &unit_ids, &done)?;
        let results = Results::new(fw, data.unit_ids_shared(), scores, self.ties);
        Ok(Run {
            stages: Vec::new(),
            log: logs.into_iter().flatten().collect(),
            normaliser,
            results,
        })
    }
}

/// Weighted arithmetic means of aggregates whose children are all indicators, summed
/// while each indicator column is still in cache (the default method's hot path). The
/// children are added in the same order as [`crate::Aggregate`] adds them, so the sums
/// are bit-identical to the non-streaming path.
struct StreamedMeans {
    /// Per node: the accumulator slot of its parent, if streamed.
    slot_of_parent: Vec<Option<usize>>,
    /// Per slot: (aggregate node, Σ w·x, Σ w, count, children needed).
    slots: Vec<(usize, Vec<f64>, Vec<f64>, Vec<u32>, usize)>,
}

impl StreamedMeans {
    fn new(fw: &Framework, aggregate: &crate::Aggregate, n: usize) -> Self {
        let mut slot_of_parent = vec![None; fw.nodes().len()];
        let mut slots = Vec::new();
        let min_cov = aggregate.min_coverage.unwrap_or(0.0);
        for &a in fw.aggregates_bottom_up() {
            let node = &fw.nodes()[a];
            let leaves = node.children.iter().all(|&c| fw.nodes()[c].kind == crate::NodeKind::Indicator);
            if leaves && matches!(aggregate.method_for(fw, a), crate::Aggregator::Arithmetic) {
                let need = (min_cov * node.children.len() as f64 - 1e-12).ceil().max(1.0) as usize;
                for &c in &node.children {
                    slot_of_parent[c] = Some(slots.len());
                }
                slots.push((a, vec![0.0; n], vec![0.0; n], if need > 1 { vec![0; n] } else { Vec::new() }, need));
            }
        }
        StreamedMeans { slot_of_parent, slots }
    }

    fn add(&mut self, fw: &Framework, node: usize, col: &[f64]) {
        let Some(s) = self.slot_of_parent[node] else { return };
        let w = fw.nodes()[node].weight;
        let (_, num, den, cnt, _) = &mut self.slots[s];
        for ((x, nu), de) in col.iter().zip(num.iter_mut()).zip(den.iter_mut()) {
            let present = !x.is_nan();
            *nu += if present { w * x } else { 0.0 };
            *de += if present { w } else { 0.0 };
        }
        if !cnt.is_empty() {
            cnt.iter_mut().zip(col).for_each(|(k, x)| *k += u32::from(!x.is_nan()));
        }
    }

    /// Write the streamed aggregates; returns which nodes are done.
    fn finish(self, scores: &mut Array2<f64>) -> Vec<bool> {
        let mut done = vec![false; scores.ncols()];
        for (a, num, den, cnt, need) in self.slots {
            for (k, out) in scores.column_mut(a).iter_mut().enumerate() {
                let enough = cnt.is_empty() || cnt[k] as usize >= need;
                *out = if enough && den[k] > 0.0 { num[k] / den[k] } else { f64::NAN };
            }
            done[a] = true;
        }
        done
    }
}
