// A fast yes/no for the provider records that already have the shape their zod schema wants (nearly
// all of them): a predicate compiled once from the schema itself, so a response of 10,000 records is
// checked without zod building a copy of each. It only ever says "valid" where the schema would
// accept the record as it is; a record it refuses goes through the schema, which names the problem.
import type { z } from 'zod';

export type RecordCheck = (value: unknown) => boolean;

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  element?: z.ZodType;
  coerce?: boolean;
  /** A string or number format (an ISO date, an email, `z.int()`...), checked by the schema itself. */
  format?: string;
}

interface CheckDef {
  check: string;
  format?: string;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The schema as a predicate, or null where it uses something this does not know (a refinement, a
 * transform, a coercion, a default...): those records always go through zod. Known: objects (plain
 * or loose), arrays, optional, nullable, unknown, booleans, strings with length bounds, and finite
 * numbers with integer and range checks.
 */
export function compileRecordCheck(schema: z.ZodType): RecordCheck | null {
  const def = schema._zod.def as Def;
  if (def.coerce) return null;
  switch (def.type) {
    case 'unknown':
      return () => true;
    case 'boolean':
      return noChecks(def) ? (value) => typeof value === 'boolean' : null;
    case 'optional':
    case 'nullable': {
      const inner = def.innerType === undefined ? null : compileRecordCheck(def.innerType);
      if (inner === null) return null;
      return def.type === 'optional' ? (value) => value === undefined || inner(value) : (value) => value === null || inner(value);
    }
    case 'number':
      return numberCheck(def);
    case 'string':
      return stringCheck(def);
    case 'array': {
      const element = def.element === undefined || !noChecks(def) ? null : compileRecordCheck(def.element);
      return element === null ? null : (value) => Array.isArray(value) && value.every(element);
    }
    case 'object':
      return objectCheck(def);
    default:
      return null;
  }
}

function noChecks(def: Def): boolean {
  return (def.checks ?? []).length === 0;
}

function numberCheck(def: Def): RecordCheck | null {
  const tests: ((value: number) => boolean)[] = [Number.isFinite];
  if (def.format === 'safeint') tests.push(Number.isSafeInteger);
  else if (def.format !== undefined) return null;
  for (const check of def.checks ?? []) {
    const { check: kind, format, value: bound, inclusive } = check._zod.def;
    if (kind === 'number_format' && format === 'safeint') tests.push(Number.isSafeInteger);
    else if (kind === 'greater_than' && typeof bound === 'number') tests.push(inclusive ? (value) => value >= bound : (value) => value > bound);
    else if (kind === 'less_than' && typeof bound === 'number') tests.push(inclusive ? (value) => value <= bound : (value) => value < bound);
    else return null;
  }
  return (value) => {
    if (typeof value !== 'number') return false;
    for (const test of tests) if (!test(value)) return false;
    return true;
  };
}

function stringCheck(def: Def): RecordCheck | null {
  if (def.format !== undefined) return null;
  let min = 0;
  let max = Number.POSITIVE_INFINITY;
  for (const check of def.checks ?? []) {
    const { check: kind, minimum, maximum } = check._zod.def;
    if (kind === 'min_length' && typeof minimum === 'number') min = Math.max(min, minimum);
    else if (kind === 'max_length' && typeof maximum === 'number') max = Math.min(max, maximum);
    else return null;
  }
  return (value) => typeof value === 'string' && value.length >= min && value.length <= max;
}

function objectCheck(def: Def): RecordCheck | null {
  // A plain object ignores keys it does not declare and a loose one keeps them: either way they pass.
  // A strict one (or a typed catchall) would look at them: not known here.
  if (!noChecks(def) || (def.catchall !== undefined && (def.catchall._zod.def as Def).type !== 'unknown')) return null;
  const fields: [string, RecordCheck][] = [];
  for (const [key, field] of Object.entries(def.shape ?? {})) {
    const check = compileRecordCheck(field);
    if (check === null) return null;
    fields.push([key, check]);
  }
  return (value) => {
    if (!isObject(value)) return false;
    for (const [key, check] of fields) if (!check(value[key])) return false;
    return true;
  };
}
