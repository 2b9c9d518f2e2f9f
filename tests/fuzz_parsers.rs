//! Property tests of every parser a user's file reaches (issue 19): near-valid documents —
//! a valid seed with random edits (hostile tokens inserted, spans deleted, lines duplicated or
//! swapped, bytes flipped) — never panic, and an error names where the problem is; valid
//! documents round-trip. Case counts are bounded so the whole file runs in seconds in CI
//! (`FUZZ_CASES` overrides the count per parser for a longer local run).
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use zhili::analysis::uncertainty::{AnalysisSpec, Design};
use zhili::framework::FrameworkSpec;
use zhili::weight::{AhpSpec, WeightSet};
use zhili::{Error, Pipeline};

/// Characters of a value a message may show (`zhili_core::text::SHOWN_CHARS`).
const SHOWN: usize = zhili::text::SHOWN_CHARS;

/// Cases per parser (each case is one mutated document).
fn cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256)
}

/// The runner's configuration: a fixed seed, so CI runs the same cases every time
/// (`FUZZ_SEED=N` explores others; a failure prints its input).
fn config(cases: u32) -> Config {
    let seed = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20_261_207);
    Config {
        cases,
        failure_persistence: None,
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..Config::default()
    }
}

/// Tokens a hostile tester types: quotes, separators, brackets, extreme numbers, a BOM,
/// control characters, a long value, Chinese text.
const TOKENS: &[&str] = &[
    "\"",
    "'",
    ",",
    ";",
    "\n",
    "\r\n",
    "\t",
    "=",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    ":",
    "#",
    "\\",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "5e-324",
    "-1",
    "0",
    "1/0",
    "\u{feff}",
    "\u{0}",
    "\u{7f}",
    "中文",
    "=cmd|' /C calc'!A0",
    "w:",
    "NA",
    "",
    "nodes",
    "parent",
    "weight",
    "type",
    "method",
    "version",
    "Parent",
    "iCode",
    "Type",
];

