//! The one place where a table's header becomes roles (unit, name, time, indicator,
//! denominator, other columns) and parsed columns become a [`Dataset`], so every
//! source (CSV, Excel, Parquet, Arrow) gets the same column rules and the same errors.

use std::collections::{HashMap, HashSet};

use ndarray::Array2;
use zhili_core::{Dataset, Error, Framework, Result, SharedColumn};

use super::DataOptions;

const UNIT_COLUMNS: &[&str] = &["unit", "unit_id", "uCode", "code", "id"];
const NAME_COLUMNS: &[&str] = &["name", "unit_name", "uName"];
const TIME_COLUMNS: &[&str] = &["year", "Year", "Time", "time"];

/// Without a unit column by a known name, the first column holds the unit ids — unless the
/// framework reads it (an indicator or a denominator): that is data without unit ids, refused
/// rather than scored with indicator values as ids.
fn first_column_as_unit(header: &[String], fw: &Framework, file: &str) -> Result<usize> {
    let first = header.first().map(String::as_str).unwrap_or_default();
    let used = fw.indicator_ids().contains(&first) || fw.nodes().iter().any(|n| n.denominator.as_deref() == Some(first));
    if !used {
        return Ok(0);
    }
    Err(Error::MissingColumn {
        column: "unit".into(),
        needed_by: format!(
            "the unit ids of {file}: looked for a column named {}, and the first column `{}` is an indicator of the \
             framework; name the unit column with --unit-column NAME (Python: unit=\"NAME\") or add one · \
             数据缺少单位列（查找了 {}），第一列 `{}` 是指标；请用 --unit-column 指定单位列",
            UNIT_COLUMNS.join(", "),
            zhili_core::text::cut(first),
            UNIT_COLUMNS.join(", "),
            zhili_core::text::cut(first),
        ),
    })
}

/// What a column of the source is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The unit id column.
    Unit,
    /// Unit display names.
    Name,
    /// Time periods (integers).
    Time,
    /// The framework indicator with this index (framework order).
    Indicator(usize),
    /// The denominator with this index in [`Layout::denominators`].
    Denominator(usize),
    /// Any other column, index into [`Layout::others`]: numeric if every cell is a number.
    Other(usize),
    /// A column with an empty header: skipped.
    Skipped,
}

/// The header resolved into roles.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Column names as in the source (trimmed, U+FEFF removed).
    pub(crate) header: Vec<String>,
    /// One role per column.
    pub(crate) roles: Vec<Role>,
    /// Framework indicator ids, in framework order.
    pub(crate) indicators: Vec<String>,
    /// Denominator names with their column (those not already an indicator column).
    pub(crate) denominators: Vec<(String, usize)>,
    /// Other columns, in source order.
    pub(crate) others: Vec<usize>,
    /// The unit column.
    pub(crate) unit: usize,
    /// The name column.
    pub(crate) name: Option<usize>,
    /// The time column.
    pub(crate) time: Option<usize>,
}

