// edge-session/device-bound for Cloudflare Workers (workerd): the default entry's API with
// device-bound sessions (W3C DBSC). wrangler bundles the .wasm import as a compiled
// WebAssembly.Module, instantiated synchronously here, once per isolate.
import * as bindings from "../../pkg/device-bound/edge_session.js";
import wasm from "../../pkg/device-bound/edge_session_bg.wasm";
import { api } from "../api.js";

bindings.initSync({ module: wasm });

export { Session, generateKey } from "../../pkg/device-bound/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
