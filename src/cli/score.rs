//! `zhili score`: run a pipeline and print or write the results.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::inputs::{print_warnings, InputArgs, Inputs};
use super::output;
use zhili::io;
use zhili::{Dataset, Error, Framework, Run};

/// Options of `zhili score`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: InputArgs,
    /// A fitted pipeline from `zhili fit` (.json / .toml): score --data with its framework,
    /// frozen pipeline and weights (the parameters of the data it was fitted on).
    #[arg(long, conflicts_with_all = ["framework", "pipeline", "weights", "sample"], requires = "data")]
    fitted: Option<PathBuf>,
    /// Which stage to write: raw, denominated, imputed, screened, treated, normalised, aggregated
    /// (CSV only; the workbook takes every stage with --stage-sheets).
    #[arg(long, default_value = "aggregated")]
    stage: String,
    /// Output format. Default: a table on screen; with --out, from the file's extension
    /// (.csv, .json, .xlsx, .parquet, .arrow / .feather). An extension that names another format is an error.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write to this file instead of standard output (written whole or not at all; never
    /// over an input file).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Only the best N units, in every format.
    #[arg(long)]
    top: Option<usize>,
    /// Score columns of CSV / JSON: `default` (unit, name, rank, grade, the index and the
    /// aggregate nodes) or `all` (every node, including normalised indicators).
    #[arg(long, default_value = "default")]
    columns: io::Columns,
    /// CSV without the UTF-8 byte order mark. By default CSV starts with a BOM so that Excel
    /// (also on a Chinese Windows) reads it as UTF-8, not as GBK.
    #[arg(long)]
    no_bom: bool,
    /// Workbook (xlsx): add one sheet per pipeline stage.
    #[arg(long)]
    stage_sheets: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
    Xlsx,
    /// Apache Parquet: the CSV's columns, scores as Float64.
    Parquet,
    /// Arrow IPC file (Feather v2): the CSV's columns, scores as Float64.
    Arrow,
}

