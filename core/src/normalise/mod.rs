//! Normalisation: bring every indicator to a common scale, directions applied.
//!
//! A [`Normaliser`] (the `method` tag of a `normalise` pipeline step) is a closed enum whose
//! variants each wrap one struct implementing [`Normalise`]; the enum delegates to them in a
//! `match`. [`Normaliser::fit`] learns per-indicator parameters (min / max, mean / sd, ...)
//! and returns a [`FittedNormaliser`] that can normalise later years with the parameters of
//! a reference year; [`Normaliser::fit_transform`] does both on the same data.
//!
//! | `method`          | struct           | formula (s = +1 benefit, −1 cost)                              | COINr / Compind        |
//! |-------------------|------------------|----------------------------------------------------------------|------------------------|
//! | `minmax`          | [`MinMax`]       | (s·x − min) / (max − min) · (hi − lo) + lo                      | `n_minmax`, method 2   |
//! | `zscore`          | [`ZScore`]       | (s·x − mean) / sd · sd′ + mean′, sample sd (n − 1)              | `n_zscore`, method 1   |
//! | `rank`            | [`Rank`]         | rank of s·x, 1 = worst, ties `min`                              | `n_rank`, method 3     |
//! | `percentile`      | [`Percentile`]   | (rank − 1) / (n − 1)                                            | `n_prank`              |
//! | `borda`           | [`Borda`]        | rank − 1 (units strictly worse)                                 | `n_borda`              |
//! | `goalposts`       | [`Goalposts`]    | (x − lo) / (hi − lo), cost (x − hi) / (lo − hi), in [0, 1] · a   | `n_goalposts`          |
//! | `dist_to_target`  | [`DistToTarget`] | (x − min) / (t − min), cost (max − x) / (max − t)               | `n_dist2targ`          |
//! | `dist_to_max`     | [`DistToMax`]    | (s·x − min) / (max − min)                                       | `n_dist2max`           |
//! | `frac_max`        | [`FracMax`]      | s·x / max(s·x)                                                  | `n_fracmax`            |
//! | `scaled`          | [`Scaled`]       | (s·x − l) / (u − l) · a                                          | `n_scaled`             |
//! | `fitted`          | [`FittedNormaliser`] | another method with stored parameters (from `Pipeline::fit`) | —                      |
//!
//! Conventions:
//! - Input and output are units × indicators, NaN = missing; a missing value stays missing and
//!   never counts in a minimum, maximum, mean, sd or rank. Outputs are column-major.
//! - Directions: as COINr, the values are multiplied by the direction sign before normalising,
//!   except for `goalposts` and `dist_to_target`, whose formulas take the direction.
//! - A constant indicator under `minmax`, `dist_to_max` or `zscore` (and a single observed unit)
//!   gets the configurable value `constant` (default: the middle of `[lo, hi]`, `0.5`, the
//!   target `mean`) and a warning, never a silent NaN. COINr would return NaN here.
//!   `percentile` with a single observed unit gets `single` (default 0.5) and a warning.
//! - Rank-based methods (`rank`, `percentile`, `borda`) learn nothing: a fitted one ranks the
//!   data it is given. Ties are `min` by default (COINr), selectable with `ties`.
//! - z-scores use the sample sd (n − 1) like COINr and Compind; `population = true` for n.
//! - `frac_max` reproduces COINr (`coinr_fracmax` in tests/normalise_golden.rs), including
//!   ±Inf / NaN when max(s·x) = 0; a warning names the indicator whenever max(s·x) ≤ 0.
//! - Errors name the indicator when the framework lacks `goalposts` or `target`.
//! - Aliases accepted when reading: `prank`, `dist2targ`, `dist2max`, `fracmax`, `min_max`, `z_score`.
//!
//! ```
//! use zhili_core::normalise::{MinMax, Normaliser};
//! // Both spellings build the same normaliser:
//! let a = Normaliser::minmax(0.0, 100.0);
//! let b = Normaliser::Minmax(MinMax { lo: 0.0, hi: 100.0, constant: None });
//! assert_eq!(a, b);
//! // and it reads from / writes to the pipeline document:
//! let toml = "method = \"minmax\"\nlo = 0.0\nhi = 100.0\n";
//! assert_eq!(toml::from_str::<Normaliser>(toml).unwrap(), a);
//! assert_eq!(toml::to_string(&a).unwrap(), toml);
//! ```
//!
//! Fit on a reference year, reuse its parameters on a later year:
//!
//! ```
//! use ndarray::array;
//! use zhili_core::{normalise::Normaliser, Framework};
//! let fw = Framework::from_toml_str(
//!     "version = 1\n[[nodes]]\nid = \"I\"\n\
//!      [[nodes]]\nid = \"income\"\nparent = \"I\"\n\
//!      [[nodes]]\nid = \"crime\"\nparent = \"I\"\ndirection = \"cost\"\n",
//! )?;
//! let nodes: Vec<_> = fw.indicators().iter().map(|&i| &fw.nodes()[i]).collect();
//! let year_a = array![[10.0, 5.0], [20.0, 1.0], [30.0, f64::NAN]];
//! let (y, fitted, log) = Normaliser::minmax(0.0, 100.0).fit_transform(year_a.view(), &nodes)?;
//! assert_eq!(y.column(0).to_vec(), [0.0, 50.0, 100.0]);
//! assert_eq!(y[[0, 1]], 0.0); // most crime = worst
//! assert_eq!(y[[1, 1]], 100.0);
//! assert!(y[[2, 1]].is_nan() && log.is_empty());
//! let year_b = array![[40.0, 3.0]];
//! let (y, _) = fitted.transform(year_b.view())?;
//! assert_eq!(y.row(0).to_vec(), [150.0, 50.0]); // beyond year A's best: above 100
//! # Ok::<(), zhili_core::Error>(())
//! ```

