//! Monte Carlo uncertainty analysis and exact replay of run designs.
//!
//! An analysis varies [`Factor`]s (weights, normalisation, aggregation, imputation,
//! treatment, excluded indicator, alternative weight sets) around a nominal [`Pipeline`],
//! and summarises each unit's rank over the runs: nominal, mean, median, 5th and 95th
//! percentile (R type 7) and mean absolute shift from the nominal rank.
//!
//! How it is fast and reproducible:
//! - the stages before the first step that varies are computed once, and the prepared
//!   (normalised) data once per distinct choice of the varied preparation steps, so a run
//!   costs a re-aggregation and a ranking (with all-arithmetic aggregation and complete data,
//!   the index is one weighted sum of indicator columns);
//! - run `r` draws its choices from its own generator, ChaCha8(seed, stream r), so results
//!   do not depend on the number of threads or the chunking of runs;
//! - rank statistics are streamed into per-unit integer histograms ([`RankHistogram`]):
//!   memory does not grow with the number of runs unless run-by-run scores are requested.
//!
//! ```no_run
//! use zhili_core::analysis::uncertainty::{uncertainty, Factor, Monitor, UncertaintyOptions};
//! # fn demo(fw: &zhili_core::Framework, data: &zhili_core::Dataset, p: &zhili_core::Pipeline) -> zhili_core::Result<()> {
//! let factors = vec![Factor::Weights { spread: 0.25, levels: vec![], nodes: vec![] }];
//! let opts = UncertaintyOptions { runs: 1000, seed: 42, ..UncertaintyOptions::default() };
//! let res = uncertainty(fw, data, p, &factors, &opts, Monitor::default())?;
//! println!("{:?}", res.index.median);
//! # Ok(()) }
//! ```

mod design;
mod engine;
mod factors;
mod rank;
mod rng;
mod stats;

use std::collections::BTreeSet;

use ndarray::Array2;
use rayon::prelude::*;

pub use crate::rank::{rank_into, RankScratch};
pub use design::{Design, DesignRun};
pub(crate) use engine::{Engine, ExecOptions, Output, Registry, RunPlan};
pub use engine::{Monitor, RunSink};
pub use factors::{check_factors, AggregationChoice, Factor, Off, Rescale, RescaleTo, TreatChoice};
pub use rng::{choice, pick, replicate_rng, uniform};
pub use stats::RankHistogram;

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::pipeline::Pipeline;

/// Options of a Monte Carlo uncertainty analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintyOptions {
    /// Number of runs R.
    pub runs: usize,
    /// Seed; run r uses generator (seed, r).
    pub seed: u64,
    /// Nodes (besides the index) whose rank statistics are wanted.
    pub nodes: Vec<String>,
    /// Keep every run's index scores ([`UncertaintyResult::run_scores`]); memory grows with R.
    pub keep_runs: bool,
    /// Return the runs as a replayable [`Design`].
    pub record_design: bool,
    /// Runs per chunk (default: chosen by memory); results do not depend on it.
    pub chunk: Option<usize>,
}

impl Default for UncertaintyOptions {
    fn default() -> Self {
        UncertaintyOptions {
            runs: 1000,
            seed: 1,
            nodes: Vec::new(),
            keep_runs: false,
            record_design: false,
            chunk: None,
        }
    }
}

/// Rank statistics of one node over the runs, per unit (dataset order).
#[derive(Debug, Clone)]
pub struct RankStats {
    /// The node.
    pub node: String,
    /// Nominal score (NaN if the unit is not scored in the nominal pipeline).
    pub nominal_score: Vec<f64>,
    /// Nominal rank.
    pub nominal_rank: Vec<f64>,
    /// Mean rank.
    pub mean: Vec<f64>,
    /// Median rank.
    pub median: Vec<f64>,
    /// 5th percentile rank (R type 7).
    pub p5: Vec<f64>,
    /// 95th percentile rank (R type 7).
    pub p95: Vec<f64>,
    /// Mean |rank − nominal rank|.
    pub mean_abs_shift: Vec<f64>,
    /// Runs in which the unit was ranked.
    pub ranked_runs: Vec<u64>,
    /// The histograms, for other quantiles.
    pub histograms: Vec<RankHistogram>,
}