impl Layout {
    /// Resolve a header against a framework. Linear in the number of columns.
    ///
    /// # Errors
    /// [`Error::Empty`] for an empty header; [`Error::Parse`] for a duplicate column name
    /// (`at_header` gives the line or row of the header); [`Error::MissingColumn`] for a
    /// requested column, an indicator or a denominator the source lacks.
    pub(crate) fn resolve(
        header: Vec<String>,
        mode: Mode<'_>,
        opts: &DataOptions,
        file: &str,
        at_header: &dyn Fn(&str) -> Error,
    ) -> Result<Layout> {
        if header.is_empty() || header.iter().all(String::is_empty) {
            return Err(Error::Empty(format!("{file}: no header row")));
        }
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(header.len());
        for (j, h) in header.iter().enumerate() {
            if index.insert(h.as_str(), j).is_some() && !h.is_empty() {
                return Err(at_header(h));
            }
        }
        let find = |name: &str| index.get(name).copied();
        let fw = match mode {
            Mode::Dataset(fw) => fw,
            Mode::Table => return Ok(Layout::table(header)),
        };
        let pick = |given: &Option<String>, defaults: &[&str]| -> Result<Option<usize>> {
            match given {
                Some(c) => find(c).map(Some).ok_or_else(|| Error::MissingColumn {
                    column: c.clone(),
                    needed_by: format!("the data options of {file}"),
                }),
                None => Ok(defaults.iter().find_map(|d| find(d))),
            }
        };
        let unit = match pick(&opts.unit_column, UNIT_COLUMNS)? {
            Some(c) => c,
            None => first_column_as_unit(&header, fw, file)?,
        };
        let name = pick(&opts.name_column, NAME_COLUMNS)?.filter(|&c| c != unit);
        let time = pick(&opts.time_column, TIME_COLUMNS)?.filter(|&c| c != unit);
        let mut roles = vec![Role::Skipped; header.len()];
        roles[unit] = Role::Unit;
        if let Some(c) = name {
            roles[c] = Role::Name;
        }
        if let Some(c) = time {
            roles[c] = Role::Time;
        }
        missing_indicators(&fw.indicator_ids(), &header, &find, file)?;
        let indicators: Vec<String> = fw.indicator_ids().iter().map(|s| (*s).to_owned()).collect();
        for (k, id) in indicators.iter().enumerate() {
            let j = find(id).ok_or_else(|| Error::MissingColumn {
                column: id.clone(),
                needed_by: format!("indicator `{id}` of the framework; not in {file}"),
            })?;
            roles[j] = Role::Indicator(k);
        }
        let mut denominators: Vec<(String, usize)> = Vec::new();
        let mut seen = HashSet::new();
        for d in fw.nodes().iter().filter_map(|n| n.denominator.as_deref()) {
            if !seen.insert(d) {
                continue;
            }
            let j = find(d).ok_or_else(|| Error::MissingColumn {
                column: d.to_owned(),
                needed_by: format!("a denominator in the framework; not in {file}"),
            })?;
            if roles[j] == Role::Skipped {
                roles[j] = Role::Denominator(denominators.len());
                denominators.push((d.to_owned(), j));
            }
        }
        let mut others = Vec::new();
        for (j, h) in header.iter().enumerate() {
            if roles[j] == Role::Skipped && !h.is_empty() {
                roles[j] = Role::Other(others.len());
                others.push(j);
            }
        }
        Ok(Layout {
            header,
            roles,
            indicators,
            denominators,
            others,
            unit,
            name,
            time,
        })
    }

    /// Every named column an other column (a plain table, no framework).
    fn table(header: Vec<String>) -> Layout {
        let mut others = Vec::new();
        let roles = header
            .iter()
            .enumerate()
            .map(|(j, h)| {
                if h.is_empty() {
                    Role::Skipped
                } else {
                    others.push(j);
                    Role::Other(others.len() - 1)
                }
            })
            .collect();
        Layout {
            header,
            roles,
            indicators: Vec::new(),
            denominators: Vec::new(),
            others,
            unit: usize::MAX,
            name: None,
            time: None,
        }
    }

    /// Whether column `j` must hold numbers (an indicator or a denominator).
    pub(crate) fn numeric_role(&self, j: usize) -> Option<String> {
        match self.roles[j] {
            Role::Indicator(k) => Some(format!("indicator `{}`", self.indicators[k])),
            Role::Denominator(d) => Some(format!("denominator `{}`", self.denominators[d].0)),
            _ => None,
        }
    }
}

/// What a source is read into.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode<'a> {
    /// A dataset for this framework.
    Dataset(&'a Framework),
    /// A plain table of every column.
    Table,
}

/// What a source was read into.
#[derive(Debug)]
pub(crate) enum Output {
    /// For [`Mode::Dataset`].
    Dataset(Dataset),
    /// For [`Mode::Table`].
    Table(Table),
}

/// A plain table: every named column, numbers where every cell is one.
#[derive(Debug, Clone)]
pub struct Table {
    /// Column names and columns, in source order.
    pub columns: Vec<(String, Column)>,
}

impl Table {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| match c {
            Column::Numbers(v) => v.len(),
            Column::Text(v) => v.len(),
        })
    }
}

/// A column of a [`Table`] (and an extra column of a dataset), as the source read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers (the source knew the type, or every cell was a number; NaN = missing).
    Numbers(Vec<f64>),
    /// Text; `None` = an empty cell.
    Text(Vec<Option<String>>),
}

pub(crate) use Column as OtherColumn;

/// Finish a read: a dataset (see [`assemble`]) or a plain table.
///
/// # Errors
/// As [`assemble`]; a table without rows is [`Error::Empty`].
pub(crate) fn finish(mode: Mode<'_>, layout: &Layout, p: Parsed, file: &str, loc: &dyn Locate) -> Result<Output> {
    match mode {
        Mode::Dataset(_) => assemble(layout, p, file, loc).map(Output::Dataset),
        Mode::Table => {
            if p.n_bad > 0 {
                return Err(bad_cells(layout, p.bad, p.n_bad, loc));
            }
            let columns: Vec<(String, Column)> = layout
                .others
                .iter()
                .zip(p.others)
                .map(|(&j, c)| (layout.header[j].clone(), c))
                .collect();
            let t = Table { columns };
            if t.n_rows() == 0 {
                return Err(Error::Empty(format!("{file}: no data rows")));
            }
            Ok(Output::Table(t))
        }
    }
}

