// edge-session for browsers, through any bundler with no configuration (esbuild, Vite, webpack 5,
// Rollup): the WebAssembly is inside this module's import graph (base64, pkg/edge_session_wasm.js),
// so there is no file for a bundler to find or to miss, and it is compiled off the main thread
// with top-level await.
import * as bindings from "../pkg/edge_session.js";
import wasm from "../pkg/edge_session_wasm.js";
import { api } from "./api.js";
import { bytes } from "./base64.js";

await bindings.default({ module_or_path: bytes(wasm) });

export { Session, generateKey } from "../pkg/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
