// The OpenAPI document, generated from the same routers that serve tRPC and REST, with the statuses
// the server really answers: its success status, and every error response in the API's one shape.
import type { OpenAPIObject } from 'trpc-to-openapi';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { appRouter } from './root';
import { adminProcedure } from './trpc';

export const REST_BASE_PATH = '/api/v1';

/**
 * Procedures whose REST success status is not 200 (the server's responseMeta answers with it; the
 * generator only knows 200). Provisioning answers at once, before the node is ready: 202 Accepted.
 */
export const REST_SUCCESS_STATUS: Readonly<Record<string, number>> = { 'sessions.create': 202 };

/**
 * The error statuses each procedure's own checks and services can raise. documentErrors adds those
 * that come from elsewhere: 400 always, 401 where a credential is needed, 403 for operator-only
 * procedures, 404 where the path has parameters, 413 and 415 where a body is read, 429, 500, 503.
 * 402: a blocking budget; 403: an ownership rule; 404: no such record visible to the caller (or no
 * such consumer name); 409: a conflicting state, or a concurrent write to the same session, budget
 * or override (optimistic locking, mapped in errors.ts); 412: the target's (or the caller's) state
 * does not allow it; 422: an Idempotency-Key reused with another body. Every REST procedure is
 * listed (openapi.test.ts), so a new one is a decision.
 */
export const REST_ERROR_STATUSES: Readonly<Record<string, readonly number[]>> = {
  'inventory.search': [],
  'sessions.create': [402, 409, 412, 422],
  'sessions.list': [404],
  'sessions.get': [404],
  'sessions.credentials': [403, 404, 412],
  'sessions.done': [404, 409],
  'sessions.extend': [402, 404, 409, 412],
  'sessions.shutdown': [404, 409],
  'sessions.heartbeat': [409],
  'costs.summary': [403, 404],
  'costs.session': [404],
  'costs.reconciliation': [],
  'budgets.create': [403, 404, 409],
  'budgets.list': [],
  'budgets.status': [],
  'budgets.delete': [403, 404, 409],
  'overrides.list': [],
  'overrides.approve': [404, 409, 412],
  'overrides.deny': [404, 409],
  'admin.createKey': [],
  'admin.listKeys': [],
  'admin.rotateKey': [404, 412],
  'admin.revokeKey': [404, 409],
  'admin.whoami': [],
  'admin.alerts': [],
  'admin.orphans': [],
  'admin.providers': [],
  'admin.setProviderKey': [409],
  'admin.setWebhook': [412],
  'admin.deliveries': [],
  'audit.list': [],
};

/** Operations with this tag take a node token, and the rate limits leave them alone (rate-limit.ts). */
const NODE_TOKEN_TAG = 'nodes';

type Components = NonNullable<OpenAPIObject['components']>;
type SchemaObject = NonNullable<Components['schemas']>[string];
type ResponseObject = Exclude<NonNullable<Components['responses']>[string], { $ref: string }>;

const ERROR_SCHEMA_REF = { $ref: '#/components/schemas/Error' };

/** The body of every REST error: the tRPC error formatter's shape (trpc.ts), or restErrorBody outside tRPC. */
const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'Every error answer of the REST API. Never a stack trace.',
  properties: {
    message: { type: 'string', description: 'What went wrong, for people' },
    code: { type: 'string', enum: Object.keys(TRPC_ERROR_CODES_BY_KEY), description: 'The HTTP status by name, e.g. NOT_FOUND' },
    data: {
      type: 'object',
      properties: {
        code: { type: 'string', enum: Object.keys(TRPC_ERROR_CODES_BY_KEY), description: 'The same code' },
        httpStatus: { type: 'integer', description: 'The same HTTP status' },
        field: { type: ['string', 'null'], description: 'The input field at fault (the first, where several are), e.g. "max_price" or "Idempotency-Key"' },
        fieldErrors: {
          type: ['object', 'null'],
          additionalProperties: { type: 'array', items: { type: 'string' } },
          description: 'For invalid input: each field at fault (dotted path; "(input)" or "(body)" for the whole) and what is wrong with it',
        },
      },
      required: ['code', 'httpStatus', 'field', 'fieldErrors'],
    },
    issues: {
      type: 'array',
      description: 'Only where the input failed its schema: the schema validator’s issues, each with the field’s path',
      items: {
        type: 'object',
        properties: { code: { type: 'string' }, path: { type: 'array', items: { type: ['string', 'number'] } }, message: { type: 'string' } },
        required: ['path', 'message'],
      },
    },
  },
  required: ['message', 'code', 'data'],
};

