// Two passes over tsc's output. The JavaScript: the api's limits (which index.ts re-exports, and
// which import only the domain's import-free shared rules) are inlined, so the published package
// needs neither @eventforge/api nor @eventforge/domain at run time.
// The type declarations: bundled with the API types inlined, so that a project outside this
// workspace gets full inference without installing @eventforge/api.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dts } from "rollup-plugin-dts";
import ts from "typescript";

/** The modules inlined from their source, each compiled alone: they import nothing else. */
const INLINED = new Map(
  Object.entries({
    "@eventforge/api/limits": "../api/src/limits.ts",
    "@eventforge/domain/shared-rules": "../domain/src/shared-rules.ts",
  }).map(([specifier, path]) => [specifier, fileURLToPath(new URL(path, import.meta.url))]),
);
const inlinedFiles = new Set(INLINED.values());

const inlineSharedModules = {
  name: "inline-shared-modules",
  resolveId: (source) => INLINED.get(source) ?? null,
  load: (id) =>
    inlinedFiles.has(id)
      ? ts.transpileModule(readFileSync(id, "utf8"), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
        }).outputText
      : null,
};

export default [
  {
    input: "dist/index.js",
    output: { file: "dist/index.js", format: "es" },
    // Everything but the inlined modules stays an import: the dependencies and ./transformer.js.
    external: (source, importer) =>
      importer !== undefined && !INLINED.has(source) && !inlinedFiles.has(source),
    plugins: [inlineSharedModules],
  },
  {
    input: "src/index.ts",
    output: { file: "dist/index.d.ts", format: "es" },
    external: [/^@trpc\//u, "eventsource", "superjson", "zod", /^zod\//u, "kysely", "pg"],
    plugins: [dts({ respectExternal: true, tsconfig: "tsconfig.dts.json" })],
  },
];
