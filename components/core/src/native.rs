//! [`Sql`] over a native rusqlite connection: what the host's admin CLI and
//! the unit tests use, with the same value mapping the components see
//! through Spin's SQLite interface.

use rusqlite::Connection;
use rusqlite::types::Value;

use crate::store::{Rows, Sql, SqlValue, StoreError};

impl Sql for Connection {
    fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<Rows, StoreError> {
        let backend = |e: rusqlite::Error| StoreError::Backend(e.to_string());
        let mut stmt = self.prepare_cached(sql).map_err(backend)?;
        let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
        let params = rusqlite::params_from_iter(params.iter().map(to_rusqlite));
        let mut cursor = stmt.query(params).map_err(backend)?;
        let mut rows = Vec::new();
        while let Some(row) = cursor.next().map_err(backend)? {
            let values = (0..columns.len())
                .map(|i| row.get::<_, Value>(i).map(from_rusqlite))
                .collect::<Result<Vec<_>, _>>()
                .map_err(backend)?;
            rows.push(values);
        }
        Ok(Rows { columns, rows })
    }
}

/// Core's value as rusqlite's.
fn to_rusqlite(value: &SqlValue) -> Value {
    match value {
        SqlValue::Integer(i) => Value::Integer(*i),
        SqlValue::Real(f) => Value::Real(*f),
        SqlValue::Text(s) => Value::Text(s.clone()),
        SqlValue::Blob(b) => Value::Blob(b.clone()),
        SqlValue::Null => Value::Null,
    }
}

/// rusqlite's value as core's.
fn from_rusqlite(value: Value) -> SqlValue {
    match value {
        Value::Integer(i) => SqlValue::Integer(i),
        Value::Real(f) => SqlValue::Real(f),
        Value::Text(s) => SqlValue::Text(s),
        Value::Blob(b) => SqlValue::Blob(b),
        Value::Null => SqlValue::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_ddl_writes_and_multi_row_queries() {
        let db = Connection::open_in_memory().expect("open");
        let none = Sql::execute(
            &db,
            "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)",
            &[],
        )
        .expect("ddl");
        assert!(none.columns.is_empty() && none.rows.is_empty());
        let row = |i| {
            vec![
                SqlValue::Integer(i),
                SqlValue::Real(0.5),
                SqlValue::Text("x".into()),
                SqlValue::Blob(vec![1, 2]),
                SqlValue::Null,
            ]
        };
        for i in 0..3 {
            Sql::execute(&db, "INSERT INTO t VALUES (?, ?, ?, ?, ?)", &row(i)).expect("insert");
        }
        let rows = Sql::execute(&db, "SELECT * FROM t ORDER BY i", &[]).expect("select");
        assert_eq!(rows.columns, ["i", "r", "s", "b", "n"]);
        assert_eq!(rows.rows, vec![row(0), row(1), row(2)]);
        assert!(Sql::execute(&db, "SELEC nonsense", &[]).is_err());
    }
}
