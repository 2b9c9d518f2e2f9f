//! Numbered schema migrations; `PRAGMA user_version` holds the number applied.

/// Migration `k` (1-based) is `MIGRATIONS[k - 1]`. Append only: never edit one that shipped.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: scenarios and their versions.
    r"
    CREATE TABLE scenarios (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at  TEXT NOT NULL,
        deleted_at  TEXT
    );
    CREATE TABLE versions (
        scenario_id      INTEGER NOT NULL REFERENCES scenarios(id),
        version          INTEGER NOT NULL,
        name             TEXT NOT NULL,
        note             TEXT NOT NULL DEFAULT '',
        author           TEXT NOT NULL DEFAULT '',
        saved_at         TEXT NOT NULL,
        framework_id     TEXT NOT NULL,
        data_fingerprint TEXT NOT NULL,
        weights_json     TEXT NOT NULL,
        pipeline_json    TEXT NOT NULL,
        PRIMARY KEY (scenario_id, version)
    );
    ",
    // 2: where a version came from (duplicate / rename / save), for the history list.
    r"
    ALTER TABLE versions ADD COLUMN origin TEXT NOT NULL DEFAULT 'save';
    CREATE INDEX versions_by_scenario ON versions(scenario_id, version DESC);
    ",
];

/// Bring the database to the latest schema, one transaction per migration.
///
/// # Errors
/// The database is newer than this program, or a migration fails (nothing of it is kept).
pub(crate) fn migrate(conn: &mut rusqlite::Connection) -> rusqlite::Result<usize> {
    let current: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?
        .try_into()
        .unwrap_or(0);
    if current > MIGRATIONS.len() {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "the scenario store has schema version {current}, newer than this zhili ({}); use a newer zhili",
            MIGRATIONS.len()
        )));
    }
    for (k, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (k + 1) as i64)?;
        tx.commit()?;
    }
    Ok(MIGRATIONS.len())
}

/// The schema version this program writes.
pub fn schema_version() -> usize {
    MIGRATIONS.len()
}
