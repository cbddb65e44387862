// Errors typed per procedure on both surfaces, from the one source (PROCEDURE_ERRORS): the tRPC
// client's ErrorReasonOf/errorDataOf, and the types a REST user generates from /openapi.json with
// openapi-typescript, type-checked by tsc with the misuse that must not compile.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenApiDocument, PROCEDURE_ERRORS } from "@eventforge/api";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from "vitest";
import { type ErrorDataOf, type ErrorDetailsOf, type ErrorReasonOf, errorDataOf } from "./index.js";
import { errorLines, taggedLines, tsc } from "./test-tsc.js";

describe("the client's error types per procedure", () => {
  it("a hold's reasons are its service's and the transport's, and SEAT_TAKEN has its details", () => {
    expectTypeOf<ErrorReasonOf<"reservations.hold">>().toEqualTypeOf<
      | "FORBIDDEN"
      | "INVALID_INPUT"
      | "INVALID_SEAT_LABEL"
      | "USER_NOT_FOUND"
      | "SEAT_NOT_FOUND"
      | "SHOW_STARTED"
      | "SEAT_TAKEN"
      | "HOLD_LIMIT_REACHED"
      | "IDEMPOTENCY_KEY_REUSED"
      | "IDEMPOTENCY_KEY_IN_USE"
      | "NOT_AUTHENTICATED"
      | "INVALID_TOKEN"
      | "TOKEN_EXPIRED"
      | "TOO_MANY_REQUESTS"
      | "PAYLOAD_TOO_LARGE"
      | "UNSUPPORTED_MEDIA_TYPE"
      | "DATABASE_UNAVAILABLE"
      | "INTERNAL"
    >();
    expectTypeOf<ErrorDetailsOf<"reservations.hold", "SEAT_TAKEN">["held_until"]>().toEqualTypeOf<
      string | null
    >();
    expectTypeOf<ErrorDetailsOf<"reservations.release", "INVALID_TRANSITION">>().toEqualTypeOf<{
      reservation_id: number;
      status: "HELD" | "CONFIRMED" | "EXPIRED" | "CANCELLED";
    }>();
    const data = errorDataOf(new Error("not from the server"), "reservations.hold");
    expect(data).toBeUndefined();
    if (data?.reason === "SEAT_TAKEN") expectTypeOf(data.details.seat_number).toEqualTypeOf<string>();
    // @ts-expect-error a hold cannot fail with EMAIL_TAKEN, so the comparison cannot be written
    if (data?.reason === "EMAIL_TAKEN") expect.unreachable();
    expectTypeOf<ErrorDataOf<"users.create">["reason"]>().toExtend<string>();
  });

  it("match the document's: the hold's 409 reasons in both are the service's conflicts", () => {
    const document = createOpenApiDocument("/") as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    };
    const documented = document.paths["/reservations/{user_id}/hold"]?.post?.responses["409"]?.description;
    const conflicts = PROCEDURE_ERRORS["reservations.hold"].errors
      .map((error) => error.reason)
      .filter((reason) =>
        ["SEAT_TAKEN", "SHOW_STARTED", "HOLD_LIMIT_REACHED", "IDEMPOTENCY_KEY_IN_USE"].includes(reason),
      );
    expect(documented?.split(", ").sort()).toEqual(conflicts.sort());
  });
});

// What a REST user writes with the generated types. Every line tagged `// @error` must get a
// diagnostic from tsc, and no other line may.
const goodSource = `\
import type { paths } from "./schema.js";

type Hold = paths["/reservations/{user_id}/hold"]["post"];
type HoldConflict = Hold["responses"][409]["content"]["application/json"];

export function heldUntil(error: HoldConflict): string | null | undefined {
  if (error.data.reason === "SEAT_TAKEN") {
    const until: string | null = error.data.details.held_until;
    return until;
  }
  if (error.data.reason === "HOLD_LIMIT_REACHED") return String(error.data.details.limit);
  return undefined;
}

export const byId: Hold["requestBody"]["content"]["application/json"] = { seat_id: 1 };
export const byLabel: Hold["requestBody"]["content"]["application/json"] = { show_id: 1, seat_number: "A1" };
`;

const badSource = `\
import type { paths } from "./schema.js";

type Hold = paths["/reservations/{user_id}/hold"]["post"];
type HoldConflict = Hold["responses"][409]["content"]["application/json"];
type HoldBody = Hold["requestBody"]["content"]["application/json"];

export function misuse(error: HoldConflict) {
  if (error.data.reason === "EMAIL_TAKEN") return 1; // @error a reason the hold cannot produce
  const until = error.data.details.held_until; // @error details read before narrowing
  return until;
}

export const empty: HoldBody = {}; // @error no seat named
export const partial: HoldBody = { show_id: 1 }; // @error a label without its show
export const extra: HoldBody = { seat_id: 1, foo: 1 }; // @error an unknown field
`;

function typecheck(projectDir: string, file: string) {
  const result = spawnSync(
    process.execPath,
    [tsc, "--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--pretty", "false", file],
    { cwd: projectDir, encoding: "utf8", timeout: 120_000 },
  );
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("types generated from /openapi.json by openapi-typescript", () => {
  let projectDir = "";

  beforeAll(async () => {
    projectDir = mkdtempSync(join(tmpdir(), "eventforge-openapi-types-"));
    // openapi-typescript reports what it cannot represent on console.warn: there must be nothing.
    const warn = vi.spyOn(console, "warn");
    const ast = await openapiTS(createOpenApiDocument("/") as never);
    expect(warn.mock.calls).toEqual([]);
    warn.mockRestore();
    writeFileSync(join(projectDir, "schema.ts"), astToString(ast));
    writeFileSync(join(projectDir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(join(projectDir, "good.ts"), goodSource);
    writeFileSync(join(projectDir, "bad.ts"), badSource);
  });

  afterAll(() => {
    if (projectDir) rmSync(projectDir, { recursive: true, force: true });
  });

  it("type-check a hold's 409 narrowed to SEAT_TAKEN reading details.held_until", () => {
    const { status, output } = typecheck(projectDir, "good.ts");
    expect(output).toBe("");
    expect(status).toBe(0);
  });

  it("reject each misuse on its own line, and nothing else", () => {
    const { status, output } = typecheck(projectDir, "bad.ts");
    expect(status).not.toBe(0);
    expect(errorLines(output, "bad.ts")).toEqual(taggedLines(badSource));
  });
});
