// docs/design.md, Running: Production: the deploy files, checked with real tools since no Docker
// engine runs here (dockerfile-utils and dockerfile-ast for the Dockerfile; dclint, which validates
// against the compose specification's JSON schema, for compose.yaml; a zod model of the Render
// blueprint fields we use, since Render publishes no schema on npm), and the image's contents
// proven by running the same `pnpm deploy` output with node, from a 0700 directory as CI's root
// does.

import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import {
  buildForProduction,
  REPOSITORY_DIR,
  type ServerProcess,
  servingUrl,
  spawnServer,
  waitFor,
} from "./process-harness.js";

const execFileAsync = promisify(execFile);
const repositoryFile = (name: string) => readFile(join(REPOSITORY_DIR, name), "utf8");

describe("Dockerfile", () => {
  it("is valid, multi-stage, ships `pnpm deploy` output as a non-root user under an init, health-checked on /readyz", async () => {
    const content = await repositoryFile("Dockerfile");
    expect(validate(content)).toEqual([]);
    const stages: Instruction[][] = [];
    for (const instruction of DockerfileParser.parse(content).getInstructions()) {
      if (instruction.getKeyword() === "FROM") stages.push([]);
      stages.at(-1)?.push(instruction);
    }
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const args = (stage: Instruction[], keyword: string) =>
      stage.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? "");
    const [build, runtime] = [stages[0] ?? [], stages.at(-1) ?? []];
    expect(args(build, "RUN").join(" ")).toMatch(/pnpm deploy --filter=@eventforge\/server --prod/u);
    expect(args(runtime, "FROM")[0]).toMatch(/^node:20-[a-z]+-slim\b/u);
    const copies = runtime.filter((i) => i.getKeyword() === "COPY").map((i) => i.getTextContent());
    expect(copies.join("\n")).toMatch(/--from=build\b.*\/app/u);
    const user = args(runtime, "USER").at(-1);
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    expect(args(runtime, "HEALTHCHECK").join(" ")).toContain("/readyz");
    expect(args(runtime, "ENTRYPOINT")[0]).toMatch(/tini/u);
    expect(args(runtime, "CMD")[0]).toContain("dist/main.js");
  });
});