/// The format an output file's extension names, if it names one zhili knows.
fn format_of(path: &Path) -> zhili::Result<Option<Format>> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    Ok(match ext.as_str() {
        "csv" => Some(Format::Csv),
        "json" => Some(Format::Json),
        "xlsx" => Some(Format::Xlsx),
        "parquet" => Some(Format::Parquet),
        "arrow" | "feather" | "ipc" => Some(Format::Arrow),
        "txt" | "" => None,
        "xls" | "xlsm" | "ods" | "tsv" => {
            return Err(Error::spec(
                "arguments",
                format!(
                    "--out {}: zhili score does not write .{ext}; use .csv, .json, .xlsx, .parquet or .arrow",
                    path.display()
                ),
            ))
        }
        _ => None,
    })
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    let from_ext = match &a.out {
        Some(p) => format_of(p)?,
        None => None,
    };
    let format = match (a.format, from_ext, &a.out) {
        (Some(f), Some(e), Some(p)) if f != e => {
            return Err(Error::spec(
                "arguments",
                format!(
                    "--format {} does not match --out {} (a .{} file); change one of them",
                    format!("{f:?}").to_lowercase(),
                    p.display(),
                    format!("{e:?}").to_lowercase()
                ),
            ))
        }
        (Some(f), _, _) => f,
        (None, Some(e), _) => e,
        (None, None, Some(_)) => Format::Csv,
        (None, None, None) => Format::Table,
    };
    if a.stage != "aggregated" && matches!(format, Format::Json | Format::Xlsx | Format::Parquet | Format::Arrow) {
        return Err(Error::spec(
            "arguments",
            "--format json, xlsx, parquet and arrow write the aggregated stage; use --format csv for other stages (xlsx: --stage-sheets)",
        ));
    }
    let inputs_used = output::input_paths(&a.inputs);
    let Inputs {
        framework: fw,
        data,
        pipeline,
        grading,
        lang,
    } = match &a.fitted {
        Some(f) => a.inputs.load_fitted(&super::fit::load(f)?)?,
        None => a.inputs.load()?,
    };
    // Only a stage CSV and the workbook's stage sheets need the stages: otherwise stream the
    // columns through the steps (the same results bit for bit, without six matrices of data).
    // The normalised indicators' scores are kept only for an export that may show them
    // (`--columns all`, the workbook's scores sheet, the screen table, whose columns are the
    // root's children): the default columns are the aggregates, and a units × every-node
    // matrix costs more than the scoring itself.
    let stages_needed = a.stage != "aggregated" || (format == Format::Xlsx && a.stage_sheets);
    let every_node = a.columns == io::Columns::All || matches!(format, Format::Xlsx | Format::Table);
    let run = if stages_needed {
        pipeline.run(&fw, &data)?
    } else if every_node {
        pipeline.score_every_node(&fw, &data)?
    } else {
        pipeline.score(&fw, &data)?
    };
    print_warnings(&run.log);

    let export = io::ResultsExport::from_run(&fw, &run, &data, lang)
        .with_grading(grading.as_ref())
        .with_columns(a.columns)
        .with_top(a.top);
    if format == Format::Table {
        let text = ranked_table(&fw, &data, &run, &export)?;
        return emit(a.out.as_deref(), &inputs_used, |w| {
            w.write_all(text.as_bytes())
                .map_err(|e| Error::spec("output", format!("cannot write: {e}")))
        });
    }
    if run.stage(&a.stage).is_none() && a.stage != "aggregated" {
        return Err(Error::Unknown {
            what: "stage",
            id: a.stage.clone(),
            context: format!("this run has: {}", run.stage_names().join(", ")),
        });
    }
    let csv = io::CsvOptions {
        bom: !a.no_bom,
        ..io::CsvOptions::default()
    };
    let export = export.with_stage_sheets(a.stage_sheets || format == Format::Csv);
    emit(a.out.as_deref(), &inputs_used, |w| match format {
        Format::Csv if a.stage == "aggregated" => export.write_csv(w, &csv),
        Format::Csv => export.write_stage_csv(&a.stage, w, &csv),
        Format::Json => export.write_json(w),
        Format::Parquet => export.write_parquet(w),
        Format::Arrow => export.write_arrow(w),
        _ => {
            let bytes = export.xlsx_bytes()?;
            w.write_all(&bytes).map_err(|e| Error::spec("output", format!("cannot write: {e}")))
        }
    })
}

/// Write to `out` (atomically, never over an input) or to standard output.
fn emit(out: Option<&Path>, inputs: &[PathBuf], write: impl FnOnce(&mut dyn Write) -> zhili::Result<()>) -> zhili::Result<ExitCode> {
    match out {
        Some(p) => {
            let mut files = output::files(inputs, &[]);
            files.write(p, write)?;
            files.commit()?;
        }
        None => output::to_stdout(write)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn ranked_table(fw: &Framework, data: &Dataset, run: &Run, x: &io::ResultsExport<'_>) -> zhili::Result<String> {
    let grading = x.grading();
    let lang = x.lang();
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
    let grades = match grading {
        Some(g) => {
            header.push(lang.name(&g.name).map_or_else(|| word("grade"), str::to_owned));
            Some(x.table())
        }
        None => None,
    };
    header.extend(dims.iter().map(|&d| label(d)));
    let mut t = super::table::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    // Order, ranks and grades as every export writes them.
    let ranked = x.table();
    let (ranks, order) = (&ranked.ranks, &ranked.order);
    let row_of = io::write::result_rows(run, data.unit_ids());
    for &i in order {
        let fmt = |v: f64| if v.is_nan() { "–".to_owned() } else { format!("{v:.2}") };
        let mut row = vec![fmt(ranks[i]).trim_end_matches(".00").to_owned(), res.unit_ids()[i].clone()];
        if let Some(n) = names {
            row.push(n[row_of[i]].clone());
        }
        row.push(fmt(res.scores()[[i, root]]));
        if let Some(g) = &grades {
            row.push(
                g.band(grading, i)
                    .map_or_else(|| "–".into(), |(_, b)| io::write::band_label(b, x.lang()).to_owned()),
            );
        }
        row.extend(dims.iter().map(|&d| fmt(res.scores()[[i, d]])));
        t.add_row(row);
    }
    Ok(format!("{t}\n"))
}
