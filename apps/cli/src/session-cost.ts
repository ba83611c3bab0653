// A session's cost so far, for `gpu-shopper session`: what the server's ledger says (costs.session),
// or null when it cannot say (no such procedure on an older server, or no access) — never an estimate.
import type { ShopperClient } from '@gpu-shopper/sdk';

export async function sessionCostSoFar(client: ShopperClient, sessionId: string): Promise<number | null> {
  try {
    return (await client.costs.session.query({ id: sessionId })).totalUsd;
  } catch {
    return null;
  }
}
