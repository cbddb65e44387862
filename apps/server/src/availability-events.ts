import type { IncomingMessage, ServerResponse } from "node:http";
import { asDomainError, domainErrorResponse, MAX_ID, transportErrorBody } from "@eventforge/api";
import type { SeatChange } from "@eventforge/db";
import {
  DatabaseUnavailableError,
  type DomainError,
  type LiveFeed,
  watchAvailability,
} from "@eventforge/domain";
import type { Logger } from "pino";

/** `GET /shows/{show_id}/availability/events`: the REST event stream (docs/design.md, Live availability). */
export const AVAILABILITY_EVENTS_PATH = /^\/shows\/([^/]+)\/availability\/events\/?$/iu;

/** A comment line this often keeps proxies from closing an idle stream (the contract: ≤ 15 s). */
export const KEEP_ALIVE_INTERVAL_MS = 10_000;
/** What a browser's EventSource waits before it reconnects (with Last-Event-ID). */
const RECONNECT_MS = 1_000;

/**
 * Serves one event stream: `id: <event_id>`, `event: seat`, `data: <change as JSON>` per change,
 * resuming after `Last-Event-ID` (or `?last_event_id=`). Input is checked and the show looked up
 * before the 200, so a bad id is a 400 and an unknown show a 404 with the usual JSON error body.
 * Writes wait for the socket to drain; meanwhile the feed buffers for this watcher alone, and
 * drops it (`event: error`, reason WATCHER_TOO_SLOW) if it falls too far behind.
 */
export async function serveAvailabilityEvents(
  req: IncomingMessage,
  res: ServerResponse,
  showIdText: string,
  live: LiveFeed,
  logger: Logger,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const showId = parseId(showIdText, MAX_ID);
  if (showId === undefined) return sendInvalid(res, "show_id: expected a positive integer");
  const resumeText = headerValue(req.headers["last-event-id"]) ?? url.searchParams.get("last_event_id");
  const afterEventId =
    resumeText === null || resumeText === "" ? null : parseId(resumeText, Number.MAX_SAFE_INTEGER);
  if (afterEventId === undefined) return sendInvalid(res, "Last-Event-ID: expected an event id");

  const abort = new AbortController();
  res.once("close", () => abort.abort());
  let changes: AsyncIterable<SeatChange>;
  try {
    changes = await watchAvailability(live, showId, { afterEventId, signal: abort.signal });
  } catch (error) {
    const domainError = asDomainError(error);
    if (!domainError) throw error;
    return sendDomainError(res, domainError);
  }

  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    // Tells nginx-like proxies not to buffer the stream.
    "x-accel-buffering": "no",
  });
  res.write(`retry: ${RECONNECT_MS}\n: watching show ${showId}\n\n`);
  const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), KEEP_ALIVE_INTERVAL_MS);
  let corked = false;
  try {
    for await (const change of changes) {
      // The changes a fetch fans out arrive together: one socket write for all of them.
      if (!corked) {
        corked = true;
        res.cork();
        setImmediate(() => {
          corked = false;
          res.uncork();
        });
      }
      if (!res.write(messageOf(change))) await drained(res);
    }
  } catch (error) {
    // Said as an `error` event (e.g. WATCHER_TOO_SLOW), then the stream ends; the client resumes
    // by Last-Event-ID. Anything unexpected is logged and only ends the stream.
    const domainError = asDomainError(error);
    if (domainError) {
      res.write(`event: error\ndata: ${JSON.stringify(domainErrorResponse(domainError).body)}\n\n`);
    } else {
      logger.error({ err: error, showId }, "live event stream failed");
    }
  } finally {
    clearInterval(keepAlive);
    res.end();
  }
}

/** Every watcher of a show gets the same change objects: each is put into words once. */
const messages = new WeakMap<SeatChange, string>();

function messageOf(change: SeatChange): string {
  let message = messages.get(change);
  if (message === undefined) {
    message = `id: ${change.event_id}\nevent: seat\ndata: ${JSON.stringify(change)}\n\n`;
    messages.set(change, message);
  }
  return message;
}

function parseId(text: string, max: number): number | undefined {
  if (!/^[1-9]\d{0,15}$/u.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

function headerValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** Resolves when the socket takes more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

function sendInvalid(res: ServerResponse, message: string) {
  const { httpStatus, body } = transportErrorBody("BAD_REQUEST", `invalid input: ${message}`);
  sendJson(res, httpStatus, body, {});
}

function sendDomainError(res: ServerResponse, error: DomainError) {
  const { httpStatus, body } = domainErrorResponse(error);
  const headers: Record<string, string> =
    error instanceof DatabaseUnavailableError ? { "retry-after": String(error.retryAfterSeconds) } : {};
  sendJson(res, httpStatus, body, headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) {
  res.writeHead(status, { ...headers, "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
