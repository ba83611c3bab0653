// Host resource figures for the status endpoint: CPU, memory, the workspace's disk, uptime.
import { statfs } from 'node:fs/promises';
import os from 'node:os';

export interface SystemUsage {
  cpu: { cores: number; loadAverage1m: number; loadAverage5m: number };
  memory: { totalBytes: number; usedBytes: number; agentRssBytes: number };
  disk: { path: string; totalBytes: number | null; freeBytes: number | null };
  hostUptimeSeconds: number;
}

export async function readSystemUsage(workspaceRoot: string): Promise<SystemUsage> {
  const [load1, load5] = os.loadavg();
  let totalBytes: number | null = null;
  let freeBytes: number | null = null;
  try {
    const stats = await statfs(workspaceRoot);
    totalBytes = stats.blocks * stats.bsize;
    freeBytes = stats.bavail * stats.bsize;
  } catch {
    // A missing workspace is reported as unknown sizes, not as a failed status call.
  }
  return {
    cpu: { cores: os.cpus().length, loadAverage1m: load1 ?? 0, loadAverage5m: load5 ?? 0 },
    memory: { totalBytes: os.totalmem(), usedBytes: os.totalmem() - os.freemem(), agentRssBytes: process.memoryUsage.rss() },
    disk: { path: workspaceRoot, totalBytes, freeBytes },
    hostUptimeSeconds: Math.round(os.uptime()),
  };
}
