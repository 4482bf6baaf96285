// Makes the DBSC proof vectors (proofs.json) with WebCrypto, an implementation independent of the
// crate's: a P-256 key, a registration proof and a refresh proof as the W3C draft shapes them, and
// the same proofs spoiled the ways a verifier must notice. Run once: `node tests/vectors/dbsc/make.mjs`.
import { writeFileSync } from "node:fs";
const { subtle } = globalThis.crypto;
const b64 = (b) => Buffer.from(b).toString("base64url");
const N = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
const pair = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
const jwk = await subtle.exportKey("jwk", pair.publicKey);
const pub = { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y };
async function sign(header, payload) {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const sig = new Uint8Array(await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, new TextEncoder().encode(input)));
  return { input, sig };
}
const hex = (b) => Buffer.from(b).toString("hex");
const big = (b) => BigInt("0x" + hex(b));
const bytes32 = (n) => Buffer.from(n.toString(16).padStart(64, "0"), "hex");
function der(sig) {
  const int = (b) => { let i = 0; while (i < 31 && b[i] === 0) i++; let v = Buffer.from(b.subarray(i)); if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]); return Buffer.concat([Buffer.from([2, v.length]), v]); };
  const body = Buffer.concat([int(sig.subarray(0, 32)), int(sig.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
const reg = await sign({ alg: "ES256", typ: "dbsc+jwt", jwk: pub }, { jti: "challenge-1", authorization: "ac" });
const ref = await sign({ alg: "ES256", typ: "dbsc+jwt" }, { jti: "challenge-2" });
const s = big(reg.sig.subarray(32));
const flipped = Buffer.concat([Buffer.from(reg.sig.subarray(0, 32)), bytes32(N - s)]);
const vectors = {
  comment: "DBSC proofs made by WebCrypto (node) with one P-256 key; tests/dbsc.rs checks each outcome",
  jwk: pub,
  proofs: [
    { name: "registration", jwt: `${reg.input}.${b64(reg.sig)}`, jti: "challenge-1", verifies: true },
    { name: "refresh", jwt: `${ref.input}.${b64(ref.sig)}`, jti: "challenge-2", verifies: true },
    { name: "the other s (n - s): ES256 does not require low s, WebCrypto makes either", jwt: `${reg.input}.${b64(flipped)}`, jti: "challenge-1", verifies: true },
    { name: "DER signature instead of r || s", jwt: `${reg.input}.${b64(der(reg.sig))}`, error: "bad-signature" },
    { name: "signature of the other proof", jwt: `${reg.input}.${b64(ref.sig)}`, verifies: false },
    { name: "payload changed after signing", jwt: `${reg.input.split(".")[0]}.${b64(JSON.stringify({ jti: "challenge-9" }))}.${b64(reg.sig)}`, verifies: false },
  ],
};
writeFileSync(new URL("./proofs.json", import.meta.url), JSON.stringify(vectors, null, 1) + "\n");
