// Two passes over tsc's output. The JavaScript: the api's limits (a module without imports that
// index.ts re-exports) are inlined, so the published package needs no @eventforge/api at run time.
// The type declarations: bundled with the API types inlined, so that a project outside this
// workspace gets full inference without installing @eventforge/api.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dts } from "rollup-plugin-dts";
import ts from "typescript";

const API_LIMITS = "@eventforge/api/limits";
const apiLimitsFile = fileURLToPath(new URL("../api/src/limits.ts", import.meta.url));

/** The api's limits from their source, compiled alone (the module imports nothing). */
const inlineApiLimits = {
  name: "inline-api-limits",
  resolveId: (source) => (source === API_LIMITS ? apiLimitsFile : null),
  load: (id) =>
    id === apiLimitsFile
      ? ts.transpileModule(readFileSync(id, "utf8"), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
        }).outputText
      : null,
};

export default [
  {
    input: "dist/index.js",
    output: { file: "dist/index.js", format: "es" },
    // Everything but the api's limits stays an import: the dependencies and ./transformer.js.
    external: (source, importer) =>
      importer !== undefined && source !== API_LIMITS && source !== apiLimitsFile,
    plugins: [inlineApiLimits],
  },
  {
    input: "src/index.ts",
    output: { file: "dist/index.d.ts", format: "es" },
    external: [/^@trpc\//u, "eventsource", "superjson", "zod", /^zod\//u, "kysely", "pg"],
    plugins: [dts({ respectExternal: true, tsconfig: "tsconfig.dts.json" })],
  },
];
