//! The event-log derivation on a hand-made log whose indicators are worked out by hand.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use zhili_core::Error;
use zhili_indicators::grid_events::{derive, events_from_csv, population_from_csv, DeriveOptions, Event, INDICATORS};

const LOG: &str = "\
unit,category,item,reported_at,closed_at,status,satisfaction,location,extra
A,policing,P01,2023-01-01 08:00,2023-01-01 20:00,closed,5,g1,ignored
A,警务,涉诈线索,2023-01-02 08:00,2023-01-03 14:00,已办结,3,g2,
A,social,S02,2023/01/05 09:00,2023-01-06 09:00,closed,,g1,
A,dispute,D02,2023-01-10T10:00:00,2023-01-20 10:00,closed,2,g3,
A,矛盾纠纷,D02,2023-01-25 10:00,,open,,g3,
A,service,F01,2023-01-30 12:00,,办理中,,g1,
A,policing,p01,2023-01-15 08:00,2023-01-15 10:00,closed,4,g1,
B,为民服务,F06,2023-01-03 08:00,2023-01-03 09:30,closed,5,,
B,service,F06,2023-01-04 08:00,2023-01-07 08:00,closed,,,
";

fn opts() -> DeriveOptions {
    DeriveOptions {
        as_of: NaiveDate::from_ymd_opt(2023, 1, 31).and_then(|d| d.and_hms_opt(0, 0, 0)),
        ..DeriveOptions::default()
    }
}

fn pop() -> Vec<(String, f64)> {
    vec![("A".into(), 20_000.0), ("B".into(), 10_000.0), ("C".into(), 5_000.0)]
}

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got.is_nan() && want.is_nan()) || (got - want).abs() < 1e-12,
        "{what}: got {got}, want {want}"
    );
}

#[test]
fn hand_made_log_gives_hand_computed_indicators() {
    let events = events_from_csv(LOG, "log.csv").expect("parse");
    assert_eq!(events.len(), 9);
    let d = derive(&events, &pop(), &opts()).expect("derive");
    let ds = &d.dataset;
    assert_eq!(ds.indicator_ids(), INDICATORS);
    assert_eq!(ds.unit_ids(), ["A", "B", "C"]);
    // Unit A, population 20,000, as_of 2023-01-31 00:00:
    //  #1 policing 12 h closed (on time ≤ 24 h, within 24 h window), sat 5, g1/P01
    //  #2 policing 30 h closed (late), sat 3
    //  #3 social 24 h closed (on time ≤ 72 h, within window: ≤ 24 h inclusive)
    //  #4 dispute 240 h closed (late, > 168 h), sat 2, g3/D02
    //  #5 dispute open, age 134 h: not yet due (168 h), older than the window; repeat of #4 (15 days)
    //  #6 service open, age 12 h: neither due nor old enough for the window
    //  #7 policing 2 h closed, sat 4, g1/P01 14 days after #1: a repeat
    let want_a = [
        3.0 / 20_000.0 * 1e4, // 1.5
        1.0 / 20_000.0 * 1e4, // 0.5
        2.0 / 20_000.0 * 1e4, // 1.0
        1.0 / 20_000.0 * 1e4, // 0.5
        100.0 * 3.0 / 5.0,    // on time #1 #3 #7 of due #1 #2 #3 #4 #7
        24.0,                 // median of 2, 12, 24, 30, 240
        100.0 * 3.0 / 6.0,    // within 24 h: #1 #3 #7 of #1-#5, #7
        100.0 * 2.0 / 7.0,    // repeats #5 #7 of 7 located events
        (5.0 + 3.0 + 2.0 + 4.0) / 4.0,
    ];
    // Unit B, population 10,000: two service events, 1.5 h and 72 h, no locations
    let want_b = [0.0, 0.0, 0.0, 2.0, 100.0, (1.5 + 72.0) / 2.0, 50.0, f64::NAN, 5.0];
    let want_c = [0.0, 0.0, 0.0, 0.0, f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN];
    for (i, want) in [want_a, want_b, want_c].iter().enumerate() {
        for (j, w) in want.iter().enumerate() {
            close(ds.values()[[i, j]], *w, &format!("{} {}", ds.unit_ids()[i], INDICATORS[j]));
        }
    }
    assert_eq!(ds.numeric()["events"], vec![7.0, 2.0, 0.0]);
    assert_eq!(ds.numeric()["population"], vec![20_000.0, 10_000.0, 5_000.0]);
    // every NaN is announced: B repeat, C five rates
    assert_eq!(d.log.len(), 6, "{:?}", d.log);
    assert!(d
        .log
        .iter()
        .any(|w| w.unit.as_deref() == Some("B") && w.indicator.as_deref() == Some("grid_event_repeat_pct")));
}

#[test]
fn as_of_defaults_to_the_latest_timestamp() {
    // latest timestamp = 2023-01-30 12:00 (#6 reported): #5 is then 122 h old, still not due
    let events = events_from_csv(LOG, "log.csv").expect("parse");
    let d = derive(&events, &pop(), &DeriveOptions::default()).expect("derive");
    close(d.dataset.values()[[0, 4]], 60.0, "on time");
    close(d.dataset.values()[[0, 6]], 50.0, "first window");
}

