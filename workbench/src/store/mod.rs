//! The scenario store: one SQLite file (WAL), versions never overwritten, soft delete.
//!
//! Every save is one `BEGIN IMMEDIATE` transaction that takes the next version number, so
//! two tabs (or two processes) saving the same scenario at once both keep their version,
//! and a crash between two writes leaves the last committed state.

mod migrations;

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};

pub use migrations::schema_version as latest_schema_version;

/// What a version holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// Scenario id.
    pub id: i64,
    /// Version number (1, 2, ...).
    pub version: i64,
    /// Name.
    pub name: String,
    /// Free-text note.
    pub note: String,
    /// Who saved it (free text).
    pub author: String,
    /// When (UTC, RFC 3339).
    pub saved_at: String,
    /// The framework's id.
    pub framework_id: String,
    /// Fingerprint of the data it was scored on.
    pub data_fingerprint: String,
    /// Node id → weight.
    pub weights: serde_json::Value,
    /// The pipeline document.
    pub pipeline: serde_json::Value,
    /// `save`, `duplicate`, `rename`.
    pub origin: String,
}

/// A scenario in the list: its latest version and how many versions it has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The latest version.
    #[serde(flatten)]
    pub latest: Version,
    /// Number of versions.
    pub versions: i64,
    /// When it was created.
    pub created_at: String,
    /// When it was deleted (soft), if it was.
    pub deleted_at: Option<String>,
}

/// What a save writes.
#[derive(Debug, Clone, Default)]
pub struct NewVersion {
    /// Name.
    pub name: String,
    /// Note.
    pub note: String,
    /// Author.
    pub author: String,
    /// Framework id.
    pub framework_id: String,
    /// Data fingerprint.
    pub data_fingerprint: String,
    /// Weights (JSON object).
    pub weights: serde_json::Value,
    /// Pipeline document (JSON).
    pub pipeline: serde_json::Value,
    /// `save`, `duplicate`, `rename`.
    pub origin: String,
}

/// The store.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
}

