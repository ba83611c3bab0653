// One name per GPU model across providers: Vast says "RTX 4090", TensorDock says
// "geforcertx4090-pcie-24gb", an operator types "4090". All three must meet.
import { rememberPerKey } from './remember';

/** Vendor words, which names carry or not ("NVIDIA GeForce RTX 4090", "RTX 4090"). */
const VENDOR_WORDS = /nvidia|geforce|tesla|quadro(?=\s*rtx)/g;
/** The same, for test() (a global pattern's test() would keep a position between calls). */
const VENDOR_WORD = new RegExp(VENDOR_WORDS.source);

/** Lower-case, vendor words and punctuation removed: "NVIDIA GeForce RTX 4090" -> "rtx4090". */
export function compactGpuName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(VENDOR_WORDS, '')
    .replace(/[^a-z0-9]/g, '');
}

/** Reads a VRAM size out of a name such as "a100-pcie-80gb" ("80GB" -> 80). */
export function vramGbFromName(raw: string): number | null {
  const match = /(\d{2,3})\s*gb\b/i.exec(raw);
  return match ? Number(match[1]) : null;
}

type Rule = readonly [RegExp, (match: RegExpExecArray, vramGb: number | null) => string];

// Most specific first: "h100nvl" must not fall through to the generic "h100" rule.
const RULES: readonly Rule[] = [
  [/^gh200/, () => 'GH200'],
  [/^h100nvl/, () => 'H100 NVL'],
  [/^h100sxm/, () => 'H100 SXM'],
  [/^h100/, () => 'H100 PCIe'],
  [/^h200/, () => 'H200'],
  [/^b200/, () => 'B200'],
  [/^a100/, (_m, vram) => (vram === null ? 'A100' : vram >= 60 ? 'A100 80GB' : 'A100 40GB')],
  [/^a800/, () => 'A800'],
  [/^l40s/, () => 'L40S'],
  [/^l40/, () => 'L40'],
  [/^l4(?!\d)/, () => 'L4'],
  [/^a10g/, () => 'A10G'],
  [/^a(10|16|30|40)(?!\d)/, (m) => `A${m[1]}`],
  [/^rtxpro(\d{4})/, (m) => `RTX PRO ${m[1]}`],
  [/^rtx6000ada/, () => 'RTX 6000 Ada'],
  [/^rtx(\d{4})ada/, (m) => `RTX ${m[1]} Ada`],
  [/^(?:rtx)?a(\d{4})(?!\d)/, (m) => `RTX A${m[1]}`],
  [/^qrtx(\d{4})|^rtx(\d{4})quadro/, (m) => `Quadro RTX ${m[1] ?? m[2]}`],
  [/^(gtx)?(?:rtx)?(\d{4})(ti|super|s)?(?!\d)/, (m) => `${m[1] ? 'GTX' : 'RTX'} ${m[2]}${suffix(m[3])}`],
  [/^(v100|p100|t4|p40|p4|k80|titanrtx|titanv)(?!\d)/, (m) => (m[1] ?? '').toUpperCase().replace('TITAN', 'Titan ')],
];

/**
 * The character every match of an anchored pattern starts with ("^h100sxm" -> "h"); null when a
 * match may start otherwise (a group, a class, an alternative, a quantified first character).
 */
