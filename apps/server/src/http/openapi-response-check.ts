// Holds a real answer to the OpenAPI document, for tests: its status is documented for the
// operation, its body matches the documented schema, its required headers are there. The schema
// check is a small JSON Schema (2020-12, as OpenAPI 3.1 uses it) validator for the keywords the
// document uses; a keyword outside that subset throws rather than passing unchecked.

export interface JsonSchema {
  [keyword: string]: unknown;
}

/** Keywords that describe and never constrain. */
const ANNOTATIONS = new Set(['description', 'example', 'examples', 'title', 'default', 'format', 'deprecated', 'readOnly', 'writeOnly', 'id', '$schema']);

const typeOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

function matchesType(value: unknown, type: string): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeOf(value) === type;
}

/**
 * What is wrong with `value` against `schema` (empty: valid), each problem prefixed with where.
 * `root` resolves `#/...` references (the OpenAPI document).
 */
export function validateJsonSchema(value: unknown, schema: JsonSchema | boolean, root: object = {}, at = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: no value is allowed here`];
  const problems: string[] = [];
  const check = (child: unknown, childSchema: unknown, where: string) => problems.push(...validateJsonSchema(child, childSchema as JsonSchema | boolean, root, where));
  for (const [keyword, argument] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    switch (keyword) {
      case '$ref':
        check(value, resolve(root, argument as string), at);
        break;
      case 'type': {
        const types = Array.isArray(argument) ? (argument as string[]) : [argument as string];
        if (!types.some((type) => matchesType(value, type))) problems.push(`${at}: expected ${types.join(' or ')}, got ${typeOf(value)}`);
        break;
      }
      case 'enum':
        if (!(argument as unknown[]).some((option) => JSON.stringify(option) === JSON.stringify(value))) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(argument)}`);
        break;
      case 'const':
        if (JSON.stringify(argument) !== JSON.stringify(value)) problems.push(`${at}: expected ${JSON.stringify(argument)}`);
        break;
      case 'properties':
        if (typeOf(value) === 'object') {
          for (const [name, propertySchema] of Object.entries(argument as Record<string, unknown>)) {
            if (Object.hasOwn(value as object, name)) check((value as Record<string, unknown>)[name], propertySchema, `${at}.${name}`);
          }
        }
        break;
      case 'required':
        if (typeOf(value) === 'object') for (const name of argument as string[]) if (!Object.hasOwn(value as object, name)) problems.push(`${at}: missing ${name}`);
        break;
      case 'additionalProperties':
        if (typeOf(value) === 'object') {
          const declared = (schema.properties ?? {}) as Record<string, unknown>;
          for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
            if (!Object.hasOwn(declared, name)) check(child, argument, `${at}.${name}`);
          }
        }
        break;
      case 'items':
        if (Array.isArray(value)) value.forEach((item, index) => check(item, argument, `${at}[${index}]`));
        break;
      case 'allOf':
        for (const branch of argument as unknown[]) check(value, branch, at);
        break;
      case 'anyOf':
      case 'oneOf': {
        const passing = (argument as unknown[]).filter((branch) => validateJsonSchema(value, branch as JsonSchema, root, at).length === 0).length;
        if (keyword === 'anyOf' ? passing === 0 : passing !== 1) problems.push(`${at}: matches ${passing} of the ${keyword} branches`);
        break;
      }
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        if (typeof value === 'number' && !withinBound(value, keyword, argument as number)) problems.push(`${at}: ${value} breaks ${keyword} ${String(argument)}`);
        break;
      case 'minLength':
      case 'maxLength':
        if (typeof value === 'string' && (keyword === 'minLength' ? [...value].length < (argument as number) : [...value].length > (argument as number))) problems.push(`${at}: breaks ${keyword} ${String(argument)}`);
        break;
      case 'minItems':
      case 'maxItems':
        if (Array.isArray(value) && (keyword === 'minItems' ? value.length < (argument as number) : value.length > (argument as number))) problems.push(`${at}: breaks ${keyword} ${String(argument)}`);
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(argument as string, 'u').test(value)) problems.push(`${at}: does not match ${String(argument)}`);
        break;
      default:
        throw new Error(`json-schema-subset: the keyword "${keyword}" (at ${at}) is not supported`);
    }
  }
  return problems;
}

function withinBound(value: number, keyword: string, bound: number): boolean {
  if (keyword === 'minimum') return value >= bound;
  if (keyword === 'maximum') return value <= bound;
  if (keyword === 'exclusiveMinimum') return value > bound;
  return value < bound;
}

/** A `#/a/b` reference inside `root`. */
export function resolve(root: object, ref: string): JsonSchema {
  if (!ref.startsWith('#/')) throw new Error(`json-schema-subset: only local references are supported, not ${ref}`);
  let current: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    current = (current as Record<string, unknown> | undefined)?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (typeof current !== 'object' || current === null) throw new Error(`json-schema-subset: ${ref} resolves to nothing`);
  return current as JsonSchema;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** The parsed JSON body (undefined: none, or not JSON). */
  body: unknown;
}

/** What is wrong with `answer` as an answer of `method path` (as in the document, e.g. `/sessions/{id}`); empty: nothing. */
export function documentedAnswerProblems(document: object, method: string, path: string, answer: Answer): string[] {
  const paths = (document as { paths?: Record<string, Record<string, { responses?: Record<string, JsonSchema> }>> }).paths ?? {};
  const operation = paths[path]?.[method.toLowerCase()];
  if (operation === undefined) return [`${method} ${path} is not in the document`];
  let response = operation.responses?.[String(answer.status)];
  if (response === undefined) return [`${answer.status} is not documented for ${method} ${path} (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`];
  if (typeof response.$ref === 'string') response = resolve(document, response.$ref);
  const problems: string[] = [];
  for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, { required?: boolean }>)) {
    if (header.required === true && answer.headers.get(name) === null) problems.push(`the ${name} header is missing`);
  }
  const schema = (response.content as Record<string, { schema?: JsonSchema }> | undefined)?.['application/json']?.schema;
  if (schema === undefined) return problems;
  if (answer.body === undefined) return [...problems, 'no JSON body'];
  return [...problems, ...validateJsonSchema(answer.body, schema, document)];
}
