//! Statistical audit of an index (the JRC's checks): data adequacy, coherence
//! (correlations within and across levels, collinearity, negative correlations with the
//! parent, correlations with denominators), internal consistency (Cronbach's alpha, PCA),
//! effective weights against importance, and rank shifts when one element is removed.
//!
//! ```no_run
//! use zhili_core::analysis::audit::{audit, AuditOptions};
//! # fn demo(fw: &zhili_core::Framework, data: &zhili_core::Dataset, p: &zhili_core::Pipeline) -> zhili_core::Result<()> {
//! let report = audit(fw, data, p, &AuditOptions::default())?;
//! for f in &report.flags {
//!     println!("{:?}: {} / {} r = {:.2}", f.kind, f.a, f.b, f.r);
//! }
//! # Ok(()) }
//! ```

mod adequacy;
mod correlation;
mod structure;

use ndarray::Array2;

pub use adequacy::{indicator_stats, unit_coverage, IndicatorStats, Thresholds};
pub use correlation::{average_ranks, complete_pairs, correlation, correlation_ratio, p_value, pearson, spearman, Method};
pub use structure::{cronbach_alpha, pca, Pca};

use crate::analysis::uncertainty::{replay, Design, DesignRun, Monitor, ReplayOptions};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::pipeline::Pipeline;
use crate::results::Results;

/// Options of an audit.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditOptions {
    /// Correlation method for matrices and flags (default Pearson).
    pub method: Method,
    /// |r| at or above which two siblings (or an indicator and a denominator) are flagged (0.9).
    pub collinear: f64,
    /// Adequacy thresholds.
    pub thresholds: Thresholds,
    /// Stage whose data the adequacy statistics describe (default: the last stage before
    /// normalisation, e.g. `treated`).
    pub stage: Option<String>,
    /// Compute the remove-one-element rank shifts (one run per non-root node).
    pub remove_one: bool,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            method: Method::Pearson,
            collinear: 0.9,
            thresholds: Thresholds::default(),
            stage: None,
            remove_one: true,
        }
    }
}

/// What a correlation flag says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    /// Two children of the same parent with |r| ≥ the threshold.
    Collinear,
    /// A node negatively correlated with its own parent.
    NegativeWithParent,
    /// An indicator with |r| ≥ the threshold with a denominator (numeric data column).
    Denominator,
}

/// A flagged correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationFlag {
    /// What.
    pub kind: FlagKind,
    /// First element (node id).
    pub a: String,
    /// Second element (node id, parent id or data column).
    pub b: String,
    /// The correlation.
    pub r: f64,
    /// Its two-sided p-value (t distribution, see [`p_value`]).
    pub p: f64,
}

/// Internal consistency of one aggregate node.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeStructure {
    /// The aggregate.
    pub node: String,
    /// Its children, in order.
    pub children: Vec<String>,
    /// Correlations among the children (method of the options).
    pub correlations: Array2<f64>,
    /// Two-sided p-values of those correlations ([`p_value`]; 0 on the diagonal).
    pub p_values: Array2<f64>,
    /// Cronbach's alpha of the children.
    pub alpha: f64,
    /// PCA of the children (None if undefined).
    pub pca: Option<Pca>,
}

impl NodeStructure {
    /// The correlations with those not significant at level `alpha` blanked (NaN), as
    /// COINr's `get_corr(pval = alpha)` sets them to NA; `alpha = 0.05` is COINr's default.
    pub fn significant(&self, alpha: f64) -> Array2<f64> {
        let mut m = self.correlations.clone();
        m.zip_mut_with(&self.p_values, |r, &p| {
            if !(p <= alpha) {
                *r = f64::NAN;
            }
        });
        m
    }
}

/// A node's nominal effective weight against its statistical importance.
#[derive(Debug, Clone, PartialEq)]
pub struct Importance {
    /// The node.
    pub node: String,
    /// Its parent.
    pub parent: String,
    /// Effective weight in the index (product of sibling shares).
    pub effective_weight: f64,
    /// Squared Pearson correlation with the parent.
    pub r2_parent: f64,
    /// Squared Pearson correlation with the index.
    pub r2_index: f64,
    /// r²(index) as a share of the sum over the node's level: comparable with effective weights.
    pub r2_index_share: f64,
    /// Correlation ratio η²(parent | node): the parent's variance the node explains, linear or not.
    pub eta2_parent: f64,
    /// Correlation ratio η²(index | node), the node's main effect on the index.
    pub eta2_index: f64,
    /// η²(index) as a share of the sum over the node's level.
    pub eta2_index_share: f64,
}

/// Rank shifts of the index when one element's weight is set to 0.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoveOne {
    /// The node removed.
    pub node: String,
    /// Mean over units of |rank without it − nominal rank|.
    pub mean_abs_rank_shift: f64,
    /// Largest |rank shift| of any unit.
    pub max_abs_rank_shift: f64,
}

