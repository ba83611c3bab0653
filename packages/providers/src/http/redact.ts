// Keeps provider keys out of every message we build: errors and logs pass through here first.

/** Replaces each secret (and its URL-encoded form) with "***", and caps the text so bodies stay short. */
export function redactSecrets(text: string, secrets: readonly (string | null | undefined)[], maxLength = 300): string {
  let result = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      result = result.split(form).join('***');
    }
  }
  // Bearer headers echoed back by a proxy would carry the key even if we never saw it before.
  result = result.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer ***');
  return result.length > maxLength ? `${result.slice(0, maxLength)}…` : result;
}
