//! Grading scores into labelled bands.
#![allow(clippy::unwrap_used)]

use approx::assert_abs_diff_eq;
use ndarray::array;
use zhili_core::analysis::{quantile_type7, Breaks, Grading};

#[test]
fn fixed_thresholds_include_their_lower_bound() {
    let g = Grading::fixed(vec![60.0, 75.0, 90.0], ["差", "中", "良", "优"]);
    let r = g.apply(array![55.0, 60.0, 74.9, 75.0, 90.0, 100.0, f64::NAN].view()).unwrap();
    let l: Vec<Option<&str>> = r.labels.iter().map(|l| l.as_deref()).collect();
    assert_eq!(l, [Some("差"), Some("中"), Some("中"), Some("良"), Some("优"), Some("优"), None]);
    assert_eq!(r.bands[2], Some(1));
    assert_eq!(r.counts, vec![1, 2, 1, 2]);
}

/// R type 7: data 1..5, p = .25/.5/.75 → h = 1, 2, 3 → 2, 3, 4; data 1..4, p = .5 → h = 1.5 → 2.5;
/// p = .1 on (10, 20) → 10 + .1·10 = 11.
#[test]
fn quantile_thresholds_are_type_7() {
    assert_eq!(quantile_type7(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
    assert_abs_diff_eq!(quantile_type7(&[10.0, 20.0], 0.1), 11.0, epsilon = 1e-15);
    let g = Grading {
        breaks: Breaks::Quantiles {
            probs: vec![0.25, 0.5, 0.75],
        },
        labels: ["red", "orange", "yellow", "green"].map(String::from).to_vec(),
    };
    let r = g.apply(array![5.0, 1.0, f64::NAN, 3.0, 2.0, 4.0].view()).unwrap();
    assert_eq!(r.thresholds, vec![2.0, 3.0, 4.0]);
    let l: Vec<Option<&str>> = r.labels.iter().map(|l| l.as_deref()).collect();
    assert_eq!(l, [Some("green"), Some("red"), None, Some("yellow"), Some("orange"), Some("green")]);
}

#[test]
fn equal_intervals() {
    let g = Grading {
        breaks: Breaks::EqualIntervals { bands: 3 },
        labels: ["red", "yellow", "green"].map(String::from).to_vec(),
    };
    let r = g.apply(array![0.0, 2.9, 3.0, 6.0, 9.0].view()).unwrap();
    assert_eq!(r.thresholds, vec![3.0, 6.0]);
    assert_eq!(r.bands, vec![Some(0), Some(0), Some(1), Some(2), Some(2)]);
}

#[test]
fn spec_round_trips_and_is_checked() {
    let doc = "type = \"fixed\"\nthresholds = [60.0, 75.0, 90.0]\nlabels = [\"差\", \"中\", \"良\", \"优\"]\n";
    let g: Grading = toml::from_str(doc).unwrap();
    assert_eq!(g, Grading::fixed(vec![60.0, 75.0, 90.0], ["差", "中", "良", "优"]));
    let back: Grading = serde_json::from_str(&serde_json::to_string(&g).unwrap()).unwrap();
    assert_eq!(back, g);
    // Labels must match the bands; thresholds must increase; probabilities within (0, 1).
    assert!(Grading::fixed(vec![60.0, 75.0], ["a", "b"]).check().is_err());
    assert!(Grading::fixed(vec![75.0, 60.0], ["a", "b", "c"]).check().is_err());
    let q = Grading {
        breaks: Breaks::Quantiles { probs: vec![0.0, 0.5] },
        labels: ["a", "b", "c"].map(String::from).to_vec(),
    };
    assert!(q.check().is_err());
    // Quantiles of an all-missing column: an error, not NaN thresholds.
    let q = Grading {
        breaks: Breaks::Quantiles { probs: vec![0.5] },
        labels: ["a", "b"].map(String::from).to_vec(),
    };
    assert!(q.apply(array![f64::NAN].view()).is_err());
}
