/**
 * JSON-RPC 2.0 over the registry (json-rpc-2.0).
 * - params by name, validated by each method's zod schema (-32602 with `data.issues`);
 * - unknown method -32601, malformed JSON -32700, bad request objects -32600;
 * - batches answered as arrays; notifications (and all-notification batches) answer nothing (HTTP 204).
 */
import {
  createJSONRPCErrorResponse,
  createJSONRPCSuccessResponse,
  JSONRPCErrorCode,
  JSONRPCServer,
  type JSONRPCResponse,
} from "json-rpc-2.0";
import { methods } from "../api";
import type { CallContext } from "../api/registry";
import { callMethod, toRpcError } from "./call";

export type RequestContext = Omit<CallContext, "orchestrator">;

export interface Dispatcher {
  /** Answer one HTTP body; null means "no content" (notifications only). */
  handle(body: string, rc?: RequestContext): Promise<JSONRPCResponse | JSONRPCResponse[] | null>;
}

export function createDispatcher(ctx: () => CallContext, onError?: (method: string, err: unknown) => void): Dispatcher {
  const server = new JSONRPCServer<RequestContext>();
  for (const def of methods) {
    server.addMethodAdvanced(def.name, async (request, rc) => {
      try {
        const result = await callMethod(def, request.params, { ...ctx(), ...rc });
        return request.id === undefined ? null : createJSONRPCSuccessResponse(request.id, result);
      } catch (err) {
        onError?.(def.name, err);
        if (request.id === undefined) return null;
        const e = toRpcError(err);
        return createJSONRPCErrorResponse(request.id, e.code, e.message, e.data);
      }
    });
  }
  server.handleMethodNotFound = async (request) =>
    request.id === undefined
      ? null
      : createJSONRPCErrorResponse(request.id, JSONRPCErrorCode.MethodNotFound, `method not found: ${String(request.method)}`);

  return {
    async handle(body, rc = {}) {
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch (err) {
        return createJSONRPCErrorResponse(null, JSONRPCErrorCode.ParseError, `parse error: ${(err as Error).message}`);
      }
      if (Array.isArray(payload) && payload.length === 0) {
        return createJSONRPCErrorResponse(null, JSONRPCErrorCode.InvalidRequest, "invalid request: empty batch");
      }
      if (payload === null || typeof payload !== "object") {
        return createJSONRPCErrorResponse(null, JSONRPCErrorCode.InvalidRequest, "invalid request: expected an object or an array");
      }
      const answer = await server.receive(payload as never, rc);
      if (Array.isArray(answer)) return answer.length > 0 ? answer : null;
      return answer;
    },
  };
}
