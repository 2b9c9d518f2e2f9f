//! Golden tests of the normalisers against COINr 1.1.14 (ASEM example) and Compind 3.4 (EU_NUTS1).
//!
//! Inputs and expected outputs are copied into `tests/fixtures/` (see its README).
#![allow(clippy::unwrap_used)]

mod common;

use common::{asem_framework, matrix_columns, read_matrix};
use ndarray::{Array2, ShapeBuilder};
use zhili_core::normalise::{FittedNormaliser, Normaliser, Rank};
use zhili_core::{Framework, LogEntry, Ties};

const TOL: f64 = 1e-9;

/// Like `common::assert_close`, but equal infinities match (COINr's `n_fracmax` yields Inf).
fn assert_matches(what: &str, units: &[String], cols: &[&str], got: &Array2<f64>, want: &Array2<f64>) {
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    let mut checked = 0;
    for ((i, j), &w) in want.indexed_iter() {
        let g = got[[i, j]];
        let ok = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= TOL * (1.0 + w.abs());
        assert!(ok, "{what}: unit {} indicator {}: got {g}, want {w}", units[i], cols[j]);
        checked += 1;
    }
    assert!(checked > 0, "{what}: nothing compared");
}

fn asem_treated(fw: &Framework) -> (Vec<String>, Array2<f64>) {
    let ids = fw.indicator_ids();
    let (units, m) = matrix_columns("coinr-asem/nominal_05_Treated.csv", &ids);
    // Pipeline stages are column-major.
    let mut cm = Array2::zeros(m.dim().f());
    cm.assign(&m);
    (units, cm)
}

/// Normalise the treated ASEM data with `n` and compare with `file` (same units, same order).
fn check_asem(n: &Normaliser, file: &str) -> (FittedNormaliser, Vec<LogEntry>) {
    let fw = asem_framework();
    let ids = fw.indicator_ids();
    let nodes: Vec<_> = fw.indicators().iter().map(|&i| &fw.nodes()[i]).collect();
    let (units, x) = asem_treated(&fw);
    let (want_units, want) = matrix_columns(file, &ids);
    assert_eq!(units, want_units, "{file}: unit order");
    let (got, fitted, log) = n.fit_transform(x.view(), &nodes).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_matches(file, &units, &ids, &got, &want);
    // The row-major input path gives the same numbers.
    let (got_rm, _, _) = n.fit_transform(x.as_standard_layout().view(), &nodes).unwrap();
    assert_eq!(
        got.iter().filter(|v| v.is_nan()).count(),
        got_rm.iter().filter(|v| v.is_nan()).count()
    );
    assert_matches(file, &units, &ids, &got_rm, &want);
    // Reusing the fitted parameters on the same data reproduces the result.
    let (again, _) = fitted.transform(x.view()).unwrap();
    assert_matches(file, &units, &ids, &again, &want);
    (fitted, log)
}

#[test]
fn coinr_minmax_0_100() {
    let (fitted, log) = check_asem(&Normaliser::minmax(0.0, 100.0), "coinr-asem/normalise_Treated_minmax_0_100.csv");
    assert_eq!(fitted.columns.len(), 49);
    assert!(log.is_empty(), "{log:?}");
}

#[test]
fn coinr_nominal_normalised_stage() {
    check_asem(&Normaliser::minmax(0.0, 100.0), "coinr-asem/nominal_06_Normalised.csv");
}

#[test]
fn coinr_minmax_1_100() {
    check_asem(&Normaliser::minmax(1.0, 100.0), "coinr-asem/normalise_Treated_minmax_1_100.csv");
}

#[test]
fn coinr_variant_a_minmax_1_100() {
    check_asem(
        &Normaliser::minmax(1.0, 100.0),
        "coinr-asem/variant_A_minmax1-100_gmean_Normalised.csv",
    );
    check_asem(
        &Normaliser::minmax(1.0, 100.0),
        "coinr-asem/variant_A0_minmax1-100_amean_Normalised.csv",
    );
}

