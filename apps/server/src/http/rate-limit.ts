// Token-bucket rate limits on the API (REST and tRPC): one bucket per API key, one per client
// address, and a small one per address that only failed authentications drain, so guessing keys is slow.
// Buckets are in this process's memory: with several replicas each enforces its own (see README).
import { hash } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '@gpu-shopper/domain';
import { REST_BASE_PATH, requestInfoFromHeaders, type ErrorData } from '@gpu-shopper/api';

/** A sustained rate and how many requests may come at once above it (the bucket's size). */
export interface BucketLimit {
  perMinute: number;
  burst: number;
}

export interface RateLimitConfig {
  perApiKey: BucketLimit;
  perAddress: BucketLimit;
  /** Drained only by 401 answers; while empty, the address gets 429 unless its key was verified moments ago. */
  authFailuresPerAddress: BucketLimit;
}

// Generous: a CLI polls every 2 s, a busy script a few times a second; a scraper of the whole menu
// stays far below. Several consumers behind one NAT share the address bucket, hence twice the key's.
export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  perApiKey: { perMinute: 600, burst: 120 },
  perAddress: { perMinute: 1_200, burst: 240 },
  // A mistyped key is a handful of failures; a guesser gets about one try every 6 s.
  authFailuresPerAddress: { perMinute: 10, burst: 10 },
};

const MAX_BUCKETS = 50_000;
const SWEEP_EVERY_MS = 60_000;

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

/** Buckets by id, bounded: idle (refilled) buckets are swept, and past MAX_BUCKETS the least recently used go. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly tokensPerMs: number;
  private lastSweepMs = -Infinity;

  constructor(
    private readonly limit: BucketLimit,
    private readonly maxBuckets = MAX_BUCKETS,
  ) {
    this.tokensPerMs = limit.perMinute / 60_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Seconds until `id` may make a request (0: now); takes nothing. */
  waitSeconds(id: string, nowMs: number): number {
    const tokens = this.tokensAt(this.buckets.get(id), nowMs);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.tokensPerMs / 1000));
  }

  /** Takes a token if there is one (never below empty). */
  take(id: string, nowMs: number): void {
    this.sweep(nowMs);
    const tokens = this.tokensAt(this.buckets.get(id), nowMs);
    // Re-inserted, so the Map's order is least recently used first.
    this.buckets.delete(id);
    this.buckets.set(id, { tokens: Math.max(0, tokens - 1), updatedAtMs: nowMs });
    if (this.buckets.size > this.maxBuckets) this.evict(nowMs);
  }

  private tokensAt(bucket: Bucket | undefined, nowMs: number): number {
    if (bucket === undefined) return this.limit.burst;
    // A clock set back refills nothing rather than draining.
    const elapsedMs = Math.max(0, nowMs - bucket.updatedAtMs);
    return Math.min(this.limit.burst, bucket.tokens + elapsedMs * this.tokensPerMs);
  }

  /** A full bucket is the same as none: forget it. */
  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < SWEEP_EVERY_MS && nowMs >= this.lastSweepMs) return;
    this.lastSweepMs = nowMs;
    for (const [id, bucket] of this.buckets) if (this.tokensAt(bucket, nowMs) >= this.limit.burst) this.buckets.delete(id);
  }

  private evict(nowMs: number): void {
    this.lastSweepMs = -Infinity;
    this.sweep(nowMs);
    // Still full of busy buckets (a flood of new addresses or keys): the least recently used go.
    const target = Math.floor(this.maxBuckets * 0.9);
    for (const id of this.buckets.keys()) {
      if (this.buckets.size <= target) break;
      this.buckets.delete(id);
    }
  }
}

export interface RateLimitOptions {
  limits: RateLimitConfig;
  clock: Clock;
  /** Whether a presented key was verified moments ago (the API's caller cache): such callers pass an address's auth-failure throttle. */
  isRecentlyVerified: (apiKey: string | null) => boolean;
  /** Buckets kept per kind before the least recently used are dropped. */
  maxBuckets?: number;
}

/**
 * What a request is limited by. Probes, docs and the nodes' heartbeats (node tokens, not API keys;
 * a stale node must not lock out its address) are not limited; /metrics takes an operator key, so
 * only the auth-failure throttle applies to it; everything else, unknown paths included, is the API.
 */
type Scope = 'exempt' | 'auth-only' | 'api';

const EXEMPT_ROUTES = new Set(['/healthz', '/readyz', '/docs', '/docs/assets/:file']);
const HEARTBEAT_REST = new RegExp(`^${REST_BASE_PATH.replace(/[/.]/g, '\\$&')}/sessions/[^/]+/heartbeat/?$`);
const HEARTBEAT_TRPC = '/trpc/sessions.heartbeat';

function scopeOf(request: FastifyRequest): Scope {
  const route = request.routeOptions.url;
  if (route !== undefined && EXEMPT_ROUTES.has(route)) return 'exempt';
  if (route === '/metrics') return 'auth-only';
  const path = request.url.split('?', 1)[0]!;
  if (request.method === 'POST' && (HEARTBEAT_REST.test(path) || path === HEARTBEAT_TRPC)) return 'exempt';
  return 'api';
}

