// Throughput and CPU cost of GET /api/v1/inventory over 5,000 cached offers, each line measured
// against a bare node:http server sending the same precomputed JSON (the ceiling), in the same run:
//   (a) the same query again and again: the response micro-cache answers;
//   (b) the same query with every cache bypassed (the response cache and the query memo are off in
//       that server process, not dodged with a nonce), so each request validates, authenticates,
//       selects from the 5,000 offers and writes JSON;
//   (c) a distinct filter on every request (a new price bound, the GPU model rotating), on the
//       normal server: every cache misses, as for a query nobody asked before.
// What every line keeps is what a fetch of the providers' offers builds once, as a database keeps
// its indexes: the offers sorted, grouped by model, and their JSON laid out in that order
// (services/src/inventory/offer-json.ts). Requests of (b) and (c) find no answer, selection or
// parsed query kept from an earlier one.
// Also shown, not judged: (b) through the generic trpc-to-openapi route (the URL with a trailing
// slash skips the fast path), and tRPC's GET answered from the micro-cache.
// Each target runs in its own process and reports its own CPU time; autocannon runs here.
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const QUERY = 'gpu=4090&max_price=1';
const ROUNDS = 3;
const DISTINCT_GPUS = ['4090', 'a100', 'h100', 'rtx-3090', 'l40s', 'a6000'];
const TARGET = fileURLToPath(new URL('./inventory-http.target.ts', import.meta.url));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** A target process: its URL and key, and its CPU time on request. */
class Target {
  private readonly waiting: ((line: string) => void)[] = [];

  constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.waiting.shift()?.(line));
    child.once('exit', () => {
      for (const resolve of this.waiting.splice(0)) resolve('{"exited":true}');
    });
  }

  static async start(args: string[]): Promise<Target & { url: string; apiKey: string }> {
    const target = new Target(spawn(process.execPath, ['--import', 'tsx', TARGET, ...args], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const ready = JSON.parse(await target.nextLine()) as { url?: string; apiKey?: string };
    if (ready.url === undefined) throw new Error(`benchmark target ${args[0]} exited before it was ready`);
    return Object.assign(target, { url: ready.url, apiKey: ready.apiKey ?? '' });
  }

  async cpuMicros(): Promise<number> {
    const answer = this.nextLine();
    this.child.stdin!.write('cpu\n');
    return (JSON.parse(await answer) as { cpuMicros: number }).cpuMicros;
  }

  stop(): void {
    this.child.kill();
  }

  private nextLine(): Promise<string> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

interface Measured {
  requestsPerSecond: number;
  cpuMicrosPerRequest: number;
}

let distinctCounter = 0;

async function measure(target: Target, url: string, apiKey: string, durationSeconds: number, options: { distinctFilters?: boolean } = {}): Promise<Measured> {
  // A new price bound on every request (never repeated in this run), the GPU model rotating.
  const requests: autocannon.Request[] | undefined = options.distinctFilters
    ? [
        {
          setupRequest: (request) => {
            distinctCounter += 1;
            const gpu = DISTINCT_GPUS[distinctCounter % DISTINCT_GPUS.length]!;
            return { ...request, path: `/api/v1/inventory?gpu=${gpu}&max_price=${(0.5 + distinctCounter / 1_000_000).toFixed(6)}` };
          },
        },
      ]
    : undefined;
  const cpuBefore = await target.cpuMicros();
  const result = await autocannon({ url, connections: 16, duration: durationSeconds, headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, requests });
  const cpuUsed = (await target.cpuMicros()) - cpuBefore;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { requestsPerSecond: result.requests.average, cpuMicrosPerRequest: cpuUsed / Math.max(1, result.requests.total) };
}

interface Line {
  name: string;
  target: Target;
  url: string;
  apiKey: string;
  distinctFilters?: boolean;
  /** Least share of bare's req/s; none for lines shown but not judged. */
  goal?: number;
}

export async function runInventoryHttpBench(durationSeconds = 3): Promise<{ name: string; results: Record<string, number | string> }> {
  const started: Target[] = [];
  try {
    const shopper = await Target.start(['shopper']);
    started.push(shopper);
    const uncached = await Target.start(['shopper-uncached']);
    started.push(uncached);
    const restPath = `/api/v1/inventory?${QUERY}`;
    const body = await (await fetch(`${shopper.url}${restPath}`, { headers: { authorization: `Bearer ${shopper.apiKey}` } })).text();
    const bare = await Target.start(['bare', body]);
    started.push(bare);

    const lines: Line[] = [
      { name: '(a) micro-cache hit', target: shopper, url: `${shopper.url}${restPath}`, apiKey: shopper.apiKey, goal: 0.5 },
      { name: '(b) same query, all caches bypassed', target: uncached, url: `${uncached.url}${restPath}`, apiKey: uncached.apiKey, goal: 0.4 },
      { name: '(c) distinct filter each request', target: shopper, url: `${shopper.url}${restPath}`, apiKey: shopper.apiKey, distinctFilters: true, goal: 0.1 },
      { name: '(b) via generic trpc-to-openapi route', target: uncached, url: `${uncached.url}/api/v1/inventory/?${QUERY}`, apiKey: uncached.apiKey },
      { name: 'tRPC GET, micro-cache hit', target: shopper, url: `${shopper.url}/trpc/inventory.search?input=${encodeURIComponent(JSON.stringify({ gpu: '4090', max_price: 1 }))}`, apiKey: shopper.apiKey },
    ];
    // Warm up every server and path, then interleave the rounds (medians): the machine is shared,
    // and drift hits every line alike.
    await measure(bare, bare.url, '', 1);
    for (const line of lines) await measure(line.target, line.url, line.apiKey, 1, { distinctFilters: line.distinctFilters });
    const bareRounds: Measured[] = [];
    const lineRounds = lines.map(() => [] as Measured[]);
    const loads = lines.map(() => 0);
    for (let round = 0; round < ROUNDS; round += 1) {
      bareRounds.push(await measure(bare, bare.url, '', durationSeconds));
      for (const [index, line] of lines.entries()) {
        lineRounds[index]!.push(await measure(line.target, line.url, line.apiKey, durationSeconds, { distinctFilters: line.distinctFilters }));
        loads[index] = Math.max(loads[index]!, loadavg()[0]!);
      }
    }
    const bareRps = median(bareRounds.map((r) => r.requestsPerSecond));
    const bareCpu = median(bareRounds.map((r) => r.cpuMicrosPerRequest));
    const results: Record<string, number | string> = {
      'response bytes (fixed query)': body.length,
      'bare node:http': `${Math.round(bareRps)} req/s, ${bareCpu.toFixed(0)} µs CPU/req`,
    };
    let failed = 0;
    for (const [index, line] of lines.entries()) {
      const rps = median(lineRounds[index]!.map((r) => r.requestsPerSecond));
      const cpu = median(lineRounds[index]!.map((r) => r.cpuMicrosPerRequest));
      const ratio = rps / bareRps;
      const verdict = line.goal === undefined ? 'not judged' : `goal >= ${line.goal * 100}%: ${ratio >= line.goal ? 'pass' : 'FAIL'}`;
      if (line.goal !== undefined && ratio < line.goal) failed += 1;
      results[line.name] = `${(ratio * 100).toFixed(1)}% of bare (${Math.round(rps)} req/s), ${cpu.toFixed(0)} µs CPU/req (${(cpu / bareCpu).toFixed(1)}x bare), ${verdict}; load ${loads[index]!.toFixed(2)}`;
    }
    results.verdict = failed === 0 ? 'pass' : `FAIL (${failed} line(s) under goal; load averages are for 2 shared cores, figures indicative)`;
    return { name: `inventory over HTTP (5,000 cached offers, ${ROUNDS} interleaved rounds of ${durationSeconds} s, medians)`, results };
  } finally {
    for (const target of started) target.stop();
  }
}
