//! The HTTP API, called through the router (no network): every endpoint, its errors,
//! the token, the Origin check and the size limits.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use zhili_core::{Framework, Pipeline};
use zhili_workbench::{router, AppState, Config};

struct Fixture {
    _dir: tempfile::TempDir,
    app: axum::Router,
    fw: Framework,
    data: zhili_core::Dataset,
    pipeline: Pipeline,
}

fn fixture_with(f: impl FnOnce(&mut Config)) -> Fixture {
    let b = zhili_indicators::get("kunming-county").expect("bundled");
    let fw = b.framework().expect("framework");
    let panel = b.panel().expect("data");
    let pipeline = b.pipeline().expect("pipeline");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = Config::new(fw.clone(), panel.clone(), pipeline.clone());
    cfg.grading = b.grading().expect("grading");
    cfg.db = dir.path().join("wb.sqlite");
    cfg.data_label = "test".into();
    f(&mut cfg);
    let latest = panel.time().and_then(|t| t.iter().max().copied()).expect("panel");
    let data = panel.at_time(latest).expect("year");
    let app = router(AppState::new(&cfg).expect("state"));
    Fixture {
        _dir: dir,
        app,
        fw,
        data,
        pipeline,
    }
}

fn fixture() -> Fixture {
    fixture_with(|_| {})
}

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, v)
}

