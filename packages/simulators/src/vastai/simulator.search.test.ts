// The Vast simulator's bundles endpoint: the real record shape, operators, order, limit, headers, auth.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { startVastAiSimulator, type VastAiSimulator } from './simulator';

const fixtureRecord = (
  JSON.parse(readFileSync(new URL('../../../providers/fixtures/vast-bundles-example.json', import.meta.url), 'utf8')) as {
    offers: Record<string, unknown>[];
  }
).offers[0]!;
const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let sim: VastAiSimulator;

async function search(body: unknown, init: { path?: string; key?: string } = {}): Promise<{ status: number; contentType: string | null; json: { offers: Record<string, unknown>[] } }> {
  const response = await fetch(`${sim.url}${init.path ?? '/api/v0/bundles/'}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${init.key ?? 'k-1234'}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), json: (await response.json()) as { offers: Record<string, unknown>[] } };
}

beforeAll(async () => {
  sim = await startVastAiSimulator({ seed: 3, clock, apiKey: 'k-1234' });
});
afterAll(async () => {
  await sim.close();
});

describe('Vast simulator: POST /api/v0/bundles/', () => {
  it('serves records with every key of the real record, as exactly application/json', async () => {
    const { status, contentType, json } = await search({ limit: 5 });
    expect(status).toBe(200);
    expect(contentType).toBe('application/json');
    expect(json.offers).toHaveLength(5);
    for (const record of json.offers) expect(Object.keys(record).sort()).toEqual(Object.keys(fixtureRecord).sort());
  });

  it('generates at least 2,000 deterministic offers for a seed', async () => {
    expect(sim.offers.length).toBeGreaterThanOrEqual(2000);
    const again = await startVastAiSimulator({ seed: 3, clock });
    try {
      expect(again.offers.slice(0, 20).map((offer) => offer.record)).toEqual(sim.offers.slice(0, 20).map((offer) => offer.record));
    } finally {
      await again.close();
    }
  });

  it('applies eq/neq/gt/gte/lt/lte/in/notin, order and limit', async () => {
    const { json } = await search({
      gpu_name: { in: ['RTX 4090', 'RTX 3090'] },
      num_gpus: { gte: 2, lt: 8 },
      verification: { neq: 'deverified' },
      geolocation: { notin: ['US'] },
      reliability2: { gt: 0.9 },
      dph_total: { lte: 3 },
      order: [['dph_total', 'asc']],
      limit: 40,
      allocated_storage: 20,
    });
    expect(json.offers.length).toBe(40);
    let previous = 0;
    for (const offer of json.offers) {
      expect(['RTX 4090', 'RTX 3090']).toContain(offer.gpu_name);
      expect(offer.num_gpus).toBeGreaterThanOrEqual(2);
      expect(offer.num_gpus).toBeLessThan(8);
      expect(offer.verification).not.toBe('deverified');
      expect(String(offer.geolocation ?? '').endsWith('US')).toBe(false);
      expect(offer.reliability2).toBeGreaterThan(0.9);
      const total = offer.dph_total as number;
      expect(total).toBeCloseTo((offer.dph_base as number) + ((offer.storage_cost as number) * 20) / 720, 9);
      expect(total).toBeGreaterThanOrEqual(previous);
      previous = total;
    }
  });

  it('reads verified as verification === "verified" and sorts descending', async () => {
    const { json } = await search({ verified: { eq: true }, order: [['score', 'desc']], limit: 10 });
    expect(json.offers.every((offer) => offer.verification === 'verified')).toBe(true);
    const scores = json.offers.map((offer) => offer.score as number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('accepts the path without a trailing slash and the GET ?q= form', async () => {
    expect((await search({ limit: 1 }, { path: '/api/v0/bundles' })).json.offers).toHaveLength(1);
    const q = encodeURIComponent(JSON.stringify({ gpu_name: { eq: 'H100 SXM' }, limit: 3 }));
    const response = await fetch(`${sim.url}/api/v0/bundles/?q=${q}`);
    const json = (await response.json()) as { offers: { gpu_name: string }[] };
    expect(json.offers.map((offer) => offer.gpu_name)).toEqual(['H100 SXM', 'H100 SXM', 'H100 SXM']);
  });

  it('answers 400 for an unknown operator and 401 for a wrong key', async () => {
    expect((await search({ num_gpus: { between: [1, 2] } })).status).toBe(400);
    expect((await search({}, { key: 'nope' })).status).toBe(401);
  });

  it('hides offers that were rented out', async () => {
    const [takenId] = sim.rentOutOffers(1);
    const { json } = await search({ id: { eq: takenId }, limit: 5 });
    expect(json.offers).toEqual([]);
  });
});

describe('Vast simulator: filters as real clients send them', () => {
  const ids = (offers: Record<string, unknown>[]) => offers.map((offer) => offer.id);

  it('reads numeric (and boolean) filter values given as strings like numbers', async () => {
    const base = { order: [['dph_total', 'asc']], limit: 200 };
    const withNumbers = await search({ ...base, num_gpus: { gte: 2 }, dph_total: { lt: 1 }, reliability2: { gt: 0.95 }, rentable: { eq: true } });
    const withStrings = await search({ ...base, num_gpus: { gte: '2' }, dph_total: { lt: '1' }, reliability2: { gt: '0.95' }, rentable: { eq: 'true' } });
    expect(withNumbers.json.offers.length).toBeGreaterThan(0);
    expect(ids(withStrings.json.offers)).toEqual(ids(withNumbers.json.offers));
  });

  it('coerces every operator: eq, neq, gt, gte, lt, lte, in, notin', async () => {
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ num_gpus: { eq: 4 } }, { num_gpus: { eq: '4' } }],
      [{ num_gpus: { neq: 1 } }, { num_gpus: { neq: '1' } }],
      [{ cpu_cores: { gt: 64 } }, { cpu_cores: { gt: '64' } }],
      [{ cpu_cores: { gte: 96 } }, { cpu_cores: { gte: '96' } }],
      [{ dph_total: { lt: 0.5 } }, { dph_total: { lt: '0.5' } }],
      [{ dph_total: { lte: 0.5 } }, { dph_total: { lte: '0.5' } }],
      [{ num_gpus: { in: [2, 8] } }, { num_gpus: { in: ['2', '8'] } }],
      [{ num_gpus: { notin: [1, 2, 4] } }, { num_gpus: { notin: ['1', '2', '4'] } }],
    ];
    for (const [numbers, strings] of cases) {
      const expected = ids((await search({ ...numbers, limit: 100, order: [['id', 'asc']] })).json.offers);
      expect(expected.length, JSON.stringify(numbers)).toBeGreaterThan(0);
      expect(ids((await search({ ...strings, limit: 100, order: [['id', 'asc']] })).json.offers), JSON.stringify(strings)).toEqual(expected);
    }
  });

  it('prices interruptible (type: bid) offers at their minimum bid', async () => {
    const query = { id: { lte: 20_000_400 }, order: [['id', 'asc']], limit: 20, allocated_storage: 10 };
    const onDemand = (await search({ ...query, type: 'on-demand' })).json.offers;
    const bid = (await search({ ...query, type: 'bid' })).json.offers;
    expect(ids(bid)).toEqual(ids(onDemand));
    for (const offer of bid) {
      expect(offer.is_bid).toBe(true);
      expect(offer.dph_total).toBeCloseTo((offer.min_bid as number) + ((offer.storage_cost as number) * 10) / 720, 9);
    }
    expect(onDemand.every((offer) => offer.is_bid === false && (offer.dph_total as number) > (offer.min_bid as number))).toBe(true);
    expect((await search({ type: 'spot' })).status).toBe(400);
  });

  it('answers the PUT /search/asks/ form with the selected columns', async () => {
    const response = await fetch(`${sim.url}/api/v0/search/asks/`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer k-1234' },
      body: JSON.stringify({ select_cols: ['id', 'gpu_name', 'dph_total'], q: { gpu_name: { eq: 'RTX 4090' }, num_gpus: { eq: '1' }, limit: 3 } }),
    });
    const json = (await response.json()) as { offers: Record<string, unknown>[] };
    expect(json.offers).toHaveLength(3);
    for (const offer of json.offers) expect(Object.keys(offer).sort()).toEqual(['dph_total', 'gpu_name', 'id']);
  });
});