impl RankStats {
    fn new(node: String, mut hists: Vec<RankHistogram>, nominal_rank: &[u32], nominal_score: Vec<f64>) -> Self {
        // per unit: (count, mean, shift) in one pass, the three quantiles in one walk over a
        // window or by selection among raw ranks
        let each: Vec<((u64, f64, f64), Vec<f64>)> = hists
            .par_iter_mut()
            .map(|h| {
                let m = h.moments();
                (m, h.quantiles_selecting(m.0, &[0.05, 0.5, 0.95]))
            })
            .collect();
        RankStats {
            node,
            nominal_score,
            nominal_rank: nominal_rank.iter().map(|&r| if r == 0 { f64::NAN } else { f64::from(r) }).collect(),
            mean: each.iter().map(|e| e.0 .1).collect(),
            median: each.iter().map(|e| e.1[1]).collect(),
            p5: each.iter().map(|e| e.1[0]).collect(),
            p95: each.iter().map(|e| e.1[2]).collect(),
            mean_abs_shift: each.iter().map(|e| e.0 .2).collect(),
            ranked_runs: each.iter().map(|e| e.0 .0).collect(),
            histograms: hists,
        }
    }

    /// Quantile `p` of unit `u`'s rank (R type 7).
    pub fn quantile(&self, u: usize, p: f64) -> f64 {
        self.histograms.get(u).map_or(f64::NAN, |h| h.quantile(p))
    }
}

/// The outcome of an uncertainty analysis or a replay.
#[derive(Debug, Clone)]
pub struct UncertaintyResult {
    /// Runs done.
    pub runs: usize,
    /// Unit ids (dataset order; units screened out in a run count as unranked there).
    pub unit_ids: Vec<String>,
    /// Rank statistics of the index.
    pub index: RankStats,
    /// Rank statistics of the requested nodes.
    pub nodes: Vec<RankStats>,
    /// Runs × units index scores, if requested.
    pub run_scores: Option<Array2<f64>>,
    /// The runs as a design, if requested.
    pub design: Option<Design>,
}

impl UncertaintyResult {
    /// Runs × units index ranks (1 = best, NaN = unranked), if run scores were kept.
    pub fn run_ranks(&self, ties: crate::rank::Ties) -> Option<Array2<f64>> {
        let s = self.run_scores.as_ref()?;
        let mut out = Array2::from_elem(s.dim(), f64::NAN);
        for (r, row) in s.rows().into_iter().enumerate() {
            out.row_mut(r).assign(&crate::rank::rank(row, ties));
        }
        Some(out)
    }
}

/// A factor list resolved against a framework: draws → run plans.
pub(crate) struct Sampler {
    factors: Vec<Resolved>,
    nominal: Vec<f64>,
    pub(crate) reg: Registry,
    /// Nodes whose weights a design records.
    pub(crate) weight_nodes: Vec<usize>,
}

enum Resolved {
    Weights { nodes: Vec<usize>, spread: f64 },
    WeightSets(Vec<Vec<(usize, f64)>>),
    Impute(usize),
    Treat(usize),
    Normalise(usize),
    Aggregate(usize),
    Exclude(Vec<Option<usize>>),
}

/// Salt of the weight-noise generator in Sobol designs.
const WEIGHT_SALT: u64 = 0x5745_4947_4854_5321;

