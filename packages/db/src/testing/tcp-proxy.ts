import { createServer, type Server, Socket } from "node:net";

/**
 * A TCP proxy for fault tests: put it between a server and PostgreSQL, then cut or stall the
 * link for real (docs/design.md, Running: Faults) without touching the database server itself.
 */
export interface TcpProxy {
  /** The local port that forwards to the target. */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlThrough(url: string): string;
  /** Resets every open connection and every new one until `restore()`: the database is gone. */
  cut(): void;
  /** Keeps connections open but forwards nothing either way until `restore()`: it hangs. */
  stall(): void;
  /** Back to forwarding; stalled connections resume where they stopped. */
  restore(): void;
  /** Connections currently open through the proxy. */
  readonly openConnections: number;
  close(): Promise<void>;
}

type Mode = "forward" | "cut" | "stall";

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: Mode = "forward";
  const pairs = new Set<{ client: Socket; upstream: Socket }>();

  const server: Server = createServer((client) => {
    if (mode === "cut") {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    upstream.connect(target.port, target.host);
    client.pipe(upstream);
    upstream.pipe(client);
    if (mode === "stall") pause(pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no TCP address");

  function pause(pair: { client: Socket; upstream: Socket }) {
    pair.client.pause();
    pair.upstream.pause();
  }

  return {
    port: address.port,
    urlThrough(url) {
      const through = new URL(url);
      through.hostname = "127.0.0.1";
      through.port = String(address.port);
      return through.toString();
    },
    cut() {
      mode = "cut";
      for (const pair of pairs) {
        pair.client.resetAndDestroy();
        pair.upstream.destroy();
      }
      pairs.clear();
    },
    stall() {
      mode = "stall";
      for (const pair of pairs) pause(pair);
    },
    restore() {
      mode = "forward";
      for (const pair of pairs) {
        pair.client.resume();
        pair.upstream.resume();
      }
    },
    get openConnections() {
      return pairs.size;
    },
    close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
