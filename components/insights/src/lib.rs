//! The insights component: exports `memclaw:memory/insights` (`memclaw_insights`).
//! A thin adapter: the logic lives in memclaw-core.

#[allow(missing_docs, clippy::all)]
mod bindings {
    spin_sdk::wit_bindgen::generate!({
        path: "../../wit",
        world: "memclaw:memory/insights-tool",
        runtime_path: "::spin_sdk::wit_bindgen::rt",
        with: {
            "memclaw:memory/types@0.1.0": memclaw_guest::types,
            "fermyon:spin/sqlite@2.0.0": spin_sdk::wit::v2::sqlite,
        },
    });
}

use bindings::exports::memclaw::memory::insights::Guest;

use memclaw_guest::types::{Caller, ToolError};

struct Insights;

impl Guest for Insights {
    fn insights(_caller: Caller, _arguments: String) -> Result<String, ToolError> {
        // Built by a later milestone; answer clearly instead of guessing.
        Err(memclaw_guest::error_to_wit(
            memclaw_core::ToolError::not_implemented("memclaw_insights"),
        ))
    }
}

bindings::export!(Insights with_types_in bindings);
