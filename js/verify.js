// The origin's side of origin authentication: `verifySessionHeader(request, secret)` checks the
// signature the front proxy (`originSecret` / SESSION_ORIGIN_SECRET) put on a request, so that
// an origin reachable directly refuses a client's own `X-Session`. The check itself is the core's
// (`verifySignature`: HMAC-SHA256 compared in constant time, the time within the tolerance), over
// either build of the bindings: `sessionHeaderVerifier(bindings)` makes the function of that build.

/** A header of a fetch `Request` (Headers) or of a Node `IncomingMessage` (a plain object). */
function header(headers, name) {
  if (typeof headers?.get === "function") return headers.get(name);
  const v = headers?.[name.toLowerCase()];
  return Array.isArray(v) ? v.join(", ") : (v ?? null);
}

/**
 * The host and the path and query the origin received: from an absolute URL (fetch), or from a
 * request target and the `Host` header (Node's IncomingMessage).
 */
function received(request) {
  const url = String(request.url);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    const u = new URL(url);
    return { host: u.host, target: u.pathname + u.search };
  }
  return { host: header(request.headers, "host") ?? "", target: url };
}

/** `verifySessionHeader` over one build of the bindings (`Session` and `verifySignature`). */
export function sessionHeaderVerifier({ Session, verifySignature }) {
  /**
   * Verifies the front proxy's signature on `request` (a fetch `Request`, or anything with
   * `method`, `url` and `headers`, such as Node's `IncomingMessage`) with `secret` (or several,
   * while one is rotated). Resolves to `{ ok: true, session }` (the session's entries as a plain
   * object, empty when the request carries none) or `{ ok: false, reason }` ("missing",
   * "malformed", "expired" or "mismatch"). Options: `tolerance` (seconds, default 300),
   * `envHeader` (default "X-Session"; the signature is in `<envHeader>-Signature`), `now` (ms).
   */
  async function verifySessionHeader(request, secret, { tolerance = 300, envHeader = "X-Session", now = Date.now() } = {}) {
    const value = header(request.headers, envHeader) ?? "";
    const signature = header(request.headers, `${envHeader}-Signature`);
    const { host, target } = received(request);
    const reason = verifySignature(secret, signature, String(request.method).toUpperCase(), host, target, value, now, tolerance);
    if (reason !== null) return { ok: false, reason };
    const session = Object.create(null);
    const parsed = new Session();
    try {
      parsed.applyUpdate(value);
      for (const [k, v] of parsed.entries()) session[k] = v;
    } finally {
      parsed.free();
    }
    return { ok: true, session };
  }
  return verifySessionHeader;
}
