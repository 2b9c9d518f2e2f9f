//! Variance-based sensitivity analysis: Saltelli designs, first-order and total Sobol
//! indices with bootstrap confidence intervals, for a function or for an index's output
//! under uncertain [`Factor`]s.
//!
//! Design (Saltelli 2010): two independent N × k matrices A and B of U[0, 1) numbers, and
//! for each factor i the matrix A_B⁽ⁱ⁾ (A with column i taken from B): N (k + 2) runs, rows
//! ordered A, B, A_B⁽¹⁾, ..., A_B⁽ᵏ⁾. Row j of A and B comes from generator (seed, j).
//!
//! ```text
//! V    = variance of f(A) and f(B) together (n − 1 denominator)
//! Sᵢ   = (1/N) Σⱼ f(B)ⱼ (f(A_B⁽ⁱ⁾)ⱼ − f(A)ⱼ) / V          Saltelli et al. 2010
//! STᵢ  = (1/2N) Σⱼ (f(A)ⱼ − f(A_B⁽ⁱ⁾)ⱼ)² / V               Jansen 1999
//! ```
//! Confidence intervals: percentile bootstrap over the N rows (resample b uses generator
//! (seed ⊕ salt, b)), quantiles by linear interpolation (R type 7).
//!
//! Each uncertain factor of an index is one dimension: a choice among k options takes
//! option ⌊u k⌋; weight noise draws its multipliers from a generator keyed by u.

use ndarray::Array2;
use rayon::prelude::*;

use crate::analysis::uncertainty::{replicate_rng, uniform, Factor, Monitor};
use crate::analysis::uncertainty::{Engine, ExecOptions, Output, Sampler};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::pipeline::Pipeline;

const BOOT_SALT: u64 = 0xB007_5724_9000_0001;

/// A Saltelli design: `u` is N(k + 2) × k, rows A, B, A_B⁽¹⁾..A_B⁽ᵏ⁾.
#[derive(Debug, Clone, PartialEq)]
pub struct SaltelliDesign {
    /// Base sample size N.
    pub n: usize,
    /// Number of factors k.
    pub k: usize,
    /// The numbers in [0, 1).
    pub u: Array2<f64>,
}

/// Build a Saltelli design of base size `n` for `k` factors.
///
/// # Errors
/// [`Error::Spec`] if `n < 2` or `k == 0`; [`Error::Memory`] if the design does not fit in
/// the memory budget ([`crate::memory`]).
pub fn saltelli_design(n: usize, k: usize, seed: u64) -> Result<SaltelliDesign> {
    if n < 2 || k == 0 {
        return Err(Error::spec(
            "sensitivity analysis",
            format!("needs N ≥ 2 and at least one factor (N = {n}, k = {k})"),
        ));
    }
    let runs = design_runs(n, k);
    crate::memory::check(
        format!("a Saltelli design (N = {n}, k = {k})"),
        format!("N(k + 2) = {runs} runs × {k} numbers"),
        crate::memory::bytes(runs * k as u128, 8),
    )?;
    let mut u = Array2::from_shape_vec((n * (k + 2), k), crate::kernels::alloc::huge_zeros::<f64>(n * (k + 2) * k)?)
        .map_err(|e| Error::spec("sensitivity analysis", e.to_string()))?;
    for j in 0..n {
        let mut g = replicate_rng(seed, j as u64);
        for i in 0..k {
            u[[j, i]] = uniform(&mut g);
        }
        for i in 0..k {
            u[[n + j, i]] = uniform(&mut g);
        }
        for i in 0..k {
            for c in 0..k {
                u[[(2 + i) * n + j, c]] = if c == i { u[[n + j, c]] } else { u[[j, c]] };
            }
        }
    }
    Ok(SaltelliDesign { n, k, u })
}

/// Bootstrap settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bootstrap {
    /// Number of resamples (0 = no intervals).
    pub resamples: usize,
    /// Confidence level, e.g. 0.95.
    pub confidence: f64,
    /// Seed.
    pub seed: u64,
}

