//! Tenants and API keys.
//!
//! A key is `mc_` followed by 32 random bytes in base62. Only its SHA-256 is
//! stored, so a database leak yields no usable key.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::caller::Caller;
use crate::error::CoreError;
use crate::store::{Sql, SqlValue, StoreError};

const KEY_PREFIX: &str = "mc_";
const BASE62: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tenant {
    pub id: String,
    pub created_at: String,
}

/// What `memclaw key mint` asks for.
#[derive(Debug, Clone, Default)]
pub struct MintRequest {
    pub tenant: String,
    pub agent: Option<String>,
    pub fleet: Option<String>,
    pub read_only: bool,
}

/// A freshly minted key: the only time its plaintext exists.
#[derive(Debug, Clone)]
pub struct MintedKey {
    pub id: String,
    pub key: String,
}

/// A stored key, without its secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyInfo {
    pub id: String,
    pub tenant_id: String,
    pub agent_id: Option<String>,
    pub fleet_id: Option<String>,
    pub read_only: bool,
    pub prefix: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// Validates a tenant, agent or fleet identifier: 1–64 characters of
/// `[A-Za-z0-9_.:-]`, starting with a letter or digit.
pub fn validate_id(field: &'static str, value: &str) -> Result<(), CoreError> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(CoreError::Invalid {
            field,
            problem: "must be 1-64 characters of letters, digits, '_', '.', ':' or '-', starting with a letter or digit".into(),
        })
    }
}

pub fn create_tenant(db: &dyn Sql, name: &str, now: &str) -> Result<Tenant, CoreError> {
    validate_id("tenant", name)?;
    if tenant_exists(db, name)? {
        return Err(CoreError::AlreadyExists(format!("tenant {name}")));
    }
    db.execute(
        "INSERT INTO tenants (id, created_at) VALUES (?, ?)",
        &[name.into(), now.into()],
    )?;
    Ok(Tenant {
        id: name.to_owned(),
        created_at: now.to_owned(),
    })
}

fn tenant_exists(db: &dyn Sql, id: &str) -> Result<bool, StoreError> {
    Ok(!db
        .execute("SELECT 1 FROM tenants WHERE id = ?", &[id.into()])?
        .is_empty())
}

/// Mints a key from 32 bytes of caller-supplied randomness (the host draws
/// them from the OS), so this function stays deterministic and testable.
pub fn mint_key(
    db: &dyn Sql,
    req: &MintRequest,
    secret: [u8; 32],
    now: &str,
) -> Result<MintedKey, CoreError> {
    if !tenant_exists(db, &req.tenant)? {
        return Err(CoreError::NotFound(format!("tenant {}", req.tenant)));
    }
    if let Some(agent) = &req.agent {
        validate_id("agent", agent)?;
    }
    if let Some(fleet) = &req.fleet {
        validate_id("fleet", fleet)?;
    }
    let key = format!("{KEY_PREFIX}{}", base_x::encode(BASE62, &secret));
    let id = format!("key_{}", uuid::Uuid::new_v4().simple());
    db.execute(
        "INSERT INTO api_keys (id, tenant_id, key_hash, prefix, agent_id, fleet_id, read_only, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            id.clone().into(),
            req.tenant.clone().into(),
            hash_key(&key).into(),
            key[..10].to_owned().into(),
            req.agent.clone().into(),
            req.fleet.clone().into(),
            req.read_only.into(),
            now.into(),
        ],
    )?;
    Ok(MintedKey { id, key })
}

pub fn list_keys(db: &dyn Sql, tenant: Option<&str>) -> Result<Vec<KeyInfo>, CoreError> {
    let rows = db.execute(
        "SELECT id, tenant_id, agent_id, fleet_id, read_only, prefix, created_at, revoked_at \
         FROM api_keys WHERE ?1 IS NULL OR tenant_id = ?1 ORDER BY created_at, id",
        &[tenant.map(str::to_owned).into()],
    )?;
    Ok(rows
        .iter()
        .map(|r| KeyInfo {
            id: r.string("id"),
            tenant_id: r.string("tenant_id"),
            agent_id: r.text("agent_id").map(str::to_owned),
            fleet_id: r.text("fleet_id").map(str::to_owned),
            read_only: r.int("read_only") == Some(1),
            prefix: r.string("prefix"),
            created_at: r.string("created_at"),
            revoked_at: r.text("revoked_at").map(str::to_owned),
        })
        .collect())
}

