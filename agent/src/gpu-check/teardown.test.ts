import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Teardown } from './teardown';

describe('Teardown', () => {
  it('stops every child (SIGKILL after the grace for one ignoring SIGTERM) and removes the directories', { timeout: 30_000 }, async () => {
    const teardown = new Teardown();
    const directory = mkdtempSync(path.join(tmpdir(), 'gpu-check-teardown-'));
    teardown.removeDirectoryAtEnd(directory);
    const stubborn = teardown.trackChild(spawn('/bin/sh', ['-c', "trap '' TERM; echo ready; while :; do sleep 1; done"], { stdio: ['ignore', 'pipe', 'ignore'] }), 300);
    await new Promise((resolve) => stubborn.stdout!.once('data', resolve));
    const polite = teardown.trackChild(spawn('/bin/sh', ['-c', 'sleep 60'], { stdio: 'ignore' }), 5000);
    expect(teardown.liveChildren).toBe(2);
    await teardown.run();
    expect(stubborn.signalCode).toBe('SIGKILL');
    expect(polite.signalCode).toBe('SIGTERM');
    expect(teardown.liveChildren).toBe(0);
    expect(existsSync(directory)).toBe(false);
    await teardown.run();
  });

  it('forgets a command that never started', async () => {
    const teardown = new Teardown();
    const child = teardown.trackChild(spawn('/nonexistent/command', { stdio: 'ignore' }), 1000);
    await new Promise((resolve) => child.once('error', resolve));
    expect(teardown.liveChildren).toBe(0);
  });
});
