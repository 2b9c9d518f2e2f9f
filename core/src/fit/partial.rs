//! `PartialFit`: the fit of a pipeline from row batches, merged in any order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::document::{FitReport, FittedPipeline, FITTED_VERSION};
use super::fitting::refuse_unfreezable;
use super::grading_pass::{self, GradingPass};
use super::passes::{self, weight_stage, Next, WeightPass};
use super::step_pass::{unfitted, StepPass};

/// A pass after the first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Pass {
    /// A step after `treat` (the treatment, a normaliser).
    Step(StepPass),
    /// Data-driven weights, one level.
    Weights(WeightPass),
    /// Equal-interval grading: the graded node's range.
    Grading(GradingPass),
}

/// What follows a decided pass.
enum Progress {
    Pass(Box<Pass>),
    Done(Box<FittedPipeline>),
}
use super::{ExactSum, FitOptions, ImputeFitted};
use crate::analysis::Breaks;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::{Framework, FrameworkSpec};
use crate::kernels::exact::FixedSum;
use crate::normalise::{FittedColumn, FittedNormaliser, Normaliser, Params};
use crate::pipeline::{Pipeline, StageData, Step, StepInput};
use crate::prepare::ImputeMethod;

/// Sufficient statistics of one indicator column over the rows seen so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Moments {
    /// Present values.
    pub(super) count: u64,
    /// Missing values.
    missing: u64,
    /// Σx, exact.
    pub(super) sum: ExactSum,
    /// Σx², exact.
    pub(super) sumsq: ExactSum,
    /// Smallest and largest present value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) max: Option<f64>,
}

impl Moments {
    fn add(&mut self, x: f64) {
        if x.is_nan() {
            self.missing += 1;
            return;
        }
        self.count += 1;
        self.sum.add(x);
        self.sumsq.add_product(x, x);
        self.min = Some(self.min.map_or(x, |m| m.min(x)));
        self.max = Some(self.max.map_or(x, |m| m.max(x)));
    }

