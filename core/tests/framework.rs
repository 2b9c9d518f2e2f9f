//! Framework validation: every bad input reported with its node; round trips.

use zhili_core::framework::{FrameworkSpec, NodeSpec};
use zhili_core::{Error, Framework, ProblemKind};

fn spec(nodes: Vec<NodeSpec>) -> FrameworkSpec {
    FrameworkSpec {
        version: 1,
        id: None,
        name: Default::default(),
        description: None,
        lang: None,
        nodes,
    }
}

fn node(id: &str, parent: Option<&str>) -> NodeSpec {
    NodeSpec::new(id, parent)
}

fn problems(s: FrameworkSpec) -> Vec<(Option<String>, ProblemKind)> {
    match Framework::from_spec(s) {
        Err(Error::Framework(ps)) => ps.into_iter().map(|p| (p.node, p.kind)).collect(),
        Err(e) => panic!("expected framework problems, got {e}"),
        Ok(_) => panic!("expected framework problems, got a valid framework"),
    }
}

fn has(ps: &[(Option<String>, ProblemKind)], node: Option<&str>, kind: ProblemKind) -> bool {
    ps.iter().any(|(n, k)| n.as_deref() == node && *k == kind)
}

fn good() -> FrameworkSpec {
    let mut crime = node("crime", Some("safety"));
    crime.direction = Some("cost".into());
    spec(vec![
        node("index", None),
        node("safety", Some("index")),
        crime,
        node("mediation", Some("safety")),
        node("law", Some("index")),
        node("lawyers", Some("law")),
    ])
}

#[test]
fn valid_framework_has_levels_and_effective_weights() {
    let mut s = good();
    s.nodes[1].weight = 3.0; // safety 3 : law 1
    let fw = Framework::from_spec(s).unwrap();
    assert_eq!(fw.indicator_ids(), vec!["crime", "mediation", "lawyers"]);
    assert_eq!(fw.max_level(), 3);
    let ew = fw.effective_weights();
    // crime: 3/4 · 1/2; lawyers: 1/4 · 1
    assert!((ew[fw.index_of("crime").unwrap()] - 0.375).abs() < 1e-15);
    assert!((ew[fw.index_of("lawyers").unwrap()] - 0.25).abs() < 1e-15);
    assert_eq!(fw.node("crime").unwrap().direction, zhili_core::Direction::Cost);
}

#[test]
fn duplicate_id() {
    let mut s = good();
    s.nodes.push(node("crime", Some("law")));
    assert!(has(&problems(s), Some("crime"), ProblemKind::DuplicateId));
}

#[test]
fn unknown_parent() {
    let mut s = good();
    s.nodes.push(node("orphan", Some("nowhere")));
    assert!(has(&problems(s), Some("orphan"), ProblemKind::UnknownParent));
}

#[test]
fn cycle_is_reported_with_its_nodes() {
    let mut s = good();
    s.nodes.push(node("a", Some("b")));
    s.nodes.push(node("b", Some("a")));
    let ps = problems(s.clone());
    assert!(has(&ps, Some("a"), ProblemKind::Cycle), "{ps:?}");
    let msg = Framework::from_spec(s).unwrap_err().to_string();
    assert!(msg.contains("a -> b -> a"), "{msg}");
}

#[test]
fn each_cycle_reported_once_from_its_first_node_in_document_order() {
    // `tail2` leads into the second cycle before the first cycle is met: the problems
    // still come in the document order of each cycle's first node, tails are not cycles.
    let s = spec(vec![
        node("index", None),
        node("tail2", Some("n")),
        node("tail", Some("y")),
        node("y", Some("x")),
        node("x", Some("y")),
        node("m", Some("n")),
        node("n", Some("m")),
    ]);
    let msgs: Vec<(Option<String>, String)> = match Framework::from_spec(s) {
        Err(Error::Framework(ps)) => ps
            .into_iter()
            .filter(|p| p.kind == ProblemKind::Cycle)
            .map(|p| (p.node, p.message))
            .collect(),
        other => panic!("expected framework problems, got {other:?}"),
    };
    assert_eq!(
        msgs,
        vec![
            (Some("y".to_owned()), "cycle in parents: y -> x -> y".to_owned()),
            (Some("m".to_owned()), "cycle in parents: m -> n -> m".to_owned()),
        ]
    );
}

#[test]
fn deep_chain_validates() {
    // 100,000 nested aggregates: every check walks the tree once (a per-node walk to the
    // root would be 5·10⁹ steps).
    let n = 100_000;
    let mut nodes = vec![node("n0", None)];
    for k in 1..n {
        nodes.push(node(&format!("n{k}"), Some(&format!("n{}", k - 1))));
    }
    let fw = Framework::from_spec(spec(nodes)).unwrap();
    assert_eq!(fw.max_level(), n);
    assert_eq!(fw.indicator_ids(), vec![format!("n{}", n - 1)]);
}

#[test]
fn self_parent_is_a_cycle() {
    let mut s = good();
    s.nodes.push(node("me", Some("me")));
    assert!(has(&problems(s), Some("me"), ProblemKind::Cycle));
}

