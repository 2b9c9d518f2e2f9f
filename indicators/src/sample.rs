//! Bundled sample data sets and their loader (wide CSV → [`Dataset`]).

use ndarray::Array2;
use zhili_core::{Dataset, Error, Result};

/// One bundled data set: a wide UTF-8 CSV with a unit id column, optional name and time
/// columns, group (text) columns, numeric non-indicator columns (denominators such as
/// `population`, `area_km2`), and one column per indicator (every other column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleData {
    /// Name of the data set, e.g. `kunming-14` (also the file name under `data/`).
    pub name: &'static str,
    /// One-line description (says `synthetic` where it is).
    pub description: &'static str,
    /// The CSV text.
    pub csv: &'static str,
    /// Unit id column.
    pub unit_column: &'static str,
    /// Unit display-name column, if any.
    pub name_column: Option<&'static str>,
    /// Time (year) column, if any: the data is then a panel.
    pub time_column: Option<&'static str>,
    /// Text columns kept as groups (e.g. `prefecture`, `EurAsia_group`).
    pub group_columns: &'static [&'static str],
    /// Numeric columns that are not indicators (denominators, covariates).
    pub numeric_columns: &'static [&'static str],
    /// Whether the values are synthetic (generated), not observed.
    pub synthetic: bool,
}

impl SampleData {
    /// Load the CSV into a [`Dataset`]: every column not named in a role is an indicator.
    /// Empty fields and `NA` are missing (NaN).
    ///
    /// # Errors
    /// [`Error::Parse`] naming line and column for malformed CSV, a non-numeric value or a
    /// bad year; [`Error::MissingColumn`] if a declared role column is absent; errors of
    /// [`Dataset`] (duplicate unit / unit-year).
    pub fn load(&self) -> Result<Dataset> {
        load_wide_csv(self.csv, &format!("data/{}.csv", self.name), self)
    }

    /// The header of the CSV (column names).
    ///
    /// # Errors
    /// [`Error::Parse`] if the header cannot be read.
    pub fn columns(&self) -> Result<Vec<String>> {
        let mut r = csv::ReaderBuilder::new().from_reader(self.csv.as_bytes());
        let h = r
            .headers()
            .map_err(|e| Error::parse(format!("data/{}.csv", self.name), Some(1), None, e.to_string()))?;
        Ok(h.iter().map(str::to_owned).collect())
    }
}

/// Parse one numeric field: empty / `NA` / `NaN` = missing.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("nan") {
        return Some(f64::NAN);
    }
    t.parse::<f64>().ok().filter(|v| !v.is_infinite())
}

fn load_wide_csv(text: &str, file: &str, roles: &SampleData) -> Result<Dataset> {
    let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| Error::parse(file, Some(1), None, e.to_string()))?
        .iter()
        .map(str::to_owned)
        .collect();
    let find = |c: &str| {
        header.iter().position(|h| h == c).ok_or_else(|| Error::MissingColumn {
            column: c.to_owned(),
            needed_by: format!("bundled data set `{}`", roles.name),
        })
    };
    let unit_j = find(roles.unit_column)?;
    let name_j = roles.name_column.map(find).transpose()?;
    let time_j = roles.time_column.map(find).transpose()?;
    let group_js = roles.group_columns.iter().map(|c| find(c)).collect::<Result<Vec<_>>>()?;
    let num_js = roles.numeric_columns.iter().map(|c| find(c)).collect::<Result<Vec<_>>>()?;
    let taken: Vec<usize> = [Some(unit_j), name_j, time_j]
        .into_iter()
        .flatten()
        .chain(group_js.iter().copied())
        .chain(num_js.iter().copied())
        .collect();
    let ind_js: Vec<usize> = (0..header.len()).filter(|j| !taken.contains(j)).collect();

    let mut units = Vec::new();
    let mut names = Vec::new();
    let mut times = Vec::new();
    let mut groups: Vec<Vec<Option<String>>> = vec![Vec::new(); group_js.len()];
    let mut nums: Vec<Vec<f64>> = vec![Vec::new(); num_js.len()];
    let mut vals: Vec<f64> = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| Error::parse(file, Some(line), None, e.to_string()))?;
        let field = |j: usize| rec.get(j).unwrap_or("");
        let num = |j: usize| {
            parse_number(field(j))
                .ok_or_else(|| Error::parse(file, Some(line), Some(header[j].clone()), format!("`{}` is not a number", field(j))))
        };
        units.push(field(unit_j).trim().to_owned());
        if let Some(j) = name_j {
            names.push(field(j).trim().to_owned());
        }
        if let Some(j) = time_j {
            let t = field(j).trim();
            times.push(
                t.parse::<i64>()
                    .map_err(|_| Error::parse(file, Some(line), Some(header[j].clone()), format!("`{t}` is not a year (integer)")))?,
            );
        }
        for (g, &j) in group_js.iter().enumerate() {
            let s = field(j).trim();
            groups[g].push((!s.is_empty() && s != "NA").then(|| s.to_owned()));
        }
        for (k, &j) in num_js.iter().enumerate() {
            nums[k].push(num(j)?);
        }
        for &j in &ind_js {
            vals.push(num(j)?);
        }
    }
    let n = units.len();
    let m = ind_js.len();
    let values = Array2::from_shape_vec((n, m), vals).map_err(|e| Error::Shape {
        what: format!("bundled data set `{}`", roles.name),
        expected: format!("{n} × {m}"),
        found: e.to_string(),
    })?;
    let ids = ind_js.iter().map(|&j| header[j].clone()).collect();
    let mut ds = if time_j.is_some() {
        Dataset::panel(units, times, ids, values)?
    } else {
        Dataset::new(units, ids, values)?
    };
    if name_j.is_some() {
        ds = ds.with_unit_names(names)?;
    }
    for (g, c) in roles.group_columns.iter().enumerate() {
        ds = ds.with_group(*c, std::mem::take(&mut groups[g]))?;
    }
    for (k, c) in roles.numeric_columns.iter().enumerate() {
        ds = ds.with_numeric(*c, std::mem::take(&mut nums[k]))?;
    }
    Ok(ds)
}