/** One bucket per IPv4 address, one per IPv6 /64 (what one host or customer usually holds). */
export function addressBucketId(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%', 1)[0]!.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::') ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Keys are held as a hash: a memory dump of the limiter gives no key away. */
function apiKeyBucketId(apiKey: string): string {
  return hash('sha256', apiKey, 'base64url').slice(0, 22);
}

/** Why a request is refused: what its 429 says and when to come back. */
export interface RateLimitRefusal {
  retryAfterSeconds: number;
  message: string;
}

/**
 * The buckets and the decision on each request, shared by the Fastify hooks below and the inventory
 * fast path (inventory-fast-path.ts), which answers in front of Fastify: both go through `admit`.
 */
export class RateLimiter {
  private readonly byApiKey: TokenBuckets;
  private readonly byAddress: TokenBuckets;
  private readonly authFailures: TokenBuckets;

  constructor(private readonly options: RateLimitOptions) {
    const { limits } = options;
    this.byApiKey = new TokenBuckets(limits.perApiKey, options.maxBuckets);
    this.byAddress = new TokenBuckets(limits.perAddress, options.maxBuckets);
    this.authFailures = new TokenBuckets(limits.authFailuresPerAddress, options.maxBuckets);
  }

  /**
   * Whether a request from `ip` presenting `apiKey` may go on: null if it may (its tokens are then
   * taken), else why not (nothing is taken, so asking again for the same request is harmless).
   */
  admit(scope: 'auth-only' | 'api', ip: string, apiKey: string | null): RateLimitRefusal | null {
    const nowMs = this.options.clock.now().getTime();
    const address = addressBucketId(ip);
    const penaltySeconds = this.authFailures.waitSeconds(address, nowMs);
    if (penaltySeconds > 0 && !this.options.isRecentlyVerified(apiKey)) {
      return { retryAfterSeconds: penaltySeconds, message: `too many failed authentications from this address; retry in ${penaltySeconds} s` };
    }
    if (scope === 'auth-only') return null;
    const keyId = apiKey === null ? null : apiKeyBucketId(apiKey);
    const keySeconds = keyId === null ? 0 : this.byApiKey.waitSeconds(keyId, nowMs);
    const addressSeconds = this.byAddress.waitSeconds(address, nowMs);
    if (keySeconds > 0 || addressSeconds > 0) {
      const seconds = Math.max(keySeconds, addressSeconds);
      return { retryAfterSeconds: seconds, message: `too many requests ${keySeconds >= addressSeconds ? 'with this API key' : 'from this address'}; retry in ${seconds} s` };
    }
    this.byAddress.take(address, nowMs);
    if (keyId !== null) this.byApiKey.take(keyId, nowMs);
    return null;
  }

  /** A 401 answered to `ip`: drains its auth-failure bucket. */
  recordAuthFailure(ip: string): void {
    this.authFailures.take(addressBucketId(ip), this.options.clock.now().getTime());
  }
}

export function registerRateLimits(app: FastifyInstance, limiter: RateLimiter): void {
  // Decided on arrival: the REST adapter rewrites request.url on the way.
  const scopes = new WeakMap<FastifyRequest, Scope>();

  app.addHook('onRequest', async (request, reply) => {
    const scope = scopeOf(request);
    scopes.set(request, scope);
    if (scope === 'exempt') return;
    const refusal = limiter.admit(scope, request.ip, requestInfoFromHeaders(request.headers).apiKey);
    if (refusal !== null) return tooManyRequests(request, reply, refusal.retryAfterSeconds, refusal.message);
  });

  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 401 || (scopes.get(request) ?? 'exempt') === 'exempt') return;
    limiter.recordAuthFailure(request.ip);
  });
}

/** 429 with Retry-After, in the error shape of the API the request was for (tRPC's envelope on /trpc). */
function tooManyRequests(request: FastifyRequest, reply: FastifyReply, retryAfterSeconds: number, message: string): FastifyReply {
  const data: ErrorData = { code: 'TOO_MANY_REQUESTS', httpStatus: 429, field: null, fieldErrors: null };
  reply.code(429).header('retry-after', String(retryAfterSeconds)).header('cache-control', 'no-store');
  if (!request.url.startsWith('/trpc/')) return reply.send({ message, code: 'TOO_MANY_REQUESTS', data });
  const error = { error: { message, code: -32029, data } };
  // A batch (`/trpc/a,b?batch=1`) is answered with one error per call.
  const calls = /[?&]batch=(1|true)(&|$)/.test(request.url) ? request.url.slice('/trpc/'.length).split('?', 1)[0]!.split(',').length : 0;
  return reply.send(calls > 0 ? Array.from({ length: calls }, () => error) : error);
}

/** GPU_SHOPPER_TRUST_PROXY: proxy addresses, CIDR ranges or proxy-addr's names, comma-separated. */
export const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'] as const;

export function isTrustedProxyEntry(entry: string): boolean {
  if ((TRUST_PROXY_NAMES as readonly string[]).includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}
