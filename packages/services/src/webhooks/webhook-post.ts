// One HTTP attempt at a webhook delivery, reduced to success or a short, secret-free reason.

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

export type WebhookPostOutcome = { ok: true } | { ok: false; error: string };

export async function postWebhook(post: WebhookPost): Promise<WebhookPostOutcome> {
  try {
    const response = await post.fetch(post.url, {
      method: 'POST',
      headers: post.headers,
      body: post.body,
      signal: AbortSignal.timeout(post.timeoutMs),
      // A redirect could lead a signed payload to a URL we never validated (plain http, internal hosts).
      redirect: 'manual',
    });
    // Release the connection; we never read what the receiver says.
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 300) return { ok: true };
    return { ok: false, error: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}` };
  } catch (error) {
    return { ok: false, error: describeFetchError(error, post.timeoutMs) };
  }
}

/** The error's kind and code only: messages from deeper layers could quote the URL, which may hold a token. */
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `timed out after ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause !== undefined && typeof cause.code === 'string') return `connection failed: ${cause.code}`;
  return error instanceof Error ? `request failed: ${error.name}` : 'request failed';
}
