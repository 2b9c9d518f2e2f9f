//! The weighted-mean kernels, column-wise over all units at once.

use ndarray::{Array1, ArrayView2};

use super::Aggregator;

/// Weighted mean (or any per-unit method's score) of one unit's present children (NaN =
/// absent); `None` if none is present.
///
/// Exposed for callers that aggregate a single row; the pipeline uses the column kernel.
///
/// # Errors
/// A message when a value is out of the method's domain, or when the method compares units
/// with each other (a whole-matrix method cannot score one row).
pub fn weighted_mean(method: &Aggregator, x: &[f64], w: &[f64]) -> Result<Option<f64>, String> {
    let m = method.method();
    let Some(mean) = m.mean() else {
        if !m.per_unit() {
            return Err(format!(
                "{} scores all units at once and cannot score a single row (use aggregate::scores)",
                method.name()
            ));
        }
        let row = ndarray::ArrayView2::from_shape((1, x.len().min(w.len())), &x[..x.len().min(w.len())]).map_err(|e| e.to_string())?;
        if !x.iter().zip(w).any(|(v, &wi)| !v.is_nan() && wi > 0.0) {
            return Ok(None);
        }
        let out = method.score_whole(row, &w[..row.ncols()], 0.0).map_err(|f| f.message)?;
        return Ok(out.first().copied().filter(|v| !v.is_nan()));
    };
    let mut acc = Acc { mean, num: 0.0, den: 0.0 };
    for (&xi, &wi) in x.iter().zip(w) {
        if !xi.is_nan() {
            acc.add(xi, wi)?;
        }
    }
    Ok(acc.finish())
}

/// Running sums of one weighted mean over one unit's children.
struct Acc {
    mean: Mean,
    num: f64,
    den: f64,
}

/// One weighted mean's formula: the weighted term each present child adds to the sum, and
/// the score from the sums. Every driver (the pipeline's columns, the uncertainty engine's
/// runs, a single row) adds and finishes through these, so the means are written once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Mean {
    /// `Σ w x / Σ w`.
    Arith,
    /// `exp(Σ w ln(x + s) / Σ w) − s`.
    Geo(f64),
    /// `Σ w / Σ (w / x)`.
    Harm,
    /// `(Σ w xᵖ / Σ w)^(1/p)`, p ∉ {0, 1}.
    Power(f64),
}

impl Mean {
    /// The mean an aggregator takes (`None` unless it is a weighted mean), as its file declares.
    pub(crate) fn of(m: &Aggregator) -> Option<Mean> {
        m.method().mean()
    }

    /// The term `x` adds to the numerator under weight `w`.
    ///
    /// # Errors
    /// A message when `x` is outside the mean's domain.
    #[inline]
    pub(crate) fn term(self, w: f64, x: f64) -> Result<f64, String> {
        Ok(match self {
            Mean::Arith => w * x,
            Mean::Geo(s) => {
                let v = x + s;
                if v <= 0.0 {
                    return Err(positive_msg(x, s));
                }
                w * v.ln()
            }
            Mean::Harm => {
                if x <= 0.0 {
                    return Err(format!("value {x} ≤ 0 cannot enter a harmonic mean"));
                }
                w / x
            }
            Mean::Power(p) => {
                if x < 0.0 || (x == 0.0 && p < 0.0) {
                    return Err(format!("value {x} is outside the domain of a generalised mean with p = {p}"));
                }
                w * x.powf(p)
            }
        })
    }

    /// The score from the numerator and the sum of the present children's weights.
    #[inline]
    pub(crate) fn finish(self, num: f64, den: f64) -> f64 {
        match self {
            Mean::Arith => num / den,
            Mean::Geo(s) => (num / den).exp() - s,
            Mean::Harm => den / num,
            Mean::Power(p) => (num / den).powf(1.0 / p),
        }
    }

    /// `num[i] += term(w, col[i])` over a column without gaps; the row of a value outside
    /// the domain and why.
    ///
    /// # Errors
    /// (row, message) of the first value outside the mean's domain.
    pub(crate) fn add_dense(self, num: &mut [f64], w: f64, col: &[f64]) -> Result<(), (usize, String)> {
        if self == Mean::Arith {
            crate::kernels::reduce::axpy(num, w, col);
            return Ok(());
        }
        for (i, (o, &x)) in num.iter_mut().zip(col).enumerate() {
            *o += self.term(w, x).map_err(|m| (i, m))?;
        }
        Ok(())
    }

    /// As [`Mean::add_dense`] over a column with gaps (NaN): present values add their term to
    /// `num`, their weight to `den` and one to `cnt`.
    ///
    /// # Errors
    /// (row, message) of the first value outside the mean's domain.
    pub(crate) fn add_masked(self, num: &mut [f64], den: &mut [f64], cnt: &mut [u32], w: f64, col: &[f64]) -> Result<(), (usize, String)> {
        for (i, &x) in col.iter().enumerate() {
            if !x.is_nan() {
                num[i] += self.term(w, x).map_err(|m| (i, m))?;
                den[i] += w;
                cnt[i] += 1;
            }
        }
        Ok(())
    }
}

