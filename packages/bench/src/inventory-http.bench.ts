// Throughput of GET /api/v1/inventory?gpu=4090&max_price=1 over 5,000 cached offers, through the
// REST facade and the tRPC endpoint, side by side with a bare node:http server sending the same
// precomputed JSON (the ceiling). Each target runs in its own process; autocannon runs here.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const QUERY = 'gpu=4090&max_price=1';
const ROUNDS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
const TARGET = fileURLToPath(new URL('./inventory-http.target.ts', import.meta.url));

interface Target {
  url: string;
  apiKey: string;
  child: ChildProcess;
}

async function startTarget(args: string[]): Promise<Target> {
  const child = spawn(process.execPath, ['--import', 'tsx', TARGET, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const ready = JSON.parse(line) as { url: string; apiKey: string };
    return { ...ready, child };
  }
  throw new Error('benchmark target exited before it was ready');
}

async function requestsPerSecond(url: string, apiKey: string, durationSeconds: number, options: { bypassResponseCache?: boolean } = {}): Promise<number> {
  let nonce = 0;
  // A parameter the API ignores but the URL-keyed response cache does not: every request misses it.
  const requests: autocannon.Request[] | undefined = options.bypassResponseCache ? [{ setupRequest: (request) => ({ ...request, path: `${request.path ?? ''}&nonce=${(nonce += 1)}` }) }] : undefined;
  const result = await autocannon({ url, connections: 16, duration: durationSeconds, headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, requests });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

export async function runInventoryHttpBench(durationSeconds = 4): Promise<{ name: string; results: Record<string, number | string> }> {
  const shopper = await startTarget(['shopper']);
  try {
    const restUrl = `${shopper.url}/api/v1/inventory?${QUERY}`;
    const trpcUrl = `${shopper.url}/trpc/inventory.search?input=${encodeURIComponent(JSON.stringify({ gpu: '4090', max_price: 1 }))}`;
    const body = await (await fetch(restUrl, { headers: { authorization: `Bearer ${shopper.apiKey}` } })).text();
    const bare = await startTarget(['bare', body]);
    try {
      // Warm up all three, then measure them one after another in the same run.
      for (const [url, key] of [[bare.url, ''], [restUrl, shopper.apiKey], [trpcUrl, shopper.apiKey]] as const) await requestsPerSecond(url, key, 1);
      // Interleaved rounds, medians: the machine is shared, and drift hits all three alike.
      const rounds: { bare: number; rest: number; trpc: number; restUncached: number }[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        rounds.push({
          bare: await requestsPerSecond(bare.url, '', durationSeconds),
          rest: await requestsPerSecond(restUrl, shopper.apiKey, durationSeconds),
          trpc: await requestsPerSecond(trpcUrl, shopper.apiKey, durationSeconds),
          restUncached: await requestsPerSecond(restUrl, shopper.apiKey, durationSeconds, { bypassResponseCache: true }),
        });
      }
      const bareRps = median(rounds.map((r) => r.bare));
      const restRps = median(rounds.map((r) => r.rest));
      const trpcRps = median(rounds.map((r) => r.trpc));
      const restUncachedRps = median(rounds.map((r) => r.restUncached));
      return {
        name: 'inventory over HTTP (5,000 cached offers, gpu=4090&max_price=1)',
        results: {
          'response bytes': body.length,
          'bare node:http req/s': Math.round(bareRps),
          'REST /api/v1 req/s': Math.round(restRps),
          'tRPC /trpc req/s': Math.round(trpcRps),
          'REST / bare': `${((restRps / bareRps) * 100).toFixed(1)}% (goal >= 50%)`,
          'tRPC / bare': `${((trpcRps / bareRps) * 100).toFixed(1)}% (goal >= 50%)`,
          'REST, response cache bypassed, req/s': Math.round(restUncachedRps),
          'REST uncached / bare': `${((restUncachedRps / bareRps) * 100).toFixed(1)}% (auth, validation, serialization every time)`,
        },
      };
    } finally {
      bare.child.kill();
    }
  } finally {
    shopper.child.kill();
  }
}
