//! Tenant and key administration: memclaw-core's auth functions over the
//! same `memclaw.db` the components use.

use std::path::Path;

use anyhow::Context;
use memclaw_core::auth::{self, MintRequest};
use memclaw_core::schema;
use memclaw_core::time::Timestamp;

use rusqlite::Connection;

use crate::db;

/// Opens (creating) the data directory's database, migrated to the latest schema.
fn open(data: &Path) -> anyhow::Result<Connection> {
    std::fs::create_dir_all(data)
        .with_context(|| format!("creating data directory {}", data.display()))?;
    let path = data.join(db::SQLITE_FILE);
    let conn = db::open(&path).with_context(|| format!("opening {}", path.display()))?;
    schema::migrate(&conn).with_context(|| format!("migrating {}", path.display()))?;
    Ok(conn)
}

fn now() -> String {
    Timestamp::now().rfc3339()
}

/// `memclaw tenant create NAME`: prints the tenant as JSON.
pub fn create_tenant(data: &Path, name: &str) -> anyhow::Result<()> {
    let db = open(data)?;
    let tenant = auth::create_tenant(&db, name, &now())?;
    println!("{}", serde_json::to_string(&tenant)?);
    Ok(())
}

/// `memclaw key mint`: prints the key id, then the key alone on the last line.
pub fn mint_key(
    data: &Path,
    tenant: String,
    agent: Option<String>,
    fleet: Option<String>,
    read_only: bool,
) -> anyhow::Result<()> {
    let db = open(data)?;
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
    let req = MintRequest {
        tenant,
        agent,
        fleet,
        read_only,
    };
    let minted = auth::mint_key(&db, &req, secret, &now())?;
    println!("key id: {} (the key below is shown only once)", minted.id);
    println!("{}", minted.key);
    Ok(())
}

/// `memclaw key list`: prints the keys (without secrets) as a JSON array.
pub fn list_keys(data: &Path, tenant: Option<&str>) -> anyhow::Result<()> {
    let db = open(data)?;
    let keys = auth::list_keys(&db, tenant)?;
    println!("{}", serde_json::to_string_pretty(&keys)?);
    Ok(())
}

/// `memclaw key revoke KEY_ID`: revokes the key and drops the gateway's
/// cached authentications so the key stops working at once.
pub fn revoke_key(data: &Path, key_id: &str) -> anyhow::Result<()> {
    let db = open(data)?;
    if !auth::revoke_key(&db, key_id, &now())? {
        anyhow::bail!("no active key with id {key_id}");
    }
    // The cache is keyed by key hash, which a key id does not reveal, so
    // drop every cached authentication; they are rebuilt on the next request.
    let prefix = auth::kv_cache_key("");
    let dropped = db::kv_delete_prefix(data, &prefix)
        .with_context(|| format!("clearing cached authentications in {}", db::KV_FILE))?;
    println!("revoked {key_id} ({dropped} cached authentications cleared)");
    Ok(())
}
