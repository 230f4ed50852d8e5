//! The recall component: exports `memclaw:memory/recall` (`memclaw_recall`, `memclaw_tune`).
//! A thin adapter: the logic lives in memclaw-core.

#[allow(missing_docs, clippy::all)]
mod bindings {
    spin_sdk::wit_bindgen::generate!({
        path: "../../wit",
        world: "memclaw:memory/recall-tool",
        runtime_path: "::spin_sdk::wit_bindgen::rt",
        with: {
            "memclaw:memory/types@0.1.0": memclaw_guest::types,
            "fermyon:spin/sqlite@2.0.0": spin_sdk::wit::v2::sqlite,
        },
    });
}

use bindings::exports::memclaw::memory::recall::Guest;
use memclaw_core::time::Timestamp;
use memclaw_guest::types::{Caller, ToolError};

struct Recall;

impl Guest for Recall {
    fn recall(caller: Caller, arguments: String) -> Result<String, ToolError> {
        memclaw_guest::run_tool(caller, |db, caller| {
            memclaw_core::tools::recall::recall(db, caller, &arguments, Timestamp::now())
        })
    }
    fn tune(_caller: Caller, _arguments: String) -> Result<String, ToolError> {
        // Built by a later milestone; answer clearly instead of guessing.
        Err(memclaw_guest::error_to_wit(
            memclaw_core::ToolError::not_implemented("memclaw_tune"),
        ))
    }
}

bindings::export!(Recall with_types_in bindings);
