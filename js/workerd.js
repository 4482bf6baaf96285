// edge-session for Cloudflare Workers (workerd): wrangler bundles the .wasm import as a compiled
// WebAssembly.Module, instantiated synchronously here, once per isolate.
import { initSync } from "../pkg/edge_session.js";
import wasm from "../pkg/edge_session_bg.wasm";
import "./handle.js";

initSync({ module: wasm });

export { Session, SessionManager, generateKey, inspect } from "../pkg/edge_session.js";
