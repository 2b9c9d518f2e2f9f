//! `PartialFit`: the fit of a pipeline from row batches, merged in any order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::document::{FitReport, FittedPipeline, FITTED_VERSION};
use super::fitting::refuse_unfreezable;
use super::grading_pass::{self, GradingPass};
use super::moments::{BatchMoments, Moments, Needs};
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
use super::{FitOptions, ImputeFitted};
use crate::analysis::Breaks;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::{Framework, FrameworkSpec};
use crate::normalise::{FittedColumn, FittedNormaliser, Normaliser, Params};
use crate::pipeline::{Pipeline, StageData, Step, StepInput};
use crate::prepare::ImputeMethod;

/// The fit of a pipeline accumulated over row batches ([`PartialFit::update`]) and merged
/// across workers ([`PartialFit::merge`]), finished into the [`FittedPipeline`] that
/// [`Pipeline::fit`] makes from the whole data.
///
/// Per indicator (and per imputation group) it keeps the count of present and missing
/// values, the minimum and the maximum, and as exact sums (`ExactSum`) the sums the pipeline reads:
/// `Σx` for mean imputation and z-scores, `Σx²` for z-scores (a min-max fit without
/// imputation only scans for the extremes). They are taken at the stage the first
/// data-dependent step reads (after `denominate` / `screen`, which work row by row and run
/// on each batch; without `screen` each column streams through them in one buffer, the
/// batch is never copied). Within a batch the sums go into a fixed-point accumulator
/// (`FixedSum`, a few nanoseconds a value), handed to the exact sum once per batch. From
/// them [`PartialFit::finish`] computes:
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

/// The distinct group labels of a batch's kept rows and each row's index among them
/// (`None`: no label). No labels, no groups.
fn group_rows(labels: Option<&Vec<Option<String>>>, units: &[usize]) -> (Vec<String>, Vec<Option<usize>>) {
    let Some(labels) = labels else {
        return (Vec::new(), Vec::new());
    };
    let mut names: Vec<String> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let rows = units
        .iter()
        .map(|&row| {
            let label = labels.get(row)?.as_deref()?;
            Some(*index.entry(label).or_insert_with(|| {
                names.push(label.to_owned());
                names.len() - 1
            }))
        })
        .collect();
    (names, rows)
}

fn needs_whole(what: &str, why: &str) -> Error {
    Error::Method {
        method: what.into(),
        message: format!("{why}: it needs `fit` on the whole data, not a partial fit over row batches"),
        unit: None,
        node: None,
    }
}

/// An empty entry (`m` indicators) for every group label not seen before.
fn add_groups(groups: &mut BTreeMap<String, Vec<Moments>>, m: usize, names: &[String]) {
    for name in names {
        if !groups.contains_key(name.as_str()) {
            groups.insert(name.clone(), vec![Moments::default(); m]);
        }
    }
}

/// One batch's rows on their way into a [`PartialFit`]: the kept rows, each row's group.
struct BatchStats<'a> {
    fw: &'a Framework,
    batch: &'a Dataset,
    needs: Needs,
    /// Dataset row of each stage row.
    units: Vec<usize>,
    /// Group labels of the kept rows, and each stage row's index among them.
    names: Vec<String>,
    row_group: Vec<Option<usize>>,
}

