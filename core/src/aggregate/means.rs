//! The weighted-mean kernels, column-wise over all units at once.

use ndarray::{Array1, Array2};

use super::Aggregator;

/// Weighted mean of one unit's present children (NaN = absent); `None` if none is present.
///
/// Exposed for callers that aggregate a single row; the pipeline uses the column kernel.
///
/// # Errors
/// A message when a value is out of the method's domain.
pub fn weighted_mean(method: &Aggregator, x: &[f64], w: &[f64]) -> Result<Option<f64>, String> {
    let mut acc = Acc::new(method);
    for (&xi, &wi) in x.iter().zip(w) {
        if !xi.is_nan() {
            acc.add(xi, wi)?;
        }
    }
    Ok(acc.finish())
}

/// Running sums of one weighted mean.
struct Acc {
    kind: Kind,
    num: f64,
    den: f64,
}

#[derive(Clone, Copy)]
enum Kind {
    Arith,
    Geo(f64),
    Harm,
    Power(f64),
    Min,
    /// A whole-matrix method: cannot score one row.
    Whole(&'static str),
}

impl Acc {
    fn new(m: &Aggregator) -> Self {
        let kind = match *m {
            Aggregator::Arithmetic => Kind::Arith,
            Aggregator::Geometric { shift } => Kind::Geo(shift),
            Aggregator::Harmonic => Kind::Harm,
            Aggregator::Generalised { p } if p == 0.0 => Kind::Geo(0.0),
            Aggregator::Generalised { p } if p == 1.0 => Kind::Arith,
            Aggregator::Generalised { p } => Kind::Power(p),
            Aggregator::Minimum => Kind::Min,
            _ => Kind::Whole(m.name()),
        };
        Acc { kind, num: 0.0, den: 0.0 }
    }

    #[inline]
    fn add(&mut self, x: f64, w: f64) -> Result<(), String> {
        match self.kind {
            Kind::Arith => self.num += w * x,
            Kind::Geo(s) => {
                let v = x + s;
                if v <= 0.0 {
                    return Err(positive_msg(x, s));
                }
                self.num += w * v.ln();
            }
            Kind::Harm => {
                if x <= 0.0 {
                    return Err(format!("value {x} ≤ 0 cannot enter a harmonic mean"));
                }
                self.num += w / x;
            }
            Kind::Power(p) => {
                if x < 0.0 || (x == 0.0 && p < 0.0) {
                    return Err(format!("value {x} is outside the domain of a generalised mean with p = {p}"));
                }
                self.num += w * x.powf(p);
            }
            Kind::Min => {
                if w > 0.0 {
                    self.num = if self.den > 0.0 { self.num.min(x) } else { x };
                }
            }
            Kind::Whole(name) => {
                return Err(format!(
                    "{name} scores all units at once and cannot score a single row (use aggregate::scores)"
                ))
            }
        }
        self.den += w;
        Ok(())
    }

    #[inline]
    fn finish(&self) -> Option<f64> {
        if self.den <= 0.0 {
            return None;
        }
        Some(match self.kind {
            Kind::Arith => self.num / self.den,
            Kind::Geo(s) => (self.num / self.den).exp() - s,
            Kind::Harm => self.den / self.num,
            Kind::Power(p) => (self.num / self.den).powf(1.0 / p),
            Kind::Min => self.num,
            Kind::Whole(_) => return None,
        })
    }
}

fn positive_msg(x: f64, s: f64) -> String {
    if s == 0.0 {
        format!("value {x} ≤ 0 cannot enter a geometric mean (normalise to a positive range or set `shift`)")
    } else {
        format!("value {x} + shift {s} ≤ 0 cannot enter a geometric mean")
    }
}

/// Aggregate the `children` columns of `scores` into one column.
/// Errors carry (row, message, method name).
pub(super) fn aggregate_columns(
    method: &Aggregator,
    scores: &Array2<f64>,
    children: &[usize],
    w: &[f64],
    min_coverage: f64,
) -> Result<Array1<f64>, (usize, String, &'static str)> {
    let n = scores.nrows();
    let need = (min_coverage * children.len() as f64 - 1e-12).ceil().max(1.0) as usize;
    // Arithmetic is the hot path: accumulate column by column (contiguous in column-major).
    if matches!(method, Aggregator::Arithmetic) {
        let mut num = Array1::<f64>::zeros(n);
        let mut den = Array1::<f64>::zeros(n);
        let mut cnt = vec![0usize; n];
        for (&c, &wi) in children.iter().zip(w) {
            let col = scores.column(c);
            for (((x, nu), de), k) in col.iter().zip(num.iter_mut()).zip(den.iter_mut()).zip(cnt.iter_mut()) {
                if !x.is_nan() {
                    *nu += wi * x;
                    *de += wi;
                    *k += 1;
                }
            }
        }
        return Ok(ndarray::Zip::from(&num)
            .and(&den)
            .and(&ndarray::ArrayView1::from(&cnt[..]))
            .map_collect(|&nu, &de, &k| if k >= need && de > 0.0 { nu / de } else { f64::NAN }));
    }
    let mut out = Array1::<f64>::from_elem(n, f64::NAN);
    for r in 0..n {
        let mut acc = Acc::new(method);
        let mut k = 0;
        for (&c, &wi) in children.iter().zip(w) {
            let x = scores[[r, c]];
            if !x.is_nan() {
                acc.add(x, wi).map_err(|m| (r, m, method.name()))?;
                k += 1;
            }
        }
        if k >= need {
            if let Some(v) = acc.finish() {
                out[r] = v;
            }
        }
    }
    Ok(out)
}
