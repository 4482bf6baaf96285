// edge-session/device-bound for edge runtimes that neither read files nor import .wasm
// (`edge-light`, `worker`): the default entry's API with device-bound sessions; the WebAssembly from
// base64 in the import graph, instantiated synchronously.
import * as bindings from "../../pkg/device-bound/edge_session.js";
import wasm from "../../pkg/device-bound/edge_session_wasm.js";
import { api } from "../api.js";
import { bytes } from "../base64.js";

bindings.initSync({ module: bytes(wasm) });

export { Session, generateKey } from "../../pkg/device-bound/edge_session.js";
export const { SessionManager, verifySessionHeader } = api(bindings);
