#!/usr/bin/env node
// The `eventforge` command runs its TypeScript source through tsx, as the server does, so it works
// straight after `pnpm install` with no build step.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
