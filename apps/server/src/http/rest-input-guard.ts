// Hostile input stops at the door of the REST API, before trpc-to-openapi sees it: the caller is
// authenticated first, JSON bodies are bounded in depth (and in size, by Fastify's bodyLimit), and
// body fields and query parameters the OpenAPI document does not declare are refused by name.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OpenAPIObject } from 'trpc-to-openapi';
import { createInnerContext, requestInfoFromHeaders, type ApiDeps, type ErrorData } from '@gpu-shopper/api';
import { DomainError } from '@gpu-shopper/domain';
import { jsonDepthExceeds } from '@gpu-shopper/agent';

/** Deeper than any input we take (the heartbeat is 3 levels); trpc-to-openapi re-serializes bodies recursively. */
export const MAX_JSON_DEPTH = 32;

/** The most unknown names one answer lists. */
const MAX_REPORTED = 20;

/** Operations with this tag authenticate a node token in their own service; here only its presence is checked. */
const NODE_TOKEN_TAG = 'nodes';

const CODE_BY_STATUS: Record<number, ErrorData['code']> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_SUPPORTED',
  408: 'TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_CONTENT',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** The REST API's error body (the one the tRPC error formatter gives), for errors raised outside tRPC. */
export function restErrorBody(httpStatus: number, message: string, fieldErrors: Record<string, string[]> | null = null): { message: string; code: ErrorData['code']; data: ErrorData } {
  const code = CODE_BY_STATUS[httpStatus] ?? (httpStatus < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR');
  return { message, code, data: { code, httpStatus, field: fieldErrors === null ? null : (Object.keys(fieldErrors)[0] ?? null), fieldErrors } };
}

/** For Fastify's `frameworkErrors`: a URL it cannot decode gets the API's error body too. */
export function answerFrameworkError(error: FastifyError, _request: unknown, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply.code(status).send(restErrorBody(status, error.message));
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
}

export interface RestOperation {
  method: string;
  /** As in the document, e.g. `/sessions/{id}`. */
  path: string;
  pattern: RegExp;
  queryParameters: ReadonlySet<string>;
  bodySchema: JsonSchema | null;
  secured: boolean;
  nodeToken: boolean;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** One entry per operation of the document, matched as trpc-to-openapi matches them (case-insensitive, `{param}` = one segment). */
export function restOperations(document: OpenAPIObject): RestOperation[] {
  const operations: RestOperation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item as Record<string, unknown>)) {
      const op = operation as { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> }; security?: unknown[]; tags?: string[] };
      if (typeof op !== 'object' || op === null || !['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const source = normalizePath(path)
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\{[^/]+?\}/g, '[^/]+');
      operations.push({
        method: method.toUpperCase(),
        path,
        pattern: new RegExp(`^${source}$`, 'i'),
        queryParameters: new Set((op.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name)),
        bodySchema: op.requestBody?.content?.['application/json']?.schema ?? null,
        secured: (op.security ?? []).length > 0,
        nodeToken: (op.tags ?? []).includes(NODE_TOKEN_TAG),
      });
    }
  }
  return operations;
}

function normalizePath(path: string): string {
  return `/${path.replace(/^\/|\/$/g, '')}`;
}

// The depth scan is the agent's (its JSON parser guards against the same overflow).
export { jsonDepthExceeds };

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Names (dotted paths) of object keys in `value` that `schema` does not declare and does not allow. */
export function unknownFields(value: unknown, schema: JsonSchema, document: OpenAPIObject): string[] {
  const found: string[] = [];
  const resolve = (candidate: JsonSchema): JsonSchema => {
    const ref = candidate.$ref?.match(/^#\/components\/schemas\/(.+)$/)?.[1];
    return ref === undefined ? candidate : ((document.components?.schemas?.[ref] as JsonSchema | undefined) ?? {});
  };
  const isObjectSchema = (candidate: JsonSchema) => candidate.type === 'object' || candidate.properties !== undefined;
  // The value's depth is bounded by MAX_JSON_DEPTH, and the walk follows the value, so it ends.
  const visit = (current: unknown, rawSchema: JsonSchema, path: string): void => {
    if (found.length >= MAX_REPORTED) return;
    const schema = resolve(rawSchema);
    if (Array.isArray(current)) {
      if (schema.items !== undefined) current.forEach((item, index) => visit(item, schema.items!, `${path}${index}.`));
      return;
    }
    if (!isPlainObject(current)) return;
    if (!isObjectSchema(schema)) {
      // A union: only where exactly one branch is an object is it clear which keys belong.
      const objectBranches = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].map(resolve).filter(isObjectSchema);
      if (objectBranches.length === 1) visit(current, objectBranches[0]!, path);
      return;
    }
    for (const [key, child] of Object.entries(current)) {
      const declared = schema.properties !== undefined && Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
      // zod writes no additionalProperties for a plain (stripping) object, `{}` for a loose one.
      if (declared !== undefined) visit(child, declared, `${path}${key}.`);
      else if (schema.additionalProperties === undefined || schema.additionalProperties === false) found.push(`${path}${key}`);
      else if (typeof schema.additionalProperties === 'object') visit(child, schema.additionalProperties, `${path}${key}.`);
    }
  };
  visit(value, schema, '');
  return found.slice(0, MAX_REPORTED);
}

