//! The passes of a [`PartialFit`](super::PartialFit) after the first: data-driven weights,
//! one level of the framework at a time.
//!
//! A data-driven method weights the children of an aggregate from the children's columns
//! at the weight stage — indicator values, or the scores of child aggregates computed with
//! the weights already found below ([`group_weights`](crate::weight::group_weights)). So a
//! level's statistics can only be read once the levels below are decided: one pass per
//! level (COINr's `level` of the aggregates, 2 = parents of indicators, upward), and for
//! the min-max inputs of entropy a range pass first (its `r_ij` need the column's min and
//! max). Every statistic is a count, a minimum, a maximum or an exact sum, merged in any
//! order; the weights are then computed by the method's own code from them:
//!
//! ```text
//! per child column j:   n, Σx, Σx², min, max                         (every method)
//! per sibling pair:     Σ x_j x_k                                      (CRITIC, PCA)
//! entropy:              T_j = Σ r_ij,  S_j = Σ r_ij ln r_ij             (r from the range pass)
//!
//! sd_j  = √(round(n Σx² − (Σx)²) / (n (n − 1)))                        sample sd (CV, SD, CRITIC)
//! ρ_jk  = round(n Σx_j x_k − Σx_j Σx_k) / √(round(n Σx_j² − (Σx_j)²) · round(n Σx_k² − (Σx_k)²))
//! min-max values r = (x − min)/(max − min) (cost: (max − x)/(max − min)) are affine in x:
//!   sd(r_j) = sd_j / (max_j − min_j),   ρ(r_j, r_k) = ±ρ_jk (− when exactly one is reversed)
//! CV:      v_j = sd_j / |x̄_j|                        SD:  s_j = sd(r_j)
//! CRITIC:  C_j = sd(r_j) Σ_k (1 − ρ(r_j, r_k))        PCA: eigen-decomposition of (ρ_jk)
//! entropy: e_j = −(S_j / T_j − ln T_j) / ln n
//! ```
//!
//! Each rounded quantity is the exact value rounded once, so the fit is identical for every
//! partitioning; it equals the whole-data fit (plain sums) to rounding.

use std::collections::BTreeMap;

use ndarray::{Array2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use super::document::{FittedPipeline, FittedWeights};
use super::moments::Moments;
use super::ExactSum;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::{Direction, Framework};
use crate::kernels::exact::FixedSum;
use crate::pipeline::{Pipeline, StageData, Step, StepInput};
use crate::weight::{self, Criteria, WeightMethod, WeightResult};

/// Statistics of one sibling group's columns over the rows of a pass.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupStats {
    /// Per child: count, Σx, Σx², min, max.
    cols: Vec<Moments>,
    /// Σ x_j x_k for j < k, pairs in row-major order (CRITIC, PCA).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cross: Vec<ExactSum>,
    /// Per child: Σ r and Σ r ln r of entropy's input (empty in a range pass).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    entropy: Vec<[ExactSum; 2]>,
}

/// One pass over the data for the weights of one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WeightPass {
    /// The fit so far: every step frozen; `weights` holds the levels decided so far.
    fitted: FittedPipeline,
    /// The level (COINr's: 2 = parents of indicators) whose sibling groups this pass weights.
    level: usize,
    /// Entropy with a min-max input: the children's (min, max) per aggregate, from the range
    /// pass before this one (empty: this is the range pass).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    ranges: BTreeMap<String, Vec<[f64; 2]>>,
    /// Rows seen in this pass.
    rows: u64,
    /// Per aggregate id of this level with more than one child.
    groups: BTreeMap<String, GroupStats>,
}

/// The stage the weights read: `raw`, else the first step producing it.
fn stage_index(p: &Pipeline, name: &str) -> Option<usize> {
    if name == "raw" {
        return Some(0);
    }
    p.steps
        .iter()
        .position(|s| !matches!(s, Step::Aggregate(_)) && s.stage_name() == name)
        .map(|k| k + 1)
}

/// The weight stage a fit uses: as asked, else `imputed` if the pipeline imputes, else `raw`.
pub(super) fn weight_stage(p: &Pipeline, asked: Option<&str>) -> Result<String> {
    let name = asked.unwrap_or(if stage_index(p, "imputed").is_some() { "imputed" } else { "raw" });
    if stage_index(p, name).is_none() {
        let mut names = vec!["raw"];
        names.extend(p.steps.iter().filter(|s| !matches!(s, Step::Aggregate(_))).map(Step::stage_name));
        return Err(Error::Unknown {
            what: "stage",
            id: name.to_owned(),
            context: format!("for the fitted weights; this pipeline has: {}", names.join(", ")),
        });
    }
    Ok(name.to_owned())
}