/// The audit.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditReport {
    /// Stage the adequacy statistics describe.
    pub stage: String,
    /// Per-indicator statistics and flags.
    pub stats: Vec<IndicatorStats>,
    /// Units of that stage.
    pub unit_ids: Vec<String>,
    /// Each unit's share of indicators with data (raw data).
    pub coverage: Vec<f64>,
    /// Per aggregate node.
    pub structure: Vec<NodeStructure>,
    /// Flagged correlations.
    pub flags: Vec<CorrelationFlag>,
    /// Effective weights against importance, every non-root node.
    pub importance: Vec<Importance>,
    /// Rank shifts when each element is removed (empty unless requested).
    pub remove_one: Vec<RemoveOne>,
}

/// Correlation matrix between two sets of nodes of a result (e.g. two levels).
///
/// # Errors
/// [`Error::Unknown`] for a node not in the results.
pub fn node_correlations(res: &Results, rows: &[&str], cols: &[&str], method: Method) -> Result<Array2<f64>> {
    let get = |id: &str| res.node_scores(id).map(|c| c.to_vec());
    let r: Vec<Vec<f64>> = rows.iter().map(|id| get(id)).collect::<Result<_>>()?;
    let c: Vec<Vec<f64>> = cols.iter().map(|id| get(id)).collect::<Result<_>>()?;
    let mut out = Array2::from_elem((r.len(), c.len()), f64::NAN);
    for (i, x) in r.iter().enumerate() {
        for (j, y) in c.iter().enumerate() {
            out[[i, j]] = correlation(x, y, method);
        }
    }
    Ok(out)
}

/// Node ids at a COINr level (indicators = 1).
pub fn level_nodes(fw: &Framework, level: usize) -> Vec<&str> {
    fw.nodes().iter().filter(|n| n.level == level).map(|n| n.id.as_str()).collect()
}

