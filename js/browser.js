// edge-session for browsers and bundlers (Vite, esbuild, webpack 5): the module fetches and
// instantiates its WebAssembly with top-level await, from a URL bundlers understand.
import * as bindings from "../pkg/edge_session.js";
import { api } from "./api.js";

await bindings.default({ module_or_path: new URL("../pkg/edge_session_bg.wasm", import.meta.url) });

export { Session, generateKey } from "../pkg/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
