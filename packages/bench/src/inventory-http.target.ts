// A benchmark target in its own process, so the load generator does not share its event loop:
//   bare             — node:http answering the precomputed JSON (the ceiling)
//   shopper          — the real server (REST + tRPC) over 5,000 cached offers
//   shopper-uncached — the same, with the inventory's query memo and the HTTP response cache off
//                      (InventoryService.disableQueryCaches): every search does its real work
// Prints one JSON line { url, apiKey } when ready; then, for each line read on stdin, one line
// { cpuMicros } with the CPU time this process has used so far (user + system).
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { loadConfig, silentLogger, startServer } from '@gpu-shopper/server';
import type { Offer, ProviderName } from '@gpu-shopper/domain';
import { benchmarkOffers } from './offer-catalog';

const ADMIN_KEY = 'bench-admin-key-0000000000';
const mode = process.argv[2];
// Exit normally on SIGINT so that --cpu-prof can write its profile.
process.on('SIGINT', () => process.exit(0));

function answerCpuQueries(): void {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', () => {
    const used = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpuMicros: used.user + used.system })}\n`);
  });
  // The bench went away: so does the target.
  lines.on('close', () => process.exit(0));
}

if (mode === 'bare') {
  const body = Buffer.from(process.argv[3] ?? '{}');
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    response.end(body);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(JSON.stringify({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, apiKey: '' }));
    answerCpuQueries();
  });
} else if (mode === 'shopper' || mode === 'shopper-uncached') {
  const offers = benchmarkOffers(5_000);
  const source = (name: ProviderName) => ({ name, searchOffers: async (): Promise<Offer[]> => offers.filter((offer) => offer.provider === name) });
  const server = await startServer({
    // Thousands of requests a second from one key and address: what is measured is the server, not its rate limit.
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', GPU_SHOPPER_DB: ':memory:', GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY, GPU_SHOPPER_RATE_LIMIT: 'off' }),
    logger: silentLogger,
    adapters: [source('vastai'), source('tensordock')],
  });
  if (mode === 'shopper-uncached') server.deps.inventory.disableQueryCaches();
  const response = await fetch(`${server.url}/api/v1/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ consumer: 'bench' }) });
  const { key } = (await response.json()) as { key: string };
  console.log(JSON.stringify({ url: server.url, apiKey: key }));
  answerCpuQueries();
} else {
  throw new Error(`unknown target mode "${mode}": bare, shopper or shopper-uncached`);
}