impl Sampler {
    pub(crate) fn new(fw: &Framework, factors: &[Factor]) -> Result<Self> {
        check_factors(fw, factors)?;
        let mut reg = Registry::default();
        let mut out = Vec::new();
        let mut weight_nodes = BTreeSet::new();
        for f in factors {
            out.push(match f {
                Factor::Weights { spread, levels, nodes } => {
                    let nodes = factors::perturbed_nodes(fw, levels, nodes)?;
                    weight_nodes.extend(nodes.iter().copied());
                    Resolved::Weights { nodes, spread: *spread }
                }
                Factor::WeightSets { sets } => {
                    let mut v = Vec::new();
                    for s in sets {
                        let mut set = Vec::new();
                        for (id, w) in s.iter() {
                            let i = fw.index_of(id).ok_or_else(|| fw.unknown_node(id, "weight set"))?;
                            weight_nodes.insert(i);
                            set.push((i, w));
                        }
                        v.push(set);
                    }
                    Resolved::WeightSets(v)
                }
                Factor::Impute { choices } => {
                    reg.impute = choices.clone();
                    Resolved::Impute(choices.len())
                }
                Factor::Treat { choices } => {
                    reg.treat = choices.clone();
                    Resolved::Treat(choices.len())
                }
                Factor::Normalise { choices } => {
                    reg.normalise = choices.clone();
                    Resolved::Normalise(choices.len())
                }
                Factor::Aggregate { choices } => {
                    reg.aggregate = choices.clone();
                    Resolved::Aggregate(choices.len())
                }
                Factor::Exclude { indicators, include_none } => {
                    let mut c: Vec<Option<usize>> = Vec::new();
                    if *include_none {
                        c.push(None);
                    }
                    if indicators.is_empty() {
                        c.extend(fw.indicators().iter().map(|&i| Some(i)));
                    } else {
                        for id in indicators {
                            c.push(fw.index_of(id));
                        }
                    }
                    Resolved::Exclude(c)
                }
            });
        }
        weight_nodes.remove(&fw.root());
        Ok(Sampler {
            factors: out,
            nominal: fw.nodes().iter().map(|n| n.weight).collect(),
            reg,
            weight_nodes: weight_nodes.into_iter().collect(),
        })
    }

    /// Number of factors (Sobol dimensions).
    pub(crate) fn k(&self) -> usize {
        self.factors.len()
    }

    /// Plan of Monte Carlo run `r`.
    pub(crate) fn plan_mc(&self, seed: u64, r: usize) -> RunPlan {
        let mut g = replicate_rng(seed, r as u64);
        let mut idx = Vec::with_capacity(self.factors.len());
        let mut mult: Option<Vec<f64>> = None;
        for f in &self.factors {
            idx.push(match f {
                Resolved::Weights { nodes, spread } => {
                    mult = Some(nodes.iter().map(|_| 1.0 - spread + 2.0 * spread * uniform(&mut g)).collect());
                    0
                }
                Resolved::WeightSets(s) => choice(&mut g, s.len()),
                Resolved::Impute(k) | Resolved::Treat(k) | Resolved::Normalise(k) | Resolved::Aggregate(k) => choice(&mut g, *k),
                Resolved::Exclude(c) => choice(&mut g, c.len()),
            });
        }
        self.assemble(&idx, mult)
    }

    /// Plan of a run given one number in [0, 1) per factor (Sobol designs); the weight
    /// multipliers come from a generator keyed by the weights factor's number.
    pub(crate) fn plan_u(&self, seed: u64, u: &[f64]) -> RunPlan {
        let mut idx = Vec::with_capacity(self.factors.len());
        let mut mult: Option<Vec<f64>> = None;
        for (f, &x) in self.factors.iter().zip(u) {
            idx.push(match f {
                Resolved::Weights { nodes, spread } => {
                    let mut g = replicate_rng(seed ^ WEIGHT_SALT, x.to_bits());
                    mult = Some(nodes.iter().map(|_| 1.0 - spread + 2.0 * spread * uniform(&mut g)).collect());
                    0
                }
                Resolved::WeightSets(s) => pick(x, s.len()),
                Resolved::Impute(k) | Resolved::Treat(k) | Resolved::Normalise(k) | Resolved::Aggregate(k) => pick(x, *k),
                Resolved::Exclude(c) => pick(x, c.len()),
            });
        }
        self.assemble(&idx, mult)
    }

