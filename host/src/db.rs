//! SQLite plumbing shared by the Spin interfaces (served to components) and
//! the admin CLI: opening files with the right pragmas, a small connection
//! pool, and one statement runner with one value mapping for both.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{Connection, ErrorCode};

/// The file behind Spin's `default` SQLite database.
pub const SQLITE_FILE: &str = "memclaw.db";
/// The file behind Spin's `default` key-value store.
pub const KV_FILE: &str = "kv.db";

/// The key-value table; the same schema as Spin's SQLite key-value backend,
/// so a `.spin/sqlite_key_value.db` and our `kv.db` are interchangeable.
const KV_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS spin_key_value (
    store TEXT NOT NULL,
    key   TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (store, key)
)";

/// How long a statement may wait for another connection's write lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Prepared statements kept per connection: enough for every statement the
/// components issue, so repeated requests skip SQL parsing.
const STATEMENT_CACHE: usize = 128;

/// Opens `path` (creating it) with the pragmas every memclaw connection uses.
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    // WAL + NORMAL: commits no longer fsync (only checkpoints do), which
    // takes a write request from ~6 ms to well under 1 ms; a crash can lose
    // the last transactions but never corrupts the file.
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))?;
    conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")?;
    // Concurrent writers queue for the write lock instead of failing.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// Opens the key-value database and makes sure its table exists.
pub fn open_kv(path: &Path) -> rusqlite::Result<Connection> {
    let conn = open(path)?;
    conn.execute_batch(KV_SCHEMA)?;
    Ok(conn)
}

/// What one statement returned.
#[derive(Debug, Default)]
pub struct Output {
    /// Column names, empty for statements that return no columns.
    pub columns: Vec<String>,
    /// One entry per row, each as long as `columns`.
    pub rows: Vec<Vec<Value>>,
}

/// Runs exactly one statement (DDL, write or query) with positional
/// parameters and collects every row it returns.
pub fn run(conn: &Connection, sql: &str, params: &[Value]) -> rusqlite::Result<Output> {
    let mut stmt = conn.prepare_cached(sql)?;
    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let width = columns.len();
    let mut cursor = stmt.query(rusqlite::params_from_iter(params))?;
    let mut rows = Vec::new();
    while let Some(row) = cursor.next()? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(row.get::<_, Value>(i)?);
        }
        rows.push(values);
    }
    Ok(Output { columns, rows })
}

/// Whether `e` means "another connection holds the lock" (nothing was done,
/// so the statement can be retried).
pub fn is_busy(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
}

/// Runs `work` on `conn` allowing it to wait [`BUSY_TIMEOUT`] for locks;
/// pooled connections otherwise fail fast (see [`Pool`]).
pub fn waiting<R>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> rusqlite::Result<R>,
) -> rusqlite::Result<R> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let result = work(conn);
    let restored = conn.busy_timeout(Duration::ZERO);
    let value = result?;
    restored?;
    Ok(value)
}

/// A pool of idle connections to one database file.
///
/// Each guest `open` takes a connection for its lifetime, so a guest's
/// `BEGIN IMMEDIATE … COMMIT` always runs on one connection; returned
/// connections keep their prepared-statement caches warm for later requests.
///
/// Pooled connections have no busy timeout: statements run right on the
/// async worker and fail fast with `SQLITE_BUSY` if they would have to wait
/// for another connection's write lock; only then are they retried on the
/// blocking pool under [`waiting`]. (WAL reads never wait, and a hand-off to
/// the blocking pool costs ~30% of a small request, so nearly everything runs
/// in place; waiting on a worker could block the very worker whose request
/// holds the lock.)
pub struct Pool {
    path: PathBuf,
    kv: bool,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
}

impl Pool {
    /// Creates the pool for the SQL database at `path`, opening it once so
    /// that a bad path fails at startup rather than on the first request.
    pub fn sqlite(path: PathBuf, max_idle: usize) -> rusqlite::Result<Arc<Self>> {
        Self::new(path, false, max_idle)
    }

