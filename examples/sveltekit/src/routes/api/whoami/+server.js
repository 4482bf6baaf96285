import { json } from "@sveltejs/kit";

// An endpoint reads the session too; one may also answer with X-Replace-Session.
export function GET({ locals }) {
  return json({ user: locals.session?.get("user") ?? null, visits: locals.session?.get("visits") ?? 0 });
}

export function POST() {
  return new Response("promoted", { headers: { "x-replace-session": "role=admin" } });
}
