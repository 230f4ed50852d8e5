//! memclaw's domain logic, in plain Rust.
//!
//! Everything here is natively testable: storage is reached only through the
//! [`store::Sql`] trait, which the Wasm components implement over Spin's
//! SQLite interface and the tests (and the host's admin CLI) implement over
//! rusqlite. The components under `components/` are thin adapters that turn
//! WIT calls into calls of [`tools`].

pub mod auth;
pub mod caller;
pub mod error;
pub mod model;
#[cfg(any(test, feature = "rusqlite"))]
pub mod native;
pub mod schema;
pub mod store;
pub mod time;
pub mod tools;

pub use caller::Caller;
pub use error::{CoreError, ErrorCode, ToolError};

#[cfg(test)]
pub(crate) mod testing;
