import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi';

describe('OpenAPI document', () => {
  it('lists exactly the REST surface, generated from the routers', () => {
    const document = openApiDocument();
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

  it('documents the inventory query parameters and bearer auth', () => {
    const document = openApiDocument();
    const parameters = (document.paths?.['/inventory']?.get?.parameters ?? []) as { name: string }[];
    expect(parameters.map((p) => p.name).sort()).toEqual(['gpu', 'limit', 'max_price', 'min_gpus', 'min_reliability', 'min_vram', 'provider', 'region', 'sort']);
    expect(document.components?.securitySchemes).toHaveProperty('Authorization');
  });
});
