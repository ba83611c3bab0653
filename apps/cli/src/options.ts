// Options that take a value (`valueOption`: usage reads `--hours <n>`) and the typanion validators
// they share, so "--max-price=abc" is a usage error that names the option before anything is sent.
import * as t from 'typanion';
import type { StrictValidator } from 'typanion';
import { Option } from './clipanion';
import { closest } from './suggest';

/** The parts of a clipanion command builder that option placeholders need (its class is not exported). */
interface BuilderView {
  options: { names: string[]; arity: number; placeholder?: string; values?: readonly string[] }[];
  usage: (options?: { detailed?: boolean; inlineOptions?: boolean }) => { usage: string; options: { definition: string; description: string; required: boolean }[] };
}

/** Marks a builder whose `usage` already names placeholders. */
const RELABELLED = Symbol('gpu-shopper/placeholders');

/**
 * Clipanion 3 writes every option value as "#0" ("--hours #0") and has no setting for it. The
 * builder is the one place all usage text comes from (help, parse errors, definitions), so each
 * builder's `usage` is wrapped once to write the placeholder its options were given instead.
 */
function relabel(builder: BuilderView): void {
  const record = builder as BuilderView & { [RELABELLED]?: true };
  if (record[RELABELLED]) return;
  record[RELABELLED] = true;
  const original = builder.usage.bind(builder);
  const rewrite = (text: string) =>
    builder.options.reduce((result, option) => (option.placeholder === undefined || option.arity !== 1 ? result : result.split(`${option.names.join(',')} #0`).join(`${option.names.join(',')} <${option.placeholder}>`)), text);
  builder.usage = (options) => {
    const result = original(options);
    return { usage: rewrite(result.usage), options: result.options.map((option) => ({ ...option, definition: rewrite(option.definition) })) };
  };
}

interface OptionSpec {
  definition: (builder: BuilderView, key: string) => void;
}

export interface ValueOptionFlags<T> {
  description: string;
  /** What the value is, shown as `--name <placeholder>` (default: the option's name). */
  placeholder?: string;
  /** The words the value may be, for shell completion (default: a placeholder like "a|b|c" says them). */
  values?: readonly string[];
  validator?: StrictValidator<unknown, T>;
  hidden?: boolean;
}

/** "--max-price" → "max-price". */
function defaultPlaceholder(descriptor: string): string {
  return descriptor.split(',').at(-1)!.replace(/^-+/, '');
}

/**
 * A string option (`Option.String`) whose usage reads `--hours <n>` instead of clipanion's
 * `--hours #0`. Every option that takes a value is declared through this.
 */
export function valueOption<T extends NonNullable<unknown> = string>(descriptor: string, flags: ValueOptionFlags<T> & { required: true }): T;
export function valueOption<T extends NonNullable<unknown> = string>(descriptor: string, flags: ValueOptionFlags<T> & { required?: false }): T | undefined;
export function valueOption<T extends NonNullable<unknown> = string>(descriptor: string, initialValue: string, flags: ValueOptionFlags<T>): T;
export function valueOption<T extends NonNullable<unknown> = string>(descriptor: string, first: string | (ValueOptionFlags<T> & { required?: boolean }), second?: ValueOptionFlags<T>): T | undefined {
  const flags = typeof first === 'string' ? second! : first;
  const { placeholder = defaultPlaceholder(descriptor), values = placeholder.includes('|') ? placeholder.split('|') : undefined, ...rest } = flags;
  const spec = (typeof first === 'string' ? Option.String(descriptor, first, rest) : Option.String(descriptor, rest)) as unknown as OptionSpec;
  const names = descriptor.split(',');
  const labelled: OptionSpec = {
    ...spec,
    definition(builder, key) {
      spec.definition(builder, key);
      const option = builder.options.find((candidate) => candidate.names.join(',') === names.join(','));
      if (option !== undefined) Object.assign(option, { placeholder, values });
      relabel(builder);
    },
  };
  return labelled as unknown as T;
}

const DECIMAL = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/;

/** Validation messages read "<option> must be ..." once parse-errors.ts puts the option's name in front. */
function fail(state: t.ValidationState | undefined, message: string): false {
  state?.errors?.push(`${state.p ?? '.'}: ${message}`);
  return false;
}

/** Turns the option's text into the number once validation passed (clipanion applies coercions after). */
function coerce(state: t.ValidationState | undefined, value: number): void {
  if (state?.coercions !== undefined && state.coercion !== undefined) state.coercions.push([state.p ?? '.', state.coercion.bind(null, value)]);
}

/**
 * A decimal number ("0.50", "24", ".5"). Not typanion's isNumber: it refuses "0.50" because the
 * text does not round-trip through JSON. Ranges are the server's to check; it names the field.
 */
