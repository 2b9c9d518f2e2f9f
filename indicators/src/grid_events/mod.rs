//! Grid-event derivation: an event log → the indicator table of the `grid-events` framework.
//!
//! An event log has one row per event reported by a grid worker (columns `unit, category,
//! item, reported_at, closed_at, status, satisfaction`, optionally `location`; other columns
//! are ignored). Categories and items are those of [`CATEGORIES`] and [`ITEMS`] (4 / 27), given
//! by id (`policing`, `P03`) or Chinese / English name (`警务`, `涉诈线索`).
//!
//! Per unit (and per year with [`DeriveOptions::by_year`]), with `c` a category,
//! `d(c)` its deadline, `W` the first response window, `R` the repeat window, `T` = `as_of`:
//!
//! ```text
//! <c>_events_per_10k          = #events of c / population × 10 000
//! grid_event_ontime_pct       = 100 × #{closed, closed_at − reported_at ≤ d(c)}
//!                                    / #{closed} ∪ {open, T − reported_at > d(c)}
//! grid_event_median_hours     = median over closed events of (closed_at − reported_at) in hours
//! grid_event_first_window_pct = 100 × #{closed within W} / #{closed} ∪ {open, T − reported_at ≥ W}
//! grid_event_repeat_pct       = 100 × #{events with an earlier event of the same unit, location
//!                                    and item reported at most R before} / #{events with a location}
//! grid_event_satisfaction     = mean satisfaction (1–5) over events where it is recorded
//! ```
//!
//! A rate whose denominator is zero is NaN and the returned log carries a warning naming
//! unit and indicator. Timestamps: `YYYY-MM-DD HH:MM[:SS]`, with `T` or `/` variants, or
//! RFC 3339 with an offset (converted to UTC); durations are differences of these clock times.

mod taxonomy;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDateTime};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use zhili_core::{Dataset, Error, LogEntry, Result};

pub use taxonomy::{category, item_index, Category, Item, CATEGORIES, ITEMS};

/// Indicator ids produced by [`derive()`], in the order of the `grid-events` framework.
pub const INDICATORS: [&str; 9] = [
    "policing_events_per_10k",
    "social_events_per_10k",
    "dispute_events_per_10k",
    "service_events_per_10k",
    "grid_event_ontime_pct",
    "grid_event_median_hours",
    "grid_event_first_window_pct",
    "grid_event_repeat_pct",
    "grid_event_satisfaction",
];

/// One event as read from a log (fields are raw strings; [`derive()`] checks them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Unit id (must appear in the population table).
    pub unit: String,
    /// Category: id, Chinese or English name.
    pub category: String,
    /// Item: id (`P03`), Chinese or English name; must belong to the category.
    pub item: String,
    /// When the event was reported.
    pub reported_at: String,
    /// When it was closed (empty while open).
    #[serde(default)]
    pub closed_at: Option<String>,
    /// `closed` (`已办结`, `办结`) or `open` (`办理中`, `pending`, `in_progress`).
    pub status: String,
    /// Satisfaction 1–5, where recorded.
    #[serde(default)]
    pub satisfaction: Option<f64>,
    /// Location key (grid cell, address, household) for repeat detection; optional.
    #[serde(default)]
    pub location: Option<String>,
    /// Line in the source file, for errors; `None` = index + 2 (a CSV with a header line).
    #[serde(skip)]
    pub line: Option<usize>,
}

/// Options of [`derive()`].
#[derive(Debug, Clone, PartialEq)]
pub struct DeriveOptions {
    /// Closure deadline per category in hours, in [`CATEGORIES`] order
    /// (default 24 h policing, 72 h social management, 168 h disputes, 72 h services).
    pub deadline_hours: [f64; 4],
    /// First response window in hours (default 24).
    pub first_window_hours: f64,
    /// Repeat window in days (default 30).
    pub repeat_window_days: f64,
    /// Evaluation time for open events; default: the latest timestamp in the log.
    pub as_of: Option<NaiveDateTime>,
    /// One row per unit and calendar year of `reported_at` (a panel) instead of one per unit.
    pub by_year: bool,
    /// Name of the source for error messages (default `events`).
    pub file: String,
}

impl Default for DeriveOptions {
    fn default() -> Self {
        DeriveOptions {
            deadline_hours: CATEGORIES.map(|c| c.default_deadline_hours),
            first_window_hours: 24.0,
            repeat_window_days: 30.0,
            as_of: None,
            by_year: false,
            file: "events".into(),
        }
    }
}

