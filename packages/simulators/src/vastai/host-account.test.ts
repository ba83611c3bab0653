// A hosting account's key rents only its own machines: any other offer answers Vast's recorded 403,
// its own offers rent as usual, and the admin route switches the account between host and renter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { call } from '../test-support/sim-http';
import { startVastAiSimulator, type VastAiSimulator } from './simulator';

const KEY = 'vast-host-account-key';
const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let sim: VastAiSimulator;

beforeAll(async () => {
  sim = await startVastAiSimulator({ seed: 23, offerCount: 40, clock, apiKey: KEY });
});
afterAll(async () => {
  await sim.close();
});

const hostOf = (offer: VastAiSimulator['offers'][number]) => offer.record.host_id as number;
const rent = (offerId: number) => call(sim.url, 'PUT', `/api/v0/asks/${offerId}/`, KEY, { image: 'ubuntu', disk: 10 });

describe('Vast simulator: a hosting account', () => {
  it('answers 403 "not your own" for another host\'s offer, creates nothing, and rents its own', async () => {
    const [own, foreign] = [sim.offers[0]!, sim.offers.find((offer) => hostOf(offer) !== hostOf(sim.offers[0]!))!];
    expect((await call(sim.url, 'PUT', '/__admin/account', null, { hostId: hostOf(own) })).json).toEqual({ hostId: hostOf(own) });
    const instancesBefore = sim.lifecycle.instances.size;
    const refused = await rent(foreign.id);
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ success: false, error: 'invalid_args', msg: `error 403/3586: Offer ${foreign.id} is not your own. Hosts can only rent their own machines.`, ask_id: foreign.id });
    expect(sim.lifecycle.instances.size).toBe(instancesBefore);
    expect(foreign.rented).toBe(false);
    const created = await rent(own.id);
    expect(created.json).toMatchObject({ success: true, new_contract: expect.any(Number) });
  });

  it('is a plain renter by default and again after {"hostId": null}; the admin route refuses a bad host id', async () => {
    expect((await call(sim.url, 'PUT', '/__admin/account', null, { hostId: null })).json).toEqual({ hostId: null });
    expect((await call(sim.url, 'GET', '/__admin/account', null)).json).toEqual({ hostId: null });
    expect((await rent(sim.offers.find((offer) => !offer.rented)!.id)).json.success).toBe(true);
    const bad = await call(sim.url, 'PUT', '/__admin/account', null, { hostId: 'me' });
    expect(bad.status).toBe(400);
    expect(String(bad.json.msg)).toContain('hostId');
  });

  it('can start as a hosting account (accountHostId)', async () => {
    const hosting = await startVastAiSimulator({ seed: 23, offerCount: 40, clock, apiKey: KEY, accountHostId: 1 });
    try {
      expect(hosting.hostAccount.hostId).toBe(1);
      expect((await call(hosting.url, 'PUT', `/api/v0/asks/${hosting.offers[0]!.id}/`, KEY, { image: 'ubuntu' })).status).toBe(403);
    } finally {
      await hosting.close();
    }
  });
});
