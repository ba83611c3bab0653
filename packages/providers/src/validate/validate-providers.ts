// `npm run validate:providers [-- --allow-spend=<usd>]`: contract checks against the REAL Vast.ai and
// TensorDock APIs when VASTAI_API_KEY / TENSORDOCK_API_TOKEN are set. Read-only unless --allow-spend is given;
// then it rents the cheapest matching offer under the cap, waits for running, and destroys it in a finally.
import { sessionLabel, systemClock } from '@gpu-shopper/domain';
import type { ProviderAdapter } from '../adapter';
import { TensorDockAdapter } from '../tensordock/adapter';
import { VastAiAdapter } from '../vastai/adapter';

const allowSpendArg = process.argv.find((arg) => arg.startsWith('--allow-spend='));
const allowSpendUsd = allowSpendArg ? Number(allowSpendArg.split('=')[1]) : 0;
const RUN_MINUTES = 15;
let failures = 0;

async function check(name: string, run: () => Promise<string>): Promise<void> {
  try {
    console.log(`  ok   ${name}: ${await run()}`);
  } catch (error) {
    failures += 1;
    console.log(`  FAIL ${name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}

async function validate(adapter: ProviderAdapter): Promise<void> {
  console.log(`${adapter.name}:`);
  await check('search offers', async () => `${(await adapter.searchOffers({ diskGb: 100, limit: 50 })).length} offers`);
  await check('list instances', async () => `${(await adapter.listInstances()).length} instances`);
  if (adapter.describeBilling) {
    const to = new Date();
    await check('read billing (7 days)', async () => `${(await adapter.describeBilling!([], new Date(to.getTime() - 7 * 86_400_000), to)).length} charges`);
  }
  if (allowSpendUsd > 0) await spend(adapter);
}

async function spend(adapter: ProviderAdapter): Promise<void> {
  // Cap the hourly price so RUN_MINUTES of it stays under the allowance.
  const maxPricePerHourUsd = (allowSpendUsd * 60) / RUN_MINUTES;
  const [offer] = await adapter.searchOffers({ diskGb: 100, maxPricePerHourUsd, limit: 1 });
  if (!offer) {
    console.log(`  skip create: no offer under $${maxPricePerHourUsd.toFixed(2)}/h`);
    return;
  }
  let instanceId: string | null = null;
  try {
    await check(`create on ${offer.id} ($${offer.pricePerHourUsd.toFixed(3)}/h)`, async () => {
      const created = await adapter.createInstance(offer, {
        image: adapter.name === 'vastai' ? 'nvidia/cuda:12.4.1-base-ubuntu22.04' : 'ubuntu2404',
        diskGb: 100,
        env: {},
        ports: [],
        bootstrapScript: 'echo gpu-shopper validation',
        sshPublicKey: process.env.VALIDATE_SSH_PUBLIC_KEY ?? 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGpzdW1teWtleWZvcnZhbGlkYXRpb25vbmx5 validate',
        label: sessionLabel('validate', `run${Date.now()}`),
      });
      instanceId = created.instanceId;
      return `instance ${created.instanceId}`;
    });
    if (instanceId !== null) {
      const id: string = instanceId;
      await check('reaches running', async () => {
        const deadline = Date.now() + RUN_MINUTES * 60_000;
        while (Date.now() < deadline) {
          const instance = await adapter.getInstance(id);
          if (instance?.state === 'running') return `running at ${instance.publicIp ?? '?'}`;
          if (instance?.state === 'failed') throw new Error(`failed: ${instance.statusMessage ?? ''}`);
          await new Promise((resolve) => setTimeout(resolve, 10_000));
        }
        throw new Error('not running in time');
      });
    }
  } finally {
    if (instanceId !== null) {
      const id: string = instanceId;
      await check('destroy and verify gone', async () => {
        await adapter.destroyInstance(id);
        for (let attempt = 0; attempt < 30; attempt++) {
          const instance = await adapter.getInstance(id);
          if (instance === null || instance.state === 'terminated') return 'gone';
          await new Promise((resolve) => setTimeout(resolve, 5_000));
          await adapter.destroyInstance(id);
        }
        throw new Error(`instance ${id} still present: DESTROY IT BY HAND`);
      });
    }
  }
}

const adapters: ProviderAdapter[] = [];
if (process.env.VASTAI_API_KEY) adapters.push(new VastAiAdapter({ apiKey: process.env.VASTAI_API_KEY, baseUrl: process.env.VASTAI_API_URL, clock: systemClock }));
else console.log('vastai: skipped (VASTAI_API_KEY not set)');
if (process.env.TENSORDOCK_API_TOKEN) adapters.push(new TensorDockAdapter({ apiKey: process.env.TENSORDOCK_API_TOKEN, baseUrl: process.env.TENSORDOCK_API_URL, clock: systemClock }));
else console.log('tensordock: skipped (TENSORDOCK_API_TOKEN not set)');
for (const adapter of adapters) await validate(adapter);
if (adapters.length === 0) console.log('No provider keys: nothing validated.');
process.exitCode = failures > 0 ? 1 : 0;