/// Write a dataset as a wide CSV that [`SampleData::load`] (and the `zhili` readers) read
/// back: `unit`, `name` (if the units have names), `year` (if there is a time column), the
/// group columns, the numeric columns, then the indicators. Numbers are written in the
/// shortest form that reads back exactly; missing values as empty fields.
///
/// # Errors
/// [`Error::Spec`] only if writing to memory fails.
pub fn to_csv(ds: &Dataset) -> Result<String> {
    let fail = |e: csv::Error| Error::spec("csv output", e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = vec!["unit"];
    if ds.unit_names().is_some() {
        header.push("name");
    }
    if ds.time().is_some() {
        header.push("year");
    }
    header.extend(ds.groups().keys().map(String::as_str));
    header.extend(ds.numeric().keys().map(String::as_str));
    header.extend(ds.indicator_ids().iter().map(String::as_str));
    w.write_record(&header).map_err(fail)?;
    let num = |v: f64| if v.is_nan() { String::new() } else { format!("{v}") };
    for i in 0..ds.n_units() {
        let mut row: Vec<String> = vec![ds.unit_ids()[i].clone()];
        if let Some(n) = ds.unit_names() {
            row.push(n[i].clone());
        }
        if let Some(t) = ds.time() {
            row.push(t[i].to_string());
        }
        row.extend(ds.groups().values().map(|g| g[i].clone().unwrap_or_default()));
        row.extend(ds.numeric().values().map(|c| num(c[i])));
        row.extend(ds.values().row(i).iter().map(|&v| num(v)));
        w.write_record(&row).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::spec("csv output", e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::spec("csv output", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: SampleData = SampleData {
        name: "t",
        description: "",
        csv: "unit,name,year,population,a,b\nx,X,2021,10,1.5,\ny,Y,2021,20,NA,3\n",
        unit_column: "unit",
        name_column: Some("name"),
        time_column: Some("year"),
        group_columns: &[],
        numeric_columns: &["population"],
        synthetic: true,
    };

    #[test]
    fn loads_roles_and_missing() {
        let ds = ROLES.load().expect("loads");
        assert_eq!(ds.indicator_ids(), ["a", "b"]);
        assert_eq!(ds.unit_ids(), ["x", "y"]);
        assert_eq!(ds.time(), Some(&[2021_i64, 2021][..]));
        assert_eq!(ds.numeric()["population"], vec![10.0, 20.0]);
        assert!(ds.values()[[0, 1]].is_nan() && ds.values()[[1, 0]].is_nan());
        assert!((ds.values()[[0, 0]] - 1.5).abs() < 1e-15);
    }

    #[test]
    fn to_csv_round_trips() {
        let ds = ROLES.load().expect("loads");
        let text = to_csv(&ds).expect("csv");
        assert!(text.starts_with("unit,name,year,population,a,b\n"), "{text}");
        let again = SampleData {
            csv: Box::leak(text.into_boxed_str()),
            ..ROLES
        }
        .load()
        .expect("reload");
        assert_eq!(again.unit_ids(), ds.unit_ids());
        assert_eq!(again.time(), ds.time());
        assert_eq!(again.numeric(), ds.numeric());
        let same = again
            .values()
            .iter()
            .zip(ds.values())
            .all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
        assert!(same);
    }

    #[test]
    fn bad_number_names_line_and_column() {
        let bad = SampleData {
            csv: "unit,name,year,population,a,b\nx,X,2021,10,1.5,oops\n",
            ..ROLES
        };
        let e = bad.load().expect_err("bad number");
        let msg = e.to_string();
        assert!(msg.contains("line 2") && msg.contains("`b`"), "{msg}");
    }
}
