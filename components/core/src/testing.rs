//! A rusqlite-backed [`Sql`] for unit tests.

use std::cell::RefCell;

use rusqlite::types::{Value, ValueRef};

use crate::store::{Rows, Sql, SqlValue, StoreError};

pub struct MemoryDb(RefCell<rusqlite::Connection>);

impl MemoryDb {
    pub fn new() -> Self {
        Self(RefCell::new(
            rusqlite::Connection::open_in_memory().expect("in-memory sqlite"),
        ))
    }

    pub fn migrated() -> Self {
        let db = Self::new();
        crate::schema::migrate(&db).expect("migrate");
        db
    }
}

impl Sql for MemoryDb {
    fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<Rows, StoreError> {
        let conn = self.0.borrow();
        let mut stmt = conn
            .prepare(sql)
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let columns: Vec<String> = stmt.column_names().map(|c| c.to_string()).collect();
        let values: Vec<Value> = params
            .iter()
            .map(|p| match p {
                SqlValue::Integer(i) => Value::Integer(*i),
                SqlValue::Real(f) => Value::Real(*f),
                SqlValue::Text(s) => Value::Text(s.clone()),
                SqlValue::Blob(b) => Value::Blob(b.clone()),
                SqlValue::Null => Value::Null,
            })
            .collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(values))
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let mut out = Vec::new();
        while let Some(row) = rows
            .next()
            .map_err(|e| StoreError::Backend(e.to_string()))?
        {
            let mut values = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                let v = row
                    .get_ref(i)
                    .map_err(|e| StoreError::Backend(e.to_string()))?;
                values.push(match v {
                    ValueRef::Null => SqlValue::Null,
                    ValueRef::Integer(i) => SqlValue::Integer(i),
                    ValueRef::Real(f) => SqlValue::Real(f),
                    ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
                });
            }
            out.push(values);
        }
        Ok(Rows { columns, rows: out })
    }
}
