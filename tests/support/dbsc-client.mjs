// A device-bound session (W3C DBSC) client written from the draft (w3c/webappsec-dbsc, "DBSC Proof
// JWT Syntax", "Send request", "Create session"), with WebCrypto's ES256: what a browser does with
// a session provider's headers, for the tests of the Worker (in workerd) and of `handle` (in node).
// It keeps a cookie jar, registers when a response offers Secure-Session-Registration, and proves
// possession of its key at the refresh endpoint when asked (403 + Secure-Session-Challenge).

const { subtle } = globalThis.crypto;
const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const json64 = (value) => b64url(Buffer.from(JSON.stringify(value)));

/** A P-256 device key, as the browser keeps it (never exported but its public part). */
export async function deviceKey() {
  const pair = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const { kty, crv, x, y } = await subtle.exportKey("jwk", pair.publicKey);
  return { pair, jwk: { kty, crv, x, y } };
}

/** A DBSC proof: a compact JWS over `payload`, signed by `key` (WebCrypto's ECDSA gives r || s). */
export async function proof(key, payload, { jwk = false, header = {} } = {}) {
  const h = { alg: "ES256", typ: "dbsc+jwt", ...(jwk ? { jwk: key.jwk } : {}), ...header };
  const input = `${json64(h)}.${json64(payload)}`;
  const sig = await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.pair.privateKey, new TextEncoder().encode(input));
  return `${input}.${b64url(new Uint8Array(sig))}`;
}

/** The value of `param="…"` in a structured-field header. */
export function param(value, name) {
  return new RegExp(`;${name}="([^"]*)"`).exec(value ?? "")?.[1] ?? null;
}

/** The string item of a structured-field header (`"…";id="…"`). */
export function item(value) {
  return /^"([^"]*)"/.exec(value ?? "")?.[1] ?? null;
}

/**
 * A browser with a device key, over `send(method, path, headers) → Response`. `clock()` gives the
 * time (seconds) its cookie jar expires cookies by.
 */
export class Device {
  constructor(send, key, clock = () => Date.now() / 1000) {
    this.send = send;
    this.key = key;
    this.clock = clock;
    this.jar = new Map(); // name → { value, expires }
    this.session = null; // { id, refreshUrl, credential, challenge }
    this.registered = null; // the registration's JSON
  }

  cookie(drop = []) {
    const now = this.clock();
    return [...this.jar].filter(([n, c]) => c.expires > now && !drop.includes(n)).map(([n, c]) => `${n}=${c.value}`).join("; ");
  }

  /** Takes a response's Set-Cookie lines into the jar. */
  take(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const maxAge = attrs.map((a) => /^\s*max-age=(\d+)/i.exec(a)).find(Boolean);
      const expires = maxAge ? this.clock() + Number(maxAge[1]) : Infinity;
      if (value === "" || (maxAge && Number(maxAge[1]) === 0)) this.jar.delete(name);
      else this.jar.set(name, { value, expires });
    }
  }

  /** A request with the jar's cookies (minus `drop`), its response taken; registers when offered. */
  async fetch(method, path, headers = {}, { drop = [], register = true } = {}) {
    const cookie = this.cookie(drop);
    const res = await this.send(method, path, { ...(cookie ? { cookie } : {}), ...headers });
    this.take(res);
    const offer = res.headers.get("secure-session-registration");
    if (offer && register) await this.register(offer);
    return res;
  }

  /** "Process session registration": (ES256);path="…";challenge="…". */
  async register(offer) {
    if (!/^\((?:[^)]* )?ES256(?: [^)]*)?\)/.test(offer)) throw new Error(`no ES256 in ${offer}`);
    const path = param(offer, "path");
    const jti = param(offer, "challenge");
    const token = await proof(this.key, { jti }, { jwk: true });
    const res = await this.fetch("POST", path, { "secure-session-response": `"${token}"` }, { register: false });
    if (res.status !== 200) throw new Error(`registration answered ${res.status}: ${await res.text()}`);
    const body = await res.json();
    this.registered = body;
    this.session = {
      id: body.session_identifier,
      refreshUrl: body.refresh_url,
      credential: body.credentials[0].name,
      challenge: item(res.headers.get("secure-session-challenge")),
    };
    return body;
  }

  /** Whether the bound cookie is missing (or expired) from the jar: when the browser refreshes. */
  needsRefresh() {
    return this.session && !this.cookie().split("; ").some((c) => c.startsWith(`${this.session.credential}=`));
  }

  /**
   * "Send request" to the refresh URL: with the cached challenge if there is one, else none; a 403
   * with a challenge is retried once with it. `signer` signs (another key, to test a refusal).
   */
  async refresh({ signer = this.key, challenge = this.session.challenge, retry = true } = {}) {
    const headers = { "sec-secure-session-id": `"${this.session.id}"` };
    if (challenge) headers["secure-session-response"] = `"${await proof(signer, { jti: challenge })}"`;
    const res = await this.fetch("POST", this.session.refreshUrl, headers, { register: false });
    const next = item(res.headers.get("secure-session-challenge"));
    if (next) this.session.challenge = next;
    if (res.status === 403 && retry && next) return this.refresh({ signer, challenge: next, retry: false });
    return res;
  }
}
