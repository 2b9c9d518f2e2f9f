//! The passes of a [`PartialFit`](super::PartialFit) for the steps after `treat`: the
//! treatment itself, then a normaliser that reads treated values.
//!
//! COINr's treatment of a column (see [`Treat`]) needs, besides the count, only the exact
//! power sums `P_p = Σ x^p` (p = 1..4) and the `K = max_points + 1` largest and smallest
//! DISTINCT values with their counts: each winsorising step moves every point equal to the
//! current extreme to the next distinct value, at most `max_points` steps in all, so no step
//! reaches beyond the K-th distinct value from either end. A step changes the sums by
//! `c · (next^p − ext^p)`, exactly. The skew / kurtosis check reads the central sums
//!
//! ```text
//! n   S2 = round(n P2 − P1²)                              (S_p = Σ (x − x̄)^p)
//! n²  S3 = round(n² P3 − 3n P1 P2 + 2 P1³)
//! n³  S4 = round(n³ P4 − 4n² P1 P3 + 6n P1² P2 − 3 P1⁴)
//! ```
//!
//! (exact expansions, rounded once; `x^p` itself is summed exactly as TwoProduct terms, for
//! |x| within about 1e±75), and decides with the step's own formulas. Winsorising bounds are
//! data values and the log transform's minimum and maximum are the column's, so the fitted
//! rules are the whole-data fit's (identical unless a skew or kurtosis lies within rounding
//! of its threshold).

use serde::{Deserialize, Serialize};

use super::document::FittedPipeline;
use super::moments::Moments;
use super::partial::fitted_normaliser;
use super::passes::prefix_data;
use super::{ExactSum, TreatFitted, TreatRule};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::kernels::exact::FixedSum;
use crate::normalise::Normaliser;
use crate::pipeline::Step;
use crate::prepare::stats::{kurt_from, skew_from};
use crate::prepare::Treat;

/// The statistics of one column that decide its treatment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TreatStats {
    /// Present values.
    count: u64,
    /// `Σ x^p`, p = 1..4, exact.
    powers: [ExactSum; 4],
    /// The largest distinct values with their counts, descending (at most `max_points + 1`).
    top: Vec<(f64, u64)>,
    /// The smallest distinct values with their counts, ascending.
    bottom: Vec<(f64, u64)>,
}

/// `x^p` for p = 1..4 as exact sums of TwoProduct terms, added to `acc`.
fn add_powers(acc: &mut [FixedSum; 4], x: f64) {
    acc[0].add(x);
    let p2 = x * x;
    let e2 = x.mul_add(x, -p2);
    acc[1].add(p2);
    acc[1].add(e2);
    for (a, b) in [(x, p2), (x, e2)] {
        let p = a * b;
        acc[2].add(p);
        acc[2].add(a.mul_add(b, -p));
    }
    for (a, b) in [(p2, p2), (2.0 * p2, e2), (e2, e2)] {
        let p = a * b;
        acc[3].add(p);
        acc[3].add(a.mul_add(b, -p));
    }
}

/// `x^p`, p = 1..4, exact.
fn powers_of(x: f64) -> [ExactSum; 4] {
    let mut acc: [FixedSum; 4] = Default::default();
    add_powers(&mut acc, x);
    acc.map(|a| {
        let mut e = ExactSum::new();
        a.into_exact(&mut e);
        e
    })
}

/// Insert `(v, c)` into a list of distinct values ordered by `before`, keeping `k`.
fn insert(list: &mut Vec<(f64, u64)>, v: f64, c: u64, k: usize, before: impl Fn(f64, f64) -> bool) {
    match list.iter().position(|&(w, _)| w == v || before(v, w)) {
        Some(i) if list[i].0 == v => list[i].1 += c,
        Some(i) => list.insert(i, (v, c)),
        None => list.push((v, c)),
    }
    list.truncate(k);
}

impl TreatStats {
    /// Add a column's present values (NaN = missing, skipped).
    pub(super) fn add_column(&mut self, xs: impl Iterator<Item = f64>, k: usize) {
        let mut acc: [FixedSum; 4] = Default::default();
        for x in xs.filter(|x| !x.is_nan()) {
            self.count += 1;
            add_powers(&mut acc, x);
            if self.top.len() < k || self.top.last().is_some_and(|&(w, _)| x >= w) {
                insert(&mut self.top, x, 1, k, |a, b| a > b);
            }
            if self.bottom.len() < k || self.bottom.last().is_some_and(|&(w, _)| x <= w) {
                insert(&mut self.bottom, x, 1, k, |a, b| a < b);
            }
        }
        for (p, a) in self.powers.iter_mut().zip(acc) {
            a.into_exact(p);
        }
    }

