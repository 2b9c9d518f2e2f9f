//! Weights: sets of node weights that override a framework's, without editing it, and the
//! weighting methods that compute them.
//!
//! Every method is a kernel on a units × criteria matrix (`ArrayView2<f64>`, column-major
//! preferred) with the criteria's ids and directions ([`Criteria`]); it returns a
//! [`WeightResult`] (weights labelled by criterion, summing to 1) or an error naming the
//! unit / criterion concerned, never NaN weights.
//!
//! | method | function | data |
//! |---|---|---|
//! | equal | [`equal`] | none |
//! | entropy (熵权法) | [`entropy`] | direction-aware min-max (options: shift, raw proportions) |
//! | coefficient of variation (变异系数法) | [`coefficient_of_variation`] | raw |
//! | standard deviation | [`standard_deviation`] | direction-aware min-max |
//! | CRITIC | [`critic`] | direction-aware min-max (option: no cost reversal) |
//! | AHP (层次分析法) | [`ahp`], [`group_geometric_mean`], [`AhpSpec::weights`] (per node) | pairwise comparison matrices |
//! | PCA / factor | [`pca`] | correlation matrix |
//! | benefit of the doubt | [`benefit_of_the_doubt`] | per-unit LPs |
//! | combinations (组合赋权) | [`combine`] | weight vectors |
//!
//! **Constant criteria** (max = min) carry no information: every data-driven method gives
//! them weight 0 and says so in [`WeightResult::notes`]; if every criterion is constant the
//! method returns an error. Missing or non-finite values are an error naming unit and
//! criterion (impute or screen first).
//!
//! [`group_weights`] applies a data-driven method to every sibling group of a framework and
//! returns a [`WeightSet`] for `Framework::with_weights`; [`AhpSpec::weights`] does the same
//! from pairwise judgements per node.
//!
//! ```
//! use ndarray::array;
//! use zhili_core::weight::{critic, entropy, Criteria, CriticOptions, EntropyOptions};
//! use zhili_core::Direction;
//!
//! // 4 districts × (mediation rate %, crime per 10k): the second is a cost criterion.
//! let x = array![[92.0, 3.1], [85.0, 4.0], [97.0, 2.2], [80.0, 6.5]];
//! let c = Criteria::new(["mediation", "crime"], vec![Direction::Benefit, Direction::Cost])?;
//! let e = entropy(x.view(), &c, &EntropyOptions::default())?;
//! assert!((e.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
//! let w = critic(x.view(), &c, &CriticOptions::default())?;
//! assert_eq!(w.criteria, ["mediation", "crime"]);
//! # Ok::<(), zhili_core::Error>(())
//! ```

// Comparisons written `!(x > 0.0)` deliberately reject NaN as well.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod ahp;
mod ahp_tree;
mod bod;
mod combine;
mod common;
#[macro_use]
mod method;
mod tree;

// The registry of data-driven methods (those a framework's sibling groups can be weighted by,
// the `method` of a weighting document): one line per method — its name (and aliases), its
// `WeightMethod` variant and the struct in its file that declares the rest. AHP, benefit of
// the doubt and combinations take other inputs and have functions of their own.
registry! {
    "equal" => Equal = equal::Equal;
    "entropy" => Entropy(entropy::EntropyOptions);
    "critic" => Critic(critic::CriticOptions);
    "coefficient_of_variation" | "cv" => CoefficientOfVariation = cv::CoefficientOfVariation;
    "standard_deviation" | "sd" => StandardDeviation = sd::StandardDeviation;
    "pca" => Pca(pca::PcaOptions);
}

pub use ahp::{ahp, check_pairwise, group_geometric_mean, AhpOptions, AhpResult, Prioritisation, RandomIndex, RECIPROCAL_TOLERANCE};
pub use ahp_tree::{AhpSpec, AhpWeights, Judgements};
pub use bod::{benefit_of_the_doubt, BodInput, BodOptions, BodResult};
pub use combine::{combine, Combination};
pub use common::{Criteria, WeightResult};
pub use critic::{critic, CriticOptions};
pub use cv::coefficient_of_variation;
pub use entropy::{entropy, EntropyInput, EntropyOptions};
pub use equal::equal;
pub use pca::{pca, PcaOptions, PcaResult};
pub use sd::standard_deviation;
pub use tree::group_weights;

// The weights from mergeable statistics (the multi-pass partial fit, `fit/passes.rs`).
pub(crate) use common::{check_rows, constant_note, is_constant};
pub(crate) use critic::critic_from;
pub(crate) use cv::{cv_from, CvStats};
pub(crate) use entropy::{entropy_from_sums, r_ln_r, raw_negative};
pub(crate) use pca::pca_from_corr;
pub(crate) use sd::sd_from;
pub(crate) use tree::{group_criteria, in_group, score_group};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use method::Weighting;

/// Node id → weight (relative to siblings). Written as TOML
/// (`[weights]` table or top-level `id = w`) or as a CSV of `id,weight` at the edge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WeightSet {
    /// The weights.
    pub weights: BTreeMap<String, f64>,
}

impl WeightSet {
    /// From pairs.
    pub fn from_pairs<I: IntoIterator<Item = (String, f64)>>(pairs: I) -> Self {
        WeightSet {
            weights: pairs.into_iter().collect(),
        }
    }

    /// Parse TOML: either a `[weights]` table or top-level `id = weight` pairs.
    ///
    /// # Errors
    /// [`Error::Parse`] for malformed TOML or a non-numeric weight.
    pub fn from_toml_str(s: &str, file: &str) -> Result<Self> {
        let v: toml::Table = toml::from_str(s).map_err(|e| crate::framework::toml_error(e, s, file))?;
        let table = match v.get("weights") {
            Some(toml::Value::Table(t)) => {
                // Under `[weights]`, any other top-level key is a mistake, not a node.
                if let Some(k) = v.keys().find(|k| *k != "weights") {
                    return Err(Error::parse(
                        file,
                        line_of_key(s, k),
                        Some(k.clone()),
                        format!("unknown key `{k}` (a weights document has only `[weights]` with `id = weight` lines)"),
                    ));
                }
                t.clone()
            }
            _ => v,
        };
        let mut weights = BTreeMap::new();
        for (k, val) in table {
            let w = match val {
                toml::Value::Float(f) => f,
                toml::Value::Integer(i) => i as f64,
                other => {
                    return Err(Error::parse(
                        file,
                        line_of_key(s, &k),
                        Some(k.clone()),
                        format!("weight of `{k}` is not a number: {other}"),
                    ));
                }
            };
            weights.insert(k, w);
        }
        Ok(WeightSet { weights })
    }

    /// The 1-based line of `key` in the TOML text it was read from (`key =`, `"key" =` or
    /// `[key]`), for error messages.
    pub fn line_of(text: &str, key: &str) -> Option<usize> {
        line_of_key(text, key)
    }

    /// Iterate `(id, weight)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.weights.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

/// The first line of a TOML text that defines `key` (`key =`, `"key" =`, `[key]`), 1-based.
pub(crate) fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            let rest = l.strip_prefix('[').map(str::trim_start).unwrap_or(l);
            [key, quoted.as_str()].iter().any(|k| {
                rest.strip_prefix(k)
                    .is_some_and(|r| matches!(r.trim_start().chars().next(), Some('=' | ']' | '.')))
            })
        })
        .map(|i| i + 1)
}