mod fitted;
mod kernel;
#[macro_use]
mod registry;

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::framework::{Direction, Node};
use crate::log::LogEntry;
use crate::rank::Ties;

/// The step name used in log entries.
const STEP: &str = "normalise";

/// One normalisation method: learn a column's parameters, then apply them.
///
/// Implemented by each struct wrapped in [`Normaliser`]; you rarely call it directly.
pub trait Normalise {
    /// The `method` tag of this method in a pipeline document.
    fn name(&self) -> &'static str;

    /// One line for method lists (`zhili methods`, Python, the workbench): English · 中文.
    fn about(&self) -> &'static str;

    /// Check the method's own options (e.g. `lo < hi`).
    ///
    /// # Errors
    /// [`Error::Spec`] naming the option.
    fn check(&self) -> Result<()> {
        Ok(())
    }

    /// Learn the parameters of one indicator column `x` (raw values, NaN = missing; possibly
    /// all missing, then [`Params::Missing`] unless nothing is learned anyway) described by
    /// `node` (direction, goalposts, target).
    ///
    /// # Errors
    /// [`Error::Method`] naming the indicator when the framework lacks what the method needs.
    fn fit_column(&self, x: &[f64], node: &Node) -> Result<Params>;

    /// Normalise one column in place with its fitted `column`: `col` holds the values
    /// (NaN = missing) on entry and their normalised values on return, so that a streamed
    /// column never needs a second buffer. Logs anything the user should know (constant
    /// indicator, truncated values, ...).
    ///
    /// # Errors
    /// [`Error::Spec`] if `column.params` is not the kind this method learns.
    fn transform_column(&self, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> Result<()>;
}

// The registry: one line per method — its name in documents (and the aliases read), its
// `Normaliser` variant and the struct in its file that declares everything else (options,
// docs line, what it fits, how it transforms). The order is the order of every generated list.
registry! {
    "minmax" | "min_max" => Minmax(minmax::MinMax);
    "zscore" | "z_score" => Zscore(zscore::ZScore);
    "rank" => Rank(rank::Rank);
    "percentile" | "prank" => Percentile(percentile::Percentile);
    "borda" => Borda(borda::Borda);
    "goalposts" => Goalposts(goalposts::Goalposts);
    "dist_to_target" | "dist2targ" => DistToTarget(dist_to_target::DistToTarget);
    "dist_to_max" | "dist2max" => DistToMax(dist_to_max::DistToMax);
    "frac_max" | "fracmax" => FracMax(frac_max::FracMax);
    "scaled" => Scaled(scaled::Scaled);
}

/// What a normaliser learned about one indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Params {
    /// Minimum and maximum of the direction-adjusted values (`minmax`, `dist_to_max`).
    Range {
        /// Minimum of s·x.
        min: f64,
        /// Maximum of s·x.
        max: f64,
    },
    /// Mean and sample sd of the direction-adjusted values (`zscore`).
    Moments {
        /// Mean of s·x.
        mean: f64,
        /// Sample sd (n − 1) or population sd (n, option `population`); 0 if only one value was observed.
        sd: f64,
    },
    /// Maximum of the direction-adjusted values (`frac_max`).
    Max {
        /// Maximum of s·x.
        max: f64,
    },
    /// The framework's goalposts (`goalposts`).
    Goalposts {
        /// Lower goalpost (raw units).
        lo: f64,
        /// Upper goalpost (raw units).
        hi: f64,
    },
    /// The framework's target and the data's far end (`dist_to_target`).
    Target {
        /// Target (raw units).
        target: f64,
        /// Minimum of x for a benefit indicator, maximum for a cost indicator.
        reference: f64,
    },
    /// Nothing to learn (`rank`, `percentile`, `borda`, `scaled`).
    Stateless,
    /// The indicator had no observed value when fitted: its output is all missing.
    Missing,
}

