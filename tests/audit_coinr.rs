//! Golden test: the audit's data-adequacy statistics against COINr 1.1.14's `get_stats`
//! tables of its ASEM example (tests/fixtures/coinr-asem/stats_Screened.csv and
//! stats_Treated.csv), every column, and properties of the coherence checks.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{fixture, read_table};
use zhili::analysis::audit::{audit, indicator_stats, AuditOptions, FlagKind, Thresholds};
use zhili::io::{load_framework, read_dataset, DataOptions};
use zhili::{Dataset, Framework, Pipeline};

fn setup() -> (Framework, Dataset, Pipeline) {
    let (fw, _) = load_framework(fixture("coinr-asem/input_ASEM_iMeta.csv").to_str().unwrap()).unwrap();
    let ds = read_dataset(
        &fixture("coinr-asem/input_ASEM_iData.csv"),
        &fw,
        &DataOptions {
            unit_column: Some("uCode".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let p = zhili::io::load_pipeline(Path::new(&fixture("coinr-asem.pipeline.toml"))).unwrap();
    (fw, ds, p)
}

#[test]
fn adequacy_statistics_match_coinr_get_stats() {
    let (fw, ds, p) = setup();
    let run = p.run(&fw, &ds).unwrap();
    for (stage, file) in [
        ("screened", "coinr-asem/stats_Screened.csv"),
        ("treated", "coinr-asem/stats_Treated.csv"),
    ] {
        let st = indicator_stats(&fw, &run.stage(stage).unwrap().data, &Thresholds::default());
        let t = read_table(file);
        let mut outliers = 0;
        for (k, id) in t.column("iCode").iter().enumerate() {
            let s = st.iter().find(|s| &s.id == id).unwrap_or_else(|| panic!("{id}"));
            let num = |c: &str| t.numeric(c)[k];
            for (c, got) in [
                ("Min", s.min),
                ("Max", s.max),
                ("Mean", s.mean),
                ("Median", s.median),
                ("Std", s.sd),
                ("Skew", s.skew),
                ("Kurt", s.kurtosis),
                ("N.Avail", s.n_avail as f64),
                ("N.NonZero", s.n_nonzero as f64),
                ("N.Unique", s.n_unique as f64),
                ("N.Same", s.n_same as f64),
                ("Frc.Avail", s.frc_avail),
                ("Frc.NonZero", s.frc_nonzero),
                ("Frc.Unique", s.frc_unique),
                ("Frc.Same", s.frc_same),
            ] {
                let want = num(c);
                assert!((got - want).abs() <= 1e-9 * (1.0 + want.abs()), "{file} {id} {c}: {got} vs {want}");
            }
            let flag = |c: &str| t.column(c)[k].clone();
            assert_eq!(flag("Flag.Avail") == "ok", !s.low_avail, "{id} Flag.Avail");
            assert_eq!(flag("Flag.NonZero") == "ok", !s.low_nonzero, "{id} Flag.NonZero");
            assert_eq!(flag("Flag.Unique") == "ok", !s.low_unique, "{id} Flag.Unique");
            assert_eq!(flag("Flag.SkewKurt") == "OUT", s.outlier, "{id} Flag.SkewKurt");
            outliers += usize::from(s.outlier);
        }
        assert_eq!(t.rows.len(), 49);
        eprintln!("{stage}: {outliers} outlier flags");
    }
}

#[test]
fn audit_report_is_coherent() {
    let (fw, ds, p) = setup();
    let r = audit(&fw, &ds, &p, &AuditOptions::default()).unwrap();
    assert_eq!(r.stage, "treated");
    assert_eq!(r.structure.len(), fw.aggregates_bottom_up().len());
    for s in &r.structure {
        let k = s.children.len() as f64;
        if let Some(pca) = &s.pca {
            assert!((pca.eigenvalues.iter().sum::<f64>() - k).abs() < 1e-9, "{}: trace", s.node);
            assert!((pca.explained.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
        assert!(s.alpha <= 1.0, "{}: alpha {}", s.node, s.alpha);
        for i in 0..s.children.len() {
            assert_eq!(s.correlations[[i, i]], 1.0);
        }
    }
    // every flag is what it claims to be
    for f in &r.flags {
        match f.kind {
            FlagKind::Collinear | FlagKind::Denominator => assert!(f.r.abs() >= 0.9, "{f:?}"),
            FlagKind::NegativeWithParent => assert!(f.r < 0.0, "{f:?}"),
        }
    }
    // all weights 1 in ASEM: effective weights sum to 1 per level
    let lvl1: f64 = r
        .importance
        .iter()
        .filter(|m| fw.node(&m.node).unwrap().level == 1)
        .map(|m| m.effective_weight)
        .sum();
    assert!((lvl1 - 1.0).abs() < 1e-12);
    // correlation ratios are shares of variance, and the index's children share it out
    assert!(r
        .importance
        .iter()
        .all(|m| (0.0..=1.0).contains(&m.eta2_index) && (0.0..=1.0).contains(&m.eta2_parent)));
    let top: f64 = r
        .importance
        .iter()
        .filter(|m| m.parent == "Index")
        .map(|m| m.eta2_index_share)
        .sum();
    assert!((top - 1.0).abs() < 1e-12, "{top}");
    // removing an element shifts ranks; removing one of the two sub-indices shifts them most
    assert_eq!(r.remove_one.len(), fw.nodes().len() - 1);
    let shift = |id: &str| r.remove_one.iter().find(|x| x.node == id).unwrap().mean_abs_rank_shift;
    let max_ind = fw.indicator_ids().iter().map(|id| shift(id)).fold(0.0, f64::max);
    assert!(
        shift("Conn") > max_ind && shift("Sust") > max_ind,
        "Conn {} Sust {} max indicator {max_ind}",
        shift("Conn"),
        shift("Sust")
    );
    assert!(r
        .remove_one
        .iter()
        .all(|x| x.mean_abs_rank_shift >= 0.0 && x.max_abs_rank_shift >= x.mean_abs_rank_shift));
}

#[test]
fn remove_one_matches_a_pipeline_without_the_indicator() {
    // dropping indicator LPI = weight 0; compare with a framework whose LPI weight is 0
    let (fw, ds, p) = setup();
    let r = zhili::analysis::audit::remove_one(&fw, &ds, &p).unwrap();
    let fw0 = fw.with_weights([("LPI", 0.0)]).unwrap();
    let nominal = p.run(&fw, &ds).unwrap().results.index_ranks();
    let without = p.run(&fw0, &ds).unwrap().results.index_ranks();
    let want = nominal.iter().zip(without.iter()).map(|(a, b)| (a - b).abs()).sum::<f64>() / nominal.len() as f64;
    let got = r.iter().find(|x| x.node == "LPI").unwrap().mean_abs_rank_shift;
    assert!((got - want).abs() < 1e-12, "{got} vs {want}");
}
