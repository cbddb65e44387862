import { TRPCError } from "@trpc/server";

/**
 * How deeply the JSON of a request may nest (objects and arrays): the deepest input of the API
 * inside tRPC's superjson envelope (`{json: {...}, meta: {values: {path: ["Date"]}}}`) is 5 levels,
 * so this leaves room and nothing more. Deeper input is refused before anything walks it
 * recursively (superjson, zod, the REST adapter), which a 100,000-deep body would overflow.
 */
export const MAX_INPUT_DEPTH = 12;

/** Whether `value` nests objects/arrays deeper than `maxDepth`; iterative, so any depth is safe. */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof current !== "object" || current === null) continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}

/** Throws BAD_REQUEST (400 INVALID_INPUT) for input nested deeper than MAX_INPUT_DEPTH. */
export function assertInputDepth(value: unknown): void {
  if (nestsDeeperThan(value, MAX_INPUT_DEPTH)) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `invalid input: JSON nested deeper than ${MAX_INPUT_DEPTH} levels`,
    });
  }
}
