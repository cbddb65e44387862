import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { serialize } from "./transformer.js";

/** The fast path must put exactly superjson's text on the wire, key order included. */
function expectSameAsSuperjson(value: unknown) {
  const expected = JSON.stringify(superjson.serialize(value as never));
  const actual = JSON.stringify(serialize(value));
  expect(actual).toBe(expected);
  if (actual !== undefined) {
    expect(superjson.deserialize(JSON.parse(actual))).toEqual(superjson.deserialize(JSON.parse(expected)));
  }
}

const at = (iso: string) => new Date(iso);

describe("the output transformer", () => {
  it("serializes what the procedures return exactly as superjson does", () => {
    const reservation = {
      id: 1,
      user_id: 2,
      seat_id: 3,
      show_id: 4,
      status: "HELD",
      hold_expiry: at("2026-11-24T12:10:00.123Z"),
      created_at: at("2026-11-24T12:00:00.123Z"),
      updated_at: at("2026-11-24T12:00:00.123Z"),
    };
    const availability = {
      show_id: 4,
      as_of: at("2026-11-24T12:00:01Z"),
      seats: Array.from({ length: 50 }, (_, i) => ({
        seat_id: i + 1,
        seat_number: `A${i + 1}`,
        status: i % 3 === 0 ? "HELD" : i % 3 === 1 ? "CONFIRMED" : "AVAILABLE",
        hold_expiry: i % 3 === 0 ? at(`2026-11-24T12:${String(i).padStart(2, "0")}:00Z`) : null,
      })),
    };
    const page = { items: [], next_cursor: null };
    const errorShape = {
      message: "seat A1 is taken",
      code: -32603,
      data: {
        code: "CONFLICT",
        httpStatus: 409,
        path: "reservations.hold",
        reason: "SEAT_TAKEN",
        details: { seat_id: 1, seat_number: "A1", held_until: "2026-11-24T12:10:00.000Z" },
        issues: null,
      },
    };
    for (const value of [reservation, availability, page, errorShape, { ok: true }, [], {}, [[[]]]]) {
      expectSameAsSuperjson(value);
      // and by the fast path: plain data goes on the wire as it is, not through superjson's copy
      expect(serialize(value).json).toBe(value);
    }
  });

  it("escapes keys with dots and backslashes in the paths of dates, as superjson does", () => {
    expectSameAsSuperjson({
      "a.b": at("2020-01-01T00:00:00Z"),
      "c\\d": { "e.f\\": [at("2021-01-01T00:00:00Z")] },
    });
    expectSameAsSuperjson({ 2: at("2020-01-01T00:00:00Z"), b: { 1: at("2021-01-01T00:00:00Z") }, 1: "x" });
    expectSameAsSuperjson([at("2020-01-01T00:00:00Z"), [null, at("2021-01-01T00:00:00Z")], { x: 1 }]);
    expectSameAsSuperjson(Object.assign(Object.create(null), { d: at("2020-01-01T00:00:00Z") }));
    // A Date at an array index comes before its container's nested paths, wherever it is.
    const d = at("2022-01-01T00:00:00Z");
    expectSameAsSuperjson({
      list: [{ x: at("2020-01-01T00:00:00Z") }, d, [at("2021-01-01T00:00:00Z")], at("2023-01-01T00:00:00Z")],
    });
    expectSameAsSuperjson({
      a: { y: at("2020-01-01T00:00:00Z") },
      7: d,
      "01": at("2021-01-01T00:00:00Z"),
      4294967295: at("2023-01-01T00:00:00Z"),
    });
  });

  it("leaves everything else to superjson, with superjson's result", () => {
    const shared = { x: 1 };
    const sharedDate = at("2020-01-01T00:00:00Z");
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    // biome-ignore lint/suspicious/noSparseArray: a hole is the point
    const sparse = [1, , 3];
    for (const value of [
      { a: undefined },
      { n: Number.NaN, i: Number.POSITIVE_INFINITY, z: -0 },
      { big: 10n },
      { m: new Map([[1, 2]]), s: new Set([1]) },
      { e: new Error("boom") },
      { r: /x/gu },
      { u: new URL("https://example.com/") },
      { bad: new Date(Number.NaN) },
      { twice: [shared, shared] },
      { a: sharedDate, b: sharedDate },
      circular,
      sparse,
      at("2020-01-01T00:00:00Z"),
      "text",
      42,
      null,
      undefined,
    ]) {
      expectSameAsSuperjson(value);
    }
    expect(() => serialize(JSON.parse('{"__proto__": 1}'))).toThrow();
  });

  it("agrees with superjson on random nested data", () => {
    let state = 12_345;
    const random = () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
    const keys = ["a", "b.c", "0", "12", "d\\e", "status", "x y"];
    const leaf = (): unknown => {
      const r = random();
      if (r < 0.2) return at(new Date(1_700_000_000_000 + Math.floor(random() * 1e10)).toISOString());
      if (r < 0.4) return Math.floor(random() * 1000) - 500;
      if (r < 0.5) return random() < 0.5;
      if (r < 0.6) return null;
      if (r < 0.65) return random() * 10;
      return keys[Math.floor(random() * keys.length)];
    };
    const tree = (depth: number): unknown => {
      if (depth === 0 || random() < 0.3) return leaf();
      if (random() < 0.5) return Array.from({ length: Math.floor(random() * 4) }, () => tree(depth - 1));
      const out: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 4); i > 0; i--)
        out[keys[Math.floor(random() * keys.length)] as string] = tree(depth - 1);
      return out;
    };
    for (let i = 0; i < 2_000; i++) expectSameAsSuperjson({ root: tree(5) });
  });
});
