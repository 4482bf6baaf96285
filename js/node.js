// edge-session for Node.js (>= 20): the WebAssembly module is loaded synchronously at import.
import { readFileSync } from "node:fs";
import { initSync } from "../pkg/edge_session.js";

initSync({ module: readFileSync(new URL("../pkg/edge_session_bg.wasm", import.meta.url)) });

export { Session, generateKey, inspect, originFailure } from "../pkg/edge_session.js";
export { SessionManager } from "./handle.js";
export { verifySessionHeader } from "./verify.js";