    /// `add` for every value of a column: the sums in a [`FixedSum`] (a few nanoseconds a
    /// value), handed to the exact sums once.
    pub(super) fn add_column(&mut self, xs: impl Iterator<Item = f64>) {
        let (mut sum, mut sumsq) = (FixedSum::default(), FixedSum::default());
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut count, mut missing) = (0u64, 0u64);
        for x in xs {
            if x.is_nan() {
                missing += 1;
                continue;
            }
            count += 1;
            sum.add(x);
            // x² exactly, as ExactSum::add_product (TwoProduct; an overflowing square alone)
            let p = x * x;
            sumsq.add(p);
            if p.is_finite() {
                sumsq.add(x.mul_add(x, -p));
            }
            lo = lo.min(x);
            hi = hi.max(x);
        }
        self.missing += missing;
        if count == 0 {
            return;
        }
        self.count += count;
        sum.into_exact(&mut self.sum);
        sumsq.into_exact(&mut self.sumsq);
        self.min = Some(self.min.map_or(lo, |m| m.min(lo)));
        self.max = Some(self.max.map_or(hi, |m| m.max(hi)));
    }

    pub(super) fn merge(&mut self, o: &Moments) {
        self.count += o.count;
        self.missing += o.missing;
        self.sum.merge(&o.sum);
        self.sumsq.merge(&o.sumsq);
        self.min = match (self.min, o.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, o.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// The mean of the present values (exact sum rounded once, divided by the count).
    pub(super) fn mean(&self) -> f64 {
        if self.count == 0 {
            f64::NAN
        } else {
            self.sum.round() / self.count as f64
        }
    }

    /// `k` more values equal to `v` (the cells an imputation fills).
    fn fill(&mut self, k: u64, v: f64) {
        if k == 0 {
            return;
        }
        self.count += k;
        self.missing -= k.min(self.missing);
        let mut one = ExactSum::new();
        one.add(v);
        self.sum.merge(&one.scaled(k as f64));
        let mut sq = ExactSum::new();
        sq.add_product(v, v);
        self.sumsq.merge(&sq.scaled(k as f64));
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        self.max = Some(self.max.map_or(v, |m| m.max(v)));
    }

    /// Mean and sd (sample, or population) from the exact sums:
    /// `sd² = (n·Σx² − (Σx)²) / (n (n − 1))`, the numerator computed exactly and rounded once.
    pub(super) fn mean_sd(&self, population: bool) -> Option<(f64, f64)> {
        let n = self.count;
        if n == 0 {
            return None;
        }
        let mean = self.mean();
        if n == 1 {
            return Some((mean, 0.0));
        }
        let num = self.sumsq.scaled(n as f64).minus(&self.sum.product(&self.sum)).round().max(0.0);
        let nf = n as f64;
        let var = if population { num / (nf * nf) } else { num / (nf * (nf - 1.0)) };
        Some((mean, var.sqrt()))
    }
}

/// The fit of a pipeline accumulated over row batches ([`PartialFit::update`]) and merged
/// across workers ([`PartialFit::merge`]), finished into the [`FittedPipeline`] that
/// [`Pipeline::fit`] makes from the whole data.
///
/// Per indicator (and per imputation group) it keeps the count of present and missing
/// values, `Σx` and `Σx²` as [`ExactSum`]s, the minimum and the maximum, taken at the stage
/// the first data-dependent step reads (after `denominate` / `screen`, which work row by
/// row and run on each batch). From them [`PartialFit::finish`] computes:
///
/// ```text
/// impute mean:        m_i = round(Σx) / n                  (group g: over the group's rows)
/// after imputation:   n′ = n + k,  Σx′ = Σx + k·m,  Σx²′ = Σx² + k·m²,  min′ = min(min, m), max′ …
///                     (k = the cells filled; exact)
/// min-max family:     the normaliser's own fit on [min′, max′]
/// z-score:            mean = round(Σx′) / n′,  sd² = round(n′·Σx²′ − (Σx′)²) / (n′ (n′ − 1))
/// ```
///
/// Counts, minima and maxima merge exactly, the sums are exact and rounded once, so
/// `merge` is associative and commutative and the finished fit is IDENTICAL for every
/// partitioning and merge order; it equals [`Pipeline::fit`] (naive sums) to ~1e-15
/// relative.
///
/// Supported: `denominate` and `screen` before the first data-dependent step; `impute`
/// with `none`, `mean`, `group_mean`; `treat` (COINr's skew / kurtosis winsorisation and
/// log fallback); every scale-based normaliser; the weighted means and the minimum; fixed
/// and equal-interval grading thresholds; data-driven weights ([`FitOptions::weights`]:
/// entropy, CRITIC, CV, SD, PCA, equal). Refused with an error saying that they need
/// [`Pipeline::fit`] on the whole data: median imputation, rank-based normalisers, the
/// whole-matrix aggregations and quantile grading thresholds.
///
/// # Passes
///
/// Some choices need statistics of data that only exist once an earlier choice is made,
/// so they take further passes over the data. The first pass fits the steps up to the
/// first `treat`. `treat` takes a pass of its own — the first one when nothing
/// data-dependent comes before it — (exact power sums Σx..Σx⁴ and the
/// `max_points + 1` largest and smallest distinct values: `fit/step_pass.rs`), and every
/// normaliser after it one more (it reads treated values). Data-driven weights take one
/// pass per framework level with sibling groups — a level's weights are read from the
/// scores of the level below, computed with the weights just found — and two for
/// entropy's min-max inputs (each column's range first; formulas in `fit/passes.rs`).
/// Equal-interval grading takes a last pass (the graded node's range under the finished
/// fit). [`PartialFit::passes_left`] counts the passes after the current one;
/// [`PartialFit::advance`] decides the current pass from the merged statistics of all the
/// data and returns the next pass's empty partial fit, updated with every batch again and
/// merged as before; [`PartialFit::finish`] refuses while a pass is left. A pipeline without
/// `treat`, data-driven weights or equal-interval grading takes exactly one pass.
///
/// ```
/// use zhili_core::{fit::{FitOptions, PartialFit}, ndarray::array, Dataset, Framework, Pipeline};
/// use zhili_core::weight::WeightMethod;
/// let fw = Framework::from_toml_str(
///     "version = 1\n[[nodes]]\nid = \"I\"\n[[nodes]]\nid = \"a\"\nparent = \"I\"\n\
///      [[nodes]]\nid = \"b\"\nparent = \"I\"\n",
/// )?;
/// let data = Dataset::new(
///     (0..4).map(|i| format!("u{i}")).collect(),
///     vec!["a".into(), "b".into()],
///     array![[1.0, 10.0], [2.0, 10.0], [3.0, 10.0], [4.0, 14.0]],
/// )?;
/// let batches = [data.select_rows(&[0, 1]), data.select_rows(&[2, 3])];
/// let opts = FitOptions { weights: Some(WeightMethod::named("critic").unwrap()), ..FitOptions::default() };
/// let mut pass = PartialFit::new(&fw, &Pipeline::default(), &opts)?;
/// let fitted = loop {
///     let mut merged = pass.clone();
///     for b in &batches {
///         let mut part = pass.clone(); // on a worker
///         part.update(b)?;
///         merged.merge(&part)?;
///     }
///     if merged.passes_left()? == 0 {
///         break merged.finish()?;
///     }
///     pass = merged.advance()?;
/// };
/// let whole = Pipeline::default().fit_with(&fw, &data, &opts)?;
/// let (w, v) = (&fitted.weights.unwrap().values, &whole.weights.unwrap().values);
/// assert!((w["a"] - v["a"]).abs() < 1e-12);
/// # Ok::<(), zhili_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialFit {
    version: u32,
    framework: FrameworkSpec,
    pipeline: Pipeline,
    #[serde(default)]
    options: FitOptions,
    /// Units seen.
    units: u64,
    /// Units dropped by `screen`.
    #[serde(default)]
    screened_out: Vec<String>,
    /// Per indicator, all rows.
    columns: Vec<Moments>,
    /// Per group label, per indicator (group imputation).
    #[serde(default)]
    groups: BTreeMap<String, Vec<Moments>>,
    /// A later pass (a step after `treat`, or data-driven weights one level at a time), with
    /// the fit decided by the passes before; absent in the first pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pass: Option<Box<Pass>>,
}