#[test]
fn more_than_one_root() {
    let mut s = good();
    s.nodes.push(node("second_root", None));
    assert!(has(&problems(s), Some("second_root"), ProblemKind::Root));
}

#[test]
fn aggregate_without_children() {
    let mut s = good();
    let mut a = node("empty_dim", Some("index"));
    a.kind = Some("aggregate".into());
    s.nodes.push(a);
    assert!(has(&problems(s), Some("empty_dim"), ProblemKind::ChildlessAggregate));
}

#[test]
fn indicator_with_children() {
    let mut s = good();
    s.nodes[2].kind = Some("indicator".into()); // crime
    s.nodes.push(node("sub", Some("crime")));
    assert!(has(&problems(s), Some("crime"), ProblemKind::IndicatorWithChildren));
}

#[test]
fn bad_weights() {
    for (w, id) in [(-1.0, "crime"), (f64::NAN, "mediation"), (f64::INFINITY, "lawyers")] {
        let mut s = good();
        let i = s.nodes.iter().position(|n| n.id == id).unwrap();
        s.nodes[i].weight = w;
        assert!(has(&problems(s), Some(id), ProblemKind::BadWeight), "weight {w}");
    }
}

#[test]
fn all_zero_sibling_weights() {
    let mut s = good();
    s.nodes[2].weight = 0.0;
    s.nodes[3].weight = 0.0;
    assert!(has(&problems(s), Some("safety"), ProblemKind::ZeroSiblingWeights));
}

#[test]
fn unknown_direction() {
    let mut s = good();
    s.nodes[3].direction = Some("sideways".into());
    assert!(has(&problems(s), Some("mediation"), ProblemKind::UnknownDirection));
}

#[test]
fn every_problem_at_once() {
    let mut s = good();
    s.nodes.push(node("crime", Some("law")));
    s.nodes.push(node("orphan", Some("nowhere")));
    s.nodes[3].direction = Some("up".into());
    s.nodes[5].weight = -2.0;
    let ps = problems(s);
    assert!(ps.len() >= 4, "{ps:?}");
}

#[test]
fn wrong_version() {
    let mut s = good();
    s.version = 7;
    assert!(has(&problems(s), None, ProblemKind::Version));
}

#[test]
fn toml_and_json_round_trip() {
    let mut s = good();
    s.nodes[2].goalposts = Some([0.0, 50.0]);
    s.nodes[2].unit = Some("cases per 10k".into());
    s.nodes[2].name.zh = Some("每万人刑事案件数".into());
    s.nodes[3].target = Some(99.0);
    s.nodes[1].weight = 0.3;
    let toml = s.to_toml_string().unwrap();
    assert_eq!(FrameworkSpec::from_toml_str(&toml, "t").unwrap(), s);
    let json = s.to_json_string().unwrap();
    assert_eq!(FrameworkSpec::from_json_str(&json, "j").unwrap(), s);
    let fw = Framework::from_spec(s.clone()).unwrap();
    assert_eq!(fw.spec(), &s);
}

#[test]
fn toml_parse_error_names_line() {
    let text = "version = 1\n[[nodes]]\nid = \"a\"\nweight = \"heavy\"\n";
    match FrameworkSpec::from_toml_str(text, "fw.toml") {
        Err(Error::Parse { location, .. }) => {
            assert_eq!(location.file, "fw.toml");
            assert_eq!(location.line, Some(4));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_field_is_rejected() {
    let text = "version = 1\n[[nodes]]\nid = \"a\"\nwieght = 2\n";
    let e = FrameworkSpec::from_toml_str(text, "fw.toml").unwrap_err().to_string();
    assert!(e.contains("wieght"), "{e}");
}

#[test]
fn with_weights_overrides_and_revalidates() {
    let fw = Framework::from_spec(good()).unwrap();
    let fw2 = fw.with_weights([("safety", 1.0), ("law", 3.0)]).unwrap();
    assert!((fw2.effective_weights()[fw2.index_of("lawyers").unwrap()] - 0.75).abs() < 1e-15);
    assert!(matches!(fw.with_weights([("nope", 1.0)]), Err(Error::Unknown { .. })));
    assert!(matches!(fw.with_weights([("law", -1.0)]), Err(Error::Framework(_))));
}

#[test]
fn coinr_rows_round_trip() {
    let fw = Framework::from_spec(good()).unwrap();
    let rows = fw.to_coinr();
    assert_eq!(rows.iter().find(|r| r.code == "crime").unwrap().direction, Some(-1.0));
    assert_eq!(rows.iter().find(|r| r.code == "index").unwrap().level, Some(3.0));
    let back = Framework::from_spec(FrameworkSpec::from_coinr(&rows, "x", 2).unwrap()).unwrap();
    assert_eq!(back.effective_weights().len(), fw.effective_weights().len());
    for id in fw.node_ids() {
        let (a, b) = (fw.node(id).unwrap(), back.node(id).unwrap());
        assert_eq!((a.kind, a.direction, a.level), (b.kind, b.direction, b.level), "{id}");
    }
}
