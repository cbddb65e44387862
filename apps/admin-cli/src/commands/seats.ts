import { readFile } from "node:fs/promises";
import {
  getErrorReason,
  MAX_SEATS_PER_REQUEST,
  type RouterOutputs,
  spellSeatLabel,
} from "@eventforge/client";
import type { Command } from "commander";
import { parseId, parseWholeNumber } from "../arguments.js";
import type { Environment } from "../config.js";
import { type CommandContext, withContext } from "../context.js";
import { CliFailure, duplicateLabelsLine, FailureWithNote, UsageError } from "../errors.js";
import { formatCount, plural, table } from "../format.js";
import {
  chunk,
  expandLabelArgument,
  findRepeats,
  grid,
  MAX_LABELS_PER_COMMAND,
  parseLabelsFile,
  parseNumbers,
  parseRows,
} from "../labels.js";

/** Seats per seats.add request: small bodies (tens of kB), steady progress, short row locks. */
const DEFAULT_CHUNK_SIZE = 2_000;

type Seat = RouterOutputs["seats"]["add"]["seats"][number];

interface AddOptions {
  rows?: string;
  numbers?: string;
  file?: string;
  skipExisting?: boolean;
  chunkSize: number;
}

export function registerSeatCommands(program: Command, env: Environment): void {
  const seats = program.command("seats").description("the seats of a show");

  seats
    .command("add")
    .description("add seats to a show (admin), all or nothing per chunk")
    .argument("<show-id>", "the show's id", parseId)
    .argument("[labels...]", "seat labels; a range such as A1-A30 stands for A1, A2, ..., A30")
    .option("--rows <rows>", "rows of a grid: A-Z, or A-H,J-N, or AA,AB")
    .option("--numbers <numbers>", "seat numbers in each row of the grid: 1-40, or 1-20,25-44")
    .option("--file <path>", "read labels from a file: one per line, or comma-separated (taken as written)")
    .option("--skip-existing", "leave out labels the show already has (to finish an import that stopped)")
    .option(
      "--chunk-size <n>",
      `seats per request, 1-${formatCount(MAX_SEATS_PER_REQUEST)}`,
      parseWholeNumber,
      DEFAULT_CHUNK_SIZE,
    )
    .addHelpText(
      "after",
      "\nExamples:\n  eventforge seats add 3 A1-A40 B1-B40\n  eventforge seats add 3 --rows A-Z --numbers 1-40\n  eventforge seats add 3 --file seats.csv",
    )
    .action((showId: number, labels: string[], options: AddOptions, command: Command) =>
      withContext(command, env, async (context) => {
        if (options.chunkSize < 1 || options.chunkSize > MAX_SEATS_PER_REQUEST) {
          throw new UsageError(`--chunk-size must be between 1 and ${formatCount(MAX_SEATS_PER_REQUEST)}`);
        }
        const wanted = await collectLabels(labels, options);
        context.requireLogin();
        await addSeats(context, showId, wanted, options);
      }),
    );

  seats
    .command("list")
    .description("every seat of a show in natural order (A2 before A10)")
    .argument("<show-id>", "the show's id", parseId)
    .action((showId: number, _options: unknown, command: Command) =>
      withContext(command, env, async ({ client, out }) => {
        const { seats: all } = await client.seats.list.query({ show_id: showId });
        out.result({ seats: all }, () =>
          all.length === 0
            ? `show ${showId} has no seats yet`
            : table([["ID", "SEAT"], ...all.map((seat) => [String(seat.id), seat.seat_number])]),
        );
      }),
    );
}

/** Labels from the arguments, the grid and the file, in that order; repeats are refused before anything is sent. */
async function collectLabels(written: readonly string[], options: AddOptions): Promise<string[]> {
  if ((options.rows === undefined) !== (options.numbers === undefined)) {
    throw new UsageError("--rows and --numbers go together: --rows A-Z --numbers 1-40");
  }
  const fromGrid =
    options.rows !== undefined && options.numbers !== undefined
      ? grid(parseRows(options.rows), parseNumbers(options.numbers))
      : [];
  const fromFile = options.file !== undefined ? parseLabelsFile(await readLabelsFile(options.file)) : [];
  // concat, not push(...): a spread of a stadium's labels would overflow the call stack.
  const labels = written.flatMap(expandLabelArgument).concat(fromGrid, fromFile);
  if (labels.length === 0) throw new UsageError("no seats given: name labels, a range, a grid or a --file");
  if (labels.length > MAX_LABELS_PER_COMMAND) {
    throw new UsageError(`more than ${formatCount(MAX_LABELS_PER_COMMAND)} seats in one command`);
  }
  const repeats = findRepeats(labels);
  if (repeats.length > 0) {
    throw new CliFailure(
      "DUPLICATE_SEAT_LABEL",
      `${duplicateLabelsLine({ repeated: repeats })}; nothing was added`,
    );
  }
  return labels;
}

