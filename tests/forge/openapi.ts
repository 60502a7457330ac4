/**
 * What the forge fakes share to stay faithful to a published API description (OpenAPI 3 for
 * GitHub, Swagger 2 for Forgejo):
 * - route a request to an operation by method and path template;
 * - validate path and query parameters (unknown query parameters are violations too) and the
 *   JSON body against the description, with Ajv;
 * - build response bodies from the description's schemas (examples first, then type and format),
 *   so a fake answers with the real shape, then validate them before they are sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = Record<string, unknown>;

export interface Operation {
  method: string;
  template: string;
  operationId: string;
  op: Schema;
  regex: RegExp;
  names: string[];
}

export interface Spec {
  doc: Schema;
  ajv: Ajv;
  operations: Operation[];
  /** Compile a schema of the description (document-local `$ref`s); `responses` relaxes nulls (see loadSpec). */
  compile(schema: unknown, opts?: { responses?: boolean }): ValidateFunction;
  /** Follow `$ref`s (document-local) to the referenced object. */
  deref<T = Schema>(node: unknown): T;
}

/**
 * Load a description: operations sorted so literal segments win over `{param}` segments. With
 * `nullableResponses`, response schemas accept null for any value (Swagger 2 cannot say nullable,
 * yet Go servers send null for unset pointers); requests are always validated strictly.
 */
export function loadSpec(doc: Schema, id: string, opts: { nullableResponses?: boolean } = {}): Spec {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false });
  addFormats(ajv);
  for (const f of ["repo.nwo", "int32", "int64", "uri-template", "binary", "ssh-key"]) ajv.addFormat(f, true);
  const { paths: _paths, ...rest } = doc as { paths?: unknown };
  ajv.addSchema({ ...rest, $id: id });
  const respId = opts.nullableResponses ? `${id}-responses` : id;
  if (opts.nullableResponses) ajv.addSchema({ ...(allowNull(rest) as Schema), $id: respId });
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Record<string, Schema>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const names: string[] = [];
      const src = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_m, n: string) => {
        names.push(n);
        return "([^/]+)";
      });
      operations.push({ method: method.toUpperCase(), template, operationId: String((op as Schema).operationId), op: op as Schema, regex: new RegExp(`^${src}$`), names });
    }
  }
  operations.sort((a, b) => a.names.length - b.names.length);
  const cache = new Map<string, ValidateFunction>();
  const responseCache = new Map<string, ValidateFunction>();
  const deref = <T = Schema>(node: unknown): T => {
    let n = node as Schema;
    for (let i = 0; i < 10 && n && typeof n.$ref === "string"; i++) n = pointer(doc, n.$ref as string) as Schema;
    return n as T;
  };
  return {
    doc,
    ajv,
    operations,
    deref,
    compile(schema, o = {}) {
      const forResponses = Boolean(o.responses && opts.nullableResponses);
      const c = forResponses ? responseCache : cache;
      const key = JSON.stringify(schema);
      let v = c.get(key);
      if (!v) {
        const base = forResponses ? respId : id;
        v = ajv.compile(rewriteRefs(forResponses ? allowNull(schema) : schema, (ref) => `${base}${ref}`) as Schema);
        c.set(key, v);
      }
      return v;
    },
  };
}

function pointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`only local refs are supported: ${ref}`);
  let cur = doc as Record<string, unknown>;
  for (const raw of ref.slice(2).split("/")) cur = cur[raw.replace(/~1/g, "/").replace(/~0/g, "~")] as Record<string, unknown>;
  return cur;
}

/** Swagger 2 has no `nullable`, yet Go servers send null for every unset pointer: allow it anywhere. */
function allowNull(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowNull);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "properties" || k === "definitions" ? mapValues(v, allowNull) : allowNull(v);
  if (typeof out.type === "string" && out.type !== "null") out.type = [out.type, "null"];
  if (typeof out.$ref === "string") return { anyOf: [{ $ref: out.$ref }, { type: "null" }] };
  return out;
}

