import { error, redirect } from "@sveltejs/kit";

export function load({ locals }) {
  const s = locals.session;
  return { user: s?.get("user") ?? null, visits: s?.get("visits") ?? 0, notice: s?.get("notice") ?? null };
}

export const actions = {
  login: async ({ request, locals }) => {
    const form = await request.formData();
    const s = locals.session;
    s.set("user", String(form.get("user") ?? "alice"));
    s.set("visits", 0);
    if (form.get("remember") === "on") s.maxAge = 30 * 86400;
    s.regenerate();
    s.flash("notice", `Welcome, ${s.get("user")}`);
    redirect(303, "/");
  },
  visit: ({ locals }) => {
    locals.session.set("visits", (locals.session.get("visits") ?? 0) + 1);
    return { visits: locals.session.get("visits") };
  },
  fail: ({ locals }) => {
    locals.session.set("user", "mallory");
    error(500, "boom");
  },
  logout: ({ locals }) => {
    locals.session.clear();
    redirect(303, "/");
  },
};