describe("compose.yaml", () => {
  it("passes dclint (the compose schema and its rules)", async () => {
    const dclint = join(
      dirname(createRequire(import.meta.url).resolve("dclint/package.json")),
      "bin/dclint.cjs",
    );
    const { stdout } = await execFileAsync(process.execPath, [dclint, "--color=false", "compose.yaml"], {
      cwd: REPOSITORY_DIR,
    });
    expect(stdout.trim()).toBe("");
  });

  it("starts the server once PostgreSQL is healthy, on that database", async () => {
    const compose = parseYaml(await repositoryFile("compose.yaml"));
    const { db, server } = compose.services;
    expect(db.healthcheck.test.join(" ")).toContain("pg_isready");
    expect(server.depends_on).toEqual({ db: { condition: "service_healthy" } });
    expect(server.build).toBe(".");
    expect(server.environment.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@db:5432\//u);
  });
});

// The blueprint fields EventForge uses, as Render documents them (render.com/docs/blueprint-spec).
const blueprint = z.strictObject({
  services: z.array(
    z.strictObject({
      type: z.literal("web"),
      name: z.string().min(1),
      runtime: z.literal("docker"),
      dockerfilePath: z.string().min(1),
      plan: z.string().min(1),
      healthCheckPath: z.string().startsWith("/"),
      envVars: z.array(
        z.union([
          z.strictObject({ key: z.string(), value: z.string() }),
          z.strictObject({ key: z.string(), generateValue: z.literal(true) }),
          z.strictObject({
            key: z.string(),
            fromDatabase: z.strictObject({
              name: z.string(),
              property: z.enum(["connectionString", "host", "port", "user", "password", "database"]),
            }),
          }),
        ]),
      ),
    }),
  ),
  databases: z.array(
    z.strictObject({
      name: z.string().min(1),
      databaseName: z.string().min(1),
      user: z.string().min(1),
      plan: z.string().min(1),
    }),
  ),
});

describe("render.yaml", () => {
  it("is a blueprint: a Docker web service health-checked on /readyz, its database wired by fromDatabase", async () => {
    const parsed = blueprint.parse(parseYaml(await repositoryFile("render.yaml")));
    const [web] = parsed.services;
    expect(web?.healthCheckPath).toBe("/readyz");
    expect(await repositoryFile(web?.dockerfilePath ?? "")).toContain("FROM");
    const databaseUrl = web?.envVars.find((v) => v.key === "DATABASE_URL");
    expect(databaseUrl).toEqual({
      key: "DATABASE_URL",
      fromDatabase: { name: parsed.databases[0]?.name, property: "connectionString" },
    });
    expect(web?.envVars.find((v) => v.key === "EVENTFORGE_JWT_SECRET")).toMatchObject({
      generateValue: true,
    });
  });
});

describe("the `pnpm deploy` output (the image's /app)", () => {
  let home: string;
  const started: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of started) server.kill();
    if (home) await rm(home, { recursive: true, force: true });
  });

  // A build, a deploy and two starts of embedded PostgreSQL: past the default guard on a loaded
  // machine (a hang guard, not a speed bound).
  it("runs with node alone from a 0700 directory, embedded PostgreSQL kept across a restart", {
    timeout: 900_000,
  }, async () => {
    home = await mkdtemp(join(tmpdir(), "eventforge-deploy-"));
    await chmod(home, 0o700);
    const app = join(home, "app");
    // Copied while no other test builds, so the copy is of whole packages.
    await buildForProduction(() =>
      execFileAsync("pnpm", ["deploy", "--filter=@eventforge/server", "--prod", "--legacy", app], {
        cwd: REPOSITORY_DIR,
        timeout: 600_000,
      }),
    );
    const { stdout: size } = await execFileAsync("du", ["-sh", app]);
    console.log(`pnpm deploy folder: ${size.trim()}`);

    const settings = {
      NODE_ENV: "production",
      EVENTFORGE_DATA_DIR: join(home, "data"),
      EVENTFORGE_JWT_SECRET: "deploy-test-secret-of-at-least-32-characters",
      EVENTFORGE_ADMIN_EMAIL: "deploy@example.com",
      EVENTFORGE_ADMIN_PASSWORD: "deploy admin password",
    };
    const run = async () => {
      const server = spawnServer(process.execPath, ["dist/main.js"], app, settings);
      started.push(server);
      const url = await servingUrl(server);
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ ready: true });
      server.child.kill("SIGTERM");
      expect(await waitFor("the server to exit", () => server.exit, 60_000)).toEqual({
        code: 0,
        signal: null,
      });
      return server;
    };

    const first = await run();
    const second = await run();
    const admin = (s: ServerProcess) => s.logs.find((l) => l.msg === "admin account ensured")?.change;
    expect([admin(first), admin(second)]).toEqual(["created", "unchanged"]);
    const place = (s: ServerProcess) => s.logs.find((l) => l.msg === "embedded PostgreSQL is running");
    expect(place(second)?.dataDir).toBe(place(first)?.dataDir);
    if (process.getuid?.() === 0) {
      // The postgres user cannot enter the 0700 home: binaries and data are staged (and said where).
      expect(String(place(first)?.binaries)).toMatch(/^\/var\/lib\/eventforge\//u);
      expect(String(place(first)?.dataDir)).toMatch(/^\/var\/lib\/eventforge\//u);
      for (const staged of [dirname(String(place(first)?.binaries)), String(place(first)?.dataDir)]) {
        await rm(staged, { recursive: true, force: true });
      }
    }
  });
});
