// Each entry of PROCEDURE_ERRORS against the code: the errors its resolver's services can throw
// (found by reading the source: every `new XError` of a domain error class in the resolver and in
// the domain functions it calls, transitively) and its kind (the procedure it builds on, its input,
// its type, a rate limit in its resolver). A service that starts throwing a new error, or a
// procedure that changes its access, fails here until its entry says so.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AnyProcedure } from "@trpc/server";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { createOpenApiDocument } from "./openapi.js";
import { PROCEDURE_ERRORS, type ProcedureKind } from "./procedure-errors.js";
import type { ProcedureMeta } from "./rest.js";
import { appRouter, restRouter } from "./root.js";

const apiSource = dirname(fileURLToPath(import.meta.url));
const domainSource = join(apiSource, "../../domain/src");

const sourcesIn = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
    .map((name) => {
      const path = join(dir, name);
      return ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
    });

const domainFiles = sourcesIn(domainSource);
const routerFiles = [...sourcesIn(join(apiSource, "routers")), ...sourcesIn(apiSource)];

/** The domain error classes: every class of errors.ts that extends another. */
const errorClasses = new Set(
  domainFiles
    .filter((file) => file.fileName.endsWith("/errors.ts"))
    .flatMap((file) => file.statements.filter(ts.isClassDeclaration))
    .filter((declaration) => declaration.heritageClauses !== undefined)
    .map((declaration) => declaration.name?.text ?? ""),
);

/** Top-level functions of the domain by name, preferring the caller's own file. */
function functionsOf(file: ts.SourceFile) {
  const functions = new Map<string, ts.Node>();
  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name && statement.body) {
      functions.set(statement.name.text, statement.body);
    }
  }
  return functions;
}
const functionsByFile = new Map(domainFiles.map((file) => [file.fileName, functionsOf(file)]));
// The api's idempotency helper (`idempotently`), which resolvers wrap their service in, is followed
// too: the errors of an Idempotency-Key are the procedure's own. (The api's error mapping is not:
// what it raises is declared around every procedure.)
const apiHelpers = sourcesIn(apiSource).filter((file) => file.fileName.endsWith("/idempotency.ts"));
const exportedDomainFunctions = new Map(
  [...functionsByFile.values(), ...apiHelpers.map(functionsOf)].flatMap((functions) => [...functions]),
);

/** Every domain error class that code can throw, following calls into domain functions. */
function thrownBy(node: ts.Node, seen = new Set<ts.Node>()): Set<string> {
  const thrown = new Set<string>();
  const visit = (child: ts.Node) => {
    if (ts.isNewExpression(child) && ts.isIdentifier(child.expression)) {
      if (errorClasses.has(child.expression.text)) thrown.add(child.expression.text);
    }
    // A function called, or passed to be called (`labels.map(normalizeSeatLabel)`).
    if (ts.isCallExpression(child)) {
      for (const used of [child.expression, ...child.arguments].filter(ts.isIdentifier)) {
        const sameFile = functionsByFile.get(child.getSourceFile().fileName)?.get(used.text);
        const callee = sameFile ?? exportedDomainFunctions.get(used.text);
        if (callee && !seen.has(callee)) {
          seen.add(callee);
          for (const error of thrownBy(callee, seen)) thrown.add(error);
        }
      }
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return thrown;
}

/** The calls of a procedure chain, innermost (the base procedure) first. */
function chainOf(expression: ts.Expression): { base: string; calls: Map<string, ts.CallExpression> } {
  const calls = new Map<string, ts.CallExpression>();
  let node: ts.Expression = expression;
  while (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    calls.set(node.expression.name.text, node);
    node = node.expression.expression;
  }
  return { base: ts.isIdentifier(node) ? node.text : "", calls };
}

const isProcedureChain = (expression: ts.Expression) => {
  const { calls } = chainOf(expression);
  return calls.has("mutation") || calls.has("query") || calls.has("subscription");
};

/** Variables of the api's source files initialized with a router({...}) or a procedure chain. */
const variables = new Map<string, ts.Expression>();
for (const file of routerFiles) {
  for (const statement of file.statements.filter(ts.isVariableStatement)) {
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.initializer) {
        variables.set(declaration.name.text, declaration.initializer);
      }
    }
  }
}

