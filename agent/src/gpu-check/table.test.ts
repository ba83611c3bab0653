import { describe, expect, it } from 'vitest';
import { buildReport, exitCodeFor, failRow, okRow, renderTable, reportJson, skippedRow } from './table';

const rows = [
  okRow('status', '1 × NVIDIA H200, 143771 MiB', 'matches nvidia-smi -L'),
  failRow('idle detection', 'still busy 40 s after the load ended', 'peak 100%'),
  skippedRow('LLM chat', 'GPU_CHECK_MODEL not set'),
];

describe('renderTable', () => {
  it('aligns the columns under a header and a rule, without trailing blanks', () => {
    expect(renderTable(rows)).toBe(
      [
        'check           result   figure                       detail',
        '--------------  -------  ---------------------------  ------------------------------------',
        'status          ok       1 × NVIDIA H200, 143771 MiB  matches nvidia-smi -L',
        'idle detection  FAIL     peak 100%                    still busy 40 s after the load ended',
        'LLM chat        skipped  -                            GPU_CHECK_MODEL not set',
        '',
      ].join('\n'),
    );
  });

  it('keeps a multi-line detail on its row', () => {
    const table = renderTable([failRow('LLM chat', 'engine exited:\n  CUDA out of memory\n')]);
    expect(table.trimEnd().split('\n')).toHaveLength(3);
    expect(table).toContain('engine exited: | CUDA out of memory');
  });
});

describe('report', () => {
  it('counts failures; only a FAIL makes the exit code non-zero', () => {
    const report = buildReport({ gpuFound: true, noGpuReason: null, gpus: [{ index: 0, name: 'NVIDIA H200', uuid: null }], agent: 'bundle', checks: rows });
    expect(report.failed).toBe(1);
    expect(exitCodeFor(report)).toBe(1);
    expect(exitCodeFor(buildReport({ ...report, checks: [rows[0]!, rows[2]!] }))).toBe(0);
  });

  it('writes the same rows as JSON', () => {
    const report = buildReport({ gpuFound: true, noGpuReason: null, gpus: [], agent: 'source', checks: rows });
    const parsed = JSON.parse(reportJson(report)) as typeof report;
    expect(parsed.checks).toEqual(rows);
    expect(parsed).toMatchObject({ gpuFound: true, agent: 'source', failed: 1 });
  });
});
