/**
 * Error boundary for CLI entry points: runs `main`, and on failure prints one line
 * `error: <message>` on stderr (no stack trace) and exits with code 1.
 */

/**
 * Runs a CLI's async main function. Errors become `error: <message>` on stderr and exit code 1.
 * Set DEBUG_CLI=1 to print the stack trace as well.
 *
 * @example runCli(async () => { process.stdout.write('ok\n'); });
 */
export function runCli(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const raw = err instanceof Error ? err.message : String(err);
    const message = raw.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
    if (process.env.DEBUG_CLI && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.stderr.write(`error: ${message}\n`, () => process.exit(1));
  });
}
