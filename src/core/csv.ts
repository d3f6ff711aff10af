/** CSV cells for the exports (app) and the CLI's summaries. */

/** A CSV cell: the value as text, quoted (quotes doubled) when it holds a comma, quote or newline; undefined is empty. */
export function csvCell(value: string | number | undefined): string {
  const text = value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
