// One lifecycle tick over 10,000 ready sessions in a SQLite file, with the provider sweep listing
// their 10,000 instances from both simulators over HTTP (Vast pages of 25, TensorDock in one answer).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@gpu-shopper/domain';
import { openDatabase, SessionEntity } from '@gpu-shopper/db';
import { RequestBudget, TensorDockAdapter, VastAiAdapter, type ProviderAdapter } from '@gpu-shopper/providers';
import { AlertService, insertSession, LifecycleManager, ProviderRegistry, type WebhookNotifier } from '@gpu-shopper/services';
import { startSimulators } from '@gpu-shopper/simulators';

const SESSIONS = 10_000;
const DEPLOYMENT_ID = 'bench';
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchBenchBenchBenchBenchBenchBenchBenchBench bench';

/** One real instance per provider, made through its API: the template the seeded instances copy. */
async function templateInstance(adapter: ProviderAdapter): Promise<string> {
  const [offer] = await adapter.searchOffers({ gpu: '4090', diskGb: 100, limit: 5 });
  if (offer === undefined) throw new Error(`${adapter.name}: no 4090 offer to copy`);
  const created = await adapter.createInstance(offer, { image: 'ubuntu', diskGb: 100, env: {}, ports: [22, 8787], bootstrapScript: 'true', sshPublicKey: SSH_KEY, label: `gpu-shopper:${DEPLOYMENT_ID}:template` });
  return created.instanceId;
}

export async function runLifecycleTickBench(): Promise<{ name: string; results: Record<string, number | string> }> {
  const clock = new ManualClock(new Date());
  const sims = await startSimulators({ clock, vastApiKey: 'bench-vast', tensordockApiToken: 'bench-td', bootDelayMs: 0, nodePublicIp: '127.0.0.1' });
  const orm = await openDatabase({ dbPath: join(mkdtempSync(join(tmpdir(), 'gpu-shopper-tick-')), 'db.sqlite') });
  try {
    const common = { clock, budget: RequestBudget.unlimited(), retry: { sleep: async () => {} } };
    const registry = new ProviderRegistry([new VastAiAdapter({ ...common, apiKey: 'bench-vast', baseUrl: sims.vastUrl }), new TensorDockAdapter({ ...common, apiKey: 'bench-td', baseUrl: sims.tensordockUrl })]);
    const vastTemplate = sims.vast.lifecycle.get(await templateInstance(registry.get('vastai')))!;
    const tdTemplate = sims.tensordock.lifecycle.get(await templateInstance(registry.get('tensordock')))!;

    const seedStartedAt = performance.now();
    for (let first = 0; first < SESSIONS; first += 1_000) {
      const em = orm.em.fork();
      for (let index = first; index < first + 1_000; index += 1) {
        const row = insertSession(em, clock, { consumerId: 'con_bench', workload: 'batch', reservationHours: 12, deploymentId: DEPLOYMENT_ID, actor: 'bench' });
        const onVast = index % 2 === 0;
        const instanceId = onVast ? String(40_000_000 + index) : `${index.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
        const pricing = { computePerHourUsd: 0.4, storagePerHourUsd: 0.01 };
        if (onVast) sims.vast.lifecycle.create(instanceId, { ...vastTemplate.data, label: row.label, portMappings: {} }, pricing);
        else sims.tensordock.lifecycle.create(instanceId, { ...tdTemplate.data, name: row.label }, pricing);
        Object.assign(row, { state: 'ready', provider: onVast ? 'vastai' : 'tensordock', providerInstanceId: instanceId, instanceState: 'running', lastHeartbeatAt: clock.now(), readyAt: clock.now(), nodeEndpoint: 'http://127.0.0.1:1' });
      }
      await em.flush();
    }
    // The templates were only patterns: gone before the measurement.
    sims.vast.lifecycle.destroy(vastTemplate.id);
    sims.tensordock.lifecycle.destroy(tdTemplate.id);
    const seedMs = performance.now() - seedStartedAt;

    const quiet: WebhookNotifier = { notify: async () => {} };
    const lifecycle = new LifecycleManager({ orm, clock, providers: registry, alerts: new AlertService(clock, quiet, { warn: () => {} }), webhooks: quiet, deploymentId: DEPLOYMENT_ID });
    const timed = async (run: () => Promise<unknown>) => {
      const startedAt = performance.now();
      await run();
      return Math.round(performance.now() - startedAt);
    };
    clock.advance(1_000);
    const firstTickMs = await timed(() => lifecycle.tick()); // the first tick sweeps
    clock.advance(1_000);
    const nextTickMs = await timed(() => lifecycle.tick());
    clock.advance(1_000);
    // What a tick does before it lists the providers: reservation ends, idle nodes, heartbeat loss.
    const deadlinesMs = await timed(async () => {
      await lifecycle.enforceReservations();
      await lifecycle.actOnIdleNodes();
      await lifecycle.detectHeartbeatLoss();
    });
    let sweepReports: Awaited<ReturnType<LifecycleManager['sweepProviders']>> = [];
    const sweepMs = await timed(async () => {
      sweepReports = await lifecycle.sweepProviders();
    });
    const listed = sweepReports.reduce((sum, report) => sum + report.listed, 0);
    const orphans = sweepReports.reduce((sum, report) => sum + report.orphansDestroyed.length, 0);
    const stillReady = await orm.em.fork().count(SessionEntity, { state: 'ready' });
    if (orphans !== 0 || stillReady !== SESSIONS || listed !== SESSIONS) throw new Error(`unexpected outcome: ${orphans} orphans, ${stillReady} ready, ${listed} listed`);
    return {
      name: `lifecycle tick: ${SESSIONS.toLocaleString('en')} ready sessions (SQLite file), sweep against both simulators`,
      results: {
        'first tick ms (listing, every session reconciled, sweep)': firstTickMs,
        'next tick ms (the same, nothing changed)': nextTickMs,
        'deadline jobs alone ms (run before the listing)': deadlinesMs,
        'sweep alone ms (listing included)': sweepMs,
        'instances listed': listed,
        'seed ms': Math.round(seedMs),
      },
    };
  } finally {
    await orm.close();
    await sims.close();
  }
}
