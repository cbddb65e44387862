#!/usr/bin/env node
// The `eventforge` command runs its TypeScript source through tsx, as the server does, so it works
// straight after `pnpm install` with no build step.
import { register as registerHooks } from "node:module";
import { register } from "tsx/esm/api";

register();
// Like every tsx run of the workspace, resolve its packages to their TypeScript source (the
// `@eventforge/source` export condition) rather than to a dist/ that only a build makes. Registered
// after tsx, so it runs first and tsx resolves with the condition added.
registerHooks(
  "data:text/javascript,export const resolve = (specifier, context, next) => next(specifier, " +
    "{ ...context, conditions: [...context.conditions, '@eventforge/source'] });",
);
await import("../src/main.ts");
