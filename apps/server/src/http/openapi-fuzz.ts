// A seeded generator of hostile REST requests, read off the OpenAPI document: for each operation,
// a valid request and then wrong types, boundary numbers, huge and control-character strings, deep
// nesting, unknown names, bad bodies and content types, bad credentials and other consumers' ids.
// Pure: the fuzz test sends the cases and judges the answers.
import type { OpenAPIObject } from 'trpc-to-openapi';
import { MAX_JSON_DEPTH } from './rest-input-guard';
import { createRandom, type Random } from '@gpu-shopper/simulators';

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  $ref?: string;
}

export interface FuzzOperation {
  method: string;
  /** As in the document, e.g. `/sessions/{id}`. */
  path: string;
  /** `METHOD path`, for reports. */
  name: string;
  pathParameters: { name: string; schema: JsonSchema }[];
  queryParameters: { name: string; schema: JsonSchema; required: boolean }[];
  headerParameters: { name: string; schema: JsonSchema }[];
  bodySchema: JsonSchema | null;
  /** The documented 2xx statuses. */
  successStatuses: number[];
  secured: boolean;
}

/** Who a case calls as. `consumer`'s own ids are in `ids`; `other` is a second consumer. */
export type Credential = 'consumer' | 'other' | 'admin' | 'node' | 'none' | 'malformed';

export interface FuzzCase {
  kind: string;
  method: string;
  /** Relative to the REST base path, query included, encoded as it is to be sent. */
  url: string;
  credential: Credential;
  /** For `malformed`: the Authorization header to send. */
  authorization?: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Statuses this case must get; otherwise any 4xx or documented success will do. */
  expectStatus?: number[];
  /** A word the error message must contain (the unknown name, say). */
  expectMention?: string;
}

export interface FuzzInputs {
  /** Ids owned by `consumer` (sessions, budgets), put in `{id}` path parameters. */
  ids: string[];
  /** The credential that gets past authorization on this operation (probed by the caller); defaults to `consumer`. */
  credentialFor?: (operation: FuzzOperation) => Credential;
}

/** The simulators' seeded PRNG (mulberry32): the same cases for the same seed everywhere. */
export const seededRandom = createRandom;

const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

export function fuzzOperations(document: OpenAPIObject): FuzzOperation[] {
  const operations: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, raw] of Object.entries(item as Record<string, unknown>)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const operation = raw as {
        parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
        requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
        responses?: Record<string, unknown>;
        security?: unknown[];
      };
      const parameters = operation.parameters ?? [];
      const of = (where: string) => parameters.filter((parameter) => parameter.in === where);
      operations.push({
        method: method.toUpperCase(),
        path,
        name: `${method.toUpperCase()} ${path}`,
        pathParameters: of('path').map((parameter) => ({ name: parameter.name, schema: parameter.schema ?? {} })),
        queryParameters: of('query').map((parameter) => ({ name: parameter.name, schema: parameter.schema ?? {}, required: parameter.required === true })),
        headerParameters: of('header').map((parameter) => ({ name: parameter.name, schema: parameter.schema ?? {} })),
        bodySchema: operation.requestBody?.content?.['application/json']?.schema ?? null,
        successStatuses: Object.keys(operation.responses ?? {})
          .map(Number)
          .filter((status) => status >= 200 && status < 300),
        secured: (operation.security ?? []).length > 0,
      });
    }
  }
  return operations;
}

const typesOf = (schema: JsonSchema): string[] => (Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type]);

