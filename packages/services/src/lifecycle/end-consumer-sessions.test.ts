import { afterEach, describe, expect, it } from 'vitest';
import { MS_PER_MINUTE } from '@gpu-shopper/domain';
import { createLifecycleHarness, type LifecycleHarness } from '../test-support/lifecycle-harness';
import { endConsumerSessions } from './end-consumer-sessions';

describe('endConsumerSessions', () => {
  let h: LifecycleHarness;
  afterEach(() => h?.close());

  it('gracefully ends every live session of the consumer (a shutdown budget), and is idempotent', async () => {
    h = await createLifecycleHarness();
    const ready = await h.provisionReady('batch', 2);
    const booting = await h.provision({ provider: 'tensordock' });
    expect(await endConsumerSessions(h.orm, h.clock, 'con_atlas', 'budget bud_1 reached 100%')).toBe(2);
    expect(await h.session(ready)).toMatchObject({ state: 'stopping', endReason: 'budget' });
    expect(await h.session(booting)).toMatchObject({ state: 'stopping', endReason: 'budget' });
    expect(await endConsumerSessions(h.orm, h.clock, 'con_atlas', 'again')).toBe(0);
    for (let i = 0; i < 5; i += 1) await h.advance(2 * MS_PER_MINUTE);
    expect((await h.session(ready)).state).toBe('terminated');
    expect(h.sims.vast.lifecycle.live()).toEqual([]);
  });
});
