//! `zhili score`: run a pipeline and print or write the results.

use std::path::PathBuf;
use std::process::ExitCode;

use zhili::io::{self, DataOptions, FrameworkSource};
use zhili::{Dataset, Error, Framework, Pipeline, Run};

/// Options of `zhili score`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Framework: a bundled name (`zhili frameworks`) or a .toml / .json / COINr iMeta .csv file.
    /// Default: the bundled default framework.
    #[arg(long, short)]
    framework: Option<String>,
    /// Data CSV (UTF-8 or GBK). Default: the bundled framework's sample data.
    #[arg(long, short)]
    data: Option<PathBuf>,
    /// Pipeline document (.toml / .json). Default: the bundled framework's pipeline, else
    /// denominate → mean imputation → min-max [0, 100] → arithmetic mean.
    #[arg(long, short)]
    pipeline: Option<PathBuf>,
    /// Weight set overriding the framework's weights (.toml `id = w` or .csv `id,weight`).
    #[arg(long, short)]
    weights: Option<PathBuf>,
    /// Which stage to write: raw, denominated, imputed, screened, treated, normalised, aggregated.
    #[arg(long, default_value = "aggregated")]
    stage: String,
    /// Output format (default: table on screen; csv when --out is given, json for a .json file).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Unit id column of the data.
    #[arg(long)]
    unit_column: Option<String>,
    /// Score only this time period (panel data); default: the latest.
    #[arg(long)]
    year: Option<i64>,
    /// Rows to show in the table (default: all).
    #[arg(long)]
    top: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    let fw_arg = a.framework.clone().unwrap_or_else(|| zhili::indicators::DEFAULT.to_owned());
    let (fw, source) = io::load_framework(&fw_arg)?;
    let bundled = match &source {
        FrameworkSource::Bundled(b) => Some(*b),
        FrameworkSource::File(_) => None,
    };
    let fw = match &a.weights {
        Some(w) => fw.with_weights(io::load_weights(w)?.iter())?,
        None => fw,
    };
    let opts = DataOptions {
        unit_column: a.unit_column.clone(),
        ..DataOptions::default()
    };
    let data = match (&a.data, bundled) {
        (Some(d), _) => io::read_dataset(d, &fw, &opts)?,
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
    let data = select_year(data, a.year)?;
    let pipeline = match (&a.pipeline, bundled.and_then(|b| b.pipeline)) {
        (Some(p), _) => io::load_pipeline(p)?,
        (None, Some(text)) => Pipeline::from_toml_named(text, "bundled pipeline")?,
        (None, None) => Pipeline::default(),
    };
    let run = pipeline.run(&fw, &data)?;
    for e in run.log.iter().filter(|e| e.level == zhili::Level::Warning) {
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

    let format = a.format.unwrap_or(match &a.out {
        None => Format::Table,
        Some(p) if p.extension().is_some_and(|e| e == "json") => Format::Json,
        Some(_) => Format::Csv,
    });
    let text = match (format, a.stage.as_str()) {
        (Format::Table, _) => ranked_table(&fw, &data, &run, a.top),
        (Format::Csv, "aggregated") => io::results_csv(&run.results),
        (Format::Json, "aggregated") => io::results_json(&run.results),
        (Format::Json, _) => {
            return Err(Error::spec(
                "arguments",
                "--format json writes the aggregated stage; use --format csv for other stages",
            ))
        }
        (Format::Csv, name) => {
            let stage = run.stage(name).ok_or_else(|| Error::Unknown {
                what: "stage",
                id: name.to_owned(),
                context: format!("this run has: {}", run.stage_names().join(", ")),
            })?;
            io::stage_csv(stage, &fw, &data)
        }
    };
    match &a.out {
        Some(p) => std::fs::write(p, text).map_err(|e| Error::parse(p.display().to_string(), None, None, format!("cannot write: {e}")))?,
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Panel data: keep one period (the requested one, else the latest).
fn select_year(data: Dataset, year: Option<i64>) -> zhili::Result<Dataset> {
    match (data.time(), year) {
        (None, None) => Ok(data),
        (None, Some(_)) => Err(Error::spec(
            "arguments",
            "--year given but the data has no time column (year / Time)",
        )),
        (Some(t), y) => {
            let y = y.or_else(|| t.iter().max().copied()).unwrap_or_default();
            data.at_time(y)
        }
    }
}

fn ranked_table(fw: &Framework, data: &Dataset, run: &Run, top: Option<usize>) -> String {
    let res = &run.results;
    let root = fw.root();
    let dims: Vec<usize> = fw.nodes()[root].children.clone();
    let mut header = vec!["rank".to_owned(), "unit".to_owned()];
    let names = data.unit_names();
    if names.is_some() {
        header.push("name".into());
    }
    let label = |i: usize| {
        let n = &fw.nodes()[i];
        match (&n.name.zh, &n.name.en) {
            (Some(zh), _) => zh.clone(),
            (None, Some(en)) => en.clone(),
            _ => n.id.clone(),
        }
    };
    header.push(label(root));
    header.extend(dims.iter().map(|&d| label(d)));
    let mut t = super::table::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    let ranks = res.index_ranks();
    let order = res.ranking();
    let row_of: Vec<usize> = run.stages.last().map(|s| s.data.units.clone()).unwrap_or_default();
    for &i in order.iter().take(top.unwrap_or(usize::MAX)) {
        let fmt = |v: f64| if v.is_nan() { "–".to_owned() } else { format!("{v:.2}") };
        let mut row = vec![fmt(ranks[i]).trim_end_matches(".00").to_owned(), res.unit_ids()[i].clone()];
        if let Some(n) = names {
            row.push(n[row_of[i]].clone());
        }
        row.push(fmt(res.scores()[[i, root]]));
        row.extend(dims.iter().map(|&d| fmt(res.scores()[[i, d]])));
        t.add_row(row);
    }
    format!("{t}\n")
}
