// Opt-in heavy test (AGENT_HEAVY_TESTS=1): a 2 GB upload and download keep the agent under 150 MB RSS.
import { describe, expect, it } from 'vitest';
import { measureTransferMemory } from '../bench/transfer-memory';

describe.skipIf(process.env.AGENT_HEAVY_TESTS !== '1')('2 GB transfer memory (heavy)', () => {
  it('streams 2 GiB up and down with the agent under 150 MiB RSS', { timeout: 600_000 }, async () => {
    const result = await measureTransferMemory(2048);
    expect(result.intact).toBe(true);
    expect(result.peakRssMiB).toBeLessThan(150);
  });
});