impl Bootstrap {
    /// Check the settings: a confidence level strictly between 0 and 1.
    ///
    /// # Errors
    /// [`Error::Spec`] naming the setting and its value.
    pub fn validate(&self) -> Result<()> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(Error::spec(
                "sensitivity analysis",
                format!("confidence must lie strictly between 0 and 1 (got {})", self.confidence),
            ));
        }
        if self.resamples == 1 {
            return Err(Error::spec(
                "sensitivity analysis",
                "bootstrap resamples must be 0 (no intervals) or at least 2 (got 1)",
            ));
        }
        Ok(())
    }
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap {
            resamples: 1000,
            confidence: 0.95,
            seed: 1,
        }
    }
}

/// First-order and total Sobol indices with bootstrap intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    /// First-order indices Sᵢ.
    pub first: Vec<f64>,
    /// Total indices STᵢ.
    pub total: Vec<f64>,
    /// Confidence intervals of Sᵢ (NaN without bootstrap).
    pub first_ci: Vec<(f64, f64)>,
    /// Confidence intervals of STᵢ.
    pub total_ci: Vec<(f64, f64)>,
    /// Bootstrap standard errors of Sᵢ.
    pub first_se: Vec<f64>,
    /// Bootstrap standard errors of STᵢ.
    pub total_se: Vec<f64>,
    /// Output mean over A and B.
    pub mean: f64,
    /// Output variance V.
    pub variance: f64,
}

/// N(k + 2), without overflow.
fn design_runs(n: usize, k: usize) -> u128 {
    (n as u128).saturating_mul(k as u128 + 2)
}

/// Refuse an analysis of `runs` runs (each `per_run` bytes kept) and `resamples` bootstrap
/// resamples of N rows that does not fit in the memory budget.
fn check_memory(n: usize, k: usize, per_run: usize, boot: &Bootstrap) -> Result<()> {
    let runs = design_runs(n, k);
    let threads = rayon::current_num_threads() as u128;
    let bytes = crate::memory::bytes(runs, per_run)
        .saturating_add(crate::memory::bytes(boot.resamples as u128, 16 * k + 48))
        .saturating_add(crate::memory::bytes(threads.saturating_mul(n as u128), 8));
    crate::memory::check(
        format!("sensitivity analysis (N = {n}, k = {k}, {} bootstrap resamples)", boot.resamples),
        format!("{runs} runs (design, outputs) and the bootstrap"),
        bytes,
    )
}

fn estimate(y: &[f64], n: usize, k: usize, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let m = rows.len() as f64;
    let (mut s1, mut s2) = (0.0, 0.0);
    for &j in rows {
        for v in [y[j], y[n + j]] {
            s1 += v;
            s2 += v * v;
        }
    }
    let cnt = 2.0 * m;
    let mean = s1 / cnt;
    let var = (s2 - cnt * mean * mean) / (cnt - 1.0);
    let mut first = vec![0.0; k];
    let mut total = vec![0.0; k];
    for i in 0..k {
        let (mut a, mut b) = (0.0, 0.0);
        for &j in rows {
            let (fa, fb, fab) = (y[j], y[n + j], y[(2 + i) * n + j]);
            a += fb * (fab - fa);
            b += (fa - fab) * (fa - fab);
        }
        first[i] = a / m / var;
        total[i] = b / (2.0 * m) / var;
    }
    (first, total)
}

