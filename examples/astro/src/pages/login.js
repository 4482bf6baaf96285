// POST /login: a form's user logs in (remember me with remember=on).
export async function POST({ request, locals, redirect }) {
  const form = await request.formData();
  const s = locals.session;
  s.set("user", String(form.get("user") ?? "alice"));
  s.set("visits", 0);
  if (form.get("remember") === "on") s.maxAge = 30 * 86400;
  s.regenerate();
  s.flash("notice", `Welcome, ${s.get("user")}`);
  return redirect("/", 303);
}