/// One indicator's fitted parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedColumn {
    /// Indicator id.
    pub indicator: String,
    /// Its direction.
    pub direction: Direction,
    /// What was learned.
    pub params: Params,
}

/// A normaliser with the parameters it learned from data, one [`FittedColumn`] per indicator.
///
/// Serialises (TOML / JSON) so that a reference year's parameters can be stored and reused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedNormaliser {
    /// The method and its options.
    pub normaliser: Normaliser,
    /// Per-indicator parameters, in column order.
    pub columns: Vec<FittedColumn>,
}

impl Default for Normaliser {
    /// Min-max to [0, 100] (COINr's default).
    fn default() -> Self {
        Normaliser::Minmax(MinMax::default())
    }
}

impl Normaliser {
    /// Min-max to `[lo, hi]`; a constant indicator gets `(lo + hi) / 2`.
    pub fn minmax(lo: f64, hi: f64) -> Self {
        Normaliser::Minmax(MinMax { lo, hi, constant: None })
    }

    /// Z-score rescaled to mean `mean` and sd `sd` (sample sd of the data, n − 1).
    pub fn zscore(mean: f64, sd: f64) -> Self {
        Normaliser::Zscore(ZScore {
            mean,
            sd,
            constant: None,
            population: false,
        })
    }

    /// Ranks with `min` ties (COINr's `n_rank`).
    pub fn rank() -> Self {
        Normaliser::Rank(Rank::default())
    }

    /// Percentile ranks `(rank − 1) / (n − 1)` with `min` ties (COINr's `n_prank`).
    pub fn percentile() -> Self {
        Normaliser::Percentile(Percentile::default())
    }

    /// Borda scores `rank − 1` with `min` ties (COINr's `n_borda`).
    pub fn borda() -> Self {
        Normaliser::Borda(Borda::default())
    }

    /// Goalposts from the framework, scaled to `[0, scale]`, values outside truncated.
    pub fn goalposts(scale: f64) -> Self {
        Normaliser::Goalposts(Goalposts { scale, trunc: true })
    }

    /// Distance to the framework's target; `cap` caps values above the target at 1.
    pub fn dist_to_target(cap: bool) -> Self {
        Normaliser::DistToTarget(DistToTarget { cap })
    }

    /// Distance to the maximum (min-max to [0, 1]).
    pub fn dist_to_max() -> Self {
        Normaliser::DistToMax(DistToMax::default())
    }

    /// Fraction of the maximum.
    pub fn frac_max() -> Self {
        Normaliser::FracMax(FracMax::default())
    }

    /// Fixed scaling `(s·x − lo) / (hi − lo) · scale`.
    pub fn scaled(lo: f64, hi: f64, scale: f64) -> Self {
        Normaliser::Scaled(Scaled { lo, hi, scale })
    }

