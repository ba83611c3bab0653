// The small pure rules: reservations, money, labels, cost buckets, the manual clock.
import { describe, expect, it } from 'vitest';
import { ManualClock, MS_PER_HOUR } from './clock';
import { bucketStart } from './cost';
import { costMicrosFor, microsToUsd, usdToMicros } from './money';
import { approveOverride, extendReservation, newReservation } from './reservation';
import { parseSessionLabel, sessionLabel } from './session';

describe('reservations', () => {
  const start = new Date('2026-01-01T10:00:00.000Z');

  it('runs 1-12 hours, with the hard maximum at 12 h', () => {
    expect(newReservation(start, 2)).toEqual({ hours: 2, startsAt: '2026-01-01T10:00:00.000Z', endsAt: '2026-01-01T12:00:00.000Z', hardMaxEndsAt: '2026-01-01T22:00:00.000Z' });
    expect(() => newReservation(start, 0)).toThrow('hours');
    expect(() => newReservation(start, 13)).toThrow("operator's approval");
    expect(() => newReservation(start, 1.5)).toThrow('hours');
  });

  it('extends within the maximum, and needs approval beyond it', () => {
    const reservation = newReservation(start, 10);
    expect(extendReservation(reservation, 2)).toEqual({ kind: 'extended', reservation: { ...reservation, hours: 12, endsAt: '2026-01-01T22:00:00.000Z' } });
    expect(extendReservation(reservation, 3)).toEqual({ kind: 'needs-approval', requestedEndsAt: '2026-01-01T23:00:00.000Z' });
    expect(() => extendReservation(reservation, 0)).toThrow('hours');
  });

  it('moves the end and the hard maximum together when an override is approved', () => {
    const approved = approveOverride(newReservation(start, 12), '2026-01-02T02:00:00.000Z');
    expect(approved).toMatchObject({ hours: 16, endsAt: '2026-01-02T02:00:00.000Z', hardMaxEndsAt: '2026-01-02T02:00:00.000Z' });
  });
});

describe('money in micro-dollars', () => {
  it('converts without float drift', () => {
    expect(usdToMicros(0.1) + usdToMicros(0.2)).toBe(usdToMicros(0.3));
    expect(microsToUsd(1_234_567)).toBe(1.234567);
    expect(costMicrosFor(0.36, MS_PER_HOUR)).toBe(360_000);
    expect(costMicrosFor(0.36, 10_000)).toBe(1_000);
  });
});

describe('instance labels', () => {
  it('round-trip deployment and session, and reject anything else', () => {
    expect(parseSessionLabel(sessionLabel('d1a2', 'ses_x'))).toEqual({ deploymentId: 'd1a2', sessionId: 'ses_x' });
    expect(parseSessionLabel(' gpu-shopper:d1:ses_y\n')).toEqual({ deploymentId: 'd1', sessionId: 'ses_y' });
    for (const other of [null, undefined, '', 'my-training-box', 'gpu-shopper:only-one', 'gpu-shopper:a:b:c']) expect(parseSessionLabel(other)).toBeNull();
  });
});

describe('cost buckets', () => {
  it('starts hours, days and months in UTC', () => {
    const at = new Date('2026-03-17T13:45:12.000Z');
    expect(bucketStart(at, 'hour').toISOString()).toBe('2026-03-17T13:00:00.000Z');
    expect(bucketStart(at, 'day').toISOString()).toBe('2026-03-17T00:00:00.000Z');
    expect(bucketStart(at, 'month').toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(bucketStart(at, 'total').getTime()).toBe(0);
  });
});

describe('ManualClock', () => {
  it('moves only when told, and never backwards', () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(clock.advance(MS_PER_HOUR).toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(() => clock.advance(-1)).toThrow('backwards');
    clock.set('2026-02-01T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2026-02-01T00:00:00.000Z');
  });
});
