//! Every bundled data set loads, has every indicator of its frameworks, and keeps to the
//! documented ranges of the synthetic model.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use zhili_core::Dataset;
use zhili_indicators::{get, sample, samples, CATALOGUE};

fn load(name: &str) -> Dataset {
    sample(name)
        .unwrap_or_else(|| panic!("no sample {name}"))
        .load()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn col(ds: &Dataset, id: &str) -> Vec<f64> {
    ds.indicator(id).unwrap_or_else(|| panic!("no column {id}")).to_vec()
}

fn range(v: &[f64]) -> (f64, f64) {
    v.iter()
        .filter(|x| !x.is_nan())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)))
}

#[test]
fn every_bundled_data_set_loads_and_has_every_framework_indicator() {
    for b in CATALOGUE {
        let f = b.framework().expect("framework");
        assert!(!b.datasets.is_empty(), "{} has no data", b.name);
        for d in b.datasets {
            let ds = d.load().unwrap_or_else(|e| panic!("{} / {}: {e}", b.name, d.name));
            let x = ds.aligned_values(&f).unwrap_or_else(|e| panic!("{} / {}: {e}", b.name, d.name));
            assert_eq!(x.ncols(), f.indicators().len());
            // synthetic data: a few missing values at most (COINr's real ASEM data has 2.5 %)
            let missing = x.iter().filter(|v| v.is_nan()).count();
            let limit = if d.synthetic { x.len() / 100 } else { x.len() / 30 };
            assert!(missing <= limit, "{} / {}: {missing} missing of {}", b.name, d.name, x.len());
            // denominators present and positive
            for c in d.numeric_columns {
                let v = ds.numeric_column(c).expect("numeric");
                assert!(v.iter().all(|x| x.is_nan() || *x >= 0.0), "{} / {c}", d.name);
                assert!(!d.synthetic || v.iter().all(|x| x.is_finite()), "{} / {c}: complete", d.name);
            }
        }
    }
}

#[test]
fn synthetic_data_sets_are_labelled() {
    for d in samples() {
        if d.synthetic {
            assert!(d.description.contains("SYNTHETIC"), "{}: description must say SYNTHETIC", d.name);
            let ds = d.load().expect("load");
            let note = &ds.groups()["data_note"];
            assert!(
                note.iter().all(|n| n.as_deref() == Some("SYNTHETIC")),
                "{}: data_note column",
                d.name
            );
        } else {
            assert_eq!(d.name, "asem-coinr");
        }
    }
}

#[test]
fn kunming_14_is_a_three_year_panel_of_the_14_units() {
    let ds = load("kunming-14");
    assert_eq!(ds.n_units(), 42);
    let units: BTreeSet<&str> = ds.unit_ids().iter().map(String::as_str).collect();
    let expected = [
        "wuhua",
        "panlong",
        "guandu",
        "xishan",
        "dongchuan",
        "chenggong",
        "jinning",
        "anning",
        "fumin",
        "yiliang",
        "songming",
        "shilin",
        "luquan",
        "xundian",
    ];
    assert_eq!(units, expected.into_iter().collect());
    let years: BTreeSet<i64> = ds.time().expect("year").iter().copied().collect();
    assert_eq!(years, [2021, 2022, 2023].into_iter().collect());
    let names = ds.unit_names().expect("names");
    assert_eq!(names[0], "五华区");
    assert!(names.iter().any(|n| n == "寻甸回族彝族自治县"));
    for n in ["population", "area_km2"] {
        assert!(ds.numeric().contains_key(n));
    }
    // both Kunming frameworks and five-governances use this data set
    for name in ["kunming-municipal", "kunming-county", "five-governances"] {
        assert!(get(name).expect("fw").datasets.iter().any(|d| d.name == "kunming-14"), "{name}");
    }
}

#[test]
fn kunming_14_follows_the_seed_facts() {
    let ds = load("kunming-14");
    let within = |id: &str, lo: f64, hi: f64| {
        let (a, b) = range(&col(&ds, id));
        assert!(a >= lo && b <= hi, "{id}: [{a}, {b}] not within [{lo}, {hi}]");
    };
    within("mediation_success_pct", 88.0, 99.0);
    within("sense_of_security_pct", 92.5, 99.5);
    within("criminal_cases_yoy_pct", -27.0, -7.0);
    within("zero_robbery_days", 225.0, 339.0);
    within("grid_coverage_pct", 97.0, 100.0);
    let sec = col(&ds, "sense_of_security_pct");
    let mean = sec.iter().filter(|v| !v.is_nan()).sum::<f64>() / sec.iter().filter(|v| !v.is_nan()).count() as f64;
    assert!((mean - 96.0).abs() < 1.0, "sense of security mean {mean}");
    // the level of criminal cases follows the year-on-year change
    let level = col(&ds, "criminal_cases_per_10k");
    let yoy = col(&ds, "criminal_cases_yoy_pct");
    let t = ds.time().expect("time");
    for i in 0..ds.n_units() {
        if t[i] == 2021 {
            continue;
        }
        let prev = (0..ds.n_units())
            .find(|&k| ds.unit_ids()[k] == ds.unit_ids()[i] && t[k] == t[i] - 1)
            .expect("previous year");
        let implied = level[prev] * (1.0 + yoy[i] / 100.0);
        assert!(
            (implied - level[i]).abs() < 0.02 + 0.002 * level[i],
            "{} {}: {} vs {implied}",
            ds.unit_ids()[i],
            t[i],
            level[i]
        );
    }
}

#[test]
fn yunnan_129_has_129_units_in_16_prefectures_and_matches_kunming() {
    let ds = load("yunnan-129");
    assert_eq!(ds.n_units(), 129);
    let pref: BTreeSet<&str> = ds.groups()["prefecture"]
        .iter()
        .map(|p| p.as_deref().expect("prefecture"))
        .collect();
    assert_eq!(pref.len(), 16);
    let k = load("kunming-14");
    let county = get("kunming-county").expect("county").framework().expect("fw");
    for id in county.indicator_ids() {
        let a = col(&ds, id);
        let b = col(&k, id);
        for (i, u) in ds.unit_ids().iter().enumerate() {
            if let Some(r) = (0..k.n_units()).find(|&r| &k.unit_ids()[r] == u && k.time().expect("t")[r] == 2023) {
                assert!(a[i] == b[r] || (a[i].is_nan() && b[r].is_nan()), "{u} {id}: {} vs {}", a[i], b[r]);
            }
        }
    }
}

#[test]
fn asem_data_is_coinr_input() {
    let ds = load("asem-coinr");
    assert_eq!(ds.n_units(), 51);
    assert_eq!(ds.unit_ids()[0], "AUT");
    assert_eq!(ds.groups()["EurAsia_group"][0].as_deref(), Some("Europe"));
    assert!(ds.numeric().contains_key("Population"));
    // COINr's iData has missing values: they must load as NaN
    let f = get("asem-coinr").expect("asem").framework().expect("fw");
    let x = ds.aligned_values(&f).expect("aligned");
    assert!(x.iter().any(|v| v.is_nan()));
}