/// A cell that is not what its column needs.
#[derive(Debug, Clone)]
pub(crate) struct BadCell {
    /// Data row (0-based, in source order).
    pub(crate) row: usize,
    /// Source column.
    pub(crate) col: usize,
    /// What is wrong, e.g. "`x` is not a number".
    pub(crate) message: String,
}

/// Where a row and column are, in the words of the source (line or sheet row).
pub(crate) trait Locate {
    /// An error at data row `row` (0-based) and column `col` of the source.
    fn at(&self, row: usize, col: Option<usize>, header: &[String], message: String) -> Error;
}

/// Indicator values as a source parsed them (NaN = missing).
pub(crate) enum Values {
    /// Units × indicators, column-major.
    Matrix(Array2<f64>),
    /// The indicator columns in indicator order, kept by the dataset as they are: a
    /// columnar source decodes each column into its own buffer (no matrix filled first); a
    /// CSV matrix sized for more rows than it got keeps its columns where they lie.
    Columns(Vec<SharedColumn>),
}

impl std::fmt::Debug for Values {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Values::Matrix(m) => f.debug_tuple("Matrix").field(&m.dim()).finish(),
            Values::Columns(c) => f.debug_tuple("Columns").field(&c.len()).finish(),
        }
    }
}

impl Values {
    /// The dataset of these values (see [`Dataset::panel`] and [`Dataset::from_columns`]).
    fn dataset(self, units: Vec<String>, time: Option<Vec<i64>>, ids: Vec<String>) -> Result<Dataset> {
        match (self, time) {
            (Values::Matrix(m), None) => Dataset::new(units, ids, m),
            (Values::Matrix(m), Some(t)) => Dataset::panel(units, t, ids, m),
            (Values::Columns(cols), None) => Dataset::from_columns(units, ids, cols),
            (Values::Columns(cols), Some(t)) => Dataset::panel_from_columns(units, t, ids, cols),
        }
    }
}

/// The columns a source parsed, by role.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// Units × indicators, NaN = missing.
    pub(crate) values: Values,
    /// One per [`Layout::denominators`].
    pub(crate) denominators: Vec<Vec<f64>>,
    /// One per [`Layout::others`].
    pub(crate) others: Vec<OtherColumn>,
    /// Unit ids.
    pub(crate) units: Vec<String>,
    /// Unit names.
    pub(crate) names: Option<Vec<String>>,
    /// Time cells as text (an integer is expected).
    pub(crate) time: Option<Vec<String>>,
    /// Bad cells found while parsing (at most [`MAX_BAD`] kept) and how many there were.
    pub(crate) bad: Vec<BadCell>,
    /// Total number of bad cells.
    pub(crate) n_bad: usize,
}

/// Bad cells kept for the error message; the rest are counted.
pub(crate) const MAX_BAD: usize = 8;

/// Build the dataset: report bad cells (all of them together, the first ones named),
/// empty and duplicate unit ids, non-integer times; attach names, denominators and
/// other columns.
///
/// # Errors
/// As [`super::read_dataset`].
pub(crate) fn assemble(layout: &Layout, p: Parsed, file: &str, loc: &dyn Locate) -> Result<Dataset> {
    let h = &layout.header;
    if p.units.is_empty() {
        return Err(Error::Empty(format!("{file}: no data rows")));
    }
    for (row, u) in p.units.iter().enumerate() {
        if u.is_empty() {
            return Err(loc.at(row, Some(layout.unit), h, "empty unit id".into()));
        }
    }
    if p.time.is_none() {
        let mut seen: HashSet<&str, foldhash::fast::RandomState> = HashSet::default();
        seen.reserve(p.units.len());
        for (row, u) in p.units.iter().enumerate() {
            if !seen.insert(u.as_str()) {
                return Err(loc.at(row, Some(layout.unit), h, format!("duplicate unit `{}`", zhili_core::text::cut(u))));
            }
        }
    }
    if p.n_bad > 0 {
        return Err(bad_cells(layout, p.bad, p.n_bad, loc));
    }
    let mut ds = match (&p.time, layout.time) {
        (Some(cells), Some(c)) => {
            let mut time = Vec::with_capacity(cells.len());
            let mut keys = HashSet::with_capacity(cells.len());
            for (row, t) in cells.iter().enumerate() {
                let v = t
                    .parse::<i64>()
                    .map_err(|_| loc.at(row, Some(c), h, format!("time `{}` is not an integer", zhili_core::text::cut(t))))?;
                if !keys.insert((p.units[row].as_str(), v)) {
                    let u = &p.units[row];
                    return Err(loc.at(
                        row,
                        Some(layout.unit),
                        h,
                        format!("duplicate unit `{}` for time {v}", zhili_core::text::cut(u)),
                    ));
                }
                time.push(v);
            }
            p.values.dataset(p.units, Some(time), layout.indicators.clone())?
        }
        _ => p.values.dataset(p.units, None, layout.indicators.clone())?,
    };
    if let Some(names) = p.names {
        ds = ds.with_unit_names(names)?;
    }
    for ((name, _), v) in layout.denominators.iter().zip(p.denominators) {
        ds = ds.with_numeric(name.clone(), v)?;
    }
    for (&j, col) in layout.others.iter().zip(p.others) {
        ds = match col {
            OtherColumn::Numbers(v) => ds.with_numeric(h[j].clone(), v)?,
            OtherColumn::Text(v) => ds.with_group(h[j].clone(), v)?,
        };
    }
    Ok(ds)
}

