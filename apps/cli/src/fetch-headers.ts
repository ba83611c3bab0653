// A fetch that adds fixed headers to every request: how a command sends what the tRPC client has
// no per-call option for (the Idempotency-Key of `provision`).
export function fetchWithHeaders(headers: Record<string, string>, base: typeof fetch = globalThis.fetch): typeof fetch {
  return (input, init) => {
    const merged = new Headers(init?.headers);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return base(input, { ...init, headers: merged });
  };
}