fn type7(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Sobol indices from the outputs `y` of a Saltelli design (length N(k + 2), design order).
///
/// # Errors
/// [`Error::Shape`]-like [`Error::Spec`] if `y` has the wrong length; [`Error::Spec`] if an
/// output is missing (naming the run) or the output does not vary.
pub fn sobol_indices(y: &[f64], n: usize, k: usize, boot: &Bootstrap) -> Result<SobolIndices> {
    if y.len() != n * (k + 2) || n < 2 {
        return Err(Error::spec(
            "sensitivity analysis",
            format!(
                "{} outputs for a design of N = {n}, k = {k} (need N(k + 2) = {})",
                y.len(),
                n * (k + 2)
            ),
        ));
    }
    if let Some(r) = y.iter().position(|v| !v.is_finite()) {
        return Err(Error::spec(
            "sensitivity analysis",
            format!("the output of run {} is missing or not finite", r + 1),
        ));
    }
    let all: Vec<usize> = (0..n).collect();
    let (first, total) = estimate(y, n, k, &all);
    let ab = &y[..2 * n];
    let mean = ab.iter().sum::<f64>() / (2 * n) as f64;
    let variance = ab.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (2 * n - 1) as f64;
    if variance <= 0.0 {
        return Err(Error::spec(
            "sensitivity analysis",
            "the output does not vary over the runs: the indices are undefined",
        ));
    }
    let nan = vec![(f64::NAN, f64::NAN); k];
    let (mut first_ci, mut total_ci, mut first_se, mut total_se) = (nan.clone(), nan, vec![f64::NAN; k], vec![f64::NAN; k]);
    if boot.resamples > 1 {
        let reps: Vec<(Vec<f64>, Vec<f64>)> = (0..boot.resamples)
            .into_par_iter()
            .map(|b| {
                let mut g = replicate_rng(boot.seed ^ BOOT_SALT, b as u64);
                let rows: Vec<usize> = (0..n).map(|_| crate::analysis::uncertainty::choice(&mut g, n)).collect();
                estimate(y, n, k, &rows)
            })
            .collect();
        let a = (1.0 - boot.confidence.clamp(0.0, 1.0)) / 2.0;
        for i in 0..k {
            for (est, ci, se) in [(0, &mut first_ci, &mut first_se), (1, &mut total_ci, &mut total_se)] {
                let mut v: Vec<f64> = reps.iter().map(|r| if est == 0 { r.0[i] } else { r.1[i] }).collect();
                let m = v.iter().sum::<f64>() / v.len() as f64;
                se[i] = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
                ci[i] = (type7(&mut v, a), type7(&mut v, 1.0 - a));
            }
        }
    }
    Ok(SobolIndices {
        first,
        total,
        first_ci,
        total_ci,
        first_se,
        total_se,
        mean,
        variance,
    })
}

/// Sobol analysis of a function of k numbers in [0, 1) (map them to your factors' ranges).
///
/// # Errors
/// As [`saltelli_design`] and [`sobol_indices`].
pub fn sobol_function<F: Fn(&[f64]) -> f64 + Sync>(f: F, k: usize, n: usize, seed: u64, boot: &Bootstrap) -> Result<SobolIndices> {
    boot.validate()?;
    check_memory(n, k, 16 * k + 40, boot)?;
    let d = saltelli_design(n, k, seed)?;
    let rows: Vec<Vec<f64>> = d.u.rows().into_iter().map(|r| r.to_vec()).collect();
    let y: Vec<f64> = rows.par_iter().map(|r| f(r)).collect();
    sobol_indices(&y, n, k, boot)
}

/// The scalar output of an index run that a sensitivity analysis explains.
#[derive(Debug, Clone, PartialEq)]
pub enum SaOutput {
    /// Mean over units of |rank − nominal rank| of the index (COINr's choice).
    MeanAbsRankShift,
    /// A unit's index score.
    Score(String),
    /// A unit's index rank.
    Rank(String),
}

/// Options of an index sensitivity analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityOptions {
    /// Base sample size N (runs = N(k + 2)).
    pub n: usize,
    /// Seed of the design.
    pub seed: u64,
    /// The output explained.
    pub output: SaOutput,
    /// Bootstrap settings.
    pub bootstrap: Bootstrap,
    /// Runs per chunk (default by memory).
    pub chunk: Option<usize>,
}

impl Default for SensitivityOptions {
    fn default() -> Self {
        SensitivityOptions {
            n: 1000,
            seed: 1,
            output: SaOutput::MeanAbsRankShift,
            bootstrap: Bootstrap::default(),
            chunk: None,
        }
    }
}

