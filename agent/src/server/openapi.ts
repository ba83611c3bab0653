// The agent's OpenAPI document: generated from the router's meta, plus the raw streaming routes
// (uploads, downloads, the OpenAI pass-through, log following, health) described by hand. Every
// error is in the shopper API's shape (Error), but OpenAI's envelope (OpenAiError) on the pass-through.
import { generateOpenApiDocument } from 'trpc-to-openapi';
import type { OpenAPIObject } from 'trpc-to-openapi';
import { agentRouter } from '../router';

/** The same shape as the shopper API's Error (packages/api/src/openapi.ts), which the agent cannot import. */
const ERROR_SCHEMA = {
  type: 'object',
  description: 'Every error of the REST facade and the raw routes (not the OpenAI pass-through). Never a stack trace.',
  properties: {
    message: { type: 'string' },
    code: { type: 'string', description: 'The HTTP status by name, e.g. NOT_FOUND, RANGE_NOT_SATISFIABLE' },
    data: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        httpStatus: { type: 'integer' },
        field: { type: ['string', 'null'], description: 'The input field at fault, e.g. "path"' },
        fieldErrors: { type: ['object', 'null'], additionalProperties: { type: 'array', items: { type: 'string' } }, description: 'For invalid input: each field at fault and what is wrong with it' },
      },
      required: ['code', 'httpStatus', 'field', 'fieldErrors'],
    },
  },
  required: ['message', 'code', 'data'],
} as const;

/** What the OpenAI SDKs read from an error of an OpenAI-compatible server. */
const OPENAI_ERROR_SCHEMA = {
  type: 'object',
  description: 'OpenAI’s error envelope: the agent’s own errors on the pass-through (401, 503); the engine’s are passed on as they are',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, param: { type: ['string', 'null'] } }, required: ['code', 'message'] } },
  required: ['error'],
} as const;

const errorContent = (schema: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } });
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((status) => [String(status), { description: 'Error', content: errorContent('Error') }]));
const openAiErrors = (...statuses: number[]) => Object.fromEntries(statuses.map((status) => [String(status), { description: 'Error', content: errorContent('OpenAiError') }]));
const bearer = [{ Authorization: [] }];
const pathParameter = (name: string, description: string) => ({ name, in: 'path' as const, required: true, schema: { type: 'string' as const }, description });

const rawPaths = {
  '/healthz': {
    get: {
      operationId: 'health-healthz',
      tags: ['health'],
      summary: 'Liveness and readiness (no authentication): 200 when ready, 503 while starting or draining',
      responses: {
        '200': { description: 'Ready', content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string' }, ready: { type: 'boolean' } } } } } },
        '503': { description: 'Not ready' },
      },
    },
  },
  '/openapi.json': {
    get: { operationId: 'openapi-document', tags: ['meta'], summary: 'This document', security: bearer, responses: { '200': { description: 'OpenAPI 3.1 document' }, ...errors(401) } },
  },
  '/files/upload': {
    post: {
      operationId: 'files-upload',
      tags: ['files'],
      summary: 'Upload a file (streamed body) to a path in the workspace',
      security: bearer,
      parameters: [{ name: 'path', in: 'query' as const, required: true, schema: { type: 'string' as const }, description: 'Target path relative to the workspace root' }],
      requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
      responses: {
        '201': { description: 'Stored', content: { 'application/json': { schema: { type: 'object', properties: { path: { type: 'string' }, sizeBytes: { type: 'integer' } } } } } },
        ...errors(400, 401, 409, 413),
      },
    },
  },
  '/files/download/{path}': {
    get: {
      operationId: 'files-download',
      tags: ['files'],
      summary: 'Download a workspace file (streamed; supports a single Range)',
      security: bearer,
      parameters: [pathParameter('path', 'File path relative to the workspace root (slashes allowed)'), { name: 'Range', in: 'header' as const, required: false, schema: { type: 'string' as const } }],
      responses: {
        '200': { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        '206': { description: 'The requested range', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        ...errors(400, 401, 404, 416),
      },
    },
  },
  '/llm/v1/models': {
    get: { operationId: 'llm-openai-models', tags: ['llm'], summary: 'OpenAI-compatible model list (pass-through)', security: bearer, responses: { '200': { description: 'OpenAI model list' }, ...openAiErrors(401, 503) } },
  },
  '/llm/v1/chat/completions': {
    post: {
      operationId: 'llm-openai-chat-completions',
      tags: ['llm'],
      summary: 'OpenAI-compatible chat completions (pass-through; stream: true gives Server-Sent Events)',
      security: bearer,
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
      responses: {
        '200': { description: 'Completion, or an SSE stream of chunks ending with data: [DONE]', content: { 'application/json': { schema: { type: 'object' } }, 'text/event-stream': { schema: { type: 'string' } } } },
        ...openAiErrors(401, 503),
      },
    },
  },
  '/ml/jobs/{jobId}/logs/follow': {
    get: {
      operationId: 'ml-logs-follow',
      tags: ['ml'],
      summary: "Follow a job's log as Server-Sent Events (line events, then one exit event)",
      security: bearer,
      parameters: [pathParameter('jobId', 'Job id from the start command'), { name: 'tailLines', in: 'query' as const, required: false, schema: { type: 'integer' as const } }],
      responses: { '200': { description: 'Event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors(401, 404) },
    },
  },
};

export function createOpenApiDocument(version: string): OpenAPIObject {
  const document = generateOpenApiDocument(agentRouter, {
    title: 'GPU Shopper node agent',
    description:
      'Runs on the rented node: LLM access, files, ML jobs, status. Authenticate with the session token as a bearer token. Errors are in the shopper API’s shape (`Error`), except on the OpenAI-compatible pass-through under /llm/v1, where OpenAI clients expect OpenAI’s envelope (`OpenAiError`).',
    version,
    baseUrl: '/node/v1',
    securitySchemes: { Authorization: { type: 'http', scheme: 'bearer' } },
    paths: rawPaths as never,
  });
  // The generator describes the errors of the router's procedures in a shape of its own; ours replaces
  // it (in new objects: the generator shares its response objects between documents).
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item as Record<string, { responses: Record<string, { content?: unknown }> }>)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400 && response.content !== undefined && !JSON.stringify(response.content).includes('OpenAiError')) operation.responses[status] = { ...response, content: errorContent('Error') };
      }
    }
  }
  const components = (document.components ??= {});
  const schemas = Object.fromEntries(Object.entries(components.schemas ?? {}).filter(([name]) => !name.startsWith('error.')));
  components.schemas = { ...schemas, Error: ERROR_SCHEMA as never, OpenAiError: OPENAI_ERROR_SCHEMA as never };
  return document;
}
