// edge-session/full for Cloudflare Workers (workerd): the default entry's API with the apache
// format and inspect. wrangler bundles the .wasm import as a compiled WebAssembly.Module,
// instantiated synchronously here, once per isolate.
import * as bindings from "../../pkg/full/edge_session.js";
import wasm from "../../pkg/full/edge_session_bg.wasm";
import { api } from "../api.js";

bindings.initSync({ module: wasm });

export { Session, generateKey, inspect } from "../../pkg/full/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
