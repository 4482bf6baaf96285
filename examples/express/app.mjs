// An Express 5 app with edge-session: `node examples/express/app.mjs` serves it on
// http://127.0.0.1:3000 (SESSION_KEY from the environment, or a fresh key for a trial).
import express from "express";
import { generateKey } from "edge-session";
import { session } from "edge-session/express";

export function createApp(keys = [process.env.SESSION_KEY ?? generateKey()]) {
  const app = express();
  // Plain http for local trials: no Secure. Behind TLS keep the default attributes.
  app.use(session({ keys, maxAge: 3600, cookieAttributes: "Path=/; HttpOnly; SameSite=Lax" }));

  app.post("/login", express.urlencoded({ extended: false }), (req, res) => {
    req.session.set("user", req.body.user ?? "alice");
    req.session.set("cart", { items: [] });
    if (req.body.remember === "on") req.session.maxAge = 30 * 86400;
    req.session.regenerate();
    req.session.flash("notice", `Welcome, ${req.session.get("user")}`);
    res.redirect(303, "/");
  });
  app.post("/cart/:item", (req, res) => {
    const cart = req.session.get("cart") ?? { items: [] };
    cart.items.push(Number(req.params.item));
    req.session.set("cart", cart);
    res.json(cart);
  });
  app.get("/", (req, res) => {
    res.json({ user: req.session.get("user") ?? null, notice: req.session.get("notice") ?? null, cart: req.session.get("cart") ?? null });
  });
  app.post("/logout", (req, res) => {
    req.session.clear();
    res.redirect(303, "/");
  });
  // A handler that fails: its change is not saved (a 5xx saves nothing).
  app.post("/fail", async (req) => {
    req.session.set("user", "mallory");
    throw new Error("boom");
  });
  // A handler may also answer with the SessionHeader, as an origin behind the proxy does.
  app.post("/promote", (req, res) => {
    res.set("X-Replace-Session", "role=admin&!regenerate=1").send("promoted");
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  createApp().listen(3000, "127.0.0.1", () => console.log("http://127.0.0.1:3000"));
}
