import { homedir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { readEnvironment } from "./config.js";

const terminal = { stdin: { isTTY: true }, stdout: { isTTY: true } };
const pipe: { stdin: { isTTY?: boolean }; stdout: { isTTY?: boolean } } = { stdin: {}, stdout: {} };

it("keeps the login under EVENTFORGE_CONFIG_DIR, else XDG_CONFIG_HOME, else ~/.config", () => {
  expect(readEnvironment({ EVENTFORGE_CONFIG_DIR: "/x", XDG_CONFIG_HOME: "/y" }, pipe).configDir).toBe("/x");
  expect(readEnvironment({ XDG_CONFIG_HOME: "/y" }, pipe).configDir).toBe("/y/eventforge");
  expect(readEnvironment({ XDG_CONFIG_HOME: " " }, pipe).configDir).toBe(
    join(homedir(), ".config", "eventforge"),
  );
});

it("colours a terminal unless NO_COLOR is set, and a pipe only with FORCE_COLOR", () => {
  const colour = (env: NodeJS.ProcessEnv, streams: typeof pipe = terminal) =>
    readEnvironment(env, streams).colour;
  expect(colour({})).toBe(true);
  expect(colour({ NO_COLOR: "1" })).toBe(false);
  expect(colour({ NO_COLOR: "" })).toBe(true);
  expect(colour({ TERM: "dumb" })).toBe(false);
  expect(colour({}, pipe)).toBe(false);
  expect(colour({ FORCE_COLOR: "1" }, pipe)).toBe(true);
  expect(colour({ FORCE_COLOR: "0" }, pipe)).toBe(false);
  expect(colour({ FORCE_COLOR: "1", NO_COLOR: "1" }, pipe)).toBe(false);
});

it("knows whether a person is at the terminal", () => {
  expect(readEnvironment({}, terminal)).toMatchObject({ interactiveOutput: true, interactiveInput: true });
  expect(readEnvironment({}, pipe)).toMatchObject({ interactiveOutput: false, interactiveInput: false });
});