/// Whether entropy's input needs a range pass before its sums.
fn needs_range(m: &WeightMethod) -> bool {
    matches!(m, WeightMethod::Entropy(o) if o.needs_range())
}

/// The levels whose weights need data, lowest first (none for equal weights).
fn data_levels(fw: &Framework, m: &WeightMethod) -> Vec<usize> {
    if matches!(m, WeightMethod::Equal) {
        return Vec::new();
    }
    let mut levels: Vec<usize> = fw
        .aggregates_bottom_up()
        .iter()
        .map(|&a| &fw.nodes()[a])
        .filter(|n| n.children.len() > 1)
        .map(|n| n.level)
        .collect();
    levels.sort_unstable();
    levels.dedup();
    levels
}

/// Passes after the first that data-driven `weights` need.
pub(super) fn passes_needed(fw: &Framework, m: &WeightMethod) -> usize {
    data_levels(fw, m).len() * if needs_range(m) { 2 } else { 1 }
}

impl WeightPass {
    /// The first weight pass after the steps are fitted, or `None` if no level needs data
    /// (the weights are then complete in the returned fit).
    pub(super) fn start(mut fitted: FittedPipeline, method: &WeightMethod, stage: String) -> Result<(FittedPipeline, Option<Self>)> {
        let fw = Framework::from_spec(fitted.framework.clone())?;
        let mut values = BTreeMap::new();
        for &a in fw.aggregates_bottom_up() {
            let node = &fw.nodes()[a];
            if node.children.len() == 1 || matches!(method, WeightMethod::Equal) {
                let w = match node.children.len() {
                    1 => vec![1.0],
                    _ => weight::equal(&weight::group_criteria(&fw, a)?)?.weights,
                };
                for (&c, w) in node.children.iter().zip(w) {
                    values.insert(fw.nodes()[c].id.clone(), w);
                }
            }
        }
        fitted.weights = Some(FittedWeights {
            method: method.clone(),
            stage,
            values,
        });
        Ok(match data_levels(&fw, method).first() {
            None => (fitted, None),
            Some(&level) => (fitted.clone(), Some(WeightPass::empty(fitted, level, BTreeMap::new()))),
        })
    }

    fn empty(fitted: FittedPipeline, level: usize, ranges: BTreeMap<String, Vec<[f64; 2]>>) -> Self {
        WeightPass {
            fitted,
            level,
            ranges,
            rows: 0,
            groups: BTreeMap::new(),
        }
    }

    fn method(&self) -> &WeightMethod {
        // `start` always sets the weights.
        static EQUAL: WeightMethod = WeightMethod::Equal;
        self.fitted.weights.as_ref().map_or(&EQUAL, |w| &w.method)
    }

    fn is_range_pass(&self) -> bool {
        needs_range(self.method()) && self.ranges.is_empty()
    }

    /// Passes still needed after this one.
    pub(super) fn passes_left(&self) -> Result<usize> {
        let fw = Framework::from_spec(self.fitted.framework.clone())?;
        let m = self.method();
        let above = data_levels(&fw, m).into_iter().filter(|&l| l > self.level).count();
        Ok(above * if needs_range(m) { 2 } else { 1 } + usize::from(self.is_range_pass()))
    }

    /// Whether `other` is a pass of the same fit and level (its statistics can be merged).
    pub(super) fn same_pass(&self, other: &WeightPass) -> bool {
        self.fitted == other.fitted && self.level == other.level && self.ranges == other.ranges
    }

