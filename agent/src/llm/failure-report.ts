// The text a node sends the shopper when its engine fails: a headline and the engine's last output
// lines, secrets removed, within the contract's bound (the end of the output kept: it says why).

/** Lines of output a report carries at most (more than the bound usually holds anyway). */
export const REPORT_OUTPUT_LINES = 20;

export function failureReport(headline: string, outputLines: readonly string[], maxChars: number): string {
  const lines = outputLines.slice(-REPORT_OUTPUT_LINES);
  const full = lines.length === 0 ? `${headline} (no output)` : `${headline}; last output:\n${lines.join('\n')}`;
  if (full.length <= maxChars) return full;
  const head = `${headline}; last output (cut):\n…`;
  if (head.length >= maxChars) return headline.slice(0, maxChars);
  return head + full.slice(full.length - (maxChars - head.length));
}