/// The result of [`derive()`]: the indicator table and warnings.
#[derive(Debug, Clone)]
pub struct Derived {
    /// Units (× years) × [`INDICATORS`], numeric columns `population` and `events`
    /// (number of events), a time column when `by_year`.
    pub dataset: Dataset,
    /// Warnings (an indicator left missing, with unit and reason).
    pub log: Vec<LogEntry>,
}

/// Parse a timestamp (formats in the module docs).
///
/// # Errors
/// [`Error::Parse`] naming `file`, `line` and `column` with the offending text.
pub fn parse_timestamp(s: &str, file: &str, line: usize, column: &str) -> Result<NaiveDateTime> {
    let t = s.trim();
    const FORMATS: [&str; 6] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ];
    for f in FORMATS {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Ok(d);
        }
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(d.naive_utc());
    }
    Err(Error::parse(
        file,
        Some(line),
        Some(column.to_owned()),
        format!("`{t}` is not a timestamp (expected e.g. `2023-05-01 14:30` or RFC 3339)"),
    ))
}

#[derive(Debug, Default, Clone)]
struct Acc {
    by_cat: [usize; 4],
    n: usize,
    due: usize,
    on_time: usize,
    hours: Vec<f64>,
    fw_den: usize,
    fw_hit: usize,
    loc_n: usize,
    repeats: usize,
    sat_sum: f64,
    sat_n: usize,
}

struct Checked {
    unit: usize,
    cat: usize,
    item: usize,
    reported: NaiveDateTime,
    closed: Option<NaiveDateTime>,
    sat: Option<f64>,
}

fn is_closed(status: &str) -> Option<bool> {
    match status.trim().to_ascii_lowercase().as_str() {
        "closed" | "done" | "已办结" | "办结" | "已结案" => Some(true),
        "open" | "pending" | "in_progress" | "办理中" | "处理中" | "待办" => Some(false),
        _ => None,
    }
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Turn an event log into the indicator table of the `grid-events` framework.
///
/// `population` lists every unit (id, residents); the output has one row per unit in that
/// order (per year and unit, years ascending, with [`DeriveOptions::by_year`]).
///
/// # Errors
/// Naming the line (and unit): [`Error::Unknown`] for an unknown unit, category or item, or
/// an item of another category; [`Error::Parse`] for a bad timestamp, an unknown status, a
/// closed event without `closed_at`, an open one with it, closing before reporting, or a
/// satisfaction outside 1–5; [`Error::Spec`] for a bad population table or bad options;
/// [`Error::Empty`] for an empty log.
pub fn derive(events: &[Event], population: &[(String, f64)], opts: &DeriveOptions) -> Result<Derived> {
    check_options(opts)?;
    let file = opts.file.as_str();
    if events.is_empty() {
        return Err(Error::Empty(format!("{file}: the event log has no events")));
    }
    let mut unit_of: HashMap<&str, usize> = HashMap::with_capacity(population.len());
    for (k, (u, p)) in population.iter().enumerate() {
        if !(p.is_finite() && *p > 0.0) {
            return Err(Error::spec(
                "population",
                format!("unit `{u}`: population must be positive, got {p}"),
            ));
        }
        if unit_of.insert(u.trim(), k).is_some() {
            return Err(Error::spec("population", format!("unit `{u}` appears twice")));
        }
    }

    let mut checked = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        checked.push(check_event(e, e.line.unwrap_or(i + 2), file, &unit_of)?);
    }
    let as_of = opts.as_of.unwrap_or_else(|| {
        checked
            .iter()
            .map(|c| c.closed.map_or(c.reported, |d| d.max(c.reported)))
            .max()
            .unwrap_or_default()
    });

    let key = |c: &Checked| (c.unit, if opts.by_year { c.reported.year() } else { 0 });
    let mut acc: HashMap<(usize, i32), Acc> = HashMap::new();
    let window = opts.first_window_hours;
    for c in &checked {
        let a = acc.entry(key(c)).or_default();
        a.by_cat[c.cat] += 1;
        a.n += 1;
        let deadline = opts.deadline_hours[c.cat];
        match c.closed {
            Some(d) => {
                let h = hours(c.reported, d);
                a.due += 1;
                a.on_time += usize::from(h <= deadline);
                a.hours.push(h);
                a.fw_den += 1;
                a.fw_hit += usize::from(h <= window);
            }
            None => {
                let age = hours(c.reported, as_of);
                a.due += usize::from(age > deadline);
                a.fw_den += usize::from(age >= window);
            }
        }
        if let Some(s) = c.sat {
            a.sat_sum += s;
            a.sat_n += 1;
        }
    }

    // Repeats: same unit, location and item within the repeat window.
    let mut located: Vec<(usize, &str, usize, NaiveDateTime, usize)> = events
        .iter()
        .zip(&checked)
        .enumerate()
        .filter_map(|(i, (e, c))| nonempty(&e.location).map(|l| (c.unit, l, c.item, c.reported, i)))
        .collect();
    located.sort_unstable();
    let repeat_hours = opts.repeat_window_days * 24.0;
    for (k, &(u, l, it, t, i)) in located.iter().enumerate() {
        let a = acc.entry(key(&checked[i])).or_default();
        a.loc_n += 1;
        if k > 0 {
            let (pu, pl, pit, pt, _) = located[k - 1];
            if (pu, pl, pit) == (u, l, it) && hours(pt, t) <= repeat_hours {
                a.repeats += 1;
            }
        }
    }

    let mut years: Vec<i32> = if opts.by_year {
        let mut y: Vec<i32> = acc.keys().map(|k| k.1).collect();
        y.sort_unstable();
        y.dedup();
        y
    } else {
        vec![0]
    };
    if years.is_empty() {
        years.push(0);
    }
    let n_rows = population.len() * years.len();
    let mut values = Array2::from_elem((n_rows, INDICATORS.len()), f64::NAN);
    let mut unit_ids = Vec::with_capacity(n_rows);
    let mut pops = Vec::with_capacity(n_rows);
    let mut counts = Vec::with_capacity(n_rows);
    let mut time = Vec::with_capacity(n_rows);
    let mut log = Vec::new();
    let empty = Acc::default();
    for (yi, &y) in years.iter().enumerate() {
        for (k, (u, p)) in population.iter().enumerate() {
            let r = yi * population.len() + k;
            let mut a = acc.get(&(k, y)).unwrap_or(&empty).clone();
            let row = indicator_row(&mut a, *p);
            for (j, v) in row.iter().enumerate() {
                values[[r, j]] = *v;
                if v.is_nan() {
                    let what = if opts.by_year { format!("{u} ({y})") } else { u.clone() };
                    log.push(
                        LogEntry::warning("derive grid-events", "missing")
                            .unit(what)
                            .indicator(INDICATORS[j])
                            .detail(nan_reason(j)),
                    );
                }
            }
            unit_ids.push(u.trim().to_owned());
            pops.push(*p);
            counts.push(a.n as f64);
            time.push(i64::from(y));
        }
    }
    let ids = INDICATORS.iter().map(|s| (*s).to_owned()).collect();
    let dataset = if opts.by_year {
        Dataset::panel(unit_ids, time, ids, values)?
    } else {
        Dataset::new(unit_ids, ids, values)?
    }
    .with_numeric("population", pops)?
    .with_numeric("events", counts)?;
    Ok(Derived { dataset, log })
}

