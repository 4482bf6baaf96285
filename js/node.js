// edge-session for Node.js (>= 20): the WebAssembly module is loaded synchronously at import.
import { readFileSync } from "node:fs";
import * as bindings from "../pkg/edge_session.js";
import { api } from "./api.js";

bindings.initSync({ module: readFileSync(new URL("../pkg/edge_session_bg.wasm", import.meta.url)) });

export { Session, generateKey } from "../pkg/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
