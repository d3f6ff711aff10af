/**
 * Command-line option parsing shared by the CLI entry points: a thin layer over node:util parseArgs
 * with typed getters whose errors name the option, so `runCli` can print them as one line.
 */
import { parseArgs } from 'node:util';

/** Declared options: name (without --) -> kind. Every option is a single string or a flag. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** Parsed options by name; absent options are undefined. */
export type ParsedOptions = Record<string, string | boolean | undefined>;

/**
 * Parses `argv` (usually process.argv.slice(2)) strictly against `spec`: unknown options and
 * positional arguments throw an Error.
 *
 * @example parseCliArgs(['--pred', 'a.nii.gz'], { pred: { type: 'string' } }) // { pred: 'a.nii.gz' }
 */
export function parseCliArgs(argv: readonly string[], spec: OptionSpec): ParsedOptions {
  try {
    const { values } = parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false });
    return values as ParsedOptions;
  } catch (err) {
    // parseArgs' messages are good but can span lines ("... To specify a positional argument ...").
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(message.split('\n')[0]);
  }
}

/** The value of a string option that must be given, e.g. `--pred`. */
export function requiredString(options: ParsedOptions, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') throw new Error(`missing required option --${name}`);
  return value;
}

/** The value of a string option, or undefined when it is absent. */
export function optionalString(options: ParsedOptions, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

/** A finite number option (e.g. `--beta 1.5`), or `fallback` when it is absent. */
export function optionalNumber(options: ParsedOptions, name: string, fallback: number): number {
  const value = options[name];
  if (value === undefined) return fallback;
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number, got '${String(value)}'`);
  return parsed;
}

/** Whether a boolean flag (e.g. `--verbose`) was given. */
export function flag(options: ParsedOptions, name: string): boolean {
  return options[name] === true;
}
