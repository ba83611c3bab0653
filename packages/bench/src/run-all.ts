// `npm run bench`: every benchmark, one after another, each reporting its figures side by side.
import { runCliStartupBench } from './cli-startup.bench';
import { runInventoryHttpBench } from './inventory-http.bench';
import { runLifecycleTickBench } from './lifecycle-tick.bench';
import { runLifecycleTickPostgresBench } from './lifecycle-tick-postgres.bench';
import { runProvisionContentionBench } from './provision-contention.bench';
import { runProvisionLatencyBench } from './provision-latency.bench';
import { runServerStartBench } from './server-start.bench';

type Bench = () => Promise<{ name: string; results: Record<string, number | string> }>;

const benches: Bench[] = [runInventoryHttpBench, runProvisionLatencyBench, runProvisionContentionBench, runLifecycleTickBench, runLifecycleTickPostgresBench, runCliStartupBench, runServerStartBench];
try {
  const { runNormalizeBench } = (await import('./normalize.bench')) as { runNormalizeBench: Bench };
  benches.push(runNormalizeBench);
} catch (error) {
  if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
}

let failed = false;
for (const bench of benches) {
  try {
    const { name, results } = await bench();
    console.log(`\n## ${name}`);
    const width = Math.max(...Object.keys(results).map((key) => key.length));
    for (const [key, value] of Object.entries(results)) console.log(`  ${key.padEnd(width)}  ${value}`);
  } catch (error) {
    failed = true;
    console.error(`benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exit(failed ? 1 : 0);
