// edge-session for Node.js (>= 20), Deno and Bun: the WebAssembly, from base64 inside the module
// graph (so that a server build that bundles the package keeps it), compiled synchronously at
// import (no top-level await: `require` of this module works where node allows it).
import * as bindings from "../pkg/edge_session.js";
import wasm from "../pkg/edge_session_wasm.js";
import { api } from "./api.js";
import { bytes } from "./base64.js";

bindings.initSync({ module: bytes(wasm) });

export { Session, generateKey } from "../pkg/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
