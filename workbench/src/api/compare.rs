//! `GET /api/v1/compare?a=ID&b=ID` (`a_version`, `b_version` optional; id `0` = the
//! framework's own weights): rank shifts per unit and weight differences per node.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::num;
use super::scenarios::{load, weights_of};
use crate::error::ApiResult;
use crate::state::{AppState, Base, Scored};

/// Which two scenarios.
#[derive(Debug, Deserialize)]
pub(crate) struct CompareQuery {
    a: i64,
    b: i64,
    #[serde(default)]
    a_version: Option<i64>,
    #[serde(default)]
    b_version: Option<i64>,
}

/// Score one side: a stored version, or the framework's weights for id 0.
pub(crate) fn side(state: &AppState, base: &Base, id: i64, version: Option<i64>) -> ApiResult<(Value, Scored)> {
    if id == 0 {
        let s = state.score(base, &BTreeMap::new(), None, None)?;
        return Ok((json!({"id": 0, "version": null, "name": null, "baseline": true}), s));
    }
    let v = load(state, id, version)?;
    let p = super::parse_pipeline(Some(&v.pipeline))?;
    let s = state.score(base, &weights_of(&v)?, p.as_ref(), None)?;
    Ok((
        json!({"id": v.id, "version": v.version, "name": v.name, "author": v.author, "saved_at": v.saved_at, "same_data": v.data_fingerprint == base.fingerprint}),
        s,
    ))
}

/// `GET /api/v1/compare`.
pub(crate) async fn get(State(state): State<AppState>, Query(q): Query<CompareQuery>) -> ApiResult<Json<Value>> {
    let base = state.base();
    let (ja, sa) = side(&state, &base, q.a, q.a_version)?;
    let (jb, sb) = side(&state, &base, q.b, q.b_version)?;
    let (ra, rb) = (sa.results.index_ranks(), sb.results.index_ranks());
    let (xa, xb) = (sa.results.index_scores(), sb.results.index_scores());
    let names = super::score::base_names(&base, &sa);
    let pos_b: BTreeMap<&str, usize> = sb.results.unit_ids().iter().enumerate().map(|(k, u)| (u.as_str(), k)).collect();
    let mut units: Vec<Value> = Vec::new();
    for i in sa.results.ranking() {
        let u = &sa.results.unit_ids()[i];
        let k = pos_b.get(u.as_str()).copied();
        let (rank_b, score_b) = k.map_or((f64::NAN, f64::NAN), |k| (rb[k], xb[k]));
        units.push(json!({
            "unit": u,
            "name": names.get(i).cloned().flatten(),
            "rank_a": num(ra[i]), "rank_b": num(rank_b),
            "score_a": num(xa[i]), "score_b": num(score_b),
            // Positive: the unit moves up (a better rank) in b.
            "shift": num(ra[i] - rank_b),
        }));
    }
    let (fa, fb) = (&sa.framework, &sb.framework);
    let (sha, shb) = (fa.sibling_shares(), fb.sibling_shares());
    let (ea, eb) = (fa.effective_weights(), fb.effective_weights());
    let nodes: Vec<Value> = fa
        .nodes()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.parent.is_some())
        .map(|(j, n)| {
            json!({
                "id": n.id,
                "share_a": sha[j], "share_b": shb[j], "share_diff": shb[j] - sha[j],
                "effective_a": ea[j], "effective_b": eb[j], "effective_diff": eb[j] - ea[j],
            })
        })
        .collect();
    let moved = units.iter().filter(|u| u["shift"].as_f64().is_some_and(|s| s != 0.0)).count();
    Ok(Json(
        json!({"a": ja, "b": jb, "units": units, "nodes": nodes, "units_moved": moved}),
    ))
}
