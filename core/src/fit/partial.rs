//! `PartialFit`: the fit of a pipeline from row batches, merged in any order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::document::{FitReport, FittedPipeline, FITTED_VERSION};
use super::fitting::refuse_unfreezable;
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
struct Moments {
    /// Present values.
    count: u64,
    /// Missing values.
    missing: u64,
    /// Σx, exact.
    sum: ExactSum,
    /// Σx², exact.
    sumsq: ExactSum,
    /// Smallest and largest present value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
}

/// Which sums a pipeline's fit reads: `Σx` for a mean (imputation, z-score), `Σx²` for a
/// standard deviation (z-score). Counts, minima and maxima are always kept (they cost a
/// comparison); a sum nobody reads is not accumulated, so a min-max fit without imputation
/// only scans for the extremes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Needs {
    sum: bool,
    sumsq: bool,
}

impl Needs {
    fn of(p: &Pipeline) -> Needs {
        let mut n = Needs::default();
        for step in &p.steps {
            match step {
                Step::Impute(i) if matches!(i.method, ImputeMethod::Mean | ImputeMethod::GroupMean) => n.sum = true,
                Step::Normalise(Normaliser::Zscore(_)) => (n.sum, n.sumsq) = (true, true),
                _ => {}
            }
        }
        n
    }
}

/// One batch's statistics of one column (or one group's part of it): the sums in
/// [`FixedSum`]s (a few nanoseconds a value, no allocation), handed to a [`Moments`]'
/// exact sums once per batch.
struct BatchMoments {
    needs: Needs,
    sum: FixedSum,
    sumsq: FixedSum,
    lo: f64,
    hi: f64,
    count: u64,
    missing: u64,
}

impl BatchMoments {
    fn new(needs: Needs) -> Self {
        BatchMoments {
            needs,
            sum: FixedSum::default(),
            sumsq: FixedSum::default(),
            lo: f64::INFINITY,
            hi: f64::NEG_INFINITY,
            count: 0,
            missing: 0,
        }
    }

    #[inline]
    fn add(&mut self, x: f64) {
        if x.is_nan() {
            self.missing += 1;
            return;
        }
        self.count += 1;
        self.lo = self.lo.min(x);
        self.hi = self.hi.max(x);
        if self.needs.sum {
            self.sum.add(x);
        }
        if self.needs.sumsq {
            // x² exactly, as ExactSum::add_product (TwoProduct; an overflowing square alone)
            let p = x * x;
            self.sumsq.add(p);
            if p.is_finite() {
                self.sumsq.add(x.mul_add(x, -p));
            }
        }
    }

    /// Every value of a column; the count of the present ones and the extremes in a loop
    /// of their own when no sum is needed (it vectorises).
    fn add_all(&mut self, xs: &[f64]) {
        if self.needs.sum || self.needs.sumsq {
            xs.iter().for_each(|&x| self.add(x));
            return;
        }
        let (mut lo, mut hi, mut missing) = (self.lo, self.hi, 0u64);
        for &x in xs {
            // NaN loses both comparisons: min / max ignore it, as `add` does
            lo = lo.min(x);
            hi = hi.max(x);
            missing += u64::from(x.is_nan());
        }
        (self.lo, self.hi) = (lo, hi);
        self.missing += missing;
        self.count += xs.len() as u64 - missing;
    }

    fn into_moments(self, m: &mut Moments) {
        m.missing += self.missing;
        if self.count == 0 {
            return;
        }
        m.count += self.count;
        self.sum.into_exact(&mut m.sum);
        self.sumsq.into_exact(&mut m.sumsq);
        m.min = Some(m.min.map_or(self.lo, |v| v.min(self.lo)));
        m.max = Some(m.max.map_or(self.hi, |v| v.max(self.hi)));
    }
}

