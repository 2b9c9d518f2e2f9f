//! Uncertain factors: what an uncertainty or sensitivity analysis varies.
//!
//! A factor list is written in TOML (or JSON) as an array of tables with a `type` tag:
//!
//! ```toml
//! [[factors]]
//! type = "weights"          # every weight (or chosen levels / nodes) × U(1 − spread, 1 + spread)
//! spread = 0.25
//! levels = [1, 2, 3]        # COINr levels, indicators = 1; empty = every non-root node
//!
//! [[factors]]
//! type = "normalise"        # one of these normalisers, uniformly
//! choices = [{ method = "minmax", lo = 1.0, hi = 100.0 }, { method = "zscore", mean = 10.0, sd = 2.0 }]
//!
//! [[factors]]
//! type = "aggregate"        # one of these aggregate steps
//! choices = [{ method = "arithmetic" }, { method = "geometric" }]
//!
//! [[factors]]
//! type = "impute"
//! choices = [{ method = "mean" }, { method = "group_mean", group = "EurAsia_group" }]
//!
//! [[factors]]
//! type = "treat"            # "off" removes the treatment step
//! choices = ["off", { method = "winsorise", max_points = 5 }]
//!
//! [[factors]]
//! type = "exclude"          # drop one indicator (or none)
//! indicators = []           # empty = any indicator
//!
//! [[factors]]
//! type = "weight_sets"      # one of several complete weight sets (expert, entropy, equal, ...)
//! sets = [{ weights = { Index = 1.0 } }]
//! ```
//!
//! Weight noise multiplies the run's base weights (the framework's, or the chosen weight
//! set's); since every mean re-normalises weights over siblings, the perturbed weights are
//! re-normalised within each parent. Excluding an indicator sets its weight to 0 after the
//! data are prepared: normalisation works indicator by indicator, so this equals removing it
//! (screening still counts it towards a unit's coverage).

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::normalise::Normaliser;
use crate::prepare::{Impute, Treat};
use crate::weight::WeightSet;

/// One uncertain factor (`type` tag in documents).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Factor {
    /// Multiply weights by independent U(1 − spread, 1 + spread) draws.
    Weights {
        /// Half-width f of the multiplier range, 0 ≤ f < 1.
        spread: f64,
        /// COINr levels to perturb (indicators = 1); with `nodes` empty too: every non-root node.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        levels: Vec<usize>,
        /// Node ids to perturb.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        nodes: Vec<String>,
    },
    /// Choose one of complete weight sets (node id → weight; nodes not listed keep the framework's).
    WeightSets {
        /// The sets.
        sets: Vec<WeightSet>,
    },
    /// Choose a normaliser.
    Normalise {
        /// The options.
        choices: Vec<Normaliser>,
    },
    /// Choose an aggregation.
    Aggregate {
        /// The options.
        choices: Vec<AggregationChoice>,
    },
    /// Choose an imputation.
    Impute {
        /// The options.
        choices: Vec<Impute>,
    },
    /// Choose a treatment, or none.
    Treat {
        /// The options (`"off"` = no treatment step).
        choices: Vec<TreatChoice>,
    },
    /// Exclude one indicator (or none).
    Exclude {
        /// Candidates (empty = every indicator).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        indicators: Vec<String>,
        /// Whether "exclude nothing" is one of the options (default true).
        #[serde(default = "yes")]
        include_none: bool,
    },
}

fn yes() -> bool {
    true
}

impl Factor {
    /// The factor's name for reports (`weights`, `normalise`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Factor::Weights { .. } => "weights",
            Factor::WeightSets { .. } => "weight_sets",
            Factor::Normalise { .. } => "normalise",
            Factor::Aggregate { .. } => "aggregate",
            Factor::Impute { .. } => "impute",
            Factor::Treat { .. } => "treat",
            Factor::Exclude { .. } => "exclude",
        }
    }
}

/// An `aggregate` step plus optional rescaling of intermediate scores (e.g. to make them
/// positive before a geometric mean at the next level).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregationChoice {
    /// The aggregate step.
    #[serde(flatten)]
    pub step: Aggregate,
    /// Rescalings applied to aggregate scores at given levels before their parents are computed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rescale: Vec<Rescale>,
}

impl From<Aggregate> for AggregationChoice {
    fn from(step: Aggregate) -> Self {
        AggregationChoice { step, rescale: Vec::new() }
    }
}

/// Rescale every aggregate score column at `level` (≥ 2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rescale {
    /// COINr level of the aggregates rescaled (2 = first aggregate level).
    pub level: usize,
    /// How.
    #[serde(flatten)]
    pub to: RescaleTo,
}

