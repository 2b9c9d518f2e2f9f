//! The self-contained HTML report: one file with ECharts, styles, script and data embedded
//! (no network request, no web font), printable on A4.
//!
//! [`report_data`] runs the pipeline (and, when asked, the audit, a Monte Carlo uncertainty
//! analysis and a Sobol sensitivity analysis) and collects everything the page shows into a
//! [`ReportData`]; [`render_html`] writes the page; [`html_report`] does both. The CLI
//! (`zhili report`), Python (`Results.to_html_report`) and the workbench call the same code.
//!
//! The data travel as JSON in `<script type="application/json" id="zhili-data">`, with every
//! `<` written `\u003c`, so a hostile unit name cannot close the script element; the page's
//! script inserts every name as text.

mod html;
mod model;
mod sha256;

pub use html::{extract_data, render_html};
pub use model::{
    AlphaRow, AuditData, CorrData, FactorRow, FlagRow, GradeBand, GradingData, MetaData, MethodData, NodeRow, ReportData, SensitivityData,
    StatRow, StepRow, UncertaintyData, UnitInterval, UnitRow,
};

use zhili_core::analysis::audit::{audit, node_correlations, AuditOptions, FlagKind, Method};
use zhili_core::analysis::sensitivity::{sensitivity, Bootstrap, SaOutput, SensitivityOptions};
use zhili_core::analysis::uncertainty::{uncertainty, Factor, Monitor, UncertaintyOptions};
use zhili_core::framework::{Direction, NodeKind};
use zhili_core::{Dataset, Framework, Pipeline, Result};
use zhili_indicators::GradingSpec;

use crate::lang::{words, Lang};

/// Shared words (besides [`words::REPORT`]) the page uses.
const SHARED_WORDS: &[&str] = &[
    "rank",
    "unit",
    "name",
    "index",
    "grade",
    "score",
    "node",
    "weight",
    "nominal_weight",
    "effective_weight",
    "direction",
    "level",
    "step",
    "action",
    "indicator",
    "nominal_rank",
    "median_rank",
    "mean_rank",
];

/// Weight noise of the default uncertainty and sensitivity factors: ×U(0.75, 1.25).
pub const DEFAULT_SPREAD: f64 = 0.25;

/// What goes into a report and how the analyses run.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Language of every heading and label.
    pub lang: Lang,
    /// Monte Carlo runs of the uncertainty section (none: no section).
    pub uncertainty: Option<usize>,
    /// Base sample N of the Sobol section (N(k + 2) runs; none: no section).
    pub sensitivity: Option<usize>,
    /// Uncertain factors; default (empty): weights × U(1 − 0.25, 1 + 0.25), one Sobol factor
    /// per framework level below the index.
    pub factors: Vec<Factor>,
    /// Seed of both analyses (recorded in the method section).
    pub seed: u64,
    /// Bootstrap resamples of the Sobol confidence intervals.
    pub bootstrap: usize,
    /// Include the statistical audit section.
    pub audit: bool,
    /// The command line (or call) that made the report, recorded for reproduction.
    pub command: Option<String>,
    /// Where the framework came from (a bundled name or a file).
    pub framework_source: Option<String>,
    /// Where the data came from.
    pub data_source: Option<String>,
    /// Where the weights came from (default: "the framework's weights").
    pub weights_source: Option<String>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            lang: Lang::En,
            uncertainty: None,
            sensitivity: None,
            factors: Vec::new(),
            seed: 1,
            bootstrap: 500,
            audit: true,
            command: None,
            framework_source: None,
            data_source: None,
            weights_source: None,
        }
    }
}

/// The inputs of a report (the grading is optional).
#[derive(Debug, Clone, Copy)]
pub struct ReportInputs<'a> {
    /// The framework (with any weight overrides applied).
    pub framework: &'a Framework,
    /// The data.
    pub data: &'a Dataset,
    /// The pipeline.
    pub pipeline: &'a Pipeline,
    /// Grades of the index, if any.
    pub grading: Option<&'a GradingSpec>,
}

