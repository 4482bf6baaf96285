// The WebAssembly that build.sh writes into a JavaScript module as base64, back to bytes: every
// entry but workerd's takes it so, from inside its module graph, so that no bundler (a page's, or a
// server build's: SvelteKit, Astro, Next.js) can leave a .wasm file behind.
export function bytes(base64) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(base64);
  if (typeof globalThis.Buffer?.from === "function") return globalThis.Buffer.from(base64, "base64");
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