#[test]
fn by_year_gives_a_panel() {
    let log = "unit,category,item,reported_at,closed_at,status\n\
               A,policing,P01,2022-12-31 20:00,2023-01-01 02:00,closed\n\
               A,policing,P01,2023-06-01 08:00,2023-06-03 08:00,closed\n";
    let events = events_from_csv(log, "log.csv").expect("parse");
    let o = DeriveOptions {
        by_year: true,
        ..DeriveOptions::default()
    };
    let d = derive(&events, &[("A".into(), 10_000.0)], &o).expect("derive");
    assert_eq!(d.dataset.time(), Some(&[2022_i64, 2023][..]));
    close(d.dataset.values()[[0, 4]], 100.0, "2022 on time");
    close(d.dataset.values()[[1, 4]], 0.0, "2023 late (48 h > 24 h)");
    close(d.dataset.values()[[1, 5]], 48.0, "2023 median hours");
}

fn one(line: &str) -> Result<(), Error> {
    let log = format!("unit,category,item,reported_at,closed_at,status,satisfaction\n{line}\n");
    let events = events_from_csv(&log, "bad.csv")?;
    derive(
        &events,
        &pop(),
        &DeriveOptions {
            file: "bad.csv".into(),
            ..DeriveOptions::default()
        },
    )
    .map(|_| ())
}

fn fails_with(line: &str, needles: &[&str]) {
    let e = one(line).expect_err(line);
    let msg = e.to_string();
    for n in needles {
        assert!(msg.contains(n), "`{msg}` should mention `{n}`");
    }
}

#[test]
fn clear_errors_name_line_and_unit() {
    fails_with(
        "A,traffic,P01,2023-01-01 08:00,,open,",
        &["unknown event category `traffic`", "line 2", "unit `A`"],
    );
    fails_with("A,policing,X99,2023-01-01 08:00,,open,", &["unknown event item `X99`", "line 2"]);
    fails_with(
        "A,policing,D02,2023-01-01 08:00,,open,",
        &["belongs to category `dispute`", "line 2"],
    );
    fails_with(
        "A,policing,P01,2023-01-02 08:00,2023-01-01 08:00,closed,",
        &["before it was reported", "line 2", "unit `A`"],
    );
    fails_with(
        "A,policing,P01,2023-13-01 08:00,,open,",
        &["not a timestamp", "line 2", "reported_at"],
    );
    fails_with("A,policing,P01,yesterday,,open,", &["`yesterday`"]);
    fails_with("A,policing,P01,2023-01-01 08:00,,closed,", &["closed_at is empty", "line 2"]);
    fails_with("A,policing,P01,2023-01-01 08:00,2023-01-01 09:00,open,", &["status is open"]);
    fails_with("A,policing,P01,2023-01-01 08:00,,lost,", &["unknown status `lost`"]);
    fails_with("A,policing,P01,2023-01-01 08:00,2023-01-01 09:00,closed,7", &["outside 1–5"]);
    fails_with("Z,policing,P01,2023-01-01 08:00,,open,", &["unknown unit `Z`", "line 2"]);
    fails_with("A,policing,P01,2023-01-01 08:00,,open,good", &["line 2"]);
}

#[test]
fn bad_population_and_empty_logs_are_refused() {
    let e = Event {
        unit: "A".into(),
        category: "policing".into(),
        item: "P01".into(),
        reported_at: "2023-01-01 08:00".into(),
        closed_at: None,
        status: "open".into(),
        satisfaction: None,
        location: None,
        line: None,
    };
    assert!(derive(&[], &pop(), &DeriveOptions::default()).is_err());
    let msg = derive(std::slice::from_ref(&e), &[("A".into(), 0.0)], &DeriveOptions::default())
        .expect_err("zero pop")
        .to_string();
    assert!(msg.contains("unit `A`"), "{msg}");
    assert!(derive(
        std::slice::from_ref(&e),
        &[("A".into(), 1.0), ("A".into(), 2.0)],
        &DeriveOptions::default()
    )
    .is_err());
    let bad = DeriveOptions {
        first_window_hours: 0.0,
        ..DeriveOptions::default()
    };
    assert!(derive(&[e], &pop(), &bad).is_err());
    assert!(population_from_csv("unit,people\nA,3\n", "p.csv").is_err());
}

#[test]
fn bundled_log_reproduces_the_bundled_indicator_table() {
    let events = events_from_csv(zhili_indicators::GRID_EVENT_LOG, "grid-events-log.csv").expect("log");
    assert!(events.len() > 20_000, "tens of thousands of events: {}", events.len());
    let pop = population_from_csv(zhili_indicators::GRID_EVENT_POPULATION, "pop.csv").expect("pop");
    let d = derive(&events, &pop, &DeriveOptions::default()).expect("derive");
    assert!(d.log.is_empty(), "{:?}", d.log);
    let table = zhili_indicators::sample("grid-events").expect("sample").load().expect("load");
    assert_eq!(d.dataset.unit_ids(), table.unit_ids());
    for id in INDICATORS {
        let (a, b) = (d.dataset.indicator(id).expect("a"), table.indicator(id).expect("b"));
        for (x, y) in a.iter().zip(b.iter()) {
            close(*x, *y, id);
        }
    }
}