fn now() -> String {
    // Seconds since the epoch as RFC 3339 UTC, without a date crate.
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let (ms, s) = ((secs % 1000) as u64, (secs / 1000) as i64);
    let days = s.div_euclid(86_400);
    let rem = s.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's days → (year, month, day).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

const VERSION_COLUMNS: &str =
    "scenario_id, version, name, note, author, saved_at, framework_id, data_fingerprint, weights_json, pipeline_json, origin";

fn version_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Version> {
    let json = |i: usize| -> rusqlite::Result<serde_json::Value> {
        let s: String = r.get(i)?;
        serde_json::from_str(&s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
    };
    Ok(Version {
        id: r.get(0)?,
        version: r.get(1)?,
        name: r.get(2)?,
        note: r.get(3)?,
        author: r.get(4)?,
        saved_at: r.get(5)?,
        framework_id: r.get(6)?,
        data_fingerprint: r.get(7)?,
        weights: json(8)?,
        pipeline: json(9)?,
        origin: r.get(10)?,
    })
}

impl Store {
    /// Open (creating and migrating) the store at `path`; `:memory:` for a private one.
    ///
    /// # Errors
    /// The file cannot be opened, is not a SQLite database, or has a newer schema.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // WAL: readers never block the writer; a crash keeps every committed transaction.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::migrate(&mut conn)?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The schema version of the open file.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn schema_version(&self) -> rusqlite::Result<i64> {
        self.conn().query_row("PRAGMA user_version", [], |r| r.get(0))
    }

    /// The journal mode (`wal`).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn journal_mode(&self) -> rusqlite::Result<String> {
        self.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0))
    }

    /// A new scenario with its version 1; returns (id, 1).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn create(&self, v: &NewVersion) -> rusqlite::Result<(i64, i64)> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now();
        tx.execute("INSERT INTO scenarios (created_at) VALUES (?1)", params![at])?;
        let id = tx.last_insert_rowid();
        insert_version(&tx, id, 1, v, &at)?;
        tx.commit()?;
        Ok((id, 1))
    }

    /// Save a new version of scenario `id`; returns its number. Never overwrites.
    ///
    /// # Errors
    /// `QueryReturnedNoRows` for an unknown scenario; SQLite errors.
    pub fn save(&self, id: i64, v: &NewVersion) -> rusqlite::Result<i64> {
        self.save_with(id, v, || {})
    }

    /// [`Store::save`] with `between` called after the version row is written and before the
    /// commit (tests kill the process there to show a crash loses nothing committed).
    #[doc(hidden)]
    pub fn save_with(&self, id: i64, v: &NewVersion, between: impl FnOnce()) -> rusqlite::Result<i64> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM scenarios WHERE id = ?1", params![id], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            return Err(rusqlite::Error::QueryReturnedNoRows);
        }
        let next: i64 = tx.query_row(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE scenario_id = ?1",
            params![id],
            |r| r.get(0),
        )?;
        insert_version(&tx, id, next, v, &now())?;
        between();
        // Saving undeletes: a scenario someone is still working on stays listed.
        tx.execute("UPDATE scenarios SET deleted_at = NULL WHERE id = ?1", params![id])?;
        tx.commit()?;
        Ok(next)
    }

    /// Scenarios (latest version each), newest first; deleted ones only with `deleted`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn list(&self, deleted: bool) -> rusqlite::Result<Vec<Summary>> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {cols}, s.created_at, s.deleted_at, (SELECT COUNT(*) FROM versions c WHERE c.scenario_id = s.id)
             FROM scenarios s JOIN versions v ON v.scenario_id = s.id
             WHERE v.version = (SELECT MAX(version) FROM versions m WHERE m.scenario_id = s.id)
               AND (s.deleted_at IS NULL) = ?1
             ORDER BY v.saved_at DESC, s.id DESC",
            cols = VERSION_COLUMNS.split(", ").map(|c| format!("v.{c}")).collect::<Vec<_>>().join(", ")
        );
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map(params![!deleted], |r| {
            Ok(Summary {
                latest: version_row(r)?,
                created_at: r.get(11)?,
                deleted_at: r.get(12)?,
                versions: r.get(13)?,
            })
        })?;
        rows.collect()
    }

    /// One version (`None`: the latest) of a scenario, deleted or not.
    ///
    /// # Errors
    /// `QueryReturnedNoRows` when there is no such scenario or version.
    pub fn get(&self, id: i64, version: Option<i64>) -> rusqlite::Result<Version> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM versions WHERE scenario_id = ?1 AND version = COALESCE(?2, (SELECT MAX(version) FROM versions WHERE scenario_id = ?1))"
        );
        conn.query_row(&sql, params![id, version], version_row)
    }

    /// Every version of a scenario, newest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn versions(&self, id: i64) -> rusqlite::Result<Vec<Version>> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {VERSION_COLUMNS} FROM versions WHERE scenario_id = ?1 ORDER BY version DESC"
        ))?;
        let rows = st.query_map(params![id], version_row)?;
        rows.collect()
    }

    /// Whether a scenario is soft-deleted (`None`: no such scenario).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn deleted_at(&self, id: i64) -> rusqlite::Result<Option<Option<String>>> {
        self.conn()
            .query_row("SELECT deleted_at FROM scenarios WHERE id = ?1", params![id], |r| r.get(0))
            .optional()
    }

    /// Soft delete (`true`) or undo it (`false`); returns whether the scenario exists.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_deleted(&self, id: i64, deleted: bool) -> rusqlite::Result<bool> {
        let at = deleted.then(now);
        let n = self
            .conn()
            .execute("UPDATE scenarios SET deleted_at = ?2 WHERE id = ?1", params![id, at])?;
        Ok(n > 0)
    }
}

fn insert_version(tx: &rusqlite::Transaction<'_>, id: i64, version: i64, v: &NewVersion, at: &str) -> rusqlite::Result<()> {
    tx.execute(
        &format!("INSERT INTO versions ({VERSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
        params![
            id,
            version,
            v.name,
            v.note,
            v.author,
            at,
            v.framework_id,
            v.data_fingerprint,
            v.weights.to_string(),
            v.pipeline.to_string(),
            if v.origin.is_empty() { "save" } else { v.origin.as_str() },
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(super::civil_from_days(11_016), (2000, 2, 29));
    }
}