/// Where the statistics are taken: the index of the first data-dependent step.
fn stats_point(p: &Pipeline) -> usize {
    p.steps
        .iter()
        .position(|s| !matches!(s, Step::Denominate(_) | Step::Screen(_)))
        .unwrap_or(p.steps.len())
}

fn needs_whole(what: &str, why: &str) -> Error {
    Error::Method {
        method: what.into(),
        message: format!("{why}: it needs `fit` on the whole data, not a partial fit over row batches"),
        unit: None,
        node: None,
    }
}

impl PartialFit {
    /// An empty partial fit of `pipeline` on `fw`, with fit options (weights, grading).
    ///
    /// # Errors
    /// [`Error::Method`] naming a step or option that needs the whole data (see the type's
    /// docs); [`Pipeline::fit`]'s refusals; [`Error::Spec`] for an invalid pipeline.
    pub fn new(fw: &Framework, pipeline: &Pipeline, options: &FitOptions) -> Result<Self> {
        pipeline.check()?;
        refuse_unfreezable(pipeline, fw)?;
        let at = stats_point(pipeline);
        for (k, step) in pipeline.steps.iter().enumerate() {
            match step {
                Step::Denominate(_) | Step::Screen(_) if k > at => {
                    return Err(needs_whole(
                        step.type_name(),
                        "after imputation or normalisation it would read values a partial fit cannot know per batch",
                    ))
                }
                Step::Impute(i) if matches!(i.method, ImputeMethod::Median | ImputeMethod::GroupMedian) => {
                    return Err(needs_whole("impute (median)", "a median needs the whole ordered column"))
                }
                Step::Impute(_) if k != at => return Err(needs_whole("impute", "imputation after another data-dependent step")),
                Step::Treat(t) => t.check_against(fw)?,
                Step::TreatFitted(_) => return Err(needs_whole("treat_fitted", "the pipeline is already fitted")),
                Step::ImputeFitted(_) => return Err(needs_whole("impute_fitted", "the pipeline is already fitted")),
                _ => {}
            }
        }
        if options.weights.is_some() {
            // an unknown stage is refused before any data is read
            weight_stage(pipeline, options.weight_stage.as_deref())?;
        }
        if let Some(g) = &options.grading {
            if matches!(g.grading.breaks, Breaks::Quantiles { .. }) {
                return Err(needs_whole(
                    "grading (quantiles)",
                    "quantile thresholds need the ordered final scores",
                ));
            }
            fw.node(&g.node)?;
        }
        // A `treat` before any other data-dependent step: its own pass is the first.
        let pass = match pipeline.steps.get(at) {
            Some(Step::Treat(_)) => {
                let nothing_fitted = FittedPipeline {
                    version: FITTED_VERSION,
                    framework: fw.spec().clone(),
                    pipeline: pipeline.clone(),
                    weights: None,
                    grading: fixed_grading(options),
                    fitted_on: FitReport::default(),
                };
                Some(Box::new(Pass::Step(StepPass::new(nothing_fitted, at)?)))
            }
            _ => None,
        };
        Ok(PartialFit {
            version: FITTED_VERSION,
            framework: fw.spec().clone(),
            pipeline: pipeline.clone(),
            options: options.clone(),
            units: 0,
            screened_out: Vec::new(),
            columns: if pass.is_some() {
                Vec::new()
            } else {
                vec![Moments::default(); fw.indicators().len()]
            },
            groups: BTreeMap::new(),
            pass,
        })
    }

