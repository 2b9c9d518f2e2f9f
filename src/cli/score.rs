//! `zhili score`: run a pipeline and print or write the results.

use std::path::PathBuf;
use std::process::ExitCode;

use super::inputs::{print_warnings, InputArgs, Inputs};
use zhili::indicators::GradingSpec;
use zhili::io;
use zhili::{Dataset, Error, Framework, Run};

/// Options of `zhili score`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: InputArgs,
    /// Which stage to write: raw, denominated, imputed, screened, treated, normalised, aggregated.
    #[arg(long, default_value = "aggregated")]
    stage: String,
    /// Output format (default: table on screen; csv when --out is given, json for a .json file).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    out: Option<PathBuf>,
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
    let Inputs {
        framework: fw,
        data,
        pipeline,
        grading,
        ..
    } = a.inputs.load()?;
    let run = pipeline.run(&fw, &data)?;
    print_warnings(&run.log);

    let format = a.format.unwrap_or(match &a.out {
        None => Format::Table,
        Some(p) if p.extension().is_some_and(|e| e == "json") => Format::Json,
        Some(_) => Format::Csv,
    });
    let text = match (format, a.stage.as_str()) {
        (Format::Table, _) => ranked_table(&fw, &data, &run, grading.as_ref(), a.top)?,
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

fn ranked_table(fw: &Framework, data: &Dataset, run: &Run, grading: Option<&GradingSpec>, top: Option<usize>) -> zhili::Result<String> {
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
    let grades = match grading {
        Some(g) => {
            header.push(g.name.zh.clone().or_else(|| g.name.en.clone()).unwrap_or_else(|| "grade".into()));
            Some(g.to_core().apply(res.index_scores())?)
        }
        None => None,
    };
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
        if let Some(g) = &grades {
            row.push(g.labels[i].clone().unwrap_or_else(|| "–".into()));
        }
        row.extend(dims.iter().map(|&d| fmt(res.scores()[[i, d]])));
        t.add_row(row);
    }
    Ok(format!("{t}\n"))
}
