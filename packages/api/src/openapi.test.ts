import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument, REST_BASE_PATH, REST_ERROR_STATUSES } from './openapi';
import { appRouter } from './root';

type Operation = { operationId: string; tags?: string[]; security?: unknown[]; responses: Record<string, { $ref?: string }> };

function operationsOf(document: Awaited<ReturnType<typeof openApiDocument>>): { method: string; path: string; operation: Operation }[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) => Object.entries(item as Record<string, Operation>).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })));
}

describe('OpenAPI document', () => {
  it('lists exactly the REST surface, generated from the routers', async () => {
    const document = await openApiDocument();
    expect(document.openapi).toMatch(/^3\./);
    const operations = Object.entries(document.paths ?? {})
      .flatMap(([path, item]) => Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(operations).toEqual(
      [
        'DELETE /admin/keys/{id}',
        'POST /admin/keys/{id}/rotate',
        'GET /audit',
        'GET /admin/providers',
        'PUT /admin/providers/{provider}/key',
        'GET /alerts',
        'GET /orphans',
        'GET /overrides',
        'POST /overrides/{id}/approve',
        'POST /overrides/{id}/deny',
        'GET /sessions/{id}/credentials',
        'POST /sessions/{id}/heartbeat',
        'PUT /webhook',
        'GET /webhook/deliveries',
        'DELETE /budgets/{id}',
        'DELETE /sessions/{id}',
        'GET /admin/keys',
        'GET /budgets',
        'GET /budgets/status',
        'GET /costs',
        'GET /costs/reconciliation',
        'GET /costs/sessions/{id}',
        'GET /inventory',
        'GET /sessions',
        'GET /sessions/{id}',
        'GET /whoami',
        'POST /admin/keys',
        'POST /budgets',
        'POST /sessions',
        'POST /sessions/{id}/done',
        'POST /sessions/{id}/extend',
      ].sort(),
    );
    expect(document.servers?.[0]?.url).toBe('/api/v1');
  });

  it('documents the inventory query parameters and bearer auth', async () => {
    const document = await openApiDocument();
    const parameters = (document.paths?.['/inventory']?.get?.parameters ?? []) as { name: string }[];
    expect(parameters.map((p) => p.name).sort()).toEqual(['gpu', 'limit', 'max_price', 'min_gpus', 'min_reliability', 'min_vram', 'provider', 'region', 'sort']);
    expect(document.components?.securitySchemes).toHaveProperty('Authorization');
  });

  it('documents the real success statuses: 202 for provisioning, 200 elsewhere', async () => {
    const successes = operationsOf(await openApiDocument()).map(({ operation }): [string, string[]] => [operation.operationId, Object.keys(operation.responses).filter((status) => Number(status) < 400)]);
    expect(successes.filter(([, statuses]) => statuses.join() !== '200')).toEqual([['sessions-create', ['202']]]);
  });

  it('gives every operation its error responses, all in the one Error shape', async () => {
    const document = await openApiDocument();
    const responses = document.components?.responses as Record<string, { content?: Record<string, { schema?: { $ref?: string } }>; headers?: Record<string, { required?: boolean }> }>;
    for (const { method, path, operation } of operationsOf(document)) {
      const statuses = Object.keys(operation.responses).map(Number);
      const errors = statuses.filter((status) => status >= 400);
      expect(errors, `${method} ${path}`).toEqual(expect.arrayContaining([400, 500, 503]));
      if ((operation.security ?? []).length > 0) expect(errors, `${method} ${path}`).toContain(401);
      if (method !== 'GET') expect(errors, `${method} ${path}`).toEqual(expect.arrayContaining([413, 415]));
      if (!operation.tags?.includes('nodes')) expect(errors, `${method} ${path}`).toContain(429);
      for (const status of errors) {
        const name = operation.responses[String(status)]!.$ref!.replace('#/components/responses/', '');
        expect(responses[name]?.content?.['application/json']?.schema?.$ref, `${method} ${path} ${status}`).toBe('#/components/schemas/Error');
      }
    }
    expect(responses.TooManyRequests?.headers?.['Retry-After']?.required).toBe(true);
    // The generator's own error schemas (a shape the server never sends) are gone.
    expect(Object.keys(document.components?.schemas ?? {}).filter((name) => name.startsWith('error.'))).toEqual([]);
    const errorSchema = document.components?.schemas?.Error as { required: string[]; properties: { data: { required: string[] } } };
    expect(errorSchema.required).toEqual(['message', 'code', 'data']);
    expect(errorSchema.properties.data.required).toEqual(['code', 'httpStatus', 'field', 'fieldErrors']);
  });

  it('documents the statuses services raise: operator-only 403, 409, 412, 422, 402 where they can happen', async () => {
    const byId = new Map(operationsOf(await openApiDocument()).map(({ operation }) => [operation.operationId, Object.keys(operation.responses).map(Number)]));
    expect(byId.get('sessions-create')).toEqual(expect.arrayContaining([402, 409, 412, 422]));
    expect(byId.get('admin-listKeys')).toContain(403);
    expect(byId.get('admin-whoami')).not.toContain(403);
    expect(byId.get('inventory-search')).not.toContain(409);
  });

  it('lists every REST procedure in REST_ERROR_STATUSES, and nothing else', async () => {
    const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: { openapi?: unknown } } }>)
      .filter(([, procedure]) => procedure._def.meta?.openapi !== undefined)
      .map(([path]) => path);
    expect(Object.keys(REST_ERROR_STATUSES).sort()).toEqual(procedures.sort());
  });

  it('matches the README endpoint table: every operation listed once, no stale row', async () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### REST endpoints'));
    const table = section.slice(section.indexOf('| Method |')).split('\n');
    const rows = table.slice(2, table.findIndex((line, index) => index > 1 && !line.startsWith('|')));
    const listed = rows.map((row) => {
      const [method = '', path = ''] = row.split('|').slice(1, 3).map((cell) => cell.trim());
      return `${method} ${path.replace(/^`|`$/g, '').replace(REST_BASE_PATH, '')}`;
    });
    expect(rows.length).toBeGreaterThan(20);
    expect(listed.sort()).toEqual(operationsOf(await openApiDocument()).map(({ method, path }) => `${method} ${path}`).sort());
  });
});