/// A rescaling of one score column.
///
/// ```text
/// affine   y = offset + scale · x
/// range    y = lo + (hi − lo) (x − min x) / (max x − min x)      (over units; constant → (lo + hi)/2)
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RescaleTo {
    /// Fixed linear map.
    Affine {
        /// Multiplier.
        scale: f64,
        /// Added after multiplying.
        offset: f64,
    },
    /// Min-max over the units of the run.
    Range {
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
}

/// A treatment option: a `treat` step, or `"off"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TreatChoice {
    /// No treatment step.
    Off(Off),
    /// This treatment step.
    On(Treat),
}

/// The word `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Off {
    /// `"off"`.
    Off,
}

/// Node indices perturbed by a weight-noise factor.
pub(crate) fn perturbed_nodes(fw: &Framework, levels: &[usize], nodes: &[String]) -> Result<Vec<usize>> {
    let root = fw.root();
    let mut out: Vec<usize> = Vec::new();
    for id in nodes {
        let i = fw.index_of(id).ok_or_else(|| fw.unknown_node(id, "weights factor"))?;
        out.push(i);
    }
    for (i, n) in fw.nodes().iter().enumerate() {
        if i != root && ((levels.is_empty() && nodes.is_empty()) || levels.contains(&n.level)) {
            out.push(i);
        }
    }
    out.sort_unstable();
    out.dedup();
    out.retain(|&i| i != root);
    Ok(out)
}

/// Check a factor list against a framework.
///
/// # Errors
/// [`Error::Spec`] naming the factor (empty choice list, spread outside [0, 1), duplicate
/// factor types), [`Error::Unknown`] for a node or indicator not in the framework.
pub fn check_factors(fw: &Framework, factors: &[Factor]) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for f in factors {
        if !seen.insert(f.name()) {
            return Err(Error::spec("factors", format!("factor `{}` appears more than once", f.name())));
        }
        let empty = match f {
            Factor::Weights { spread, levels, nodes } => {
                if !(0.0..1.0).contains(spread) {
                    return Err(Error::spec("weights factor", format!("spread {spread} is outside [0, 1)")));
                }
                if perturbed_nodes(fw, levels, nodes)?.is_empty() {
                    return Err(Error::spec("weights factor", "no node to perturb (check `levels` / `nodes`)"));
                }
                false
            }
            Factor::WeightSets { sets } => {
                for s in sets {
                    for (id, w) in s.iter() {
                        fw.index_of(id).ok_or_else(|| fw.unknown_node(id, "weight set"))?;
                        if !(w.is_finite() && w >= 0.0) {
                            return Err(Error::spec("weight set", format!("weight of `{id}` is {w}")));
                        }
                    }
                }
                sets.is_empty()
            }
            Factor::Normalise { choices } => choices.is_empty(),
            Factor::Aggregate { choices } => {
                for c in choices {
                    c.step.check(fw)?;
                    for r in &c.rescale {
                        if r.level < 2 || r.level > fw.max_level() {
                            return Err(Error::spec(
                                "aggregate factor",
                                format!("rescale level {} has no aggregates", r.level),
                            ));
                        }
                    }
                }
                choices.is_empty()
            }
            Factor::Impute { choices } => choices.is_empty(),
            Factor::Treat { choices } => choices.is_empty(),
            Factor::Exclude { indicators, include_none } => {
                for id in indicators {
                    if !fw.indicator_ids().contains(&id.as_str()) {
                        return Err(Error::Unknown {
                            what: "indicator",
                            id: id.clone(),
                            context: "exclude factor".into(),
                        });
                    }
                }
                !include_none && indicators.is_empty() && fw.indicators().is_empty()
            }
        };
        if empty {
            return Err(Error::spec(format!("{} factor", f.name()), "needs at least one choice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Doc {
        factors: Vec<Factor>,
    }

    #[test]
    fn parses_documented_example() {
        let src = include_str!("factors.rs");
        let toml: String = src
            .lines()
            .skip_while(|l| !l.starts_with("//! ```toml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| l.trim_start_matches("//!").trim_start_matches(' '))
            .collect::<Vec<_>>()
            .join("\n");
        let d: Doc = toml::from_str(&toml).expect("documented factors parse");
        assert_eq!(d.factors.len(), 7);
        assert!(matches!(&d.factors[4], Factor::Treat { choices } if choices[0] == TreatChoice::Off(Off::Off)));
        let back = toml::to_string(&Doc2 {
            factors: d.factors.clone(),
        })
        .expect("serialise");
        let again: Doc = toml::from_str(&back).expect("round trip");
        assert_eq!(again.factors, d.factors);
    }

    #[derive(Serialize)]
    struct Doc2 {
        factors: Vec<Factor>,
    }
}
