// End-to-end tests of memclaw's MCP endpoint with the official TypeScript SDK clients:
// v2 (`@modelcontextprotocol/client` 2.4.0) in `legacy` and `auto` negotiation modes,
// and v1 (`@modelcontextprotocol/sdk` 1.32.2, handshake only).
//
// Run: node --test clients.test.mjs
// The target comes from the environment (a runner script starts the real server and mints keys):
//   MCP_URL      the MCP endpoint, e.g. http://127.0.0.1:PORT/mcp
//   MCP_API_KEY  a key of tenant A (not bound to an agent)
// A missing variable fails every test (it never skips), so a runner bug cannot look green.
// Every memory written here carries a fresh uuid: the database persists across test files.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, ProtocolError, SdkHttpError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport as TransportV1,
  StreamableHTTPError as HttpErrorV1,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

const HANDSHAKE_VERSION = '2025-11-25';
const MODERN_VERSION = '2026-07-28';
const INVALID_PARAMS = -32602;
const CLIENT_INFO = { name: 'memclaw-node-e2e', version: '1.0.0' };

// Agents register their home fleet on first write, so every agent of this run uses one fleet.
const RUN_ID = randomUUID().replaceAll('-', '').slice(0, 12);
const FLEET = `node-fleet-${RUN_ID}`;

function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `environment variable ${name} is not set: these tests need a running memclaw server ` +
        '(MCP_URL and MCP_API_KEY are set by the test runner)',
    );
  }
  return value;
}

const targetUrl = () => new URL(requireEnv('MCP_URL'));

// ---------------------------------------------------------------------------- the clients under test

/** TS v2 client; the key travels in X-API-Key. `headers` replaces the key header when given. */
async function connectV2(mode, { url, key, headers }) {
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: headers ?? { 'X-API-Key': key } },
  });
  const client = new Client(CLIENT_INFO, mode === 'auto' ? { versionNegotiation: { mode: 'auto' } } : {});
  await client.connect(transport);
  return { client, protocolVersion: client.getNegotiatedProtocolVersion() };
}

/** TS v1 client; the key travels in Authorization: Bearer. */
async function connectV1({ url, key, headers }) {
  const transport = new TransportV1(url, {
    requestInit: { headers: headers ?? { Authorization: `Bearer ${key}` } },
  });
  const client = new ClientV1(CLIENT_INFO);
  await client.connect(transport);
  return { client, protocolVersion: transport.protocolVersion };
}

const CLIENTS = [
  {
    name: 'TS v2 client (legacy)',
    connect: (auth) => connectV2('legacy', auth),
    expectedVersion: HANDSHAKE_VERSION,
    isProtocolError: (e) => e instanceof ProtocolError,
    isUnauthorized: (e) => e instanceof SdkHttpError && e.status === 401,
  },
  {
    name: 'TS v2 client (auto)',
    connect: (auth) => connectV2('auto', auth),
    expectedVersion: MODERN_VERSION,
    isProtocolError: (e) => e instanceof ProtocolError,
    isUnauthorized: (e) => e instanceof SdkHttpError && e.status === 401,
  },
  {
    name: 'TS v1 client',
    connect: (auth) => connectV1(auth),
    expectedVersion: HANDSHAKE_VERSION,
    isProtocolError: (e) => e instanceof McpError,
    isUnauthorized: (e) => e instanceof HttpErrorV1 && e.code === 401,
  },
];

/** Connects with tenant A's key, runs `body(client, protocolVersion)`, always closes. */
async function withClient(spec, body) {
  const url = targetUrl();
  const { client, protocolVersion } = await spec.connect({ url, key: requireEnv('MCP_API_KEY') });
  try {
    return await body(client, protocolVersion);
  } finally {
    await client.close();
  }
}

// ---------------------------------------------------------------------------- tool helpers

function newMemory(label) {
  const token = `zq${randomUUID().replaceAll('-', '')}`;
  return { token, content: `Node e2e ${label} memory ${token} says restart the cache tier before deploying` };
}

/** The structured payload of a successful call; its text item holds the same JSON. */
function okPayload(result) {
  const text = result.content?.[0]?.text ?? '';
  assert.equal(result.isError ?? false, false, `tool call failed: ${text}`);
  assert.equal(typeof result.structuredContent, 'object');
  assert.deepEqual(JSON.parse(text), result.structuredContent);
  return result.structuredContent;
}

async function write(client, content, agent) {
  return okPayload(
    await client.callTool({ name: 'memclaw_write', arguments: { content, agent_id: agent, fleet_id: FLEET } }),
  );
}

async function recall(client, query, agent) {
  const result = await client.callTool({
    name: 'memclaw_recall',
    arguments: { query, agent_id: agent, fleet_ids: [FLEET], top_k: 5 },
  });
  return okPayload(result).results;
}

// ---------------------------------------------------------------------------- tests, per client

for (const spec of CLIENTS) {
  describe(spec.name, () => {
    const slug = spec.name.replace(/\W+/g, '-').replace(/^-|-$/g, '').toLowerCase();

    test('connects with the expected protocol version and lists the memclaw tools', async () => {
      await withClient(spec, async (client, protocolVersion) => {
        assert.equal(protocolVersion, spec.expectedVersion);
        assert.ok(client.getServerCapabilities()?.tools, 'server advertises the tools capability');
        const names = (await client.listTools()).tools.map((t) => t.name);
        for (const name of ['memclaw_write', 'memclaw_recall']) {
          assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
        }
        assert.equal(new Set(names).size, names.length, `duplicate tool names: ${names.join(', ')}`);
      });
    });

    test('writes a unique memory and recalls it as the top result', async () => {
      const agent = `node-${slug}-${RUN_ID}`;
      const { token, content } = newMemory(slug);
      await withClient(spec, async (client) => {
        const memory = await write(client, content, agent);
        assert.equal(typeof memory.id, 'string');
        assert.equal(memory.content, content);
        assert.equal(memory.agent_id, agent);
        assert.equal(memory.fleet_id, FLEET);
        assert.equal(memory.memory_type, 'fact');
        assert.equal(memory.status, 'active');
        assert.equal(memory.visibility, 'scope_team');

        const results = await recall(client, token, agent);
        assert.ok(results.length > 0, `recall for ${token} returned nothing`);
        assert.deepEqual([results[0].id, results[0].content], [memory.id, content]);
        assert.ok(results[0].score > 0, `score ${results[0].score}`);

        const again = await write(client, content, agent);
        assert.deepEqual(again, { status: 'duplicate', existing_id: memory.id, agent_id: agent });
      });
    });

    test(`rejects an unknown tool with ${INVALID_PARAMS}`, async () => {
      await withClient(spec, async (client) => {
        await assert.rejects(client.callTool({ name: 'memclaw_no_such_tool', arguments: {} }), (e) => {
          assert.ok(spec.isProtocolError(e), `unexpected error type: ${e?.constructor?.name}: ${e?.message}`);
          assert.equal(e.code, INVALID_PARAMS);
          return true;
        });
      });
    });

    test('refuses to connect without a key', async () => {
      await assert.rejects(spec.connect({ url: targetUrl(), headers: {} }), (e) => {
        assert.ok(spec.isUnauthorized(e), `expected an HTTP 401 error, got ${e?.constructor?.name}: ${e?.message}`);
        return true;
      });
    });
  });
}
