import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { deserialize, serialize } from "./transformer.js";

/** Whatever the server sent, the fast path gives what superjson.deserialize gives. */
function expectSameAsSuperjson(value: unknown) {
  const wire = JSON.stringify(superjson.serialize(value as never));
  expect(deserialize(JSON.parse(wire))).toEqual(superjson.deserialize(JSON.parse(wire)));
}

const at = (iso: string) => new Date(iso);

describe("the client's response transformer", () => {
  it("turns annotated dates into Dates, anywhere in plain data", () => {
    const snapshot = {
      show_id: 1,
      as_of: at("2026-11-24T12:00:00Z"),
      seats: [
        { seat_id: 1, seat_number: "A1", status: "HELD", hold_expiry: at("2026-11-24T12:10:00Z") },
        { seat_id: 2, seat_number: "A2", status: "AVAILABLE", hold_expiry: null },
      ],
    };
    const wire = JSON.parse(JSON.stringify(superjson.serialize(snapshot)));
    const result = deserialize(wire) as typeof snapshot;
    expect(result).toBe(wire.json); // the fast path: Dates made in place, not superjson's copy
    expect(result).toEqual(snapshot);
    expect(result.seats[0]?.hold_expiry).toBeInstanceOf(Date);
    for (const value of [
      snapshot,
      { ok: true },
      [],
      [at("2020-01-01T00:00:00Z")],
      { a: { b: [{ c: at("2021-01-01T00:00:00Z") }] } },
    ]) {
      expectSameAsSuperjson(value);
    }
  });

  it("leaves every other payload to superjson", () => {
    const shared = { x: 1 };
    for (const value of [
      { "a.b": at("2020-01-01T00:00:00Z"), "c\\d": at("2020-01-02T00:00:00Z") },
      { a: undefined, b: 10n, c: new Map([[1, at("2020-01-01T00:00:00Z")]]), d: new Set([1]) },
      { n: Number.NaN, z: -0, e: new Error("boom"), r: /x/gu },
      { twice: [shared, shared] },
      at("2020-01-01T00:00:00Z"),
      "text",
      null,
    ]) {
      expectSameAsSuperjson(value);
    }
  });
});

describe("the client's request transformer", () => {
  it("puts on the wire exactly what superjson would, for every kind of input", () => {
    const shared = { x: 1 };
    for (const value of [
      { seat_id: 42 },
      { show_id: 1, seat_number: "A-1", hold_minutes: 5 },
      { reservation_ids: [1, 2, 3], nested: { deep: [{ a: "b" }, null, true, 1.5] } },
      [],
      {},
      Object.create(null),
      { a: undefined },
      { at: at("2020-01-01T00:00:00Z") },
      { n: Number.NaN, z: -0, i: Number.POSITIVE_INFINITY },
      { b: 10n, m: new Map([[1, 2]]), s: new Set([1]), r: /x/gu },
      { twice: [shared, shared] },
      // biome-ignore lint/suspicious/noSparseArray: a hole is one of the cases
      [1, , 3],
      { "a.b": 1, "c\\d": 2 },
      at("2020-01-01T00:00:00Z"),
      "text",
      7,
      null,
      undefined,
    ]) {
      expect(JSON.stringify(serialize(value))).toBe(JSON.stringify(superjson.serialize(value as never)));
    }
  });

  it("sends plain input as it is, without superjson's copy", () => {
    const input = { seat_id: 42 };
    expect(serialize(input).json).toBe(input);
  });
});
