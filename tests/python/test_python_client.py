"""End-to-end tests of memclaw's MCP endpoint with the official Python SDK (`mcp` 2.3.0).

The target comes from the environment (a runner script starts the real server and mints keys):

    MCP_URL               the MCP endpoint, e.g. http://127.0.0.1:PORT/mcp
    MCP_API_KEY           a key of tenant A (not bound to an agent)
    MCP_API_KEY_B         a key of tenant B
    MCP_API_KEY_READONLY  a read-only key of tenant A

A missing variable fails the tests that need it (it never skips them), so a runner bug
cannot look green. Every memory written here carries a fresh uuid, because the database
persists across test files within a run.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest
from mcp import Client, ClientSession, MCPError
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

pytestmark = pytest.mark.anyio

HANDSHAKE_VERSION = "2025-11-25"
MODERN_VERSION = "2026-07-28"

# Mode of the high-level `Client` -> the protocol version it must end up speaking.
EXPECTED_VERSION_BY_MODE = {
    "auto": MODERN_VERSION,  # server/discover probe succeeds, no initialize
    "legacy": HANDSHAKE_VERSION,  # initialize handshake
    MODERN_VERSION: MODERN_VERSION,  # pinned: no probe at all
}

MEMCLAW_TOOLS = {
    "memclaw_write",
    "memclaw_recall",
    "memclaw_manage",
    "memclaw_list",
    "memclaw_stats",
    "memclaw_doc",
    "memclaw_entity_get",
    "memclaw_tune",
    "memclaw_insights",
    "memclaw_evolve",
    "memclaw_keystones",
    "memclaw_keystones_set",
    "memclaw_crystallize",
    "memclaw_audit",
}

# One run id per session: agents register their home fleet on first write, so every
# agent of this run writes into the same fleet.
RUN_ID = uuid.uuid4().hex[:12]
FLEET = f"py-fleet-{RUN_ID}"


# --------------------------------------------------------------------------- environment


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def require_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"environment variable {name} is not set: these tests need a running memclaw server "
            "(MCP_URL, MCP_API_KEY, MCP_API_KEY_B, MCP_API_KEY_READONLY are set by the test runner)",
            pytrace=False,
        )
    return value


@pytest.fixture
def url() -> str:
    return require_env("MCP_URL")


@pytest.fixture
def key_a() -> str:
    return require_env("MCP_API_KEY")


@pytest.fixture
def key_b() -> str:
    return require_env("MCP_API_KEY_B")


@pytest.fixture
def key_readonly() -> str:
    return require_env("MCP_API_KEY_READONLY")


# --------------------------------------------------------------------------- connecting


def api_key_header(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def bearer_header(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def http_client(headers: dict[str, str]) -> httpx2.AsyncClient:
    # streamable_http_client takes no headers: they go on the httpx2 client we own.
    return httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0, read=60.0))


@asynccontextmanager
async def connect(url: str, headers: dict[str, str], mode: str = "auto") -> AsyncIterator[Client]:
    """A connected high-level `Client`; cache=None so every list really reaches the server."""
    async with http_client(headers) as http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode, cache=None) as client:
            yield client


# --------------------------------------------------------------------------- tool helpers


def new_memory(label: str) -> tuple[str, str]:
    """A unique search token and a memory text (well over 10 chars) that contains it."""
    token = f"zq{uuid.uuid4().hex}"
    return token, f"Python e2e {label} memory {token} says restart the cache tier before deploying"


def agent_for(label: str) -> str:
    return f"py-{label}-{RUN_ID}"


def ok_payload(result: CallToolResult) -> dict[str, Any]:
    """The structured payload of a successful call; its text item holds the same JSON."""
    text = result.content[0].text if result.content else ""
    assert result.is_error is False, f"tool call failed: {text}"
    assert isinstance(result.structured_content, dict)
    assert json.loads(text) == result.structured_content
    return result.structured_content


def error_code(result: CallToolResult) -> str:
    """The memclaw error code of a failed call (text `{"error":{"code":...,"message":...}}`)."""
    assert result.is_error is True, f"expected a tool error, got {result.structured_content}"
    return json.loads(result.content[0].text)["error"]["code"]


async def write(client: Client, content: str, agent: str, **extra: Any) -> CallToolResult:
    return await client.call_tool(
        "memclaw_write", {"content": content, "agent_id": agent, "fleet_id": FLEET, **extra}
    )


async def recall(client: Client, query: str, agent: str, tool: str = "memclaw_recall") -> list[dict[str, Any]]:
    result = await client.call_tool(tool, {"query": query, "agent_id": agent, "fleet_ids": [FLEET], "top_k": 5})
    return ok_payload(result)["results"]


# --------------------------------------------------------------------------- high-level Client, per mode


@pytest.fixture(params=list(EXPECTED_VERSION_BY_MODE))
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


async def test_client_negotiates_expected_protocol_version(url: str, key_a: str, mode: str) -> None:
    async with connect(url, api_key_header(key_a), mode) as client:
        assert client.protocol_version == EXPECTED_VERSION_BY_MODE[mode]
        if mode != MODERN_VERSION:  # a pinned client sends no discover, so it knows no capabilities
            assert client.server_capabilities.tools is not None


async def test_client_lists_all_memclaw_tools(url: str, key_a: str, mode: str) -> None:
    async with connect(url, api_key_header(key_a), mode) as client:
        names = [tool.name for tool in (await client.list_tools()).tools]
    assert MEMCLAW_TOOLS <= set(names), f"missing tools: {sorted(MEMCLAW_TOOLS - set(names))}"
    assert len(names) == len(set(names)), f"duplicate tool names: {names}"


async def test_client_writes_recalls_and_deduplicates(url: str, key_a: str, mode: str) -> None:
    agent = agent_for(f"write-{mode}")
    token, content = new_memory(mode)
    async with connect(url, api_key_header(key_a), mode) as client:
        memory = ok_payload(await write(client, content, agent))
        assert isinstance(memory["id"], str) and memory["id"]
        assert memory["content"] == content
        assert memory["agent_id"] == agent
        assert memory["fleet_id"] == FLEET
        assert memory["memory_type"] == "fact"
        assert memory["status"] == "active"
        assert memory["visibility"] == "scope_team"
        assert isinstance(memory["tenant_id"], str) and memory["tenant_id"]

        results = await recall(client, token, agent)
        assert results, f"recall for {token} returned nothing"
        top = results[0]
        assert (top["id"], top["content"]) == (memory["id"], content)
        assert isinstance(top["score"], (int, float)) and top["score"] > 0

        again = ok_payload(await write(client, content, agent))
        assert again == {"status": "duplicate", "existing_id": memory["id"], "agent_id": agent}


async def test_client_unknown_tool_is_invalid_params(url: str, key_a: str, mode: str) -> None:
    async with connect(url, api_key_header(key_a), mode) as client:
        with pytest.raises(MCPError) as raised:
            await client.call_tool("memclaw_no_such_tool", {})
    assert raised.value.code == -32602


async def test_client_too_short_content_is_invalid_arguments(url: str, key_a: str, mode: str) -> None:
    async with connect(url, api_key_header(key_a), mode) as client:
        result = await write(client, "too short", agent_for(f"short-{mode}"))
    assert error_code(result) == "INVALID_ARGUMENTS"


# --------------------------------------------------------------------------- other clients and headers


async def test_low_level_session_handshake(url: str, key_a: str) -> None:
    async with http_client(api_key_header(key_a)) as http:
        async with streamable_http_client(url, http_client=http) as (read, write_stream):
            async with ClientSession(read, write_stream) as session:
                init = await session.initialize()
                assert init.protocol_version == HANDSHAKE_VERSION
                assert init.capabilities.tools is not None
                assert init.server_info.name
                await session.send_ping()
                names = {tool.name for tool in (await session.list_tools()).tools}
    assert MEMCLAW_TOOLS <= names


async def test_bearer_header_is_accepted(url: str, key_a: str) -> None:
    agent = agent_for("bearer")
    token, content = new_memory("bearer")
    async with connect(url, bearer_header(key_a)) as client:
        assert client.protocol_version == MODERN_VERSION
        memory = ok_payload(await write(client, content, agent))
        assert [r["id"] for r in await recall(client, token, agent)][:1] == [memory["id"]]


async def test_caura_recall_is_an_alias_of_memclaw_recall(url: str, key_a: str) -> None:
    agent = agent_for("alias")
    token, content = new_memory("alias")
    async with connect(url, api_key_header(key_a)) as client:
        memory = ok_payload(await write(client, content, agent))
        results = await recall(client, token, agent, tool="caura_recall")
    assert [r["id"] for r in results][:1] == [memory["id"]]


async def test_batch_write_reports_created_and_duplicates(url: str, key_a: str) -> None:
    agent = agent_for("batch")
    _, first = new_memory("batch-1")
    _, second = new_memory("batch-2")
    async with connect(url, api_key_header(key_a)) as client:
        result = await client.call_tool(
            "memclaw_write",
            {"items": [{"content": first}, {"content": second}, {"content": first}], "agent_id": agent, "fleet_id": FLEET},
        )
    batch = ok_payload(result)
    assert (batch["created"], batch["duplicates"], batch["errors"]) == (2, 1, 0)
    statuses = [(r["index"], r["status"]) for r in batch["results"]]
    assert statuses == [(0, "created"), (1, "created"), (2, "duplicate_content")]
    assert batch["results"][2]["duplicate_of"] == batch["results"][0]["id"]


# --------------------------------------------------------------------------- tenants, keys and auth


async def test_tenant_b_cannot_recall_tenant_a_memory(url: str, key_a: str, key_b: str) -> None:
    agent = agent_for("secret")
    token, secret = new_memory("tenant-a-secret")
    async with connect(url, api_key_header(key_a)) as tenant_a:
        memory = ok_payload(await write(tenant_a, secret, agent))
        # Control: the owner does find it, so an empty answer below means isolation.
        assert [r["id"] for r in await recall(tenant_a, token, agent)][:1] == [memory["id"]]

    async with connect(url, api_key_header(key_b)) as tenant_b:
        result = await tenant_b.call_tool("memclaw_recall", {"query": token, "agent_id": agent, "top_k": 20})
    leaked = [r for r in ok_payload(result)["results"] if token in r["content"] or r["id"] == memory["id"]]
    assert leaked == []


async def test_read_only_key_cannot_write(url: str, key_readonly: str) -> None:
    _, content = new_memory("read-only")
    async with connect(url, api_key_header(key_readonly)) as client:
        result = await write(client, content, agent_for("read-only"))
    assert error_code(result) == "FORBIDDEN"


def leaf_exceptions(exc: BaseException) -> list[BaseException]:
    """The exceptions inside (possibly nested) exception groups."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in leaf_exceptions(inner)]
    return [exc]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "mc_wrong_key"}], ids=["no-key", "wrong-key"])
async def test_connect_without_valid_key_fails(url: str, mode: str, headers: dict[str, str]) -> None:
    with pytest.raises(BaseException) as raised:
        async with connect(url, headers, mode):
            pass
    assert any(isinstance(leaf, MCPError) for leaf in leaf_exceptions(raised.value)), repr(raised.value)


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-API-Key": "mc_wrong_key"}, {"Authorization": "Bearer mc_wrong_key"}],
    ids=["no-key", "wrong-x-api-key", "wrong-bearer"],
)
async def test_unauthenticated_post_is_401_with_www_authenticate(url: str, headers: dict[str, str]) -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": HANDSHAKE_VERSION, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    async with http_client({"Accept": "application/json, text/event-stream", **headers}) as http:
        response = await http.post(url, json=initialize)
    assert response.status_code == 401
    assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")
