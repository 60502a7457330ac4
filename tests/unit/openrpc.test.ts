import { validateOpenRPCDocument } from "@open-rpc/schema-utils-js";
import { describe, expect, it } from "vitest";
import { methods } from "../../lib/api";
import { openRpcDocument } from "../../lib/rpc/openrpc";

describe("the OpenRPC document", () => {
  const doc = openRpcDocument() as { openrpc: string; methods: { name: string; params: { name: string; required: boolean }[] }[] };

  it("is valid against the OpenRPC meta-schema", () => {
    expect(validateOpenRPCDocument(doc as never)).toBe(true);
    expect(doc.openrpc).toBe("1.3.2");
  });

  it("lists every registry method with params generated from its zod schema", () => {
    expect(doc.methods.map((m) => m.name).sort()).toEqual(methods.map((m) => m.name).sort());
    const info = doc.methods.find((m) => m.name === "repo.info")!;
    expect(info.params).toEqual([expect.objectContaining({ name: "name", required: true })]);
  });
});
