// The validation report: one row per check with its result and what it saw, printed as an aligned table.

export type CheckResult = 'ok' | 'FAIL' | 'skip';

export interface CheckRow {
  check: string;
  result: CheckResult;
  detail: string;
}

/** Runs checks in order, turning a thrown error into a FAIL row that names the check. */
export class CheckRecorder {
  readonly rows: CheckRow[] = [];

  async run(check: string, body: () => Promise<string>): Promise<boolean> {
    try {
      this.rows.push({ check, result: 'ok', detail: await body() });
      return true;
    } catch (error) {
      this.rows.push({ check, result: 'FAIL', detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      return false;
    }
  }

  skip(check: string, why: string): void {
    this.rows.push({ check, result: 'skip', detail: why });
  }

  failed(): CheckRow[] {
    return this.rows.filter((row) => row.result === 'FAIL');
  }
}

/** A failed check's reason; thrown inside a check body. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
}

export function formatCheckTable(title: string, rows: readonly CheckRow[]): string {
  const header: CheckRow = { check: 'CHECK', result: 'RESULT' as CheckResult, detail: 'DETAIL' };
  const all = [header, ...rows];
  const checkWidth = Math.max(...all.map((row) => row.check.length));
  const resultWidth = Math.max(...all.map((row) => row.result.length));
  const lines = all.map((row) => `  ${row.check.padEnd(checkWidth)}  ${row.result.padEnd(resultWidth)}  ${row.detail.replace(/\s+/g, ' ')}`);
  return `${title}\n${lines.join('\n')}\n`;
}
