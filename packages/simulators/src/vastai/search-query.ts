// Vast's search query language, as the simulator applies it: {field: {op: value}} for
// eq/neq/gt/gte/lt/lte/in/notin on any field (numbers and booleans also as strings, as real clients send
// them), plus the reserved keys order, limit, type (on-demand or bid), allocated_storage.

export const VAST_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'notin'] as const;
type Operator = (typeof VAST_OPERATORS)[number];
// `rented` is documented as not filtered by the server (rented offers are simply absent here).
const RESERVED_KEYS = new Set(['order', 'limit', 'type', 'allocated_storage', 'disable_bundling', 'rented']);

export interface ParsedVastQuery {
  filters: { field: string; operator: Operator; value: unknown }[];
  order: { field: string; descending: boolean }[];
  limit: number;
  allocatedStorageGb: number;
  /** Interruptible ("bid") offers are priced at their minimum bid; "reserved" reads as on-demand here. */
  offerType: 'on-demand' | 'bid' | 'reserved';
}

export class VastQueryError extends Error {}

export const DEFAULT_VAST_LIMIT = 64;
const DEFAULT_ALLOCATED_STORAGE_GB = 8;

export function parseVastQuery(raw: unknown): ParsedVastQuery {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new VastQueryError('Invalid json body');
  const query = raw as Record<string, unknown>;
  const filters: ParsedVastQuery['filters'] = [];
  for (const [field, condition] of Object.entries(query)) {
    if (RESERVED_KEYS.has(field)) continue;
    if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) {
      // A bare value is read as eq, as the CLI's shorthand does.
      filters.push({ field, operator: 'eq', value: condition });
      continue;
    }
    for (const [operator, value] of Object.entries(condition as Record<string, unknown>)) {
      if (!(VAST_OPERATORS as readonly string[]).includes(operator)) throw new VastQueryError(`invalid operator ${operator} for ${field}`);
      if ((operator === 'in' || operator === 'notin') && !Array.isArray(value)) throw new VastQueryError(`${operator} for ${field} needs a list`);
      filters.push({ field, operator: operator as Operator, value });
    }
  }
  const order: ParsedVastQuery['order'] = [];
  if (query.order !== undefined) {
    if (!Array.isArray(query.order)) throw new VastQueryError('order must be a list of [field, direction]');
    for (const entry of query.order) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw new VastQueryError('order must be a list of [field, direction]');
      order.push({ field: entry[0], descending: String(entry[1] ?? 'asc').toLowerCase() === 'desc' });
    }
  }
  const limit = query.limit === undefined ? DEFAULT_VAST_LIMIT : Number(query.limit);
  if (!Number.isFinite(limit)) throw new VastQueryError('limit must be a number');
  const allocated = query.allocated_storage === undefined ? DEFAULT_ALLOCATED_STORAGE_GB : Number(query.allocated_storage);
  if (!Number.isFinite(allocated) || allocated < 0) throw new VastQueryError('allocated_storage must be a non-negative number');
  const type = query.type === undefined || query.type === null ? 'on-demand' : String(query.type).toLowerCase();
  // The OpenAPI enum spells it "ondemand"; its examples and both CLIs send "on-demand": take both.
  const offerType = type === 'bid' || type === 'interruptible' ? 'bid' : type === 'reserved' ? 'reserved' : type === 'on-demand' || type === 'ondemand' ? 'on-demand' : null;
  if (offerType === null) throw new VastQueryError(`invalid type ${type}: on-demand, bid or reserved`);
  return { filters, order, limit: Math.max(0, Math.floor(limit)), allocatedStorageGb: allocated, offerType };
}

/** The value a filter compares against: `verified` and a country-code `geolocation` are derived. */
function fieldValues(record: Record<string, unknown>, field: string): unknown[] {
  if (field === 'verified') return [record.verification === 'verified'];
  if (field === 'geolocation') {
    const geolocation = record.geolocation;
    if (typeof geolocation !== 'string') return [geolocation];
    return [geolocation, geolocation.trim().slice(-2)];
  }
  return [record[field]];
}

/** What a filter value reads as next to a record value: real clients send numbers and booleans as strings ("2", "true"). */
function coerce(value: unknown, like: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  if (typeof like === 'number') {
    const number = Number(value);
    return Number.isFinite(number) ? number : value;
  }
  if (typeof like === 'boolean' || like === null) {
    const lowered = value.trim().toLowerCase();
    if (lowered === 'true') return true;
    if (lowered === 'false') return false;
  }
  return value;
}

function equals(left: unknown, rawRight: unknown): boolean {
  const right = coerce(rawRight, left);
  if (typeof left === 'number' && typeof right === 'number') return left === right;
  // Real records carry null for unset flags (external: null) and the API reads that as false.
  if (typeof left === 'boolean' || typeof right === 'boolean') return Boolean(left) === Boolean(right);
  return left === right;
}

function compare(left: unknown, rawRight: unknown): number | null {
  const right = coerce(rawRight, left);
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left.localeCompare(right);
  return null;
}

function test(value: unknown, operator: Operator, expected: unknown): boolean {
  switch (operator) {
    case 'eq':
      return equals(value, expected);
    case 'neq':
      return !equals(value, expected);
    case 'in':
      return (expected as unknown[]).some((item) => equals(value, item));
    case 'notin':
      return !(expected as unknown[]).some((item) => equals(value, item));
    default: {
      const difference = compare(value, expected);
      if (difference === null) return false;
      if (operator === 'gt') return difference > 0;
      if (operator === 'gte') return difference >= 0;
      if (operator === 'lt') return difference < 0;
      return difference <= 0;
    }
  }
}

export function matchesVastQuery(record: Record<string, unknown>, query: ParsedVastQuery): boolean {
  return query.filters.every(({ field, operator, value }) => {
    const values = fieldValues(record, field);
    // Negative operators must hold for every reading of the field, positive ones for any.
    return operator === 'neq' || operator === 'notin' ? values.every((v) => test(v, operator, value)) : values.some((v) => test(v, operator, value));
  });
}

export function sortVastRecords(records: Record<string, unknown>[], order: ParsedVastQuery['order']): Record<string, unknown>[] {
  if (order.length === 0) return records;
  return records.sort((a, b) => {
    for (const { field, descending } of order) {
      const difference = compare(a[field], b[field]);
      if (difference !== null && difference !== 0) return descending ? -difference : difference;
    }
    return (a.id as number) - (b.id as number);
  });
}
