import { fileURLToPath } from "node:url";
import { z } from "zod";

// The only module of the server that reads process.env.

const REPOSITORY_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    HOST: z.string().trim().min(1).default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65_535).default(8001),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//u, "must be a postgres:// or postgresql:// URL")
      .optional(),
    EVENTFORGE_DATA_DIR: z.string().optional(),
    EVENTFORGE_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    EVENTFORGE_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    EVENTFORGE_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(86_400 * 30)
      .default(3_600),
    EVENTFORGE_ADMIN_EMAIL: z.email().optional(),
    EVENTFORGE_ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.EVENTFORGE_JWT_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["EVENTFORGE_JWT_SECRET"],
        message: "is required when NODE_ENV=production",
      });
    }
    if (Boolean(env.EVENTFORGE_ADMIN_EMAIL) !== Boolean(env.EVENTFORGE_ADMIN_PASSWORD)) {
      const missing = env.EVENTFORGE_ADMIN_EMAIL ? "EVENTFORGE_ADMIN_PASSWORD" : "EVENTFORGE_ADMIN_EMAIL";
      ctx.addIssue({ code: "custom", path: [missing], message: "is required with the other admin setting" });
    }
  });

export interface ServerConfig {
  nodeEnv: "development" | "production" | "test";
  host: string;
  port: number;
  /** Unset: run embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize: number;
  jwtSecret: string | undefined;
  tokenTtlSeconds: number;
  admin: { email: string; password: string } | undefined;
  logLevel: string;
}

export class ConfigError extends Error {}

/** Validates the settings; a bad one throws ConfigError with one line naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  // A setting that is present but blank (`PORT=`) counts as unset, not as 0 or "".
  const given = Object.fromEntries(
    Object.entries(env).flatMap(([name, value]) => (value?.trim() ? [[name, value]] : [])),
  );
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = issue?.path.join(".") || "configuration";
    throw new ConfigError(`invalid configuration: ${setting} ${issue?.message ?? "is invalid"}`);
  }
  const e = parsed.data;
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.EVENTFORGE_DATA_DIR ?? `${REPOSITORY_ROOT}.eventforge`,
    poolSize: e.EVENTFORGE_DB_POOL_SIZE,
    jwtSecret: e.EVENTFORGE_JWT_SECRET,
    tokenTtlSeconds: e.EVENTFORGE_TOKEN_TTL_SECONDS,
    admin:
      e.EVENTFORGE_ADMIN_EMAIL && e.EVENTFORGE_ADMIN_PASSWORD
        ? { email: e.EVENTFORGE_ADMIN_EMAIL, password: e.EVENTFORGE_ADMIN_PASSWORD }
        : undefined,
    logLevel: e.LOG_LEVEL,
  };
}
