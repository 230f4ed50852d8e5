//! Checklist items 32–35: the tool catalogue and `tools/call` results, plus aliases.

mod common;

use common::{FakeBackend, Req, TENANT, config, error, result};
use memclaw_mcp::{ConfigError, ServerConfig, codes, raw_schema};
use serde_json::{Value, json};

fn listed_tools() -> Vec<Value> {
    let response = Req::rpc(json!(1), "tools/list", None).send();
    result(&response, &json!(1))["tools"]
        .as_array()
        .unwrap()
        .clone()
}

fn call(name: &str, arguments: Value) -> (Value, FakeBackend) {
    let mut backend = FakeBackend::default();
    let request = Req::rpc(
        json!(2),
        "tools/call",
        Some(json!({"name": name, "arguments": arguments})),
    );
    let result = result(&request.send_to(&mut backend), &json!(2));
    (result, backend)
}

fn only_text(result: &Value) -> Value {
    let content = result["content"].as_array().unwrap();
    assert_eq!(content.len(), 1);
    assert_eq!(content[0]["type"], "text");
    serde_json::from_str(content[0]["text"].as_str().unwrap()).unwrap()
}

#[test]
fn item32_catalogue_is_portable_and_deterministic() {
    config().validate().expect("test catalogue is valid");
    let first = listed_tools();
    let names: Vec<&str> = first
        .iter()
        .map(|tool| tool["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["echo", "memclaw_write", "memclaw_delete", "memclaw_stats"]
    );
    for tool in &first {
        assert!(!tool["description"].as_str().unwrap().is_empty());
        assert_eq!(tool["inputSchema"]["type"], "object");
        assert!(tool["inputSchema"]["properties"].is_object());
    }
    assert_eq!(
        first,
        listed_tools(),
        "order and content are stable across calls"
    );
}

#[test]
fn item32_aliases_are_not_listed() {
    let names: Vec<String> = listed_tools()
        .iter()
        .map(|tool| tool["name"].to_string())
        .collect();
    assert!(names.iter().all(|name| !name.contains("caura")));
}

#[test]
fn item32_tool_object_shape() {
    let tools = listed_tools();
    assert_eq!(
        tools[0],
        json!({
            "name": "echo",
            "title": "Title of echo",
            "description": "Does echo.",
            "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
            "outputSchema": {"type": "object", "properties": {"echoed": {"type": "string"}}, "required": ["echoed"]},
            "annotations": {
                "title": "Title of echo",
                "readOnlyHint": true,
                "destructiveHint": false,
                "idempotentHint": true,
                "openWorldHint": false,
            },
        })
    );
    assert!(
        tools[1].get("outputSchema").is_none(),
        "only present when configured"
    );
}

#[test]
fn item32_validate_rejects_unportable_catalogues() {
    let base = config();
    let rename = |name: &str| {
        let mut config = config();
        config.tools[3].name = name.to_owned(); // memclaw_stats has no alias
        config.validate()
    };
    for name in [
        "",
        "Memclaw",
        "memclaw-write",
        "memclaw.write",
        &"a".repeat(65),
    ] {
        assert_eq!(
            rename(name),
            Err(ConfigError::InvalidToolName(name.to_owned()))
        );
    }
    assert!(rename(&"a".repeat(64)).is_ok());
    assert_eq!(
        rename("echo"),
        Err(ConfigError::DuplicateName("echo".to_owned()))
    );

    let mut no_description = base.clone();
    no_description.tools[0].description = "  ".to_owned();
    assert_eq!(
        no_description.validate(),
        Err(ConfigError::MissingDescription("echo".to_owned()))
    );

    for schema in [
        json!({"type": "array"}),
        json!(true),
        json!({"type": "object", "properties": {"a": true}}),
    ] {
        let mut bad_input = base.clone();
        bad_input.tools[0].input_schema = raw_schema(&schema);
        assert!(matches!(
            bad_input.validate(),
            Err(ConfigError::InvalidSchema {
                schema: "inputSchema",
                ..
            })
        ));
        let mut bad_output = base.clone();
        bad_output.tools[0].output_schema = Some(schema);
        assert!(matches!(
            bad_output.validate(),
            Err(ConfigError::InvalidSchema {
                schema: "outputSchema",
                ..
            })
        ));
    }

    let mut dangling_alias = base.clone();
    dangling_alias
        .tool_aliases
        .push(("caura_gone".to_owned(), "memclaw_gone".to_owned()));
    assert!(matches!(
        dangling_alias.validate(),
        Err(ConfigError::UnknownAliasTarget { .. })
    ));
    let mut shadowing_alias = base.clone();
    shadowing_alias
        .tool_aliases
        .push(("echo".to_owned(), "memclaw_write".to_owned()));
    assert_eq!(
        shadowing_alias.validate(),
        Err(ConfigError::DuplicateName("echo".to_owned()))
    );

    let bad_path = ServerConfig {
        endpoint_path: "mcp".to_owned(),
        ..base
    };
    assert!(matches!(
        bad_path.validate(),
        Err(ConfigError::InvalidEndpointPath(_))
    ));
}

#[test]
fn item33_success_has_object_structured_content_and_matching_text() {
    let (result, backend) = call("echo", json!({"text": "hi"}));
    assert_eq!(result["isError"], false);
    assert_eq!(result["structuredContent"], json!({"echoed": "hi"}));
    assert_eq!(only_text(&result), result["structuredContent"]);
    assert_eq!(
        backend.calls,
        [(
            TENANT.to_owned(),
            "echo".to_owned(),
            json!({"text": "hi"}).as_object().unwrap().clone()
        )]
    );
}

#[test]
fn item33_non_object_values_are_wrapped() {
    let (result, _) = call("memclaw_stats", json!({}));
    assert_eq!(result["structuredContent"], json!({"result": 42}));
    assert_eq!(only_text(&result), json!({"result": 42}));
}

#[test]
fn item34_unknown_tool_is_32602() {
    let mut backend = FakeBackend::default();
    let request = Req::rpc(
        json!(2),
        "tools/call",
        Some(json!({"name": "no_such_tool", "arguments": {}})),
    );
    let error_object = error(
        &request.send_to(&mut backend),
        200,
        codes::INVALID_PARAMS,
        &json!(2),
    );
    assert_eq!(error_object["message"], "Unknown tool: no_such_tool");
    assert!(backend.calls.is_empty());
}

#[test]
fn item34_invalid_arguments_are_an_is_error_result() {
    let (result, _) = call("echo", json!({"text": 5}));
    assert_eq!(result["isError"], true);
    let expected = json!({"error": {
        "code": "invalid_argument",
        "message": "text is required and must be a string",
        "details": {"field": "text"},
    }});
    assert_eq!(result["structuredContent"], expected);
    assert_eq!(only_text(&result), expected);
}

#[test]
fn item34_failing_tool_is_an_is_error_result_without_details() {
    let (result, _) = call("memclaw_delete", json!({"id": "m9"}));
    assert_eq!(result["isError"], true);
    let expected = json!({"error": {"code": "not_found", "message": "no memory with that id"}});
    assert_eq!(result["structuredContent"], expected);
    assert_eq!(only_text(&result), expected);
}

#[test]
fn item35_annotations_match_the_descriptors() {
    let expected = [
        ("echo", true, false, true),
        ("memclaw_write", false, false, false),
        ("memclaw_delete", false, true, true),
        ("memclaw_stats", true, false, true),
    ];
    for (tool, (name, read_only, destructive, idempotent)) in listed_tools().iter().zip(expected) {
        assert_eq!(tool["name"], name);
        let annotations = &tool["annotations"];
        assert_eq!(annotations["readOnlyHint"], read_only, "{name}");
        assert_eq!(annotations["destructiveHint"], destructive, "{name}");
        assert_eq!(annotations["idempotentHint"], idempotent, "{name}");
        assert_eq!(annotations["openWorldHint"], false, "{name}");
        assert_eq!(annotations["title"], tool["title"]);
    }
}

#[test]
fn caura_aliases_call_the_canonical_tool() {
    let (result, backend) = call("caura_write", json!({"text": "remember"}));
    assert_eq!(
        result["structuredContent"],
        json!({"id": "m1", "written": true})
    );
    assert_eq!(backend.calls.len(), 1);
    assert_eq!(backend.calls[0].1, "memclaw_write");
    let (result, backend) = call("caura_delete", json!({}));
    assert_eq!(result["isError"], true);
    assert_eq!(backend.calls[0].1, "memclaw_delete");
}

#[test]
fn missing_arguments_become_an_empty_object() {
    let mut backend = FakeBackend::default();
    for params in [
        json!({"name": "memclaw_write"}),
        json!({"name": "memclaw_write", "arguments": null}),
    ] {
        let response = Req::rpc(json!(1), "tools/call", Some(params)).send_to(&mut backend);
        result(&response, &json!(1));
    }
    assert!(
        backend
            .calls
            .iter()
            .all(|(_, _, arguments)| arguments.is_empty())
    );
}

#[test]
fn malformed_call_params_are_32602() {
    let mut backend = FakeBackend::default();
    let bad_params = [
        None,
        Some(json!({})),
        Some(json!({"name": 5})),
        Some(json!({"name": "echo", "arguments": [1]})),
        Some(json!({"name": "echo", "arguments": "text"})),
        Some(json!({"name": "no_such_tool", "arguments": 3})),
        Some(json!("echo")),
    ];
    for params in bad_params {
        let response = Req::rpc(json!(1), "tools/call", params.clone()).send_to(&mut backend);
        error(&response, 200, codes::INVALID_PARAMS, &json!(1));
    }
    assert!(
        backend.calls.is_empty(),
        "the backend never sees malformed calls"
    );
}

#[test]
fn any_cursor_is_invalid() {
    for cursor in [json!("abc"), json!(""), json!(null), json!(3)] {
        let response = Req::rpc(json!(1), "tools/list", Some(json!({"cursor": cursor}))).send();
        let error_object = error(&response, 200, codes::INVALID_PARAMS, &json!(1));
        assert_eq!(error_object["message"], "invalid cursor");
    }
    result(
        &Req::rpc(json!(1), "tools/list", Some(json!({}))).send(),
        &json!(1),
    );
    result(
        &Req::rpc(
            json!(1),
            "tools/list",
            Some(json!({"_meta": {"progressToken": 1}})),
        )
        .send(),
        &json!(1),
    );
}

#[test]
fn task_augmentation_is_ignored_in_the_handshake_era() {
    let request = Req::rpc(
        json!(1),
        "tools/call",
        Some(json!({"name": "echo", "arguments": {"text": "t"}, "task": {"ttl": 1000}})),
    );
    let result = result(&request.send(), &json!(1));
    assert_eq!(result["structuredContent"], json!({"echoed": "t"}));
}
