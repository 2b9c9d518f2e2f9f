//! The streaming path: scores without keeping stages.
//!
//! Every preparation step but `screen` transforms each indicator column on its own, so
//! each column can go through all of them while it is in cache — read once from the
//! dataset, written once into the score matrix — instead of one full pass over the data
//! (and one new matrix) per step. Same kernels as [`Pipeline::run`], hence the same numbers.

use ndarray::{Array2, ArrayViewMut1, ShapeBuilder};

use super::{Pipeline, Run, Step};
use crate::aggregate::{Mean, StreamedMean};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::log::LogEntry;
use crate::normalise::{FittedColumn, FittedNormaliser};
use crate::results::Results;
use crate::stage::{StageData, StepInput, StreamKernel};

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
        // Reported before any work, as the serial loop did (a kernel that cannot be built).
        prep.iter().map(|step| step.stream(&input).map(drop)).collect::<Result<Vec<_>>>()?;
        let makes_missing = prep.iter().any(Step::makes_missing);
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
        let n_slots = sums.slots.len();
        let tasks = stream_tasks(fw, &mut sums, kept.as_mut(), source.len());
        let job = StreamJob {
            prep,
            input: &input,
            source: &source,
            makes_missing,
        };
        // Each task streams its columns in order (and sums them into its own parent's means),
        // so the numbers do not depend on which thread runs which task, nor on how many.
        let parallel = n.saturating_mul(source.len()) >= PARALLEL_MIN_CELLS && tasks.len() > 1;
        let flag = crate::cancel::current();
        let work = |t: StreamTask<'_>| match &flag {
            Some(f) => crate::cancel::with_flag(std::sync::Arc::clone(f), || job.run(t)),
            None => job.run(t),
        };
        let done: Vec<TaskDone> = if parallel {
            use rayon::prelude::*;
            tasks.into_par_iter().map(work).collect()
        } else {
            tasks.into_iter().map(work).collect()
        };
        // The first failure in column order is the one the serial loop met: same error or fallback.
        let first = done.iter().filter_map(|d| d.failure.as_ref().map(|f| f.0)).min();
        let mut slots: Vec<Option<(usize, StreamedMean)>> = (0..n_slots).map(|_| None).collect();
        let mut columns = Vec::with_capacity(source.len());
        let mut failure = None;
        for d in done {
            if let Some((s, node, mean)) = d.slot {
                slots[s] = Some((node, mean));
            }
            columns.extend(d.columns);
            if d.failure.as_ref().is_some_and(|f| Some(f.0) == first) {
                failure = d.failure.map(|f| f.1);
            }
        }
        match failure {
            None => {}
            Some(Failure::Error(e)) => return Err(e),
            // rare: the stage-by-stage path names the step that produced the value
            Some(Failure::NotFinite(e)) => return Err(self.run(fw, data).err().unwrap_or(e)),
            // A value outside a mean's domain: `run` reports it (unit, node) as always.
            Some(Failure::Domain) => return self.via_run(fw, data, every_node),
        }
        sums.slots = slots.into_iter().flatten().collect();
        let (logs, mut fitted) = merge_columns(columns, prep.len());
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
        Ok(Run {
            stages: Vec::new(),
            log: logs,
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

/// Below this many cells the columns stream on the calling thread (a task costs more than it saves).
const PARALLEL_MIN_CELLS: usize = 1 << 18;

/// Indicator columns streamed in order by one task, and the streamed mean of their parent
/// (slot, node, sums) when they are its children.
struct StreamTask<'a> {
    /// (column in framework order, its column of the kept matrix), ascending.
    cols: Vec<(usize, Option<ArrayViewMut1<'a, f64>>)>,
    slot: Option<(usize, usize, StreamedMean)>,
}

/// What a task did: its parent's sums, each column's log and fitted normaliser, and the
/// first column that failed (the task stops there).
struct TaskDone {
    slot: Option<(usize, usize, StreamedMean)>,
    columns: Vec<ColumnDone>,
    failure: Option<(usize, Failure)>,
}

/// One column's log entries (per step) and fitted normaliser columns.
struct ColumnDone {
    j: usize,
    logs: Vec<Vec<LogEntry>>,
    fitted: Vec<FittedColumn>,
}

/// Why a column stopped the stream.
enum Failure {
    /// A step's error, returned as it is.
    Error(Error),
    /// A value that is not finite: reported as the stage-by-stage path reports it.
    NotFinite(Error),
    /// A value outside the parent mean's domain: the whole run falls back to `run`.
    Domain,
}

/// Split the columns into tasks: the children of each streamed mean together (they sum in
/// order), the others in runs of consecutive columns; the longest tasks first.
fn stream_tasks<'a>(fw: &Framework, sums: &mut StreamedMeans, kept: Option<&'a mut Array2<f64>>, m: usize) -> Vec<StreamTask<'a>> {
    let mut outs: Vec<Option<ArrayViewMut1<'a, f64>>> = match kept {
        Some(k) => k.columns_mut().into_iter().map(Some).collect(),
        None => Vec::new(),
    };
    let mut tasks: Vec<StreamTask<'a>> = std::mem::take(&mut sums.slots)
        .into_iter()
        .enumerate()
        .map(|(s, (node, mean))| StreamTask {
            cols: Vec::new(),
            slot: Some((s, node, mean)),
        })
        .collect();
    let mut loose = Vec::new();
    for (j, &node) in fw.indicators().iter().enumerate() {
        let out = outs.get_mut(node).and_then(Option::take);
        match sums.slot_of_parent[node] {
            Some(s) => tasks[s].cols.push((j, out)),
            None => loose.push((j, out)),
        }
    }
    let per = m.div_ceil(4 * rayon::current_num_threads()).max(1);
    let mut loose = loose.into_iter().peekable();
    while loose.peek().is_some() {
        tasks.push(StreamTask {
            cols: loose.by_ref().take(per).collect(),
            slot: None,
        });
    }
    tasks.sort_by_key(|t| std::cmp::Reverse(t.cols.len()));
    tasks
}

