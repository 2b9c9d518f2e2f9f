//! `zhili fit`: fit a pipeline on one dataset and write the fitted pipeline (JSON / TOML),
//! for `zhili score --fitted` on other data.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::inputs::{InputArgs, Inputs};
use super::output;
use zhili::fit::{FitOptions, FittedPipeline};
use zhili::weight::WeightMethod;
use zhili::Error;

/// Options of `zhili fit`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: InputArgs,
    /// Write the fitted pipeline here: .json or .toml.
    #[arg(long, short)]
    out: PathBuf,
    /// Also fit data-driven weights for every sibling group, by a method of the weighting
    /// registry (`zhili methods weighting`).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(WeightMethod::names()))]
    weight_method: Option<String>,
    /// Stage the fitted weights read (default: `imputed` if the pipeline imputes, else `raw`).
    #[arg(long, requires = "weight_method")]
    weight_stage: Option<String>,
}

/// Whether a fitted-pipeline path is TOML (`.toml`) or JSON (`.json`).
pub(crate) fn is_toml(path: &Path) -> zhili::Result<bool> {
    match path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).as_deref() {
        Some("toml") => Ok(true),
        Some("json") => Ok(false),
        _ => Err(Error::spec(
            "arguments",
            format!("{}: a fitted pipeline is a .json or .toml file", path.display()),
        )),
    }
}

/// Read and validate a fitted pipeline (errors name the file).
pub(crate) fn load(path: &Path) -> zhili::Result<FittedPipeline> {
    let toml = is_toml(path)?;
    let (text, _) = zhili::io::read_text(path)?;
    let f = if toml {
        FittedPipeline::from_toml_str(&text)
    } else {
        FittedPipeline::from_json_str(&text)
    };
    f.map_err(|e| Error::spec(format!("fitted pipeline {}", path.display()), e.to_string()))
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    let toml = is_toml(&a.out)?;
    let inputs_used = output::input_paths(&a.inputs);
    let Inputs {
        framework: fw,
        data,
        pipeline,
        ..
    } = a.inputs.load()?;
    let opts = FitOptions {
        weights: a
            .weight_method
            .as_deref()
            .map(|m| {
                WeightMethod::named(m)
                    .ok_or_else(|| Error::spec("arguments", format!("unknown weighting method `{}`", zhili::text::cut(m))))
            })
            .transpose()?,
        weight_stage: a.weight_stage.clone(),
        grading: None,
    };
    let fitted = pipeline.fit_with(&fw, &data, &opts)?;
    let text = if toml { fitted.to_toml_string()? } else { fitted.to_json_string()? };
    let mut files = output::files(&inputs_used, &[]);
    files.write(&a.out, |w: &mut dyn Write| {
        w.write_all(text.as_bytes())
            .map_err(|e| Error::spec("output", format!("cannot write: {e}")))
    })?;
    files.commit()?;
    eprintln!(
        "fitted on {} units → {} ({} steps: {})",
        fitted.fitted_on.units,
        a.out.display(),
        fitted.pipeline.steps.len(),
        fitted.pipeline.steps.iter().map(|s| s.type_name()).collect::<Vec<_>>().join(" → ")
    );
    Ok(ExitCode::SUCCESS)
}
