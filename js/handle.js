// `manager.handle(request, next)`: the Rust Worker's front-proxy flow for any fetch-API runtime.
// Every decision is the core's (planRequest / planResponse, shared with the Rust Worker); this file
// only moves headers between Request / Response objects.
import { SessionManager } from "../pkg/edge_session.js";

const BAD_GATEWAY = "Bad Gateway: the origin could not be reached\n";

/** A copy of `request` with other headers (a body is streamed through). */
function withHeaders(request, headers) {
  const init = { headers };
  if (request.body) init.duplex = "half";
  return new Request(request, init);
}

SessionManager.prototype.handle = async function handle(request, next) {
  const now = Date.now();
  const plan = this.planRequest(new URL(request.url).pathname, request.headers.get("cookie"), now);
  const headers = new Headers(request.headers);
  // Only the proxy may tell the origin what the session is, on every path (CVE-2018-1283).
  headers.delete(this.envHeader);
  const session = plan.session;
  if (!session) return next(withHeaders(request, headers));
  try {
    if (session.status === "rejected") console.log(`edge-session: session cookie rejected (${session.rejection})`);
    if (plan.envValue !== null) headers.set(this.envHeader, plan.envValue);
    if (plan.cookie === null) headers.delete("cookie");
    else if (typeof plan.cookie === "string") headers.set("cookie", plan.cookie);

    let response;
    try {
      response = await next(withHeaders(request, headers), session);
    } catch (e) {
      console.error(`edge-session: origin failure: ${e}`);
      return new Response(BAD_GATEWAY, { status: 502 });
    }
    const out = new Headers(response.headers);
    const update = out.get(this.header);
    out.delete(this.header);
    const r = this.planResponse(session, update, out.get("cache-control"), out.get("vary"), now);
    if (r.updateError) console.warn(`edge-session: origin's ${this.header} ignored: ${r.updateError}`);
    if (r.saveError) console.error(`edge-session: session not saved: ${r.saveError}`);
    for (const c of r.setCookies) out.append("set-cookie", c);
    if (r.cacheControl) out.set("cache-control", r.cacheControl);
    if (r.vary) out.set("vary", r.vary);
    const init = { status: response.status, statusText: response.statusText, headers: out };
    if (response.webSocket) init.webSocket = response.webSocket; // workerd
    return new Response(response.body, init);
  } finally {
    session.free();
  }
};
