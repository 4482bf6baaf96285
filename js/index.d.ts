// Types of the public API (the default entry; js/full/index.d.ts adds the full entry's). The core
// classes are generated from the Rust sources by wasm-bindgen; `SessionManager` (with `handle`) is
// defined in js/handle.js.
import type { Session as CoreSession, SessionManager as CoreSessionManager } from "../pkg/edge_session.js";

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

/**
 * A session: ordered string entries, an expiry and an issue time. `Session<K>` takes only the keys
 * `K` (a union of string literals) in `get`, `set`, `has` and `delete`, so a misspelt key is a type
 * error; plain `Session` takes any string. (`entries()` lists every key the cookie or the origin
 * put there.)
 */
export type Session<K extends string = string> = Omit<CoreSession, "get" | "set" | "has" | "delete"> & {
  /** The value of `key`, or undefined. */
  get(key: K): string | undefined;
  /** Sets `key` (an empty value deletes it, as in a SessionHeader update). */
  set(key: K, value: string): void;
  /** Whether `key` is set. */
  has(key: K): boolean;
  /** Removes `key`; whether it was there. */
  delete(key: K): boolean;
};
/** `new Session()`: an empty session (sessions usually come from `SessionManager.load`). */
export declare const Session: { new (): Session; prototype: CoreSession };

/**
 * The session manager, with the front proxy's flow for fetch-API runtimes. `SessionManager<K>`
 * hands out `Session<K>`: declare the keys your application uses and the compiler checks them.
 *
 * ```ts
 * const sessions = new SessionManager<"user" | "role">({ keys: [key] });
 * const s = sessions.load(cookie);
 * s.get("usr"); // error: Argument of type '"usr"' is not assignable to parameter of type '"user" | "role"'
 * ```
 */
export declare class SessionManager<K extends string = string> extends CoreSessionManager {
  /** Loads the session from a `Cookie` header (never throws on a bad cookie: an empty session). */
  load(cookieHeader?: string | null, nowMs?: number | null): Session<K>;
  /** The `Set-Cookie` value to send, or null when nothing needs sending. */
  save(session: Session<K>, nowMs?: number | null): string | null;
  /** Every `Set-Cookie` value to send (a large session's chunks, removals of stale ones). */
  saveAll(session: Session<K>, nowMs?: number | null): string[];
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
    next: (request: Request, session?: Session<K>) => Response | Promise<Response>,
    options?: { origin?: string },
  ): Promise<Response>;
}
