// Request → ready latency the shopper adds, at zero boot delay: the real server over HTTP against both
// simulators; each instance's "node" is a tiny fake agent that heartbeats (with the token and URL from
// its create env) from the moment it runs, and lifecycle ticks run back to back, so what is left is
// the shopper's own work: HTTP, database writes, provider calls and the observation of the instance.
import { startBenchStack } from './bench-stack';

const PROVISIONS = 50;

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

export async function runProvisionLatencyBench(): Promise<{ name: string; results: Record<string, number | string> }> {
  const stack = await startBenchStack({ heartbeatMs: 1_000 });
  const { server } = stack;
  try {
    const { call, consumerKey: key } = stack;
    await call('/api/v1/inventory?gpu=4090'); // warm the offer cache, as a running server has it
    const samples: Record<'vastai' | 'tensordock', { acceptedMs: number[]; readyMs: number[] }> = { vastai: { acceptedMs: [], readyMs: [] }, tensordock: { acceptedMs: [], readyMs: [] } };
    for (let index = 0; index < PROVISIONS; index += 1) {
      const provider = index % 2 === 0 ? 'vastai' : 'tensordock';
      const startedAt = performance.now();
      const session = await call<{ id: string }>('/api/v1/sessions', { method: 'POST', body: JSON.stringify({ gpu: '4090', hours: 1, provider }) });
      samples[provider].acceptedMs.push(performance.now() - startedAt);
      for (let spins = 0; ; spins += 1) {
        await server.tick();
        if ((await call<{ state: string }>(`/api/v1/sessions/${session.id}`)).state === 'ready') break;
        if (spins > 2_000) throw new Error(`session ${session.id} never became ready`);
      }
      samples[provider].readyMs.push(performance.now() - startedAt);
      // Ended outside the measurement, so every provision meets the same, small, live set. The fake
      // node's heartbeats bump the row's version, so the DELETE may lose an optimistic lock: retry.
      for (let tries = 0; ; tries += 1) {
        const response = await fetch(`${server.url}/api/v1/sessions/${session.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });
        if (response.ok) break;
        if (response.status !== 409 || tries > 20) throw new Error(`DELETE ${session.id}: HTTP ${response.status}`);
      }
      while ((await call<{ state: string }>(`/api/v1/sessions/${session.id}`)).state !== 'terminated') await server.tick();
    }
    const all = [...samples.vastai.readyMs, ...samples.tensordock.readyMs];
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      name: `provision latency: POST /sessions → ready, zero boot delay, ${PROVISIONS} provisions (fake heartbeating node, ticks back to back)`,
      results: {
        'ready median ms': round(percentile(all, 0.5)),
        'ready p90 ms': round(percentile(all, 0.9)),
        'ready median ms (vastai)': round(percentile(samples.vastai.readyMs, 0.5)),
        'ready median ms (tensordock)': round(percentile(samples.tensordock.readyMs, 0.5)),
        'POST accepted median ms': round(percentile([...samples.vastai.acceptedMs, ...samples.tensordock.acceptedMs], 0.5)),
      },
    };
  } finally {
    await stack.close();
  }
}