/// Revokes a key; returns false when no active key has that id.
pub fn revoke_key(db: &dyn Sql, key_id: &str, now: &str) -> Result<bool, CoreError> {
    let active = db.execute(
        "SELECT 1 FROM api_keys WHERE id = ? AND revoked_at IS NULL",
        &[key_id.into()],
    )?;
    if active.is_empty() {
        return Ok(false);
    }
    db.execute(
        "UPDATE api_keys SET revoked_at = ? WHERE id = ?",
        &[now.into(), key_id.into()],
    )?;
    Ok(true)
}

/// Hex SHA-256 of a presented key: the lookup key in `api_keys`.
pub fn hash_key(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key-value entry under which the gateway caches a key's [`Caller`].
pub fn kv_cache_key(key_hash: &str) -> String {
    format!("auth:{key_hash}")
}

/// Resolves a presented key to its caller; `None` for unknown, malformed or
/// revoked keys.
pub fn authenticate(db: &dyn Sql, key: &str) -> Result<Option<Caller>, StoreError> {
    if !looks_like_key(key) {
        return Ok(None);
    }
    let rows = db.execute(
        "SELECT tenant_id, agent_id, fleet_id, read_only FROM api_keys \
         WHERE key_hash = ? AND revoked_at IS NULL",
        &[SqlValue::Text(hash_key(key))],
    )?;
    Ok(rows.first().map(|r| Caller {
        tenant_id: r.string("tenant_id"),
        bound_agent: r.text("agent_id").map(str::to_owned),
        bound_fleet: r.text("fleet_id").map(str::to_owned),
        read_only: r.int("read_only") == Some(1),
    }))
}

fn looks_like_key(key: &str) -> bool {
    key.len() <= 64
        && key
            .strip_prefix(KEY_PREFIX)
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::MemoryDb;

    const NOW: &str = "2026-11-26T00:00:00.000Z";

    #[test]
    fn minted_keys_authenticate_until_revoked() {
        let db = MemoryDb::migrated();
        create_tenant(&db, "acme", NOW).unwrap();
        let req = MintRequest {
            tenant: "acme".into(),
            agent: Some("a1".into()),
            fleet: Some("f1".into()),
            read_only: true,
        };
        let minted = mint_key(&db, &req, [7; 32], NOW).unwrap();
        assert!(minted.key.starts_with("mc_") && minted.key.len() > 40);
        let caller = authenticate(&db, &minted.key).unwrap().unwrap();
        assert_eq!(caller.tenant_id, "acme");
        assert_eq!(caller.bound_agent.as_deref(), Some("a1"));
        assert!(caller.read_only);
        // Only the hash is stored.
        let stored = Sql::execute(&db, "SELECT key_hash FROM api_keys", &[]).unwrap();
        assert_ne!(stored.first().unwrap().string("key_hash"), minted.key);

        assert!(revoke_key(&db, &minted.id, NOW).unwrap());
        assert!(!revoke_key(&db, &minted.id, NOW).unwrap());
        assert_eq!(authenticate(&db, &minted.key).unwrap(), None);
    }

    #[test]
    fn rejects_unknown_tenants_bad_names_and_junk_keys() {
        let db = MemoryDb::migrated();
        assert!(matches!(
            create_tenant(&db, "bad name", NOW),
            Err(CoreError::Invalid { .. })
        ));
        create_tenant(&db, "t", NOW).unwrap();
        assert!(matches!(
            create_tenant(&db, "t", NOW),
            Err(CoreError::AlreadyExists(_))
        ));
        let req = MintRequest {
            tenant: "nope".into(),
            ..Default::default()
        };
        assert!(matches!(
            mint_key(&db, &req, [1; 32], NOW),
            Err(CoreError::NotFound(_))
        ));
        assert_eq!(authenticate(&db, "mc_' OR 1=1 --").unwrap(), None);
        assert_eq!(authenticate(&db, "").unwrap(), None);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::testing::MemoryDb;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any minted key authenticates as itself; any single-character
        /// change of it authenticates as nobody.
        #[test]
        fn keys_authenticate_exactly(secret in any::<[u8; 32]>(), position in 3usize..40, replacement in "[0-9A-Za-z]") {
            let db = MemoryDb::migrated();
            create_tenant(&db, "t", "2026-01-01T00:00:00.000Z").unwrap();
            let minted = mint_key(&db, &MintRequest { tenant: "t".into(), ..Default::default() }, secret, "2026-01-01T00:00:00.000Z").unwrap();
            prop_assert!(authenticate(&db, &minted.key).unwrap().is_some());
            let mut tampered: Vec<char> = minted.key.chars().collect();
            let position = position.min(tampered.len() - 1);
            let replacement = replacement.chars().next().unwrap();
            prop_assume!(tampered[position] != replacement);
            tampered[position] = replacement;
            let tampered: String = tampered.into_iter().collect();
            prop_assert!(authenticate(&db, &tampered).unwrap().is_none());
        }
    }
}
