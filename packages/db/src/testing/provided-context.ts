// What the global setup hands every test file: where the run's PostgreSQL and template are.
declare module "vitest" {
  export interface ProvidedContext {
    eventforgePostgres: { adminUrl: string; templateDatabase: string; source: string };
  }
}

export {};
