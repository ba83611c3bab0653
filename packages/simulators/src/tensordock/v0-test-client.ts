// Test helper: calls the TensorDock v0 API as its clients do, form-encoded fields with api_key + api_token.
import { request } from 'node:http';
import type { SimAnswer } from '../test-support/sim-http';

/** node:http rather than fetch: tensordock-rs sends a GET with a form body, which fetch refuses to send. */
export function v0Call(baseUrl: string, method: 'GET' | 'POST', path: string, fields: Record<string, string | number> | null): Promise<SimAnswer> {
  const body = fields === null ? '' : new URLSearchParams(Object.entries(fields).map(([name, value]): [string, string] => [name, String(value)])).toString();
  return new Promise((resolve, reject) => {
    const outgoing = request(`${baseUrl}${path}`, { method, headers: fields === null ? {} : { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The fields of a v0 deploy of one GPU on `host`, forwarding `externalPorts` to 22 and 8787. */
export function v0DeployFields(host: { id: string; gpu: { model: { tensordockName: string } } }, externalPorts: readonly number[], extra: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    name: 'v0-vm',
    hostnode: host.id,
    gpu_model: host.gpu.model.tensordockName,
    gpu_count: 1,
    vcpus: 2,
    ram: 4,
    storage: 100,
    operating_system: 'Ubuntu 22.04 LTS',
    external_ports: `{${externalPorts.join(', ')}}`,
    internal_ports: '{22, 8787}',
    password: 'not-used-with-a-key',
    ssh_key: 'ssh-ed25519 AAAA v0-test',
    ...extra,
  };
}
