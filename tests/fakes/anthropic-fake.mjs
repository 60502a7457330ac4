#!/usr/bin/env node
// A scripted fake of the Anthropic Messages API, for driving the real Claude Code CLI.
//
// - Standalone: Node (18.3+) built-ins only, so it runs with plain `node` anywhere (also in a container).
// - `node anthropic-fake.mjs [--port 0] [--host 127.0.0.1] [--script turns.json] [--verbose]`
//   prints one line `{"listening":<port>}` on stdout once it accepts connections; SIGTERM stops it.
// - `POST /v1/messages[?beta=true]`: SSE when `stream: true`, JSON otherwise, in the API's shapes.
// - `POST /v1/messages/count_tokens`: `{input_tokens}`. `GET|HEAD /api/hello` (the CLI's connectivity check): 200.
// - Anything else: 404 `{type:"error",error:{type:"not_found_error",message}}`.
// - Control (not recorded): `POST /_script` (a list of turns, or `{turns}`; replaces the script),
//   `GET /_script` (`{turns, cursor}`), `GET /_requests` (every request: path, query, headers with
//   auth values redacted, body, kind main/side/count_tokens/other), `POST /_reset` (script and records).
//
// A script is a list of turns, consumed one per *main* request (see isMainRequest; side requests get
// a short plain text and leave the script alone):
//   {text}                              final answer, stop_reason end_turn
//   {tool_use: {name, input}}           one tool call (or an array of them), stop_reason tool_use;
//                                       `text` alongside is sent as a text block before the call
//   {error: {status, type, message}}    an API error with that HTTP status, in the API's error shape
//                                       (`type` defaults from the status); the CLI retries 429/5xx
//   {delay_ms}                          on any turn: wait that long (pinging) before the content
//   {repeat}                            on any turn: serve it that many times (e.g. an error the CLI retries)
// When the script is exhausted, main requests get the final text "done". A turn is consumed when its
// request arrives, even if the client goes away during a delay.

import http from "node:http";
import { randomBytes } from "node:crypto";
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** Error `type` per HTTP status, as the real API names them. */
const ERROR_TYPES = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

const REDACTED_HEADERS = new Set(["x-api-key", "authorization", "cookie", "proxy-authorization"]);

/** Ids in the API's style: a prefix and 24 base62-ish characters. */
function makeId(prefix) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(24);
  let out = prefix;
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/**
 * Instructions the CLI appends when it forks the conversation for a side task
 * (compaction, away summary); those forks keep the main request's system prompt and tools.
 */
const SIDE_TASK_MARKERS = [
  "CRITICAL: Respond with TEXT ONLY",
  "Your task is to create a detailed summary of the conversation",
  "The user stepped away and is coming back",
];

function textOf(message) {
  if (!message) return "";
  if (typeof message.content === "string") return message.content;
  if (!Array.isArray(message.content)) return "";
  return message.content.map((block) => (typeof block?.text === "string" ? block.text : "")).join("\n");
}

function lastUserMessage(messages) {
  for (let i = messages.length - 1; i >= 0; i -= 1) if (messages[i]?.role === "user") return messages[i];
  return undefined;
}

function hasCacheControl(message) {
  return Array.isArray(message?.content) && message.content.some((block) => block && block.cache_control);
}

/**
 * Whether a /v1/messages request is a turn of the agent loop (and so consumes the script).
 * Rule, from what Claude Code 2.1.x sends:
 * 1. no `tools` (or an empty list): a side request (quota probe, model check, session title,
 *    classifiers, small-model helpers);
 * 2. the last user message (the CLI may append `role: "system"` messages after it) carries one of the
 *    CLI's side-task instructions (compaction, recap): a side request;
 * 3. prompt caching is on (some message has `cache_control`) but the last message has none: a fork of
 *    the conversation with a side prompt appended after the cached prefix; main requests always put
 *    their cache breakpoint on the last message.
 */
export function isMainRequest(body) {
  if (!body || typeof body !== "object" || !Array.isArray(body.tools) || body.tools.length === 0) return false;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last = messages[messages.length - 1];
  const lastUserText = textOf(lastUserMessage(messages));
  if (SIDE_TASK_MARKERS.some((marker) => lastUserText.includes(marker))) return false;
  if (messages.some(hasCacheControl) && !hasCacheControl(last)) return false;
  return true;
}