/// One weighted mean streamed over whole child columns, one column at a time (the streamed
/// `score`'s sums, while each indicator column is still in cache). Children are added in the
/// order the column kernel adds them, so the means are bit-identical to it. While every
/// child column so far was complete, Σw and the count are the same for every unit and kept
/// as scalars (no per-unit vector to stream through the cache); the first column with a gap
/// turns them into per-unit vectors.
pub(crate) struct StreamedMean {
    mean: Mean,
    num: Vec<f64>,
    den: Uniform<f64>,
    cnt: Uniform<u32>,
    need: usize,
}

enum Uniform<T> {
    Same(T),
    PerUnit(Vec<T>),
}

impl StreamedMean {
    /// Empty sums for `n` units; a score needs `need` present children.
    pub(crate) fn new(mean: Mean, need: usize, n: usize) -> Self {
        StreamedMean {
            mean,
            // Filled by the first child (no zeroing pass).
            num: Vec::with_capacity(n),
            den: Uniform::Same(0.0),
            cnt: Uniform::Same(0),
            need,
        }
    }

    /// Add one child column under weight `w` (NaN = absent).
    ///
    /// # Errors
    /// (row, message) of the first value outside the mean's domain.
    pub(crate) fn add(&mut self, w: f64, col: &[f64]) -> Result<(), (usize, String)> {
        let gaps = if self.mean == Mean::Arith {
            // The default method's hot path: one branch-free pass, the sum and the gaps.
            let mut gaps = 0usize;
            let mut term = |x: f64| {
                let missing = x.is_nan();
                gaps += usize::from(missing);
                if missing {
                    0.0
                } else {
                    w * x
                }
            };
            if self.num.is_empty() {
                // The first child: `0.0 + term` (not `term`), bit-identical to summing onto zeros.
                self.num.extend(col.iter().map(|&x| 0.0 + term(x)));
            } else {
                self.num.iter_mut().zip(col).for_each(|(nu, &x)| *nu += term(x));
            }
            gaps
        } else {
            let mean = self.mean;
            if self.num.is_empty() {
                self.num.resize(col.len(), 0.0);
            }
            let mut gaps = 0usize;
            for (i, (nu, &x)) in self.num.iter_mut().zip(col).enumerate() {
                if x.is_nan() {
                    gaps += 1;
                } else {
                    *nu += mean.term(w, x).map_err(|m| (i, m))?;
                }
            }
            gaps
        };
        let complete = gaps == 0;
        match (&mut self.den, complete) {
            (Uniform::Same(d), true) => *d += w,
            (den, _) => {
                let v = den.per_unit(col.len());
                v.iter_mut().zip(col).for_each(|(d, &x)| *d += if x.is_nan() { 0.0 } else { w });
            }
        }
        match (&mut self.cnt, complete) {
            (Uniform::Same(c), true) => *c += 1,
            (cnt, _) => {
                let v = cnt.per_unit(col.len());
                v.iter_mut().zip(col).for_each(|(c, &x)| *c += u32::from(!x.is_nan()));
            }
        }
        Ok(())
    }

    /// Append the means (as [`StreamedMean::write`]) to `v`.
    pub(crate) fn extend(&self, v: &mut Vec<f64>) {
        let (need, mean) = (self.need, self.mean);
        let score = |num: f64, den: f64, cnt: u32| {
            if cnt as usize >= need && den > 0.0 {
                mean.finish(num, den)
            } else {
                f64::NAN
            }
        };
        match (&self.den, &self.cnt) {
            (Uniform::Same(d), Uniform::Same(c)) => v.extend(self.num.iter().map(|&nu| score(nu, *d, *c))),
            (den, cnt) => v.extend(self.num.iter().enumerate().map(|(k, &nu)| score(nu, den.get(k), cnt.get(k)))),
        }
    }

    /// `out[k] = finish(num[k], Σw[k])`, NaN without enough children or weight. One loop per
    /// representation of Σw and the count (no per-unit match): the uniform arithmetic case
    /// is a branch-free division that vectorises.
    pub(crate) fn write(&self, out: &mut [f64]) {
        let (need, mean) = (self.need, self.mean);
        let score = |num: f64, den: f64, cnt: u32| {
            if cnt as usize >= need && den > 0.0 {
                mean.finish(num, den)
            } else {
                f64::NAN
            }
        };
        match (&self.den, &self.cnt) {
            (Uniform::Same(d), Uniform::Same(c)) => out.iter_mut().zip(&self.num).for_each(|(o, &nu)| *o = score(nu, *d, *c)),
            (den, cnt) => {
                for (k, (o, &nu)) in out.iter_mut().zip(&self.num).enumerate() {
                    *o = score(nu, den.get(k), cnt.get(k));
                }
            }
        }
    }
}

