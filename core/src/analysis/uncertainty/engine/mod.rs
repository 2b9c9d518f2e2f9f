//! The run engine: cached prepared data per pipeline variant, fast re-aggregation and
//! ranking of many runs in parallel, streaming rank statistics.

mod batch;
mod drive;
mod log_sum;
mod prepare;
mod score;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};

use super::factors::{AggregationChoice, RescaleTo, TreatChoice};
use super::stats::{record_block, RankCell, RankHistogram, BLOCK};
use crate::aggregate::{Aggregate, Aggregator};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::normalise::Normaliser;
use crate::pipeline::{Pipeline, StageData, Step, StepInput};
use crate::prepare::Impute;
use crate::rank::{rank_into, rank_into_bounded, RankScratch};

/// Progress reporting and cancellation for long analyses.
#[derive(Clone, Copy, Default)]
pub struct Monitor<'a> {
    /// Called after each chunk of runs with (runs done, runs in total).
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// Set to `true` (e.g. from a Ctrl-C handler) to stop; the analysis returns an error
    /// saying how many runs were done.
    pub cancel: Option<&'a AtomicBool>,
    /// With `keep_runs`: receives each run's index scores (run number from 0, one score per
    /// unit) in run order as the runs are done, instead of keeping them in the result —
    /// memory stays bounded however many runs. An error it returns stops the analysis.
    pub runs: Option<&'a RunSink<'a>>,
}

/// A receiver of run scores (see [`Monitor::runs`]).
pub type RunSink<'a> = dyn Fn(usize, &[f64]) -> Result<()> + Sync + 'a;

impl std::fmt::Debug for Monitor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel.map(|c| c.load(Ordering::Relaxed)))
            .field("runs", &self.runs.is_some())
            .finish()
    }
}

impl Monitor<'_> {
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// The distinct step choices runs refer to by index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Registry {
    pub(crate) impute: Vec<Impute>,
    pub(crate) treat: Vec<TreatChoice>,
    pub(crate) normalise: Vec<Normaliser>,
    pub(crate) aggregate: Vec<AggregationChoice>,
}

/// Index of `x` in `v`, appending it if new.
pub(crate) fn intern<T: PartialEq + Clone>(v: &mut Vec<T>, x: &T) -> usize {
    if let Some(i) = v.iter().position(|y| y == x) {
        i
    } else {
        v.push(x.clone());
        v.len() - 1
    }
}

/// What one run does: step choices (None = nominal) and every node's weight.
#[derive(Debug, Clone)]
pub(crate) struct RunPlan {
    pub(crate) impute: Option<usize>,
    pub(crate) treat: Option<usize>,
    pub(crate) normalise: Option<usize>,
    pub(crate) aggregate: Option<usize>,
    /// Weight of every framework node (before exclusion).
    pub(crate) weights: Vec<f64>,
    /// Excluded indicator (node index): its weight is 0 in the run.
    pub(crate) exclude: Option<usize>,
}

type VariantKey = (Option<usize>, Option<usize>, Option<usize>);

/// Runs of a batch computed by the same matrix products: the prepared data and, per
/// first-level node, whether its mean is geometric (empty: one product for the whole index).
type BatchGroup = (VariantKey, Vec<bool>);

/// Prepared (normalised) data of one pipeline variant.
#[derive(Debug)]
struct Variant {
    /// Dataset rows included.
    units: Vec<usize>,
    /// Column-major units × indicators.
    z: Vec<f64>,
    has_nan: bool,
    /// Whether each indicator column has a missing value.
    col_nan: Vec<bool>,
    /// ln z when every value is positive and some choice takes geometric means of indicators.
    lnz: Option<Vec<f64>>,
}

/// Per-aggregation-choice resolved methods.
#[derive(Debug)]
struct AggPlan {
    choice: AggregationChoice,
    /// Method per node (only aggregates meaningful).
    methods: Vec<Aggregator>,
    all_arith: bool,
    min_cov: f64,
}

/// Which outputs each run produces.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExecOptions {
    /// Nodes whose ranks are accumulated into histograms (first = the index).
    pub(crate) targets: Vec<usize>,
    /// Keep every run's index scores.
    pub(crate) keep_runs: bool,
    /// A scalar output per run (sensitivity analysis).
    pub(crate) output: Option<Output>,
    /// Runs per chunk (default: by memory).
    pub(crate) chunk: Option<usize>,
}

