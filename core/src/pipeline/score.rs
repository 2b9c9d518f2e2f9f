//! The streaming path: scores without keeping stages.
//!
//! Every preparation step but `screen` transforms each indicator column on its own, so
//! each column can go through all of them while it is in cache — read once from the
//! dataset, written once into the score matrix — instead of one full pass over the data
//! (and one new matrix) per step. Same kernels as [`Pipeline::run`], hence the same numbers.

use ndarray::{Array2, ShapeBuilder};

use super::step::{StageData, StepInput, StreamKernel};
use super::{Pipeline, Run, Step};
use crate::aggregate::{Mean, StreamedMean};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::log::LogEntry;
use crate::normalise::FittedNormaliser;
use crate::results::Results;

impl Pipeline {
    /// Run the pipeline for the aggregate scores only: the same numbers and log as
    /// [`Pipeline::run`], but no intermediate stage is kept (`Run::stages` is empty), the
    /// results hold the aggregate nodes (not the normalised indicators), and columns stream
    /// through the steps while in cache. Use it when index and dimension scores, ranks and
    /// the log are what matter (services, Monte Carlo loops, large data).
    ///
    /// A pipeline with a `screen` step (which needs whole rows) falls back to
    /// [`Pipeline::run`] and drops the stages.
    ///
    /// # Errors
    /// As [`Pipeline::run`].
    pub fn score(&self, fw: &Framework, data: &Dataset) -> Result<Run> {
        self.stream(fw, data, false)
    }

    /// [`Pipeline::score`] with the results of every node, the normalised indicators as
    /// well as the aggregates: `Run::results` is bit-identical to [`Pipeline::run`]'s, and
    /// only the intermediate stages are not kept. Costs one units × nodes matrix more than
    /// `score` (the indicator columns are written as they stream), far less than `run`.
    ///
    /// # Errors
    /// As [`Pipeline::run`].
    pub fn score_every_node(&self, fw: &Framework, data: &Dataset) -> Result<Run> {
        self.stream(fw, data, true)
    }