impl<T: Copy> Uniform<T> {
    fn per_unit(&mut self, n: usize) -> &mut Vec<T> {
        if let Uniform::Same(v) = *self {
            *self = Uniform::PerUnit(vec![v; n]);
        }
        match self {
            Uniform::PerUnit(v) => v,
            Uniform::Same(_) => unreachable!("just made per-unit"),
        }
    }

    fn get(&self, k: usize) -> T {
        match self {
            Uniform::Same(v) => *v,
            Uniform::PerUnit(v) => v[k],
        }
    }
}

impl Acc {
    #[inline]
    fn add(&mut self, x: f64, w: f64) -> Result<(), String> {
        self.num += self.mean.term(w, x)?;
        self.den += w;
        Ok(())
    }

    #[inline]
    fn finish(&self) -> Option<f64> {
        (self.den > 0.0).then(|| self.mean.finish(self.num, self.den))
    }
}

fn positive_msg(x: f64, s: f64) -> String {
    if s == 0.0 {
        format!("value {x} ≤ 0 cannot enter a geometric mean (normalise to a positive range or set `shift`)")
    } else {
        format!("value {x} + shift {s} ≤ 0 cannot enter a geometric mean")
    }
}

/// Aggregate the `children` columns of `scores` into one column by a weighted mean.
/// Errors carry (row, message).
pub(super) fn aggregate_columns(
    mean: Mean,
    scores: ArrayView2<'_, f64>,
    children: &[usize],
    w: &[f64],
    min_coverage: f64,
) -> Result<Array1<f64>, (usize, String)> {
    let n = scores.nrows();
    let need = super::children_needed(min_coverage, children.len());
    // Arithmetic is the hot path: accumulate column by column (contiguous in column-major).
    if mean == Mean::Arith {
        return Ok(arithmetic_columns(scores, children, w, need));
    }
    let mut out = Array1::<f64>::from_elem(n, f64::NAN);
    for r in 0..n {
        let mut acc = Acc { mean, num: 0.0, den: 0.0 };
        let mut k = 0;
        for (&c, &wi) in children.iter().zip(w) {
            let x = scores[[r, c]];
            if !x.is_nan() {
                acc.add(x, wi).map_err(|m| (r, m))?;
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

/// Rows per block of the arithmetic kernel: the accumulators of a block stay in L1.
const BLOCK: usize = 1024;

/// The weighted arithmetic mean of the children columns, branch-free (vectorises) and
/// blocked by rows so that each child's block is read once while the sums stay in cache.
fn arithmetic_columns(scores: ArrayView2<'_, f64>, children: &[usize], w: &[f64], need: usize) -> Array1<f64> {
    let n = scores.nrows();
    let cols: Vec<ndarray::ArrayView1<'_, f64>> = children.iter().map(|&c| scores.column(c)).collect();
    let mut out = Array1::<f64>::from_elem(n, f64::NAN);
    let mut num = [0.0f64; BLOCK];
    let mut den = [0.0f64; BLOCK];
    let mut cnt = [0u32; BLOCK];
    let mut start = 0;
    while start < n {
        let len = BLOCK.min(n - start);
        num[..len].fill(0.0);
        den[..len].fill(0.0);
        cnt[..len].fill(0);
        for (col, &wi) in cols.iter().zip(w) {
            let block = col.slice(ndarray::s![start..start + len]);
            // Zipped slices (no index, no bounds check): the loop vectorises.
            let acc = num[..len].iter_mut().zip(&mut den[..len]).zip(&mut cnt[..len]);
            let add = |((nu, de), cn): ((&mut f64, &mut f64), &mut u32), &x: &f64| {
                let present = !x.is_nan();
                *nu += if present { wi * x } else { 0.0 };
                *de += if present { wi } else { 0.0 };
                *cn += u32::from(present);
            };
            match block.as_slice() {
                Some(sl) => acc.zip(sl).for_each(|(a, x)| add(a, x)),
                None => acc.zip(block.iter()).for_each(|(a, x)| add(a, x)),
            }
        }
        let mean = |(&nu, &de, &cn): (&f64, &f64, &u32)| if cn as usize >= need && de > 0.0 { nu / de } else { f64::NAN };
        let it = num[..len]
            .iter()
            .zip(&den[..len])
            .zip(&cnt[..len])
            .map(|((nu, de), cn)| mean((nu, de, cn)));
        match out.as_slice_mut() {
            Some(o) => o[start..start + len].iter_mut().zip(it).for_each(|(o, v)| *o = v),
            None => out
                .slice_mut(ndarray::s![start..start + len])
                .iter_mut()
                .zip(it)
                .for_each(|(o, v)| *o = v),
        }
        start += len;
    }
    out
}
