// The inventory search's input read from a REST query string exactly as trpc-to-openapi reads it,
// for the server's fast path: the same values kept and the same coercion, built once here rather
// than re-marked on the schema at every request.
import { z } from 'zod';
import type { OfferFilter } from '@gpu-shopper/domain';
import { searchFilter, searchInput } from './search';

/**
 * Query parameters as trpc-to-openapi's getQuery passes them on: empty values are dropped, a
 * parameter given once is its value, one given several times stays a list (which then fails).
 */
export function restQueryInput(query: Record<string, string | string[] | undefined>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(query)) {
    const value = query[key];
    if (value) input[key] = Array.isArray(value) && value.length === 1 ? value[0] : value;
  }
  return input;
}

const COERCIBLE = new Set(['number', 'boolean', 'bigint', 'date']);

/**
 * A copy of `schema` whose number, boolean, bigint and date fields coerce their text, as
 * trpc-to-openapi's coerceSchema marks a GET procedure's input (it sets `coerce` on the schema
 * itself, on every request; the copy leaves the procedure's schema as it is).
 */
export function coercedQuerySchema<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>): z.ZodObject<Shape> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    const optional = field instanceof z.ZodOptional;
    const inner = (optional ? field.unwrap() : field) as z.ZodType;
    if (!COERCIBLE.has(inner._zod.def.type)) {
      shape[key] = field;
      continue;
    }
    const coerced = inner.clone({ ...inner._zod.def, coerce: true } as typeof inner._zod.def);
    shape[key] = optional ? coerced.optional() : coerced;
  }
  return z.object(shape) as unknown as z.ZodObject<Shape>;
}

/** `searchInput` as the REST facade validates a query string. */
export const searchQueryInput = coercedQuerySchema(searchInput);

/** GET /inventory's query parameters: the OpenAPI document lists these (a test holds them equal). */
export const REST_SEARCH_PARAMETERS: ReadonlySet<string> = new Set(Object.keys(searchQueryInput.shape));

/**
 * The menu's filter for GET /inventory's query parameters (as Fastify parses them); null for input
 * the REST API would refuse (an unknown parameter, a value the procedure refuses), whose 400 the
 * generic path answers.
 */
export function restSearchFilter(query: Record<string, string | string[] | undefined>): OfferFilter | null {
  for (const name of Object.keys(query)) if (!REST_SEARCH_PARAMETERS.has(name)) return null;
  const parsed = searchQueryInput.safeParse(restQueryInput(query));
  return parsed.success ? searchFilter(parsed.data) : null;
}
