// One direct read of an instance, bounded in time: for callers that answer someone (a node's
// heartbeat) and would rather carry on without the provider's word than keep them waiting through
// the adapter's own timeout and retries.
import type { ProviderAdapter, ProviderInstance } from '@gpu-shopper/providers';

/** The instance as the provider describes it now; null when it is unknown, the read failed, or took longer than `timeoutMs`. */
export async function readInstanceWithin(adapter: ProviderAdapter, instanceId: string, timeoutMs: number): Promise<ProviderInstance | null> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
    timer.unref?.();
  });
  try {
    // A read that loses the race goes on in the background; its failure is nobody's to handle.
    return await Promise.race([adapter.getInstance(instanceId).catch(() => null), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
