//! The report's data model: what the page shows, serialised as one JSON document
//! (missing and non-finite numbers are `null`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Everything the report page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    /// Language code, `zh` or `en`.
    pub lang: String,
    /// Page title.
    pub title: String,
    /// Every heading and label, in the report's language (word id → text).
    pub labels: BTreeMap<String, String>,
    /// Version, fingerprint, command line.
    pub meta: MetaData,
    /// The index (root) node id.
    pub index: String,
    /// The index's display name.
    pub index_label: String,
    /// Whether the index has scores (false only for a malformed run).
    pub index_available: bool,
    /// Every framework node, framework order.
    pub framework: Vec<NodeRow>,
    /// The index's children `(id, label)`: the dimensions of the heatmap and profiles.
    pub dims: Vec<(String, String)>,
    /// Units, best first.
    pub units: Vec<UnitRow>,
    /// Grading bands of the index, if any.
    pub grading: Option<GradingData>,
    /// The statistical audit, if included.
    pub audit: Option<AuditData>,
    /// Rank intervals, if an uncertainty analysis ran.
    pub uncertainty: Option<UncertaintyData>,
    /// Sobol indices, if a sensitivity analysis ran.
    pub sensitivity: Option<SensitivityData>,
    /// How the numbers were made.
    pub method: MethodData,
}

/// Provenance of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaData {
    /// zhili version.
    pub version: String,
    /// Embedded ECharts version.
    pub echarts: String,
    /// The command line or call that made the report.
    pub command: Option<String>,
    /// SHA-256 (hex) of the raw data as `zhili score --stage raw --format csv` writes it.
    pub fingerprint: String,
    /// Units scored.
    pub n_units: usize,
    /// Indicators in the framework.
    pub n_indicators: usize,
    /// Where the framework came from.
    pub framework_source: Option<String>,
    /// Where the data came from.
    pub data_source: Option<String>,
}

/// One framework node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeRow {
    /// Id.
    pub id: String,
    /// Parent id (none for the index).
    pub parent: Option<String>,
    /// Display name in the report's language.
    pub label: String,
    /// COINr level (indicators = 1).
    pub level: usize,
    /// Nominal weight (relative to siblings).
    pub weight: f64,
    /// Effective weight in the index.
    pub effective_weight: f64,
    /// Whether the node is an indicator.
    pub indicator: bool,
    /// An indicator's direction, in words.
    pub direction: Option<String>,
}

/// One unit, in ranking order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitRow {
    /// Unit id.
    pub id: String,
    /// Display name, if the data has one.
    pub name: Option<String>,
    /// Index score.
    pub score: Option<f64>,
    /// Index rank (1 = best).
    pub rank: Option<f64>,
    /// Grading band (position in [`GradingData::bands`], 0 = first band).
    pub grade: Option<usize>,
    /// Scores of the dimensions, in [`ReportData::dims`] order.
    pub dims: Vec<Option<f64>>,
}

/// Grading bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradingData {
    /// The grading's name.
    pub name: String,
    /// Bands, highest first.
    pub bands: Vec<GradeBand>,
}

/// One grading band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeBand {
    /// Band id.
    pub id: String,
    /// Display name.
    pub label: String,
    /// Smallest score in the band (none for the last).
    pub min: Option<f64>,
    /// CSS colour.
    pub color: String,
}

/// The statistical audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditData {
    /// Stage the statistics describe.
    pub stage: String,
    /// Per indicator.
    pub stats: Vec<StatRow>,
    /// Flagged correlations.
    pub flags: Vec<FlagRow>,
    /// Correlations between indicators (normalised scores, Pearson).
    pub corr: CorrData,
    /// Cronbach's α per aggregate.
    pub alpha: Vec<AlphaRow>,
}

/// Statistics of one indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatRow {
    /// Indicator id.
    pub id: String,
    /// Display name.
    pub label: String,
    /// Minimum.
    pub min: Option<f64>,
    /// Maximum.
    pub max: Option<f64>,
    /// Mean.
    pub mean: Option<f64>,
    /// Sample standard deviation.
    pub sd: Option<f64>,
    /// Skewness.
    pub skew: Option<f64>,
    /// Kurtosis.
    pub kurtosis: Option<f64>,
    /// Share of units with data.
    pub available: Option<f64>,
    /// Flags raised, in words.
    pub flags: Vec<String>,
}

/// A flagged correlation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagRow {
    /// What, in words.
    pub kind: String,
    /// First element.
    pub a: String,
    /// Second element.
    pub b: String,
    /// The correlation.
    pub r: Option<f64>,
}

/// A correlation matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrData {
    /// Node ids.
    pub ids: Vec<String>,
    /// Display names.
    pub labels: Vec<String>,
    /// Row-major matrix.
    pub matrix: Vec<Vec<Option<f64>>>,
}

/// Cronbach's α of one aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlphaRow {
    /// Aggregate id.
    pub node: String,
    /// Display name.
    pub label: String,
    /// Number of children.
    pub children: usize,
    /// α.
    pub alpha: Option<f64>,
}

/// Rank intervals of a Monte Carlo uncertainty analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UncertaintyData {
    /// Runs done.
    pub runs: usize,
    /// Seed.
    pub seed: u64,
    /// The factors (JSON documents).
    pub factors: Vec<String>,
    /// Units by nominal rank.
    pub units: Vec<UnitInterval>,
}

/// One unit's rank distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitInterval {
    /// Unit id.
    pub id: String,
    /// Nominal rank.
    pub nominal: Option<f64>,
    /// Median rank.
    pub median: Option<f64>,
    /// Mean rank.
    pub mean: Option<f64>,
    /// 5th percentile rank (R type 7).
    pub p5: Option<f64>,
    /// 95th percentile rank.
    pub p95: Option<f64>,
}

/// Sobol indices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityData {
    /// Base sample N.
    pub n: usize,
    /// Runs done, N(k + 2).
    pub runs: usize,
    /// Seed.
    pub seed: u64,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Per factor.
    pub factors: Vec<FactorRow>,
}

/// One factor's Sobol indices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorRow {
    /// Factor id.
    pub id: String,
    /// Display name.
    pub label: String,
    /// The factor (JSON document).
    pub document: String,
    /// First-order index.
    pub first: Option<f64>,
    /// Its lower confidence bound.
    pub first_lo: Option<f64>,
    /// Its upper confidence bound.
    pub first_hi: Option<f64>,
    /// Total index.
    pub total: Option<f64>,
    /// Its lower confidence bound.
    pub total_lo: Option<f64>,
    /// Its upper confidence bound.
    pub total_hi: Option<f64>,
}

/// The method description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodData {
    /// Pipeline steps with their parameters (JSON).
    pub steps: Vec<StepRow>,
    /// The whole pipeline document (TOML), to run it again.
    pub pipeline_toml: String,
    /// Tie rule of the ranks.
    pub ties: String,
    /// Where the weights came from.
    pub weights_source: String,
    /// Step log summary: `(step, action, count)`.
    pub log: Vec<(String, String, usize)>,
}

/// One pipeline step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRow {
    /// Step type.
    pub step: String,
    /// Its parameters (JSON).
    pub parameters: String,
}