async function readLabelsFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new CliFailure(
      "FILE_UNREADABLE",
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
}

async function addSeats(
  { client, out, env }: CommandContext,
  showId: number,
  wanted: readonly string[],
  options: AddOptions,
): Promise<void> {
  let labels = wanted;
  if (options.skipExisting) {
    const { seats: existing } = await client.seats.list.query({ show_id: showId });
    const present = new Set(existing.map((seat) => seat.seat_number));
    labels = wanted.filter((label) => !present.has(spellSeatLabel(label)));
  }
  const skipped = wanted.length - labels.length;
  const chunks = chunk(labels, options.chunkSize);
  // A bar is for a person watching: not in a pipe, a log or a script reading --json. The library is
  // loaded only then, to keep every other command's start-up short.
  const bar =
    env.interactiveOutput && !out.json && chunks.length > 1
      ? new (await import("cli-progress")).SingleBar({
          format: "adding seats {bar} {value} of {total}",
          formatValue: (value: number) => formatCount(value),
          hideCursor: true,
          clearOnComplete: true,
        })
      : undefined;
  bar?.start(labels.length, 0);
  const added: Seat[] = [];
  try {
    for (const [index, labelsOfChunk] of chunks.entries()) {
      try {
        const { seats } = await client.seats.add.mutate({ show_id: showId, seat_numbers: labelsOfChunk });
        added.push(...seats);
        bar?.increment(labelsOfChunk.length);
        // Draw each finished chunk now: the bar's own 10-fps timer skips chunks that land within 100 ms.
        bar?.render();
      } catch (error) {
        const progress = {
          added: added.length,
          total: labels.length,
          failedIndex: index,
          chunks: chunks.length,
        };
        throw new FailureWithNote(error, stoppedNote(progress, getErrorReason(error) !== undefined));
      }
    }
  } finally {
    bar?.stop();
  }

  out.result({ show_id: showId, added: added.length, skipped, seats: added }, () => {
    const lines = [
      added.length === 0
        ? `nothing to add: all ${plural(wanted.length, "seat")} are already on show ${showId}`
        : `added ${plural(added.length, "seat")} to show ${showId}` +
          (chunks.length > 1
            ? ` in ${formatCount(chunks.length)} requests of up to ${formatCount(options.chunkSize)}`
            : ""),
    ];
    if (skipped > 0 && added.length > 0) lines.push(`skipped ${formatCount(skipped)} already on the show`);
    return lines.join("\n");
  });
}

/**
 * What an import that stopped left behind. Chunks before the failed one are in. The failed chunk added
 * nothing if the server answered; with no answer (unreachable, timed out) it may have been committed.
 */
export function stoppedNote(
  progress: { added: number; total: number; failedIndex: number; chunks: number },
  answered: boolean,
): string {
  const { added, total, failedIndex, chunks } = progress;
  const rerun = "run the same command with --skip-existing to add the rest";
  if (chunks === 1)
    return answered ? "nothing was added" : `the seats may or may not have been added: ${rerun}`;
  const failed = answered
    ? `chunk ${failedIndex + 1} of ${chunks} failed and added nothing`
    : `chunk ${failedIndex + 1} of ${chunks} got no answer and may or may not have been added`;
  const done =
    failedIndex === 0
      ? "no chunk was added before it"
      : `${failedIndex === 1 ? "chunk 1 was" : `chunks 1-${failedIndex} were`} added (${plural(added, "seat")})`;
  const missing = `${answered ? "not added" : "not added for sure"}: ${formatCount(total - added)} of ${formatCount(total)} seats`;
  const advice = added > 0 || !answered ? `: fix the cause and ${rerun}` : "";
  return `${failed}; ${done}; ${missing}${advice}`;
}
