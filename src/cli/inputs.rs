//! The inputs every scoring subcommand shares: framework, data, pipeline, weights.

use std::path::PathBuf;

use zhili::indicators::GradingSpec;
use zhili::io::{self, DataOptions, FrameworkSource};
use zhili::{Dataset, Error, Framework, Pipeline};

/// Where the framework, data, pipeline and weights come from.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct InputArgs {
    /// Framework: a bundled name (`zhili frameworks`) or a .toml / .json / COINr iMeta .csv file.
    /// Default: the bundled default framework.
    #[arg(long, short)]
    pub(crate) framework: Option<String>,
    /// Data file: CSV (encoding detected), .xlsx / .xls / .ods, .parquet, or .arrow /
    /// .feather. Default: the bundled framework's sample data.
    #[arg(long, short)]
    pub(crate) data: Option<PathBuf>,
    /// Worksheet of a workbook --data (default: the first sheet).
    #[arg(long)]
    pub(crate) sheet: Option<String>,
    /// Text encoding of a CSV --data (utf-8, gbk, gb18030, utf-16le, utf-16be, latin1, ...);
    /// default: detected, refusing a guess without enough evidence.
    #[arg(long)]
    pub(crate) encoding: Option<String>,
    /// Pipeline document (.toml / .json). Default: the bundled framework's pipeline, else
    /// denominate → mean imputation → min-max [0, 100] → arithmetic mean.
    #[arg(long, short)]
    pub(crate) pipeline: Option<PathBuf>,
    /// Weight set overriding the framework's weights (.toml `id = w` or .csv `id,weight`).
    #[arg(long, short)]
    pub(crate) weights: Option<PathBuf>,
    /// Unit id column of the data.
    #[arg(long)]
    pub(crate) unit_column: Option<String>,
    /// Score only this time period (panel data); default: the latest.
    #[arg(long)]
    pub(crate) year: Option<i64>,
    /// Another bundled sample of the framework (e.g. `yunnan-129` for `kunming-county`).
    #[arg(long)]
    pub(crate) sample: Option<String>,
    /// Grading bands for the index (TOML, see indicators/frameworks/*.grading.toml).
    /// Default: the bundled framework's grading, if any.
    #[arg(long)]
    pub(crate) grading: Option<PathBuf>,
    /// Language of tables, headers and reports: zh or en. Default: the framework's own
    /// language, else the system locale, else English.
    #[arg(long)]
    pub(crate) lang: Option<io::Lang>,
}

/// Loaded, validated inputs.
pub(crate) struct Inputs {
    pub(crate) framework: Framework,
    pub(crate) data: Dataset,
    pub(crate) pipeline: Pipeline,
    pub(crate) grading: Option<GradingSpec>,
    /// The display language (resolved: flag, framework, locale, English).
    pub(crate) lang: io::Lang,
}

impl InputArgs {
    /// Load everything, with the bundled defaults where an argument is absent.
    pub(crate) fn load(&self) -> zhili::Result<Inputs> {
        let mut inputs = self.load_panel()?;
        inputs.data = for_year(inputs.data, self.year)?;
        Ok(inputs)
    }

    /// The inputs of `zhili score --fitted`: the fitted pipeline's framework (with its
    /// weights) and frozen pipeline, `--data` read against that framework.
    pub(crate) fn load_fitted(&self, fitted: &zhili::fit::FittedPipeline) -> zhili::Result<Inputs> {
        let fw = fitted.framework()?;
        let data = self
            .data
            .as_ref()
            .ok_or_else(|| Error::spec("arguments", "--fitted needs --data (the data to score)"))?;
        let opts = DataOptions {
            unit_column: self.unit_column.clone(),
            sheet: self.sheet.clone(),
            encoding: self.encoding.clone(),
            ..DataOptions::default()
        };
        let data = for_year(io::read_dataset(data, &fw, &opts)?, self.year)?;
        let grading = match &self.grading {
            Some(g) => {
                let (text, _) = io::read_text(g)?;
                Some(GradingSpec::from_toml_str(&text, &g.display().to_string())?)
            }
            None => None,
        };
        Ok(Inputs {
            lang: io::Lang::resolve(self.lang, Some(&fw)),
            framework: fw,
            data,
            pipeline: fitted.pipeline.clone(),
            grading,
        })
    }

