// edge-session for edge runtimes that neither read files nor import .wasm (Vercel's Edge Runtime,
// `edge-light`; other `worker` runtimes): the WebAssembly from base64 in the import graph,
// instantiated synchronously (no top-level await: their bundles may be scripts).
import * as bindings from "../pkg/edge_session.js";
import wasm from "../pkg/edge_session_wasm.js";
import { api } from "./api.js";
import { bytes } from "./base64.js";

bindings.initSync({ module: bytes(wasm) });

export { Session, generateKey } from "../pkg/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
