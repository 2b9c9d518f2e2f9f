//! The pipeline document: the issue's exact format parses, round-trips, and bad documents are refused.

use zhili_core::{Error, Pipeline, Step};

const COINR: &str = r#"
version = 1
[[steps]]
type = "denominate"                 # each indicator with a `denominator` ÷ that data column, × scale (default 1)
[[steps]]
type = "impute"
method = "group_mean"               # none | mean | median | group_mean | group_median
group = "EurAsia_group"
[[steps]]
type = "screen"
min_coverage = 0.9                  # drop units with a smaller share of non-missing indicators
[[steps]]
type = "treat"
method = "winsorise"                # COINr's rule: fail if |skew| >= 2 and kurtosis >= 3.5
max_points = 5                      # winsorise up to N points, then log-transform if still failing
skew = 2.0
kurtosis = 3.5
[[steps]]
type = "normalise"
method = "minmax"
lo = 0.0
hi = 100.0
[[steps]]
type = "aggregate"
method = "arithmetic"
"#;

#[test]
fn the_documented_format_parses_and_round_trips() {
    let p = Pipeline::from_toml_str(COINR).unwrap();
    let names: Vec<&str> = p.steps.iter().map(Step::type_name).collect();
    assert_eq!(names, ["denominate", "impute", "screen", "treat", "normalise", "aggregate"]);
    let toml = p.to_toml_string().unwrap();
    assert_eq!(Pipeline::from_toml_str(&toml).unwrap(), p, "{toml}");
    let json = p.to_json_string().unwrap();
    assert_eq!(Pipeline::from_json_str(&json).unwrap(), p, "{json}");
    let d = Pipeline::default();
    assert_eq!(Pipeline::from_toml_str(&d.to_toml_string().unwrap()).unwrap(), d);
}

#[test]
fn overrides_parse() {
    let text = r#"
version = 1
ties = "average"
[[steps]]
type = "aggregate"
method = "arithmetic"
min_coverage = 0.5
overrides = [{ level = 4, method = "geometric" }, { node = "Conn", method = "generalised", p = 2.0 }]
"#;
    let p = Pipeline::from_toml_str(text).unwrap();
    assert_eq!(p.ties, zhili_core::Ties::Average);
    let Step::Aggregate(a) = &p.steps[0] else { panic!() };
    assert_eq!(a.overrides.len(), 2);
    assert_eq!(Pipeline::from_toml_str(&p.to_toml_string().unwrap()).unwrap(), p);
}

#[test]
fn bad_documents_are_refused_with_a_reason() {
    let cases = [
        ("version = 2\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n", "version"),
        ("version = 1\n[[steps]]\ntype = \"impute\"\nmethod = \"mean\"\n", "last step"),
        ("version = 1\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n", "more than once"),
        ("version = 1\n[[steps]]\ntype = \"smooth\"\n", "smooth"),
        ("version = 1\n[[steps]]\ntype = \"impute\"\nmethod = \"magic\"\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n", "magic"),
    ];
    for (text, needle) in cases {
        let e = Pipeline::from_toml_str(text).unwrap_err();
        assert!(matches!(e, Error::Spec { .. } | Error::Parse { .. }), "{e:?}");
        assert!(e.to_string().contains(needle), "`{e}` should mention `{needle}`");
    }
}
