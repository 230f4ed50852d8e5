//! `fermyon:spin/key-value@2.0.0`: the `default` store lives in the
//! `spin_key_value` table of `<data>/kv.db` (Spin's own schema).

use std::sync::Arc;
use std::time::Instant;

use rusqlite::OptionalExtension;
use wasmtime::component::Resource;

use super::bindings::fermyon::spin::key_value::{Error, Host, HostStore};
use super::{MAX_OPEN_PER_INSTANCE, SpinCtxView, blocking};
use crate::db::{self, Pool};

/// A guest's open store. Holds no connection: each operation borrows one
/// from the pool, since key-value calls are independent.
pub struct KvStore {
    label: Arc<str>,
}

fn other(message: impl std::fmt::Display) -> Error {
    Error::Other(message.to_string())
}

impl SpinCtxView<'_> {
    /// Runs `op` with a pooled key-value connection and the store's label:
    /// in place, unless it must wait for a lock or open a new connection,
    /// which happens on the blocking pool (see [`crate::db::Pool`]).
    async fn kv<R: Send + 'static>(
        &mut self,
        store: &Resource<KvStore>,
        op: impl Fn(&rusqlite::Connection, &str) -> rusqlite::Result<R> + Send + 'static,
    ) -> wasmtime::Result<Result<R, Error>> {
        let started = Instant::now();
        let label = self.table.get(store)?.label.clone();
        let pool: Arc<Pool> = self.ctx.backends.kv.clone();
        let result = match pool.try_idle() {
            Some(conn) => match op(&conn, &label) {
                Err(e) if db::is_busy(&e) => {
                    pool.put(conn);
                    None
                }
                result => {
                    pool.put(conn);
                    Some(result.map_err(other))
                }
            },
            None => None,
        };
        let result = match result {
            Some(result) => result,
            None => {
                blocking(move || {
                    let conn = pool.get().map_err(other)?;
                    let result = db::waiting(&conn, |c| op(c, &label)).map_err(other);
                    pool.put(conn);
                    result
                })
                .await?
            }
        };
        self.ctx.stats.kv(started);
        Ok(result)
    }
}

impl HostStore for SpinCtxView<'_> {
    async fn open(&mut self, label: String) -> wasmtime::Result<Result<Resource<KvStore>, Error>> {
        if label != "default" {
            return Ok(Err(Error::NoSuchStore));
        }
        if self.ctx.open_stores >= MAX_OPEN_PER_INSTANCE {
            return Ok(Err(Error::StoreTableFull));
        }
        let handle = self.table.push(KvStore {
            label: label.into(),
        })?;
        self.ctx.open_stores += 1;
        Ok(Ok(handle))
    }

    async fn get(
        &mut self,
        store: Resource<KvStore>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        self.kv(&store, move |conn, label| {
            conn.prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .query_row((label, &key), |row| row.get(0))
                .optional()
        })
        .await
    }

    async fn set(
        &mut self,
        store: Resource<KvStore>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        self.kv(&store, move |conn, label| {
            conn.prepare_cached(
                "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
            )?
            .execute((label, &key, &value))
            .map(drop)
        })
        .await
    }

    async fn delete(
        &mut self,
        store: Resource<KvStore>,
        key: String,
    ) -> wasmtime::Result<Result<(), Error>> {
        self.kv(&store, move |conn, label| {
            conn.prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .execute((label, &key))
                .map(drop)
        })
        .await
    }

    async fn exists(
        &mut self,
        store: Resource<KvStore>,
        key: String,
    ) -> wasmtime::Result<Result<bool, Error>> {
        self.kv(&store, move |conn, label| {
            conn.prepare_cached("SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .exists((label, &key))
        })
        .await
    }

    async fn get_keys(
        &mut self,
        store: Resource<KvStore>,
    ) -> wasmtime::Result<Result<Vec<String>, Error>> {
        self.kv(&store, move |conn, label| {
            conn.prepare_cached("SELECT key FROM spin_key_value WHERE store = ?1 ORDER BY key")?
                .query_map([label], |row| row.get(0))?
                .collect()
        })
        .await
    }

    async fn drop(&mut self, store: Resource<KvStore>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        self.ctx.open_stores = self.ctx.open_stores.saturating_sub(1);
        Ok(())
    }
}

impl Host for SpinCtxView<'_> {}