    fn assemble(&self, idx: &[usize], mult: Option<Vec<f64>>) -> RunPlan {
        let mut p = RunPlan {
            impute: None,
            treat: None,
            normalise: None,
            aggregate: None,
            weights: self.nominal.clone(),
            exclude: None,
        };
        for (f, &i) in self.factors.iter().zip(idx) {
            match f {
                Resolved::WeightSets(s) => {
                    for &(n, w) in &s[i] {
                        p.weights[n] = w;
                    }
                }
                Resolved::Impute(_) => p.impute = Some(i),
                Resolved::Treat(_) => p.treat = Some(i),
                Resolved::Normalise(_) => p.normalise = Some(i),
                Resolved::Aggregate(_) => p.aggregate = Some(i),
                Resolved::Exclude(c) => p.exclude = c[i],
                Resolved::Weights { .. } => {}
            }
        }
        if let (Some(m), Some(Resolved::Weights { nodes, .. })) =
            (mult, self.factors.iter().find(|f| matches!(f, Resolved::Weights { .. })))
        {
            for (&n, x) in nodes.iter().zip(m) {
                p.weights[n] *= x;
            }
        }
        p
    }
}

pub(crate) fn key_of(p: &RunPlan) -> (Option<usize>, Option<usize>, Option<usize>) {
    (p.impute, p.treat, p.normalise)
}

/// A plan as a design row.
pub(crate) fn design_run(engine: &Engine<'_>, weight_nodes: &[usize], p: &RunPlan) -> DesignRun {
    DesignRun {
        weights: weight_nodes.iter().map(|&n| p.weights[n]).collect(),
        impute: p.impute.map(|i| engine.reg.impute[i].clone()),
        treat: p.treat.map(|i| engine.reg.treat[i].clone()),
        normalise: p.normalise.map(|i| engine.reg.normalise[i].clone()),
        aggregate: engine.aggregation_of(p),
        exclude: p.exclude.map(|e| engine.fw.nodes()[e].id.clone()),
    }
}

pub(crate) fn targets(fw: &Framework, nodes: &[String]) -> Result<Vec<usize>> {
    let mut t = vec![fw.root()];
    for id in nodes {
        let i = fw.index_of(id).ok_or_else(|| Error::Unknown {
            what: "node",
            id: id.clone(),
            context: "rank statistics".into(),
        })?;
        if !t.contains(&i) {
            t.push(i);
        }
    }
    Ok(t)
}

fn finish(
    fw: &Framework,
    data: &Dataset,
    targets: &[usize],
    out: engine::ExecOutput,
    runs: usize,
    design: Option<Design>,
) -> UncertaintyResult {
    let mut stats: Vec<RankStats> = out
        .hists
        .into_iter()
        .zip(out.nominal_ranks.iter())
        .zip(out.nominal_scores)
        .zip(targets)
        .map(|(((h, nr), ns), &t)| RankStats::new(fw.nodes()[t].id.clone(), h, nr, ns))
        .collect();
    let index = stats.remove(0);
    let run_scores = if out.run_scores.is_empty() {
        None
    } else {
        let nd = data.n_units();
        Array2::from_shape_vec((out.run_scores.len(), nd), out.run_scores.concat()).ok()
    };
    UncertaintyResult {
        runs,
        unit_ids: data.unit_ids().to_vec(),
        index,
        nodes: stats,
        run_scores,
        design,
    }
}