impl Moments {
    fn merge(&mut self, o: &Moments) {
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
    fn mean(&self) -> f64 {
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
    fn mean_sd(&self, population: bool) -> Option<(f64, f64)> {
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
/// values, the minimum and the maximum, and as [`ExactSum`]s the sums the pipeline reads:
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
/// with `none`, `mean`, `group_mean`; every scale-based normaliser; the weighted means and
/// the minimum; fixed grading thresholds. Refused with an error saying that they need
/// [`Pipeline::fit`] on the whole data: median imputation, `treat` (COINr's skew / kurtosis
/// winsorisation needs the ordered column), rank-based normalisers, the whole-matrix
/// aggregations, data-driven weights and data-driven grading thresholds.
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
                Step::Treat(_) | Step::TreatFitted(_) => {
                    return Err(needs_whole(
                        "treat",
                        "COINr's winsorisation checks skew and kurtosis and moves the extreme points one by one",
                    ))
                }
                Step::ImputeFitted(_) => return Err(needs_whole("impute_fitted", "the pipeline is already fitted")),
                _ => {}
            }
        }
        if options.weights.is_some() {
            return Err(needs_whole(
                "weights",
                "data-driven weights read the scores of every level (and entropy / CRITIC a min-max of them)",
            ));
        }
        if let Some(g) = &options.grading {
            if !matches!(g.grading.breaks, Breaks::Fixed { .. }) {
                return Err(needs_whole(
                    "grading",
                    "quantile and equal-interval thresholds need the final scores",
                ));
            }
        }
        Ok(PartialFit {
            version: FITTED_VERSION,
            framework: fw.spec().clone(),
            pipeline: pipeline.clone(),
            options: options.clone(),
            units: 0,
            screened_out: Vec::new(),
            columns: vec![Moments::default(); fw.indicators().len()],
            groups: BTreeMap::new(),
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
            if batch.n_units() == 0 {
                return Err(Error::Empty("the dataset has no units".into()));
            }
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

    /// The batch's stage after the row-wise steps, built whole (for `screen`).
    fn screened(&self, fw: &Framework, batch: &Dataset, before: &[Step]) -> Result<StageData> {
        let mut stage = StageData {
            units: (0..batch.n_units()).collect(),
            values: batch.aligned_values(fw)?,
        };
        for step in before {
            let input = StepInput {
                framework: fw,
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
        Ok(stage)
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
        if self.units == 0 {
            return Err(Error::Empty("partial fit: no rows were added".into()));
        }
        let fw = Framework::from_spec(self.framework.clone())?;
        let ids = fw.indicator_ids();
        let mut cols = self.columns.clone();
        let mut steps = Vec::with_capacity(self.pipeline.steps.len());
        for step in &self.pipeline.steps {
            steps.push(match step {
                Step::Impute(i) => Step::ImputeFitted(self.impute(i.method, i.group.clone(), &ids, &mut cols)),
                Step::Normalise(n) if !matches!(n, Normaliser::Fitted(_)) => {
                    let mut columns = Vec::with_capacity(cols.len());
                    for (j, c) in cols.iter().enumerate() {
                        let node = &fw.nodes()[fw.indicators()[j]];
                        columns.push(FittedColumn {
                            indicator: node.id.clone(),
                            direction: node.direction,
                            params: normaliser_params(n, c, node)?,
                        });
                    }
                    Step::Normalise(Normaliser::Fitted(Box::new(FittedNormaliser {
                        normaliser: n.clone(),
                        columns,
                    })))
                }
                other => other.clone(),
            });
        }
        let mut screened_out = self.screened_out.clone();
        screened_out.sort_unstable();
        let grading = self.options.grading.as_ref().map(|g| super::FittedGrading {
            node: g.node.clone(),
            asked: g.grading.clone(),
            grading: g.grading.clone(),
        });
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

#[cfg(test)]
mod sums_taken {
    #![allow(clippy::float_cmp)]
    use super::*;
    use crate::prepare::{Denominate, Impute};
    use crate::{Aggregate, Ties};

    fn pipeline(impute: ImputeMethod, norm: Normaliser) -> Pipeline {
        Pipeline {
            version: 1,
            ties: Ties::Min,
            steps: vec![
                Step::Denominate(Denominate { scale: 1.0 }),
                Step::Impute(Impute {
                    method: impute,
                    group: (impute == ImputeMethod::GroupMean).then(|| "g".to_string()),
                }),
                Step::Normalise(norm),
                Step::Aggregate(Aggregate::default()),
            ],
        }
    }

    #[test]
    fn only_the_sums_the_pipeline_reads() {
        let of = |i, n| Needs::of(&pipeline(i, n));
        let (none, sum, both) = (
            Needs::default(),
            Needs { sum: true, sumsq: false },
            Needs { sum: true, sumsq: true },
        );
        assert_eq!(of(ImputeMethod::None, Normaliser::minmax(0.0, 100.0)), none);
        assert_eq!(of(ImputeMethod::Mean, Normaliser::minmax(0.0, 100.0)), sum);
        assert_eq!(of(ImputeMethod::GroupMean, Normaliser::dist_to_max()), sum);
        assert_eq!(of(ImputeMethod::None, Normaliser::zscore(50.0, 10.0)), both);
    }

    /// The extremes-only loop counts and bounds as the summing one does (NaN = missing).
    #[test]
    fn extremes_only_scan_agrees_with_the_summing_one() {
        let xs = [f64::NAN, 3.5, -2.0, f64::NAN, 7.25, 0.0, -0.5];
        let (mut a, mut b) = (Moments::default(), Moments::default());
        let mut lean = BatchMoments::new(Needs::default());
        lean.add_all(&xs);
        lean.into_moments(&mut a);
        let mut full = BatchMoments::new(Needs { sum: true, sumsq: true });
        full.add_all(&xs);
        full.into_moments(&mut b);
        assert_eq!((a.count, a.missing, a.min, a.max), (5, 2, Some(-2.0), Some(7.25)));
        assert_eq!((a.count, a.missing, a.min, a.max), (b.count, b.missing, b.min, b.max));
        assert_eq!(
            (a.sum.round(), b.sum.round(), b.sumsq.round()),
            (0.0, 8.25, 12.25 + 4.0 + 52.5625 + 0.25)
        );
        // a batch of missing values only: counted, no bounds
        let mut c = Moments::default();
        let mut gaps = BatchMoments::new(Needs::default());
        gaps.add_all(&[f64::NAN; 3]);
        gaps.into_moments(&mut c);
        assert_eq!((c.count, c.missing, c.min, c.max), (0, 3, None, None));
    }
}