    /// As [`InputArgs::load`], keeping every period of panel data (`--year` is not applied).
    pub(crate) fn load_panel(&self) -> zhili::Result<Inputs> {
        let fw_arg = self.framework.clone().unwrap_or_else(|| zhili::indicators::DEFAULT.to_owned());
        let (fw, source) = io::load_framework(&fw_arg)?;
        let bundled = match &source {
            FrameworkSource::Bundled(b) => Some(*b),
            FrameworkSource::File(_) => None,
        };
        let fw = match &self.weights {
            Some(w) => io::apply_weights(&fw, w)?,
            None => fw,
        };
        let opts = DataOptions {
            unit_column: self.unit_column.clone(),
            sheet: self.sheet.clone(),
            encoding: self.encoding.clone(),
            ..DataOptions::default()
        };
        let data = match (&self.data, bundled) {
            (Some(d), _) => io::read_dataset(d, &fw, &opts)?,
            (None, Some(b)) if self.sample.is_some() => {
                let name = self.sample.as_deref().unwrap_or_default();
                let sample = b.datasets.iter().find(|s| s.name == name).ok_or_else(|| Error::Unknown {
                    what: "sample",
                    id: name.to_owned(),
                    context: format!(
                        "`{}` has: {}",
                        b.name,
                        b.datasets.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
                    ),
                })?;
                sample.load()?
            }
            (None, Some(b)) => {
                let text = b.data.ok_or_else(|| {
                    Error::spec(
                        "arguments",
                        format!("bundled framework `{}` has no sample data: pass --data", b.name),
                    )
                })?;
                let opts = DataOptions {
                    unit_column: Some(b.unit_column.to_owned()),
                    ..opts
                };
                io::read_dataset_str(text, &format!("bundled data of `{}`", b.name), &fw, &opts)?
            }
            (None, None) => return Err(Error::spec("arguments", "--data is required with a framework file")),
        };
        let pipeline = match (&self.pipeline, bundled.and_then(|b| b.pipeline)) {
            (Some(p), _) => io::load_pipeline(p)?,
            (None, Some(text)) => Pipeline::from_toml_named(text, "bundled pipeline")?,
            (None, None) => Pipeline::default(),
        };
        let grading = match (&self.grading, bundled) {
            (Some(g), _) => {
                let (text, _) = io::read_text(g)?;
                Some(GradingSpec::from_toml_str(&text, &g.display().to_string())?)
            }
            (None, Some(b)) => b.grading()?,
            (None, None) => None,
        };
        let lang = io::Lang::resolve(self.lang, Some(&fw));
        Ok(Inputs {
            lang,
            framework: fw,
            data,
            pipeline,
            grading,
        })
    }
}

/// Print the run's warnings to standard error.
pub(crate) fn print_warnings(log: &[zhili::LogEntry]) {
    for e in log.iter().filter(|e| e.level == zhili::Level::Warning) {
        let at = [e.unit.as_deref(), e.indicator.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" / ");
        eprintln!(
            "warning [{}] {}{}: {}",
            e.step,
            e.action,
            if at.is_empty() { String::new() } else { format!(" ({at})") },
            e.detail
        );
    }
}

/// The data of one time period (`Dataset::select_year`); data without a time column and no
/// year asked is moved through as it is, not copied (a second matrix of 1,000,000 units).
fn for_year(data: Dataset, year: Option<i64>) -> zhili::Result<Dataset> {
    if data.time().is_none() && year.is_none() {
        return Ok(data);
    }
    data.select_year(year)
}
