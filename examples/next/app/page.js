import { headers } from "next/headers";
import { sessions } from "../lib/sessions.js";
import { login, logout } from "./actions.js";

// A server component reads the session (and sees the X-Session proxy.js set).
export default async function Page() {
  const session = await sessions.getSession();
  const forwarded = (await headers()).get("x-session") ?? "";
  return (
    <main>
      <p id="user">{session.get("user") ?? "stranger"}</p>
      <p id="x-session">{forwarded}</p>
      <form action={login}>
        <input name="user" defaultValue="alice" />
        <input type="checkbox" name="remember" />
        <button>Log in</button>
      </form>
      <form action={logout}>
        <button>Log out</button>
      </form>
    </main>
  );
}