/// Monte Carlo uncertainty analysis of `pipeline` on `fw` and `data` under `factors`.
///
/// # Errors
/// A factor or pipeline problem ([`Error::Spec`], [`Error::Unknown`]); a step's error in a
/// varied pipeline; [`Error::Method`] naming unit and node when a run's aggregation cannot
/// take a value; a cancellation error if `monitor.cancel` is set.
pub fn uncertainty(
    fw: &Framework,
    data: &Dataset,
    pipeline: &Pipeline,
    factors: &[Factor],
    opts: &UncertaintyOptions,
    monitor: Monitor<'_>,
) -> Result<UncertaintyResult> {
    if opts.runs == 0 {
        return Err(Error::spec("uncertainty analysis", "needs at least one run"));
    }
    let sampler = Sampler::new(fw, factors)?;
    let per_run = if opts.keep_runs && monitor.runs.is_none() {
        8 * data.n_units() + 24
    } else {
        0
    } + if opts.record_design {
        design_run_bytes(sampler.weight_nodes.len())
    } else {
        0
    };
    check_runs("uncertainty analysis", opts.runs, per_run, "the runs kept (run scores, design)")?;
    let mut engine = Engine::new(fw, data, pipeline, sampler.reg.clone())?;
    // which prepared-data variants the runs use (cheap: the draws only), checking for cancellation
    let mut keys = BTreeSet::new();
    for r in 0..opts.runs {
        if r % 4096 == 0 && monitor.cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
            return Err(Error::spec(
                "analysis",
                format!("cancelled by the user after 0 of {} runs", opts.runs),
            ));
        }
        keys.insert(key_of(&sampler.plan_mc(opts.seed, r)));
    }
    engine.prepare(&keys)?;
    let targets = targets(fw, &opts.nodes)?;
    let exec = ExecOptions {
        targets: targets.clone(),
        keep_runs: opts.keep_runs,
        output: None,
        chunk: opts.chunk,
    };
    let out = engine.execute(
        opts.runs,
        |r| Ok(std::borrow::Cow::Owned(sampler.plan_mc(opts.seed, r))),
        &exec,
        &monitor,
    )?;
    let design = opts.record_design.then(|| Design {
        weight_nodes: sampler.weight_nodes.iter().map(|&n| fw.nodes()[n].id.clone()).collect(),
        runs: (0..opts.runs)
            .map(|r| design_run(&engine, &sampler.weight_nodes, &sampler.plan_mc(opts.seed, r)))
            .collect(),
    });
    Ok(finish(fw, data, &targets, out, opts.runs, design))
}

/// Bytes a design run holds with `w` weights.
fn design_run_bytes(w: usize) -> usize {
    8 * w + std::mem::size_of::<DesignRun>()
}

/// Refuse `runs` runs of `per_run` bytes each that do not fit in the memory budget.
fn check_runs(what: &str, runs: usize, per_run: usize, why: &str) -> Result<()> {
    crate::memory::check(
        format!("{what} of {runs} runs"),
        format!("{why}, about {per_run} bytes a run"),
        crate::memory::bytes(runs as u128, per_run),
    )
}

/// The runs of a Monte Carlo analysis as a design (without running them).
///
/// # Errors
/// As [`check_factors`]; [`Error::Memory`] when the runs do not fit in the memory budget.
pub fn sample_design(fw: &Framework, factors: &[Factor], runs: usize, seed: u64) -> Result<Design> {
    let sampler = Sampler::new(fw, factors)?;
    check_runs("a sampled design", runs, design_run_bytes(sampler.weight_nodes.len()), "its runs")?;
    let reg = &sampler.reg;
    Ok(Design {
        weight_nodes: sampler.weight_nodes.iter().map(|&n| fw.nodes()[n].id.clone()).collect(),
        runs: (0..runs)
            .map(|r| {
                let p = sampler.plan_mc(seed, r);
                DesignRun {
                    weights: sampler.weight_nodes.iter().map(|&n| p.weights[n]).collect(),
                    impute: p.impute.map(|i| reg.impute[i].clone()),
                    treat: p.treat.map(|i| reg.treat[i].clone()),
                    normalise: p.normalise.map(|i| reg.normalise[i].clone()),
                    aggregate: p.aggregate.map(|i| reg.aggregate[i].clone()),
                    exclude: p.exclude.map(|e| fw.nodes()[e].id.clone()),
                }
            })
            .collect(),
    })
}

