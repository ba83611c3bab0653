// TensorDock's account endpoints: the v0 billing balance (balance and the hourly cost of every live
// VM, following the billing ground truth) and v2 secrets (reusable SSH keys). Secrets live in memory.
import type { SimRequest, SimResponse } from '../shared/http-server';
import type { SimInstance } from '../shared/lifecycle';

export const TENSORDOCK_SIM_STARTING_BALANCE_USD = 1_000;

interface Secret {
  id: string;
  name: string;
  type: string;
  value: string;
}

export function tensorDockAccountHandlers(context: { instances(): Iterable<SimInstance<unknown>>; newId(): string }) {
  const secrets: Secret[] = [];
  const render = (secret: Secret) => ({ id: secret.id, name: secret.name, type: secret.type });
  return {
    balance(): SimResponse {
      let spent = 0;
      let hourly = 0;
      for (const instance of context.instances()) {
        spent += instance.ledger.charges().totalUsd;
        if (instance.phase === 'destroyed') continue;
        hourly += instance.storagePerHourUsd + (instance.phase === 'running' ? instance.computePerHourUsd : 0);
      }
      return { status: 200, body: { balance: TENSORDOCK_SIM_STARTING_BALANCE_USD - spent, hourly_cost: hourly, success: true } };
    },

    listSecrets(): SimResponse {
      return { status: 200, body: { data: { secrets: secrets.map(render) } } };
    },

    createSecret(request: SimRequest): SimResponse {
      const attributes = (request.body as { data?: { attributes?: Record<string, unknown> } } | undefined)?.data?.attributes;
      const name = attributes?.name;
      const value = attributes?.value;
      if (typeof name !== 'string' || name === '' || typeof value !== 'string' || value === '') {
        return { status: 400, body: { error: 'data.attributes.name and data.attributes.value are required', status: 400 } };
      }
      const secret = { id: context.newId(), name, type: typeof attributes?.type === 'string' ? attributes.type : 'SSHKEY', value };
      secrets.push(secret);
      return { status: 200, body: { data: render(secret) } };
    },

    deleteSecret(request: SimRequest): SimResponse {
      const index = secrets.findIndex((secret) => secret.id === request.params.id);
      if (index < 0) return { status: 404, body: { error: 'Secret not found', status: 404 } };
      secrets.splice(index, 1);
      return { status: 200, body: { data: { type: 'success', attributes: { message: 'Secret deleted successfully' } } } };
    },
  };
}
