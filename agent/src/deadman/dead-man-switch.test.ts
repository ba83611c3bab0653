import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock';
import { silentLogger } from '../logger';
import type { RunCommand } from '../process/run-command';
import { DeadManSwitch } from './dead-man-switch';
import type { DeadManSwitchOptions } from './dead-man-switch';

const minute = 60_000;

function harness(overrides: Partial<DeadManSwitchOptions> = {}) {
  const clock = new ManualClock('2030-01-01T00:00:00Z');
  const fetch = vi.fn(async () => new Response('{}', { status: 200 }));
  const runCommand = vi.fn<RunCommand>(async () => ({ exitCode: 0, stdout: '', stderr: '' }));
  const beforeTerminate = vi.fn(async () => {});
  const deadMan = new DeadManSwitch({
    unreachableAfterMs: 30 * minute,
    graceAfterReservationEndMs: 15 * minute,
    powerOffCommand: 'poweroff',
    vast: null,
    clock,
    fetch: fetch as unknown as typeof globalThis.fetch,
    runCommand,
    logger: silentLogger,
    beforeTerminate,
    ...overrides,
  });
  return { clock, fetch, runCommand, beforeTerminate, deadMan };
}

const startedAt = new Date('2030-01-01T00:00:00Z');
const reservationEndsAt = new Date('2030-01-01T02:00:00Z');

describe('dead-man switch', () => {
  it('never fires before the reservation end plus grace, however long the shopper is gone', async () => {
    const { clock, deadMan, runCommand } = harness();
    for (let minutes = 0; minutes < 134; minutes += 1) {
      expect(await deadMan.check({ reservationEndsAt, lastShopperContactAt: startedAt })).toBe('armed');
      clock.advanceMs(minute);
    }
    expect(runCommand).not.toHaveBeenCalled();
    clock.set('2030-01-01T02:15:00Z');
    expect(await deadMan.check({ reservationEndsAt, lastShopperContactAt: startedAt })).toBe('fired');
    expect(runCommand).toHaveBeenCalledWith('/bin/sh', ['-c', 'poweroff'], expect.anything());
  });

  it('does not fire while the shopper is reachable, even long after the end', async () => {
    const { clock, deadMan } = harness();
    clock.set('2030-01-02T00:00:00Z');
    const lastShopperContactAt = new Date(clock.now().getTime() - 29 * minute);
    expect(await deadMan.check({ reservationEndsAt, lastShopperContactAt })).toBe('armed');
    clock.advanceMs(minute);
    expect(await deadMan.check({ reservationEndsAt, lastShopperContactAt })).toBe('fired');
  });

  it('never fires without a known reservation end', async () => {
    const { clock, deadMan } = harness();
    clock.set('2031-01-01T00:00:00Z');
    expect(await deadMan.check({ reservationEndsAt: null, lastShopperContactAt: startedAt })).toBe('armed');
  });

  it('destroys its own Vast.ai instance with the instance-scoped key, after winding down', async () => {
    const vast = { containerId: '4242', containerApiKey: 'instance-key', apiUrl: 'https://vast.example' };
    const { clock, deadMan, fetch, runCommand, beforeTerminate } = harness({ vast });
    clock.set('2030-01-01T03:00:00Z');
    expect(await deadMan.check({ reservationEndsAt, lastShopperContactAt: startedAt })).toBe('fired');
    expect(beforeTerminate).toHaveBeenCalledOnce();
    expect(fetch).toHaveBeenCalledWith('https://vast.example/api/v0/instances/4242/', expect.objectContaining({ method: 'DELETE', headers: { authorization: 'Bearer instance-key' } }));
    expect(runCommand).not.toHaveBeenCalled();
  });

  it('retries a failed Vast.ai call, then falls back to the power-off command', async () => {
    const vast = { containerId: '4242', containerApiKey: 'k', apiUrl: 'https://vast.example' };
    const { clock, deadMan, fetch, runCommand } = harness({ vast });
    fetch.mockImplementation(async () => new Response('nope', { status: 500 }));
    clock.set('2030-01-01T03:00:00Z');
    const inputs = { reservationEndsAt, lastShopperContactAt: startedAt };
    expect(await deadMan.check(inputs)).toBe('firing');
    expect(await deadMan.check(inputs)).toBe('firing'); // too early to retry
    expect(fetch).toHaveBeenCalledTimes(1);
    clock.advanceMs(minute);
    expect(await deadMan.check(inputs)).toBe('firing');
    clock.advanceMs(minute);
    expect(await deadMan.check(inputs)).toBe('fired');
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(runCommand).toHaveBeenCalledOnce();
  });
});
