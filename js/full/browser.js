// edge-session/full for browsers, through any bundler with no configuration: the default entry's
// API with the apache format and inspect, its WebAssembly inside the import graph (base64).
import * as bindings from "../../pkg/full/edge_session.js";
import wasm from "../../pkg/full/edge_session_wasm.js";
import { api } from "../api.js";
import { bytes } from "../base64.js";

await bindings.default({ module_or_path: bytes(wasm) });

export { Session, generateKey, inspect } from "../../pkg/full/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
