import { describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { MeterStopCall } from './meter-stop-call';

/** Plays attempts one second apart: `u` unanswered, `r` refused, `c` confirmed, `g` already gone. */
function play(script: string): { call: MeterStopCall; at: (index: number) => Date } {
  const clock = new ManualClock('2026-04-01T08:00:00.000Z');
  const start = clock.now().getTime();
  const call = new MeterStopCall(clock);
  for (const step of script) {
    call.sent();
    if (step === 'r') call.refused();
    if (step === 'c') call.confirmed();
    if (step === 'g') call.alreadyGone();
    clock.advance(1_000);
  }
  return { call, at: (index) => new Date(start + index * 1_000) };
}

describe('MeterStopCall: which attempt of a stop/destroy call ended the meter', () => {
  it.each([
    ['c', 0, 'answered at once'],
    ['rrc', 2, 'refused twice, then answered'],
    ['uc', 1, 'a hung attempt that did nothing (the next found the instance still there)'],
    ['ug', 0, 'a hung attempt that did it (the next found it gone)'],
    ['rug', 1, 'refused, hung, then gone: the hung one'],
    ['u', 0, 'only a hung attempt: the earliest possible end'],
    ['uru', 0, 'hung, refused, hung: the first hung'],
  ])('%s -> attempt %i (%s)', (script, expected, _why) => {
    const { call, at } = play(script);
    expect(call.tookEffectAt).toEqual(at(expected));
    expect(call.allRefused).toBe(false);
  });

  it.each([['rrr'], ['g'], ['rg']])('%s ended nothing', (script) => {
    const { call } = play(script);
    expect(call.tookEffectAt).toBeNull();
    expect(call.allRefused).toBe(true);
  });

  it('reports the confirmed attempt separately (it proves an earlier round did nothing)', () => {
    expect(play('uc').call.confirmedAt).toEqual(play('uc').at(1));
    expect(play('ug').call.confirmedAt).toBeNull();
  });

  it('dates an answered attempt halfway between when it left and when its success came back', () => {
    const clock = new ManualClock('2026-04-01T08:00:00.000Z');
    const call = new MeterStopCall(clock);
    call.sent();
    clock.advance(1_300); // the provider handled it late (busy), somewhere in between
    call.confirmed();
    expect(call.tookEffectAt).toEqual(new Date(Date.parse('2026-04-01T08:00:00.650Z')));
    expect(call.confirmedAt).toEqual(call.tookEffectAt);
  });

  it('a call never sent is not "all refused"', () => {
    expect(new MeterStopCall(new ManualClock('2026-04-01T08:00:00.000Z')).allRefused).toBe(false);
  });

  it('writes ahead once, as the first attempt is about to leave, at that moment', async () => {
    const clock = new ManualClock('2026-04-01T08:00:00.000Z');
    const written: Date[] = [];
    const call = new MeterStopCall(clock, async (at) => void written.push(at));
    clock.advance(30_000); // held back by the request budget
    await call.beforeSend();
    call.sent();
    call.refused();
    clock.advance(1_000);
    await call.beforeSend();
    call.sent();
    expect(written).toEqual([new Date('2026-04-01T08:00:30.000Z')]);
  });
});