#[test]
fn coinr_zscore_0_1() {
    check_asem(&Normaliser::zscore(0.0, 1.0), "coinr-asem/normalise_Treated_zscore_0_1.csv");
}

#[test]
fn coinr_zscore_10_2() {
    check_asem(&Normaliser::zscore(10.0, 2.0), "coinr-asem/normalise_Treated_zscore_10_2.csv");
}

#[test]
fn coinr_rank() {
    check_asem(&Normaliser::rank(), "coinr-asem/normalise_Treated_rank.csv");
}

#[test]
fn coinr_prank() {
    check_asem(&Normaliser::percentile(), "coinr-asem/normalise_Treated_prank.csv");
}

#[test]
fn coinr_borda() {
    check_asem(&Normaliser::borda(), "coinr-asem/normalise_Treated_borda.csv");
}

#[test]
fn coinr_dist2max() {
    check_asem(&Normaliser::dist_to_max(), "coinr-asem/normalise_Treated_dist2max.csv");
}

#[test]
fn coinr_fracmax() {
    let (_, log) = check_asem(&Normaliser::frac_max(), "coinr-asem/normalise_Treated_fracmax.csv");
    // Every cost indicator has max(−x) ≤ 0: each is named in a warning.
    let fw = asem_framework();
    let costs: Vec<&str> = fw
        .indicators()
        .iter()
        .map(|&i| &fw.nodes()[i])
        .filter(|n| n.direction == zhili_core::Direction::Cost)
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(costs.len(), 14);
    for c in costs {
        assert!(
            log.iter()
                .any(|e| e.action == "nonpositive_max" && e.indicator.as_deref() == Some(c)),
            "no warning for {c}"
        );
    }
}

#[test]
fn coinr_dist2targ_imeta() {
    check_asem(
        &Normaliser::dist_to_target(false),
        "coinr-asem/normalise_Treated_dist2targ_iMeta.csv",
    );
}

#[test]
fn coinr_nominal_pipeline_normalise_step_from_toml() {
    // The pipeline's normalise step, as written in a document.
    let n: Normaliser = toml::from_str("method = \"minmax\"\nlo = 0.0\nhi = 100.0\n").unwrap();
    check_asem(&n, "coinr-asem/nominal_06_Normalised.csv");
    let n: Normaliser = toml::from_str("method = \"prank\"\n").unwrap();
    check_asem(&n, "coinr-asem/normalise_Treated_prank.csv");
    let n: Normaliser = toml::from_str("method = \"dist2targ\"\n").unwrap();
    check_asem(&n, "coinr-asem/normalise_Treated_dist2targ_iMeta.csv");
}

// ---------------------------------------------------------------- Compind

fn compind_framework() -> Framework {
    // EU_NUTS1: `roads` with polarity NEG (cost), `trains` POS (benefit).
    Framework::from_toml_str(
        r#"
version = 1
[[nodes]]
id = "ci"
[[nodes]]
id = "roads"
parent = "ci"
direction = "cost"
[[nodes]]
id = "trains"
parent = "ci"
direction = "benefit"
"#,
    )
    .unwrap()
}

fn check_compind(n: &Normaliser, prefix: &str) {
    let fw = compind_framework();
    let nodes: Vec<_> = fw.indicators().iter().map(|&i| &fw.nodes()[i]).collect();
    let (units, cols, x) = read_matrix("compind/input_EU_NUTS1.csv");
    assert_eq!(cols, ["roads", "trains"]);
    let want_cols = [format!("{prefix}_roads"), format!("{prefix}_trains")];
    let want_ids: Vec<&str> = want_cols.iter().map(String::as_str).collect();
    let (want_units, want) = matrix_columns("compind/EU_NUTS1_normalise_ci_polarity_NEG_POS.csv", &want_ids);
    assert_eq!(units, want_units);
    let (got, _, log) = n.fit_transform(x.view(), &nodes).unwrap();
    assert!(log.is_empty(), "{log:?}");
    // Compind's file carries 15 significant digits.
    for ((i, j), &w) in want.indexed_iter() {
        let g = got[[i, j]];
        assert!(
            (g - w).abs() <= TOL * (1.0 + w.abs()),
            "compind {prefix}: {} {}: got {g}, want {w}",
            units[i],
            want_ids[j]
        );
    }
}

