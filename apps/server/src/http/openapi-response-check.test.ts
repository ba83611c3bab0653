import { beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '@gpu-shopper/api';
import { documentedAnswerProblems, validateJsonSchema } from './openapi-response-check';

describe('validateJsonSchema (the subset the document uses)', () => {
  it('checks types, nullable type lists, enums, required, additionalProperties, items, anyOf and references', () => {
    const root = { components: { schemas: { Id: { type: 'string', minLength: 3 } } } };
    const schema = {
      type: 'object',
      properties: { id: { $ref: '#/components/schemas/Id' }, count: { type: 'integer', minimum: 0 }, note: { type: ['string', 'null'] }, kind: { enum: ['a', 'b'] } },
      required: ['id', 'count'],
      additionalProperties: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
    };
    expect(validateJsonSchema({ id: 'abc', count: 2, note: null, kind: 'a', extra: ['x', 1] }, schema, root)).toEqual([]);
    expect(validateJsonSchema({ id: 'ab', count: 1.5, note: 3, kind: 'c', extra: [true] }, schema, root)).toEqual([
      '$.id: breaks minLength 3',
      '$.count: expected integer, got number',
      '$.note: expected string or null, got number',
      '$.kind: "c" is not one of ["a","b"]',
      '$.extra[0]: matches 0 of the anyOf branches',
    ]);
    expect(validateJsonSchema({}, schema, root)).toEqual(['$: missing id', '$: missing count']);
  });

  it('refuses a keyword it does not know rather than passing it unchecked', () => {
    expect(() => validateJsonSchema(1, { multipleOf: 2 })).toThrow(/multipleOf/);
  });
});

describe('documentedAnswerProblems', () => {
  let document: Awaited<ReturnType<typeof openApiDocument>>;
  beforeAll(async () => {
    document = await openApiDocument();
  });
  const errorBody = (code: string, httpStatus: number) => ({ message: 'x', code, data: { code, httpStatus, field: null, fieldErrors: null } });

  it('accepts an error in the API’s shape at a documented status', () => {
    expect(documentedAnswerProblems(document, 'GET', '/sessions/{id}', { status: 404, headers: new Headers(), body: errorBody('NOT_FOUND', 404) })).toEqual([]);
  });

  it('reports an undocumented status, a body in another shape, a missing Retry-After', () => {
    expect(documentedAnswerProblems(document, 'GET', '/inventory', { status: 404, headers: new Headers(), body: errorBody('NOT_FOUND', 404) })[0]).toMatch(/404 is not documented/);
    expect(documentedAnswerProblems(document, 'GET', '/sessions', { status: 503, headers: new Headers(), body: { message: 'shutting down', code: 'SERVICE_UNAVAILABLE' } })).toEqual(['$: missing data']);
    expect(documentedAnswerProblems(document, 'GET', '/sessions', { status: 429, headers: new Headers(), body: errorBody('TOO_MANY_REQUESTS', 429) })).toEqual(['the Retry-After header is missing']);
    expect(documentedAnswerProblems(document, 'GET', '/nowhere', { status: 200, headers: new Headers(), body: {} })).toEqual(['GET /nowhere is not in the document']);
  });
});
