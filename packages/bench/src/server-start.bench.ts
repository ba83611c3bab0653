// Benchmark: the built server (`node apps/server/dist/main.js`, as `npm start` runs it) from spawn to
// GET /readyz answering 200, on a database that is already up to date (a fresh data directory
// migrated by one start before the measured ones); goal: under 0.5 s. Configured as in production,
// with both providers' keys, here pointed at the simulators (crash recovery lists their instances).
// Also: the first start (which migrates), bare `node -e 0` in the same rounds, and the resident
// memory of the idle server once ready.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulators } from '@gpu-shopper/simulators';
import { buildWorkspace, cleanEnv, machineLoad, median, REPO_ROOT, timeBareNode, verdict } from './process-timing';

const ROUNDS = 9;
const GOAL_MS = 500;
const MAIN = 'apps/server/dist/main.js';
const LISTENING = /listening on (http:\/\/\S+)/;
/** How long the server idles once ready before its memory is read. */
const IDLE_SETTLE_MS = 1_000;

interface Started {
  readyMs: number;
  idleRssMiB: number | null;
}

/** Resident memory of a process, from /proc (Linux); null elsewhere. */
function residentMiB(pid: number): number | null {
  try {
    const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? null : Number(kib) / 1024;
  } catch {
    return null;
  }
}

/** One start: spawn, the URL it prints, /readyz until 200; then (optionally) its idle memory, and SIGTERM. */
async function startOnce(env: NodeJS.ProcessEnv, measureIdleRss: boolean): Promise<Started> {
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const match = LISTENING.exec(output);
        if (match !== null) resolve(match[1]!);
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it listened: ${output}`)));
    });
    for (;;) {
      const response = await fetch(`${url}/readyz`).catch(() => null);
      if (response?.status === 200) break;
      await response?.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const readyMs = performance.now() - started;
    if (!measureIdleRss) return { readyMs, idleRssMiB: null };
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    return { readyMs, idleRssMiB: residentMiB(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }
}

export async function runServerStartBench(): Promise<{ name: string; results: Record<string, number | string> }> {
  buildWorkspace('@gpu-shopper/server');
  const keys = { vastai: 'bench-start-vast', tensordock: 'bench-start-td' };
  const sims = await startSimulators({ vastApiKey: keys.vastai, tensordockApiToken: keys.tensordock });
  try {
    const env = cleanEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      GPU_SHOPPER_DB: join(mkdtempSync(join(tmpdir(), 'gpu-shopper-start-')), 'db.sqlite'),
      GPU_SHOPPER_ADMIN_KEY: 'bench-start-admin-key-0123456789',
      GPU_SHOPPER_LOG_LEVEL: 'warn',
      VASTAI_API_KEY: keys.vastai,
      VASTAI_API_URL: sims.vastUrl,
      TENSORDOCK_API_TOKEN: keys.tensordock,
      TENSORDOCK_API_URL: sims.tensordockUrl,
    });
    const loadBefore = machineLoad();
    const firstStart = await startOnce(env, false); // migrates the new database
    const bare: number[] = [];
    const ready: number[] = [];
    let idleRssMiB: number | null = null;
    for (let round = 0; round < ROUNDS; round++) {
      bare.push(timeBareNode());
      const last = round === ROUNDS - 1;
      const start = await startOnce(env, last);
      ready.push(start.readyMs);
      if (last) idleRssMiB = start.idleRssMiB;
    }
    const readyMs = median(ready);
    return {
      name: `server start to /readyz, database up to date (${ROUNDS} interleaved rounds, medians)`,
      results: {
        'node -e 0 ms (baseline)': Math.round(median(bare)),
        'start to /readyz ms': `${Math.round(readyMs)} (goal < ${GOAL_MS}) ${verdict(readyMs < GOAL_MS)}`,
        'start to /readyz / node -e 0': `${(readyMs / median(bare)).toFixed(1)}x`,
        'first start, migrating a new database ms': Math.round(firstStart.readyMs),
        'idle RSS after start MiB': idleRssMiB === null ? 'n/a (no /proc)' : Math.round(idleRssMiB),
        'load before / after': `${loadBefore}; ${machineLoad()}`,
      },
    };
  } finally {
    await sims.close();
  }
}