/// One edit of a document.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, String),
    Delete(usize, usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    FlipByte(usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    let token = prop_oneof![
        4 => proptest::sample::select(TOKENS).prop_map(str::to_owned),
        1 => "[ -~]{0,12}",
        1 => Just("x".repeat(300)),
    ];
    prop_oneof![
        (any::<usize>(), token).prop_map(|(at, t)| Edit::Insert(at, t)),
        (any::<usize>(), 1usize..20).prop_map(|(at, n)| Edit::Delete(at, n)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::FlipByte(at, b)),
    ]
}

/// `seed` with `edits` applied, as bytes (a flipped byte may leave invalid UTF-8).
fn mutate(seed: &str, edits: &[Edit]) -> Vec<u8> {
    let mut doc = seed.as_bytes().to_vec();
    for e in edits {
        let n = doc.len().max(1);
        match e {
            Edit::Insert(at, t) => {
                let at = at % (doc.len() + 1);
                doc.splice(at..at, t.bytes());
            }
            Edit::Delete(at, len) => {
                let at = at % n;
                let end = (at + len).min(doc.len());
                if at < end {
                    doc.drain(at..end);
                }
            }
            Edit::DuplicateLine(k) | Edit::SwapLines(k, _) => {
                let mut lines: Vec<Vec<u8>> = doc.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                let i = k % lines.len();
                match e {
                    Edit::SwapLines(_, j) => {
                        let j = j % lines.len();
                        lines.swap(i, j);
                    }
                    _ => {
                        let l = lines[i].clone();
                        lines.insert(i, l);
                    }
                }
                doc = lines.join(&b'\n');
            }
            Edit::FlipByte(at, b) => {
                if !doc.is_empty() {
                    let at = at % doc.len();
                    doc[at] = *b;
                }
            }
        }
    }
    doc
}

/// The error says where: the file for a parse error (and a line when the text has several),
/// a node for a framework problem, a column, a step or option, an id.
fn assert_located(e: &Error, file: &str) {
    let msg = e.to_string();
    assert!(!msg.trim().is_empty(), "empty message: {e:?}");
    match e {
        Error::Parse { location, .. } => assert_eq!(location.file, file, "{msg}"),
        Error::Framework(ps) => assert!(!ps.is_empty() && ps.iter().all(|p| !p.message.is_empty()), "{msg}"),
        Error::MissingColumn { column, .. } => assert!(!column.is_empty(), "{msg}"),
        Error::Unknown { what, .. } => assert!(!what.is_empty(), "{msg}"),
        Error::Spec { what, .. } => assert!(!what.is_empty(), "{msg}"),
        Error::Method { method, .. } => assert!(!method.is_empty(), "{msg}"),
        Error::Shape { what, .. } => assert!(!what.is_empty(), "{msg}"),
        Error::Empty(m) => assert!(!m.is_empty()),
        other => panic!("an error without a place: {other}"),
    }
    // a message never echoes a whole long value (the fuzzer inserts 300-character values)
    assert!(!msg.contains(&"x".repeat(SHOWN + 1)), "a long value echoed whole: {msg}");
}

/// Run `parse` on `cases()` mutations of `seed`; it must not panic, and errors must be located.
fn fuzz(name: &str, seed: &str, file: &str, parse: impl Fn(&str) -> zhili::Result<()>) {
    let mut runner = TestRunner::new(config(cases()));
    let result = runner.run(&proptest::collection::vec(edit(), 1..6), |edits| {
        let bytes = mutate(seed, &edits);
        // text parsers see what the reader would give them: decoded text (or its error)
        let text = match zhili::io::decode(&bytes, file) {
            Ok((t, _)) => t,
            Err(e) => {
                assert_located(&e, file);
                return Ok(());
            }
        };
        // a panic fails the property (proptest catches it and shrinks the document)
        if let Err(e) = parse(&text) {
            assert_located(&e, file);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

fn bundled() -> &'static zhili::indicators::Bundled {
    zhili::indicators::get(zhili::indicators::DEFAULT).unwrap()
}

/// The first `n` lines of a text.
fn head(text: &str, n: usize) -> String {
    text.lines().take(n).collect::<Vec<_>>().join("\n") + "\n"
}

#[test]
fn framework_toml() {
    let seed = bundled().framework;
    fuzz("framework toml", seed, "fw.toml", |t| {
        zhili::Framework::from_spec(FrameworkSpec::from_toml_str(t, "fw.toml")?).map(drop)
    });
    // round trip of the valid document
    let spec = FrameworkSpec::from_toml_str(seed, "fw.toml").unwrap();
    assert_eq!(
        FrameworkSpec::from_toml_str(&spec.to_toml_string().unwrap(), "again").unwrap(),
        spec
    );
}

#[test]
fn framework_json() {
    let spec = FrameworkSpec::from_toml_str(bundled().framework, "fw.toml").unwrap();
    let seed = spec.to_json_string().unwrap();
    fuzz("framework json", &seed, "fw.json", |t| {
        zhili::Framework::from_spec(FrameworkSpec::from_json_str(t, "fw.json")?).map(drop)
    });
    assert_eq!(FrameworkSpec::from_json_str(&seed, "again").unwrap(), spec);
}

#[test]
fn framework_imeta_csv() {
    let seed = std::fs::read_to_string(common_fixture("coinr-asem/input_ASEM_iMeta.csv")).unwrap();
    let seed = head(&seed, 30);
    fuzz("iMeta csv", &seed, "meta.csv", |t| {
        zhili::Framework::from_spec(zhili::io::read_coinr_imeta(t, "meta.csv")?).map(drop)
    });
}

#[test]
fn pipeline_documents() {
    let seed = std::fs::read_to_string(common_fixture("coinr-asem.pipeline.toml")).unwrap();
    fuzz("pipeline toml", &seed, "p.toml", |t| {
        Pipeline::from_toml_named(t, "p.toml").and_then(|p| p.check())
    });
    let p = Pipeline::from_toml_str(&seed).unwrap();
    assert_eq!(Pipeline::from_toml_str(&p.to_toml_string().unwrap()).unwrap(), p);
    let json = p.to_json_string().unwrap();
    assert_eq!(Pipeline::from_json_str(&json).unwrap(), p);
    // JSON pipelines are parsed from text without a name: errors say `<pipeline>`
    fuzz("pipeline json", &json, "<pipeline>", |t| Pipeline::from_json_str(t).map(drop));
}

#[test]
fn factors_documents() {
    let seed = "runs = 100\nseed = 7\nnodes = [\"x\"]\n[[factors]]\ntype = \"weights\"\nspread = 0.25\nlevels = [1]\n\
                [[factors]]\ntype = \"normalise\"\nchoices = [{ method = \"minmax\" }, { method = \"zscore\" }]\n\
                [[factors]]\ntype = \"exclude\"\n";
    fuzz("factors toml", seed, "f.toml", |t| {
        AnalysisSpec::from_toml_named(t, "f.toml").map(drop)
    });
    AnalysisSpec::from_toml_named(seed, "f.toml").unwrap();
}

#[test]
fn weights_files() {
    let seed = "[weights]\nsafety = 2\nhealth = 1.5\n\"中文\" = 0.25\n";
    fuzz("weights toml", seed, "w.toml", |t| WeightSet::from_toml_str(t, "w.toml").map(drop));
    let w = WeightSet::from_toml_str(seed, "w.toml").unwrap();
    assert_eq!(w.weights.len(), 3);
}

#[test]
fn ahp_judgement_files() {
    let seed = "[options]\nrandom_index = { table = \"saaty1980\" }\n\n[nodes.index]\nelements = [\"a\", \"b\", \"c\"]\n\
                matrix = [[1, 3, \"1/5\"], [\"1/3\", 1, 2], [5, 0.5, 1]]\n\n[nodes.b]\nelements = [\"b1\", \"b2\"]\n\
                experts = [[[1, 2], [0.5, 1]], [[1, 8], [0.125, 1]]]\n";
    fuzz("ahp toml", seed, "ahp.toml", |t| AhpSpec::from_toml_str(t, "ahp.toml").map(drop));
    let s = AhpSpec::from_toml_str(seed, "ahp.toml").unwrap();
    assert_eq!(AhpSpec::from_toml_str(&toml::to_string(&s).unwrap(), "again").unwrap(), s);
}

#[test]
fn data_csv_in_every_encoding() {
    let b = bundled();
    let fw = b.framework().unwrap();
    let seed = head(b.data.unwrap(), 12);
    let opts = zhili::io::DataOptions {
        unit_column: Some(b.unit_column.to_owned()),
        ..zhili::io::DataOptions::default()
    };
    let read = |t: &str| zhili::io::read_dataset_str(t, "data.csv", &fw, &opts).map(drop);
    fuzz("data csv (utf-8)", &seed, "data.csv", read);
    // the same document in GBK and UTF-16: decoded, then read (the bytes are what is fuzzed)
    for (enc, bom) in [(encoding_rs::GBK, &[][..]), (encoding_rs::UTF_16LE, &[0xFF, 0xFE][..])] {
        let mut runner = TestRunner::new(config(cases() / 2));
        let encoded: Vec<u8> = if enc == encoding_rs::UTF_16LE {
            bom.iter().copied().chain(seed.encode_utf16().flat_map(u16::to_le_bytes)).collect()
        } else {
            enc.encode(&seed).0.into_owned()
        };
        runner
            .run(&proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4), |flips| {
                let mut bytes = encoded.clone();
                for (at, v) in flips {
                    let at = at % bytes.len();
                    bytes[at] = v;
                }
                match zhili::io::decode(&bytes, "data.csv") {
                    Ok((t, _)) => {
                        if let Err(e) = read(&t) {
                            assert_located(&e, "data.csv");
                        }
                    }
                    Err(e) => assert_located(&e, "data.csv"),
                }
                Ok(())
            })
            .unwrap();
        // unflipped, it reads like the UTF-8 text
        let (t, _) = zhili::io::decode(&encoded, "data.csv").unwrap();
        assert_eq!(t.trim_start_matches('\u{feff}'), seed);
    }
}

#[test]
fn replay_designs() {
    let seed =
        "run,normalise,aggregate,w:a,w:b\n1,\"{\"\"method\"\":\"\"zscore\"\"}\",,0.5,1.5\n2,,\"{\"\"method\"\":\"\"geometric\"\"}\",1,\n";
    fuzz("design csv", seed, "<design>", |t| Design::from_csv_str(t).map(drop));
    let d = Design::from_csv_str(seed).unwrap();
    let again = Design::from_csv_str(&d.to_csv_string().unwrap()).unwrap();
    assert_eq!(again.weight_nodes, d.weight_nodes);
    assert_eq!(again.runs.len(), d.runs.len());
    for (a, b) in again.runs.iter().zip(&d.runs) {
        assert_eq!(a.normalise, b.normalise);
        assert_eq!(a.aggregate, b.aggregate);
        for (x, y) in a.weights.iter().zip(&b.weights) {
            assert!(x == y || (x.is_nan() && y.is_nan()));
        }
    }
}

#[test]
fn event_logs_and_household_files() {
    let events = head(include_str!("../indicators/data/grid-events-log.csv"), 15);
    fuzz("event log", &events, "events.csv", |t| {
        zhili::indicators::grid_events::events_from_csv(t, "events.csv").map(drop)
    });
    let pop = include_str!("../indicators/data/grid-events-population.csv");
    fuzz("population", pop, "pop.csv", |t| {
        zhili::indicators::grid_events::population_from_csv(t, "pop.csv").map(drop)
    });
    let households = head(include_str!("../indicators/data/households.csv"), 15);
    fuzz("households", &households, "hh.csv", |t| {
        zhili::indicators::household::households_from_csv(t, "hh.csv").map(drop)
    });
    let grading = bundled().grading.unwrap_or("[[bands]]\nname = \"A\"\nmin = 90\n");
    fuzz("grading", grading, "g.toml", |t| {
        zhili::indicators::GradingSpec::from_toml_str(t, "g.toml").map(drop)
    });
}

fn common_fixture(rel: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}