/** The plain text a side request gets: a compaction needs a `<summary>` block, anything else a word. */
function sideText(body) {
  const messages = Array.isArray(body?.messages) ? body.messages : [];
  if (textOf(lastUserMessage(messages)).includes("summary")) return "<analysis>Scripted run.</analysis>\n<summary>Summary from the fake Anthropic API.</summary>";
  return "OK";
}

/** A rough token count (4 characters per token), good enough for `usage`. */
function estimateTokens(value) {
  if (value === undefined || value === null) return 0;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return Math.max(1, Math.ceil(text.length / 4));
}

function inputTokensOf(body) {
  return estimateTokens(body?.system) + estimateTokens(body?.messages) + estimateTokens(body?.tools);
}

function usageBlock(inputTokens, outputTokens) {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: "standard",
  };
}

/** The content blocks a script turn answers with. */
function contentOf(turn) {
  const blocks = [];
  if (typeof turn.text === "string" && turn.text.length > 0) blocks.push({ type: "text", text: turn.text });
  const calls = turn.tool_use === undefined ? [] : Array.isArray(turn.tool_use) ? turn.tool_use : [turn.tool_use];
  for (const call of calls) {
    blocks.push({ type: "tool_use", id: call.id ?? makeId("toolu_01"), name: call.name, input: call.input ?? {} });
  }
  if (blocks.length === 0) blocks.push({ type: "text", text: turn.text ?? "done" });
  return blocks;
}

function errorBody(type, message, requestId) {
  return { type: "error", error: { type, message }, request_id: requestId };
}

