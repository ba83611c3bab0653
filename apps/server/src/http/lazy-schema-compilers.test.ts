import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from './lazy-schema-compilers';

describe('lazy schema compilers', () => {
  const app = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers } });
  afterEach(async () => app.close());

  it('validate bodies and serialize responses as Fastify’s defaults do, for a route that declares schemas', async () => {
    app.post('/echo', {
      schema: {
        body: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] },
        response: { 200: { type: 'object', properties: { name: { type: 'string' } } } },
      },
      handler: (request) => ({ ...(request.body as object), secret: 'not in the response schema' }),
    });
    const refused = await app.inject({ method: 'POST', url: '/echo', payload: { name: '' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ message: expect.stringContaining('name') });
    const answered = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'a' } });
    expect(answered.json()).toEqual({ name: 'a' });
  });
});
