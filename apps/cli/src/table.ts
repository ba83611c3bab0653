// Aligned plain-text tables for human output: a header row, padded columns, numbers right-aligned,
// '-' where a value is missing; on a colour terminal a bold header and toned cells (colour is added
// after padding, so alignment never counts escape codes).
import { plain, type Style } from './color';

export type Cell = string | number | null | undefined;

/** How a cell reads at a glance: green, red or yellow on a colour terminal. */
export type Tone = 'good' | 'bad' | 'warn' | null;

export interface Column<Row> {
  header: string;
  value: (row: Row) => Cell;
  /** Defaults to right for columns whose values are all numbers, left otherwise. */
  align?: 'left' | 'right';
  tone?: (row: Row) => Tone;
}

/** What a formatter may be given besides its rows: colour, and names for the ids it would show. */
export interface TableView {
  style?: Style;
  /** A consumer's name for its id (the id itself when unknown). */
  consumerName?: (consumerId: string) => string;
}

const MISSING = '-';
const GAP = '  ';

export function consumerLabel(view: TableView, consumerId: string): string {
  return view.consumerName?.(consumerId) ?? consumerId;
}

export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[], view: TableView = {}): string {
  const style = view.style ?? plain;
  const raw = rows.map((row) => columns.map((column) => column.value(row)));
  const cells = raw.map((values) => values.map((value) => (value === null || value === undefined || value === '' ? MISSING : String(value))));
  const isNumberColumn = (index: number) => raw.some((values) => typeof values[index] === 'number') && raw.every((values) => typeof values[index] === 'number' || values[index] == null);
  const aligns = columns.map((column, index) => column.align ?? (isNumberColumn(index) ? 'right' : 'left'));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((values) => values[index]!.length)));
  const pad = (value: string, index: number) => (aligns[index] === 'right' ? value.padStart(widths[index]!) : value.padEnd(widths[index]!));
  const paint = (text: string, tone: Tone) => (tone === 'good' ? style.green(text) : tone === 'bad' ? style.red(text) : tone === 'warn' ? style.yellow(text) : text);
  const header = style.bold(columns.map((column, index) => pad(column.header, index)).join(GAP).trimEnd());
  const body = cells.map((values, rowIndex) =>
    values
      .map((value, index) => {
        const padded = pad(value, index);
        // The last column is trimmed before painting, so no colour code trails the padding.
        const text = index === values.length - 1 ? padded.trimEnd() : padded;
        return paint(text, columns[index]!.tone?.(rows[rowIndex]!) ?? null);
      })
      .join(GAP)
      .trimEnd(),
  );
  return [header, ...body].join('\n');
}
