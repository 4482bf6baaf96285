// The conformance suite's origin, in node: checks the proxy's signature with the package and
// answers what it saw as JSON; `/login?user=NAME` logs NAME in through X-Replace-Session. CORS
// headers let a page in Chromium call it.
import { createServer } from "node:http";

export async function startOrigin(verifySessionHeader, secret) {
  const server = createServer(async (req, res) => {
    const cors = {
      "access-control-allow-origin": "*",
      "access-control-allow-headers": "x-session, x-session-signature",
      "access-control-expose-headers": "x-replace-session",
    };
    if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
    const url = new URL(req.url, `http://${req.headers.host}`);
    const verdict = await verifySessionHeader({ method: req.method, url: req.url, headers: req.headers }, secret);
    const headers = { ...cors, "content-type": "application/json" };
    if (url.pathname === "/login") headers["x-replace-session"] = `user=${encodeURIComponent(url.searchParams.get("user") ?? "")}&!regenerate=1`;
    res.writeHead(200, headers).end(JSON.stringify({ verified: verdict.ok, reason: verdict.reason ?? null, session: verdict.session ?? {}, path: url.pathname }));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}
