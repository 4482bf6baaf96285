// edge-session/full for browsers and bundlers: the default entry's API with the apache format and
// inspect. The module fetches and instantiates its WebAssembly with top-level await.
import * as bindings from "../../pkg/full/edge_session.js";
import { api } from "../api.js";

await bindings.default({ module_or_path: new URL("../../pkg/full/edge_session_bg.wasm", import.meta.url) });

export { Session, generateKey, inspect } from "../../pkg/full/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
