//! The run engine: cached prepared data per pipeline variant, fast re-aggregation and
//! ranking of many runs in parallel, streaming rank statistics.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

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
}

impl std::fmt::Debug for Monitor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel.map(|c| c.load(Ordering::Relaxed)))
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
                let (mn, mx) = crate::reduce::min_max(col).unwrap_or((f64::INFINITY, f64::NEG_INFINITY));
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
    Ok(match step {
        Step::Denominate(s) => s.apply(&input)?.data,
        Step::Impute(s) => s.apply(&input)?.data,
        Step::Screen(s) => s.apply(&input)?.data,
        Step::Treat(s) => s.apply(&input)?.data,
        Step::Normalise(n) => {
            let nodes: Vec<_> = fw.indicators().iter().map(|&i| &fw.nodes()[i]).collect();
            let (v, _, _) = n.fit_transform(cur.values.view(), &nodes)?;
            StageData {
                units: cur.units.clone(),
                values: v,
            }
        }
        Step::Aggregate(_) => return Err(Error::spec("pipeline", "`aggregate` must be the last step")),
    })
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

    /// The preparation steps (all but `aggregate`) of a variant.
    fn variant_steps(&self, key: VariantKey) -> Vec<Step> {
        let mut steps: Vec<Step> = self.pipeline.steps[..self.pipeline.steps.len() - 1].to_vec();
        let norm_pos = |s: &[Step]| s.iter().position(|x| matches!(x, Step::Normalise(_))).unwrap_or(s.len());
        let put = |steps: &mut Vec<Step>, new: Option<Step>, is: fn(&Step) -> bool| {
            let pos = steps.iter().position(is);
            match (pos, new) {
                (Some(p), Some(s)) => steps[p] = s,
                (Some(p), None) => {
                    steps.remove(p);
                }
                (None, Some(s)) => {
                    let at = if matches!(s, Step::Normalise(_)) {
                        steps.len()
                    } else {
                        norm_pos(steps)
                    };
                    steps.insert(at, s);
                }
                (None, None) => {}
            }
        };
        if let Some(i) = key.0 {
            put(&mut steps, Some(Step::Impute(self.reg.impute[i].clone())), |s| {
                matches!(s, Step::Impute(_))
            });
        }
        if let Some(t) = key.1 {
            let new = match &self.reg.treat[t] {
                TreatChoice::Off(_) => None,
                TreatChoice::On(t) => Some(Step::Treat(t.clone())),
            };
            put(&mut steps, new, |s| matches!(s, Step::Treat(_)));
        }
        if let Some(n) = key.2 {
            put(&mut steps, Some(Step::Normalise(self.reg.normalise[n].clone())), |s| {
                matches!(s, Step::Normalise(_))
            });
        }
        steps
    }

    /// Compute the prepared data of every variant used, sharing the stages before the first
    /// step in which they differ.
    pub(crate) fn prepare(&mut self, keys: &BTreeSet<VariantKey>) -> Result<()> {
        let mut keys: Vec<VariantKey> = keys.iter().copied().filter(|k| !self.variants.contains_key(k)).collect();
        if !self.variants.contains_key(&(None, None, None)) {
            keys.insert(0, (None, None, None));
        }
        if keys.is_empty() {
            return Ok(());
        }
        // keys whose steps are the same (the nominal pipeline's normaliser chosen again, say)
        // share one variant: built once, held once
        let all_lists: Vec<Vec<Step>> = keys.iter().map(|&k| self.variant_steps(k)).collect();
        let mut lists: Vec<Vec<Step>> = Vec::new();
        let which: Vec<usize> = all_lists.iter().map(|l| intern(&mut lists, l)).collect();
        let mut common = lists[0].len();
        for l in &lists[1..] {
            common = common.min(l.iter().zip(&lists[0]).take_while(|(a, b)| a == b).count());
        }
        let raw = self.data.aligned_values(self.fw)?;
        let mut values = ndarray::Array2::<f64>::zeros(ndarray::ShapeBuilder::f(raw.dim()));
        values.assign(&raw);
        let mut base = StageData {
            units: (0..self.data.n_units()).collect(),
            values,
        };
        for s in &lists[0][..common] {
            base = apply_step(s, self.fw, self.data, &base)?;
        }
        let (fw, data, cols) = (self.fw, self.data, &self.cols);
        let mut fw_pos = vec![0; fw.nodes().len()];
        for (j, &i) in fw.indicators().iter().enumerate() {
            fw_pos[i] = j;
        }
        let fw_pos = &fw_pos;
        let want_ln = self.aggs.iter().chain(std::iter::once(&self.base_agg)).any(|ap| {
            self.l2
                .iter()
                .any(|&a| matches!(ap.methods[a], Aggregator::Geometric { shift } if shift == 0.0))
        });
        let built: Vec<Result<Variant>> = lists
            .par_iter()
            .map(|steps| {
                let mut cur: Option<StageData> = None;
                for s in &steps[common..] {
                    cur = Some(apply_step(s, fw, data, cur.as_ref().unwrap_or(&base))?);
                }
                let st = cur.as_ref().unwrap_or(&base);
                let (n, m) = st.values.dim();
                let mut z: Vec<f64> = Vec::with_capacity(n * m);
                for &node in cols {
                    z.extend(st.values.column(fw_pos[node]).iter());
                }
                let col_nan: Vec<bool> = (0..m).map(|j| z[j * n..(j + 1) * n].iter().any(|x| x.is_nan())).collect();
                let has_nan = col_nan.iter().any(|&b| b);
                let lnz = (want_ln && !has_nan && z.iter().all(|&x| x > 0.0)).then(|| {
                    let mut l = vec![0.0; z.len()];
                    crate::vmath::ln_into(&mut l, &z);
                    l
                });
                Ok(Variant {
                    units: st.units.clone(),
                    z,
                    has_nan,
                    col_nan,
                    lnz,
                })
            })
            .collect();
        let built: Vec<std::sync::Arc<Variant>> = built.into_iter().map(|v| v.map(std::sync::Arc::new)).collect::<Result<_>>()?;
        for (k, w) in keys.into_iter().zip(which) {
            self.variants.insert(k, std::sync::Arc::clone(&built[w]));
        }
        Ok(())
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

    /// Score one run into its aggregate slots `agg`: every aggregate, or only the root's slot
    /// (the fast path). Returns whether every slot holds its node's scores. With `log_root`,
    /// a dense geometric root may be left as an approximate log-sum (`t.log_root` says so).
    #[allow(clippy::too_many_arguments)]
    fn score(
        &self,
        var: &Variant,
        ap: &AggPlan,
        w: &[f64],
        all_nodes: bool,
        pre: Pre,
        agg: &mut [f64],
        t: &mut Temps,
        log_root: bool,
    ) -> Result<bool> {
        let fw = self.fw;
        let n = var.units.len();
        t.log_root = None;
        if pre == Pre::Index {
            return Ok(false);
        }
        if pre == Pre::None && !all_nodes && ap.all_arith && ap.choice.rescale.is_empty() && ap.min_cov == 0.0 && !var.has_nan {
            // index = Σⱼ vⱼ zⱼ with vⱼ the product of sibling shares from indicator j up to the root
            if let Some(v) = self.collapsed_row(w) {
                let idx = &mut agg[self.root_slot * n..(self.root_slot + 1) * n];
                idx.fill(0.0);
                for (j, &vj) in v.iter().enumerate() {
                    if vj != 0.0 {
                        crate::reduce::axpy(idx, vj, &var.z[j * n..(j + 1) * n]);
                    }
                }
                return Ok(false);
            }
        }
        let Temps {
            num,
            den,
            cnt,
            slot_nan,
            deferred,
            log_root: log_out,
        } = t;
        deferred.fill(None);
        // A geometric root that may be left as a log-sum takes its children's rescaling on the
        // fly (one pass less per child); undone below if the log-sum path is not taken.
        let root = &fw.nodes()[fw.root()];
        let defer = log_root
            && matches!(ap.methods[fw.root()], Aggregator::Geometric { shift: 0.0 })
            && !ap.choice.rescale.iter().any(|r| r.level == root.level);
        for &a in &self.bottom_up {
            let node = &fw.nodes()[a];
            let method = &ap.methods[a];
            if pre == Pre::L2 && self.is_l2[a] {
                let k = self.slot[a].unwrap_or(0);
                let out = &mut agg[k * n..(k + 1) * n];
                let mut at_level = ap.choice.rescale.iter().filter(|r| r.level == node.level);
                if let (true, Some(r), None) = (defer && root.children.contains(&a), at_level.next(), at_level.next()) {
                    deferred[k] = Some(ValueMap::of(&r.to, out));
                    slot_nan[k] = false; // checked by the log-sum pass, or when the map is applied
                    continue;
                }
                slot_nan[k] = self.rescale(ap, node.level, out);
                continue;
            }
            let (num, den, cnt) = (&mut num[..n], &mut den[..n], &mut cnt[..n]);
            let no_missing = |slot_nan: &[bool]| {
                node.children.iter().all(|&c| {
                    w[c] == 0.0
                        || match (self.ind_col[c], self.slot[c]) {
                            (Some(j), _) => !var.col_nan[j],
                            (None, Some(k)) => !slot_nan[k],
                            (None, None) => false,
                        }
                })
            };
            if a == fw.root() && defer {
                if no_missing(slot_nan) {
                    *log_out = self.approx_log_sum(&node.children, w, ap.min_cov, var, agg, deferred, num);
                    if log_out.is_some() {
                        continue; // the root is the last node
                    }
                }
                // the exact path after all: the children's rescaling first, as usual
                for (k, m) in deferred.iter_mut().enumerate() {
                    if let Some(m) = m.take() {
                        slot_nan[k] = crate::reduce::map_noting_nan(&mut agg[k * n..(k + 1) * n], |x| m.apply(x));
                    }
                }
            }
            let dense = no_missing(slot_nan);
            if dense {
                // no missing value among the children: no masks, vectorisable loops
                num.fill(0.0);
                let (mut wsum, mut k_children) = (0.0, 0usize);
                for &c in &node.children {
                    let wc = w[c];
                    if wc == 0.0 {
                        continue;
                    }
                    wsum += wc;
                    k_children += 1;
                    let col: &[f64] = match (self.ind_col[c], self.slot[c]) {
                        (Some(j), _) => &var.z[j * n..(j + 1) * n],
                        (None, Some(k)) => &agg[k * n..(k + 1) * n],
                        (None, None) => continue,
                    };
                    match *method {
                        Aggregator::Arithmetic | Aggregator::Generalised { p: 1.0 } => crate::reduce::axpy(num, wc, col),
                        Aggregator::Geometric { shift } => {
                            // the domain is checked in the same pass (the log of a value ≤ 0
                            // is −∞ or NaN); a bad value is found again
                            let logs = &mut den[..n];
                            if shift == 0.0 {
                                crate::vmath::ln_into(logs, col);
                            } else {
                                logs.iter_mut().zip(col).for_each(|(l, &x)| *l = x + shift);
                                crate::vmath::ln_in_place(logs);
                            }
                            let bad = crate::reduce::axpy_logs(num, wc, logs);
                            if let Some(i) = bad.then(|| col.iter().position(|&x| x + shift <= 0.0)).flatten() {
                                let x = col[i];
                                return Err(self.domain_err(
                                    "geometric",
                                    format!("value {x} (+ shift {shift}) ≤ 0 cannot enter a geometric mean"),
                                    var,
                                    i,
                                    a,
                                ));
                            }
                        }
                        Aggregator::Harmonic => {
                            for (i, (o, &x)) in num.iter_mut().zip(col).enumerate() {
                                if x <= 0.0 {
                                    return Err(self.domain_err(
                                        "harmonic",
                                        format!("value {x} ≤ 0 cannot enter a harmonic mean"),
                                        var,
                                        i,
                                        a,
                                    ));
                                }
                                *o += wc / x;
                            }
                        }
                        Aggregator::Generalised { p } => {
                            for (i, (o, &x)) in num.iter_mut().zip(col).enumerate() {
                                if (p == 0.0 && x <= 0.0) || x < 0.0 || (x == 0.0 && p < 0.0) {
                                    return Err(self.domain_err(
                                        "generalised",
                                        format!("value {x} is outside the domain of a generalised mean with p = {p}"),
                                        var,
                                        i,
                                        a,
                                    ));
                                }
                                *o += wc * if p == 0.0 { x.ln() } else { x.powf(p) };
                            }
                        }
                        #[allow(unreachable_patterns)]
                        _ => {
                            return Err(Error::method(
                                method.name(),
                                "this aggregation is not supported in uncertainty analysis",
                            ))
                        }
                    }
                }
                let need = ((ap.min_cov * k_children as f64 - 1e-12).ceil() as usize).max(1);
                let k = self.slot[a].unwrap_or(0);
                let out = &mut agg[k * n..(k + 1) * n];
                if k_children < need || wsum <= 0.0 {
                    out.fill(f64::NAN);
                } else {
                    match *method {
                        Aggregator::Geometric { shift } => {
                            crate::reduce::div_into(out, num, wsum);
                            crate::vmath::exp_in_place(out);
                            if shift != 0.0 {
                                out.iter_mut().for_each(|o| *o -= shift);
                            }
                        }
                        Aggregator::Harmonic => out.iter_mut().zip(num.iter()).for_each(|(o, &v)| *o = wsum / v),
                        Aggregator::Generalised { p: 0.0 } => out.iter_mut().zip(num.iter()).for_each(|(o, &v)| *o = (v / wsum).exp()),
                        Aggregator::Generalised { p } if p != 1.0 => {
                            out.iter_mut().zip(num.iter()).for_each(|(o, &v)| *o = (v / wsum).powf(1.0 / p))
                        }
                        _ => crate::reduce::div_into(out, num, wsum),
                    }
                }
                slot_nan[k] = self.rescale(ap, node.level, out);
                continue;
            }
            num.fill(0.0);
            den.fill(0.0);
            cnt.fill(0);
            let mut k_children = 0usize;
            for &c in &node.children {
                let wc = w[c];
                if wc == 0.0 {
                    continue;
                }
                k_children += 1;
                let col: &[f64] = match (self.ind_col[c], self.slot[c]) {
                    (Some(j), _) => &var.z[j * n..(j + 1) * n],
                    (None, Some(k)) => &agg[k * n..(k + 1) * n],
                    (None, None) => continue,
                };
                match *method {
                    Aggregator::Arithmetic => {
                        for i in 0..n {
                            let x = col[i];
                            if !x.is_nan() {
                                num[i] += wc * x;
                                den[i] += wc;
                                cnt[i] += 1;
                            }
                        }
                    }
                    Aggregator::Geometric { shift } => {
                        for i in 0..n {
                            let x = col[i];
                            if !x.is_nan() {
                                let v = x + shift;
                                if v <= 0.0 {
                                    return Err(self.domain_err(
                                        "geometric",
                                        format!("value {x} (+ shift {shift}) ≤ 0 cannot enter a geometric mean"),
                                        var,
                                        i,
                                        a,
                                    ));
                                }
                                num[i] += wc * v.ln();
                                den[i] += wc;
                                cnt[i] += 1;
                            }
                        }
                    }
                    Aggregator::Harmonic => {
                        for i in 0..n {
                            let x = col[i];
                            if !x.is_nan() {
                                if x <= 0.0 {
                                    return Err(self.domain_err(
                                        "harmonic",
                                        format!("value {x} ≤ 0 cannot enter a harmonic mean"),
                                        var,
                                        i,
                                        a,
                                    ));
                                }
                                num[i] += wc / x;
                                den[i] += wc;
                                cnt[i] += 1;
                            }
                        }
                    }
                    Aggregator::Generalised { p } => {
                        for i in 0..n {
                            let x = col[i];
                            if !x.is_nan() {
                                let t = if p == 0.0 {
                                    if x <= 0.0 {
                                        return Err(self.domain_err("generalised", format!("value {x} ≤ 0 with p = 0"), var, i, a));
                                    }
                                    x.ln()
                                } else if p == 1.0 {
                                    x
                                } else {
                                    if x < 0.0 || (x == 0.0 && p < 0.0) {
                                        return Err(self.domain_err(
                                            "generalised",
                                            format!("value {x} is outside the domain of a generalised mean with p = {p}"),
                                            var,
                                            i,
                                            a,
                                        ));
                                    }
                                    x.powf(p)
                                };
                                num[i] += wc * t;
                                den[i] += wc;
                                cnt[i] += 1;
                            }
                        }
                    }
                    #[allow(unreachable_patterns)]
                    _ => {
                        return Err(Error::method(
                            method.name(),
                            "this aggregation is not supported in uncertainty analysis",
                        ))
                    }
                }
            }
            let need = ((ap.min_cov * k_children as f64 - 1e-12).ceil() as u32).max(1);
            let k = self.slot[a].unwrap_or(0);
            let out = &mut agg[k * n..(k + 1) * n];
            for i in 0..n {
                out[i] = if cnt[i] >= need && den[i] > 0.0 {
                    let m = num[i] / den[i];
                    match *method {
                        Aggregator::Geometric { shift } => m.exp() - shift,
                        Aggregator::Harmonic => den[i] / num[i],
                        Aggregator::Generalised { p: 0.0 } => m.exp(),
                        Aggregator::Generalised { p } if p != 1.0 => m.powf(1.0 / p),
                        _ => m,
                    }
                } else {
                    f64::NAN
                };
            }
            slot_nan[k] = self.rescale(ap, node.level, out);
        }
        Ok(true)
    }

    /// `num[i] = Σ_c w_c ln~(x_ci)` over the children with a weight, by the division-free
    /// logarithm ([`crate::vmath::axpy_ln_approx`]). `None` — the exact path must run, and
    /// gives the error or the missing scores — when a child has no column, there are too few
    /// children or no positive weight, or a value is not a positive normal number.
    ///
    /// The bound: every `ln~` is within `LN_APPROX_ERROR` of the exact `ln`, and the two sums
    /// of k products round differently by at most 4k·u·Σ|w ln x| ≤ 4k·u·710·wsum (u = 2⁻⁵³;
    /// |ln x| ≤ 710 for normal x). A further 1e-12·wsum keeps units whose log-sums differ by
    /// more than twice the bound apart after the division by wsum and the exponential
    /// (each within an ulp), so the ranker's premise holds.
    #[allow(clippy::too_many_arguments)]
    fn approx_log_sum(
        &self,
        children: &[usize],
        w: &[f64],
        min_cov: f64,
        var: &Variant,
        agg: &[f64],
        deferred: &[Option<ValueMap>],
        num: &mut [f64],
    ) -> Option<LogRoot> {
        let used: Vec<usize> = children.iter().copied().filter(|&c| w[c] != 0.0).collect();
        let wsum = used.iter().fold(0.0, |s, &c| s + w[c]);
        if used.len() < crate::aggregate::children_needed(min_cov, used.len()) || !(wsum > 0.0 && wsum.is_finite()) {
            return None;
        }
        num.fill(0.0);
        for &c in &used {
            let col = self.child_col(var, c, agg)?;
            let special = match self.slot[c].and_then(|k| deferred[k]) {
                Some(m) => crate::vmath::axpy_ln_approx(num, w[c], col, |x| m.apply(x)),
                None => crate::vmath::axpy_ln_approx(num, w[c], col, |x| x),
            };
            if special {
                return None;
            }
        }
        let rounding = 4.0 * used.len() as f64 * (f64::EPSILON / 2.0) * 710.0;
        Some(LogRoot {
            wsum,
            eps: wsum * (crate::vmath::LN_APPROX_ERROR + rounding + 1e-12),
        })
    }

    /// The exact index score of row `i` for a root left as a [`LogRoot`]: the operations of
    /// the dense geometric path, in its order, so the same bits.
    fn exact_geometric(&self, cols: &[(&[f64], f64, Option<ValueMap>)], wsum: f64, i: usize) -> f64 {
        let mut s = 0.0;
        for &(col, wc, map) in cols {
            let x = map.map_or(col[i], |m| m.apply(col[i]));
            s += wc * crate::vmath::ln(x);
        }
        crate::vmath::exp(s / wsum)
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
            missing = Some(crate::reduce::map_noting_nan(out, |x| m.apply(x)));
        }
        missing.unwrap_or_else(|| crate::reduce::has_nan(out))
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

    /// Run a batch of runs. Runs that share prepared data and whose first-level aggregates
    /// are dense arithmetic (or geometric) means are computed with matrix products — one per
    /// first-level node over its own columns, `W_a · Z_a` (or `W_a · ln Z_a`), or one for the
    /// whole index when every mean is arithmetic — written straight into the runs' aggregate
    /// slots; the rest of each run as usual.
    fn run_batch<R: RankCell>(
        &self,
        plans: &[&RunPlan],
        opts: &ExecOptions,
        nominal: Option<&[u32]>,
        s: &mut Scratch,
        ranks: &mut [R],
    ) -> Result<Vec<RunOut>> {
        let fw = self.fw;
        let nd = self.data.n_units();
        let slots = self.bottom_up.len();
        let stride = slots * nd; // floats between two runs' slot areas
        let all_nodes = opts.targets.iter().any(|&t| t != fw.root());
        // Per run: its product group and weight rows (the whole index, or one per l2 node).
        let mut group: Vec<Option<BatchGroup>> = vec![None; plans.len()];
        let mut rows: Vec<Vec<Vec<f64>>> = vec![Vec::new(); plans.len()];
        for (r, p) in plans.iter().enumerate() {
            let key = (p.impute, p.treat, p.normalise);
            let Some(var) = self.variants.get(&key) else { continue };
            let ap = p.aggregate.map_or(&self.base_agg, |a| &self.aggs[a]);
            let mut w = p.weights.clone();
            if let Some(e) = p.exclude {
                w[e] = 0.0;
            }
            if !all_nodes && ap.all_arith && ap.choice.rescale.is_empty() && ap.min_cov == 0.0 && !var.has_nan {
                if let Some(row) = self.collapsed_row(&w) {
                    rows[r].push(row);
                    group[r] = Some((key, Vec::new()));
                    continue;
                }
            }
            let mut geos = Vec::with_capacity(self.l2.len());
            let ok = self.l2.iter().zip(&self.l2_cols).all(|(&a, &(c0, k))| {
                let geo = match ap.methods[a] {
                    Aggregator::Arithmetic => false,
                    Aggregator::Geometric { shift } if shift == 0.0 && var.lnz.is_some() => true,
                    _ => return false,
                };
                let ch = &fw.nodes()[a].children;
                let used: Vec<usize> = ch.iter().copied().filter(|&c| w[c] != 0.0).collect();
                if used.iter().any(|&c| self.ind_col[c].map_or(true, |j| var.col_nan[j])) {
                    return false;
                }
                let wsum: f64 = used.iter().map(|&c| w[c]).sum();
                if used.len() < crate::aggregate::children_needed(ap.min_cov, used.len()) || wsum <= 0.0 || !wsum.is_finite() {
                    return false;
                }
                debug_assert_eq!(ch.len(), k);
                debug_assert!(ch.iter().enumerate().all(|(i, &c)| self.ind_col[c] == Some(c0 + i)));
                rows[r].push(ch.iter().map(|&c| w[c] / wsum).collect());
                geos.push(geo);
                true
            });
            if ok && !self.l2.is_empty() {
                group[r] = Some((key, geos));
            } else {
                rows[r].clear();
            }
        }
        // Batch positions: the runs of a group next to each other, so that each product's
        // output rows are evenly spaced in `s.agg`.
        let mut order: Vec<usize> = (0..plans.len()).collect();
        order.sort_by(|&a, &b| group[a].cmp(&group[b]));
        let mut pos = vec![0; plans.len()];
        for (p, &r) in order.iter().enumerate() {
            pos[r] = p;
        }
        s.agg.resize(plans.len() * stride, 0.0);
        let mut p0 = 0;
        while p0 < order.len() {
            let g = &group[order[p0]];
            let mut p1 = p0 + 1;
            while p1 < order.len() && &group[order[p1]] == g {
                p1 += 1;
            }
            if let Some((key, geos)) = g {
                let var = &self.variants[key];
                let n = var.units.len();
                let runs = &order[p0..p1];
                // (columns, output slot, geometric?) of each product
                let products: Vec<((usize, usize), usize, bool)> = if geos.is_empty() {
                    vec![((0, self.cols.len()), self.root_slot, false)]
                } else {
                    self.l2
                        .iter()
                        .zip(&self.l2_cols)
                        .zip(geos)
                        .map(|((&a, &c), &geo)| (c, self.slot[a].unwrap_or(0), geo))
                        .collect()
                };
                for (q, &((c0, k), out_slot, geo)) in products.iter().enumerate() {
                    let src = if geo { var.lnz.as_deref().unwrap_or(&var.z) } else { &var.z };
                    let wm: Vec<f64> = runs.iter().flat_map(|&r| rows[r][q].iter().copied()).collect();
                    let start = p0 * stride + out_slot * n;
                    let out = &mut s.agg[start..];
                    crate::matmul::weighted_sums(&wm, k, &src[c0 * n..(c0 + k) * n], n, out, stride);
                    if geo {
                        for row in out.chunks_mut(stride).take(runs.len()) {
                            crate::vmath::exp_in_place(&mut row[..n]);
                        }
                    }
                }
            }
            p0 = p1;
        }
        let mut outs = Vec::with_capacity(plans.len());
        let Scratch { agg, t, full, rs, row } = s;
        let per_run = nd * opts.targets.len();
        for ((r, p), ranks) in plans.iter().enumerate().zip(ranks.chunks_exact_mut(per_run)) {
            let pre = match &group[r] {
                None => Pre::None,
                Some((_, geos)) if geos.is_empty() => Pre::Index,
                Some(_) => Pre::L2,
            };
            let area = &mut agg[pos[r] * stride..(pos[r] + 1) * stride];
            outs.push(R::store(ranks, row, |ranks| self.run_one(p, opts, nominal, pre, area, t, full, rs, ranks))?);
        }
        Ok(outs)
    }

    /// One weight per column for the whole index when every mean is arithmetic: the product
    /// of sibling shares from the indicator up to the root. `None` if a sibling group has no
    /// positive finite weight.
    fn collapsed_row(&self, w: &[f64]) -> Option<Vec<f64>> {
        let fw = self.fw;
        let mut v = vec![0.0; fw.nodes().len()];
        v[fw.root()] = 1.0;
        for &a in self.bottom_up.iter().rev() {
            let ch = &fw.nodes()[a].children;
            let tot: f64 = ch.iter().map(|&c| w[c]).sum();
            if tot <= 0.0 || !tot.is_finite() {
                return None;
            }
            for &c in ch {
                v[c] = v[a] * w[c] / tot;
            }
        }
        Some(self.cols.iter().map(|&i| v[i]).collect())
    }

    #[allow(clippy::too_many_arguments)]
    fn run_one(
        &self,
        p: &RunPlan,
        opts: &ExecOptions,
        nominal: Option<&[u32]>,
        pre: Pre,
        agg: &mut [f64],
        t: &mut Temps,
        full: &mut [f64],
        rs: &mut RankScratch,
        ranks: &mut [u32],
    ) -> Result<RunOut> {
        let key = (p.impute, p.treat, p.normalise);
        let var = self
            .variants
            .get(&key)
            .ok_or_else(|| Error::spec("uncertainty analysis", "internal: variant not prepared"))?;
        let ap = match p.aggregate {
            Some(a) => &self.aggs[a],
            None => &self.base_agg,
        };
        let all_nodes = opts.targets.iter().any(|&t| t != self.fw.root());
        let excluded;
        let w: &[f64] = match p.exclude {
            Some(e) => {
                let mut v = p.weights.clone();
                v[e] = 0.0;
                excluded = v;
                &excluded
            }
            None => &p.weights,
        };
        let nd = self.data.n_units();
        // the index's ranks alone need no exact index scores
        let log_ok = opts.targets == [self.fw.root()] && !opts.keep_runs && var.units.len() == nd;
        let full_nodes = self.score(var, ap, w, all_nodes, pre, agg, t, log_ok)?;
        if let Some(lr) = t.log_root {
            let cols: Vec<(&[f64], f64, Option<ValueMap>)> = self.fw.nodes()[self.fw.root()]
                .children
                .iter()
                .filter(|&&c| w[c] != 0.0)
                .filter_map(|&c| Some((self.child_col(var, c, agg)?, w[c], self.slot[c].and_then(|k| t.deferred[k]))))
                .collect();
            let exact = |i: usize| self.exact_geometric(&cols, lr.wsum, i);
            rank_into_bounded(&t.num[..nd], lr.eps, &exact, self.pipeline.ties, rs, &mut ranks[..nd]);
            let y = Self::output(opts.output, exact, &ranks[..nd], nominal);
            return Ok(RunOut { scores: None, y });
        }
        let mut scores = None;
        let mut y = f64::NAN;
        for (ti, &node) in opts.targets.iter().enumerate() {
            let col = self.node_col(var, node, full_nodes, agg);
            let sc = Self::over_units(var, col, full);
            rank_into(sc, self.pipeline.ties, rs, &mut ranks[ti * nd..(ti + 1) * nd]);
            if ti == 0 {
                if opts.keep_runs {
                    scores = Some(sc.to_vec());
                }
                y = Self::output(opts.output, |u| sc[u], &ranks[..nd], nominal);
            }
        }
        Ok(RunOut { scores, y })
    }

    /// A run's scalar output from its index scores and ranks.
    fn output(output: Option<Output>, score: impl Fn(usize) -> f64, ranks: &[u32], nominal: Option<&[u32]>) -> f64 {
        match output {
            None => f64::NAN,
            Some(Output::Score(u)) => score(u),
            Some(Output::Rank(u)) => match ranks[u] {
                0 => f64::NAN,
                r => f64::from(r),
            },
            Some(Output::MeanAbsRankShift) => {
                let nom = nominal.unwrap_or(&[]);
                let (mut tot, mut k) = (0u64, 0u64);
                for (&r, &q) in ranks.iter().zip(nom) {
                    if r > 0 && q > 0 {
                        tot += u64::from(r.abs_diff(q));
                        k += 1;
                    }
                }
                if k == 0 {
                    f64::NAN
                } else {
                    tot as f64 / k as f64
                }
            }
        }
    }

    /// Run `n_runs` runs described by `plan`, in chunks, in parallel; per-target rank
    /// histograms are integer counts, identical whatever the order, batching or threading.
    pub(crate) fn execute<'p, P>(&self, n_runs: usize, plan: P, opts: &ExecOptions, monitor: &Monitor<'_>) -> Result<ExecOutput>
    where
        P: Fn(usize) -> Result<std::borrow::Cow<'p, RunPlan>> + Sync,
    {
        let nd = self.data.n_units();
        let nt = opts.targets.len();
        // nominal run
        let nominal_plan = RunPlan {
            impute: None,
            treat: None,
            normalise: None,
            aggregate: None,
            weights: self.nominal_weights.clone(),
            exclude: None,
        };
        let Scratch {
            mut agg,
            mut t,
            mut full,
            mut rs,
            ..
        } = self.scratch();
        agg.resize(self.run_len(nd), 0.0);
        let nom_opts = ExecOptions {
            output: None,
            keep_runs: false,
            ..opts.clone()
        };
        let mut nom_ranks = vec![0u32; nd * nt];
        self.run_one(
            &nominal_plan,
            &nom_opts,
            None,
            Pre::None,
            &mut agg,
            &mut t,
            &mut full,
            &mut rs,
            &mut nom_ranks,
        )?;
        let mut nominal_scores = Vec::with_capacity(nt);
        let var0 = &self.variants[&(None, None, None)];
        let full0 = self.score(
            var0,
            &self.base_agg,
            &self.nominal_weights,
            true,
            Pre::None,
            &mut agg,
            &mut t,
            false,
        )?;
        for &node in &opts.targets {
            let col = self.node_col(var0, node, full0, &agg);
            nominal_scores.push(Self::over_units(var0, col, &mut full).to_vec());
        }
        let nominal_ranks: Vec<Vec<u32>> = nom_ranks.chunks_exact(nd).map(<[u32]>::to_vec).collect();

        let (hists, run_scores, y) = if nd < 1 << 16 {
            self.run_chunks::<u16, P>(n_runs, &plan, opts, monitor, &nominal_ranks)?
        } else {
            self.run_chunks::<u32, P>(n_runs, &plan, opts, monitor, &nominal_ranks)?
        };
        Ok(ExecOutput {
            hists,
            nominal_ranks,
            nominal_scores,
            run_scores,
            y,
        })
    }

    /// The Monte Carlo loop of [`Engine::execute`]: runs in chunks, each chunk's ranks kept
    /// in cells of `R` until they are recorded in the histograms.
    fn run_chunks<'p, R: RankCell, P>(
        &self,
        n_runs: usize,
        plan: &P,
        opts: &ExecOptions,
        monitor: &Monitor<'_>,
        nominal_ranks: &[Vec<u32>],
    ) -> Result<(Vec<Vec<RankHistogram>>, Vec<Vec<f64>>, Vec<f64>)>
    where
        P: Fn(usize) -> Result<std::borrow::Cow<'p, RunPlan>> + Sync,
    {
        let nd = self.data.n_units();
        let nt = opts.targets.len();
        let chunk = opts
            .chunk
            .unwrap_or_else(|| (8_000_000 / (nd * nt.max(1) * std::mem::size_of::<R>() + 1)).clamp(16, 1024))
            .max(1);
        let mut hists: Vec<Vec<RankHistogram>> = vec![vec![RankHistogram::default(); nd]; nt];
        let mut run_scores = Vec::new();
        let mut y = Vec::with_capacity(if opts.output.is_some() { n_runs } else { 0 });
        // read back a block of units' ranks per run, a page or more apart: huge pages keep
        // those reads from missing the TLB
        let mut ranks_all = R::zeros(chunk.min(n_runs) * nd * nt);
        // rayon calls `map_init`'s init once per work split: a pool keeps the workers'
        // scratch (megabytes of slots) from being allocated and zeroed again each time
        let pool = std::sync::Mutex::new(Vec::new());
        let mut done = 0usize;
        while done < n_runs {
            if monitor.cancelled() {
                return Err(cancelled(done, n_runs));
            }
            let end = (done + chunk).min(n_runs);
            let plans = (done..end).into_par_iter().map(plan).collect::<Result<Vec<_>>>()?;
            // Runs that share prepared data and aggregation are batched together: each
            // matrix product then covers more runs (packing its data once for all). The
            // histograms do not depend on run order; per-run outputs return to run order.
            let mut order: Vec<usize> = (0..plans.len()).collect();
            order.sort_by_key(|&i| {
                let p = &plans[i];
                (p.impute, p.treat, p.normalise, p.aggregate)
            });
            // at most 16 runs a batch: two cores share a chunk's batches more evenly, and a
            // geometric batch's slots (16 × 114 KB at 2,844 units) stay nearer L2 than 32's
            let sub = (4_000_000 / (nd * (self.l2.len() + 1)).max(1)).clamp(1, 16);
            // every run's ranks: run i of the chunk at i · per_run, target t at + t · nd
            let per_run = nd * nt;
            let ranks_buf = &mut ranks_all[..(end - done) * per_run];
            let outs: Vec<Result<Option<Vec<RunOut>>>> = ranks_buf
                .par_chunks_mut(sub * per_run)
                .enumerate()
                .map_init(
                    || Pooled::take(&pool, || self.scratch()),
                    |s, (b, ranks)| {
                        if monitor.cancelled() {
                            return Ok(None);
                        }
                        let ours: Vec<&RunPlan> = order[b * sub..((b + 1) * sub).min(order.len())]
                            .iter()
                            .map(|&i| &*plans[i])
                            .collect();
                        self.run_batch(&ours, opts, Some(&nominal_ranks[0]), s.get(), ranks).map(Some)
                    },
                )
                .collect();
            let mut batch: Vec<Option<RunOut>> = (done..end).map(|_| None).collect();
            let mut at = order.iter();
            for o in outs {
                match o? {
                    Some(o) => o.into_iter().zip(&mut at).for_each(|(o, &i)| batch[i] = Some(o)),
                    None => return Err(cancelled(done, n_runs)),
                }
            }
            for (t, h) in hists.iter_mut().enumerate() {
                let nomr = &nominal_ranks[t];
                let ranks_buf = &*ranks_buf;
                // blocks of units: each run's ranks of a block are one cache line (half, in u16)
                h.par_chunks_mut(BLOCK).enumerate().for_each(|(b, hs)| {
                    let u0 = b * BLOCK;
                    record_block(hs, &nomr[u0..u0 + hs.len()], ranks_buf, per_run, t * nd + u0);
                });
            }
            for o in batch.into_iter().flatten() {
                if let Some(sc) = o.scores {
                    run_scores.push(sc);
                }
                if opts.output.is_some() {
                    y.push(o.y);
                }
            }
            done = end;
            if let Some(p) = monitor.progress {
                p(done, n_runs);
            }
        }
        Ok((hists, run_scores, y))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Index (geometric) → D1 (a, b, c), D2 (d, e) (arithmetic); 300 units of pseudo-random
    /// data with exact duplicates (ties in every run) and near-duplicates (index scores
    /// 1e-13 apart: approximations that only the exact scores can order).
    fn setup() -> (Framework, Dataset, Pipeline) {
        let fw = Framework::from_toml_str(
            r#"
version = 1
[[nodes]]
id = "Index"
[[nodes]]
id = "D1"
parent = "Index"
weight = 2.0
[[nodes]]
id = "D2"
parent = "Index"
[[nodes]]
id = "a"
parent = "D1"
[[nodes]]
id = "b"
parent = "D1"
[[nodes]]
id = "c"
parent = "D1"
[[nodes]]
id = "d"
parent = "D2"
[[nodes]]
id = "e"
parent = "D2"
"#,
        )
        .unwrap();
        let n = 300;
        let mut x = 12345u64;
        let mut next = move || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut v = ndarray::Array2::from_shape_fn((n, 5), |_| (next() * 1000.0).round() / 10.0);
        for i in (0..60).step_by(3) {
            let row = v.row(i).to_owned();
            v.row_mut(i + 1).assign(&row); // a duplicate
            v.row_mut(i + 2).assign(&row);
            v[[i + 2, 1]] *= 1.0 + 1e-13; // and a near-duplicate
        }
        let ds = Dataset::new(
            (0..n).map(|i| format!("u{i}")).collect(),
            ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
            v,
        )
        .unwrap();
        let p = Pipeline::from_toml_str(
            r#"
version = 1
[[steps]]
type = "normalise"
method = "minmax"
lo = 1.0
hi = 100.0
[[steps]]
type = "aggregate"
method = "geometric"
overrides = [{ level = 2, method = "arithmetic" }]
"#,
        )
        .unwrap();
        (fw, ds, p)
    }

    #[test]
    fn ranks_from_the_approximate_log_sum_are_the_exact_ranks() {
        let (fw, ds, p) = setup();
        let mut engine = Engine::new(&fw, &ds, &p, Registry::default()).unwrap();
        engine.prepare(&BTreeSet::from([(None, None, None)])).unwrap();
        let var = &engine.variants[&(None, None, None)];
        let Scratch {
            mut agg, mut t, mut rs, ..
        } = engine.scratch();
        agg.resize(engine.run_len(ds.n_units()), 0.0);
        let n = ds.n_units();
        let mut seed = 7u64;
        let (mut resolved, mut tied) = (0, 0);
        for _ in 0..40 {
            let w: Vec<f64> = engine
                .nominal_weights
                .iter()
                .map(|&x| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    x * (0.7 + 0.6 * ((seed >> 11) as f64 / (1u64 << 53) as f64))
                })
                .collect();
            // exact: every score, ranked as they are
            engine
                .score(var, &engine.base_agg, &w, false, Pre::None, &mut agg, &mut t, false)
                .unwrap();
            assert!(t.log_root.is_none());
            let exact: Vec<f64> = engine.node_col(var, fw.root(), false, &agg).to_vec();
            let mut want = vec![0; n];
            rank_into(&exact, p.ties, &mut rs, &mut want);
            // approximate log-sums, within their bound of the exact ones, ranked with near-ties resolved
            engine
                .score(var, &engine.base_agg, &w, false, Pre::None, &mut agg, &mut t, true)
                .unwrap();
            let lr = t.log_root.expect("the log-sum path");
            for (i, &e) in exact.iter().enumerate() {
                assert!((t.num[i] - lr.wsum * e.ln()).abs() <= lr.eps, "unit {i}");
            }
            let cols: Vec<(&[f64], f64, Option<ValueMap>)> = fw.nodes()[fw.root()]
                .children
                .iter()
                .map(|&c| (engine.child_col(var, c, &agg).unwrap(), w[c], None))
                .collect();
            let mut calls = 0;
            let mut got = vec![0; n];
            rank_into_bounded(
                &t.num[..n],
                lr.eps,
                |i| {
                    calls += 1;
                    let s = engine.exact_geometric(&cols, lr.wsum, i);
                    assert_eq!(s.to_bits(), exact[i].to_bits(), "unit {i}: the exact score is the scored one");
                    s
                },
                p.ties,
                &mut rs,
                &mut got,
            );
            assert_eq!(got, want);
            resolved += calls;
            tied += (0..60).step_by(3).filter(|&i| got[i] == got[i + 1]).count();
        }
        assert!(resolved >= 40 * 60, "near-ties were resolved exactly ({resolved} exact scores)");
        assert_eq!(tied, 40 * 20, "duplicates tie in every run");
    }

    /// Ranks kept in `u16` cells (fewer than 2¹⁶ units) and in `u32` cells give the same
    /// histograms, for the index and a dimension, over chunks that do not divide the runs.
    #[test]
    fn narrow_and_wide_rank_cells_give_the_same_histograms() {
        let (fw, ds, p) = setup();
        let mut engine = Engine::new(&fw, &ds, &p, Registry::default()).unwrap();
        engine.prepare(&BTreeSet::from([(None, None, None)])).unwrap();
        let d1 = fw.nodes().iter().position(|n| n.id == "D1").unwrap();
        let opts = ExecOptions {
            targets: vec![fw.root(), d1],
            keep_runs: false,
            output: None,
            chunk: Some(7),
        };
        let plan = |r: usize| -> Result<std::borrow::Cow<'_, RunPlan>> {
            let weights = engine
                .nominal_weights
                .iter()
                .enumerate()
                .map(|(i, &w)| w * (0.75 + 0.5 * (((r * 31 + i * 17) % 23) as f64 / 22.0)))
                .collect();
            Ok(std::borrow::Cow::Owned(RunPlan {
                impute: None,
                treat: None,
                normalise: None,
                aggregate: None,
                weights,
                exclude: None,
            }))
        };
        let nominal = vec![(1..=ds.n_units() as u32).collect::<Vec<_>>(); 2];
        let m = Monitor::default();
        let (narrow, _, _) = engine.run_chunks::<u16, _>(40, &plan, &opts, &m, &nominal).unwrap();
        let (wide, _, _) = engine.run_chunks::<u32, _>(40, &plan, &opts, &m, &nominal).unwrap();
        let ps = [0.05, 0.5, 0.95];
        for (a, b) in narrow.iter().flatten().zip(wide.iter().flatten()) {
            assert_eq!(a.count(), 40);
            assert_eq!(format!("{:?}", (a.moments(), a.quantiles(&ps))), format!("{:?}", (b.moments(), b.quantiles(&ps))));
        }
        assert_eq!(narrow.iter().flatten().count(), 2 * ds.n_units());
    }

    /// The batched path with the children's rescaling applied on the fly (affine and range,
    /// after min-max and z-score normalisation) gives the rank statistics of the exact path
    /// (taken when the run scores are kept), ties and near-ties included.
    #[test]
    fn log_sums_over_rescaled_children_give_the_exact_statistics() {
        let (fw, ds, p) = setup();
        let geo = |rescale: &str| {
            format!(
                r#""{{""method"": ""arithmetic"", ""overrides"": [{{""level"": 3, ""method"": ""geometric""}}], ""rescale"": [{rescale}]}}""#
            )
        };
        let choices = [
            (
                r#""{""method"": ""minmax"", ""lo"": 0.0, ""hi"": 100.0}""#,
                geo(r#"{""level"": 2, ""kind"": ""affine"", ""scale"": 0.99, ""offset"": 1.0}"#),
            ),
            (
                r#""{""method"": ""zscore""}""#,
                geo(r#"{""level"": 2, ""kind"": ""range"", ""lo"": 1.0, ""hi"": 100.0}"#),
            ),
            (r#""{""method"": ""zscore""}""#, r#""{""method"": ""arithmetic""}""#.to_string()),
        ];
        let mut csv = String::from("run,normalise,aggregate,w:D1,w:D2,w:a,w:b\n");
        let mut seed = 3u64;
        for r in 0..90 {
            let mut u = || {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                0.75 + 0.5 * ((seed >> 11) as f64 / (1u64 << 53) as f64)
            };
            let (norm, agg) = &choices[r % 3];
            csv.push_str(&format!("{},{norm},{agg},{},{},{},{}\n", r + 1, u(), u(), u(), u()));
        }
        let design = super::super::Design::from_csv_str(&csv).unwrap();
        let go = |keep_runs: bool| {
            let opts = super::super::ReplayOptions {
                keep_runs,
                ..Default::default()
            };
            super::super::replay(&fw, &ds, &p, &design, &opts, Monitor::default()).unwrap()
        };
        let (fast, exact) = (go(false), go(true));
        assert!(exact.run_scores.is_some() && fast.run_scores.is_none());
        for (a, b) in [
            (&fast.index.mean, &exact.index.mean),
            (&fast.index.p5, &exact.index.p5),
            (&fast.index.median, &exact.index.median),
            (&fast.index.p95, &exact.index.p95),
            (&fast.index.mean_abs_shift, &exact.index.mean_abs_shift),
        ] {
            assert_eq!(a, b);
        }
        // the duplicates tied in every run
        assert!((0..60).step_by(3).all(|i| fast.index.mean[i] == fast.index.mean[i + 1]));
    }
}
