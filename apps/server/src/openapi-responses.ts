import { type Document, OpenAPIBackend, SetMatchType } from "openapi-backend";

/** A response as a test saw it. */
export interface SeenResponse {
  method: string;
  /** The request's path and query. */
  path: string;
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * Checks responses against an OpenAPI document with openapi-backend (Ajv over each operation's
 * documented response for the status, and its documented headers). For the REST tests.
 */
export async function createResponseValidator(document: object) {
  // quick: no check of the document itself (openapi-backend's checker knows OpenAPI 3.0 only; the
  // document is checked as 3.1 by @readme/openapi-parser and Redocly elsewhere).
  const api = new OpenAPIBackend({ definition: structuredClone(document) as Document, quick: true });
  await api.init();
  let validated = 0;
  return {
    /** How many responses were checked against an operation of the document. */
    get validated() {
      return validated;
    },
    /**
     * What is wrong with a response by the document ([] if nothing), or null when its request
     * is no operation of the document (an unknown path or method).
     */
    problemsOf(response: SeenResponse): string[] | null {
      const url = new URL(response.path, "http://localhost");
      const operation = api.matchOperation({
        method: response.method.toLowerCase(),
        path: url.pathname,
        query: url.search.slice(1),
        headers: {},
      });
      if (!operation) return null;
      validated++;
      const where = `${response.method} ${response.path} → ${response.status} (${operation.operationId})`;
      const documented = operation.responses?.[String(response.status)];
      if (!documented) return [`${where}: status ${response.status} is not documented`];
      const problems: string[] = [];
      const contentType = response.headers.get("content-type") ?? "";
      if (!contentType.startsWith("application/json")) problems.push(`${where}: content type ${contentType}`);
      const body = api.validateResponse(response.body, operation, response.status);
      for (const error of body.errors ?? []) {
        problems.push(`${where}: body${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`);
      }
      const headers = api.validateResponseHeaders(Object.fromEntries(response.headers), operation, {
        statusCode: response.status,
        setMatchType: SetMatchType.Superset,
      });
      for (const error of headers.errors ?? []) {
        problems.push(`${where}: headers${error.instancePath} ${error.message}`);
      }
      return problems;
    },
  };
}
