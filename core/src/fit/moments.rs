//! Sufficient statistics of a column for a partial fit: counts, extremes and exact sums
//! ([`Moments`], merged across batches), and one batch's accumulation of them
//! ([`BatchMoments`], only the sums the pipeline reads: [`Needs`]).

use serde::{Deserialize, Serialize};

use super::ExactSum;
use crate::kernels::exact::FixedSum;
use crate::normalise::Normaliser;
use crate::pipeline::{Pipeline, Step};
use crate::prepare::ImputeMethod;

/// Sufficient statistics of one indicator column over the rows seen so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Moments {
    /// Present values.
    pub(super) count: u64,
    /// Missing values.
    pub(super) missing: u64,
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

/// Which sums a pipeline's fit reads: `Σx` for a mean (imputation, z-score), `Σx²` for a
/// standard deviation (z-score). Counts, minima and maxima are always kept (they cost a
/// comparison); a sum nobody reads is not accumulated, so a min-max fit without imputation
/// only scans for the extremes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Needs {
    pub(super) sum: bool,
    pub(super) sumsq: bool,
}

impl Needs {
    pub(super) fn of(p: &Pipeline) -> Needs {
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
pub(super) struct BatchMoments {
    needs: Needs,
    sum: FixedSum,
    sumsq: FixedSum,
    lo: f64,
    hi: f64,
    count: u64,
    missing: u64,
}

impl BatchMoments {
    pub(super) fn new(needs: Needs) -> Self {
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
    pub(super) fn add(&mut self, x: f64) {
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
    pub(super) fn add_all(&mut self, xs: &[f64]) {
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

    pub(super) fn into_moments(self, m: &mut Moments) {
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
    /// Every value of a column with every sum (the weight and treatment passes read them
    /// all), through one batch's [`FixedSum`]s handed to the exact sums once.
    pub(super) fn add_column(&mut self, xs: impl Iterator<Item = f64>) {
        let mut b = BatchMoments::new(Needs { sum: true, sumsq: true });
        xs.for_each(|x| b.add(x));
        b.into_moments(self);
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
    pub(super) fn fill(&mut self, k: u64, v: f64) {
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
