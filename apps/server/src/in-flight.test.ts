// The in-flight work count shutdown waits on.
import { describe, expect, it } from 'vitest';
import { InFlightWork, ShuttingDownError } from './in-flight';

describe('InFlightWork', () => {
  it('counts a run until it settles, either way, and passes its result through', async () => {
    const work = new InFlightWork();
    expect(await work.idle(0)).toEqual([]);
    const ok = work.run('a', async () => 42);
    const failing = work.run('b', () => {
      throw new Error('sync throw');
    });
    expect(work.names).toEqual(['a', 'b']);
    expect(await ok).toBe(42);
    await expect(failing).rejects.toThrow('sync throw');
    expect(await work.idle(1_000)).toEqual([]);
  });

  it('refuses new runs once told, and keeps waiting for the one in progress', async () => {
    const work = new InFlightWork();
    let release!: () => void;
    const running = work.run('tick', () => new Promise<void>((resolve) => (release = resolve)));
    work.refuseNew();
    await expect(work.run('late', async () => undefined)).rejects.toBeInstanceOf(ShuttingDownError);
    expect(await work.idle(10)).toEqual(['tick']);
    const idle = work.idle(10_000);
    release();
    await running;
    expect(await idle).toEqual([]);
  });
});