function mapValues(o: unknown, f: (v: unknown) => unknown): unknown {
  if (!o || typeof o !== "object") return o;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

export interface Routed {
  operation: Operation;
  params: Record<string, string>;
}

/** The operation of the description serving `method path`, or null. */
export function route(spec: Spec, method: string, pathname: string, basePath = ""): Routed | null {
  if (!pathname.startsWith(basePath)) return null;
  const p = pathname.slice(basePath.length) || "/";
  for (const operation of spec.operations) {
    if (operation.method !== method) continue;
    const m = operation.regex.exec(p);
    if (!m) continue;
    const params: Record<string, string> = {};
    operation.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] as string)));
    return { operation, params };
  }
  return null;
}

function coerce(value: string, schema: Schema): unknown {
  const t = schema.type;
  if (t === "integer" || t === "number") return value.trim() === "" ? value : Number(value);
  if (t === "boolean") return value === "true" ? true : value === "false" ? false : value;
  return value;
}

function errorsText(v: ValidateFunction): string {
  return (v.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message}`).join("; ");
}

/**
 * Every way the request differs from the description: missing/invalid/unknown parameters, a body
 * that does not match the schema (OpenAPI `requestBody` or Swagger `in: body`), unknown body fields.
 */
export function validateRequest(spec: Spec, r: Routed, query: URLSearchParams, body: unknown, hasBody: boolean): string[] {
  const out: string[] = [];
  const where = `${r.operation.method} ${r.operation.template}`;
  const params = ((r.operation.op.parameters as unknown[]) ?? []).map((p) => spec.deref(p));
  const known = new Set<string>();
  let bodySchema: Schema | null = null;
  let bodyRequired = false;
  for (const p of params) {
    const name = String(p.name);
    if (p.in === "body") {
      bodySchema = p.schema as Schema;
      bodyRequired = p.required === true;
      continue;
    }
    const schema = (p.schema as Schema | undefined) ?? p; // OpenAPI 3 nests it, Swagger 2 inlines it
    const raw = p.in === "path" ? r.params[name] : p.in === "query" ? query.get(name) : undefined;
    if (p.in === "query") known.add(name);
    if (p.in !== "path" && p.in !== "query") continue;
    if (raw === undefined || raw === null) {
      if (p.required) out.push(`${where}: missing ${p.in} parameter ${name}`);
      continue;
    }
    const { name: _n, in: _in, required: _r, description: _d, collectionFormat: _c, ...pure } = schema as Record<string, unknown>;
    const v = spec.compile(pure);
    if (!v(coerce(raw, pure))) out.push(`${where}: ${p.in} parameter ${name}=${JSON.stringify(raw)}: ${errorsText(v)}`);
  }
  for (const k of query.keys()) if (!known.has(k)) out.push(`${where}: query parameter ${k} is not in the description`);
  const rb = spec.deref<Schema | undefined>(r.operation.op.requestBody);
  if (rb) {
    bodySchema = ((rb.content as Record<string, Schema> | undefined)?.["application/json"]?.schema as Schema) ?? null;
    bodyRequired = rb.required === true;
  }
  if (bodySchema) {
    if (!hasBody) {
      if (bodyRequired) out.push(`${where}: a JSON body is required`);
    } else {
      const v = spec.compile(bodySchema);
      if (!v(body)) out.push(`${where}: body: ${errorsText(v)}`);
      const props = spec.deref<Schema>(bodySchema).properties as Schema | undefined;
      if (props && body && typeof body === "object" && !Array.isArray(body)) {
        for (const k of Object.keys(body)) if (!(k in props)) out.push(`${where}: body field ${k} is not in the description`);
      }
    }
  } else if (hasBody) {
    out.push(`${where}: the operation takes no body`);
  }
  return out;
}

function rewriteRefs(node: unknown, f: (ref: string) => string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, f));
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, k === "$ref" && typeof v === "string" && v.startsWith("#/") ? f(v) : rewriteRefs(v, f)]),
  );
}

/** The response body schema for `status` of an operation (through `$ref`'d responses), or null. */
export function responseSchema(spec: Spec, op: Operation, status: number): Schema | null {
  const entry = (op.op.responses as Record<string, unknown> | undefined)?.[String(status)];
  if (!entry) return null;
  const resp = spec.deref<Schema>(entry);
  const content = resp.content as Record<string, Schema> | undefined;
  return ((content?.["application/json"]?.schema ?? resp.schema) as Schema | undefined) ?? null;
}

/**
 * A value of `schema` in its real shape: examples where the description has them, otherwise values
 * by type and format; `all` fills optional properties too (Swagger 2 marks none required); nullable
 * properties are null; `depth` stops recursion (deeper objects become null where allowed, else {}).
 */
export function sample(spec: Spec, schema: unknown, opts: { all?: boolean; depth?: number } = {}): Json {
  const depth = opts.depth ?? 4;
  const s = spec.deref<Schema>(schema);
  if (!s || typeof s !== "object") return null;
  if (Array.isArray(s.allOf)) {
    return Object.assign({}, ...(s.allOf as unknown[]).map((x) => sample(spec, x, opts) as object)) as Json;
  }
  const choice = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  if (choice?.length) return sample(spec, choice[0], opts);
  if (s.nullable === true) return null;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0] as Json;
  if (s.example !== undefined && s.type !== "object" && s.type !== "array") return s.example as Json;
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== "null") : (s.type as string | undefined);
  switch (type ?? (s.properties ? "object" : undefined)) {
    case "object": {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const required = new Set((s.required as string[] | undefined) ?? []);
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(props)) {
        if (!opts.all && !required.has(k)) continue;
        const d = spec.deref<Schema>(v);
        const isObject = d?.type === "object" || Boolean(d?.properties);
        if (isObject && depth <= 0) {
          out[k] = opts.all ? null : {};
          continue;
        }
        out[k] = sample(spec, v, { ...opts, depth: depth - 1 });
      }
      return out;
    }
    case "array":
      return [];
    case "string":
      switch (s.format) {
        case "date-time":
          return "2024-01-01T00:00:00Z";
        case "uri":
          return "https://example.invalid/";
        case "email":
          return "someone@example.invalid";
        default:
          return "";
      }
    case "integer":
    case "number":
      return typeof s.minimum === "number" ? s.minimum : 1;
    case "boolean":
      return false;
    default:
      return null;
  }
}

/** Copy `patch` into `base` (objects merged key by key, everything else replaced). */
export function merge<T extends Json>(base: T, patch: Json): T {
  if (!patch || typeof patch !== "object" || Array.isArray(patch) || !base || typeof base !== "object" || Array.isArray(base)) {
    return patch as T;
  }
  const out: Record<string, Json> = { ...(base as Record<string, Json>) };
  for (const [k, v] of Object.entries(patch)) out[k] = k in out ? merge(out[k] as Json, v) : v;
  return out as T;
}

export async function readBody(req: IncomingMessage): Promise<{ raw: string; json: unknown; hasBody: boolean; bad: boolean }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (!raw) return { raw, json: undefined, hasBody: false, bad: false };
  try {
    return { raw, json: JSON.parse(raw), hasBody: true, bad: false };
  } catch {
    return { raw, json: undefined, hasBody: true, bad: true };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * A fake's HTTP server on 127.0.0.1 (an ephemeral port). A handler that throws is reported through
 * `onError` and answered 500 with `errorBody`, as the real forge would answer an internal error.
 */
export async function serveLocal(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onError: (err: Error) => void,
  errorBody: Json,
): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      onError(err);
      if (!res.headersSent) sendJson(res, 500, errorBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Validate a response body against `schema` of the description; returns the violations. */
export function checkResponse(spec: Spec, schema: unknown, body: unknown, what: string): string[] {
  if (!schema) return [];
  const v = spec.compile(schema, { responses: true });
  return v(body) ? [] : [`response of ${what} does not match the description: ${errorsText(v)}`];
}