interface ErrorResponseSpec {
  code: keyof typeof TRPC_ERROR_CODES_BY_KEY;
  name: string;
  description: string;
  headers?: ResponseObject['headers'];
}

const ERROR_RESPONSES: Readonly<Record<number, ErrorResponseSpec>> = {
  400: {
    code: 'BAD_REQUEST',
    name: 'BadRequest',
    description:
      'Invalid input: a parameter or body field fails validation or is not declared, or the body is not a JSON object (or nests deeper than 32 levels). `data.fieldErrors` names each field at fault (`data.field` the first).',
  },
  401: {
    code: 'UNAUTHORIZED',
    name: 'Unauthorized',
    description: 'No credential, or one that is unknown, revoked, expired or rotated out. Checked before anything about the input.',
    headers: { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } },
  },
  402: { code: 'PAYMENT_REQUIRED', name: 'PaymentRequired', description: 'A blocking budget would be exceeded.' },
  403: { code: 'FORBIDDEN', name: 'Forbidden', description: 'This key may not do this: an operator key is needed, or the target belongs to someone else.' },
  404: { code: 'NOT_FOUND', name: 'NotFound', description: 'No such record visible to this key (another consumer’s is not found either), or no such consumer.' },
  409: { code: 'CONFLICT', name: 'Conflict', description: 'Conflicts with the current state, or with a concurrent change to the same record (read it again and retry).' },
  412: { code: 'PRECONDITION_FAILED', name: 'PreconditionFailed', description: 'The target’s state (or the caller’s role) does not allow this.' },
  413: { code: 'PAYLOAD_TOO_LARGE', name: 'PayloadTooLarge', description: 'The request body is larger than 1 MiB.' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', name: 'UnsupportedMediaType', description: 'A request body that is not application/json.' },
  422: { code: 'UNPROCESSABLE_CONTENT', name: 'UnprocessableContent', description: 'The Idempotency-Key was already used with a different request body (`data.field`: "Idempotency-Key").' },
  429: {
    code: 'TOO_MANY_REQUESTS',
    name: 'TooManyRequests',
    description: 'Over a rate limit: per API key, per client address, or failed authentications per address.',
    headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 }, required: true } },
  },
  500: { code: 'INTERNAL_SERVER_ERROR', name: 'InternalServerError', description: 'An unexpected failure (logged on the server; the body says only "internal error").' },
  503: {
    code: 'SERVICE_UNAVAILABLE',
    name: 'ServiceUnavailable',
    description: 'Not now: the server is shutting down (retry on another replica), or this capability is not available on this server (provisioning, webhooks, provider keys).',
  },
};

let cached: OpenAPIObject | null = null;

/**
 * The document, generated on the first call. trpc-to-openapi is loaded then, not with this package:
 * it brings zod-openapi, openapi3-ts (with yaml) and co-body, some 200 modules a server's start does
 * not need (the server loads it on its first REST request).
 */
export async function openApiDocument(baseUrl = ''): Promise<OpenAPIObject> {
  if (cached !== null && baseUrl === '') return cached;
  const { generateOpenApiDocument } = await import('trpc-to-openapi');
  const document = generateOpenApiDocument(appRouter, {
    title: 'Cloud GPU Shopper API',
    description:
      'One menu of GPU offers from Vast.ai and TensorDock, provisioning, lifecycle and costs. Authenticate with `Authorization: Bearer <API key>`. Errors share one shape (`Error`) whatever their status.',
    version: '0.1.0',
    baseUrl: `${baseUrl}${REST_BASE_PATH}`,
    tags: ['inventory', 'sessions', 'costs', 'budgets', 'overrides', 'admin', 'webhooks', 'audit', 'nodes'],
  });
  documentSuccessStatuses(document);
  documentErrors(document);
  if (baseUrl === '') cached = document;
  return document;
}