/// Audit `pipeline` on `fw` and `data`.
///
/// # Errors
/// Any error of running the pipeline or (with `remove_one`) of the runs without an element;
/// [`Error::Unknown`] for an unknown `stage`; [`Error::Spec`] for a collinearity threshold
/// outside (0, 1].
pub fn audit(fw: &Framework, data: &Dataset, pipeline: &Pipeline, opts: &AuditOptions) -> Result<AuditReport> {
    if !(opts.collinear.is_finite() && opts.collinear > 0.0 && opts.collinear <= 1.0) {
        return Err(Error::spec(
            "audit options",
            format!("collinear threshold must be a number in (0, 1] (got {})", opts.collinear),
        ));
    }
    let run = pipeline.run(fw, data)?;
    let stage = match &opts.stage {
        Some(s) => run.stage(s).ok_or_else(|| Error::Unknown {
            what: "stage",
            id: s.clone(),
            context: format!("audit (stages: {})", run.stage_names().join(", ")),
        })?,
        None => {
            let k = run.stages.iter().position(|s| s.name == "normalised").unwrap_or(run.stages.len());
            &run.stages[k.saturating_sub(1)]
        }
    };
    let stats = indicator_stats(fw, &stage.data, &opts.thresholds);
    let unit_ids = stage.data.units.iter().map(|&u| data.unit_ids()[u].clone()).collect();
    let coverage = unit_coverage(&run.stages[0].data);
    let res = &run.results;
    let col = |i: usize| res.scores().column(i).to_vec();
    let nodes = fw.nodes();
    let mut structure = Vec::new();
    let mut flags = Vec::new();
    for &a in fw.aggregates_bottom_up() {
        let ch = &nodes[a].children;
        let cols: Vec<Vec<f64>> = ch.iter().map(|&c| col(c)).collect();
        let mut m = Array2::from_elem((ch.len(), ch.len()), 1.0);
        let mut pv = Array2::zeros((ch.len(), ch.len()));
        for i in 0..ch.len() {
            for j in (i + 1)..ch.len() {
                let r = correlation(&cols[i], &cols[j], opts.method);
                let p = p_value(r, complete_pairs(&cols[i], &cols[j]));
                m[[i, j]] = r;
                m[[j, i]] = r;
                pv[[i, j]] = p;
                pv[[j, i]] = p;
                if r.abs() >= opts.collinear {
                    flags.push(CorrelationFlag {
                        kind: FlagKind::Collinear,
                        a: nodes[ch[i]].id.clone(),
                        b: nodes[ch[j]].id.clone(),
                        r,
                        p,
                    });
                }
            }
        }
        structure.push(NodeStructure {
            node: nodes[a].id.clone(),
            children: ch.iter().map(|&c| nodes[c].id.clone()).collect(),
            correlations: m,
            p_values: pv,
            alpha: cronbach_alpha(&cols),
            pca: pca(&cols),
        });
    }
    let root = fw.root();
    let index = col(root);
    let mut importance = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let Some(p) = n.parent else { continue };
        let x = col(i);
        let rp = correlation(&x, &col(p), opts.method);
        if rp < 0.0 {
            flags.push(CorrelationFlag {
                kind: FlagKind::NegativeWithParent,
                a: n.id.clone(),
                b: nodes[p].id.clone(),
                r: rp,
                p: p_value(rp, complete_pairs(&x, &col(p))),
            });
        }
        let (r2p, r2i) = (pearson(&x, &col(p)).powi(2), pearson(&x, &index).powi(2));
        importance.push(Importance {
            node: n.id.clone(),
            parent: nodes[p].id.clone(),
            effective_weight: res.effective_weights()[i],
            r2_parent: r2p,
            r2_index: r2i,
            r2_index_share: f64::NAN,
            eta2_parent: correlation_ratio(&x, &col(p)),
            eta2_index: correlation_ratio(&x, &index),
            eta2_index_share: f64::NAN,
        });
    }
    // shares of a level's total, comparable with the level's effective weights
    for lvl in 1..fw.max_level() {
        let at_level = |m: &Importance| fw.node(&m.node).is_ok_and(|n| n.level == lvl);
        let total = |v: fn(&Importance) -> f64| -> f64 { importance.iter().filter(|m| at_level(m)).map(v).filter(|x| !x.is_nan()).sum() };
        let (r2, eta2) = (total(|m| m.r2_index), total(|m| m.eta2_index));
        for m in importance.iter_mut().filter(|m| at_level(m)) {
            if r2 > 0.0 {
                m.r2_index_share = m.r2_index / r2;
            }
            if eta2 > 0.0 {
                m.eta2_index_share = m.eta2_index / eta2;
            }
        }
    }
    // denominators: indicator (as normalised) vs every numeric data column
    let rows = &stage.data.units;
    for (name, values) in data.numeric() {
        let d: Vec<f64> = res
            .unit_ids()
            .iter()
            .map(|u| data.unit_ids().iter().position(|x| x == u).map_or(f64::NAN, |k| values[k]))
            .collect();
        for &i in fw.indicators() {
            let r = correlation(&col(i), &d, opts.method);
            if r.abs() >= opts.collinear {
                flags.push(CorrelationFlag {
                    kind: FlagKind::Denominator,
                    a: nodes[i].id.clone(),
                    b: name.clone(),
                    r,
                    p: p_value(r, complete_pairs(&col(i), &d)),
                });
            }
        }
    }
    let _ = rows;
    let remove_one = if opts.remove_one {
        remove_one(fw, data, pipeline)?
    } else {
        Vec::new()
    };
    Ok(AuditReport {
        stage: stage.name.clone(),
        stats,
        unit_ids,
        coverage,
        structure,
        flags,
        importance,
        remove_one,
    })
}

/// Index rank shifts when each non-root node's weight is set to 0 (one run each).
///
/// # Errors
/// Any error of the runs (e.g. a geometric mean left without positive children).
pub fn remove_one(fw: &Framework, data: &Dataset, pipeline: &Pipeline) -> Result<Vec<RemoveOne>> {
    let root = fw.root();
    let ids: Vec<String> = fw
        .nodes()
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != root)
        .map(|(_, n)| n.id.clone())
        .collect();
    let runs = (0..ids.len())
        .map(|k| DesignRun {
            weights: (0..ids.len()).map(|j| if j == k { 0.0 } else { f64::NAN }).collect(),
            ..DesignRun::default()
        })
        .collect();
    let design = Design {
        weight_nodes: ids.clone(),
        runs,
    };
    let res = replay(
        fw,
        data,
        pipeline,
        &design,
        &ReplayOptions {
            keep_runs: true,
            ..ReplayOptions::default()
        },
        Monitor::default(),
    )?;
    let ranks = res
        .run_ranks(pipeline.ties)
        .ok_or_else(|| Error::spec("audit", "internal: no run scores"))?;
    let nominal = &res.index.nominal_rank;
    Ok(ids
        .into_iter()
        .enumerate()
        .map(|(k, node)| {
            let (mut tot, mut cnt, mut mx) = (0.0, 0usize, 0.0f64);
            for (r, q) in ranks.row(k).iter().zip(nominal) {
                if !r.is_nan() && !q.is_nan() {
                    let d = (r - q).abs();
                    tot += d;
                    cnt += 1;
                    mx = mx.max(d);
                }
            }
            RemoveOne {
                node,
                mean_abs_rank_shift: if cnt == 0 { f64::NAN } else { tot / cnt as f64 },
                max_abs_rank_shift: mx,
            }
        })
        .collect())
}