/// The outcome of an index sensitivity analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityResult {
    /// Factor names, in order.
    pub factors: Vec<String>,
    /// The indices.
    pub indices: SobolIndices,
    /// Runs done: N(k + 2).
    pub runs: usize,
    /// Each run's output, design order.
    pub outputs: Vec<f64>,
}

/// Sobol sensitivity analysis of an index output under `factors`.
///
/// # Errors
/// As [`crate::analysis::uncertainty::uncertainty`]; [`Error::Unknown`] for an output unit
/// not in the data; [`Error::Spec`] if the output is missing in a run or constant.
pub fn sensitivity(
    fw: &Framework,
    data: &Dataset,
    pipeline: &Pipeline,
    factors: &[Factor],
    opts: &SensitivityOptions,
    monitor: Monitor<'_>,
) -> Result<SensitivityResult> {
    opts.bootstrap.validate()?;
    let sampler = Sampler::new(fw, factors)?;
    let k = sampler.k();
    // per run: its design row, its output and its plan's key
    check_memory(opts.n, k, 8 * k + 8 + 64, &opts.bootstrap)?;
    let design = saltelli_design(opts.n, k, opts.seed)?;
    let unit = |id: &str| {
        data.unit_ids().iter().position(|u| u == id).ok_or_else(|| Error::Unknown {
            what: "unit",
            id: id.into(),
            context: "sensitivity output".into(),
        })
    };
    let output = match &opts.output {
        SaOutput::MeanAbsRankShift => Output::MeanAbsRankShift,
        SaOutput::Score(u) => Output::Score(unit(u)?),
        SaOutput::Rank(u) => Output::Rank(unit(u)?),
    };
    let mut engine = Engine::new(fw, data, pipeline, sampler.reg.clone())?;
    let runs = design.u.nrows();
    let plan = |r: usize| sampler.plan_u(opts.seed, design.u.row(r).as_slice().unwrap_or(&design.u.row(r).to_vec()));
    let keys: std::collections::BTreeSet<_> = (0..runs).map(|r| crate::analysis::uncertainty::key_of(&plan(r))).collect();
    engine.prepare(&keys)?;
    let exec = ExecOptions {
        targets: vec![fw.root()],
        keep_runs: false,
        output: Some(output),
        chunk: opts.chunk,
    };
    let out = engine.execute(runs, |r| Ok(std::borrow::Cow::Owned(plan(r))), &exec, &monitor)?;
    let indices = sobol_indices(&out.y, opts.n, k, &opts.bootstrap)?;
    Ok(SensitivityResult {
        factors: factors.iter().map(|f| f.name().to_owned()).collect(),
        indices,
        runs,
        outputs: out.y,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_layout() {
        let d = saltelli_design(5, 3, 9).expect("design");
        assert_eq!(d.u.dim(), (25, 3));
        for j in 0..5 {
            for i in 0..3 {
                for c in 0..3 {
                    let want = if c == i { d.u[[5 + j, c]] } else { d.u[[j, c]] };
                    assert_eq!(d.u[[(2 + i) * 5 + j, c]], want);
                }
            }
        }
        assert_eq!(saltelli_design(5, 3, 9).expect("again"), d);
    }

    #[test]
    fn additive_function() {
        // y = 2 x1 + x2 (x3 inert), xᵢ ~ U(0,1): S = (0.8, 0.2, 0) = ST
        let s = sobol_function(
            |u| 2.0 * u[0] + u[1],
            3,
            20_000,
            3,
            &Bootstrap {
                resamples: 0,
                ..Bootstrap::default()
            },
        )
        .expect("sobol");
        for (got, want) in s.first.iter().zip([0.8, 0.2, 0.0]) {
            assert!((got - want).abs() < 0.03, "{:?}", s.first);
        }
        for (got, want) in s.total.iter().zip([0.8, 0.2, 0.0]) {
            assert!((got - want).abs() < 0.03, "{:?}", s.total);
        }
        assert_eq!(s.total[2], 0.0);
    }
}