fn nan_reason(j: usize) -> &'static str {
    match j {
        4 => "no event was due (closed, or open past its deadline)",
        5 => "no closed event",
        6 => "no event old enough for the first response window",
        7 => "no event with a location",
        8 => "no satisfaction recorded",
        _ => "no data",
    }
}

fn indicator_row(a: &mut Acc, population: f64) -> [f64; 9] {
    let pct = |num: usize, den: usize| if den == 0 { f64::NAN } else { 100.0 * num as f64 / den as f64 };
    let per10k = |n: usize| n as f64 / population * 10_000.0;
    [
        per10k(a.by_cat[0]),
        per10k(a.by_cat[1]),
        per10k(a.by_cat[2]),
        per10k(a.by_cat[3]),
        pct(a.on_time, a.due),
        median(&mut a.hours),
        pct(a.fw_hit, a.fw_den),
        pct(a.repeats, a.loc_n),
        if a.sat_n == 0 { f64::NAN } else { a.sat_sum / a.sat_n as f64 },
    ]
}

fn median(x: &mut [f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    x.sort_unstable_by(f64::total_cmp);
    let n = x.len();
    if n % 2 == 1 {
        x[n / 2]
    } else {
        0.5 * (x[n / 2 - 1] + x[n / 2])
    }
}

fn hours(from: NaiveDateTime, to: NaiveDateTime) -> f64 {
    (to - from).num_seconds() as f64 / 3600.0
}

fn check_options(o: &DeriveOptions) -> Result<()> {
    let bad = |what: &str, v: f64| Error::spec("grid-events options", format!("{what} must be positive and finite, got {v}"));
    for (c, d) in CATEGORIES.iter().zip(o.deadline_hours) {
        if !(d.is_finite() && d > 0.0) {
            return Err(bad(&format!("deadline of `{}`", c.id), d));
        }
    }
    if !(o.first_window_hours.is_finite() && o.first_window_hours > 0.0) {
        return Err(bad("first_window_hours", o.first_window_hours));
    }
    if !(o.repeat_window_days.is_finite() && o.repeat_window_days > 0.0) {
        return Err(bad("repeat_window_days", o.repeat_window_days));
    }
    Ok(())
}

fn check_event(e: &Event, line: usize, file: &str, unit_of: &HashMap<&str, usize>) -> Result<Checked> {
    let unit = *unit_of.get(e.unit.trim()).ok_or_else(|| Error::Unknown {
        what: "unit",
        id: e.unit.clone(),
        context: format!("{file}, line {line}: not in the population table"),
    })?;
    let at = |col: &str, msg: String| Error::parse(file, Some(line), Some(col.to_owned()), format!("unit `{}`: {msg}", e.unit));
    let cat = category(&e.category).ok_or_else(|| Error::Unknown {
        what: "event category",
        id: e.category.clone(),
        context: format!(
            "{file}, line {line}, unit `{}`; expected one of {}",
            e.unit,
            CATEGORIES
                .iter()
                .map(|c| format!("{} ({})", c.id, c.zh))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })?;
    let item = item_index(&e.item).ok_or_else(|| Error::Unknown {
        what: "event item",
        id: e.item.clone(),
        context: format!("{file}, line {line}, unit `{}`; see grid_events::ITEMS (27 items)", e.unit),
    })?;
    if ITEMS[item].category != cat {
        return Err(Error::Unknown {
            what: "event item",
            id: e.item.clone(),
            context: format!(
                "{file}, line {line}, unit `{}`: item {} ({}) belongs to category `{}`, not `{}`",
                e.unit, ITEMS[item].id, ITEMS[item].zh, CATEGORIES[ITEMS[item].category].id, CATEGORIES[cat].id
            ),
        });
    }
    let reported = parse_timestamp(&e.reported_at, file, line, "reported_at")?;
    let closed_flag = is_closed(&e.status).ok_or_else(|| {
        at(
            "status",
            format!("unknown status `{}` (expected `closed`/`已办结` or `open`/`办理中`)", e.status),
        )
    })?;
    let closed = match (closed_flag, nonempty(&e.closed_at)) {
        (true, Some(s)) => Some(parse_timestamp(s, file, line, "closed_at")?),
        (true, None) => return Err(at("closed_at", "status is closed but closed_at is empty".into())),
        (false, Some(s)) => return Err(at("closed_at", format!("status is open but closed_at is `{s}`"))),
        (false, None) => None,
    };
    if let Some(d) = closed {
        if d < reported {
            return Err(at("closed_at", format!("closed at {d} before it was reported at {reported}")));
        }
    }
    let sat = match e.satisfaction {
        Some(s) if s.is_nan() => None,
        Some(s) if !(1.0..=5.0).contains(&s) => return Err(at("satisfaction", format!("satisfaction {s} is outside 1–5"))),
        s => s,
    };
    Ok(Checked {
        unit,
        cat,
        item,
        reported,
        closed,
        sat,
    })
}

/// Read an event log from CSV text (header with at least `unit, category, item, reported_at,
/// closed_at, status`; `satisfaction` and `location` optional; extra columns ignored).
/// Each event remembers its line for later errors.
///
/// # Errors
/// [`Error::Parse`] naming the line for malformed CSV or a non-numeric satisfaction.
pub fn events_from_csv(text: &str, file: &str) -> Result<Vec<Event>> {
    let mut r = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in r.deserialize::<Event>() {
        let line = out.len() + 2;
        let mut e = rec.map_err(|err| {
            let l = err.position().map_or(line, |p| p.line() as usize);
            Error::parse(file, Some(l), None, err.to_string())
        })?;
        e.line = Some(line);
        out.push(e);
    }
    Ok(out)
}

/// Read a population table from CSV text: columns `unit` and `population` (others ignored).
///
/// # Errors
/// [`Error::MissingColumn`] / [`Error::Parse`] naming the line.
pub fn population_from_csv(text: &str, file: &str) -> Result<Vec<(String, f64)>> {
    let mut r = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let header = r.headers().map_err(|e| Error::parse(file, Some(1), None, e.to_string()))?.clone();
    let col = |c: &str| {
        header.iter().position(|h| h == c).ok_or_else(|| Error::MissingColumn {
            column: c.to_owned(),
            needed_by: format!("population table {file}"),
        })
    };
    let (ju, jp) = (col("unit")?, col("population")?);
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| Error::parse(file, Some(line), None, e.to_string()))?;
        let p = rec.get(jp).unwrap_or("");
        let v = p
            .parse::<f64>()
            .map_err(|_| Error::parse(file, Some(line), Some("population".into()), format!("`{p}` is not a number")))?;
        out.push((rec.get(ju).unwrap_or("").to_owned(), v));
    }
    Ok(out)
}
