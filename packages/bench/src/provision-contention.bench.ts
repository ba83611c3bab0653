// Provisioning under contention: 50 concurrent POST /sessions for the same GPU on the real server over
// HTTP against both simulators (zero boot delay, a fake node that heartbeats at once), with the ten
// cheapest matching Vast offers taken by other renters after our menu was read. Reports how many
// became ready, how the attempts went, and whether any instance is left without a live session.
import { startBenchStack } from './bench-stack';

const CONCURRENT = 50;

export async function runProvisionContentionBench(): Promise<{ name: string; results: Record<string, number | string> }> {
  const stack = await startBenchStack({ heartbeatMs: 500 });
  const { sims, server, call } = stack;
  try {
    const menu = await call<{ offers: { id: string; provider: string }[] }>('/api/v1/inventory?gpu=4090&limit=500');
    for (const offer of menu.offers.filter((candidate) => candidate.provider === 'vastai').slice(0, 10)) {
      const simOffer = sims.vast.offers.find((candidate) => `vastai:${candidate.record.id}` === offer.id);
      if (simOffer !== undefined) simOffer.rented = true;
    }
    const startedAt = performance.now();
    const sessions = await Promise.all(Array.from({ length: CONCURRENT }, () => call<{ id: string }>('/api/v1/sessions', { method: 'POST', body: JSON.stringify({ gpu: '4090', hours: 1 }) })));
    const acceptedMs = performance.now() - startedAt;
    await server.provisioner!.settled();
    let states: { id: string; state: string; attempts: { outcome: string; offerId: string }[] }[] = [];
    for (let spins = 0; spins < 500; spins += 1) {
      await server.tick();
      states = await Promise.all(sessions.map((session) => call<(typeof states)[number]>(`/api/v1/sessions/${session.id}`)));
      if (states.every((session) => session.state !== 'provisioning')) break;
    }
    const allSettledMs = performance.now() - startedAt;
    const ready = states.filter((session) => session.state === 'ready');
    const attempts = states.flatMap((session) => session.attempts);
    const owned = new Set(states.flatMap((session) => (session.state === 'ready' ? [session.id] : [])));
    const liveInstances = [...sims.vast.lifecycle.live(), ...sims.tensordock.lifecycle.live()];
    const orphans = liveInstances.filter((instance) => {
      const data = instance.data as { label?: unknown; name?: unknown };
      const label = String(data.label ?? data.name ?? ''); // Vast keeps a label, TensorDock a name
      return ![...owned].some((id) => label.endsWith(`:${id}`));
    }).length;
    return {
      name: `provisioning under contention: ${CONCURRENT} concurrent POST /sessions for gpu=4090 (${menu.offers.length} matching offers, the 10 cheapest Vast ones taken by others)`,
      results: {
        ready: `${ready.length} of ${CONCURRENT}`,
        'success rate': `${((ready.length / CONCURRENT) * 100).toFixed(1)}%`,
        'distinct offers rented': new Set(states.flatMap((session) => session.attempts.filter((attempt) => attempt.outcome === 'created').map((attempt) => attempt.offerId))).size,
        'attempts answered gone (410)': attempts.filter((attempt) => attempt.outcome === 'offer_gone').length,
        'attempts in all': attempts.length,
        'orphans (live instances no ready session owns)': orphans,
        'all 50 accepted (202) ms': Math.round(acceptedMs),
        'all settled ms': Math.round(allSettledMs),
      },
    };
  } finally {
    await stack.close();
  }
}
