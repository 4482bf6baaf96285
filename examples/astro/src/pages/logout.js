export function POST({ locals, redirect }) {
  locals.session.clear();
  return redirect("/", 303);
}
