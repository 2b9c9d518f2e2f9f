//! Wide CSV → [`Dataset`]: a unit column, one column per indicator, group and numeric columns.

use std::collections::HashSet;
use std::path::Path;

use ndarray::Array2;
use zhili_core::{Dataset, Error, Framework, Result};

/// How to read a data file. Every field has a sensible default.
#[derive(Debug, Clone, Default)]
pub struct DataOptions {
    /// The unit id column. Default: the first of `unit`, `unit_id`, `uCode`, `code`, `id`
    /// present, else the first column.
    pub unit_column: Option<String>,
    /// The unit name column. Default: `name`, `unit_name` or `uName` if present.
    pub name_column: Option<String>,
    /// The time column (integers, e.g. years). Default: `year` or `Time` if present.
    pub time_column: Option<String>,
}

const UNIT_COLUMNS: &[&str] = &["unit", "unit_id", "uCode", "code", "id"];
const NAME_COLUMNS: &[&str] = &["name", "unit_name", "uName"];
const TIME_COLUMNS: &[&str] = &["year", "Year", "Time", "time"];

/// Read a CSV data file (UTF-8 or GBK / GB18030, detected) for a framework.
///
/// Indicator columns are those named like the framework's indicators and must be
/// numeric (empty, `NA`, `NaN` = missing). Denominator columns the framework names
/// must exist and be numeric. Every other column is kept: numeric ones as numeric
/// columns (usable as denominators), the rest as group columns.
///
/// # Errors
/// [`Error::Parse`] naming file, line and column for a malformed row, a non-numeric
/// indicator value, an empty or duplicate unit id; [`Error::MissingColumn`] for an
/// indicator or denominator the file lacks.
pub fn read_dataset(path: &Path, fw: &Framework, opts: &DataOptions) -> Result<Dataset> {
    let (text, _) = super::read_text(path)?;
    read_dataset_str(&text, &path.display().to_string(), fw, opts)
}

