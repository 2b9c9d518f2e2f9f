//! `POST /api/v1/score`: the ranking for a weight set (and optional pipeline).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::ser::SerializeSeq;
use serde::Serialize;
use serde_json::{json, Value};

use super::{parse_pipeline, Body, ScoreInput};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Base, Scored};

/// The ranking as JSON: units best first with score, rank, grade; dimension scores;
/// effective weights; the preparation log's warnings. Serialised straight from the results
/// (no `serde_json::Value` per unit), keys in the order a `Value` map prints them (sorted).
#[derive(Serialize)]
pub(crate) struct Ranking<'a> {
    data_fingerprint: &'a str,
    dims: Vec<&'a str>,
    effective_weights: BTreeMap<&'a str, f64>,
    index: &'a str,
    ties: zhili_core::Ties,
    units: Units<'a>,
    warnings: Vec<Value>,
    weights: BTreeMap<&'a str, f64>,
    year: Option<i64>,
}

/// The units, best first, written one by one.
pub(crate) struct Units<'a> {
    base: &'a Base,
    s: &'a Scored,
    dims: Vec<usize>,
}

#[derive(Serialize)]
struct UnitRow<'a> {
    dims: Vec<Option<f64>>,
    grade: Option<&'a str>,
    grade_id: Option<&'a str>,
    name: Option<&'a str>,
    rank: Option<f64>,
    score: Option<f64>,
    unit: &'a str,
}

impl Serialize for Units<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let res = &self.s.results;
        let (ranks, index) = (res.index_ranks(), res.index_scores());
        let names = &self.s.prepared.names;
        let order = res.ranking();
        let mut seq = ser.serialize_seq(Some(order.len()))?;
        for i in order {
            let band = self.base.grading.grade(index[i]);
            seq.serialize_element(&UnitRow {
                dims: self.dims.iter().map(|&d| finite(res.scores()[[i, d]])).collect(),
                grade: band.map(|b| b.name.zh.as_deref().unwrap_or(&b.id)),
                grade_id: band.map(|b| b.id.as_str()),
                name: names.get(i).and_then(Option::as_deref),
                rank: finite(ranks[i]),
                score: finite(index[i]),
                unit: &res.unit_ids()[i],
            })?;
        }
        seq.end()
    }
}

/// A finite number, or `null` for NaN / ±∞ (as [`super::num`]).
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// The ranking of `s` (see [`Ranking`]).
pub(crate) fn ranking<'a>(base: &'a Base, s: &'a Scored) -> Ranking<'a> {
    let fw = &s.framework;
    let dims: Vec<usize> = fw.nodes()[fw.root()].children.clone();
    let eff = fw.effective_weights();
    let warnings: Vec<Value> = s
        .prepared
        .log
        .iter()
        .filter(|e| e.level == zhili_core::Level::Warning)
        .take(50)
        .map(|e| json!({"step": e.step, "action": e.action, "unit": e.unit.as_deref(), "indicator": e.indicator.as_deref(), "detail": e.detail}))
        .collect();
    Ranking {
        data_fingerprint: &base.fingerprint,
        dims: dims.iter().map(|&d| fw.nodes()[d].id.as_str()).collect(),
        effective_weights: fw.nodes().iter().zip(eff).map(|(n, w)| (n.id.as_str(), w)).collect(),
        index: s.results.index_id(),
        ties: s.results.ties(),
        units: Units { base, s, dims },
        warnings,
        weights: fw
            .nodes()
            .iter()
            .filter(|n| n.parent.is_some())
            .map(|n| (n.id.as_str(), n.weight))
            .collect(),
        year: base.year,
    }
}

/// Each result row's unit name, if the data has names.
pub(crate) fn base_names(_base: &Base, s: &Scored) -> Vec<Option<String>> {
    s.prepared.names.clone()
}

/// `POST /api/v1/score`.
pub(crate) async fn post(State(state): State<AppState>, Body(input): Body<ScoreInput>) -> ApiResult<Response> {
    let base = state.base();
    let pipeline = parse_pipeline(input.pipeline.as_ref())?;
    let scored = state.score(&base, &input.weights, pipeline.as_ref(), input.year)?;
    let mut out = Vec::with_capacity(256 * scored.results.unit_ids().len() + 4096);
    serde_json::to_writer(&mut out, &ranking(&base, &scored)).map_err(|e| ApiError::internal(format!("cannot write the ranking: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], out).into_response())
}