interface DocumentedOperation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  responses?: Record<string, unknown>;
}

function eachOperation(document: OpenAPIObject, visit: (operation: DocumentedOperation, method: string, path: string) => void): void {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item as Record<string, DocumentedOperation | undefined>)) {
      if (typeof operation === 'object' && operation !== null && operation.responses !== undefined) visit(operation, method, path);
    }
  }
}

const operationIdOf = (procedurePath: string) => procedurePath.replace(/\./g, '-');

/** Moves the generated 200 response of each REST_SUCCESS_STATUS procedure to its real status. */
function documentSuccessStatuses(document: OpenAPIObject): void {
  const statuses = new Map(Object.entries(REST_SUCCESS_STATUS).map(([procedure, status]) => [operationIdOf(procedure), String(status)]));
  eachOperation(document, (operation) => {
    const status = statuses.get(operation.operationId ?? '');
    if (status === undefined || operation.responses?.['200'] === undefined) return;
    const { '200': success, ...rest } = operation.responses;
    operation.responses = { [status]: success, ...rest };
  });
}

/**
 * Replaces the generator's error responses (a guess, in a shape the server does not send) with the
 * statuses each operation can give, all referring to one Error schema.
 */
function documentErrors(document: OpenAPIObject): void {
  // Operator-only procedures are those built on adminProcedure: they carry its last middleware.
  const operatorOnly = adminProcedure._def.middlewares.at(-1);
  const routerProcedures = appRouter._def.procedures as unknown as Record<string, { _def: { middlewares: readonly unknown[] } }>;
  const procedures = new Map(Object.entries(routerProcedures).map(([path, procedure]) => [operationIdOf(path), { path, procedure }]));

  eachOperation(document, (operation, method, path) => {
    const found = procedures.get(operation.operationId ?? '');
    const statuses = new Set([400, 500, 503, ...(REST_ERROR_STATUSES[found?.path ?? ''] ?? [])]);
    if ((operation.security ?? []).length > 0) statuses.add(401);
    if (found !== undefined && found.procedure._def.middlewares.includes(operatorOnly)) statuses.add(403);
    // A path parameter can name nothing, or (`..`, an encoded slash) make the path lead nowhere.
    if (path.includes('{')) statuses.add(404);
    // Fastify reads a body on every method but GET (and refuses one over 1 MiB, or not JSON).
    if (method !== 'get') statuses.add(413).add(415);
    if (!(operation.tags ?? []).includes(NODE_TOKEN_TAG)) statuses.add(429);
    const success = Object.fromEntries(Object.entries(operation.responses ?? {}).filter(([status]) => Number(status) < 400));
    const errors = [...statuses].sort((a, b) => a - b).map((status) => [String(status), { $ref: `#/components/responses/${ERROR_RESPONSES[status]!.name}` }]);
    operation.responses = { ...success, ...Object.fromEntries(errors) };
  });

  const components = (document.components ??= {});
  const schemas = Object.fromEntries(Object.entries(components.schemas ?? {}).filter(([name]) => !name.startsWith('error.')));
  components.schemas = { ...schemas, Error: ERROR_SCHEMA };
  components.responses = {
    ...components.responses,
    ...Object.fromEntries(
      Object.entries(ERROR_RESPONSES).map(([status, spec]): [string, ResponseObject] => [
        spec.name,
        {
          description: spec.description,
          ...(spec.headers === undefined ? {} : { headers: spec.headers }),
          content: { 'application/json': { schema: ERROR_SCHEMA_REF, example: exampleError(Number(status), spec) } },
        },
      ]),
    ),
  };
}

function exampleError(status: number, { code, description }: ErrorResponseSpec): object {
  const fieldErrors = status === 400 ? { max_price: ['Invalid input: expected number, received NaN'] } : null;
  return { message: status === 400 ? 'Input validation failed' : description, code, data: { code, httpStatus: status, field: fieldErrors === null ? null : 'max_price', fieldErrors } };
}