/** Split a string into pieces of at most `size` characters (how the API streams deltas). */
function pieces(text, size) {
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/** Create the fake; `listen()` resolves with the bound port. */
export function createFake({ script = [], log = () => {} } = {}) {
  let turns = [...script];
  let cursor = 0;
  let served = 0; // times the current turn was served (for `repeat`)
  let records = [];

  function record(req, url, body, kind) {
    const headers = {};
    for (const [name, value] of Object.entries(req.headers)) {
      headers[name] = REDACTED_HEADERS.has(name) ? "[redacted]" : value;
    }
    const entry = {
      ts: new Date().toISOString(),
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
      kind,
    };
    records.push(entry);
    return entry;
  }

  function sendJson(res, status, obj, extraHeaders = {}) {
    const payload = JSON.stringify(obj);
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(payload),
      ...extraHeaders,
    });
    res.end(payload);
  }

  async function answerMessages(req, res, body, entry, signal) {
    const requestId = makeId("req_01");
    const model = typeof body.model === "string" ? body.model : "claude-sonnet-4-5";
    const main = isMainRequest(body);
    let turn;
    if (main) {
      turn = cursor < turns.length ? turns[cursor] : { text: "done" };
      entry.turn = cursor < turns.length ? cursor : null;
      if (cursor < turns.length) {
        served += 1;
        if (served >= Math.max(1, Number(turn.repeat ?? 1))) {
          cursor += 1;
          served = 0;
        }
      }
    } else {
      turn = { text: sideText(body) };
    }
    const headers = { "request-id": requestId, "anthropic-organization-id": "00000000-0000-4000-8000-000000000000" };

    if (turn.error) {
      await sleep(turn.delay_ms ?? 0, signal);
      const status = Number(turn.error.status ?? 500);
      const type = turn.error.type ?? ERROR_TYPES[status] ?? "api_error";
      const extra = status === 429 || status === 529 ? { "retry-after": "0", "x-should-retry": "true" } : {};
      if (status === 401 || status === 403 || status === 400) extra["x-should-retry"] = "false";
      return sendJson(res, status, errorBody(type, turn.error.message ?? type, requestId), { ...headers, ...extra });
    }

    const content = contentOf(turn);
    const stopReason = content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn";
    const inputTokens = inputTokensOf(body);
    const outputTokens = estimateTokens(content);
    const message = {
      id: makeId("msg_01"),
      type: "message",
      role: "assistant",
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: usageBlock(inputTokens, outputTokens),
    };

    if (!body.stream) {
      await sleep(turn.delay_ms ?? 0, signal);
      if (signal.aborted) return;
      return sendJson(res, 200, message, headers);
    }

    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      ...headers,
    });
    const send = (event, data) => {
      if (!signal.aborted) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send("message_start", {
      type: "message_start",
      message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: usageBlock(inputTokens, 1) },
    });
    send("ping", { type: "ping" });
    // A slow turn keeps the stream open (with pings, as the API does) before any content.
    let waited = 0;
    const delay = turn.delay_ms ?? 0;
    while (waited < delay && !signal.aborted) {
      const step = Math.min(1000, delay - waited);
      await sleep(step, signal);
      waited += step;
      if (waited < delay) send("ping", { type: "ping" });
    }
    if (signal.aborted) return;
    content.forEach((block, index) => {
      if (block.type === "text") {
        send("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
        for (const text of pieces(block.text, 24)) {
          send("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text } });
        }
      } else {
        send("content_block_start", {
          type: "content_block_start",
          index,
          content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
        });
        send("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: "" } });
        for (const partial_json of pieces(JSON.stringify(block.input), 32)) {
          send("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } });
        }
      }
      send("content_block_stop", { type: "content_block_stop", index });
    });
    send("message_delta", {
      type: "message_delta",
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens },
    });
    send("message_stop", { type: "message_stop" });
    res.end();
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body = null;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const route = `${req.method} ${url.pathname}`;
    const abort = new AbortController();
    res.on("close", () => abort.abort());

    // Control endpoints are not recorded.
    if (route === "POST /_script") {
      const list = Array.isArray(body) ? body : body?.turns;
      if (!Array.isArray(list)) return sendJson(res, 400, errorBody("invalid_request_error", "script must be an array of turns or {turns}", null));
      turns = [...list];
      cursor = 0;
      served = 0;
      return sendJson(res, 200, { ok: true, turns: turns.length });
    }
    if (route === "GET /_script") return sendJson(res, 200, { turns, cursor });
    if (route === "GET /_requests") return sendJson(res, 200, records);
    if (route === "POST /_reset") {
      turns = [];
      cursor = 0;
      served = 0;
      records = [];
      return sendJson(res, 200, { ok: true });
    }

    if (route === "POST /v1/messages") {
      const entry = record(req, url, body, body && isMainRequest(body) ? "main" : "side");
      log(`${entry.kind} ${url.pathname}${url.search}`);
      if (!body || typeof body !== "object" || !Array.isArray(body.messages)) {
        return sendJson(res, 400, errorBody("invalid_request_error", "messages: Field required", makeId("req_01")));
      }
      return answerMessages(req, res, body, entry, abort.signal);
    }
    if (route === "POST /v1/messages/count_tokens") {
      record(req, url, body, "count_tokens");
      return sendJson(res, 200, { input_tokens: inputTokensOf(body) }, { "request-id": makeId("req_01") });
    }
    if ((req.method === "GET" || req.method === "HEAD") && url.pathname === "/api/hello") {
      // The CLI's connectivity check (sent unless nonessential traffic is disabled).
      record(req, url, body, "other");
      return sendJson(res, 200, { message: "hello" });
    }
    record(req, url, body, "other");
    log(`404 ${route}`);
    return sendJson(res, 404, errorBody("not_found_error", `Not found: ${route}`, makeId("req_01")));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, errorBody("api_error", String(err?.message ?? err), null));
      else res.destroy();
    });
  });

  return {
    server,
    /** Bind and resolve with the port. */
    listen(port = 0, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve(server.address().port));
      });
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      script: { type: "string" },
      verbose: { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`anthropic-fake: --port must be 0..65535, got ${values.port}\n`);
    process.exit(2);
  }
  let script = [];
  if (values.script) {
    const parsed = JSON.parse(readFileSync(values.script, "utf8"));
    script = Array.isArray(parsed) ? parsed : parsed.turns;
  }
  const log = values.verbose ? (line) => process.stderr.write(`anthropic-fake: ${line}\n`) : () => {};
  const fake = createFake({ script, log });
  const bound = await fake.listen(port, values.host);
  process.stdout.write(`${JSON.stringify({ listening: bound })}\n`);
  const stop = () => fake.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

// Run as a program, not when imported.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((err) => {
    process.stderr.write(`anthropic-fake: ${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
