/**
 * The one argument parser of every command (the CLI's, `idp`, `merge`, `diff`, and the scripts), on
 * `node:util` `parseArgs` (strict: an unknown flag is a usage error that names it, never silently
 * ignored). It sits in core/ so every layer's command can use it.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

export { UsageError };

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags and positionals of one command. */
export interface ParsedArgs<O extends OptionSpec> {
  values: {
    [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : O[K] extends { multiple: true } ? string[] : string;
  };
  positionals: string[];
}

/** Parses `argv` for `command` with `options` (plus `--help`/`-h`). Throws {@link UsageError}. */
export function parseCommandArgs<O extends OptionSpec>(
  command: string,
  argv: string[],
  options: O,
  maxPositionals: number,
): ParsedArgs<O> & { help: boolean } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(describeParseError(err), { command });
  }
  const values = parsed.values as Record<string, unknown>;
  const help = values.help === true;
  if (!help && parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).join(' ');
    throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`, { command });
  }
  delete values.help;
  return { values: values as ParsedArgs<O>['values'], positionals: parsed.positionals, help };
}

function describeParseError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const option = /'(-[^']*)'/.exec(message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option ? `option ${option.split(' ')[0]} needs a value` : message;
    default:
      return message;
  }
}

/** Parses an integer flag; `what` names the flag in the error. */
export function intFlag(
  value: string | undefined,
  what: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${what} must be an integer, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (range.min !== undefined && n < range.min) throw new UsageError(`${what} must be at least ${range.min}, got ${n}`);
  if (range.max !== undefined && n > range.max) throw new UsageError(`${what} must be at most ${range.max}, got ${n}`);
  return n;
}

/** Splits repeatable, comma-separated list flags (`--only a,b --only c`). */
export function listFlag(value: string[] | string | undefined): string[] {
  const all = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return all
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/**
 * Parses a flag whose value is one of `choices`; `undefined` when the flag was not given (so a
 * default from a file can apply). An unknown value is a usage error that lists the valid ones.
 */
export function choiceFlag<C extends string>(
  value: string | undefined,
  what: string,
  choices: readonly C[],
): C | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!(choices as readonly string[]).includes(v)) {
    throw new UsageError(`${what}: unknown value ${JSON.stringify(value)} (valid: ${choices.join(', ')})`);
  }
  return v as C;
}
