// The main job's demo: an origin logs a user in through the SessionHeader, the session is sealed
// into a cookie, the browser sends it back, and the origin reads it. Then a timing of the round trip.
import { SessionManager, generateKey } from "edge-session";

const key = generateKey(); // demo only: real deployments keep keys in secrets (see docs/SECURITY.md)
const manager = new SessionManager({ keys: [key], maxAge: 3600 });

// 1. A first request: no cookie. The origin answers with `X-Replace-Session: user=alice&role=admin`.
const first = manager.load(null);
first.applyUpdate("user=alice&role=admin&greeting=hello%2C+world");
const setCookie = manager.save(first);
console.log("Set-Cookie:", setCookie);

// 2. The next request sends the cookie back; the origin sees the plain session (SessionEnv).
const cookie = setCookie.split(";")[0];
const second = manager.load(`theme=dark; ${cookie}`);
console.log("status:", second.status);
console.log("entries:", second.entries());
console.log("as the origin sees it (X-Session):", second.toString());
console.log("expires:", new Date(second.expiry).toISOString());

// 3. A tampered cookie is an empty session, not an error.
const tampered = cookie.slice(0, -2) + (cookie.endsWith("AA") ? "BB" : "AA");
const third = manager.load(tampered);
console.log("tampered cookie:", third.status, third.rejection, "entries:", third.entries().length);

// 4. Round trip time: parse Cookie, open, apply a 2-key update, seal, produce Set-Cookie.
const header = `a=1; ${cookie}; b=2`;
const roundTrips = (n) => {
  for (let i = 0; i < n; i++) {
    const s = manager.load(header);
    s.applyUpdate(`count=${i}&last=now`);
    if (!manager.save(s)) throw new Error("nothing saved");
  }
};
const N = 20_000;
roundTrips(2_000); // warm-up
const t0 = process.hrtime.bigint();
roundTrips(N);
const perOp = Number(process.hrtime.bigint() - t0) / N / 1000;
console.log(`round trip (load + 2-key update + save): ${perOp.toFixed(2)} µs, ${Math.round(1e6 / perOp)} per second`);