    /// The `method` tag, e.g. `minmax`.
    pub fn name(&self) -> &'static str {
        self.method().name()
    }

    /// One line describing the method (English · 中文), as its file declares it.
    pub fn about(&self) -> &'static str {
        self.method().about()
    }

    /// Learn each indicator's parameters from `x` (units × indicators, NaN = missing);
    /// `nodes[j]` is the framework node of column `j`.
    ///
    /// # Errors
    /// [`Error::Shape`] if `nodes` does not match the columns; [`Error::Spec`] for bad options;
    /// [`Error::Method`] naming the indicator when the framework lacks goalposts or a target.
    pub fn fit(&self, x: ArrayView2<'_, f64>, nodes: &[&Node]) -> Result<FittedNormaliser> {
        self.prepare(x, nodes)?;
        let method = self.method();
        let mut buf = Vec::new();
        let mut columns = Vec::with_capacity(nodes.len());
        for (j, node) in nodes.iter().enumerate() {
            let c = x.column(j);
            columns.push(fit_one(method, column_slice(&c, &mut buf), node)?);
        }
        Ok(FittedNormaliser {
            normaliser: self.clone(),
            columns,
        })
    }

    /// Fit on `x` and normalise it: one column at a time, while it is in cache.
    /// Directions are applied here (cost indicators reversed).
    ///
    /// # Errors
    /// As [`Normaliser::fit`].
    pub fn fit_transform(&self, x: ArrayView2<'_, f64>, nodes: &[&Node]) -> Result<(Array2<f64>, FittedNormaliser, Vec<LogEntry>)> {
        self.prepare(x, nodes)?;
        let method = self.method();
        let (n, m) = x.dim();
        let mut out = crate::kernels::alloc::zeros_f(n, m)?;
        let mut log = Vec::new();
        let mut columns = Vec::with_capacity(m);
        for (j, node) in nodes.iter().enumerate() {
            // Copy the column into its output place, then fit on it and normalise it there.
            let mut oc = out.column_mut(j);
            oc.assign(&x.column(j));
            let col = out_slice(&mut oc)?;
            let fitted = fit_one(method, col, node)?;
            transform_one(method, col, &fitted, &mut log)?;
            columns.push(fitted);
        }
        let fitted = FittedNormaliser {
            normaliser: self.clone(),
            columns,
        };
        Ok((out, fitted, log))
    }

    /// Fit on one contiguous column and normalise it in place
    /// (the streaming pipeline's kernel; `check` must have passed).
    pub(crate) fn fit_transform_column(&self, col: &mut [f64], node: &Node, log: &mut Vec<LogEntry>) -> Result<FittedColumn> {
        let method = self.method();
        let fitted = fit_one(method, col, node)?;
        transform_one(method, col, &fitted, log)?;
        Ok(fitted)
    }

    fn prepare(&self, x: ArrayView2<'_, f64>, nodes: &[&Node]) -> Result<()> {
        if x.ncols() != nodes.len() {
            return Err(Error::Shape {
                what: format!("{STEP} ({})", self.name()),
                expected: format!("{} indicator columns (one per framework node)", nodes.len()),
                found: format!("{} columns", x.ncols()),
            });
        }
        self.method().check()
    }
}

impl FittedNormaliser {
    /// Normalise `x` (units × the same indicators, NaN = missing) with the learned parameters,
    /// e.g. a later year with the reference year's min / max. Output is column-major.
    ///
    /// # Errors
    /// [`Error::Shape`] if the number of columns differs from the fitted one; [`Error::Spec`]
    /// if a column's parameters do not belong to the method (a hand-edited document).
    pub fn transform(&self, x: ArrayView2<'_, f64>) -> Result<(Array2<f64>, Vec<LogEntry>)> {
        if x.ncols() != self.columns.len() {
            return Err(Error::Shape {
                what: format!("{STEP} ({}, fitted)", self.normaliser.name()),
                expected: format!("{} indicator columns", self.columns.len()),
                found: format!("{} columns", x.ncols()),
            });
        }
        self.normaliser.method().check()?;
        let method = self.normaliser.method();
        let (n, m) = x.dim();
        let mut out = crate::kernels::alloc::zeros_f(n, m)?;
        let mut log = Vec::new();
        for (j, fitted) in self.columns.iter().enumerate() {
            let mut oc = out.column_mut(j);
            oc.assign(&x.column(j));
            transform_one(method, out_slice(&mut oc)?, fitted, &mut log)?;
        }
        Ok((out, log))
    }