/// A scalar output of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Output {
    MeanAbsRankShift,
    Score(usize),
    Rank(usize),
}

pub(crate) struct ExecOutput {
    pub(crate) hists: Vec<Vec<RankHistogram>>,
    pub(crate) nominal_ranks: Vec<Vec<u32>>,
    pub(crate) nominal_scores: Vec<Vec<f64>>,
    pub(crate) run_scores: Vec<Vec<f64>>,
    pub(crate) y: Vec<f64>,
}

pub(crate) struct Engine<'a> {
    pub(crate) fw: &'a Framework,
    data: &'a Dataset,
    pipeline: &'a Pipeline,
    pub(crate) reg: Registry,
    pub(crate) nominal_weights: Vec<f64>,
    base_agg: AggPlan,
    aggs: Vec<AggPlan>,
    /// Prepared data per step choice; choices that resolve to the same steps share it.
    variants: BTreeMap<VariantKey, std::sync::Arc<Variant>>,
    /// node → column of the prepared data. Columns are grouped by first-level parent
    /// (children of each `l2` node contiguous, in `l2` order), so that each first-level
    /// aggregate of a batch is one small matrix product over its own columns.
    ind_col: Vec<Option<usize>>,
    /// Indicator nodes in column order.
    cols: Vec<usize>,
    /// Per `l2` node: its first column and number of columns.
    l2_cols: Vec<(usize, usize)>,
    /// The root's aggregate slot (holds the index scores).
    root_slot: usize,
    /// node → slot in the aggregate scratch
    slot: Vec<Option<usize>>,
    bottom_up: Vec<usize>,
    /// Aggregates whose children are all indicators (computed by matrix products in batches).
    l2: Vec<usize>,
    is_l2: Vec<bool>,
}

/// What a batch's matrix products already computed for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pre {
    None,
    /// The root's slot holds the index scores.
    Index,
    /// The slots of the first-level aggregates hold their scores.
    L2,
}

/// A worker's memory for a batch of runs.
struct Scratch {
    /// The aggregate slots of every run of the batch: slot k of the run at batch position p
    /// is `agg[(p · slots + k) · n ..][..n]`. The batch's matrix products write straight here.
    agg: Vec<f64>,
    t: Temps,
    /// A node's scores spread over all dataset units (when screening dropped some).
    full: Vec<f64>,
    rs: RankScratch,
    /// A run's ranks before they are stored in a narrower cell ([`RankCell`]).
    row: Vec<u32>,
}

/// Per-run temporaries of [`Engine::score`].
struct Temps {
    num: Vec<f64>,
    den: Vec<f64>,
    cnt: Vec<u32>,
    slot_nan: Vec<bool>,
    /// Per slot, a rescaling not yet applied: the log-sum path applies it on the fly.
    deferred: Vec<Option<ValueMap>>,
    /// Set when the run left its root as an approximate log-sum in `num`.
    log_root: Option<LogRoot>,
}

/// A geometric root left as `num[i] ≈ Σ_c w_c ln x_ci` (the index is `exp(Σ_c w_c ln x_ci / wsum)`),
/// each within `eps` of its exact form: enough to rank the units, resolving near-ties exactly
/// ([`crate::rank::rank_into_bounded`]). Saves the division of every exact logarithm and the
/// exponential of every index score.
#[derive(Debug, Clone, Copy)]
struct LogRoot {
    wsum: f64,
    eps: f64,
}

/// One rescaling as the map of each value: the exact path and the log-sum path apply the
/// same operations, so the same bits.
#[derive(Debug, Clone, Copy)]
enum ValueMap {
    /// `offset + scale · x`.
    Affine { scale: f64, offset: f64 },
    /// `(x − min) · f + lo` (numpy's order of operations).
    Shift { min: f64, f: f64, lo: f64 },
    /// `mid + 0 · x`: a constant column (NaN stays NaN).
    Const { mid: f64 },
}

impl ValueMap {
    /// The map of rescaling `to` for the scores `col` (a range needs their extrema).
    fn of(to: &RescaleTo, col: &[f64]) -> Self {
        match *to {
            RescaleTo::Affine { scale, offset } => ValueMap::Affine { scale, offset },
            RescaleTo::Range { lo, hi } => {
                let (mn, mx) = crate::kernels::reduce::min_max(col).unwrap_or((f64::INFINITY, f64::NEG_INFINITY));
                let span = mx - mn;
                if span > 0.0 {
                    ValueMap::Shift {
                        min: mn,
                        f: (hi - lo) / span,
                        lo,
                    }
                } else {
                    ValueMap::Const { mid: 0.5 * (lo + hi) }
                }
            }
        }
    }

