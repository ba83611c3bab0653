// The simulators' admin API (loopback, no auth): instance and billing ground truth, fault plans,
// releasing stuck instances, and making an instance vanish as if the provider lost it.
import type { FaultPlan, SimBillingRow } from '@gpu-shopper/simulators';

export const PROVIDERS = ['vastai', 'tensordock'] as const;
export type Provider = (typeof PROVIDERS)[number];

export interface SimInstanceRow {
  id: string;
  phase: string;
  label: string | null;
}

export class SimAdmin {
  constructor(
    readonly provider: Provider,
    readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/__admin${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${this.provider} simulator ${method} /__admin${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
    return (text === '' ? null : JSON.parse(text)) as T;
  }

  /** Every instance the simulator knows, destroyed ones included. */
  async instances(): Promise<SimInstanceRow[]> {
    const { instances } = await this.call<{ instances: Record<string, unknown>[] }>('GET', '/instances');
    return instances.map((row) => ({ id: String(row.id), phase: String(row.phase), label: typeof row.label === 'string' ? row.label : null }));
  }

  async billing(): Promise<SimBillingRow[]> {
    return (await this.call<{ billing: SimBillingRow[] }>('GET', '/billing')).billing;
  }

  async setFaults(plan: FaultPlan): Promise<void> {
    await this.call('PUT', '/faults', plan);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }

  async releaseStuck(): Promise<void> {
    await this.call('POST', '/release-stuck', {});
  }

  async vanish(instanceId: string): Promise<void> {
    await this.call('POST', `/instances/${encodeURIComponent(instanceId)}/vanish`, {});
  }
}