/// Run everything and write the report page.
///
/// # Errors
/// Any error of running the pipeline or an analysis.
pub fn html_report(inputs: ReportInputs<'_>, opts: &ReportOptions) -> Result<String> {
    Ok(render_html(&report_data(inputs, opts)?))
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// The default factors of the uncertainty section: every weight × U(1 − spread, 1 + spread).
pub fn default_factors(spread: f64) -> Vec<Factor> {
    vec![Factor::Weights {
        spread,
        levels: vec![],
        nodes: vec![],
    }]
}

/// The default factors of the Sobol section: the weight noise of [`default_factors`] and one
/// indicator excluded (or none), so that there are two dimensions to apportion.
pub fn default_sobol_factors(spread: f64) -> Vec<Factor> {
    let mut f = default_factors(spread);
    f.push(Factor::Exclude {
        indicators: vec![],
        include_none: true,
    });
    f
}

/// The report's data: run the pipeline and the requested analyses.
///
/// # Errors
/// Any error of running the pipeline, the audit or an analysis.
pub fn report_data(inputs: ReportInputs<'_>, opts: &ReportOptions) -> Result<ReportData> {
    let ReportInputs {
        framework: fw,
        data,
        pipeline,
        grading,
    } = inputs;
    let lang = opts.lang;
    let run = pipeline.run(fw, data)?;
    let res = &run.results;
    let nodes = fw.nodes();
    let label = |i: usize| lang.node_label(fw, i);
    let col_of = |id: &str| res.node_ids().iter().position(|n| n == id);
    let effective = fw.effective_weights();

    let framework: Vec<NodeRow> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| NodeRow {
            id: n.id.clone(),
            parent: n.parent.map(|p| nodes[p].id.clone()),
            label: label(i),
            level: n.level,
            weight: n.weight,
            effective_weight: effective[i],
            indicator: n.kind == NodeKind::Indicator,
            direction: match (n.kind, n.direction) {
                (NodeKind::Indicator, Direction::Benefit) => Some(words::report("benefit", lang).to_owned()),
                (NodeKind::Indicator, Direction::Cost) => Some(words::report("cost", lang).to_owned()),
                _ => None,
            },
        })
        .collect();

    let root = fw.root();
    let dims: Vec<usize> = nodes[root].children.clone();
    let dim_cols: Vec<Option<usize>> = dims.iter().map(|&d| col_of(&nodes[d].id)).collect();
    let root_col = col_of(&nodes[root].id);
    let ranks = res.index_ranks();
    let row_of: Vec<usize> = run.stages.last().map(|s| s.data.units.clone()).unwrap_or_default();
    let names = data.unit_names();
    let units: Vec<UnitRow> = res
        .ranking()
        .into_iter()
        .map(|i| {
            let score = res.index_scores()[i];
            let band = grading.and_then(|g| {
                let b = g.grade(score)?;
                g.bands.iter().position(|x| x.id == b.id)
            });
            let name = names
                .and_then(|n| row_of.get(i).and_then(|&r| n.get(r)))
                .filter(|s| !s.is_empty())
                .cloned();
            UnitRow {
                id: res.unit_ids()[i].clone(),
                name,
                score: finite(score),
                rank: finite(ranks[i]),
                grade: band,
                dims: dim_cols.iter().map(|c| c.and_then(|j| finite(res.scores()[[i, j]]))).collect(),
            }
        })
        .collect();

    let grading_data = grading.map(|g| {
        let n = g.bands.len();
        GradingData {
            name: pick_name(&g.name, lang).unwrap_or_else(|| words::report("grade", lang).to_owned()),
            bands: g
                .bands
                .iter()
                .enumerate()
                .map(|(k, b)| GradeBand {
                    id: b.id.clone(),
                    label: pick_name(&b.name, lang).unwrap_or_else(|| b.id.clone()),
                    min: b.min,
                    color: band_colour(&b.id, k, n),
                })
                .collect(),
        }
    });

    let audit_data = if opts.audit {
        Some(audit_section(fw, data, pipeline, res, lang)?)
    } else {
        None
    };

    let (factors, sobol_factors) = if opts.factors.is_empty() {
        (default_factors(DEFAULT_SPREAD), default_sobol_factors(DEFAULT_SPREAD))
    } else {
        (opts.factors.clone(), opts.factors.clone())
    };
    let docs = |fs: &[Factor]| -> Vec<String> { fs.iter().map(|f| serde_json::to_string(f).unwrap_or_default()).collect() };
    let uncertainty_data = match opts.uncertainty {
        Some(runs) if !factors.is_empty() => {
            let ua = uncertainty(
                fw,
                data,
                pipeline,
                &factors,
                &UncertaintyOptions {
                    runs,
                    seed: opts.seed,
                    ..UncertaintyOptions::default()
                },
                Monitor::default(),
            )?;
            let st = &ua.index;
            let mut order: Vec<usize> = (0..ua.unit_ids.len()).collect();
            order.sort_by(|&a, &b| st.nominal_rank[a].total_cmp(&st.nominal_rank[b]));
            Some(UncertaintyData {
                runs: ua.runs,
                seed: opts.seed,
                factors: docs(&factors),
                units: order
                    .into_iter()
                    .map(|u| UnitInterval {
                        id: ua.unit_ids[u].clone(),
                        nominal: finite(st.nominal_rank[u]),
                        median: finite(st.median[u]),
                        mean: finite(st.mean[u]),
                        p5: finite(st.p5[u]),
                        p95: finite(st.p95[u]),
                    })
                    .collect(),
            })
        }
        _ => None,
    };
    let sensitivity_data = match opts.sensitivity {
        Some(n) if !sobol_factors.is_empty() => {
            let sa = sensitivity(
                fw,
                data,
                pipeline,
                &sobol_factors,
                &SensitivityOptions {
                    n,
                    seed: opts.seed,
                    output: SaOutput::MeanAbsRankShift,
                    bootstrap: Bootstrap {
                        resamples: opts.bootstrap,
                        confidence: 0.95,
                        seed: opts.seed,
                    },
                    chunk: None,
                },
                Monitor::default(),
            )?;
            let ix = &sa.indices;
            Some(SensitivityData {
                n,
                runs: sa.runs,
                seed: opts.seed,
                confidence: 0.95,
                factors: sobol_factors
                    .iter()
                    .enumerate()
                    .map(|(k, f)| FactorRow {
                        id: sa.factors.get(k).cloned().unwrap_or_else(|| f.name().to_owned()),
                        label: factor_label(f, lang),
                        document: serde_json::to_string(f).unwrap_or_default(),
                        first: finite(ix.first[k]),
                        first_lo: finite(ix.first_ci[k].0),
                        first_hi: finite(ix.first_ci[k].1),
                        total: finite(ix.total[k]),
                        total_lo: finite(ix.total_ci[k].0),
                        total_hi: finite(ix.total_ci[k].1),
                    })
                    .collect(),
            })
        }
        _ => None,
    };

    // The bytes `zhili score --stage raw --format csv` writes (the fingerprint's documented source).
    let mut raw_csv = Vec::new();
    if run.stage("raw").is_some() {
        crate::write::ResultsExport::from_run(fw, &run, data, lang)
            .with_stage_sheets(true)
            .write_stage_csv("raw", &mut raw_csv, &crate::write::CsvOptions::default())?;
    }
    let mut log_counts: Vec<(String, String, usize)> = Vec::new();
    for e in &run.log {
        match log_counts.iter_mut().find(|(s, a, _)| *s == e.step && *a == e.action) {
            Some(x) => x.2 += 1,
            None => log_counts.push((e.step.to_string(), e.action.to_string(), 1)),
        }
    }
    let steps = pipeline
        .steps
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.remove("type");
            }
            StepRow {
                step: s.type_name().to_owned(),
                parameters: serde_json::to_string(&v).unwrap_or_default(),
            }
        })
        .collect();

    let title = format!("{} — {}", label(root), words::report("report_title", lang));
    Ok(ReportData {
        lang: lang.code().to_owned(),
        title,
        labels: words::REPORT
            .iter()
            .map(|(k, _, _)| *k)
            .chain(SHARED_WORDS.iter().copied())
            .map(|k| (k.to_owned(), words::report(k, lang).to_owned()))
            .collect(),
        meta: MetaData {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            echarts: crate::assets::ECHARTS_VERSION.to_owned(),
            command: opts.command.clone(),
            fingerprint: crate::report::sha256::sha256_hex(&raw_csv),
            n_units: res.unit_ids().len(),
            n_indicators: fw.indicators().len(),
            framework_source: opts.framework_source.clone(),
            data_source: opts.data_source.clone(),
        },
        index: nodes[root].id.clone(),
        index_label: label(root),
        index_available: root_col.is_some(),
        framework,
        dims: dims.iter().map(|&d| (nodes[d].id.clone(), label(d))).collect(),
        units,
        grading: grading_data,
        audit: audit_data,
        uncertainty: uncertainty_data,
        sensitivity: sensitivity_data,
        method: MethodData {
            steps,
            pipeline_toml: pipeline.to_toml_string().unwrap_or_default(),
            ties: serde_json::to_value(pipeline.ties)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            weights_source: opts
                .weights_source
                .clone()
                .unwrap_or_else(|| lang.pick("指标体系文件中的权重", "the framework's weights").to_owned()),
            log: log_counts,
        },
    })
}

