/** How many requests a key may make, replenished evenly over the window. */
export interface RateLimit {
  readonly requests: number;
  readonly windowMs: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Whole requests left after this one. */
  readonly remaining: number;
  /** Time until the key is back to its full allowance, in ms (OpenAI's `x-ratelimit-reset-requests`). */
  readonly resetMs: number;
  /** When refused: time until one request is allowed again, in ms. */
  readonly retryAfterMs: number;
}

/**
 * Counts requests per key (a project and a request class). Async so that an implementation shared by
 * several processes (the store, or Redis) can replace the in-memory one without changing its callers.
 */
export interface RateLimiter {
  take(key: string, limit: RateLimit): Promise<RateLimitDecision>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per key, in this process's memory: the bucket holds up to `requests` tokens and refills
 * at `requests / windowMs`, so a burst of the full allowance is allowed and then one request every
 * `windowMs / requests` — the shape OpenAI's headers describe (reset = time until the bucket is full).
 * Keys are projects × 4 classes, so the map stays small. With several processes each would count alone;
 * scale-out needs a shared RateLimiter on the store.
 */
export class InMemoryRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  async take(key: string, limit: RateLimit): Promise<RateLimitDecision> {
    const now = this.#now();
    const perMs = limit.requests / limit.windowMs;
    const bucket = this.#buckets.get(key) ?? { tokens: limit.requests, updatedAt: now };
    bucket.tokens = Math.min(limit.requests, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    this.#buckets.set(key, bucket);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return {
      allowed,
      remaining: Math.floor(bucket.tokens),
      resetMs: (limit.requests - bucket.tokens) / perMs,
      retryAfterMs: allowed ? 0 : (1 - bucket.tokens) / perMs,
    };
  }
}
