// Types of the public API (the default entry; js/full/index.d.ts adds the full entry's). The core
// classes are generated from the Rust sources by wasm-bindgen; `SessionManager` (with `handle`) is
// defined in js/handle.js.
import type { Session as CoreSession, SessionManager as CoreSessionManager, SessionManagerOptions } from "../pkg/edge_session.js";

export { SessionManagerOptions, SessionStatus, generateKey } from "../pkg/edge_session.js";

/** What `verifySessionHeader` found. */
export type SessionHeaderVerdict =
  | { ok: true; session: Record<string, string> }
  | { ok: false; reason: "missing" | "malformed" | "expired" | "mismatch" };

/**
 * For origins behind the front proxy: checks the signature it puts on every request with
 * `originSecret` / SESSION_ORIGIN_SECRET (`X-Session-Signature`: time, method, host, path and
 * query, session) and resolves to the session, or to why it was refused (forged, altered,
 * re-targeted to another host or path, replayed past `tolerance` seconds, default 300). The host
 * is the request URL's (a fetch Request) or the `Host` header (Node's IncomingMessage).
 */
export declare function verifySessionHeader(
  request: Request | { method: string; url: string; headers: Headers | Record<string, string | string[] | undefined> },
  secret: string | string[],
  options?: { tolerance?: number; envHeader?: string; now?: number },
): Promise<SessionHeaderVerdict>;

/** A value a session keeps: a string (as mod_session keeps it), or any other JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * What a session holds, from a `SessionManager`'s type parameter: an object type (keys and the type
 * of each value: `{ user: string; cart: { items: number[] } }`), or a union of key names
 * (`"user" | "role"`: any JSON value under each).
 */
export type SessionData<T> = [T] extends [string] ? { [K in T]: JsonValue } : T;

/**
 * A session: ordered entries, an expiry, its own max age and flash entries. `Session<T>` takes
 * only the keys of `T` in `get`, `set`, `flash`, `has` and `delete`, and each key's value type, so
 * a misspelt key or a wrong value is a type error; plain `Session` takes any string and any JSON
 * value. (`entries()` lists every key the cookie or the origin put there.)
 */
export type Session<T = string> = Omit<CoreSession, "get" | "set" | "has" | "delete" | "flash"> & {
  /** The value of `key` with its type, or undefined (a flash set on the previous request too). */
  get<K extends keyof SessionData<T> & string>(key: K): SessionData<T>[K] | undefined;
  /** Sets `key` (a string as it is, an empty one deletes the key; any other JSON value with its type). */
  set<K extends keyof SessionData<T> & string>(key: K, value: SessionData<T>[K]): void;
  /** Stores `value` for the next request only: there `get(key)` returns it, and its save drops it. */
  flash<K extends keyof SessionData<T> & string>(key: K, value: SessionData<T>[K]): void;
  /** Whether `key` is set. */
  has(key: keyof SessionData<T> & string): boolean;
  /** Removes `key`; whether it was there. */
  delete(key: keyof SessionData<T> & string): boolean;
};
/** `new Session()`: an empty session (sessions usually come from `SessionManager.load`). */
export declare const Session: { new (): Session; prototype: CoreSession };

/**
 * The session manager, with the front proxy's flow for fetch-API runtimes. `SessionManager<T>`
 * hands out `Session<T>`: declare what your application keeps and the compiler checks it.
 *
 * ```ts
 * const sessions = new SessionManager<{ user: string; cart: { items: number[] } }>({ keys: [key] });
 * const s = sessions.load(cookie);
 * s.set("cart", { items: [1, 2] });
 * s.get("usr"); // error: '"usr"' is not assignable to '"user" | "cart"'
 * ```
 */
export declare class SessionManager<T = string> extends CoreSessionManager {
  /**
   * Checks the options and prepares the keys. `store` (from "edge-session/store": `kvStore`,
   * `redisStore`; the full entry's manager only) keeps the sessions server-side, the cookie holding
   * a sealed reference: `handle` and the framework adapters read and write it; `load` and `save`
   * then throw `ERR_STORE_ASYNC`.
   */
  constructor(options?: SessionManagerOptions & { store?: import("./store.js").SessionStore });
  /**
   * Ends every session of `user` at once (a store per user: `redisStore`), requests in flight
   * included; resolves to how many were live. ERR_STORE_UNSUPPORTED otherwise.
   */
  logOutEverywhere(user: string): Promise<number>;
  /** Loads the session from a `Cookie` header (never throws on a bad cookie: an empty session). */
  load(cookieHeader?: string | null, nowMs?: number | null): Session<T>;
  /** The `Set-Cookie` value to send, or null when nothing needs sending (throws past 4 KB: use `saveAll`). */
  save(session: Session<T>, nowMs?: number | null): string | null;
  /** Every `Set-Cookie` value to send (a large session's chunks, removals of stale ones). */
  saveAll(session: Session<T>, nowMs?: number | null): string[];
  /**
   * Seals `data` (any JSON value) for `purpose` with the session keys, to open for `ttl` seconds:
   * a magic link, an invitation, an e-mail confirmation. URL-safe. A token never opens as a
   * session cookie, nor a cookie as a token.
   */
  sealToken(data: JsonValue, options: { purpose: string; ttl: number }, nowMs?: number | null): string;
  /**
   * The data of a token `sealToken` made for `purpose`, or null when it is tampered, expired, made
   * for another purpose or with a key no longer in `keys`.
   */
  openToken<D extends JsonValue = JsonValue>(token: string, options: { purpose: string }, nowMs?: number | null): D | null;
  /**
   * The whole front-proxy flow for fetch-API runtimes: loads the session from the request's
   * cookie, calls `next` (the app or origin) with the request the origin must see (the client's
   * SessionEnv header removed in every spelling, the session set in it, `redirect: "manual"` so
   * that an origin's redirect goes back to the client) and the session itself for apps, merges
   * the response's SessionHeader, saves, and returns the response with Set-Cookie, Cache-Control
   * and Vary. With `options.origin` (scheme, host and port: `"https://origin.example"`) the
   * request `next` gets is addressed to the origin, same path and query: `(req) => fetch(req)`
   * forwards it. Never rejects for what the origin does: if `next` throws or answers with
   * something that is not a Response, the answer is a 502 (a bad `origin` rejects with the code
   * `ERR_INVALID_OPTION`).
   */
  handle(
    request: Request,
    next: (request: Request, session?: Session<T>) => Response | Promise<Response>,
    options?: { origin?: string },
  ): Promise<Response>;
}
