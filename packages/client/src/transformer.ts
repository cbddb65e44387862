import superjson, { type SuperJSONResult } from "superjson";

// superjson.deserialize deep-copies the parsed JSON and then re-parses every annotated path
// character by character: about 140 ms for a 100,000-seat availability snapshot. Responses of this
// API only ever annotate Dates (the server returns plain data), so for a payload whose annotations
// are all Dates at simple paths, `deserialize` turns those strings into Dates in place. The JSON
// was parsed for this call alone, so nothing else sees it change. Anything else goes to superjson.

type Target = [parent: Record<string, unknown>, key: string];

function dateTargets(json: unknown, values: unknown): Target[] | undefined {
  if (typeof values !== "object" || values === null || Array.isArray(values)) return undefined;
  const targets: Target[] = [];
  for (const path of Object.keys(values)) {
    const annotation = (values as Record<string, unknown>)[path];
    if (!Array.isArray(annotation) || annotation.length !== 1 || annotation[0] !== "Date") return undefined;
    if (path.includes("\\")) return undefined; // escaped keys: superjson's own path parser
    const keys = path.split(".");
    let parent = json;
    for (let i = 0; i < keys.length - 1; i++) {
      if (typeof parent !== "object" || parent === null) return undefined;
      parent = (parent as Record<string, unknown>)[keys[i] as string];
    }
    const key = keys[keys.length - 1] as string;
    if (typeof parent !== "object" || parent === null) return undefined;
    if (keys.some((k) => k === "__proto__" || k === "constructor" || k === "prototype")) return undefined;
    targets.push([parent as Record<string, unknown>, key]);
  }
  return targets;
}

/** What `superjson.deserialize(payload)` returns; faster, and in place, for payloads of Dates. */
export function deserialize(payload: unknown): unknown {
  const { json, meta } = payload as SuperJSONResult;
  if (meta === undefined) return json;
  const keys = Object.keys(meta);
  if (meta.v === 1 && keys.length === 2 && keys.includes("values")) {
    const targets = dateTargets(json, meta.values);
    if (targets) {
      for (const [parent, key] of targets) parent[key] = new Date(parent[key] as string);
      return json;
    }
  }
  return superjson.deserialize(payload as SuperJSONResult);
}

/**
 * True for JSON as it is: strings, finite numbers (not -0), booleans, null, and plain objects and
 * arrays of them, each object reached once. superjson annotates nothing in such a value, so its
 * result is `{ json: <a copy of value> }`, whose JSON is the JSON of `{ json: value }`.
 */
function isBareJson(value: unknown, seen: Set<object>): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (seen.has(value)) return false; // superjson records objects reached twice
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !isBareJson(value[i], seen)) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key of Object.keys(value)) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") return false;
    if (!isBareJson((value as Record<string, unknown>)[key], seen)) return false;
  }
  return true;
}

/**
 * What `superjson.serialize(value)` puts on the wire. Inputs are small plain objects (a hold is
 * `{ seat_id }`), for which superjson's walk (type checks, path arrays, an identity map, a copy)
 * costs more than the rest of encoding them; they are sent as they are, anything else through
 * superjson.
 */
export function serialize(value: unknown): SuperJSONResult {
  if (typeof value === "object" && value !== null && isBareJson(value, new Set())) {
    return { json: value as SuperJSONResult["json"] };
  }
  return superjson.serialize(value as never);
}

/** The client's transformer: superjson on the wire, with the fast paths above. */
export const transformer = { serialize, deserialize };