/// Options of a replay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplayOptions {
    /// Nodes (besides the index) whose rank statistics are wanted.
    pub nodes: Vec<String>,
    /// Keep every run's index scores.
    pub keep_runs: bool,
    /// Runs per chunk (default by memory).
    pub chunk: Option<usize>,
}

/// Replay a design exactly: each run's weights and step choices.
///
/// # Errors
/// [`Error::Unknown`] for a node or indicator of the design not in the framework,
/// [`Error::Shape`]-like [`Error::Spec`] for a run with the wrong number of weights or a run
/// whose weights make every child of a node zero; as [`uncertainty`] otherwise.
pub fn replay(
    fw: &Framework,
    data: &Dataset,
    pipeline: &Pipeline,
    design: &Design,
    opts: &ReplayOptions,
    monitor: Monitor<'_>,
) -> Result<UncertaintyResult> {
    let nodes: Vec<usize> = design
        .weight_nodes
        .iter()
        .map(|id| fw.index_of(id).ok_or_else(|| fw.unknown_node(id, "design weight column")))
        .collect::<Result<_>>()?;
    let nominal: Vec<f64> = fw.nodes().iter().map(|n| n.weight).collect();
    if opts.keep_runs && monitor.runs.is_none() {
        check_runs("replay", design.runs.len(), 8 * data.n_units() + 24, "the run scores kept")?;
    }
    // the aggregates whose children's weights a run replaces: none may end with all zero
    let mut varied: Vec<usize> = nodes.iter().filter_map(|&n| fw.nodes()[n].parent).collect();
    varied.sort_unstable();
    varied.dedup();
    // Every run is checked up front (the first bad run in run order is reported); the engine
    // builds each run's plan when it reaches it, so no plan of the whole design is held.
    // Step choices and exclusions are checked here, run by run; the weights (megabytes of
    // them, read once) in parallel, while the engine prepares its data.
    let mut reg = Registry::default();
    let mut runs: Vec<([Option<usize>; 4], Option<usize>)> = Vec::with_capacity(design.runs.len());
    let mut first_bad: Option<(usize, Error)> = None;
    for (k, r) in design.runs.iter().enumerate() {
        match check_run(fw, nodes.len(), k, r) {
            Ok(exclude) => {
                let choices = [
                    r.impute.as_ref().map(|x| engine::intern(&mut reg.impute, x)),
                    r.treat.as_ref().map(|x| engine::intern(&mut reg.treat, x)),
                    r.normalise.as_ref().map(|x| engine::intern(&mut reg.normalise, x)),
                    r.aggregate.as_ref().map(|x| engine::intern(&mut reg.aggregate, x)),
                ];
                runs.push((choices, exclude));
            }
            Err(e) => {
                first_bad = Some((k, e));
                break;
            }
        }
    }
    // the first run (of `runs`) with a bad weight, as an error
    let weights_in = |runs: &[DesignRun]| match runs.par_iter().position_first(|r| bad_weight(&r.weights).is_some()) {
        None => Ok(()),
        Some(k) => {
            let (i, x) = bad_weight(&runs[k].weights).unwrap_or((0, f64::NAN));
            Err(Error::spec(
                "design",
                format!("run {}: weight of `{}` is {x}", k + 1, fw.nodes()[nodes[i]].id),
            ))
        }
    };
    if let Some((k, e)) = first_bad {
        weights_in(&design.runs[..k])?; // an earlier run's bad weight is reported first
        return Err(e);
    }
    let mut engine = Engine::new(fw, data, pipeline, reg)?;
    let keys: BTreeSet<_> = runs.iter().map(|([i, t, n, _], _)| (*i, *t, *n)).collect();
    let (weights_ok, prepared) = rayon::join(|| weights_in(&design.runs), || engine.prepare(&keys));
    weights_ok?;
    prepared?;
    let plan = |k: usize| {
        let ([impute, treat, normalise, aggregate], exclude) = runs[k];
        let mut weights = nominal.clone();
        for (&n, &x) in nodes.iter().zip(&design.runs[k].weights) {
            if !x.is_nan() {
                weights[n] = x;
            }
        }
        if let Some(&p) = varied.iter().find(|&&p| fw.nodes()[p].children.iter().all(|&c| weights[c] == 0.0)) {
            return Err(Error::spec(
                "design",
                format!(
                    "run {}: every child of node `{}` has weight 0 (as the framework validator requires, at least one must be positive)",
                    k + 1,
                    fw.nodes()[p].id
                ),
            ));
        }
        Ok(std::borrow::Cow::Owned(RunPlan {
            impute,
            treat,
            normalise,
            aggregate,
            weights,
            exclude,
        }))
    };
    let targets = targets(fw, &opts.nodes)?;
    let exec = ExecOptions {
        targets: targets.clone(),
        keep_runs: opts.keep_runs,
        output: None,
        chunk: opts.chunk,
    };
    let out = engine.execute(runs.len(), plan, &exec, &monitor)?;
    Ok(finish(fw, data, &targets, out, runs.len(), None))
}

