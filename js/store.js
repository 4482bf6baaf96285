// Server-side stores for `new SessionManager({ ..., store })` (from "edge-session/full"): the
// cookie then holds only a sealed reference to a record kept here, as the Rust Worker's
// SESSION_STORE does, with the same records under the same keys (`session:<id>`), so that a
// session written by either opens in the other.
//   kvStore(env.SESSIONS)       Workers KV (eventually consistent: a change can take up to a
//                               minute to be seen in other locations, as the Worker's KV store)
//   redisStore(client)          Redis through the `redis` npm client (an optional peer)
// Every store takes `outage`: what a request gets when the store cannot be read: "no-session"
// (the default: the request goes on without a session, nothing is saved, a log line says why) or
// "error" (503). A write that fails never sends a cookie that names a record that was not
// stored: the browser keeps the cookie it has.

/** Workers KV: `namespace` is the binding (`env.SESSIONS`); records expire with their session. */
export function kvStore(namespace, { outage } = {}) {
  if (!namespace || typeof namespace.get !== "function" || typeof namespace.put !== "function") {
    throw kvMisuse();
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
 */
export function redisStore(client, { prefix = "", outage, timeout = 2000 } = {}) {
  if (!client || typeof client.sendCommand !== "function") throw redisMisuse();
  if (!Number.isInteger(timeout) || timeout < 1) throw misuse("redisStore: timeout must be a whole number of milliseconds from 1");
  const command = (args) => {
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the Redis store did not answer within ${timeout} ms`)), timeout);
    });
    return Promise.race([client.sendCommand(args), late]).finally(() => clearTimeout(timer));
  };
  return {
    kind: "redis",
    outage,
    get: (key) => command(["GET", prefix + key]),
    put: (key, record, ttl) => command(ttl ? ["SET", prefix + key, record, "EX", String(ttl)] : ["SET", prefix + key, record]),
    delete: (key) => command(["DEL", prefix + key]),
  };
}

function kvMisuse() {
  return misuse("kvStore(namespace): the namespace must be a Workers KV binding (env.SESSIONS)");
}

function redisMisuse() {
  return misuse("redisStore(client): the client must be a connected client of the redis package (createClient().connect())");
}

function misuse(message) {
  const e = new TypeError(message);
  e.name = "EdgeSessionError";
  e.code = "ERR_INVALID_OPTION";
  return e;
}
