//! The write component: exports `memclaw:memory/write` (`memclaw_write`).
//! A thin adapter: the logic lives in memclaw-core.

#[allow(missing_docs, clippy::all)]
mod bindings {
    spin_sdk::wit_bindgen::generate!({
        path: "../../wit",
        world: "memclaw:memory/write-tool",
        runtime_path: "::spin_sdk::wit_bindgen::rt",
        with: {
            "memclaw:memory/types@0.1.0": memclaw_guest::types,
            "fermyon:spin/sqlite@2.0.0": spin_sdk::wit::v2::sqlite,
        },
    });
}

use bindings::exports::memclaw::memory::write::Guest;
use memclaw_core::time::Timestamp;
use memclaw_guest::types::{Caller, ToolError};

struct Write;

impl Guest for Write {
    fn write(caller: Caller, arguments: String) -> Result<String, ToolError> {
        memclaw_guest::run_tool(caller, |db, caller| {
            memclaw_core::tools::write::write(db, caller, &arguments, Timestamp::now())
        })
    }
}

bindings::export!(Write with_types_in bindings);