    /// Creates the pool for the key-value database at `path` (creating its table).
    pub fn kv(path: PathBuf, max_idle: usize) -> rusqlite::Result<Arc<Self>> {
        Self::new(path, true, max_idle)
    }

    fn new(path: PathBuf, kv: bool, max_idle: usize) -> rusqlite::Result<Arc<Self>> {
        let pool = Self {
            path,
            kv,
            idle: Mutex::new(Vec::new()),
            max_idle,
        };
        let first = pool.connect()?;
        pool.put(first);
        Ok(Arc::new(pool))
    }

    fn connect(&self) -> rusqlite::Result<Connection> {
        let conn = if self.kv {
            open_kv(&self.path)?
        } else {
            open(&self.path)?
        };
        conn.busy_timeout(Duration::ZERO)?;
        Ok(conn)
    }

    /// Takes an idle connection, if there is one (never blocks on I/O).
    pub fn try_idle(&self) -> Option<Connection> {
        self.idle.lock().ok().and_then(|mut idle| idle.pop())
    }

    /// Takes an idle connection or opens a new one (blocking I/O).
    pub fn get(&self) -> rusqlite::Result<Connection> {
        match self.try_idle() {
            Some(conn) => Ok(conn),
            None => self.connect(),
        }
    }

    /// Returns a connection. A transaction the guest left open (it trapped,
    /// timed out or just forgot `COMMIT`) is rolled back first, so it cannot
    /// hold the write lock or leak into the next request.
    pub fn put(&self, conn: Connection) {
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
            if !conn.is_autocommit() {
                return; // dropping closes it
            }
        }
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.max_idle
        {
            idle.push(conn);
        }
    }
}

/// Deletes every key-value entry of the `default` store whose key starts
/// with `prefix`; returns how many were removed.
pub fn kv_delete_prefix(data: &Path, prefix: &str) -> rusqlite::Result<usize> {
    let conn = open_kv(&data.join(KV_FILE))?;
    // substr instead of LIKE: keys may contain `%` and `_`.
    conn.execute(
        "DELETE FROM spin_key_value WHERE store = 'default' AND substr(key, 1, length(?1)) = ?1",
        [prefix],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_connections_fail_fast_on_locks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pool = Pool::sqlite(dir.path().join("w.db"), 4).expect("pool");
        let a = pool.get().expect("a");
        let b = pool.get().expect("b");
        a.execute_batch("CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);")
            .expect("a holds the write lock");
        // Reads never wait in WAL mode.
        assert!(run(&b, "SELECT x FROM t", &[]).is_ok());
        let err = run(&b, "INSERT INTO t VALUES (2)", &[]).expect_err("b must not wait");
        assert!(is_busy(&err), "{err}");
        a.execute_batch("COMMIT").expect("commit");
        waiting(&b, |b| run(b, "INSERT INTO t VALUES (2)", &[])).expect("retry succeeds");
    }

    #[test]
    fn pool_rolls_back_abandoned_transactions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pool = Pool::sqlite(dir.path().join("p.db"), 4).expect("pool");
        let conn = pool.get().expect("get");
        conn.execute_batch(
            "CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);",
        )
        .expect("begin");
        pool.put(conn);
        let conn = pool.get().expect("get");
        assert!(conn.is_autocommit());
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 0);
    }

    #[test]
    fn deletes_kv_prefix_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = open_kv(&dir.path().join(KV_FILE)).expect("kv");
        for key in ["auth:a", "auth:b", "authx", "other"] {
            conn.execute(
                "INSERT INTO spin_key_value VALUES ('default', ?1, x'00')",
                [key],
            )
            .expect("insert");
        }
        assert_eq!(kv_delete_prefix(dir.path(), "auth:").expect("delete"), 2);
    }
}
