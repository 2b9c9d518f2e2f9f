//! Every bundled framework validates and carries the metadata users rely on.
#![allow(clippy::unwrap_used)]

use zhili_core::{Direction, Framework, NodeKind};
use zhili_indicators::{get, grid_events, names, GradingSpec, CATALOGUE, DEFAULT};

fn fw(name: &str) -> Framework {
    get(name)
        .unwrap_or_else(|| panic!("no bundled framework {name}"))
        .framework()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn dims(f: &Framework) -> usize {
    f.nodes()[f.root()].children.len()
}

fn cost_ids(f: &Framework) -> Vec<&str> {
    f.indicators()
        .iter()
        .map(|&n| &f.nodes()[n])
        .filter(|n| n.direction == Direction::Cost)
        .map(|n| n.id.as_str())
        .collect()
}

#[test]
fn catalogue_names_are_unique_and_default_exists() {
    let all: Vec<&str> = names().collect();
    for (i, n) in all.iter().enumerate() {
        assert!(!all[..i].contains(n), "duplicate {n}");
    }
    assert_eq!(DEFAULT, "kunming-county");
    assert!(get(DEFAULT).is_some());
    for expected in [
        "kunming-municipal",
        "kunming-county",
        "five-governances",
        "grid-events",
        "household-risk",
        "asem-coinr",
    ] {
        assert!(get(expected).is_some(), "{expected} missing");
    }
}

#[test]
fn every_framework_validates_and_every_indicator_is_described() {
    for b in CATALOGUE {
        let f = b.framework().unwrap_or_else(|e| panic!("{}: {e}", b.name));
        assert_eq!(b.spec().expect("spec").id.as_deref(), Some(b.name), "framework id = catalogue name");
        let spec = f.spec();
        for &n in f.indicators() {
            let node = &f.nodes()[n];
            let ns = spec.nodes.iter().find(|s| s.id == node.id).expect("spec node");
            let ctx = format!("{} / {}", b.name, node.id);
            assert!(node.name.zh.as_deref().is_some_and(|s| !s.trim().is_empty()), "{ctx}: zh name");
            assert!(node.name.en.as_deref().is_some_and(|s| !s.trim().is_empty()), "{ctx}: en name");
            assert!(node.unit.as_deref().is_some_and(|s| !s.trim().is_empty()), "{ctx}: unit");
            assert!(ns.source.as_deref().is_some_and(|s| !s.trim().is_empty()), "{ctx}: source");
            assert_eq!(node.kind, NodeKind::Indicator);
        }
        for node in f.nodes() {
            assert!(
                node.name.zh.is_some() && node.name.en.is_some(),
                "{}: node {} needs zh and en names",
                b.name,
                node.id
            );
        }
    }
}

#[test]
fn kunming_municipal_has_46_indicators_in_7_dimensions() {
    let f = fw("kunming-municipal");
    assert_eq!(f.indicators().len(), 46);
    assert_eq!(dims(&f), 7);
    let mut cost = cost_ids(&f);
    cost.sort_unstable();
    assert_eq!(
        cost,
        [
            "admin_litigation_loss_pct",
            "criminal_cases_per_10k",
            "criminal_cases_yoy_pct",
            "dishonest_debtors_per_10k",
            "grid_event_mean_hours",
            "homicides_per_100k",
            "mass_incidents_yoy_pct",
            "petitions_per_10k",
            "police_arrival_min",
            "road_deaths_per_10k_vehicles",
            "telecom_fraud_per_10k",
            "work_safety_deaths_per_1e8_gdp",
        ]
    );
}

#[test]
fn kunming_county_has_21_indicators_in_5_dimensions() {
    let f = fw("kunming-county");
    assert_eq!(f.indicators().len(), 21);
    assert_eq!(dims(&f), 5);
    let mut cost = cost_ids(&f);
    cost.sort_unstable();
    assert_eq!(
        cost,
        [
            "civil_to_criminal_cases",
            "criminal_cases_per_10k",
            "criminal_cases_yoy_pct",
            "fires_per_10k",
            "fraud_losses_per_10k",
            "mass_incidents",
            "petitions_per_10k",
            "police_arrival_min",
            "red_households_pct",
            "road_deaths_per_100k",
            "telecom_fraud_per_10k",
        ]
    );
}

#[test]
fn shared_indicators_agree_between_municipal_and_county() {
    let m = fw("kunming-municipal");
    let c = fw("kunming-county");
    let shared: Vec<&str> = c.indicator_ids().into_iter().filter(|id| m.index_of(id).is_some()).collect();
    // grid coverage, on-time closure, four public-order ones, police arrival, mediation, petitions x2,
    // legal advisers, rule-of-law villages, sense of security, satisfaction with safety work
    assert_eq!(shared.len(), 14, "{shared:?}");
    for id in shared {
        let (a, b) = (m.node(id).expect("m"), c.node(id).expect("c"));
        assert_eq!(a.direction, b.direction, "{id}: direction");
        assert_eq!(a.unit, b.unit, "{id}: unit");
        let head = |s: Option<&str>| s.map(|s| s.chars().take(3).collect::<String>());
        assert_eq!(head(a.name.zh.as_deref()), head(b.name.zh.as_deref()), "{id}: zh name");
    }
}

#[test]
fn kunming_frameworks_say_they_are_not_the_official_list() {
    for name in ["kunming-municipal", "kunming-county"] {
        let b = get(name).expect("bundled");
        assert!(b.framework.contains("NOT THE OFFICIAL KUNMING/XINHUA LIST"), "{name}: header");
        let d = b.spec().expect("spec").description.unwrap_or_default();
        assert!(d.contains("NOT the official"), "{name}: description");
        assert!(b.description.contains("not the official"), "{name}: catalogue description");
    }
}

#[test]
fn goalposts_are_ordered_and_cover_every_governance_indicator() {
    for name in [
        "kunming-municipal",
        "kunming-county",
        "five-governances",
        "grid-events",
        "household-risk",
    ] {
        let f = fw(name);
        for &n in f.indicators() {
            let node = &f.nodes()[n];
            let [lo, hi] = node.goalposts.unwrap_or_else(|| panic!("{name}/{}: goalposts", node.id));
            assert!(lo < hi, "{name}/{}: goalposts {lo} {hi}", node.id);
        }
    }
}

#[test]
fn five_governances_is_compact_and_reuses_municipal_ids() {
    let f = fw("five-governances");
    let m = fw("kunming-municipal");
    assert_eq!(dims(&f), 5);
    assert_eq!(f.indicators().len(), 15);
    for id in f.indicator_ids() {
        let (a, b) = (f.node(id).expect("f"), m.node(id).expect("municipal has it"));
        assert_eq!((a.direction, a.goalposts, &a.unit), (b.direction, b.goalposts, &b.unit), "{id}");
    }
    assert_eq!(cost_ids(&f), ["dishonest_debtors_per_10k"]);
}

#[test]
fn grid_events_has_4_categories_27_items_and_the_derived_indicators() {
    assert_eq!(grid_events::CATEGORIES.len(), 4);
    assert_eq!(grid_events::ITEMS.len(), 27);
    let zh: Vec<&str> = grid_events::CATEGORIES.iter().map(|c| c.zh).collect();
    assert_eq!(zh, ["警务", "社会管理", "矛盾纠纷", "为民服务"]);
    let per_cat: Vec<usize> = (0..4)
        .map(|c| grid_events::ITEMS.iter().filter(|i| i.category == c).count())
        .collect();
    assert_eq!(per_cat, [7, 8, 6, 6]);
    for (k, i) in grid_events::ITEMS.iter().enumerate() {
        assert!(
            !grid_events::ITEMS[..k].iter().any(|o| o.id == i.id || o.zh == i.zh),
            "duplicate item {}",
            i.id
        );
    }
    let f = fw("grid-events");
    assert_eq!(f.indicator_ids(), grid_events::INDICATORS);
    for c in grid_events::CATEGORIES {
        assert!(f.index_of(c.rate_indicator).is_some());
    }
    let mut cost = cost_ids(&f);
    cost.sort_unstable();
    assert_eq!(
        cost,
        [
            "dispute_events_per_10k",
            "grid_event_median_hours",
            "grid_event_repeat_pct",
            "policing_events_per_10k"
        ]
    );
    // the on-time rate is the same indicator as in the Kunming frameworks
    assert!(fw("kunming-county").index_of("grid_event_ontime_pct").is_some());
}

#[test]
fn household_risk_indicators_are_costs() {
    let f = fw("household-risk");
    assert_eq!(f.indicator_ids(), zhili_indicators::household::INDICATORS);
    assert_eq!(cost_ids(&f).len(), 3);
    assert!(fw("kunming-county").index_of("red_households_pct").is_some());
}

#[test]
fn asem_matches_coinr_shape() {
    let f = fw("asem-coinr");
    assert_eq!(f.indicators().len(), 49);
    assert_eq!(cost_ids(&f).len(), 14);
    assert_eq!(dims(&f), 2);
    assert_eq!(f.max_level(), 4);
    let den: Vec<(&str, &str)> = f
        .indicators()
        .iter()
        .map(|&n| &f.nodes()[n])
        .filter_map(|n| n.denominator.as_deref().map(|d| (n.id.as_str(), d)))
        .collect();
    assert!(
        den.contains(&("Flights", "Population")) && den.contains(&("Goods", "GDP")),
        "{den:?}"
    );
    assert_eq!(den.len(), 17);
}

#[test]
fn gradings_parse() {
    let g = GradingSpec::three_colour().expect("three-colour");
    assert_eq!(
        g.bands.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(),
        ["red", "yellow", "green"]
    );
    let s = GradingSpec::score_grades().expect("score grades");
    assert_eq!(s.grade(85.0).map(|b| b.name.zh.as_deref()), Some(Some("优秀")));
    assert_eq!(s.grade(59.9).map(|b| b.id.as_str()), Some("poor"));
    for b in CATALOGUE {
        b.grading().unwrap_or_else(|e| panic!("{}: {e}", b.name));
    }
}

#[test]
fn default_data_fields_match_the_first_dataset() {
    for b in CATALOGUE {
        let first = b.sample().expect("every framework has sample data");
        assert_eq!(b.data, Some(first.csv), "{}", b.name);
        assert_eq!(b.unit_column, first.unit_column, "{}", b.name);
    }
}
