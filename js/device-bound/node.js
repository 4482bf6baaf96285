// edge-session/device-bound for Node.js (>= 20), Deno and Bun: the default entry's API with
// device-bound sessions (W3C DBSC, `deviceBound: true`); the WebAssembly from base64 inside the
// module graph, compiled at import.
import * as bindings from "../../pkg/device-bound/edge_session.js";
import wasm from "../../pkg/device-bound/edge_session_wasm.js";
import { api } from "../api.js";
import { bytes } from "../base64.js";

bindings.initSync({ module: bytes(wasm) });

export { Session, generateKey } from "../../pkg/device-bound/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
