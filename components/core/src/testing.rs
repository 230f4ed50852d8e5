//! Test fixtures: an in-memory SQLite database behind [`crate::store::Sql`].

use rusqlite::Connection;

pub struct MemoryDb;

impl MemoryDb {
    /// An empty in-memory database.
    pub fn empty() -> Connection {
        Connection::open_in_memory().expect("in-memory sqlite")
    }

    /// An in-memory database at the latest schema.
    pub fn migrated() -> Connection {
        let db = Self::empty();
        crate::schema::migrate(&db).expect("migrate");
        db
    }
}
