export function POST({ locals }) {
  locals.session.set("visits", (locals.session.get("visits") ?? 0) + 1);
  return Response.json({ visits: locals.session.get("visits") });
}
