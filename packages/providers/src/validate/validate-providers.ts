// `npm run validate:providers [-- --allow-spend=<usd>]`: contract checks against the REAL Vast.ai and
// TensorDock APIs when VASTAI_API_KEY / TENSORDOCK_API_TOKEN are set (VASTAI_API_URL / TENSORDOCK_API_URL
// point it elsewhere, e.g. at `npm run sim`). Read-only unless --allow-spend is given; then it rents the
// cheapest offer the allowance covers, checks it runs at our price and is billed, and destroys it.
// Prints a table per provider, one row per check; exits 1 when any check failed.
import { systemClock } from '@gpu-shopper/domain';
import { TensorDockAdapter } from '../tensordock/adapter';
import { VastAiAdapter } from '../vastai/adapter';
import { formatCheckTable } from './check-table';
import { validateProvider, type ValidateOptions } from './provider-checks';

const allowSpendArg = process.argv.find((arg) => arg.startsWith('--allow-spend='));
const allowSpendUsd = allowSpendArg ? Number(allowSpendArg.split('=')[1]) : 0;
if (!Number.isFinite(allowSpendUsd) || allowSpendUsd < 0) {
  console.error(`--allow-spend: "${allowSpendArg?.split('=')[1] ?? ''}" is not a dollar amount`);
  process.exit(2);
}

const options: ValidateOptions = {
  clock: systemClock,
  allowSpendUsd,
  runMinutes: 15,
  pollIntervalMs: 10_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  sshPublicKey: process.env.VALIDATE_SSH_PUBLIC_KEY ?? 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGpzdW1teWtleWZvcnZhbGlkYXRpb25vbmx5 validate',
  tensordockV0BaseUrl: process.env.TENSORDOCK_V0_API_URL ?? (process.env.TENSORDOCK_API_URL ? undefined : 'https://marketplace.tensordock.com'),
};

let failures = 0;
let validated = 0;
const vastKey = process.env.VASTAI_API_KEY;
if (vastKey) {
  const report = await validateProvider(new VastAiAdapter({ apiKey: vastKey, baseUrl: process.env.VASTAI_API_URL, clock: systemClock }), vastKey, options);
  console.log(formatCheckTable('vastai', report.rows));
  failures += report.failed().length;
  validated += 1;
} else console.log('vastai: skipped (VASTAI_API_KEY not set)');
const tdToken = process.env.TENSORDOCK_API_TOKEN;
if (tdToken) {
  const report = await validateProvider(new TensorDockAdapter({ apiKey: tdToken, baseUrl: process.env.TENSORDOCK_API_URL, clock: systemClock }), tdToken, options);
  console.log(formatCheckTable('tensordock', report.rows));
  failures += report.failed().length;
  validated += 1;
} else console.log('tensordock: skipped (TENSORDOCK_API_TOKEN not set)');
if (validated === 0) console.log('No provider keys: nothing validated.');
process.exitCode = failures > 0 ? 1 : 0;
