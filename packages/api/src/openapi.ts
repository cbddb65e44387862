import type { AnyProcedure } from "@trpc/server";
import {
  generateOpenApiDocument,
  normalizePath,
  type OpenAPIObject,
  type OpenApiMeta,
} from "trpc-to-openapi";
import { z } from "zod";
import { ERROR_REASONS } from "./errors.js";
import { restRouter } from "./root.js";

/** The body of every REST error response (what the error formatter and the REST adapter produce). */
export const restErrorSchema = z
  .object({
    message: z.string().meta({ example: "seat A1 is held until 2026-11-24T12:04:00.000Z" }),
    code: z.string().meta({ description: "The tRPC error code", example: "CONFLICT" }),
    data: z.object({
      reason: z.enum(ERROR_REASONS).meta({ description: "Stable and machine-readable: branch on this" }),
      details: z
        .record(z.string(), z.unknown())
        .nullable()
        .meta({ description: "Facts about the failure, e.g. the labels of a DUPLICATE_SEAT_LABEL" }),
      issues: z
        .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
        .nullable()
        .meta({ description: "What is wrong with the input (INVALID_INPUT)" }),
      httpStatus: z.number().int(),
    }),
  })
  .meta({ id: "Error" });

const ERROR_CONTENT = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };

/** The OpenAPI 3.1 document of the REST surface, served at /openapi.json. */
export function createOpenApiDocument(baseUrl: string): OpenAPIObject {
  const document = generateOpenApiDocument(restRouter, {
    title: "EventForge",
    description:
      "Event seats with time-boxed holds. The same procedures as the tRPC API at /trpc, as plain JSON: " +
      "snake_case fields, dates as ISO-8601 strings with an offset, `Authorization: Bearer <access_token>` " +
      "from POST /auth/login. Every error carries a stable `data.reason`.",
    version: "1.0.0",
    baseUrl,
    securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    defs: { Error: restErrorSchema },
  });
  // The generator gives error responses its own minimal body and shares one description per status
  // across routes; each route's own reasons (from restRoute) and the body with `data.reason` replace them.
  for (const procedure of Object.values(restRouter._def.procedures) as unknown as AnyProcedure[]) {
    const route = (procedure._def.meta as OpenApiMeta | undefined)?.openapi;
    const method = route && (route.method.toLowerCase() as "get" | "post" | "patch" | "put" | "delete");
    const operation = route && method && document.paths?.[normalizePath(route.path)]?.[method];
    if (!route || !operation) continue;
    for (const [status, description] of Object.entries(route.errorResponses ?? {})) {
      operation.responses = { ...operation.responses, [status]: { description, content: ERROR_CONTENT } };
    }
  }
  document.paths = { ...document.paths, [AVAILABILITY_EVENTS_ROUTE]: availabilityEventsOperation() };
  const schemas = document.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) if (name.startsWith("error.")) delete schemas[name];
  return document;
}

/** The live stream, served beside the REST adapter (it has no streams) by the server itself. */
export const AVAILABILITY_EVENTS_ROUTE = "/shows/{show_id}/availability/events";

function availabilityEventsOperation(): NonNullable<OpenAPIObject["paths"]>[string] {
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
        400: { description: "INVALID_INPUT", content: ERROR_CONTENT },
        404: { description: "SHOW_NOT_FOUND", content: ERROR_CONTENT },
        503: { description: "DATABASE_UNAVAILABLE", content: ERROR_CONTENT },
      },
    },
  };
}
