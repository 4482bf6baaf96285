"use server";
import { redirect } from "next/navigation";
import { sessions } from "../lib/sessions.js";

export async function login(form) {
  const session = await sessions.getSession();
  session.set("user", String(form.get("user") ?? "alice"));
  session.set("visits", 0);
  if (form.get("remember") === "on") session.maxAge = 30 * 86400;
  session.regenerate();
  session.flash("notice", `Welcome, ${session.get("user")}`);
  await sessions.save(session);
  redirect("/");
}

export async function logout() {
  const session = await sessions.getSession();
  session.clear();
  await sessions.save(session);
  redirect("/");
}
