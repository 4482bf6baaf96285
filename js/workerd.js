// edge-session for Cloudflare Workers (workerd): wrangler bundles the .wasm import as a compiled
// WebAssembly.Module, instantiated synchronously here, once per isolate.
import { initSync } from "../pkg/edge_session.js";
import wasm from "../pkg/edge_session_bg.wasm";

initSync({ module: wasm });

export { Session, generateKey, inspect, originFailure } from "../pkg/edge_session.js";
export { SessionManager } from "./handle.js";
export { verifySessionHeader } from "./verify.js";
