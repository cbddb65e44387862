import picocolors from "picocolors";

export type Colors = ReturnType<typeof picocolors.createColors>;

/** Where a command's results go: human text, or with `--json` one JSON document and nothing else. */
export interface Output {
  json: boolean;
  colors: Colors;
  /** The command's result: JSON with `--json`, otherwise the human text. */
  result(value: unknown, human: () => string): void;
}

export function createOutput(options: { json: boolean; colour: boolean }): Output {
  const colors = picocolors.createColors(options.colour && !options.json);
  return {
    json: options.json,
    colors,
    result(value, human) {
      // Dates become ISO-8601 strings (Date#toJSON), as on the REST surface.
      process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
  };
}
