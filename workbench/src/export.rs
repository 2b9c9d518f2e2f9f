//! Scenario files: the ranking with every node's score as CSV, and the workbook.

use zhili_io::lang::words;
use zhili_io::Lang;

use crate::error::{ApiError, ApiResult};
use crate::state::{Base, Scored};

fn cell(s: &str) -> String {
    // Formula injection: a text cell starting like a formula is written as text.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn num(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

/// Ranking CSV: rank, unit, name, grade, then every node's score (full precision), headers in `lang`.
pub(crate) fn csv(base: &Base, s: &Scored, lang: Lang) -> String {
    let res = &s.results;
    let fw = &s.framework;
    let names = crate::api::score::base_names(base, s);
    let ranks = res.index_ranks();
    let mut out = String::from("\u{feff}");
    let mut header = vec![
        words::get("rank", lang).to_owned(),
        words::get("unit", lang).to_owned(),
        words::get("name", lang).to_owned(),
        words::get("grade", lang).to_owned(),
    ];
    header.extend((0..fw.nodes().len()).map(|j| format!("{} [{}]", lang.node_label(fw, j), fw.nodes()[j].id)));
    out.push_str(&header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(","));
    out.push('\n');
    for i in res.ranking() {
        let grade = base
            .grading
            .grade(res.index_scores()[i])
            .map(|b| match lang {
                Lang::Zh => b.name.zh.clone().unwrap_or_else(|| b.id.clone()),
                Lang::En => b.name.en.clone().unwrap_or_else(|| b.id.clone()),
            })
            .unwrap_or_default();
        let mut row = vec![
            num(ranks[i]),
            cell(&res.unit_ids()[i]),
            cell(names.get(i).cloned().flatten().as_deref().unwrap_or("")),
            cell(&grade),
        ];
        row.extend(res.scores().row(i).iter().map(|&v| num(v)));
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// The workbook (ranking with grade fills, scores at every node, effective weights, step log).
///
/// # Errors
/// The writer's errors.
pub(crate) fn xlsx(_base: &Base, _s: &Scored, _lang: Lang) -> ApiResult<Vec<u8>> {
    Err(ApiError::new(
        axum::http::StatusCode::NOT_IMPLEMENTED,
        "the Excel export needs zhili-io's workbook writer, which this build does not have yet",
    ))
}
