// A handler that throws: its change is not saved.
export function POST({ locals }) {
  locals.session.set("user", "mallory");
  throw new Error("boom");
}