    pub(super) fn merge(&mut self, o: &TreatStats, k: usize) {
        self.count += o.count;
        for (a, b) in self.powers.iter_mut().zip(&o.powers) {
            a.merge(b);
        }
        for &(v, c) in &o.top {
            insert(&mut self.top, v, c, k, |a, b| a > b);
        }
        for &(v, c) in &o.bottom {
            insert(&mut self.bottom, v, c, k, |a, b| a < b);
        }
    }

    /// The column's treatment as [`TreatFitted::fit`] writes it (`None`: left as it is).
    pub(super) fn rule(&self, treat: &Treat) -> Option<TreatRule> {
        let n = self.count;
        let check = |p: &[ExactSum; 4]| {
            let (s2, s3, s4) = central_sums(n, p);
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            treat.check_moments(skew_from(n, s2, s3), kurt_from(n, s2, s4))
        };
        let before = check(&self.powers)?;
        if before.pass {
            return None;
        }
        // The column's distinct values as far as the steps can reach, ascending.
        let mut values: Vec<(f64, u64)> = self.bottom.clone();
        for &(v, c) in self.top.iter().rev() {
            if values.last().is_none_or(|&(w, _)| v > w) {
                values.push((v, c));
            }
        }
        let (lo0, hi0) = (values.first()?.0, values.last()?.0);
        let mut p = self.powers.clone();
        let (mut high, mut low) = (0u64, 0u64);
        let mut state = before;
        while !state.pass && high + low < treat.max_points as u64 {
            if values.len() < 2 {
                break;
            }
            // every point at the extreme moves to the next distinct value
            let (ext, next, c) = if state.skew >= 0.0 {
                let (ext, c) = values.pop()?;
                let last = values.last_mut()?;
                last.1 += c;
                high = c;
                (ext, last.0, c)
            } else {
                let (ext, c) = values.remove(0);
                let first = values.first_mut()?;
                first.1 += c;
                low = c;
                (ext, first.0, c)
            };
            let (e, x) = (powers_of(ext), powers_of(next));
            let cf = c as f64;
            for ((s, e), x) in p.iter_mut().zip(&e).zip(&x) {
                *s = s.minus(&e.scaled(cf));
                s.merge(&x.scaled(cf));
            }
            // winsorising made the column constant: left untreated
            state = check(&p)?;
        }
        let clip = || {
            (high + low > 0).then(|| TreatRule::Clip {
                lo: (low > 0).then(|| values[0].0),
                hi: (high > 0).then(|| values[values.len() - 1].0),
            })
        };
        if state.pass {
            return clip();
        }
        match treat.log.transform(lo0, hi0) {
            Some(_) => Some(TreatRule::Log {
                transform: treat.log,
                min: lo0,
                max: hi0,
            }),
            None => clip(),
        }
    }
}

/// Central sums `(S2, S3, S4)` from the exact power sums (module docs).
fn central_sums(n: u64, p: &[ExactSum; 4]) -> (f64, f64, f64) {
    let nf = n as f64;
    let (p1, p2, p3, p4) = (&p[0], &p[1], &p[2], &p[3]);
    let p1p1 = p1.product(p1);
    let s2 = p2.scaled(nf).minus(&p1p1).round() / nf;
    let s3 = p3
        .scaled(nf)
        .scaled(nf)
        .minus(&p1.product(p2).scaled(3.0).scaled(nf))
        .minus(&p1p1.product(p1).scaled(-2.0))
        .round()
        / nf
        / nf;
    let s4 = p4
        .scaled(nf)
        .scaled(nf)
        .scaled(nf)
        .minus(&p1.product(p3).scaled(4.0).scaled(nf).scaled(nf))
        .minus(&p1p1.product(p2).scaled(-6.0).scaled(nf))
        .minus(&p1p1.product(&p1p1).scaled(3.0))
        .round()
        / nf
        / nf
        / nf;
    (s2, s3, s4)
}

/// The fitted treatment of every column.
pub(super) fn treat_fitted(treat: &Treat, ids: &[&str], cols: &[TreatStats]) -> TreatFitted {
    let mut out = TreatFitted::default();
    for (id, st) in ids.iter().zip(cols) {
        if treat.skip.iter().any(|s| s == id) {
            continue;
        }
        if let Some(rule) = st.rule(treat) {
            out.rules.insert((*id).to_owned(), rule);
        }
    }
    out
}

/// What a step pass accumulates per column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum ColumnStats {
    /// For `treat`.
    Treat(Vec<TreatStats>),
    /// For a normaliser.
    Moments(Vec<Moments>),
}

/// One pass for the data-dependent step at `at` (a `treat`, or a normaliser after one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StepPass {
    /// The fit so far: the steps before `at` frozen, the others as asked.
    fitted: FittedPipeline,
    /// The step this pass fits.
    at: usize,
    /// Per indicator, over the rows of this pass.
    stats: ColumnStats,
    /// Units seen and those `screen` dropped: the fit's report when this is the first pass.
    #[serde(default)]
    units: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    screened_out: Vec<String>,
}

