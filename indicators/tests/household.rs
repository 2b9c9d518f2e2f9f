//! Household three-colour grading and roll-up, checked by hand.
#![allow(clippy::unwrap_used)]

use zhili_indicators::household::{households_from_csv, roll_up, Level, INDICATORS};
use zhili_indicators::GradingSpec;

const HOUSEHOLDS: &str = "\
household,township,village,points,colour
h1,t1,v1,65,
h2,t1,v1,30,
h3,t1,v1,10,
h4,t1,v1,,yellow
h5,t1,v2,59.5,
h6,t1,v2,0,
h7,t2,v3,,红色(高风险)
";

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got.is_nan() && want.is_nan()) || (got - want).abs() < 1e-12,
        "{what}: got {got}, want {want}"
    );
}

#[test]
fn villages_hand_checked() {
    let hs = households_from_csv(HOUSEHOLDS, "h.csv").expect("parse");
    let g = GradingSpec::three_colour().expect("grading");
    let r = roll_up(&hs, &g, Level::Village).expect("roll up");
    // grades: 65 → red, 30 → yellow (limit inclusive), 10 → green, given yellow, 59.5 → yellow,
    // 0 → green, given red
    assert_eq!(r.grades, [0, 1, 2, 1, 1, 2, 0]);
    let ds = &r.dataset;
    assert_eq!(ds.indicator_ids(), INDICATORS);
    assert_eq!(ds.unit_ids(), ["v1", "v2", "v3"]);
    let want = [
        [25.0, 50.0, (65.0 + 30.0 + 10.0) / 3.0], // v1: 4 households, 1 red, 2 yellow; h4 has no points
        [0.0, 50.0, (59.5 + 0.0) / 2.0],          // v2
        [100.0, 0.0, f64::NAN],                   // v3: colour only
    ];
    for (i, w) in want.iter().enumerate() {
        for (j, x) in w.iter().enumerate() {
            close(ds.values()[[i, j]], *x, &format!("{} {}", ds.unit_ids()[i], INDICATORS[j]));
        }
    }
    assert_eq!(ds.numeric()["households"], vec![4.0, 2.0, 1.0]);
    assert_eq!(ds.numeric()["red"], vec![1.0, 0.0, 1.0]);
    assert_eq!(ds.numeric()["yellow"], vec![2.0, 1.0, 0.0]);
    assert_eq!(ds.numeric()["green"], vec![1.0, 1.0, 0.0]);
    let town: Vec<Option<&str>> = ds.groups()["township"].iter().map(|t| t.as_deref()).collect();
    assert_eq!(town, [Some("t1"), Some("t1"), Some("t2")]);
    assert_eq!(r.log.len(), 1, "v3's mean points is missing and announced");
    assert_eq!(r.log[0].unit.as_deref(), Some("v3"));
}

#[test]
fn townships_pool_households() {
    let hs = households_from_csv(HOUSEHOLDS, "h.csv").expect("parse");
    let g = GradingSpec::three_colour().expect("grading");
    let ds = roll_up(&hs, &g, Level::Township).expect("roll up").dataset;
    assert_eq!(ds.unit_ids(), ["t1", "t2"]);
    // t1 pools 6 households: 1 red (16.67 %, not the 12.5 % mean of its villages' shares), 3 yellow
    close(ds.values()[[0, 0]], 100.0 / 6.0, "t1 red");
    close(ds.values()[[0, 1]], 50.0, "t1 yellow");
    close(ds.values()[[0, 2]], (65.0 + 30.0 + 10.0 + 59.5 + 0.0) / 5.0, "t1 points");
    close(ds.values()[[1, 0]], 100.0, "t2 red");
    assert!(ds.groups().is_empty());
}

#[test]
fn bad_households_are_refused_with_line() {
    let g = GradingSpec::three_colour().expect("grading");
    for (row, needle) in [
        ("x,t1,v1,,", "neither risk points nor a colour"),
        ("x,t1,v1,,purple", "unknown colour `purple`"),
        ("x,t9,v1,5,", "listed under townships"),
        ("x,t1,v1,-3,", "must be finite and ≥ 0"),
    ] {
        let csv = format!("{HOUSEHOLDS}{row}\n");
        let hs = households_from_csv(&csv, "h.csv").expect("parse");
        let msg = roll_up(&hs, &g, Level::Village).expect_err(row).to_string();
        assert!(
            msg.contains(needle) && msg.contains("line 9") && msg.contains("household `x`"),
            "{msg}"
        );
    }
    let no_red = GradingSpec::from_toml_str("version = 1\n[[bands]]\nid = \"hi\"\nmin = 1.0\n[[bands]]\nid = \"lo\"\n", "g").expect("g");
    let hs = households_from_csv(HOUSEHOLDS, "h.csv").expect("parse");
    assert!(roll_up(&hs, &no_red, Level::Village).is_err());
    assert!(roll_up(&[], &g, Level::Village).is_err());
}

#[test]
fn bundled_households_reproduce_the_bundled_village_table() {
    let hs = households_from_csv(zhili_indicators::HOUSEHOLDS, "households.csv").expect("households");
    assert!(hs.len() > 3_000);
    let g = GradingSpec::three_colour().expect("grading");
    let r = roll_up(&hs, &g, Level::Village).expect("roll up");
    let table = zhili_indicators::sample("household-risk").expect("sample").load().expect("load");
    assert_eq!(r.dataset.unit_ids(), table.unit_ids());
    assert_eq!(r.dataset.n_units(), 77);
    for id in INDICATORS {
        let (a, b) = (r.dataset.indicator(id).expect("a"), table.indicator(id).expect("b"));
        for (x, y) in a.iter().zip(b.iter()) {
            close(*x, *y, id);
        }
    }
    let towns = roll_up(&hs, &g, Level::Township).expect("townships").dataset;
    assert_eq!(towns.n_units(), 8);
}
