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
        lang,
    } = a.inputs.load()?;
    let run = pipeline.run(&fw, &data)?;
    print_warnings(&run.log);

    let format = a.format.unwrap_or(match &a.out {
        None => Format::Table,
        Some(p) if p.extension().is_some_and(|e| e == "json") => Format::Json,
        Some(_) => Format::Csv,
    });
    let text = match (format, a.stage.as_str()) {
        (Format::Table, _) => ranked_table(&fw, &data, &run, grading.as_ref(), a.top, lang)?,
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

fn ranked_table(
    fw: &Framework,
    data: &Dataset,
    run: &Run,
    grading: Option<&GradingSpec>,
    top: Option<usize>,
    lang: io::Lang,
) -> zhili::Result<String> {
    let res = &run.results;
    let root = fw.root();
    let dims: Vec<usize> = fw.nodes()[root].children.clone();
    let word = |id: &str| io::lang::words::get(id, lang).to_owned();
    let mut header = vec![word("rank"), word("unit")];
    let names = data.unit_names();
    if names.is_some() {
        header.push(word("name"));
    }
    let label = |i: usize| lang.node_label(fw, i);
    header.push(label(root));
    // A name in `lang`, else the other language, else `fallback`.
    let pick = |zh: &Option<String>, en: &Option<String>, fallback: String| {
        let (first, second) = match lang {
            io::Lang::Zh => (zh, en),
            io::Lang::En => (en, zh),
        };
        first.clone().or_else(|| second.clone()).unwrap_or(fallback)
    };
    let grades: Option<Vec<String>> = match grading {
        Some(g) => {
            g.check()?;
            header.push(pick(&g.name.zh, &g.name.en, word("grade")));
            let band = |v: f64| {
                g.grade(v)
                    .map_or_else(|| "–".to_owned(), |b| pick(&b.name.zh, &b.name.en, b.id.clone()))
            };
            Some(res.index_scores().iter().map(|&v| band(v)).collect())
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
            row.push(g[i].clone());
        }
        row.extend(dims.iter().map(|&d| fmt(res.scores()[[i, d]])));
        t.add_row(row);
    }
    Ok(format!("{t}\n"))
}
