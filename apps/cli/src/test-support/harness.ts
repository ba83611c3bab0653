// For CLI tests: run a command in-process with captured output, and start a real server with
// scripted offers (no provider, no network) on port 0 with a temp database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { loadConfig, silentLogger, startServer, type RunningServer } from '@gpu-shopper/server';
import { makeOffer, ScriptedAdapter } from '@gpu-shopper/services/test-support';
import { runCli } from '../cli';
import type { ShopperContext } from '../context';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Runs argv with an empty env and a fresh config dir unless given: nothing leaks in from the developer's shell. */
export async function runCaptured(argv: string[], context: Partial<ShopperContext> = {}): Promise<CliRun> {
  const stdout = collector();
  const stderr = collector();
  const exitCode = await runCli(argv, {
    env: {},
    configDir: tempDir('gpu-shopper-cli-config-'),
    stdin: Readable.from([]),
    colorDepth: 1,
    ...context,
    stdout: stdout.stream,
    stderr: stderr.stream,
  });
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const TEST_ADMIN_KEY = 'cli-test-admin-key-0000000';

/** Two Vast.ai offers and a TensorDock that is down, so the "no offers" note shows. */
export async function startTestServer(): Promise<RunningServer> {
  const vastai = new ScriptedAdapter('vastai', [
    makeOffer({ id: 'vastai:1', pricePerHourUsd: 0.3, reliability: 0.987, availableForHours: 72 }),
    makeOffer({ id: 'vastai:2', gpuModel: 'H100 SXM', providerGpuName: 'H100 SXM', vramGbPerGpu: 80, gpuCount: 2, pricePerHourUsd: 4.8, region: null, country: 'NL', availableForHours: null }),
  ]);
  const tensordock = new ScriptedAdapter('tensordock', []);
  tensordock.next = new Error('HTTP 503');
  const dir = tempDir('gpu-shopper-cli-server-');
  return startServer({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: join(dir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: TEST_ADMIN_KEY }),
    logger: silentLogger,
    adapters: [vastai, tensordock],
  });
}