/// As [`read_dataset`], from text already decoded; `file` names the source in errors.
///
/// # Errors
/// As [`read_dataset`].
pub fn read_dataset_str(text: &str, file: &str, fw: &Framework, opts: &DataOptions) -> Result<Dataset> {
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().map_err(|e| csv_error(&e, file))?.iter().map(str::to_owned).collect();
    if header.is_empty() || header.iter().all(String::is_empty) {
        return Err(Error::Empty(format!("{file}: no header row")));
    }
    let mut seen = HashSet::new();
    for h in &header {
        if !seen.insert(h.as_str()) {
            return Err(Error::parse(file, Some(1), Some(h.clone()), "duplicate column name"));
        }
    }
    let find = |name: &str| header.iter().position(|h| h == name);
    let pick = |given: &Option<String>, defaults: &[&str]| -> Result<Option<usize>> {
        match given {
            Some(c) => find(c).map(Some).ok_or_else(|| Error::MissingColumn {
                column: c.clone(),
                needed_by: format!("the data options of {file}"),
            }),
            None => Ok(defaults.iter().find_map(|d| find(d))),
        }
    };
    let unit_col = pick(&opts.unit_column, UNIT_COLUMNS)?.unwrap_or(0);
    let name_col = pick(&opts.name_column, NAME_COLUMNS)?.filter(|&c| c != unit_col);
    let time_col = pick(&opts.time_column, TIME_COLUMNS)?.filter(|&c| c != unit_col);

    // All cells, with their line numbers.
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(&e, file))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        if rec.iter().all(str::is_empty) {
            continue; // blank line, e.g. trailing
        }
        rows.push((line, rec.iter().map(str::to_owned).collect()));
    }
    if rows.is_empty() {
        return Err(Error::Empty(format!("{file}: no data rows")));
    }

    let units: Vec<String> = rows.iter().map(|(_, r)| r[unit_col].clone()).collect();
    let mut unit_seen = HashSet::new();
    for ((line, _), u) in rows.iter().zip(&units) {
        if u.is_empty() {
            return Err(Error::parse(file, Some(*line), Some(header[unit_col].clone()), "empty unit id"));
        }
        if time_col.is_none() && !unit_seen.insert(u.as_str()) {
            return Err(Error::parse(
                file,
                Some(*line),
                Some(header[unit_col].clone()),
                format!("duplicate unit `{u}`"),
            ));
        }
    }

    let numeric = |j: usize, needed: Option<&str>| -> Result<Vec<f64>> {
        rows.iter()
            .map(|(line, r)| {
                parse_cell(&r[j]).ok_or_else(|| {
                    let what = needed.map_or_else(String::new, |n| format!(" ({n})"));
                    Error::parse(
                        file,
                        Some(*line),
                        Some(header[j].clone()),
                        format!("`{}` is not a number{what}", r[j]),
                    )
                })
            })
            .collect()
    };

    let ind_ids = fw.indicator_ids();
    missing_indicators(&ind_ids, &header, file)?;
    let mut values = Array2::from_elem((rows.len(), ind_ids.len()), f64::NAN);
    let mut used: HashSet<usize> = [Some(unit_col), name_col, time_col].into_iter().flatten().collect();
    for (k, id) in ind_ids.iter().enumerate() {
        let j = find(id).ok_or_else(|| Error::MissingColumn {
            column: (*id).to_owned(),
            needed_by: format!("indicator `{id}` of the framework; not in {file}"),
        })?;
        let col = numeric(j, Some(&format!("indicator `{id}`")))?;
        values.column_mut(k).assign(&ndarray::Array1::from(col));
        used.insert(j);
    }
    let ind_ids: Vec<String> = ind_ids.iter().map(|s| (*s).to_owned()).collect();
    let mut ds = match time_col {
        None => Dataset::new(units, ind_ids, values)?,
        Some(c) => {
            let mut time = Vec::with_capacity(rows.len());
            let mut keys = HashSet::new();
            for (line, r) in &rows {
                let t = r[c].parse::<i64>().map_err(|_| {
                    Error::parse(
                        file,
                        Some(*line),
                        Some(header[c].clone()),
                        format!("time `{}` is not an integer", r[c]),
                    )
                })?;
                if !keys.insert((r[unit_col].as_str(), t)) {
                    return Err(Error::parse(
                        file,
                        Some(*line),
                        Some(header[unit_col].clone()),
                        format!("duplicate unit `{}` for time {t}", r[unit_col]),
                    ));
                }
                time.push(t);
            }
            Dataset::panel(units, time, ind_ids, values)?
        }
    };
    if let Some(c) = name_col {
        ds = ds.with_unit_names(rows.iter().map(|(_, r)| r[c].clone()).collect())?;
    }
    // Denominators the framework names must be numeric columns here.
    let mut denoms: Vec<&str> = fw.nodes().iter().filter_map(|n| n.denominator.as_deref()).collect();
    denoms.dedup();
    for d in &denoms {
        let j = find(d).ok_or_else(|| Error::MissingColumn {
            column: (*d).to_owned(),
            needed_by: format!("a denominator in the framework; not in {file}"),
        })?;
        if !used.contains(&j) {
            ds = ds.with_numeric(*d, numeric(j, Some(&format!("denominator `{d}`")))?)?;
            used.insert(j);
        }
    }
    // Every other column is kept: numeric if every cell parses, otherwise a group column.
    for (j, h) in header.iter().enumerate() {
        if used.contains(&j) || h.is_empty() {
            continue;
        }
        match numeric(j, None) {
            Ok(v) if rows.iter().any(|(_, r)| !r[j].is_empty()) => ds = ds.with_numeric(h.clone(), v)?,
            _ => {
                let labels = rows.iter().map(|(_, r)| Some(r[j].clone()).filter(|s| !s.is_empty())).collect();
                ds = ds.with_group(h.clone(), labels)?;
            }
        }
    }
    Ok(ds)
}

/// Every indicator column the file lacks, in one error (the first as the column, all of them,
/// each with the nearest header name as a hint, in the message).
fn missing_indicators(ind_ids: &[&str], header: &[String], file: &str) -> Result<()> {
    let missing: Vec<&str> = ind_ids.iter().copied().filter(|id| !header.iter().any(|h| h == id)).collect();
    let Some(first) = missing.first() else { return Ok(()) };
    let list = missing
        .iter()
        .map(|m| {
            let hint = zhili_core::suggest::did_you_mean(m, header.iter().map(String::as_str));
            if hint.is_empty() {
                format!("`{m}`")
            } else {
                format!("`{m}` ({hint})")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    Err(Error::MissingColumn {
        column: (*first).to_owned(),
        needed_by: format!(
            "indicator `{first}` of the framework; not in {file}, which lacks {} of {} indicator columns: {list}",
            missing.len(),
            ind_ids.len()
        ),
    })
}

/// A cell as a number: empty, `NA`, `NaN`, `#N/A` and `-` are missing (NaN).
fn parse_cell(s: &str) -> Option<f64> {
    match s {
        "" | "NA" | "N/A" | "#N/A" | "NaN" | "nan" | "-" => Some(f64::NAN),
        _ => s.parse::<f64>().ok().filter(|v| v.is_finite()),
    }
}

fn csv_error(e: &csv::Error, file: &str) -> Error {
    let line = e.position().map(|p| p.line() as usize);
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!("row has {len} fields, the header has {expected_len}"),
        _ => e.to_string(),
    };
    Error::parse(file, line, None, msg)
}
