import { InvalidSeatLabelError } from "./errors.js";
import { spellSeatLabel } from "./shared-rules.js";

const SEAT_LABEL_MAX_LENGTH = 32;

/**
 * A seat label in its one spelling (spellSeatLabel: `" c5 "` → `"C5"`). Throws
 * InvalidSeatLabelError when the result is empty, longer than 32 characters, or has a
 * non-printable character.
 */
export function normalizeSeatLabel(raw: string): string {
  const label = spellSeatLabel(raw);
  if (label.length === 0) throw new InvalidSeatLabelError(raw, "empty");
  // More code points than UTF-16 units is impossible, so only a long string needs counting.
  if (label.length > SEAT_LABEL_MAX_LENGTH && [...label].length > SEAT_LABEL_MAX_LENGTH) {
    throw new InvalidSeatLabelError(raw, `longer than ${SEAT_LABEL_MAX_LENGTH} characters`);
  }
  // Control, format, surrogate, unassigned and private-use code points are not printable.
  if (/\p{C}/u.test(label)) throw new InvalidSeatLabelError(raw, "contains a non-printable character");
  return label;
}

/** Labels that occur more than once in the batch, each named once, in natural order. */
export function findRepeatedLabels(labels: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const label of labels) {
    if (seen.has(label)) repeated.add(label);
    seen.add(label);
  }
  return sortSeatLabels([...repeated]);
}

/**
 * A key whose byte-wise order is the natural order of labels: each run of digits is written as
 * its length (two digits) followed by the digits without leading zeros, so A2 < A10 < B1.
 */
export function seatSortKey(label: string): string {
  return label.replace(/\d+/gu, (digits) => {
    const value = digits.replace(/^0+(?=\d)/u, "");
    return value.length.toString().padStart(2, "0") + value;
  });
}

/**
 * UTF-8 byte order, which is how PostgreSQL's "C" collation orders sort_key and seat_number. It is
 * code point order, computed on the UTF-16 units without encoding anything: units agree with
 * code points except that surrogates (code points above U+FFFF) must sort after U+E000–U+FFFF.
 */
export function compareByteOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x < 0xe000 ? x + 0x2000 : x - 0x800;
        y = y < 0xe000 ? y + 0x2000 : y - 0x800;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** The natural order of labels, the same as the database's `ORDER BY sort_key, seat_number`. */
export function compareSeatLabels(a: string, b: string): number {
  return compareByteOrder(seatSortKey(a), seatSortKey(b)) || compareByteOrder(a, b);
}

/** Labels in natural order, the order every list of seats is returned in. */
export function sortSeatLabels(labels: readonly string[]): string[] {
  return [...labels].sort(compareSeatLabels);
}