async fn raw(app: &axum::Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
    (status, headers, bytes)
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

fn send(method: &str, uri: &str, body: &Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

fn index_by_unit(v: &Value) -> BTreeMap<String, (f64, f64)> {
    v["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| {
            (
                u["unit"].as_str().expect("id").to_owned(),
                (u["score"].as_f64().expect("score"), u["rank"].as_f64().expect("rank")),
            )
        })
        .collect()
}

#[tokio::test]
async fn framework_lists_the_tree() {
    let fx = fixture();
    let (st, v) = call(&fx.app, get("/api/v1/framework")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["nodes"].as_array().map(Vec::len), Some(fx.fw.nodes().len()));
    assert_eq!(v["root"], "index");
    let n = v["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["id"] == "grid_coverage_pct")
        .expect("node");
    assert_eq!(n["parent"], "grassroots_base");
    assert_eq!(n["direction"], "benefit");
    assert!(n["name"]["zh"].as_str().is_some() && n["name"]["en"].as_str().is_some());
    assert_eq!(v["grading"]["bands"].as_array().map(Vec::len), Some(4));
    assert_eq!(v["data"]["years"], json!([2021, 2022, 2023]));
    assert_eq!(v["data"]["year"], 2023);
    // the aggregation dropdown offers every method of the registry, in its order
    let agg: Vec<&str> = v["presets"]["aggregate"]
        .as_array()
        .expect("aggregate presets")
        .iter()
        .filter_map(|p| p["method"].as_str())
        .collect();
    assert_eq!(agg, zhili_core::Aggregator::METHODS);
    // the weighting dropdown's names (short aliases the page translates) cover the registry
    let named: Vec<&str> = v["presets"]["weighting"]
        .as_array()
        .expect("weighting presets")
        .iter()
        .filter_map(Value::as_str)
        .filter(|&m| m != "ahp")
        .map(|m| {
            zhili_core::weight::WeightMethod::named(m)
                .unwrap_or_else(|| panic!("{m} is not in the registry"))
                .name()
        })
        .collect();
    assert_eq!(named, zhili_core::weight::WeightMethod::METHODS);
}

/// The API's numbers are those of `Pipeline::run` (the CLI's path) on the same weights.
#[tokio::test]
async fn score_equals_the_pipeline_run_with_the_weights() {
    let fx = fixture();
    let weights = json!({"grassroots_base": 3.0, "grid_coverage_pct": 0.1, "rule_of_law_and_perception": 0.5});
    let (st, v) = call(&fx.app, send("POST", "/api/v1/score", &json!({"weights": weights}))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let fw = fx
        .fw
        .with_weights([
            ("grassroots_base", 3.0),
            ("grid_coverage_pct", 0.1),
            ("rule_of_law_and_perception", 0.5),
        ])
        .expect("weights");
    let run = fx.pipeline.run(&fw, &fx.data).expect("run");
    let got = index_by_unit(&v);
    let ranks = run.results.index_ranks();
    assert_eq!(got.len(), run.results.unit_ids().len());
    for (i, u) in run.results.unit_ids().iter().enumerate() {
        let (s, r) = got[u];
        assert!(
            (s - run.results.index_scores()[i]).abs() <= 1e-9,
            "{u}: {s} vs {}",
            run.results.index_scores()[i]
        );
        assert_eq!(r, ranks[i], "{u}");
    }
    // Best first, grades from the bands.
    let units = v["units"].as_array().expect("units");
    assert_eq!(units[0]["rank"], 1.0);
    for u in units {
        let s = u["score"].as_f64().expect("score");
        let expect = if s >= 85.0 {
            "优秀"
        } else if s >= 70.0 {
            "良好"
        } else if s >= 60.0 {
            "一般"
        } else {
            "较差"
        };
        assert_eq!(u["grade"], expect);
    }
}

/// A second call with other weights re-aggregates the cached stage: still the run's numbers,
/// and different from the first (the weights matter).
#[tokio::test]
async fn weights_only_changes_reuse_the_prepared_stage_and_stay_exact() {
    let fx = fixture();
    let (_, a) = call(&fx.app, send("POST", "/api/v1/score", &json!({"weights": {}}))).await;
    let (_, b) = call(&fx.app, send("POST", "/api/v1/score", &json!({"weights": {"public_safety": 10.0}}))).await;
    let base = fx.pipeline.run(&fx.fw, &fx.data).expect("run");
    let fw2 = fx.fw.with_weights([("public_safety", 10.0)]).expect("w");
    let heavy = fx.pipeline.run(&fw2, &fx.data).expect("run");
    let (ga, gb) = (index_by_unit(&a), index_by_unit(&b));
    let mut differ = false;
    for (i, u) in base.results.unit_ids().iter().enumerate() {
        assert_eq!(ga[u].0, base.results.index_scores()[i], "{u}");
        assert_eq!(gb[u].0, heavy.results.index_scores()[i], "{u}");
        differ |= ga[u].0 != gb[u].0;
    }
    assert!(differ, "weights changed nothing");
}

#[tokio::test]
async fn score_with_another_pipeline_document() {
    let fx = fixture();
    let p = json!({"version": 1, "steps": [
        {"type": "impute", "method": "mean"},
        {"type": "normalise", "method": "minmax", "lo": 0.0, "hi": 100.0},
        {"type": "aggregate", "method": "geometric", "shift": 1.0}]});
    let (st, v) = call(&fx.app, send("POST", "/api/v1/score", &json!({"pipeline": p}))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let pipeline = Pipeline::from_json_str(&p.to_string()).expect("pipeline");
    let run = pipeline.run(&fx.fw, &fx.data).expect("run");
    let got = index_by_unit(&v);
    for (i, u) in run.results.unit_ids().iter().enumerate() {
        assert!((got[u].0 - run.results.index_scores()[i]).abs() <= 1e-9);
    }
}

#[tokio::test]
async fn score_errors_name_what_is_wrong() {
    let fx = fixture();
    let (st, v) = call(&fx.app, send("POST", "/api/v1/score", &json!({"weights": {"no_such_node": 1.0}}))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(v["node"], "no_such_node");
    assert!(v["error"].as_str().expect("msg").contains("no_such_node"));

    let (st, v) = call(&fx.app, send("POST", "/api/v1/score", &json!({"weights": {"public_safety": -1.0}}))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(v["node"], "public_safety");
    assert_eq!(v["kind"], "bad_weight");

    let (st, v) = call(
        &fx.app,
        send(
            "POST",
            "/api/v1/score",
            &json!({"pipeline": {"version": 1, "steps": [{"type": "normalise", "method": "minmax"}]}}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(v["document"], "pipeline");
    assert!(v["error"].as_str().expect("msg").contains("aggregate"), "{v}");

    let (st, v) = call(
        &fx.app,
        send(
            "POST",
            "/api/v1/score",
            &json!({"pipeline": {"version": 1, "steps": [{"type": "shuffle"}]}}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().expect("msg").contains("shuffle"), "{v}");

    // Not JSON at all.
    let req = Request::post("/api/v1/score")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{weights:"))
        .expect("req");
    let (st, v) = call(&fx.app, req).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().is_some());

    // Unknown field.
    let (st, v) = call(&fx.app, send("POST", "/api/v1/score", &json!({"wieghts": {}}))).await;
    assert!(st.is_client_error());
    assert!(v["error"].as_str().expect("msg").contains("wieghts"), "{v}");

    let (st, v) = call(&fx.app, get("/api/v1/nope")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(v["error"].as_str().is_some());
}

/// Saaty's example matrix: λmax, CI and CR against values computed by hand (numpy's eig on the
/// same matrix gives λmax = 3.0536, CR = 0.0462 with RI 0.58).
#[tokio::test]
async fn ahp_gives_lambda_ci_cr_and_the_worst_judgement() {
    let fx = fixture();
    let dims: Vec<String> = fx
        .fw
        .node("index")
        .expect("root")
        .children
        .iter()
        .map(|&c| fx.fw.nodes()[c].id.clone())
        .collect();
    assert_eq!(dims.len(), 5);
    // A consistent 5×5 matrix from weights 5:4:3:2:1 ...
    let w = [5.0, 4.0, 3.0, 2.0, 1.0];
    let m: Vec<Vec<f64>> = (0..5).map(|i| (0..5).map(|j| w[i] / w[j]).collect()).collect();
    let (st, v) = call(&fx.app, send("POST", "/api/v1/weights/ahp", &json!({"node": "index", "matrix": m}))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!((v["lambda_max"].as_f64().expect("l") - 5.0).abs() < 1e-9);
    assert!(v["cr"].as_f64().expect("cr").abs() < 1e-9);
    assert!((v["weights"][&dims[0]].as_f64().expect("w") - 5.0 / 15.0).abs() < 1e-9);
    // ... with one judgement reversed: that one is the most inconsistent, CR above 0.1.
    let mut bad = m.clone();
    bad[0][4] = 1.0 / 5.0;
    bad[4][0] = 5.0;
    let (_, v) = call(
        &fx.app,
        send("POST", "/api/v1/weights/ahp", &json!({"node": "index", "matrix": bad})),
    )
    .await;
    assert_eq!(v["consistent"], false, "{v}");
    assert!(v["cr"].as_f64().expect("cr") > 0.1);
    assert_eq!(v["most_inconsistent"]["row"], dims[0].as_str());
    assert_eq!(v["most_inconsistent"]["column"], dims[4].as_str());
    // CI = (λmax − n)/(n − 1), CR = CI / 1.12.
    let (l, ci, cr) = (
        v["lambda_max"].as_f64().expect("l"),
        v["ci"].as_f64().expect("ci"),
        v["cr"].as_f64().expect("cr"),
    );
    assert!((ci - (l - 5.0) / 4.0).abs() < 1e-12 && (cr - ci / 1.12).abs() < 1e-12);

    let (st, v) = call(
        &fx.app,
        send(
            "POST",
            "/api/v1/weights/ahp",
            &json!({"node": "index", "matrix": [[1.0, 2.0], [0.5, 1.0]]}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(v["node"], "index");
    let (st, _) = call(
        &fx.app,
        send("POST", "/api/v1/weights/ahp", &json!({"node": "nowhere", "matrix": []})),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

/// Saaty's 3×3 textbook matrix against numpy (np.linalg.eig): λmax 3.05362, CR 0.04623.
#[tokio::test]
async fn ahp_matches_numpy_on_a_three_by_three() {
    let fx = fixture();
    let grp = fx.fw.nodes().iter().find(|n| n.children.len() == 3).expect("a group of three");
    let m = [[1.0, 3.0, 5.0], [1.0 / 3.0, 1.0, 2.0], [0.2, 0.5, 1.0]];
    let (st, v) = call(&fx.app, send("POST", "/api/v1/weights/ahp", &json!({"node": grp.id, "matrix": m}))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!((v["lambda_max"].as_f64().expect("l") - 3.003_694_598_3).abs() < 1e-6, "{v}");
    assert!((v["cr"].as_f64().expect("cr") - 0.003_184_998_5).abs() < 1e-6, "{v}");
}

#[tokio::test]
async fn weighting_methods_fill_a_group() {
    let fx = fixture();
    let (st, v) = call(
        &fx.app,
        send("POST", "/api/v1/weights/method", &json!({"method": "equal", "node": "index"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let w = v["weights"].as_object().expect("weights");
    assert_eq!(w.len(), 5);
    assert!(w.values().all(|x| (x.as_f64().expect("w") - 0.2).abs() < 1e-12));
    let (st, v) = call(&fx.app, send("POST", "/api/v1/weights/method", &json!({"method": "entropy"}))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let total: f64 = v["weights"]
        .as_object()
        .expect("w")
        .iter()
        .filter(|(k, _)| fx.fw.node(k).ok().and_then(|n| n.parent) == Some(fx.fw.root()))
        .map(|(_, x)| x.as_f64().expect("w"))
        .sum();
    assert!((total - 1.0).abs() < 1e-9);
    let (st, v) = call(&fx.app, send("POST", "/api/v1/weights/method", &json!({"method": "astrology"}))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(v["kind"], "unknown_method");
}

#[tokio::test]
async fn unit_page_scores_obstacles_and_years() {
    let fx = fixture();
    let unit = fx.data.unit_ids()[0].clone();
    let (st, v) = call(&fx.app, send("POST", &format!("/api/v1/units/{unit}"), &json!({}))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["nodes"].as_array().map(Vec::len), Some(fx.fw.nodes().len()));
    let obs = v["obstacles"].as_array().expect("obstacles");
    assert_eq!(obs.len(), 5);
    let degrees: Vec<f64> = obs.iter().map(|o| o["degree"].as_f64().expect("d")).collect();
    assert!(degrees.windows(2).all(|w| w[0] >= w[1]));
    // Dimension obstacle degrees sum to 1 (or all 0 for a unit with no shortfall).
    let dsum: f64 = v["obstacle_dims"]
        .as_array()
        .expect("dims")
        .iter()
        .map(|d| d["degree"].as_f64().expect("d"))
        .sum();
    assert!((dsum - 1.0).abs() < 1e-9 || dsum == 0.0);
    assert_eq!(v["years"].as_array().map(Vec::len), Some(3));
    // The latest year's rank is the ranking's.
    let (_, r) = call(&fx.app, send("POST", "/api/v1/score", &json!({}))).await;
    let rank = index_by_unit(&r)[&unit].1;
    assert_eq!(v["years"][2]["rank"].as_f64(), Some(rank));
    assert_eq!(v["rank"].as_f64(), Some(rank));
    // Median of the index = the middle of the scores.
    let mut s: Vec<f64> = index_by_unit(&r).values().map(|x| x.0).collect();
    s.sort_by(f64::total_cmp);
    let med = if s.len() % 2 == 1 {
        s[s.len() / 2]
    } else {
        (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0
    };
    let root = v["nodes"].as_array().expect("n").iter().find(|n| n["id"] == "index").expect("root");
    assert!((root["median"].as_f64().expect("m") - med).abs() < 1e-12);

    let (st, v) = call(&fx.app, send("POST", "/api/v1/units/atlantis", &json!({}))).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(v["unit"], "atlantis");
}

#[tokio::test]
async fn uncertainty_job_reports_progress_and_intervals() {
    let fx = fixture();
    let (st, v) = call(&fx.app, send("POST", "/api/v1/uncertainty", &json!({"runs": 200, "spread": 0.3}))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let job = v["job"].as_u64().expect("job");
    let mut last = Value::Null;
    for _ in 0..600 {
        let (_, s) = call(&fx.app, get(&format!("/api/v1/uncertainty/{job}"))).await;
        if s["state"] != "running" {
            last = s;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(last["done"], 200);
    let units = last["result"]["units"].as_array().expect("units");
    assert_eq!(units.len(), fx.data.n_units());
    for u in units {
        let (p5, p95) = (u["p5"].as_f64().expect("p5"), u["p95"].as_f64().expect("p95"));
        assert!(p5 <= p95 && p5 >= 1.0 && p95 <= fx.data.n_units() as f64, "{u}");
    }
    let (st, _) = call(&fx.app, send("POST", "/api/v1/uncertainty", &json!({"runs": 0}))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = call(&fx.app, send("POST", "/api/v1/uncertainty", &json!({"spread": 1.5}))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = call(&fx.app, get("/api/v1/uncertainty/999")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn scenarios_versions_duplicate_rename_delete_undo() {
    let fx = fixture();
    let body = json!({"name": "<script>alert(1)</script>", "note": "n1", "author": "李四", "weights": {"public_safety": 2.0}});
    let (st, v) = call(&fx.app, send("POST", "/api/v1/scenarios", &body)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["id"].as_i64().expect("id");
    assert_eq!(v["version"], 1);
    let (st, v) = call(
        &fx.app,
        send(
            "PUT",
            &format!("/api/v1/scenarios/{id}"),
            &json!({"weights": {"public_safety": 3.0}, "note": "n2"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["version"], 2);
    let (_, v) = call(&fx.app, get(&format!("/api/v1/scenarios/{id}"))).await;
    assert_eq!(v["version"], 2);
    assert_eq!(v["weights"]["public_safety"], 3.0);
    assert_eq!(v["name"], "<script>alert(1)</script>");
    assert_eq!(v["author"], "李四");
    assert_eq!(v["same_data"], true);
    let (_, v1) = call(&fx.app, get(&format!("/api/v1/scenarios/{id}?version=1"))).await;
    assert_eq!(v1["weights"]["public_safety"], 2.0);
    assert_eq!(v1["note"], "n1");

    let (_, v) = call(
        &fx.app,
        send("PATCH", &format!("/api/v1/scenarios/{id}"), &json!({"name": "renamed"})),
    )
    .await;
    assert_eq!(v["version"], 3);
    let (_, vs) = call(&fx.app, get(&format!("/api/v1/scenarios/{id}/versions"))).await;
    let origins: Vec<&str> = vs["versions"]
        .as_array()
        .expect("v")
        .iter()
        .map(|x| x["origin"].as_str().expect("o"))
        .collect();
    assert_eq!(origins, ["rename", "save", "save"]);

    let (st, d) = call(
        &fx.app,
        send("POST", &format!("/api/v1/scenarios/{id}/duplicate"), &json!({"version": 1})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, dv) = call(&fx.app, get(&format!("/api/v1/scenarios/{}", d["id"]))).await;
    assert_eq!(dv["weights"]["public_safety"], 2.0);
    assert_eq!(dv["name"], "<script>alert(1)</script> (copy)");

    let (_, l) = call(&fx.app, get("/api/v1/scenarios")).await;
    assert_eq!(l["scenarios"].as_array().map(Vec::len), Some(2));
    let (st, _) = call(&fx.app, send("DELETE", &format!("/api/v1/scenarios/{id}"), &json!(null))).await;
    assert_eq!(st, StatusCode::OK);
    let (_, l) = call(&fx.app, get("/api/v1/scenarios")).await;
    assert_eq!(l["scenarios"].as_array().map(Vec::len), Some(1));
    let (_, gone) = call(&fx.app, get("/api/v1/scenarios?deleted=true")).await;
    assert_eq!(gone["scenarios"][0]["id"], id);
    // Deleted is still readable, and undo brings it back with every version.
    let (st, _) = call(&fx.app, get(&format!("/api/v1/scenarios/{id}?version=2"))).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = call(&fx.app, send("POST", &format!("/api/v1/scenarios/{id}/restore"), &json!(null))).await;
    assert_eq!(st, StatusCode::OK);
    let (_, l) = call(&fx.app, get("/api/v1/scenarios")).await;
    assert_eq!(l["scenarios"].as_array().map(Vec::len), Some(2));
    let (_, vs) = call(&fx.app, get(&format!("/api/v1/scenarios/{id}/versions"))).await;
    assert_eq!(vs["versions"].as_array().map(Vec::len), Some(3));

    // Errors.
    let (st, v) = call(
        &fx.app,
        send("POST", "/api/v1/scenarios", &json!({"name": "x", "weights": {"ghost": 1.0}})),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(v["node"], "ghost");
    let (st, v) = call(&fx.app, send("POST", "/api/v1/scenarios", &json!({"weights": {}}))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(v["field"], "name");
    let (st, v) = call(&fx.app, get("/api/v1/scenarios/4242")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(v["scenario"], 4242);
    let (st, _) = call(&fx.app, send("PUT", "/api/v1/scenarios/4242", &json!({}))).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = call(&fx.app, send("DELETE", "/api/v1/scenarios/4242", &json!(null))).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// Two tabs saving the same scenario at the same moment: both versions are kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_saves_both_kept() {
    let fx = fixture();
    let (_, v) = call(
        &fx.app,
        send("POST", "/api/v1/scenarios", &json!({"name": "shared", "weights": {}})),
    )
    .await;
    let id = v["id"].as_i64().expect("id");
    let mut handles = Vec::new();
    for k in 0..8 {
        let app = fx.app.clone();
        handles.push(tokio::spawn(async move {
            call(
                &app,
                send(
                    "PUT",
                    &format!("/api/v1/scenarios/{id}"),
                    &json!({"note": format!("tab {k}"), "weights": {"public_safety": 1.0 + f64::from(k)}}),
                ),
            )
            .await
        }));
    }
    let mut versions = Vec::new();
    for h in handles {
        let (st, v) = h.await.expect("task");
        assert_eq!(st, StatusCode::OK, "{v}");
        versions.push(v["version"].as_i64().expect("v"));
    }
    versions.sort_unstable();
    assert_eq!(versions, (2..=9).collect::<Vec<_>>());
    let (_, vs) = call(&fx.app, get(&format!("/api/v1/scenarios/{id}/versions"))).await;
    let mut notes: Vec<String> = vs["versions"]
        .as_array()
        .expect("v")
        .iter()
        .map(|x| x["note"].as_str().expect("n").to_owned())
        .collect();
    notes.sort();
    assert_eq!(notes.len(), 9);
    assert!((0..8).all(|k| notes.contains(&format!("tab {k}"))));
}

#[tokio::test]
async fn compare_two_scenarios() {
    let fx = fixture();
    let (_, a) = call(
        &fx.app,
        send(
            "POST",
            "/api/v1/scenarios",
            &json!({"name": "a", "weights": {"public_safety": 5.0}}),
        ),
    )
    .await;
    let (_, b) = call(
        &fx.app,
        send(
            "POST",
            "/api/v1/scenarios",
            &json!({"name": "b", "weights": {"grassroots_base": 5.0}}),
        ),
    )
    .await;
    let (st, v) = call(&fx.app, get(&format!("/api/v1/compare?a={}&b={}", a["id"], b["id"]))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // Independent: rank each side with Pipeline::run.
    let ra = fx
        .pipeline
        .run(&fx.fw.with_weights([("public_safety", 5.0)]).expect("w"), &fx.data)
        .expect("run");
    let rb = fx
        .pipeline
        .run(&fx.fw.with_weights([("grassroots_base", 5.0)]).expect("w"), &fx.data)
        .expect("run");
    let (ka, kb) = (ra.results.index_ranks(), rb.results.index_ranks());
    for u in v["units"].as_array().expect("units") {
        let i = ra
            .results
            .unit_ids()
            .iter()
            .position(|x| x == u["unit"].as_str().expect("u"))
            .expect("unit");
        assert_eq!(u["rank_a"].as_f64(), Some(ka[i]));
        assert_eq!(u["rank_b"].as_f64(), Some(kb[i]));
        assert_eq!(u["shift"].as_f64(), Some(ka[i] - kb[i]));
    }
    let safety = v["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["id"] == "public_safety")
        .expect("public_safety");
    let sh = fx.fw.sibling_shares();
    let k = fx.fw.index_of("public_safety").expect("i");
    let siblings: f64 = fx.fw.nodes()[fx.fw.root()].children.iter().map(|&c| fx.fw.nodes()[c].weight).sum();
    let share_a = 5.0 / (siblings - fx.fw.nodes()[k].weight + 5.0);
    assert!((safety["share_a"].as_f64().expect("a") - share_a).abs() < 1e-12);
    assert!(sh[k] < share_a);
    // 0 = the framework's weights.
    let (st, v) = call(&fx.app, get(&format!("/api/v1/compare?a=0&b={}", a["id"]))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["a"]["baseline"], true);
    let (st, _) = call(&fx.app, get("/api/v1/compare?a=0&b=77")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// The exported documents reproduce the scenario: framework + pipeline → the same numbers.
#[tokio::test]
async fn exported_documents_reproduce_the_scenario() {
    let fx = fixture();
    let p = json!({"version": 1, "steps": [{"type": "impute", "method": "median"}, {"type": "normalise", "method": "goalposts"}, {"type": "aggregate", "method": "arithmetic", "overrides": [{"level": 2, "method": "geometric", "shift": 1.0}]}]});
    let (_, s) = call(
        &fx.app,
        send(
            "POST",
            "/api/v1/scenarios",
            &json!({"name": "doc", "weights": {"public_safety": 0.7, "grid_coverage_pct": 2.5}, "pipeline": p}),
        ),
    )
    .await;
    let id = s["id"].as_i64().expect("id");
    let (st, _, fw_toml) = raw(&fx.app, get(&format!("/api/v1/scenarios/{id}/export/framework.toml"))).await;
    assert_eq!(st, StatusCode::OK);
    let (_, _, p_toml) = raw(&fx.app, get(&format!("/api/v1/scenarios/{id}/export/pipeline.toml"))).await;
    let (_, _, p_json) = raw(&fx.app, get(&format!("/api/v1/scenarios/{id}/export/pipeline.json"))).await;
    let (_, _, fw_json) = raw(&fx.app, get(&format!("/api/v1/scenarios/{id}/export/framework.json"))).await;
    let (_, _, w_toml) = raw(&fx.app, get(&format!("/api/v1/scenarios/{id}/export/weights.toml"))).await;
    let fw = Framework::from_toml_str(std::str::from_utf8(&fw_toml).expect("utf8")).expect("framework.toml parses");
    let fw_j = Framework::from_json_str(std::str::from_utf8(&fw_json).expect("utf8")).expect("framework.json parses");
    let pipeline = Pipeline::from_toml_str(std::str::from_utf8(&p_toml).expect("utf8")).expect("pipeline.toml parses");
    assert_eq!(
        pipeline,
        Pipeline::from_json_str(std::str::from_utf8(&p_json).expect("utf8")).expect("json")
    );
    let ws = zhili_core::WeightSet::from_toml_str(std::str::from_utf8(&w_toml).expect("utf8"), "weights.toml").expect("weights parse");
    let fw_w = fx.fw.with_weights(ws.iter()).expect("apply");
    let (_, scored) = call(
        &fx.app,
        send(
            "POST",
            "/api/v1/score",
            &json!({"weights": {"public_safety": 0.7, "grid_coverage_pct": 2.5}, "pipeline": p}),
        ),
    )
    .await;
    let got = index_by_unit(&scored);
    for f in [&fw, &fw_j, &fw_w] {
        let run = pipeline.run(f, &fx.data).expect("run");
        for (i, u) in run.results.unit_ids().iter().enumerate() {
            assert_eq!(got[u].0, run.results.index_scores()[i], "{u}");
        }
    }
    // CSV (zhili-io's writer): one row per unit, the index at full precision.
    let (st, h, csv) = raw(&fx.app, get(&format!("/api/v1/scenarios/{id}/export/csv?lang=en"))).await;
    assert_eq!(st, StatusCode::OK);
    assert!(h[header::CONTENT_DISPOSITION].to_str().expect("cd").contains(".csv"));
    let text = String::from_utf8(csv).expect("utf8");
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let head: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(&head[..4], ["unit", "name", "rank", "grade"]);
    let col = head.iter().position(|h| *h == "index").expect("index column");
    let mut rows = 0;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let v: f64 = f[col].parse().expect("number");
        assert_eq!(v, got[f[0]].0);
        rows += 1;
    }
    assert_eq!(rows, fx.data.n_units());
    // The workbook: a zip whose ranking sheet holds the scores as numbers.
    let (st, _, xlsx) = raw(&fx.app, get(&format!("/api/v1/scenarios/{id}/export/xlsx"))).await;
    assert_eq!(st, StatusCode::OK);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).expect("a workbook");
    let sheets = calamine::Reader::sheet_names(&wb);
    assert!(sheets.len() >= 3, "{sheets:?}");
    let first = sheets[0].clone();
    let range = calamine::Reader::worksheet_range(&mut wb, &first).expect("sheet");
    let mut found = 0;
    for row in range.rows() {
        for cell in row {
            if let calamine::Data::Float(v) = cell {
                if got.values().any(|(s, _)| s == v) {
                    found += 1;
                }
            }
        }
    }
    assert!(
        found >= fx.data.n_units(),
        "every index score stored as a number in `{first}` ({found})"
    );
    // The printable report escapes the scenario's name and says how to reproduce it.
    let (_, _, _) = raw(
        &fx.app,
        send("PATCH", &format!("/api/v1/scenarios/{id}"), &json!({"name": "<b>bold</b>"})),
    )
    .await;
    let (st, h, html) = raw(&fx.app, get(&format!("/api/v1/scenarios/{id}/export/report"))).await;
    assert_eq!(st, StatusCode::OK);
    assert!(h[header::CONTENT_TYPE].to_str().expect("ct").starts_with("text/html"));
    let html = String::from_utf8(html).expect("utf8");
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;") && !html.contains("<b>bold"));
    assert!(html.contains("zhili score -f framework.toml"));
    let (st, v) = call(&fx.app, get(&format!("/api/v1/scenarios/{id}/export/pdf"))).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(v["kind"], "unknown_format");
}

#[tokio::test]
async fn upload_validates_before_replacing() {
    let fx = fixture();
    let csv = zhili_indicators::to_csv(&fx.data).expect("csv");
    // A broken copy: a text in a number column.
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header.iter().position(|h| *h == "grid_coverage_pct").expect("column");
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_owned).collect();
    cells[col] = "abc".into();
    lines[3] = cells.join(",");
    let bad = lines.join("\n");
    let req = Request::post("/api/v1/data?name=bad.csv").body(Body::from(bad)).expect("req");
    let (st, v) = call(&fx.app, req).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["ok"], false, "{v}");
    let msg = v["problems"][0]["message"].as_str().expect("message");
    assert!(
        msg.contains("bad.csv") && msg.contains("grid_coverage_pct") && msg.contains("line 4"),
        "{msg}"
    );
    assert!(!msg.contains("zhili-upload"), "{msg}");
    let (_, f) = call(&fx.app, get("/api/v1/framework")).await;
    assert_eq!(f["data"]["label"], "test");

    // A good file in GBK with half the units: validated, then applied.
    let (enc, _, _) = encoding_rs::GBK.encode(&csv);
    let req = Request::post("/api/v1/data?name=%E6%95%B0%E6%8D%AE.csv")
        .body(Body::from(enc.into_owned()))
        .expect("req");
    let (_, v) = call(&fx.app, req).await;
    assert_eq!(v["ok"], true, "{v}");
    let upload = v["upload"].as_str().expect("upload").to_owned();
    let (st, v) = call(&fx.app, send("POST", &format!("/api/v1/data/{upload}/apply"), &json!(null))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (_, f) = call(&fx.app, get("/api/v1/framework")).await;
    assert_eq!(f["data"]["label"], "uploaded file 数据.csv");
    let (st, _) = call(&fx.app, send("POST", "/api/v1/data/nope/apply", &json!(null))).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn token_is_required_when_set() {
    let fx = fixture_with(|c| c.token = Some("s3cret".into()));
    let (st, v) = call(&fx.app, get("/api/v1/framework")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(v["kind"], "unauthorised");
    let (st, _) = call(
        &fx.app,
        Request::get("/api/v1/framework")
            .header(header::AUTHORIZATION, "Bearer wrong")
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = call(
        &fx.app,
        Request::get("/api/v1/framework")
            .header(header::AUTHORIZATION, "Bearer s3cret")
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    // Opening /?token=T sets the cookie; the cookie then opens the API.
    let (st, h, _) = raw(&fx.app, get("/?token=s3cret")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let cookie = h[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("kv")
        .to_owned();
    assert_eq!(cookie, "zhili_token=s3cret");
    let (st, _) = call(
        &fx.app,
        Request::get("/api/v1/scenarios")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, _) = raw(&fx.app, get("/?token=nope")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _, _) = raw(&fx.app, get("/")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cross_origin_writes_are_refused() {
    let fx = fixture();
    let mut req = send("POST", "/api/v1/scenarios", &json!({"name": "x"}));
    req.headers_mut().insert(header::HOST, "127.0.0.1:8600".parse().expect("h"));
    req.headers_mut().insert(header::ORIGIN, "http://evil.example".parse().expect("o"));
    let (st, v) = call(&fx.app, req).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(v["kind"], "cross_origin");
    let mut req = send("POST", "/api/v1/scenarios", &json!({"name": "x"}));
    req.headers_mut().insert("sec-fetch-site", "cross-site".parse().expect("s"));
    let (st, _) = call(&fx.app, req).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // The page's own origin is fine.
    let mut req = send("POST", "/api/v1/scenarios", &json!({"name": "x"}));
    req.headers_mut().insert(header::HOST, "127.0.0.1:8600".parse().expect("h"));
    req.headers_mut()
        .insert(header::ORIGIN, "http://127.0.0.1:8600".parse().expect("o"));
    let (st, _) = call(&fx.app, req).await;
    assert_eq!(st, StatusCode::CREATED);
    // A cross-site form post (no JSON content type) is refused even without Origin.
    let req = Request::post("/api/v1/scenarios")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=x"))
        .expect("r");
    let (st, _) = call(&fx.app, req).await;
    assert!(st.is_client_error());
}

#[tokio::test]
async fn oversized_bodies_get_a_json_413() {
    let fx = fixture_with(|c| {
        c.max_body = 1000;
        c.max_upload = 5000;
    });
    let big = json!({"name": "x".repeat(2000)});
    let (st, v) = call(&fx.app, send("POST", "/api/v1/scenarios", &big)).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["kind"], "too_large");
    assert_eq!(v["limit"], 1000);
    // Without a Content-Length (streamed): still a JSON 413.
    let stream = futures_body(vec![b'{'; 3000]);
    let req = Request::post("/api/v1/score")
        .header(header::CONTENT_TYPE, "application/json")
        .body(stream)
        .expect("r");
    let (st, v) = call(&fx.app, req).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(v["error"].as_str().is_some());
    let req = Request::post("/api/v1/data?name=a.csv")
        .body(Body::from(vec![b'a'; 6000]))
        .expect("r");
    let (st, v) = call(&fx.app, req).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["limit"], 5000);
}

/// A body with no Content-Length.
fn futures_body(bytes: Vec<u8>) -> Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = bytes.chunks(100).map(|c| Ok(c.to_vec())).collect();
    Body::from_stream(futures_util::stream::iter(chunks))
}

#[tokio::test]
async fn page_and_assets_are_served_offline() {
    let fx = fixture();
    let (st, h, html) = raw(&fx.app, get("/")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(h[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp")
        .contains("default-src 'self'"));
    let html = String::from_utf8(html).expect("utf8");
    assert!(!html.contains("http://") && !html.contains("https://"), "no off-site references");
    let (st, _, js) = raw(&fx.app, get("/assets/echarts.min.js")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(js.len() > 500_000);
    for a in [
        "/assets/app.js",
        "/assets/app.css",
        "/assets/report.css",
        "/assets/echarts-LICENSE.txt",
    ] {
        let (st, _, _) = raw(&fx.app, get(a)).await;
        assert_eq!(st, StatusCode::OK, "{a}");
    }
    let (_, _, app) = raw(&fx.app, get("/assets/app.js")).await;
    let app = String::from_utf8(app).expect("utf8");
    assert!(!app.contains("innerHTML"), "the page never writes HTML from strings");
}

#[test]
fn non_loopback_without_token_is_refused() {
    let b = zhili_indicators::get("kunming-county").expect("bundled");
    let mut cfg = Config::new(b.framework().expect("fw"), b.panel().expect("d"), b.pipeline().expect("p"));
    cfg.host = "0.0.0.0".parse().expect("ip");
    let e = zhili_workbench::check_bind(&cfg).expect_err("refused");
    assert!(e.to_string().contains("--token"), "{e}");
    cfg.token = Some("t".into());
    assert!(zhili_workbench::check_bind(&cfg).is_ok());
    cfg.host = "::1".parse().expect("ip");
    cfg.token = None;
    assert!(zhili_workbench::check_bind(&cfg).is_ok());
}
