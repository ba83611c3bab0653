// Typanion validators shared by command options, so "--max-price=abc" is a usage error that
// names the option before anything is sent to the server.
import * as t from 'typanion';

const DECIMAL = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/;

/**
 * A decimal number ("0.50", "24", ".5"). Not typanion's isNumber: it refuses "0.50" because the
 * text does not round-trip through JSON. Ranges are the server's to check; it names the field.
 */
export const isNumber = () =>
  t.makeValidator<unknown, number>({
    test: (value, state): value is number => {
      if (typeof value === 'number' && Number.isFinite(value)) return true;
      if (typeof value === 'string' && DECIMAL.test(value) && state?.coercions !== undefined && state.coercion !== undefined) {
        // Clipanion applies the coercion after validation, turning the option's text into the number.
        state.coercions.push([state.p ?? '.', state.coercion.bind(null, Number(value))]);
        return true;
      }
      state?.errors?.push(`${state.p ?? '.'}: expected a number (got ${JSON.stringify(value)})`);
      return false;
    },
  });

/** A whole number of at least `min` ("--limit=20", "--hours=2"). */
export const isCount = (min = 1) => t.cascade(isNumber(), [t.isInteger(), t.isAtLeast(min)]);

/** One of a fixed set of words; the message lists them. */
export const isOneOf = <T extends string>(values: readonly T[]) => t.isEnum(values);

const PERCENT_LIST = /^\s*\d+(\s*,\s*\d+)*\s*$/;

/** Comma-separated whole percentages ("50,80,100"); the server checks their range. */
export const isPercentList = () =>
  t.makeValidator<unknown, string>({
    test: (value, state): value is string => {
      if (typeof value === 'string' && PERCENT_LIST.test(value)) return true;
      // Same shape as typanion's own errors, so clipanion formats it like the others.
      state?.errors?.push(`${state.p ?? '.'}: expected comma-separated percentages like 50,80,100 (got ${JSON.stringify(value)})`);
      return false;
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
      state?.errors?.push(`${state.p ?? '.'}: expected a date, an ISO timestamp or an age like 24h or 7d (got ${JSON.stringify(value)})`);
      return false;
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
      state?.errors?.push(`${state.p ?? '.'}: expected a date, an ISO timestamp or a duration like 12h or 90d (got ${JSON.stringify(value)})`);
      return false;
    },
  });

/** The ISO timestamp an `isUntil` value stands for, durations counted forward from `now`. */
export function resolveUntil(text: string, now: Date): string {
  const age = AGE.exec(text);
  if (age !== null) return new Date(now.getTime() + Number(age[1]) * AGE_MS[age[2]!]!).toISOString();
  return resolveSince(text, now);
}