export function literalFirstChar(pattern: RegExp): string | null {
  const first = /^\^([a-z0-9])(?![?*{])/.exec(pattern.source);
  return first === null || pattern.source.includes('|') ? null : first[1]!;
}

/**
 * The rules a compact name starting with each character can meet, in RULES' order: a query is
 * normalized at each search, and most rules could never match it ("4090" meets 5 of them, not 20).
 */
const RULES_BY_FIRST_CHAR: ReadonlyMap<string, readonly Rule[]> = new Map(
  RULES.flatMap(([pattern]) => literalFirstChar(pattern) ?? []).map((char) => [char, RULES.filter(([pattern]) => (literalFirstChar(pattern) ?? char) === char)]),
);
const RULES_FOR_ANY_FIRST_CHAR: readonly Rule[] = RULES.filter(([pattern]) => literalFirstChar(pattern) === null);

function suffix(raw: string | undefined): string {
  if (raw === 'ti') return ' Ti';
  if (raw === 'super') return ' Super';
  if (raw === 's') return 'S';
  return '';
}

/**
 * The canonical model name for a provider's GPU name. `vramGb` (per GPU) separates models that
 * share a name across memory sizes (A100 40GB and 80GB). Unknown names come back tidied, not dropped.
 */
export function normalizeGpuModel(raw: string, vramGb?: number | null): string {
  const compact = compactGpuName(raw);
  const vram = vramGb ?? vramGbFromName(raw);
  for (const [pattern, name] of RULES_BY_FIRST_CHAR.get(compact.charAt(0)) ?? RULES_FOR_ANY_FIRST_CHAR) {
    const match = pattern.exec(compact);
    if (match) return name(match, vram);
  }
  return raw.trim().replace(/[_\s]+/g, ' ');
}

/** Already compact: letters and digits only. */
const COMPACT = /^[a-z0-9]*$/;

/** Like compactGpuName, but keeps a "|" where punctuation separated two numbers ("A100 80GB" -> "a100|80gb"). */
function compactKeepingNumberBoundaries(raw: string): string {
  const lower = raw.toLowerCase();
  // Most queries are compact already ("4090", "a100"): nothing to replace.
  if (COMPACT.test(lower) && !VENDOR_WORD.test(lower)) return lower;
  return lower
    .replace(VENDOR_WORDS, '')
    .replace(/(\d)[^a-z0-9]+(?=\d)/g, '$1|')
    .replace(/[^a-z0-9|]/g, '');
}

/** Remembered verdicts per compiled query: a menu has a few dozen distinct model names, never thousands. */
const MAX_REMEMBERED_MODELS = 1_024;

/**
 * Model names in compact form, made once per name rather than once per query that judges it: the
 * names are the menu's (a few dozen), and every search with a GPU query judges each of them.
 */
const compactModel = rememberPerKey(compactKeepingNumberBoundaries, MAX_REMEMBERED_MODELS);

/** Whether a GPU model name answers a query compiled by compileGpuQuery. */
export type GpuModelMatcher = (model: string) => boolean;

/**
 * Compiles a user's GPU query ("4090", "rtx-4090", "a100") once, for matching many models: the query
 * is normalized here, not once per offer, and each distinct model name is judged once. Matches on
 * the compact form, never splitting a number: "a10" does not match "A100 80GB", "090" not "RTX 4090".
 */
export function compileGpuQuery(query: string): GpuModelMatcher {
  return rememberPerKey(compileGpuQueryOnce(query), MAX_REMEMBERED_MODELS);
}

/** compileGpuQuery without remembering verdicts: for judging each model once (a menu's model groups). */
export function compileGpuQueryOnce(query: string): GpuModelMatcher {
  const needle = compactKeepingNumberBoundaries(query);
  if (needle === '') return () => true;
  const canonicalNeedle = compactKeepingNumberBoundaries(normalizeGpuModel(query));
  if (canonicalNeedle === needle) return (model) => containsWholeNumbers(compactModel(model), needle);
  return (model) => {
    const haystack = compactModel(model);
    return containsWholeNumbers(haystack, needle) || containsWholeNumbers(haystack, canonicalNeedle);
  };
}

/** Does a user's GPU query name this model? One-off form of compileGpuQuery. */
export function gpuModelMatches(query: string, model: string): boolean {
  return compileGpuQuery(query)(model);
}

/** `candidate` occurs in `haystack` somewhere it does not cut a number in two. */
function containsWholeNumbers(haystack: string, candidate: string): boolean {
  const startsWithDigit = isDigit(candidate[0] ?? '');
  const endsWithDigit = isDigit(candidate.at(-1) ?? '');
  for (let at = haystack.indexOf(candidate); at >= 0; at = haystack.indexOf(candidate, at + 1)) {
    const before = haystack[at - 1];
    const after = haystack[at + candidate.length];
    const splitsNumberBefore = startsWithDigit && before !== undefined && isDigit(before);
    const splitsNumberAfter = endsWithDigit && after !== undefined && isDigit(after);
    if (!splitsNumberBefore && !splitsNumberAfter) return true;
  }
  return false;
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}
