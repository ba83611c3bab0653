// Parses an HTTP Range header for one byte range (RFC 9110); several ranges are served as the whole file.
export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

export function parseByteRange(header: string | undefined, sizeBytes: number): ByteRange {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, startText = '', endText = ''] = match;
  if (startText === '' && endText === '') return null;
  if (startText === '') {
    const suffixBytes = Number(endText);
    if (suffixBytes === 0 || sizeBytes === 0) return 'unsatisfiable';
    return { start: Math.max(0, sizeBytes - suffixBytes), end: sizeBytes - 1 };
  }
  const start = Number(startText);
  const end = endText === '' ? sizeBytes - 1 : Math.min(Number(endText), sizeBytes - 1);
  if (start >= sizeBytes || end < start) return 'unsatisfiable';
  return { start, end };
}
