// "Did you mean": the known word nearest to a mistyped one, by edit distance (a swap of two
// neighbours counts once), or by prefix for an abbreviation ("inv" → "inventory").

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** How far a word may be from a suggestion: a third of its length, at least 1, at most 3. */
function tolerance(word: string): number {
  return Math.min(3, Math.max(1, Math.floor(word.length / 3)));
}

/** The candidate nearest to `word`, or null when none is near enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | null {
  const input = word.toLowerCase();
  let best: { candidate: string; distance: number } | null = null;
  for (const candidate of candidates) {
    const target = candidate.toLowerCase();
    if (target === input) return candidate;
    // An abbreviation of three letters or more: "inv" for "inventory".
    const distance = input.length >= 3 && target.startsWith(input) ? 1 : editDistance(input, target);
    if (distance <= tolerance(input) && (best === null || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate ?? null;
}
