//! The SQLite schema, as an ordered list of migrations.
//!
//! Every component calls [`migrate`] at the start of a request: on an
//! up-to-date database that costs one indexed read. A migration never
//! changes once released; new changes append a new version.

use crate::store::{Sql, SqlValue, StoreError, transaction};

/// `(version, statements)`, applied in order, each inside one transaction.
pub const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    r#"
CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    key_hash    TEXT NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    agent_id    TEXT,
    fleet_id    TEXT,
    read_only   INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE TABLE agents (
    tenant_id   TEXT NOT NULL,
    agent_id    TEXT NOT NULL,
    fleet_id    TEXT,
    trust_level INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, agent_id)
);
CREATE TABLE memories (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL,
    fleet_id          TEXT,
    agent_id          TEXT NOT NULL,
    memory_type       TEXT NOT NULL,
    content           TEXT NOT NULL,
    weight            REAL NOT NULL,
    title             TEXT,
    source_uri        TEXT,
    run_id            TEXT,
    metadata          TEXT NOT NULL DEFAULT '{}',
    content_hash      TEXT NOT NULL,
    client_request_id TEXT,
    status            TEXT NOT NULL,
    visibility        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    expires_at        TEXT,
    deleted_at        TEXT,
    ts_valid_start    TEXT,
    ts_valid_end      TEXT,
    subject           TEXT,
    predicate         TEXT,
    object_value      TEXT,
    recall_count      INTEGER NOT NULL DEFAULT 0,
    last_recalled_at  TEXT,
    supersedes_id     TEXT
);
CREATE INDEX memories_by_hash ON memories (tenant_id, content_hash);
CREATE INDEX memories_by_fleet ON memories (tenant_id, fleet_id);
CREATE INDEX memories_by_created ON memories (tenant_id, created_at);
CREATE UNIQUE INDEX memories_by_request_id
    ON memories (tenant_id, coalesce(fleet_id, ''), client_request_id)
    WHERE client_request_id IS NOT NULL AND deleted_at IS NULL;
"#,
)];

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

/// Brings the database up to [`latest_version`]. Safe to call concurrently:
/// the version is re-read under the write lock.
pub fn migrate(db: &dyn Sql) -> Result<(), StoreError> {
    if current_version(db).unwrap_or(0) >= latest_version() {
        return Ok(());
    }
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)",
        &[],
    )?;
    for (version, script) in MIGRATIONS {
        transaction(db, || {
            if current_version(db)? >= *version {
                return Ok::<_, StoreError>(());
            }
            for statement in statements(script) {
                db.execute(statement, &[])?;
            }
            db.execute(
                "INSERT INTO schema_migrations (version) VALUES (?)",
                &[SqlValue::Integer(*version)],
            )?;
            Ok(())
        })?;
    }
    Ok(())
}

fn current_version(db: &dyn Sql) -> Result<i64, StoreError> {
    let rows = db.execute(
        "SELECT coalesce(max(version), 0) AS v FROM schema_migrations",
        &[],
    )?;
    Ok(rows.first().and_then(|r| r.int("v")).unwrap_or(0))
}

/// Splits a migration script into statements. Scripts hold no string
/// literals with semicolons, so a plain split is exact.
fn statements(script: &str) -> impl Iterator<Item = &str> {
    script.split(';').map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::MemoryDb;

    #[test]
    fn migrates_once_and_is_idempotent() {
        let db = MemoryDb::empty();
        migrate(&db).unwrap();
        migrate(&db).unwrap();
        assert_eq!(current_version(&db).unwrap(), latest_version());
        let tables = Sql::execute(
            &db,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'memories'",
            &[],
        )
        .unwrap();
        assert_eq!(tables.rows.len(), 1);
    }
}
