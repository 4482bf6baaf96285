// The WebAssembly that build.sh writes into a JavaScript module as base64, back to bytes: for the
// entries that must not fetch or read a file (browsers through any bundler, edge runtimes).
export function bytes(base64) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(base64);
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
