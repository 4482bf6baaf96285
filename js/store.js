// Server-side stores for `new SessionManager({ ..., store })` (from "edge-session/full"): the
// cookie then holds only a sealed reference to a record kept here, as the Rust Worker's
// SESSION_STORE does, with the same records under the same keys (`session:<id>`), so that a
// session written by either opens in the other.
//   kvStore(env.SESSIONS)       Workers KV (eventually consistent: a change can take up to a
//                               minute to be seen in other locations, as the Worker's KV store)
//   redisStore(client)          Redis through the `redis` npm client (an optional peer)
//   durableObjectStore(ns)      Durable Objects: the Rust Worker's SessionStore class
// Every store takes `outage`: what a request gets when the store cannot be read: "no-session"
// (the default: the request goes on without a session, nothing is saved, a log line says why) or
// "error" (503). A write that fails never sends a cookie that names a record that was not
// stored: the browser keeps the cookie it has.

import { failure } from "./plans.js";

/** Workers KV: `namespace` is the binding (`env.SESSIONS`); records expire with their session. */
export function kvStore(namespace, { outage } = {}) {
  if (!namespace || typeof namespace.get !== "function" || typeof namespace.put !== "function") {
    throw misuse("kvStore(namespace): the namespace must be a Workers KV binding (env.SESSIONS)");
  }
  return {
    kind: "kv",
    outage,
    get: (key) => namespace.get(key),
    put: (key, record, ttl) => namespace.put(key, record, ttl ? { expirationTtl: ttl } : undefined),
    delete: (key) => namespace.delete(key),
  };
}

/**
 * Redis, through a connected client of the `redis` npm package: records under `prefix` + the key
 * (default none: `session:<id>`), expiring with their session. Create the client with
 * `disableOfflineQueue: true` (and an `error` listener) so that an outage fails at once rather than
 * queueing; a command that has not answered within `timeout` ms (default 2000) fails too.
 *
 * Per user, as the Rust Worker's Durable Objects: a signed-in session (its `userKey` entry, default
 * "user") is listed under its user's home (a keyed hash of the user, never the name), so that
 * `manager.logOutEverywhere(user)` ends all of them at once, and holds against requests in flight
 * (a session read before it is not written back after it: each home has a generation, and a
 * write checks it atomically), and `maxSessions` (default 0: none) evicts a user's oldest sessions,
 * by login time. One Redis (or a primary): the scripts touch several keys, so not Redis Cluster.
 */