    #[inline(always)]
    fn apply(self, x: f64) -> f64 {
        match self {
            ValueMap::Affine { scale, offset } => offset + scale * x,
            ValueMap::Shift { min, f, lo } => (x - min) * f + lo,
            ValueMap::Const { mid } => mid + 0.0 * x,
        }
    }
}

/// What a run leaves besides its ranks (written into the chunk's rank buffer).
struct RunOut {
    scores: Option<Vec<f64>>,
    y: f64,
}

fn plan_agg(fw: &Framework, choice: &AggregationChoice) -> Result<AggPlan> {
    choice.step.check(fw)?;
    let methods: Vec<Aggregator> = (0..fw.nodes().len()).map(|i| choice.step.method_for(fw, i).clone()).collect();
    let all_arith = fw
        .aggregates_bottom_up()
        .iter()
        .all(|&a| matches!(methods[a], Aggregator::Arithmetic));
    Ok(AggPlan {
        choice: choice.clone(),
        methods,
        all_arith,
        min_cov: choice.step.min_coverage.unwrap_or(0.0),
    })
}

fn apply_step(step: &Step, fw: &Framework, data: &Dataset, cur: &StageData) -> Result<StageData> {
    let input = StepInput {
        framework: fw,
        dataset: data,
        data: cur,
    };
    Ok(step.prepare(&input)?.0.data)
}

impl<'a> Engine<'a> {
    pub(crate) fn new(fw: &'a Framework, data: &'a Dataset, pipeline: &'a Pipeline, reg: Registry) -> Result<Self> {
        pipeline.check()?;
        super::rank::check_ties(pipeline.ties)?;
        let Some(Step::Aggregate(base)) = pipeline.steps.last() else {
            return Err(Error::spec("pipeline", "the last step must be `aggregate`"));
        };
        let base_agg = plan_agg(fw, &AggregationChoice::from(base.clone()))?;
        let aggs = reg.aggregate.iter().map(|c| plan_agg(fw, c)).collect::<Result<Vec<_>>>()?;
        let nn = fw.nodes().len();
        let is_ind = |c: usize| fw.nodes()[c].kind == crate::NodeKind::Indicator;
        let l2: Vec<usize> = fw
            .aggregates_bottom_up()
            .iter()
            .copied()
            .filter(|&a| fw.nodes()[a].children.iter().all(|&c| is_ind(c)))
            .collect();
        let mut cols = Vec::with_capacity(fw.indicators().len());
        let mut l2_cols = Vec::with_capacity(l2.len());
        for &a in &l2 {
            l2_cols.push((cols.len(), fw.nodes()[a].children.len()));
            cols.extend(fw.nodes()[a].children.iter().copied());
        }
        let rest: Vec<usize> = fw.indicators().iter().copied().filter(|i| !cols.contains(i)).collect();
        cols.extend(rest);
        let mut ind_col = vec![None; nn];
        for (j, &i) in cols.iter().enumerate() {
            ind_col[i] = Some(j);
        }
        let mut slot = vec![None; nn];
        for (k, &a) in fw.aggregates_bottom_up().iter().enumerate() {
            slot[a] = Some(k);
        }
        let root_slot = slot[fw.root()].ok_or_else(|| Error::spec("uncertainty analysis", "the root must be an aggregate"))?;
        Ok(Engine {
            fw,
            data,
            pipeline,
            nominal_weights: fw.nodes().iter().map(|n| n.weight).collect(),
            reg,
            base_agg,
            aggs,
            variants: BTreeMap::new(),
            ind_col,
            cols,
            l2_cols,
            root_slot,
            slot,
            bottom_up: fw.aggregates_bottom_up().to_vec(),
            l2: l2.clone(),
            is_l2: (0..nn).map(|i| l2.contains(&i)).collect(),
        })
    }

