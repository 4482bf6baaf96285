// edge-session/full for Node.js (>= 20): the default entry's API with the apache format and
// inspect. The WebAssembly module is loaded synchronously at import.
import { readFileSync } from "node:fs";
import * as bindings from "../../pkg/full/edge_session.js";
import { api } from "../api.js";

bindings.initSync({ module: readFileSync(new URL("../../pkg/full/edge_session_bg.wasm", import.meta.url)) });

export { Session, generateKey, inspect } from "../../pkg/full/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
