import { sessions } from "../../../lib/sessions.js";

// A route handler with the session; its changes (and its X-Replace-Session) are saved.
export const GET = sessions.route((request, { session }) => {
  session?.set("visits", (session.get("visits") ?? 0) + 1);
  return Response.json({ user: session?.get("user") ?? null, notice: session?.get("notice") ?? null, visits: session?.get("visits") ?? 0 });
});

export const POST = sessions.route(() => new Response("promoted", { headers: { "x-replace-session": "role=admin" } }));