/** Every procedure reachable from an expression, by its dotted path. */
function proceduresOf(expression: ts.Expression, prefix: string, into: Map<string, ts.Expression>) {
  if (ts.isIdentifier(expression)) {
    const value = variables.get(expression.text);
    if (value) proceduresOf(value, prefix, into);
  } else if (isProcedureChain(expression)) {
    into.set(prefix, expression);
  } else if (ts.isCallExpression(expression)) {
    for (const argument of expression.arguments) proceduresOf(argument, prefix, into);
  } else if (ts.isObjectLiteralExpression(expression)) {
    for (const property of expression.properties) {
      if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name)) {
        const path = prefix ? `${prefix}.${property.name.text}` : property.name.text;
        proceduresOf(property.initializer, path, into);
      }
    }
  }
  return into;
}

const sourceProcedures = new Map<string, ts.Expression>();
for (const name of ["appRouter", "restRouter"]) {
  const initializer = variables.get(name);
  if (initializer) proceduresOf(initializer, "", sourceProcedures);
}

const ACCESS_BY_BASE: Record<string, ProcedureKind["access"]> = {
  publicProcedure: "anyone",
  signedInProcedure: "signed-in",
  holdRateLimitedProcedure: "signed-in",
  adminProcedure: "admin",
};

const runtimePaths = [
  ...new Set([...Object.keys(appRouter._def.procedures), ...Object.keys(restRouter._def.procedures)]),
].sort();

describe("PROCEDURE_ERRORS", () => {
  it("has an entry for every procedure of the tRPC router and the REST surface, and no other", () => {
    expect(Object.keys(PROCEDURE_ERRORS).sort()).toEqual(runtimePaths);
    expect([...sourceProcedures.keys()].sort()).toEqual(runtimePaths);
  });

  it.each(runtimePaths)("%s: its service's errors are exactly those its resolver can throw", (path) => {
    const chain = chainOf(sourceProcedures.get(path) as ts.Expression);
    const resolver = (chain.calls.get("mutation") ??
      chain.calls.get("query") ??
      chain.calls.get("subscription")) as ts.CallExpression;
    const entry = PROCEDURE_ERRORS[path as keyof typeof PROCEDURE_ERRORS];
    const declared = entry.service.map((error) => error.name).sort();
    expect(declared).toEqual([...thrownBy(resolver)].sort());
    // Each reason once: a class listed twice would document one reason twice.
    expect(new Set(declared).size).toBe(declared.length);
  });

  it.each(runtimePaths)("%s: its kind is the procedure's", (path) => {
    const chain = chainOf(sourceProcedures.get(path) as ts.Expression);
    const resolver =
      chain.calls.get("mutation") ?? chain.calls.get("query") ?? chain.calls.get("subscription");
    const consumesRateLimit = resolver?.getText().includes(".consume(") ?? false;
    expect(PROCEDURE_ERRORS[path as keyof typeof PROCEDURE_ERRORS].kind).toEqual({
      access: ACCESS_BY_BASE[chain.base],
      input: chain.calls.has("input"),
      throttled: chain.base === "holdRateLimitedProcedure" || consumesRateLimit,
      mutation: chain.calls.has("mutation"),
    });
  });

  it("finds errors through helpers and other domain files (the analysis is not vacuous)", () => {
    // seats.list → listSeats → getShow (shows.ts) → ShowNotFoundError.
    expect(PROCEDURE_ERRORS["seats.list"].service.map((error) => error.name)).toEqual(["ShowNotFoundError"]);
    expect(PROCEDURE_ERRORS["reservations.hold"].errors.map((error) => error.reason)).not.toContain(
      "SHOW_NOT_FOUND",
    );
  });
});

describe("the OpenAPI document", () => {
  const document = createOpenApiDocument("/") as unknown as {
    paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
  };
  const procedures = restRouter._def.procedures as unknown as Record<string, AnyProcedure>;
  const restPaths = Object.entries(procedures).flatMap(([path, procedure]) => {
    const route = (procedure._def.meta as ProcedureMeta | undefined)?.openapi;
    return route ? [[path, route.method.toLowerCase(), route.path.replace(/\/$/u, "")] as const] : [];
  });

  it.each(restPaths)("%s (%s %s) documents exactly the reasons of its entry", (path, method, route) => {
    const responses = document.paths[route]?.[method]?.responses ?? {};
    const documented = Object.entries(responses)
      .filter(([status]) => !status.startsWith("2"))
      .flatMap(([, response]) => response.description.split(", "));
    const reasons = PROCEDURE_ERRORS[path as keyof typeof PROCEDURE_ERRORS].errors.map(
      (error) => error.reason,
    );
    expect(documented.sort()).toEqual([...new Set(reasons)].sort());
  });
});
