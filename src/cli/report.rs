//! `zhili report`: one self-contained HTML report (charts, audit, optional uncertainty and
//! sensitivity, the method) that can be e-mailed or printed.

use std::path::PathBuf;
use std::process::ExitCode;

use zhili::io::report::{html_report, ReportInputs, ReportOptions};
use zhili::Error;

use super::inputs::{InputArgs, Inputs};
use super::uncertainty::load_spec;

/// Options of `zhili report`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: InputArgs,
    /// Add rank intervals (5–95 %) from this many Monte Carlo runs.
    #[arg(long, value_name = "RUNS")]
    uncertainty: Option<usize>,
    /// Add Sobol indices from a Saltelli design with this base sample N (N(k + 2) runs).
    #[arg(long, value_name = "N")]
    sensitivity: Option<usize>,
    /// Uncertain factors (analysis document, `[[factors]]`). Default: every weight × U(0.75, 1.25),
    /// one factor per level.
    #[arg(long)]
    factors: Option<PathBuf>,
    /// Seed of the analyses (recorded in the report).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Leave out the statistical audit.
    #[arg(long)]
    no_audit: bool,
    /// The HTML file to write.
    #[arg(long, short)]
    out: PathBuf,
}

/// The command line as typed, for the method section.
fn command_line() -> String {
    std::env::args()
        .map(|a| {
            if !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c)) {
                a
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    let Inputs {
        framework,
        data,
        pipeline,
        grading,
        lang,
    } = a.inputs.load()?;
    let factors = match &a.factors {
        Some(p) => load_spec(p)?.factors,
        None => Vec::new(),
    };
    let fw_name = a.inputs.framework.clone().unwrap_or_else(|| zhili::indicators::DEFAULT.to_owned());
    let opts = ReportOptions {
        lang,
        uncertainty: a.uncertainty,
        sensitivity: a.sensitivity,
        factors,
        seed: a.seed,
        audit: !a.no_audit,
        command: Some(command_line()),
        framework_source: Some(fw_name.clone()),
        data_source: Some(a.inputs.data.as_ref().map_or_else(
            || match &a.inputs.sample {
                Some(s) => match lang {
                    zhili::io::Lang::Zh => format!("内置框架 `{fw_name}` 的样本数据 `{s}`"),
                    zhili::io::Lang::En => format!("bundled sample `{s}` of `{fw_name}`"),
                },
                None => match lang {
                    zhili::io::Lang::Zh => format!("内置框架 `{fw_name}` 的样本数据"),
                    zhili::io::Lang::En => format!("bundled sample data of `{fw_name}`"),
                },
            },
            |p| p.display().to_string(),
        )),
        weights_source: a.inputs.weights.as_ref().map(|w| format!("--weights {}", w.display())),
        ..ReportOptions::default()
    };
    let html = html_report(
        ReportInputs {
            framework: &framework,
            data: &data,
            pipeline: &pipeline,
            grading: grading.as_ref(),
        },
        &opts,
    )?;
    std::fs::write(&a.out, html).map_err(|e| Error::spec("output", format!("cannot write {}: {e}", a.out.display())))?;
    Ok(ExitCode::SUCCESS)
}