/// The logs in step order, each step's entries in column order, and the fitted normaliser
/// columns in column order: what the serial loop over the columns produced.
fn merge_columns(mut columns: Vec<ColumnDone>, steps: usize) -> (Vec<LogEntry>, Vec<FittedColumn>) {
    columns.sort_unstable_by_key(|c| c.j);
    let total = columns.iter().map(|c| c.logs.iter().map(Vec::len).sum::<usize>()).sum();
    let mut log = Vec::with_capacity(total);
    for step in 0..steps {
        for c in &mut columns {
            if let Some(l) = c.logs.get_mut(step) {
                log.append(l);
            }
        }
    }
    let fitted = columns.into_iter().flat_map(|c| c.fitted).collect();
    (log, fitted)
}

/// What every task shares.
struct StreamJob<'a, 'b> {
    prep: &'a [Step],
    input: &'a StepInput<'b>,
    /// The data column of each framework indicator.
    source: &'a [usize],
    /// Whether a step may make values missing (see [`super::finite::check_column`]).
    makes_missing: bool,
}

impl StreamJob<'_, '_> {
    /// Stream a task's columns, in order, with kernels of its own.
    fn run(&self, task: StreamTask<'_>) -> TaskDone {
        let StreamTask { cols, mut slot } = task;
        let mut done = TaskDone {
            slot: None,
            columns: Vec::with_capacity(cols.len()),
            failure: None,
        };
        match self.prep.iter().map(|step| step.stream(self.input)).collect::<Result<Vec<_>>>() {
            Ok(mut kernels) => {
                let mut scratch = vec![0.0; self.input.dataset.n_units()];
                for (j, out) in cols {
                    let mean = slot.as_mut().map(|s| &mut s.2);
                    match self.column(&mut kernels, j, &mut scratch, mean) {
                        Ok(c) => {
                            if let Some(mut out) = out {
                                match out.as_slice_mut() {
                                    Some(o) => o.copy_from_slice(&scratch),
                                    None => out.iter_mut().zip(&scratch).for_each(|(o, &x)| *o = x),
                                }
                            }
                            done.columns.push(c);
                        }
                        Err(f) => {
                            done.failure = Some((j, f));
                            break;
                        }
                    }
                }
            }
            Err(e) => done.failure = cols.first().map(|c| (c.0, Failure::Error(e))),
        }
        done.slot = slot;
        done
    }

    /// Column `j` through every step, in place in `scratch`, which stays in cache (with the
    /// streamed sums) from the copy to the last step; then summed into its parent's `mean`.
    fn column(
        &self,
        kernels: &mut [StreamKernel<'_>],
        j: usize,
        scratch: &mut [f64],
        mean: Option<&mut StreamedMean>,
    ) -> std::result::Result<ColumnDone, Failure> {
        crate::cancel::check().map_err(Failure::Error)?;
        let (fw, data) = (self.input.framework, self.input.dataset);
        let src = self.source[j];
        let raw = data.column(src);
        let mut logs: Vec<Vec<LogEntry>> = vec![Vec::new(); self.prep.len()];
        // An impute step logs each missing cell at most once (unless an earlier step makes
        // new gaps): room for the column's gaps up front, so the per-cell log never regrows.
        for (log, step) in logs.iter_mut().zip(self.prep) {
            if matches!(step, Step::Impute(_)) {
                log.reserve(data.missing_in(src));
            }
        }
        let mut fitted = Vec::new();
        // The first step may fuse the copy into its first pass over the column.
        let mut fresh = Some(raw);
        if !matches!(kernels.first(), Some(StreamKernel::Column(_))) {
            scratch.copy_from_slice(raw);
            fresh = None;
        }
        let input = self.input;
        for (k, log) in kernels.iter_mut().zip(logs.iter_mut()) {
            match k {
                StreamKernel::Column(kernel) => match fresh.take() {
                    Some(r) => kernel.column_from(input, j, r, scratch, log),
                    None => kernel.column(input, j, scratch, log),
                },
                StreamKernel::Normalise(nm) => nm
                    .fit_transform_column(scratch, input.indicator_node(j), log)
                    .map(|f| fitted.push(f)),
            }
            .map_err(Failure::Error)?;
        }
        super::finite::check_column(fw, data.unit_ids(), j, raw, scratch, self.makes_missing).map_err(Failure::NotFinite)?;
        if let Some(mean) = mean {
            mean.add(input.indicator_node(j).weight, scratch).map_err(|_| Failure::Domain)?;
        }
        Ok(ColumnDone { j, logs, fitted })
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
