// Bundles the client's type declarations with the API types inlined, so that a project
// outside this workspace gets full inference without installing @eventforge/api.
import { dts } from "rollup-plugin-dts";

export default {
  input: "src/index.ts",
  output: { file: "dist/index.d.ts", format: "es" },
  external: [/^@trpc\//u, "eventsource", "superjson", "zod", /^zod\//u, "kysely", "pg"],
  plugins: [dts({ respectExternal: true, tsconfig: "tsconfig.dts.json" })],
};