    /// Add a batch: the fitted steps up to the weight stage, the scores of the levels below,
    /// then this level's statistics.
    ///
    /// # Errors
    /// The steps' and aggregation's errors; [`Error::Method`] naming unit and criterion for a
    /// missing or non-finite value (as the method on the whole data), or a negative value
    /// under entropy's raw proportions.
    pub(super) fn update(&mut self, batch: &Dataset) -> Result<()> {
        let fw = Framework::from_spec(self.fitted.framework.clone())?;
        let Some(fw_weights) = self.fitted.weights.clone() else {
            return Ok(());
        };
        let stage = stage_data(&fw, &self.fitted.pipeline, batch, &fw_weights.stage)?;
        let n = stage.units.len();
        if n == 0 {
            return Ok(());
        }
        let Some(Step::Aggregate(aggregate)) = self.fitted.pipeline.steps.last() else {
            return Err(Error::spec("pipeline", "the last step must be `aggregate`"));
        };
        let nodes = fw.nodes();
        let units: Vec<&str> = stage.units.iter().map(|&r| batch.unit_ids()[r].as_str()).collect();
        let mut scores = Array2::<f64>::from_elem((n, nodes.len()).f(), f64::NAN);
        for (j, &node) in fw.indicators().iter().enumerate() {
            scores.column_mut(node).assign(&stage.values.column(j));
        }
        let method = fw_weights.method.clone();
        for &a in fw.aggregates_bottom_up() {
            let node = &nodes[a];
            let kids = &node.children;
            if node.level < self.level {
                // As `group_weights`: the score of a level below, with the weights found.
                let w = kids
                    .iter()
                    .map(|&c| {
                        fw_weights.values.get(&nodes[c].id).copied().ok_or_else(|| {
                            Error::spec(
                                "partial fit",
                                format!("no fitted weight for `{}` (a pass was skipped)", nodes[c].id),
                            )
                        })
                    })
                    .collect::<Result<Vec<f64>>>()?;
                weight::score_group(&fw, aggregate, a, &mut scores, &w, &units)?;
            } else if node.level == self.level && kids.len() > 1 {
                let crit = weight::group_criteria(&fw, a)?;
                let ranges = self.ranges.get(&node.id);
                let range_pass = self.is_range_pass();
                let g = self.groups.entry(node.id.clone()).or_default();
                add_group(g, &scores, kids, &crit, &method, ranges, range_pass, &units).map_err(|e| weight::in_group(e, &node.id))?;
            }
        }
        self.rows += n as u64;
        Ok(())
    }

    /// Merge another partial pass's statistics (same fit and level, checked by the caller).
    pub(super) fn merge(&mut self, other: &WeightPass) {
        self.rows += other.rows;
        for (id, o) in &other.groups {
            let g = self.groups.entry(id.clone()).or_default();
            if g.cols.is_empty() {
                *g = o.clone();
                continue;
            }
            if o.cols.is_empty() {
                continue;
            }
            g.cols.iter_mut().zip(&o.cols).for_each(|(a, b)| a.merge(b));
            g.cross.iter_mut().zip(&o.cross).for_each(|(a, b)| a.merge(b));
            for (a, b) in g.entropy.iter_mut().zip(&o.entropy) {
                a[0].merge(&b[0]);
                a[1].merge(&b[1]);
            }
        }
    }

    /// Decide this pass: the next pass (the same level's sums after a range pass, or the
    /// next level), or the complete fit.
    ///
    /// # Errors
    /// The method's errors (constant criteria only, too few units, a zero mean under CV),
    /// naming the aggregate whose children are weighted.
    pub(super) fn decide(&self) -> Result<Next> {
        let fw = Framework::from_spec(self.fitted.framework.clone())?;
        let method = self.method().clone();
        let groups = fw
            .aggregates_bottom_up()
            .iter()
            .map(|&a| (a, &fw.nodes()[a]))
            .filter(|(_, n)| n.level == self.level && n.children.len() > 1);
        if self.is_range_pass() {
            let mut ranges = BTreeMap::new();
            for (_, node) in groups {
                let g = self.groups.get(&node.id);
                let r = (0..node.children.len())
                    .map(|k| {
                        let c = g.and_then(|g| g.cols.get(k));
                        [c.and_then(|c| c.min).unwrap_or(f64::NAN), c.and_then(|c| c.max).unwrap_or(f64::NAN)]
                    })
                    .collect();
                ranges.insert(node.id.clone(), r);
            }
            return Ok(Next::Pass(Box::new(WeightPass::empty(self.fitted.clone(), self.level, ranges))));
        }
        let mut fitted = self.fitted.clone();
        let n = usize::try_from(self.rows).unwrap_or(usize::MAX);
        for (a, node) in groups {
            let crit = weight::group_criteria(&fw, a)?;
            let empty = GroupStats::default();
            let g = self.groups.get(&node.id).unwrap_or(&empty);
            let w = weights_from(&method, &crit, n, g, self.ranges.get(&node.id)).map_err(|e| weight::in_group(e, &node.id))?;
            if let Some(fwts) = fitted.weights.as_mut() {
                for (id, w) in w.criteria.into_iter().zip(w.weights) {
                    fwts.values.insert(id, w);
                }
            }
        }
        Ok(match data_levels(&fw, &method).into_iter().find(|&l| l > self.level) {
            None => Next::Done(Box::new(fitted)),
            Some(level) => Next::Pass(Box::new(WeightPass::empty(fitted, level, BTreeMap::new()))),
        })
    }
}

