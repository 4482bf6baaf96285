// edge-session for browsers and bundlers (Vite, esbuild, webpack 5): the module fetches and
// instantiates its WebAssembly with top-level await, from a URL bundlers understand.
import init from "../pkg/edge_session.js";

await init({ module_or_path: new URL("../pkg/edge_session_bg.wasm", import.meta.url) });

export { Session, generateKey, inspect, originFailure } from "../pkg/edge_session.js";
export { SessionManager } from "./handle.js";
export { verifySessionHeader } from "./verify.js";
