import { InvalidArgumentError } from "commander";
import { expect, it } from "vitest";
import { parseDateTime, parseId, parseSeatStatus, parseWholeNumber } from "./arguments.js";

it("ids are positive whole numbers that fit the database", () => {
  expect(parseId("42")).toBe(42);
  expect(parseId("2147483647")).toBe(2_147_483_647);
  for (const bad of ["0", "-1", "1.5", "abc", "", "2147483648"]) {
    expect(() => parseId(bad), bad).toThrow(InvalidArgumentError);
  }
  expect(parseWholeNumber("0")).toBe(0);
  expect(() => parseWholeNumber("ten")).toThrow(InvalidArgumentError);
});

it("dates are ISO-8601 date-times, local without an offset", () => {
  expect(parseDateTime("2030-05-01T20:00+02:00").toISOString()).toBe("2030-05-01T18:00:00.000Z");
  expect(parseDateTime("2030-05-01T20:00:30Z").toISOString()).toBe("2030-05-01T20:00:30.000Z");
  expect(parseDateTime("2030-05-01 20:00").getTime()).toBe(new Date(2030, 4, 1, 20, 0).getTime());
  for (const bad of ["tomorrow", "2030-05-01", "2030-13-01T20:00Z", "20:00"]) {
    expect(() => parseDateTime(bad), bad).toThrow(/expected a date and time such as/u);
  }
});

it("statuses are the seat map's, in any case", () => {
  expect(parseSeatStatus("held")).toBe("HELD");
  expect(parseSeatStatus("Confirmed")).toBe("CONFIRMED");
  expect(() => parseSeatStatus("SOLD")).toThrow("expected one of AVAILABLE, HELD, CONFIRMED");
});