/// A design run's checks that need no weight values: its number of weights and the
/// indicator it excludes (returned as a node index).
fn check_run(fw: &Framework, n_weights: usize, k: usize, r: &DesignRun) -> Result<Option<usize>> {
    if r.weights.len() != n_weights {
        return Err(Error::spec(
            "design",
            format!("run {} has {} weights for {n_weights} weight columns", k + 1, r.weights.len()),
        ));
    }
    match &r.exclude {
        None => Ok(None),
        Some(id) => fw
            .index_of(id)
            .filter(|i| fw.indicators().contains(i))
            .map(Some)
            .ok_or_else(|| Error::Unknown {
                what: "indicator",
                id: id.clone(),
                context: format!("design run {}", k + 1),
            }),
    }
}

/// The first weight of a run that is neither NaN (the framework's weight) nor a finite
/// non-negative number: (its column, its value).
fn bad_weight(weights: &[f64]) -> Option<(usize, f64)> {
    weights
        .iter()
        .enumerate()
        .find(|(_, &x)| !(x.is_nan() || x.is_finite() && x >= 0.0))
        .map(|(i, &x)| (i, x))
}

/// An analysis document: the factors and run settings, as TOML or JSON.
///
/// ```toml
/// runs = 1000          # Monte Carlo runs (uncertainty) or base sample N (sensitivity)
/// seed = 42
/// nodes = ["Conn"]     # extra nodes with rank statistics
/// [[factors]]
/// type = "weights"
/// spread = 0.25
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisSpec {
    /// Runs (uncertainty) or base sample size N (sensitivity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<usize>,
    /// Seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Extra nodes with rank statistics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
    /// The uncertain factors.
    pub factors: Vec<Factor>,
}

impl AnalysisSpec {
    /// Parse TOML, naming `file` in errors.
    ///
    /// # Errors
    /// [`Error::Parse`] with the line of the problem.
    pub fn from_toml_named(s: &str, file: &str) -> Result<Self> {
        toml::from_str(s).map_err(|e| crate::framework::toml_error(e, s, file))
    }

    /// Parse JSON.
    ///
    /// # Errors
    /// [`Error::Parse`].
    pub fn from_json_str(s: &str) -> Result<Self> {
        serde_json::from_str(s).map_err(|e| Error::parse("<analysis>", Some(e.line()), None, e.to_string()))
    }
}