/** A value the schema accepts (as far as one can tell without running it). */
export function validValue(schema: JsonSchema, random: Random): unknown {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches !== undefined && branches.length > 0) return validValue(pick(random, branches), random);
  if (schema.enum !== undefined && schema.enum.length > 0) return pick(random, schema.enum);
  if (schema.default !== undefined) return schema.default;
  const type = typesOf(schema).find((candidate) => candidate !== 'null') ?? (schema.properties ? 'object' : 'string');
  switch (type) {
    case 'integer':
    case 'number': {
      const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
      const high = Math.min(schema.maximum ?? low + 10, low + 10);
      return type === 'integer' ? Math.ceil(low + random() * (high - low)) : Math.round((low + random() * (high - low)) * 100) / 100 || high;
    }
    case 'boolean':
      return random() < 0.5;
    case 'array': {
      const length = Math.max(schema.minItems ?? 0, 1);
      return Array.from({ length }, (_, index) => (schema.items?.type === 'integer' ? Math.min((schema.items.minimum ?? 1) + index, schema.items.maximum ?? Infinity) : validValue(schema.items ?? {}, random)));
    }
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if ((schema.required ?? []).includes(name) || (property.pattern === undefined && random() < 0.3)) value[name] = validValue(property, random);
      }
      return value;
    }
    default: {
      if (schema.format === 'date-time') return new Date(Date.UTC(2026, 0, 1 + Math.floor(random() * 28))).toISOString();
      if (schema.format === 'date') return '2026-01-15';
      const length = Math.min(Math.max(schema.minLength ?? 1, 4), schema.maxLength ?? 8);
      return 'fuzz'.repeat(length).slice(0, length);
    }
  }
}

/** The classics: wrong types, edges of every number, huge and hostile strings, deep structures. */
export function hostileValues(): unknown[] {
  let nested: unknown = 'bottom';
  for (let level = 0; level < MAX_JSON_DEPTH - 4; level++) nested = { level: nested };
  return [
    -1,
    0,
    -0.0001,
    1.5,
    1e308,
    -1e308,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '0x1F',
    ' 42 ',
    '',
    ' ',
    'x'.repeat(100_000),
    '\u0000\u0001\u0007\u001b[31m\u007f',
    '\ud800',
    '\udfff\ud800x',
    '\uffff\ufffe',
    '\u202egnp.exe',
    '😀'.repeat(2_000),
    'null',
    'undefined',
    '../../../../etc/passwd',
    "' OR '1'='1' --",
    '<script>alert(1)</script>',
    '${7*7}{{7*7}}%s%n',
    '__proto__',
    'constructor',
    true,
    false,
    null,
    [],
    {},
    ['a', 'b'],
    Array.from({ length: 10_000 }, (_, index) => index),
    JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
    { nested: { deeper: [1, { x: 'y' }] } },
    nested,
  ];
}

/** Path parameter values, already encoded (some deliberately badly) for the URL. */
const HOSTILE_PATH_VALUES = ['0', '-1', 'NaN', '%00', '%ZZ', '%E0%A4%A', '..', '.', '%2e%2e%2f%2e%2e', 'a'.repeat(70), 'a'.repeat(600), encodeURIComponent('\u0000\u001b'), encodeURIComponent('😀'), encodeURIComponent("' OR 1=1"), 'ses_%252e', '%C0%AF'];

/** Raw query strings (after `?`) that no parser should choke on. */
const HOSTILE_QUERIES = ['%ZZ=1', 'a=%E0%A4%A', '&&&', '=x', '%00=%00', 'a[b][c]=1', 'a[]=1&a[]=2', `q=${'x'.repeat(8_000)}`, '__proto__[polluted]=1', 'constructor[prototype][x]=1'];

const MALFORMED_AUTHORIZATION = ['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer gsc_not-a-real-key', 'Bearer gsa_', `Bearer ${'k'.repeat(8_000)}`, 'bearer  gsc_x y', 'Token abc', 'Bearer \t'];

/** Invalid UTF-8 inside a JSON string: a lone continuation byte, an overlong encoding, a truncated sequence. */
const INVALID_UTF8_JSON = new Uint8Array([0x7b, 0x22, 0x78, 0x22, 0x3a, 0x22, 0x80, 0xc0, 0xaf, 0xe2, 0x82, 0x22, 0x7d]);

/** encodeURIComponent, except that a lone surrogate goes out as its (invalid UTF-8) WTF-8 bytes instead of throwing. */
const encode = (text: string): string =>
  text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[^\ud800-\udfff]+|[\ud800-\udbff][\udc00-\udfff]/g, (part) => {
    if (part.length > 1 || !/[\ud800-\udfff]/.test(part)) return encodeURIComponent(part);
    const code = part.charCodeAt(0);
    return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
  });

