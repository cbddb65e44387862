import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "./environment.js";

const REPOSITORY = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFile(`${REPOSITORY}${path}`, "utf8");

describe("the server's V8 heap settings", () => {
  it("are the same in every production start as in the benchmark's, which measured them", async () => {
    const root = JSON.parse(await read("package.json")) as { scripts: Record<string, string> };
    const server = JSON.parse(await read("apps/server/package.json")) as { scripts: Record<string, string> };
    const flags = SERVER_NODE_FLAGS.join(" ");
    expect(root.scripts["start:prod"]).toContain(`${flags} apps/server/dist/main.js`);
    expect(root.scripts.start).toContain(`${flags} apps/server/dist/main.js`);
    expect(server.scripts.start).toContain(`${flags} dist/main.js`);
    const cmd = (await read("Dockerfile")).split("\n").find((line) => line.startsWith("CMD "));
    expect(cmd).toBe(
      `CMD ${JSON.stringify(["node", ...SERVER_NODE_FLAGS, "dist/main.js"]).replaceAll(",", ", ")}`,
    );
  });
});
