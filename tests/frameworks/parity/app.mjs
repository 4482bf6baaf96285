// The one application every face of the parity test serves (tests/frameworks/parity.test.mjs):
// Web API only, `respond(request, session)` → Response. It shows what it saw (the session, the
// X-Session header the face left on the request) and answers as an origin may: a SessionHeader
// that logs in or out, a failure, a status of its own.
export async function respond(request, session) {
  const url = new URL(request.url);
  const op = url.searchParams.get("op");
  const seen = JSON.stringify({
    session: session ? session.toString().replace(/expiry=\d+/, "expiry=<t>") : null,
    xSession: (request.headers.get("x-session") ?? "").replace(/expiry=\d+/, "expiry=<t>"),
    client: request.headers.get("x_session") ?? null,
  });
  const json = { "content-type": "application/json" };
  switch (op) {
    case "login":
      return new Response(seen, { headers: { ...json, "x-replace-session": "user=alice&role=admin&visits.json=1&!regenerate=1" } });
    case "typed":
      session?.set("cart", { items: [1, 2] });
      session?.flash("notice", "Saved");
      return new Response(seen, { headers: json });
    case "logout":
      return new Response(seen, { headers: { ...json, "x-replace-session": "!clear=1", "cache-control": "no-store" } });
    case "fail":
      session?.set("user", "mallory");
      throw new Error("the application failed");
    case "teapot":
      return new Response(seen, { status: 418, headers: json });
    default:
      return new Response(seen, { headers: json });
  }
}
