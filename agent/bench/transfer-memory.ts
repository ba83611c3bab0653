// Benchmark: upload then download a large file through the built agent (dist/agent.js, run as its own
// process) and report the agent's peak RSS, to check that streaming keeps memory bounded.
// Usage: npx tsx agent/bench/transfer-memory.ts [sizeMiB=2048]  (builds the bundle if missing)
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const agentDir = path.resolve(import.meta.dirname, '..');
const TOKEN = 'bench-token-0123456789abcdef';
const MiB = 1024 * 1024;

export interface TransferMemoryResult {
  sizeBytes: number;
  uploadSeconds: number;
  downloadSeconds: number;
  baselineRssMiB: number;
  peakRssMiB: number;
  intact: boolean;
}

const procStatusKiB = (pid: number, field: 'VmHWM' | 'VmRSS') => {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
};

async function writeSourceFile(file: string, sizeBytes: number): Promise<string> {
  const block = randomBytes(MiB);
  const hash = createHash('sha256');
  await pipeline(
    (async function* () {
      for (let written = 0; written < sizeBytes; written += MiB) {
        const chunk = block.subarray(0, Math.min(MiB, sizeBytes - written));
        hash.update(chunk);
        yield chunk;
      }
    })(),
    createWriteStream(file),
  );
  return hash.digest('hex');
}

export async function measureTransferMemory(sizeMiB: number): Promise<TransferMemoryResult> {
  const bundle = path.join(agentDir, 'dist/agent.js');
  if (!existsSync(bundle)) execFileSync('npx', ['tsup'], { cwd: agentDir, stdio: 'inherit' });
  const dir = mkdtempSync(path.join(tmpdir(), 'agent-bench-'));
  const source = path.join(dir, 'source.bin');
  const sizeBytes = sizeMiB * MiB;
  const child = spawn(process.execPath, [bundle], {
    env: { ...process.env, GPU_SHOPPER_SESSION_ID: 'bench', GPU_SHOPPER_NODE_TOKEN: TOKEN, AGENT_PORT: '0', AGENT_HOST: '127.0.0.1', AGENT_WORKSPACE: path.join(dir, 'ws'), AGENT_MAX_UPLOAD_BYTES: String(sizeBytes * 2) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const sourceHash = await writeSourceFile(source, sizeBytes);
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        const match = /"url":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(text);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`agent exited with ${code}`)));
    });
    const pid = child.pid!;
    const baselineRssMiB = procStatusKiB(pid, 'VmRSS') / 1024;
    const headers = { authorization: `Bearer ${TOKEN}` };

    let started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const upload = request({ host: '127.0.0.1', port, method: 'POST', path: '/node/v1/files/upload?path=big.bin', headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': sizeBytes } }, (res) => {
        res.resume();
        res.once('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`upload answered ${res.statusCode}`))));
      });
      upload.once('error', reject);
      createReadStream(source).pipe(upload);
    });
    const uploadSeconds = (Date.now() - started) / 1000;

    started = Date.now();
    const downloadHash = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/node/v1/files/download/big.bin', headers }, (res) => {
        const hash = createHash('sha256');
        res.on('data', (chunk: Buffer) => hash.update(chunk));
        res.once('end', () => resolve(hash.digest('hex')));
        res.once('error', reject);
      })
        .once('error', reject)
        .end();
    });
    const downloadSeconds = (Date.now() - started) / 1000;
    return { sizeBytes, uploadSeconds, downloadSeconds, baselineRssMiB, peakRssMiB: procStatusKiB(pid, 'VmHWM') / 1024, intact: downloadHash === sourceHash };
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const sizeMiB = Number(process.argv[2] ?? 2048);
  const result = await measureTransferMemory(sizeMiB);
  console.log(JSON.stringify(result, null, 2));
  const limitMiB = 150;
  console.log(`peak agent RSS ${result.peakRssMiB.toFixed(1)} MiB for ${sizeMiB} MiB up and down (limit ${limitMiB} MiB): ${result.peakRssMiB < limitMiB && result.intact ? 'OK' : 'FAIL'}`);
  process.exit(result.peakRssMiB < limitMiB && result.intact ? 0 : 1);
}