    fn stream(&self, fw: &Framework, data: &Dataset, every_node: bool) -> Result<Run> {
        self.check()?;
        if self.steps.iter().any(|s| matches!(s, Step::Screen(_))) {
            return self.via_run(fw, data, every_node);
        }
        let Some((Step::Aggregate(aggregate), prep)) = self.steps.split_last() else {
            return Err(Error::spec("pipeline", "the last step must be `aggregate`"));
        };
        if data.n_units() == 0 {
            return Err(Error::Empty("the dataset has no units".into()));
        }
        let n = data.n_units();
        // Data columns in framework order (reported before any work, like `run`).
        let source = data.columns_of(fw)?;
        let stage = StageData {
            units: (0..n).collect(),
            values: Array2::zeros((0, 0)),
        };
        let input = StepInput {
            framework: fw,
            dataset: data,
            data: &stage,
        };
        let mut kernels = prep.iter().map(|step| step.stream(&input)).collect::<Result<Vec<_>>>()?;
        let mut logs: Vec<Vec<LogEntry>> = vec![Vec::new(); prep.len()];
        // An impute step logs each missing cell at most once (unless an earlier step makes
        // new gaps): room for the data's gaps up front, so the per-cell log never regrows.
        for (log, step) in logs.iter_mut().zip(prep) {
            if matches!(step, Step::Impute(_)) {
                log.reserve(source.iter().map(|&j| data.missing_in(j)).sum());
            }
        }
        let makes_missing = prep.iter().any(Step::makes_missing);
        let mut fitted = Vec::new();
        let mut scratch = vec![0.0; n];
        let mut sums = StreamedMeans::new(fw, aggregate, n);
        // Indicator columns are kept only when an aggregate reads them after the stream (one
        // not summed on the fly); otherwise `scores` holds the aggregates alone.
        let keep_indicators = every_node || fw.indicators().iter().any(|&i| sums.slot_of_parent[i].is_none());
        let aggregates: Vec<usize> = (0..fw.nodes().len())
            .filter(|&i| fw.nodes()[i].kind == crate::NodeKind::Aggregate)
            .collect();
        let col_of: Vec<usize> = if keep_indicators {
            (0..fw.nodes().len()).collect()
        } else {
            let mut m = vec![usize::MAX; fw.nodes().len()];
            aggregates.iter().enumerate().for_each(|(k, &a)| m[a] = k);
            m
        };
        // With indicator columns kept, a matrix of every node is filled as the columns stream
        // (every column is written, so no fill pass); otherwise the aggregates' matrix is built
        // after the stream, from the streamed means (see `StreamedMeans::into_aggregates`).
        let mut kept = keep_indicators
            .then(|| crate::kernels::alloc::zeros_f(n, fw.nodes().len()))
            .transpose()?;
        for (j, (&node, &src)) in fw.indicators().iter().zip(&source).enumerate() {
            crate::cancel::check()?;
            // The column is worked on in place in `scratch`, which stays in cache (with the
            // streamed sums) from the copy below to the last step.
            let raw = data.column(src);
            // The first step may fuse the copy into its first pass over the column.
            let mut fresh = Some(raw);
            if !matches!(kernels.first(), Some(StreamKernel::Column(_))) {
                scratch.copy_from_slice(raw);
                fresh = None;
            }
            for (k, log) in kernels.iter_mut().zip(logs.iter_mut()) {
                match k {
                    StreamKernel::Column(kernel) => match fresh.take() {
                        Some(r) => kernel.column_from(&input, j, r, &mut scratch, log)?,
                        None => kernel.column(&input, j, &mut scratch, log)?,
                    },
                    StreamKernel::Normalise(nm) => fitted.push(nm.fit_transform_column(&mut scratch, input.indicator_node(j), log)?),
                }
            }
            if let Err(e) = super::finite::check_column(fw, data.unit_ids(), j, raw, &scratch, makes_missing) {
                // rare: the stage-by-stage path names the step that produced the value
                return Err(self.run(fw, data).err().unwrap_or(e));
            }
            if sums.add(fw, node, &scratch).is_err() {
                // A value outside a mean's domain: `run` reports it (unit, node) as always.
                return self.via_run(fw, data, every_node);
            }
            if let Some(scores) = kept.as_mut() {
                let mut out = scores.column_mut(node);
                match out.as_slice_mut() {
                    Some(o) => o.copy_from_slice(&scratch),
                    None => out.iter_mut().zip(&scratch).for_each(|(o, &x)| *o = x),
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
        let weights: Vec<f64> = fw.nodes().iter().map(|nd| nd.weight).collect();
        aggregate.check(fw)?;
        let (mut scores, done) = match kept {
            Some(mut scores) => {
                let done = sums.finish(&mut scores, &col_of);
                (scores, done)
            }
            None => sums.into_aggregates(&aggregates, n)?,
        };
        aggregate.score_aggregates(fw, &weights, &mut scores, data.unit_ids(), &done, Some(&col_of))?;
        super::finite::check_scores(fw, &|r| &data.unit_ids()[r], scores.view(), &|k| {
            Some(col_of[k]).filter(|&c| c != usize::MAX)
        })?;
        let results = if every_node {
            Results::new(fw, data.unit_ids_shared(), scores, self.ties)
        } else {
            let scores = if keep_indicators {
                scores.select(ndarray::Axis(1), &aggregates)
            } else {
                scores
            };
            Results::for_nodes(fw, &aggregates, data.unit_ids_shared(), scores, self.ties)
        };
        // In step order; the first step's entries stay where they are (no copy of a per-cell log).
        let mut logs = logs.into_iter();
        let mut log = logs.next().unwrap_or_default();
        for mut l in logs {
            log.append(&mut l);
        }
        Ok(Run {
            stages: Vec::new(),
            log,
            normaliser,
            results,
        })
    }

    /// What the streamed path returns, computed by [`Pipeline::run`] (stages dropped): for a
    /// pipeline that screens (which needs whole rows), and to report a failing value as `run`
    /// reports it.
    fn via_run(&self, fw: &Framework, data: &Dataset, every_node: bool) -> Result<Run> {
        let mut run = self.run(fw, data)?;
        run.stages.clear();
        if every_node {
            return Ok(run);
        }
        let aggregates: Vec<usize> = (0..fw.nodes().len())
            .filter(|&i| fw.nodes()[i].kind == crate::NodeKind::Aggregate)
            .collect();
        let r = &run.results;
        let scores = r.scores().select(ndarray::Axis(1), &aggregates);
        run.results = Results::for_nodes(fw, &aggregates, r.unit_ids().to_vec(), scores, self.ties);
        Ok(run)
    }
}

/// The weighted means of aggregates whose children are all indicators, summed while each
/// indicator column is still in cache, by the aggregation's own kernel
/// ([`StreamedMean`]: the same terms in the same order as the column kernel, so the sums are
/// bit-identical to [`Pipeline::run`]'s). Other methods score after the stream.
struct StreamedMeans {
    /// Per node: the accumulator slot of its parent, if streamed.
    slot_of_parent: Vec<Option<usize>>,
    /// The streamed aggregates' nodes and sums.
    slots: Vec<(usize, StreamedMean)>,
}

impl StreamedMeans {
    fn new(fw: &Framework, aggregate: &crate::Aggregate, n: usize) -> Self {
        let mut slot_of_parent = vec![None; fw.nodes().len()];
        let mut slots = Vec::new();
        let min_cov = aggregate.min_coverage.unwrap_or(0.0);
        for &a in fw.aggregates_bottom_up() {
            let node = &fw.nodes()[a];
            let leaves = node.children.iter().all(|&c| fw.nodes()[c].kind == crate::NodeKind::Indicator);
            if let (true, Some(mean)) = (leaves, Mean::of(aggregate.method_for(fw, a))) {
                let need = crate::aggregate::children_needed(min_cov, node.children.len());
                for &c in &node.children {
                    slot_of_parent[c] = Some(slots.len());
                }
                slots.push((a, StreamedMean::new(mean, need, n)));
            }
        }
        StreamedMeans { slot_of_parent, slots }
    }

    /// Add an indicator column to its parent's sums.
    ///
    /// # Errors
    /// A value outside the parent's mean's domain (the caller reports it as `run` does).
    fn add(&mut self, fw: &Framework, node: usize, col: &[f64]) -> std::result::Result<(), (usize, String)> {
        let Some(s) = self.slot_of_parent[node] else { return Ok(()) };
        self.slots[s].1.add(fw.nodes()[node].weight, col)
    }

    /// The units × `aggregates` matrix (column-major): the streamed means, and zeros in the
    /// columns scored after the stream. Built column by column from the sums, so no column
    /// is zeroed and then overwritten. Returns which nodes are done.
    fn into_aggregates(self, aggregates: &[usize], n: usize) -> Result<(Array2<f64>, Vec<bool>)> {
        let mut done = vec![false; self.slot_of_parent.len()];
        let mut slot_of = vec![None; self.slot_of_parent.len()];
        self.slots.iter().enumerate().for_each(|(k, (node, _))| slot_of[*node] = Some(k));
        let mut v = Vec::with_capacity(n * aggregates.len());
        for &a in aggregates {
            match slot_of[a] {
                Some(k) => {
                    self.slots[k].1.extend(&mut v);
                    done[a] = true;
                }
                None => v.resize(v.len() + n, 0.0),
            }
        }
        let scores = Array2::from_shape_vec((n, aggregates.len()).f(), v).map_err(|e| Error::Shape {
            what: "score (aggregates)".into(),
            expected: format!("{n} units × {} aggregates", aggregates.len()),
            found: e.to_string(),
        })?;
        Ok((scores, done))
    }

    /// Write the streamed aggregates; returns which nodes are done.
    fn finish(self, scores: &mut Array2<f64>, col_of: &[usize]) -> Vec<bool> {
        let mut done = vec![false; col_of.len()];
        for (node, sums) in self.slots {
            let mut col = scores.column_mut(col_of[node]);
            match col.as_slice_mut() {
                Some(out) => sums.write(out),
                None => {
                    let mut out = vec![0.0; col.len()];
                    sums.write(&mut out);
                    col.assign(&ndarray::ArrayView1::from(&out));
                }
            }
            done[node] = true;
        }
        done
    }
}