fn pick_name(n: &zhili_core::framework::Name, lang: Lang) -> Option<String> {
    let (a, b) = match lang {
        Lang::Zh => (&n.zh, &n.en),
        Lang::En => (&n.en, &n.zh),
    };
    a.clone().or_else(|| b.clone())
}

/// A band's colour: its own when its id names one (red / yellow / green / orange / blue),
/// else a green (first, highest band) to red (last) scale.
fn band_colour(id: &str, k: usize, n: usize) -> String {
    let named = [
        ("red", "#d9453b"),
        ("orange", "#f08c2e"),
        ("yellow", "#f2c62f"),
        ("green", "#3f9e4d"),
        ("blue", "#3b73c4"),
    ];
    if let Some((_, c)) = named.iter().find(|(name, _)| id.eq_ignore_ascii_case(name)) {
        return (*c).to_owned();
    }
    const SCALE: [&str; 5] = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"];
    let pos = if n <= 1 { 0 } else { k * (SCALE.len() - 1) / (n - 1) };
    SCALE[pos.min(SCALE.len() - 1)].to_owned()
}

fn factor_label(f: &Factor, lang: Lang) -> String {
    match f {
        Factor::Weights { levels, nodes, spread } if nodes.is_empty() && levels.len() <= 1 => {
            let what = match levels.first() {
                Some(l) => words::report("weights_of_level", lang).replace("{}", &l.to_string()),
                None => words::report("weights_all", lang).to_owned(),
            };
            format!("{what} ±{}%", (spread * 100.0).round())
        }
        Factor::Exclude { .. } => words::report("exclude_one", lang).to_owned(),
        other => other.name().to_owned(),
    }
}

