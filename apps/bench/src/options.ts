/** How big and how long: the full run, or `--quick` (a smoke test for CI). */
export interface Scale {
  name: "full" | "quick";
  seats: number;
  users: number;
  /** Labels per seats.add call, as a CLI would send them (the server takes up to 10,000). */
  seatsPerCall: number;
  concurrency: number;
  /** Each of no-op, hold and raw hold runs this long, after a warm-up. */
  throughputMs: number;
  warmupMs: number;
  /** The phases compared with each other run interleaved in this many rounds. */
  rounds: number;
  contentionSeats: number;
  contendersPerSeat: number;
  confirms: number;
  /** Share of the show held or confirmed when its availability is read. */
  activeShare: number;
  availabilityRuns: number;
  /** The live scenario: watchers of one show, changes made, seats per commit, commits at once. */
  liveWatchers: number;
  liveChanges: number;
  liveBatch: number;
  liveWriters: number;
  liveCommitsPerSecond: number;
}

export const FULL: Scale = {
  name: "full",
  seats: 100_000,
  users: 1_000,
  seatsPerCall: 5_000,
  concurrency: 64,
  throughputMs: 8_000,
  warmupMs: 1_500,
  rounds: 4,
  contentionSeats: 100,
  contendersPerSeat: 10,
  confirms: 10_000,
  activeShare: 0.4,
  availabilityRuns: 3,
  liveWatchers: 1_000,
  liveChanges: 1_000,
  liveBatch: 5,
  liveWriters: 2,
  liveCommitsPerSecond: 10,
};

export const QUICK: Scale = {
  name: "quick",
  seats: 5_000,
  users: 100,
  seatsPerCall: 1_000,
  concurrency: 16,
  throughputMs: 1_000,
  warmupMs: 300,
  rounds: 2,
  contentionSeats: 10,
  contendersPerSeat: 10,
  confirms: 500,
  activeShare: 0.4,
  availabilityRuns: 2,
  liveWatchers: 100,
  liveChanges: 300,
  liveBatch: 5,
  liveWriters: 2,
  liveCommitsPerSecond: 20,
};

export interface Options {
  scale: Scale;
  /** Where the JSON results go. */
  out: string;
  /** Directory for a V8 CPU profile of the server (`node --cpu-prof`), or undefined. */
  profileDir: string | undefined;
  /** Scenarios to run (bulk seats always runs: it seeds the others); undefined for all. */
  only: Set<ScenarioName> | undefined;
  help: boolean;
}

export const SCENARIOS = ["holds", "idempotency", "contention", "confirm", "availability", "live"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const USAGE = `usage: pnpm bench [--quick] [--out FILE] [--profile DIR] [--only LIST]

  --quick        everything scaled down (5,000 seats, 100 users, 1 s phases, 100 watchers): a smoke test
  --out FILE     write the JSON results there (default apps/bench/results/latest.json)
  --profile DIR  run the server under node --cpu-prof and write its profile to DIR
  --only LIST    only these of holds,idempotency,contention,confirm,availability,live (bulk seats always runs)

  DATABASE_URL   use this PostgreSQL server (a scratch database is created and dropped)
                 instead of an embedded one in a temporary directory`;

export function parseOptions(argv: readonly string[], defaultOut: string): Options {
  const options: Options = {
    scale: FULL,
    out: defaultOut,
    profileDir: undefined,
    only: undefined,
    help: false,
  };
  const args = argv.filter((a) => a !== "--"); // `pnpm bench -- --quick` passes the separator through
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--quick") options.scale = QUICK;
    else if (arg === "--out") options.out = value();
    else if (arg === "--profile") options.profileDir = value();
    else if (arg === "--only") options.only = parseScenarios(value());
    else if (arg === "--help" || arg === "-h") options.help = true;
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return options;
}

function parseScenarios(list: string): Set<ScenarioName> {
  const names = list.split(",").map((n) => n.trim());
  const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`--only: unknown scenario ${unknown.join(", ")}`);
  return new Set(names as ScenarioName[]);
}
