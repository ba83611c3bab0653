// A fast yes/no for the provider records that already have the shape their zod schema wants (nearly
// all of them): a predicate compiled once from the schema itself, so a response of 10,000 records is
// checked without zod building a copy of each. It only ever says "valid" where the schema would
// accept the record as it is; a record it refuses goes through the schema, which names the problem.
// The predicate is generated as source and compiled with `new Function` (as zod 4 and ajv do): a
// record then costs named property loads the JIT inlines, not a walk over closures and keyed loads
// (that walk cost 1.2 us per Vast record, half of the whole normalization).
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

/** The generated source: one function per object or array schema, the first the record's own. */
class Source {
  private readonly functions: string[] = [];
  private locals = 0;

  /** A new local variable name, unique across the generated source. */
  local(): string {
    return `v${this.locals++}`;
  }

  /** Adds a function taking `value`; returns its name. */
  addFunction(body: string): string {
    const name = `check${this.functions.length}`;
    this.functions.push(`function ${name}(value) {\n${body}\n}`);
    return name;
  }

  compile(entry: string): RecordCheck | null {
    try {
      // Generated from the schema's own definition: no text from outside (keys are JSON-quoted) is in it.
      return new Function(`"use strict";\n${this.functions.join('\n')}\nreturn ${entry};`)() as RecordCheck;
    } catch {
      // Code generation disallowed (--disallow-code-generation-from-strings): zod checks every record.
      return null;
    }
  }
}

/**
 * The schema as a predicate, or null where it uses something this does not know (a refinement, a
 * transform, a coercion, a default...): those records always go through zod. Known: objects (plain
 * or loose), arrays, optional, nullable, unknown, booleans, strings with length bounds, and finite
 * numbers with integer and range checks.
 */
export function compileRecordCheck(schema: z.ZodType): RecordCheck | null {
  const source = new Source();
  const test = expression(schema, 'value', source);
  if (test === null) return null;
  return source.compile(source.addFunction(`return ${test};`));
}

/** A boolean JS expression testing `value` (a variable name) against the schema, or null where unknown. */
function expression(schema: z.ZodType, value: string, source: Source): string | null {
  const def = schema._zod.def as Def;
  if (def.coerce) return null;
  switch (def.type) {
    case 'unknown':
      return 'true';
    case 'boolean':
      return noChecks(def) ? `typeof ${value} === "boolean"` : null;
    case 'optional':
    case 'nullable': {
      const inner = def.innerType === undefined ? null : expression(def.innerType, value, source);
      if (inner === null) return null;
      return `(${value} === ${def.type === 'optional' ? 'undefined' : 'null'} || ${inner})`;
    }
    case 'number':
      return numberExpression(def, value);
    case 'string':
      return stringExpression(def, value);
    case 'array': {
      if (def.element === undefined || !noChecks(def)) return null;
      const item = source.local();
      const element = expression(def.element, item, source);
      if (element === null) return null;
      // Any element passes (an envelope's list of raw records): no loop over thousands of them.
      if (element === 'true') return `Array.isArray(${value})`;
      const check = source.addFunction(
        `if (!Array.isArray(value)) return false;\nfor (let at = 0; at < value.length; at++) {\nconst ${item} = value[at];\nif (!(${element})) return false;\n}\nreturn true;`,
      );
      return `${check}(${value})`;
    }
    case 'object':
      return objectExpression(def, value, source);
    default:
      return null;
  }
}

function noChecks(def: Def): boolean {
  return (def.checks ?? []).length === 0;
}

/** A number as JS source that reads back as the same number (String() round-trips every finite double). */
function literal(bound: number): string {
  return Number.isNaN(bound) ? 'NaN' : bound === Number.POSITIVE_INFINITY ? 'Infinity' : bound === Number.NEGATIVE_INFINITY ? '-Infinity' : String(bound);
}

function numberExpression(def: Def, value: string): string | null {
  const tests = [`typeof ${value} === "number"`, `Number.isFinite(${value})`];
  if (def.format === 'safeint') tests.push(`Number.isSafeInteger(${value})`);
  else if (def.format !== undefined) return null;
  for (const check of def.checks ?? []) {
    const { check: kind, format, value: bound, inclusive } = check._zod.def;
    if (kind === 'number_format' && format === 'safeint') tests.push(`Number.isSafeInteger(${value})`);
    else if (kind === 'greater_than' && typeof bound === 'number') tests.push(`${value} ${inclusive ? '>=' : '>'} ${literal(bound)}`);
    else if (kind === 'less_than' && typeof bound === 'number') tests.push(`${value} ${inclusive ? '<=' : '<'} ${literal(bound)}`);
    else return null;
  }
  return `(${tests.join(' && ')})`;
}

function stringExpression(def: Def, value: string): string | null {
  if (def.format !== undefined) return null;
  let min = 0;
  let max = Number.POSITIVE_INFINITY;
  for (const check of def.checks ?? []) {
    const { check: kind, minimum, maximum } = check._zod.def;
    if (kind === 'min_length' && typeof minimum === 'number') min = Math.max(min, minimum);
    else if (kind === 'max_length' && typeof maximum === 'number') max = Math.min(max, maximum);
    else return null;
  }
  const tests = [`typeof ${value} === "string"`];
  if (min > 0) tests.push(`${value}.length >= ${literal(min)}`);
  if (max !== Number.POSITIVE_INFINITY) tests.push(`${value}.length <= ${literal(max)}`);
  return `(${tests.join(' && ')})`;
}

function objectExpression(def: Def, value: string, source: Source): string | null {
  // A plain object ignores keys it does not declare and a loose one keeps them: either way they pass.
  // A strict one (or a typed catchall) would look at them: not known here.
  if (!noChecks(def) || (def.catchall !== undefined && (def.catchall._zod.def as Def).type !== 'unknown')) return null;
  const lines = ['if (typeof value !== "object" || value === null || Array.isArray(value)) return false;'];
  for (const [key, field] of Object.entries(def.shape ?? {})) {
    const local = source.local();
    const test = expression(field, local, source);
    if (test === null) return null;
    // JSON.stringify quotes any key safely; a constant key compiles to a named (inline-cached) load.
    lines.push(`const ${local} = value[${JSON.stringify(key)}];`, `if (!${test}) return false;`);
  }
  lines.push('return true;');
  return `${source.addFunction(lines.join('\n'))}(${value})`;
}
