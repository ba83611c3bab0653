// TensorDock names countries in words ("USA", "United States"); the menu uses two-letter codes like Vast.
import { rememberPerKey } from '@gpu-shopper/domain';

const CODES: Record<string, string> = {
  usa: 'US', 'united states': 'US', 'united states of america': 'US', us: 'US', canada: 'CA', netherlands: 'NL', germany: 'DE',
  finland: 'FI', france: 'FR', 'united kingdom': 'GB', uk: 'GB', england: 'GB', japan: 'JP', singapore: 'SG', australia: 'AU',
  sweden: 'SE', norway: 'NO', poland: 'PL', spain: 'ES', italy: 'IT', india: 'IN', brazil: 'BR', 'south korea': 'KR', korea: 'KR',
  taiwan: 'TW', 'hong kong': 'HK', iceland: 'IS', czechia: 'CZ', 'czech republic': 'CZ', belgium: 'BE', switzerland: 'CH',
};

const MAX_REMEMBERED_NAMES = 1_000;

/** A two-letter code for a country name; the name itself when unknown (never dropped). */
export function countryCode(name: string | null | undefined): string | null {
  return name === null || name === undefined ? null : rememberedCode(name);
}

/** Per name as given: every host names its country, and a listing has a few dozen. */
const rememberedCode = rememberPerKey(codeFor, MAX_REMEMBERED_NAMES);

function codeFor(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return null;
  if (/^[A-Z]{2}$/.test(trimmed)) return trimmed;
  // Own keys only: a place called "constructor" is not Object's.
  const key = trimmed.toLowerCase();
  return Object.hasOwn(CODES, key) ? CODES[key]! : trimmed;
}
