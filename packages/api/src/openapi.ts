import type { AnyProcedure } from "@trpc/server";
import { generateOpenApiDocument, normalizePath, type OpenAPIObject } from "trpc-to-openapi";
import { z } from "zod";
import { type ErrorReason, httpStatusOfReason } from "./errors.js";
import { PROCEDURE_ERRORS, type ProcedureError, type ProcedurePath } from "./procedure-errors.js";
import type { ProcedureMeta } from "./rest.js";
import { restRouter } from "./root.js";

type Schema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), as a client sends or receives it. */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): Schema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Schema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** One zod issue as `data.issues` carries it. */
const ISSUE_SCHEMA: Schema = {
  type: "object",
  required: ["path", "message"],
  properties: {
    path: { type: "array", items: { type: ["string", "integer"] } },
    message: { type: "string" },
    code: { type: "string", description: "zod's issue code, e.g. invalid_type" },
  },
};

const RETRY_AFTER = {
  description: "Seconds to wait before retrying",
  required: true,
  schema: { type: "integer", minimum: 0 },
};
const RATE_LIMIT_HEADERS = {
  "Retry-After": RETRY_AFTER,
  "RateLimit-Policy": {
    description: 'The limit that refused the call, e.g. `"holds";q=30;w=60`',
    required: true,
    schema: { type: "string" },
  },
  RateLimit: {
    description: 'What is left of it, e.g. `"holds";r=0;t=12`',
    required: true,
    schema: { type: "string" },
  },
};

const errorName = (error: ProcedureError) => error.name.replace(/Error$/u, "");

/**
 * `data` of an error response with one reason: `reason` and `httpStatus` fixed, `details` typed by
 * the errors behind the reason (more than one for INVALID_INPUT: zod's issues, or the service's).
 */
function errorDataSchema(reason: ErrorReason, errors: readonly ProcedureError[]): Schema {
  const details = errors.map((error) => jsonSchema(error.details, "output"));
  const fromZod = errors.some((error) => !("prototype" in error) && error.reason === "INVALID_INPUT");
  return {
    type: "object",
    required: ["reason", "details", "issues", "httpStatus"],
    properties: {
      reason: { type: "string", const: reason, description: "Stable and machine-readable: branch on this" },
      details: details.length === 1 ? details[0] : { anyOf: details },
      issues: fromZod
        ? {
            anyOf: [{ type: "array", items: ref("Issue") }, { type: "null" }],
            description: "What is wrong with the input",
          }
        : { type: "null" },
      httpStatus: { type: "integer", const: httpStatusOfReason(reason) },
      code: { type: "string", description: "The tRPC error code" },
      path: { type: "string", description: "The procedure" },
    },
  };
}

/** The error responses of one operation, by status, from its procedure's errors. */
function errorResponses(errors: readonly ProcedureError[], components: Record<string, Schema>) {
  const byReason = new Map<ErrorReason, ProcedureError[]>();
  for (const error of errors) {
    const reason = error.reason as ErrorReason;
    byReason.set(reason, [...(byReason.get(reason) ?? []), error]);
  }
  const byStatus = new Map<number, { reason: ErrorReason; component: string }[]>();
  for (const [reason, causes] of byReason) {
    const component = `ErrorData.${causes.map(errorName).sort().join(".")}`;
    components[component] ??= errorDataSchema(reason, causes);
    const status = httpStatusOfReason(reason);
    byStatus.set(status, [...(byStatus.get(status) ?? []), { reason, component }]);
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, reasons]) => {
        const data =
          reasons.length === 1
            ? ref(reasons[0]?.component ?? "")
            : {
                oneOf: reasons.map(({ component }) => ref(component)),
                discriminator: {
                  propertyName: "reason",
                  mapping: Object.fromEntries(
                    reasons.map(({ reason, component }) => [reason, `#/components/schemas/${component}`]),
                  ),
                },
              };
        const schema = {
          type: "object",
          required: ["message", "code", "data"],
          properties: {
            message: { type: "string" },
            code: { type: "string", description: "The tRPC error code, e.g. CONFLICT" },
            data,
            ...(status === 400
              ? { issues: { type: "array", items: ref("Issue"), description: "zod's issues, in full" } }
              : {}),
          },
        };
        const headers =
          status === 429 ? RATE_LIMIT_HEADERS : status === 503 ? { "Retry-After": RETRY_AFTER } : undefined;
        return [
          String(status),
          {
            description: reasons.map(({ reason }) => reason).join(", "),
            ...(headers ? { headers } : {}),
            content: { "application/json": { schema } },
          },
        ];
      }),
  );
}

/** zod's bounds of a plain `int()`, which say nothing a client needs (JavaScript's safe integers). */
const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);
function dropSafeIntegerBounds(value: unknown): void {
  if (Array.isArray(value)) for (const item of value) dropSafeIntegerBounds(item);
  else if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of ["minimum", "maximum"]) {
      if (SAFE_INTEGER_BOUNDS.has(record[key] as number)) delete record[key];
    }
    for (const child of Object.values(record)) dropSafeIntegerBounds(child);
  }
}

