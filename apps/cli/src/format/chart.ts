// A dependency-free horizontal bar chart for the terminal: one row per point, its label, a bar
// scaled to the largest value (in eighths of a cell) and its value, all fitted to a width.
export interface ChartPoint {
  label: string;
  value: number;
}

export interface BarChartOptions {
  /** Total width in columns, labels and values included (default 80). */
  width?: number;
  formatValue?: (value: number) => string;
}

const PARTIAL = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const FULL = '█';
const AXIS = '│';
const MIN_BAR_WIDTH = 10;

/** The bar for `value` out of `max` in `cells` columns; a non-zero value always shows a sliver. */
export function bar(value: number, max: number, cells: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * cells * 8));
  return FULL.repeat(Math.floor(eighths / 8)) + PARTIAL[eighths % 8]!;
}

export function renderBarChart(points: readonly ChartPoint[], options: BarChartOptions = {}): string {
  const format = options.formatValue ?? ((value: number) => String(value));
  const values = points.map((point) => format(point.value));
  const labelWidth = Math.max(0, ...points.map((point) => point.label.length));
  const valueWidth = Math.max(0, ...values.map((value) => value.length));
  const barWidth = Math.max(MIN_BAR_WIDTH, (options.width ?? 80) - labelWidth - valueWidth - 3);
  const max = Math.max(0, ...points.map((point) => point.value));
  return points.map((point, index) => `${point.label.padEnd(labelWidth)} ${AXIS}${bar(point.value, max, barWidth).padEnd(barWidth)} ${values[index]!.padStart(valueWidth)}`.trimEnd()).join('\n');
}