export function redisStore(client, { prefix = "", outage, timeout = 2000, userKey = "user", maxSessions = 0 } = {}) {
  if (!client || typeof client.sendCommand !== "function") {
    throw misuse("redisStore(client): the client must be a connected client of the redis package (createClient().connect())");
  }
  if (!Number.isInteger(timeout) || timeout < 1) throw misuse("redisStore: timeout must be a whole number of milliseconds from 1");
  checkPerUser("redisStore", userKey, maxSessions);
  const command = (args) => {
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the Redis store did not answer within ${timeout} ms`)), timeout);
    });
    return Promise.race([client.sendCommand(args), late]).finally(() => clearTimeout(timer));
  };
  // A user's home: its sessions' list and its generation.
  const index = (home) => `${prefix}home:${home}`;
  const generation = (home) => `${prefix}generation:${home}`;
  const perUser = (home) => typeof home === "string" && home.startsWith("u");
  return {
    kind: "redis",
    outage,
    userKey,
    async get(key, { home } = {}) {
      if (!perUser(home)) return command(["GET", prefix + key]);
      const [record, gen] = await command(["MGET", prefix + key, generation(home)]);
      return { record, generation: gen ?? "0" };
    },
    async put(key, record, ttl, { home, created, generation: expected, replaces } = {}) {
      if (!perUser(home)) {
        await command(ttl ? ["SET", prefix + key, record, "EX", String(ttl)] : ["SET", prefix + key, record]);
        return {};
      }
      const keys = [prefix + key, index(home), generation(home)];
      const args = [record, ttl ? String(ttl) : "", String(created ?? Date.now()), String(maxSessions), expected ?? "", replaces ? prefix + replaces : ""];
      const out = await command(["EVAL", PUT_SCRIPT, "3", ...keys, ...args]);
      if (out?.[0] === "logged-out") return { loggedOut: true };
      return { evicted: out?.slice(1) ?? [] };
    },
    async delete(key, { home } = {}) {
      if (!perUser(home)) return command(["DEL", prefix + key]);
      return command(["EVAL", DELETE_SCRIPT, "2", prefix + key, index(home)]);
    },
    /** Ends every session of the home (see `manager.logOutEverywhere`): how many were live. */
    async clear(home) {
      return Number(await command(["EVAL", CLEAR_SCRIPT, "2", index(home), generation(home)]));
    },
  };
}

// Writes a signed-in session's record and lists it under its user's home, atomically:
//   KEYS: the record, the home's list (a sorted set of record keys by login time), its generation
//   ARGV: record, ttl (seconds, "" none), created (ms), maxSessions, the generation the session
//         was read under ("" for one that was not read from this home), the record it replaces
// Refused ("logged-out") when the home was cleared since the session was read. Evicts the oldest
// other sessions past maxSessions (their records deleted); returns {"ok", evicted...}.
const PUT_SCRIPT = `
if ARGV[5] ~= '' and (redis.call('GET', KEYS[3]) or '0') ~= ARGV[5] then return {'logged-out'} end
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) else redis.call('SET', KEYS[1], ARGV[1]) end
if ARGV[6] ~= '' then redis.call('ZREM', KEYS[2], ARGV[6]) end
local existed = redis.call('EXISTS', KEYS[2])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
local out = {'ok'}
local others = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if m ~= KEYS[1] then
    if redis.call('EXISTS', m) == 1 then table.insert(others, m) else redis.call('ZREM', KEYS[2], m) end
  end
end
local limit = tonumber(ARGV[4])
if limit > 0 then
  for i = 1, #others + 1 - limit do
    redis.call('DEL', others[i])
    redis.call('ZREM', KEYS[2], others[i])
    table.insert(out, others[i])
  end
end
-- The list lives as long as its longest session (for good with one that never expires).
if ARGV[2] == '' then
  redis.call('PERSIST', KEYS[2])
elseif existed == 0 then
  redis.call('EXPIRE', KEYS[2], ARGV[2])
else
  local ttl = redis.call('TTL', KEYS[2])
  if ttl ~= -1 and ttl < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
end
return out`;

// Deletes a record and takes it off its home's list. KEYS: the record, the home's list.
const DELETE_SCRIPT = `
redis.call('ZREM', KEYS[2], KEYS[1])
return redis.call('DEL', KEYS[1])`;

// Ends every session of a home and moves its generation on. KEYS: the home's list, its generation.
const CLEAR_SCRIPT = `
local n = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do n = n + redis.call('DEL', m) end
redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[2])
return n`;

/**
 * Durable Objects: `namespace` is a binding to the Rust Worker's `SessionStore` class (deployed
 * with it; bound from another Worker with `script_name`), spoken to by its protocol
 * (worker/src/store.rs): one object per signed-in user (named by a keyed hash of the user), one per
 * anonymous session. Strongly consistent: `logOutEverywhere(user)` ends a user's sessions at once,
 * a request still in flight cannot write one back, and `maxSessions` evicts the oldest. Sessions
 * written by the Rust Worker with the same keys and binding open here, and the reverse.
 */
export function durableObjectStore(namespace, { outage, userKey = "user", maxSessions = 0 } = {}) {
  if (!namespace || typeof namespace.idFromName !== "function" || typeof namespace.get !== "function") {
    throw misuse("durableObjectStore(namespace): the namespace must be a Durable Object binding to the SessionStore class");
  }
  checkPerUser("durableObjectStore", userKey, maxSessions);
  // The protocol's base URL: never reachable from the Internet, only through the binding.
  const call = async (home, method, path, body) => {
    const res = await namespace.get(namespace.idFromName(home)).fetch(`https://session-store.internal${path}`, { method, body });
    if (res.status >= 500) throw new Error(`the session store answered ${res.status}`);
    return res;
  };
  // A store key (`session:<id>`) is the protocol's id.
  const idOf = (key) => key.slice(key.indexOf(":") + 1);
  const gen = (generation) => (generation === null || generation === undefined ? "" : `&gen=${generation}`);
  return {
    kind: "durable-object",
    outage,
    userKey,
    async get(key, { home } = {}) {
      if (!home) return null;
      const res = await call(home, "GET", `/get?id=${idOf(key)}`);
      const generation = res.headers.get("x-generation") ?? "0";
      return { record: res.status === 200 ? await res.text() : null, generation };
    },
    async put(key, record, ttl, { home, created, generation, replaces } = {}) {
      const expires = ttl ? Date.now() + ttl * 1000 : Number.MAX_SAFE_INTEGER;
      let path = `/put?id=${idOf(key)}&created=${created ?? Date.now()}&expires=${expires}&limit=${maxSessions}${gen(generation)}`;
      if (replaces) path += `&old=${idOf(replaces)}`;
      const res = await call(home, "PUT", path, record);
      if (res.status === 409) return { loggedOut: true };
      if (res.status !== 200) throw new Error(`the session store refused the record (${res.status})`);
      return { evicted: (res.headers.get("x-evicted") ?? "").split(",").filter(Boolean) };
    },
    async delete(key, { home } = {}) {
      if (home) await call(home, "DELETE", `/delete?id=${idOf(key)}`);
    },
    async clear(home) {
      return Number((await (await call(home, "POST", "/clear")).text()).trim()) || 0;
    },
  };
}

/** The per-user options of a store (`userKey`, `maxSessions`), checked once for every store that has them. */
function checkPerUser(name, userKey, maxSessions) {
  if (!Number.isInteger(maxSessions) || maxSessions < 0 || maxSessions > 1000) throw misuse(`${name}: maxSessions must be a whole number from 0 to 1000`);
  if (typeof userKey !== "string" || userKey === "") throw misuse(`${name}: userKey must be a session key`);
}

function misuse(message) {
  return failure("ERR_INVALID_OPTION", message);
}