/// One error for every bad cell: the first (in framework order of the columns, then
/// row order) is the location, the next few are listed, the rest counted.
fn bad_cells(layout: &Layout, mut bad: Vec<BadCell>, n_bad: usize, loc: &dyn Locate) -> Error {
    let order = |c: &BadCell| match layout.roles[c.col] {
        Role::Indicator(k) => (0, k, c.row),
        Role::Denominator(d) => (1, d, c.row),
        _ => (2, c.col, c.row),
    };
    bad.sort_by_key(order);
    let first = &bad[0];
    let what = layout.numeric_role(first.col).map_or_else(String::new, |w| format!(" ({w})"));
    let mut message = format!("{}{what}", first.message);
    let rest: Vec<String> = bad[1..]
        .iter()
        .map(|b| loc.at(b.row, Some(b.col), &layout.header, b.message.clone()).to_string())
        .collect();
    if !rest.is_empty() || n_bad > bad.len() {
        message.push_str(&format!("; {} bad cells in all", n_bad));
        for r in rest {
            message.push_str("\n  also ");
            message.push_str(&r);
        }
        if n_bad > bad.len() {
            message.push_str(&format!("\n  and {} more", n_bad - bad.len()));
        }
    }
    loc.at(first.row, Some(first.col), &layout.header, message)
}

/// Missing-value tokens, matched on bytes (after trimming).
pub(crate) fn is_missing_token(b: &[u8]) -> bool {
    matches!(b, b"" | b"NA" | b"N/A" | b"#N/A" | b"NaN" | b"nan" | b"-")
}

/// A cell of text as a number: a missing token is NaN; otherwise a finite decimal
/// number (`fast-float2`), else `None`. A leading U+FEFF is ignored.
pub(crate) fn parse_number(b: &[u8]) -> Option<f64> {
    if is_missing_token(b) {
        return Some(f64::NAN);
    }
    match fast_float2::parse::<f64, _>(b) {
        Ok(v) if v.is_finite() => Some(v),
        Ok(_) => None,
        Err(_) => {
            let s = std::str::from_utf8(b).ok()?;
            let t = s.trim_start_matches('\u{FEFF}').trim();
            if t.len() == s.len() {
                return None;
            }
            parse_number(t.as_bytes())
        }
    }
}

/// Text of a cell: trimmed (Unicode white space) and without a leading U+FEFF.
pub(crate) fn clean_text(s: &str) -> &str {
    s.trim().trim_start_matches('\u{FEFF}').trim()
}

/// Excel-style column letters: 0 → A, 25 → Z, 26 → AA.
pub(crate) fn column_letter(mut j: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (j % 26) as u8);
        if j < 26 {
            break;
        }
        j = j / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Every indicator column the source lacks, in one error (the first as the column, all of them,
/// each with the nearest header name as a hint, in the message).
fn missing_indicators(ind_ids: &[&str], header: &[String], find: &dyn Fn(&str) -> Option<usize>, file: &str) -> Result<()> {
    let missing: Vec<&str> = ind_ids.iter().copied().filter(|id| find(id).is_none()).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(5), "F");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn numbers_and_missing_tokens() {
        for t in ["", "NA", "N/A", "#N/A", "NaN", "nan", "-"] {
            assert!(parse_number(t.as_bytes()).is_some_and(f64::is_nan), "{t}");
        }
        assert_eq!(parse_number(b"97.5"), Some(97.5));
        assert_eq!(parse_number(b"-1e-3"), Some(-0.001));
        assert_eq!(parse_number("\u{FEFF}12".as_bytes()), Some(12.0));
        assert_eq!(parse_number(b"inf"), None);
        assert_eq!(parse_number(b"1e400"), None);
        assert_eq!(parse_number(b"lots"), None);
        assert_eq!(parse_number(b"1 2"), None);
    }
}
