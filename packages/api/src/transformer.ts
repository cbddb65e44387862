import superjson, { type SuperJSONResult } from "superjson";
import { assertInputDepth } from "./input-depth.js";

// superjson walks every value with a chain of type checks, copies the path array at every level
// and keeps an identity map of every object: about 600 ms for a 100,000-seat availability
// snapshot, more than the query itself. Our outputs are plain data (objects, arrays, strings,
// finite numbers, booleans, null and Dates), for which the output is simple to produce directly.
// `serialize` below does that, and the JSON of its result is byte for byte the JSON of
// superjson.serialize's (the tests compare the two on every kind of value); anything else (undefined, NaN, -0, Map, Set, BigInt,
// class instances, errors, a value reachable twice) goes to superjson itself. Nothing is
// registered with superjson (registerClass/registerCustom) in this code base; if that changes,
// this fast path must learn it.

/** superjson's path escaping: `\` → `\\`, `.` → `\.`. */
const escapeKey = (key: string) =>
  key.includes(".") || key.includes("\\") ? key.replace(/\\/gu, "\\\\").replace(/\./gu, "\\.") : key;

type Annotations = Record<string, readonly ["Date"]>;
type Meta = NonNullable<SuperJSONResult["meta"]>;
const DATE = ["Date"] as const; // one array for every annotation: JSON does not tell them apart

/**
 * Scans `value` for plain data: false when it is not, else the paths of its Dates, collected the
 * way superjson does (each container gathers its children's paths in a JS object, prefixed with
 * the child's escaped key, so the key order, integer-like keys first, is superjson's too), or
 * null when it has none. Nothing is allocated for a container without Dates.
 */
function scan(value: unknown, seen: Set<object>): Annotations | null | false {
  switch (typeof value) {
    case "string":
    case "boolean":
      return null;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0) ? null : false;
    case "object":
      break;
    default:
      return false; // undefined, bigint, symbol, function
  }
  if (value === null) return null;
  // superjson records every object reachable by two paths (referentialEqualities).
  if (seen.has(value)) return false;
  seen.add(value);
  let annotations: Annotations | null = null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return false; // a hole
      const next = member(value[i], i, annotations, seen);
      if (next === false) return false;
      annotations = next;
    }
    return annotations;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key of Object.keys(value)) {
    // superjson refuses these (prototype pollution); let it say so.
    if (key === "__proto__" || key === "constructor" || key === "prototype") return false;
    const next = member((value as Record<string, unknown>)[key], key, annotations, seen);
    if (next === false) return false;
    annotations = next;
  }
  return annotations;
}

/** Adds the member `item` at `key` of a container to its annotations (allocated on the first Date). */
function member(
  item: unknown,
  key: string | number,
  annotations: Annotations | null,
  seen: Set<object>,
): Annotations | null | false {
  if (item instanceof Date) {
    if (seen.has(item) || Number.isNaN(item.getTime())) return false;
    seen.add(item);
    const out = annotations ?? {};
    out[typeof key === "number" ? String(key) : escapeKey(key)] = DATE;
    return out;
  }
  const inner = scan(item, seen);
  if (inner === false) return false;
  if (inner === null) return annotations;
  const out = annotations ?? {};
  const prefix = `${typeof key === "number" ? key : escapeKey(key)}.`;
  for (const path in inner) out[prefix + path] = DATE;
  return out;
}

/**
 * What `superjson.serialize(value)` returns, up to Dates: for plain data, `json` is `value` itself,
 * whose Dates JSON.stringify writes as the ISO strings superjson would have put there
 * (Date.prototype.toJSON is toISOString), so the text on the wire is byte for byte superjson's.
 * tRPC only ever JSON-encodes the result. Anything else is superjson's own result.
 */
export function serialize(value: unknown): SuperJSONResult {
  if (typeof value === "object" && value !== null && !(value instanceof Date)) {
    const dates = scan(value, new Set());
    if (dates !== false) {
      const result: SuperJSONResult = { json: value as SuperJSONResult["json"] };
      if (dates !== null) result.meta = { values: dates as Meta["values"], v: 1 };
      return result;
    }
  }
  return superjson.serialize(value as never);
}

/**
 * The server's transformer: superjson on the wire, with the fast path above for outputs. Inputs
 * nested deeper than the API needs are refused (400) before superjson walks them.
 */
export const transformer = {
  serialize,
  deserialize: (payload: unknown) => {
    assertInputDepth(payload);
    return superjson.deserialize(payload as SuperJSONResult);
  },
};