    /// The indicator ids, in column order.
    pub fn indicator_ids(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.indicator.as_str())
    }

    /// Check that data with columns `ids` (in order) can be transformed by this fit, e.g. a
    /// later year read with another framework version.
    ///
    /// # Errors
    /// [`Error::Shape`] if the count differs; [`Error::Unknown`] naming the first indicator
    /// that is not the fitted one at its position.
    pub fn check_indicators(&self, ids: &[&str]) -> Result<()> {
        if ids.len() != self.columns.len() {
            return Err(Error::Shape {
                what: format!("{STEP} ({}, fitted)", self.normaliser.name()),
                expected: format!("{} indicators", self.columns.len()),
                found: format!("{} indicators", ids.len()),
            });
        }
        for (j, (id, c)) in ids.iter().zip(&self.columns).enumerate() {
            if *id != c.indicator {
                return Err(Error::Unknown {
                    what: "indicator",
                    id: (*id).to_owned(),
                    context: format!("column {} of the fitted normaliser is `{}`", j + 1, c.indicator),
                });
            }
        }
        Ok(())
    }
}

fn fit_one(method: &dyn Normalise, x: &[f64], node: &Node) -> Result<FittedColumn> {
    let params = method.fit_column(x, node)?;
    Ok(FittedColumn {
        indicator: node.id.clone(),
        direction: node.direction,
        params,
    })
}

fn transform_one(method: &dyn Normalise, col: &mut [f64], column: &FittedColumn, log: &mut Vec<LogEntry>) -> Result<()> {
    if column.params == Params::Missing {
        col.fill(f64::NAN);
        log.push(
            LogEntry::warning(STEP, "no_data")
                .indicator(column.indicator.as_str())
                .detail(format!("{}: no observed value when fitted; output left missing", method.name())),
        );
        return Ok(());
    }
    method.transform_column(col, column, log)
}

/// The column as a contiguous slice (copied into `buf` only if `x` is not column-major).
fn column_slice<'b>(c: &'b ArrayView1<'_, f64>, buf: &'b mut Vec<f64>) -> &'b [f64] {
    match c.as_slice() {
        Some(s) => s,
        None => {
            buf.clear();
            buf.extend(c.iter().copied());
            buf
        }
    }
}

fn out_slice<'b>(c: &'b mut ndarray::ArrayViewMut1<'_, f64>) -> Result<&'b mut [f64]> {
    c.as_slice_mut().ok_or_else(|| Error::Shape {
        what: STEP.into(),
        expected: "a column-major output".into(),
        found: "a strided column".into(),
    })
}

/// The error for a fitted column whose parameters belong to another method.
fn wrong_params(method: &str, column: &FittedColumn, expected: &str) -> Error {
    Error::spec(
        format!("fitted normaliser ({method})"),
        format!(
            "indicator `{}`: expected {expected} parameters, found {:?}",
            column.indicator, column.params
        ),
    )
}

/// The error for an infinite value, which no scale-based method can place.
fn infinite_error(method: &str, node: &Node) -> Error {
    Error::Method {
        method: method.into(),
        message: "the indicator has an infinite value (treat or remove it before normalising)".into(),
        unit: None,
        node: Some(node.id.clone()),
    }
}

/// Warning for a constant indicator (or a single observed unit) and the value it gets.
fn constant_warning(method: &str, column: &FittedColumn, observed: f64, value: f64) -> LogEntry {
    LogEntry::warning(STEP, "constant_indicator")
        .indicator(column.indicator.as_str())
        .value(value)
        .detail(format!(
            "{method}: no spread to scale (every observed value was {observed} when fitted); set to {value} (option `constant`)"
        ))
}

/// Shared by the rank-based methods.
fn stateless_fit() -> Params {
    Params::Stateless
}

/// Default tie rule of the rank-based methods (COINr: `min`).
fn default_ties() -> Ties {
    Ties::Min
}

#[cfg(test)]
mod tests;
