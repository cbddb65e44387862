import superjson, { type SuperJSONResult } from "superjson";

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

type Annotations = Record<string, ["Date"]>;

/**
 * Whether `value` is plain data, collecting the paths of its Dates into `annotations` the way
 * superjson does: each container gathers its children's paths in a JS object, prefixed with the
 * child's escaped key, so the key order (integer-like keys first) is superjson's too.
 */
function scan(value: unknown, annotations: Annotations, seen: Set<object>): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      break;
    default:
      return false; // undefined, bigint, symbol, function
  }
  if (value === null) return true;
  // superjson records every object reachable by two paths (referentialEqualities).
  if (seen.has(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !scanChild(value[i], String(i), annotations, seen)) return false; // or a hole
    }
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key of Object.keys(value)) {
    // superjson refuses these (prototype pollution); let it say so.
    if (key === "__proto__" || key === "constructor" || key === "prototype") return false;
    if (!scanChild((value as Record<string, unknown>)[key], key, annotations, seen)) return false;
  }
  return true;
}

function scanChild(value: unknown, key: string, annotations: Annotations, seen: Set<object>): boolean {
  if (value instanceof Date) {
    if (seen.has(value) || Number.isNaN(value.getTime())) return false;
    seen.add(value);
    annotations[escapeKey(key)] = ["Date"];
    return true;
  }
  if (typeof value !== "object" || value === null) return scan(value, annotations, seen);
  const inner: Annotations = {};
  if (!scan(value, inner, seen)) return false;
  let prefix: string | undefined;
  for (const path in inner) {
    prefix ??= `${escapeKey(key)}.`;
    annotations[prefix + path] = inner[path] as ["Date"];
  }
  return true;
}

/**
 * What `superjson.serialize(value)` returns, up to Dates: for plain data, `json` is `value` itself,
 * whose Dates JSON.stringify writes as the ISO strings superjson would have put there
 * (Date.prototype.toJSON is toISOString), so the text on the wire is byte for byte superjson's.
 * tRPC only ever JSON-encodes the result. Anything else is superjson's own result.
 */
export function serialize(value: unknown): SuperJSONResult {
  if (typeof value === "object" && value !== null && !(value instanceof Date)) {
    const dates: Annotations = {};
    if (scan(value, dates, new Set())) {
      const result: SuperJSONResult = { json: value as SuperJSONResult["json"] };
      for (const _ in dates) {
        result.meta = { values: dates, v: 1 };
        break;
      }
      return result;
    }
  }
  return superjson.serialize(value as never);
}

/** The server's transformer: superjson on the wire, with the fast path above for outputs. */
export const transformer = {
  serialize,
  deserialize: (payload: unknown) => superjson.deserialize(payload as SuperJSONResult),
};
