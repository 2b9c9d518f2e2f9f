//! Scenario files through zhili-io's writers (the CLI's and Python's): the ranking CSV and the
//! workbook (ranking with grade fills, scores at every node, effective weights, the step log,
//! the framework; zh / en headers; numbers as numbers).

use zhili_io::write::{Columns, CsvOptions, ResultsExport};
use zhili_io::Lang;

use crate::error::{ApiError, ApiResult};
use crate::state::{Base, Scored};

fn export<'a>(base: &'a Base, s: &'a Scored, names: &'a [String], lang: Lang) -> ResultsExport<'a> {
    ResultsExport::new(&s.framework, &s.results, lang)
        .with_log(&s.prepared.log)
        .with_unit_names(base.data.unit_names().is_some().then_some(names))
        .with_grading(Some(&base.grading))
        .with_columns(Columns::All)
}

fn names(s: &Scored) -> Vec<String> {
    s.prepared.names.iter().map(|n| n.clone().unwrap_or_default()).collect()
}

fn writer_error(what: &str, e: &zhili_core::Error) -> ApiError {
    ApiError::internal(format!("cannot write the {what}: {e}"))
}

/// The ranking CSV: unit, name, rank, grade, then every node's score (full precision).
///
/// # Errors
/// The writer's errors (none expected writing to memory).
pub(crate) fn csv(base: &Base, s: &Scored, lang: Lang) -> ApiResult<Vec<u8>> {
    let names = names(s);
    let mut out = Vec::new();
    export(base, s, &names, lang)
        .write_csv(&mut out, &CsvOptions::default())
        .map_err(|e| writer_error("CSV", &e))?;
    Ok(out)
}

/// The workbook.
///
/// # Errors
/// The writer's errors.
pub(crate) fn xlsx(base: &Base, s: &Scored, lang: Lang) -> ApiResult<Vec<u8>> {
    let names = names(s);
    export(base, s, &names, lang).xlsx_bytes().map_err(|e| writer_error("workbook", &e))
}