const urlPath = (url: string) => url.split('?', 1)[0]!;
const mimeType = (header: string | undefined) => (header ?? '').split(';', 1)[0]!.trim().toLowerCase();

/**
 * Registers the guard on every REST operation of the document (served under `basePath`): a JSON
 * parser with the depth limit (for the whole app; the tRPC plugin keeps its own), authentication
 * before anything about the body is looked at, and the unknown-name check before validation.
 */
/**
 * Registers the guard. Returns the REST operation a request was matched to (once its onRequest hook
 * ran), for the access log's route.
 */
export function registerRestInputGuard(app: FastifyInstance, deps: ApiDeps, documentOf: () => Promise<OpenAPIObject>, basePath: string): (request: FastifyRequest) => RestOperation | undefined {
  // Read from the document on the first REST request rather than at start (generating it, and
  // loading its generator, is not free).
  let loaded: Promise<{ document: OpenAPIObject; operations: RestOperation[] }> | undefined;
  const documentAndOperations = () =>
    (loaded ??= documentOf().then(
      (document) => ({ document, operations: restOperations(document) }),
      (error: unknown) => {
        loaded = undefined; // the next request tries again
        throw error;
      },
    ));
  const operationFor = async (request: FastifyRequest): Promise<RestOperation | undefined> => {
    const path = urlPath(request.url);
    if (!path.startsWith(`${basePath}/`)) return undefined;
    const relative = normalizePath(path.slice(basePath.length));
    const { operations } = await documentAndOperations();
    return operations.find((operation) => operation.method === request.method && operation.pattern.test(relative));
  };
  const matched = new WeakMap<FastifyRequest, RestOperation>();

  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined); // no body: no input, as for a request without one
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      return done(Object.assign(new Error(`the request body nests deeper than ${MAX_JSON_DEPTH} levels`), { statusCode: 400, code: 'JSON_TOO_DEEP' }), undefined);
    }
    parseJson(request, text, done);
  });

  app.addHook('onRequest', async (request, reply) => {
    const operation = await operationFor(request);
    if (operation === undefined) return;
    matched.set(request, operation);
    if (!operation.secured) return;
    const info = requestInfoFromHeaders(request.headers);
    if (info.apiKey === null) {
      return reply.code(401).header('www-authenticate', 'Bearer').send(restErrorBody(401, 'missing credentials: send "Authorization: Bearer <key>"'));
    }
    if (operation.nodeToken) return;
    // Verified in the last few seconds: authenticate would answer from the same cache; no context needed.
    if (deps.callerCache.lookup(info.apiKey) !== null) return;
    try {
      await createInnerContext(deps, info).services.apiKeys.authenticate(info.apiKey);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'UNAUTHORIZED') throw error;
      return reply.code(401).header('www-authenticate', 'Bearer').send(restErrorBody(401, error.message));
    }
  });

  app.addHook('preValidation', async (request, reply) => {
    const operation = matched.get(request);
    if (operation === undefined) return;
    const fieldErrors: Record<string, string[]> = {};
    for (const name of Object.keys((request.query ?? {}) as object).slice(0, MAX_REPORTED)) {
      if (!operation.queryParameters.has(name)) fieldErrors[name] = ['unknown query parameter'];
    }
    if (BODY_METHODS.has(operation.method)) {
      const body = request.body;
      if (body === undefined) {
        // No body at all is no input (`{}`), whatever the content type said (or that none was sent).
        if (request.headers['content-type'] === undefined) request.headers['content-type'] = 'application/json';
      } else if (mimeType(request.headers['content-type']) !== 'application/json') {
        // Another parser (text/plain) took it; trpc-to-openapi would refuse it too, but only now that the caller is known.
        return reply.code(415).send(restErrorBody(415, `unsupported content-type "${mimeType(request.headers['content-type'])}": send application/json`));
      } else if (!isPlainObject(body)) {
        fieldErrors['(body)'] = ['the request body must be a JSON object'];
      } else {
        for (const name of unknownFields(body, operation.bodySchema ?? { type: 'object', properties: {} }, (await documentAndOperations()).document)) fieldErrors[name] = ['unknown field'];
      }
    }
    const names = Object.keys(fieldErrors);
    if (names.length === 0) return;
    const message = `invalid input: ${names.map((name) => `${name}: ${fieldErrors[name]!.join(', ')}`).join('; ')}`;
    return reply.code(400).send(restErrorBody(400, message, fieldErrors));
  });
  return (request) => matched.get(request);
}
