// The front proxy's flow with a server-side store, for every JavaScript face: the core's store
// decisions (js-api/src/store.rs, the Rust Worker's own) around the I/O with the store, which is
// the store object's (js/store.js: Workers KV, Redis). The cookie carries only a sealed reference;
// the record is read before the app runs and written before any cookie names it.
//
// A store that cannot be read or written (an outage) never opens a door and never answers with a
// 5xx of ours without a log line: a read that fails gives the request no session and saves
// nothing ("no-session", the default), or answers 503 (`outage: "error"`); a write that fails
// keeps the cookie the browser has (no cookie ever names a record that was not stored).
import { failure, log, pack, requestPlan, responsePlan, unpack } from "./plans.js";

/** Where a manager keeps its store (`new SessionManager({ ..., store })`). */
export const STORE = Symbol.for("edge-session.store");

const OUTAGES = ["no-session", "error"];

/** The store state of a manager over `bindings` (the full entry's build carries the store's decisions). */
export function storeState(bindings, manager, store) {
  if (!bindings.StoreFlow) {
    throw failure("ERR_FORMAT_UNAVAILABLE", 'a server-side store is in the package\'s full entry: import { SessionManager } from "edge-session/full"');
  }
  const shaped = store && ["get", "put", "delete"].every((m) => typeof store[m] === "function");
  if (!shaped) throw failure("ERR_INVALID_OPTION", "store: must be a store from edge-session/store (kvStore(namespace), redisStore(client)) or an object with get, put and delete");
  const outage = store.outage ?? "no-session";
  if (!OUTAGES.includes(outage)) throw failure("ERR_INVALID_OPTION", `store: outage must be "no-session" or "error", not ${JSON.stringify(String(outage))}`);
  // A store that keeps sessions per user (Redis) names them by a keyed hash of the user.
  const flow = new bindings.StoreFlow(manager, typeof store.userKey === "string" ? store.userKey : undefined);
  return { flow, backend: store, outage, bindings };
}

/** A store error's log line. */
function storeError(e) {
  return { level: "error", line: JSON.stringify({ edge_session: "store-error", error: String(e?.message ?? e) }) };
}

/** The Cookie header of a header list (several joined as a browser would). */
function cookieOf(headers) {
  const parts = [];
  for (const [name, value] of headers) if (name.toLowerCase() === "cookie") parts.push(value);
  return parts.length ? parts.join("; ") : null;
}

/**
 * The request's plan with a store: the session read from the record the cookie names, then the
 * core's plan for it (`planRequestFor`). `ctx` goes to `storeOut`. Rejects with
 * ERR_STORE_UNAVAILABLE when the store cannot be read and its outage is "error".
 */
export async function storeIn(manager, st, method, host, target, headers, now) {
  const { planRequest, planRequestFor } = st.bindings;
  const list = [...headers];
  const path = target.split(/[?#]/, 1)[0];
  if (!manager.appliesTo(path)) return requestPlan(planRequest(manager, method, host, target, pack(list), now));
  const cookie = st.flow.load(cookieOf(list), now);
  const notices = [];
  let record = null;
  let down = false;
  const key = cookie.key;
  const home = cookie.home;
  let generation = null;
  if (key) {
    try {
      let got = await st.backend.get(key, { home });
      // A store per user also tells the generation of the user's sessions (a "log out everywhere"
      // since this read refuses this request's write).
      if (got !== null && typeof got === "object") ({ record: got, generation } = got);
      record = got;
      if (record !== null && record !== undefined && typeof record !== "string") throw new TypeError("the store's get must give a string or null");
    } catch (e) {
      down = true;
      notices.push(storeError(e));
    }
  }
  if (down && st.outage === "error") {
    cookie.free();
    log(notices);
    throw failure("ERR_STORE_UNAVAILABLE", "the session store cannot be read");
  }
  let session;
  let missing = "";
  if (down) session = st.flow.unknown(cookie);
  else [session, missing] = st.flow.session(cookie, record ?? null);
  if (missing) notices.push({ level: "info", line: JSON.stringify({ edge_session: "rejected", why: missing }) });
  const plan = unpack(planRequestFor(manager, session, method, host, target, pack(list), now).split("\0"), 0, { session });
  plan.notices = [...notices, ...plan.notices];
  plan.ctx = { cookie, down, home, generation };
  return plan;
}

/** A store save's packed write (js-api/src/store.rs has the layout). */
function write(packed) {
  const f = packed.split("\0");
  const count = Number(f[8]);
  return { kind: f[0], newKey: f[1], newHome: f[2], oldKey: f[3], oldHome: f[4], record: f[5], ttl: f[6] === "" ? null : Number(f[6]), reissued: f[7] === "1", cookies: f.slice(9, 9 + count) };
}

/**
 * The response's plan with a store: the SessionHeader merged, the save decided by the core, the
 * record written (the old one deleted when the id changed) before the cookie that names it is sent.
 * `failed`: the app failed (nothing is saved).
 */
export async function storeOut(manager, st, ctx, session, headers, now, failed) {
  const { planPassthrough, planResponseSaved, mergeUpdate } = st.bindings;
  const packed = pack(headers);
  if (!session || !ctx || failed) return responsePlan(planPassthrough(manager, packed));
  // The store could not be read: the app's update cannot be merged, nothing is saved.
  if (ctx.down) return responsePlan(planResponseSaved(manager, session, packed, ""));
  const notices = unpack(mergeUpdate(manager, session, packed).split("\0"), 0, {}).notices;
  let lines = [];
  let w = null;
  try {
    w = write(st.flow.save(ctx.cookie, session, now));
  } catch (e) {
    notices.push({ level: "error", line: JSON.stringify({ edge_session: "not-saved", error: String(e?.message ?? e) }) });
  }
  if (w && w.kind !== "nothing") {
    try {
      let put = null;
      if (w.kind === "put") {
        const created = session.issued ?? now;
        // The generation this session was read under, when it is written back to the same home.
        const generation = ctx.home && ctx.home === w.newHome ? ctx.generation : null;
        put = await st.backend.put(w.newKey, w.record, w.ttl, { home: w.newHome || null, created, generation, replaces: w.reissued ? w.oldKey || null : null });
      }
      if (put?.loggedOut) {
        // Logged out everywhere while this request was in flight: nothing was written back,
        // and the cookie goes.
        notices.push({ level: "info", line: JSON.stringify({ edge_session: "rejected", why: "logged-out" }) });
        lines = manager.removalCookies();
      } else {
        for (let n = put?.evicted?.length ?? 0; n > 0; n--) notices.push({ level: "info", line: JSON.stringify({ edge_session: "evicted" }) });
        if (w.oldKey && (w.kind === "remove" || w.reissued)) {
          await st.backend.delete(w.oldKey, { home: w.oldHome || null }).catch((e) => notices.push(storeError(e)));
        }
        lines = w.cookies;
      }
    } catch (e) {
      // Never hand out a cookie whose record was not stored: the browser keeps the one it has.
      notices.push(storeError(e));
    }
  }
  const plan = responsePlan(planResponseSaved(manager, session, packed, lines.join("\0")));
  plan.notices = [...notices, ...plan.notices];
  return plan;
}