#[test]
fn compind_zscore() {
    check_compind(&Normaliser::zscore(0.0, 1.0), "z");
}

#[test]
fn compind_zscore_100_10() {
    check_compind(&Normaliser::zscore(100.0, 10.0), "z100");
}

#[test]
fn compind_minmax() {
    check_compind(&Normaliser::minmax(0.0, 1.0), "minmax");
}

#[test]
fn compind_rank_average_ties() {
    check_compind(&Normaliser::Rank(Rank { ties: Ties::Average }), "rank");
}

// ---------------------------------------------------------------- through the pipeline

/// Run `normalise` + `aggregate` (TOML) on the treated ASEM data and compare the normalised stage
/// and every node's score with COINr's files.
fn check_pipeline(doc: &str, normalised: &str, aggregated: &str) {
    let fw = asem_framework();
    let ids = fw.indicator_ids();
    let (units, x) = asem_treated(&fw);
    let ds = zhili_core::Dataset::new(
        units.clone(),
        ids.iter().map(|s| s.to_string()).collect(),
        x.as_standard_layout().to_owned(),
    )
    .unwrap();
    let p = zhili_core::Pipeline::from_toml_str(doc).unwrap();
    let run = p.run(&fw, &ds).unwrap();
    let stage = run.stage("normalised").expect("normalised stage");
    let (_, want) = matrix_columns(normalised, &ids);
    assert_matches(normalised, &units, &ids, &stage.data.values, &want);
    assert!(run.normaliser.as_ref().is_some_and(|f| f.columns.len() == ids.len()));
    let nodes: Vec<&str> = run.results.node_ids().iter().map(String::as_str).collect();
    let (want_units, want) = matrix_columns(aggregated, &nodes);
    assert_eq!(run.results.unit_ids(), &want_units[..]);
    assert_matches(aggregated, &units, &nodes, run.results.scores(), &want);
}

#[test]
fn coinr_nominal_normalise_then_aggregate() {
    check_pipeline(
        "version = 1\n[[steps]]\ntype = \"normalise\"\nmethod = \"minmax\"\nlo = 0.0\nhi = 100.0\n\
         [[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n",
        "coinr-asem/nominal_06_Normalised.csv",
        "coinr-asem/nominal_07_Aggregated.csv",
    );
}

#[test]
fn coinr_variant_a_minmax_1_100_geometric() {
    check_pipeline(
        "version = 1\n[[steps]]\ntype = \"normalise\"\nmethod = \"minmax\"\nlo = 1.0\nhi = 100.0\n\
         [[steps]]\ntype = \"aggregate\"\nmethod = \"geometric\"\n",
        "coinr-asem/variant_A_minmax1-100_gmean_Normalised.csv",
        "coinr-asem/variant_A_minmax1-100_gmean_Aggregated.csv",
    );
}

#[test]
fn coinr_rank_files_pin_the_tie_rule() {
    // The ASEM data has ties (e.g. zeros in `Bord`, `Elec`): another tie rule must not match,
    // so the rank / prank / borda comparisons above do check COINr's `min` rule.
    let fw = asem_framework();
    let ids = fw.indicator_ids();
    let nodes: Vec<_> = fw.indicators().iter().map(|&i| &fw.nodes()[i]).collect();
    let (_, x) = asem_treated(&fw);
    let (_, want) = matrix_columns("coinr-asem/normalise_Treated_rank.csv", &ids);
    for ties in [Ties::Max, Ties::Average, Ties::First] {
        let (got, _, _) = Normaliser::Rank(Rank { ties }).fit_transform(x.view(), &nodes).unwrap();
        let differ = got.iter().zip(want.iter()).filter(|(g, w)| (*g - *w).abs() > 0.5).count();
        assert!(differ > 0, "{ties:?} matches COINr too");
    }
}