/// What follows a decided pass.
pub(super) enum Next {
    /// Another pass over the data.
    Pass(Box<WeightPass>),
    /// The finished fit.
    Done(Box<FittedPipeline>),
}

/// The batch at the weight stage: the fitted steps before it, row by row (a batch may lose
/// every unit to `screen`).
fn stage_data(fw: &Framework, p: &Pipeline, batch: &Dataset, stage: &str) -> Result<StageData> {
    let upto = stage_index(p, stage).ok_or_else(|| Error::Unknown {
        what: "stage",
        id: stage.to_owned(),
        context: "for the fitted weights".into(),
    })?;
    prefix_data(fw, &p.steps[..upto], batch)
}

/// The batch after `steps` (fitted or row-wise), row by row.
pub(super) fn prefix_data(fw: &Framework, steps: &[Step], batch: &Dataset) -> Result<StageData> {
    let mut data = StageData {
        units: (0..batch.n_units()).collect(),
        values: batch.aligned_values(fw)?,
    };
    for step in steps {
        let input = StepInput {
            framework: fw,
            dataset: batch,
            data: &data,
        };
        data = match step.prepare(&input) {
            Ok((out, _)) => out.data,
            Err(Error::Empty(_)) if matches!(step, Step::Screen(_)) => StageData {
                units: Vec::new(),
                values: crate::kernels::alloc::zeros_f(0, data.values.ncols())?,
            },
            Err(e) => return Err(e),
        };
        if data.units.is_empty() {
            break;
        }
    }
    Ok(data)
}

/// Exact `Σ a_i b_i` (TwoProduct terms into a fixed-point accumulator).
fn exact_dot(a: ndarray::ArrayView1<'_, f64>, b: ndarray::ArrayView1<'_, f64>) -> ExactSum {
    let mut acc = FixedSum::default();
    for (&x, &y) in a.iter().zip(b) {
        let p = x * y;
        acc.add(p);
        if p.is_finite() {
            acc.add(x.mul_add(y, -p));
        }
    }
    let mut out = ExactSum::new();
    acc.into_exact(&mut out);
    out
}

/// Exact `Σ f(x_i)`.
fn exact_sum(xs: impl Iterator<Item = f64>) -> ExactSum {
    let mut acc = FixedSum::default();
    xs.for_each(|x| acc.add(x));
    let mut out = ExactSum::new();
    acc.into_exact(&mut out);
    out
}

/// One batch's statistics of a sibling group, added to `g`.
#[allow(clippy::too_many_arguments)]
fn add_group(
    g: &mut GroupStats,
    scores: &Array2<f64>,
    kids: &[usize],
    crit: &Criteria,
    method: &WeightMethod,
    ranges: Option<&Vec<[f64; 2]>>,
    range_pass: bool,
    units: &[&str],
) -> Result<()> {
    let m = kids.len();
    for (k, &c) in kids.iter().enumerate() {
        let col = scores.column(c);
        if let Some(i) = col.iter().position(|v| !v.is_finite()) {
            return Err(Error::Method {
                method: method.name().into(),
                message: format!("value {} is missing or not finite (impute or screen before weighting)", col[i]),
                unit: Some(units[i].to_owned()),
                node: Some(crit.names[k].clone()),
            });
        }
    }
    if g.cols.is_empty() {
        g.cols = vec![Moments::default(); m];
    }
    for (k, &c) in kids.iter().enumerate() {
        g.cols[k].add_column(scores.column(c).iter().copied());
    }
    if range_pass {
        return Ok(());
    }
    match method {
        WeightMethod::Critic(_) | WeightMethod::Pca(_) => {
            if g.cross.is_empty() {
                g.cross = vec![ExactSum::new(); m * (m - 1) / 2];
            }
            let mut p = 0;
            for j in 0..m {
                for k in j + 1..m {
                    g.cross[p].merge(&exact_dot(scores.column(kids[j]), scores.column(kids[k])));
                    p += 1;
                }
            }
        }
        WeightMethod::Entropy(o) => {
            if g.entropy.is_empty() {
                g.entropy = vec![[ExactSum::new(), ExactSum::new()]; m];
            }
            for (k, &c) in kids.iter().enumerate() {
                let col = scores.column(c);
                let [lo, hi] = match ranges {
                    Some(r) => r[k],
                    // raw proportions need no range (any non-constant one; constant columns
                    // are found from the merged min / max when deciding)
                    None => [0.0, 1.0],
                };
                if !o.needs_range() {
                    if let Some(i) = col.iter().position(|&v| v < 0.0) {
                        return Err(weight::raw_negative(col[i], units[i].to_owned(), &crit.names[k]));
                    }
                }
                let Some(f) = o.value_fn(crit.directions[k], lo, hi) else {
                    continue;
                };
                let e = &mut g.entropy[k];
                e[0].merge(&exact_sum(col.iter().map(|&v| f(v))));
                e[1].merge(&exact_sum(col.iter().map(|&v| weight::r_ln_r(f(v)))));
            }
        }
        _ => {}
    }
    Ok(())
}

