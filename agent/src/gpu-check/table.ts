// The gpu-check report: one row per check, printed as an aligned plain-text table and, on request,
// written as JSON for machines (CI artefacts, a later comparison between nodes).
import type { ListedGpu } from './detect-gpu';

export type CheckResult = 'ok' | 'FAIL' | 'skipped';

export interface CheckRow {
  check: string;
  result: CheckResult;
  /** The headline number(s), e.g. "up 812 MB/s, down 1530 MB/s"; "-" when there is none. */
  figure: string;
  /** Why it failed or was skipped, or what was measured. */
  detail: string;
}

export interface GpuCheckReport {
  gpuFound: boolean;
  /** Why no GPU was found (nvidia-smi's answer); null when one was. */
  noGpuReason: string | null;
  gpus: ListedGpu[];
  /** Which agent was started: the built bundle or the TypeScript source; null when none was. */
  agent: 'bundle' | 'source' | null;
  checks: CheckRow[];
  failed: number;
}

const COLUMNS = ['check', 'result', 'figure', 'detail'] as const;

export const okRow = (check: string, figure: string, detail: string): CheckRow => ({ check, result: 'ok', figure, detail });
export const failRow = (check: string, detail: string, figure = '-'): CheckRow => ({ check, result: 'FAIL', figure, detail });
export const skippedRow = (check: string, reason: string): CheckRow => ({ check, result: 'skipped', figure: '-', detail: reason });

/** Aligned columns, a dashed rule under the header; the last column is not padded (no trailing blanks). */
export function renderTable(rows: CheckRow[]): string {
  const lines: string[][] = [[...COLUMNS], ...rows.map((row) => COLUMNS.map((column) => oneLine(row[column])))];
  const widths = COLUMNS.map((_, index) => Math.max(...lines.map((line) => line[index]!.length)));
  const format = (line: string[]) =>
    line
      .map((cell, index) => (index === line.length - 1 ? cell : cell.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [format(lines[0]!), rule, ...lines.slice(1).map(format)].join('\n') + '\n';
}

/** A detail with a newline (an engine's error output) would break the columns. */
function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' | ');
}

export function buildReport(input: Omit<GpuCheckReport, 'failed'>): GpuCheckReport {
  return { ...input, failed: input.checks.filter((row) => row.result === 'FAIL').length };
}

export function reportJson(report: GpuCheckReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Non-zero only when a check failed; a skipped check is not a failure. */
export function exitCodeFor(report: GpuCheckReport): number {
  return report.failed > 0 ? 1 : 0;
}
