import { defineConfig } from "vitest/config";

// One run for the whole workspace: one PostgreSQL (see packages/db/src/testing), one database per
// test file cloned from a migrated template.
export default defineConfig({
  // Workspace packages export their TypeScript sources under this condition (compiled JavaScript
  // otherwise), so tests run the sources; the rest are Vite's default server conditions.
  ssr: { resolve: { conditions: ["@eventforge/source", "module", "node", "development|production"] } },
  test: {
    include: ["{apps,packages}/*/src/**/*.test.ts"],
    globalSetup: ["packages/db/src/testing/global-setup.ts"],
    // A guard against hangs, not a speed bound: the CLI tests start tsx for every command, up to
    // nine at once, and on a loaded 2-core machine one such test took over 90 s.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // expect.poll waits for a condition; its default of 1 s is short for a loaded machine (and a
    // browser). A bound that is part of the contract is asserted on its own, with its own slack.
    expect: { poll: { timeout: 15_000 } },
    // Two cores: a couple of files at a time keeps the race tests honest and the run steady.
    maxWorkers: 2,
  },
});
