/** A server-side store for `new SessionManager({ ..., store })` (from "edge-session/full"). */
export interface SessionStore {
  kind: string;
  /** What a request gets when the store cannot be read: no session (default), or a 503. */
  outage?: "no-session" | "error";
  get(key: string): Promise<string | null | undefined>;
  put(key: string, record: string, ttlSeconds: number | null): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

/** Workers KV (`env.SESSIONS`): the Rust Worker's SESSION_STORE = "kv" records, under the same keys. */
export declare function kvStore(
  namespace: { get(key: string): Promise<string | null>; put(key: string, value: string, options?: { expirationTtl?: number }): Promise<unknown>; delete(key: string): Promise<unknown> },
  options?: { outage?: "no-session" | "error" },
): SessionStore;

/** Redis, through a connected client of the `redis` npm package. */
export declare function redisStore(
  client: { sendCommand(args: string[]): Promise<unknown> },
  options?: { prefix?: string; outage?: "no-session" | "error"; timeout?: number; userKey?: string; maxSessions?: number },
): SessionStore;

/** Durable Objects: a binding to the Rust Worker's SessionStore class (strongly consistent, per user). */
export declare function durableObjectStore(
  namespace: { idFromName(name: string): unknown; get(id: unknown): { fetch(url: string, init?: RequestInit): Promise<Response> } },
  options?: { outage?: "no-session" | "error"; userKey?: string; maxSessions?: number },
): SessionStore;
