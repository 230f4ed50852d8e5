//! The lifecycle component: exports `memclaw:memory/lifecycle` (`memclaw_manage`, `memclaw_list`, `memclaw_stats`).
//! A thin adapter: the logic lives in memclaw-core.

#[allow(missing_docs, clippy::all)]
mod bindings {
    spin_sdk::wit_bindgen::generate!({
        path: "../../wit",
        world: "memclaw:memory/lifecycle-tool",
        runtime_path: "::spin_sdk::wit_bindgen::rt",
        with: {
            "memclaw:memory/types@0.1.0": memclaw_guest::types,
            "fermyon:spin/sqlite@2.0.0": spin_sdk::wit::v2::sqlite,
        },
    });
}

use bindings::exports::memclaw::memory::lifecycle::Guest;

use memclaw_guest::types::{Caller, ToolError};

struct Lifecycle;

impl Guest for Lifecycle {
    fn manage(_caller: Caller, _arguments: String) -> Result<String, ToolError> {
        // Built by a later milestone; answer clearly instead of guessing.
        Err(memclaw_guest::error_to_wit(
            memclaw_core::ToolError::not_implemented("memclaw_manage"),
        ))
    }
    fn list(_caller: Caller, _arguments: String) -> Result<String, ToolError> {
        // Built by a later milestone; answer clearly instead of guessing.
        Err(memclaw_guest::error_to_wit(
            memclaw_core::ToolError::not_implemented("memclaw_list"),
        ))
    }
    fn stats(_caller: Caller, _arguments: String) -> Result<String, ToolError> {
        // Built by a later milestone; answer clearly instead of guessing.
        Err(memclaw_guest::error_to_wit(
            memclaw_core::ToolError::not_implemented("memclaw_stats"),
        ))
    }
}

bindings::export!(Lifecycle with_types_in bindings);