/// The data-dependent steps a [`StepPass`] fits from index `from` on.
pub(super) fn unfitted(steps: &[Step], from: usize) -> impl Iterator<Item = usize> + '_ {
    (from..steps.len()).filter(move |&k| {
        matches!(&steps[k], Step::Treat(_)) || matches!(&steps[k], Step::Normalise(n) if !matches!(n, Normaliser::Fitted(_)))
    })
}

impl StepPass {
    pub(super) fn new(fitted: FittedPipeline, at: usize) -> Result<Self> {
        let m = Framework::from_spec(fitted.framework.clone())?.indicators().len();
        let stats = match fitted.pipeline.steps.get(at) {
            Some(Step::Treat(_)) => ColumnStats::Treat(vec![TreatStats::default(); m]),
            _ => ColumnStats::Moments(vec![Moments::default(); m]),
        };
        Ok(StepPass {
            fitted,
            at,
            stats,
            units: 0,
            screened_out: Vec::new(),
        })
    }

    pub(super) fn fitted(&self) -> &FittedPipeline {
        &self.fitted
    }

    pub(super) fn at(&self) -> usize {
        self.at
    }

    fn k(&self) -> usize {
        match self.fitted.pipeline.steps.get(self.at) {
            Some(Step::Treat(t)) => t.max_points.saturating_add(1),
            _ => 0,
        }
    }

    /// Whether `other` is a pass of the same fit and step.
    pub(super) fn same_pass(&self, other: &StepPass) -> bool {
        self.fitted == other.fitted && self.at == other.at
    }

    /// Add a batch: the fitted steps before `at`, then the columns' statistics.
    ///
    /// # Errors
    /// The steps' errors; [`Error::Method`] naming unit and indicator for an infinite value.
    pub(super) fn update(&mut self, batch: &Dataset) -> Result<()> {
        let fw = Framework::from_spec(self.fitted.framework.clone())?;
        let data = prefix_data(&fw, &self.fitted.pipeline.steps[..self.at], batch)?;
        if self.fitted.fitted_on.units == 0 {
            // the first pass reports what the fit saw
            self.units += batch.n_units() as u64;
            let kept: std::collections::HashSet<usize> = data.units.iter().copied().collect();
            self.screened_out.extend(
                (0..batch.n_units())
                    .filter(|r| !kept.contains(r))
                    .map(|r| batch.unit_ids()[r].clone()),
            );
        }
        let k = self.k();
        for (j, col) in data.values.columns().into_iter().enumerate() {
            if let Some(i) = col.iter().position(|x| x.is_infinite()) {
                return Err(Error::Method {
                    method: "partial fit".into(),
                    message: format!("infinite value {} (treat or remove it before fitting)", col[i]),
                    unit: Some(batch.unit_ids()[data.units[i]].clone()),
                    node: Some(fw.nodes()[fw.indicators()[j]].id.clone()),
                });
            }
            match &mut self.stats {
                ColumnStats::Treat(s) => s[j].add_column(col.iter().copied(), k),
                ColumnStats::Moments(s) => s[j].add_column(col.iter().copied()),
            }
        }
        Ok(())
    }

    pub(super) fn merge(&mut self, other: &StepPass) {
        self.units += other.units;
        self.screened_out.extend(other.screened_out.iter().cloned());
        let k = self.k();
        match (&mut self.stats, &other.stats) {
            (ColumnStats::Treat(a), ColumnStats::Treat(b)) => a.iter_mut().zip(b).for_each(|(a, b)| a.merge(b, k)),
            (ColumnStats::Moments(a), ColumnStats::Moments(b)) => a.iter_mut().zip(b).for_each(|(a, b)| a.merge(b)),
            _ => {}
        }
    }

    /// The fit with the step at `at` frozen.
    ///
    /// # Errors
    /// The normaliser's errors (missing goalposts or target, naming the indicator).
    pub(super) fn decide(&self) -> Result<FittedPipeline> {
        let fw = Framework::from_spec(self.fitted.framework.clone())?;
        let ids = fw.indicator_ids();
        let mut fitted = self.fitted.clone();
        if fitted.fitted_on.units == 0 {
            // the first pass: what the fit saw
            if self.units == 0 {
                return Err(Error::Empty("partial fit: no rows were added".into()));
            }
            let mut screened_out = self.screened_out.clone();
            screened_out.sort_unstable();
            fitted.fitted_on = super::FitReport {
                units: usize::try_from(self.units).unwrap_or(usize::MAX),
                screened_out,
            };
        }
        let step = match (&self.fitted.pipeline.steps[self.at], &self.stats) {
            (Step::Treat(t), ColumnStats::Treat(s)) => Step::TreatFitted(treat_fitted(t, &ids, s)),
            (Step::Normalise(n), ColumnStats::Moments(s)) => fitted_normaliser(&fw, n, s)?,
            (other, _) => other.clone(),
        };
        fitted.pipeline.steps[self.at] = step;
        Ok(fitted)
    }
}