fn audit_section(fw: &Framework, data: &Dataset, pipeline: &Pipeline, res: &zhili_core::Results, lang: Lang) -> Result<AuditData> {
    let rep = audit(
        fw,
        data,
        pipeline,
        &AuditOptions {
            remove_one: false,
            ..AuditOptions::default()
        },
    )?;
    let label_of = |id: &str| fw.index_of(id).map_or_else(|| id.to_owned(), |i| lang.node_label(fw, i));
    let stats = rep
        .stats
        .iter()
        .map(|s| {
            let flags: Vec<String> = [
                (s.low_avail, "low_avail"),
                (s.low_nonzero, "low_nonzero"),
                (s.low_unique, "low_unique"),
                (s.outlier, "outlier"),
            ]
            .iter()
            .filter(|x| x.0)
            .map(|x| words::report(x.1, lang).to_owned())
            .collect();
            StatRow {
                id: s.id.clone(),
                label: label_of(&s.id),
                min: finite(s.min),
                max: finite(s.max),
                mean: finite(s.mean),
                sd: finite(s.sd),
                skew: finite(s.skew),
                kurtosis: finite(s.kurtosis),
                available: finite(s.frc_avail),
                flags,
            }
        })
        .collect();
    let flags = rep
        .flags
        .iter()
        .map(|f| FlagRow {
            kind: words::report(
                match f.kind {
                    FlagKind::Collinear => "collinear",
                    FlagKind::NegativeWithParent => "negative_with_parent",
                    FlagKind::Denominator => "denominator",
                },
                lang,
            )
            .to_owned(),
            a: label_of(&f.a),
            b: label_of(&f.b),
            r: finite(f.r),
        })
        .collect();
    let ids: Vec<&str> = fw
        .indicator_ids()
        .into_iter()
        .filter(|id| res.node_ids().iter().any(|n| n == id))
        .collect();
    let m = node_correlations(res, &ids, &ids, Method::Pearson)?;
    let corr = CorrData {
        ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        labels: ids.iter().map(|s| label_of(s)).collect(),
        matrix: m.rows().into_iter().map(|r| r.iter().map(|&v| finite(v)).collect()).collect(),
    };
    let alpha = rep
        .structure
        .iter()
        .map(|s| AlphaRow {
            node: s.node.clone(),
            label: label_of(&s.node),
            children: s.children.len(),
            alpha: finite(s.alpha),
        })
        .collect();
    Ok(AuditData {
        stage: rep.stage.clone(),
        stats,
        flags,
        corr,
        alpha,
    })
}