const queryString = (entries: [string, unknown][]): string => {
  const parts: string[] = [];
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value.slice(0, 50)) parts.push(`${encode(name)}=${encode(String(item))}`);
    else if (typeof value === 'object' && value !== null) parts.push(`${encode(name)}=${encode(JSON.stringify(value))}`);
    // Capped so the request line stays under Node's 16 KiB header limit (past it Node answers 431 itself).
    else parts.push(`${encode(name)}=${encode(String(value)).slice(0, 6_000).replace(/%[0-9A-F]{0,1}$/, '')}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
};

const hasBody = (operation: FuzzOperation) => ['POST', 'PUT', 'PATCH'].includes(operation.method);

/** `count` cases for one operation: first one of each kind that applies, then random kinds. */
export function generateCases(operation: FuzzOperation, count: number, random: Random, inputs: FuzzInputs): FuzzCase[] {
  const credential = inputs.credentialFor?.(operation) ?? 'consumer';
  const hostile = hostileValues();
  const validPath = (values: Record<string, string> = {}) =>
    operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      if (values[name] !== undefined) return values[name];
      const parameter = operation.pathParameters.find((candidate) => candidate.name === name);
      if (name === 'id' && inputs.ids.length > 0) return encodeURIComponent(pick(random, inputs.ids));
      return encode(String(validValue(parameter?.schema ?? {}, random)));
    });
  const validQuery = (): [string, unknown][] => operation.queryParameters.filter((parameter) => parameter.required || random() < 0.3).map((parameter) => [parameter.name, validValue(parameter.schema, random)]);
  const validBody = (): Record<string, unknown> => (operation.bodySchema === null ? {} : (validValue(operation.bodySchema, random) as Record<string, unknown>));
  const json = (headers: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...headers });
  const base = (kind: string, overrides: Partial<FuzzCase> = {}): FuzzCase => {
    const body = hasBody(operation) ? JSON.stringify(validBody()) : undefined;
    return { kind, method: operation.method, url: `${validPath()}${queryString(validQuery())}`, credential, headers: body === undefined ? {} : json(), body, ...overrides };
  };
  const fieldNames = (): string[] => (hasBody(operation) ? Object.keys(operation.bodySchema?.properties ?? {}) : operation.queryParameters.map((parameter) => parameter.name));

  const kinds: Record<string, () => FuzzCase | null> = {
    valid: () => base('valid'),
    'no credentials': () => (operation.secured ? base('no credentials', { credential: 'none', expectStatus: [401] }) : null),
    'malformed credentials': () => (operation.secured ? base('malformed credentials', { credential: 'malformed', authorization: pick(random, MALFORMED_AUTHORIZATION), expectStatus: [401] }) : null),
    // Without credentials, nothing about the body is looked at: 401, not 415 or 413.
    'no credentials, no body': () => (operation.secured && hasBody(operation) ? { kind: 'no credentials, no body', method: operation.method, url: validPath(), credential: 'none', headers: {}, expectStatus: [401] } : null),
    "another consumer's ids": () => {
      if (!operation.pathParameters.some((parameter) => parameter.name === 'id') || inputs.ids.length === 0) return base("another consumer's key", { credential: 'other' });
      // Never a success: the ids belong to `consumer`.
      return base("another consumer's ids", { credential: 'other', url: validPath({ id: encodeURIComponent(pick(random, inputs.ids)) }), expectStatus: [400, 401, 403, 404, 409, 412, 422] });
    },
    'admin key': () => base('admin key', { credential: 'admin' }),
    'unknown field': () => {
      const name = `unknown_${Math.floor(random() * 1e6)}`;
      if (!hasBody(operation)) return base('unknown query parameter', { url: `${validPath()}${queryString([...validQuery(), [name, '1']])}`, expectStatus: [400], expectMention: name });
      return base('unknown body field', { body: JSON.stringify({ ...validBody(), [name]: pick(random, [1, 'x', null, [], {}]) }), expectStatus: [400], expectMention: name });
    },
    'unknown query parameter on a body operation': () => (hasBody(operation) ? base('unknown query parameter on a body operation', { url: `${validPath()}?max_prise=0.5`, expectStatus: [400], expectMention: 'max_prise' }) : null),
    'one hostile field': () => {
      const names = fieldNames();
      if (names.length === 0) return null;
      const name = pick(random, names);
      const value = pick(random, hostile);
      if (!hasBody(operation)) return base(`hostile query ${name}`, { url: `${validPath()}${queryString([...validQuery().filter(([other]) => other !== name), [name, value]])}` });
      return base(`hostile field ${name}`, { body: JSON.stringify({ ...validBody(), [name]: value }) });
    },
    'every field hostile': () => {
      const names = fieldNames();
      if (names.length === 0) return null;
      const entries = names.map((name) => [name, pick(random, hostile)] as [string, unknown]);
      if (!hasBody(operation)) return base('every query parameter hostile', { url: `${validPath()}${queryString(entries)}` });
      return base('every field hostile', { body: JSON.stringify(Object.fromEntries(entries)) });
    },
    'hostile path parameter': () => (operation.pathParameters.length === 0 ? null : base('hostile path parameter', { url: validPath(Object.fromEntries(operation.pathParameters.map((parameter) => [parameter.name, pick(random, HOSTILE_PATH_VALUES)]))) })),
    'hostile query string': () => base('hostile query string', { url: `${validPath()}?${pick(random, HOSTILE_QUERIES)}` }),
    'hostile header': () =>
      operation.headerParameters.length === 0 ? null : base('hostile header', { headers: { ...(hasBody(operation) ? json() : {}), [pick(random, operation.headerParameters).name]: pick(random, ['', 'x'.repeat(5_000), '0', '-1', '../..', '%00', 'é']) } }),
    'deep nesting': () => {
      const depth = pick(random, [MAX_JSON_DEPTH + 1, 5_000, 100_000]);
      if (!hasBody(operation)) return base('deep query', { url: `${validPath()}?${'a'}${'[x]'.repeat(Math.min(depth, 500))}=1` });
      const name = fieldNames()[0] ?? 'x';
      return base('deep body', { body: `{"${name}":${'['.repeat(depth)}${']'.repeat(depth)}}`, expectStatus: [400] });
    },
    'huge body': () => (hasBody(operation) ? base('huge body', { body: JSON.stringify({ ...validBody(), padding: 'x'.repeat(2 * 1024 * 1024) }), expectStatus: [413] }) : null),
    'huge array': () => {
      if (!hasBody(operation)) return null;
      return base('huge array', { body: JSON.stringify({ ...validBody(), [fieldNames()[0] ?? 'x']: Array.from({ length: 100_000 }, () => 1) }) });
    },
    'body of the wrong shape': () => (hasBody(operation) ? base('body of the wrong shape', { body: pick(random, ['[]', '[1,2]', '"text"', '42', 'null', 'true', '{"a":', '{"a":1}{"b":2}', '\u0000', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}']) }) : null),
    'wrong content type': () =>
      hasBody(operation)
        ? base('wrong content type', { headers: { 'content-type': pick(random, ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx', 'application/json; charset=latin1', '*/*']) } })
        : null,
    'body without a content type': () => (hasBody(operation) ? base('body without a content type', { headers: {} }) : null),
    'invalid UTF-8': () => (hasBody(operation) ? base('invalid UTF-8', { body: INVALID_UTF8_JSON }) : base('invalid UTF-8 query', { url: `${validPath()}?${operation.queryParameters[0]?.name ?? 'q'}=%C0%AF%80%FF` })),
  };

  const names = Object.keys(kinds);
  const cases: FuzzCase[] = [];
  for (const name of names) {
    if (cases.length >= count) break;
    const generated = kinds[name]!();
    if (generated !== null) cases.push(generated);
  }
  for (let attempts = 0; cases.length < count && attempts < count * 10; attempts++) {
    const generated = kinds[pick(random, names)]!();
    if (generated !== null) cases.push(generated);
  }
  return cases;
}
