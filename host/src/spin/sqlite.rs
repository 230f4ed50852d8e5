//! `fermyon:spin/sqlite@2.0.0` over `<data>/memclaw.db`.

use std::sync::Arc;
use std::time::Instant;

use rusqlite::types::Value as DbValue;
use wasmtime::component::Resource;

use super::bindings::fermyon::spin::sqlite::{
    Error, Host, HostConnection, QueryResult, RowResult, Value,
};
use super::{MAX_OPEN_PER_INSTANCE, SpinCtxView, blocking};
use crate::db::{self, Pool};

/// A guest's open connection: one pooled SQLite connection for the handle's
/// whole life, so transactions span `execute` calls. Dropping it (guest
/// drop or store teardown) returns the connection to the pool.
pub struct SqlConnection {
    /// `None` only while a statement runs on the blocking pool.
    conn: Option<rusqlite::Connection>,
    pool: Arc<Pool>,
}

impl Drop for SqlConnection {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.put(conn);
        }
    }
}

fn io(message: impl std::fmt::Display) -> Error {
    Error::Io(message.to_string())
}

fn to_db(value: Value) -> DbValue {
    match value {
        Value::Integer(i) => DbValue::Integer(i),
        Value::Real(f) => DbValue::Real(f),
        Value::Text(s) => DbValue::Text(s),
        Value::Blob(b) => DbValue::Blob(b),
        Value::Null => DbValue::Null,
    }
}

fn from_db(value: DbValue) -> Value {
    match value {
        DbValue::Integer(i) => Value::Integer(i),
        DbValue::Real(f) => Value::Real(f),
        DbValue::Text(s) => Value::Text(s),
        DbValue::Blob(b) => Value::Blob(b),
        DbValue::Null => Value::Null,
    }
}

impl HostConnection for SpinCtxView<'_> {
    async fn open(
        &mut self,
        database: String,
    ) -> wasmtime::Result<Result<Resource<SqlConnection>, Error>> {
        if database != "default" {
            return Ok(Err(Error::NoSuchDatabase));
        }
        if self.ctx.open_connections >= MAX_OPEN_PER_INSTANCE {
            return Ok(Err(io("too many open connections")));
        }
        let pool = self.ctx.backends.sqlite.clone();
        let conn = match pool.try_idle() {
            Some(conn) => conn,
            // Opening a file is I/O: off the async workers.
            None => match blocking({
                let pool = pool.clone();
                move || pool.get()
            })
            .await?
            {
                Ok(conn) => conn,
                Err(e) => return Ok(Err(io(e))),
            },
        };
        let handle = self.table.push(SqlConnection {
            conn: Some(conn),
            pool,
        })?;
        self.ctx.open_connections += 1;
        Ok(Ok(handle))
    }

    async fn execute(
        &mut self,
        handle: Resource<SqlConnection>,
        statement: String,
        parameters: Vec<Value>,
    ) -> wasmtime::Result<Result<QueryResult, Error>> {
        let started = Instant::now();
        let entry = self.table.get_mut(&handle)?;
        let Some(conn) = entry.conn.as_ref() else {
            return Ok(Err(Error::InvalidConnection));
        };
        let params: Vec<DbValue> = parameters.into_iter().map(to_db).collect();
        // In place first; only a statement that must wait for another
        // connection's lock moves to the blocking pool (see `db::Pool`).
        let result = match db::run(conn, &statement, &params) {
            Err(e) if db::is_busy(&e) => {
                let Some(conn) = entry.conn.take() else {
                    return Ok(Err(Error::InvalidConnection));
                };
                let (conn, result) = blocking(move || {
                    let result = db::waiting(&conn, |c| db::run(c, &statement, &params));
                    (conn, result)
                })
                .await?;
                self.table.get_mut(&handle)?.conn = Some(conn);
                result
            }
            result => result,
        };
        self.ctx.stats.sql(started);
        Ok(match result {
            Ok(out) => Ok(QueryResult {
                columns: out.columns,
                rows: out
                    .rows
                    .into_iter()
                    .map(|row| RowResult {
                        values: row.into_iter().map(from_db).collect(),
                    })
                    .collect(),
            }),
            Err(e) => Err(io(e)),
        })
    }

    async fn drop(&mut self, handle: Resource<SqlConnection>) -> wasmtime::Result<()> {
        // Dropping the value returns the connection to the pool.
        self.table.delete(handle)?;
        self.ctx.open_connections = self.ctx.open_connections.saturating_sub(1);
        Ok(())
    }
}

impl Host for SpinCtxView<'_> {}