    fn scratch(&self) -> Scratch {
        let n = self.data.n_units();
        Scratch {
            agg: Vec::new(),
            t: Temps {
                num: vec![0.0; n],
                den: vec![0.0; n],
                cnt: vec![0; n],
                slot_nan: vec![false; self.bottom_up.len()],
                deferred: vec![None; self.bottom_up.len()],
                log_root: None,
            },
            row: Vec::new(),
            full: vec![0.0; n],
            rs: RankScratch::default(),
        }
    }

    /// Floats of one run's aggregate slots.
    fn run_len(&self, n: usize) -> usize {
        n * self.bottom_up.len()
    }
    /// The scores of child `c` of an aggregate (an indicator's column or an aggregate's slot).
    fn child_col<'s>(&self, var: &'s Variant, c: usize, agg: &'s [f64]) -> Option<&'s [f64]> {
        let n = var.units.len();
        match (self.ind_col[c], self.slot[c]) {
            (Some(j), _) => Some(&var.z[j * n..(j + 1) * n]),
            (None, Some(k)) => Some(&agg[k * n..(k + 1) * n]),
            (None, None) => None,
        }
    }

    /// Apply the rescalings of `level` to `out`; returns whether a score is missing (NaN),
    /// noted in the same pass as the last rescaling.
    fn rescale(&self, ap: &AggPlan, level: usize, out: &mut [f64]) -> bool {
        let mut missing = None;
        for r in ap.choice.rescale.iter().filter(|r| r.level == level) {
            let m = ValueMap::of(&r.to, out);
            missing = Some(crate::kernels::reduce::map_noting_nan(out, |x| m.apply(x)));
        }
        missing.unwrap_or_else(|| crate::kernels::reduce::has_nan(out))
    }

    fn domain_err(&self, method: &str, message: String, var: &Variant, row: usize, node: usize) -> Error {
        Error::Method {
            method: method.into(),
            message,
            unit: Some(self.data.unit_ids()[var.units[row]].clone()),
            node: Some(self.fw.nodes()[node].id.clone()),
        }
    }

    /// Scores of node `t` of a scored run, one per row of `var.units`.
    fn node_col<'s>(&self, var: &'s Variant, t: usize, full_nodes: bool, agg: &'s [f64]) -> &'s [f64] {
        let n = var.units.len();
        let slot = |k: usize| &agg[k * n..(k + 1) * n];
        if !full_nodes {
            return slot(self.root_slot);
        }
        match (self.slot[t], self.ind_col[t]) {
            (Some(k), _) => slot(k),
            (None, Some(j)) => &var.z[j * n..(j + 1) * n],
            (None, None) => slot(self.root_slot),
        }
    }

    /// `col` (rows of `var.units`) over all dataset units, NaN where a unit is absent; no copy
    /// when every unit is present.
    fn over_units<'s>(var: &Variant, col: &'s [f64], full: &'s mut [f64]) -> &'s [f64] {
        if col.len() == full.len() {
            return col; // units are an ordered subset of the dataset's: same length = all
        }
        full.fill(f64::NAN);
        for (&u, &x) in var.units.iter().zip(col) {
            full[u] = x;
        }
        full
    }
    /// The aggregate step a plan uses (for design records).
    pub(crate) fn aggregation_of(&self, p: &RunPlan) -> Option<AggregationChoice> {
        p.aggregate.map(|a| self.reg.aggregate[a].clone())
    }

    /// The base pipeline's aggregate step.
    #[allow(dead_code)]
    pub(crate) fn base_aggregate(&self) -> &Aggregate {
        &self.base_agg.choice.step
    }
}

/// A [`Scratch`] borrowed from a pool and given back when dropped.
struct Pooled<'p> {
    s: Option<Scratch>,
    pool: &'p std::sync::Mutex<Vec<Scratch>>,
}

impl<'p> Pooled<'p> {
    fn take(pool: &'p std::sync::Mutex<Vec<Scratch>>, new: impl FnOnce() -> Scratch) -> Self {
        let s = pool.lock().ok().and_then(|mut p| p.pop()).unwrap_or_else(new);
        Pooled { s: Some(s), pool }
    }

    fn get(&mut self) -> &mut Scratch {
        self.s.get_or_insert_with(|| unreachable!("taken until dropped"))
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let (Some(s), Ok(mut p)) = (self.s.take(), self.pool.lock()) {
            p.push(s);
        }
    }
}

fn cancelled(done: usize, total: usize) -> Error {
    Error::spec("analysis", format!("cancelled by the user after {done} of {total} runs"))
}
