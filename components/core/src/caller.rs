//! Who is calling, and what they may see.
//!
//! The gateway resolves an API key to a [`Caller`]; tools turn it into an
//! [`Actor`] (agent id, home fleet, trust) and build every read's scope
//! predicate from it with [`Actor::visibility_sql`], so no tool can forget a
//! tenant or scope filter.

use serde::{Deserialize, Serialize};

use crate::auth::validate_id;
use crate::error::{ErrorCode, ToolError};
use crate::model::Trust;
use crate::store::{Sql, SqlValue};

/// The agent id used when neither the key nor the call names one (MemClaw's default).
pub const DEFAULT_AGENT: &str = "mcp-agent";

/// The authenticated principal of a request, resolved from its API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub tenant_id: String,
    /// Overrides any `agent_id` argument when set.
    pub bound_agent: Option<String>,
    /// The caller's home fleet when set.
    pub bound_fleet: Option<String>,
    pub read_only: bool,
}

impl Caller {
    /// The agent this call acts as: the key's bound agent wins over the
    /// `agent_id` argument, which wins over the default.
    pub fn agent_id(&self, requested: Option<&str>) -> Result<String, ToolError> {
        if let Some(bound) = &self.bound_agent {
            return Ok(bound.clone());
        }
        let agent = requested.unwrap_or(DEFAULT_AGENT);
        validate_id("agent_id", agent).map_err(|e| ToolError::invalid("agent_id", e))?;
        Ok(agent.to_owned())
    }

    pub fn require_writable(&self) -> Result<(), ToolError> {
        if self.read_only {
            return Err(ToolError::new(
                ErrorCode::Forbidden,
                "this API key is read-only",
            ));
        }
        Ok(())
    }
}

/// An agent acting inside a tenant, with its stored trust and home fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub tenant_id: String,
    pub agent_id: String,
    pub home_fleet: Option<String>,
    pub trust: Trust,
    /// False until the agent's first write registers it.
    pub registered: bool,
}

impl Actor {
    /// Loads the agent row; unregistered agents act at trust 1 with the key's fleet.
    pub fn resolve(
        db: &dyn Sql,
        caller: &Caller,
        requested_agent: Option<&str>,
    ) -> Result<Self, ToolError> {
        let agent_id = caller.agent_id(requested_agent)?;
        let rows = db.execute(
            "SELECT fleet_id, trust_level FROM agents WHERE tenant_id = ? AND agent_id = ?",
            &[caller.tenant_id.as_str().into(), agent_id.as_str().into()],
        )?;
        let row = rows.first();
        let stored_fleet = row.and_then(|r| r.text("fleet_id")).map(str::to_owned);
        let trust = row
            .and_then(|r| r.int("trust_level"))
            .map_or(Trust::OWN_FLEET, |t| Trust(t.clamp(0, 3) as u8));
        Ok(Self {
            tenant_id: caller.tenant_id.clone(),
            agent_id,
            home_fleet: caller.bound_fleet.clone().or(stored_fleet),
            trust,
            registered: row.is_some(),
        })
    }

    /// Registers the agent on its first write, at trust 1, with `fleet` as
    /// its home fleet. A no-op for known agents.
    pub fn register(
        &mut self,
        db: &dyn Sql,
        fleet: Option<&str>,
        now: &str,
    ) -> Result<(), ToolError> {
        if self.registered {
            return Ok(());
        }
        db.execute(
            "INSERT OR IGNORE INTO agents (tenant_id, agent_id, fleet_id, trust_level, created_at) VALUES (?, ?, ?, 1, ?)",
            &[
                self.tenant_id.as_str().into(),
                self.agent_id.as_str().into(),
                fleet.map(str::to_owned).into(),
                now.into(),
            ],
        )?;
        self.registered = true;
        if self.home_fleet.is_none() {
            self.home_fleet = fleet.map(str::to_owned);
        }
        Ok(())
    }

    /// The fleet a write lands in: the requested one, else the home fleet.
    /// Writing outside the home fleet needs trust 3.
    pub fn write_fleet(&self, requested: Option<&str>) -> Result<Option<String>, ToolError> {
        match (requested, self.home_fleet.as_deref()) {
            (Some(fleet), Some(home)) if fleet != home && self.trust < Trust::ADMIN => {
                Err(ToolError::new(
                    ErrorCode::Forbidden,
                    format!("fleet_id: writing outside your home fleet '{home}' needs trust 3"),
                ))
            }
            (Some(fleet), _) => {
                validate_id("fleet_id", fleet).map_err(|e| ToolError::invalid("fleet_id", e))?;
                Ok(Some(fleet.to_owned()))
            }
            (None, home) => Ok(home.map(str::to_owned)),
        }
    }

