// edge-session/device-bound for browsers and bundlers: the default entry's API with device-bound
// sessions, its WebAssembly inside the import graph (base64).
import * as bindings from "../../pkg/device-bound/edge_session.js";
import wasm from "../../pkg/device-bound/edge_session_wasm.js";
import { api } from "../api.js";
import { bytes } from "../base64.js";

await bindings.default({ module_or_path: bytes(wasm) });

export { Session, generateKey } from "../../pkg/device-bound/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