    /// How many more passes over the data the fit needs after this one: each is
    /// [`PartialFit::advance`] then every batch [`update`](PartialFit::update)d again. 0 for
    /// a pipeline without `treat` and without data-driven weights. `treat` takes one pass of
    /// its own, and every normaliser after it one more; data-driven weights one per level
    /// of the framework with more than one child somewhere (two for entropy's min-max
    /// inputs: the range, then the sums), none for equal weights.
    ///
    /// # Errors
    /// [`Error::Framework`] if the stored framework is invalid (a hand-edited state).
    pub fn passes_left(&self) -> Result<usize> {
        let weights = || -> Result<usize> {
            Ok(match &self.options.weights {
                Some(m) => passes::passes_needed(&Framework::from_spec(self.framework.clone())?, m),
                None => 0,
            })
        };
        let grading = usize::from(grading_pass::needs_pass(self.options.grading.as_ref()));
        match self.pass.as_deref() {
            Some(Pass::Grading(_)) => Ok(0),
            Some(Pass::Weights(p)) => Ok(p.passes_left()? + grading),
            Some(Pass::Step(p)) => Ok(unfitted(&p.fitted().pipeline.steps, p.at() + 1).count() + weights()? + grading),
            None => {
                let steps = &self.pipeline.steps;
                let treat = steps.iter().position(|s| matches!(s, Step::Treat(_))).unwrap_or(steps.len());
                Ok(unfitted(steps, treat).count() + weights()? + grading)
            }
        }
    }

    /// Decide this pass from the merged statistics of ALL the data and return the empty
    /// partial fit of the next pass, to be [`update`](PartialFit::update)d with every batch
    /// again and merged as before (it carries what was decided, and serialises the same way).
    ///
    /// # Errors
    /// [`Error::Spec`] if no pass is left (call [`PartialFit::finish`]); [`PartialFit::finish`]'s
    /// errors for the steps; the weighting method's errors naming the aggregate whose
    /// children were weighted (every child constant, too few units, a zero mean under CV).
    pub fn advance(&self) -> Result<PartialFit> {
        if self.passes_left()? == 0 {
            return Err(Error::spec("partial fit", "no pass is left: call `finish`"));
        }
        let Progress::Pass(next) = self.progress()? else {
            return Err(Error::spec("partial fit", "no pass is left: call `finish`"));
        };
        Ok(PartialFit {
            version: self.version,
            framework: self.framework.clone(),
            pipeline: self.pipeline.clone(),
            options: self.options.clone(),
            units: 0,
            screened_out: Vec::new(),
            columns: Vec::new(),
            groups: BTreeMap::new(),
            pass: Some(next),
        })
    }