/** The OpenAPI 3.1 document of the REST surface, served at /openapi.json. */
export function createOpenApiDocument(baseUrl: string): OpenAPIObject {
  const document = generateOpenApiDocument(restRouter, {
    title: "EventForge",
    description:
      "Event seats with time-boxed holds. The same procedures as the tRPC API at /trpc, as plain JSON: " +
      "snake_case fields, dates as ISO-8601 strings with an offset, `Authorization: Bearer <access_token>` " +
      "from POST /auth/login. Every error carries a stable `data.reason`; each operation lists the " +
      "reasons it can answer with and the `data.details` of each.",
    version: "1.0.0",
    baseUrl,
    securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
  });
  document.info.license = { name: "MIT", identifier: "MIT" };
  const components: Record<string, Schema> = { Issue: ISSUE_SCHEMA };
  // The generator's error responses say only the status; each operation's own errors, from
  // PROCEDURE_ERRORS, replace them, and its security follows from who may call it.
  const procedures = restRouter._def.procedures as unknown as Record<string, AnyProcedure>;
  for (const [path, procedure] of Object.entries(procedures)) {
    const meta = procedure._def.meta as ProcedureMeta | undefined;
    const route = meta?.openapi;
    if (!route) continue;
    const declared = PROCEDURE_ERRORS[path as ProcedurePath];
    if (!declared) throw new Error(`procedure ${path} has no entry in PROCEDURE_ERRORS`);
    const method = route.method.toLowerCase() as "get" | "post" | "patch" | "put" | "delete";
    const operation = document.paths?.[normalizePath(route.path)]?.[method];
    if (!operation) throw new Error(`the document lacks ${route.method} ${route.path}`);
    operation.security = declared.kind.access === "anyone" ? [] : [{ bearer: [] }];
    if (meta.restBody) {
      // The forms of a REST body exclude each other (strict objects, different required fields).
      const { anyOf, ...body } = jsonSchema(meta.restBody, "input");
      const schema = anyOf ? { ...body, oneOf: anyOf } : body;
      operation.requestBody = {
        required: true,
        content: { "application/json": { schema: schema as never } },
      };
    }
    const successes = Object.entries(operation.responses ?? {}).filter(([status]) => status.startsWith("2"));
    operation.responses = {
      ...Object.fromEntries(successes),
      ...errorResponses(declared.errors, components),
    };
  }
  document.paths = {
    ...document.paths,
    [AVAILABILITY_EVENTS_ROUTE]: availabilityEventsOperation(
      errorResponses(PROCEDURE_ERRORS["availability.watch"].errors, components),
    ),
  };
  const schemas = document.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) if (name.startsWith("error.")) delete schemas[name];
  Object.assign(schemas, components);
  dropSafeIntegerBounds(document);
  return document;
}

/** The live stream, served beside the REST adapter (it has no streams) by the server itself. */
export const AVAILABILITY_EVENTS_ROUTE = "/shows/{show_id}/availability/events";

function availabilityEventsOperation(
  errors: ReturnType<typeof errorResponses>,
): NonNullable<OpenAPIObject["paths"]>[string] {
  return {
    get: {
      operationId: "availability-events",
      summary: "The show's seat changes as they happen (Server-Sent Events)",
      description:
        "`text/event-stream`: per change `id: <event_id>`, `event: seat`, `data: {event_id, seat_id, " +
        "seat_number, status, hold_expiry, at}` (status: what the seat now is; dates ISO-8601), in " +
        "event id order. Resumes after `Last-Event-ID` (what EventSource sends on reconnect) or " +
        "`last_event_id` (e.g. an availability snapshot's): no change missed, none repeated; without " +
        "either, from now. A comment line at least every 15 s keeps it open. A client that falls " +
        "too far behind gets `event: error` (reason WATCHER_TOO_SLOW) and the stream ends.",
      tags: ["shows"],
      security: [],
      parameters: [
        { name: "show_id", in: "path", required: true, schema: { type: "integer", minimum: 1 } },
        {
          name: "last_event_id",
          in: "query",
          required: false,
          schema: { type: "integer", minimum: 1 },
          description: "Resume after this event",
        },
        {
          name: "Last-Event-ID",
          in: "header",
          required: false,
          schema: { type: "string", pattern: "^[1-9][0-9]*$" },
          description: "Resume after this event (takes precedence over last_event_id)",
        },
      ],
      responses: {
        200: {
          description: "The event stream",
          content: {
            "text/event-stream": {
              schema: { type: "string" },
              example:
                'id: 42\nevent: seat\ndata: {"event_id":42,"seat_id":7,"seat_number":"A7","status":"HELD",' +
                '"hold_expiry":"2026-12-01T20:10:00.000Z","at":"2026-12-01T20:00:00.000Z"}\n\n',
            },
          },
        },
        ...errors,
      },
    },
  };
}
