//! `zhili validate`: the framework's validation report.

use std::path::PathBuf;
use std::process::ExitCode;

use zhili::io::{load_framework, read_dataset, DataOptions};
use zhili::Error;

/// Options of `zhili validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Framework: a bundled name, or a .toml / .json / COINr iMeta .csv file.
    /// Default: the bundled default framework (as `zhili score`).
    #[arg(long, short)]
    framework: Option<String>,
    /// A data file to check against the framework (columns, numbers): CSV, workbook,
    /// Parquet or Arrow.
    #[arg(long, short)]
    data: Option<PathBuf>,
    /// Unit id column of the data (default: unit, unit_id, uCode, code, id or the first column).
    #[arg(long)]
    unit_column: Option<String>,
    /// Worksheet of a workbook --data (default: the first sheet).
    #[arg(long)]
    sheet: Option<String>,
    /// Text encoding of a CSV --data (default: detected).
    #[arg(long)]
    encoding: Option<String>,
    /// Language of tables: zh or en. Default: the framework's own language, else the system
    /// locale, else English.
    #[arg(long)]
    lang: Option<zhili::io::Lang>,
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    let name = a.framework.clone().unwrap_or_else(|| zhili::indicators::DEFAULT.to_owned());
    let fw = match load_framework(&name) {
        Ok((fw, _)) => fw,
        Err(Error::Framework(problems)) => {
            println!(
                "{} is invalid: {} problem{}",
                name,
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            let lang = zhili::io::Lang::resolve(a.lang, None);
            let mut t = super::table::words(&["node", "problem", "message"], lang);
            for p in &problems {
                let kind = serde_json::to_value(p.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                t.add_row(vec![p.node.clone().unwrap_or_else(|| "-".into()), kind, p.message.clone()]);
            }
            println!("{t}");
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e),
    };
    let n_agg = fw.aggregates_bottom_up().len();
    println!(
        "{}: valid — {} indicators, {} aggregates, {} levels, root `{}`",
        name,
        fw.indicators().len(),
        n_agg,
        fw.max_level(),
        fw.nodes()[fw.root()].id
    );
    if let Some(d) = a.data {
        let opts = DataOptions {
            unit_column: a.unit_column,
            sheet: a.sheet,
            encoding: a.encoding,
            ..DataOptions::default()
        };
        let ds = read_dataset(&d, &fw, &opts)?;
        // Column by column: the columns need not be one matrix.
        let missing: usize = (0..ds.indicator_ids().len())
            .map(|j| ds.column(j).iter().filter(|v| v.is_nan()).count())
            .sum();
        println!(
            "{}: {} units × {} indicators, {} missing values; extra columns: {}",
            d.display(),
            ds.n_units(),
            ds.indicator_ids().len(),
            missing,
            ds.groups()
                .keys()
                .chain(ds.numeric().keys())
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