    /// Decide the current pass: the next pass, or the finished fit.
    fn progress(&self) -> Result<Progress> {
        match self.pass.as_deref() {
            None => self.after(self.finish_steps()?, 0),
            Some(Pass::Step(p)) => self.after(p.decide()?, p.at() + 1),
            Some(Pass::Weights(p)) => match p.decide()? {
                Next::Pass(p) => Ok(Progress::Pass(Box::new(Pass::Weights(*p)))),
                Next::Done(f) => Ok(self.last(*f)),
            },
            Some(Pass::Grading(p)) => Ok(Progress::Done(Box::new(p.decide()?))),
        }
    }

    /// What follows the fit of the steps and weights: the grading's pass, or the end.
    fn last(&self, fitted: FittedPipeline) -> Progress {
        match &self.options.grading {
            Some(g) if grading_pass::needs_pass(Some(g)) => Progress::Pass(Box::new(Pass::Grading(GradingPass::new(fitted, g.clone())))),
            _ => Progress::Done(Box::new(fitted)),
        }
    }

    /// What follows a fit whose steps before `from` are frozen: a pass for the next
    /// data-dependent step, else the weights' first pass, else the finished fit.
    fn after(&self, fitted: FittedPipeline, from: usize) -> Result<Progress> {
        let next = unfitted(&fitted.pipeline.steps, from).next();
        if let Some(k) = next {
            return Ok(Progress::Pass(Box::new(Pass::Step(StepPass::new(fitted, k)?))));
        }
        let Some(m) = &self.options.weights else {
            return Ok(self.last(fitted));
        };
        let stage = weight_stage(&self.pipeline, self.options.weight_stage.as_deref())?;
        Ok(match WeightPass::start(fitted, m, stage)? {
            (_, Some(p)) => Progress::Pass(Box::new(Pass::Weights(p))),
            (f, None) => self.last(f),
        })
    }

    fn group_column(&self) -> Option<&str> {
        self.pipeline.steps.iter().find_map(|s| match s {
            Step::Impute(i) if i.method == ImputeMethod::GroupMean => i.group.as_deref(),
            _ => None,
        })
    }

    /// Add a batch of rows.
    ///
    /// # Errors
    /// [`Pipeline::run`]'s errors for the row-wise steps (missing column, ...);
    /// [`Error::MissingColumn`] for the group column; [`Error::Method`] naming unit and
    /// indicator for an infinite value.
    pub fn update(&mut self, batch: &Dataset) -> Result<()> {
        if batch.n_units() == 0 {
            // an empty partition adds nothing
            return Ok(());
        }
        match self.pass.as_deref_mut() {
            Some(Pass::Weights(p)) => return p.update(batch),
            Some(Pass::Step(p)) => return p.update(batch),
            Some(Pass::Grading(p)) => return p.update(batch),
            None => {}
        }
        let fw = Framework::from_spec(self.framework.clone())?;
        let mut stage = StageData {
            units: (0..batch.n_units()).collect(),
            values: batch.aligned_values(&fw)?,
        };
        for step in &self.pipeline.steps[..stats_point(&self.pipeline)] {
            let input = StepInput {
                framework: &fw,
                dataset: batch,
                data: &stage,
            };
            stage = match step.prepare(&input) {
                Ok((out, _)) => out.data,
                // A batch may lose every unit to `screen`; the whole data need not.
                Err(Error::Empty(_)) if matches!(step, Step::Screen(_)) => StageData {
                    units: Vec::new(),
                    values: crate::kernels::alloc::zeros_f(0, stage.values.ncols())?,
                },
                Err(e) => return Err(e),
            };
            if stage.units.is_empty() {
                break;
            }
        }
        let labels = match self.group_column() {
            None => None,
            Some(g) => Some(batch.groups().get(g).ok_or_else(|| Error::MissingColumn {
                column: g.to_owned(),
                needed_by: "step `impute` (method `group_mean`)".into(),
            })?),
        };
        let m = fw.indicators().len();
        for (j, col) in stage.values.columns().into_iter().enumerate() {
            if let Some(k) = col.iter().position(|x| x.is_infinite()) {
                return Err(Error::Method {
                    method: "partial fit".into(),
                    message: format!("infinite value {} (treat or remove it before fitting)", col[k]),
                    unit: Some(batch.unit_ids()[stage.units[k]].clone()),
                    node: Some(fw.nodes()[fw.indicators()[j]].id.clone()),
                });
            }
            self.columns[j].add_column(col.iter().copied());
            if labels.is_none() {
                continue;
            }
            for (k, &x) in col.iter().enumerate() {
                let row = stage.units[k];
                if let Some(label) = labels.and_then(|l| l.get(row)).and_then(|l| l.as_deref()) {
                    let g = self.groups.entry(label.to_owned()).or_insert_with(|| vec![Moments::default(); m]);
                    g[j].add(x);
                }
            }
        }
        self.units += batch.n_units() as u64;
        let kept: std::collections::HashSet<usize> = stage.units.iter().copied().collect();
        self.screened_out.extend(
            (0..batch.n_units())
                .filter(|r| !kept.contains(r))
                .map(|r| batch.unit_ids()[r].clone()),
        );
        Ok(())
    }