    /// The SQL predicate (over table alias-free `memories` columns) of the
    /// rows this actor may read, with its parameters. It always pins the
    /// tenant and excludes soft-deleted rows, and fails closed: an agent
    /// below trust 2 without a home fleet sees only fleet-less team rows.
    ///
    /// `fleet_ids` narrows the view; naming a fleet other than the home
    /// fleet needs trust 2.
    pub fn visibility_sql(
        &self,
        fleet_ids: Option<&[String]>,
    ) -> Result<(String, Vec<SqlValue>), ToolError> {
        let mut sql = String::from(
            "tenant_id = ? AND deleted_at IS NULL AND (visibility = 'scope_org' OR agent_id = ?",
        );
        let mut params: Vec<SqlValue> = vec![
            self.tenant_id.as_str().into(),
            self.agent_id.as_str().into(),
        ];
        if self.trust >= Trust::CROSS_FLEET {
            sql.push_str(" OR visibility = 'scope_team')");
        } else if let Some(home) = &self.home_fleet {
            sql.push_str(" OR (visibility = 'scope_team' AND (fleet_id IS NULL OR fleet_id = ?)))");
            params.push(home.as_str().into());
        } else {
            sql.push_str(" OR (visibility = 'scope_team' AND fleet_id IS NULL))");
        }
        if let Some(fleets) = fleet_ids {
            if fleets.is_empty() {
                return Err(ToolError::invalid(
                    "fleet_ids",
                    "must name at least one fleet when given",
                ));
            }
            if self.trust < Trust::CROSS_FLEET
                && fleets
                    .iter()
                    .any(|f| Some(f.as_str()) != self.home_fleet.as_deref())
            {
                return Err(ToolError::new(
                    ErrorCode::Forbidden,
                    "fleet_ids: reading another fleet needs trust 2",
                ));
            }
            let marks = vec!["?"; fleets.len()].join(", ");
            sql.push_str(&format!(
                " AND (visibility = 'scope_org' OR fleet_id IN ({marks}))"
            ));
            params.extend(fleets.iter().map(|f| SqlValue::from(f.as_str())));
        }
        Ok((sql, params))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::store::Sql;
    use crate::testing::MemoryDb;

    const TENANTS: [&str; 2] = ["t1", "t2"];
    const FLEETS: [Option<&str>; 3] = [None, Some("f1"), Some("f2")];
    const AGENTS: [&str; 3] = ["a", "b", "c"];
    const VISIBILITIES: [&str; 3] = ["scope_agent", "scope_team", "scope_org"];

    #[derive(Debug, Clone)]
    struct Row {
        tenant: usize,
        fleet: usize,
        agent: usize,
        visibility: usize,
        deleted: bool,
    }

    fn row() -> impl Strategy<Value = Row> {
        (
            0..2usize,
            0..3usize,
            0..3usize,
            0..3usize,
            proptest::bool::weighted(0.1),
        )
            .prop_map(|(tenant, fleet, agent, visibility, deleted)| Row {
                tenant,
                fleet,
                agent,
                visibility,
                deleted,
            })
    }

    /// The rules of spec §5.4 and §16.1, written the obvious way.
    fn reference_visible(actor: &Actor, row: &Row) -> bool {
        let fleet = FLEETS[row.fleet];
        TENANTS[row.tenant] == actor.tenant_id
            && !row.deleted
            && match VISIBILITIES[row.visibility] {
                "scope_org" => true,
                _ if AGENTS[row.agent] == actor.agent_id => true,
                "scope_agent" => false,
                _ => {
                    actor.trust >= Trust::CROSS_FLEET
                        || fleet.is_none()
                        || fleet == actor.home_fleet.as_deref()
                }
            }
    }

    proptest! {
        /// The SQL scope predicate admits exactly the rows the reference
        /// rules admit, for every actor: no leak, no over-restriction.
        #[test]
        fn visibility_sql_matches_the_reference_rules(
            rows in proptest::collection::vec(row(), 0..24),
            agent in 0..3usize,
            home in 0..3usize,
            trust in 0..4u8,
        ) {
            let db = MemoryDb::migrated();
            for (i, r) in rows.iter().enumerate() {
                Sql::execute(&db,
                    "INSERT INTO memories (id, tenant_id, fleet_id, agent_id, memory_type, content, weight, content_hash, status, visibility, created_at, deleted_at) \
                     VALUES (?, ?, ?, ?, 'fact', 'x', 0.5, ?, 'active', ?, '2026-01-01', ?)",
                    &[
                        i.to_string().into(),
                        TENANTS[r.tenant].into(),
                        FLEETS[r.fleet].map(str::to_owned).into(),
                        AGENTS[r.agent].into(),
                        i.to_string().into(),
                        VISIBILITIES[r.visibility].into(),
                        r.deleted.then(|| "2026-01-02".to_owned()).into(),
                    ],
                ).unwrap();
            }
            let actor = Actor {
                tenant_id: "t1".into(),
                agent_id: AGENTS[agent].into(),
                home_fleet: FLEETS[home].map(str::to_owned),
                trust: Trust(trust),
                registered: true,
            };
            let (predicate, params) = actor.visibility_sql(None).unwrap();
            let seen = Sql::execute(&db, &format!("SELECT id FROM memories WHERE {predicate}"), &params).unwrap();
            let mut seen: Vec<usize> = seen.iter().map(|r| r.string("id").parse().unwrap()).collect();
            seen.sort();
            let expected: Vec<usize> = (0..rows.len()).filter(|i| reference_visible(&actor, &rows[*i])).collect();
            prop_assert_eq!(seen, expected);
        }
    }

    #[test]
    fn a_bound_agent_wins_over_the_argument() {
        let caller = Caller {
            tenant_id: "t".into(),
            bound_agent: Some("bound".into()),
            bound_fleet: None,
            read_only: false,
        };
        assert_eq!(caller.agent_id(Some("other")).unwrap(), "bound");
        let free = Caller {
            bound_agent: None,
            ..caller
        };
        assert_eq!(free.agent_id(None).unwrap(), DEFAULT_AGENT);
        assert!(free.agent_id(Some("no spaces")).is_err());
    }
}