export const isNumber = () =>
  t.makeValidator<unknown, number>({
    test: (value, state): value is number => {
      if (typeof value === 'number' && Number.isFinite(value)) return true;
      if (typeof value === 'string' && DECIMAL.test(value)) {
        coerce(state, Number(value));
        return true;
      }
      return fail(state, `must be a number (got ${JSON.stringify(value)})`);
    },
  });

export interface CountRange {
  min?: number;
  max?: number;
  /** Said after the range when a value is out of it: what to do instead. */
  hint?: string;
}

/** A whole number ("--limit=20", "--hours=2"), at least 1 unless `min` says otherwise, at most `max`. */
export const isCount = ({ min = 1, max, hint }: CountRange = {}) =>
  t.makeValidator<unknown, number>({
    test: (value, state): value is number => {
      const number = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value) ? Number(value) : Number.NaN;
      if (!Number.isInteger(number)) return fail(state, `must be a whole number (got ${JSON.stringify(value)})`);
      if (number < min || (max !== undefined && number > max)) {
        const range = max === undefined ? `at least ${min}` : `between ${min} and ${max}`;
        return fail(state, `must be ${range} (${hint ?? `got ${number}`})`);
      }
      if (typeof value === 'string') coerce(state, number);
      return true;
    },
  });

/** Reservations and extensions are 1-12 hours at a time (the API's limit, said before asking it). */
export const MAX_RESERVATION_HOURS = 12;

export const isReservationHours = () => isCount({ max: MAX_RESERVATION_HOURS, hint: 'a reservation is 1-12 h; extend it later with "gpu-shopper extend"' });

export const isExtensionHours = () =>
  isCount({ max: MAX_RESERVATION_HOURS, hint: "past 12 h needs an operator's approval: extend by at most 12 h at a time; past 12 h from the start an override request is filed for an operator" });

/** One of a fixed set of words; the message lists them and suggests the nearest. */
export const isOneOf = <T extends string>(values: readonly T[]) =>
  t.makeValidator<unknown, T>({
    test: (value, state): value is T => {
      if (typeof value === 'string' && (values as readonly string[]).includes(value)) return true;
      const near = typeof value === 'string' ? closest(value, values) : null;
      return fail(state, `must be one of ${values.join(', ')} (got ${JSON.stringify(value)}${near === null ? '' : `; did you mean "${near}"?`})`);
    },
  });

const PERCENT_LIST = /^\s*\d+(\s*,\s*\d+)*\s*$/;

/** Comma-separated whole percentages ("50,80,100"); the server checks their range. */
export const isPercentList = () =>
  t.makeValidator<unknown, string>({
    test: (value, state): value is string => {
      if (typeof value === 'string' && PERCENT_LIST.test(value)) return true;
      return fail(state, `must be comma-separated percentages like 50,80,100 (got ${JSON.stringify(value)})`);
    },
  });

/** "50,80,100" → [50, 80, 100]. */
export function parsePercentList(text: string): number[] {
  return text.split(',').map((part) => Number(part.trim()));
}

const AGE = /^\s*(\d+)\s*([mhd])\s*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const AGE_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A moment: an ISO timestamp, a date ("2026-11-01", UTC midnight) or an age ("30m", "24h", "7d"). */
export const isSince = () =>
  t.makeValidator<unknown, string>({
    test: (value, state): value is string => {
      if (typeof value === 'string' && (AGE.test(value) || DATE.test(value.trim()) || !Number.isNaN(Date.parse(value)))) return true;
      return fail(state, `must be a date, an ISO timestamp or an age like 24h or 7d (got ${JSON.stringify(value)})`);
    },
  });

/** The ISO timestamp an `isSince` value stands for, ages counted back from `now`. */
export function resolveSince(text: string, now: Date): string {
  const age = AGE.exec(text);
  if (age !== null) return new Date(now.getTime() - Number(age[1]) * AGE_MS[age[2]!]!).toISOString();
  if (DATE.test(text.trim())) return `${text.trim()}T00:00:00.000Z`;
  return new Date(text).toISOString();
}

/** A moment ahead: an ISO timestamp, a date ("2027-01-01", UTC midnight) or a duration from now ("12h", "90d"). */
export const isUntil = () =>
  t.makeValidator<unknown, string>({
    test: (value, state): value is string => {
      if (typeof value === 'string' && (AGE.test(value) || DATE.test(value.trim()) || !Number.isNaN(Date.parse(value)))) return true;
      return fail(state, `must be a date, an ISO timestamp or a duration like 12h or 90d (got ${JSON.stringify(value)})`);
    },
  });

/** The ISO timestamp an `isUntil` value stands for, durations counted forward from `now`. */
export function resolveUntil(text: string, now: Date): string {
  const age = AGE.exec(text);
  if (age !== null) return new Date(now.getTime() + Number(age[1]) * AGE_MS[age[2]!]!).toISOString();
  return resolveSince(text, now);
}