    /// Merge another partial fit of the same framework and pipeline (associative and
    /// commutative: the finished fit does not depend on how the rows were split or merged).
    ///
    /// # Errors
    /// [`Error::Spec`] if the other fit is of another framework, pipeline or options.
    pub fn merge(&mut self, other: &PartialFit) -> Result<()> {
        if self.framework != other.framework || self.pipeline != other.pipeline || self.options != other.options {
            return Err(Error::spec(
                "partial fit",
                "cannot merge partial fits of different frameworks, pipelines or options",
            ));
        }
        match (self.pass.as_deref_mut(), other.pass.as_deref()) {
            (None, None) => {}
            (Some(Pass::Weights(a)), Some(Pass::Weights(b))) if a.same_pass(b) => {
                a.merge(b);
                return Ok(());
            }
            (Some(Pass::Step(a)), Some(Pass::Step(b))) if a.same_pass(b) => {
                a.merge(b);
                return Ok(());
            }
            (Some(Pass::Grading(a)), Some(Pass::Grading(b))) if a.same_pass(b) => {
                a.merge(b);
                return Ok(());
            }
            _ => return Err(Error::spec(
                "partial fit",
                "cannot merge partial fits of different passes (every batch of a pass must be added to the partial fit `advance` returned)",
            )),
        }
        self.units += other.units;
        self.screened_out.extend(other.screened_out.iter().cloned());
        for (a, b) in self.columns.iter_mut().zip(&other.columns) {
            a.merge(b);
        }
        for (label, cols) in &other.groups {
            let mine = self
                .groups
                .entry(label.clone())
                .or_insert_with(|| vec![Moments::default(); cols.len()]);
            for (a, b) in mine.iter_mut().zip(cols) {
                a.merge(b);
            }
        }
        Ok(())
    }

    /// The fitted pipeline.
    ///
    /// # Errors
    /// [`Error::Empty`] if no unit was seen; the normaliser's errors (missing goalposts or
    /// target, naming the indicator).
    pub fn finish(&self) -> Result<FittedPipeline> {
        let left = self.passes_left()?;
        if left > 0 {
            return Err(Error::spec(
                "partial fit",
                format!(
                    "{left} more pass(es) over the data are needed (`treat` and the steps after it, \
                     data-driven weights level by level): call `advance()` and add every batch again"
                ),
            ));
        }
        match self.progress()? {
            Progress::Done(f) => Ok(*f),
            Progress::Pass(_) => Err(Error::spec("partial fit", "a pass is left: call `advance()`")),
        }
    }

