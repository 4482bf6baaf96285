// What every entry exports beside the bindings' own classes and functions, made over that entry's
// build of the bindings (pkg/ for the default entry, pkg/full/ for `edge-session/full`).
import { sessionManagerClass } from "./handle.js";
import { sessionHeaderVerifier } from "./verify.js";

/** `SessionManager` (with `handle`) and `verifySessionHeader` over `bindings`. */
export function api(bindings) {
  return { SessionManager: sessionManagerClass(bindings), verifySessionHeader: sessionHeaderVerifier(bindings) };
}
