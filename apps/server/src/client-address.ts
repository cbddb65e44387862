import type { IncomingMessage } from "node:http";

/**
 * The client's address (docs/design.md, Abuse limits): the socket's, unless `trustedHops` proxies
 * stand in front of us. Each proxy appends the address it was connected from to X-Forwarded-For, so
 * with N trusted hops the client is the Nth entry from the right (the socket's peer being the
 * nearest proxy); entries further left were written by the client itself and prove nothing. With
 * fewer entries than hops, the leftmost one is the best there is.
 */
export function clientAddressOf(req: IncomingMessage, trustedHops: number): string | null {
  const socketAddress = req.socket.remoteAddress ?? null;
  if (trustedHops === 0) return socketAddress;
  const header = req.headers["x-forwarded-for"];
  const forwarded = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (forwarded.length === 0) return socketAddress;
  const address = forwarded[Math.max(0, forwarded.length - trustedHops)] ?? socketAddress;
  // A key for the limits, not something to trust further: bounded, whatever a client wrote.
  return address === null ? null : address.slice(0, 64);
}
