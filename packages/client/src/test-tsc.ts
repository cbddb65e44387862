// For the type tests (packed-client.test.ts, typed-errors.test.ts): source whose misuses are tagged
// `// @error` must get a diagnostic from tsc on exactly those lines.
import { createRequire } from "node:module";

/** The workspace's own compiler, so a consumer project needs no TypeScript from the registry. */
export const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/** The 1-based numbers of the lines tagged `// @error`. */
export function taggedLines(source: string): number[] {
  return source.split("\n").flatMap((line, index) => (line.includes("// @error") ? [index + 1] : []));
}

/** The distinct lines of `file` that tsc reported an error on (plain `file(line,col): error` output). */
export function errorLines(tscOutput: string, file: string): number[] {
  const lines = [...tscOutput.matchAll(/^(.+?)\((\d+),\d+\): error TS\d+/gmu)]
    .filter((match) => match[1] === file)
    .map((match) => Number(match[2]));
  return [...new Set(lines)].sort((a, b) => a - b);
}
