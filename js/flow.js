// `edge-session/flow`: the front proxy's plans over a SessionManager, for the faces and adapters
// that execute them (this package's `handle` and Hono middleware use the same): not the user's
// API. `flow(manager)` gives the plan functions of the build the manager belongs to (the default
// entry's or `edge-session/full`'s), bound to it.
import { FLOW, failure } from "./handle.js";

/**
 * The plans over `manager`: `planRequest(method, host, target, headers, nowMs?)`,
 * `planResponse(session, headers, nowMs?)`, `planPassthrough(headers)` and `originFailure(error)`.
 */
export function flow(manager) {
  const plans = manager?.[FLOW];
  if (!plans) throw failure("ERR_INVALID_ARG_TYPE", "flow(manager): not a SessionManager of edge-session");
  return {
    planRequest: (method, host, target, headers, nowMs) => plans.planRequest(manager, method, host, target, headers, nowMs),
    planResponse: (session, headers, nowMs) => plans.planResponse(manager, session, headers, nowMs),
    planPassthrough: (headers) => plans.planPassthrough(manager, headers),
    originFailure: (error) => plans.originFailure(error),
  };
}
