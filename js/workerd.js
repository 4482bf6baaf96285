// edge-session for Cloudflare Workers (workerd): wrangler bundles the .wasm import as a compiled
// WebAssembly.Module, instantiated synchronously here, once per isolate.
import * as bindings from "../pkg/edge_session.js";
import wasm from "../pkg/edge_session_bg.wasm";
import { api } from "./api.js";

bindings.initSync({ module: wasm });

export { Session, generateKey } from "../pkg/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
