// edge-session for Node.js (>= 20): the WebAssembly module is loaded synchronously at import.
import { readFileSync } from "node:fs";
import { initSync } from "../pkg/edge_session.js";
import "./handle.js";

initSync({ module: readFileSync(new URL("../pkg/edge_session_bg.wasm", import.meta.url)) });

export { Session, SessionManager, generateKey, inspect } from "../pkg/edge_session.js";