impl BatchStats<'_> {
    fn rows(&mut self, units: Vec<usize>, labels: Option<&Vec<Option<String>>>) {
        (self.names, self.row_group) = group_rows(labels, &units);
        self.units = units;
    }

    /// Indicator `j`'s values at the stage (one per kept row) into the statistics.
    fn add(&self, columns: &mut [Moments], groups: &mut BTreeMap<String, Vec<Moments>>, j: usize, col: &[f64]) -> Result<()> {
        if let Some(k) = col.iter().position(|x| x.is_infinite()) {
            return Err(Error::Method {
                method: "partial fit".into(),
                message: format!("infinite value {} (treat or remove it before fitting)", col[k]),
                unit: Some(self.batch.unit_ids()[self.units[k]].clone()),
                node: Some(self.fw.nodes()[self.fw.indicators()[j]].id.clone()),
            });
        }
        let mut all = BatchMoments::new(self.needs);
        all.add_all(col);
        all.into_moments(&mut columns[j]);
        if self.names.is_empty() {
            return Ok(());
        }
        let mut per_group: Vec<BatchMoments> = self.names.iter().map(|_| BatchMoments::new(self.needs)).collect();
        for (&x, g) in col.iter().zip(&self.row_group) {
            if let Some(g) = *g {
                per_group[g].add(x);
            }
        }
        for (b, name) in per_group.into_iter().zip(&self.names) {
            if let Some(g) = groups.get_mut(name.as_str()) {
                b.into_moments(&mut g[j]);
            }
        }
        Ok(())
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
    /// Without `screen`, each indicator column streams through the row-wise steps in one
    /// column buffer and straight into the statistics (no copy of the batch; a column the
    /// steps leave alone is read in place); `screen` needs whole rows, so with it the
    /// batch's stage is built as [`Pipeline::run`] builds it.
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
        let before = &self.pipeline.steps[..stats_point(&self.pipeline)];
        let labels = match self.group_column() {
            None => None,
            Some(g) => Some(batch.groups().get(g).ok_or_else(|| Error::MissingColumn {
                column: g.to_owned(),
                needed_by: "step `impute` (method `group_mean`)".into(),
            })?),
        };
        let mut acc = BatchStats {
            fw: &fw,
            batch,
            needs: Needs::of(&self.pipeline),
            units: Vec::new(),
            names: Vec::new(),
            row_group: Vec::new(),
        };
        if before.iter().any(|s| matches!(s, Step::Screen(_))) {
            let stage = self.screened(&fw, batch, before)?;
            acc.rows(stage.units.clone(), labels);
            add_groups(&mut self.groups, self.columns.len(), &acc.names);
            for (j, col) in stage.values.columns().into_iter().enumerate() {
                match col.as_slice() {
                    Some(xs) => acc.add(&mut self.columns, &mut self.groups, j, xs)?,
                    None => acc.add(&mut self.columns, &mut self.groups, j, &col.to_vec())?,
                }
            }
            let kept: std::collections::HashSet<usize> = stage.units.iter().copied().collect();
            self.screened_out.extend(
                (0..batch.n_units())
                    .filter(|r| !kept.contains(r))
                    .map(|r| batch.unit_ids()[r].clone()),
            );
        } else {
            let source = batch.columns_of(&fw)?;
            acc.rows((0..batch.n_units()).collect(), labels);
            add_groups(&mut self.groups, self.columns.len(), &acc.names);
            let stage = StageData {
                units: acc.units.clone(),
                values: ndarray::Array2::zeros((0, 0)),
            };
            let input = StepInput {
                framework: &fw,
                dataset: batch,
                data: &stage,
            };
            let mut kernels = Vec::with_capacity(before.len());
            for step in before {
                match step.stream(&input)? {
                    crate::stage::StreamKernel::Column(k) => kernels.push(k),
                    crate::stage::StreamKernel::Normalise(_) => {
                        return Err(Error::spec("partial fit", "a normaliser before the statistics"))
                    }
                }
            }
            let mut scratch = vec![0.0; if kernels.is_empty() { 0 } else { batch.n_units() }];
            let mut log = Vec::new();
            for (j, &src) in source.iter().enumerate() {
                let raw = batch.column(src);
                let Some((first, rest)) = kernels.split_first_mut() else {
                    acc.add(&mut self.columns, &mut self.groups, j, raw)?;
                    continue;
                };
                first.column_from(&input, j, raw, &mut scratch, &mut log)?;
                for k in rest {
                    k.column(&input, j, &mut scratch, &mut log)?;
                }
                log.clear();
                acc.add(&mut self.columns, &mut self.groups, j, &scratch)?;
            }
        }
        self.units += batch.n_units() as u64;
        Ok(())
    }

    /// The batch's stage after the row-wise steps, built whole (for `screen`; a batch may
    /// lose every unit to it, the whole data need not).
    fn screened(&self, fw: &Framework, batch: &Dataset, before: &[Step]) -> Result<StageData> {
        super::passes::prefix_data(fw, before, batch)
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