    /// The steps fitted from the first pass's statistics: those before the first `treat`
    /// (the others are fitted by the passes after it).
    fn finish_steps(&self) -> Result<FittedPipeline> {
        if self.units == 0 {
            return Err(Error::Empty("partial fit: no rows were added".into()));
        }
        let fw = Framework::from_spec(self.framework.clone())?;
        let ids = fw.indicator_ids();
        let mut cols = self.columns.clone();
        let mut steps = Vec::with_capacity(self.pipeline.steps.len());
        let mut treated = false;
        for step in &self.pipeline.steps {
            treated |= matches!(step, Step::Treat(_));
            steps.push(match step {
                _ if treated => step.clone(),
                Step::Impute(i) => Step::ImputeFitted(self.impute(i.method, i.group.clone(), &ids, &mut cols)),
                Step::Normalise(n) if !matches!(n, Normaliser::Fitted(_)) => fitted_normaliser(&fw, n, &cols)?,
                other => other.clone(),
            });
        }
        let mut screened_out = self.screened_out.clone();
        screened_out.sort_unstable();
        let grading = fixed_grading(&self.options);
        Ok(FittedPipeline {
            version: FITTED_VERSION,
            framework: self.framework.clone(),
            pipeline: Pipeline {
                version: self.pipeline.version,
                ties: self.pipeline.ties,
                steps,
            },
            weights: None,
            grading,
            fitted_on: FitReport {
                units: usize::try_from(self.units).unwrap_or(usize::MAX),
                screened_out,
            },
        })
    }

    /// The imputation values, and the column statistics after imputation (in `cols`).
    fn impute(&self, method: ImputeMethod, group: Option<String>, ids: &[&str], cols: &mut [Moments]) -> ImputeFitted {
        let mut out = ImputeFitted::new(method, group);
        match method {
            ImputeMethod::Mean => {
                for (c, id) in cols.iter_mut().zip(ids) {
                    let m = c.mean();
                    out.set(None, id, m);
                    if !m.is_nan() {
                        c.fill(c.missing, m);
                    }
                }
            }
            ImputeMethod::GroupMean => {
                for (label, gcols) in &self.groups {
                    for ((g, c), id) in gcols.iter().zip(cols.iter_mut()).zip(ids) {
                        let m = g.mean();
                        out.set(Some(label), id, m);
                        if !m.is_nan() {
                            c.fill(g.missing, m);
                        }
                    }
                }
            }
            _ => {}
        }
        out
    }
}

/// Fixed grading thresholds as they are (equal intervals are fitted by the last pass).
fn fixed_grading(options: &FitOptions) -> Option<super::FittedGrading> {
    options
        .grading
        .as_ref()
        .filter(|g| !grading_pass::needs_pass(Some(g)))
        .map(|g| super::FittedGrading {
            node: g.node.clone(),
            asked: g.grading.clone(),
            grading: g.grading.clone(),
        })
}

/// A normaliser fitted from its input columns' statistics.
///
/// # Errors
/// As [`normaliser_params`].
pub(super) fn fitted_normaliser(fw: &Framework, n: &Normaliser, cols: &[Moments]) -> Result<Step> {
    let mut columns = Vec::with_capacity(cols.len());
    for (j, c) in cols.iter().enumerate() {
        let node = &fw.nodes()[fw.indicators()[j]];
        columns.push(FittedColumn {
            indicator: node.id.clone(),
            direction: node.direction,
            params: normaliser_params(n, c, node)?,
        });
    }
    Ok(Step::Normalise(Normaliser::Fitted(Box::new(FittedNormaliser {
        normaliser: n.clone(),
        columns,
    }))))
}

/// The normaliser's parameters from a column's statistics: the method's own fit on
/// `[min, max]` for the scale-based methods (their fit reads nothing else), the exact
/// moments for z-scores.
fn normaliser_params(n: &Normaliser, c: &Moments, node: &crate::Node) -> Result<Params> {
    match n {
        Normaliser::Zscore(z) => Ok(match c.mean_sd(z.population) {
            None => Params::Missing,
            Some((mean, sd)) => Params::Moments {
                mean: mean * node.direction.sign(),
                sd,
            },
        }),
        Normaliser::Rank(_) | Normaliser::Percentile(_) | Normaliser::Borda(_) | Normaliser::Fitted(_) => {
            Err(needs_whole(n.name(), "a rank-based normaliser"))
        }
        _ => {
            let ends: Vec<f64> = c.min.into_iter().chain(c.max).collect();
            n.method().fit_column(&ends, node)
        }
    }
}
