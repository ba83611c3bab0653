// What the server tells the operator at start-up: where it listens, how to get in, and whether
// it is simulating providers.
import type { RunningServer } from './start';

export function startupMessage(server: RunningServer): string {
  const lines = [`gpu-shopper server listening on ${server.url}`, `  REST:    ${server.url}/api/v1   (OpenAPI: ${server.url}/api/v1/openapi.json, docs: ${server.url}/docs)`, `  tRPC:    ${server.url}/trpc`];
  if (server.admin.kind === 'generated') {
    lines.push(`  admin key written to ${server.admin.keyFile} (mode 0600): export GPU_SHOPPER_API_KEY=$(cat ${server.admin.keyFile})`);
  } else if (server.admin.kind === 'env') {
    lines.push('  admin key: from GPU_SHOPPER_ADMIN_KEY');
  }
  if (server.simulatedProviders.length > 0) {
    const banner = '*'.repeat(78);
    lines.push(
      banner,
      `*  SIMULATION MODE: no API key for ${server.simulatedProviders.join(', ')}.`,
      '*  Offers and instances come from local provider simulators on loopback; nothing is rented',
      '*  and nothing is billed. Set VASTAI_API_KEY / TENSORDOCK_API_TOKEN to use the real providers.',
      banner,
    );
  }
  return lines.join('\n');
}
