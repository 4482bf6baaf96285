// edge-session for browsers and bundlers (Vite, esbuild, webpack 5): the module fetches and
// instantiates its WebAssembly with top-level await, from a URL bundlers understand.
import init from "../pkg/edge_session.js";
import "./handle.js";

await init({ module_or_path: new URL("../pkg/edge_session_bg.wasm", import.meta.url) });

export { Session, SessionManager, generateKey, inspect } from "../pkg/edge_session.js";
