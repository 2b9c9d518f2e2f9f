//! The scenario store: migrations, WAL, versions, and a crash between two writes.

use std::process::Command;

use rusqlite::Connection;
use serde_json::json;
use zhili_workbench::store::{latest_schema_version, NewVersion, Store};

fn version(note: &str) -> NewVersion {
    NewVersion {
        name: "s".into(),
        note: note.into(),
        author: "a".into(),
        framework_id: "fw".into(),
        data_fingerprint: "fp".into(),
        weights: json!({"x": 1.0}),
        pipeline: json!({"version": 1}),
        origin: "save".into(),
    }
}

#[test]
fn fresh_store_is_migrated_and_in_wal_mode() {
    let dir = tempfile::tempdir().expect("dir");
    let s = Store::open(&dir.path().join("a.sqlite")).expect("open");
    assert_eq!(s.schema_version().expect("v"), latest_schema_version() as i64);
    assert_eq!(s.journal_mode().expect("mode"), "wal");
}

/// A file written by the first schema (version 1, no `origin` column) opens with its data.
#[test]
fn old_schema_is_migrated_keeping_its_rows() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("old.sqlite");
    {
        let c = Connection::open(&path).expect("open");
        c.execute_batch(
            "CREATE TABLE scenarios (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, deleted_at TEXT);
             CREATE TABLE versions (scenario_id INTEGER NOT NULL REFERENCES scenarios(id), version INTEGER NOT NULL, name TEXT NOT NULL,
               note TEXT NOT NULL DEFAULT '', author TEXT NOT NULL DEFAULT '', saved_at TEXT NOT NULL, framework_id TEXT NOT NULL,
               data_fingerprint TEXT NOT NULL, weights_json TEXT NOT NULL, pipeline_json TEXT NOT NULL, PRIMARY KEY (scenario_id, version));
             INSERT INTO scenarios (created_at) VALUES ('2026-01-01T00:00:00Z');
             INSERT INTO versions VALUES (1, 1, '旧情景', 'n', 'a', '2026-01-01T00:00:00Z', 'fw', 'fp', '{\"x\":2.0}', '{\"version\":1}');
             PRAGMA user_version = 1;",
        )
        .expect("old schema");
    }
    let s = Store::open(&path).expect("migrates");
    assert_eq!(s.schema_version().expect("v"), latest_schema_version() as i64);
    let v = s.get(1, None).expect("kept");
    assert_eq!(v.name, "旧情景");
    assert_eq!(v.origin, "save");
    assert_eq!(v.weights, json!({"x": 2.0}));
    assert_eq!(s.save(1, &version("after")).expect("save"), 2);
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("new.sqlite");
    Connection::open(&path)
        .expect("open")
        .execute_batch("PRAGMA user_version = 99;")
        .expect("set");
    let e = Store::open(&path).expect_err("refused");
    assert!(e.to_string().contains("newer"), "{e}");
}

#[test]
fn versions_are_never_overwritten_and_delete_is_soft() {
    let dir = tempfile::tempdir().expect("dir");
    let s = Store::open(&dir.path().join("v.sqlite")).expect("open");
    let (id, v1) = s.create(&version("one")).expect("create");
    assert_eq!(v1, 1);
    assert_eq!(s.save(id, &version("two")).expect("save"), 2);
    assert_eq!(s.get(id, Some(1)).expect("v1").note, "one");
    assert_eq!(s.get(id, None).expect("latest").note, "two");
    assert!(s.set_deleted(id, true).expect("delete"));
    assert!(s.list(false).expect("list").is_empty());
    assert_eq!(s.list(true).expect("deleted")[0].versions, 2);
    assert!(s.set_deleted(id, false).expect("undo"));
    assert_eq!(s.list(false).expect("list").len(), 1);
    assert!(!s.set_deleted(999, true).expect("unknown"));
    assert!(matches!(s.save(999, &version("x")), Err(rusqlite::Error::QueryReturnedNoRows)));
}

/// Two stores on one file (two server processes): saves interleave, every version is kept.
#[test]
fn two_connections_saving_the_same_scenario_keep_both() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("two.sqlite");
    let a = Store::open(&path).expect("a");
    let b = Store::open(&path).expect("b");
    let (id, _) = a.create(&version("start")).expect("create");
    std::thread::scope(|sc| {
        let ta = sc.spawn(|| {
            (0..20)
                .map(|k| a.save(id, &version(&format!("a{k}"))).expect("a"))
                .collect::<Vec<_>>()
        });
        let tb = sc.spawn(|| {
            (0..20)
                .map(|k| b.save(id, &version(&format!("b{k}"))).expect("b"))
                .collect::<Vec<_>>()
        });
        let mut all = ta.join().expect("a");
        all.extend(tb.join().expect("b"));
        all.sort_unstable();
        assert_eq!(all, (2..=41).collect::<Vec<_>>());
    });
    assert_eq!(a.versions(id).expect("versions").len(), 41);
}

/// The child process: commits version 2, then dies between the two writes of version 3.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var("ZHILI_CRASH_DB") else { return };
    let s = Store::open(std::path::Path::new(&path)).expect("open");
    let (id, _) = s.create(&version("one")).expect("create");
    s.save(id, &version("two")).expect("save");
    let _ = s.save_with(id, &version("three"), || std::process::abort());
    unreachable!("aborted");
}

/// Kill the process between two writes of a save; reopen: everything committed is there,
/// nothing of the interrupted save, and the store works on.
#[test]
fn a_crash_between_two_writes_loses_nothing_committed() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("crash.sqlite");
    let out = Command::new(std::env::current_exe().expect("exe"))
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env("ZHILI_CRASH_DB", &path)
        .output()
        .expect("child");
    assert!(!out.status.success(), "the child must die mid-save");
    let s = Store::open(&path).expect("reopen");
    let vs = s.versions(1).expect("versions");
    let notes: Vec<&str> = vs.iter().map(|v| v.note.as_str()).collect();
    assert_eq!(notes, ["two", "one"]);
    assert_eq!(s.save(1, &version("after")).expect("save"), 3);
}
