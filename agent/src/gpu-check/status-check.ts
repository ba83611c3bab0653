// Status check: the GPUs in the agent's status (its own nvidia-smi query) are the ones
// `nvidia-smi -L` lists: same count, same names in index order, each with its memory size.
import type { NodeStatus } from '../status/node-status';
import type { ListedGpu } from './detect-gpu';
import { failRow, okRow } from './table';
import type { CheckRow } from './table';
import { CHECK_NAMES } from './plan';

type ReportedGpus = NodeStatus['gpu'];

const describeGpus = (names: string[]) => {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => `${count} × ${name}`).join(', ');
};

export function compareStatusWithListing(listed: ListedGpu[], reported: ReportedGpus): CheckRow {
  const name = CHECK_NAMES.status;
  if (reported.probe !== 'ok') {
    return failRow(name, `agent GPU probe is "${reported.probe}"${reported.error ? `: ${reported.error}` : ''}; nvidia-smi -L lists ${listed.length}`);
  }
  const gpus = [...reported.gpus].sort((a, b) => a.index - b.index);
  const expected = [...listed].sort((a, b) => a.index - b.index);
  if (gpus.length !== expected.length) return failRow(name, `agent reports ${gpus.length} GPU(s), nvidia-smi -L lists ${expected.length}`);
  const problems: string[] = [];
  gpus.forEach((gpu, position) => {
    const reference = expected[position]!;
    if (gpu.index !== reference.index || gpu.name !== reference.name) {
      problems.push(`GPU ${gpu.index} "${gpu.name}" vs nvidia-smi -L GPU ${reference.index} "${reference.name}"`);
    }
    if (gpu.memoryTotalMiB === null || gpu.memoryTotalMiB <= 0) problems.push(`GPU ${gpu.index} reports no memory size`);
  });
  if (problems.length > 0) return failRow(name, problems.join('; '));
  const memory = [...new Set(gpus.map((gpu) => gpu.memoryTotalMiB))].map((mib) => `${mib} MiB`).join('/');
  const first = gpus[0]!;
  const reading = (value: number | null, unit: string) => (value === null ? 'n/a' : `${value}${unit}`);
  return okRow(
    name,
    `${describeGpus(gpus.map((gpu) => gpu.name))}, ${memory}`,
    `matches nvidia-smi -L; GPU ${first.index} now: ${reading(first.utilizationPercent, '%')} utilization, ${reading(first.memoryUsedMiB, ' MiB')} used, ${reading(first.temperatureC, ' °C')}, ${reading(first.powerDrawW, ' W')}`,
  );
}