/// `n Σx² − (Σx)²` exactly, rounded once (n² × the population variance).
fn spread(c: &Moments) -> f64 {
    let n = c.count as f64;
    c.sumsq.scaled(n).minus(&c.sum.product(&c.sum)).round().max(0.0)
}

/// The correlation of two children from the exact sums.
fn correlation(g: &GroupStats, j: usize, k: usize) -> f64 {
    let (j, k) = if j < k { (j, k) } else { (k, j) };
    let m = g.cols.len();
    // index of (j, k) in the row-major upper triangle
    let p = j * (2 * m - j - 1) / 2 + (k - j - 1);
    let (a, b) = (&g.cols[j], &g.cols[k]);
    let n = a.count as f64;
    let cov = g.cross[p].scaled(n).minus(&a.sum.product(&b.sum)).round();
    cov / (spread(a).sqrt() * spread(b).sqrt())
}

/// The method's weights of one group from its merged statistics.
fn weights_from(method: &WeightMethod, crit: &Criteria, n: usize, g: &GroupStats, ranges: Option<&Vec<[f64; 2]>>) -> Result<WeightResult> {
    let name = method.name();
    let m = crit.len();
    if g.cols.len() != m {
        // no row reached this group
        weight::check_rows(name, 0, 2)?;
    }
    let range = |k: usize| (g.cols[k].min.unwrap_or(f64::NAN), g.cols[k].max.unwrap_or(f64::NAN));
    let constant = |k: usize| {
        let (lo, hi) = range(k);
        weight::is_constant(lo, hi)
    };
    let sd = |k: usize| g.cols[k].mean_sd(false).map_or(0.0, |(_, s)| s);
    // sd of the min-max values: sd(x) / (max − min)
    let sd_r = |k: usize| {
        let (lo, hi) = range(k);
        (!constant(k)).then(|| sd(k) / (hi - lo))
    };
    match method {
        WeightMethod::Equal => weight::equal(crit),
        WeightMethod::Entropy(o) => {
            o.check()?;
            let sums: Vec<Option<(f64, f64)>> = (0..m)
                .map(|k| {
                    let informative = match ranges {
                        Some(r) => !weight::is_constant(r[k][0], r[k][1]),
                        None => !constant(k),
                    };
                    informative.then(|| (g.entropy[k][0].round(), g.entropy[k][1].round()))
                })
                .collect();
            weight::entropy_from_sums(crit, n, &sums)
        }
        WeightMethod::CoefficientOfVariation => {
            weight::check_rows(name, n, 2)?;
            let stats: Vec<weight::CvStats> = (0..m)
                .map(|k| {
                    let (lo, hi) = range(k);
                    weight::CvStats {
                        lo,
                        hi,
                        mean: g.cols[k].mean(),
                        sd: sd(k),
                    }
                })
                .collect();
            weight::cv_from(crit, &stats)
        }
        WeightMethod::StandardDeviation => {
            weight::check_rows(name, n, 2)?;
            weight::sd_from(crit, &(0..m).map(sd_r).collect::<Vec<_>>())
        }
        WeightMethod::Critic(o) => {
            weight::check_rows(name, n, 2)?;
            let sign = |k: usize| {
                if o.reverse_cost && crit.directions[k] == Direction::Cost {
                    -1.0
                } else {
                    1.0
                }
            };
            let sds: Vec<Option<f64>> = (0..m).map(sd_r).collect();
            weight::critic_from(crit, &sds, &|j, k| sign(j) * sign(k) * correlation(g, j, k))
        }
        WeightMethod::Pca(o) => {
            weight::check_rows(name, n, 3)?;
            let live: Vec<usize> = (0..m).filter(|&k| !constant(k)).collect();
            let notes = (0..m)
                .filter(|&k| constant(k))
                .map(|k| weight::constant_note(&crit.names[k]))
                .collect();
            weight::pca_from_corr(crit, &live, &|a, b| correlation(g, live[a], live[b]), notes, o).map(|r| r.weights)
        }
    }
}
