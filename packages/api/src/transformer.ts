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

type Meta = NonNullable<SuperJSONResult["meta"]>;
const DATE = ["Date"] as const; // one array for every annotation: JSON does not tell them apart
const MAX_ARRAY_INDEX = 2 ** 32 - 2;

/** Whether V8 orders `key` as an array index: before every other key, ascending. */
const isArrayIndex = (key: string) => /^(?:0|[1-9]\d*)$/u.test(key) && Number(key) <= MAX_ARRAY_INDEX;

/**
 * Scans the container `value` (at `path`) for plain data, appending the paths of its Dates to
 * `out`; false when it is not plain data. superjson gathers each container's paths in a JS object
 * and prefixes them with the container's key on the way up: in the end every path is a string with
 * a dot, kept in insertion order, except a Date directly at an array-index key of a container,
 * whose key is an integer there and so comes before the container's other paths. The same order is
 * built here in one pass, with each path joined once (a snapshot has 40,000 of them; building them
 * level by level, in an object per level, cost more than the query).
 */
function scan(value: object, path: (string | number)[], out: string[], seen: Set<object>): boolean {
  // superjson records every object reachable by two paths (referentialEqualities).
  if (seen.has(value)) return false;
  seen.add(value);
  let front = out.length; // where this container's next array-index Date goes
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return false; // a hole
      front = member(value[i], i, true, front, path, out, seen);
      if (front < 0) return false;
    }
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key of Object.keys(value)) {
    // superjson refuses these (prototype pollution); let it say so.
    if (key === "__proto__" || key === "constructor" || key === "prototype") return false;
    front = member((value as Record<string, unknown>)[key], key, false, front, path, out, seen);
    if (front < 0) return false;
  }
  return true;
}

/** Scans the member `item` at `key` of a container; its new `front`, or -1 when it is not plain data. */
function member(
  item: unknown,
  key: string | number,
  inArray: boolean,
  front: number,
  path: (string | number)[],
  out: string[],
  seen: Set<object>,
): number {
  switch (typeof item) {
    case "string":
    case "boolean":
      return front;
    case "number":
      return Number.isFinite(item) && !Object.is(item, -0) ? front : -1;
    case "object":
      break;
    default:
      return -1; // undefined, bigint, symbol, function
  }
  if (item === null) return front;
  const segment = typeof key === "number" ? key : escapeKey(key);
  path.push(segment);
  try {
    if (!(item instanceof Date)) return scan(item, path, out, seen) ? front : -1;
    if (seen.has(item) || Number.isNaN(item.getTime())) return -1;
    seen.add(item);
    const at = path.join(".");
    if (!(inArray || isArrayIndex(key as string))) {
      out.push(at);
      return front;
    }
    if (out.length === front) out.push(at);
    else out.splice(front, 0, at);
    return front + 1;
  } finally {
    path.pop();
  }
}

/**
 * What `superjson.serialize(value)` returns, up to Dates: for plain data, `json` is `value` itself,
 * whose Dates JSON.stringify writes as the ISO strings superjson would have put there
 * (Date.prototype.toJSON is toISOString), so the text on the wire is byte for byte superjson's.
 * tRPC only ever JSON-encodes the result. Anything else is superjson's own result.
 */
export function serialize(value: unknown): SuperJSONResult {
  if (typeof value === "object" && value !== null && !(value instanceof Date)) {
    const dates: string[] = [];
    if (scan(value, [], dates, new Set())) {
      const result: SuperJSONResult = { json: value as SuperJSONResult["json"] };
      if (dates.length > 0) {
        const values: Record<string, readonly ["Date"]> = {};
        for (const at of dates) values[at] = DATE;
        result.meta = { values: values as Meta["values"], v: 1 };
      }
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
