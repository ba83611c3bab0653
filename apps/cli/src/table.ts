// Aligned plain-text tables for human output: a header row, padded columns, numbers right-aligned,
// '-' where a value is missing.
export type Cell = string | number | null | undefined;

export interface Column<Row> {
  header: string;
  value: (row: Row) => Cell;
  /** Defaults to right for columns whose values are all numbers, left otherwise. */
  align?: 'left' | 'right';
}

const MISSING = '-';
const GAP = '  ';

export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const raw = rows.map((row) => columns.map((column) => column.value(row)));
  const cells = raw.map((values) => values.map((value) => (value === null || value === undefined || value === '' ? MISSING : String(value))));
  const isNumberColumn = (index: number) => raw.some((values) => typeof values[index] === 'number') && raw.every((values) => typeof values[index] === 'number' || values[index] == null);
  const aligns = columns.map((column, index) => column.align ?? (isNumberColumn(index) ? 'right' : 'left'));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((values) => values[index]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => (aligns[index] === 'right' ? value.padStart(widths[index]!) : value.padEnd(widths[index]!)))
      .join(GAP)
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n');
}
