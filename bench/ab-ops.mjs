// The operations bench/ab.mjs compares between two builds of the package, the same in node and in
// workerd: the 10-key sealed write round trip of bench/impls.mjs (open, a 2-key update, seal; the
// open cache off, so that every open decrypts) and the read of a repeated cookie (the open cache on).
const COOKIE = "session";
const header = (value) => `theme=dark; ${COOKIE}=${value}; _ga=GA1.2.3`;

/** A state for `mode` ("write" or "read") over one build's `SessionManager`, with a fixed `key`. */
export function prepare(SessionManager, key, mode) {
  const options = { keys: [key], maxAge: 3600, expiryUpdateInterval: 300, openCache: mode === "write" ? 0 : 256 };
  const manager = new SessionManager(options);
  const s = manager.load(null);
  for (let i = 0; i < 10; i++) s.set(`key${i}`, `value-${i}-${"x".repeat(18)}`);
  const out = manager.save(s);
  s.free();
  return { manager, mode, header: header(out.slice(COOKIE.length + 1, out.indexOf(";"))) };
}

/** `n` operations; returns the last result's length (so that nothing is optimised away). */
export function run(state, n, from = 0) {
  let last = "";
  for (let i = from; i < from + n; i++) {
    const s = state.manager.load(state.header);
    if (state.mode === "write") {
      s.applyUpdate(`count=${i}&last=x`);
      last = state.manager.save(s);
      state.header = header(last.slice(COOKIE.length + 1, last.indexOf(";")));
    } else {
      last = s.get("key0");
      if (state.manager.save(s) !== null) throw new Error("a read re-sealed the session");
    }
    s.free();
  }
  return last.length;
}
